// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title IncomeVault
/// @notice Holds the IncomeDistributor's funds (income, reserve, fees, buyout proceeds) for one
///         asset, in every payout token including ETH. The distributor deploys one minimal clone
///         per asset (CREATE2, salt = assetId) on the asset's first deposit or buyout, so income
///         work on different assets never writes the same token balance slot (parallel
///         execution). Only the distributor that deployed the implementation can move funds or
///         send ETH in; the distributor keeps all the accounting.
contract IncomeVault {
    using SafeERC20 for IERC20;

    /// @notice The distributor allowed to move this vault's funds (shared by every clone).
    address public immutable distributor;

    /// @notice Only the distributor can move funds or send ETH to the vault.
    error NotDistributor(address caller);
    /// @notice An ETH payment to `to` failed (same signature, hence selector, as the
    ///         distributor's `EthTransferFailed`, which callers of the distributor see).
    error EthTransferFailed(address to, uint256 amount);

    constructor() {
        distributor = msg.sender;
    }

    /// @notice Receives the ETH the distributor forwards for this vault's asset. Only the distributor.
    receive() external payable {
        if (msg.sender != distributor) revert NotDistributor(msg.sender);
    }

    /// @notice Sends `amount` of `token` (address(0) = ETH, sent with all remaining gas) to `to`.
    ///         Only the distributor, which re-entrancy-guards every path that reaches here.
    /// @param token The payout token (address(0) = ETH).
    /// @param to The recipient.
    /// @param amount The amount.
    function pay(address token, address to, uint256 amount) external {
        if (msg.sender != distributor) revert NotDistributor(msg.sender);
        if (token == address(0)) {
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, ) = to.call{value: amount}("");
            if (!ok) revert EthTransferFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }
}
