/**
 * Issue 12, class "state flags an action must clear (or set) were never observed changing": for each
 * boolean, state or pending field of the production contracts that an action must set or clear, the
 * field is read through its public getter BEFORE and AFTER the action, so deleting the assignment in
 * the contract fails here. Found by going through every `= true`, `= false`, `delete`, `= 0` and
 * state-enum assignment of contracts/{assets,devices,income,maintenance,rental}.
 *
 * Not observable through any getter, so not covered (the next write of the same slot always
 * overwrites them before anything reads them):
 * - DeviceRegistry `suspendedByGovernance = false` in resume / decommission (read only by resume,
 *   and suspend rewrites it; a decommissioned device can never be resumed);
 * - DeviceRegistry `delete _p256Key` on a rotation away from P-256 (deviceInfo reads the secp256k1
 *   key for a secp256k1 device; a later P-256 rotation rewrites the coordinates).
 * Observed elsewhere: the rental meter holder released at settlement (MeterInUse, then the metered
 * rental opens: test/attacks/metering.test.ts); IncomeDistributor `fees = 0` after claimFees
 * (test/income/IncomeDistributor.test.ts); maintenance Expired / Defaulted states
 * (test/attacks/evidence-rules-frozen.test.ts).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Wallet, ZeroAddress } from "ethers";
import { SubjectKind, buildOffer, buildTerms, signOffer } from "../../client/src/eip712/rental.js";
import { Comparator, OrderState, Ruling } from "../../client/src/eip712/maintenance.js";
import { Secp256k1DeviceSigner } from "../../client/src/signers/devices.js";
import { ASSET_ID, FREE_DEVICE_ID, assetTerms, deployRental, publish } from "../rental/fixture.js";
import { Status, deployFixture, fundedFixture } from "../assets/fixture.js";
import { deployRegistry, registerAndClaim } from "../devices/helpers.js";
import {
  ASSET,
  BOND,
  BUDGET,
  DAY,
  createOrderOn,
  deployMaintenance,
  orderArgs,
  policy,
} from "../maintenance/fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture, takeSnapshot } = networkHelpers;

const GWEI = 1_000_000_000n;
const HOUR = 3_600;
const DEPOSIT = 10n ** 16n;
const ETH = ethers.ZeroAddress;
const ZERO_HASH = ethers.ZeroHash;
const E = (n: number) => ethers.parseEther(String(n));

/** IRentalEscrow.State / ClaimStatus / EndReason. */
const RState = { None: 0n, Reserved: 1n, Active: 2n, TerminatedEarly: 3n, Settling: 4n, Closed: 5n, Ended: 6n };
const Claim = { None: 0n, Pending: 1n, Disputed: 2n };
const EndReason = { ReservationExpired: 4n };

// ------------------------------------------------------------------------------------------ rental

async function rental() {
  return deployRental(ethers);
}
type R = Awaited<ReturnType<typeof rental>>;

/** Rents one day of the asset at `t0` (prepaid for the whole day); returns the agreement id. */
async function rentAt(f: R, t0: number, activationWindow = 0, noticePeriod = 0) {
  const offerId = await publish(f.market, f.agent, assetTerms({ activationWindow, noticePeriod }));
  const prepay = BigInt(DAY) * GWEI;
  await time.setNextBlockTimestamp(t0);
  await f.market.connect(f.renter).rent(offerId, DAY, prepay, { value: prepay + DEPOSIT });
  return f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
}

