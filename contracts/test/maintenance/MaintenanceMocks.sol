// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
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

/// @notice Plain mintable ERC-20.
contract MaintToken is ERC20 {
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {}

    /// @notice Mints freely (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice ERC-20 that burns 1% of every transfer: escrows must refuse it by balance-diff checks.
contract MaintFeeToken is ERC20 {
    bool public feeOn = true;

    constructor() ERC20("Fee", "FEE") {}

    /// @notice Turns the fee on or off (a token that starts charging after an order was funded).
    function setFeeOn(bool on) external {
        feeOn = on;
    }

    /// @notice Mints freely (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (feeOn && from != address(0) && to != address(0)) {
            uint256 fee = value / 100;
            super._update(from, address(0), fee);
            value -= fee;
        }
        super._update(from, to, value);
    }
}

/// @notice ERC-20 whose owner can block addresses from receiving (like USDC's blocklist).
contract MaintBlocklistToken is ERC20 {
    error Blocked(address account);

    mapping(address => bool) public blocked;

    constructor() ERC20("Block", "BLK") {}

    /// @notice Mints freely (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Blocks or unblocks `account`.
    function setBlocked(address account, bool value) external {
        blocked[account] = value;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blocked[to]) revert Blocked(to);
        super._update(from, to, value);
    }
}

/// @notice ERC-20 that re-enters a target with preset calldata when tokens leave a watched address.
contract MaintReentrantToken is ERC20 {
    address public reentryWatch;
    address public reentryTarget;
    bytes public payload;
    bool public reentered;
    bytes public reentryError;

    constructor() ERC20("Reenter", "RNT") {}

    /// @notice Mints freely (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Makes this token contract act as a party (create orders, claim) in attack tests.
    function exec(address to, bytes calldata data) external returns (bytes memory) {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = to.call(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    /// @notice Arms one re-entry: the next transfer out of `watch` calls `target_` with `payload_`.
    function arm(address watch, address target_, bytes calldata payload_) external {
        reentryWatch = watch;
        reentryTarget = target_;
        payload = payload_;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from == reentryWatch && reentryWatch != address(0)) {
            address t = reentryTarget;
            reentryWatch = address(0);
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory ret) = t.call(payload);
            if (ok) reentered = true;
            else reentryError = ret;
        }
    }
}

/// @notice ERC-1271 smart wallet whose owner's ECDSA signature is valid for the wallet.
contract MaintERC1271Wallet is IERC1271 {
    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        return err == ECDSA.RecoverError.NoError && signer == owner ? IERC1271.isValidSignature.selector : bytes4(0);
    }
}

/// @notice A party that cannot receive ETH and reverts on any call: pull payments must not depend on it.
contract MaintRevertingReceiver {
    error NoThanks();

    /// @notice Approves `spender` for `token` (so it can post bonds) and forwards a call.
    function approve(address token, address spender, uint256 amount) external {
        IERC20(token).approve(spender, amount);
    }

    /// @notice Makes an arbitrary call as this contract.
    function exec(address target, bytes calldata data) external returns (bytes memory) {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = target.call(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    receive() external payable {
        revert NoThanks();
    }

    fallback() external payable {
        revert NoThanks();
    }
}
