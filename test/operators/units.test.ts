/**
 * Human units and named states in the operator scripts (scripts/lib/units.ts, the enum names of
 * scripts/lib/cli.ts) and what `scripts/operator/rental/rental.ts` prints from a receipt's events, checked by
 * running the real script in-process (./harness.ts) on the shared in-process chain.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Interface } from "ethers";
import { describeRevertData, shownArg, UserError } from "../../scripts/lib/cli.js";
import { formatWith, parseAmountWith, type TokenInfo } from "../../scripts/lib/units.js";
import * as rental from "../../scripts/operator/rental/lib.js";
import { asAddress } from "../../client/src/types.js";
import { assetTerms, deployRental, DEVICE_ID, METER_KIND } from "../rental/fixture.js";
import { runScript } from "./harness.js";

const { ethers, networkHelpers } = await network.getOrCreate();
const DAY = 86_400n;
const EUSD: TokenInfo = { token: "0x00000000000000000000000000000000000000e5", decimals: 6, symbol: "eUSD" };

describe("operator scripts: human units and named states", function () {
  it("amounts read from the environment: a decimal point or the symbol is token units, an integer base units", function () {
    expect(parseAmountWith(EUSD, "12.5")).to.equal(12_500_000n);
    expect(parseAmountWith(EUSD, "12.5 eUSD")).to.equal(12_500_000n);
    expect(parseAmountWith(EUSD, "12eusd")).to.equal(12_000_000n);
    expect(parseAmountWith(EUSD, "12.")).to.equal(12_000_000n);
    expect(parseAmountWith(EUSD, ".5")).to.equal(500_000n);
    expect(parseAmountWith(EUSD, "12500000wei")).to.equal(12_500_000n);
    expect(parseAmountWith(EUSD, "12500000 base")).to.equal(12_500_000n);
    expect(parseAmountWith(EUSD, "12500000")).to.equal(12_500_000n); // plain integer: base units, as before
    expect(() => parseAmountWith(EUSD, "1.0000001", "PREPAY")).to.throw(
      UserError,
      "PREPAY=1.0000001: eUSD has 6 decimals",
    );
    expect(() => parseAmountWith(EUSD, "5 ETH", "AMOUNT")).to.throw(UserError, "the token is eUSD, not ETH");
    expect(() => parseAmountWith(EUSD, "-1", "AMOUNT")).to.throw(UserError, "AMOUNT=-1: write token units");
    expect(() => parseAmountWith(EUSD, "1.5wei")).to.throw(UserError, "the token is eUSD, not wei");
    const noDecimals = { token: EUSD.token, decimals: undefined, symbol: "X" };
    expect(() => parseAmountWith(noDecimals, "1.5")).to.throw(UserError, "has no decimals()");
    expect(parseAmountWith(noDecimals, "15")).to.equal(15n);
  });

  it("amounts printed in token units then base units; ETH for address(0); base units without decimals()", function () {
    expect(formatWith(EUSD, 12_500_000n)).to.equal("12.5 eUSD (12500000)");
    expect(formatWith(EUSD, 0n)).to.equal("0 eUSD (0)");
    expect(formatWith({ token: ethers.ZeroAddress, decimals: 18, symbol: "ETH" }, 10n ** 18n)).to.equal(
      "1 ETH (1000000000000000000)",
    );
    expect(formatWith({ token: EUSD.token, decimals: undefined, symbol: "X" }, 7n)).to.equal(
      `7 base units of ${EUSD.token} (no decimals())`,
    );
  });

  it("enum arguments of decoded errors are named; WrongState by the escrow that raised it", function () {
    const id = ethers.id("agreement");
    const rentalIface = new Interface([
      "error WrongState(bytes32 id, uint8 state)",
      "event MeterSettled(bytes32 indexed id, uint64 counter, uint64 odometer, uint256 units, uint256 billedUnits, uint256 carriedUnits, uint256 charge)",
    ]);
    const orderIface = new Interface([
      "error WrongState(bytes32 orderId, uint8 state)",
      "error WrongClaimStatus(uint8 status)",
    ]);
    const data = rentalIface.encodeErrorResult("WrongState", [id, 4]);
    expect(describeRevertData(data, [rentalIface])).to.equal(`WrongState(${id}, Settling)`);
    expect(describeRevertData(data, [orderIface])).to.equal(`WrongState(${id}, Cancelled)`);
    // Without the raising contract's interface (the client decoder's fallback, loaded only once the
    // client is built), the shared WrongState shows both readings.
    expect(shownArg("WrongState", 1, 4n, undefined)).to.equal("4 (rental Settling / order Cancelled)");
    expect(describeRevertData(orderIface.encodeErrorResult("WrongClaimStatus", [2]), [orderIface])).to.equal(
      "WrongClaimStatus(Disputed)",
    );
    expect(shownArg("DeviceNotActive", 1, 2n, undefined)).to.equal("Suspended");
    expect(shownArg("InvalidStatus", 1, 3n, undefined)).to.equal("Retired");
    expect(shownArg("InvalidTerms", 0, 3n, undefined)).to.equal("Meter");
    expect(shownArg("WrongState", 0, 4n, "rental")).to.equal("4"); // not an enum argument
  });

  it("rental.ts: PREPAY in token units, meter and settle print what changed, a refusal names the state", async function () {
    const f = await deployRental(ethers);
    const eusd = await ethers.deployContract("MockPayoutToken", ["Example USD", "eUSD", 6]);
    const token = await eusd.getAddress();
    await f.market.connect(f.governance).setTokenAllowed(token, true);
    await eusd.mint(f.renter.address, 1_000_000_000n);
    const terms = assetTerms({
      token: asAddress(token),
      pricePerSecond: 1n, // 0.000001 eUSD a second
      pricePerUnit: 1000n, // 0.001 eUSD a unit
      deposit: 10_000_000n, // 10 eUSD
      meterDeviceId: DEVICE_ID,
      meterKind: METER_KIND,
      meterPeriod: 3600,
      maxUnitsPerPeriod: 1000n,
    });
    const offerId = await rental.publishTerms(f.market, f.agent, terms);
    const base = { ESCROW: f.escrowAddress, SIGNER: "2" }; // the renter

    const rent = await runScript("scripts/operator/rental/rental.ts", {
      ...base,
      ACTION: "rent",
      OFFER_ID: offerId,
      DURATION: String(DAY),
      PREPAY: "100 eUSD",
    });
    expect(rent.exitCode, rent.stderr).to.equal(0);
    expect(rent.stderr).to.contain("PREPAY = 100 eUSD (100000000)");
    const id = /agreement: (0x[0-9a-f]{64})/.exec(rent.stdout)![1];
    expect((await f.escrow.agreementOf(id)).credit).to.equal(100_000_000n);

    await f.devices.setReading(DEVICE_ID, METER_KIND, 1, (await f.escrow.agreementOf(id)).start, 0); // baseline
    await f.escrow.settleMetered(id);
    await networkHelpers.time.increase(3600);
    await f.devices.pushReading(DEVICE_ID, METER_KIND, 2, 500);
    const meter = await runScript("scripts/operator/rental/rental.ts", { ...base, ACTION: "meter", AGREEMENT: id });
    expect(meter.exitCode, meter.stderr).to.equal(0);
    expect(meter.stdout.split("\n"), meter.stdout).to.include(
      "billed 500 units (carried 0) = 0.5 eUSD (500000); reading 2 (odometer 500), 500 units measured",
    );

    const refused = await runScript("scripts/operator/rental/rental.ts", {
      ...base,
      SIGNER: "1",
      ACTION: "activate",
      AGREEMENT: id,
    });
    expect(refused.exitCode).to.equal(1);
    expect(refused.stderr).to.contain(`error: the escrow refused: WrongState(${id}, Active)`);

    await networkHelpers.time.increase(DAY);
    const settle = await runScript("scripts/operator/rental/rental.ts", { ...base, ACTION: "settle", AGREEMENT: id });
    expect(settle.exitCode, settle.stderr).to.equal(0);
    // 100 eUSD of credit less a day at 0.000001 eUSD/s (0.0864) and 500 units at 0.001 (0.5); 2.5 % fee, the fee
    // recipient's balance at once
    expect(settle.stdout.split("\n").slice(1)).to.deep.equal([
      `claimable by ${f.renter.address}: +99.4136 eUSD (99413600)`,
      `claimable by ${f.feeRecipient.address}: +0.01466 eUSD (14660)`,
      "income deposited for asset 7: 0.57174 eUSD (571740)",
      "rent paid: 0.57174 eUSD (571740) to the owner side, fee 0.01466 eUSD (14660)",
      "settled (Ended): refund 99.4136 eUSD (99413600), from deposit 0 eUSD (0), bad debt 0 eUSD (0), " +
        "deposit held 10 eUSD (10000000)",
      "done",
    ]);
  });
});
