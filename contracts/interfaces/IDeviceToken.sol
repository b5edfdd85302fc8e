// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC4907} from "./IERC4907.sol";

/// @title IDeviceTransferHook
/// @notice What the device token asks its registry on every transfer.
interface IDeviceTransferHook {
    /// @notice Called by the token after `deviceId` moved from `from` to `to` (never on mint); reverting
    ///         refuses the transfer.
    /// @param deviceId The device (token id).
    /// @param from Previous owner.
    /// @param to New owner (address(0) never happens: the token has no burn).
    function onDeviceTransfer(uint256 deviceId, address from, address to) external;
}

/// @title IDeviceToken
/// @notice The ERC-721 of Plinth devices (token id = device id, owner = the device's operator) with the
///         ERC-4907 user role: the device's lessee. The lease of a device lives here and only here:
///         `userOf`/`userExpires` are the lessee and the lease end, `setUser` (an account holding the
///         registry's LEASE_MANAGER_ROLE, i.e. a rental escrow) grants and releases it, and the registry
///         reads `userExpires` to refuse unbinding, rebinding, decommissioning or transferring a leased device.
interface IDeviceToken is IERC721Metadata, IERC4907 {
    /// @notice Only the registry may mint.
    error OnlyRegistry(address caller);
    /// @notice A lease needs both a user and an end, a release neither (`setUser(id, 0, 0)`).
    error InvalidUser(address user, uint64 expires);

    /// @notice The registry that created this token: the only minter, asked on every transfer, and the
    ///         holder of the LEASE_MANAGER_ROLE that `setUser` requires.
    /// @return The registry.
    function registry() external view returns (address);

    /// @notice Mints the token of a claimed device (registry only).
    /// @param to The operator.
    /// @param deviceId The device id.
    function mint(address to, uint256 deviceId) external;

    /// @notice Owner of `deviceId`, or address(0) when not minted (does not revert).
    /// @param deviceId The device id.
    /// @return The owner or zero.
    function ownerOrZero(uint256 deviceId) external view returns (address);
}
