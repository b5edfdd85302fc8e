// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";
import {IMaintenance} from "./IMaintenance.sol";

/// @title IMaintenanceCustody
/// @notice Custody and payouts of the maintenance part: every order's money sits in its asset's
///         AssetVault clone (CREATE2 by the income distributor, salt = assetId), which the distributor, the
///         rental custody and this contract share, each with its own accounting. Budgets and bonds
///         are pulled in (payers and providers approve this contract), payments, refunds, returned and
///         slashed bonds are claimable balances per (party, asset, token) pulled with `claim`, and refunds
///         of reserve-funded orders are held as reserve credit until `returnToReserve`. Only
///         MaintenanceOrders moves money in or credits it.
interface IMaintenanceCustody is IMaintenance {
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

    // ------------------------------------------------------------------ configuration

    /// @notice The work orders whose money this contract holds (its deployer, the only caller of `fund` and credits).
    function orders() external view returns (address);
    /// @notice The asset registry (agents, statuses).
    function assetRegistry() external view returns (IAssetRegistry);
    /// @notice The income distributor (maintenance reserves).
    function distributor() external view returns (IIncomeDistributor);
    /// @notice Claimable balance of a party from an asset's orders in a token.
    function claimable(address party, uint256 assetId, address token) external view returns (uint256);
    /// @notice Money held for an asset's maintenance reserve, to be returned with `returnToReserve`.
    function reserveCredit(uint256 assetId, address token) external view returns (uint256);

    // ------------------------------------------------------------------ functions

    /// @notice Moves `amount` of `token` into `assetId`'s vault (deploying it with the asset's first
    ///         money). Reserve-funded: the asset's reserve credit held here is spent first, the rest is
    ///         taken from the asset's maintenance reserve, which the distributor holds in the same vault
    ///         (accounting only, no transfer). Otherwise pulled from `from` with transferFrom (`from`
    ///         approved this contract). The vault must receive exactly the amount pulled
    ///         (`FundingShortfall`: fee-on-transfer tokens are refused). Only MaintenanceOrders (`NotOrders`).
    /// @param assetId The asset.
    /// @param token The ERC-20.
    /// @param from The payer or provider (ignored when `fromReserve`).
    /// @param amount The amount.
    /// @param fromReserve Whether the asset's maintenance reserve pays.
    function fund(uint256 assetId, address token, address from, uint256 amount, bool fromReserve) external;

    /// @notice Makes `amount` of `token` held for `assetId` claimable by `party`. Only MaintenanceOrders.
    /// @param party Who may claim it.
    /// @param assetId The asset whose vault holds it.
    /// @param token The ERC-20.
    /// @param amount The amount.
    function credit(address party, uint256 assetId, address token, uint256 amount) external;

    /// @notice Holds `amount` of `token` for `assetId`'s maintenance reserve. Only MaintenanceOrders.
    /// @param assetId The asset.
    /// @param token The ERC-20.
    /// @param amount The amount.
    function creditReserve(uint256 assetId, address token, uint256 amount) external;

    /// @notice Withdraws the caller's whole claimable balance of `token` from `assetId`'s orders to `to`.
    /// @param assetId The asset whose orders credited the balance.
    /// @param token The ERC-20.
    /// @param to Recipient (lets a blocklisted party withdraw elsewhere).
    /// @return amount The amount withdrawn.
    function claim(uint256 assetId, address token, address to) external returns (uint256 amount);

    /// @notice Deposits the money held for `assetId`'s reserve back through the income distributor (anyone): the
    ///         money stays in the shared vault and becomes the distributor's (`depositHeld`).
    ///         Once the asset is retired (bought out) the distributor takes no deposits and no new
    ///         order can spend the credit, so it becomes a claimable balance of the asset's agent,
    ///         who answers for the asset's remaining funds under the sale (never stuck in the vault).
    /// @param assetId The asset.
    /// @param token The ERC-20.
    /// @return amount The amount deposited (or credited to the agent of a retired asset).
    function returnToReserve(uint256 assetId, address token) external returns (uint256 amount);

    /// @notice The vault holding `assetId`'s funds (the distributor's `vaultOf`, derived without a call).
    /// @param assetId The asset.
    /// @return The vault's CREATE2 address.
    function vaultOf(uint256 assetId) external view returns (address);
}
