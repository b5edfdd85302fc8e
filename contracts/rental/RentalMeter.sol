// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {IRentalMeter} from "./IRentalMeter.sol";

/// @title RentalMeter
/// @notice Metering of rentals by the device registry's verified readings: one meter (device, reading kind) bills
///         one live agreement at a time, from its opening to its release, so an asset rental and a rental of its
///         device never bill the same readings; each agreement keeps its mark and cumulative units here. Created
///         by RentalEscrow (its third creation, `escrow`), the only caller of every write; the escrow charges the
///         units this contract bills and emits `MeterSettled`. Storage is per agreement and per meter: metering
///         on different devices never writes the same slot.
///
///         The odometer rule (also in SECURITY.md):
///         - The mark is the last reading settled (the baseline at activation). Each settlement takes the
///           registry's latest reading R, newer than the mark. The interval [mark, R] carries
///           R.odometer - mark.odometer units (the odometer is monotonic, so no unit is ever skipped).
///         - Only what was measured within the term [start, end] is billed: units of an interval are spread
///           evenly over its signing times and the part inside the term is counted (rounded down), so an
///           interval wholly inside counts whole, a reading signed before the start only moves the mark, and
///           a reading signed after the end counts the in-term part of its interval and closes the meter.
///           Readings signed in the same second as the mark count whole if that second is within the term.
///         - When the meter had no reading at activation (counter 0), its first reading is the baseline.
///         - Cap: units billed over the agreement never exceed maxUnitsPerPeriod per meterPeriod of term
///           elapsed at the reading. Units above it are carried, billed by a later settlement as the
///           allowance grows, and at the end stay visible (`carriedUnits`) for the owner's damage claim.
///         Totals are cumulative, so how often and in which order anyone settles changes nothing.
contract RentalMeter is IRentalMeter, IERC165 {
    /// @inheritdoc IRentalMeter
    address public immutable escrow;
    /// @inheritdoc IRentalMeter
    IDeviceRegistry public immutable deviceRegistry;

    /// @inheritdoc IRentalMeter
    mapping(uint256 deviceId => mapping(uint32 kind => bytes32 id)) public holderOf;
    mapping(bytes32 id => Meter) private _meters;

    /// @dev Deployed by RentalEscrow's constructor (its third creation), which becomes `escrow`.
    /// @param deviceRegistry_ The device registry whose verified readings are billed.
    constructor(IDeviceRegistry deviceRegistry_) {
        escrow = msg.sender;
        deviceRegistry = deviceRegistry_;
    }

    modifier onlyEscrow() {
        if (msg.sender != escrow) revert NotEscrow(msg.sender);
        _;
    }

    /// @inheritdoc IRentalMeter
    function meterOf(bytes32 id) external view returns (Meter memory) {
        return _meters[id];
    }

    /// @inheritdoc IRentalMeter
    function hold(bytes32 id, uint256 deviceId, uint32 kind, bool start_) external onlyEscrow {
        mapping(uint32 => bytes32) storage holders = holderOf[deviceId];
        bytes32 holder = holders[kind];
        if (holder != 0) revert MeterInUse(deviceId, kind, holder);
        holders[kind] = id;
        if (start_) _start(id, deviceId, kind);
    }

    /// @inheritdoc IRentalMeter
    function start(bytes32 id, uint256 deviceId, uint32 kind) external onlyEscrow {
        _start(id, deviceId, kind);
    }

    /// @inheritdoc IRentalMeter
    function release(uint256 deviceId, uint32 kind) external onlyEscrow {
        delete holderOf[deviceId][kind];
    }

    /// @inheritdoc IRentalMeter
    function settle(
        bytes32 id,
        uint256 deviceId,
        uint32 kind,
        uint256[2] calldata cap,
        uint256 start_,
        uint256 end,
        bool strict
    ) external onlyEscrow returns (Bill memory bill) {
        IDeviceRegistry.Reading memory r;
        if (strict) {
            r = deviceRegistry.latestReading(deviceId, kind);
        } else {
            // Final settlement: a failing registry read skips metering instead of locking the agreement.
            try deviceRegistry.latestReading(deviceId, kind) returns (IDeviceRegistry.Reading memory got) {
                r = got;
            } catch {
                return bill;
            }
        }
        Meter storage m = _meters[id];
        uint64 last = m.counter;
        if (r.counter <= last) {
            if (strict) revert MeterReadingReplayed(r.counter, last);
            return bill;
        }
        bill.counter = r.counter;
        bill.odometer = r.odometer;
        if (last != 0) bill.units = _unitsInTerm(m, r, start_, end);
        (m.counter, m.odometer, m.time) = (r.counter, r.odometer, r.timestamp);
        _bill(m, bill, r.timestamp > start_ ? Math.min(r.timestamp, end) - start_ : 0, cap);
    }

    /// @notice ERC-165: IRentalMeter and IERC165.
    /// @param interfaceId The interface id.
    /// @return Whether this meter implements it.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IRentalMeter).interfaceId || interfaceId == type(IERC165).interfaceId;
    }

    /// @dev The meter's baseline at activation: the latest verified reading (its counter, odometer and signing
    ///      time). Units are billed from it by odometer difference, pro rata for the part of an interval that lies
    ///      within the term.
    function _start(bytes32 id, uint256 deviceId, uint32 kind) private {
        IDeviceRegistry.Reading memory r = deviceRegistry.latestReading(deviceId, kind);
        Meter storage m = _meters[id];
        (m.counter, m.odometer, m.time) = (r.counter, r.odometer, r.timestamp);
    }

    /// @dev Adds `bill.units` to the units measured and bills what the cap allows after `elapsed` seconds of term
    ///      (cumulative: carried units are billed as the allowance grows).
    function _bill(Meter storage m, Bill memory bill, uint256 elapsed, uint256[2] calldata cap) private {
        uint256 measured = m.units + bill.units;
        m.units = uint64(measured); // <= odometer advance since the baseline: fits
        uint256 billable = Math.min(measured, Math.mulDiv(cap[0], elapsed, cap[1]));
        uint256 billedBefore = m.billed;
        if (billable > billedBefore) {
            bill.billedUnits = billable - billedBefore;
            m.billed = uint64(billable);
        }
        bill.carriedUnits = measured - billedBefore - bill.billedUnits;
    }

    /// @dev Units of the interval [mark, r] measured within the term [start, end] (see the rule above).
    function _unitsInTerm(
        Meter storage m,
        IDeviceRegistry.Reading memory r,
        uint256 start_,
        uint256 end
    ) private view returns (uint256) {
        uint256 lo = Math.max(m.time, start_);
        uint256 hi = Math.min(r.timestamp, end);
        // hi > lo implies r.timestamp > time: the division is safe.
        if (hi > lo) return Math.mulDiv(r.odometer - m.odometer, hi - lo, r.timestamp - m.time);
        // A zero-length interval (two readings signed in the same second) was measured at that instant,
        // which lies within the term exactly when hi == lo: it counts whole.
        if (hi == lo && r.timestamp == m.time) return r.odometer - m.odometer;
        return 0;
    }
}