describe("flags: rental escrow", function () {
  it("cancelOffer clears the offer's active flag", async function () {
    const f = await loadFixture(rental);
    const offerId = await publish(f.market, f.agent, assetTerms());
    expect((await f.market.offerOf(offerId)).active).to.equal(true);
    await f.market.connect(f.agent).cancelOffer(offerId);
    expect((await f.market.offerOf(offerId)).active).to.equal(false);
    await expect(f.market.connect(f.renter).rent(offerId, DAY, 0, { value: DEPOSIT }))
      .to.be.revertedWithCustomError(f.escrow, "OfferNotActive")
      .withArgs(offerId);
  });

  it("taking a signed offer spends its nonce; cancelNonce sets the flag for an unused one", async function () {
    const f = await loadFixture(rental);
    const expiry = BigInt((await time.latest()) + DAY);
    const offer = buildOffer(assetTerms(), f.agent.address, { nonce: 7n, expiry });
    const sig = await signOffer(f.agent, f.chainId, f.marketAddress, offer);
    expect(await f.market.nonceCancelled(f.agent.address, 7n)).to.equal(false);
    const prepay = BigInt(DAY) * GWEI;
    await f.market.connect(f.renter).rentWithSignature(offer, sig, DAY, prepay, { value: prepay + DEPOSIT });
    expect(await f.market.nonceCancelled(f.agent.address, 7n)).to.equal(true);

    expect(await f.market.nonceCancelled(f.agent.address, 8n)).to.equal(false);
    await f.market.connect(f.agent).cancelNonce(8n);
    expect(await f.market.nonceCancelled(f.agent.address, 8n)).to.equal(true);
  });

  it("rent marks the subject live and leased; terminateEarly sets TerminatedEarly; settle releases subject and lease, zeroes credit and debt", async function () {
    const f = await loadFixture(rental);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(ZERO_HASH);
    expect(await f.assets.leasedUntil(ASSET_ID)).to.equal(0n);
    const t0 = (await time.latest()) + 10;
    const id = await rentAt(f, t0, 0, HOUR);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(id);
    expect(await f.assets.leasedUntil(ASSET_ID)).to.not.equal(0n);
    expect(await f.escrow.stateOf(id)).to.equal(RState.Active);

    await time.setNextBlockTimestamp(t0 + HOUR);
    await f.escrow.connect(f.renter).terminateEarly(id);
    expect(await f.escrow.stateOf(id)).to.equal(RState.TerminatedEarly);
    expect((await f.escrow.agreementOf(id)).credit).to.not.equal(0n);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(id); // leased until settled

    await time.setNextBlockTimestamp(t0 + 2 * HOUR); // the notice period ends the use
    await f.escrow.settle(id);
    const a = await f.escrow.agreementOf(id);
    expect([a.credit, a.debt]).to.deep.equal([0n, 0n]);
    expect(a.state).to.equal(RState.Settling);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(ZERO_HASH);
    expect(await f.assets.leasedUntil(ASSET_ID)).to.equal(0n);
  });

  it("a device rental leases the device and marks it live; settlement releases both", async function () {
    const f = await loadFixture(rental);
    const terms = buildTerms({ subjectKind: SubjectKind.Device, subjectId: FREE_DEVICE_ID });
    const offerId = await publish(f.market, f.deviceOwner, terms);
    expect(await f.devices.leasedUntil(FREE_DEVICE_ID)).to.equal(0n);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Device, FREE_DEVICE_ID)).to.equal(ZERO_HASH);
    const prepay = BigInt(DAY) * GWEI;
    const t0 = (await time.latest()) + 10;
    await time.setNextBlockTimestamp(t0);
    await f.market.connect(f.renter).rent(offerId, DAY, prepay, { value: prepay + DEPOSIT });
    const id = await f.escrow.agreementId(SubjectKind.Device, FREE_DEVICE_ID, 0);
    expect(await f.devices.leasedUntil(FREE_DEVICE_ID)).to.not.equal(0n);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Device, FREE_DEVICE_ID)).to.equal(id);
    await time.setNextBlockTimestamp(t0 + DAY);
    await f.escrow.settle(id);
    expect(await f.devices.leasedUntil(FREE_DEVICE_ID)).to.equal(0n);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Device, FREE_DEVICE_ID)).to.equal(ZERO_HASH);
  });

  it("claim then dispute set the claim status; the module's ruling clears the claim, deposit and deadline and closes", async function () {
    const f = await loadFixture(rental);
    const t0 = (await time.latest()) + 10;
    const id = await rentAt(f, t0);
    await time.setNextBlockTimestamp(t0 + DAY);
    await f.escrow.settle(id);
    let a = await f.escrow.agreementOf(id);
    let c = await f.claims.claimOf(id);
    expect([a.state, c.status, a.depositHeld]).to.deep.equal([RState.Settling, Claim.None, DEPOSIT]);
    expect(a.deadline).to.equal(BigInt(t0 + 2 * DAY));

    await f.claims.connect(f.agent).claimDamage(id, DEPOSIT / 4n, ZERO_HASH);
    c = await f.claims.claimOf(id);
    expect([c.status, c.amount]).to.deep.equal([Claim.Pending, DEPOSIT / 4n]);
    expect(a.deadline).to.equal(BigInt(t0 + 2 * DAY)); // the escrow keeps the claim-window deadline

    await f.claims.connect(f.renter).disputeClaim(id);
    c = await f.claims.claimOf(id);
    expect(c.status).to.equal(Claim.Disputed);
    const disputeId = await f.claims.disputeIdOf(id);
    expect(await f.claims.agreementOfDispute(disputeId)).to.equal(id);
    expect((await f.disputes.getDispute(disputeId)).arbiter).to.equal(f.arbiter.address);

    await f.disputes.connect(f.arbiter).rule(disputeId, 1n);
    a = await f.escrow.agreementOf(id);
    c = await f.claims.claimOf(id);
    expect([a.state, c.status, c.amount, c.deadline, a.depositHeld, a.deadline]).to.deep.equal([
      RState.Closed,
      Claim.None,
      0n,
      0n,
      0n,
      0n,
    ]);
  });

  it("finalize of an unclaimed deposit closes and clears the deposit and the deadline", async function () {
    const f = await loadFixture(rental);
    const t0 = (await time.latest()) + 10;
    const id = await rentAt(f, t0);
    await time.setNextBlockTimestamp(t0 + DAY);
    await f.escrow.settle(id);
    let a = await f.escrow.agreementOf(id);
    expect([a.depositHeld, a.deadline]).to.deep.equal([DEPOSIT, BigInt(t0 + 2 * DAY)]);
    await time.setNextBlockTimestamp(t0 + 2 * DAY + 1);
    await f.claims.finalize(id);
    a = await f.escrow.agreementOf(id);
    expect([a.state, a.depositHeld, a.deadline]).to.deep.equal([RState.Closed, 0n, 0n]);
  });

  it("activate clears the activation deadline and sets Active; cancelReservation zeroes credit and deposit, closes and frees the subject", async function () {
    const f = await loadFixture(rental);
    const t0 = (await time.latest()) + 10;
    const id = await rentAt(f, t0, HOUR);
    let a = await f.escrow.agreementOf(id);
    expect([a.state, a.deadline]).to.deep.equal([RState.Reserved, BigInt(t0 + HOUR)]);
    const s = await takeSnapshot();

    await f.escrow.connect(f.agent).activate(id);
    a = await f.escrow.agreementOf(id);
    expect([a.state, a.deadline]).to.deep.equal([RState.Active, 0n]);

    await s.restore();
    expect(a.credit).to.not.equal(0n);
    await time.setNextBlockTimestamp(t0 + HOUR + 1);
    await f.escrow.cancelReservation(id);
    a = await f.escrow.agreementOf(id);
    expect([a.state, a.endReason, a.credit, a.depositHeld, a.deadline]).to.deep.equal([
      RState.Closed,
      EndReason.ReservationExpired,
      0n,
      0n,
      0n,
    ]);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(ZERO_HASH);
    expect(await f.assets.leasedUntil(ASSET_ID)).to.equal(0n);
  });

  it("settle moves earned rent out (earned 0) and credits the fee to its recipient; withdraw zeroes that balance", async function () {
    const f = await loadFixture(rental);
    const t0 = (await time.latest()) + 10;
    const id = await rentAt(f, t0);
    await time.setNextBlockTimestamp(t0 + DAY);
    await f.escrow.settle(id);
    const a = await f.escrow.agreementOf(id);
    expect(a.earned).to.equal(0n);
    const fee = (BigInt(DAY) * GWEI * 250n) / 10_000n;
    expect(await f.custody.claimable(f.feeRecipient.address, ASSET_ID, ETH)).to.equal(fee);
    expect(await f.escrow.heldFor(id)).to.equal(a.depositHeld);
    await f.custody.connect(f.feeRecipient).withdraw(ASSET_ID, ETH);
    expect(await f.custody.claimable(f.feeRecipient.address, ASSET_ID, ETH)).to.equal(0n);
  });

  it("flushIncome zeroes the deferred income of the asset", async function () {
    const f = await loadFixture(rental);
    const t0 = (await time.latest()) + 10;
    const id = await rentAt(f, t0);
    await f.distributor.setRefuse(true);
    await time.setNextBlockTimestamp(t0 + DAY);
    await f.escrow.settle(id);
    const deferred = await f.custody.pendingIncome(ASSET_ID, ETH);
    expect(deferred).to.equal(BigInt(DAY) * GWEI - (BigInt(DAY) * GWEI * 250n) / 10_000n);
    await f.distributor.setRefuse(false);
    await f.custody.flushIncome(ASSET_ID, ETH);
    expect(await f.custody.pendingIncome(ASSET_ID, ETH)).to.equal(0n);
  });
});

