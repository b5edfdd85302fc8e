// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title ReadingKinds
/// @notice The registry of reading kinds: what the `kind` of a device attestation means, one number per
///         measurement. The DeviceRegistry stores the latest reading per device and kind whatever the number;
///         escrows name the kind they meter or check (`RentalTerms.meterKind`, a maintenance condition's kind).
///         Devices, relayers, escrows, scripts and the client use these names, never bare numbers: the client
///         exports the same constants, generated from this file (client/src/enums.ts, `ReadingKinds`).
/// @dev    Additive kinds carry an odometer, the device's running total since it was made, so a bill is the
///         difference between two readings (ARCHITECTURE: metering is by odometer). Other kinds keep their
///         odometer at 0 and mean only their `value`. New kinds get the next free number; numbers are never reused.
library ReadingKinds {
    /// @notice Energy delivered or produced, in watt-hours. Additive: the odometer is the lifetime total in Wh.
    uint32 internal constant ENERGY_WH = 1;
    /// @notice The device's self-test, e.g. after maintenance: `value` is the result code the device reports
    ///         (which codes pass is the order's condition). Not additive: odometer 0.
    uint32 internal constant SELF_TEST = 2;
    /// @notice Time in use, in seconds (a charger's session time, a machine's run time). Additive: the odometer
    ///         is the lifetime total in seconds.
    uint32 internal constant RUNTIME_SECONDS = 3;
    /// @notice A battery's state of charge, in basis points of its capacity (10,000 = full). Not additive:
    ///         odometer 0.
    uint32 internal constant STATE_OF_CHARGE_BPS = 4;
}
