// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {IArbitrable} from "../disputes/IArbitrable.sol";
import {IDisputeModule} from "../disputes/IDisputeModule.sol";
import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IRentalEscrow} from "./IRentalEscrow.sol";
import {IRentalTypes} from "./IRentalTypes.sol";

/// @title IRentalClaims
/// @notice Damage claims on the deposit a rental escrow holds after settlement, and their disputes (decided by
///         the suite's dispute module, ERC-792 style, two choices). Every external function of RentalClaims.
///         Its events are declared here; types and errors come from the rental vocabulary, IRentalTypes (as
///         maintenance's contracts each declare their events and share IMaintenance's types and errors). The
///         escrow keeps the agreement (Settling, the deposit held, the claim-window deadline); this contract keeps
///         the claim and closes the agreement through the escrow's `closeSettlement`. Outcomes are binary: for
///         the claimant the owner's claim is paid, for the challenger (also a refused ruling and a timeout) the
///         whole deposit goes back to the renter; a partial outcome comes from the owner claiming less, or waiving.
interface IRentalClaims is IArbitrable, IERC165 {
    /// @notice The owner claimed damages from the deposit.
    event DamageClaimed(bytes32 indexed id, uint256 amount, bytes32 evidence);
    /// @notice The renter disputed the claim: dispute `disputeId` on the dispute module, where `arbiter` rules
    ///         before `deadline` (from then on anyone applies the default: for the renter).
    event ClaimDisputed(bytes32 indexed id, uint256 indexed disputeId, address indexed arbiter, uint256 deadline);
    /// @notice ERC-792: the dispute module (`arbitrator`) delivered the final ruling of `disputeId`.
    event Ruling(address indexed arbitrator, uint256 indexed disputeId, uint256 ruling);
    /// @notice A ruling could not be enforced when delivered (the escrow's payout reverted); `finalize` retries it.
    event RulingDeferred(bytes32 indexed id, uint256 indexed disputeId, uint256 ruling);

    /// @notice The escrow whose agreements this contract settles claims on (its creator).
    /// @return The escrow.
    function escrow() external view returns (IRentalEscrow);

    /// @notice The dispute module deciding disputed claims.
    /// @return The module.
    function disputes() external view returns (IDisputeModule);

    /// @notice The asset registry naming the owner side of asset rentals (the asset's current agent).
    /// @return The registry.
    function assetRegistry() external view returns (IAssetRegistry);

    /// @notice The owner side claims damages from the held deposit within the claim window (the escrow's
    ///         `deadline` of the Settling agreement, inclusive). The renter then has `responseWindow` to answer.
    ///         Owner side: the asset's current agent for an asset rental, the owner at opening for a device.
    /// @param id The agreement (Settling, no claim yet).
    /// @param amount Claimed amount (1 .. deposit held).
    /// @param evidence Hash of off-chain evidence (photos, report).
    function claimDamage(bytes32 id, uint256 amount, bytes32 evidence) external;

    /// @notice The owner side releases the whole deposit to the renter without (further) claim: closes the
    ///         agreement. Not while a dispute runs.
    /// @param id The agreement (Settling; no claim, or a pending one).
    function waiveClaim(bytes32 id) external;

    /// @notice The renter accepts the pending claim: the claim is paid to the owner side, the rest of the
    ///         deposit credited to the renter; closes the agreement.
    /// @param id The agreement (claim pending).
    function acceptClaim(bytes32 id) external;

    /// @notice The renter disputes the pending claim within the response window (inclusive): opens a dispute on
    ///         the dispute module (key = the agreement id) for the terms' arbiter, or the default arbiter in force
    ///         now, to rule within the terms' `arbiterTimeout`; default ruling (refusal, timeout): for the renter.
    /// @param id The agreement (claim pending, response window open).
    /// @return disputeId The module's dispute id.
    function disputeClaim(bytes32 id) external returns (uint256 disputeId);

    // rule(disputeId, ruling): IArbitrable (the dispute module's callback; see RentalClaims.rule).

    /// @notice Anyone moves a Settling agreement past its deadline: no claim once the claim window passed ->
    ///         deposit to the renter; a claim unanswered once the response window passed -> claim paid (silence
    ///         is acceptance). Also enforces a ruling whose enforcement reverted when delivered (Ruled).
    ///         A disputed claim is closed by the dispute module only (`rule` / `resolveByTimeout` there).
    /// @param id The agreement (Settling).
    function finalize(bytes32 id) external;

    /// @notice The damage claim on an agreement (all zero when none).
    /// @param id The agreement.
    /// @return The claim.
    function claimOf(bytes32 id) external view returns (IRentalTypes.Claim memory);

    /// @notice The agreement a dispute opened by this contract is about (zero when unknown).
    /// @param disputeId The dispute.
    /// @return The agreement id.
    function agreementOfDispute(uint256 disputeId) external view returns (bytes32);

    /// @notice The dispute id the module gives (or gave) this contract's dispute on an agreement's claim.
    /// @param id The agreement.
    /// @return The dispute id (whether or not it was opened).
    function disputeIdOf(bytes32 id) external view returns (uint256);
}
