/**
 * Signed statements that move money are ordered and single-use (issue 12: "Inspection verdicts are
 * not ordered"). Before the fix an `Inspection` carried no issue time and the first verdict
 * submitted for (milestone, inspector) was final: the payer could submit an early `passed=false`
 * after the inspector had signed `passed=true` (using the inspector up), or the provider an early
 * pass before the inspector's later fail reached the chain.
 *
 * Rule that now holds: a verdict carries `issuedAt` (after the order's acceptance, at most
 * MAX_VERDICT_SKEW seconds ahead of the block recording it). Only a verdict issued after the
 * inspector's verdict on record for the milestone counts, and it replaces it: a later fail withdraws
 * an unreleased pass (EvidenceWithdrawn), a later pass replaces a fail; an older verdict (or the same
 * one again) is refused (StaleInspection). A released milestone stays released (AlreadyReleased).
 * Bids are single-use (awarding makes the order Active) and a provider withdraws its older bids on an
 * order with `withdrawBids` (BidWithdrawn). Every path runs on the real suite (`world.ts`) and checks
 * exact balances.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { id } from "ethers";
import {
  Comparator,
  MAX_VERDICT_SKEW,
  OrderState,
  buildBid,
  buildInspection,
  signBid,
  signInspection,
} from "../../client/src/eip712/maintenance.js";
import { policy } from "../maintenance/fixture.js";
import { BOND, BUDGET, DAY, USDC, createOrder, deployWorld, type Signer, type World } from "./world.js";
import type { OrderArgs } from "../maintenance/fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function world() {
  return deployWorld(ethers);
}

/** An Active order inspected by carol (source 2) and bob (source 3), `k` of them needed. */
async function inspected(w: World, k: number, overrides: Partial<OrderArgs> = {}) {
  const { orderId, args } = await createOrder(w, w.alice, {
    deviceId: 0n,
    inspectors: [w.carol.address, w.bob.address],
    policy: policy({ useDevice: false, cmp: Comparator.None, k }),
    salt: id("verdicts-ordered"),
    ...overrides,
  });
  await w.escrow.connect(w.provider).accept(orderId);
  const acceptedAt = Number((await w.escrow.getOrder(orderId)).acceptedAt);
  return { orderId, args, acceptedAt };
}

/** `inspector` signs a verdict on `milestone` issued at `issuedAt`, valid for a day. */
async function verdict(w: World, orderId: string, inspector: Signer, passed: boolean, issuedAt: number, milestone = 0) {
  const deadline = BigInt((await time.latest()) + DAY);
  const ins = buildInspection(orderId, milestone, passed, inspector.address, BigInt(issuedAt), deadline);
  return { ins, sig: await signInspection(inspector, w.escrowDomain, ins) };
}

async function submit(w: World, orderId: string, v: Awaited<ReturnType<typeof verdict>>, by: Signer) {
  return w.evidence.connect(by).submitInspections(orderId, [v.ins], [v.sig]);
}

/** Both parties withdraw what they are owed; returns their USDC balances' change since `before`. */
async function settle(w: World, before: { payer: bigint; provider: bigint }) {
  const u = await w.usdc.getAddress();
  for (const p of [w.alice, w.provider]) {
    if ((await w.custody.claimable(p.address, w.assetId, u)) !== 0n) {
      await w.custody.connect(p).claim(w.assetId, u, p.address);
    }
  }
  return {
    payer: (await w.usdc.balanceOf(w.alice.address)) - before.payer,
    provider: (await w.usdc.balanceOf(w.provider.address)) - before.provider,
    vault: await w.usdc.balanceOf(await w.custody.vaultOf(w.assetId)),
  };
}

async function balances(w: World) {
  return {
    payer: await w.usdc.balanceOf(w.alice.address),
    provider: await w.usdc.balanceOf(w.provider.address),
  };
}