// ----------------------------------------------------------------------------------------- devices

async function devices() {
  const ctx = await deployRegistry(ethers);
  const d = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
  await registerAndClaim(ctx, d);
  const assets = await ethers.deployContract("MockAssetRegistry", [ethers.ZeroAddress]);
  await assets.setAsset(ASSET_ID, ctx.agent.address, 1, ethers.ZeroAddress); // the agent is not the device owner
  await assets.setAsset(ASSET_ID + 1n, ctx.agent.address, 1, ethers.ZeroAddress);
  await ctx.registry.connect(ctx.governance).setAssetRegistry(await assets.getAddress());
  return { ctx, id: d.deviceId, assets };
}

describe("flags: device registry", function () {
  it("a bind request is set by the owner and cleared by the agent's confirmation (which binds)", async function () {
    const { ctx, id } = await loadFixture(devices);
    expect(await ctx.registry.pendingAssetOf(id)).to.equal(0n);
    await ctx.registry.connect(ctx.operator).bindToAsset(id, ASSET_ID);
    expect(await ctx.registry.pendingAssetOf(id)).to.equal(ASSET_ID);
    expect(await ctx.registry.assetOf(id)).to.equal(0n);
    await ctx.registry.connect(ctx.agent).confirmBind(id, ASSET_ID);
    expect(await ctx.registry.pendingAssetOf(id)).to.equal(0n);
    expect(await ctx.registry.assetOf(id)).to.equal(ASSET_ID);
  });

  it("a token transfer clears the previous owner's bind request", async function () {
    const { ctx, id } = await loadFixture(devices);
    await ctx.registry.connect(ctx.operator).bindToAsset(id, ASSET_ID);
    expect(await ctx.registry.pendingAssetOf(id)).to.equal(ASSET_ID);
    await ctx.token.connect(ctx.operator).transferFrom(ctx.operator.address, ctx.other.address, id);
    expect(await ctx.registry.pendingAssetOf(id)).to.equal(0n);
  });

  it("unbind clears the binding; setUser(id, 0, 0) clears the lease", async function () {
    const { ctx, id } = await loadFixture(devices);
    await ctx.registry.connect(ctx.operator).bindToAsset(id, ASSET_ID);
    await ctx.registry.connect(ctx.agent).confirmBind(id, ASSET_ID);
    const until = BigInt(await time.latest()) + 100n;
    await ctx.token.connect(ctx.leaseManager).setUser(id, ctx.other.address, until);
    expect(await ctx.registry.leasedUntil(id)).to.equal(until);
    expect(await ctx.token.userOf(id)).to.equal(ctx.other.address);
    await ctx.token.connect(ctx.leaseManager).setUser(id, ZeroAddress, 0);
    expect(await ctx.registry.leasedUntil(id)).to.equal(0n);
    expect(await ctx.token.userOf(id)).to.equal(ZeroAddress);
    expect(await ctx.registry.assetOf(id)).to.equal(ASSET_ID);
    await ctx.registry.connect(ctx.operator).unbind(id);
    expect(await ctx.registry.assetOf(id)).to.equal(0n);
  });

  it("decommission sets Decommissioned and clears both the binding and a pending request", async function () {
    const { ctx, id } = await loadFixture(devices);
    await ctx.registry.connect(ctx.operator).bindToAsset(id, ASSET_ID);
    await ctx.registry.connect(ctx.agent).confirmBind(id, ASSET_ID);
    await ctx.registry.connect(ctx.operator).bindToAsset(id, ASSET_ID + 1n); // a request to move
    expect([await ctx.registry.assetOf(id), await ctx.registry.pendingAssetOf(id)]).to.deep.equal([
      ASSET_ID,
      ASSET_ID + 1n,
    ]);
    expect(await ctx.registry.statusOf(id)).to.equal(1n);
    await ctx.registry.connect(ctx.operator).decommission(id);
    expect(await ctx.registry.statusOf(id)).to.equal(3n);
    expect([await ctx.registry.assetOf(id), await ctx.registry.pendingAssetOf(id)]).to.deep.equal([0n, 0n]);
  });

  it("suspend sets Suspended, resume sets Active again", async function () {
    const { ctx, id } = await loadFixture(devices);
    await ctx.registry.connect(ctx.governance).suspend(id);
    expect(await ctx.registry.statusOf(id)).to.equal(2n);
    await ctx.registry.connect(ctx.governance).resume(id);
    expect(await ctx.registry.statusOf(id)).to.equal(1n);
  });

  it("removeManufacturer clears the manufacturer's record", async function () {
    const { ctx } = await loadFixture(devices);
    expect(await ctx.registry.manufacturerOf(ctx.manufacturer.address)).to.deep.equal([true, ctx.mfrSigner.address]);
    await ctx.registry.connect(ctx.governance).removeManufacturer(ctx.manufacturer.address);
    expect(await ctx.registry.manufacturerOf(ctx.manufacturer.address)).to.deep.equal([false, ETH]);
  });
});

