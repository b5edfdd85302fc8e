// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

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

/// @title DeviceToken
/// @notice The ERC-721 of Plinth devices: token id = device id, owner = the device's operator. Created
///         by its DeviceRegistry (the only minter), which mints a token when a device is claimed and is
///         consulted on every transfer (a leased device cannot move). Split from the registry so that the
///         registry fits the 24 KiB code limit without linked libraries.
contract DeviceToken is ERC721 {
    /// @notice The registry that created this token.
    address public immutable registry;

    /// @notice Only the registry may mint.
    error OnlyRegistry(address caller);

    /// @notice Deployed by the registry, which becomes the minter.
    constructor() ERC721("Plinth Device", "PLDEV") {
        registry = msg.sender;
    }

    /// @notice Mints the token of a claimed device (registry only).
    /// @param to The operator.
    /// @param deviceId The device id.
    function mint(address to, uint256 deviceId) external {
        if (msg.sender != registry) revert OnlyRegistry(msg.sender);
        _safeMint(to, deviceId);
    }

    /// @notice Owner of `deviceId`, or address(0) when not minted (does not revert).
    /// @param deviceId The device id.
    /// @return The owner or zero.
    function ownerOrZero(uint256 deviceId) external view returns (address) {
        return _ownerOf(deviceId);
    }

    /// @dev After every transfer (not mint), the registry may refuse it.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (from != address(0)) IDeviceTransferHook(registry).onDeviceTransfer(tokenId, from, to);
    }
}