describe("Attack: replaying an inspector's older verdict against its newer one", function () {
  it("refuses the payer's old fail after the inspector's newer pass counted", async function () {
    const w = await loadFixture(world);
    const before = await balances(w);
    const { orderId, acceptedAt } = await inspected(w, 2);
    const oldFail = await verdict(w, orderId, w.carol, false, acceptedAt + 1);
    const newPass = await verdict(w, orderId, w.carol, true, acceptedAt + 2);
    await expect(submit(w, orderId, newPass, w.provider))
      .to.emit(w.evidence, "EvidenceAccepted")
      .withArgs(orderId, 0, 2, 1);
    await expect(submit(w, orderId, oldFail, w.alice))
      .to.be.revertedWithCustomError(w.escrow, "StaleInspection")
      .withArgs(w.carol.address, 0, acceptedAt + 1, acceptedAt + 2);
    const m = await w.evidence.getMilestone(orderId, 0);
    expect(m.passBits).to.equal(4);
    expect(m.votedBits).to.equal(4);
    await expect(submit(w, orderId, await verdict(w, orderId, w.bob, true, acceptedAt + 1), w.provider))
      .to.emit(w.escrow, "MilestoneReleased")
      .withArgs(orderId, 0, BUDGET);
    expect((await w.escrow.getOrder(orderId)).state).to.equal(OrderState.Completed);
    expect(await settle(w, before)).to.deep.equal({ payer: -BUDGET, provider: BUDGET, vault: 0n });
  });

  it("lets the inspector's newer pass replace the old fail the payer front-ran it with", async function () {
    const w = await loadFixture(world);
    const before = await balances(w);
    const { orderId, acceptedAt } = await inspected(w, 2);
    const oldFail = await verdict(w, orderId, w.carol, false, acceptedAt + 1);
    const newPass = await verdict(w, orderId, w.carol, true, acceptedAt + 2);
    await expect(submit(w, orderId, oldFail, w.alice))
      .to.emit(w.evidence, "InspectionFailed")
      .withArgs(orderId, 0, w.carol.address)
      .and.not.to.emit(w.evidence, "EvidenceWithdrawn");
    await expect(submit(w, orderId, newPass, w.provider))
      .to.emit(w.evidence, "EvidenceAccepted")
      .withArgs(orderId, 0, 2, 1);
    await expect(submit(w, orderId, oldFail, w.alice))
      .to.be.revertedWithCustomError(w.escrow, "StaleInspection")
      .withArgs(w.carol.address, 0, acceptedAt + 1, acceptedAt + 2);
    await submit(w, orderId, await verdict(w, orderId, w.bob, true, acceptedAt + 1), w.provider);
    expect((await w.escrow.getOrder(orderId)).state).to.equal(OrderState.Completed);
    expect(await settle(w, before)).to.deep.equal({ payer: -BUDGET, provider: BUDGET, vault: 0n });
  });

  it("refuses the provider's old pass after the inspector's newer fail: the order defaults", async function () {
    const w = await loadFixture(world);
    const before = await balances(w);
    const { orderId, args, acceptedAt } = await inspected(w, 2);
    const oldPass = await verdict(w, orderId, w.carol, true, acceptedAt + 1);
    const newFail = await verdict(w, orderId, w.carol, false, acceptedAt + 2);
    await expect(submit(w, orderId, newFail, w.alice))
      .to.emit(w.evidence, "InspectionFailed")
      .withArgs(orderId, 0, w.carol.address);
    await expect(submit(w, orderId, oldPass, w.provider))
      .to.be.revertedWithCustomError(w.escrow, "StaleInspection")
      .withArgs(w.carol.address, 0, acceptedAt + 1, acceptedAt + 2);
    await expect(submit(w, orderId, await verdict(w, orderId, w.bob, true, acceptedAt + 1), w.provider))
      .to.emit(w.evidence, "EvidenceAccepted")
      .withArgs(orderId, 0, 3, 1);
    await time.increaseTo(args.completeBy + 1);
    await expect(w.escrow.expire(orderId)).to.emit(w.escrow, "OrderDefaulted").withArgs(orderId, BUDGET, BOND);
    // The payer gets the budget back and the slashed bond; the provider loses its bond.
    expect(await settle(w, before)).to.deep.equal({ payer: BOND, provider: -BOND, vault: 0n });
  });

  it("a newer fail withdraws the inspector's unreleased pass; a still newer pass restores it", async function () {
    const w = await loadFixture(world);
    const before = await balances(w);
    const { orderId, acceptedAt } = await inspected(w, 2);
    await submit(w, orderId, await verdict(w, orderId, w.carol, true, acceptedAt + 1), w.provider);
    await expect(submit(w, orderId, await verdict(w, orderId, w.carol, false, acceptedAt + 2), w.alice))
      .to.emit(w.evidence, "InspectionFailed")
      .withArgs(orderId, 0, w.carol.address)
      .and.to.emit(w.evidence, "EvidenceWithdrawn")
      .withArgs(orderId, 0, 2, 0);
    let m = await w.evidence.getMilestone(orderId, 0);
    expect(m.passBits).to.equal(0);
    expect(m.votedBits).to.equal(4);
    // Bob's pass alone is 1 of 2: nothing is released.
    await expect(submit(w, orderId, await verdict(w, orderId, w.bob, true, acceptedAt + 1), w.provider))
      .to.emit(w.evidence, "EvidenceAccepted")
      .withArgs(orderId, 0, 3, 1)
      .and.not.to.emit(w.escrow, "MilestoneReleased");
    // Bob withdraws his pass while carol's fail stands: agreeing drops to 0.
    await expect(submit(w, orderId, await verdict(w, orderId, w.bob, false, acceptedAt + 3), w.alice))
      .to.emit(w.evidence, "EvidenceWithdrawn")
      .withArgs(orderId, 0, 3, 0);
    await submit(w, orderId, await verdict(w, orderId, w.bob, true, acceptedAt + 4), w.provider);
    await expect(submit(w, orderId, await verdict(w, orderId, w.carol, true, acceptedAt + 5), w.provider))
      .to.emit(w.evidence, "EvidenceAccepted")
      .withArgs(orderId, 0, 2, 2)
      .and.to.emit(w.escrow, "MilestoneReleased")
      .withArgs(orderId, 0, BUDGET);
    m = await w.evidence.getMilestone(orderId, 0);
    expect(m.passBits).to.equal(12);
    expect(m.released).to.equal(true);
    expect(await settle(w, before)).to.deep.equal({ payer: -BUDGET, provider: BUDGET, vault: 0n });
  });

  it("a withdrawn pass leaves the other inspectors' passes counted (k = 3 of 3)", async function () {
    const w = await loadFixture(world);
    const { orderId, acceptedAt } = await inspected(w, 3, {
      inspectors: [w.carol.address, w.bob.address, w.outsider.address],
    });
    await submit(w, orderId, await verdict(w, orderId, w.carol, true, acceptedAt + 1), w.provider);
    await submit(w, orderId, await verdict(w, orderId, w.bob, true, acceptedAt + 1), w.provider);
    await expect(submit(w, orderId, await verdict(w, orderId, w.carol, false, acceptedAt + 2), w.alice))
      .to.emit(w.evidence, "EvidenceWithdrawn")
      .withArgs(orderId, 0, 2, 1);
    await expect(submit(w, orderId, await verdict(w, orderId, w.outsider, true, acceptedAt + 1), w.provider))
      .to.emit(w.evidence, "EvidenceAccepted")
      .withArgs(orderId, 0, 4, 2)
      .and.not.to.emit(w.escrow, "MilestoneReleased");
    const m = await w.evidence.getMilestone(orderId, 0);
    expect(m.passBits).to.equal(8 + 16);
    expect(m.votedBits).to.equal(4 + 8 + 16);
    expect((await w.escrow.getOrder(orderId)).released).to.equal(0n);
  });

  it("keeps a released milestone released: a later fail is refused", async function () {
    const w = await loadFixture(world);
    const before = await balances(w);
    const { orderId, acceptedAt } = await inspected(w, 1, { milestoneBps: [4_000, 6_000] });
    await expect(submit(w, orderId, await verdict(w, orderId, w.carol, true, acceptedAt + 1), w.provider))
      .to.emit(w.escrow, "MilestoneReleased")
      .withArgs(orderId, 0, USDC(400));
    await expect(submit(w, orderId, await verdict(w, orderId, w.carol, false, acceptedAt + 2), w.alice))
      .to.be.revertedWithCustomError(w.escrow, "AlreadyReleased")
      .withArgs(orderId, 0);
    // Verdicts are ordered per milestone: carol's fail on milestone 1 is independent.
    await expect(submit(w, orderId, await verdict(w, orderId, w.carol, false, acceptedAt + 1, 1), w.alice))
      .to.emit(w.evidence, "InspectionFailed")
      .withArgs(orderId, 1, w.carol.address);
    expect((await w.escrow.getOrder(orderId)).released).to.equal(USDC(400));
    const u = await w.usdc.getAddress();
    expect(await w.custody.claimable(w.provider.address, w.assetId, u)).to.equal(USDC(400));
    await w.custody.connect(w.provider).claim(w.assetId, u, w.provider.address);
    expect((await balances(w)).provider - before.provider).to.equal(USDC(400) - BOND);
  });
});

