// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";

/// @notice Test receiver of device tokens that refuses them (claim to it must revert and change nothing).
contract RejectingReceiver is IERC721Receiver {
    error NoThanks();

    /// @inheritdoc IERC721Receiver
    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        revert NoThanks();
    }
}
