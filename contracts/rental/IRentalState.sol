// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";
import {IRentalTypes} from "./IRentalTypes.sol";

/// @title IRentalState
/// @notice The getters of the rental escrow's stored state and configuration (implemented by the public variables of
///         RentalBase, the storage both the escrow and its settlement module run on). Part of IRentalEscrow.
interface IRentalState is IRentalTypes {
    /// @notice The registry lease a live agreement holds: until the escrow releases it on settlement.
    /// @return type(uint64).max.
    function LEASED_UNTIL_RELEASED() external view returns (uint64);

    /// @notice The asset registry (agents, status, leases).
    /// @return The registry.
    function assetRegistry() external view returns (IAssetRegistry);

    /// @notice The device registry (owners, verified readings, leases).
    /// @return The registry.
    function deviceRegistry() external view returns (IDeviceRegistry);

    /// @notice The income distributor rent of assets is deposited into.
    /// @return The distributor.
    function distributor() external view returns (IIncomeDistributor);

    /// @notice Whether `token` may be used by new agreements (address(0) = ETH).
    /// @param token The token.
    /// @return Whether it is allowed.
    function tokenAllowed(address token) external view returns (bool);

    /// @notice Protocol fee in bps snapshotted into agreements opened from now on.
    /// @return The fee.
    function protocolFeeBps() external view returns (uint16);

    /// @notice Who is credited the protocol fees swept from now on.
    /// @return The fee recipient.
    function feeRecipient() external view returns (address);

    /// @notice Arbiter of disputes raised from now on whose terms name none.
    /// @return The default arbiter.
    function defaultArbiter() external view returns (address);

    /// @notice Whether an owner's signed-offer nonce is cancelled or spent.
    /// @param owner The offer's signer.
    /// @param nonce The nonce.
    /// @return Whether it can no longer be filled.
    function nonceCancelled(address owner, uint256 nonce) external view returns (bool);
}
