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
        const call = f.escrow.connect(f.agent).publishOffer.staticCall(terms);
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
    const sig = await signOffer(f.agent, f.chainId, f.escrowAddress, offer);
    const terms = assetTerms();
    const prepay = BigInt(DAY) * terms.pricePerSecond;
    const pay = { value: prepay + terms.deposit };
    const s = await takeSnapshot();
    for (const t of [expiry - 1n, expiry]) {
      await s.restore();
      await time.setNextBlockTimestamp(t);
      await f.escrow.connect(f.renter).rentWithSignature(offer, sig, DAY, prepay, pay);
      expect(await f.escrow.userOf(1, ASSET_ID)).to.equal(f.renter.address);
    }
    await s.restore();
    await time.setNextBlockTimestamp(expiry + 1n);
    await expect(f.escrow.connect(f.renter).rentWithSignature(offer, sig, DAY, prepay, pay))
      .to.be.revertedWithCustomError(f.escrow, "OfferExpired")
      .withArgs(expiry);
    expect(await f.escrow.userOf(1, ASSET_ID)).to.equal(ethers.ZeroAddress);
  });
});
