// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @notice ERC-792 style arbitrator contract that forwards a ruling.
contract RentalMockArbitrator {
    function giveRuling(address escrow, uint256 disputeId, uint256 ruling) external {
        Address.functionCall(escrow, abi.encodeWithSignature("rule(uint256,uint256)", disputeId, ruling));
    }
}
