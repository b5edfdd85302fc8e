// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";

/// @title IdentityRegistry
/// @notice The investors found eligible by a KYC provider: wallet -> (ISO-3166 numeric country, expiry).
///         One registry serves every asset's share token; only KYC agents write it, so transfers of
///         shares never write it (no shared slot between assets). Unlike ERC-3643 there is no ONCHAINID
///         contract per investor: a claim is the two numbers the compliance rules actually read.
/// @dev An identity is eligible while `expiry > block.timestamp`. Country 0 means "no identity".
contract IdentityRegistry is IIdentityRegistry, AccessControl {
    /// @inheritdoc IIdentityRegistry
    bytes32 public constant KYC_AGENT_ROLE = keccak256("KYC_AGENT_ROLE");

    /// @inheritdoc IIdentityRegistry
    uint256 public constant MAX_BATCH = 256;

    /// @inheritdoc IIdentityRegistry
    uint16 public constant MAX_COUNTRY = 999;

    mapping(address wallet => Identity) private _identities;

    /// @param governance Receives DEFAULT_ADMIN_ROLE (grants KYC_AGENT_ROLE).
    constructor(address governance) {
        if (governance == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
    }

    /// @inheritdoc IIdentityRegistry
    function setIdentity(address wallet, uint16 country, uint64 expiry) external onlyRole(KYC_AGENT_ROLE) {
        _set(0, wallet, country, expiry);
    }

    /// @inheritdoc IIdentityRegistry
    function setIdentities(
        address[] calldata wallets,
        uint16[] calldata countries,
        uint64[] calldata expiries
    ) external onlyRole(KYC_AGENT_ROLE) {
        uint256 n = wallets.length;
        if (countries.length != n || expiries.length != n) revert LengthMismatch();
        if (n > MAX_BATCH) revert BatchTooLarge(n, MAX_BATCH);
        for (uint256 i; i < n; ++i) {
            _set(i, wallets[i], countries[i], expiries[i]);
        }
    }

    /// @inheritdoc IIdentityRegistry
    function removeIdentity(address wallet) external onlyRole(KYC_AGENT_ROLE) {
        if (_identities[wallet].country == 0) revert UnknownIdentity(wallet);
        delete _identities[wallet];
        emit IdentityRemoved(wallet);
    }

    /// @inheritdoc IIdentityRegistry
    function identityOf(address wallet) external view returns (uint16 country, uint64 expiry) {
        Identity memory id = _identities[wallet];
        return (id.country, id.expiry);
    }

    /// @inheritdoc IIdentityRegistry
    function transferCheck(
        address from,
        address to
    ) external view returns (bool fromEligible, uint16 toCountry, uint64 toExpiry) {
        Identity memory id = _identities[to];
        return (_identities[from].expiry > block.timestamp, id.country, id.expiry);
    }

    /// @inheritdoc IIdentityRegistry
    function isEligible(address wallet) external view returns (bool) {
        return _identities[wallet].expiry > block.timestamp;
    }

    /// @inheritdoc IIdentityRegistry
    function isVerified(address wallet) external view returns (bool) {
        return _identities[wallet].expiry > block.timestamp;
    }

    /// @notice ERC-165: IIdentityRegistry, IAccessControl and IERC165.
    /// @param interfaceId The interface id.
    /// @return True when supported.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IIdentityRegistry).interfaceId || super.supportsInterface(interfaceId);
    }

    function _set(uint256 index, address wallet, uint16 country, uint64 expiry) private {
        if (wallet == address(0)) revert InvalidWallet(index);
        if (country == 0 || country > MAX_COUNTRY) revert InvalidCountry(index, country);
        if (expiry <= block.timestamp) revert ExpiryNotInFuture(index, expiry);
        _identities[wallet] = Identity(country, expiry);
        emit IdentitySet(wallet, country, expiry);
    }
}
