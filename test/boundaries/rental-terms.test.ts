/**
 * Issue 12, class "comparisons at caps never tested on both sides": every bound of
 * contracts/rental/RentalTerms.sol `validate` (durations, windows, waits, refund basis points, meter and
 * money magnitudes), each at limit-1 / limit / limit+1 through `publishOffer`. One side publishes
 * (`staticCall` returns the offer id), the other reverts with `InvalidTerms(reason)`; an off-by-one
 * (`>` for `>=`) in any comparison fails here. Runs on the rental fixture.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { buildOffer, signOffer, type RentalTerms } from "../../client/src/eip712/rental.js";
import { ASSET_ID, DEVICE_ID, METER_KIND, assetTerms, deployRental } from "../rental/fixture.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, takeSnapshot, time } = networkHelpers;

const MINUTE = 60;
const HOUR = 3_600;
const DAY = 86_400;
const MIN_DURATION = MINUTE;
const MAX_DURATION = 5 * 365 * DAY;
const MIN_WINDOW = HOUR;
const MAX_WINDOW = 90 * DAY;
const MAX_WAIT = 30 * DAY;
const MAX_AMOUNT = 2n ** 96n;

/** `TermsError` of IRentalEscrow. */
const Reason = { Duration: 1, Windows: 2, Meter: 3, Bps: 4, Amounts: 5 } as const;

/** Metered terms on the fixture's meter: maxUnits = maxUnitsPerPeriod * (3600 / 3600 + 1) = 2 per unit. */
const metered = (t: Partial<RentalTerms>) =>
  assetTerms({
    meterDeviceId: DEVICE_ID,
    meterKind: METER_KIND,
    meterPeriod: HOUR,
    maxUnitsPerPeriod: 1n,
    pricePerUnit: 1n,
    minDuration: HOUR,
    maxDuration: HOUR,
    ...t,
  });

type Side = "ok" | number;
/** One bound: terms at limit-1, limit and limit+1, and what each side must do (ok, or the reason). */
interface Bound {
  name: string;
  at: (delta: number) => RentalTerms;
  sides: [Side, Side, Side];
}

const bounds: Bound[] = [
  {
    name: "minDuration >= MIN_DURATION",
    at: (d) => assetTerms({ minDuration: MIN_DURATION + d }),
    sides: [Reason.Duration, "ok", "ok"],
  },
  {
    name: "minDuration <= maxDuration",
    at: (d) => assetTerms({ minDuration: HOUR + d, maxDuration: HOUR }),
    sides: ["ok", "ok", Reason.Duration],
  },
  {
    name: "maxDuration <= MAX_DURATION",
    at: (d) => assetTerms({ maxDuration: MAX_DURATION + d }),
    sides: ["ok", "ok", Reason.Duration],
  },
  {
    name: "noticePeriod <= maxDuration",
    at: (d) => assetTerms({ maxDuration: DAY, noticePeriod: DAY + d }),
    sides: ["ok", "ok", Reason.Duration],
  },
  {
    name: "claimWindow >= MIN_WINDOW",
    at: (d) => assetTerms({ claimWindow: MIN_WINDOW + d }),
    sides: [Reason.Windows, "ok", "ok"],
  },
  {
    name: "claimWindow <= MAX_WINDOW",
    at: (d) => assetTerms({ claimWindow: MAX_WINDOW + d }),
    sides: ["ok", "ok", Reason.Windows],
  },
  {
    name: "responseWindow >= MIN_WINDOW",
    at: (d) => assetTerms({ responseWindow: MIN_WINDOW + d }),
    sides: [Reason.Windows, "ok", "ok"],
  },
  {
    name: "responseWindow <= MAX_WINDOW",
    at: (d) => assetTerms({ responseWindow: MAX_WINDOW + d }),
    sides: ["ok", "ok", Reason.Windows],
  },
  {
    name: "arbiterTimeout >= MIN_WINDOW",
    at: (d) => assetTerms({ arbiterTimeout: MIN_WINDOW + d }),
    sides: [Reason.Windows, "ok", "ok"],
  },
  {
    name: "arbiterTimeout <= MAX_WINDOW",
    at: (d) => assetTerms({ arbiterTimeout: MAX_WINDOW + d }),
    sides: ["ok", "ok", Reason.Windows],
  },
  {
    name: "activationWindow <= MAX_WAIT",
    at: (d) => assetTerms({ activationWindow: MAX_WAIT + d }),
    sides: ["ok", "ok", Reason.Windows],
  },
  {
    name: "gracePeriod <= MAX_WAIT",
    at: (d) => assetTerms({ gracePeriod: MAX_WAIT + d }),
    sides: ["ok", "ok", Reason.Windows],
  },
  { name: "refundBps <= 10,000", at: (d) => assetTerms({ refundBps: 10_000 + d }), sides: ["ok", "ok", Reason.Bps] },
  {
    name: "meterPeriod > 0 when metered",
    at: (d) => metered({ meterPeriod: d + 1 === 0 ? 0 : HOUR }),
    sides: [Reason.Meter, "ok", "ok"],
  },
  {
    name: "maxUnitsPerPeriod > 0 when metered",
    at: (d) => metered({ maxUnitsPerPeriod: BigInt(1 + d) }),
    sides: [Reason.Meter, "ok", "ok"],
  },
  {
    name: "maxUnits * pricePerUnit <= MAX_AMOUNT",
    at: (d) => metered({ pricePerUnit: MAX_AMOUNT / 2n + BigInt(d) }),
    sides: ["ok", "ok", Reason.Amounts],
  },
  {
    name: "pricePerSecond * maxDuration <= MAX_AMOUNT",
    // maxDuration 4096 s = 2^12, so the limit is a price of exactly 2^84 per second.
    at: (d) => assetTerms({ minDuration: HOUR, maxDuration: 4_096, pricePerSecond: 2n ** 84n + BigInt(d) }),
    sides: ["ok", "ok", Reason.Amounts],
  },
  {
    name: "deposit <= MAX_AMOUNT",
    at: (d) => assetTerms({ deposit: MAX_AMOUNT + BigInt(d) }),
    sides: ["ok", "ok", Reason.Amounts],
  },
  {
    name: "lateFeeCap <= MAX_AMOUNT",
    at: (d) => assetTerms({ lateFeeCap: MAX_AMOUNT + BigInt(d) }),
    sides: ["ok", "ok", Reason.Amounts],
  },
];

