// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";
import {RentalTerms} from "./RentalTerms.sol";
import {IRentalCustody} from "./IRentalCustody.sol";
import {IRentalEscrow} from "./IRentalEscrow.sol";
import {IRentalState} from "./IRentalState.sol";
import {RentalBase} from "./RentalBase.sol";
import {RentalCustody} from "./RentalCustody.sol";
import {RentalSettlement} from "./RentalSettlement.sol";
import {RentalClaims} from "./RentalClaims.sol";
import {IDisputeModule} from "../disputes/IDisputeModule.sol";
/// @title RentalEscrow
/// @notice Renters pay to use a real asset or a device for a period; rent streams per second from a
///         prepaid credit (top up any time, `payPeriod` buys N seconds) plus metered units read from the
///         device registry's verified readings. The deposit covers arrears and damages.
///
///         Lifecycle and the exit of every state (nothing is ever locked forever):
///         - Reserved: deposit and credit paid, the owner must `activate` before `deadline`
///           (openedAt + activationWindow). Exit: owner `decline` any time, anyone `cancelReservation`
///           after the deadline -> Closed with a full refund. (activationWindow 0: opens Active.)
///         - Active: rent accrues. Exits: anyone `settle` once `end` passed (reported as Ended);
///           renter `terminateEarly` (-> TerminatedEarly, or straight to settlement without notice);
///           anyone `markDefault` once arrears are older than the grace period (Defaulted, settled at once).
///         - TerminatedEarly: the notice runs to `end`; exit: anyone `settle` after `end`.
///         - Settling (damage-claim window, until `deadline` = settled + claimWindow): deposit held. The
///           claim, its response window and its dispute live in RentalClaims (`claims()`, created by this
///           escrow), which closes the agreement through `closeSettlement`: no claim by `deadline` ->
///           deposit refunded; an unanswered claim -> paid; a dispute -> the DisputeModule's ruling.
///         - Closed: terminal; every party's share sits in claimable balances (`withdraw`).
///
///         Payouts are pull-based (claimable per party and token); rent goes net of the snapshotted
///         protocol fee to IIncomeDistributor.deposit for the asset (or a device's bound asset), else to
///         the device owner's claimable balance. A distributor refusal defers the income (`flushIncome`)
///         instead of blocking settlement. No loops: settlement is O(1).
///
///         Custody per asset: every agreement's money sits in the AssetVault clone of its custody id (`custodyOf`:
///         the rented asset, the asset a rented device is bound to, else the device), held by RentalCustody (this
///         escrow's first creation, `custody()`) and deployed by the id's first agreement at
///         `custody().vaultOf(custodyId)`. Renters approve this escrow and pay straight into the vault; every
///         payout leaves from it through the custody, which only this escrow instructs to credit or pay; the
///         escrow itself holds nothing between calls.
contract RentalEscrow is RentalBase, IRentalEscrow, AccessControl, EIP712 {
    using SafeCast for uint256;

    /// @inheritdoc IRentalEscrow
    bytes32 public constant TERMS_TYPEHASH = RentalTerms.TERMS_TYPEHASH;
    /// @inheritdoc IRentalEscrow
    bytes32 public constant OFFER_TYPEHASH = RentalTerms.OFFER_TYPEHASH;

    /// @inheritdoc IRentalEscrow
    address public immutable settlement;

    /// @param governance DEFAULT_ADMIN_ROLE holder (token allowlist, fee, fee recipient, default arbiter).
    /// @param assetRegistry_ The asset registry (this escrow needs its LEASE_MANAGER_ROLE).
    /// @param deviceRegistry_ The device registry (this escrow needs its LEASE_MANAGER_ROLE).
    /// @param distributor_ The income distributor.
    /// @param feeRecipient_ Receiver of protocol fees.
    /// @param defaultArbiter_ Arbiter when terms name none.
    /// @param feeBps Initial protocol fee (<= MAX_FEE_BPS).
    /// @param settlement_ The RentalSettlement module, built for the same registries and distributor.
    /// @param disputes_ The suite's dispute module, deciding disputed damage claims (through RentalClaims).
    constructor(
        address governance,
        IAssetRegistry assetRegistry_,
        IDeviceRegistry deviceRegistry_,
        IIncomeDistributor distributor_,
        address feeRecipient_,
        address defaultArbiter_,
        uint16 feeBps,
        RentalSettlement settlement_,
        IDisputeModule disputes_
    )
        RentalBase(assetRegistry_, deviceRegistry_, distributor_, feeRecipient_, defaultArbiter_, feeBps)
        EIP712("PlinthRental", "1")
    {
        if (governance == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        if (
            address(settlement_).code.length == 0 ||
            address(settlement_.assetRegistry()) != address(assetRegistry_) ||
            address(settlement_.deviceRegistry()) != address(deviceRegistry_) ||
            address(settlement_.distributor()) != address(distributor_)
        ) revert SettlementMismatch(address(settlement_));
        settlement = address(settlement_);
        // The custody is this escrow's first creation (so its `escrow` is this escrow), at the address
        // `_custody` derives for both this contract and its module.
        address custody_ = address(new RentalCustody(assetRegistry_, distributor_));
        assert(custody_ == address(_custody()));
        // Damage claims: the second creation, at the address `_claims` derives (the only caller of closeSettlement).
        address claims_ = address(new RentalClaims(disputes_, assetRegistry_));
        assert(claims_ == _claims());
    }

    // ------------------------------------------------------------------ governance (run by the module)

    /// @inheritdoc IRentalEscrow
    function setTokenAllowed(address /* token */, bool /* allowed */) external {
        _delegate();
    }

    /// @inheritdoc IRentalEscrow
    function setProtocolFee(uint16 /* bps */) external {
        _delegate();
    }

    /// @inheritdoc IRentalEscrow
    function setFeeRecipient(address /* recipient */) external {
        _delegate();
    }

    /// @inheritdoc IRentalEscrow
    function setDefaultArbiter(address /* arbiter */) external {
        _delegate();
    }

    // ------------------------------------------------------------------ offers

    /// @inheritdoc IRentalEscrow
    function publishOffer(Terms calldata t) external returns (bytes32 offerId) {
        address owner = _ownerOfSubject(t.subjectKind, t.subjectId);
        if (msg.sender != owner) revert NotSubjectOwner(msg.sender, owner);
        bytes32 termsHash = _storeTerms(t);
        offerId = keccak256(abi.encode(msg.sender, termsHash));
        if (_offers[offerId].owner != address(0)) revert OfferExists(offerId);
        _offers[offerId] = Offer({owner: msg.sender, active: true, termsHash: termsHash});
        emit OfferPublished(offerId, msg.sender, termsHash);
    }

    /// @inheritdoc IRentalEscrow
    function cancelOffer(bytes32 /* offerId */) external {
        _delegate();
    }

    /// @inheritdoc IRentalEscrow
    function cancelNonce(uint256 /* nonce */) external {
        _delegate();
    }

    // ------------------------------------------------------------------ opening

    /// @inheritdoc IRentalEscrow
    function rent(
        bytes32 offerId,
        uint256 duration,
        uint256 prepay
    ) external payable nonReentrant returns (bytes32 id) {
        Offer memory o = _offers[offerId];
        if (!o.active) revert OfferNotActive(offerId);
        id = _open(o.termsHash, o.owner, duration, prepay);
    }

    /// @inheritdoc IRentalEscrow
    function rentWithSignature(
        SignedOffer calldata offer,
        bytes calldata signature,
        uint256 duration,
        uint256 prepay
    ) external payable nonReentrant returns (bytes32 id) {
        if (block.timestamp > offer.expiry) revert OfferExpired(offer.expiry);
        if (nonceCancelled[offer.owner][offer.nonce]) revert OfferNonceCancelled(offer.owner, offer.nonce);
        if (offer.renter != address(0) && offer.renter != msg.sender) revert OfferNotForRenter(offer.renter);
        bytes32 termsHash = RentalTerms.hash(offer.terms);
        bytes32 digest = _hashTypedDataV4(RentalTerms.hashOffer(offer, termsHash));
        if (!SignatureChecker.isValidSignatureNow(offer.owner, digest, signature)) revert InvalidSignature();
        // Single use: the signed offer opens one agreement; its nonce is spent as if cancelled.
        nonceCancelled[offer.owner][offer.nonce] = true;
        emit NonceCancelled(offer.owner, offer.nonce);
        if (_terms[termsHash].subjectKind == 0) _storeTerms(offer.terms);
        id = _open(termsHash, offer.owner, duration, prepay);
    }

    // ------------------------------------------------------------------ paying

    /// @inheritdoc IRentalEscrow
    function activate(bytes32 /* id */) external {
        _delegate();
    }

    /// @inheritdoc IRentalEscrow
    function decline(bytes32 /* id */) external {
        _delegate();
    }

    /// @inheritdoc IRentalEscrow
    function cancelReservation(bytes32 /* id */) external {
        _delegate();
    }

    /// @inheritdoc IRentalEscrow
    function topUp(bytes32 /* id */, uint256 /* amount */) external payable {
        _delegate();
    }

    /// @inheritdoc IRentalEscrow
    function payPeriod(bytes32 /* id */, uint256 /* seconds_ */) external payable {
        _delegate();
    }

    /// @inheritdoc IRentalEscrow
    function sweepFees(uint256 /* custodyId */, bytes32[] calldata /* ids */, address /* token */) external {
        _delegate();
    }

    // ------------------------------------------------------------------ settlement (run by the module)

    /// @inheritdoc IRentalEscrow
    function settleMetered(bytes32 /* id */) external {
        _delegate();
    }

    /// @inheritdoc IRentalEscrow
    function collect(bytes32 /* id */) external {
        _delegate();
    }

    /// @inheritdoc IRentalEscrow
    function terminateEarly(bytes32 /* id */) external {
        _delegate();
    }

    /// @inheritdoc IRentalEscrow
    function markDefault(bytes32 /* id */) external {
        _delegate();
    }

    /// @inheritdoc IRentalEscrow
    function settle(bytes32 /* id */) external {
        _delegate();
    }

    /// @inheritdoc IRentalEscrow
    function closeSettlement(bytes32 /* id */, uint256 /* toOwner */) external {
        _delegate();
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IRentalEscrow
    function stateOf(bytes32 id) external view returns (State) {
        return _stateOf(_agreements[id]);
    }

    /// @inheritdoc IRentalEscrow
    function agreementOf(bytes32 id) external view returns (Agreement memory) {
        return _agreements[id];
    }

    /// @inheritdoc IRentalEscrow
    function settlementOf(
        bytes32 id
    ) external view returns (State state, uint256 deadline, uint256 depositHeld, address renter, bytes32 termsHash) {
        Agreement storage a = _agreements[id];
        return (_stateOf(a), a.deadline, a.depositHeld, a.renter, a.termsHash);
    }

    /// @inheritdoc IRentalEscrow
    function claims() external view returns (address) {
        return _claims();
    }

    /// @inheritdoc IRentalEscrow
    function termsOf(bytes32 termsHash) external view returns (Terms memory) {
        return _terms[termsHash];
    }

    /// @inheritdoc IRentalEscrow
    function offerOf(bytes32 offerId) external view returns (Offer memory) {
        return _offers[offerId];
    }

    /// @inheritdoc IRentalEscrow
    function agreementId(uint8 kind, uint256 subjectId, uint64 nonce) public pure returns (bytes32) {
        return keccak256(abi.encode(kind, subjectId, nonce));
    }

    /// @inheritdoc IRentalEscrow
    function liveAgreementOf(uint8 kind, uint256 subjectId) public view returns (bytes32) {
        Subject memory s = _subjects[kind][subjectId];
        return s.live ? agreementId(kind, subjectId, s.nonce - 1) : bytes32(0);
    }

    /// @inheritdoc IRentalEscrow
    function assetUserOf(uint256 assetId) external view returns (address user, uint256 expires) {
        bytes32 id = liveAgreementOf(uint8(SubjectKind.Asset), assetId);
        Agreement storage a = _agreements[id];
        if (id != bytes32(0) && _inUse(a.state) && block.timestamp < a.end && !_inDefault(a, _terms[a.termsHash])) {
            (user, expires) = (a.renter, a.end);
        }
    }

    /// @inheritdoc IRentalEscrow
    function inDefault(bytes32 id) external view returns (bool) {
        Agreement storage a = _agreements[id];
        if (!_inUse(a.state)) return false;
        return _inDefault(a, _terms[a.termsHash]);
    }

    /// @inheritdoc IRentalEscrow
    function heldFor(bytes32 id) external view returns (uint256) {
        Agreement storage a = _agreements[id];
        return uint256(a.credit) + a.depositHeld + a.earned + a.protocolFee;
    }

    /// @inheritdoc IRentalEscrow
    function offerDigest(SignedOffer calldata offer) external view returns (bytes32) {
        return _hashTypedDataV4(RentalTerms.hashOffer(offer, RentalTerms.hash(offer.terms)));
    }

    /// @inheritdoc IRentalEscrow
    function custody() external view returns (IRentalCustody) {
        return _custody();
    }

    /// @inheritdoc IRentalEscrow
    function custodyOf(bytes32 id) external view returns (uint256) {
        Agreement storage a = _agreements[id];
        return _custodyOf(a, _terms[a.termsHash]);
    }

    /// @notice ERC-165: IRentalEscrow and its part IRentalState, IAccessControl and IERC165.
    /// @param interfaceId The interface id.
    /// @return Whether this escrow implements it.
    function supportsInterface(bytes4 interfaceId) public pure override returns (bool) {
        return
            interfaceId == type(IRentalEscrow).interfaceId ||
            interfaceId == type(IRentalState).interfaceId ||
            interfaceId == type(IAccessControl).interfaceId ||
            interfaceId == type(IERC165).interfaceId;
    }

    // ------------------------------------------------------------------ internals

    function _storeTerms(Terms calldata t) internal returns (bytes32 termsHash) {
        RentalTerms.validate(t);
        if (!tokenAllowed[t.token]) revert TokenNotAllowed(t.token);
        _checkMeter(t.subjectKind, t.subjectId, t.meterDeviceId, t.pricePerUnit);
        termsHash = RentalTerms.hash(t);
        if (_terms[termsHash].subjectKind == 0) {
            _terms[termsHash] = t;
            emit TermsStored(termsHash, t.subjectKind, t.subjectId);
        }
    }

    function _checkMeter(uint8 kind, uint256 subjectId, uint256 meterDeviceId, uint256 pricePerUnit) internal view {
        if (pricePerUnit == 0) return;
        bool ok =
            kind == uint8(SubjectKind.Device)
                ? meterDeviceId == subjectId
                : deviceRegistry.assetOf(meterDeviceId) == subjectId;
        if (!ok) revert MeterNotOfSubject(meterDeviceId);
    }

    function _requireRentable(uint8 kind, uint256 subjectId) internal view {
        bool ok =
            kind == uint8(SubjectKind.Asset)
                ? assetRegistry.statusOf(subjectId) == IAssetRegistry.AssetStatus.Active
                : deviceRegistry.statusOf(subjectId) == IDeviceRegistry.DeviceStatus.Active;
        if (!ok) revert SubjectNotRentable(kind, subjectId);
    }

    function _open(bytes32 termsHash, address owner, uint256 duration, uint256 prepay) internal returns (bytes32 id) {
        Terms storage t = _terms[termsHash];
        _checkOpen(t, owner, duration, prepay);
        uint8 kind = t.subjectKind;
        uint256 subjectId = t.subjectId;
        Subject storage s = _subjects[kind][subjectId];
        uint64 nonce = s.nonce;
        if (s.live) revert SubjectAlreadyRented(kind, subjectId, agreementId(kind, subjectId, nonce - 1));
        id = agreementId(kind, subjectId, nonce);
        s.nonce = nonce + 1;
        s.live = true;
        if (t.pricePerUnit != 0) {
            mapping(uint32 => bytes32) storage holders = _meterHolder[t.meterDeviceId];
            bytes32 holder = holders[t.meterKind];
            if (holder != 0) revert MeterInUse(t.meterDeviceId, t.meterKind, holder);
            holders[t.meterKind] = id;
        }
        uint256 custodyId = _record(id, t, termsHash, owner, duration, prepay);
        if (_vaultOf(custodyId).code.length == 0) _custody().createVault(custodyId);
        _pull(custodyId, t.token, prepay + t.deposit);
    }

    function _checkOpen(Terms storage t, address owner, uint256 duration, uint256 prepay) internal view {
        uint8 kind = t.subjectKind;
        uint256 subjectId = t.subjectId;
        address current = _ownerOfSubject(kind, subjectId);
        if (current != owner) revert NotSubjectOwner(owner, current);
        _requireRentable(kind, subjectId);
        if (!tokenAllowed[t.token]) revert TokenNotAllowed(t.token);
        if (duration < t.minDuration || duration > t.maxDuration) {
            revert DurationOutOfRange(duration, t.minDuration, t.maxDuration);
        }
        uint256 minPrepay = uint256(t.minDuration) * t.pricePerSecond;
        if (prepay < minPrepay || prepay == 0) revert PrepaymentTooSmall(prepay, Math.max(minPrepay, 1));
        _checkMeter(kind, subjectId, t.meterDeviceId, t.pricePerUnit);
    }

    function _record(
        bytes32 id,
        Terms storage t,
        bytes32 termsHash,
        address owner,
        uint256 duration,
        uint256 prepay
    ) internal returns (uint256 custodyId) {
        uint32 window = t.activationWindow;
        Agreement storage a = _agreements[id];
        a.renter = msg.sender;
        a.owner = owner;
        a.start = uint40(block.timestamp);
        a.end = uint40(block.timestamp + duration);
        a.termEnd = uint40(block.timestamp + duration);
        a.credit = prepay.toUint128();
        a.depositHeld = t.deposit;
        a.feeBps = protocolFeeBps;
        a.termsHash = termsHash;
        // Rent and damages go to the income asset's holders: only in a token they can always be paid in.
        uint256 incomeAsset = t.subjectId;
        if (t.subjectKind == uint8(SubjectKind.Device))
            a.incomeAssetId = incomeAsset = deviceRegistry.assetOf(incomeAsset);
        if (incomeAsset != 0 && !distributor.acceptsIncome(incomeAsset, t.token)) {
            revert IncomeNotAccepted(incomeAsset, t.token);
        }
        custodyId = incomeAsset != 0 ? incomeAsset : t.subjectId;
        emit AgreementOpened(id, termsHash, msg.sender, owner, duration, prepay, t.deposit);
        _setLease(t.subjectKind, t.subjectId, msg.sender);
        if (window == 0) {
            a.state = State.Active;
            a.accruedUntil = uint40(block.timestamp);
            if (t.pricePerUnit != 0) _snapshotMeter(a, t);
            emit Activated(id, block.timestamp, block.timestamp + duration);
        } else {
            a.state = State.Reserved;
            a.deadline = uint40(block.timestamp + window);
        }
    }

    /// @dev Runs the current call in the settlement module against this contract's storage.
    function _delegate() private {
        address target = settlement;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) {
                revert(0, returndatasize())
            }
            return(0, returndatasize())
        }
    }
}
