// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IAssetVault} from "../interfaces/IAssetVault.sol";

/// @title AssetVault
/// @notice Custody per asset: holds the money of one asset (ERC-20 tokens and ETH) for the suite's three controllers,
///         the IncomeDistributor, the MaintenanceCustody and the RentalCustody. {AssetVaults} creates one
///         implementation of this contract (naming the three) and one minimal clone of it per asset (CREATE2,
///         salt = assetId), so work on different assets never writes the same token balance slot
///         (parallel execution) and the three controllers of one asset share one vault: money moving between them
///         (rent to holders, the reserve to maintenance) is accounting, not a transfer. Each controller keeps its
///         own accounting; the vault's balance covers the sum of their obligations. Only the three controllers can
///         move funds or send ETH in.
contract AssetVault is IAssetVault {
    using SafeERC20 for IERC20;

    /// @inheritdoc IAssetVault
    address public immutable controller;
    /// @inheritdoc IAssetVault
    address public immutable maintenance;
    /// @inheritdoc IAssetVault
    address public immutable rental;

    /// @param controller_ The IncomeDistributor.
    /// @param maintenance_ The MaintenanceCustody, or address(0).
    /// @param rental_ The RentalCustody, or address(0).
    constructor(address controller_, address maintenance_, address rental_) {
        controller = controller_;
        maintenance = maintenance_;
        rental = rental_;
    }

    /// @notice Receives the ETH a controller forwards for this vault's asset. Only a controller.
    receive() external payable {
        _onlyController();
    }

    /// @inheritdoc IAssetVault
    /// @dev Each controller re-entrancy-guards every path that reaches here and pays only what its own accounting owes.
    function pay(address token, address to, uint256 amount) external {
        _onlyController();
        if (token == address(0)) {
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, ) = to.call{value: amount}("");
            if (!ok) revert EthTransferFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }

    /// @inheritdoc IAssetVault
    function isController(address account) public view returns (bool) {
        return account != address(0) && (account == controller || account == maintenance || account == rental);
    }

    function _onlyController() private view {
        if (!isController(msg.sender)) revert NotController(msg.sender);
    }
}
