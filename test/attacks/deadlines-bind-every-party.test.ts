/**
 * Every deadline binds every party, arbiters included (issue 12, class list). Before the fix the
 * maintenance escrow's arbiter could `rule` on a dispute after its deadline, as long as nobody had
 * called `resolveByTimeout` yet: a late ruling could overturn the default ruling the parties were
 * already entitled to. Now, from `claimEnds` on, a live dispute is decided only by the default ruling
 * (`resolveByTimeout`); the arbiter's `rule` reverts `DeadlinePassed(claimEnds)`. A dispute made
 * moot (its milestone released by other evidence) moves no money and can still be closed.
 * Runs on the real suite (`world.ts`) with exact balances.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { id } from "ethers";
import { Comparator, OrderState, Ruling } from "../../client/src/eip712/maintenance.js";
import { policy } from "../maintenance/fixture.js";
import { BOND, BUDGET, DAY, createOrder, deployWorld, type World } from "./world.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function world() {
  return deployWorld(ethers);
}

/** An accepted optimistic order whose claim the payer challenged; default ruling: the payer. */
async function disputed(w: World, salt: string) {
  const { orderId } = await createOrder(w, w.alice, {
    salt: id(salt),
    deviceId: 0n,
    policy: policy({
      useDevice: false,
      cmp: Comparator.None,
      optimistic: true,
      arbiter: w.arbiter.address,
      challengeWindow: DAY,
      disputeTimeout: DAY,
      defaultRuling: Ruling.Payer,
    }),
  });
  await w.escrow.connect(w.provider).accept(orderId);
  await w.evidence.connect(w.provider).claimMilestone(orderId, 0);
  const disputeId = await w.evidence.connect(w.alice).challenge.staticCall(orderId, 0);
  await w.evidence.connect(w.alice).challenge(orderId, 0);
  const ends = Number((await w.evidence.getMilestone(orderId, 0)).claimEnds);
  return { orderId, disputeId, ends };
}

describe("Attack class deadlines bind every party: the arbiter cannot rule after the dispute deadline", function () {
  it("rules at claimEnds-1; refused at claimEnds and claimEnds+1, where only the default ruling applies", async function () {
    const w = await loadFixture(world);
    const a = await disputed(w, "a");
    const b = await disputed(w, "b");
    const c = await disputed(w, "c");
    // Each dispute's own deadline: a.ends < b.ends < c.ends (challenged a few seconds apart).
    await time.setNextBlockTimestamp(a.ends - 1);
    await expect(w.disputes.resolveByTimeout(a.disputeId))
      .to.be.revertedWithCustomError(w.disputes, "DeadlineNotPassed")
      .withArgs(a.ends);
    await expect(w.disputes.connect(w.arbiter).rule(a.disputeId, Ruling.Provider))
      .to.emit(w.disputes, "DisputeResolved")
      .withArgs(a.disputeId, Ruling.Provider, false)
      .and.to.emit(w.escrow, "OrderCompleted")
      .withArgs(a.orderId, BOND);

    await time.setNextBlockTimestamp(b.ends);
    await expect(w.disputes.connect(w.arbiter).rule(b.disputeId, Ruling.Provider))
      .to.be.revertedWithCustomError(w.disputes, "DeadlinePassed")
      .withArgs(b.ends);
    expect((await w.disputes.getDispute(b.disputeId)).resolved).to.equal(false);
    await expect(w.disputes.connect(w.outsider).resolveByTimeout(b.disputeId))
      .to.emit(w.disputes, "DisputeResolved")
      .withArgs(b.disputeId, Ruling.Payer, true);

    await time.setNextBlockTimestamp(c.ends + 1);
    await expect(w.disputes.connect(w.arbiter).rule(c.disputeId, Ruling.Provider))
      .to.be.revertedWithCustomError(w.disputes, "DeadlinePassed")
      .withArgs(c.ends);
    await expect(w.disputes.connect(w.outsider).resolveByTimeout(c.disputeId))
      .to.emit(w.disputes, "DisputeResolved")
      .withArgs(c.disputeId, Ruling.Payer, true);

    // The default ruling rejected b's and c's claims: nothing released; a is paid in full.
    const u = await w.usdc.getAddress();
    for (const o of [b, c]) {
      const m = await w.evidence.getMilestone(o.orderId, 0);
      expect(m.released).to.equal(false);
      expect(m.claim).to.equal(0n);
      expect((await w.escrow.getOrder(o.orderId)).state).to.equal(OrderState.Active);
    }
    expect(await w.custody.claimable(w.provider.address, w.assetId, u)).to.equal(BUDGET + BOND);
    expect(await w.custody.claimable(w.alice.address, w.assetId, u)).to.equal(0n);
  });

  it("a late ruling cannot overturn the default the payer is owed: the order defaults with the bond slashed", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    const { orderId, disputeId, ends } = await disputed(w, "late");
    await time.increaseTo(ends + DAY);
    await expect(w.disputes.connect(w.arbiter).rule(disputeId, Ruling.Provider))
      .to.be.revertedWithCustomError(w.disputes, "DeadlinePassed")
      .withArgs(ends);
    await w.disputes.resolveByTimeout(disputeId);
    const { completeBy } = await w.escrow.getOrder(orderId);
    await time.increaseTo(Number(completeBy) + 1);
    await expect(w.escrow.expire(orderId)).to.emit(w.escrow, "OrderDefaulted").withArgs(orderId, BUDGET, BOND);
    expect(await w.custody.claimable(w.alice.address, w.assetId, u)).to.equal(BUDGET + BOND);
    expect(await w.custody.claimable(w.provider.address, w.assetId, u)).to.equal(0n);
  });
});
