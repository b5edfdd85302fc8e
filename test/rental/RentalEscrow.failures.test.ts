import { expect } from "chai";
import { network } from "hardhat";
import {
  buildOffer,
  RentalClaimStatus,
  RentalState,
  signOffer,
  SubjectKind,
  ZERO_ADDRESS,
} from "../../client/src/eip712/rental.js";
import {
  assetTerms,
  ASSET_ID,
  deployRental,
  DEVICE_ID,
  FREE_DEVICE_ID,
  METER_KIND,
  meterTerms,
  publish,
  GWEI,
  DAY,
  HOUR,
  DEPOSIT,
} from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

type F = Awaited<ReturnType<typeof deployRental>>;

async function deployed() {
  return deployRental(ethers);
}

async function activeEth() {
  const f = await deployRental(ethers);
  const offerId = await publish(f.market, f.agent, assetTerms());
  await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT });
  const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
  return { ...f, offerId, id };
}

async function settlingEth() {
  const f = await activeEth();
  await time.increase(DAY);
  await f.escrow.settle(f.id);
  return f;
}

async function reservedEth() {
  const f = await deployRental(ethers);
  const offerId = await publish(f.market, f.agent, assetTerms({ activationWindow: 3600 }));
  await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT });
  const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
  return { ...f, offerId, id };
}

async function snapshot(f: F, id: string) {
  return {
    agreement: (await f.escrow.agreementOf(id)).toString(),
    eth: await ethers.provider.getBalance(f.escrowAddress),
    live: await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID),
    lease: await f.assets.leasedUntil(ASSET_ID),
    renter: await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS),
    paid: await f.distributor.deposited(ASSET_ID, ZERO_ADDRESS),
  };
}

/** Asserts `call` reverts with WrongState(id, state) and leaves everything as it was. */
async function refusedInState(f: F & { id: string }, call: () => Promise<unknown>, state: number) {
  const before = await snapshot(f, f.id);
  await expect(call()).to.be.revertedWithCustomError(f.escrow, "WrongState").withArgs(f.id, state);
  expect(await snapshot(f, f.id)).to.deep.equal(before);
}

/** A claim call refused for the claim's status (RentalClaims), changing nothing on the escrow or the claim. */
async function refusedForClaim(f: F & { id: string }, call: () => Promise<unknown>, status: number) {
  const before = [await snapshot(f, f.id), await f.claims.claimOf(f.id)];
  await expect(call()).to.be.revertedWithCustomError(f.claims, "WrongClaimStatus").withArgs(f.id, status);
  expect([await snapshot(f, f.id), await f.claims.claimOf(f.id)]).to.deep.equal(before);
}

/** Metered-only asset terms: 1 gwei per unit, at most 1000 units a minute, the given grace period. */
const meteredOnlyTerms = (gracePeriod: number) =>
  meterTerms({ pricePerSecond: 0n, meterPeriod: 60, maxUnitsPerPeriod: 1000n, gracePeriod });

