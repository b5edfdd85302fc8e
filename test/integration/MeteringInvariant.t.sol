// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

// Metered-billing invariants (issue 12, "Proof"): one metered rental of the suite's asset, its bound
// secp256k1 device as the meter, on the real contracts deployed as in SuiteInvariant (SuiteSetup).
// The baseline reading is signed at the agreement's start; the device then signs readings within the
// term, relayed in any subset, order and batching, the meter settled at any time, time warped, and
// the agreement settled after its end. The rule under test is `RentalMeter.settle` (charged by `RentalEscrow._settleMeter`)
// (SECURITY.md, "Metered money: the rules"). Effort: hardhat.config.ts (64 runs x depth 32 in CI).

import {IRentalEscrow} from "../../contracts/rental/IRentalEscrow.sol";
import {IRentalTypes} from "../../contracts/rental/IRentalTypes.sol";
import {IRentalMeter} from "../../contracts/rental/IRentalMeter.sol";
import {MeteringHandler} from "./MeteringHandler.sol";
import {SuiteSetup} from "./SuiteInvariant.t.sol";

/// @notice The suite plus one metered-only rental (no time rent, no deposit) of the asset.
abstract contract MeteringSetup is SuiteSetup {
    uint32 internal constant METER_KIND = 7;
    uint32 internal constant PERIOD = 1 hours;
    uint64 internal constant CAP = 1_000; // units per period
    uint128 internal constant UNIT_PRICE = 3;
    uint256 internal constant TERM = 1 days;
    uint256 internal constant PREPAY = 1_000_000; // > CAP * (TERM / PERIOD) * UNIT_PRICE: never in debt
    uint64 internal constant BASELINE = 12_345;
    address internal constant METER_RENTER = address(0xBEEF77);

    MeteringHandler internal meter;
    bytes32 internal agreementId;

    function _deployMetered() internal {
        _deploy();
        IRentalTypes.Terms memory t = _terms();
        t.pricePerSecond = 0;
        t.deposit = 0;
        t.lateFeePerSecond = 0;
        t.lateFeeCap = 0;
        t.meterDeviceId = deviceId;
        t.meterKind = METER_KIND;
        t.meterPeriod = PERIOD;
        t.pricePerUnit = UNIT_PRICE;
        t.maxUnitsPerPeriod = CAP;
        vm.prank(handler.AGENT());
        bytes32 offer = market.publishOffer(t);

        meter = new MeteringHandler(devices, rental, handler.DEVICE_KEY(), deviceId, METER_KIND);
        meter.signBaseline(BASELINE); // signed and relayed at the start
        usd.mint(METER_RENTER, PREPAY);
        vm.startPrank(METER_RENTER);
        usd.approve(address(rental), PREPAY);
        agreementId = market.rent(offer, TERM, PREPAY);
        vm.stopPrank();
        meter.follow(agreementId);
        IRentalTypes.Agreement memory a = rental.agreementOf(agreementId);
        IRentalMeter.Meter memory m = rental.meter().meterOf(agreementId);
        assertEq(m.time, a.start, "baseline signed at the start");
        assertEq(m.odometer, BASELINE, "baseline odometer");
    }

    /// @dev The cumulative cap after `t` (a reading's signing time) of the term.
    function _cap(uint256 t) internal view returns (uint256) {
        uint256 s = meter.start();
        uint256 e = meter.end();
        uint256 elapsed = t > s ? (t < e ? t : e) - s : 0;
        return (uint256(CAP) * elapsed) / PERIOD;
    }

    function _min(uint256 x, uint256 y) internal pure returns (uint256) {
        return x < y ? x : y;
    }

    /// @dev Owner-side money of the agreement: not yet paid out, its protocol fee (the fee recipient's
    ///      balance in the custody), and what the distributor took as the asset's income (its split: holders,
    ///      reserve and fee; the money stays in the asset's shared vault) or waits to be deposited there.
    function _ownerSide(IRentalTypes.Agreement memory a) internal view returns (uint256) {
        (, uint256 distributed, , ) = distributor.incomeAccountingOf(assetId, address(usd));
        return
            uint256(a.earned) +
            rentalCustody.claimable(handler.RENT_FEES(), assetId, address(usd)) +
            distributed +
            distributor.reserveOf(assetId, address(usd)) +
            distributor.feesOf(assetId, address(usd)) +
            rentalCustody.pendingIncome(assetId, address(usd));
    }

    /// @dev (a) the mark's units and the cap, (b) the final bill, (c) the renter's money.
    function _checkMeter() internal view {
        IRentalTypes.Agreement memory a = rental.agreementOf(agreementId);
        IRentalMeter.Meter memory m = rental.meter().meterOf(agreementId);
        assertTrue(!meter.settleMisbehaved(), "settleMetered succeeds iff a newer reading exists");
        // The mark is a reading the registry accepted.
        assertLe(m.counter, meter.ghostAcceptedCounter(), "mark counter <= newest accepted");
        assertLe(m.odometer, meter.ghostAcceptedOdometer(), "mark odometer <= newest accepted");
        // (a) Every reading is signed within the term: the units measured are the odometer advance
        //     from the baseline to the mark, and the bill is that capped at the mark's time.
        assertEq(m.units, uint256(m.odometer) - BASELINE, "meterUnits == odometer(mark) - baseline");
        assertEq(m.billed, _min(m.units, _cap(m.time)), "meterBilled == min(units, cap(mark))");
        uint256 billedMoney = uint256(m.billed) * UNIT_PRICE;
        // (c) The renter paid exactly the units billed, and the owner side got exactly that.
        assertEq(a.debt, 0, "prepay covers the cap: no debt");
        if (!meter.finalSettled()) {
            assertEq(uint256(a.credit) + billedMoney, PREPAY, "credit spent == meterBilled * price");
        } else {
            assertEq(a.credit, 0, "settled: no credit left");
            assertEq(
                rentalCustody.claimable(METER_RENTER, assetId, address(usd)) + billedMoney,
                PREPAY,
                "refund == prepay - meterBilled * price"
            );
            // (b) The final settlement read the newest accepted reading: the bill depends on it alone,
            //     whatever the relay order, batching and settlement calls before.
            assertEq(m.counter, meter.finalAcceptedCounter(), "final mark == newest accepted at settlement");
            assertEq(
                m.billed,
                _min(uint256(meter.finalAcceptedOdometer()) - BASELINE, _cap(meter.finalAcceptedTime())),
                "final meterBilled == min(lastInTermOdometer - baseline, cap)"
            );
        }
        assertEq(_ownerSide(a), billedMoney, "owner side received exactly meterBilled * price");
    }
}

