// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";
import {BPS} from "../common/Constants.sol";
import {IRentalEscrow} from "./IRentalEscrow.sol";
import {IRentalMarket} from "./IRentalMarket.sol";
import {RentalBase} from "./RentalBase.sol";

/// @title RentalSettlement
/// @notice Settlement logic of RentalEscrow (damage claims: RentalClaims), run only through its delegatecall
///         (same storage layout: both inherit RentalBase). Split out to keep both under the 24 KiB code size limit.
contract RentalSettlement is RentalBase {
    using SafeCast for uint256;

    /// @notice This module's own address: direct calls (not via delegatecall) are refused.
    address private immutable _self;

    /// @notice Thrown when the module is called directly instead of through the escrow.
    error NotDelegated();

    modifier onlyDelegated() {
        _onlyDelegated();
        _;
    }

    function _onlyDelegated() private view {
        if (address(this) == _self) revert NotDelegated();
    }

    /// @notice Builds the module for one set of registries and distributor (the escrow checks them).
    ///         The configuration (fee recipient, default arbiter) is read from the escrow's market.
    /// @param assetRegistry_ The escrow's asset registry.
    /// @param deviceRegistry_ The escrow's device registry.
    /// @param distributor_ The escrow's income distributor.
    constructor(
        IAssetRegistry assetRegistry_,
        IDeviceRegistry deviceRegistry_,
        IIncomeDistributor distributor_
    ) RentalBase(assetRegistry_, deviceRegistry_, distributor_) {
        _self = address(this);
    }

    /// @dev Running in the escrow's context: the escrow's market (called directly, the module refuses first).
    function _market() internal view override returns (IRentalMarket) {
        return IRentalEscrow(address(this)).market();
    }

    /// @notice Runs `IRentalEscrow.settleMetered` (documented there) on the escrow's storage.
    function settleMetered(bytes32 id) external onlyDelegated nonReentrant {
        Agreement storage a = _agreements[id];
        _requireInUse(id, a);
        Terms storage t = _terms[a.termsHash];
        if (t.pricePerUnit == 0) revert NotMetered(id);
        _accrue(a, t.pricePerSecond);
        _settleMeter(id, a, t, true);
    }

    /// @notice Runs `IRentalEscrow.collect` (documented there) on the escrow's storage.
    function collect(bytes32 id) external onlyDelegated nonReentrant {
        Agreement storage a = _agreements[id];
        _requireInUse(id, a);
        Terms storage t = _terms[a.termsHash];
        _accrue(a, t.pricePerSecond);
        _payOut(id, a, t);
    }

    /// @notice Runs `IRentalEscrow.terminateEarly` (documented there) on the escrow's storage.
    function terminateEarly(bytes32 id) external onlyDelegated nonReentrant {
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

    /// @notice Runs `IRentalEscrow.markDefault` (documented there) on the escrow's storage.
    function markDefault(bytes32 id) external onlyDelegated nonReentrant {
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

    /// @notice Runs `IRentalEscrow.settle` (documented there) on the escrow's storage.
    function settle(bytes32 id) external onlyDelegated nonReentrant {
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

    /// @dev Bills the meter by odometer (the rule, also in SECURITY.md):
    ///      - The mark is the last reading settled (the baseline at activation). Each settlement takes the
    ///        registry's latest reading R, newer than the mark. The interval [mark, R] carries
    ///        R.odometer - mark.odometer units (the odometer is monotonic, so no unit is ever skipped).
    ///      - Only what was measured within the term [start, end] is billed: units of an interval are spread
    ///        evenly over its signing times and the part inside the term is counted (rounded down), so an
    ///        interval wholly inside counts whole, a reading signed before the start only moves the mark, and
    ///        a reading signed after the end counts the in-term part of its interval and closes the meter.
    ///        Readings signed in the same second as the mark count whole if that second is within the term.
    ///      - When the meter had no reading at activation (counter 0), its first reading is the baseline.
    ///      - Cap: units billed over the agreement never exceed maxUnitsPerPeriod per meterPeriod of term
    ///        elapsed at the reading. Units above it are carried, billed by a later settlement as the
    ///        allowance grows, and at the end stay visible (`carriedUnits`) for the owner's damage claim.
    ///      Totals are cumulative, so how often and in which order anyone settles changes nothing.
    ///      At final settlement (`strict` false) a failing registry read skips metering instead of
    ///      locking the agreement.
    function _settleMeter(bytes32 id, Agreement storage a, Terms storage t, bool strict) internal {
        IDeviceRegistry.Reading memory r;
        if (strict) {
            r = deviceRegistry.latestReading(t.meterDeviceId, t.meterKind);
        } else {
            try deviceRegistry.latestReading(t.meterDeviceId, t.meterKind) returns (
                IDeviceRegistry.Reading memory got
            ) {
                r = got;
            } catch {
                return;
            }
        }
        uint64 last = a.meterCounter;
        if (r.counter <= last) {
            if (strict) revert MeterReadingReplayed(r.counter, last);
            return;
        }
        uint256 units = last != 0 ? _unitsInTerm(a, r) : 0;
        (a.meterCounter, a.meterOdometer, a.meterTime) = (r.counter, r.odometer, r.timestamp);
        uint256 measured = a.meterUnits + units;
        a.meterUnits = uint64(measured); // <= odometer advance since the baseline: fits
        uint256 elapsed = r.timestamp > a.start ? Math.min(r.timestamp, a.end) - a.start : 0;
        uint256 billable = Math.min(measured, Math.mulDiv(t.maxUnitsPerPeriod, elapsed, t.meterPeriod));
        uint256 billedBefore = a.meterBilled;
        uint256 billed = billable > billedBefore ? billable - billedBefore : 0;
        if (billed != 0) a.meterBilled = uint64(billable);
        uint256 charge = billed * t.pricePerUnit;
        if (charge != 0) _chargeUnits(a, charge);
        emit MeterSettled(id, r.counter, r.odometer, units, billed, measured - billedBefore - billed, charge);
    }

    /// @dev Charges metered units now: arrears they open start now, or at the end if it came first.
    function _chargeUnits(Agreement storage a, uint256 charge) private {
        _charge(a, charge, Math.min(block.timestamp, a.end));
    }

    /// @dev Units of the interval [mark, r] measured within the term [start, end] (see `_settleMeter`).
    function _unitsInTerm(Agreement storage a, IDeviceRegistry.Reading memory r) private view returns (uint256) {
        uint256 lo = Math.max(a.meterTime, a.start);
        uint256 hi = Math.min(r.timestamp, a.end);
        // hi > lo implies r.timestamp > meterTime: the division is safe.
        if (hi > lo) return Math.mulDiv(r.odometer - a.meterOdometer, hi - lo, r.timestamp - a.meterTime);
        // A zero-length interval (two readings signed in the same second) was measured at that instant,
        // which lies within the term exactly when hi == lo: it counts whole.
        if (hi == lo && r.timestamp == a.meterTime) return r.odometer - a.meterOdometer;
        return 0;
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
            uint256 kept = forfeitable - Math.mulDiv(forfeitable, t.refundBps, BPS, Math.Rounding.Ceil);
            refund -= kept;
            earned += kept;
        }

        a.credit = 0;
        a.debt = 0;
        a.lateFee += uint128(lateFee);
        a.depositHeld = uint128(deposit);
        a.earned = uint128(earned);
        _credit(a.renter, _custodyOf(a, t), t.token, refund);
        _payOut(id, a, t);
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

    /// @notice Runs `IRentalEscrow.closeSettlement` (documented there) on the escrow's storage.
    function closeSettlement(bytes32 id, uint256 toOwner) external onlyDelegated nonReentrant {
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

    function _payOut(bytes32 id, Agreement storage a, Terms storage t) internal {
        uint256 amount = a.earned;
        if (amount == 0) return;
        a.earned = 0;
        uint256 fee = Math.mulDiv(amount, a.feeBps, BPS);
        // The fee is the market's fee recipient's at once, claimable in this agreement's custody (a slot per
        // custody and token: no hot slot shared across assets), withdrawn like any other balance.
        if (fee != 0) _credit(_market().feeRecipient(), _custodyOf(a, t), t.token, fee);
        _payIncome(a, t, t.token, amount - fee);
        emit RentPaid(id, fee, amount - fee);
    }

    /// @notice Runs `IRentalEscrow.activate` (documented there) on the escrow's storage.
    function activate(bytes32 id) external onlyDelegated nonReentrant {
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
        if (t.pricePerUnit != 0) _snapshotMeter(a, t);
        // The lease taken at reservation holds until settlement releases it.
        emit Activated(id, a.start, a.end);
    }

    /// @notice Runs `IRentalEscrow.decline` (documented there) on the escrow's storage.
    function decline(bytes32 id) external onlyDelegated nonReentrant {
        Agreement storage a = _agreements[id];
        _requireState(id, a, State.Reserved);
        _requireOwnerSide(a);
        _endReservation(id, a, EndReason.Declined);
    }

    /// @notice Runs `IRentalEscrow.cancelReservation` (documented there) on the escrow's storage.
    function cancelReservation(bytes32 id) external onlyDelegated nonReentrant {
        Agreement storage a = _agreements[id];
        _requireState(id, a, State.Reserved);
        if (block.timestamp <= a.deadline) revert DeadlineNotPassed(a.deadline);
        _endReservation(id, a, EndReason.ReservationExpired);
    }

    /// @notice Runs `IRentalEscrow.topUp` (documented there) on the escrow's storage.
    function topUp(bytes32 id, uint256 amount) external payable onlyDelegated nonReentrant {
        _topUp(id, amount);
    }

    /// @notice Runs `IRentalEscrow.payPeriod` (documented there) on the escrow's storage.
    function payPeriod(bytes32 id, uint256 seconds_) external payable onlyDelegated nonReentrant {
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
            a.earned += uint128(toDebt);
        }
        a.credit = (uint256(a.credit) + amount - toDebt).toUint128();
        emit ToppedUp(id, msg.sender, amount, toDebt, fee);
        _pull(msg.sender, _custodyOf(a, t), t.token, amount);
    }
}
