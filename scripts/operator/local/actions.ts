/**
 * `npx hardhat local <action>`: helpers for a local chain only (chain id 31337: a Hardhat node or
 * anvil): a test stablecoin, time travel. Refused on any other chain.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { formatWith, tokenInfo } from "../../lib/units.js";
import { mined } from "../../lib/cli.js";
import { addressArg, amountArg, now, openContext, operatorTask, uint, UserError, type CommonArgs } from "../kernel.js";

interface Args extends CommonArgs {
  name: string;
  symbol: string;
  decimals: string;
  token: string;
  to: string;
  amount: string;
  seconds: string;
}

const LOCAL_CHAIN_ID = 31337n;

async function openLocal(hre: HardhatRuntimeEnvironment, args: Args) {
  const ctx = await openContext(hre, args);
  if (ctx.chainId !== LOCAL_CHAIN_ID) {
    throw new UserError(
      `local tasks run on a local chain (31337) only; network ${ctx.networkName} is chain ${ctx.chainId}`,
    );
  }
  return ctx;
}

export const stablecoin = operatorTask(async (args: Args, hre) => {
  const ctx = await openLocal(hre, args);
  const { ethers } = ctx;
  let address: string;
  if (args.token.trim() !== "") {
    address = addressArg(ethers, args.token, "--token");
    if ((await ethers.provider.getCode(address)) === "0x")
      throw new UserError(`no contract code at ${address} (--token)`);
  } else {
    const decimals = args.decimals.trim() === "" ? 6 : Number(uint(args.decimals, "--decimals"));
    if (decimals > 36) throw new UserError(`--decimals ${decimals}: at most 36`);
    const name = args.name.trim() === "" ? "Test USD" : args.name.trim();
    const symbol = args.symbol.trim() === "" ? "tUSD" : args.symbol.trim();
    const token = await ethers.deployContract("MockPayoutToken", [name, symbol, decimals], ctx.signer);
    await token.waitForDeployment();
    address = await token.getAddress();
    console.log(`test stablecoin ${name} (${symbol}, ${decimals} decimals) deployed at ${address}`);
  }
  const token = await ethers.getContractAt("MockPayoutToken", address, ctx.signer);
  const info = await tokenInfo(ethers, address);
  const to = args.to.trim() === "" ? ctx.signer.address : addressArg(ethers, args.to, "--to");
  const amount = amountArg(info, args.amount.trim() === "" ? "1000000" : args.amount, "--amount");
  await mined(token.mint(to, amount), { what: "mint" });
  console.log(`minted ${formatWith(info, amount)} to ${to}; balance ${formatWith(info, await token.balanceOf(to))}`);
});

export const timeTravel = operatorTask(async (args: Args, hre) => {
  const seconds = args.seconds.trim();
  const to = args.to.trim();
  if ((seconds === "") === (to === ""))
    throw new UserError("give --seconds <n> or --to <unix timestamp> (one of them)");
  const ctx = await openLocal(hre, args);
  const { ethers } = ctx;
  const before = await now(ethers);
  if (seconds !== "") {
    const n = uint(seconds, "--seconds");
    if (n === 0n) throw new UserError("--seconds must be positive");
    // The next block exactly N seconds after the latest one (evm_increaseTime would add the wall-clock
    // time elapsed since that block too).
    await ethers.provider.send("evm_setNextBlockTimestamp", [Number(before + n)]);
  } else {
    const target = uint(to, "--to");
    if (target <= before) throw new UserError(`--to ${target} is not after the latest block's time ${before}`);
    await ethers.provider.send("evm_setNextBlockTimestamp", [Number(target)]);
  }
  await ethers.provider.send("evm_mine", []);
  const after = await now(ethers);
  const iso = (t: bigint) => new Date(Number(t) * 1000).toISOString();
  console.log(`chain time ${iso(before)} (${before}) -> ${iso(after)} (${after}), +${after - before} s`);
});
