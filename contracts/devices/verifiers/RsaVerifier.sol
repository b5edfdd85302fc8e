// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC7913RSAVerifier} from "@openzeppelin/contracts/utils/cryptography/verifiers/ERC7913RSAVerifier.sol";

/// @title RsaVerifier
/// @notice OpenZeppelin's ERC-7913 RSA verifier, unchanged, under the suite's name so that the suite deploys it
///         (CREATE2, no constructor arguments: the same address on every chain) and the client ships its ABI.
/// @dev    `verify(key, hash, signature)` returns `verify.selector` (0x024ad318) when:
///         - `key` is `abi.encode(bytes e, bytes n)` (exponent and modulus, big-endian, as in the key);
///         - `signature` is the RSASSA-PKCS1-v1_5 signature, exactly as long as `n`, of the message `hash` (32 bytes)
///           with SHA-256, i.e. over the digest `sha256(hash)`: what WebCrypto's RSASSA-PKCS1-v1_5 / SHA-256 and a
///           TPM's RSASSA / SHA-256 over the 32 bytes produce; the DigestInfo may carry an explicit or implicit NULL;
///         - `n` is at least 256 bytes (RSA-2048 and up) and the signature is below `n`.
///         Else it returns 0xffffffff. A key that is not abi-encoded `(bytes, bytes)` makes it revert (abi.decode).
///         RSA-PSS is not supported.
contract RsaVerifier is ERC7913RSAVerifier {}
