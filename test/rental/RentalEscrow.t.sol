// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PlinthTest} from "../utils/Vm.sol";
import {IRentalCustody} from "../../contracts/rental/IRentalCustody.sol";
import {IRentalEscrow} from "../../contracts/rental/IRentalEscrow.sol";
import {IRentalTypes} from "../../contracts/rental/IRentalTypes.sol";
import {RentalEscrow} from "../../contracts/rental/RentalEscrow.sol";
import {RentalMarket} from "../../contracts/rental/RentalMarket.sol";
import {IAssetRegistry} from "../../contracts/interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../../contracts/interfaces/IDeviceRegistry.sol";
import {IIncomeDistributor} from "../../contracts/interfaces/IIncomeDistributor.sol";
import {MockIncomeDistributor} from "../../contracts/test/doubles/Distributors.sol";
import {MockAssetRegistry, MockDeviceRegistry} from "../../contracts/test/doubles/Registries.sol";
import {DisputeModule} from "../../contracts/disputes/DisputeModule.sol";
import {RentalHandler} from "../../contracts/test/rental/RentalHandler.sol";

/// @notice Shared deployment: market and its escrow on the test doubles, three assets of one agent, ETH allowed.
abstract contract RentalSetup is PlinthTest {
    RentalMarket internal market;
    RentalEscrow internal escrow;
    IRentalCustody internal custody;
    MockAssetRegistry internal assets;
    MockDeviceRegistry internal devices;
    MockIncomeDistributor internal distributor;
    address internal constant GOV = address(0x60F);
    address internal constant AGENT = address(0xA6E);
    address internal constant ARBITER = address(0xA4B);
    address internal constant FEES = address(0xFEE);
    address internal constant RENTER = address(0xBEEF01);
    uint16 internal constant FEE_BPS = 250;

    function _deploy() internal {
        vm.warp(1_700_000_000);
        assets = new MockAssetRegistry(address(0));
        devices = new MockDeviceRegistry();
        distributor = new MockIncomeDistributor(address(0), true);
        market = new RentalMarket(
            GOV,
            IAssetRegistry(address(assets)),
            IDeviceRegistry(address(devices)),
            FEES,
            ARBITER,
            FEE_BPS
        );
        escrow = new RentalEscrow(
            market,
            IAssetRegistry(address(assets)),
            IDeviceRegistry(address(devices)),
            IIncomeDistributor(address(distributor)),
            new DisputeModule()
        );
        custody = escrow.custody();
        distributor.setCustodians(address(0), address(custody));
        assets.setLeaseManager(address(escrow));
        devices.setLeaseManager(address(escrow));
        vm.startPrank(GOV);
        market.setEscrow(escrow);
        market.setTokenAllowed(address(0), true);
        vm.stopPrank();
        for (uint256 i = 1; i <= 3; ++i) assets.setAsset(i, AGENT, IAssetRegistry.AssetStatus.Active, address(0));
    }

    function _terms(uint256 assetId, uint128 price) internal pure returns (IRentalTypes.Terms memory t) {
        t.subjectId = assetId;
        t.subjectKind = 1;
        t.pricePerSecond = price;
        t.deposit = 1e15;
        t.lateFeePerSecond = 1e6;
        t.lateFeeCap = 1e12;
        t.minDuration = 1 hours;
        t.maxDuration = 10 days;
        t.gracePeriod = 1 hours;
        t.refundBps = 5_000;
        t.claimWindow = 1 days;
        t.responseWindow = 1 days;
        t.arbiterTimeout = 1 days;
    }

    function _publish(IRentalTypes.Terms memory t) internal returns (bytes32 offerId) {
        vm.prank(AGENT);
        offerId = market.publishOffer(t);
    }

    function _bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        return lo + (x % (hi - lo + 1));
    }
}