describe("Boundaries: every bound of rental terms at limit-1, limit, limit+1 (issue 12)", function () {
  async function base() {
    return deployRental(ethers);
  }

  for (const bound of bounds) {
    it(bound.name, async function () {
      const f = await loadFixture(base);
      for (const [i, delta] of [-1, 0, 1].entries()) {
        const terms = bound.at(delta);
        const side = bound.sides[i];
        const call = f.market.connect(f.agent).publishOffer.staticCall(terms);
        if (side === "ok") {
          expect(await call, `${bound.name} at limit${delta === 0 ? "" : delta > 0 ? "+1" : "-1"}`).to.match(
            /^0x[0-9a-f]{64}$/,
          );
        } else {
          await expect(call, `${bound.name} at limit${delta > 0 ? "+1" : "-1"}`)
            .to.be.revertedWithCustomError(f.escrow, "InvalidTerms")
            .withArgs(side);
        }
      }
    });
  }
});

describe("Boundaries: a signed offer is fillable up to and including its expiry second (issue 12)", function () {
  async function rentalFixture() {
    return deployRental(ethers);
  }

  it("filled at expiry-1 and at expiry; refused at expiry+1 with OfferExpired(expiry)", async function () {
    const f = await loadFixture(rentalFixture);
    const expiry = BigInt((await time.latest()) + DAY);
    const offer = buildOffer(assetTerms(), f.agent.address, { nonce: 9n, expiry });
    const sig = await signOffer(f.agent, f.chainId, f.marketAddress, offer);
    const terms = assetTerms();
    const prepay = BigInt(DAY) * terms.pricePerSecond;
    const pay = { value: prepay + terms.deposit };
    const s = await takeSnapshot();
    for (const t of [expiry - 1n, expiry]) {
      await s.restore();
      await time.setNextBlockTimestamp(t);
      await f.market.connect(f.renter).rentWithSignature(offer, sig, DAY, prepay, pay);
      expect((await f.escrow.assetUserOf(ASSET_ID)).user).to.equal(f.renter.address);
    }
    await s.restore();
    await time.setNextBlockTimestamp(expiry + 1n);
    await expect(f.market.connect(f.renter).rentWithSignature(offer, sig, DAY, prepay, pay))
      .to.be.revertedWithCustomError(f.escrow, "OfferExpired")
      .withArgs(expiry);
    expect((await f.escrow.assetUserOf(ASSET_ID)).user).to.equal(ethers.ZeroAddress);
  });
});

