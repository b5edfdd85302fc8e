// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Base64} from "@openzeppelin/contracts/utils/Base64.sol";
import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {WebAuthn} from "@openzeppelin/contracts/utils/cryptography/WebAuthn.sol";
import {IDeviceKeys} from "../interfaces/IDeviceKeys.sol";
import {P256_HALF_N} from "../common/Constants.sol";

/// @title DeviceKeys
/// @notice Device keys the registry does not verify inline: ERC-7913 keys (the governance allowlist of verifiers, the
///         admission of key bytes, checked once and published in {KeyAdmitted}, and the verification of a device
///         signature by such a key, explaining a refusal) and P-256 signatures on chains without the P-256 precompile
///         (OpenZeppelin's pure-Solidity verification, kept out of the registry's code).
///         Created by the registry in its constructor; governance is the registry's DEFAULT_ADMIN_ROLE.
///
/// Rules, per scheme (see contracts/devices/README.md):
/// - WebAuthn (OpenZeppelin's ERC7913WebAuthnVerifier): key `qx || qy` on P-256. An assertion is valid when its
///   clientDataJSON says `"type":"webauthn.get"` and carries the EIP-712 digest as challenge, the authenticator data
///   flags have user presence (UP) AND user verification (UV), backup state only with backup eligibility, and the
///   P-256 signature over `authenticatorData || sha256(clientDataJSON)` is valid with low s. The authenticator's
///   signature counter is NOT checked: the registry's own counter, inside the signed EIP-712 message, orders and
///   de-duplicates a device's statements (synced passkeys report a counter of 0).
/// - RSA (OpenZeppelin's ERC7913RSAVerifier, PKCS#1 v1.5 over sha256 of the digest): key `abi.encode(bytes e,
///   bytes n)` with `n` of 2048 to 4096 bits, odd, and `e` odd and at least 3 (the verifier itself would take e = 1,
///   under which anyone forges).
contract DeviceKeys is IDeviceKeys {
    /// @dev Authenticator data flags: user present, user verified, backup eligible, backup state.
    uint8 private constant UP = 0x01;
    uint8 private constant UV = 0x04;
    uint8 private constant BE = 0x08;
    uint8 private constant BS = 0x10;
    /// @dev Largest RSA modulus admitted: 4096 bits (a modexp over a larger one would make each of the device's
    ///      attestations cost a relayer several hundred thousand gas).
    uint256 private constant MAX_RSA_MODULUS_BYTES = 512;
    /// @dev `"type":"webauthn.get"` (21 bytes) and `"challenge":"` in UTF-8: what clientDataJSON must carry.
    bytes21 private constant WEBAUTHN_GET_TYPE = 0x2274797065223a22776562617574686e2e67657422;
    bytes private constant CHALLENGE_PREFIX = hex"226368616c6c656e6765223a22";
    bytes1 private constant QUOTE = 0x22;

    /// @inheritdoc IDeviceKeys
    address public immutable registry;

    mapping(address verifier => VerifierScheme) private _schemes;
    mapping(bytes32 verifierAndKeyHash => bool) private _admitted;

    /// @notice Created by the device registry, whose governance governs this allowlist.
    constructor() {
        registry = msg.sender;
    }

    /// @inheritdoc IDeviceKeys
    function setVerifier(address verifier, VerifierScheme scheme) external {
        if (!IAccessControl(registry).hasRole(0x00, msg.sender)) revert NotGovernance(msg.sender);
        if (verifier == address(0)) revert ZeroAddress();
        _schemes[verifier] = scheme;
        emit VerifierSet(verifier, scheme);
    }

    /// @inheritdoc IDeviceKeys
    function admitKey(address verifier, bytes calldata key) external returns (bytes32 keyHash) {
        VerifierScheme scheme = _schemes[verifier];
        if (scheme == VerifierScheme.None) revert UnknownVerifier(verifier);
        if (scheme == VerifierScheme.WebAuthn) {
            if (key.length != 64 || !P256.isValidPublicKey(bytes32(key[0:32]), bytes32(key[32:64]))) {
                revert InvalidWebAuthnKey(key);
            }
        } else {
            _checkRsaKey(key);
        }
        keyHash = keccak256(key);
        bytes32 slot = _slotOf(verifier, keyHash);
        if (!_admitted[slot]) {
            _admitted[slot] = true;
            emit KeyAdmitted(verifier, keyHash, key);
        }
    }

    /// @inheritdoc IDeviceKeys
    function isAdmitted(address verifier, bytes32 keyHash) external view returns (bool) {
        return _admitted[_slotOf(verifier, keyHash)];
    }

    /// @inheritdoc IDeviceKeys
    function schemeOf(address verifier) external view returns (VerifierScheme) {
        return _schemes[verifier];
    }

    /// @inheritdoc IDeviceKeys
    function verify(
        address verifier,
        bytes32 keyHash,
        bytes32 digest,
        bytes calldata keySignature
    ) public view returns (bool) {
        if (_schemes[verifier] == VerifierScheme.None) return false;
        (bool ok, bytes calldata key, bytes calldata signature) = _split(keySignature);
        if (!ok || keccak256(key) != keyHash) return false;
        // Non-reverting staticcall to the verifier: `verify(key, digest, signature) == verify.selector`.
        return SignatureChecker.isValidSignatureNow(abi.encodePacked(verifier, key), digest, signature);
    }

    /// @inheritdoc IDeviceKeys
    function requireValid(
        address verifier,
        bytes32 keyHash,
        bytes32 digest,
        bytes calldata keySignature
    ) external view {
        if (verify(verifier, keyHash, digest, keySignature)) return;
        VerifierScheme scheme = _schemes[verifier];
        if (scheme == VerifierScheme.None) revert UnknownVerifier(verifier);
        (bool ok, bytes calldata key, bytes calldata signature) = _split(keySignature);
        if (!ok) revert MalformedKeySignature();
        if (keccak256(key) != keyHash) revert KeyMismatch(keyHash, keccak256(key));
        if (scheme == VerifierScheme.WebAuthn) _explainWebAuthn(digest, signature);
        revert InvalidKeySignature(verifier);
    }

    /// @inheritdoc IDeviceKeys
    function verifyP256(bytes32 h, bytes32 r, bytes32 s, bytes32 qx, bytes32 qy) external view returns (bool) {
        return P256.verifySolidity(h, r, s, qx, qy);
    }

    /// @dev Reverts with the first WebAuthn rule a refused assertion breaks (the verifier only says false).
    function _explainWebAuthn(bytes32 digest, bytes calldata signature) private pure {
        (bool decoded, WebAuthn.WebAuthnAuth calldata auth) = WebAuthn.tryDecodeAuth(signature);
        if (!decoded || auth.authenticatorData.length < 37) revert MalformedKeySignature();
        bytes calldata clientData = bytes(auth.clientDataJSON);
        uint256 typeIndex = auth.typeIndex;
        if (
            clientData.length < 21 ||
            typeIndex > clientData.length - 21 ||
            bytes21(clientData[typeIndex:typeIndex + 21]) != WEBAUTHN_GET_TYPE
        ) revert WebAuthnWrongType(typeIndex);
        bytes memory expected = bytes.concat(
            CHALLENGE_PREFIX,
            bytes(Base64.encodeURL(abi.encodePacked(digest))),
            QUOTE
        );
        uint256 challengeIndex = auth.challengeIndex;
        if (
            challengeIndex > clientData.length ||
            clientData.length - challengeIndex < expected.length ||
            keccak256(clientData[challengeIndex:challengeIndex + expected.length]) != keccak256(expected)
        ) revert WebAuthnWrongChallenge(challengeIndex);
        uint8 flags = uint8(auth.authenticatorData[32]);
        if (flags & (UP | UV) != UP | UV || flags & (BE | BS) == BS) revert WebAuthnFlagsRefused(flags);
        if (uint256(auth.s) > P256_HALF_N) revert WebAuthnMalleableSignature(auth.s);
    }

    /// @dev Reverts unless `key` is abi.encode(bytes e, bytes n) with n of 2048 to 4096 bits and odd, e >= 3 and odd.
    function _checkRsaKey(bytes calldata key) private pure {
        (bool ok, bytes calldata e, bytes calldata n) = _split(key);
        if (!ok || n.length < 256 || n.length > MAX_RSA_MODULUS_BYTES || n[0] == 0 || uint8(n[n.length - 1]) & 1 == 0) {
            revert InvalidRsaModulus(ok ? n.length * 8 : 0);
        }
        if (e.length == 0 || e.length > 32) revert InvalidRsaExponent(e);
        uint256 exponent = uint256(bytes32(e)) >> (8 * (32 - e.length));
        if (exponent < 3 || exponent & 1 == 0) revert InvalidRsaExponent(e);
    }

    /// @dev Splits calldata `abi.encode(bytes a, bytes b)` without reverting: `ok` is false when the offsets or
    ///      lengths point outside `data`.
    function _split(bytes calldata data) private pure returns (bool ok, bytes calldata a, bytes calldata b) {
        (ok, a) = _member(data, 0);
        if (!ok) return (false, a, a);
        (ok, b) = _member(data, 0x20);
    }

    /// @dev The `bytes` member whose offset is at `head` in `data`, bounds-checked.
    function _member(bytes calldata data, uint256 head) private pure returns (bool ok, bytes calldata member) {
        member = data[0:0];
        if (data.length < 0x40) return (false, member);
        uint256 offset = uint256(bytes32(data[head:head + 0x20]));
        if (offset > data.length - 0x20) return (false, member);
        uint256 length = uint256(bytes32(data[offset:offset + 0x20]));
        if (length > data.length - 0x20 - offset) return (false, member);
        return (true, data[offset + 0x20:offset + 0x20 + length]);
    }

    /// @dev The admission record of (verifier, keyHash).
    function _slotOf(address verifier, bytes32 keyHash) private pure returns (bytes32) {
        return keccak256(abi.encode(verifier, keyHash));
    }
}
