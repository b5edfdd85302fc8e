// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IPlinthErrors} from "../common/IPlinthErrors.sol";

/// @title IAssetVault
/// @notice One asset's money (ERC-20 tokens and ETH), held for its three controllers: the income distributor, the
///         maintenance custody and the rental custody. Each controller keeps its own accounting and pays only what
///         it owes; nobody else can move the vault's funds or send it ETH (`NotController`). Clones are deployed by
///         `IAssetVaults.createVault`.
interface IAssetVault is IPlinthErrors {
    /// @notice Sends `amount` of `token` (address(0) = ETH, sent with all remaining gas) to `to`. Only a controller;
    ///         a failed ETH payment reverts with `EthTransferFailed(to, amount)`.
    /// @param token The token (address(0) = ETH).
    /// @param to The recipient.
    /// @param amount The amount.
    function pay(address token, address to, uint256 amount) external;

    /// @notice The income distributor (shared by every clone).
    /// @return The distributor.
    function controller() external view returns (address);

    /// @notice The maintenance custody (address(0) when the suite has no maintenance part).
    /// @return The custody.
    function maintenance() external view returns (address);

    /// @notice The rental custody (address(0) when the suite has no rental part).
    /// @return The custody.
    function rental() external view returns (address);

    /// @notice Whether `account` is one of the three controllers (address(0) never is).
    /// @param account The account.
    /// @return Whether it may move this vault's funds.
    function isController(address account) external view returns (bool);
}
