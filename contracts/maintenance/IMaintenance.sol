// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IPlinthErrors} from "../common/IPlinthErrors.sol";

/// @title IMaintenance
/// @notice The maintenance part's vocabulary: the types and errors shared by its three contracts
///         (MaintenanceOrders, MaintenanceEvidence, MaintenanceCustody). Each contract's own interface
///         inherits it and declares that contract's events and functions. Errors shared by every part of
///         Plinth come from IPlinthErrors.
interface IMaintenance is IPlinthErrors {
    /// @notice Lifecycle of a work order. Completed, Cancelled, Expired and Defaulted are terminal.
    enum State {
        None,
        Open,
        Active,
        Completed,
        Cancelled,
        Expired,
        Defaulted
    }

    /// @notice Condition on a device reading's value (None: any value).
    enum Comparator {
        None,
        EQ,
        GTE,
        LTE
    }

    /// @notice Where a defaulting provider's bond goes.
    enum SlashTo {
        Payer,
        Reserve
    }

    /// @notice State of the optimistic claim on one milestone.
    enum ClaimStatus {
        None,
        Pending,
        Disputed
    }

    /// @notice Completion policy, fixed at creation: `k` of the enabled sources must agree per milestone.
    /// @param arbiter Resolves disputes on optimistic claims (EOA or contract calling the dispute module's `rule`).
    /// @param k Number of agreeing sources needed to release a milestone (1..n).
    /// @param useDevice Source (a): an attestation of `kind` from the order's device.
    /// @param optimistic Source (c): a provider claim that survives `challengeWindow` unchallenged.
    /// @param cmp Condition on the device reading's value against `threshold`.
    /// @param defaultRuling Outcome when the arbiter does not rule within `disputeTimeout` (1 provider, 2 payer).
    /// @param kind Reading kind the device attestation must have.
    /// @param threshold Value the reading is compared with.
    /// @param challengeWindow Seconds during which an optimistic claim can be challenged.
    /// @param disputeTimeout Seconds the arbiter has to rule before `defaultRuling` applies.
    struct Policy {
        address arbiter;
        uint8 k;
        bool useDevice;
        bool optimistic;
        Comparator cmp;
        uint8 defaultRuling;
        uint32 kind;
        uint64 threshold;
        uint32 challengeWindow;
        uint32 disputeTimeout;
    }

    /// @notice Arguments of `createOrder`.
    /// @param assetId The asset maintained.
    /// @param deviceId The device maintained (0: none); it must be bound to `assetId`.
    /// @param token Governance-allowlisted ERC-20 of the budget and the bond.
    /// @param budget Amount escrowed (the most a provider can be paid).
    /// @param bond Bond a named provider posts on acceptance, or the minimum bond of a bid.
    /// @param provider Named provider, or address(0) to award a signed bid.
    /// @param acceptBy Last second at which the order can be accepted.
    /// @param completeBy Last second at which evidence or optimistic claims are accepted.
    /// @param fromReserve True: funded from the asset's maintenance reserve (agent only).
    /// @param slashTo Where a defaulting provider's bond goes.
    /// @param policy The completion policy.
    /// @param inspectors Inspectors whose signatures count (each once), at most MAX_INSPECTORS.
    /// @param milestoneBps Share of the price per milestone in bps summing to 10,000 (empty: one milestone).
    /// @param salt Makes the order id unique per creator.
    struct OrderParams {
        uint256 assetId;
        uint256 deviceId;
        address token;
        uint256 budget;
        uint256 bond;
        address provider;
        uint40 acceptBy;
        uint40 completeBy;
        bool fromReserve;
        SlashTo slashTo;
        Policy policy;
        address[] inspectors;
        uint16[] milestoneBps;
        bytes32 salt;
    }