describe("RentalEscrow: every transition refuses the wrong state and changes nothing", function () {
  it("in Reserved: no metering, collecting, ending, settling, claiming or finalizing", async function () {
    const f = await loadFixture(reservedEth);
    const S = RentalState.Reserved;
    await refusedInState(f, () => f.escrow.settleMetered(f.id), S);
    await refusedInState(f, () => f.escrow.collect(f.id), S);
    await refusedInState(f, () => f.escrow.connect(f.renter).terminateEarly(f.id), S);
    await refusedInState(f, () => f.escrow.markDefault(f.id), S);
    await refusedInState(f, () => f.escrow.settle(f.id), S);
    await refusedInState(f, () => f.claims.connect(f.agent).claimDamage(f.id, 1, ethers.ZeroHash), S);
    await refusedInState(f, () => f.claims.finalize(f.id), S);
  });

  it("in Active: no activation, reservation exit, claim, acceptance, dispute, ruling or finalizing", async function () {
    const f = await loadFixture(activeEth);
    const S = RentalState.Active;
    await refusedInState(f, () => f.escrow.connect(f.agent).activate(f.id), S);
    await refusedInState(f, () => f.escrow.connect(f.agent).decline(f.id), S);
    await refusedInState(f, () => f.escrow.cancelReservation(f.id), S);
    await refusedInState(f, () => f.claims.connect(f.agent).claimDamage(f.id, 1, ethers.ZeroHash), S);
    await refusedInState(f, () => f.claims.connect(f.agent).waiveClaim(f.id), S);
    // No claim can exist outside Settling: accepting or disputing finds none.
    await refusedForClaim(f, () => f.claims.connect(f.renter).acceptClaim(f.id), RentalClaimStatus.None);
    await refusedForClaim(f, () => f.claims.connect(f.renter).disputeClaim(f.id), RentalClaimStatus.None);
    await refusedInState(f, () => f.claims.finalize(f.id), S);
  });

  it("in Settling: no top-up, metering, collecting, ending again, default or second claim", async function () {
    const f = await loadFixture(settlingEth);
    const S = RentalState.Settling;
    await refusedInState(f, () => f.escrow.topUp(f.id, 1, { value: 1 }), S);
    await refusedInState(f, () => f.escrow.collect(f.id), S);
    await refusedInState(f, () => f.escrow.settle(f.id), S);
    await refusedInState(f, () => f.escrow.markDefault(f.id), S);
    await refusedInState(f, () => f.escrow.connect(f.renter).terminateEarly(f.id), S);
    await refusedForClaim(f, () => f.claims.connect(f.renter).acceptClaim(f.id), RentalClaimStatus.None);
    await f.claims.connect(f.agent).claimDamage(f.id, 5, ethers.ZeroHash);
    await refusedForClaim(
      f,
      () => f.claims.connect(f.agent).claimDamage(f.id, 5, ethers.ZeroHash),
      RentalClaimStatus.Pending,
    );
  });

  it("in Closed: nothing moves, and unknown agreements read as None", async function () {
    const f = await loadFixture(settlingEth);
    await time.increase(DAY + 1n);
    await f.claims.finalize(f.id);
    const S = RentalState.Closed;
    await refusedInState(f, () => f.claims.finalize(f.id), S);
    await refusedInState(f, () => f.escrow.topUp(f.id, 1, { value: 1 }), S);
    await refusedInState(f, () => f.claims.connect(f.agent).waiveClaim(f.id), S);
    const unknown = ethers.id("nothing");
    await expect(f.escrow.payPeriod(unknown, 1))
      .to.be.revertedWithCustomError(f.escrow, "WrongState")
      .withArgs(unknown, 0);
    expect(await f.escrow.stateOf(unknown)).to.equal(RentalState.None);
  });
});

