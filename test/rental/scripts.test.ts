import { expect } from "chai";
import { network } from "hardhat";
import { RentalState, SubjectKind, ZERO_ADDRESS } from "../../client/src/eip712/rental.js";
import * as rental from "../../scripts/operator/rental/lib.js";
import { assetTerms, ASSET_ID, deployRental, DEVICE_ID, METER_KIND, GWEI, DAY } from "./fixture.js";
import { asAddress } from "../../client/src/types.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function base() {
  return deployRental(ethers);
}

describe("Rental scripts (against the test doubles)", function () {
  it("run an ERC-20 rental end to end: publish, rent, pay a period, meter, settle, claim, withdraw", async function () {
    const f = await loadFixture(base);
    const terms = assetTerms({
      token: asAddress(await f.token.getAddress()),
      pricePerUnit: GWEI,
      meterDeviceId: DEVICE_ID,
      meterKind: METER_KIND,
      meterPeriod: 3600,
      maxUnitsPerPeriod: 1000n,
    });
    const offerId = await rental.publishTerms(f.market, f.agent, terms);
    const id = await rental.rentOffer(f.market, f.renter, offerId, DAY, DAY * GWEI);
    expect(await f.escrow.stateOf(id)).to.equal(RentalState.Active);
    await rental.payPeriod(f.escrow, f.renter, id, 3600n);
    await f.devices.setReading(DEVICE_ID, METER_KIND, 1, (await f.escrow.agreementOf(id)).start, 0); // baseline
    await f.escrow.settleMetered(id);
    await f.devices.pushReading(DEVICE_ID, METER_KIND, 2, 10);
    await time.increase(3600);
    await rental.settleMetered(f.escrow, f.agent, id);
    await rental.collect(f.escrow, f.other, id);
    await time.increase(DAY);
    await rental.settle(f.escrow, f.other, id);
    await rental.claimDamage(f.escrow, f.agent, id, 1000n, ethers.id("scratch"));
    await rental.disputeClaim(f.escrow, f.renter, id);
    await time.increase(DAY + 1n);
    await rental.resolveByTimeout(f.escrow, f.other, id);
    expect(await f.escrow.stateOf(id)).to.equal(RentalState.Closed);
    const token = await f.token.getAddress();
    expect(await rental.withdraw(f.escrow, f.renter, ASSET_ID, token)).to.be.greaterThan(0n);
    expect(await rental.withdraw(f.escrow, f.renter, ASSET_ID, token)).to.equal(0n);
  });

  it("sign an offer as the owner and fill it as a renter, then terminate early", async function () {
    const f = await loadFixture(base);
    const expiry = BigInt(await time.latest()) + DAY;
    const signed = await rental.signTerms(f.market, f.agent, assetTerms(), { expiry, nonce: 1n });
    const id = await rental.rentSigned(f.market, f.renter, signed, DAY, DAY * GWEI);
    expect(id).to.equal(await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0));
    await time.increase(7200);
    await rental.terminateEarly(f.escrow, f.renter, id);
    expect(await f.escrow.stateOf(id)).to.equal(RentalState.Settling);
    await rental.claimDamage(f.escrow, f.agent, id, 10n, ethers.ZeroHash);
    await rental.acceptClaim(f.escrow, f.renter, id);
    expect(await rental.withdraw(f.escrow, f.renter, ASSET_ID, ZERO_ADDRESS)).to.be.greaterThan(0n);
  });

  it("explain a refusal by its custom error name, and refuse an expired signed offer before sending", async function () {
    const f = await loadFixture(base);
    const offerId = await rental.publishTerms(f.market, f.agent, assetTerms());
    let message = "";
    try {
      await f.market.connect(f.renter).rent(offerId, 1n, DAY * GWEI, { value: DAY * GWEI });
    } catch (err) {
      message = rental.explain(f.escrow, err);
    }
    expect(message).to.match(/^DurationOutOfRange\(1, 3600, 2592000\)$/);
    const signed = await rental.signTerms(f.market, f.agent, assetTerms(), { expiry: 1n, nonce: 0n });
    let refused: unknown;
    try {
      await rental.rentSigned(f.market, f.renter, signed, DAY, DAY * GWEI);
    } catch (err) {
      refused = err;
    }
    expect(refused).to.be.instanceOf(rental.UserError);
  });

  it("top up, activate a reservation and mark a default", async function () {
    const f = await loadFixture(base);
    const offerId = await rental.publishTerms(f.market, f.agent, assetTerms({ activationWindow: 3600 }));
    const id = await rental.rentOffer(f.market, f.renter, offerId, DAY, 3600n * GWEI);
    await rental.activate(f.escrow, f.agent, id);
    await rental.topUp(f.escrow, f.other, id, 10n);
    await time.increase(3n * 3600n);
    await rental.markDefault(f.escrow, f.other, id);
    expect((await f.escrow.agreementOf(id)).endReason).to.equal(3n);
  });
});