    /// @notice A work order as stored by MaintenanceOrders: its money terms and lifecycle. Its completion
    ///         policy, inspectors, milestones and evidence are stored by MaintenanceEvidence.
    struct Order {
        address payer;
        uint40 acceptBy;
        uint40 completeBy;
        State state;
        bool fromReserve;
        address provider;
        uint40 acceptedAt;
        uint8 milestoneCount;
        uint8 releasedCount;
        SlashTo slashTo;
        address token;
        uint128 budget;
        uint128 price;
        uint128 bond;
        uint128 released;
        uint256 assetId;
        uint256 deviceId;
    }

    /// @notice One milestone of an order, in one slot.
    /// @param startBps Cumulative bps before this milestone.
    /// @param endBps Cumulative bps including this milestone.
    /// @param passBits Sources that agree now: bit 0 device, bit 1 optimistic, bit 2+i inspector i
    ///        (cleared again when inspector i's newer verdict is a fail).
    /// @param votedBits Inspectors with a verdict on record for this milestone (pass or fail).
    /// @param released Whether the milestone was paid.
    /// @param claim State of the optimistic claim.
    /// @param claimEnds End of the challenge window (Pending) or dispute deadline (Disputed).
    /// @param round Number of claims made so far (dispute ids derive from it).
    struct Milestone {
        uint16 startBps;
        uint16 endBps;
        uint16 passBits;
        uint16 votedBits;
        bool released;
        ClaimStatus claim;
        uint40 claimEnds;
        uint16 round;
    }

    /// @notice An inspector's verdict, signed with EIP-712. Verdicts of one inspector on one
    ///         milestone are ordered by `issuedAt`: only a verdict issued after the one on record
    ///         counts, and it replaces it (see `submitInspections`).
    /// @param issuedAt When the inspector issued it (Unix seconds): after the order's acceptance,
    ///        at most MAX_VERDICT_SKEW seconds ahead of the block that records it.
    /// @param deadline Last second at which it can be submitted.
    struct Inspection {
        bytes32 orderId;
        uint8 milestone;
        bool passed;
        address inspector;
        uint256 issuedAt;
        uint256 deadline;
    }

    /// @notice A provider's bid on an open order, signed with EIP-712 and submitted by the order's controller.
    /// @param issuedAt When the provider issued it: the provider withdraws every bid it issued for
    ///        the order up to a time with `withdrawBids`, so a revised bid is not undercut by an older one.
    /// @param deadline Last second at which it can be awarded.
    struct Bid {
        bytes32 orderId;
        address provider;
        uint256 price;
        uint256 bond;
        uint256 issuedAt;
        uint256 deadline;
    }

    /// @notice What MaintenanceEvidence reads of an order to judge evidence (`IMaintenanceOrders.windowOf`).
    /// @param state The order's state (evidence counts only on an Active order).
    /// @param provider The provider (the only one who claims optimistically).
    /// @param acceptedAt When it was accepted (evidence must be newer).
    /// @param completeBy Last second for evidence and claims.
    /// @param deviceId The order's device (0: none).
    struct Window {
        State state;
        address provider;
        uint40 acceptedAt;
        uint40 completeBy;
        uint256 deviceId;
    }

    /// @notice An order's evidence progress as stored by MaintenanceEvidence.
    /// @param usedCounter Every device reading used must have a counter above this (the baseline
    ///        frozen at acceptance, then each reading used).
    /// @param pendingClaims Optimistic claims pending or disputed (the order cannot default meanwhile).
    struct Progress {
        uint64 usedCounter;
        uint8 pendingClaims;
    }

    /// @notice The optimistic claim a dispute (opened on the dispute module) is about.
    struct Dispute {
        bytes32 orderId;
        uint8 milestone;
        uint16 round;
    }

