// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";
import {IDisputeModule} from "../disputes/IDisputeModule.sol";
import {IPlinthErrors} from "../common/IPlinthErrors.sol";

/// @title IMaintenanceEscrow
/// @notice Functions, types, events and errors of Plinth's maintenance escrow: funded work orders for a real
///         asset (or one of its devices), released to a provider when k of n evidence sources
///         agree (a device attestation read from the device registry, named inspectors' EIP-712
///         signatures, an unchallenged optimistic claim), refunded and slashed when deadlines pass.
interface IMaintenanceEscrow is IPlinthErrors {
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

    /// @notice A work order as stored (policy, inspectors and milestones are stored beside it).
    struct Order {
        address payer;
        uint40 acceptBy;
        uint40 completeBy;
        State state;
        bool fromReserve;
        address token;
        uint40 acceptedAt;
        uint8 milestoneCount;
        uint8 releasedCount;
        uint8 pendingClaims;
        SlashTo slashTo;
        uint8 inspectorCount;
        address provider;
        uint64 usedCounter;
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

    /// @notice The optimistic claim a dispute (opened on the dispute module) is about.
    struct Dispute {
        bytes32 orderId;
        uint8 milestone;
        uint16 round;
    }

    /// @notice Governance allowed or refused `token` for new orders.
    event TokenAllowed(address indexed token, bool allowed);
    /// @notice A work order was created and funded.
    event OrderCreated(
        bytes32 indexed orderId,
        uint256 indexed assetId,
        uint256 deviceId,
        address indexed payer,
        address token,
        uint256 budget,
        address provider,
        uint40 acceptBy,
        uint40 completeBy,
        bool fromReserve
    );
    /// @notice `newOrderId` re-issues the terms of the finished `oldOrderId`.
    event OrderReissued(bytes32 indexed oldOrderId, bytes32 indexed newOrderId);
    /// @notice A provider accepted (or was awarded) the order and posted its bond.
    event OrderAccepted(
        bytes32 indexed orderId,
        address indexed provider,
        uint256 price,
        uint256 bond,
        uint64 baseCounter
    );
    /// @notice The controller cancelled an order nobody had accepted.
    event OrderCancelled(bytes32 indexed orderId, uint256 refunded);
    /// @notice Nobody accepted the order by its accept-by deadline.
    event OrderExpired(bytes32 indexed orderId, uint256 refunded);
    /// @notice The provider did not complete by the complete-by deadline: unreleased budget refunded, bond slashed.
    event OrderDefaulted(bytes32 indexed orderId, uint256 refunded, uint256 slashed);
    /// @notice The order defaulted but the device its policy needs was decommissioned after
    ///         acceptance (it can never attest again): the provider's bond was returned, not slashed.
    event BondReturnedDeviceGone(bytes32 indexed orderId, uint256 indexed deviceId, uint256 bond);
    /// @notice Every milestone was released; the bond went back to the provider.
    event OrderCompleted(bytes32 indexed orderId, uint256 bondReturned);
    /// @notice One evidence source agreed on a milestone (`source`: 0 device, 1 optimistic, 2+i inspector i).
    event EvidenceAccepted(bytes32 indexed orderId, uint8 indexed milestone, uint8 source, uint8 agreeing);
    /// @notice An inspector's verdict on record for a milestone is now a fail: that inspector does not
    ///         count for it unless a newer pass of the same inspector replaces the fail.
    event InspectionFailed(bytes32 indexed orderId, uint8 indexed milestone, address indexed inspector);
    /// @notice A newer fail of inspector `source - 2` withdrew its pass on an unreleased milestone;
    ///         `agreeing` sources remain.
    event EvidenceWithdrawn(bytes32 indexed orderId, uint8 indexed milestone, uint8 source, uint8 agreeing);
    /// @notice `provider` withdrew every bid it issued for `orderId` at or before `issuedUpTo`.
    event BidsWithdrawn(bytes32 indexed orderId, address indexed provider, uint256 issuedUpTo);
    /// @notice A milestone's share of the price became claimable by the provider.
    event MilestoneReleased(bytes32 indexed orderId, uint8 indexed milestone, uint256 amount);
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
    /// @notice The vault holding `assetId`'s funds was deployed.
    event VaultCreated(uint256 indexed assetId, address vault);
    /// @notice `amount` of `token` from `assetId`'s orders became claimable by `party`.
    event Credited(address indexed party, uint256 indexed assetId, address indexed token, uint256 amount);
    /// @notice `amount` of `token` is held for the maintenance reserve of `assetId`.
    event ReserveCredited(uint256 indexed assetId, address indexed token, uint256 amount);
    /// @notice `amount` of the reserve credit held for `assetId` funded a new reserve-funded order.
    event ReserveCreditUsed(uint256 indexed assetId, address indexed token, uint256 amount);
    /// @notice The held reserve credit was deposited back through the income distributor.
    event ReserveReturned(uint256 indexed assetId, address indexed token, uint256 amount);
    /// @notice `party` withdrew `amount` of `token` (credited by `assetId`'s orders) to `to`.
    event Claimed(address indexed party, uint256 indexed assetId, address indexed token, address to, uint256 amount);

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
    /// @notice The escrow received `received` instead of `expected` (fee-on-transfer or short pull).
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
    /// @notice Only the escrow's dispute module delivers rulings.
    error NotDisputeModule(address caller);
    /// @notice Nothing to claim or return.
    error NothingToClaim();
    /// @notice The order was already re-issued.
    error AlreadyReissued(bytes32 orderId);