describe("Attack: verdicts issued before acceptance or from the future", function () {
  it("refuses issuedAt at or before acceptance (t-1, t) and takes t+1", async function () {
    const w = await loadFixture(world);
    const { orderId, acceptedAt } = await inspected(w, 2);
    for (const at of [acceptedAt - 1, acceptedAt]) {
      await expect(submit(w, orderId, await verdict(w, orderId, w.carol, true, at), w.provider))
        .to.be.revertedWithCustomError(w.escrow, "InspectionBeforeAcceptance")
        .withArgs(at, acceptedAt);
    }
    expect((await w.evidence.getMilestone(orderId, 0)).votedBits).to.equal(0);
    await expect(submit(w, orderId, await verdict(w, orderId, w.carol, true, acceptedAt + 1), w.provider))
      .to.emit(w.evidence, "EvidenceAccepted")
      .withArgs(orderId, 0, 2, 1);
  });

  it("refuses a verdict signed for an order before it was accepted", async function () {
    const w = await loadFixture(world);
    const { orderId } = await createOrder(w, w.alice, {
      deviceId: 0n,
      inspectors: [w.carol.address],
      policy: policy({ useDevice: false, cmp: Comparator.None, k: 1 }),
    });
    const early = await verdict(w, orderId, w.carol, true, await time.latest());
    await expect(submit(w, orderId, early, w.provider))
      .to.be.revertedWithCustomError(w.escrow, "WrongState")
      .withArgs(orderId, OrderState.Open);
    await w.escrow.connect(w.provider).accept(orderId);
    const acceptedAt = Number((await w.escrow.getOrder(orderId)).acceptedAt);
    await expect(submit(w, orderId, early, w.provider))
      .to.be.revertedWithCustomError(w.escrow, "InspectionBeforeAcceptance")
      .withArgs(early.ins.issuedAt, acceptedAt);
  });

  it("takes issuedAt up to MAX_VERDICT_SKEW ahead of the block (t-1, t) and refuses t+1", async function () {
    const w = await loadFixture(world);
    expect(await w.evidence.MAX_VERDICT_SKEW()).to.equal(MAX_VERDICT_SKEW);
    const skew = Number(MAX_VERDICT_SKEW);
    const { orderId } = await inspected(w, 2, { milestoneBps: [5_000, 5_000] });
    const t1 = (await time.latest()) + 10;
    const tooLate = await verdict(w, orderId, w.carol, true, t1 + skew + 1);
    await time.setNextBlockTimestamp(t1);
    await expect(submit(w, orderId, tooLate, w.provider))
      .to.be.revertedWithCustomError(w.escrow, "InspectionFromFuture")
      .withArgs(t1 + skew + 1, t1 + skew);
    await time.setNextBlockTimestamp(t1);
    await expect(submit(w, orderId, await verdict(w, orderId, w.carol, true, t1 + skew), w.provider))
      .to.emit(w.evidence, "EvidenceAccepted")
      .withArgs(orderId, 0, 2, 1);
    const t2 = t1 + 5;
    await time.setNextBlockTimestamp(t2);
    await expect(submit(w, orderId, await verdict(w, orderId, w.bob, true, t2 + skew - 1), w.provider))
      .to.emit(w.escrow, "MilestoneReleased")
      .withArgs(orderId, 0, USDC(500));
    // Carol's future-dated pass is on record: her verdicts issued before it are older, hence refused.
    const t3 = t2 + 5;
    const older = await verdict(w, orderId, w.carol, false, t3, 1);
    await submit(w, orderId, await verdict(w, orderId, w.carol, true, t3 + 1, 1), w.provider);
    await expect(submit(w, orderId, older, w.alice))
      .to.be.revertedWithCustomError(w.escrow, "StaleInspection")
      .withArgs(w.carol.address, 1, t3, t3 + 1);
  });
});

