// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IPlinthErrors} from "../../contracts/common/IPlinthErrors.sol";
import {IMaintenance} from "../../contracts/maintenance/IMaintenance.sol";
import {MaintenanceBase} from "./MaintenanceBase.sol";

/// @notice Properties of the maintenance escrow over random deadlines, amounts and policies.
contract MaintenanceFuzzTest is MaintenanceBase {
    function setUp() public {
        _deploy();
        _mintApprove(PAYER, type(uint128).max);
        _mintApprove(PROVIDER, type(uint128).max);
    }

    function _create(
        uint256 budget,
        uint256 bond,
        uint40 acceptBy,
        uint40 completeBy,
        IMaintenance.Policy memory pol,
        uint16[] memory bps
    ) internal returns (bytes32 id) {
        IMaintenance.OrderParams memory p = _params(budget, bond, acceptBy, completeBy, pol, bytes32("s"));
        p.token = address(token);
        p.milestoneBps = bps;
        vm.prank(PAYER);
        id = escrow.createOrder(p);
    }

    /// Whatever the deadlines, an order is refundable exactly after accept-by (not one second
    /// before), the whole budget goes back to the payer, and nothing is left held.
    function testFuzz_unacceptedOrderRefundsExactlyAfterAcceptBy(
        uint32 acceptIn,
        uint32 workFor,
        uint32 warpBy,
        uint96 budget
    ) external {
        acceptIn = uint32(bound(acceptIn, 1, 365 days));
        workFor = uint32(bound(workFor, 1, 365 days));
        budget = uint96(bound(budget, 1, type(uint96).max));
        uint40 acceptBy = uint40(block.timestamp + acceptIn);
        bytes32 id = _create(budget, 0, acceptBy, acceptBy + workFor, _policy(true, false, 1), new uint16[](0));
        vm.warp(block.timestamp + bound(warpBy, 0, 2 * uint256(acceptIn)));
        if (block.timestamp <= acceptBy) {
            vm.expectRevert(abi.encodeWithSelector(IPlinthErrors.DeadlineNotPassed.selector, acceptBy));
            escrow.expire(id);
            assertEq(uint256(escrow.getOrder(id).state), uint256(IMaintenance.State.Open), "still open");
        } else {
            escrow.expire(id);
            assertEq(custody.claimable(PAYER, ASSET, address(token)), budget, "full refund");
            assertEq(uint256(escrow.getOrder(id).state), uint256(IMaintenance.State.Expired), "expired");
        }
        assertEq(token.balanceOf(custody.vaultOf(ASSET)), budget, "the asset vault holds exactly the budget");
    }

    /// Accepted but never proven: after complete-by the payer gets the budget and the bond back;
    /// before it, nothing moves.
    function testFuzz_lateProviderIsSlashedOnlyAfterCompleteBy(
        uint32 acceptIn,
        uint32 workFor,
        uint32 warpBy,
        uint96 budget,
        uint96 bond
    ) external {
        acceptIn = uint32(bound(acceptIn, 1, 365 days));
        workFor = uint32(bound(workFor, 1, 365 days));
        budget = uint96(bound(budget, 1, type(uint96).max));
        uint40 acceptBy = uint40(block.timestamp + acceptIn);
        uint40 completeBy = acceptBy + workFor;
        bytes32 id = _create(budget, bond, acceptBy, completeBy, _policy(true, false, 1), new uint16[](0));
        vm.prank(PROVIDER);
        escrow.accept(id);
        vm.warp(block.timestamp + bound(warpBy, 0, 2 * (uint256(acceptIn) + workFor)));
        if (block.timestamp <= completeBy) {
            vm.expectRevert(abi.encodeWithSelector(IPlinthErrors.DeadlineNotPassed.selector, completeBy));
            escrow.expire(id);
            assertEq(custody.claimable(PAYER, ASSET, address(token)), 0, "nothing refunded early");
        } else {
            escrow.expire(id);
            assertEq(custody.claimable(PAYER, ASSET, address(token)), uint256(budget) + bond, "budget + bond to payer");
            assertEq(custody.claimable(PROVIDER, ASSET, address(token)), 0, "nothing to the provider");
        }
    }

    /// Milestone amounts are exact: whatever the price and split, they sum to the price and each
    /// is within one unit of its bps share.
    function testFuzz_milestoneAmountsSumToThePrice(uint128 price, uint8 count, uint256 seed) external {
        price = uint128(bound(price, 1, type(uint128).max));
        count = uint8(bound(count, 1, 8));
        uint16[] memory bps = new uint16[](count);
        uint256 left = 10_000;
        for (uint256 i = 0; i < count; ++i) {
            uint256 remaining = count - i - 1;
            uint256 share = i + 1 == count ? left : bound(uint256(keccak256(abi.encode(seed, i))), 1, left - remaining);
            bps[i] = uint16(share);
            left -= share;
        }
        token.mint(PAYER, price);
        bytes32 id = _create(
            price,
            0,
            uint40(block.timestamp + 1),
            uint40(block.timestamp + 2),
            _policy(true, false, 1),
            bps
        );
        vm.prank(PROVIDER);
        escrow.accept(id);
        uint256 total;
        for (uint8 i = 0; i < count; ++i) {
            uint256 amount = evidence.milestoneAmount(id, i);
            uint256 ideal = (uint256(price) * bps[i]) / 10_000;
            assertLe(amount, ideal + 1, "at most one unit above the share");
            assertGe(amount + 1, ideal, "at most one unit below the share");
            total += amount;
        }
        assertEq(total, price, "amounts sum to the price");
    }

    /// A policy is accepted if and only if 1 <= k <= number of enabled sources.
    function testFuzz_policyNeedsKBetweenOneAndTheSources(
        uint8 k,
        bool useDevice,
        bool optimistic,
        uint8 inspectorCount
    ) external {
        inspectorCount = uint8(bound(inspectorCount, 0, 5));
        IMaintenance.OrderParams memory p = _params(
            1e18,
            0,
            uint40(block.timestamp + 1 days),
            uint40(block.timestamp + 2 days),
            _policy(useDevice, optimistic, k),
            bytes32("p")
        );
        p.token = address(token);
        p.inspectors = new address[](inspectorCount);
        for (uint256 i = 0; i < inspectorCount; ++i) p.inspectors[i] = address(uint160(0x1000 + i));
        uint256 sources = inspectorCount + (useDevice ? 1 : 0) + (optimistic ? 1 : 0);
        vm.prank(PAYER);
        if (k == 0 || k > sources) {
            vm.expectRevert(IMaintenance.BadPolicy.selector);
            escrow.createOrder(p);
        } else {
            bytes32 id = escrow.createOrder(p);
            assertEq(evidence.getPolicy(id).k, k, "k stored");
        }
    }

    /// The value condition releases a milestone if and only if the reading satisfies it.
    function testFuzz_valueConditionDecidesRelease(uint8 cmpRaw, uint64 threshold, uint64 value) external {
        IMaintenance.Comparator cmp = IMaintenance.Comparator(bound(cmpRaw, 0, 3));
        IMaintenance.Policy memory pol = _policy(true, false, 1);
        pol.cmp = cmp;
        pol.threshold = threshold;
        bytes32 id = _create(
            1e18,
            0,
            uint40(block.timestamp + 1 days),
            uint40(block.timestamp + 2 days),
            pol,
            new uint16[](0)
        );
        vm.prank(PROVIDER);
        escrow.accept(id);
        devices.setReading(DEVICE, KIND, 6, uint40(block.timestamp + 1), value);
        bool ok =
            cmp == IMaintenance.Comparator.None ||
                (cmp == IMaintenance.Comparator.EQ && value == threshold) ||
                (cmp == IMaintenance.Comparator.GTE && value >= threshold) ||
                (cmp == IMaintenance.Comparator.LTE && value <= threshold);
        if (!ok) {
            vm.expectRevert(abi.encodeWithSelector(IMaintenance.ValueConditionFailed.selector, value, threshold));
        }
        evidence.submitDeviceEvidence(id, 0, DEVICE);
        assertEq(
            uint256(escrow.getOrder(id).state),
            uint256(ok ? IMaintenance.State.Completed : IMaintenance.State.Active),
            "released iff condition holds"
        );
    }

    /// Only a reading newer than every counter used so far (and than acceptance), signed by
    /// completeBy, counts.
    function testFuzz_onlyNewerReadingsCount(uint64 counter, uint40 signedAt) external {
        bytes32 id = _create(
            1e18,
            0,
            uint40(block.timestamp + 1 days),
            uint40(block.timestamp + 2 days),
            _policy(true, false, 1),
            new uint16[](0)
        );
        vm.prank(PROVIDER);
        escrow.accept(id);
        uint40 acceptedAt = escrow.getOrder(id).acceptedAt;
        uint40 completeBy = escrow.getOrder(id).completeBy;
        devices.setReading(DEVICE, KIND, counter, signedAt, 0);
        if (counter <= 5) {
            vm.expectRevert(abi.encodeWithSelector(IMaintenance.StaleAttestation.selector, counter, uint64(5)));
        } else if (signedAt <= acceptedAt) {
            vm.expectRevert(
                abi.encodeWithSelector(IMaintenance.AttestationBeforeAcceptance.selector, signedAt, acceptedAt)
            );
        } else if (signedAt > completeBy) {
            vm.expectRevert(
                abi.encodeWithSelector(IMaintenance.AttestationAfterDeadline.selector, signedAt, completeBy)
            );
        }
        evidence.submitDeviceEvidence(id, 0, DEVICE);
        bool ok = counter > 5 && signedAt > acceptedAt && signedAt <= completeBy;
        assertEq(custody.claimable(PROVIDER, ASSET, address(token)), ok ? 1e18 : 0, "paid iff fresh");
    }
}
