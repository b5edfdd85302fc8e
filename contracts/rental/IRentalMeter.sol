// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IPlinthErrors} from "../common/IPlinthErrors.sol";
import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";

/// @title IRentalMeterErrors
/// @notice The meter's errors, which the rental escrow passes on (IRentalTypes inherits them, so the escrow's ABI
///         decodes them).
interface IRentalMeterErrors is IPlinthErrors {
    /// @notice The meter (device, kind) already bills another live agreement (`holder`).
    error MeterInUse(uint256 meterDeviceId, uint32 meterKind, bytes32 holder);
    /// @notice The meter reading's counter is not above the last settled one.
    error MeterReadingReplayed(uint64 counter, uint64 lastCounter);
}

/// @title IRentalMeter
/// @notice Metering of rentals: which live agreement bills each meter (device, reading kind), each agreement's
///         mark (the last verified reading it settled) and the units it measured and billed, and the odometer
///         billing rule. RentalMeter is the rental escrow's third creation; only the escrow writes to it
///         (`NotEscrow`), and the escrow charges what it bills and emits `MeterSettled`.
interface IRentalMeter is IRentalMeterErrors {
    /// @notice One agreement's meter: its mark and the units of its term so far (two slots).
    /// @param counter Counter of the mark reading (0: no reading yet, the first one is the baseline).
    /// @param odometer Odometer of the mark reading.
    /// @param time When the mark reading was signed (device clock).
    /// @param units Units measured within the term so far (billed or carried).
    /// @param billed Units billed so far (<= units; the rest is carried above the cap).
    struct Meter {
        uint64 counter;
        uint64 odometer;
        uint40 time;
        uint64 units;
        uint64 billed;
    }

    /// @notice What one settlement of the meter did (the fields of `MeterSettled`).
    /// @param counter Counter of the settled reading, the new mark (0: nothing settled).
    /// @param odometer Its odometer.
    /// @param units Units of the interval since the previous mark measured within the term.
    /// @param billedUnits Units billed by this settlement (carried units the cap now allows included).
    /// @param carriedUnits Units measured within the term and not yet billed (above the cap so far).
    struct Bill {
        uint64 counter;
        uint64 odometer;
        uint256 units;
        uint256 billedUnits;
        uint256 carriedUnits;
    }

    /// @notice The rental escrow: this meter's creator and only writer.
    /// @return The escrow.
    function escrow() external view returns (address);

    /// @notice The device registry whose verified readings are billed.
    /// @return The registry.
    function deviceRegistry() external view returns (IDeviceRegistry);

    /// @notice The live agreement billing meter (`deviceId`, `kind`), from its opening to its release.
    /// @param deviceId The metering device.
    /// @param kind The reading kind.
    /// @return id The agreement (0: the meter is free).
    function holderOf(uint256 deviceId, uint32 kind) external view returns (bytes32 id);

    /// @notice An agreement's meter.
    /// @param id The agreement.
    /// @return The mark and the units measured and billed.
    function meterOf(bytes32 id) external view returns (Meter memory);

    /// @notice Escrow only: agreement `id` takes meter (`deviceId`, `kind`), one meter billing one live agreement;
    ///         with `start`, its baseline is taken at once (the agreement opens Active).
    /// @dev Reverts MeterInUse if another live agreement holds it.
    /// @param id The agreement being opened.
    /// @param deviceId The metering device.
    /// @param kind The reading kind.
    /// @param start Whether use starts now (no activation window).
    function hold(bytes32 id, uint256 deviceId, uint32 kind, bool start) external;

    /// @notice Escrow only: the baseline at activation, the latest verified reading of the meter.
    /// @param id The agreement.
    /// @param deviceId The metering device.
    /// @param kind The reading kind.
    function start(bytes32 id, uint256 deviceId, uint32 kind) external;

    /// @notice Escrow only: frees meter (`deviceId`, `kind`) when its agreement releases the subject.
    /// @param deviceId The metering device.
    /// @param kind The reading kind.
    function release(uint256 deviceId, uint32 kind) external;

    /// @notice Escrow only: settles the meter of agreement `id` up to the latest verified reading, by the odometer
    ///         rule (RentalMeter), and returns the units to charge.
    /// @dev Strict: a failing registry read or a reading not newer than the mark reverts (MeterReadingReplayed).
    ///      Not strict (final settlement): either settles nothing (`counter` 0).
    /// @param id The agreement.
    /// @param deviceId The metering device.
    /// @param kind The reading kind.
    /// @param cap The terms' cap: at most `cap[0]` units (maxUnitsPerPeriod) per `cap[1]` seconds (meterPeriod).
    /// @param start Start of the term.
    /// @param end End of use.
    /// @param strict Whether a missing new reading reverts.
    /// @return bill What was settled.
    function settle(
        bytes32 id,
        uint256 deviceId,
        uint32 kind,
        uint256[2] calldata cap,
        uint256 start,
        uint256 end,
        bool strict
    ) external returns (Bill memory bill);
}
