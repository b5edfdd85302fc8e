// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {MAX_FEE_BPS} from "../common/Constants.sol";
import {IRentalEscrow} from "./IRentalEscrow.sol";
import {IRentalTypes} from "./IRentalTypes.sol";
import {IRentalMarket} from "./IRentalMarket.sol";
import {RentalTerms} from "./RentalTerms.sol";

/// @title RentalMarket
/// @notice Where rentals are offered and taken: the configuration governance sets (escrow link, payment tokens,
///         protocol fee, fee recipient, default arbiter), on-chain offers, EIP-712 signed offers (domain
///         "PlinthRental", "1", verifyingContract = this market) and their nonces. `rent` and `rentWithSignature`
///         validate the offer and its terms, then open the agreement in the escrow governance linked once
///         (`setEscrow`; nothing is offered or rented before) through `storeTerms` and `open`, which only this
///         market may call. The escrow pulls the payment from the renter (ERC-20 renters approve the escrow; ETH
///         is forwarded as msg.value) and reads the configuration back from here: `tokenAllowed` and
///         `protocolFeeBps` at opening, `feeRecipient` when earned rent is paid out, `defaultArbiter` when a claim is
///         disputed. The market holds no money.
contract RentalMarket is IRentalMarket, AccessControl, EIP712, ReentrancyGuardTransient {
    /// @inheritdoc IRentalMarket
    bytes32 public constant TERMS_TYPEHASH = RentalTerms.TERMS_TYPEHASH;
    /// @inheritdoc IRentalMarket
    bytes32 public constant OFFER_TYPEHASH = RentalTerms.OFFER_TYPEHASH;

    /// @inheritdoc IRentalMarket
    IAssetRegistry public immutable assetRegistry;
    /// @inheritdoc IRentalMarket
    IDeviceRegistry public immutable deviceRegistry;

    /// @inheritdoc IRentalMarket
    IRentalEscrow public escrow;
    /// @inheritdoc IRentalMarket
    mapping(address token => bool) public tokenAllowed;
    /// @inheritdoc IRentalMarket
    uint16 public protocolFeeBps;
    /// @inheritdoc IRentalMarket
    address public feeRecipient;
    /// @inheritdoc IRentalMarket
    address public defaultArbiter;
    /// @inheritdoc IRentalMarket
    mapping(address owner => mapping(uint256 nonce => bool)) public nonceCancelled;
    /// @notice On-chain offers by id (keccak256(owner, termsHash)).
    mapping(bytes32 offerId => IRentalTypes.Offer) internal _offers;

    /// @notice Deployed before its escrow (which names this market); governance then links them once (`setEscrow`).
    /// @param governance DEFAULT_ADMIN_ROLE holder (escrow link, token allowlist, fee, fee recipient, default arbiter).
    /// @param assetRegistry_ The asset registry (offer owners: agents of assets).
    /// @param deviceRegistry_ The device registry (offer owners: device owners; meters bound to assets).
    /// @param feeRecipient_ Receiver of protocol fees.
    /// @param defaultArbiter_ Arbiter when terms name none.
    /// @param feeBps Initial protocol fee (<= MAX_FEE_BPS).
    constructor(
        address governance,
        IAssetRegistry assetRegistry_,
        IDeviceRegistry deviceRegistry_,
        address feeRecipient_,
        address defaultArbiter_,
        uint16 feeBps
    ) EIP712("PlinthRental", "1") {
        if (governance == address(0) || feeRecipient_ == address(0) || defaultArbiter_ == address(0)) {
            revert ZeroAddress();
        }
        if (feeBps > MAX_FEE_BPS) revert IRentalTypes.FeeTooHigh(feeBps, MAX_FEE_BPS);
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        feeRecipient = feeRecipient_;
        defaultArbiter = defaultArbiter_;
        protocolFeeBps = feeBps;
        assetRegistry = assetRegistry_;
        deviceRegistry = deviceRegistry_;
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IRentalMarket
    function setEscrow(IRentalEscrow escrow_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(escrow) != address(0)) revert EscrowAlreadySet(address(escrow));
        if (address(escrow_) == address(0)) revert ZeroAddress();
        if (address(escrow_.market()) != address(this)) revert EscrowMismatch(address(escrow_));
        escrow = escrow_;
        emit EscrowSet(address(escrow_));
    }

    /// @inheritdoc IRentalMarket
    function setTokenAllowed(address token, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        tokenAllowed[token] = allowed;
        emit TokenAllowed(token, allowed);
    }

    /// @inheritdoc IRentalMarket
    function setProtocolFee(uint16 bps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (bps > MAX_FEE_BPS) revert IRentalTypes.FeeTooHigh(bps, MAX_FEE_BPS);
        protocolFeeBps = bps;
        emit ProtocolFeeSet(bps);
    }

    /// @inheritdoc IRentalMarket
    function setFeeRecipient(address recipient) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (recipient == address(0)) revert ZeroAddress();
        feeRecipient = recipient;
        emit FeeRecipientSet(recipient);
    }

    /// @inheritdoc IRentalMarket
    function setDefaultArbiter(address arbiter) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (arbiter == address(0)) revert ZeroAddress();
        defaultArbiter = arbiter;
        emit DefaultArbiterSet(arbiter);
    }

    // ------------------------------------------------------------------ offers

    /// @inheritdoc IRentalMarket
    function publishOffer(IRentalTypes.Terms calldata t) external nonReentrant returns (bytes32 offerId) {
        address owner = _ownerOfSubject(t.subjectKind, t.subjectId);
        if (msg.sender != owner) revert IRentalTypes.NotSubjectOwner(msg.sender, owner);
        bytes32 termsHash = _storeTerms(_linkedEscrow(), t);
        offerId = keccak256(abi.encode(msg.sender, termsHash));
        if (_offers[offerId].owner != address(0)) revert IRentalTypes.OfferExists(offerId);
        _offers[offerId] = IRentalTypes.Offer({owner: msg.sender, active: true, termsHash: termsHash});
        emit OfferPublished(offerId, msg.sender, termsHash);
    }

    /// @inheritdoc IRentalMarket
    function cancelOffer(bytes32 offerId) external {
        IRentalTypes.Offer storage o = _offers[offerId];
        if (!o.active) revert IRentalTypes.OfferNotActive(offerId);
        if (o.owner != msg.sender) revert IRentalTypes.NotOwner(msg.sender);
        o.active = false;
        emit OfferCancelled(offerId);
    }

    /// @inheritdoc IRentalMarket
    function cancelNonce(uint256 nonce) external {
        if (nonceCancelled[msg.sender][nonce]) revert IRentalTypes.OfferNonceCancelled(msg.sender, nonce);
        nonceCancelled[msg.sender][nonce] = true;
        emit NonceCancelled(msg.sender, nonce);
    }

    // ------------------------------------------------------------------ opening

    /// @inheritdoc IRentalMarket
    function rent(
        bytes32 offerId,
        uint256 duration,
        uint256 prepay
    ) external payable nonReentrant returns (bytes32 id) {
        IRentalEscrow e = _linkedEscrow();
        IRentalTypes.Offer memory o = _offers[offerId];
        if (!o.active) revert IRentalTypes.OfferNotActive(offerId);
        id = e.open{value: msg.value}(o.termsHash, o.owner, msg.sender, duration, prepay);
    }

    /// @inheritdoc IRentalMarket
    function rentWithSignature(
        IRentalTypes.SignedOffer calldata offer,
        bytes calldata signature,
        uint256 duration,
        uint256 prepay
    ) external payable nonReentrant returns (bytes32 id) {
        IRentalEscrow e = _linkedEscrow();
        if (block.timestamp > offer.expiry) revert IRentalTypes.OfferExpired(offer.expiry);
        if (nonceCancelled[offer.owner][offer.nonce]) revert IRentalTypes.OfferNonceCancelled(offer.owner, offer.nonce);
        if (offer.renter != address(0) && offer.renter != msg.sender)
            revert IRentalTypes.OfferNotForRenter(offer.renter);
        bytes32 digest = _hashTypedDataV4(RentalTerms.hashOffer(offer, RentalTerms.hash(offer.terms)));
        if (!SignatureChecker.isValidSignatureNow(offer.owner, digest, signature))
            revert IRentalTypes.InvalidSignature();
        // Single use: the signed offer opens one agreement; its nonce is spent as if cancelled.
        nonceCancelled[offer.owner][offer.nonce] = true;
        emit NonceCancelled(offer.owner, offer.nonce);
        bytes32 termsHash = _storeTerms(e, offer.terms);
        id = e.open{value: msg.value}(termsHash, offer.owner, msg.sender, duration, prepay);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IRentalMarket
    function offerOf(bytes32 offerId) external view returns (IRentalTypes.Offer memory) {
        return _offers[offerId];
    }

    /// @inheritdoc IRentalMarket
    function offerDigest(IRentalTypes.SignedOffer calldata offer) external view returns (bytes32) {
        return _hashTypedDataV4(RentalTerms.hashOffer(offer, RentalTerms.hash(offer.terms)));
    }

    /// @notice ERC-165: IRentalMarket, IAccessControl and IERC165.
    /// @param interfaceId The interface id.
    /// @return Whether this market implements it.
    function supportsInterface(bytes4 interfaceId) public pure override returns (bool) {
        return
            interfaceId == type(IRentalMarket).interfaceId ||
            interfaceId == type(IAccessControl).interfaceId ||
            interfaceId == type(IERC165).interfaceId;
    }

    // ------------------------------------------------------------------ internals

    /// @dev Validates terms (protocol bounds, an allowed token, a meter of the subject) and has the escrow store
    ///      them once under their EIP-712 struct hash (a second store of the same terms changes nothing).
    function _storeTerms(IRentalEscrow e, IRentalTypes.Terms calldata t) internal returns (bytes32) {
        RentalTerms.validate(t);
        if (!tokenAllowed[t.token]) revert TokenNotAllowed(t.token);
        if (t.pricePerUnit != 0) {
            bool ok =
                t.subjectKind == uint8(IRentalTypes.SubjectKind.Device)
                    ? t.meterDeviceId == t.subjectId
                    : deviceRegistry.assetOf(t.meterDeviceId) == t.subjectId;
            if (!ok) revert IRentalTypes.MeterNotOfSubject(t.meterDeviceId);
        }
        return e.storeTerms(t);
    }

    /// @dev The escrow governance linked; nothing is offered or opened before it is (`EscrowNotSet`).
    function _linkedEscrow() internal view returns (IRentalEscrow e) {
        e = escrow;
        if (address(e) == address(0)) revert EscrowNotSet();
    }

    function _ownerOfSubject(uint8 kind, uint256 subjectId) internal view returns (address) {
        if (kind == uint8(IRentalTypes.SubjectKind.Asset)) return assetRegistry.agentOf(subjectId);
        if (kind == uint8(IRentalTypes.SubjectKind.Device)) return deviceRegistry.ownerOf(subjectId);
        revert IRentalTypes.InvalidTerms(IRentalTypes.TermsError.Subject);
    }
}
