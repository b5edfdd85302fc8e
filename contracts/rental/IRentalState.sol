// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";
import {IRentalTypes} from "./IRentalTypes.sol";

/// @title IRentalState
/// @notice The getters of the rental escrow's registries and distributor (its public immutables). Part of
///         IRentalEscrow.
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
}
