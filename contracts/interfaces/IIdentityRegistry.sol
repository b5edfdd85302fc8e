// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IPlinthErrors} from "../common/IPlinthErrors.sol";

/// @title IIdentityRegistry
/// @notice What share tokens and transfer agents read from the identity registry: each wallet's KYC country
///         and expiry. `isVerified` is the ERC-3643 (T-REX) name of the eligibility question, so a transfer
///         agent's tooling asks it as it asks a T-REX identity registry. Declares every external function of
///         `IdentityRegistry` (with `IAccessControl` and `IERC165`), and the part's types, events and errors.
interface IIdentityRegistry is IPlinthErrors {
    /// @notice What is stored for a wallet.
    struct Identity {
        uint16 country;
        uint64 expiry;
    }

    /// @notice `wallet` was found eligible, resident in `country`, until `expiry`.
    event IdentitySet(address indexed wallet, uint16 country, uint64 expiry);
    /// @notice `wallet` is no longer eligible.
    event IdentityRemoved(address indexed wallet);

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

    /// @notice Role of the KYC agents allowed to add, renew and remove identities.
    /// @return The role id, keccak256("KYC_AGENT_ROLE").
    function KYC_AGENT_ROLE() external view returns (bytes32);

    /// @notice Largest batch accepted by `setIdentities` (keeps one call well under a block).
    /// @return The batch limit.
    function MAX_BATCH() external view returns (uint256);

    /// @notice Highest ISO-3166-1 numeric code (three digits).
    /// @return The highest code.
    function MAX_COUNTRY() external view returns (uint16);

    /// @notice Adds or renews one identity. Only KYC_AGENT_ROLE.
    /// @param wallet The investor's wallet.
    /// @param country ISO-3166-1 numeric country code (1..999).
    /// @param expiry Timestamp after which the wallet stops being eligible (must be in the future).
    function setIdentity(address wallet, uint16 country, uint64 expiry) external;

    /// @notice Onboards up to `MAX_BATCH` investors at once. All-or-nothing: one bad row reverts the
    ///         batch with the row index (scripts validate rows first and report the rejected ones). Only KYC_AGENT_ROLE.
    /// @param wallets The investors' wallets.
    /// @param countries Their ISO-3166-1 numeric country codes.
    /// @param expiries Their KYC expiry timestamps.
    function setIdentities(
        address[] calldata wallets,
        uint16[] calldata countries,
        uint64[] calldata expiries
    ) external;

    /// @notice Removes a wallet's identity (it becomes ineligible at once). Only KYC_AGENT_ROLE.
    /// @param wallet The wallet to remove.
    function removeIdentity(address wallet) external;

    /// @notice The stored identity of `wallet` (zeros when none; may be expired).
    /// @param wallet The wallet.
    /// @return country ISO-3166-1 numeric code, 0 when none.
    /// @return expiry KYC expiry timestamp, 0 when none.
    function identityOf(address wallet) external view returns (uint16 country, uint64 expiry);

    /// @notice What a share transfer reads, in one call: whether the sender has an unexpired identity, and
    ///         the recipient's stored identity (as `identityOf`).
    /// @param from The sender.
    /// @param to The recipient.
    /// @return fromEligible True when `from` is eligible now (as `isEligible(from)`).
    /// @return toCountry `to`'s ISO-3166-1 numeric code, 0 when none.
    /// @return toExpiry `to`'s KYC expiry timestamp, 0 when none.
    function transferCheck(
        address from,
        address to
    ) external view returns (bool fromEligible, uint16 toCountry, uint64 toExpiry);

    /// @notice Whether `wallet` has an unexpired identity.
    /// @param wallet The wallet.
    /// @return True when eligible now.
    function isEligible(address wallet) external view returns (bool);

    /// @notice ERC-3643's `isVerified`: the same answer as `isEligible`.
    /// @param wallet The wallet.
    /// @return True when `wallet` has an unexpired identity.
    function isVerified(address wallet) external view returns (bool);
}
