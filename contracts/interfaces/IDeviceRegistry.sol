// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IDeviceRegistry
/// @notice What other Plinth contracts read from the device registry. The registry is the only
///         place that verifies device signatures: escrows ask it for verified readings instead of
///         re-verifying them.
interface IDeviceRegistry {
    /// @notice Curve of a device key.
    enum KeyType {
        None,
        Secp256k1,
        P256
    }

    /// @notice Lifecycle of a device. Suspended is reversible, Decommissioned is final.
    enum DeviceStatus {
        None,
        Active,
        Suspended,
        Decommissioned
    }

    /// @notice The latest accepted reading of one kind from one device, in one storage slot.
    /// @param counter The device's hardware counter in that reading.
    /// @param timestamp When the device signed it (device clock, seconds).
    /// @param value The reading's own measurement (for example a power level, a self-test code).
    /// @param odometer The device's running total of this kind when it signed (monotonic; billing uses
    ///        the difference between two readings' odometers, so no unit is lost to an unrelayed reading).
    struct Reading {
        uint64 counter;
        uint40 timestamp;
        uint64 value;
        uint64 odometer;
    }

    /// @notice Status of a device; `None` when it was never registered.
    function statusOf(uint256 deviceId) external view returns (DeviceStatus);

    /// @notice Operator (ERC-721 owner) of a device. Reverts for an unknown or unclaimed device.
    function ownerOf(uint256 deviceId) external view returns (address);

    /// @notice Real asset the device is bound to, 0 when unbound.
    function assetOf(uint256 deviceId) external view returns (uint256);

    /// @notice Latest accepted reading of `kind` from `deviceId` (all zero if none).
    function latestReading(uint256 deviceId, uint32 kind) external view returns (Reading memory);

    /// @notice Highest hardware counter accepted from the device, over all kinds.
    function lastCounter(uint256 deviceId) external view returns (uint64);

    /// @notice Marks the device as leased until `until` (a rental escrow holding LEASE_MANAGER_ROLE):
    ///         while leased it cannot be unbound, rebound, transferred away from its binding, or
    ///         decommissioned. `until = 0` ends the lease.
    function setLease(uint256 deviceId, uint64 until) external;

    /// @notice End of the device's current lease, 0 when not leased.
    function leasedUntil(uint256 deviceId) external view returns (uint64);
}
