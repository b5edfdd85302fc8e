/**
 * Issue 12: the RentalEscrow events no other test asserted with exact arguments (TokenAllowed,
 * OfferPublished, Activated, RentPaid, Settled, Credited, Withdrawn, ClaimDisputed), each pinned with
 * `.withArgs(...)`. Ids, hashes, fees and refunds are computed here from the terms, the block times and
 * the fee rate, never read back from the event under test. Runs on the rental fixture (test doubles
 * for the registries and the distributor: the escrow's own arithmetic is what is pinned).
 */
import { expect } from "chai";
import { asAddress } from "../../client/src/types.js";
import { network } from "hardhat";
import {
  RENTAL_TYPES,
  RentalState,
  SubjectKind,
  ZERO_ADDRESS,
  type RentalTerms,
} from "../../client/src/eip712/rental.js";
import { ASSET_ID, FEE_BPS, assetTerms, deployRental, publish } from "../rental/fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const GWEI = 1_000_000_000n;
const DAY = 86_400n;
const HOUR = 3_600n;
const DEPOSIT = 10n ** 16n;
const BPS = 10_000n;
const EndReason = { Ended: 1, TerminatedEarly: 2, Defaulted: 3 } as const;

async function base() {
  return deployRental(ethers);
}
type F = Awaited<ReturnType<typeof base>>;

/** The EIP-712 struct hash of the terms (RentalTerms.hash), computed off-chain. */
function termsHashOf(terms: RentalTerms): string {
  return ethers.TypedDataEncoder.hashStruct("Terms", { Terms: RENTAL_TYPES.Terms }, terms);
}

/** The agreement id: keccak256(abi.encode(kind, subjectId, nonce)). */
function agreementIdOf(kind: number, subjectId: bigint, nonce: bigint): string {
  return ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(["uint8", "uint256", "uint64"], [kind, subjectId, nonce]),
  );
}

/** `f.renter` rents `terms` for `duration` prepaying `prepay` at time `at`; returns the agreement id. */
async function rentAt(f: F, terms: RentalTerms, duration: bigint, prepay: bigint, at: number) {
  const offerId = await publish(f.market, f.agent, terms);
  await time.setNextBlockTimestamp(at);
  await f.market.connect(f.renter).rent(offerId, duration, prepay, { value: prepay + terms.deposit });
  return agreementIdOf(SubjectKind.Asset, ASSET_ID, 0n);
}