// ------------------------------------------------------------------------------------------ assets

async function assets() {
  return fundedFixture(ethers);
}

describe("flags: asset registry, shares, identities, factory", function () {
  it("a governance freeze sets Frozen and frozenByGovernance; the governance unfreeze clears both", async function () {
    const f = await loadFixture(assets);
    expect((await f.registry.assetOf(f.assetId)).frozenByGovernance).to.equal(false);
    await f.registry.connect(f.gov).freezeAsset(f.assetId);
    let a = await f.registry.assetOf(f.assetId);
    expect([a.status, a.frozenByGovernance]).to.deep.equal([Status.Frozen, true]);
    await f.registry.connect(f.gov).unfreezeAsset(f.assetId);
    a = await f.registry.assetOf(f.assetId);
    expect([a.status, a.frozenByGovernance]).to.deep.equal([Status.Active, false]);
  });

  it("retiring a governance-frozen asset sets Retired and clears frozenByGovernance", async function () {
    const f = await loadFixture(assets);
    await f.registry.connect(f.gov).freezeAsset(f.assetId);
    expect((await f.registry.assetOf(f.assetId)).frozenByGovernance).to.equal(true);
    await f.registry.connect(f.buyout).retire(f.assetId);
    const a = await f.registry.assetOf(f.assetId);
    expect([a.status, a.frozenByGovernance]).to.deep.equal([Status.Retired, false]);
  });

  it("acceptAgent clears the pending agent", async function () {
    const f = await loadFixture(assets);
    await f.registry.connect(f.issuer).proposeAgent(f.assetId, f.outsider.address);
    expect((await f.registry.assetOf(f.assetId)).pendingAgent).to.equal(f.outsider.address);
    await f.registry.connect(f.outsider).acceptAgent(f.assetId);
    const a = await f.registry.assetOf(f.assetId);
    expect([a.agent, a.pendingAgent]).to.deep.equal([f.outsider.address, ETH]);
  });

  it("setWalletFrozen sets and clears the wallet freeze; pause and unpause set and clear paused", async function () {
    const f = await loadFixture(assets);
    expect(await f.shares.walletFrozen(f.alice.address)).to.equal(false);
    await f.shares.connect(f.agent).setWalletFrozen(f.alice.address, true);
    expect(await f.shares.walletFrozen(f.alice.address)).to.equal(true);
    await f.shares.connect(f.agent).setWalletFrozen(f.alice.address, false);
    expect(await f.shares.walletFrozen(f.alice.address)).to.equal(false);

    expect(await f.shares.paused()).to.equal(false);
    await f.shares.connect(f.agent).pause();
    expect(await f.shares.paused()).to.equal(true);
    await f.shares.connect(f.agent).unpause();
    expect(await f.shares.paused()).to.equal(false);
  });

  it("recover clears the lost wallet's freeze, frozen amount and lock and sets them on the replacement", async function () {
    const f = await loadFixture(deployFixture.bind(null, ethers));
    await f.shares.connect(f.agent).setMintLockPeriod(1_000n);
    await f.shares.connect(f.agent).mint(f.alice.address, E(100));
    await f.shares.connect(f.agent).freezePartial(f.alice.address, E(30));
    await f.shares.connect(f.agent).setWalletFrozen(f.alice.address, true);
    const lock = await f.shares.lockedUntilOf(f.alice.address);
    expect(lock).to.not.equal(0n);
    expect(await f.shares.walletFrozen(f.carol.address)).to.equal(false);
    expect(await f.shares.getFrozenTokens(f.carol.address)).to.equal(0n);
    expect(await f.shares.lockedUntilOf(f.carol.address)).to.equal(0n);

    await f.shares.connect(f.agent).recover(f.alice.address, f.carol.address);
    expect(await f.shares.walletFrozen(f.alice.address)).to.equal(false);
    expect(await f.shares.getFrozenTokens(f.alice.address)).to.equal(0n);
    expect(await f.shares.lockedUntilOf(f.alice.address)).to.equal(0n);
    expect(await f.shares.walletFrozen(f.carol.address)).to.equal(true);
    expect(await f.shares.getFrozenTokens(f.carol.address)).to.equal(E(30));
    expect(await f.shares.lockedUntilOf(f.carol.address)).to.equal(lock);
  });

  it("redemption after retirement clears the holder's frozen amount", async function () {
    const f = await loadFixture(assets);
    await f.shares.connect(f.agent).freezePartial(f.alice.address, E(30));
    await f.registry.connect(f.buyout).retire(f.assetId);
    expect(await f.shares.getFrozenTokens(f.alice.address)).to.equal(E(30));
    await f.hooks.redeem(await f.shares.getAddress(), f.alice.address);
    expect(await f.shares.getFrozenTokens(f.alice.address)).to.equal(0n);
    expect(await f.shares.balanceOf(f.alice.address)).to.equal(0n);
  });

  it("setEligibilityRequired clears and sets the flag the constructor set", async function () {
    const f = await loadFixture(assets);
    expect((await f.shares.config()).eligibilityRequired).to.equal(true);
    await f.shares.connect(f.agent).setEligibilityRequired(false);
    expect((await f.shares.config()).eligibilityRequired).to.equal(false);
    await f.shares.connect(f.agent).setEligibilityRequired(true);
    expect((await f.shares.config()).eligibilityRequired).to.equal(true);
  });

  it("removeIdentity clears the identity (and eligibility)", async function () {
    const f = await loadFixture(assets);
    expect((await f.identity.identityOf(f.alice.address))[1]).to.equal(f.expiry);
    expect(await f.identity.isEligible(f.alice.address)).to.equal(true);
    await f.identity.connect(f.kyc).removeIdentity(f.alice.address);
    expect(await f.identity.identityOf(f.alice.address)).to.deep.equal([0n, 0n]);
    expect(await f.identity.isEligible(f.alice.address)).to.equal(false);
  });
  // The factory keeps no pending share parameters any more: each clone is initialised in the
  // transaction that creates it, once (test/assets/factory.test.ts: initialize twice is refused).
});