describe("Attack: replaying a provider's older bid", function () {
  async function openOrder(w: World) {
    return createOrder(w, w.alice, { provider: ethers.ZeroAddress, salt: id("bids") });
  }
  async function bid(w: World, orderId: string, price: bigint, issuedAt: number) {
    const b = buildBid(orderId, w.provider.address, price, BOND, BigInt(issuedAt), BigInt((await time.latest()) + DAY));
    return { b, sig: await signBid(w.provider, w.bidDomain, b) };
  }

  it("refuses an older bid the provider withdrew (t-1) and awards its revised one (t) once", async function () {
    const w = await loadFixture(world);
    const before = await balances(w);
    const { orderId } = await openOrder(w);
    const t = (await time.latest()) + 1;
    const cheap = await bid(w, orderId, USDC(600), t - 1);
    const revised = await bid(w, orderId, USDC(900), t);
    // Someone else's floor does not touch the provider's bids.
    await expect(w.escrow.connect(w.outsider).withdrawBids(orderId, t + 100))
      .to.emit(w.escrow, "BidsWithdrawn")
      .withArgs(orderId, w.outsider.address, t + 100);
    await expect(w.escrow.connect(w.provider).withdrawBids(orderId, t))
      .to.emit(w.escrow, "BidsWithdrawn")
      .withArgs(orderId, w.provider.address, t);
    // The floor only rises.
    for (const at of [t, t - 1]) {
      await expect(w.escrow.connect(w.provider).withdrawBids(orderId, at)).to.be.revertedWithCustomError(
        w.escrow,
        "BadBid",
      );
    }
    await expect(w.escrow.connect(w.alice).awardBid(orderId, cheap.b, cheap.sig))
      .to.be.revertedWithCustomError(w.escrow, "BidWithdrawn")
      .withArgs(w.provider.address, t - 1, t);
    await expect(w.escrow.connect(w.alice).awardBid(orderId, revised.b, revised.sig))
      .to.emit(w.escrow, "OrderAccepted")
      .withArgs(orderId, w.provider.address, USDC(900), BOND, 0);
    // Single use: the awarded bid (or any other) cannot open the order again.
    await expect(w.escrow.connect(w.alice).awardBid(orderId, revised.b, revised.sig))
      .to.be.revertedWithCustomError(w.escrow, "WrongState")
      .withArgs(orderId, OrderState.Active);
    expect(await settle(w, before)).to.deep.equal({ payer: -USDC(900), provider: -BOND, vault: USDC(900) + BOND });
  });

  it("does not carry a bid over to the order's re-issue", async function () {
    const w = await loadFixture(world);
    const { orderId, args } = await openOrder(w);
    const b = await bid(w, orderId, USDC(900), await time.latest());
    await w.escrow.connect(w.alice).cancel(orderId);
    const { timestamp } = (await ethers.provider.getBlock("latest"))!;
    const newId = await w.escrow
      .connect(w.alice)
      .reissue.staticCall(orderId, ethers.ZeroAddress, timestamp + DAY, timestamp + 7 * DAY);
    await w.escrow.connect(w.alice).reissue(orderId, ethers.ZeroAddress, timestamp + DAY, timestamp + 7 * DAY);
    await expect(w.escrow.connect(w.alice).awardBid(orderId, b.b, b.sig))
      .to.be.revertedWithCustomError(w.escrow, "WrongState")
      .withArgs(orderId, OrderState.Cancelled);
    await expect(w.escrow.connect(w.alice).awardBid(newId, b.b, b.sig)).to.be.revertedWithCustomError(
      w.escrow,
      "BadBid",
    );
    expect(args.budget).to.equal(BUDGET);
  });
});
