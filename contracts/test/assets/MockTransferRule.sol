// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ITransferRule} from "../../assets/compliance/ITransferRule.sol";

/// @notice External rule double: refuses transfers to `blockedRecipient` (or every transfer when
///         `refuseAll`), with `reason`; reverts when `reverts`.
contract MockTransferRule is ITransferRule {
    bytes4 public constant REASON = bytes4(keccak256("MockRefusal()"));
    address public blockedRecipient;
    bool public refuseAll;
    bool public reverts;

    error RuleBroken();

    function setReverts(bool value) external {
        reverts = value;
    }

    function setBlockedRecipient(address who) external {
        blockedRecipient = who;
    }

    function setRefuseAll(bool value) external {
        refuseAll = value;
    }

    function check(uint256, address, address to, uint256) external view returns (bool ok, bytes4 reason) {
        if (reverts) revert RuleBroken();
        if (refuseAll || (to == blockedRecipient && to != address(0))) return (false, REASON);
        return (true, bytes4(0));
    }
}
