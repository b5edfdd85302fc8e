// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IDeviceRegistry, DEVICE_LEASE_MANAGER_ROLE} from "../interfaces/IDeviceRegistry.sol";
import {IDeviceToken, IDeviceTransferHook} from "../interfaces/IDeviceToken.sol";
import {IERC4907} from "../interfaces/IERC4907.sol";

/// @title DeviceToken
/// @notice The ERC-721 of Plinth devices, with ERC-4907 users: token id = device id, owner = the device's
///         operator, user = its lessee. Created by its DeviceRegistry (the only minter), which mints a token
///         when a device is claimed and is consulted on every transfer.
///
/// Leases (ERC-4907). The lease of a device is its ERC-4907 user record, kept here and nowhere else: one
/// slot per device (`user`, `expires`), so leases of different devices never share a slot. `setUser` is
/// the lease function: only an account holding the registry's LEASE_MANAGER_ROLE (the rental escrow) may
/// call it; a lease names both a user and an end, a release neither. A lease is in force while
/// `block.timestamp < expires`: `userOf` answers the lessee until then and address(0) from then on. The
/// registry reads `userExpires` to refuse unbinding, rebinding or decommissioning a leased device.
///
/// Transfers. The owner cannot take a device away from its lessee: a transfer while a lease is in force is
/// refused (the registry's transfer hook reverts with `DeviceLeased`), instead of ERC-4907's reference
/// behaviour of silently dropping the user. A transfer after the lease ended clears the stale record and
/// emits `UpdateUser(id, 0, 0)`, so the new owner receives the device without a user, as ERC-4907 expects.
contract DeviceToken is ERC721, IDeviceToken {
    /// @dev The ERC-4907 record of a device: its lessee and the end of the lease (one slot).
    struct UserInfo {
        address user;
        uint64 expires;
    }

    /// @inheritdoc IDeviceToken
    address public immutable registry;

    mapping(uint256 deviceId => UserInfo) private _users;

    /// @notice Deployed by the registry, which becomes the minter.
    constructor() ERC721("Plinth Device", "PLDEV") {
        registry = msg.sender;
    }

    /// @inheritdoc IDeviceToken
    function mint(address to, uint256 deviceId) external {
        if (msg.sender != registry) revert OnlyRegistry(msg.sender);
        _safeMint(to, deviceId);
    }

    /// @inheritdoc IERC4907
    /// @dev LEASE_MANAGER_ROLE of the registry only. Grants (`user` and `expires` both non-zero) or
    ///      releases (both zero) the device's lease; refuses an unminted device and a lease of a
    ///      decommissioned one.
    function setUser(uint256 tokenId, address user, uint64 expires) external {
        address reg = registry;
        if (!IAccessControl(reg).hasRole(DEVICE_LEASE_MANAGER_ROLE, msg.sender)) {
            revert IAccessControl.AccessControlUnauthorizedAccount(msg.sender, DEVICE_LEASE_MANAGER_ROLE);
        }
        _requireOwned(tokenId);
        if ((user == address(0)) != (expires == 0)) revert InvalidUser(user, expires);
        if (
            user != address(0) && IDeviceRegistry(reg).statusOf(tokenId) == IDeviceRegistry.DeviceStatus.Decommissioned
        ) {
            revert IDeviceRegistry.DeviceDecommissioned(tokenId);
        }
        _users[tokenId] = UserInfo({user: user, expires: expires});
        emit UpdateUser(tokenId, user, expires);
    }

    /// @inheritdoc IERC4907
    function userOf(uint256 tokenId) external view returns (address) {
        UserInfo memory info = _users[tokenId];
        return info.expires > block.timestamp ? info.user : address(0);
    }

    /// @inheritdoc IERC4907
    function userExpires(uint256 tokenId) external view returns (uint256) {
        return _users[tokenId].expires;
    }

    /// @inheritdoc IDeviceToken
    function ownerOrZero(uint256 deviceId) external view returns (address) {
        return _ownerOf(deviceId);
    }

    /// @notice ERC-165: ERC-721, its metadata, ERC-4907 and IDeviceToken.
    /// @param interfaceId The interface.
    /// @return Whether supported.
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, IERC165) returns (bool) {
        return
            interfaceId == type(IERC4907).interfaceId ||
            interfaceId == type(IDeviceToken).interfaceId ||
            super.supportsInterface(interfaceId);
    }

    /// @dev After every transfer (not mint) the registry may refuse it (it does while a lease is in force);
    ///      an accepted transfer clears the stale user record of an ended lease.
    function _update(address to, uint256 tokenId, address auth) internal override returns (address from) {
        from = super._update(to, tokenId, auth);
        if (from != address(0)) {
            IDeviceTransferHook(registry).onDeviceTransfer(tokenId, from, to);
            if (_users[tokenId].expires != 0) {
                delete _users[tokenId];
                emit UpdateUser(tokenId, address(0), 0);
            }
        }
    }
}
