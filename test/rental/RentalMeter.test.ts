/**
 * RentalMeter, the rental escrow's third creation: which live agreement bills each meter (device, kind), each
 * agreement's mark and units. Its billing rule is exercised through the escrow in RentalEscrow.*.test.ts,
 * test/attacks/metering.test.ts and the MeteringInvariant; here: who may write it, and what it keeps.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { SubjectKind } from "../../client/src/eip712/rental.js";
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
  DEPOSIT,
} from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

/** A metered asset rental opened Active, its baseline the reading (counter 3, odometer 50) signed at its start. */
async function metered() {
  const f = await deployRental(ethers);
  const offerId = await publish(f.market, f.agent, meterTerms());
  const start = BigInt(await time.latest()) + 10n;
  await f.devices.setReading(DEVICE_ID, METER_KIND, 3, start, 50);
  await time.setNextBlockTimestamp(start);
  await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT });
  const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
  return { ...f, id, offerId };
}

describe("RentalMeter", function () {
  it("is created by its escrow and names it and the escrow's device registry", async function () {
    const f = await loadFixture(metered);
    expect(await f.meter.escrow()).to.equal(f.escrowAddress);
    expect(await f.meter.deviceRegistry()).to.equal(await f.devices.getAddress());
  });

  it("refuses every write from anyone but its escrow (the market, the renter, the owner) and changes nothing", async function () {
    const f = await loadFixture(metered);
    const before = await f.meter.meterOf(f.id);
    for (const caller of [f.renter, f.agent, f.other, f.governance]) {
      const m = f.meter.connect(caller);
      for (const call of [
        m.hold(ethers.ZeroHash, FREE_DEVICE_ID, METER_KIND, true),
        m.start(f.id, DEVICE_ID, METER_KIND),
        m.release(DEVICE_ID, METER_KIND),
        m.settle(f.id, DEVICE_ID, METER_KIND, [100n, 3600n], 0n, 2n ** 40n, false),
      ]) {
        await expect(call).to.be.revertedWithCustomError(f.meter, "NotEscrow").withArgs(caller.address);
      }
    }
    // The market (the escrow's only opener) is a stranger to the meter too.
    await ethers.provider.send("hardhat_setBalance", [f.marketAddress, "0xde0b6b3a7640000"]);
    const market = await ethers.getImpersonatedSigner(f.marketAddress);
    await expect(f.meter.connect(market).release(DEVICE_ID, METER_KIND))
      .to.be.revertedWithCustomError(f.meter, "NotEscrow")
      .withArgs(f.marketAddress);
    expect(await f.meter.holderOf(DEVICE_ID, METER_KIND)).to.equal(f.id);
    expect(await f.meter.meterOf(f.id)).to.deep.equal(before);
  });

  it("holds a meter from the opening to the settlement; the agreement's mark and units stay readable after", async function () {
    const f = await loadFixture(metered);
    expect(await f.meter.holderOf(DEVICE_ID, METER_KIND)).to.equal(f.id);
    expect(await f.meter.holderOf(DEVICE_ID, METER_KIND + 1)).to.equal(ethers.ZeroHash); // another kind: free
    const start = (await f.escrow.agreementOf(f.id)).start;
    let m = await f.meter.meterOf(f.id);
    expect([m.counter, m.odometer, m.time, m.units, m.billed]).to.deep.equal([3n, 50n, start, 0n, 0n]);
    // 150 units in the first half hour: the cap allows 50 by then (100 per hour), 100 carried.
    await time.setNextBlockTimestamp(start + 1800n);
    await f.devices.pushReading(DEVICE_ID, METER_KIND, 4, 150); // 150 units: odometer 200
    await expect(f.escrow.settleMetered(f.id))
      .to.emit(f.escrow, "MeterSettled")
      .withArgs(f.id, 4, 200, 150, 50, 100, 50n * GWEI);
    m = await f.meter.meterOf(f.id);
    expect([m.counter, m.odometer, m.time, m.units, m.billed]).to.deep.equal([4n, 200n, start + 1800n, 150n, 50n]);
    // A later reading with no new units: the final settlement bills the 100 carried as the cap has grown.
    await time.setNextBlockTimestamp(start + 7200n);
    await f.devices.pushReading(DEVICE_ID, METER_KIND, 5, 0);
    await time.increaseTo(start + DAY);
    await expect(f.escrow.settle(f.id))
      .to.emit(f.escrow, "MeterSettled")
      .withArgs(f.id, 5, 200, 0, 100, 0, 100n * GWEI);
    expect(await f.meter.holderOf(DEVICE_ID, METER_KIND)).to.equal(ethers.ZeroHash);
    // Released, not erased: the agreement's final mark and units stay readable.
    m = await f.meter.meterOf(f.id);
    expect([m.counter, m.odometer, m.units, m.billed]).to.deep.equal([5n, 200n, 150n, 150n]);
    // The next agreement on the meter starts from its own baseline.
    await f.market.connect(f.renter).rent(f.offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT });
    const next = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 1);
    expect(await f.meter.holderOf(DEVICE_ID, METER_KIND)).to.equal(next);
    m = await f.meter.meterOf(next);
    expect([m.counter, m.odometer, m.units, m.billed]).to.deep.equal([5n, 200n, 0n, 0n]);
  });

  it("a reservation holds the meter without a baseline until activation; a declined one frees it", async function () {
    const f = await deployRental(ethers);
    const offerId = await publish(f.market, f.agent, meterTerms({ activationWindow: 600 }));
    await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    expect(await f.meter.holderOf(DEVICE_ID, METER_KIND)).to.equal(id);
    expect((await f.meter.meterOf(id)).counter).to.equal(0);
    await f.escrow.connect(f.agent).decline(id);
    expect(await f.meter.holderOf(DEVICE_ID, METER_KIND)).to.equal(ethers.ZeroHash);
  });

  it("an unmetered agreement never touches the meter", async function () {
    const f = await deployRental(ethers);
    const offerId = await publish(f.market, f.agent, assetTerms());
    await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    expect(await f.meter.holderOf(DEVICE_ID, METER_KIND)).to.equal(ethers.ZeroHash);
    await expect(f.escrow.settleMetered(id)).to.be.revertedWithCustomError(f.escrow, "NotMetered").withArgs(id);
  });
});