/// @notice Fuzzed properties of the money flow (conservation, policy, caps).
contract RentalEscrowFuzzTest is RentalSetup {
    function setUp() public {
        _deploy();
    }

    /// Terminating at any time splits exactly what was paid in between the owner side, the
    /// protocol, the renter's refund and the held deposit; the refund follows the policy.
    function testFuzz_EarlyTerminationConservesMoneyAndFollowsTheRefundPolicy(
        uint256 durSeed,
        uint256 priceSeed,
        uint256 stopSeed
    ) public {
        uint128 price = uint128(_bound(priceSeed, 1, 1e12));
        uint256 duration = _bound(durSeed, 1 hours, 10 days);
        bytes32 offerId = _publish(_terms(1, price));
        uint256 prepay = duration * price;
        vm.deal(RENTER, prepay + 1e15);
        vm.prank(RENTER);
        bytes32 id = market.rent{value: prepay + 1e15}(offerId, duration, prepay);
        uint256 start = block.timestamp;
        uint256 stopAt = start + _bound(stopSeed, 0, duration - 1);
        vm.warp(stopAt);
        vm.prank(RENTER);
        escrow.terminateEarly(id);
        IRentalTypes.Agreement memory a = escrow.agreementOf(id);
        uint256 used = (stopAt > start + 1 hours ? stopAt : start + 1 hours) - start; // min duration is owed
        assertEq(a.end, start + used, "use ends at the termination, not before the minimum duration");
        if (escrow.stateOf(id) != IRentalTypes.State.Settling) {
            vm.warp(a.end);
            escrow.settle(id);
        }
        a = escrow.agreementOf(id);
        uint256 cut = (duration - used) * price;
        uint256 refund = custody.claimable(RENTER, 1, address(0));
        assertEq(refund, cut - (cut - (cut * 5_000 + 9_999) / 10_000), "refund = ceil(50% of the cut rent)");
        uint256 fee = custody.claimable(FEES, 1, address(0));
        uint256 out = distributor.deposited(1, address(0)) + fee + refund + a.depositHeld;
        assertEq(out, prepay + 1e15, "every wei is accounted for");
        assertEq(
            custody.vaultOf(1).balance,
            distributor.deposited(1, address(0)) + fee + refund + a.depositHeld,
            "the asset's shared vault holds all of it: the income handed to the distributor stays there"
        );
        assertEq(address(escrow).balance, 0, "the escrow itself holds nothing");
        assertEq(address(custody).balance, 0, "the custody itself holds nothing");
        assertEq(fee, ((prepay - refund) * FEE_BPS) / 10_000, "fee = floor(rent paid x the snapshotted rate)");
    }

    /// Collecting at any cadence, by anyone, pays the same rent and the same fee as one payout at the end: the
    /// fee's remainder below one unit is carried to the next payout, so per-payout rounding cannot shave it.
    function testFuzz_CollectCadenceDoesNotChangeTheFee(uint256 priceSeed, uint256 gapSeed, uint256 countSeed) public {
        uint128 price = uint128(_bound(priceSeed, 1, 1e6));
        uint256 duration = 10 hours;
        uint256 gap = _bound(gapSeed, 1, 600);
        uint256 count = _bound(countSeed, 1, 40); // count x gap <= 24,000 s: every collect is within the term
        uint256 prepay = duration * price;
        address other = address(0xBEEF02);
        bytes32 offer1 = _publish(_terms(1, price));
        bytes32 offer2 = _publish(_terms(2, price));
        vm.deal(RENTER, prepay + 1e15);
        vm.deal(other, prepay + 1e15);
        vm.prank(RENTER);
        bytes32 often = market.rent{value: prepay + 1e15}(offer1, duration, prepay);
        vm.prank(other);
        bytes32 once = market.rent{value: prepay + 1e15}(offer2, duration, prepay);
        uint256 start = block.timestamp;
        for (uint256 i = 0; i < count; ++i) {
            vm.warp(block.timestamp + gap);
            vm.prank(address(0xC011EC7)); // anyone
            escrow.collect(often);
        }
        vm.warp(start + duration);
        escrow.settle(often);
        escrow.settle(once);
        uint256 fee = custody.claimable(FEES, 1, address(0));
        assertEq(fee, (prepay * FEE_BPS) / 10_000, "fee = floor(rent x feeBps / BPS)");
        assertEq(fee, custody.claimable(FEES, 2, address(0)), "the same fee as one payout");
        assertEq(
            distributor.deposited(1, address(0)),
            distributor.deposited(2, address(0)),
            "the same rent to holders"
        );
        assertEq(distributor.deposited(1, address(0)) + fee, prepay, "every unit of rent paid out");
    }

    /// Whatever the prepayment and the time of default, the deposit pays at most itself and the
    /// late fee never exceeds its cap.
    function testFuzz_DefaultTakesArrearsFromTheDepositWithinTheCap(uint256 prepaySeed, uint256 lateSeed) public {
        uint128 price = 1e9;
        bytes32 offerId = _publish(_terms(1, price));
        uint256 prepay = _bound(prepaySeed, 1 hours * price, 5 days * price);
        vm.deal(RENTER, prepay + 1e15);
        vm.prank(RENTER);
        bytes32 id = market.rent{value: prepay + 1e15}(offerId, 10 days, prepay);
        uint256 paidUntil = block.timestamp + prepay / price;
        vm.warp(paidUntil + 1 hours + _bound(lateSeed, 0, 4 days));
        escrow.markDefault(id);
        IRentalTypes.Agreement memory a = escrow.agreementOf(id);
        assertLe(a.lateFee, 1e12, "late fee capped");
        assertLe(a.depositHeld, 1e15, "deposit never grows");
        uint256 out =
            distributor.deposited(1, address(0)) +
                custody.claimable(FEES, 1, address(0)) +
                a.depositHeld +
                custody.claimable(RENTER, 1, address(0));
        assertEq(out, prepay + 1e15, "every wei is accounted for");
    }

    /// A faulty meter can never bill more than maxUnitsPerPeriod per period of elapsed time.
    function testFuzz_MeterBillsAtMostTheCap(uint64 value, uint256 elapsedSeed) public {
        devices.setDevice(9, AGENT, IDeviceRegistry.DeviceStatus.Active, 1);
        IRentalTypes.Terms memory t = _terms(1, 0);
        t.pricePerUnit = 1e9;
        t.meterDeviceId = 9;
        t.meterKind = 1;
        t.meterPeriod = 1 hours;
        t.maxUnitsPerPeriod = 50;
        t.deposit = 0;
        bytes32 offerId = _publish(t);
        vm.deal(RENTER, 1e18);
        vm.prank(RENTER);
        bytes32 id = market.rent{value: 1e18}(offerId, 10 days, 1e18);
        uint256 elapsed = _bound(elapsedSeed, 0, 10 days);
        vm.warp(block.timestamp + elapsed);
        devices.pushReading(9, 1, 1, value);
        escrow.settleMetered(id);
        IRentalTypes.Agreement memory a = escrow.agreementOf(id);
        uint256 billed = 1e18 - a.credit;
        assertLe(billed, ((50 * elapsed) / 1 hours) * 1e9, "billed within the cap");
        assertLe(billed, uint256(value) * 1e9, "billed at most the measured units");
    }

    /// Paying part of the credit later (before it runs out) ends exactly like paying it all upfront:
    /// lazy accrual loses nothing and charges nothing extra.
    function testFuzz_TopUpTimingDoesNotChangeTheOutcome(
        uint256 firstSeed,
        uint256 laterSeed,
        uint256 whenSeed
    ) public {
        uint128 price = 1e9;
        uint256 duration = 5 days;
        uint256 first = _bound(firstSeed, 1 hours, duration) * price;
        uint256 later = _bound(laterSeed, 1, duration * price);
        uint256 when = _bound(whenSeed, 0, first / price);
        address other = address(0xBEEF02);
        bytes32 offer1 = _publish(_terms(1, price));
        bytes32 offer2 = _publish(_terms(2, price));
        vm.deal(RENTER, 1e18);
        vm.deal(other, 1e18);
        vm.prank(RENTER);
        bytes32 upfront = market.rent{value: first + later + 1e15}(offer1, duration, first + later);
        vm.prank(other);
        bytes32 split = market.rent{value: first + 1e15}(offer2, duration, first);
        vm.warp(block.timestamp + when);
        vm.prank(other);
        escrow.topUp{value: later}(split, later);
        vm.warp(block.timestamp + duration);
        escrow.settle(upfront);
        escrow.settle(split);
        assertEq(distributor.deposited(1, address(0)), distributor.deposited(2, address(0)), "same rent paid");
        assertEq(custody.claimable(RENTER, 1, address(0)), custody.claimable(other, 2, address(0)), "same refund");
        assertEq(escrow.agreementOf(upfront).depositHeld, escrow.agreementOf(split).depositHeld, "same deposit");
    }

    /// Refused input changes nothing: a second rental over a live one reverts and the first stays.
    function test_RentingOverALiveAgreementRevertsAndLeavesItUntouched() public {
        bytes32 offerId = _publish(_terms(1, 1e9));
        vm.deal(RENTER, 1e18);
        vm.prank(RENTER);
        bytes32 id = market.rent{value: 1 hours * 1e9 + 1e15}(offerId, 1 hours, 1 hours * 1e9);
        vm.deal(address(this), 1e18);
        vm.expectRevert(abi.encodeWithSelector(IRentalTypes.SubjectAlreadyRented.selector, uint8(1), uint256(1), id));
        market.rent{value: 1 hours * 1e9 + 1e15}(offerId, 1 hours, 1 hours * 1e9);
        assertEq(escrow.liveAgreementOf(1, 1) == id ? 1 : 0, 1, "the live agreement is unchanged");
    }
}

