// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {IPlinthErrors} from "../common/IPlinthErrors.sol";
import {IRentalTypes} from "./IRentalTypes.sol";
import {IRentalEscrow} from "./IRentalEscrow.sol";

/// @title IRentalMarket
/// @notice Every external function of the Plinth rental market (RentalMarket implements it): the rental configuration
///         governance sets (escrow link, payment tokens, protocol fee, fee recipient, default arbiter), on-chain offers, EIP-712
///         signed offers and their nonces, and the entries that turn an offer into an agreement of the market's
///         escrow (`rent`, `rentWithSignature`). The market validates terms; the escrow stores them and runs the
///         agreement. Its events are declared here; types and errors are IRentalTypes' (referenced, not inherited,
///         so the market's ABI lists only the events it emits).
interface IRentalMarket is IPlinthErrors {
    /// @notice An on-chain offer was published.
    event OfferPublished(bytes32 indexed offerId, address indexed owner, bytes32 indexed termsHash);
    /// @notice An on-chain offer was withdrawn.
    event OfferCancelled(bytes32 indexed offerId);
    /// @notice A signed-offer nonce was cancelled by its owner, or spent by the agreement it opened.
    event NonceCancelled(address indexed owner, uint256 nonce);
    /// @notice Governance allowed or disallowed a payment token.
    event TokenAllowed(address indexed token, bool allowed);
    /// @notice Governance changed the protocol fee for new agreements.
    event ProtocolFeeSet(uint256 bps);
    /// @notice Governance changed the fee recipient.
    event FeeRecipientSet(address indexed recipient);
    /// @notice Governance changed the default arbiter.
    event DefaultArbiterSet(address indexed arbiter);
    /// @notice Governance linked the escrow this market opens agreements in (once).
    event EscrowSet(address indexed escrow);

    /// @notice The escrow is already linked (`setEscrow` is once only).
    error EscrowAlreadySet(address escrow);
    /// @notice The escrow names another market than this one (`escrow.market()`).
    error EscrowMismatch(address escrow);
    /// @notice No escrow linked yet: nothing can be offered or rented.
    error EscrowNotSet();

    // ------------------------------------------------------------------ governance

    /// @notice Links the escrow this market opens agreements in, once (`EscrowAlreadySet` after). The escrow must
    ///         name this market as its `market` (`EscrowMismatch`), non-zero (`ZeroAddress`). Until it is linked,
    ///         `publishOffer`, `rent` and `rentWithSignature` revert `EscrowNotSet`. Governance only.
    /// @param escrow_ The RentalEscrow deployed for this market.
    function setEscrow(IRentalEscrow escrow_) external;

    /// @notice Allows or disallows `token` for new agreements (running agreements are unaffected).
    /// @param token The ERC-20, or address(0) for ETH.
    /// @param allowed Whether it is allowed.
    function setTokenAllowed(address token, bool allowed) external;

    /// @notice Sets the protocol fee the escrow snapshots into agreements opened from now on.
    /// @param bps Fee in basis points, at most MAX_FEE_BPS.
    function setProtocolFee(uint16 bps) external;

    /// @notice Sets who is credited the protocol fees of rent the escrow pays out from now on.
    /// @param recipient The new fee recipient.
    function setFeeRecipient(address recipient) external;

    /// @notice Sets the arbiter used by disputes raised from now on whose terms name none.
    /// @param arbiter The new default arbiter.
    function setDefaultArbiter(address arbiter) external;

    // ------------------------------------------------------------------ offers

    /// @notice Publishes rental terms for a subject the caller currently owns (agent / device owner).
    /// @param t The terms (validated here; stored once by the escrow under their hash, immutable).
    /// @return offerId keccak256(abi.encode(owner, termsHash)).
    function publishOffer(IRentalTypes.Terms calldata t) external returns (bytes32 offerId);

    /// @notice Withdraws an on-chain offer (running agreements keep their terms).
    /// @param offerId The offer.
    function cancelOffer(bytes32 offerId) external;

    /// @notice Cancels every signed offer of the caller carrying `nonce`.
    /// @param nonce The nonce to cancel.
    function cancelNonce(uint256 nonce) external;

    /// @notice Rents from an on-chain offer. The escrow pulls deposit + `prepay` from the caller (ERC-20: approve
    ///         the ESCROW; ETH: msg.value must equal it, forwarded to the escrow).
    /// @param offerId The offer.
    /// @param duration Seconds of use, within the terms' bounds.
    /// @param prepay Initial credit, at least minDuration * pricePerSecond.
    /// @return id The agreement id.
    function rent(bytes32 offerId, uint256 duration, uint256 prepay) external payable returns (bytes32 id);

    /// @notice Rents from an owner's EIP-712 signed offer (ERC-1271 owners supported). A signed offer opens one
    ///         agreement: filling it spends its nonce. The signer must still be the subject's agent / device owner
    ///         when it is filled. Payment as in `rent`.
    /// @param offer The signed offer.
    /// @param signature The owner's signature over the offer's EIP-712 digest (`offerDigest`).
    /// @param duration Seconds of use, within the terms' bounds.
    /// @param prepay Initial credit, at least minDuration * pricePerSecond.
    /// @return id The agreement id.
    function rentWithSignature(
        IRentalTypes.SignedOffer calldata offer,
        bytes calldata signature,
        uint256 duration,
        uint256 prepay
    ) external payable returns (bytes32 id);

    // ------------------------------------------------------------------ views

    /// @notice The escrow this market opens agreements in, linked once by governance (address(0) before).
    /// @return The escrow.
    function escrow() external view returns (IRentalEscrow);

    /// @notice The asset registry (agents and status of rentable assets).
    /// @return The registry.
    function assetRegistry() external view returns (IAssetRegistry);

    /// @notice The device registry (owners of rentable devices, their bound assets).
    /// @return The registry.
    function deviceRegistry() external view returns (IDeviceRegistry);

    /// @notice Whether `token` may be used by new agreements (address(0) = ETH).
    /// @param token The token.
    /// @return Whether it is allowed.
    function tokenAllowed(address token) external view returns (bool);

    /// @notice Protocol fee in bps the escrow snapshots into agreements opened from now on.
    /// @return The fee.
    function protocolFeeBps() external view returns (uint16);

    /// @notice Who is credited the protocol fees of rent paid out from now on.
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

    /// @notice An on-chain offer.
    /// @param offerId The offer id.
    /// @return The offer record.
    function offerOf(bytes32 offerId) external view returns (IRentalTypes.Offer memory);

    /// @notice EIP-712 digest of a signed offer, as the owner signs it (domain "PlinthRental", "1", this market).
    /// @param offer The offer.
    /// @return The digest.
    function offerDigest(IRentalTypes.SignedOffer calldata offer) external view returns (bytes32);

    /// @notice EIP-712 type hash of rental terms (`Terms(...)`), for signers and tests.
    /// @return The type hash.
    function TERMS_TYPEHASH() external view returns (bytes32);

    /// @notice EIP-712 type hash of a signed offer (`Offer(Terms terms,...)Terms(...)`).
    /// @return The type hash.
    function OFFER_TYPEHASH() external view returns (bytes32);
}