describe("RentalEscrow: access control and bad input", function () {
  it("lets no one but the renter accept or dispute, and no one but the arbiter rule", async function () {
    const f = await loadFixture(settlingEth);
    await f.claims.connect(f.agent).claimDamage(f.id, 5, ethers.ZeroHash);
    await expect(f.claims.connect(f.agent).disputeClaim(f.id))
      .to.be.revertedWithCustomError(f.escrow, "NotRenter")
      .withArgs(f.agent.address);
    await f.claims.connect(f.renter).disputeClaim(f.id);
    const disputeId = await f.claims.disputeIdOf(f.id);
    await expect(f.disputes.connect(f.agent).rule(disputeId, 1))
      .to.be.revertedWithCustomError(f.disputes, "NotArbiter")
      .withArgs(f.agent.address);
    await expect(f.claims.connect(f.agent).rule(disputeId, 1))
      .to.be.revertedWithCustomError(f.claims, "NotDisputeModule")
      .withArgs(f.agent.address);
    await expect(f.claims.connect(f.agent).finalize(f.id))
      .to.be.revertedWithCustomError(f.claims, "WrongClaimStatus")
      .withArgs(f.id, RentalClaimStatus.Disputed);
    await f.disputes.connect(f.arbiter).rule(disputeId, 1);
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(DEPOSIT - 5n);
  });

  it("refuses a signature by anyone but the offer's owner", async function () {
    const f = await loadFixture(activeEth);
    const offer = buildOffer(assetTerms({ deposit: 1n }), f.agent.address, {
      expiry: BigInt(await time.latest()) + DAY,
    });
    const sig = await signOffer(f.other, f.chainId, f.marketAddress, offer);
    await expect(
      f.market.connect(f.renter).rentWithSignature(offer, sig, DAY, DAY * GWEI, { value: DAY * GWEI + 1n }),
    ).to.be.revertedWithCustomError(f.escrow, "InvalidSignature");
  });

  it("refuses cancelling a nonce twice and withdrawing to the zero address", async function () {
    const f = await loadFixture(activeEth);
    await f.market.connect(f.agent).cancelNonce(1);
    await expect(f.market.connect(f.agent).cancelNonce(1))
      .to.be.revertedWithCustomError(f.escrow, "OfferNonceCancelled")
      .withArgs(f.agent.address, 1);
    await expect(f.custody.withdrawTo(ASSET_ID, ZERO_ADDRESS, ZERO_ADDRESS)).to.be.revertedWithCustomError(
      f.escrow,
      "ZeroAddress",
    );
  });

  it("refuses a device meter other than the rented device, and a device that is not active", async function () {
    const f = await loadFixture(activeEth);
    const meterElsewhere = assetTerms({
      subjectKind: SubjectKind.Device,
      subjectId: FREE_DEVICE_ID,
      pricePerUnit: 1n,
      meterDeviceId: DEVICE_ID,
      meterPeriod: 60,
      maxUnitsPerPeriod: 1n,
    });
    await expect(f.market.connect(f.deviceOwner).publishOffer(meterElsewhere))
      .to.be.revertedWithCustomError(f.escrow, "MeterNotOfSubject")
      .withArgs(DEVICE_ID);
    const offerId = await publish(
      f.market,
      f.deviceOwner,
      assetTerms({ subjectKind: SubjectKind.Device, subjectId: FREE_DEVICE_ID }),
    );
    await f.devices.setStatus(FREE_DEVICE_ID, 2);
    await expect(f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT }))
      .to.be.revertedWithCustomError(f.escrow, "SubjectNotRentable")
      .withArgs(SubjectKind.Device, FREE_DEVICE_ID);
  });

  it("refuses a zero market, registry or distributor at deployment", async function () {
    const f = await loadFixture(activeEth);
    const [assets, devices, distributor] = [
      await f.assets.getAddress(),
      await f.devices.getAddress(),
      await f.distributor.getAddress(),
    ];
    const disputes = await f.disputes.getAddress();
    const market = f.marketAddress;
    const factory = await ethers.getContractFactory("RentalEscrow");
    for (const bad of [
      factory.deploy(ZERO_ADDRESS, assets, devices, distributor, disputes),
      factory.deploy(market, ZERO_ADDRESS, devices, distributor, disputes),
      factory.deploy(market, assets, ZERO_ADDRESS, distributor, disputes),
      factory.deploy(market, assets, devices, ZERO_ADDRESS, disputes),
    ]) {
      await expect(bad).to.be.revertedWithCustomError(factory, "ZeroAddress");
    }
    // RentalClaims refuses a zero dispute module (the escrow creates it in its constructor).
    await expect(factory.deploy(market, assets, devices, distributor, ZERO_ADDRESS)).to.be.revertedWithCustomError(
      factory,
      "ZeroAddress",
    );
    // A valid deployment creates its custody, claims and meter at the addresses it derives, each naming it.
    const escrow = await factory.deploy(market, assets, devices, distributor, disputes);
    const meter = await ethers.getContractAt("RentalMeter", await escrow.meter());
    const claims = await ethers.getContractAt("RentalClaims", await escrow.claims());
    const custody = await ethers.getContractAt("RentalCustody", await escrow.custody());
    for (const created of [meter, claims, custody]) {
      expect(await created.escrow()).to.equal(await escrow.getAddress());
    }
    expect(await meter.deviceRegistry()).to.equal(devices);
  });
});

