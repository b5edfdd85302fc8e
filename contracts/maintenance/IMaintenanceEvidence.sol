// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {IArbitrable} from "../disputes/IArbitrable.sol";
import {IDisputeModule} from "../disputes/IDisputeModule.sol";
import {IMaintenance} from "./IMaintenance.sol";
import {IMaintenanceOrders} from "./IMaintenanceOrders.sol";

/// @title IMaintenanceEvidence
/// @notice Release of a work order's milestones by evidence: each order's completion policy (k of n
///         sources), inspectors and milestones, and the sources themselves: a device attestation read from
///         the device registry, named inspectors' EIP-712 verdicts, and an optimistic claim by the provider
///         that a challenge sends to the dispute module. When k sources agree, it asks MaintenanceOrders to
///         pay the milestone. MaintenanceEvidence implements it; it holds no money.
interface IMaintenanceEvidence is IMaintenance, IArbitrable {
    /// @notice One evidence source agreed on a milestone (`source`: 0 device, 1 optimistic, 2+i inspector i).
    event EvidenceAccepted(bytes32 indexed orderId, uint8 indexed milestone, uint8 source, uint8 agreeing);
    /// @notice An inspector's verdict on record for a milestone is now a fail: that inspector does not
    ///         count for it unless a newer pass of the same inspector replaces the fail.
    event InspectionFailed(bytes32 indexed orderId, uint8 indexed milestone, address indexed inspector);
    /// @notice A newer fail of inspector `source - 2` withdrew its pass on an unreleased milestone;
    ///         `agreeing` sources remain.
    event EvidenceWithdrawn(bytes32 indexed orderId, uint8 indexed milestone, uint8 source, uint8 agreeing);
    /// @notice The provider claimed a milestone optimistically.
    event MilestoneClaimed(bytes32 indexed orderId, uint8 indexed milestone, uint40 challengeEnds);
    /// @notice The payer side challenged a claim: the arbiter must rule by `deadline`.
    event ClaimChallenged(
        bytes32 indexed orderId,
        uint8 indexed milestone,
        uint256 indexed disputeId,
        address arbiter,
        uint40 deadline
    );

    // ------------------------------------------------------------------ constants and configuration

    /// @notice At most this many inspectors per order.
    function MAX_INSPECTORS() external pure returns (uint256);
    /// @notice At most this many milestones per order.
    function MAX_MILESTONES() external pure returns (uint256);
    /// @notice ERC-792 ruling: the provider's claim stands.
    function RULING_PROVIDER() external pure returns (uint256);
    /// @notice ERC-792 ruling: the payer's challenge stands.
    function RULING_PAYER() external pure returns (uint256);
    /// @notice EIP-712 typehash of an inspector's verdict (domain "Plinth MaintenanceEvidence", version "1").
    function INSPECTION_TYPEHASH() external pure returns (bytes32);
    /// @notice How far (seconds) a verdict's `issuedAt` may be ahead of the block recording it.
    function MAX_VERDICT_SKEW() external pure returns (uint256);
    /// @notice The work orders this contract releases milestones of (its deployer).
    function orders() external view returns (IMaintenanceOrders);
    /// @notice The device registry (verified readings).
    function deviceRegistry() external view returns (IDeviceRegistry);
    /// @notice The suite's dispute module deciding challenged claims (arbiters rule there; it calls `rule`).
    function disputes() external view returns (IDisputeModule);

    // ------------------------------------------------------------------ functions

    /// @notice Counts the device's latest reading of the policy's kind as evidence for a milestone
    ///         (anyone). The device registry verified its signature; here it must come from the
    ///         order's device, have a counter above every counter used so far (the baseline frozen
    ///         at acceptance, then each used reading), be signed after acceptance and no later than
    ///         completeBy, and meet the value condition. The device's binding and status were checked
    ///         at acceptance and are not read again: unbinding, rebinding, suspending or
    ///         decommissioning it afterwards cannot refuse a reading the registry accepted.
    /// @param orderId The order.
    /// @param milestone The milestone it proves.
    /// @param deviceId The device whose reading is submitted (must be the order's).
    function submitDeviceEvidence(bytes32 orderId, uint8 milestone, uint256 deviceId) external;

    /// @notice Records inspectors' signed verdicts (anyone submits) on unreleased milestones of an
    ///         Active order, up to completeBy. Each must be for this order, not expired, signed under
    ///         this escrow's EIP-712 domain by an inspector named on the order (EOA or ERC-1271), and
    ///         issued after the order's acceptance (`InspectionBeforeAcceptance`: issuedAt <=
    ///         acceptedAt), at most MAX_VERDICT_SKEW seconds ahead of this block
    ///         (`InspectionFromFuture`) and after the verdict of the same inspector on record for the
    ///         milestone (`StaleInspection`: an older verdict, or the same one again, never counts).
    ///         The latest verdict of an inspector is the one that counts: a pass agrees (and may
    ///         release the milestone); a fail releases nothing and withdraws that inspector's earlier
    ///         pass (`EvidenceWithdrawn`); a later pass replaces a fail. A released milestone stays
    ///         released (`AlreadyReleased`).
    /// @param orderId The order.
    /// @param inspections The verdicts (at most MAX_INSPECTORS).
    /// @param signatures One signature per verdict.
    function submitInspections(
        bytes32 orderId,
        Inspection[] calldata inspections,
        bytes[] calldata signatures
    ) external;

