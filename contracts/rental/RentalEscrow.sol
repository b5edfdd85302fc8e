// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";
import {RentalTerms} from "./RentalTerms.sol";
import {IRentalCustody} from "./IRentalCustody.sol";
import {IRentalEscrow} from "./IRentalEscrow.sol";
import {IRentalState} from "./IRentalState.sol";
import {IRentalMarket} from "./IRentalMarket.sol";
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
///
///         Agreements are opened by the rental market only (`market`, named at deployment): it validates offers
///         and terms and calls `storeTerms` and `open`; this escrow re-checks the opening against the subject's
///         current owner and the market's configuration at that moment, and pulls the payment from the renter.
contract RentalEscrow is RentalBase, IRentalEscrow {
    using SafeCast for uint256;

    /// @inheritdoc IRentalEscrow
    address public immutable settlement;
    /// @inheritdoc IRentalEscrow
    IRentalMarket public immutable market;

    /// @dev Only the market stores terms and opens agreements (checked before the re-entrancy guard, so a stranger
    ///      is told `NotMarket` whenever it calls).
    modifier onlyMarket() {
        _onlyMarket();
        _;
    }

    /// @notice Deployed after its rental market, which it names (`market`); governance then links it on the market
    ///         (`RentalMarket.setEscrow`, which checks this escrow names it).
    /// @param market_ The rental market: the only caller of `storeTerms` and `open`, source of the configuration.
    /// @param assetRegistry_ The asset registry (this escrow needs its LEASE_MANAGER_ROLE).
    /// @param deviceRegistry_ The device registry (this escrow needs its LEASE_MANAGER_ROLE).
    /// @param distributor_ The income distributor.
    /// @param settlement_ The RentalSettlement module, built for the same registries and distributor.
    /// @param disputes_ The suite's dispute module, deciding disputed damage claims (through RentalClaims).
    constructor(
        IRentalMarket market_,
        IAssetRegistry assetRegistry_,
        IDeviceRegistry deviceRegistry_,
        IIncomeDistributor distributor_,
        RentalSettlement settlement_,
        IDisputeModule disputes_
    ) RentalBase(assetRegistry_, deviceRegistry_, distributor_) {
        if (address(market_) == address(0)) revert ZeroAddress();
        market = market_;
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

    // ------------------------------------------------------------------ opening (the market only)

    /// @inheritdoc IRentalEscrow
    function storeTerms(Terms calldata t) external onlyMarket returns (bytes32 termsHash) {
        termsHash = RentalTerms.hash(t);
        if (_terms[termsHash].subjectKind == 0) {
            _terms[termsHash] = t;
            emit TermsStored(termsHash, t.subjectKind, t.subjectId);
        }
    }

    /// @inheritdoc IRentalEscrow
    function open(
        bytes32 termsHash,
        address owner,
        address renter,
        uint256 duration,
        uint256 prepay
    ) external payable onlyMarket nonReentrant returns (bytes32 id) {
        id = _open(termsHash, owner, renter, duration, prepay);
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
        return uint256(a.credit) + a.depositHeld + a.earned;
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

    /// @notice ERC-165: IRentalEscrow and its part IRentalState, and IERC165.
    /// @param interfaceId The interface id.
    /// @return Whether this escrow implements it.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return
            interfaceId == type(IRentalEscrow).interfaceId ||
            interfaceId == type(IRentalState).interfaceId ||
            interfaceId == type(IERC165).interfaceId;
    }

    // ------------------------------------------------------------------ internals

    function _market() internal view override returns (IRentalMarket) {
        return market;
    }

    function _onlyMarket() private view {
        if (msg.sender != address(market)) revert NotMarket(msg.sender);
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

    function _open(
        bytes32 termsHash,
        address owner,
        address renter,
        uint256 duration,
        uint256 prepay
    ) internal returns (bytes32 id) {
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
        _agreements[id].termsHash = termsHash;
        uint256 custodyId = _record(id, t, owner, renter, duration, prepay);
        if (_vaultOf(custodyId).code.length == 0) _custody().createVault(custodyId);
        _pull(renter, custodyId, t.token, prepay + t.deposit);
    }

    function _checkOpen(Terms storage t, address owner, uint256 duration, uint256 prepay) internal view {
        uint8 kind = t.subjectKind;
        uint256 subjectId = t.subjectId;
        address current = _ownerOfSubject(kind, subjectId);
        if (current != owner) revert NotSubjectOwner(owner, current);
        _requireRentable(kind, subjectId);
        if (!_market().tokenAllowed(t.token)) revert TokenNotAllowed(t.token);
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
        address owner,
        address renter,
        uint256 duration,
        uint256 prepay
    ) internal returns (uint256 custodyId) {
        uint32 window = t.activationWindow;
        Agreement storage a = _agreements[id];
        a.renter = renter;
        a.owner = owner;
        a.start = uint40(block.timestamp);
        a.end = uint40(block.timestamp + duration);
        a.termEnd = uint40(block.timestamp + duration);
        a.credit = prepay.toUint128();
        a.depositHeld = t.deposit;
        a.feeBps = _market().protocolFeeBps();
        // Rent and damages go to the income asset's holders: only in a token they can always be paid in.
        uint256 incomeAsset = t.subjectId;
        if (t.subjectKind == uint8(SubjectKind.Device))
            a.incomeAssetId = incomeAsset = deviceRegistry.assetOf(incomeAsset);
        if (incomeAsset != 0 && !distributor.acceptsIncome(incomeAsset, t.token)) {
            revert IncomeNotAccepted(incomeAsset, t.token);
        }
        custodyId = incomeAsset != 0 ? incomeAsset : t.subjectId;
        emit AgreementOpened(id, a.termsHash, renter, owner, duration, prepay, t.deposit);
        _setLease(t.subjectKind, t.subjectId, renter);
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
