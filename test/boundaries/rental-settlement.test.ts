/**
 * Issue 12, class "comparisons at deadlines and caps never tested on both sides": every deadline and
 * cap comparison of contracts/rental/RentalEscrow.sol (and the default test it
 * calls), each exercised at limit-1 / limit / limit+1 (or the side that differs), from the same state
 * (a snapshot restored between the sides). An off-by-one (`>` for `>=`, `<` for `<=`) fails here.
 * Runs on the rental fixture.
 */
import { expect } from "chai";
import { RentalClaimStatus } from "../../client/src/eip712/rental.js";
import { network } from "hardhat";
import { SubjectKind, type RentalTerms } from "../../client/src/eip712/rental.js";
import { ASSET_ID, assetTerms, deployRental, publish } from "../rental/fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture, takeSnapshot } = networkHelpers;

const GWEI = 1_000_000_000n;
const DAY = 86_400;
const HOUR = 3_600;
const DEPOSIT = 10n ** 16n;
const CLAIM = DEPOSIT / 4n;

async function base() {
  return deployRental(ethers);
}
type F = Awaited<ReturnType<typeof base>>;

/** Rents `terms` for one day, fully prepaid, at `t0`; returns the agreement id. */
async function rentAt(f: F, terms: RentalTerms, t0: number, prepay = BigInt(DAY) * GWEI) {
  const offerId = await publish(f.market, f.agent, terms);
  await time.setNextBlockTimestamp(t0);
  await f.market.connect(f.renter).rent(offerId, DAY, prepay, { value: prepay + terms.deposit });
  return f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
}

/** Runs the next transaction at `t`. */
async function at(t: number) {
  await time.setNextBlockTimestamp(t);
}

/** Active one-day agreement from t0. */
async function active() {
  const f = await loadFixture(base);
  const t0 = (await time.latest()) + 10;
  const id = await rentAt(f, assetTerms(), t0);
  return { f, id, end: t0 + DAY };
}

/** Settled at `end` (claim window: one day from then), deposit held. */
async function settling() {
  const { f, id, end } = await active();
  await at(end);
  await f.escrow.settle(id);
  return { f, id, deadline: end + DAY };
}

/** A pending claim of CLAIM made at `c` (response window: one day). */
async function claimed() {
  const { f, id, deadline } = await settling();
  const c = deadline - 100;
  await at(c);
  await f.claims.connect(f.agent).claimDamage(id, CLAIM, ethers.ZeroHash);
  return { f, id, deadline: c + DAY };
}

/** The claim disputed at `d` before the default arbiter (timeout: one day). */
async function disputed() {
  const { f, id, deadline } = await claimed();
  const d = deadline - 100;
  await at(d);
  await f.claims.connect(f.renter).disputeClaim(id);
  return { f, id, deadline: d + DAY };
}

