// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IAssetRegistry} from "../../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../../interfaces/IDeviceRegistry.sol";
import {IIncomeDistributor} from "../../interfaces/IIncomeDistributor.sol";

/// @notice Test double of the device registry: readings are set by the test (the real registry
///         sets them only after verifying a device signature), lastCounter tracks the highest counter.
contract MaintDeviceRegistry is IDeviceRegistry {
    mapping(uint256 => DeviceStatus) public override statusOf;
    mapping(uint256 => uint256) public override assetOf;
    mapping(uint256 => uint64) public override lastCounter;
    mapping(uint256 => uint64) public override leasedUntil;
    mapping(uint256 => mapping(uint32 => Reading)) private _readings;

    /// @notice Registers a device bound to `assetId` with `status`.
    function setDevice(uint256 deviceId, DeviceStatus status, uint256 assetId) external {
        statusOf[deviceId] = status;
        assetOf[deviceId] = assetId;
    }

    /// @notice Stores an accepted reading, as the real registry does after verifying its signature.
    function setReading(uint256 deviceId, uint32 kind, uint64 counter, uint40 timestamp, uint64 value) external {
        Reading storage r = _readings[deviceId][kind];
        r.counter = counter;
        r.timestamp = timestamp;
        r.value = value;
        r.odometer += value; // the value is the units since the previous reading
        if (counter > lastCounter[deviceId]) lastCounter[deviceId] = counter;
    }

    /// @inheritdoc IDeviceRegistry
    function ownerOf(uint256) external pure returns (address) {
        return address(0);
    }

    /// @inheritdoc IDeviceRegistry
    function latestReading(uint256 deviceId, uint32 kind) external view returns (Reading memory) {
        return _readings[deviceId][kind];
    }

    /// @inheritdoc IDeviceRegistry
    function setLease(uint256 deviceId, uint64 until) external {
        leasedUntil[deviceId] = until;
    }
}

/// @notice Test double of the asset registry: agents and statuses set by the test.
contract MaintAssetRegistry is IAssetRegistry {
    mapping(uint256 => address) public override agentOf;
    mapping(uint256 => AssetStatus) public override statusOf;
    mapping(uint256 => uint64) public override leasedUntil;

    /// @notice Registers an asset.
    function setAsset(uint256 assetId, address agent, AssetStatus status) external {
        agentOf[assetId] = agent;
        statusOf[assetId] = status;
    }

    /// @inheritdoc IAssetRegistry
    function sharesOf(uint256) external pure returns (address) {
        return address(0);
    }

    /// @inheritdoc IAssetRegistry
    function setLease(uint256 assetId, uint64 until) external {
        leasedUntil[assetId] = until;
    }

    /// @inheritdoc IAssetRegistry
    function retire(uint256 assetId) external {
        statusOf[assetId] = AssetStatus.Retired;
    }
}

/// @notice Test double of the income distributor: holds maintenance reserves (funded by the test)
///         and releases them only to RESERVE_SPENDER_ROLE; deposits are recorded per asset.
contract MaintDistributor is IIncomeDistributor, AccessControl {
    using SafeERC20 for IERC20;

    bytes32 public constant RESERVE_SPENDER_ROLE = keccak256("RESERVE_SPENDER_ROLE");

    error InsufficientReserve(uint256 available, uint256 wanted);
    error EthNotSupported();

    mapping(uint256 => mapping(address => uint256)) public override reserveOf;
    mapping(uint256 => mapping(address => uint256)) public deposited;

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Test helper: tops up an asset's reserve from the caller.
    function fundReserve(uint256 assetId, address token, uint256 amount) external {
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        reserveOf[assetId][token] += amount;
    }

    /// @inheritdoc IIncomeDistributor
    function deposit(uint256 assetId, address token, uint256 amount) external payable returns (uint256) {
        if (token == address(0)) revert EthNotSupported();
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        deposited[assetId][token] += amount;
        return amount;
    }

    /// @inheritdoc IIncomeDistributor
    function acceptsIncome(uint256, address token) external pure returns (bool) {
        return token != address(0);
    }

    /// @inheritdoc IIncomeDistributor
    function incomeClosed(uint256) external pure returns (bool) {
        return false;
    }

    /// @inheritdoc IIncomeDistributor
    function withdrawReserve(
        uint256 assetId,
        address token,
        uint256 amount,
        address to
    ) external onlyRole(RESERVE_SPENDER_ROLE) {
        uint256 available = reserveOf[assetId][token];
        if (amount > available) revert InsufficientReserve(available, amount);
        reserveOf[assetId][token] = available - amount;
        IERC20(token).safeTransfer(to, amount);
    }
}
