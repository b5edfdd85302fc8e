// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PlinthTest} from "../utils/Vm.sol";
import {IDisputeModule} from "../../contracts/disputes/IDisputeModule.sol";
import {IMaintenance} from "../../contracts/maintenance/IMaintenance.sol";
import {MaintenanceCustody} from "../../contracts/maintenance/MaintenanceCustody.sol";
import {MaintenanceEvidence} from "../../contracts/maintenance/MaintenanceEvidence.sol";
import {MaintenanceOrders} from "../../contracts/maintenance/MaintenanceOrders.sol";
import {MockDeviceRegistry} from "../../contracts/test/doubles/Registries.sol";
import {MockPayoutToken} from "../../contracts/test/doubles/Tokens.sol";
import {MaintenanceBase} from "./MaintenanceBase.sol";

/// @notice Drives random work-order lifecycles: creation (device, optimistic or both, one or two
///         milestones), acceptance, device readings, claims, challenges, rulings, time, expiries,
///         cancellations and withdrawals. Tracks the money that came in and went out.
contract MaintenanceHandler is PlinthTest {
    uint256 internal constant ASSET = 1;
    uint256 internal constant DEVICE = 7;
    uint32 internal constant KIND = 3;
    uint256 internal constant MAX_ORDERS = 12;

    MaintenanceOrders public immutable escrow;
    MaintenanceEvidence public immutable evidence;
    MaintenanceCustody public immutable custody;
    MockPayoutToken public immutable token;
    MockDeviceRegistry public immutable devices;
    address public immutable arbiter;

    address[2] public payers = [address(0xB0), address(0xB1)];
    address[2] public providers = [address(0xC0), address(0xC1)];

    bytes32[] public orders;
    mapping(bytes32 => mapping(uint8 => uint256)) public disputeOf;
    uint256 public ghostIn;
    uint256 public ghostOut;
    uint64 public counter = 5;
    uint256 internal salt;
    uint256 internal constant INSPECTOR_KEY_1 = 0xA11CE;
    uint256 internal constant INSPECTOR_KEY_2 = 0xB0B;

    constructor(MaintenanceOrders escrow_, MockPayoutToken token_, MockDeviceRegistry devices_, address arbiter_) {
        escrow = escrow_;
        evidence = MaintenanceEvidence(address(escrow_.evidence()));
        custody = MaintenanceCustody(address(escrow_.custody()));
        token = token_;
        devices = devices_;
        arbiter = arbiter_;
        for (uint256 i = 0; i < 2; ++i) {
            vm.prank(payers[i]);
            token.approve(address(escrow_.custody()), type(uint256).max);
            vm.prank(providers[i]);
            token.approve(address(escrow_.custody()), type(uint256).max);
        }
    }

    function orderCount() external view returns (uint256) {
        return orders.length;
    }

    function _pick(uint256 seed) internal view returns (bytes32 id, bool ok) {
        if (orders.length == 0) return (bytes32(0), false);
        return (orders[seed % orders.length], true);
    }

    function create(uint256 seed, uint96 budget, uint96 bond, uint32 acceptIn, uint32 workFor) external {
        if (orders.length >= MAX_ORDERS) return;
        budget = uint96(1 + (budget % 1e24));
        bond = uint96(bond % 1e22);
        address payer = payers[seed % 2];
        address provider = providers[(seed >> 1) % 2];
        uint256 mode = (seed >> 2) % 4; // 0 device, 1 optimistic, 2 both (k = 1), 3 two inspectors (k = 1 or 2)
        IMaintenance.OrderParams memory p;
        p.assetId = ASSET;
        p.deviceId = DEVICE;
        p.token = address(token);
        p.budget = budget;
        p.bond = bond;
        p.provider = provider;
        p.acceptBy = uint40(block.timestamp + 1 + (acceptIn % 5 days));
        p.completeBy = p.acceptBy + 1 + uint40(workFor % 10 days);
        p.policy.k = 1;
        p.policy.kind = KIND;
        if (mode == 3) {
            p.inspectors = new address[](2);
            p.inspectors[0] = vm.addr(INSPECTOR_KEY_1);
            p.inspectors[1] = vm.addr(INSPECTOR_KEY_2);
            p.policy.k = uint8(1 + ((seed >> 7) % 2));
        } else if (mode != 1) p.policy.useDevice = true;
        if (mode == 1 || mode == 2) {
            p.policy.optimistic = true;
            p.policy.arbiter = arbiter;
            p.policy.challengeWindow = 1 days;
            p.policy.disputeTimeout = 2 days;
            p.policy.defaultRuling = uint8(1 + ((seed >> 4) % 2));
        }
        p.slashTo = IMaintenance.SlashTo((seed >> 5) % 2);
        if ((seed >> 6) % 2 == 1) {
            p.milestoneBps = new uint16[](2);
            p.milestoneBps[0] = 3_000;
            p.milestoneBps[1] = 7_000;
        }
        p.salt = bytes32(++salt);
        token.mint(payer, budget);
        vm.prank(payer);
        bytes32 id = escrow.createOrder(p);
        orders.push(id);
        ghostIn += budget;
    }

    function accept(uint256 seed) external {
        (bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        IMaintenance.Order memory o = escrow.getOrder(id);
        if (o.state != IMaintenance.State.Open || block.timestamp > o.acceptBy) return;
        token.mint(o.provider, o.bond);
        vm.prank(o.provider);
        escrow.accept(id);
        ghostIn += o.bond;
    }

    function proveByDevice(uint256 seed, uint8 milestone) external {
        (bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        devices.setReading(DEVICE, KIND, ++counter, uint40(block.timestamp + 1), 0);
        try evidence.submitDeviceEvidence(id, milestone % 2, DEVICE) {} catch {}
    }

    function inspect(uint256 seed, uint8 milestone, bool second, bool passed) external {
        (bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        uint256 key = second ? INSPECTOR_KEY_2 : INSPECTOR_KEY_1;
        IMaintenance.Inspection[] memory ins = new IMaintenance.Inspection[](1);
        ins[0] = IMaintenance.Inspection({
            orderId: id,
            milestone: milestone % 2,
            passed: passed,
            inspector: vm.addr(key),
            issuedAt: block.timestamp,
            deadline: block.timestamp + 1 days
        });
        (uint8 v, bytes32 r, bytes32 s_) = vm.sign(key, evidence.inspectionDigest(ins[0]));
        bytes[] memory sigs = new bytes[](1);
        sigs[0] = abi.encodePacked(r, s_, v);
        try evidence.submitInspections(id, ins, sigs) {} catch {}
    }

    function claimMilestone(uint256 seed, uint8 milestone) external {
        (bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        vm.prank(escrow.getOrder(id).provider);
        try evidence.claimMilestone(id, milestone % 2) {} catch {}
    }

    function challenge(uint256 seed, uint8 milestone) external {
        (bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        vm.prank(escrow.getOrder(id).payer);
        try evidence.challenge(id, milestone % 2) returns (uint256 d) {
            disputeOf[id][milestone % 2] = d;
        } catch {}
    }

    function finalizeClaim(uint256 seed, uint8 milestone) external {
        (bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        try evidence.finalizeClaim(id, milestone % 2) {} catch {}
    }

    function rule(uint256 seed, uint8 milestone, uint8 ruling) external {
        (bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        IDisputeModule disputes = evidence.disputes(); // before the prank, which the next call consumes
        vm.prank(arbiter);
        try disputes.rule(disputeOf[id][milestone % 2], ruling % 3) {} catch {}
    }

    function resolveByTimeout(uint256 seed, uint8 milestone) external {
        (bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        try evidence.disputes().resolveByTimeout(disputeOf[id][milestone % 2]) {} catch {}
    }

    function expire(uint256 seed) external {
        (bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        try escrow.expire(id) {} catch {}
    }

    function cancel(uint256 seed) external {
        (bytes32 id, bool ok) = _pick(seed);
        if (!ok) return;
        vm.prank(escrow.getOrder(id).payer);
        try escrow.cancel(id) {} catch {}
    }

    function warp(uint32 secs) external {
        vm.warp(block.timestamp + (secs % 3 days));
    }

    function claim(uint8 who) external {
        address party = who % 2 == 0 ? payers[(who >> 1) % 2] : providers[(who >> 1) % 2];
        uint256 amount = custody.claimable(party, ASSET, address(token));
        if (amount == 0) return;
        vm.prank(party);
        custody.claim(ASSET, address(token), party);
        ghostOut += amount;
    }

    /// @notice Money the escrow must still hold for an order (budget, or unreleased price + bond).
    function heldFor(bytes32 id) public view returns (uint256) {
        IMaintenance.Order memory o = escrow.getOrder(id);
        if (o.state == IMaintenance.State.Open) return o.budget;
        if (o.state == IMaintenance.State.Active) return uint256(o.price) - o.released + o.bond;
        return 0;
    }

    /// @notice Sum of every party's claimable balance.
    function totalClaimable() public view returns (uint256 sum) {
        for (uint256 i = 0; i < 2; ++i) {
            sum += custody.claimable(payers[i], ASSET, address(token));
            sum += custody.claimable(providers[i], ASSET, address(token));
        }
    }
}

/// @notice Invariants of the maintenance escrow under random lifecycles.
contract MaintenanceInvariantTest is MaintenanceBase {
    MaintenanceHandler internal handler;

    function setUp() public {
        _deploy();
        handler = new MaintenanceHandler(escrow, token, devices, ARBITER);
    }

    function targetContracts() public view returns (address[] memory t) {
        t = new address[](1);
        t[0] = address(handler);
    }

    /// Funds in == paid out + still held, per token: the escrow's balance is exactly what came in
    /// minus what was withdrawn, and it equals what orders still hold plus every claimable balance
    /// (payments, returned bonds, refunds, slashes) plus the reserve credit.
    function invariant_fundsAreConserved() external view {
        uint256 balance =
            token.balanceOf(custody.vaultOf(ASSET)) +
                token.balanceOf(address(custody)) +
                token.balanceOf(address(escrow)) +
                token.balanceOf(address(evidence));
        assertEq(balance, handler.ghostIn() - handler.ghostOut(), "balance == in - out");
        uint256 held;
        uint256 n = handler.orderCount();
        for (uint256 i = 0; i < n; ++i) held += handler.heldFor(handler.orders(i));
        assertEq(
            balance,
            held + handler.totalClaimable() + custody.reserveCredit(ASSET, address(token)),
            "balance == held + claimable + reserve credit"
        );
    }

    /// Every order reaches a terminal state once its deadlines pass: warp past every deadline and
    /// window, then public calls (finalizeClaim, resolveByTimeout, expire) finalise all of them.
    function invariant_everyOrderFinalisesAfterItsDeadlines() external {
        uint256 snap = vm.snapshotState();
        vm.warp(block.timestamp + 30 days);
        uint256 n = handler.orderCount();
        for (uint256 i = 0; i < n; ++i) {
            bytes32 id = handler.orders(i);
            IMaintenance.Order memory o = escrow.getOrder(id);
            for (uint8 m = 0; m < o.milestoneCount; ++m) {
                IMaintenance.Milestone memory ms = evidence.getMilestone(id, m);
                if (ms.claim == IMaintenance.ClaimStatus.Pending) evidence.finalizeClaim(id, m);
                else if (ms.claim == IMaintenance.ClaimStatus.Disputed) {
                    evidence.disputes().resolveByTimeout(handler.disputeOf(id, m));
                }
            }
            IMaintenance.State s = escrow.getOrder(id).state;
            if (s == IMaintenance.State.Open || s == IMaintenance.State.Active) escrow.expire(id);
            s = escrow.getOrder(id).state;
            assertTrue(uint256(s) >= uint256(IMaintenance.State.Completed), "terminal");
            assertEq(handler.heldFor(id), 0, "nothing held for a finished order");
            assertEq(evidence.getProgress(id).pendingClaims, 0, "no claim left open");
        }
        vm.revertToState(snap);
    }
}