    // ------------------------------------------------------------------ constants and configuration

    /// @notice At most this many inspectors per order.
    function MAX_INSPECTORS() external pure returns (uint256);
    /// @notice At most this many milestones per order.
    function MAX_MILESTONES() external pure returns (uint256);
    /// @notice ERC-792 ruling: the provider's claim stands.
    function RULING_PROVIDER() external pure returns (uint256);
    /// @notice ERC-792 ruling: the payer's challenge stands.
    function RULING_PAYER() external pure returns (uint256);
    /// @notice EIP-712 typehash of an inspector's verdict.
    function INSPECTION_TYPEHASH() external pure returns (bytes32);
    /// @notice EIP-712 typehash of a provider's bid.
    function BID_TYPEHASH() external pure returns (bytes32);
    /// @notice How far (seconds) a verdict's `issuedAt` may be ahead of the block recording it.
    function MAX_VERDICT_SKEW() external pure returns (uint256);
    /// @notice The asset registry (agents, statuses).
    function assetRegistry() external view returns (IAssetRegistry);
    /// @notice The device registry (verified readings).
    function deviceRegistry() external view returns (IDeviceRegistry);
    /// @notice The dispute module deciding challenged claims (deployed by this escrow; arbiters rule there).
    function disputes() external view returns (IDisputeModule);
    /// @notice The income distributor (maintenance reserves).
    function distributor() external view returns (IIncomeDistributor);
    /// @notice Implementation of the per-asset vaults (deployed by this escrow, which it trusts).
    function vaultImplementation() external view returns (address);
    /// @notice Whether a token may fund new orders.
    function tokenAllowed(address token) external view returns (bool);
    /// @notice Claimable balance of a party from an asset's orders in a token.
    function claimable(address party, uint256 assetId, address token) external view returns (uint256);
    /// @notice Money held for an asset's maintenance reserve, to be returned with `returnToReserve`.
    function reserveCredit(uint256 assetId, address token) external view returns (uint256);

    // ------------------------------------------------------------------ functions

    /// @notice Allows or refuses `token` for new orders (existing orders are unaffected).
    /// @param token The ERC-20.
    /// @param allowed Whether new orders may use it.
    function setTokenAllowed(address token, bool allowed) external;

    /// @notice Creates and funds a work order. Payer-funded: pulls `budget` from the caller.
    ///         Reserve-funded (`fromReserve`, caller must be the asset's agent): pulls it from the
    ///         asset's maintenance reserve through the income distributor.
    /// @param p The order's terms.
    /// @return orderId keccak256(caller, salt).
    function createOrder(OrderParams calldata p) external returns (bytes32 orderId);