describe("RentalEscrow: money edge cases", function () {
  it("keeps the protocol fee snapshotted at opening when governance changes it later", async function () {
    const f = await loadFixture(activeEth);
    await f.market.connect(f.governance).setProtocolFee(1000);
    await time.increase(DAY);
    await f.escrow.settle(f.id);
    expect(await f.custody.claimable(f.feeRecipient.address, ASSET_ID, ZERO_ADDRESS)).to.equal(
      (DAY * GWEI * 250n) / 10_000n,
    );
  });

  it("records bad debt beyond the deposit and closes at once", async function () {
    const f = await loadFixture(activeEth);
    const offerId = await publish(
      f.market,
      f.agent,
      assetTerms({ subjectId: ASSET_ID, deposit: 1000n, gracePeriod: 0 }),
    );
    await f.market.connect(f.governance).setTokenAllowed(ZERO_ADDRESS, true);
    await time.increase(DAY);
    await f.escrow.settle(f.id);
    await f.market.connect(f.other).rent(offerId, DAY, HOUR * GWEI, { value: HOUR * GWEI + 1000n });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 1);
    await time.increase(2n * HOUR);
    await expect(f.escrow.markDefault(id)).to.emit(f.escrow, "Settled");
    const a = await f.escrow.agreementOf(id);
    expect(a.depositHeld).to.equal(0);
    expect(await f.escrow.stateOf(id)).to.equal(RentalState.Closed);
  });

  it("lets a metered-only agreement default when the meter's charges exceed the credit", async function () {
    const f = await loadFixture(activeEth);
    await time.increase(DAY);
    await f.escrow.settle(f.id);
    const terms = meteredOnlyTerms(60);
    const offerId = await publish(f.market, f.agent, terms);
    await f.market.connect(f.renter).rent(offerId, DAY, 10n * GWEI, { value: 10n * GWEI + DEPOSIT });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 1);
    const { start } = await f.escrow.agreementOf(id);
    await f.devices.setReading(DEVICE_ID, METER_KIND, 1, start, 0); // the meter's baseline
    await f.escrow.settleMetered(id);
    await time.increase(600);
    await f.devices.pushReading(DEVICE_ID, METER_KIND, 2, 50);
    await f.escrow.settleMetered(id);
    expect((await f.escrow.agreementOf(id)).debt).to.equal(40n * GWEI);
    await expect(f.escrow.markDefault(id)).to.be.revertedWithCustomError(f.escrow, "NotInDefault");
    await time.increase(61);
    await f.escrow.markDefault(id);
    expect((await f.escrow.agreementOf(id)).depositHeld).to.equal(DEPOSIT - 40n * GWEI);
  });

  it("keeps the first metered shortfall's arrears start when a second shortfall adds to the debt", async function () {
    const f = await loadFixture(deployed);
    const terms = meteredOnlyTerms(3600);
    const offerId = await publish(f.market, f.agent, terms);
    await f.market.connect(f.renter).rent(offerId, DAY, 10n * GWEI, { value: 10n * GWEI + DEPOSIT });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    const { start } = await f.escrow.agreementOf(id);
    await f.devices.setReading(DEVICE_ID, METER_KIND, 1, start, 0); // the meter's baseline
    await f.escrow.settleMetered(id);

    // First shortfall: 50 units of 1 gwei against 10 gwei of credit.
    await f.devices.setReading(DEVICE_ID, METER_KIND, 2, start + 600n, 50);
    await time.setNextBlockTimestamp(start + 600n);
    await expect(f.escrow.settleMetered(id))
      .to.emit(f.escrow, "MeterSettled")
      .withArgs(id, 2, 50, 50, 50, 0, 50n * GWEI);
    let a = await f.escrow.agreementOf(id);
    expect(a.arrearsSince).to.equal(start + 600n);
    expect(a.debt).to.equal(40n * GWEI);
    expect(a.credit).to.equal(0);
    expect(a.earned).to.equal(10n * GWEI);

    // Second shortfall while the debt is still open: 30 more units, no credit left.
    await f.devices.setReading(DEVICE_ID, METER_KIND, 3, start + 1200n, 30);
    await time.setNextBlockTimestamp(start + 1200n);
    await expect(f.escrow.settleMetered(id))
      .to.emit(f.escrow, "MeterSettled")
      .withArgs(id, 3, 80, 30, 30, 0, 30n * GWEI);
    a = await f.escrow.agreementOf(id);
    expect(a.arrearsSince).to.equal(start + 600n); // not moved to the second shortfall (start + 1200)
    expect(a.debt).to.equal(70n * GWEI);
    expect(a.credit).to.equal(0);
    expect(a.earned).to.equal(10n * GWEI);
    expect((await f.meter.meterOf(id)).time).to.equal(start + 1200n);

    // The grace period runs from the first shortfall.
    await time.setNextBlockTimestamp(start + 600n + 3600n - 1n);
    await expect(f.escrow.markDefault(id)).to.be.revertedWithCustomError(f.escrow, "NotInDefault").withArgs(id);
    await time.setNextBlockTimestamp(start + 600n + 3600n);
    await expect(f.escrow.connect(f.other).markDefault(id))
      .to.emit(f.escrow, "Defaulted")
      .withArgs(id, start + 600n, 70n * GWEI);
    expect((await f.escrow.agreementOf(id)).depositHeld).to.equal(DEPOSIT - 70n * GWEI);
  });

  it("adds a top-up made during a reservation to the credit", async function () {
    const f = await loadFixture(reservedEth);
    await f.escrow.connect(f.other).topUp(f.id, 7n, { value: 7n });
    expect((await f.escrow.agreementOf(f.id)).credit).to.equal(DAY * GWEI + 7n);
    await expect(f.escrow.topUp(f.id, 7n, { value: 6n }))
      .to.be.revertedWithCustomError(f.escrow, "WrongEthAmount")
      .withArgs(7n, 6n);
  });
});