/// @notice Invariants of metered billing under random signing, relaying, settling and time.
contract MeteringInvariantTest is MeteringSetup {
    function setUp() public {
        _deployMetered();
    }

    function targetContracts() public view returns (address[] memory t) {
        t = new address[](1);
        t[0] = address(meter);
    }

    /// (a)(b)(c): units == odometer(mark) - baseline; billed == min(units, cap(mark)); after the final
    /// settlement billed == min(newest accepted odometer - baseline, cap); the renter paid exactly
    /// billed * price and the owner side received exactly that.
    function invariant_MeterBillsTheOdometerAdvanceCappedAndChargesExactly() public view {
        _checkMeter();
    }
}

/// @notice Settling after every reading or once at the end bills the same, and the exact rule.
contract MeteringCadenceTest is MeteringSetup {
    function setUp() public {
        _deployMetered();
    }

    /// @dev Signs 1..12 readings (random units and gaps, within the term; some in the same second),
    ///      relays them (not every one at once: the odometer carries the skipped ones), settling the
    ///      meter after each step when `eager`; then settles the agreement after the end.
    function _run(uint256 seed, bool eager) internal returns (uint256 billed, uint256 lastOdo, uint256 lastTime) {
        uint256 n = 1 + (seed % 12);
        for (uint256 i = 0; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            if (r % 5 != 0) vm.warp(block.timestamp + ((r >> 8) % 4 hours));
            meter.sign(uint64(r >> 64));
            if ((r >> 128) % 4 != 0 || i == n - 1) meter.relay(type(uint256).max, r >> 160, (r >> 200) % 2 == 0);
            if (eager) meter.settleMetered();
        }
        vm.warp(uint256(meter.end()) + 1);
        meter.finalSettle();
        billed = rental.meter().meterOf(agreementId).billed;
        (lastOdo, lastTime) = (meter.ghostAcceptedOdometer(), meter.ghostAcceptedTime());
        _checkMeter();
    }

    function testFuzz_SettlingAfterEveryReadingOrOnceAtTheEndBillsTheSame(uint256 seed) public {
        uint256 snap = vm.snapshotState();
        (uint256 eager, uint256 lastOdo, uint256 lastTime) = _run(seed, true);
        vm.revertToState(snap);
        (uint256 once, , ) = _run(seed, false);
        assertEq(eager, once, "cadence changes nothing");
        assertEq(eager, _min(lastOdo - BASELINE, _cap(lastTime)), "the rule");
    }

    /// The handler's paths all work (non-vacuity): stale relays, empty settlements, batches, the end.
    function test_HandlerPaths() public {
        meter.settleMetered(); // nothing new: reverts, as it must
        meter.warp(1 hours - 1);
        meter.sign(500);
        meter.warp(9);
        meter.sign(700);
        meter.relay(2, 0, false); // the newer one first
        meter.relay(1, 0, false); // the older one is stale now
        meter.settleMetered();
        meter.warp(2 hours - 1);
        meter.sign(3_000);
        meter.warp(0);
        meter.sign(1);
        meter.relay(3, 7, true); // one batch, either order
        meter.settleMetered();
        vm.warp(meter.end());
        meter.settleMetered(); // final reading already settled: nothing new
        meter.finalSettle();
        _checkMeter();
        assertEq(meter.count(bytes32("settleMeteredNothingNew")), 2, "empty settlements reverted");
        assertEq(meter.count(bytes32("relayRefused")), 1, "stale relay refused");
        // 4,201 units measured; the cap at the last reading (3 h 0 min 11 s) is 3,003: 1,198 carried.
        IRentalMeter.Meter memory m = rental.meter().meterOf(agreementId);
        assertEq(m.units, 4_201, "every unit measured");
        assertEq(m.billed, 3_003, "billed up to the cap");
    }

    /// Regression: readings signed in the same second as the mark were measured at that instant; within
    /// the term they count whole (they were dropped: a zero-length interval counted nothing, so units
    /// depended on when settlement ran between two same-second readings).
    function test_SameSecondReadingsCountWhole() public {
        meter.sign(907); // the same second as the baseline, i.e. the start
        meter.relay(1, 0, false);
        meter.settleMetered();
        IRentalMeter.Meter memory m = rental.meter().meterOf(agreementId);
        assertEq(m.units, 907, "same second as the start: measured within the term");
        assertEq(m.billed, 0, "no term elapsed yet: all carried");
        meter.warp(1 hours - 1);
        meter.sign(100);
        meter.sign(50); // same second
        meter.relay(1, 0, false);
        meter.settleMetered();
        meter.relay(1, 0, false);
        meter.settleMetered();
        m = rental.meter().meterOf(agreementId);
        assertEq(m.units, 1_057, "every unit measured");
        assertEq(m.billed, 1_000, "capped at one period");
        _checkMeter();
    }
}