    /// @notice Re-issues a finished (Expired, Defaulted or Cancelled) order: a fresh order with the
    ///         same terms (asset, device, token, budget, bond, policy, inspectors, milestones,
    ///         funding source) and new deadlines, funded again. Only the old order's controller;
    ///         each order can be re-issued once (the new id is keccak256("reissue", oldId)).
    /// @param orderId The finished order.
    /// @param provider The new order's named provider (address(0): open to bids).
    /// @param acceptBy The new accept-by deadline.
    /// @param completeBy The new complete-by deadline.
    /// @return newOrderId The new order's id.
    function reissue(
        bytes32 orderId,
        address provider,
        uint40 acceptBy,
        uint40 completeBy
    ) external returns (bytes32 newOrderId);

    /// @notice The named provider accepts the order at the full budget and posts the bond
    ///         (pulled from the caller). The device's current counter becomes the baseline.
    /// @param orderId The order.
    function accept(bytes32 orderId) external;

    /// @notice The controller awards an open order (no named provider) to a provider's signed bid;
    ///         the bond is pulled from the provider, the budget above the price is refunded.
    /// @param orderId The order.
    /// @param bid The provider's bid (price <= budget, bond >= the order's minimum bond).
    /// @param signature The provider's EIP-712 signature of `bid` (EOA or ERC-1271).
    function awardBid(bytes32 orderId, Bid calldata bid, bytes calldata signature) external;

    /// @notice Withdraws every bid the caller (a provider) issued for `orderId` before
    ///         `issuedBefore` (`issuedAt` below it): the controller can no longer award them. A
    ///         revised bid, issued later, stays valid. The floor only rises (otherwise `BadBid`).
    /// @param orderId The order (it need not exist yet).
    /// @param issuedBefore Bids issued before this time are withdrawn.
    function withdrawBids(bytes32 orderId, uint256 issuedBefore) external;

    /// @notice The controller cancels an order nobody accepted yet; the budget is refunded.
    /// @param orderId The order.
    function cancel(bytes32 orderId) external;

    /// @notice Ends an order whose deadline passed (anyone). Open after `acceptBy`: Expired, full
    ///         refund. Active after `completeBy` with no claim pending: Defaulted, the unreleased
    ///         price is refunded and the bond slashed (to the payer side or the asset's reserve),
    ///         unless the policy cannot complete without the device and the device was
    ///         decommissioned after acceptance: then the bond goes back to the provider.
    /// @param orderId The order.
    function expire(bytes32 orderId) external;

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

    /// @notice Withdraws the caller's whole claimable balance of `token` from `assetId`'s orders to `to`.
    /// @param assetId The asset whose orders credited the balance.
    /// @param token The ERC-20.
    /// @param to Recipient (lets a blocklisted party withdraw elsewhere).
    /// @return amount The amount withdrawn.
    function claim(uint256 assetId, address token, address to) external returns (uint256 amount);

    /// @notice Deposits the money held for `assetId`'s reserve back through the income distributor (anyone).
    ///         Once the asset is retired (bought out) the distributor takes no deposits and no new
    ///         order can spend the credit, so it becomes a claimable balance of the asset's agent,
    ///         who answers for the asset's remaining funds under the sale (never stuck in the vault).
    /// @param assetId The asset.
    /// @param token The ERC-20.
    /// @return amount The amount deposited (or credited to the agent of a retired asset).
    function returnToReserve(uint256 assetId, address token) external returns (uint256 amount);

    /// @notice The vault holding `assetId`'s funds (deployed on the asset's first order).
    /// @param assetId The asset.
    /// @return The vault's CREATE2 address.
    function vaultOf(uint256 assetId) external view returns (address);

    /// @notice A work order (all zero when unknown).
    /// @param orderId The order.
    /// @return The stored order.
    function getOrder(bytes32 orderId) external view returns (Order memory);

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
}
