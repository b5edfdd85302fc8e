import { expect } from "chai";
import { network } from "hardhat";
import { buildOffer, RentalState, signOffer, SubjectKind, ZERO_ADDRESS } from "../../client/src/eip712/rental.js";
import {
  assetTerms,
  ASSET_ID,
  deployRental,
  DEVICE_ID,
  METER_KIND,
  meterTerms,
  publish,
  GWEI,
  DAY,
  DEPOSIT,
} from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function base() {
  return deployRental(ethers);
}

describe("RentalEscrow: edges", function () {
  it("refuses invalid signed terms when they are first stored by a fill", async function () {
    const f = await loadFixture(base);
    const expiry = BigInt(await time.latest()) + DAY;
    for (const terms of [assetTerms({ subjectId: 0n }), assetTerms({ subjectKind: 3 })]) {
      const offer = buildOffer(terms, f.agent.address, { expiry });
      const sig = await signOffer(f.agent, f.chainId, f.marketAddress, offer);
      await expect(f.market.connect(f.renter).rentWithSignature(offer, sig, DAY, DAY * GWEI, { value: 1 }))
        .to.be.revertedWithCustomError(f.escrow, "InvalidTerms")
        .withArgs(0);
    }
  });

  it("refuses meter terms whose worst-case charge exceeds the protocol's amount bound", async function () {
    const f = await loadFixture(base);
    await expect(f.market.connect(f.agent).publishOffer(meterTerms({ pricePerUnit: 2n ** 90n })))
      .to.be.revertedWithCustomError(f.escrow, "InvalidTerms")
      .withArgs(5);
  });

  it("reports no user, no expiry and no default when nothing is in use", async function () {
    const f = await loadFixture(base);
    expect((await f.escrow.assetUserOf(ASSET_ID)).user).to.equal(ZERO_ADDRESS);
    expect((await f.escrow.assetUserOf(ASSET_ID)).expires).to.equal(0);
    const offerId = await publish(f.market, f.agent, meterTerms({ activationWindow: 600, pricePerSecond: 0n }));
    await f.market.connect(f.renter).rent(offerId, DAY, GWEI, { value: GWEI + DEPOSIT });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    expect((await f.escrow.assetUserOf(ASSET_ID)).expires).to.equal(0); // reserved, not in use
    expect(await f.escrow.inDefault(id)).to.equal(false);
    await f.devices.pushReading(DEVICE_ID, METER_KIND, 4, 9); // before activation: never billed
    await f.escrow.connect(f.agent).activate(id);
    const m = await f.meter.meterOf(id);
    expect(m.counter).to.equal(4);
    expect(m.odometer).to.equal(9);
    // Metered only, no charge yet: never in arrears.
    expect(await f.escrow.inDefault(id)).to.equal(false);
    expect((await f.escrow.assetUserOf(ASSET_ID)).user).to.equal(f.renter.address);
  });

  it("settles even when the meter cannot be read any more, billing no units", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(f.market, f.agent, meterTerms());
    await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    await f.devices.setFailReadings(true);
    await time.increase(DAY);
    await expect(f.escrow.settle(id)).to.not.emit(f.escrow, "MeterSettled");
    expect(await f.escrow.stateOf(id)).to.equal(RentalState.Settling);
  });

  it("settles an asset rental even when the asset registry refuses to release the lease", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(f.market, f.agent, assetTerms());
    await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT });
    await f.assets.setRefuseLeaseRelease(true);
    await time.increase(DAY);
    await expect(f.escrow.settle(await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0)))
      .to.emit(f.escrow, "LeaseReleaseFailed")
      .withArgs(SubjectKind.Asset, ASSET_ID);
  });

  it("lets only the owner waive a claim", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(f.market, f.agent, assetTerms());
    await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    await time.increase(DAY);
    await f.escrow.settle(id);
    await expect(f.claims.connect(f.renter).waiveClaim(id))
      .to.be.revertedWithCustomError(f.escrow, "NotOwner")
      .withArgs(f.renter.address);
  });

  it("lets governance move fees to a new recipient and disputes to a new default arbiter", async function () {
    const f = await loadFixture(base);
    await expect(f.market.connect(f.governance).setFeeRecipient(f.other.address))
      .to.emit(f.market, "FeeRecipientSet")
      .withArgs(f.other.address);
    await expect(f.market.connect(f.governance).setDefaultArbiter(ZERO_ADDRESS)).to.be.revertedWithCustomError(
      f.escrow,
      "ZeroAddress",
    );
    await expect(f.market.connect(f.governance).setDefaultArbiter(f.other.address))
      .to.emit(f.market, "DefaultArbiterSet")
      .withArgs(f.other.address);
    const offerId = await publish(f.market, f.agent, assetTerms());
    await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    await time.increase(DAY);
    await f.escrow.settle(id);
    expect(await f.custody.claimable(f.other.address, ASSET_ID, ZERO_ADDRESS)).to.be.greaterThan(0);
    await f.claims.connect(f.agent).claimDamage(id, 1, ethers.ZeroHash);
    await f.claims.connect(f.renter).disputeClaim(id);
    expect((await f.disputes.getDispute(await f.claims.disputeIdOf(id))).arbiter).to.equal(f.other.address);
  });
});
