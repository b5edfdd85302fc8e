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
    /// @notice Role of the KYC agents allowed to add, renew and remove identities.
    bytes32 public constant KYC_AGENT_ROLE = keccak256("KYC_AGENT_ROLE");

    /// @notice Largest batch accepted by `setIdentities` (keeps one call well under a block).
    uint256 public constant MAX_BATCH = 256;

    /// @notice Highest ISO-3166-1 numeric code (three digits).
    uint16 public constant MAX_COUNTRY = 999;

    /// @notice What is stored for a wallet.
    struct Identity {
        uint16 country;
        uint64 expiry;
    }

    mapping(address wallet => Identity) private _identities;

    /// @notice `wallet` was found eligible, resident in `country`, until `expiry`.
    event IdentitySet(address indexed wallet, uint16 country, uint64 expiry);
    /// @notice `wallet` is no longer eligible.
    event IdentityRemoved(address indexed wallet);

    /// @notice Governance address was zero.
    error ZeroGovernance();
    /// @notice The wallet was the zero address (row `index` of a batch).
    error InvalidWallet(uint256 index);
    /// @notice The country is not an ISO-3166 numeric code in 1..999 (row `index` of a batch).
    error InvalidCountry(uint256 index, uint16 country);
    /// @notice The expiry is not in the future (row `index` of a batch).
    error ExpiryNotInFuture(uint256 index, uint64 expiry);
    /// @notice Batch arrays differ in length.
    error LengthMismatch();
    /// @notice Batch larger than `MAX_BATCH`.
    error BatchTooLarge(uint256 size, uint256 max);
    /// @notice Removing a wallet that has no identity.
    error UnknownIdentity(address wallet);

    /// @param governance Receives DEFAULT_ADMIN_ROLE (grants KYC_AGENT_ROLE).
    constructor(address governance) {
        if (governance == address(0)) revert ZeroGovernance();
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
    }

    /// @notice Adds or renews one identity.
    /// @param wallet The investor's wallet.
    /// @param country ISO-3166-1 numeric country code (1..999).
    /// @param expiry Timestamp after which the wallet stops being eligible (must be in the future).
    function setIdentity(address wallet, uint16 country, uint64 expiry) external onlyRole(KYC_AGENT_ROLE) {
        _set(0, wallet, country, expiry);
    }

    /// @notice Onboards up to `MAX_BATCH` investors at once. All-or-nothing: one bad row reverts the
    ///         batch with the row index (scripts validate rows first and report the rejected ones).
    /// @param wallets The investors' wallets.
    /// @param countries Their ISO-3166-1 numeric country codes.
    /// @param expiries Their KYC expiry timestamps.
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

    /// @notice Removes a wallet's identity (it becomes ineligible at once).
    /// @param wallet The wallet to remove.
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
