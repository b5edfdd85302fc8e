/**
 * Attack class: metered money dropped, overbilled or double-counted (issue 12, findings 1 and 2).
 *
 * The real suite (world.ts): the asset's secp256k1 device is the meter of an ETH rental of the asset,
 * 1 gwei per unit, no time rent. Readings are signed by the device with its odometer (running total)
 * and relayed by anyone. Each test asserts the units billed and the exact money: what the renter paid,
 * what was refunded, what reached the holders.
 *
 * The rule (SECURITY.md, "Metering"): a bill is the odometer advance between readings, counting only
 * the part of each interval that lies within the term (pro rata at its edges), capped cumulatively at
 * maxUnitsPerPeriod per meterPeriod of elapsed term; units above the cap are carried, never discarded.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { id } from "ethers";
import { attestationMessage, deviceDigest, type Attestation } from "../../client/src/eip712/devices.js";
import { RentalState, SubjectKind } from "../../client/src/eip712/rental.js";
import { DAY, GWEI, deployWorld, ethTerms, type World } from "./world.js";

const { ethers, networkHelpers } = await network.connect();
const { loadFixture, time } = networkHelpers;

const KWH = 7;
const HOUR = 3600;
const PRICE = GWEI; // per unit

async function world() {
  return deployWorld(ethers);
}

/** The device signs a reading with `odometer`, signed `at` (default: now). Nothing is relayed. */
async function reading(w: World, counter: bigint, odometer: bigint, at?: number) {
  const att = attestationMessage({
    deviceId: w.device.deviceId,
    kind: KWH,
    value: 0,
    odometer,
    payloadHash: id(`r${counter}`),
    counter,
    timestamp: at ?? (await time.latest()),
  });
  return { att, sig: await w.device.signDigest(deviceDigest(w.ctx.domain, "Attestation", att)) };
}

async function relay(w: World, ...rs: { att: Attestation; sig: string }[]) {
  await w.devices.connect(w.outsider).attestBatch(
    rs.map((r) => r.att),
    rs.map((r) => r.sig),
  );
}

/** A metered-only rental of the world's asset for `duration`, prepaying `credit` wei. */
async function meteredRental(w: World, opts: { maxUnitsPerPeriod?: bigint; credit?: bigint; duration?: number } = {}) {
  const terms = ethTerms(w.assetId, {
    meterDeviceId: w.device.deviceId,
    meterKind: KWH,
    meterPeriod: HOUR,
    pricePerSecond: 0n,
    pricePerUnit: PRICE,
    maxUnitsPerPeriod: opts.maxUnitsPerPeriod ?? 1_000_000n,
    deposit: 0n,
  });
  const offerId = await w.rentalMarket.connect(w.agent).publishOffer.staticCall(terms);
  await w.rentalMarket.connect(w.agent).publishOffer(terms);
  const credit = opts.credit ?? 1_000_000n * GWEI;
  const duration = BigInt(opts.duration ?? DAY);
  const agreementId = await w.rentalMarket
    .connect(w.carol)
    .rent.staticCall(offerId, duration, credit, { value: credit });
  await w.rentalMarket.connect(w.carol).rent(offerId, duration, credit, { value: credit });
  const a = await w.rental.agreementOf(agreementId);
  return { id: agreementId, start: Number(a.start), end: Number(a.end), credit };
}

/** The meter's baseline: a reading signed at the rental's start, settled (it bills nothing). */
async function startMeter(w: World, r: { id: string; start: number }, counter: bigint, odometer: bigint) {
  await relay(w, await reading(w, counter, odometer, r.start));
  await w.rental.connect(w.outsider).settleMetered(r.id);
}

/** Units billed and measured within the term (the agreement's meter in RentalMeter), also after settlement. */
async function meter(w: World, id: string) {
  const m = await w.rentalMeter.meterOf(id);
  return { units: m.billed, measured: m.units };
}

/** Units billed so far (the agreement's meter) and the money it moved (before settlement). */
async function billed(w: World, id: string) {
  const [m, a] = await Promise.all([w.rentalMeter.meterOf(id), w.rental.agreementOf(id)]);
  return { units: m.billed, measured: m.units, charged: a.earned + a.debt };
}

