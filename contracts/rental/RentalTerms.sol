// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BPS} from "../common/Constants.sol";
import {IRentalTypes} from "./IRentalTypes.sol";

/// @title RentalTerms
/// @notice EIP-712 hashing and validation of rental terms and signed offers (the escrow exposes the type hashes
///         as public constants: `TERMS_TYPEHASH()`, `OFFER_TYPEHASH()`).
library RentalTerms {
    /// @notice EIP-712 type of the terms.
    bytes32 internal constant TERMS_TYPEHASH = keccak256(
        "Terms(uint256 subjectId,uint256 meterDeviceId,address token,uint8 subjectKind,uint32 meterKind,"
        "uint32 meterPeriod,uint128 pricePerSecond,uint128 pricePerUnit,uint128 deposit,uint128 lateFeePerSecond,"
        "uint128 lateFeeCap,uint64 maxUnitsPerPeriod,uint32 minDuration,uint32 maxDuration,uint32 gracePeriod,"
        "uint32 noticePeriod,uint32 activationWindow,uint16 refundBps,address arbiter,uint32 claimWindow,"
        "uint32 responseWindow,uint32 arbiterTimeout)"
    );

    /// @notice EIP-712 type of a signed offer (the Terms type appended, as EIP-712 requires).
    bytes32 internal constant OFFER_TYPEHASH = keccak256(
        "Offer(Terms terms,address owner,address renter,uint256 nonce,uint64 expiry)"
        "Terms(uint256 subjectId,uint256 meterDeviceId,address token,uint8 subjectKind,uint32 meterKind,"
        "uint32 meterPeriod,uint128 pricePerSecond,uint128 pricePerUnit,uint128 deposit,uint128 lateFeePerSecond,"
        "uint128 lateFeeCap,uint64 maxUnitsPerPeriod,uint32 minDuration,uint32 maxDuration,uint32 gracePeriod,"
        "uint32 noticePeriod,uint32 activationWindow,uint16 refundBps,address arbiter,uint32 claimWindow,"
        "uint32 responseWindow,uint32 arbiterTimeout)"
    );

    /// @notice Shortest rental allowed by any terms (anti-griefing floor).
    uint256 internal constant MIN_DURATION = 1 minutes;
    /// @notice Longest rental term.
    uint256 internal constant MAX_DURATION = 5 * 365 days;
    /// @notice Bounds of the claim, response and arbiter windows (funds are never held longer).
    uint256 internal constant MIN_WINDOW = 1 hours;
    uint256 internal constant MAX_WINDOW = 90 days;
    /// @notice Longest activation window and grace period.
    uint256 internal constant MAX_WAIT = 30 days;
    /// @notice Largest total a term can charge in each money dimension (keeps uint128 sums safe).
    uint256 internal constant MAX_AMOUNT = 2 ** 96;

    /// @notice EIP-712 struct hash of terms (also their storage key).
    /// @param t The terms.
    /// @return The struct hash.
    function hash(IRentalTypes.Terms calldata t) internal pure returns (bytes32) {
        // Every field is static: the ABI encoding of the struct is the EIP-712 encodeData.
        return keccak256(abi.encode(TERMS_TYPEHASH, t));
    }

    /// @notice EIP-712 struct hash of a signed offer.
    /// @param o The offer.
    /// @param termsHash hash(o.terms).
    /// @return The struct hash.
    function hashOffer(IRentalTypes.SignedOffer calldata o, bytes32 termsHash) internal pure returns (bytes32) {
        return keccak256(abi.encode(OFFER_TYPEHASH, termsHash, o.owner, o.renter, o.nonce, o.expiry));
    }

    /// @notice Reverts with InvalidTerms(reason) unless the terms are within the protocol's bounds.
    /// @param t The terms.
    function validate(IRentalTypes.Terms calldata t) internal pure {
        if (
            (t.subjectKind != uint8(IRentalTypes.SubjectKind.Asset) &&
                t.subjectKind != uint8(IRentalTypes.SubjectKind.Device)) || t.subjectId == 0
        ) revert IRentalTypes.InvalidTerms(IRentalTypes.TermsError.Subject);
        if (
            t.minDuration < MIN_DURATION ||
            t.minDuration > t.maxDuration ||
            t.maxDuration > MAX_DURATION ||
            t.noticePeriod > t.maxDuration
        ) revert IRentalTypes.InvalidTerms(IRentalTypes.TermsError.Duration);
        if (
            !_inWindow(t.claimWindow) ||
            !_inWindow(t.responseWindow) ||
            !_inWindow(t.arbiterTimeout) ||
            t.activationWindow > MAX_WAIT ||
            t.gracePeriod > MAX_WAIT
        ) revert IRentalTypes.InvalidTerms(IRentalTypes.TermsError.Windows);
        if (t.refundBps > BPS) revert IRentalTypes.InvalidTerms(IRentalTypes.TermsError.Bps);
        if (t.pricePerUnit != 0) {
            if (t.meterPeriod == 0 || t.maxUnitsPerPeriod == 0) {
                revert IRentalTypes.InvalidTerms(IRentalTypes.TermsError.Meter);
            }
            uint256 maxUnits = uint256(t.maxUnitsPerPeriod) * (t.maxDuration / t.meterPeriod + 1);
            if (maxUnits * t.pricePerUnit > MAX_AMOUNT) {
                revert IRentalTypes.InvalidTerms(IRentalTypes.TermsError.Amounts);
            }
        }
        if (
            uint256(t.pricePerSecond) * t.maxDuration > MAX_AMOUNT ||
            t.deposit > MAX_AMOUNT ||
            t.lateFeeCap > MAX_AMOUNT
        ) revert IRentalTypes.InvalidTerms(IRentalTypes.TermsError.Amounts);
    }

    function _inWindow(uint256 w) private pure returns (bool) {
        return w >= MIN_WINDOW && w <= MAX_WINDOW;
    }
}
