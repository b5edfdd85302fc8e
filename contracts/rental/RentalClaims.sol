// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IArbitrable} from "../disputes/IArbitrable.sol";
import {IDisputeModule} from "../disputes/IDisputeModule.sol";
import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {RULING_FOR_CLAIMANT, RULING_FOR_CHALLENGER} from "../common/Constants.sol";
import {IPlinthErrors} from "../common/IPlinthErrors.sol";
import {IRentalClaims} from "./IRentalClaims.sol";
import {IRentalTypes} from "./IRentalTypes.sol";
import {IRentalEscrow} from "./IRentalEscrow.sol";

/// @title RentalClaims
/// @notice Damage claims on the deposit a RentalEscrow holds once an agreement is settled, and their disputes,
///         decided by the suite's DisputeModule (ERC-792 style, two choices). Created by the escrow's
///         constructor (escrow nonce 2), so `escrow` is exactly its creator and the escrow accepts
///         `closeSettlement` from this contract only.
///
///         Phases of a Settling agreement (every one has a public exit after its deadline):
///         - no claim, until the escrow's claim-window `deadline`: owner side `claimDamage` or `waiveClaim`;
///           after it anyone `finalize`s -> the deposit goes back to the renter;
///         - claim pending, until claimed + responseWindow: renter `acceptClaim` or `disputeClaim`, owner side
///           `waiveClaim`; after it anyone `finalize`s -> the claim is paid (silence is acceptance);
///         - disputed, on the module until disputed + arbiterTimeout: the arbiter (the terms' own, else the
///           default arbiter at dispute time) rules there (1: for the owner, the claim is paid; 2 or 0: for
///           the renter); from the deadline on anyone `resolveByTimeout`s there -> for the renter (the arbiter
///           is the owner's choice of terms: its absence must not favour the owner). The module calls `rule`.
///
///         It holds no money: closing pays through the escrow (`closeSettlement(id, toOwner)`: `toOwner` to
///         the owner side as damages, the rest of the deposit to the renter). Storage: one slot per claim,
///         plus the dispute id -> agreement id of disputed claims.
contract RentalClaims is IRentalClaims, ReentrancyGuardTransient {
    /// @inheritdoc IRentalClaims
    IRentalEscrow public immutable escrow;
    /// @inheritdoc IRentalClaims
    IDisputeModule public immutable disputes;
    /// @inheritdoc IRentalClaims
    IAssetRegistry public immutable assetRegistry;

    mapping(bytes32 id => IRentalTypes.Claim) private _claims;
    mapping(uint256 disputeId => bytes32 id) private _disputedAgreement;

    /// @dev Deployed by RentalEscrow's constructor, which becomes `escrow`.
    /// @param disputes_ The suite's dispute module.
    /// @param assetRegistry_ The escrow's asset registry (owner side of asset rentals: the current agent).
    constructor(IDisputeModule disputes_, IAssetRegistry assetRegistry_) {
        if (address(disputes_) == address(0) || address(assetRegistry_) == address(0))
            revert IPlinthErrors.ZeroAddress();
        escrow = IRentalEscrow(msg.sender);
        disputes = disputes_;
        assetRegistry = assetRegistry_;
    }

    // ------------------------------------------------------------------ claims

    /// @inheritdoc IRentalClaims
    function claimDamage(bytes32 id, uint256 amount, bytes32 evidence) external nonReentrant {
        (IRentalTypes.State state, uint256 deadline, uint256 held, , bytes32 termsHash) = escrow.settlementOf(id);
        if (state != IRentalTypes.State.Settling) revert IRentalTypes.WrongState(id, state);
        IRentalTypes.Terms memory t = escrow.termsOf(termsHash);
        _requireOwnerSide(id, t);
        IRentalTypes.ClaimStatus status = _claims[id].status;
        if (status != IRentalTypes.ClaimStatus.None) revert IRentalTypes.WrongClaimStatus(id, status);
        if (block.timestamp > deadline) revert IPlinthErrors.DeadlinePassed(deadline);
        if (amount == 0 || amount > held) revert IRentalTypes.InvalidClaim(amount, held);
        // amount <= held (uint128); responseWindow <= 90 days: both fit.
        _claims[id] = IRentalTypes.Claim({
            amount: uint128(amount),
            deadline: uint40(block.timestamp + t.responseWindow),
            status: IRentalTypes.ClaimStatus.Pending
        });
        emit DamageClaimed(id, amount, evidence);
    }

    /// @inheritdoc IRentalClaims
    function waiveClaim(bytes32 id) external nonReentrant {
        (IRentalTypes.State state, , , , bytes32 termsHash) = escrow.settlementOf(id);
        if (state != IRentalTypes.State.Settling) revert IRentalTypes.WrongState(id, state);
        _requireOwnerSide(id, escrow.termsOf(termsHash));
        IRentalTypes.ClaimStatus status = _claims[id].status;
        if (status == IRentalTypes.ClaimStatus.Disputed || status == IRentalTypes.ClaimStatus.Ruled)
            revert IRentalTypes.WrongClaimStatus(id, status);
        delete _claims[id];
        escrow.closeSettlement(id, 0);
    }

    /// @inheritdoc IRentalClaims
    function acceptClaim(bytes32 id) external nonReentrant {
        IRentalTypes.Claim memory c = _requirePending(id);
        delete _claims[id];
        escrow.closeSettlement(id, c.amount);
    }

    /// @inheritdoc IRentalClaims
    function disputeClaim(bytes32 id) external nonReentrant returns (uint256 disputeId) {
        IRentalTypes.Claim memory c = _requirePending(id);
        if (block.timestamp > c.deadline) revert IPlinthErrors.DeadlinePassed(c.deadline);
        (, , , , bytes32 termsHash) = escrow.settlementOf(id);
        IRentalTypes.Terms memory t = escrow.termsOf(termsHash);
        address arbiter = t.arbiter == address(0) ? _defaultArbiter() : t.arbiter;
        _claims[id].status = IRentalTypes.ClaimStatus.Disputed;
        // The module never calls back from createDispute (only later, from its rule / resolveByTimeout).
        uint40 deadline;
        (disputeId, deadline) = disputes.createDispute(id, arbiter, t.arbiterTimeout, uint8(RULING_FOR_CHALLENGER));
        _claims[id].deadline = deadline;
        _disputedAgreement[disputeId] = id;
        emit ClaimDisputed(id, disputeId, arbiter, deadline);
    }

    /// @inheritdoc IRentalClaims
    function finalize(bytes32 id) external nonReentrant {
        IRentalTypes.Claim memory c = _claims[id];
        uint256 toOwner;
        if (c.status == IRentalTypes.ClaimStatus.None) {
            (IRentalTypes.State state, uint256 deadline, , , ) = escrow.settlementOf(id);
            if (state != IRentalTypes.State.Settling) revert IRentalTypes.WrongState(id, state);
            if (block.timestamp <= deadline) revert IPlinthErrors.DeadlineNotPassed(deadline);
        } else if (c.status == IRentalTypes.ClaimStatus.Disputed) {
            revert IRentalTypes.WrongClaimStatus(id, c.status);
        } else {
            // Pending past the response window: accepted by silence. Ruled: the ruling's award.
            if (c.status == IRentalTypes.ClaimStatus.Pending && block.timestamp <= c.deadline)
                revert IPlinthErrors.DeadlineNotPassed(c.deadline);
            toOwner = c.amount;
            delete _claims[id];
        }
        escrow.closeSettlement(id, toOwner);
    }

    /// @notice ERC-792 arbitrable side: the dispute module delivers the final ruling of a dispute opened by
    ///         `disputeClaim`. 1 (for the claimant): the claim is paid; 2 (for the challenger): the deposit goes
    ///         back to the renter. Only the module (`NotDisputeModule`); a dispute that is moot (unknown, already
    ///         closed) changes nothing and never reverts. Should the escrow's payout revert, the ruling is kept
    ///         (Ruled, `RulingDeferred`) for `finalize` to enforce.
    /// @param disputeId The dispute.
    /// @param ruling 1 or 2 (the module applied the default on refusal or timeout).
    function rule(uint256 disputeId, uint256 ruling) external nonReentrant {
        if (msg.sender != address(disputes)) revert IPlinthErrors.NotDisputeModule(msg.sender);
        bytes32 id = _disputedAgreement[disputeId];
        IRentalTypes.Claim storage c = _claims[id];
        if (id == bytes32(0) || c.status != IRentalTypes.ClaimStatus.Disputed) return; // moot: never revert for the module
        uint256 toOwner = ruling == RULING_FOR_CLAIMANT ? c.amount : 0;
        emit Ruling(msg.sender, disputeId, ruling);
        delete _claims[id];
        // The module's dispute is resolved whatever happens here: a settlement that reverts (the escrow busy in the
        // same transaction, or a caller of resolveByTimeout starving this call of gas) keeps the ruling for
        // `finalize` to enforce. Closing moves no token: the renter is credited and the damages stay in the vault.
        try escrow.closeSettlement(id, toOwner) {} catch {
            _claims[id] = IRentalTypes.Claim({
                amount: uint128(toOwner),
                deadline: 0,
                status: IRentalTypes.ClaimStatus.Ruled
            });
            emit RulingDeferred(id, disputeId, ruling);
        }
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IRentalClaims
    function claimOf(bytes32 id) external view returns (IRentalTypes.Claim memory) {
        return _claims[id];
    }

    /// @inheritdoc IRentalClaims
    function agreementOfDispute(uint256 disputeId) external view returns (bytes32) {
        return _disputedAgreement[disputeId];
    }

    /// @inheritdoc IRentalClaims
    function disputeIdOf(bytes32 id) external view returns (uint256) {
        return disputes.disputeIdOf(address(this), id);
    }

    /// @notice ERC-165: IRentalClaims, IArbitrable and IERC165.
    /// @param interfaceId The interface id.
    /// @return Whether this contract implements it.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return
            interfaceId == type(IRentalClaims).interfaceId ||
            interfaceId == type(IArbitrable).interfaceId ||
            interfaceId == type(IERC165).interfaceId;
    }

    // ------------------------------------------------------------------ internals

    /// @dev The arbiter of a dispute whose terms name none: the default in force when the claim is disputed.
    ///      The one place it is read.
    function _defaultArbiter() internal view returns (address) {
        return escrow.market().defaultArbiter();
    }

    /// @dev The pending claim of `id`, the caller being its renter.
    function _requirePending(bytes32 id) private view returns (IRentalTypes.Claim memory c) {
        c = _claims[id];
        if (c.status != IRentalTypes.ClaimStatus.Pending) revert IRentalTypes.WrongClaimStatus(id, c.status);
        (, , , address renter, ) = escrow.settlementOf(id);
        if (msg.sender != renter) revert IRentalTypes.NotRenter(msg.sender);
    }

    /// @dev Reverts unless the caller acts for the owner side now: for an asset, its CURRENT agent (an agent
    ///      replaced through the asset registry hands every live agreement to its successor and keeps no power
    ///      over them); for a device, its owner at opening (a leased device cannot change hands).
    function _requireOwnerSide(bytes32 id, IRentalTypes.Terms memory t) private view {
        address owner =
            t.subjectKind == uint8(IRentalTypes.SubjectKind.Asset)
                ? assetRegistry.agentOf(t.subjectId)
                : escrow.agreementOf(id).owner;
        if (msg.sender != owner) revert IRentalTypes.NotOwner(msg.sender);
    }
}
