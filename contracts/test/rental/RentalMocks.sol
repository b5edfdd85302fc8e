// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {IIncomeDistributor} from "../../interfaces/IIncomeDistributor.sol";

/// @notice Test double of the income distributor: pulls tokens with transferFrom (exactly the
///         amount), receives ETH, records deposits; can be told to refuse deposits.
contract RentalMockIncomeDistributor is IIncomeDistributor {
    using SafeERC20 for IERC20;

    error Refused();
    error WrongValue();

    mapping(uint256 => mapping(address => uint256)) public deposited;
    bool public refuse;

    function setRefuse(bool r) external {
        refuse = r;
    }

    function deposit(uint256 assetId, address token, uint256 amount) external payable override returns (uint256) {
        if (refuse) revert Refused();
        if (token == address(0)) {
            if (msg.value != amount) revert WrongValue();
        } else {
            if (msg.value != 0) revert WrongValue();
            IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        }
        deposited[assetId][token] += amount;
        return amount;
    }

    /// @notice Every asset accepts every token unless `refuseAtOpening` is set.
    bool public refuseAtOpening;

    function setRefuseAtOpening(bool r) external {
        refuseAtOpening = r;
    }

    function acceptsIncome(uint256, address) external view override returns (bool) {
        return !refuseAtOpening;
    }

    function incomeClosed(uint256) external pure override returns (bool) {
        return false;
    }

    function reserveOf(uint256, address) external pure override returns (uint256) {
        return 0;
    }

    function withdrawReserve(uint256, address, uint256, address) external pure override {}
}

/// @notice ERC-792 style arbitrator contract that forwards a ruling.
contract RentalMockArbitrator {
    function giveRuling(address escrow, uint256 disputeId, uint256 ruling) external {
        Address.functionCall(escrow, abi.encodeWithSignature("rule(uint256,uint256)", disputeId, ruling));
    }
}
