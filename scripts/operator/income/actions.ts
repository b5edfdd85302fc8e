/**
 * `npx hardhat income <action>`: the IncomeDistributor for payers, holders and asset agents
 * (scripts/operator/tasks.ts lists the options). Reuses scripts/operator/income/income.ts; amounts are read and
 * printed in token units (scripts/lib/units.ts).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { ZeroAddress } from "ethers";
import type { IncomeDistributor } from "../../../types/ethers-contracts/index.js";
import { mined } from "../../lib/cli.js";
import { formatAmount, formatWith, tokenInfo } from "../../lib/units.js";
import * as income from "./income.js";
import { addressArg, amountArg, openContext, operatorTask, uint, UserError, type CommonArgs } from "../kernel.js";

interface Args extends CommonArgs {
  distributor: string;
  asset: string;
  token: string;
  amount: string;
  to: string;
  bps: string;
  account: string;
}

async function open(hre: HardhatRuntimeEnvironment, args: Args, readOnly = false) {
  const ctx = await openContext(hre, args, { readOnly });
  const distributor = await ctx.address("IncomeDistributor", args.distributor, "--distributor");
  return { ctx, distributor, ethers: ctx.ethers };
}

async function tokenAndAmount(ctx: Awaited<ReturnType<typeof open>>, args: Args) {
  const token = addressArg(ctx.ethers, args.token, "--token", true);
  if (token !== ZeroAddress && (await ctx.ethers.provider.getCode(token)) === "0x") {
    throw new UserError(`no contract code at ${token} (--token) (an EOA or wrong network?)`);
  }
  const info = await tokenInfo(ctx.ethers, token);
  const amount = amountArg(info, args.amount, "--amount");
  if (amount <= 0n) throw new UserError("--amount must be positive");
  return { token, info, amount };
}

export const deposit = operatorTask(async (args: Args, hre) => {
  const o = await open(hre, args);
  const assetId = uint(args.asset, "--asset");
  const { token, info, amount } = await tokenAndAmount(o, args);
  const r = await income.depositIncome(o.ethers, o.ctx.signer, { distributor: o.distributor, assetId, token, amount });
  console.log(`deposited ${formatWith(info, r.received)} for asset ${assetId}:`);
  console.log(
    `  to holders ${formatWith(info, r.toHolders)}, reserve ${formatWith(info, r.reserve)}, fee ${formatWith(info, r.fee)}`,
  );
});

export const claim = operatorTask(async (args: Args, hre) => {
  const o = await open(hre, args);
  const assetId = uint(args.asset, "--asset");
  const token = addressArg(o.ethers, args.token, "--token", true);
  const to = args.to.trim() === "" ? o.ctx.signer.address : addressArg(o.ethers, args.to, "--to");
  const r = await income.claimIncome(o.ethers, o.ctx.signer, { distributor: o.distributor, assetId, token, to });
  console.log(`claimed ${await formatAmount(o.ethers, token, r.amount)} of asset ${assetId} income, paid to ${to}`);
});

export const registerToken = operatorTask(async (args: Args, hre) => {
  const o = await open(hre, args);
  const assetId = uint(args.asset, "--asset");
  const token = addressArg(o.ethers, args.token, "--token", true);
  const d = (await o.ethers.getContractAt(
    "IncomeDistributor",
    o.distributor,
    o.ctx.signer,
  )) as unknown as IncomeDistributor;
  if (token !== ZeroAddress && !(await d.isPayoutToken(token))) {
    throw new UserError(`token ${token} is not an accepted payout token (governance allowlist)`);
  }
  const info = await tokenInfo(o.ethers, token);
  const registered = (await d.payoutTokensOf(assetId)).map((t) => t.toLowerCase());
  if (registered.includes(token.toLowerCase())) {
    console.log(`asset ${assetId} already takes income in ${info.symbol}: nothing sent`);
    return;
  }
  await mined(d.registerPayoutToken(assetId, token), { what: "registerPayoutToken", interfaces: [d.interface] });
  console.log(
    `asset ${assetId} now takes income in ${info.symbol} (${token}); payout tokens: ${registered.length + 1}`,
  );
});

export const reserveRate = operatorTask(async (args: Args, hre) => {
  const o = await open(hre, args);
  const assetId = uint(args.asset, "--asset");
  const bps = uint(args.bps, "--bps");
  const d = (await o.ethers.getContractAt(
    "IncomeDistributor",
    o.distributor,
    o.ctx.signer,
  )) as unknown as IncomeDistributor;
  const cap = await d.maxReserveBps();
  if (bps > cap) throw new UserError(`--bps ${bps} is above the distributor's reserve cap of ${cap} bps`);
  const before = await d.reserveRateOf(assetId);
  await mined(d.setReserveRate(assetId, bps), { what: "setReserveRate", interfaces: [d.interface] });
  console.log(`asset ${assetId} reserve rate: ${before} -> ${bps} bps`);
});

export const buyout = operatorTask(async (args: Args, hre) => {
  const o = await open(hre, args);
  const assetId = uint(args.asset, "--asset");
  const { token, info, amount } = await tokenAndAmount(o, args);
  const r = await income.retireByBuyout(o.ethers, o.ctx.signer, { distributor: o.distributor, assetId, token, amount });
  console.log(
    `asset ${assetId} retired by buyout: proceeds ${formatWith(info, r.proceeds)} for ${r.supplyAtRetire} share base units`,
  );
});

export const redeem = operatorTask(async (args: Args, hre) => {
  const o = await open(hre, args);
  const assetId = uint(args.asset, "--asset");
  const to = args.to.trim() === "" ? o.ctx.signer.address : addressArg(o.ethers, args.to, "--to");
  const d = await o.ethers.getContractAt("IncomeDistributor", o.distributor);
  const token = (await d.buyoutOf(assetId)).token;
  const r = await income.redeemShares(o.ethers, o.ctx.signer, { distributor: o.distributor, assetId, to });
  console.log(
    `redeemed ${r.shares} share base units of asset ${assetId}: ${await formatAmount(o.ethers, token, r.proceeds)} paid to ${to}`,
  );
});

export const status = operatorTask(async (args: Args, hre) => {
  const o = await open(hre, args, true);
  const assetId = uint(args.asset, "--asset");
  const account = args.account.trim() === "" ? o.ctx.signer.address : addressArg(o.ethers, args.account, "--account");
  const s = await income.incomeStatus(o.ethers, { distributor: o.distributor, assetId, account });
  const d = await o.ethers.getContractAt("IncomeDistributor", o.distributor);
  console.log(`asset ${assetId} income (reserve rate ${await d.reserveRateOf(assetId)} bps), holder ${account}`);
  if (s.tokens.length === 0) console.log("  no income yet");
  for (const t of s.tokens) {
    const f = async (n: bigint) => formatAmount(o.ethers, t.token, n);
    console.log(`  ${(await tokenInfo(o.ethers, t.token)).symbol}:`);
    console.log(`    claimable ${await f(t.claimable)}, withdrawn ${await f(t.withdrawn)}`);
    console.log(
      `    distributed ${await f(t.distributed)}, claimed ${await f(t.claimed)}, reserve ${await f(t.reserve)}, fees ${await f(t.fees)}`,
    );
  }
  if (s.buyout !== null) {
    console.log(
      `  bought out: proceeds ${await formatAmount(o.ethers, s.buyout.token, s.buyout.proceeds)}, unredeemed ${await formatAmount(o.ethers, s.buyout.token, s.buyout.remaining)}`,
    );
  }
});
