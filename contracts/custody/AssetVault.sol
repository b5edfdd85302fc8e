// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IPlinthErrors} from "../common/IPlinthErrors.sol";

/// @title AssetVault
/// @notice Custody per asset: holds one controller's funds (ERC-20 tokens and ETH) for one asset. Every contract
///         that holds money (the IncomeDistributor, the MaintenanceCustody, the rental escrow) deploys one
///         implementation of this contract and one minimal clone of it per asset (CREATE2, salt = assetId), so
///         work on different assets never writes the same token balance slot (parallel execution), and the
///         money of different controllers never shares a balance: a fault in one controller cannot reach
///         another's funds. Only the controller that deployed the implementation can move funds or send ETH
///         in; the controller keeps all the accounting.
contract AssetVault is IPlinthErrors {
    using SafeERC20 for IERC20;

    /// @notice The contract allowed to move this vault's funds (shared by every clone of one implementation).
    address public immutable controller;

    constructor() {
        controller = msg.sender;
    }

    /// @notice Receives the ETH the controller forwards for this vault's asset. Only the controller.
    receive() external payable {
        if (msg.sender != controller) revert NotController(msg.sender);
    }

    /// @notice Sends `amount` of `token` (address(0) = ETH, sent with all remaining gas) to `to`.
    ///         Only the controller, which re-entrancy-guards every path that reaches here.
    /// @param token The token (address(0) = ETH).
    /// @param to The recipient.
    /// @param amount The amount.
    function pay(address token, address to, uint256 amount) external {
        if (msg.sender != controller) revert NotController(msg.sender);
        if (token == address(0)) {
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, ) = to.call{value: amount}("");
            if (!ok) revert EthTransferFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }
}
