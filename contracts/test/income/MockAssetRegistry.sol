// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAssetRegistry} from "../../interfaces/IAssetRegistry.sol";

/// @title MockAssetRegistry
/// @notice Test double of the asset registry: what the income distributor reads (agent, status,
///         share token) and retire() guarded by BUYOUT_ROLE, refused while leased, like the real one.
contract MockAssetRegistry is IAssetRegistry, AccessControl {
    /// @notice Role allowed to retire assets (the income distributor).
    bytes32 public constant BUYOUT_ROLE = keccak256("BUYOUT_ROLE");
    /// @notice Role allowed to set leases.
    bytes32 public constant LEASE_MANAGER_ROLE = keccak256("LEASE_MANAGER_ROLE");

    struct Asset {
        address agent;
        AssetStatus status;
        address shares;
        uint64 leasedUntil;
    }

    mapping(uint256 => Asset) private _assets;

    /// @notice An asset was set up or changed by the test.
    event AssetSet(uint256 indexed assetId, address agent, AssetStatus status, address shares);
    /// @notice An asset was retired.
    event AssetRetired(uint256 indexed assetId);
    /// @notice A lease was set.
    event LeaseSet(uint256 indexed assetId, uint64 until);

    /// @notice Only an active or frozen asset can be retired.
    error NotRetirable(uint256 assetId, AssetStatus status);
    /// @notice A leased asset cannot be retired.
    error AssetLeased(uint256 assetId, uint64 until);

    /// @notice Grants DEFAULT_ADMIN_ROLE to `admin`.
    /// @param admin The test's governance.
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Sets up an asset (test only, admin).
    /// @param assetId The asset.
    /// @param agent Its agent.
    /// @param status Its status.
    /// @param shares Its share token.
    function setAsset(
        uint256 assetId,
        address agent,
        AssetStatus status,
        address shares
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Asset storage a = _assets[assetId];
        a.agent = agent;
        a.status = status;
        a.shares = shares;
        emit AssetSet(assetId, agent, status, shares);
    }

    /// @inheritdoc IAssetRegistry
    function agentOf(uint256 assetId) external view returns (address) {
        return _assets[assetId].agent;
    }

    /// @inheritdoc IAssetRegistry
    function statusOf(uint256 assetId) external view returns (AssetStatus) {
        return _assets[assetId].status;
    }

    /// @inheritdoc IAssetRegistry
    function sharesOf(uint256 assetId) external view returns (address) {
        return _assets[assetId].shares;
    }

    /// @inheritdoc IAssetRegistry
    function setLease(uint256 assetId, uint64 until) external onlyRole(LEASE_MANAGER_ROLE) {
        _assets[assetId].leasedUntil = until;
        emit LeaseSet(assetId, until);
    }

    /// @inheritdoc IAssetRegistry
    function leasedUntil(uint256 assetId) external view returns (uint64) {
        return _assets[assetId].leasedUntil;
    }

    /// @inheritdoc IAssetRegistry
    function retire(uint256 assetId) external onlyRole(BUYOUT_ROLE) {
        Asset storage a = _assets[assetId];
        if (a.status != AssetStatus.Active && a.status != AssetStatus.Frozen) revert NotRetirable(assetId, a.status);
        if (a.leasedUntil > block.timestamp) revert AssetLeased(assetId, a.leasedUntil);
        a.status = AssetStatus.Retired;
        emit AssetRetired(assetId);
    }
}
