// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title MockERC1271Wallet
/// @notice Contract wallet (ERC-1271): a signature is valid for the wallet iff its owner EOA (set at
///         deployment, immutable so that signature checks cost what a minimal wallet costs) signed the
///         hash (ECDSA). It acts as a party (owns assets, signs offers, calls contracts) through `exec`.
contract MockERC1271Wallet is IERC1271 {
    /// @notice The EOA whose signatures the wallet accepts.
    address public immutable owner;

    /// @notice Creates the wallet.
    /// @param owner_ The signing EOA.
    constructor(address owner_) {
        owner = owner_;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        return err == ECDSA.RecoverError.NoError && signer == owner ? IERC1271.isValidSignature.selector : bytes4(0);
    }

    /// @notice Runs any call as this wallet, forwarding `msg.value`, bubbling reverts.
    /// @param target Call target.
    /// @param data Calldata.
    /// @return result Its return data.
    function exec(address target, bytes calldata data) external payable returns (bytes memory result) {
        bool ok;
        // solhint-disable-next-line avoid-low-level-calls
        (ok, result) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }
}