describe("Boundaries: opening an agreement, the protocol fee and assetUserOf (issue 12)", function () {
  async function rentalFixture() {
    return deployRental(ethers);
  }
  const GWEI = 1_000_000_000n;
  const MIN = HOUR; // assetTerms: minDuration 1 h, maxDuration 30 d, 1 gwei a second
  const MAX = 30 * DAY;

  it("duration: minDuration-1 and maxDuration+1 refused (DurationOutOfRange), min, min+1, max-1, max accepted", async function () {
    const f = await loadFixture(rentalFixture);
    const terms = assetTerms();
    const offerId = await f.market.connect(f.agent).publishOffer.staticCall(terms);
    await f.market.connect(f.agent).publishOffer(terms);
    const prepay = BigInt(MAX) * GWEI;
    const pay = { value: prepay + terms.deposit };
    for (const d of [MIN - 1, MAX + 1]) {
      await expect(f.market.connect(f.renter).rent.staticCall(offerId, d, prepay, pay))
        .to.be.revertedWithCustomError(f.escrow, "DurationOutOfRange")
        .withArgs(d, MIN, MAX);
    }
    for (const d of [MIN, MIN + 1, MAX - 1, MAX]) {
      expect(await f.market.connect(f.renter).rent.staticCall(offerId, d, prepay, pay)).to.match(/^0x[0-9a-f]{64}$/);
    }
  });

  it("prepay: minDuration x price - 1 refused (PrepaymentTooSmall), exactly it and +1 accepted; 0 refused at price 0", async function () {
    const f = await loadFixture(rentalFixture);
    const terms = assetTerms();
    const offerId = await f.market.connect(f.agent).publishOffer.staticCall(terms);
    await f.market.connect(f.agent).publishOffer(terms);
    const min = BigInt(MIN) * GWEI;
    await expect(
      f.market.connect(f.renter).rent.staticCall(offerId, DAY, min - 1n, { value: min - 1n + terms.deposit }),
    )
      .to.be.revertedWithCustomError(f.escrow, "PrepaymentTooSmall")
      .withArgs(min - 1n, min);
    for (const p of [min, min + 1n]) {
      expect(await f.market.connect(f.renter).rent.staticCall(offerId, DAY, p, { value: p + terms.deposit })).to.match(
        /^0x[0-9a-f]{64}$/,
      );
    }
    // A free (metered-only) rental still needs some credit: 0 refused, 1 accepted.
    const free = assetTerms({ pricePerSecond: 0n, deposit: 0n });
    const freeId = await f.market.connect(f.agent).publishOffer.staticCall(free);
    await f.market.connect(f.agent).publishOffer(free);
    await expect(f.market.connect(f.renter).rent.staticCall(freeId, DAY, 0n, { value: 0n }))
      .to.be.revertedWithCustomError(f.escrow, "PrepaymentTooSmall")
      .withArgs(0n, 1n);
    expect(await f.market.connect(f.renter).rent.staticCall(freeId, DAY, 1n, { value: 1n })).to.match(
      /^0x[0-9a-f]{64}$/,
    );
  });

  it("protocol fee: MAX_FEE_BPS-1 and MAX_FEE_BPS set, MAX_FEE_BPS+1 refused (FeeTooHigh)", async function () {
    const f = await loadFixture(rentalFixture);
    const max = 1_000; // MAX_FEE_BPS of contracts/common/Constants.sol
    for (const bps of [max - 1, max]) {
      await expect(f.market.connect(f.governance).setProtocolFee(bps))
        .to.emit(f.market, "ProtocolFeeSet")
        .withArgs(bps);
      expect(await f.market.protocolFeeBps()).to.equal(BigInt(bps));
    }
    await expect(f.market.connect(f.governance).setProtocolFee(max + 1))
      .to.be.revertedWithCustomError(f.escrow, "FeeTooHigh")
      .withArgs(max + 1, max);
    expect(await f.market.protocolFeeBps()).to.equal(BigInt(max));
  });

  it("assetUserOf: the renter (until the end) until end-1, nobody from the end second on", async function () {
    const f = await loadFixture(rentalFixture);
    const terms = assetTerms();
    const offerId = await f.market.connect(f.agent).publishOffer.staticCall(terms);
    await f.market.connect(f.agent).publishOffer(terms);
    const prepay = BigInt(DAY) * GWEI;
    await f.market.connect(f.renter).rent(offerId, DAY, prepay, { value: prepay + terms.deposit });
    const end = BigInt((await time.latest()) + DAY);
    await time.increaseTo(end - 1n);
    expect(await f.escrow.assetUserOf(ASSET_ID)).to.deep.equal([f.renter.address, end]);
    await time.increaseTo(end);
    expect(await f.escrow.assetUserOf(ASSET_ID)).to.deep.equal([ethers.ZeroAddress, 0n]);
  });
});
