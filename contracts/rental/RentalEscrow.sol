// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";
import {assetVaultsOf, vaultAddress} from "../custody/AssetVaults.sol";
import {createdAt} from "../common/Created.sol";
import {RentalTerms} from "./RentalTerms.sol";
import {IRentalCustody} from "./IRentalCustody.sol";
import {IRentalEscrow} from "./IRentalEscrow.sol";
import {IRentalState} from "./IRentalState.sol";
import {IRentalMarket} from "./IRentalMarket.sol";
import {RentalCustody} from "./RentalCustody.sol";
import {BPS} from "../common/Constants.sol";
import {RentalClaims} from "./RentalClaims.sol";
import {RentalMeter} from "./RentalMeter.sol";
import {IRentalMeter} from "./IRentalMeter.sol";
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
///         protocol fee to the IncomeDistributor for the asset (`depositHeld`) (or a device's bound asset), else to
///         the device owner's claimable balance. A distributor refusal defers the income (`flushIncome`)
///         instead of blocking settlement. No loops: settlement is O(1).
///
///         Custody per asset: every agreement's money sits in the AssetVault clone of its custody id (`custodyOf`:
///         the rented asset, the asset a rented device is bound to, else the device), counted by RentalCustody (this
///         escrow's first creation, `custody()`) in the vault the distributor deploys and shares with it and the
///         maintenance custody, at `custody().vaultOf(custodyId)`. Renters approve this escrow and pay straight
///         into the vault; every payout leaves from it through the custody, which only this escrow instructs to
///         credit or pay; the escrow itself holds nothing between calls.
///
///         Agreements are opened by the rental market only (`market`, named at deployment): it validates offers
///         and terms and calls `storeTerms` and `open`; this escrow re-checks the opening against the subject's
///         current owner and the market's configuration at that moment, and pulls the payment from the renter.
///
///         Metering: RentalMeter (this escrow's third creation, `meter()`) keeps which agreement bills each meter and
///         each agreement's mark and units, and bills by the odometer rule; this escrow charges the units it bills
///         from the credit and emits `MeterSettled`. One contract, no module: it compiles with 200 optimizer runs,
///         the suite's one code-size technique (contracts/README.md, "Code size").
contract RentalEscrow is IRentalEscrow, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @inheritdoc IRentalState
    uint64 public constant LEASED_UNTIL_RELEASED = type(uint64).max;

    /// @inheritdoc IRentalState
    IAssetRegistry public immutable assetRegistry;
    /// @inheritdoc IRentalState
    IDeviceRegistry public immutable deviceRegistry;
    /// @inheritdoc IRentalState
    IIncomeDistributor public immutable distributor;
    /// @inheritdoc IRentalEscrow
    IRentalMarket public immutable market;

    struct Subject {
        uint64 nonce; // agreements ever opened on this subject
        bool live; // the agreement of nonce - 1 holds the subject
    }

    mapping(bytes32 termsHash => Terms) internal _terms;
    mapping(uint8 kind => mapping(uint256 subjectId => Subject)) internal _subjects;
    mapping(bytes32 id => Agreement) internal _agreements;

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
    /// @param disputes_ The suite's dispute module, deciding disputed damage claims (through RentalClaims).
    constructor(
        IRentalMarket market_,
        IAssetRegistry assetRegistry_,
        IDeviceRegistry deviceRegistry_,
        IIncomeDistributor distributor_,
        IDisputeModule disputes_
    ) {
        if (
            address(market_) == address(0) ||
            address(assetRegistry_) == address(0) ||
            address(deviceRegistry_) == address(0) ||
            address(distributor_) == address(0)
        ) revert ZeroAddress();
        market = market_;
        assetRegistry = assetRegistry_;
        deviceRegistry = deviceRegistry_;
        distributor = distributor_;
        // The custody is this escrow's first creation (so its `escrow` is this escrow), at the address
        // `_custody` derives without storage.
        address custody_ = address(new RentalCustody(assetRegistry_, distributor_));
        assert(custody_ == address(_custody()));
        // Damage claims: the second creation, at the address `_claims` derives (the only caller of closeSettlement).
        address claims_ = address(new RentalClaims(disputes_, assetRegistry_));
        assert(claims_ == _claims());
        // Meters: the third creation, at the address `_meter` derives.
        address meter_ = address(new RentalMeter(deviceRegistry_));
        assert(meter_ == address(_meter()));
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

    // ------------------------------------------------------------------ metering and settlement

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
    function meter() external view returns (IRentalMeter) {
        return _meter();
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
    /// @dev Charges time rent up to min(now, end) from the credit; what the credit cannot cover is debt.
    function _accrue(Agreement storage a, uint256 price) internal {
        uint256 to = Math.min(block.timestamp, a.end);
        uint256 from = a.accruedUntil;
        if (to <= from) return;
        a.accruedUntil = uint40(to);
        if (price == 0) return;
        _charge(a, (to - from) * price, from + a.credit / price);
    }

    /// @dev Charges `amount` to the agreement: from its credit, the rest as debt. `arrearsFrom` is when
    ///      the credit ran out, recorded as the start of the arrears unless arrears are already running.
    ///      The one place credit becomes earned rent or debt (time rent and metered units alike).
    function _charge(Agreement storage a, uint256 amount, uint256 arrearsFrom) internal {
        uint256 credit = a.credit;
        if (credit >= amount) {
            a.credit = uint128(credit - amount);
            a.earned += uint112(amount);
        } else {
            if (a.debt == 0) a.arrearsSince = uint40(arrearsFrom);
            a.earned += uint112(credit);
            a.debt += uint128(amount - credit); // < 2^98: terms bound each charge total by 2^96
            a.credit = 0;
        }
    }

    /// @dev Whether an agreement in state `s` is in use (Active, or TerminatedEarly during its notice).
    function _inUse(State s) internal pure returns (bool) {
        return s == State.Active || s == State.TerminatedEarly;
    }

    /// @dev The state guard of every call on an agreement in use: reverts with WrongState otherwise.
    function _requireInUse(bytes32 id, Agreement storage a) internal view returns (State s) {
        s = a.state;
        if (!_inUse(s)) revert WrongState(id, _stateOf(a));
    }

    /// @dev Start of the current arrears (type(uint40).max if the credit covers the whole term).
    function _arrearsStart(Agreement storage a, uint256 price) internal view returns (uint256) {
        if (a.debt != 0) return a.arrearsSince;
        if (price == 0) return type(uint40).max;
        return Math.min(uint256(a.accruedUntil) + a.credit / price, type(uint40).max);
    }

    function _inDefault(Agreement storage a, Terms storage t) internal view returns (bool) {
        uint256 since = _arrearsStart(a, t.pricePerSecond);
        return since < a.end && block.timestamp >= since + t.gracePeriod;
    }

    /// @dev Late fee of the running arrears episode: per second past the grace period, within the
    ///      term, limited by what remains of the cap.
    function _pendingLateFee(Agreement storage a, Terms storage t) internal view returns (uint256) {
        uint256 rate = t.lateFeePerSecond;
        if (rate == 0) return 0;
        uint256 from = _arrearsStart(a, t.pricePerSecond) + t.gracePeriod;
        uint256 to = Math.min(block.timestamp, a.end);
        if (to <= from) return 0;
        return Math.min((to - from) * rate, uint256(t.lateFeeCap) - a.lateFee);
    }

    /// @dev The custody of an agreement's money: the asset whose holders its income goes to (the rented
    ///      asset, or the asset a rented device was bound to at opening), else the rented device. Asset
    ///      ids and device ids are both keccak256 digests of distinct encodings, so they never collide.
    function _custodyOf(Agreement storage a, Terms storage t) internal view returns (uint256) {
        uint256 incomeAsset = a.incomeAssetId;
        return incomeAsset != 0 ? incomeAsset : t.subjectId;
    }

    /// @dev The RentalCustody holding every agreement's money: the first contract this escrow created (CREATE,
    ///      nonce 1), derived without storage.
    function _custody() internal view returns (IRentalCustody) {
        return IRentalCustody(createdAt(address(this), 0x01));
    }

    /// @dev RentalClaims: the second contract this escrow created (CREATE, nonce 2), the only caller of
    ///      `closeSettlement`; derived without storage.
    function _claims() internal view returns (address) {
        return createdAt(address(this), 0x02);
    }

    /// @dev RentalMeter: the third contract this escrow created (CREATE, nonce 3), the meters of metered agreements.
    function _meter() internal view returns (IRentalMeter) {
        return IRentalMeter(createdAt(address(this), 0x03));
    }

    /// @dev The vault clone holding the money of custody `custodyId` (the distributor's shared vault of that id),
    ///      derived without a call.
    function _vaultOf(uint256 custodyId) internal view returns (address) {
        return vaultAddress(address(distributor), custodyId);
    }

    /// @dev Pays rent or damages to the owner side: the income asset's distributor (through the custody, which
    ///      defers a refused deposit), else the device owner's claimable balance.
    function _payIncome(Agreement storage a, Terms storage t, address token, uint256 amount) internal {
        if (amount == 0) return;
        uint256 assetId = t.subjectKind == uint8(SubjectKind.Asset) ? t.subjectId : a.incomeAssetId;
        if (assetId == 0) _credit(a.owner, t.subjectId, token, amount);
        else _custody().payIncome(assetId, token, amount);
    }

    /// @dev Credits `party` with `amount` held in custody `custodyId`'s vault (through the custody).
    function _credit(address party, uint256 custodyId, address token, uint256 amount) internal {
        if (amount == 0) return;
        _custody().credit(party, custodyId, token, amount);
    }

    /// @dev Leases the subject in its registry until this escrow releases it (`_release`, when the
    ///      agreement is settled or its reservation ends), not merely until the agreement's `end`:
    ///      between `end` and settlement the rent of the finished term is still in this escrow, and
    ///      a buyout in that gap would retire the asset and leave that rent undeliverable to the
    ///      holders who earned it. Every state that holds a lease has a public exit after its
    ///      deadline (`settle`, `cancelReservation`), so the lease never outlives the agreement.
    ///      A device's lease is its ERC-4907 user record in the device token: `renter` is its user.
    function _setLease(uint8 kind, uint256 subjectId, address renter) internal {
        if (kind == uint8(SubjectKind.Asset)) assetRegistry.setLease(subjectId, LEASED_UNTIL_RELEASED);
        else deviceRegistry.deviceToken().setUser(subjectId, renter, LEASED_UNTIL_RELEASED);
    }

    /// @dev Frees the subject and its meter; a failing registry must not lock the agreement's funds.
    function _release(Terms storage t) internal {
        (uint8 kind, uint256 subjectId) = (t.subjectKind, t.subjectId);
        if (t.pricePerUnit != 0) _meter().release(t.meterDeviceId, t.meterKind);
        _subjects[kind][subjectId].live = false;
        if (kind == uint8(SubjectKind.Asset)) {
            try assetRegistry.setLease(subjectId, 0) {} catch {
                emit LeaseReleaseFailed(kind, subjectId);
            }
        } else {
            try deviceRegistry.deviceToken().setUser(subjectId, address(0), 0) {} catch {
                emit LeaseReleaseFailed(kind, subjectId);
            }
        }
    }

    function _stateOf(Agreement storage a) internal view returns (State) {
        State s = a.state;
        if (s == State.Active && block.timestamp >= a.end) return State.Ended;
        return s;
    }

    function _requireState(bytes32 id, Agreement storage a, State expected) internal view {
        if (a.state != expected) revert WrongState(id, _stateOf(a));
    }

    /// @dev Stored terms name an asset or a device (the market validated them before `storeTerms`).
    function _ownerOfSubject(uint8 kind, uint256 subjectId) internal view returns (address) {
        return kind == uint8(SubjectKind.Asset) ? assetRegistry.agentOf(subjectId) : deviceRegistry.ownerOf(subjectId);
    }

    /// @dev Pulls exactly `amount` from `from` straight into custody `custodyId`'s vault; refuses
    ///      fee-on-transfer tokens by the vault's balance difference. ETH is forwarded through the custody (the
    ///      vault accepts ETH from its controllers only). Payers approve this escrow, which holds nothing.
    function _pull(address from, uint256 custodyId, address token, uint256 amount) internal {
        if (token == address(0)) {
            if (msg.value != amount) revert WrongEthAmount(amount, msg.value);
            _custody().fund{value: amount}(custodyId);
            return;
        }
        if (msg.value != 0) revert WrongEthAmount(0, msg.value);
        address vault = _vaultOf(custodyId);
        IERC20 erc20 = IERC20(token);
        uint256 before = erc20.balanceOf(vault);
        erc20.safeTransferFrom(from, vault, amount);
        // Exact: the vault is shared, so another controller may have paid into or out of it meanwhile.
        uint256 balance = erc20.balanceOf(vault);
        if (balance != before + amount) revert FeeOnTransferToken(amount, balance > before ? balance - before : 0);
    }

    function _onlyMarket() private view {
        if (msg.sender != address(market)) revert NotMarket(msg.sender);
    }

    /// @dev A metered agreement's meter measures its subject. The meter's device is read only for metered terms (an
    ///      unmetered opening skips that storage slot).
    function _checkMeter(uint8 kind, uint256 subjectId, Terms storage t) internal view {
        if (t.pricePerUnit == 0) return;
        uint256 meterDeviceId = t.meterDeviceId;
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
        _agreements[id].termsHash = termsHash;
        uint256 custodyId = _record(id, t, owner, renter, duration, prepay);
        if (_vaultOf(custodyId).code.length == 0) assetVaultsOf(address(distributor)).createVault(custodyId);
        _pull(renter, custodyId, t.token, prepay + t.deposit);
    }

    function _checkOpen(Terms storage t, address owner, uint256 duration, uint256 prepay) internal view {
        uint8 kind = t.subjectKind;
        uint256 subjectId = t.subjectId;
        address current = _ownerOfSubject(kind, subjectId);
        if (current != owner) revert NotSubjectOwner(owner, current);
        _requireRentable(kind, subjectId);
        if (!market.tokenAllowed(t.token)) revert TokenNotAllowed(t.token);
        if (duration < t.minDuration || duration > t.maxDuration) {
            revert DurationOutOfRange(duration, t.minDuration, t.maxDuration);
        }
        uint256 minPrepay = uint256(t.minDuration) * t.pricePerSecond;
        if (prepay < minPrepay || prepay == 0) revert PrepaymentTooSmall(prepay, Math.max(minPrepay, 1));
        _checkMeter(kind, subjectId, t);
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
        a.feeBps = market.protocolFeeBps();
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
        if (t.pricePerUnit != 0) _meter().hold(id, t.meterDeviceId, t.meterKind, window == 0);
        if (window == 0) {
            a.state = State.Active;
            a.accruedUntil = uint40(block.timestamp);
            emit Activated(id, block.timestamp, block.timestamp + duration);
        } else {
            a.state = State.Reserved;
            a.deadline = uint40(block.timestamp + window);
        }
    }
    /// @inheritdoc IRentalEscrow
    function settleMetered(bytes32 id) external nonReentrant {
        Agreement storage a = _agreements[id];
        _requireInUse(id, a);
        Terms storage t = _terms[a.termsHash];
        if (t.pricePerUnit == 0) revert NotMetered(id);
        _accrue(a, t.pricePerSecond);
        _settleMeter(id, a, t, true);
    }

    /// @inheritdoc IRentalEscrow
    function collect(bytes32 id) external nonReentrant {
        Agreement storage a = _agreements[id];
        _requireInUse(id, a);
        Terms storage t = _terms[a.termsHash];
        _accrue(a, t.pricePerSecond);
        _payOut(id, a, t, false);
    }

    /// @inheritdoc IRentalEscrow
    function terminateEarly(bytes32 id) external nonReentrant {
        Agreement storage a = _agreements[id];
        _requireState(id, a, State.Active);
        if (msg.sender != a.renter) revert NotRenter(msg.sender);
        if (block.timestamp >= a.end) revert DeadlinePassed(a.end);
        Terms storage t = _terms[a.termsHash];
        uint256 newEnd = Math.max(block.timestamp + t.noticePeriod, uint256(a.start) + t.minDuration);
        if (newEnd < a.end) a.end = uint40(newEnd);
        a.endReason = EndReason.TerminatedEarly;
        emit TerminatedEarly(id, a.end);
        if (block.timestamp >= a.end) {
            _settle(id, a, t);
        } else {
            a.state = State.TerminatedEarly; // the subject stays leased until settlement releases it
        }
    }

    /// @inheritdoc IRentalEscrow
    function markDefault(bytes32 id) external nonReentrant {
        Agreement storage a = _agreements[id];
        _requireInUse(id, a);
        Terms storage t = _terms[a.termsHash];
        if (!_inDefault(a, t)) revert NotInDefault(id);
        _accrue(a, t.pricePerSecond);
        if (block.timestamp < a.end) a.end = uint40(block.timestamp);
        a.endReason = EndReason.Defaulted;
        emit Defaulted(id, a.arrearsSince, a.debt);
        _settle(id, a, t);
    }

    /// @inheritdoc IRentalEscrow
    function settle(bytes32 id) external nonReentrant {
        Agreement storage a = _agreements[id];
        State s = _requireInUse(id, a);
        if (block.timestamp < a.end) revert DeadlineNotPassed(a.end);
        if (s == State.Active) a.endReason = EndReason.Ended;
        _settle(id, a, _terms[a.termsHash]);
    }

    /// @dev Reverts unless the caller acts for the owner side of the agreement now: for an asset, its
    ///      CURRENT agent (an agent replaced through the asset registry's propose/accept hands every live
    ///      agreement to its successor, and keeps no power over them); for a device, its owner at opening
    ///      (a leased device cannot change hands). Records the acting agent as the agreement's owner.
    function _requireOwnerSide(Agreement storage a) private {
        Terms storage t = _terms[a.termsHash];
        address owner = a.owner;
        if (t.subjectKind == uint8(SubjectKind.Asset)) {
            address agent = assetRegistry.agentOf(t.subjectId);
            if (agent != owner) a.owner = owner = agent;
        }
        if (msg.sender != owner) revert NotOwner(msg.sender);
    }

    /// @dev Settles the meter (RentalMeter's odometer rule) and charges the units it bills now: arrears they
    ///      open start now, or at the end if it came first. At final settlement (`strict` false) a failing
    ///      registry read skips metering instead of locking the agreement.
    function _settleMeter(bytes32 id, Agreement storage a, Terms storage t, bool strict) internal {
        IRentalMeter.Bill memory b = _meter().settle(
            id,
            t.meterDeviceId,
            t.meterKind,
            [uint256(t.maxUnitsPerPeriod), t.meterPeriod],
            a.start,
            a.end,
            strict
        );
        if (b.counter == 0) return;
        uint256 charge = b.billedUnits * t.pricePerUnit;
        if (charge != 0) _charge(a, charge, Math.min(block.timestamp, a.end));
        emit MeterSettled(id, b.counter, b.odometer, b.units, b.billedUnits, b.carriedUnits, charge);
    }

    function _settle(bytes32 id, Agreement storage a, Terms storage t) internal {
        _accrue(a, t.pricePerSecond);
        if (t.pricePerUnit != 0) _settleMeter(id, a, t, false);
        uint256 lateFee = a.debt != 0 ? _pendingLateFee(a, t) : 0;
        uint256 owed = uint256(a.debt) + lateFee;
        uint256 deposit = a.depositHeld;
        uint256 fromDeposit = Math.min(owed, deposit);
        deposit -= fromDeposit;
        uint256 earned = uint256(a.earned) + fromDeposit;

        uint256 refund = a.credit;
        if (a.endReason == EndReason.TerminatedEarly && refund != 0) {
            // Prepaid rent of the cut part of the term is refunded at refundBps; credit beyond it in full.
            uint256 cut = uint256(a.termEnd - a.end) * t.pricePerSecond;
            uint256 forfeitable = Math.min(refund, cut);
            // forfeitable <= 2^128 and refundBps <= BPS: the product cannot overflow.
            uint256 kept = forfeitable - Math.ceilDiv(forfeitable * t.refundBps, BPS);
            refund -= kept;
            earned += kept;
        }

        a.credit = 0;
        a.debt = 0;
        a.lateFee += uint128(lateFee);
        a.depositHeld = uint128(deposit);
        a.earned = uint112(earned);
        _credit(a.renter, _custodyOf(a, t), t.token, refund);
        _payOut(id, a, t, true); // the last payout: settlement ends the rent
        _release(t);
        emit Settled(id, a.endReason, refund, fromDeposit, owed - fromDeposit, deposit);
        if (deposit == 0) {
            a.state = State.Closed;
            a.deadline = 0;
            emit Closed(id);
        } else {
            a.state = State.Settling;
            a.deadline = uint40(block.timestamp + t.claimWindow);
        }
    }

    /// @inheritdoc IRentalEscrow
    function closeSettlement(bytes32 id, uint256 toOwner) external nonReentrant {
        if (msg.sender != _claims()) revert NotClaims(msg.sender);
        Agreement storage a = _agreements[id];
        _requireState(id, a, State.Settling);
        uint256 deposit = a.depositHeld;
        if (toOwner > deposit) revert InvalidClaim(toOwner, deposit);
        Terms storage t = _terms[a.termsHash];
        uint256 toRenter = deposit - toOwner;
        a.depositHeld = 0;
        a.state = State.Closed;
        a.deadline = 0;
        address token = t.token;
        _credit(a.renter, _custodyOf(a, t), token, toRenter);
        // Damages compensate the asset's owners: routed like rent, without protocol fee.
        _payIncome(a, t, token, toOwner);
        emit ClaimResolved(id, toOwner, toRenter);
        emit Closed(id);
    }

    /// @dev Pays the earned rent out: the fee to the market's fee recipient, the rest to the owner side. The fee is
    ///      exact over the agreement's life, however often anyone collects: each payout's remainder (below one
    ///      token unit) is carried to the next, so the fees of all payouts sum to floor(rent * feeBps / BPS),
    ///      rounded down once, in the owner side's favour. The `last` payout (settlement) drops the remainder.
    function _payOut(bytes32 id, Agreement storage a, Terms storage t, bool last) internal {
        uint256 amount = a.earned;
        if (amount == 0) return;
        // amount < 2^112, feeBps <= BPS and the remainder < BPS: no overflow.
        uint256 scaled = amount * a.feeBps + a.feeRemainder;
        uint256 fee = scaled / BPS;
        a.earned = 0;
        a.feeRemainder = last ? 0 : uint16(scaled % BPS);
        // The fee is the market's fee recipient's at once, claimable in this agreement's custody (a slot per
        // custody and token: no hot slot shared across assets), withdrawn like any other balance.
        if (fee != 0) _credit(market.feeRecipient(), _custodyOf(a, t), t.token, fee);
        _payIncome(a, t, t.token, amount - fee);
        emit RentPaid(id, fee, amount - fee);
    }

    /// @inheritdoc IRentalEscrow
    function activate(bytes32 id) external nonReentrant {
        Agreement storage a = _agreements[id];
        _requireState(id, a, State.Reserved);
        _requireOwnerSide(a);
        if (block.timestamp > a.deadline) revert DeadlinePassed(a.deadline);
        Terms storage t = _terms[a.termsHash];
        uint40 shift = uint40(block.timestamp) - a.start;
        a.start += shift;
        a.end += shift;
        a.termEnd += shift;
        a.accruedUntil = uint40(block.timestamp);
        a.deadline = 0;
        a.state = State.Active;
        if (t.pricePerUnit != 0) _meter().start(id, t.meterDeviceId, t.meterKind);
        // The lease taken at reservation holds until settlement releases it.
        emit Activated(id, a.start, a.end);
    }

    /// @inheritdoc IRentalEscrow
    function decline(bytes32 id) external nonReentrant {
        Agreement storage a = _agreements[id];
        _requireState(id, a, State.Reserved);
        _requireOwnerSide(a);
        _endReservation(id, a, EndReason.Declined);
    }

    /// @inheritdoc IRentalEscrow
    function cancelReservation(bytes32 id) external nonReentrant {
        Agreement storage a = _agreements[id];
        _requireState(id, a, State.Reserved);
        if (block.timestamp <= a.deadline) revert DeadlineNotPassed(a.deadline);
        _endReservation(id, a, EndReason.ReservationExpired);
    }

    /// @inheritdoc IRentalEscrow
    function topUp(bytes32 id, uint256 amount) external payable nonReentrant {
        _topUp(id, amount);
    }

    /// @inheritdoc IRentalEscrow
    function payPeriod(bytes32 id, uint256 seconds_) external payable nonReentrant {
        Agreement storage a = _agreements[id];
        if (a.state == State.None) revert WrongState(id, State.None);
        _topUp(id, seconds_ * _terms[a.termsHash].pricePerSecond);
    }

    function _endReservation(bytes32 id, Agreement storage a, EndReason reason) internal {
        Terms storage t = _terms[a.termsHash];
        uint256 refund = uint256(a.credit) + a.depositHeld;
        a.credit = 0;
        a.depositHeld = 0;
        a.endReason = reason;
        a.state = State.Closed;
        a.deadline = 0;
        _credit(a.renter, _custodyOf(a, t), t.token, refund);
        _release(t);
        emit ReservationEnded(id, reason);
        emit Closed(id);
    }

    function _topUp(bytes32 id, uint256 amount) internal {
        Agreement storage a = _agreements[id];
        State s = a.state;
        if (s != State.Reserved) _requireInUse(id, a);
        if (amount == 0) revert ZeroAmount();
        Terms storage t = _terms[a.termsHash];
        // Accrual is lazy: it is only needed when arrears exist (to materialise the debt and its
        // late fee); otherwise the credit covered every second so far and simply grows.
        if (s != State.Reserved) {
            uint256 price = t.pricePerSecond;
            if (a.debt != 0 || _arrearsStart(a, price) < Math.min(block.timestamp, a.end)) _accrue(a, price);
        }
        uint256 debt = a.debt;
        uint256 toDebt;
        uint256 fee;
        if (debt != 0) {
            fee = _pendingLateFee(a, t);
            if (amount >= debt + fee) {
                // Cured: the episode's late fee is charged with the debt, the rest is credit.
                toDebt = debt + fee;
                a.lateFee += uint128(fee);
                a.debt = 0;
                a.arrearsSince = 0;
            } else {
                // Partial payment: the arrears clock keeps running from the same start.
                toDebt = amount;
                fee = 0;
                a.debt = uint128(debt - amount);
            }
            a.earned += uint112(toDebt);
        }
        a.credit = (uint256(a.credit) + amount - toDebt).toUint128();
        emit ToppedUp(id, msg.sender, amount, toDebt, fee);
        _pull(msg.sender, _custodyOf(a, t), t.token, amount);
    }
}
