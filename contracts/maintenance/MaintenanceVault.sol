// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title MaintenanceVault
/// @notice Holds the maintenance escrow's tokens for one asset. The escrow deploys one minimal
///         clone per asset (CREATE2, salt = assetId), so work on different assets never writes the
///         same token balance slot (parallel execution). Only the escrow that deployed the
///         implementation can move funds; the escrow keeps all the accounting.
contract MaintenanceVault {
    using SafeERC20 for IERC20;

    /// @notice The escrow allowed to move this vault's funds (shared by every clone).
    address public immutable escrow;

    /// @notice Only the escrow can move funds.
    error NotEscrow(address caller);

    constructor() {
        escrow = msg.sender;
    }

    /// @notice Sends `amount` of `token` to `to`. Only the escrow.
    /// @param token The ERC-20.
    /// @param to The recipient.
    /// @param amount The amount.
    function pay(IERC20 token, address to, uint256 amount) external {
        if (msg.sender != escrow) revert NotEscrow(msg.sender);
        token.safeTransfer(to, amount);
    }
}
