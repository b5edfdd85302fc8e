// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";

/// @notice Solidity tests and fuzzing run in `hardhat test` next to the Mocha tests.
contract ToolchainTest {
    /// Fuzz: a random point is on the curve only if P256.isValidPublicKey says so, and the
    /// generator is always valid.
    function testFuzz_RandomKeysAreRarelyValid(bytes32 x, bytes32 y) external pure {
        // Generator of P-256.
        bytes32 gx = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296;
        bytes32 gy = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5;
        require(P256.isValidPublicKey(gx, gy), "generator must be valid");
        if (x == gx && y == gy) return;
        // A random (x, y) is on the curve with negligible probability.
        require(!P256.isValidPublicKey(x, y), "random point on curve");
    }
}
