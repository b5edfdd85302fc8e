/**
 * Issue 12, class "comparisons at deadlines and caps never tested on both sides": the deadline, window
 * and amount comparisons of contracts/maintenance/*.sol that no existing test pins at both sides,
 * each run at limit-1 / limit / limit+1 (or the sides that differ) from the same state (a snapshot
 * restored between the sides), with the exact claimable balances wherever money moves. Runs on the
 * maintenance fixture (test doubles of the registries and the distributor).
 *
 * Pinned on both sides elsewhere, so not repeated here:
 * - accept `now > acceptBy` and expire(Open) `now <= acceptBy`: test/attacks/evidence-rules-frozen.test.ts
 *   ("acceptance: accepted at acceptBy-1 and acceptBy, refused at acceptBy+1, then expirable").
 * - evidence `now > completeBy` and expire(Active) `now <= completeBy`: same file ("evidence: counted at
 *   completeBy-1 and completeBy, refused at completeBy+1, then the order defaults").
 * - reading `timestamp > completeBy`: test/maintenance/Maintenance.test.ts ("refuses a reading
 *   signed after complete-by").
 * - rule `now >= ends` and resolveByTimeout `now < ends`: test/attacks/deadlines-bind-every-party.test.ts.
 * - rule `ruling > RULING_PAYER` (3 refused; 1 and 2 ruled): test/maintenance/Maintenance.test.ts.
 * - verdict `issuedAt <= acceptedAt`, `issuedAt > now + MAX_VERDICT_SKEW`, `issuedAt <= latest`, bid
 *   `issuedAt < floor` and withdrawBids `issuedBefore <= floor`: test/attacks/verdicts-ordered.test.ts.
 * - MAX_MILESTONES / MAX_INSPECTORS (max accepted, max+1 refused): test/attacks/bounds.test.ts.
 */
import { expect } from "chai";
import { network } from "hardhat";
import {
  Comparator,
  Ruling,
  SlashTo,
  buildBid,
  buildInspection,
  signBid,
  signInspection,
} from "../../client/src/eip712/maintenance.js";
import {
  ASSET,
  BOND,
  BUDGET,
  DAY,
  DEVICE,
  KIND_SELFTEST,
  RESERVE,
  deployMaintenance,
  createOrderOn,
  orderArgs,
  policy,
  type OrderArgs,
  type Signer,
} from "../maintenance/fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture, takeSnapshot } = networkHelpers;
const ZERO = ethers.ZeroAddress;
const U128_MAX = 2n ** 128n - 1n;
const DECOMMISSIONED = 3;

async function fixture() {
  return deployMaintenance(ethers);
}
type F = Awaited<ReturnType<typeof fixture>>;

async function at(t: number | bigint) {
  await time.setNextBlockTimestamp(t);
}

const create = createOrderOn;

/** The createOrder transaction itself (for event and revert assertions). */
async function createTx(f: F, overrides: Partial<OrderArgs> = {}, from: Signer = f.payer) {
  const now = await time.latest();
  return f.escrow.connect(from).createOrder(orderArgs(now, await f.token.getAddress(), f.provider.address, overrides));
}

async function createAccepted(f: F, overrides: Partial<OrderArgs> = {}, from: Signer = f.payer) {
  const o = await create(f, overrides, from);
  await f.escrow.connect(f.provider).accept(o.id);
  const acceptedAt = Number((await f.escrow.getOrder(o.id)).acceptedAt);
  return { ...o, acceptedAt };
}

async function claimableOf(f: F, who: Signer) {
  return f.custody.claimable(who.address, ASSET, await f.token.getAddress());
}

function optimistic(f: F) {
  return policy({
    useDevice: false,
    cmp: Comparator.None,
    optimistic: true,
    arbiter: f.arbiter.address,
    challengeWindow: DAY,
    disputeTimeout: DAY,
    defaultRuling: Ruling.Payer,
  });
}

