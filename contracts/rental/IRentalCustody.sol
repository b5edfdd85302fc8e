// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";
import {IPlinthErrors} from "../common/IPlinthErrors.sol";

/// @title IRentalCustody
/// @notice Custody and payouts of the rental part: every agreement's money sits in the AssetVault clone of its
///         custody id (CREATE2, salt = custodyId: the rented asset, the asset a rented device is bound to, else
///         the device; see `IRentalEscrow.custodyOf`), deployed by the income distributor and shared by it, the
///         maintenance custody and this contract, each with its own accounting. Renters pay through the
///         escrow straight into the vault (ERC-20 by transferFrom, ETH forwarded through this contract); what
///         parties are owed is a claimable balance per (party, custody, token) pulled with `withdraw`; the owner
///         side's income is handed to the income distributor in the same vault (`depositHeld`, no transfer), or
///         deferred when it refuses. Only the rental escrow (this contract's deployer) moves ETH in, credits or
///         pays income (`NotEscrow`).
interface IRentalCustody is IPlinthErrors {
    /// @notice `party` can withdraw `amount` more of `token` from custody `custodyId`'s vault.
    event Credited(address indexed party, uint256 indexed custodyId, address indexed token, uint256 amount);
    /// @notice `party` withdrew `amount` of `token` from custody `custodyId`'s vault to `to`.
    event Withdrawn(
        address indexed party,
        uint256 indexed custodyId,
        address indexed token,
        address to,
        uint256 amount
    );
    /// @notice Income was deposited into the distributor for `assetId`.
    event IncomeDeposited(uint256 indexed assetId, address indexed token, uint256 amount);
    /// @notice The income distributor refused a deposit; the income waits to be flushed.
    event IncomeDeferred(uint256 indexed assetId, address indexed token, uint256 amount);
    /// @notice Deferred income of an asset that can never take income again (retired by a buyout, or
    ///         shares without the income hook) was credited to the asset's agent.
    event IncomeRedirected(uint256 indexed assetId, address indexed token, address indexed agent, uint256 amount);

    // ------------------------------------------------------------------ configuration

    /// @notice The rental escrow whose money this contract holds (its deployer, the only caller of the
    ///         mutating entry points other than `withdraw`, `withdrawTo` and `flushIncome`).
    /// @return The escrow.
    function escrow() external view returns (address);

    /// @notice The asset registry (the agent credited with income an asset can never take again).
    /// @return The registry.
    function assetRegistry() external view returns (IAssetRegistry);

    /// @notice The income distributor rent and damages of assets are deposited into.
    /// @return The distributor.
    function distributor() external view returns (IIncomeDistributor);

    /// @notice What `party` can withdraw of `token` from custody `custodyId`'s vault.
    /// @param party The party.
    /// @param custodyId The custody.
    /// @param token The token (address(0) = ETH).
    /// @return The claimable amount.
    function claimable(address party, uint256 custodyId, address token) external view returns (uint256);

    /// @notice Income the distributor refused, waiting for `flushIncome` (held in the asset's vault).
    /// @param assetId The asset.
    /// @param token The token.
    /// @return The deferred amount.
    function pendingIncome(uint256 assetId, address token) external view returns (uint256);

    /// @notice The vault holding the money of custody `custodyId` (the distributor's `vaultOf`, derived without a
    ///         call; deployed with the custody's first money in any part).
    /// @param custodyId An asset id, or the id of a rented device bound to no asset.
    /// @return The vault's CREATE2 address (salt = custodyId).
    function vaultOf(uint256 custodyId) external view returns (address);

    // ------------------------------------------------------------------ money in and accounting (escrow only)

    /// @notice Forwards the ETH sent with the call into custody `custodyId`'s existing vault (a vault accepts
    ///         ETH from its controllers only). Only the escrow.
    /// @param custodyId The custody.
    function fund(uint256 custodyId) external payable;

    /// @notice Makes `amount` of `token` held in custody `custodyId`'s vault claimable by `party` (0: no-op).
    ///         Only the escrow.
    /// @param party Who may withdraw it.
    /// @param custodyId The custody whose vault holds it.
    /// @param token The token (address(0) = ETH).
    /// @param amount The amount.
    function credit(address party, uint256 custodyId, address token, uint256 amount) external;

    /// @notice Hands `amount` of `token` held in `assetId`'s vault to the income distributor as the asset's income
    ///         (`depositHeld`: the money stays in the shared vault). A refusal leaves it counted here as deferred
    ///         income (`pendingIncome`,
    ///         `IncomeDeferred`) instead of blocking the agreement. Only the escrow.
    /// @param assetId The asset (its vault holds the money).
    /// @param token The token (address(0) = ETH).
    /// @param amount The amount.
    function payIncome(uint256 assetId, address token, uint256 amount) external;

    // ------------------------------------------------------------------ money out (anyone, for themselves)

    /// @notice Withdraws the caller's claimable balance of `token` in custody `custodyId` to the caller.
    /// @param custodyId The custody whose vault holds the balance.
    /// @param token The token (address(0) for ETH).
    function withdraw(uint256 custodyId, address token) external;

    /// @notice Withdraws the caller's claimable balance of `token` in custody `custodyId` to `to` (e.g.
    ///         when the caller is blocklisted by the token or cannot receive ETH).
    /// @param custodyId The custody whose vault holds the balance.
    /// @param token The token (address(0) for ETH).
    /// @param to Receiver (not address(0)).
    function withdrawTo(uint256 custodyId, address token, address to) external;

    /// @notice Retries depositing income the distributor refused earlier (anyone may call). Income of an
    ///         asset that can never take income again (`incomeClosed`: retired by a buyout, or shares that
    ///         bypass the income hook) is credited to the asset's agent instead, as a claimable balance, so
    ///         that every amount has an exit. Every other refusal is reversible (no shares yet, a token
    ///         governance withdrew): the income stays deferred for a later flush, so nobody can divert it
    ///         by flushing while a refusal lasts.
    /// @param assetId The asset.
    /// @param token The token.
    function flushIncome(uint256 assetId, address token) external;
}
