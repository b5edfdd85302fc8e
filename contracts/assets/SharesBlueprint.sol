// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AssetShares} from "./AssetShares.sol";

/// @title SharesBlueprint
/// @notice Holds AssetShares' creation code as its own runtime code, behind a leading 0xFE (INVALID)
///         byte so it can never be executed (the idea of ERC-5202 blueprints). The ShareFactory copies
///         it with EXTCODECOPY and deploys it with CREATE2: the factory alone would exceed the 24 KiB
///         code limit if it embedded the share token's creation code.
contract SharesBlueprint {
    /// @notice Returns 0xFE ++ type(AssetShares).creationCode as the deployed code.
    constructor() {
        bytes memory code = abi.encodePacked(hex"fe", type(AssetShares).creationCode);
        assembly ("memory-safe") {
            return(add(code, 0x20), mload(code))
        }
    }
}
