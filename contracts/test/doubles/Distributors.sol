// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IIncomeDistributor} from "../../interfaces/IIncomeDistributor.sol";
import {IIncomeSource} from "../../interfaces/IIncomeSource.sol";
import {AssetVaults} from "../../custody/AssetVaults.sol";
import {IPlinthErrors} from "../../common/IPlinthErrors.sol";

/// @title MockIncomeDistributor
/// @notice Test double of the income distributor as the escrows see it: `deposit` pulls exactly the
///         amount (transferFrom) or takes the ETH sent and records it per asset and token; maintenance
///         reserves are funded by the test (`fundReserve`) and released only to RESERVE_SPENDER_ROLE.
///         Configuration: constructor `acceptsEth` (ETH deposits and `acceptsIncome` for ETH, or
///         `EthNotSupported`), `setRefuse(true)` (every deposit reverts `Refused()`),
///         `setRefuseAtOpening(true)` (`acceptsIncome` answers false for every token). It deploys the
///         shared per-asset vaults as the real distributor does (`AssetVaults`, its first creation); anyone names
///         the custodies once (`setCustodians`). `depositHeld` records the income and leaves the money in the vault.
contract MockIncomeDistributor is IIncomeDistributor, IPlinthErrors, AccessControl {
    using SafeERC20 for IERC20;

    /// @notice Role allowed to withdraw reserves (the maintenance escrow).
    bytes32 public constant RESERVE_SPENDER_ROLE = keccak256("RESERVE_SPENDER_ROLE");

    /// @notice Deposits recorded per asset and token.
    mapping(uint256 => mapping(address => uint256)) public deposited;
    /// @notice Whether every deposit reverts.
    bool public refuse;
    /// @notice Whether `acceptsIncome` answers false.
    bool public refuseAtOpening;
    /// @inheritdoc IIncomeDistributor
    mapping(uint256 => mapping(address => uint256)) public override reserveOf;
    /// @notice Whether ETH income is accepted.
    bool public immutable acceptsEth;
    /// @notice The per-asset vaults (first creation, as in the real distributor).
    AssetVaults public immutable vaults;

    /// @notice Deposits are refused (`setRefuse`).
    error Refused();
    /// @notice `msg.value` does not match the deposit.
    error WrongValue();
    /// @notice ETH deposit to a distributor built without ETH.
    error EthNotSupported();
    /// @notice The reserve holds less than asked.
    error InsufficientReserve(uint256 available, uint256 wanted);

    /// @notice Creates the distributor.
    /// @param admin Holder of DEFAULT_ADMIN_ROLE (grants RESERVE_SPENDER_ROLE), or zero for none.
    /// @param acceptsEth_ Whether ETH income is accepted.
    constructor(address admin, bool acceptsEth_) {
        vaults = new AssetVaults();
        if (admin != address(0)) _grantRole(DEFAULT_ADMIN_ROLE, admin);
        acceptsEth = acceptsEth_;
    }

    /// @notice Refuses every deposit, or not (anyone, tests only).
    /// @param r Whether deposits revert.
    function setRefuse(bool r) external {
        refuse = r;
    }

    /// @notice Refuses income at opening (`acceptsIncome` false), or not (anyone, tests only).
    /// @param r Whether `acceptsIncome` answers false.
    function setRefuseAtOpening(bool r) external {
        refuseAtOpening = r;
    }

    /// @notice Tops up an asset's reserve from the caller (tests only).
    /// @param assetId The asset.
    /// @param token The ERC-20.
    /// @param amount The amount pulled from the caller.
    function fundReserve(uint256 assetId, address token, uint256 amount) external {
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        reserveOf[assetId][token] += amount;
    }

    /// @inheritdoc IIncomeDistributor
    function deposit(uint256 assetId, address token, uint256 amount) external payable override returns (uint256) {
        if (refuse) revert Refused();
        if (token == address(0)) {
            if (!acceptsEth) revert EthNotSupported();
            if (msg.value != amount) revert WrongValue();
        } else {
            if (msg.value != 0) revert WrongValue();
            IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        }
        deposited[assetId][token] += amount;
        return amount;
    }

    /// @inheritdoc IIncomeDistributor
    /// @dev Calls back the source to pay this mock, and records what arrived.
    function depositFromSource(uint256 assetId, address token, uint256 amount) external override returns (uint256) {
        if (refuse) revert Refused();
        uint256 before = IERC20(token).balanceOf(address(this));
        IIncomeSource(msg.sender).payIncome(assetId, token, amount, address(this));
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        deposited[assetId][token] += received;
        return received;
    }

    /// @inheritdoc IIncomeDistributor
    function depositHeld(uint256 assetId, address token, uint256 amount) external override returns (uint256) {
        if (refuse) revert Refused();
        if (!vaults.isCustodian(msg.sender)) revert NotController(msg.sender);
        if (token == address(0) && !acceptsEth) revert EthNotSupported();
        deposited[assetId][token] += amount;
        return amount;
    }

    /// @notice Names the custodies the vaults trust (anyone, once; tests only).
    /// @param maintenance The maintenance custody, or address(0).
    /// @param rental The rental custody, or address(0).
    function setCustodians(address maintenance, address rental) external {
        vaults.setCustodians(maintenance, rental);
    }

    /// @inheritdoc IIncomeDistributor
    function acceptsIncome(uint256, address token) external view override returns (bool) {
        return !refuseAtOpening && (token != address(0) || acceptsEth);
    }

    /// @inheritdoc IIncomeDistributor
    function incomeClosed(uint256) external pure override returns (bool) {
        return false;
    }

    /// @inheritdoc IIncomeDistributor
    function withdrawReserve(
        uint256 assetId,
        address token,
        uint256 amount,
        address to
    ) external override onlyRole(RESERVE_SPENDER_ROLE) {
        uint256 available = reserveOf[assetId][token];
        if (amount > available) revert InsufficientReserve(available, amount);
        reserveOf[assetId][token] = available - amount;
        IERC20(token).safeTransfer(to, amount);
    }
}