describe("boundaries: MaintenanceEscrow deadlines, windows and amounts, both sides", function () {
  it("createOrder: acceptBy = now refused, now+1 accepted; completeBy = acceptBy refused, acceptBy+1 accepted", async function () {
    const f = await loadFixture(fixture);
    const token = await f.token.getAddress();
    const now = (await time.latest()) + 10;
    const mk = (acceptBy: number, completeBy: number, salt: string) =>
      orderArgs(now, token, f.provider.address, { acceptBy, completeBy, salt });
    await at(now);
    await expect(f.escrow.connect(f.payer).createOrder(mk(now, now + DAY, ethers.id("a"))))
      .to.be.revertedWithCustomError(f.escrow, "BadDeadlines")
      .withArgs(now, now + DAY);
    await expect(f.escrow.connect(f.payer).createOrder(mk(now + 1, now + 1, ethers.id("b"))))
      .to.be.revertedWithCustomError(f.escrow, "BadDeadlines")
      .withArgs(now + 1, now + 1);
    const before = await f.token.balanceOf(f.payer.address);
    await expect(f.escrow.connect(f.payer).createOrder(mk(now + 1, now + 2, ethers.id("c")))).to.emit(
      f.escrow,
      "OrderCreated",
    );
    expect(await f.token.balanceOf(f.payer.address)).to.equal(before - BUDGET);
    expect(await f.token.balanceOf(await f.custody.vaultOf(ASSET))).to.equal(BUDGET);
  });

  it("createOrder: budget and bond of type(uint128).max accepted, +1 refused (BadBudget / BadBond)", async function () {
    const f = await loadFixture(fixture);
    await f.token.mint(f.payer.address, U128_MAX);
    const token = await f.token.getAddress();
    const now = await time.latest();
    await expect(
      f.escrow.connect(f.payer).createOrder(orderArgs(now, token, f.provider.address, { budget: U128_MAX + 1n })),
    )
      .to.be.revertedWithCustomError(f.escrow, "BadBudget")
      .withArgs(U128_MAX + 1n);
    await expect(
      f.escrow.connect(f.payer).createOrder(orderArgs(now, token, f.provider.address, { bond: U128_MAX + 1n })),
    )
      .to.be.revertedWithCustomError(f.escrow, "BadBond")
      .withArgs(U128_MAX + 1n);
    const args = orderArgs(now, token, f.provider.address, { budget: U128_MAX, bond: U128_MAX });
    const id = await f.escrow.connect(f.payer).createOrder.staticCall(args);
    await f.escrow.connect(f.payer).createOrder(args);
    const o = await f.escrow.getOrder(id);
    expect([o.budget, o.bond]).to.deep.equal([U128_MAX, U128_MAX]);
    expect(await f.token.balanceOf(await f.custody.vaultOf(ASSET))).to.equal(U128_MAX);
  });

  it("policy: k = number of sources accepted, sources+1 refused (BadPolicy)", async function () {
    const f = await loadFixture(fixture);
    const inspectors = [f.inspector1.address, f.inspector2.address];
    // Sources: 2 inspectors + the device = 3.
    await expect(createTx(f, { inspectors, policy: policy({ k: 4 }) })).to.be.revertedWithCustomError(
      f.escrow,
      "BadPolicy",
    );
    const { id } = await create(f, { inspectors, policy: policy({ k: 3 }) });
    expect((await f.evidence.getPolicy(id)).k).to.equal(3n);
  });

  it("awardBid: accepted at acceptBy, DeadlinePassed at acceptBy+1; a bid accepted at its deadline, refused at deadline+1", async function () {
    const f = await loadFixture(fixture);
    const { id, args } = await create(f, { provider: ZERO });
    const acceptBy = args.acceptBy;
    const now = await time.latest();
    const mkBid = async (deadline: number) => {
      const b = buildBid(id, f.provider.address, BUDGET, BOND, BigInt(now), BigInt(deadline));
      return { b, sig: await signBid(f.provider, f.bidDomain, b) };
    };
    const late = await mkBid(acceptBy - 100);
    const long = await mkBid(acceptBy + DAY);
    const s = await takeSnapshot();
    await at(acceptBy - 100 + 1);
    await expect(f.escrow.connect(f.payer).awardBid(id, late.b, late.sig))
      .to.be.revertedWithCustomError(f.escrow, "DeadlinePassed")
      .withArgs(acceptBy - 100);
    await s.restore();
    await at(acceptBy - 100);
    await expect(f.escrow.connect(f.payer).awardBid(id, late.b, late.sig))
      .to.emit(f.escrow, "OrderAccepted")
      .withArgs(id, f.provider.address, BUDGET, BOND, 5);
    await s.restore();
    await at(acceptBy);
    await expect(f.escrow.connect(f.payer).awardBid(id, long.b, long.sig)).to.emit(f.escrow, "OrderAccepted");
    expect(await f.token.balanceOf(await f.custody.vaultOf(ASSET))).to.equal(BUDGET + BOND);
    await s.restore();
    await at(acceptBy + 1);
    await expect(f.escrow.connect(f.payer).awardBid(id, long.b, long.sig))
      .to.be.revertedWithCustomError(f.escrow, "DeadlinePassed")
      .withArgs(acceptBy);
  });

  it("awardBid: price budget-1 and budget accepted (excess refunded exactly), budget+1 refused; bond minimum accepted, minimum-1 refused", async function () {
    const f = await loadFixture(fixture);
    const { id } = await create(f, { provider: ZERO });
    const now = BigInt(await time.latest());
    const mkBid = async (price: bigint, bond: bigint) => {
      const b = buildBid(id, f.provider.address, price, bond, now, now + BigInt(DAY));
      return { b, sig: await signBid(f.provider, f.bidDomain, b) };
    };
    const s = await takeSnapshot();
    for (const [price, bond] of [
      [BUDGET + 1n, BOND],
      [BUDGET, BOND - 1n],
    ]) {
      const x = await mkBid(price, bond);
      await expect(f.escrow.connect(f.payer).awardBid(id, x.b, x.sig)).to.be.revertedWithCustomError(
        f.escrow,
        "BadBid",
      );
    }
    for (const price of [BUDGET - 1n, BUDGET]) {
      await s.restore();
      const x = await mkBid(price, BOND);
      await expect(f.escrow.connect(f.payer).awardBid(id, x.b, x.sig))
        .to.emit(f.escrow, "OrderAccepted")
        .withArgs(id, f.provider.address, price, BOND, 5);
      expect(await claimableOf(f, f.payer)).to.equal(BUDGET - price);
      expect((await f.escrow.getOrder(id)).price).to.equal(price);
    }
  });

  it("device reading: counter = the used one refused (StaleAttestation), +1 counted; signed at acceptance refused, +1 counted", async function () {
    const f = await loadFixture(fixture);
    const { id, acceptedAt } = await createAccepted(f);
    const base = (await f.evidence.getProgress(id)).usedCounter;
    expect(base).to.equal(5n);
    const s = await takeSnapshot();
    await f.devices.setReading(DEVICE, KIND_SELFTEST, base, acceptedAt + 1, 0);
    await expect(f.evidence.submitDeviceEvidence(id, 0, DEVICE))
      .to.be.revertedWithCustomError(f.escrow, "StaleAttestation")
      .withArgs(base, base);
    await f.devices.setReading(DEVICE, KIND_SELFTEST, base + 1n, acceptedAt, 0);
    await expect(f.evidence.submitDeviceEvidence(id, 0, DEVICE))
      .to.be.revertedWithCustomError(f.escrow, "AttestationBeforeAcceptance")
      .withArgs(acceptedAt, acceptedAt);
    await f.devices.setReading(DEVICE, KIND_SELFTEST, base + 1n, acceptedAt + 1, 0);
    await expect(f.evidence.submitDeviceEvidence(id, 0, DEVICE))
      .to.emit(f.escrow, "MilestoneReleased")
      .withArgs(id, 0, BUDGET)
      .and.to.emit(f.escrow, "OrderCompleted")
      .withArgs(id, BOND);
    expect(await claimableOf(f, f.provider)).to.equal(BUDGET + BOND);
    expect((await f.evidence.getProgress(id)).usedCounter).to.equal(base + 1n);
    await s.restore();
    expect(await claimableOf(f, f.provider)).to.equal(0n);
  });

  it("value condition: GTE refuses threshold-1 and counts threshold; LTE refuses threshold+1 and counts threshold", async function () {
    const f = await loadFixture(fixture);
    const threshold = 50n;
    for (const [cmp, bad, salt] of [
      [Comparator.GTE, threshold - 1n, "gte"],
      [Comparator.LTE, threshold + 1n, "lte"],
    ] as const) {
      const { id, acceptedAt } = await createAccepted(f, { policy: policy({ cmp, threshold }), salt: ethers.id(salt) });
      const counter = Number((await f.evidence.getProgress(id)).usedCounter) + 1;
      await f.devices.setReading(DEVICE, KIND_SELFTEST, counter, acceptedAt + 1, bad);
      await expect(f.evidence.submitDeviceEvidence(id, 0, DEVICE))
        .to.be.revertedWithCustomError(f.escrow, "ValueConditionFailed")
        .withArgs(bad, threshold);
      await f.devices.setReading(DEVICE, KIND_SELFTEST, counter + 1, acceptedAt + 1, threshold);
      await expect(f.evidence.submitDeviceEvidence(id, 0, DEVICE))
        .to.emit(f.escrow, "OrderCompleted")
        .withArgs(id, BOND);
    }
    expect(await claimableOf(f, f.provider)).to.equal(2n * (BUDGET + BOND));
  });

  it("optimistic claim: challenged at claimEnds-1, not at claimEnds; finalized at claimEnds, not at claimEnds-1 (exact payouts)", async function () {
    const f = await loadFixture(fixture);
    const { id } = await createAccepted(f, { deviceId: 0n, policy: optimistic(f) });
    await f.evidence.connect(f.provider).claimMilestone(id, 0);
    const ends = Number((await f.evidence.getMilestone(id, 0)).claimEnds);
    const s = await takeSnapshot();
    await at(ends - 1);
    await expect(f.evidence.finalizeClaim(id, 0))
      .to.be.revertedWithCustomError(f.escrow, "DeadlineNotPassed")
      .withArgs(ends);
    const disputeId = await f.evidence.connect(f.payer).challenge.staticCall(id, 0);
    await expect(f.evidence.connect(f.payer).challenge(id, 0))
      .to.emit(f.evidence, "ClaimChallenged")
      .withArgs(id, 0, disputeId, f.arbiter.address, ends - 1 + DAY);
    expect((await f.evidence.getMilestone(id, 0)).claim).to.equal(2n);
    expect(await claimableOf(f, f.provider)).to.equal(0n);
    await s.restore();
    await at(ends);
    await expect(f.evidence.connect(f.payer).challenge(id, 0))
      .to.be.revertedWithCustomError(f.escrow, "DeadlinePassed")
      .withArgs(ends);
    await expect(f.evidence.finalizeClaim(id, 0))
      .to.emit(f.escrow, "MilestoneReleased")
      .withArgs(id, 0, BUDGET)
      .and.to.emit(f.escrow, "OrderCompleted")
      .withArgs(id, BOND);
    expect(await claimableOf(f, f.provider)).to.equal(BUDGET + BOND);
    expect(await claimableOf(f, f.payer)).to.equal(0n);
  });

  it("inspection: counted at its deadline, InspectionExpired at deadline+1", async function () {
    const f = await loadFixture(fixture);
    const { id, acceptedAt } = await createAccepted(f, {
      deviceId: 0n,
      inspectors: [f.inspector1.address],
      policy: policy({ useDevice: false, cmp: Comparator.None, k: 1 }),
    });
    const deadline = acceptedAt + 100;
    const ins = buildInspection(id, 0, true, f.inspector1.address, BigInt(acceptedAt + 1), BigInt(deadline));
    const sig = await signInspection(f.inspector1, f.domain, ins);
    const s = await takeSnapshot();
    await at(deadline + 1);
    await expect(f.evidence.submitInspections(id, [ins], [sig]))
      .to.be.revertedWithCustomError(f.escrow, "InspectionExpired")
      .withArgs(deadline);
    await s.restore();
    await at(deadline);
    await expect(f.evidence.submitInspections(id, [ins], [sig]))
      .to.emit(f.escrow, "OrderCompleted")
      .withArgs(id, BOND);
    expect(await claimableOf(f, f.provider)).to.equal(BUDGET + BOND);
  });

  it("milestone index: count-1 accepted, count refused (BadMilestone)", async function () {
    const f = await loadFixture(fixture);
    const { id } = await createAccepted(f, { deviceId: 0n, policy: optimistic(f), milestoneBps: [4_000, 6_000] });
    await expect(f.evidence.connect(f.provider).claimMilestone(id, 2))
      .to.be.revertedWithCustomError(f.escrow, "BadMilestone")
      .withArgs(2);
    await expect(f.evidence.connect(f.provider).claimMilestone(id, 1)).to.emit(f.evidence, "MilestoneClaimed");
    expect((await f.evidence.getProgress(id)).pendingClaims).to.equal(1n);
  });

  it("bond on a gone device: slashed when k <= the other sources (k = 1), returned when k = other sources + 1", async function () {
    const f = await loadFixture(fixture);
    const s = await takeSnapshot();
    // One inspector besides the device: the device is needed only when k = 2.
    for (const [k, returned] of [
      [1, false],
      [2, true],
    ] as const) {
      await s.restore();
      const { id, args } = await createAccepted(f, {
        inspectors: [f.inspector1.address],
        policy: policy({ k }),
      });
      await f.devices.setDevice(DEVICE, ethers.ZeroAddress, DECOMMISSIONED, ASSET);
      await at(args.completeBy + 1);
      const tx = f.escrow.expire(id);
      if (returned) {
        await expect(tx)
          .to.emit(f.escrow, "BondReturnedDeviceGone")
          .withArgs(id, DEVICE, BOND)
          .and.to.emit(f.escrow, "OrderDefaulted")
          .withArgs(id, BUDGET, 0n);
      } else {
        await expect(tx)
          .to.emit(f.escrow, "OrderDefaulted")
          .withArgs(id, BUDGET, BOND)
          .and.not.to.emit(f.escrow, "BondReturnedDeviceGone");
      }
      expect(await claimableOf(f, f.provider)).to.equal(returned ? BOND : 0n);
      expect(await claimableOf(f, f.payer)).to.equal(returned ? BUDGET : BUDGET + BOND);
    }
  });

  it("reserve credit funds a reserve order first: credit = budget-1 / budget / budget+1, the rest from the reserve", async function () {
    const f = await loadFixture(fixture);
    const t = await f.token.getAddress();
    // A reserve-funded order expiring leaves BUDGET of reserve credit.
    const { id, args } = await create(f, { fromReserve: true, salt: ethers.id("first") }, f.agent);
    await at(args.acceptBy + 1);
    await f.escrow.expire(id);
    const credit = await f.custody.reserveCredit(ASSET, t);
    expect(credit).to.equal(BUDGET);
    const reserve = await f.distributor.reserveOf(ASSET, t);
    expect(reserve).to.equal(RESERVE - BUDGET);
    const s = await takeSnapshot();
    for (const budget of [credit - 1n, credit, credit + 1n]) {
      await s.restore();
      const used = budget < credit ? budget : credit;
      await expect(createTx(f, { fromReserve: true, budget, salt: ethers.id("second") }, f.agent))
        .to.emit(f.custody, "ReserveCreditUsed")
        .withArgs(ASSET, t, used);
      expect(await f.custody.reserveCredit(ASSET, t)).to.equal(credit - used);
      expect(await f.distributor.reserveOf(ASSET, t)).to.equal(reserve - (budget - used));
      expect(await f.token.balanceOf(await f.custody.vaultOf(ASSET))).to.equal(credit + (budget - used));
    }
  });
});
