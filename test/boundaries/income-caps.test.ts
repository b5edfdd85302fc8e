/**
 * Issue 12, class "comparisons at caps never tested on both sides": the cap comparisons of
 * contracts/income/IncomeDistributor.sol, where the existing tests only tried limit+1. Each is run at
 * limit-1 / limit / limit+1: the protocol fee cap, the reserve-cap ceiling, an asset's reserve rate
 * under the governance cap, the reserve withdrawal against the reserve held, and the reserve split
 * taking min(asset rate, cap). Runs on the real suite (test/attacks/world.ts).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { RESERVE_BPS, USDC, deployWorld } from "../attacks/world.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

const MAX_FEE = 1_000n; // MAX_FEE_BPS, contracts/common/Constants.sol
const MAX_RESERVE_CAP = 5_000n; // MAX_RESERVE_CAP_BPS, contracts/common/Constants.sol
const BPS = 10_000n;

async function world() {
  return deployWorld(ethers);
}

describe("boundaries: IncomeDistributor caps, both sides", function () {
  it("setProtocolFee: cap-1 and cap accepted, cap+1 refused", async function () {
    const w = await loadFixture(world);
    const d = w.distributor.connect(w.gov);
    for (const bps of [MAX_FEE - 1n, MAX_FEE]) {
      await d.setProtocolFee(bps);
      expect(await w.distributor.protocolFeeBps()).to.equal(bps);
    }
    await expect(d.setProtocolFee(MAX_FEE + 1n))
      .to.be.revertedWithCustomError(w.distributor, "FeeAboveCap")
      .withArgs(MAX_FEE + 1n, MAX_FEE);
  });

  it("setMaxReserve: ceiling-1 and ceiling accepted, ceiling+1 refused", async function () {
    const w = await loadFixture(world);
    const d = w.distributor.connect(w.gov);
    for (const bps of [MAX_RESERVE_CAP - 1n, MAX_RESERVE_CAP]) {
      await d.setMaxReserve(bps);
      expect(await w.distributor.maxReserveBps()).to.equal(bps);
    }
    await expect(d.setMaxReserve(MAX_RESERVE_CAP + 1n))
      .to.be.revertedWithCustomError(w.distributor, "ReserveCapAboveCeiling")
      .withArgs(MAX_RESERVE_CAP + 1n, MAX_RESERVE_CAP);
  });

  it("setReserveRate: cap-1 and cap accepted, cap+1 refused", async function () {
    const w = await loadFixture(world);
    const d = w.distributor.connect(w.agent);
    const cap = await w.distributor.maxReserveBps();
    for (const bps of [cap - 1n, cap]) {
      await d.setReserveRate(w.assetId, bps);
      expect(await w.distributor.reserveRateOf(w.assetId)).to.equal(bps);
    }
    await expect(d.setReserveRate(w.assetId, cap + 1n))
      .to.be.revertedWithCustomError(w.distributor, "ReserveAboveCap")
      .withArgs(cap + 1n, cap);
  });

  it("withdrawReserve: reserve+1 refused; reserve-1 then the last unit accepted; then 1 more refused", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    await w.distributor.connect(w.gov).grantRole(await w.distributor.RESERVE_SPENDER_ROLE(), w.carol.address);
    const d = w.distributor.connect(w.carol);
    const amount = USDC(1_000);
    await w.distributor.connect(w.bob).deposit(w.assetId, u, amount);
    const reserve = (amount * RESERVE_BPS) / BPS; // the asset's rate (10 %) is under the cap (20 %)
    expect(await w.distributor.reserveOf(w.assetId, u)).to.equal(reserve);
    const to = ethers.Wallet.createRandom().address;
    await expect(d.withdrawReserve(w.assetId, u, reserve + 1n, to))
      .to.be.revertedWithCustomError(w.distributor, "InsufficientReserve")
      .withArgs(w.assetId, u, reserve + 1n, reserve);
    await d.withdrawReserve(w.assetId, u, reserve - 1n, to);
    await expect(d.withdrawReserve(w.assetId, u, 1n, to))
      .to.emit(w.distributor, "ReserveWithdrawn")
      .withArgs(w.assetId, u, w.carol.address, to, 1n);
    expect(await w.usdc.balanceOf(to)).to.equal(reserve);
    await expect(d.withdrawReserve(w.assetId, u, 1n, to))
      .to.be.revertedWithCustomError(w.distributor, "InsufficientReserve")
      .withArgs(w.assetId, u, 1n, 0n);
  });

  it("the reserve split takes min(asset rate, cap): rate below, at and above a lowered cap", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    const amount = USDC(10_000);
    const fee = (amount * (await w.distributor.protocolFeeBps())) / BPS;
    // Asset rate 10 %. Caps 11 % (rate below), 10 % (equal), 9 % (rate above: the cap applies).
    for (const [cap, applied] of [
      [RESERVE_BPS + 100n, RESERVE_BPS],
      [RESERVE_BPS, RESERVE_BPS],
      [RESERVE_BPS - 100n, RESERVE_BPS - 100n],
    ]) {
      await w.distributor.connect(w.gov).setMaxReserve(cap);
      const reserve = (amount * applied) / BPS;
      await expect(w.distributor.connect(w.bob).deposit(w.assetId, u, amount))
        .to.emit(w.distributor, "IncomeDeposited")
        .withArgs(w.assetId, u, w.bob.address, amount, amount, reserve, fee, amount - reserve - fee);
    }
  });
});
