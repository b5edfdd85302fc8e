// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IIncomeHooks} from "../../interfaces/IIncomeHooks.sol";
import {IAssetShares} from "../../interfaces/IAssetShares.sol";

/// @notice Test double of the income distributor: records every hook call with the balances the token
///         had at call time (proving the hook runs BEFORE balances change), can be told to revert, and
///         can call `redeemFor` as the distributor would.
contract MockIncomeHooks is IIncomeHooks {
    struct Call {
        uint256 assetId;
        address from;
        address to;
        uint256 amount;
        uint256 fromBalanceAtCall;
        uint256 toBalanceAtCall;
        address token;
    }

    struct RecoveryCall {
        uint256 assetId;
        address lost;
        address replacement;
        uint256 lostBalanceAtCall;
        address token;
    }

    Call[] public calls;
    RecoveryCall[] public recoveries;
    bool public shouldRevert;

    error HookRefused();

    function setShouldRevert(bool value) external {
        shouldRevert = value;
    }

    function onSharesTransfer(uint256 assetId, address from, address to, uint256 amount) external {
        if (shouldRevert) revert HookRefused();
        IERC20 t = IERC20(msg.sender);
        calls.push(
            Call(
                assetId,
                from,
                to,
                amount,
                from == address(0) ? 0 : t.balanceOf(from),
                to == address(0) ? 0 : t.balanceOf(to),
                msg.sender
            )
        );
    }

    function onRecovery(uint256 assetId, address lost, address replacement) external {
        if (shouldRevert) revert HookRefused();
        recoveries.push(RecoveryCall(assetId, lost, replacement, IERC20(msg.sender).balanceOf(lost), msg.sender));
    }

    function callCount() external view returns (uint256) {
        return calls.length;
    }

    function recoveryCount() external view returns (uint256) {
        return recoveries.length;
    }

    function lastCall() external view returns (Call memory) {
        return calls[calls.length - 1];
    }

    function redeem(IAssetShares shares, address holder) external returns (uint256) {
        return shares.redeemFor(holder);
    }
}

/// @notice An income hook that accepts everything and records nothing (gas bench stand-in).
contract NoopIncomeHooks is IIncomeHooks {
    function onSharesTransfer(uint256, address, address, uint256) external {}

    function onRecovery(uint256, address, address) external {}
}

/// @notice Attack double: a hook that, while a move is in progress, tries to move shares it holds
///         itself, and records how that nested attempt ended.
contract ReenteringIncomeHooks is IIncomeHooks {
    address public recipient;
    bool public armed;
    bool private _inside;
    bool public nestedSucceeded;
    bytes4 public nestedError;
    uint256 public nestedAttempts;

    function arm(address recipient_) external {
        recipient = recipient_;
        armed = true;
    }

    // solhint-disable reentrancy
    // (an attack double: re-entering the token and recording the outcome is its purpose)
    function onSharesTransfer(uint256, address, address, uint256) external {
        if (!armed || _inside) return;
        _inside = true;
        nestedAttempts++;
        try IERC20(msg.sender).transfer(recipient, 1) {
            nestedSucceeded = true;
        } catch (bytes memory err) {
            nestedError = bytes4(err);
        }
        _inside = false;
    }
    // solhint-enable reentrancy

    function onRecovery(uint256, address, address) external {}
}
