// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {IAssetRegistry} from "../../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../../interfaces/IDeviceRegistry.sol";
import {IIncomeDistributor} from "../../interfaces/IIncomeDistributor.sol";

/// @notice Test double of the device registry: owners, status, bindings and readings set by tests;
///         setLease only from the lease manager (as LEASE_MANAGER_ROLE would).
contract RentalMockDeviceRegistry is IDeviceRegistry {
    error NotLeaseManager(address caller);
    error LeaseRefused();

    mapping(uint256 => address) internal _owner;
    mapping(uint256 => DeviceStatus) public override statusOf;
    mapping(uint256 => uint256) public override assetOf;
    mapping(uint256 => uint64) public override leasedUntil;
    mapping(uint256 => mapping(uint32 => Reading)) internal _readings;
    mapping(uint256 => uint64) public override lastCounter;
    address public leaseManager;
    bool public refuseLeaseRelease;

    function setLeaseManager(address m) external {
        leaseManager = m;
    }

    function setDevice(uint256 id, address owner_, uint256 assetId) external {
        _owner[id] = owner_;
        statusOf[id] = DeviceStatus.Active;
        assetOf[id] = assetId;
    }

    function setStatus(uint256 id, DeviceStatus s) external {
        statusOf[id] = s;
    }

    function setOwner(uint256 id, address o) external {
        _owner[id] = o;
    }

    function setRefuseLeaseRelease(bool r) external {
        refuseLeaseRelease = r;
    }

    bool public failReadings;

    function setFailReadings(bool f) external {
        failReadings = f;
    }

    /// @notice Records a verified reading signed now (the real registry verifies the device signature
    ///         first); `value` is the units since the previous reading, added to the odometer.
    function pushReading(uint256 id, uint32 kind, uint64 counter, uint64 value) external {
        pushReadingAt(id, kind, counter, value, uint40(block.timestamp));
    }

    /// @notice Records a verified reading signed at `signedAt` (device clock).
    function pushReadingAt(uint256 id, uint32 kind, uint64 counter, uint64 value, uint40 signedAt) public {
        Reading storage r = _readings[id][kind];
        r.counter = counter;
        r.timestamp = signedAt;
        r.value = value;
        r.odometer += value; // the value is the units since the previous reading
        if (counter > lastCounter[id]) lastCounter[id] = counter;
    }

    function ownerOf(uint256 id) external view override returns (address) {
        return _owner[id];
    }

    function latestReading(uint256 id, uint32 kind) external view override returns (Reading memory) {
        if (failReadings) revert LeaseRefused();
        return _readings[id][kind];
    }

    function setLease(uint256 id, uint64 until) external override {
        if (msg.sender != leaseManager) revert NotLeaseManager(msg.sender);
        if (until == 0 && refuseLeaseRelease) revert LeaseRefused();
        leasedUntil[id] = until;
    }
}

/// @notice Test double of the asset registry.
contract RentalMockAssetRegistry is IAssetRegistry {
    error NotLeaseManager(address caller);

    mapping(uint256 => address) public override agentOf;
    mapping(uint256 => AssetStatus) public override statusOf;
    mapping(uint256 => address) public override sharesOf;
    mapping(uint256 => uint64) public override leasedUntil;
    address public leaseManager;

    function setLeaseManager(address m) external {
        leaseManager = m;
    }

    function setAsset(uint256 id, address agent) external {
        agentOf[id] = agent;
        statusOf[id] = AssetStatus.Active;
    }

    function setStatus(uint256 id, AssetStatus s) external {
        statusOf[id] = s;
    }

    bool public refuseLeaseRelease;

    function setRefuseLeaseRelease(bool r) external {
        refuseLeaseRelease = r;
    }

    function setLease(uint256 id, uint64 until) external override {
        if (msg.sender != leaseManager) revert NotLeaseManager(msg.sender);
        if (until == 0 && refuseLeaseRelease) revert NotLeaseManager(msg.sender);
        leasedUntil[id] = until;
    }

    function retire(uint256 id) external override {
        statusOf[id] = AssetStatus.Retired;
    }
}

/// @notice Test double of the income distributor: pulls tokens with transferFrom (exactly the
///         amount), receives ETH, records deposits; can be told to refuse deposits.
contract RentalMockIncomeDistributor is IIncomeDistributor {
    using SafeERC20 for IERC20;

    error Refused();
    error WrongValue();

    mapping(uint256 => mapping(address => uint256)) public deposited;
    bool public refuse;

    function setRefuse(bool r) external {
        refuse = r;
    }

    function deposit(uint256 assetId, address token, uint256 amount) external payable override returns (uint256) {
        if (refuse) revert Refused();
        if (token == address(0)) {
            if (msg.value != amount) revert WrongValue();
        } else {
            if (msg.value != 0) revert WrongValue();
            IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        }
        deposited[assetId][token] += amount;
        return amount;
    }

    /// @notice Every asset accepts every token unless `refuseAtOpening` is set.
    bool public refuseAtOpening;

    function setRefuseAtOpening(bool r) external {
        refuseAtOpening = r;
    }

    function acceptsIncome(uint256, address) external view override returns (bool) {
        return !refuseAtOpening;
    }

    function incomeClosed(uint256) external pure override returns (bool) {
        return false;
    }

    function reserveOf(uint256, address) external pure override returns (uint256) {
        return 0;
    }

    function withdrawReserve(uint256, address, uint256, address) external pure override {}
}

/// @notice ERC-792 style arbitrator contract that forwards a ruling.
contract RentalMockArbitrator {
    function giveRuling(address escrow, uint256 disputeId, uint256 ruling) external {
        Address.functionCall(escrow, abi.encodeWithSignature("rule(uint256,uint256)", disputeId, ruling));
    }
}