/// @notice Invariants over random sequences of rentals, payments, ends, claims and withdrawals.
contract RentalEscrowInvariantTest is RentalSetup {
    RentalHandler internal handler;

    function setUp() public {
        _deploy();
        handler = new RentalHandler(escrow, assets, distributor, AGENT, ARBITER, FEES);
        for (uint256 i = 0; i < 3; ++i) {
            IRentalTypes.Terms memory t = _terms(i + 1, 1e9);
            if (i == 1) t.activationWindow = 1 hours; // reservations too
            if (i == 2) t.noticePeriod = 2 hours;
            handler.setOffer(i, _publish(t));
        }
    }

    function targetContracts() public view returns (address[] memory list) {
        list = new address[](1);
        list[0] = address(handler);
    }

    /// Custody per asset, exactly: each asset's vault holds what every party can still withdraw from it,
    /// plus what the agreements on that asset hold, plus its deferred income, plus the income handed to the
    /// distributor (which shares the vault); the escrow itself holds nothing.
    function invariant_EachVaultHoldsExactlyWhatTheEscrowOwesOnItsAsset() public view {
        address[5] memory p = handler.parties();
        uint256 n = handler.idsLength();
        for (uint256 asset = 1; asset <= 3; ++asset) {
            uint256 owed = custody.pendingIncome(asset, address(0)) + distributor.deposited(asset, address(0));
            for (uint256 i = 0; i < 5; ++i) owed += custody.claimable(p[i], asset, address(0));
            for (uint256 i = 0; i < n; ++i) {
                bytes32 id = handler.ids(i);
                if (escrow.custodyOf(id) == asset) owed += escrow.heldFor(id);
            }
            assertEq(custody.vaultOf(asset).balance, owed, "vault balance == claimable + held + deferred, per asset");
        }
        assertEq(address(escrow).balance, 0, "the escrow itself holds nothing");
        assertEq(address(custody).balance, 0, "the custody itself holds nothing");
    }

    /// Every agreement, once its deadlines pass, is moved to Closed by public calls anyone can make.
    function invariant_EveryAgreementHasAnExitAfterItsDeadlines() public {
        uint256 n = handler.idsLength();
        for (uint256 i = 0; i < n; ++i) {
            bytes32 id = handler.ids(i);
            uint256 snap = vm.snapshotState();
            uint256 steps = handler.driveToClosed(id);
            assertTrue(escrow.stateOf(id) == IRentalTypes.State.Closed, "closed");
            assertLe(steps, 3, "at most three moves");
            assertEq(escrow.heldFor(id), 0, "a closed agreement holds nothing (its fee is the recipient's)");
            vm.revertToState(snap);
        }
    }

    /// A subject is never held by two agreements: the live one is the latest opened on it.
    function invariant_AtMostOneLiveAgreementPerSubject() public view {
        for (uint256 a = 1; a <= 3; ++a) {
            bytes32 live = escrow.liveAgreementOf(1, a);
            if (live == bytes32(0)) continue;
            IRentalTypes.State s = escrow.stateOf(live);
            assertTrue(
                s == IRentalTypes.State.Reserved ||
                    s == IRentalTypes.State.Active ||
                    s == IRentalTypes.State.Ended ||
                    s == IRentalTypes.State.TerminatedEarly,
                "live agreement is in use"
            );
            assertTrue(assets.leasedUntil(a) != 0, "live subject is leased");
        }
    }
}
