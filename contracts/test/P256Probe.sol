// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";

/// @title P256Probe
/// @notice Test helper: exposes OpenZeppelin's P256 verification paths to the toolchain test.
contract P256Probe {
    /// @notice P256.verify: precompile first, Solidity fallback if the precompile is absent.
    function verify(bytes32 h, bytes32 r, bytes32 s, bytes32 qx, bytes32 qy) external view returns (bool) {
        return P256.verify(h, r, s, qx, qy);
    }

    /// @notice The pure-Solidity implementation only, to compare gas with the precompile path.
    function verifySolidity(bytes32 h, bytes32 r, bytes32 s, bytes32 qx, bytes32 qy) external view returns (bool) {
        return P256.verifySolidity(h, r, s, qx, qy);
    }
}
