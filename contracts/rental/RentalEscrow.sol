// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";
import {AssetVault} from "../custody/AssetVault.sol";
import {RentalTerms} from "./RentalTerms.sol";
import {RentalBase} from "./RentalBase.sol";
import {RentalSettlement} from "./RentalSettlement.sol";
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
///         - Settling (damage-claim window): deposit held. Exits, all callable by anyone via `finalize`
///           after the phase deadline: no claim by `deadline` (claimWindow) -> deposit refunded;
///           claim not answered by `deadline` (responseWindow) -> claim accepted (silence = acceptance,
///           the renter was told and had the window); dispute not ruled by `deadline` (arbiterTimeout)
///           -> claim rejected, deposit refunded (the arbiter is the owner's choice of terms, so its
///           absence must not favour the owner). Also: owner `waiveClaim`, renter `acceptClaim`,
///           arbiter `rule`/`resolve`.
///         - Closed: terminal; every party's share sits in claimable balances (`withdraw`).
///
///         Payouts are pull-based (claimable per party and token); rent goes net of the snapshotted
///         protocol fee to IIncomeDistributor.deposit for the asset (or a device's bound asset), else to
///         the device owner's claimable balance. A distributor refusal defers the income (`flushIncome`)
///         instead of blocking settlement. No loops: settlement is O(1).
///
///         Custody per asset: every agreement's money sits in the AssetVault clone of its custody (`custodyOf`:
///         the rented asset, the asset a rented device is bound to, else the device), deployed by the custody's
///         first agreement at `vaultOf(custodyId)`. Renters pay straight into it, every payout leaves from it, and
///         only this escrow can move it; the escrow itself holds nothing between calls.
contract RentalEscrow is RentalBase, AccessControl, EIP712 {
    using SafeCast for uint256;

    /// @notice The settlement module this escrow delegatecalls (deployed beforehand for the same
    ///         registries and distributor, checked here).
    address public immutable settlement;

    /// @param governance DEFAULT_ADMIN_ROLE holder (token allowlist, fee, fee recipient, default arbiter).
    /// @param assetRegistry_ The asset registry (this escrow needs its LEASE_MANAGER_ROLE).
    /// @param deviceRegistry_ The device registry (this escrow needs its LEASE_MANAGER_ROLE).
    /// @param distributor_ The income distributor.
    /// @param feeRecipient_ Receiver of protocol fees.
    /// @param defaultArbiter_ Arbiter when terms name none.
    /// @param feeBps Initial protocol fee (<= MAX_FEE_BPS).
    /// @param settlement_ The RentalSettlement module, built for the same registries and distributor.
    constructor(
        address governance,
        IAssetRegistry assetRegistry_,
        IDeviceRegistry deviceRegistry_,
        IIncomeDistributor distributor_,
        address feeRecipient_,
        address defaultArbiter_,
        uint16 feeBps,
        RentalSettlement settlement_
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
        // The vault implementation is this escrow's first creation (so `controller` is this escrow), at the
        // address `_vaultImplementation` derives for both this contract and its module.
        address implementation = address(new AssetVault());
        assert(implementation == _vaultImplementation());
    }

    /// @notice Takes back the ETH a vault pays this escrow in passing (an income deposit); refused outside
    ///         the escrow's own calls.
    receive() external payable {
        if (!_reentrancyGuardEntered()) revert WrongEthAmount(0, msg.value);
    }

    // ------------------------------------------------------------------ governance (run by the module)

    /// @notice Allows or disallows `token` for new agreements (running agreements are unaffected).
    /// @dev Runs in the settlement module. Parameters:
    ///      - token The ERC-20, or address(0) for ETH.
    ///      - allowed Whether it is allowed.
    function setTokenAllowed(address /* token */, bool /* allowed */) external {
        _delegate();
    }

    /// @notice Sets the protocol fee snapshotted into agreements opened from now on.
    /// @dev Runs in the settlement module. Parameters:
    ///      - bps Fee in basis points, at most MAX_FEE_BPS.
    function setProtocolFee(uint16 /* bps */) external {
        _delegate();
    }

    /// @notice Sets who is credited protocol fees from now on.
    /// @dev Runs in the settlement module. Parameters:
    ///      - recipient The new fee recipient.
    function setFeeRecipient(address /* recipient */) external {
        _delegate();
    }

    /// @notice Sets the arbiter used by disputes raised from now on whose terms name none.
    /// @dev Runs in the settlement module. Parameters:
    ///      - arbiter The new default arbiter.
    function setDefaultArbiter(address /* arbiter */) external {
        _delegate();
    }

    // ------------------------------------------------------------------ offers

    /// @notice Publishes rental terms for a subject the caller currently owns (agent / device owner).
    /// @param t The terms (validated; stored once under their hash, immutable).
    /// @return offerId keccak256(abi.encode(owner, termsHash)).
    function publishOffer(Terms calldata t) external returns (bytes32 offerId) {
        address owner = _ownerOfSubject(t.subjectKind, t.subjectId);
        if (msg.sender != owner) revert NotSubjectOwner(msg.sender, owner);
        bytes32 termsHash = _storeTerms(t);
        offerId = keccak256(abi.encode(msg.sender, termsHash));
        if (_offers[offerId].owner != address(0)) revert OfferExists(offerId);
        _offers[offerId] = Offer({owner: msg.sender, active: true, termsHash: termsHash});
        emit OfferPublished(offerId, msg.sender, termsHash);
    }

    /// @notice Withdraws an on-chain offer (running agreements keep their terms).
    /// @dev Runs in the settlement module. Parameters:
    ///      - offerId The offer.
    function cancelOffer(bytes32 /* offerId */) external {
        _delegate();
    }

    /// @notice Cancels every signed offer of the caller carrying `nonce`.
    /// @dev Runs in the settlement module. Parameters:
    ///      - nonce The nonce to cancel.
    function cancelNonce(uint256 /* nonce */) external {
        _delegate();
    }

    // ------------------------------------------------------------------ opening

    /// @notice Rents from an on-chain offer. Pulls deposit + `prepay` (ETH: msg.value must equal it).
    /// @param offerId The offer.
    /// @param duration Seconds of use, within the terms' bounds.
    /// @param prepay Initial credit, at least minDuration * pricePerSecond.
    /// @return id The agreement id.
    function rent(
        bytes32 offerId,
        uint256 duration,
        uint256 prepay
    ) external payable nonReentrant returns (bytes32 id) {
        Offer memory o = _offers[offerId];
        if (!o.active) revert OfferNotActive(offerId);
        id = _open(o.termsHash, o.owner, duration, prepay);
    }

    /// @notice Rents from an owner's EIP-712 signed offer (ERC-1271 owners supported). A signed offer
    ///         is a standing intent: it can be filled again once the previous agreement released the
    ///         subject, until `expiry` or until the owner cancels its nonce. The signer must still be
    ///         the subject's agent / device owner when it is filled.
    /// @param offer The signed offer.
    /// @param signature The owner's signature over the offer's EIP-712 digest.
    /// @param duration Seconds of use, within the terms' bounds.
    /// @param prepay Initial credit, at least minDuration * pricePerSecond.
    /// @return id The agreement id.
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

    /// @notice The owner hands the subject over: use starts now and lasts the reserved duration.
    /// @dev Runs in the settlement module. Parameters:
    ///      - id The agreement (Reserved, before its activation deadline).
    function activate(bytes32 /* id */) external {
        _delegate();
    }

    /// @notice The owner refuses a reservation: everything goes back to the renter.
    /// @dev Runs in the settlement module. Parameters:
    ///      - id The agreement (Reserved).
    function decline(bytes32 /* id */) external {
        _delegate();
    }

    /// @notice After an unactivated reservation's deadline, anyone returns everything to the renter.
    /// @dev Runs in the settlement module. Parameters:
    ///      - id The agreement (Reserved, deadline passed).
    function cancelReservation(bytes32 /* id */) external {
        _delegate();
    }

    /// @notice Adds credit to an agreement (anyone may pay for the renter; refunds go to the renter).
    ///         Pays the debt first; when the debt is fully paid the late fee of the episode is charged.
    /// @dev Runs in the settlement module. Parameters:
    ///      - id The agreement (Reserved, Active or TerminatedEarly).
    ///      - amount Amount of the agreement's token (ETH: msg.value must equal it).
    function topUp(bytes32 /* id */, uint256 /* amount */) external payable {
        _delegate();
    }

    /// @notice Buys `seconds_` more seconds of time rent (amount = seconds_ * pricePerSecond).
    /// @dev Runs in the settlement module. Parameters:
    ///      - id The agreement.
    ///      - seconds_ Seconds to pay for.
    function payPeriod(bytes32 /* id */, uint256 /* seconds_ */) external payable {
        _delegate();
    }

    /// @notice Credits the protocol fees held in `ids` (agreements of `token` in custody `custodyId`) to the
    ///         fee recipient, as a balance in that custody. Anyone may call; the caller bounds the list.
    /// @dev Runs in the settlement module. Parameters:
    ///      - custodyId The custody (see `custodyOf`) whose agreements to sweep.
    ///      - ids Agreements whose fees to sweep.
    ///      - token Their payment token (agreements of another token or custody are skipped).
    function sweepFees(uint256 /* custodyId */, bytes32[] calldata /* ids */, address /* token */) external {
        _delegate();
    }

    /// @notice Retries depositing income the distributor refused earlier (anyone may call).
    /// @dev Runs in the settlement module. Parameters:
    ///      - assetId The asset.
    ///      - token The token.
    function flushIncome(uint256 /* assetId */, address /* token */) external {
        _delegate();
    }

    // ------------------------------------------------------------------ settlement and claims (run by the module)

    /// @notice Charges the metered units of the verified readings since the last settlement.
    /// @dev Runs in the settlement module. Parameters:
    ///      - id The agreement (Active or TerminatedEarly, metered terms).
    function settleMetered(bytes32 /* id */) external {
        _delegate();
    }

    /// @notice Pays earned rent out to the owner side (anyone may call).
    /// @dev Runs in the settlement module. Parameters:
    ///      - id The agreement (Active or TerminatedEarly).
    function collect(bytes32 /* id */) external {
        _delegate();
    }

    /// @notice The renter ends early: use ends after the notice period (not before the minimum
    ///         duration); unused prepaid rent of the cut term is refunded at the terms' refundBps.
    /// @dev Runs in the settlement module. Parameters:
    ///      - id The agreement (Active, before its end).
    function terminateEarly(bytes32 /* id */) external {
        _delegate();
    }

    /// @notice Anyone ends an agreement whose arrears are older than the grace period; the deposit
    ///         covers the debt and late fee, the rest waits for the damage-claim window.
    /// @dev Runs in the settlement module. Parameters:
    ///      - id The agreement (Active or TerminatedEarly, in default).
    function markDefault(bytes32 /* id */) external {
        _delegate();
    }

    /// @notice Anyone settles an agreement whose use has ended: final rent and meter, late fee and
    ///         debt from the deposit, refunds credited; the rest of the deposit is held for claims.
    /// @dev Runs in the settlement module. Parameters:
    ///      - id The agreement (Active or TerminatedEarly, `end` passed).
    function settle(bytes32 /* id */) external {
        _delegate();
    }

    /// @notice The owner claims damages from the held deposit within the claim window.
    /// @dev Runs in the settlement module. Parameters:
    ///      - id The agreement (Settling, no claim yet).
    ///      - amount Claimed amount (<= deposit held).
    ///      - evidence Hash of off-chain evidence (photos, report).
    function claimDamage(bytes32 /* id */, uint256 /* amount */, bytes32 /* evidence */) external {
        _delegate();
    }

    /// @notice The owner releases the deposit without (further) claim: closes the agreement.
    /// @dev Runs in the settlement module. Parameters:
    ///      - id The agreement (Settling, no dispute running).
    function waiveClaim(bytes32 /* id */) external {
        _delegate();
    }

    /// @notice The renter accepts the pending claim.
    /// @dev Runs in the settlement module. Parameters:
    ///      - id The agreement (Settling, claim pending).
    function acceptClaim(bytes32 /* id */) external {
        _delegate();
    }

    /// @notice The renter disputes the pending claim within the response window; the terms' arbiter
    ///         (or the governance default in force now) decides within its timeout.
    /// @dev Runs in the settlement module. Parameters:
    ///      - id The agreement (Settling, claim pending).
    function disputeClaim(bytes32 /* id */) external {
        _delegate();
    }

    /// @notice ERC-792 style callback of an arbiter contract. Ruling 0: refused to rule (claim split
    ///         in half, rounding towards the renter); 1: owner (claimant) wins; 2: renter wins.
    /// @dev Runs in the settlement module. Parameters:
    ///      - disputeId uint256(agreement id).
    ///      - ruling 0, 1 or 2.
    function rule(uint256 /* disputeId */, uint256 /* ruling */) external {
        _delegate();
    }

    /// @notice An (EOA) arbiter awards `toOwner` of the disputed claim to the owner, the rest to the renter.
    /// @dev Runs in the settlement module. Parameters:
    ///      - id The agreement (Settling, disputed, before the arbiter deadline).
    ///      - toOwner Awarded amount, at most the claim.
    function resolve(bytes32 /* id */, uint256 /* toOwner */) external {
        _delegate();
    }

    /// @notice Anyone moves a Settling agreement past its phase deadline: no claim -> deposit
    ///         refunded; unanswered claim -> accepted; unruled dispute -> rejected.
    /// @dev Runs in the settlement module. Parameters:
    ///      - id The agreement (Settling, deadline passed).
    function finalize(bytes32 /* id */) external {
        _delegate();
    }

    // ------------------------------------------------------------------ withdrawals

    /// @notice Withdraws the caller's claimable balance of `token` in custody `custodyId`, paid by its vault.
    /// @dev Runs in the settlement module. Parameters:
    ///      - custodyId The custody (see `custodyOf`) whose vault holds the balance.
    ///      - token The token (address(0) for ETH).
    function withdraw(uint256 /* custodyId */, address /* token */) external {
        _delegate();
    }

    /// @notice Withdraws the caller's claimable balance of `token` in custody `custodyId` to `to` (e.g. when
    ///         the caller is blocklisted by the token or cannot receive ETH).
    /// @dev Runs in the settlement module. Parameters:
    ///      - custodyId The custody (see `custodyOf`) whose vault holds the balance.
    ///      - token The token (address(0) for ETH).
    ///      - to Receiver.
    function withdrawTo(uint256 /* custodyId */, address /* token */, address /* to */) external {
        _delegate();
    }

    // ------------------------------------------------------------------ views

    /// @notice Current state of an agreement (Active past its end reads as Ended).
    /// @param id The agreement.
    /// @return The state.
    function stateOf(bytes32 id) external view returns (State) {
        return _stateOf(_agreements[id]);
    }

    /// @notice The stored agreement.
    /// @param id The agreement.
    /// @return The agreement record.
    function agreementOf(bytes32 id) external view returns (Agreement memory) {
        return _agreements[id];
    }

    /// @notice Stored terms by hash.
    /// @param termsHash The EIP-712 struct hash of the terms.
    /// @return The terms.
    function termsOf(bytes32 termsHash) external view returns (Terms memory) {
        return _terms[termsHash];
    }

    /// @notice An on-chain offer.
    /// @param offerId The offer id.
    /// @return The offer record.
    function offerOf(bytes32 offerId) external view returns (Offer memory) {
        return _offers[offerId];
    }

    /// @notice Id of the `nonce`-th agreement on a subject: keccak256(abi.encode(kind, subjectId, nonce)).
    /// @param kind Subject kind.
    /// @param subjectId Subject id.
    /// @param nonce Per-subject sequence number.
    /// @return The agreement id.
    function agreementId(uint8 kind, uint256 subjectId, uint64 nonce) public pure returns (bytes32) {
        return keccak256(abi.encode(kind, subjectId, nonce));
    }

    /// @notice The agreement currently holding a subject (zero if none).
    /// @param kind Subject kind.
    /// @param subjectId Subject id.
    /// @return The live agreement id.
    function liveAgreementOf(uint8 kind, uint256 subjectId) public view returns (bytes32) {
        Subject memory s = _subjects[kind][subjectId];
        return s.live ? agreementId(kind, subjectId, s.nonce - 1) : bytes32(0);
    }

    /// @notice The current user of a rented asset and until when it may use it: the renter of the asset's live
    ///         agreement while it is in use (Active, or TerminatedEarly during its notice), before its end and not
    ///         in default; else (address(0), 0). Like ERC-4907's `userOf`/`userExpires`, for an asset id (assets
    ///         are not NFTs; devices get ERC-4907 on their DeviceToken through the registry's lease).
    /// @param assetId The asset.
    /// @return user The current user, or address(0).
    /// @return expires The end of its right of use (0 when there is no user).
    function assetUserOf(uint256 assetId) external view returns (address user, uint256 expires) {
        bytes32 id = liveAgreementOf(uint8(SubjectKind.Asset), assetId);
        Agreement storage a = _agreements[id];
        if (id == bytes32(0) || !_inUse(a.state)) return (address(0), 0);
        if (block.timestamp >= a.end || _inDefault(a, _terms[a.termsHash])) return (address(0), 0);
        return (a.renter, a.end);
    }

    /// @notice Whether the agreement's arrears are older than its grace period (default possible).
    /// @param id The agreement.
    /// @return True when `markDefault` would succeed.
    function inDefault(bytes32 id) external view returns (bool) {
        Agreement storage a = _agreements[id];
        if (!_inUse(a.state)) return false;
        return _inDefault(a, _terms[a.termsHash]);
    }

    /// @notice Funds of `token` the escrow still holds for an agreement (credit, deposit, earned).
    /// @param id The agreement.
    /// @return The amount held.
    function heldFor(bytes32 id) external view returns (uint256) {
        Agreement storage a = _agreements[id];
        return uint256(a.credit) + a.depositHeld + a.earned + a.protocolFee;
    }

    /// @notice EIP-712 digest of a signed offer, as the owner signs it.
    /// @param offer The offer.
    /// @return The digest.
    function offerDigest(SignedOffer calldata offer) external view returns (bytes32) {
        return _hashTypedDataV4(RentalTerms.hashOffer(offer, RentalTerms.hash(offer.terms)));
    }

    /// @notice The implementation of this escrow's vaults (an AssetVault whose controller is this escrow).
    /// @return Its address.
    function vaultImplementation() external view returns (address) {
        return _vaultImplementation();
    }

    /// @notice The vault holding the money of custody `custodyId` (deployed with its first agreement).
    /// @param custodyId An asset id, or the id of a rented device bound to no asset (see `custodyOf`).
    /// @return The vault's CREATE2 address (salt = custodyId).
    function vaultOf(uint256 custodyId) external view returns (address) {
        return _vaultOf(custodyId);
    }

    /// @notice The custody of an agreement's money, fixed at opening: the rented asset; for a device, the asset
    ///         it was bound to at opening, else the device itself. Its vault holds the agreement's credit,
    ///         deposit, earned rent and fee, and the balances its parties are credited.
    /// @param id The agreement.
    /// @return The custody id (0 for an unknown agreement).
    function custodyOf(bytes32 id) external view returns (uint256) {
        Agreement storage a = _agreements[id];
        return _custodyOf(a, _terms[a.termsHash]);
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
        if (_vaultOf(custodyId).code.length == 0) {
            emit VaultCreated(custodyId, Clones.cloneDeterministic(_vaultImplementation(), bytes32(custodyId)));
        }
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