describe("events: RentalEscrow (issue 12, exact arguments)", function () {
  it("TokenAllowed(token, allowed) when governance allows and withdraws a token (on the market)", async function () {
    const f = await loadFixture(base);
    const rental = f.market;
    const token = ethers.Wallet.createRandom().address;
    await expect(rental.connect(f.governance).setTokenAllowed(token, true))
      .to.emit(rental, "TokenAllowed")
      .withArgs(token, true);
    expect(await rental.tokenAllowed(token)).to.equal(true);
    await expect(rental.connect(f.governance).setTokenAllowed(token, false))
      .to.emit(rental, "TokenAllowed")
      .withArgs(token, false);
    expect(await rental.tokenAllowed(token)).to.equal(false);
  });

  it("OfferPublished(offerId = keccak256(owner, termsHash), owner, termsHash) (on the market)", async function () {
    const f = await loadFixture(base);
    const rental = f.market;
    const terms = assetTerms({ activationWindow: Number(DAY) });
    const termsHash = termsHashOf(terms);
    const offerId = ethers.keccak256(
      ethers.AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [f.agent.address, termsHash]),
    );
    await expect(rental.connect(f.agent).publishOffer(terms))
      .to.emit(rental, "OfferPublished")
      .withArgs(offerId, f.agent.address, termsHash);
    const offer = await rental.offerOf(offerId);
    expect([offer.owner, offer.active, offer.termsHash]).to.deep.equal([f.agent.address, true, termsHash]);
  });

  it("Activated(id, start, end): use starts at the activation block and lasts the reserved duration", async function () {
    const f = await loadFixture(base);
    const rental = f.escrow;
    const t0 = (await time.latest()) + 10;
    const id = await rentAt(f, assetTerms({ activationWindow: Number(DAY) }), DAY, DAY * GWEI, t0);
    expect(await rental.stateOf(id)).to.equal(RentalState.Reserved);
    const t1 = t0 + 5_000;
    await time.setNextBlockTimestamp(t1);
    await expect(rental.connect(f.agent).activate(id))
      .to.emit(rental, "Activated")
      .withArgs(id, t1, BigInt(t1) + DAY);
  });

  it("Activated(id, now, now + duration) also when the terms have no activation window", async function () {
    const f = await loadFixture(base);
    const rental = f.escrow;
    const terms = assetTerms();
    const offerId = await publish(f.market, f.agent, terms);
    const t0 = (await time.latest()) + 10;
    await time.setNextBlockTimestamp(t0);
    await expect(
      f.market.connect(f.renter).rent(offerId, 2n * DAY, 2n * DAY * GWEI, { value: 2n * DAY * GWEI + DEPOSIT }),
    )
      .to.emit(rental, "Activated")
      .withArgs(agreementIdOf(SubjectKind.Asset, ASSET_ID, 0n), t0, BigInt(t0) + 2n * DAY);
  });

  it("RentPaid(fee, net), Settled(Ended, refund, 0, 0, deposit), Credited(renter), Withdrawn at the end of a term", async function () {
    const f = await loadFixture(base);
    const rental = f.escrow;
    const t0 = (await time.latest()) + 10;
    // Prepaid two days of a one-day term: one day is earned, one day of credit is refunded.
    const id = await rentAt(f, assetTerms(), DAY, 2n * DAY * GWEI, t0);
    const earned = DAY * GWEI;
    const fee = (earned * BigInt(FEE_BPS)) / BPS;
    const refund = 2n * DAY * GWEI - earned;
    await time.setNextBlockTimestamp(BigInt(t0) + DAY);
    await expect(rental.connect(f.other).settle(id))
      .to.emit(rental, "RentPaid")
      .withArgs(id, fee, earned - fee)
      .and.to.emit(f.custody, "Credited")
      .withArgs(f.feeRecipient.address, ASSET_ID, ZERO_ADDRESS, fee)
      .and.to.emit(f.custody, "Credited")
      .withArgs(f.renter.address, ASSET_ID, ZERO_ADDRESS, refund)
      .and.to.emit(rental, "Settled")
      .withArgs(id, EndReason.Ended, refund, 0n, 0n, DEPOSIT);
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(refund);
    // The fee is the fee recipient's at once, in the agreement's custody.
    expect(await f.custody.claimable(f.feeRecipient.address, ASSET_ID, ZERO_ADDRESS)).to.equal(fee);

    await expect(f.custody.connect(f.renter).withdraw(ASSET_ID, ZERO_ADDRESS))
      .to.emit(f.custody, "Withdrawn")
      .withArgs(f.renter.address, ASSET_ID, ZERO_ADDRESS, f.renter.address, refund);
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(0n);
    const to = ethers.Wallet.createRandom().address;
    await expect(f.custody.connect(f.feeRecipient).withdrawTo(ASSET_ID, ZERO_ADDRESS, to))
      .to.emit(f.custody, "Withdrawn")
      .withArgs(f.feeRecipient.address, ASSET_ID, ZERO_ADDRESS, to, fee);
    expect(await ethers.provider.getBalance(to)).to.equal(fee);
  });

  it("Settled(TerminatedEarly, refund at refundBps) when the renter ends early", async function () {
    const f = await loadFixture(base);
    const rental = f.escrow;
    const t0 = (await time.latest()) + 10;
    // Ten days prepaid; the renter stops after two (no notice period, minimum 1 h); 40 % of the cut is refunded.
    const id = await rentAt(f, assetTerms({ refundBps: 4_000 }), 10n * DAY, 10n * DAY * GWEI, t0);
    await time.setNextBlockTimestamp(BigInt(t0) + 2n * DAY);
    const cut = 8n * DAY * GWEI; // the unused prepaid rent of the cut part
    const kept = cut - (cut * 4_000n + BPS - 1n) / BPS; // refund rounds down for the renter (ceil kept by the owner)
    const refund = cut - kept;
    const earned = 2n * DAY * GWEI + kept;
    const fee = (earned * BigInt(FEE_BPS)) / BPS;
    await expect(rental.connect(f.renter).terminateEarly(id))
      .to.emit(rental, "RentPaid")
      .withArgs(id, fee, earned - fee)
      .and.to.emit(rental, "Settled")
      .withArgs(id, EndReason.TerminatedEarly, refund, 0n, 0n, DEPOSIT);
  });

  it("Settled(Defaulted, 0, fromDeposit, badDebt, 0) when the deposit does not cover the arrears", async function () {
    const f = await loadFixture(base);
    const rental = f.escrow;
    const deposit = 1_000n * GWEI;
    const t0 = (await time.latest()) + 10;
    // One hour prepaid of a day; arrears from t0 + 1 h, in default one grace hour later.
    const id = await rentAt(f, assetTerms({ deposit }), DAY, HOUR * GWEI, t0);
    await time.setNextBlockTimestamp(BigInt(t0) + 2n * HOUR);
    const debt = HOUR * GWEI; // the second hour, unpaid
    await expect(rental.connect(f.other).markDefault(id))
      .to.emit(rental, "Settled")
      .withArgs(id, EndReason.Defaulted, 0n, deposit, debt - deposit, 0n)
      .and.to.emit(rental, "Closed")
      .withArgs(id);
  });

  it("ClaimDisputed(id, disputeId, arbiter, now + arbiterTimeout): the default arbiter, or the terms' own", async function () {
    const f = await loadFixture(base);
    const rental = f.escrow;
    for (const [label, arbiter] of [
      ["default", asAddress(f.arbiter.address)],
      ["terms", asAddress(f.other.address)],
    ] as const) {
      const terms = assetTerms(
        label === "terms" ? { arbiter, arbiterTimeout: 2 * Number(DAY) } : { arbiterTimeout: 3 * Number(HOUR) },
      );
      const offerId = await publish(f.market, f.agent, terms);
      await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT });
      const nonce = label === "default" ? 0n : 1n;
      const id = agreementIdOf(SubjectKind.Asset, ASSET_ID, nonce);
      await time.increase(DAY);
      await rental.settle(id);
      await f.claims.connect(f.agent).claimDamage(id, DEPOSIT / 2n, ethers.id("photos"));
      const t = (await time.latest()) + 100;
      await time.setNextBlockTimestamp(t);
      await expect(f.claims.connect(f.renter).disputeClaim(id))
        .to.emit(f.claims, "ClaimDisputed")
        .withArgs(id, await f.claims.disputeIdOf(id), arbiter, BigInt(t) + BigInt(terms.arbiterTimeout));
      const disputeId = await f.claims.disputeIdOf(id);
      await f.disputes.connect(f.arbiter.address === arbiter ? f.arbiter : f.other).rule(disputeId, 2n);
    }
  });
});
