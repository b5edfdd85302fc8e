// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IIdentityRegistry
/// @notice What share tokens and transfer agents read from the identity registry: each wallet's KYC country
///         and expiry. `isVerified` is the ERC-3643 (T-REX) name of the eligibility question, so a transfer
///         agent's tooling asks it as it asks a T-REX identity registry.
interface IIdentityRegistry {
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