describe("Attack class: metered units dropped, overbilled or counted twice (issue 12)", function () {
  describe("finding 1a: relay order cannot drop units (odometer, not a sum of relayed values)", function () {
    it("the renter relays the newest reading first: the relayer's older readings are refused, yet all 500 units are billed", async function () {
      const w = await loadFixture(world);
      const r = await meteredRental(w);
      await startMeter(w, r, 1n, 10_000n);
      await time.increaseTo(r.start + 3 * HOUR + 10);
      const r2 = await reading(w, 2n, 10_100n, r.start + HOUR);
      const r3 = await reading(w, 3n, 10_250n, r.start + 2 * HOUR);
      const r4 = await reading(w, 4n, 10_500n, r.start + 3 * HOUR);
      // The renter front-runs the relayer's batch with the newest reading.
      await relay(w, r4);
      const tx = w.devices.connect(w.outsider).attestBatch([r2.att, r3.att], [r2.sig, r3.sig]);
      await expect(tx).to.emit(w.devices, "AttestationRejected").withArgs(w.device.deviceId, 0, 5); // StaleCounter
      await expect(w.rental.connect(w.carol).settleMetered(r.id))
        .to.emit(w.rental, "MeterSettled")
        .withArgs(r.id, 4, 10_500, 500, 500, 0, 500n * PRICE);
      expect(await billed(w, r.id)).to.deep.equal({ units: 500n, measured: 500n, charged: 500n * PRICE });
    });

    it("any batching and settlement cadence bills the same: every reading settled one by one equals one settlement of the last", async function () {
      const odometers = [40n, 40n, 95n, 300n, 301n];
      const one = await loadFixture(world);
      const ra = await meteredRental(one);
      await startMeter(one, ra, 1n, 0n);
      for (let i = 0; i < odometers.length; i++) {
        await time.increase(600);
        await relay(one, await reading(one, BigInt(i + 2), odometers[i]!));
        await one.rental.connect(one.outsider).settleMetered(ra.id);
      }
      const stepwise = await billed(one, ra.id);

      const two = await loadFixture(world);
      const rb = await meteredRental(two);
      await startMeter(two, rb, 1n, 0n);
      const signed = [];
      for (let i = 0; i < odometers.length; i++) {
        await time.increase(600);
        signed.push(await reading(two, BigInt(i + 2), odometers[i]!));
      }
      await relay(two, ...signed);
      await two.rental.connect(two.outsider).settleMetered(rb.id);
      expect(await billed(two, rb.id)).to.deep.equal(stepwise);
      expect(stepwise).to.deep.equal({ units: 301n, measured: 301n, charged: 301n * PRICE });
    });
  });

  describe("finding 1b: settling twice, late or in the same block never discards units (cap carries)", function () {
    it("settle, relay, settle again in one block: both readings' units are billed (the old cap of zero elapsed dropped them)", async function () {
      const w = await loadFixture(world);
      const r = await meteredRental(w);
      await startMeter(w, r, 1n, 0n);
      await time.increase(HOUR);
      await relay(w, await reading(w, 2n, 1n));
      const late = await reading(w, 3n, 501n, (await time.latest()) + 1);
      await ethers.provider.send("evm_setAutomine", [false]);
      try {
        const gasLimit = 1_000_000n;
        await w.rental.connect(w.outsider).settleMetered(r.id, { gasLimit });
        await w.devices.connect(w.outsider).attestBatch([late.att], [late.sig], { gasLimit });
        await w.rental.connect(w.carol).settleMetered(r.id, { gasLimit });
        await networkHelpers.mine();
      } finally {
        await ethers.provider.send("evm_setAutomine", [true]);
      }
      expect(await billed(w, r.id)).to.deep.equal({ units: 501n, measured: 501n, charged: 501n * PRICE });
      // The same reading settled again is refused with both counters; nothing changes.
      await expect(w.rental.connect(w.outsider).settleMetered(r.id))
        .to.be.revertedWithCustomError(w.rental, "MeterReadingReplayed")
        .withArgs(3, 3);
    });

    it("units above the cap are carried and billed as the allowance grows (cap - 1, cap, cap + 1)", async function () {
      const w = await loadFixture(world);
      // Cap: 100 units per hour of term.
      const r = await meteredRental(w, { maxUnitsPerPeriod: 100n, duration: 3 * HOUR });
      await startMeter(w, r, 1n, 0n);
      await time.increaseTo(r.start + HOUR);
      await relay(w, await reading(w, 2n, 250n, r.start + HOUR)); // 250 measured, 100 allowed so far
      await expect(w.rental.connect(w.outsider).settleMetered(r.id))
        .to.emit(w.rental, "MeterSettled")
        .withArgs(r.id, 2, 250, 250, 100, 150, 100n * PRICE);
      // Allowance 199, 200, 201 at these signing times: the carried units are billed as it grows.
      await time.increaseTo(r.start + 2 * HOUR + 40);
      const steps: [bigint, number, bigint][] = [
        [3n, r.start + 2 * HOUR - 36, 199n],
        [4n, r.start + 2 * HOUR, 200n],
        [5n, r.start + 2 * HOUR + 36, 201n],
      ];
      for (const [counter, at, want] of steps) {
        await relay(w, await reading(w, counter, 250n, at));
        await w.rental.connect(w.outsider).settleMetered(r.id);
        expect((await billed(w, r.id)).units).to.equal(want);
      }
      // At the end everything measured fits the 300-unit allowance: all 250 billed, none carried.
      await time.increaseTo(r.end + 1);
      await relay(w, await reading(w, 6n, 250n, r.end));
      await w.rental.connect(w.outsider).settle(r.id);
      expect(await meter(w, r.id)).to.deep.equal({ units: 250n, measured: 250n });
      // The renter gets exactly the rest of the credit back.
      expect(await w.rentalCustody.claimable(w.carol.address, w.assetId, ethers.ZeroAddress)).to.equal(
        r.credit - 250n * PRICE,
      );
    });

    it("units still above the cap at the end are reported as carried, not billed and not lost from view", async function () {
      const w = await loadFixture(world);
      const r = await meteredRental(w, { maxUnitsPerPeriod: 100n, duration: 2 * HOUR });
      await startMeter(w, r, 1n, 0n);
      await time.increaseTo(r.end + 1);
      await relay(w, await reading(w, 2n, 350n, r.end));
      await expect(w.rental.connect(w.outsider).settle(r.id))
        .to.emit(w.rental, "MeterSettled")
        .withArgs(r.id, 2, 350, 350, 200, 150, 200n * PRICE);
      expect(await meter(w, r.id)).to.deep.equal({ units: 200n, measured: 350n });
      expect(await w.rentalCustody.claimable(w.carol.address, w.assetId, ethers.ZeroAddress)).to.equal(
        r.credit - 200n * PRICE,
      );
    });
  });

  describe("finding 2: only what was measured within the term is billed", function () {
    it("a reading held back from before activation and relayed after it bills nothing: it only moves the mark", async function () {
      const w = await loadFixture(world);
      await relay(w, await reading(w, 1n, 1_000n));
      await time.increase(HOUR);
      const r = await meteredRental(w);
      // Signed one second before the start (500 units before the rental), relayed after activation.
      await relay(w, await reading(w, 2n, 1_500n, r.start - 1));
      await expect(w.rental.connect(w.outsider).settleMetered(r.id))
        .to.emit(w.rental, "MeterSettled")
        .withArgs(r.id, 2, 1_500, 0, 0, 0, 0);
      // 3,600 units over [start - 1, start + 3599]: 3,599 of those seconds are in the term.
      await time.increaseTo(r.start + HOUR);
      await relay(w, await reading(w, 3n, 5_100n, r.start + HOUR - 1));
      await w.rental.connect(w.outsider).settleMetered(r.id);
      expect(await billed(w, r.id)).to.deep.equal({ units: 3_599n, measured: 3_599n, charged: 3_599n * PRICE });
    });

    it("an interval that straddles the start counts only its in-term part (readings at start - 1, start, start + 1)", async function () {
      const w = await loadFixture(world);
      const t0 = await time.latest();
      await relay(w, await reading(w, 1n, 0n, t0));
      await time.increaseTo(t0 + 1_000);
      const r = await meteredRental(w);
      await relay(w, await reading(w, 2n, 999n, r.start - 1));
      await w.rental.connect(w.outsider).settleMetered(r.id);
      expect((await billed(w, r.id)).units).to.equal(0n);
      await relay(w, await reading(w, 3n, 1_000n, r.start));
      await w.rental.connect(w.outsider).settleMetered(r.id);
      expect((await billed(w, r.id)).units).to.equal(0n);
      await relay(w, await reading(w, 4n, 1_007n, r.start + 1));
      await w.rental.connect(w.outsider).settleMetered(r.id);
      expect((await billed(w, r.id)).units).to.equal(7n);
    });

    it("a stale baseline: 1,000 units over [start - 3h, start + 1h] bill 250 (one hour of four), not 1,000", async function () {
      const w = await loadFixture(world);
      const r0 = await reading(w, 1n, 0n);
      await relay(w, r0);
      await time.increase(3 * HOUR);
      const r = await meteredRental(w);
      await time.increaseTo(r.start + HOUR + 5);
      // Signed so that exactly a quarter of the interval lies inside the term.
      const at = r.start + Math.floor((r.start - Number(r0.att.timestamp)) / 3);
      await relay(w, await reading(w, 2n, 1_000n, at));
      await w.rental.connect(w.outsider).settleMetered(r.id);
      const span = BigInt(at - Number(r0.att.timestamp));
      const want = (1_000n * BigInt(at - r.start)) / span;
      expect(await billed(w, r.id)).to.deep.equal({ units: want, measured: want, charged: want * PRICE });
      expect(want).to.be.within(249n, 251n);
    });

    it("a reading signed after the end bills only the in-term part of its interval and closes the meter", async function () {
      const w = await loadFixture(world);
      const r = await meteredRental(w, { duration: 2 * HOUR });
      await startMeter(w, r, 1n, 0n);
      await time.increaseTo(r.start + HOUR);
      await relay(w, await reading(w, 2n, 100n, r.start + HOUR));
      await w.rental.connect(w.outsider).settleMetered(r.id);
      // 700 more units over [start + 1h, end + 1h]: half of that interval is in the term.
      await time.increaseTo(r.end + HOUR);
      await relay(w, await reading(w, 3n, 800n, r.end + HOUR));
      await w.rental.connect(w.outsider).settle(r.id);
      expect(await meter(w, r.id)).to.deep.equal({ units: 450n, measured: 450n });
      expect(await w.rentalCustody.claimable(w.carol.address, w.assetId, ethers.ZeroAddress)).to.equal(
        r.credit - 450n * PRICE,
      );
    });

    it("a meter with no reading at activation bills from its first reading, never the device's lifetime odometer", async function () {
      const w = await loadFixture(world);
      const r = await meteredRental(w);
      await time.increase(HOUR);
      await relay(w, await reading(w, 1n, 9_000_000n)); // the device's lifetime total
      await expect(w.rental.connect(w.outsider).settleMetered(r.id))
        .to.emit(w.rental, "MeterSettled")
        .withArgs(r.id, 1, 9_000_000, 0, 0, 0, 0);
      await time.increase(HOUR);
      await relay(w, await reading(w, 2n, 9_000_040n));
      await w.rental.connect(w.outsider).settleMetered(r.id);
      expect(await billed(w, r.id)).to.deep.equal({ units: 40n, measured: 40n, charged: 40n * PRICE });
    });
  });
});