describe("boundaries: RentalEscrow settlement deadlines and caps, both sides", function () {
  it("settle: DeadlineNotPassed at end-1, allowed at end; terminateEarly: allowed at end-1, DeadlinePassed at end", async function () {
    const { f, id, end } = await active();
    const s = await takeSnapshot();
    await at(end - 1);
    await expect(f.escrow.settle(id)).to.be.revertedWithCustomError(f.escrow, "DeadlineNotPassed").withArgs(end);
    await expect(f.escrow.connect(f.renter).terminateEarly(id))
      .to.emit(f.escrow, "TerminatedEarly")
      .withArgs(id, end - 1);
    await s.restore();
    await at(end);
    await expect(f.escrow.connect(f.renter).terminateEarly(id))
      .to.be.revertedWithCustomError(f.escrow, "DeadlinePassed")
      .withArgs(end);
    await expect(f.escrow.settle(id)).to.emit(f.escrow, "Settled");
  });

  it("claimDamage: allowed at the claim deadline, DeadlinePassed at deadline+1; finalize: DeadlineNotPassed at deadline, allowed at deadline+1", async function () {
    const { f, id, deadline } = await settling();
    const s = await takeSnapshot();
    await at(deadline);
    await expect(f.claims.finalize(id)).to.be.revertedWithCustomError(f.escrow, "DeadlineNotPassed").withArgs(deadline);
    await expect(f.claims.connect(f.agent).claimDamage(id, CLAIM, ethers.ZeroHash))
      .to.emit(f.claims, "DamageClaimed")
      .withArgs(id, CLAIM, ethers.ZeroHash);
    await s.restore();
    await at(deadline + 1);
    await expect(f.claims.connect(f.agent).claimDamage(id, CLAIM, ethers.ZeroHash))
      .to.be.revertedWithCustomError(f.escrow, "DeadlinePassed")
      .withArgs(deadline);
    await expect(f.claims.finalize(id)).to.emit(f.escrow, "ClaimResolved").withArgs(id, 0n, DEPOSIT);
  });

  it("claimDamage amount: 0 and depositHeld+1 refused, depositHeld allowed", async function () {
    const { f, id } = await settling();
    for (const amount of [0n, DEPOSIT + 1n]) {
      await expect(f.claims.connect(f.agent).claimDamage(id, amount, ethers.ZeroHash))
        .to.be.revertedWithCustomError(f.escrow, "InvalidClaim")
        .withArgs(amount, DEPOSIT);
    }
    await expect(f.claims.connect(f.agent).claimDamage(id, DEPOSIT, ethers.ZeroHash))
      .to.emit(f.claims, "DamageClaimed")
      .withArgs(id, DEPOSIT, ethers.ZeroHash);
    expect((await f.claims.claimOf(id)).amount).to.equal(DEPOSIT);
  });

  it("disputeClaim: allowed at the response deadline, DeadlinePassed at deadline+1; an unanswered claim finalizes only after it", async function () {
    const { f, id, deadline } = await claimed();
    const s = await takeSnapshot();
    await at(deadline);
    await expect(f.claims.finalize(id)).to.be.revertedWithCustomError(f.escrow, "DeadlineNotPassed").withArgs(deadline);
    await expect(f.claims.connect(f.renter).disputeClaim(id))
      .to.emit(f.claims, "ClaimDisputed")
      .withArgs(id, await f.claims.disputeIdOf(id), f.arbiter.address, deadline + DAY);
    await s.restore();
    await at(deadline + 1);
    await expect(f.claims.connect(f.renter).disputeClaim(id))
      .to.be.revertedWithCustomError(f.escrow, "DeadlinePassed")
      .withArgs(deadline);
    await expect(f.claims.finalize(id))
      .to.emit(f.escrow, "ClaimResolved")
      .withArgs(id, CLAIM, DEPOSIT - CLAIM);
  });

  it("dispute: the arbiter rules on the module until deadline-1, DeadlinePassed at the deadline, where anyone resolves by timeout for the renter", async function () {
    const { f, id, deadline } = await disputed();
    const disputeId = await f.claims.disputeIdOf(id);
    const s = await takeSnapshot();
    await at(deadline - 1);
    await expect(f.disputes.resolveByTimeout(disputeId))
      .to.be.revertedWithCustomError(f.disputes, "DeadlineNotPassed")
      .withArgs(deadline);
    await expect(f.disputes.connect(f.arbiter).rule(disputeId, 1))
      .to.emit(f.escrow, "ClaimResolved")
      .withArgs(id, CLAIM, DEPOSIT - CLAIM);
    await s.restore();
    await at(deadline);
    await expect(f.disputes.connect(f.arbiter).rule(disputeId, 1))
      .to.be.revertedWithCustomError(f.disputes, "DeadlinePassed")
      .withArgs(deadline);
    await expect(f.claims.finalize(id))
      .to.be.revertedWithCustomError(f.claims, "WrongClaimStatus")
      .withArgs(id, RentalClaimStatus.Disputed);
    await expect(f.disputes.resolveByTimeout(disputeId)).to.emit(f.escrow, "ClaimResolved").withArgs(id, 0n, DEPOSIT);
  });

  it("rule on the module: ruling 2 and 0 (refused) return the deposit, 1 pays the claim, 3 refused", async function () {
    for (const [ruling, toOwner] of [
      [2n, 0n],
      [0n, 0n],
      [1n, CLAIM],
    ] as const) {
      const { f, id } = await disputed();
      const disputeId = await f.claims.disputeIdOf(id);
      await expect(f.disputes.connect(f.arbiter).rule(disputeId, 3))
        .to.be.revertedWithCustomError(f.disputes, "BadRuling")
        .withArgs(3);
      await expect(f.disputes.connect(f.arbiter).rule(disputeId, ruling))
        .to.emit(f.escrow, "ClaimResolved")
        .withArgs(id, toOwner, DEPOSIT - toOwner);
    }
  });

  it("activate: allowed at the activation deadline, DeadlinePassed at deadline+1; cancelReservation: DeadlineNotPassed at deadline, allowed at deadline+1", async function () {
    const f = await loadFixture(base);
    const t0 = (await time.latest()) + 10;
    const id = await rentAt(f, assetTerms({ activationWindow: HOUR }), t0);
    const deadline = t0 + HOUR;
    const s = await takeSnapshot();
    await at(deadline);
    await expect(f.escrow.cancelReservation(id))
      .to.be.revertedWithCustomError(f.escrow, "DeadlineNotPassed")
      .withArgs(deadline);
    await expect(f.escrow.connect(f.agent).activate(id))
      .to.emit(f.escrow, "Activated")
      .withArgs(id, deadline, deadline + DAY);
    await s.restore();
    await at(deadline + 1);
    await expect(f.escrow.connect(f.agent).activate(id))
      .to.be.revertedWithCustomError(f.escrow, "DeadlinePassed")
      .withArgs(deadline);
    await expect(f.escrow.cancelReservation(id)).to.emit(f.escrow, "ReservationEnded").withArgs(id, 4);
  });

  it("markDefault: NotInDefault one second before arrears + grace, allowed at it", async function () {
    const f = await loadFixture(base);
    const t0 = (await time.latest()) + 10;
    // One hour prepaid: arrears from t0 + 1 h; grace 1 h: default from t0 + 2 h.
    const id = await rentAt(f, assetTerms(), t0, BigInt(HOUR) * GWEI);
    const from = t0 + 2 * HOUR;
    await at(from - 1);
    await expect(f.escrow.markDefault(id)).to.be.revertedWithCustomError(f.escrow, "NotInDefault").withArgs(id);
    expect(await f.escrow.inDefault(id)).to.equal(false);
    await at(from);
    await expect(f.escrow.markDefault(id))
      .to.emit(f.escrow, "Defaulted")
      .withArgs(id, t0 + HOUR, BigInt(HOUR) * GWEI);
  });

  it("markDefault: debt that grows over several accruals keeps its first arrears start", async function () {
    const f = await loadFixture(base);
    const t0 = (await time.latest()) + 10;
    const id = await rentAt(f, assetTerms(), t0, BigInt(HOUR) * GWEI);
    // Two accruals in arrears (anyone may collect): the debt grows, the arrears start stays at t0 + 1 h.
    await at(t0 + 90 * 60);
    await f.escrow.connect(f.other).collect(id);
    await at(t0 + 100 * 60);
    await f.escrow.connect(f.other).collect(id);
    await at(t0 + 2 * HOUR - 1);
    await expect(f.escrow.markDefault(id)).to.be.revertedWithCustomError(f.escrow, "NotInDefault").withArgs(id);
    await at(t0 + 2 * HOUR);
    await expect(f.escrow.markDefault(id))
      .to.emit(f.escrow, "Defaulted")
      .withArgs(id, t0 + HOUR, BigInt(HOUR) * GWEI);
  });
});