// ------------------------------------------------------------------------------------- maintenance

async function maintenance() {
  return deployMaintenance(ethers);
}
type M = Awaited<ReturnType<typeof maintenance>>;

async function order(f: M, overrides: Parameters<typeof orderArgs>[3] = {}, accept = true) {
  const created = await createOrderOn(f, overrides);
  if (accept) await f.escrow.connect(f.provider).accept(created.id);
  return created;
}

describe("flags: maintenance escrow", function () {
  it("cancel sets Cancelled (from Open)", async function () {
    const f = await loadFixture(maintenance);
    const { id } = await order(f, {}, false);
    expect((await f.escrow.getOrder(id)).state).to.equal(BigInt(OrderState.Open));
    await f.escrow.connect(f.payer).cancel(id);
    expect((await f.escrow.getOrder(id)).state).to.equal(BigInt(OrderState.Cancelled));
  });

  it("finalizeClaim closes the claim (status None, claimEnds 0, pendingClaims 0) and releases the milestone", async function () {
    const f = await loadFixture(maintenance);
    const optimistic = policy({
      useDevice: false,
      cmp: Comparator.None,
      optimistic: true,
      arbiter: f.arbiter.address,
      challengeWindow: DAY,
      disputeTimeout: DAY,
      defaultRuling: Ruling.Payer,
    });
    const { id } = await order(f, { deviceId: 0n, policy: optimistic });
    await f.evidence.connect(f.provider).claimMilestone(id, 0);
    let m = await f.evidence.getMilestone(id, 0);
    expect([m.claim, m.released]).to.deep.equal([1n, false]);
    expect(m.claimEnds).to.not.equal(0n);
    expect((await f.evidence.getProgress(id)).pendingClaims).to.equal(1n);
    await time.increaseTo(m.claimEnds);
    await f.evidence.finalizeClaim(id, 0);
    m = await f.evidence.getMilestone(id, 0);
    expect([m.claim, m.claimEnds, m.released]).to.deep.equal([0n, 0n, true]);
    expect((await f.evidence.getProgress(id)).pendingClaims).to.equal(0n);
    expect((await f.escrow.getOrder(id)).state).to.equal(BigInt(OrderState.Completed));
  });

  it("a ruling marks the dispute resolved", async function () {
    const f = await loadFixture(maintenance);
    const optimistic = policy({
      useDevice: false,
      cmp: Comparator.None,
      optimistic: true,
      arbiter: f.arbiter.address,
      challengeWindow: DAY,
      disputeTimeout: DAY,
      defaultRuling: Ruling.Payer,
    });
    const { id } = await order(f, { deviceId: 0n, policy: optimistic });
    await f.evidence.connect(f.provider).claimMilestone(id, 0);
    const disputeId = await f.evidence.connect(f.payer).challenge.staticCall(id, 0);
    await f.evidence.connect(f.payer).challenge(id, 0);
    expect((await f.disputes.getDispute(disputeId)).resolved).to.equal(false);
    await f.disputes.connect(f.arbiter).rule(disputeId, Ruling.Payer);
    expect((await f.disputes.getDispute(disputeId)).resolved).to.equal(true);
    const m = await f.evidence.getMilestone(id, 0);
    expect([m.claim, m.claimEnds, m.released]).to.deep.equal([0n, 0n, false]);
  });

  it("claim zeroes the caller's claimable balance; returnToReserve zeroes the reserve credit", async function () {
    const f = await loadFixture(maintenance);
    const t = await f.token.getAddress();
    const { id, args } = await order(f, { slashTo: 1 });
    await time.increaseTo(args.completeBy + 1);
    await f.escrow.expire(id); // budget refunded to the payer, bond slashed to the reserve
    expect(await f.custody.claimable(f.payer.address, ASSET, t)).to.equal(BUDGET);
    expect(await f.custody.reserveCredit(ASSET, t)).to.equal(BOND);
    await f.custody.connect(f.payer).claim(ASSET, t, f.payer.address);
    expect(await f.custody.claimable(f.payer.address, ASSET, t)).to.equal(0n);
    await f.custody.returnToReserve(ASSET, t);
    expect(await f.custody.reserveCredit(ASSET, t)).to.equal(0n);
  });
});
