// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";
import {IRentalCustody} from "./IRentalCustody.sol";
import {IRentalState} from "./IRentalState.sol";
import {IRentalMarket} from "./IRentalMarket.sol";

/// @title RentalBase
/// @notice Storage and shared accounting of the rental escrow. RentalEscrow and its settlement module (run by
///         delegatecall) both inherit it first, so they share one storage layout. The configuration (tokens,
///         fee, fee recipient, default arbiter) lives in the rental market (`_market()`).
abstract contract RentalBase is IRentalState, ReentrancyGuardTransient {
    /// @notice The registry lease a live agreement holds: until this escrow releases it on settlement.
    uint64 public constant LEASED_UNTIL_RELEASED = type(uint64).max;

    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice The asset registry (agents, status, leases).
    IAssetRegistry public immutable assetRegistry;
    /// @notice The device registry (owners, verified readings, leases).
    IDeviceRegistry public immutable deviceRegistry;
    /// @notice The income distributor rent of assets is deposited into.
    IIncomeDistributor public immutable distributor;

    struct Subject {
        uint64 nonce; // agreements ever opened on this subject
        bool live; // the agreement of nonce - 1 holds the subject
    }

    mapping(bytes32 termsHash => Terms) internal _terms;
    mapping(uint8 kind => mapping(uint256 subjectId => Subject)) internal _subjects;
    mapping(bytes32 id => Agreement) internal _agreements;
    /// @dev The live metered agreement billing each meter (device, kind), from opening to release:
    ///      one meter's units are billed to one agreement only (an asset rental and a rental of its
    ///      device cannot both bill the same readings).
    mapping(uint256 deviceId => mapping(uint32 kind => bytes32 id)) internal _meterHolder;

    /// @param assetRegistry_ The asset registry (this escrow needs its LEASE_MANAGER_ROLE).
    /// @param deviceRegistry_ The device registry (this escrow needs its LEASE_MANAGER_ROLE).
    /// @param distributor_ The income distributor.
    constructor(IAssetRegistry assetRegistry_, IDeviceRegistry deviceRegistry_, IIncomeDistributor distributor_) {
        if (
            address(assetRegistry_) == address(0) ||
            address(deviceRegistry_) == address(0) ||
            address(distributor_) == address(0)
        ) revert ZeroAddress();
        assetRegistry = assetRegistry_;
        deviceRegistry = deviceRegistry_;
        distributor = distributor_;
    }

    /// @dev The rental market (named at the escrow's deployment): its only opener and the holder of the configuration
    ///      (token allowlist, protocol fee, fee recipient, default arbiter) the escrow reads back.
    function _market() internal view virtual returns (IRentalMarket);

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
            a.earned += uint128(amount);
        } else {
            if (a.debt == 0) a.arrearsSince = uint40(arrearsFrom);
            a.earned += uint128(credit);
            a.debt += uint128(amount - credit);
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

    /// @dev The meter's baseline at activation: the latest verified reading (its counter, odometer and
    ///      signing time). Units are billed from it by odometer difference, pro rata for the part of an
    ///      interval that lies within the term (see `_settleMeter`).
    function _snapshotMeter(Agreement storage a, Terms storage t) internal {
        IDeviceRegistry.Reading memory r = deviceRegistry.latestReading(t.meterDeviceId, t.meterKind);
        (a.meterCounter, a.meterOdometer, a.meterTime) = (r.counter, r.odometer, r.timestamp);
    }

    /// @dev The custody of an agreement's money: the asset whose holders its income goes to (the rented
    ///      asset, or the asset a rented device was bound to at opening), else the rented device. Asset
    ///      ids and device ids are both keccak256 digests of distinct encodings, so they never collide.
    function _custodyOf(Agreement storage a, Terms storage t) internal view returns (uint256) {
        uint256 incomeAsset = a.incomeAssetId;
        return incomeAsset != 0 ? incomeAsset : t.subjectId;
    }

    /// @dev The RentalCustody holding every agreement's money: the first contract this escrow created (CREATE,
    ///      nonce 1), so the settlement module, running in the escrow's context, finds it without storage.
    function _custody() internal view returns (IRentalCustody) {
        return IRentalCustody(_created(address(this), 0x01));
    }

    /// @dev RentalClaims: the second contract this escrow created (CREATE, nonce 2), the only caller of
    ///      `closeSettlement`; derived, so the settlement module finds it without storage.
    function _claims() internal view returns (address) {
        return _created(address(this), 0x02);
    }

    /// @dev The contract `deployer` created with CREATE at `nonce` (1 to 127: RLP of [deployer, nonce]).
    function _created(address deployer, bytes1 nonce) private pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes2(0xd694), deployer, nonce)))));
    }

    /// @dev The vault clone holding the money of custody `custodyId` (CREATE2 by the custody, salt = custodyId,
    ///      of the AssetVault implementation the custody created first), derived without a call.
    function _vaultOf(uint256 custodyId) internal view returns (address) {
        address custody = address(_custody());
        return Clones.predictDeterministicAddress(_created(custody, 0x01), bytes32(custodyId), custody);
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
        if (t.pricePerUnit != 0) delete _meterHolder[t.meterDeviceId][t.meterKind];
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
    ///      vault accepts ETH from its controller only). Payers approve this escrow, which holds nothing.
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
        uint256 received = erc20.balanceOf(vault) - before;
        if (received != amount) revert FeeOnTransferToken(amount, received);
    }
}
