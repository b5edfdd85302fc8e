// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC7913WebAuthnVerifier} from "@openzeppelin/contracts/utils/cryptography/verifiers/ERC7913WebAuthnVerifier.sol";

/// @title WebAuthnVerifier
/// @notice OpenZeppelin's ERC-7913 WebAuthn verifier, unchanged, under the suite's name so that the suite deploys it
///         (CREATE2, no constructor arguments: the same address on every chain) and the client ships its ABI.
/// @dev    `verify(key, hash, signature)` returns `verify.selector` (0x024ad318) when:
///         - `key` is 64 bytes `qx || qy` (the passkey's P-256 public key);
///         - `signature` is `abi.encode(WebAuthn.WebAuthnAuth)`, i.e. the tuple
///           `(bytes32 r, bytes32 s, uint256 challengeIndex, uint256 typeIndex, bytes authenticatorData,
///           string clientDataJSON)`;
///         - `clientDataJSON` holds `"type":"webauthn.get"` at `typeIndex` and `"challenge":"<base64url(hash)>"`
///           (no padding) at `challengeIndex`;
///         - the authenticator data is at least 37 bytes and its flags have User Present (UP, 0x01) AND User
///           Verified (UV, 0x04) set, and not Backup State without Backup Eligibility;
///         - `(r, s)` is a P-256 signature of `sha256(authenticatorData || sha256(clientDataJSON))` with s <= n/2.
///         Else it returns 0xffffffff; it never reverts on malformed input. Origin, rpIdHash and the signature counter
///         are not checked (see OpenZeppelin's WebAuthn library).
contract WebAuthnVerifier is ERC7913WebAuthnVerifier {}