describe("Attack class: one meter's units billed to two agreements (issue 12, consumers of a reading)", function () {
  it("while an asset rental bills the device, a metered rental of the device itself is refused (MeterInUse); after settlement it opens", async function () {
    const w = await loadFixture(world);
    const r = await meteredRental(w, { duration: 2 * HOUR });
    const terms = ethTerms(w.device.deviceId, {
      subjectKind: SubjectKind.Device,
      meterDeviceId: w.device.deviceId,
      meterKind: KWH,
      meterPeriod: HOUR,
      pricePerSecond: 0n,
      pricePerUnit: PRICE,
      maxUnitsPerPeriod: 1_000n,
      deposit: 0n,
    });
    const offerId = await w.rentalMarket.connect(w.operator).publishOffer.staticCall(terms);
    await w.rentalMarket.connect(w.operator).publishOffer(terms);
    const before = await ethers.provider.getBalance(await w.rental.getAddress());
    await expect(w.rentalMarket.connect(w.bob).rent(offerId, HOUR, GWEI, { value: GWEI }))
      .to.be.revertedWithCustomError(w.rental, "MeterInUse")
      .withArgs(w.device.deviceId, KWH, r.id);
    expect(await ethers.provider.getBalance(await w.rental.getAddress())).to.equal(before);
    // Another kind of the same device is a different meter: not blocked.
    const other = { ...terms, meterKind: KWH + 1 };
    const otherId = await w.rentalMarket.connect(w.operator).publishOffer.staticCall(other);
    await w.rentalMarket.connect(w.operator).publishOffer(other);
    await w.rentalMarket.connect(w.bob).rent(otherId, HOUR, GWEI, { value: GWEI });
    // Settlement releases the meter.
    await time.increaseTo(r.end);
    await w.rental.connect(w.outsider).settle(r.id);
    await time.increase(HOUR);
    const running = await w.rental.agreementId(SubjectKind.Device, w.device.deviceId, 0);
    await w.rental.connect(w.outsider).settle(running);
    await w.rentalMarket.connect(w.bob).rent(offerId, HOUR, GWEI, { value: GWEI });
    const reopened = await w.rental.agreementId(SubjectKind.Device, w.device.deviceId, 1);
    expect(await w.rental.stateOf(reopened)).to.equal(RentalState.Active);
  });
});
