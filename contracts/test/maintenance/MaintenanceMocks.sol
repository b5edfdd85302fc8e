// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IIncomeDistributor} from "../../interfaces/IIncomeDistributor.sol";

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
