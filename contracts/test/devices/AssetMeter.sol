// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IDeviceRegistry} from "../../interfaces/IDeviceRegistry.sol";

/// @title AssetMeter
/// @notice Test consumer of device readings: totals what the devices bound to an asset reported,
///         the way a rental or maintenance contract reads the device registry through its interface.
contract AssetMeter {
    /// @notice The device registry read.
    IDeviceRegistry public immutable devices;

    /// @notice A listed device is not bound to the asset, or not Active.
    /// @param deviceId The device.
    error NotAssetDevice(uint256 deviceId);

    /// @notice Sets the registry.
    /// @param devices_ The device registry.
    constructor(IDeviceRegistry devices_) {
        devices = devices_;
    }

    /// @notice Sum of the odometers of `kind` of `deviceIds`, each of which must be an Active
    ///         device bound to `assetId`, and the newest reading time among them.
    /// @param assetId The asset.
    /// @param deviceIds Devices of the asset.
    /// @param kind Reading kind.
    /// @return total Sum of the odometers.
    /// @return newest Latest reading timestamp.
    function totalOf(
        uint256 assetId,
        uint256[] calldata deviceIds,
        uint32 kind
    ) external view returns (uint256 total, uint40 newest) {
        for (uint256 i; i < deviceIds.length; ++i) {
            uint256 id = deviceIds[i];
            if (devices.assetOf(id) != assetId || devices.statusOf(id) != IDeviceRegistry.DeviceStatus.Active) {
                revert NotAssetDevice(id);
            }
            IDeviceRegistry.Reading memory r = devices.latestReading(id, kind);
            total += r.odometer;
            if (r.timestamp > newest) newest = r.timestamp;
        }
    }
}