    /// @notice The device is not bound to the asset.
    error DeviceNotOnAsset(uint256 deviceId, uint256 assetId);
    /// @notice An order with this id exists already.
    error OrderExists(bytes32 orderId);
    /// @notice No such order.
    error UnknownOrder(bytes32 orderId);
    /// @notice The budget is zero or too large.
    error BadBudget(uint256 budget);
    /// @notice The bond is too large.
    error BadBond(uint256 bond);
    /// @notice Deadlines must satisfy now < acceptBy < completeBy.
    error BadDeadlines(uint40 acceptBy, uint40 completeBy);
    /// @notice The completion policy is inconsistent (k, sources, windows, ruling).
    error BadPolicy();
    /// @notice Too many, zero or duplicate inspectors.
    error BadInspectors();
    /// @notice Too many milestones, a zero share, or shares not summing to 10,000 bps.
    error BadMilestones();
    /// @notice The asset's vault received `received` instead of `expected` (fee-on-transfer or short pull).
    error FundingShortfall(uint256 expected, uint256 received);
    /// @notice The order is in `state`, which does not allow this.
    error WrongState(bytes32 orderId, State state);
    /// @notice Only the order's provider.
    error NotProvider(address caller);
    /// @notice The order names a provider; bids are not taken.
    error NotOpenForBids(bytes32 orderId);
    /// @notice A bid for another order, above the budget, zero, or with a bond under the minimum.
    error BadBid();
    /// @notice The signature is not `signer`'s for this escrow (wrong signer, domain or content).
    error InvalidSignature(address signer);
    /// @notice No milestone with this index.
    error BadMilestone(uint8 milestone);
    /// @notice The milestone was already released.
    error AlreadyReleased(bytes32 orderId, uint8 milestone);
    /// @notice The policy does not use this evidence source.
    error SourceNotEnabled();
    /// @notice Source `source` already agreed on this milestone.
    error SourceAlreadyCounted(uint8 milestone, uint8 source);
    /// @notice The device attestation was submitted for another device than the order's.
    error WrongDevice(uint256 expected, uint256 given);
    /// @notice The device is not Active in the registry.
    error DeviceNotActive(uint256 deviceId);
    /// @notice The latest reading is not newer than the one already used (or than the counter at acceptance).
    error StaleAttestation(uint64 counter, uint64 minimumExclusive);
    /// @notice The latest reading was signed before the order was accepted.
    error AttestationBeforeAcceptance(uint40 timestamp, uint40 acceptedAt);
    /// @notice The latest reading was signed after the order's complete-by deadline.
    error AttestationAfterDeadline(uint40 timestamp, uint40 completeBy);
    /// @notice The reading's value fails the policy's value condition.
    error ValueConditionFailed(uint64 value, uint64 threshold);
    /// @notice The inspector is not named on the order.
    error InspectorNotOnOrder(address inspector);
    /// @notice The inspector's verdict on record for this milestone was issued at `latest`, not
    ///         before this one's `issuedAt` (an older verdict, or the same one again).
    error StaleInspection(address inspector, uint8 milestone, uint256 issuedAt, uint256 latest);
    /// @notice The verdict was issued at or before the order's acceptance.
    error InspectionBeforeAcceptance(uint256 issuedAt, uint40 acceptedAt);
    /// @notice The verdict claims an issue time after `latestAllowed` (block time + MAX_VERDICT_SKEW).
    error InspectionFromFuture(uint256 issuedAt, uint256 latestAllowed);
    /// @notice The provider withdrew its bids for this order issued at or before `withdrawnUpTo`.
    error BidWithdrawn(address provider, uint256 issuedAt, uint256 withdrawnUpTo);
    /// @notice The inspection signature expired.
    error InspectionExpired(uint256 deadline);
    /// @notice The inspection is for another order.
    error InspectionForOtherOrder(bytes32 orderId);
    /// @notice The milestone already has a claim (or none to act on).
    error WrongClaimStatus(ClaimStatus status);
    /// @notice Claims, disputes or windows are still open on this order.
    error ClaimsPending(uint8 pending);
    /// @notice Nothing to claim or return.
    error NothingToClaim();
    /// @notice The order was already re-issued.
    error AlreadyReissued(bytes32 orderId);

    /// @notice Only the suite's MaintenanceOrders calls this (a sibling entry: terms, funding, credits).
    error NotOrders(address caller);
    /// @notice Only the suite's MaintenanceEvidence calls this (it releases milestones).
    error NotEvidence(address caller);
}
