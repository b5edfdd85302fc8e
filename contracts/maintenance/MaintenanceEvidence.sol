// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {BPS, RULING_FOR_CHALLENGER, RULING_FOR_CLAIMANT} from "../common/Constants.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IArbitrable} from "../disputes/IArbitrable.sol";
import {IDisputeModule} from "../disputes/IDisputeModule.sol";
import {IMaintenanceEvidence} from "./IMaintenanceEvidence.sol";
import {IMaintenanceOrders} from "./IMaintenanceOrders.sol";

/// @title MaintenanceEvidence
/// @notice Release of work orders' milestones by evidence. It stores each order's completion policy,
///         inspectors and milestones (given by MaintenanceOrders, its deployer, at creation) and counts
///         the sources; a milestone releases when `k` of them agree, and MaintenanceOrders then pays it:
///         (a) the latest reading of `kind` from the order's device, read from the device registry
///             (the only verifier of device signatures), newer than acceptance in both counter and
///             time, signed by completeBy and meeting the value condition; each reading counts once
///             per order. The device is checked (Active, bound to the asset) once, at acceptance:
///             nothing done to it afterwards removes the provider's way to get paid;
///         (b) EIP-712 `Inspection` signatures of the inspectors named on the order (EOA or
///             ERC-1271), each inspector counted once per milestone; an inspector's verdicts are
///             ordered by `issuedAt` (after acceptance), the latest one on record counts;
///         (c) an optimistic claim by the provider that passes its challenge window; a challenge
///             opens a dispute on the dispute module (contracts/disputes, ERC-792 style), where the
///             order's arbiter rules or, after the dispute timeout, anyone applies the order's
///             default ruling; the module delivers the ruling to `rule`.
///         - Milestone claim Pending: `claimEnds` = claim + challengeWindow. Exits: `challenge`
///           (controller, before the end) -> Disputed; after it, `finalizeClaim` (anyone) counts it.
///         - Milestone claim Disputed: `claimEnds` = challenge + disputeTimeout. Exits: the
///           module's `rule` (arbiter, before it); from it on the module's `resolveByTimeout` (anyone).
///         It holds no money. Storage is per order, per milestone and per dispute.
contract MaintenanceEvidence is IMaintenanceEvidence, ReentrancyGuardTransient, EIP712 {
    /// @inheritdoc IMaintenanceEvidence
    uint256 public constant MAX_INSPECTORS = 5;
    /// @inheritdoc IMaintenanceEvidence
    uint256 public constant MAX_MILESTONES = 8;
    /// @inheritdoc IMaintenanceEvidence
    uint256 public constant RULING_PROVIDER = RULING_FOR_CLAIMANT;
    /// @inheritdoc IMaintenanceEvidence
    uint256 public constant RULING_PAYER = RULING_FOR_CHALLENGER;
    /// @inheritdoc IMaintenanceEvidence
    bytes32 public constant INSPECTION_TYPEHASH = keccak256(
        "Inspection(bytes32 orderId,uint8 milestone,bool passed,address inspector,uint256 issuedAt,uint256 deadline)"
    );
    /// @inheritdoc IMaintenanceEvidence
    uint256 public constant MAX_VERDICT_SKEW = 300;

    uint16 private constant BIT_DEVICE = 1;
    uint16 private constant BIT_OPTIMISTIC = 2;

    /// @inheritdoc IMaintenanceEvidence
    IMaintenanceOrders public immutable orders;
    /// @inheritdoc IMaintenanceEvidence
    IDeviceRegistry public immutable deviceRegistry;
    /// @inheritdoc IMaintenanceEvidence
    IDisputeModule public immutable disputes;

    /// @dev An order's policy and evidence progress (the policy's two slots, then one for the counts).
    struct Terms {
        Policy policy;
        uint8 milestoneCount;
        uint8 inspectorCount;
        uint64 usedCounter;
        uint8 pendingClaims;
    }

    mapping(bytes32 orderId => Terms) private _terms;
    mapping(bytes32 orderId => mapping(uint256 index => address)) private _inspectors;
    mapping(bytes32 orderId => mapping(uint256 index => Milestone)) private _milestones;
    mapping(bytes32 orderId => mapping(uint256 milestone => uint40[MAX_INSPECTORS])) private _verdictAt;
    mapping(uint256 disputeId => Dispute) private _disputes;

    /// @dev Deployed by MaintenanceOrders' constructor, which becomes `orders`.
    /// @param deviceRegistry_ The device registry.
    /// @param disputes_ The suite's dispute module.
    constructor(IDeviceRegistry deviceRegistry_, IDisputeModule disputes_) EIP712("Plinth MaintenanceEvidence", "1") {
        orders = IMaintenanceOrders(msg.sender);
        deviceRegistry = deviceRegistry_;
        disputes = disputes_;
    }

    modifier onlyOrders() {
        if (msg.sender != address(orders)) revert NotOrders(msg.sender);
        _;
    }

    // ------------------------------------------------------------------ terms (MaintenanceOrders)

    /// @inheritdoc IMaintenanceEvidence
    function storeTerms(
        bytes32 orderId,
        uint256 deviceId,
        Policy calldata pol,
        address[] calldata inspectors,
        uint16[] calldata milestoneBps
    ) external onlyOrders returns (uint8 milestoneCount) {
        uint256 n = inspectors.length;
        if (n > MAX_INSPECTORS) revert BadInspectors();
        for (uint256 i = 0; i < n; ++i) {
            address a = inspectors[i];
            if (a == address(0)) revert BadInspectors();
            for (uint256 j = 0; j < i; ++j) {
                if (inspectors[j] == a) revert BadInspectors();
            }
            _inspectors[orderId][i] = a;
        }
        uint256 sources = n + (pol.useDevice ? 1 : 0) + (pol.optimistic ? 1 : 0);
        if (pol.k == 0 || pol.k > sources) revert BadPolicy();
        if (pol.useDevice && deviceId == 0) revert BadPolicy();
        if (!pol.useDevice && pol.cmp != Comparator.None) revert BadPolicy();
        if (
            pol.optimistic &&
            (pol.arbiter == address(0) ||
                pol.challengeWindow == 0 ||
                pol.disputeTimeout == 0 ||
                (pol.defaultRuling != RULING_PROVIDER && pol.defaultRuling != RULING_PAYER))
        ) revert BadPolicy();
        milestoneCount = _storeMilestones(orderId, milestoneBps);
        Terms storage t = _terms[orderId];
        t.policy = pol;
        t.milestoneCount = milestoneCount;
        t.inspectorCount = uint8(n);
    }

    /// @inheritdoc IMaintenanceEvidence
    function copyTerms(bytes32 oldId, bytes32 newId) external onlyOrders {
        Terms storage old = _terms[oldId];
        Terms storage t = _terms[newId];
        t.policy = old.policy;
        uint8 n = old.inspectorCount;
        uint8 count = old.milestoneCount;
        t.milestoneCount = count;
        t.inspectorCount = n;
        for (uint256 i = 0; i < n; ++i) {
            _inspectors[newId][i] = _inspectors[oldId][i];
        }
        for (uint256 i = 0; i < count; ++i) {
            Milestone storage m = _milestones[newId][i];
            m.startBps = _milestones[oldId][i].startBps;
            m.endBps = _milestones[oldId][i].endBps;
        }
    }

    /// @inheritdoc IMaintenanceEvidence
    function freezeDevice(
        bytes32 orderId,
        uint256 assetId,
        uint256 deviceId
    ) external onlyOrders returns (uint64 base) {
        Terms storage t = _terms[orderId];
        if (!t.policy.useDevice) return 0;
        if (deviceRegistry.statusOf(deviceId) != IDeviceRegistry.DeviceStatus.Active) revert DeviceNotActive(deviceId);
        if (deviceRegistry.assetOf(deviceId) != assetId) revert DeviceNotOnAsset(deviceId, assetId);
        base = deviceRegistry.latestReading(deviceId, t.policy.kind).counter;
        t.usedCounter = base;
    }

    /// @inheritdoc IMaintenanceEvidence
    function defaultTerms(
        bytes32 orderId,
        uint256 deviceId
    ) external view returns (uint8 pendingClaims, bool deviceGone) {
        Terms storage t = _terms[orderId];
        pendingClaims = t.pendingClaims;
        Policy storage pol = t.policy;
        if (!pol.useDevice || pol.k <= uint256(t.inspectorCount) + (pol.optimistic ? 1 : 0))
            return (pendingClaims, false);
        deviceGone = deviceRegistry.statusOf(deviceId) == IDeviceRegistry.DeviceStatus.Decommissioned;
    }

    // ------------------------------------------------------------------ evidence

    /// @inheritdoc IMaintenanceEvidence
    function submitDeviceEvidence(bytes32 orderId, uint8 milestone, uint256 deviceId) external nonReentrant {
        (Window memory w, Terms storage t, Milestone storage m) = _evidenceTarget(orderId, milestone);
        Policy storage pol = t.policy;
        if (!pol.useDevice) revert SourceNotEnabled();
        if (m.passBits & BIT_DEVICE != 0) revert SourceAlreadyCounted(milestone, 0);
        if (deviceId != w.deviceId) revert WrongDevice(w.deviceId, deviceId);
        IDeviceRegistry.Reading memory r = deviceRegistry.latestReading(deviceId, pol.kind);
        if (r.counter <= t.usedCounter) revert StaleAttestation(r.counter, t.usedCounter);
        if (r.timestamp <= w.acceptedAt) revert AttestationBeforeAcceptance(r.timestamp, w.acceptedAt);
        if (r.timestamp > w.completeBy) revert AttestationAfterDeadline(r.timestamp, w.completeBy);
        Comparator cmp = pol.cmp;
        uint64 threshold = pol.threshold;
        if (
            (cmp == Comparator.EQ && r.value != threshold) ||
            (cmp == Comparator.GTE && r.value < threshold) ||
            (cmp == Comparator.LTE && r.value > threshold)
        ) revert ValueConditionFailed(r.value, threshold);
        t.usedCounter = r.counter;
        _agree(orderId, t, m, milestone, 0);
    }

    /// @inheritdoc IMaintenanceEvidence
    function submitInspections(
        bytes32 orderId,
        Inspection[] calldata inspections,
        bytes[] calldata signatures
    ) external nonReentrant {
        if (inspections.length != signatures.length || inspections.length > MAX_INSPECTORS) revert BadInspectors();
        for (uint256 i = 0; i < inspections.length; ++i) {
            _inspection(orderId, inspections[i], signatures[i]);
        }
    }

    /// @inheritdoc IMaintenanceEvidence
    function claimMilestone(bytes32 orderId, uint8 milestone) external nonReentrant {
        (Window memory w, Terms storage t, Milestone storage m) = _evidenceTarget(orderId, milestone);
        Policy storage pol = t.policy;
        if (!pol.optimistic) revert SourceNotEnabled();
        if (msg.sender != w.provider) revert NotProvider(msg.sender);
        if (m.claim != ClaimStatus.None || m.passBits & BIT_OPTIMISTIC != 0) revert WrongClaimStatus(m.claim);
        uint40 ends = uint40(block.timestamp) + pol.challengeWindow;
        m.claim = ClaimStatus.Pending;
        m.claimEnds = ends;
        m.round += 1;
        t.pendingClaims += 1;
        emit MilestoneClaimed(orderId, milestone, ends);
    }

    /// @inheritdoc IMaintenanceEvidence
    function challenge(bytes32 orderId, uint8 milestone) external nonReentrant returns (uint256 disputeId) {
        Terms storage t = _terms[orderId];
        Milestone storage m = _milestone(orderId, t, milestone);
        if (msg.sender != orders.controllerOf(orderId)) revert NotController(msg.sender);
        if (m.claim != ClaimStatus.Pending) revert WrongClaimStatus(m.claim);
        if (block.timestamp >= m.claimEnds) revert DeadlinePassed(m.claimEnds);
        Policy storage pol = t.policy;
        uint16 round = m.round;
        uint32 timeout = pol.disputeTimeout;
        address arbiter = pol.arbiter;
        uint40 deadline = uint40(block.timestamp) + timeout;
        m.claim = ClaimStatus.Disputed;
        m.claimEnds = deadline;
        // The module only calls back `rule`, later, from its own `rule` or `resolveByTimeout`.
        (disputeId, ) = disputes.createDispute(
            keccak256(abi.encode(orderId, milestone, round)),
            arbiter,
            timeout,
            pol.defaultRuling
        );
        _disputes[disputeId] = Dispute({orderId: orderId, milestone: milestone, round: round});
        emit ClaimChallenged(orderId, milestone, disputeId, arbiter, deadline);
    }

    /// @inheritdoc IMaintenanceEvidence
    function finalizeClaim(bytes32 orderId, uint8 milestone) external nonReentrant {
        Terms storage t = _terms[orderId];
        Milestone storage m = _milestone(orderId, t, milestone);
        if (m.claim != ClaimStatus.Pending) revert WrongClaimStatus(m.claim);
        if (block.timestamp < m.claimEnds) revert DeadlineNotPassed(m.claimEnds);
        _closeClaim(t, m);
        _agree(orderId, t, m, milestone, 1);
    }

    /// @notice ERC-792 arbitrable side: the dispute module delivers the final ruling of a dispute
    ///         this contract opened (`challenge`). 1: the claim stands and counts as a source; 2: it is
    ///         rejected (the provider may claim again until completeBy). A dispute made moot (the
    ///         milestone released by other evidence, or the claim closed) changes nothing.
    /// @param disputeId The dispute.
    /// @param ruling The final ruling (1 or 2: the module applied the default ruling on refusal or timeout).
    function rule(uint256 disputeId, uint256 ruling) external nonReentrant {
        if (msg.sender != address(disputes)) revert NotDisputeModule(msg.sender);
        Dispute storage d = _disputes[disputeId];
        bytes32 orderId = d.orderId;
        Terms storage t = _terms[orderId];
        Milestone storage m = _milestones[orderId][d.milestone];
        if (m.claim != ClaimStatus.Disputed || m.round != d.round || m.released) return; // moot
        _closeClaim(t, m);
        if (ruling == RULING_PROVIDER) _agree(orderId, t, m, d.milestone, 1);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IMaintenanceEvidence
    function getPolicy(bytes32 orderId) external view returns (Policy memory) {
        return _terms[orderId].policy;
    }

    /// @inheritdoc IMaintenanceEvidence
    function getInspectors(bytes32 orderId) external view returns (address[] memory list) {
        uint256 n = _terms[orderId].inspectorCount;
        list = new address[](n);
        for (uint256 i = 0; i < n; ++i) list[i] = _inspectors[orderId][i];
    }

    /// @inheritdoc IMaintenanceEvidence
    function getMilestone(bytes32 orderId, uint8 milestone) external view returns (Milestone memory) {
        return _milestones[orderId][milestone];
    }

    /// @inheritdoc IMaintenanceEvidence
    function milestoneAmount(bytes32 orderId, uint8 milestone) external view returns (uint256) {
        Milestone storage m = _milestones[orderId][milestone];
        uint256 price = orders.getOrder(orderId).price;
        return (price * m.endBps) / BPS - (price * m.startBps) / BPS;
    }

    /// @inheritdoc IMaintenanceEvidence
    function getDispute(uint256 disputeId) external view returns (Dispute memory) {
        return _disputes[disputeId];
    }

    /// @inheritdoc IMaintenanceEvidence
    function getProgress(bytes32 orderId) external view returns (Progress memory) {
        Terms storage t = _terms[orderId];
        return Progress({usedCounter: t.usedCounter, pendingClaims: t.pendingClaims});
    }

    /// @inheritdoc IMaintenanceEvidence
    function inspectionDigest(Inspection calldata i) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        INSPECTION_TYPEHASH,
                        i.orderId,
                        i.milestone,
                        i.passed,
                        i.inspector,
                        i.issuedAt,
                        i.deadline
                    )
                )
            );
    }

    /// @notice ERC-165: IMaintenanceEvidence, IArbitrable and ERC-165 itself.
    /// @param interfaceId The interface id.
    /// @return Whether this contract implements it.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return
            interfaceId == type(IMaintenanceEvidence).interfaceId ||
            interfaceId == type(IArbitrable).interfaceId ||
            interfaceId == type(IERC165).interfaceId;
    }

    // ------------------------------------------------------------------ internals

    function _storeMilestones(bytes32 orderId, uint16[] calldata bps) private returns (uint8) {
        uint256 n = bps.length;
        if (n == 0) {
            _milestones[orderId][0].endBps = uint16(BPS);
            return 1;
        }
        if (n > MAX_MILESTONES) revert BadMilestones();
        uint256 cum = 0;
        for (uint256 i = 0; i < n; ++i) {
            if (bps[i] == 0) revert BadMilestones();
            uint256 next = cum + bps[i];
            if (next > BPS) revert BadMilestones();
            Milestone storage m = _milestones[orderId][i];
            m.startBps = uint16(cum);
            m.endBps = uint16(next);
            cum = next;
        }
        if (cum != BPS) revert BadMilestones();
        return uint8(n);
    }

    function _inspection(bytes32 orderId, Inspection calldata ins, bytes calldata signature) private {
        if (ins.orderId != orderId) revert InspectionForOtherOrder(ins.orderId);
        (Window memory w, Terms storage t, Milestone storage m) = _evidenceTarget(orderId, ins.milestone);
        uint8 source = _checkVerdict(orderId, w.acceptedAt, t.inspectorCount, ins, signature);
        uint16 bit = uint16(1 << source);
        m.votedBits |= bit;
        if (ins.passed) return _agree(orderId, t, m, ins.milestone, source);
        emit InspectionFailed(orderId, ins.milestone, ins.inspector);
        uint16 bits = m.passBits;
        if (bits & bit == 0) return;
        bits &= ~bit;
        m.passBits = bits;
        emit EvidenceWithdrawn(orderId, ins.milestone, source, uint8(_popcount(bits)));
    }

    /// @dev Checks a verdict (unexpired, issued after acceptance and at most MAX_VERDICT_SKEW ahead, by an
    ///      inspector on the order, newer than that inspector's verdict on record, validly signed) and
    ///      records its issue time. Returns the inspector's source (2 + its index on the order).
    function _checkVerdict(
        bytes32 orderId,
        uint40 acceptedAt,
        uint256 n,
        Inspection calldata ins,
        bytes calldata signature
    ) private returns (uint8) {
        if (block.timestamp > ins.deadline) revert InspectionExpired(ins.deadline);
        uint256 issuedAt = ins.issuedAt;
        if (issuedAt <= acceptedAt) revert InspectionBeforeAcceptance(issuedAt, acceptedAt);
        uint256 latestAllowed = block.timestamp + MAX_VERDICT_SKEW;
        if (issuedAt > latestAllowed) revert InspectionFromFuture(issuedAt, latestAllowed);
        uint256 index = n;
        for (uint256 i = 0; i < n; ++i) {
            if (_inspectors[orderId][i] == ins.inspector) {
                index = i;
                break;
            }
        }
        if (index == n) revert InspectorNotOnOrder(ins.inspector);
        uint40[MAX_INSPECTORS] storage verdictAt = _verdictAt[orderId][ins.milestone];
        uint40 latest = verdictAt[index];
        if (issuedAt <= latest) revert StaleInspection(ins.inspector, ins.milestone, issuedAt, latest);
        if (!SignatureChecker.isValidSignatureNowCalldata(ins.inspector, inspectionDigest(ins), signature)) {
            revert InvalidSignature(ins.inspector);
        }
        verdictAt[index] = uint40(issuedAt); // <= block.timestamp + MAX_VERDICT_SKEW: fits
        return uint8(index + 2);
    }

    /// @dev Records source `source` as agreeing on milestone `index`; releases it when `k` agree, and
    ///      MaintenanceOrders pays it.
    function _agree(bytes32 orderId, Terms storage t, Milestone storage m, uint8 index, uint8 source) private {
        uint16 bits = m.passBits | uint16(1 << source);
        m.passBits = bits;
        uint8 agreeing = uint8(_popcount(bits));
        emit EvidenceAccepted(orderId, index, source, agreeing);
        if (agreeing < t.policy.k) return;
        m.released = true;
        if (m.claim != ClaimStatus.None) _closeClaim(t, m);
        orders.release(orderId, index, m.startBps, m.endBps);
    }

    function _closeClaim(Terms storage t, Milestone storage m) private {
        m.claim = ClaimStatus.None;
        m.claimEnds = 0;
        t.pendingClaims -= 1;
    }

    function _milestone(bytes32 orderId, Terms storage t, uint8 index) private view returns (Milestone storage) {
        if (t.milestoneCount == 0) revert UnknownOrder(orderId);
        if (index >= t.milestoneCount) revert BadMilestone(index);
        return _milestones[orderId][index];
    }

    /// @dev An Active order before its complete-by deadline, and an unreleased milestone of it.
    function _evidenceTarget(
        bytes32 orderId,
        uint8 index
    ) private view returns (Window memory w, Terms storage t, Milestone storage m) {
        w = orders.windowOf(orderId);
        if (w.state == State.None) revert UnknownOrder(orderId);
        if (w.state != State.Active) revert WrongState(orderId, w.state);
        if (block.timestamp > w.completeBy) revert DeadlinePassed(w.completeBy);
        t = _terms[orderId];
        m = _milestone(orderId, t, index);
        if (m.released) revert AlreadyReleased(orderId, index);
    }

    function _popcount(uint16 x) private pure returns (uint256 c) {
        while (x != 0) {
            x &= x - 1;
            ++c;
        }
    }
}
