/**
 * Shared deployment for the income tests: a mock asset registry, the IncomeDistributor, a mock
 * share token for asset 1 (agent-controlled mint/burn/forced transfer/recovery, hooks called
 * before every balance change) and payout tokens (18 and 6 decimals, plus hostile ones).
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { AddressLike } from "ethers";

export const ASSET = 1n;
export const OTHER_ASSET = 2n;
export const ETH = "0x0000000000000000000000000000000000000000";
export const MAG = 2n ** 128n;
export const FEE_BPS = 100n; // 1 % protocol fee
export const RESERVE_CAP_BPS = 2_000n; // agents may reserve up to 20 %
export const RESERVE_BPS = 1_000n; // asset 1 reserves 10 %
export const Status = { None: 0, Active: 1, Frozen: 2, Retired: 3 } as const;
export const e18 = (n: bigint | number) => BigInt(n) * 10n ** 18n;
export const e6 = (n: bigint | number) => BigInt(n) * 10n ** 6n;

export async function deployIncome(ethers: HardhatEthers, options: { nameCustodians?: boolean } = {}) {
  const [deployer, governance, feeRecipient, agent, spender, alice, bob, carol, dave, outsider] =
    await ethers.getSigners();
  const registry = await ethers.deployContract("MockAssetRegistry", [governance.address]);
  const distributor = await ethers.deployContract("IncomeDistributor", [
    await registry.getAddress(),
    governance.address,
    feeRecipient.address,
    FEE_BPS,
    RESERVE_CAP_BPS,
  ]);
  const shares = await ethers.deployContract("MockAssetShares", [
    await registry.getAddress(),
    await distributor.getAddress(),
    ASSET,
  ]);
  await registry.connect(governance).setAsset(ASSET, agent.address, Status.Active, await shares.getAddress());
  await registry.connect(governance).grantRole(await registry.BUYOUT_ROLE(), await distributor.getAddress());
  await distributor.connect(governance).grantRole(await distributor.RESERVE_SPENDER_ROLE(), spender.address);
  // Income alone: the vaults trust the distributor only (unless the caller names its custodies itself).
  if (options.nameCustodians !== false) {
    await distributor.connect(governance).setCustodians(ethers.ZeroAddress, ethers.ZeroAddress);
  }
  await distributor.connect(agent).setReserveRate(ASSET, RESERVE_BPS);

  const dai = await ethers.deployContract("MockPayoutToken", ["Dai", "DAI", 18]);
  const usdc = await ethers.deployContract("MockPayoutToken", ["USD Coin", "USDC", 6]);
  for (const t of [dai, usdc]) {
    await distributor.connect(governance).setPayoutToken(await t.getAddress(), true);
    for (const s of [deployer, agent, alice, bob, carol, outsider]) {
      await t.mint(s.address, e18(1_000_000_000));
      await t.connect(s).approve(await distributor.getAddress(), ethers.MaxUint256);
    }
  }
  // The agent registers the asset's payout tokens (third parties may only deposit in those).
  for (const t of [await dai.getAddress(), await usdc.getAddress(), ETH]) {
    await distributor.connect(agent).registerPayoutToken(ASSET, t);
  }
  // 60 / 40 split of 100 shares.
  await shares.connect(agent).mint(alice.address, e18(60));
  await shares.connect(agent).mint(bob.address, e18(40));

  return {
    registry,
    distributor,
    shares,
    dai,
    usdc,
    deployer,
    governance,
    feeRecipient,
    agent,
    spender,
    alice,
    bob,
    carol,
    dave,
    outsider,
  };
}

/**
 * Exact (rational) entitlement check: `actual` is never above `num / den`, and below it by at most
 * `tolerance` wei (the contract rounds each entitlement down once, and the per-share figure down).
 */
export function isFloorOf(actual: bigint, exactNumerator: bigint, exactDenominator: bigint, tolerance = 1n) {
  const scaled = actual * exactDenominator;
  return scaled <= exactNumerator && exactNumerator - scaled <= tolerance * exactDenominator;
}

/** The split of `amount` at the given rates, rounded like the contract: the first deposit of an asset and token. */
export function split(amount: bigint, reserveBps = RESERVE_BPS, feeBps = FEE_BPS) {
  return carriedSplit().next(amount, reserveBps, feeBps);
}

/**
 * The splits of successive deposits of one asset and token, as the contract makes them: the reserve and the fee
 * are whole units of their running totals, each carrying what is below one unit (in 1/10,000 of a unit) into the
 * next deposit; the fee takes at most what the reserve leaves.
 */
export function carriedSplit() {
  let reserveCarried = 0n;
  let feeCarried = 0n;
  return {
    next(amount: bigint, reserveBps = RESERVE_BPS, feeBps = FEE_BPS) {
      const reserveScaled = amount * reserveBps + reserveCarried;
      const reserve = reserveScaled / 10_000n;
      reserveCarried = reserveScaled % 10_000n;
      const feeScaled = amount * feeBps + feeCarried;
      const fee = feeScaled / 10_000n < amount - reserve ? feeScaled / 10_000n : amount - reserve;
      feeCarried = feeScaled - fee * 10_000n;
      return { reserve, fee, toHolders: amount - reserve - fee };
    },
    get carried() {
      return { reserve: reserveCarried, fee: feeCarried };
    },
  };
}

export type Signer = HardhatEthersSigner;

interface Custodian {
  getAddress(): Promise<string>;
  vaultOf(assetId: bigint): Promise<string>;
}

/** Balance of `account` in `token` (address(0) = ETH). */
export async function balanceIn(ethers: HardhatEthers, token: string, account: AddressLike): Promise<bigint> {
  const who = await ethers.resolveAddress(account);
  if (token === ETH) return ethers.provider.getBalance(who);
  const erc20 = await ethers.getContractAt("MockPayoutToken", token); // any ERC-20's balanceOf
  return erc20.balanceOf(who);
}

/** What `assetId`'s income vault holds in `token` (address(0) = ETH). */
export async function vaultBalance(ethers: HardhatEthers, distributor: Custodian, token: string, assetId = ASSET) {
  return balanceIn(ethers, token, await distributor.vaultOf(assetId));
}

/**
 * Custody check: `assetId`'s vault holds exactly `amount` of `token` and the distributor itself
 * holds none (every pull goes to, and every payout leaves from, the asset's vault).
 */
export async function expectHeld(
  ethers: HardhatEthers,
  distributor: Custodian,
  token: string,
  amount: bigint,
  assetId = ASSET,
) {
  expect(await vaultBalance(ethers, distributor, token, assetId)).to.equal(amount, "the asset's vault");
  expect(await balanceIn(ethers, token, await distributor.getAddress())).to.equal(0n, "the distributor itself");
}
