/**
 * Issue 12: the MaintenanceEscrow events no other test asserted with exact arguments
 * (MilestoneClaimed, ClaimChallenged, ReserveCredited), each pinned with `.withArgs(...)`, plus the
 * clearing of a claim's status that nothing observed. Deadlines and dispute ids are computed here
 * from the block times, the policy and the claim round, never read back from the event under test.
 * Runs on the maintenance fixture (the escrow and its library over test doubles).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Comparator, OrderState, Ruling } from "../../client/src/eip712/maintenance.js";
import { ASSET, BUDGET, DAY, deployMaintenance, orderArgs, policy, type OrderArgs } from "../maintenance/fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

/** IMaintenanceEscrow.ClaimStatus */
const Claim = { None: 0, Pending: 1, Disputed: 2 } as const;

async function base() {
  return deployMaintenance(ethers);
}
type F = Awaited<ReturnType<typeof base>>;

async function create(f: F, overrides: Partial<OrderArgs>, from = f.payer) {
  const args = orderArgs(await time.latest(), await f.token.getAddress(), f.provider.address, overrides);
  const id = await f.escrow.connect(from).createOrder.staticCall(args);
  await f.escrow.connect(from).createOrder(args);
  return { id, args };
}

/** An accepted order with only the optimistic source: 1-day challenge window, 3-day dispute timeout. */
async function optimistic(f: F) {
  const pol = policy({
    useDevice: false,
    cmp: Comparator.None,
    optimistic: true,
    arbiter: f.arbiter.address,
    challengeWindow: DAY,
    disputeTimeout: 3 * DAY,
    defaultRuling: Ruling.Payer,
  });
  const o = await create(f, { deviceId: 0n, policy: pol });
  await f.escrow.connect(f.provider).accept(o.id);
  return o;
}

/**
 * The dispute id on the dispute module: keccak256(abi.encode(evidence, key)) (MaintenanceEvidence opens it), key =
 * keccak256(abi.encode(orderId, milestone, round)).
 */
function disputeIdOf(escrow: string, orderId: string, milestone: number, round: number): bigint {
  const coder = ethers.AbiCoder.defaultAbiCoder();
  const key = ethers.keccak256(coder.encode(["bytes32", "uint8", "uint16"], [orderId, milestone, round]));
  return BigInt(ethers.keccak256(coder.encode(["address", "bytes32"], [escrow, key])));
}

describe("events: MaintenanceOrders, MaintenanceEvidence, MaintenanceCustody (issue 12, exact arguments)", function () {
  it("MilestoneClaimed(orderId, milestone, now + challengeWindow), then ClaimChallenged(orderId, milestone, disputeId, arbiter, now + disputeTimeout)", async function () {
    const f = await loadFixture(base);
    const maintenance = f.evidence;
    const { id } = await optimistic(f);
    const t1 = (await time.latest()) + 10;
    await time.setNextBlockTimestamp(t1);
    await expect(maintenance.connect(f.provider).claimMilestone(id, 0))
      .to.emit(maintenance, "MilestoneClaimed")
      .withArgs(id, 0, t1 + DAY);
    const t2 = t1 + 600;
    await time.setNextBlockTimestamp(t2);
    await expect(maintenance.connect(f.payer).challenge(id, 0))
      .to.emit(maintenance, "ClaimChallenged")
      .withArgs(id, 0, disputeIdOf(await maintenance.getAddress(), id, 0, 1), f.arbiter.address, t2 + 3 * DAY);

    // The payer's ruling rejects the claim: the provider claims again (round 2), a new dispute id.
    await f.disputes.connect(f.arbiter).rule(disputeIdOf(await maintenance.getAddress(), id, 0, 1), Ruling.Payer);
    const t3 = t2 + 600;
    await time.setNextBlockTimestamp(t3);
    await expect(maintenance.connect(f.provider).claimMilestone(id, 0))
      .to.emit(maintenance, "MilestoneClaimed")
      .withArgs(id, 0, t3 + DAY);
    const t4 = t3 + 1;
    await time.setNextBlockTimestamp(t4);
    await expect(maintenance.connect(f.payer).challenge(id, 0))
      .to.emit(maintenance, "ClaimChallenged")
      .withArgs(id, 0, disputeIdOf(await maintenance.getAddress(), id, 0, 2), f.arbiter.address, t4 + 3 * DAY);
  });

  it("a rejected or finalized claim is cleared: status None, no claimEnds, no pending claim blocking expiry", async function () {
    const f = await loadFixture(base);
    const maintenance = f.escrow;
    const { id, args } = await optimistic(f);
    await f.evidence.connect(f.provider).claimMilestone(id, 0);
    await f.evidence.connect(f.payer).challenge(id, 0);
    expect((await f.evidence.getMilestone(id, 0)).claim).to.equal(Claim.Disputed);
    await f.disputes.connect(f.arbiter).rule(disputeIdOf(await f.evidence.getAddress(), id, 0, 1), Ruling.Payer);
    const m = await f.evidence.getMilestone(id, 0);
    expect([m.claim, m.claimEnds, m.released]).to.deep.equal([BigInt(Claim.None), 0n, false]);
    expect((await f.evidence.getProgress(id)).pendingClaims).to.equal(0n);
    // The cleared claim no longer holds the order open: after completeBy it defaults.
    await time.increaseTo(args.completeBy + 1);
    await maintenance.expire(id);
    expect((await maintenance.getOrder(id)).state).to.equal(OrderState.Defaulted);

    // A claim finalized unchallenged is cleared the same way (and counts: the milestone is released).
    const g = await loadFixture(base);
    const o = await optimistic(g);
    await g.evidence.connect(g.provider).claimMilestone(o.id, 0);
    await time.increase(DAY);
    await g.evidence.finalizeClaim(o.id, 0);
    const n = await g.evidence.getMilestone(o.id, 0);
    expect([n.claim, n.claimEnds, n.released]).to.deep.equal([BigInt(Claim.None), 0n, true]);
    expect((await g.evidence.getProgress(o.id)).pendingClaims).to.equal(0n);
  });

  it("ReserveCredited(assetId, token, amount) when a reserve-funded order is cancelled or expires", async function () {
    const f = await loadFixture(base);
    const maintenance = f.escrow;
    const t = await f.token.getAddress();
    const a = await create(f, { fromReserve: true }, f.agent);
    await expect(maintenance.connect(f.agent).cancel(a.id))
      .to.emit(f.custody, "ReserveCredited")
      .withArgs(ASSET, t, BUDGET)
      .and.to.emit(maintenance, "OrderCancelled")
      .withArgs(a.id, BUDGET);
    expect(await f.custody.reserveCredit(ASSET, t)).to.equal(BUDGET);

    // A second one is funded from that credit first, then expires: the credit comes back in full.
    const b = await create(f, { fromReserve: true, salt: ethers.id("second") }, f.agent);
    expect(await f.custody.reserveCredit(ASSET, t)).to.equal(0n);
    await time.increaseTo(b.args.acceptBy + 1);
    await expect(maintenance.expire(b.id)).to.emit(f.custody, "ReserveCredited").withArgs(ASSET, t, BUDGET);
    expect(await f.custody.reserveCredit(ASSET, t)).to.equal(BUDGET);
  });
});
