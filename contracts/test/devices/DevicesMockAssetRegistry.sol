// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAssetRegistry} from "../../interfaces/IAssetRegistry.sol";

/// @notice Test double of the asset registry: agents, statuses and leases set freely.
contract DevicesMockAssetRegistry is IAssetRegistry {
    mapping(uint256 => address) private _agents;
    mapping(uint256 => AssetStatus) private _statuses;
    mapping(uint256 => uint64) private _leases;

    /// @notice Sets an asset's agent and status.
    function setAsset(uint256 assetId, address agent, AssetStatus status) external {
        _agents[assetId] = agent;
        _statuses[assetId] = status;
    }

    /// @inheritdoc IAssetRegistry
    function agentOf(uint256 assetId) external view returns (address) {
        return _agents[assetId];
    }

    /// @inheritdoc IAssetRegistry
    function statusOf(uint256 assetId) external view returns (AssetStatus) {
        return _statuses[assetId];
    }

    /// @inheritdoc IAssetRegistry
    function sharesOf(uint256) external pure returns (address) {
        return address(0);
    }

    /// @inheritdoc IAssetRegistry
    function setLease(uint256 assetId, uint64 until) external {
        _leases[assetId] = until;
    }

    /// @inheritdoc IAssetRegistry
    function leasedUntil(uint256 assetId) external view returns (uint64) {
        return _leases[assetId];
    }

    /// @inheritdoc IAssetRegistry
    function retire(uint256 assetId) external {
        _statuses[assetId] = AssetStatus.Retired;
    }
}