    /// @notice The provider claims a milestone optimistically; unless the controller challenges it
    ///         within the policy's challenge window, it then counts as one agreeing source.
    /// @param orderId The order.
    /// @param milestone The milestone claimed.
    function claimMilestone(bytes32 orderId, uint8 milestone) external;

    /// @notice The controller challenges a pending claim within its window: a dispute opens on the
    ///         dispute module (`disputes`), where the order's arbiter must rule before the dispute
    ///         timeout; from then on anyone applies the order's default ruling there. The module
    ///         delivers the ruling through `rule` (1: the claim counts as a source; 2: it is rejected
    ///         and the provider may claim again until completeBy). A dispute made moot (milestone
    ///         released by other evidence) changes nothing when its ruling arrives.
    /// @param orderId The order.
    /// @param milestone The milestone whose claim is challenged.
    /// @return disputeId The module's id: keccak256(abi.encode(escrow, keccak256(abi.encode(orderId, milestone, round)))).
    function challenge(bytes32 orderId, uint8 milestone) external returns (uint256 disputeId);

    /// @notice Counts a claim whose challenge window ended unchallenged (anyone).
    /// @param orderId The order.
    /// @param milestone The milestone.
    function finalizeClaim(bytes32 orderId, uint8 milestone) external;

    /// @notice Validates and stores a new order's completion policy, inspectors and milestones. Only
    ///         MaintenanceOrders (`NotOrders`), while it creates the order.
    /// @param orderId The new order.
    /// @param deviceId The order's device (0: none; a policy using the device needs one).
    /// @param policy The completion policy.
    /// @param inspectors The inspectors (at most MAX_INSPECTORS, distinct, non-zero).
    /// @param milestoneBps Milestone shares in bps summing to 10,000 (empty: one milestone).
    /// @return milestoneCount The number of milestones.
    function storeTerms(
        bytes32 orderId,
        uint256 deviceId,
        Policy calldata policy,
        address[] calldata inspectors,
        uint16[] calldata milestoneBps
    ) external returns (uint8 milestoneCount);

    /// @notice Copies a finished order's policy, inspectors and milestones to its re-issue. Only MaintenanceOrders.
    /// @param oldId The finished order.
    /// @param newId The new order.
    function copyTerms(bytes32 oldId, bytes32 newId) external;

    /// @notice Freezes the device evidence rules of an order being accepted: when the policy uses the
    ///         device, it must be Active and bound to the order's asset now, and the counter of its
    ///         latest reading of the policy's kind becomes the baseline. From then on nothing done to
    ///         the device (unbind, rebind, suspend, decommission) can refuse a reading the registry
    ///         accepted. Only MaintenanceOrders.
    /// @param orderId The order being accepted.
    /// @param assetId Its asset.
    /// @param deviceId Its device.
    /// @return base The baseline counter (0 when the policy does not use the device).
    function freezeDevice(bytes32 orderId, uint256 assetId, uint256 deviceId) external returns (uint64 base);

    /// @notice What a defaulting order needs to know: its pending claims, and whether the provider was
    ///         left without enough evidence sources through no act of its own (the policy needs the
    ///         device, k exceeding the other sources, and the device was decommissioned after acceptance).
    /// @param orderId The order.
    /// @param deviceId Its device.
    /// @return pendingClaims Optimistic claims pending or disputed.
    /// @return deviceGone Whether the device the order needs is gone (the bond is then returned).
    function defaultTerms(
        bytes32 orderId,
        uint256 deviceId
    ) external view returns (uint8 pendingClaims, bool deviceGone);

    /// @notice The completion policy of an order.
    /// @param orderId The order.
    /// @return The stored policy.
    function getPolicy(bytes32 orderId) external view returns (Policy memory);

    /// @notice The inspectors named on an order.
    /// @param orderId The order.
    /// @return list The inspectors, in order.
    function getInspectors(bytes32 orderId) external view returns (address[] memory list);

    /// @notice One milestone of an order.
    /// @param orderId The order.
    /// @param milestone Its index.
    /// @return The stored milestone.
    function getMilestone(bytes32 orderId, uint8 milestone) external view returns (Milestone memory);

    /// @notice The amount a milestone pays (its share of the price, exact over all milestones).
    /// @param orderId The order.
    /// @param milestone Its index.
    /// @return The amount.
    function milestoneAmount(bytes32 orderId, uint8 milestone) external view returns (uint256);

    /// @notice The claim a dispute is about (its ruling state is on the dispute module).
    /// @param disputeId The dispute.
    /// @return The order, milestone and claim round disputed.
    function getDispute(uint256 disputeId) external view returns (Dispute memory);

    /// @notice The EIP-712 digest an inspector signs.
    /// @param i The verdict.
    /// @return The digest under this escrow's domain.
    function inspectionDigest(Inspection calldata i) external view returns (bytes32);

    /// @notice An order's evidence progress (used counter, pending claims).
    /// @param orderId The order.
    /// @return The stored progress.
    function getProgress(bytes32 orderId) external view returns (Progress memory);
}
