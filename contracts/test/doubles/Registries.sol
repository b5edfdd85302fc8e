// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAssetRegistry} from "../../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../../interfaces/IDeviceRegistry.sol";
import {IDeviceToken} from "../../interfaces/IDeviceToken.sol";

/// @title MockAssetRegistry
/// @notice Test double of the asset registry: agents, statuses, share tokens and leases set by the
///         test; `retire` refuses what the real registry refuses (only an Active or Frozen asset, never
///         while leased). Two modes, chosen at deployment:
///         - guarded (`admin` non-zero): like the real one, the setters need DEFAULT_ADMIN_ROLE,
///           setLease LEASE_MANAGER_ROLE and retire BUYOUT_ROLE (income suite);
///         - open (`admin` zero): anyone calls anything (rental, maintenance, devices suites).
///         In either mode `setLeaseManager` restricts setLease to one caller, and
///         `setRefuseLeaseRelease(true)` makes every lease release (`until == 0`) revert.
contract MockAssetRegistry is IAssetRegistry, AccessControl {
    /// @notice Role allowed to retire assets (the income distributor), guarded mode.
    bytes32 public constant BUYOUT_ROLE = keccak256("BUYOUT_ROLE");
    /// @notice Role allowed to set leases, guarded mode.
    bytes32 public constant LEASE_MANAGER_ROLE = keccak256("LEASE_MANAGER_ROLE");

    struct Asset {
        address agent;
        AssetStatus status;
        address shares;
        uint64 leasedUntil;
    }

    mapping(uint256 => Asset) private _assets;

    /// @notice Whether roles guard the setters, setLease and retire.
    bool public immutable guarded;
    /// @notice When non-zero, the only caller allowed to set leases.
    address public leaseManager;
    /// @notice Whether lease releases (`setLease(id, 0)`) revert.
    bool public refuseLeaseRelease;

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
    /// @notice setLease from another caller than the lease manager.
    error NotLeaseManager(address caller);
    /// @notice The lease release was refused (`setRefuseLeaseRelease`).
    error LeaseReleaseRefused(uint256 assetId);

    /// @notice Guards the call with `role` in guarded mode.
    modifier gated(bytes32 role) {
        if (guarded) _checkRole(role);
        _;
    }

    /// @notice Creates the registry.
    /// @param admin The test's governance (DEFAULT_ADMIN_ROLE, guarded mode), or zero for an open registry.
    constructor(address admin) {
        if (admin != address(0)) {
            guarded = true;
            _grantRole(DEFAULT_ADMIN_ROLE, admin);
        }
    }

    /// @notice Sets up an asset.
    /// @param assetId The asset.
    /// @param agent Its agent.
    /// @param status Its status.
    /// @param shares Its share token (zero if the suite has none).
    function setAsset(
        uint256 assetId,
        address agent,
        AssetStatus status,
        address shares
    ) external gated(DEFAULT_ADMIN_ROLE) {
        Asset storage a = _assets[assetId];
        a.agent = agent;
        a.status = status;
        a.shares = shares;
        emit AssetSet(assetId, agent, status, shares);
    }

    /// @notice Changes an asset's status.
    /// @param assetId The asset.
    /// @param status Its new status.
    function setStatus(uint256 assetId, AssetStatus status) external gated(DEFAULT_ADMIN_ROLE) {
        _assets[assetId].status = status;
    }

    /// @notice Restricts setLease to `manager` (zero: no restriction beyond the mode's).
    /// @param manager The lease manager (the escrow under test).
    function setLeaseManager(address manager) external gated(DEFAULT_ADMIN_ROLE) {
        leaseManager = manager;
    }

    /// @notice Makes lease releases revert, or not.
    /// @param refuse Whether `setLease(id, 0)` reverts.
    function setRefuseLeaseRelease(bool refuse) external gated(DEFAULT_ADMIN_ROLE) {
        refuseLeaseRelease = refuse;
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
    function setLease(uint256 assetId, uint64 until) external gated(LEASE_MANAGER_ROLE) {
        address manager = leaseManager;
        if (manager != address(0) && msg.sender != manager) revert NotLeaseManager(msg.sender);
        if (until == 0 && refuseLeaseRelease) revert LeaseReleaseRefused(assetId);
        _assets[assetId].leasedUntil = until;
        emit LeaseSet(assetId, until);
    }

    /// @inheritdoc IAssetRegistry
    function leasedUntil(uint256 assetId) external view returns (uint64) {
        return _assets[assetId].leasedUntil;
    }

    /// @inheritdoc IAssetRegistry
    function retire(uint256 assetId) external gated(BUYOUT_ROLE) {
        Asset storage a = _assets[assetId];
        if (a.status != AssetStatus.Active && a.status != AssetStatus.Frozen) revert NotRetirable(assetId, a.status);
        if (a.leasedUntil > block.timestamp) revert AssetLeased(assetId, a.leasedUntil);
        a.status = AssetStatus.Retired;
        emit AssetRetired(assetId);
    }
}

/// @title MockDeviceRegistry
/// @notice Test double of the device registry: owners, statuses, asset bindings and verified readings
///         set by the test (the real registry accepts a reading only after verifying the device's
///         signature); `lastCounter` tracks the highest counter and a reading's value is added to the
///         kind's odometer. It is also its own device token for leases: `deviceToken()` is this
///         contract, whose ERC-4907 `setUser` is open unless `setLeaseManager` names the only caller
///         allowed; `setRefuseLeaseRelease(true)` makes lease releases revert and `setFailReadings(true)`
///         makes `latestReading` revert (a registry that cannot be read any more). It implements the part
///         of IDeviceRegistry the escrows read, so it does not inherit the whole interface.
contract MockDeviceRegistry {
    mapping(uint256 => address) internal _owner;
    /// @notice Status of a device (IDeviceRegistry.statusOf).
    mapping(uint256 => IDeviceRegistry.DeviceStatus) public statusOf;
    /// @notice Asset of a device (IDeviceRegistry.assetOf).
    mapping(uint256 => uint256) public assetOf;
    /// @notice Lease end of a device (IDeviceRegistry.leasedUntil; ERC-4907 userExpires).
    mapping(uint256 => uint64) public leasedUntil;
    /// @notice Lessee of a device (ERC-4907 user, not expired-filtered).
    mapping(uint256 => address) public userOf;
    mapping(uint256 => mapping(uint32 => IDeviceRegistry.Reading)) internal _readings;
    /// @notice Highest counter of a device (IDeviceRegistry.lastCounter).
    mapping(uint256 => uint64) public lastCounter;
    /// @notice When non-zero, the only caller allowed to set leases.
    address public leaseManager;
    /// @notice Whether lease releases (`setUser(id, 0, 0)`) revert.
    bool public refuseLeaseRelease;
    /// @notice Whether `latestReading` reverts.
    bool public failReadings;

    /// @notice setUser from another caller than the lease manager.
    error NotLeaseManager(address caller);
    /// @notice The lease release was refused (`setRefuseLeaseRelease`).
    error LeaseRefused();
    /// @notice Readings cannot be read (`setFailReadings`).
    error ReadingsUnavailable();

    /// @notice Restricts setUser to `manager` (zero: anyone).
    /// @param manager The lease manager (the escrow under test).
    function setLeaseManager(address manager) external {
        leaseManager = manager;
    }

    /// @notice Registers a device.
    /// @param deviceId The device.
    /// @param owner_ Its owner (zero if the suite does not read it).
    /// @param status Its status.
    /// @param assetId The asset it is bound to (0: none).
    function setDevice(
        uint256 deviceId,
        address owner_,
        IDeviceRegistry.DeviceStatus status,
        uint256 assetId
    ) external {
        _owner[deviceId] = owner_;
        statusOf[deviceId] = status;
        assetOf[deviceId] = assetId;
    }

    /// @notice Changes a device's status.
    /// @param deviceId The device.
    /// @param status Its new status.
    function setStatus(uint256 deviceId, IDeviceRegistry.DeviceStatus status) external {
        statusOf[deviceId] = status;
    }

    /// @notice Changes a device's owner.
    /// @param deviceId The device.
    /// @param owner_ Its new owner.
    function setOwner(uint256 deviceId, address owner_) external {
        _owner[deviceId] = owner_;
    }

    /// @notice Makes lease releases revert, or not.
    /// @param refuse Whether `setUser(id, 0, 0)` reverts.
    function setRefuseLeaseRelease(bool refuse) external {
        refuseLeaseRelease = refuse;
    }

    /// @notice Makes `latestReading` revert, or not.
    /// @param fail Whether reading fails.
    function setFailReadings(bool fail) external {
        failReadings = fail;
    }

    /// @notice Records a verified reading signed now; `value` is the units since the previous reading.
    /// @param deviceId The device.
    /// @param kind The reading kind.
    /// @param counter The device's counter.
    /// @param value The value.
    function pushReading(uint256 deviceId, uint32 kind, uint64 counter, uint64 value) external {
        setReading(deviceId, kind, counter, uint40(block.timestamp), value);
    }

    /// @notice Records a verified reading signed at `timestamp` (device clock).
    /// @param deviceId The device.
    /// @param kind The reading kind.
    /// @param counter The device's counter.
    /// @param timestamp When the device signed it.
    /// @param value The value (units since the previous reading, added to the odometer).
    function setReading(uint256 deviceId, uint32 kind, uint64 counter, uint40 timestamp, uint64 value) public {
        IDeviceRegistry.Reading storage r = _readings[deviceId][kind];
        r.counter = counter;
        r.timestamp = timestamp;
        r.value = value;
        r.odometer += value;
        if (counter > lastCounter[deviceId]) lastCounter[deviceId] = counter;
    }

    /// @notice Owner of a device (IDeviceRegistry.ownerOf).
    /// @param deviceId The device.
    /// @return The owner.
    function ownerOf(uint256 deviceId) external view returns (address) {
        return _owner[deviceId];
    }

    /// @notice Latest reading (IDeviceRegistry.latestReading).
    /// @param deviceId The device.
    /// @param kind The kind.
    /// @return The reading.
    function latestReading(uint256 deviceId, uint32 kind) external view returns (IDeviceRegistry.Reading memory) {
        if (failReadings) revert ReadingsUnavailable();
        return _readings[deviceId][kind];
    }

    /// @notice The device token of leases: this double (IDeviceRegistry.deviceToken).
    /// @return This contract.
    function deviceToken() external view returns (IDeviceToken) {
        return IDeviceToken(address(this));
    }

    /// @notice ERC-4907 `setUser` of the device token: leases (user, end) or releases (0, 0) a device.
    /// @param deviceId The device.
    /// @param user The lessee.
    /// @param expires The lease end.
    function setUser(uint256 deviceId, address user, uint64 expires) external {
        address manager = leaseManager;
        if (manager != address(0) && msg.sender != manager) revert NotLeaseManager(msg.sender);
        if (expires == 0 && refuseLeaseRelease) revert LeaseRefused();
        leasedUntil[deviceId] = expires;
        userOf[deviceId] = user;
    }
}
