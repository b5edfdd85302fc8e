// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IPlinthErrors} from "../common/IPlinthErrors.sol";

/// @title IDeviceKeys
/// @notice ERC-7913 device keys: a key that the device registry does not verify inline (a passkey, a TPM RSA key) is a
///         verifier contract plus key bytes. This contract holds the governance allowlist of verifiers (each with its
///         scheme), admits key bytes once (checked for the scheme: a P-256 point for WebAuthn; for RSA a modulus of
///         2048 to 4096 bits and an odd exponent >= 3), and verifies a signature by such a key for the registry,
///         explaining a refusal. It also holds the pure-Solidity P-256 verification the registry falls back to on chains
///         without the precompile.
///
///         A device registered with an ERC-7913 key names it as `keyA = verifier`, `keyB = keccak256(key)`; the registry
///         stores only those two words. The key bytes travel with each signature: a device signature of an ERC-7913
///         device is `abi.encode(bytes key, bytes verifierSignature)`, and {verify} checks `keccak256(key)`.
///         Governance is the device registry's DEFAULT_ADMIN_ROLE.
interface IDeviceKeys is IPlinthErrors {
    /// @notice What an allowlisted verifier checks, so that key bytes can be checked at admission.
    enum VerifierScheme {
        None,
        WebAuthn,
        Rsa
    }

    /// @notice Governance allowlisted `verifier` for `scheme`, or removed it (`scheme` None). A removed verifier's
    ///         devices are refused until it is allowlisted again.
    event VerifierSet(address indexed verifier, VerifierScheme scheme);
    /// @notice Key bytes were checked and admitted: devices may now be registered or rotated to (verifier, keyHash).
    event KeyAdmitted(address indexed verifier, bytes32 indexed keyHash, bytes key);

    /// @notice The caller is not the registry's governance.
    error NotGovernance(address caller);
    /// @notice `verifier` is not allowlisted.
    error UnknownVerifier(address verifier);
    /// @notice A WebAuthn key is not 64 bytes `qx || qy` of a point on P-256.
    error InvalidWebAuthnKey(bytes key);
    /// @notice An RSA key is not `abi.encode(bytes e, bytes n)`, or its modulus is shorter than 2048 bits, longer than
    ///         4096 bits, or even.
    error InvalidRsaModulus(uint256 bits);
    /// @notice An RSA public exponent is below 3, even, or longer than 32 bytes.
    error InvalidRsaExponent(bytes e);
    /// @notice A device signature is not `abi.encode(bytes key, bytes signature)`, or a WebAuthn signature is not the
    ///         encoding of a WebAuthnAuth with at least 37 bytes of authenticator data.
    error MalformedKeySignature();
    /// @notice The key bytes carried with a signature are not the device's key.
    error KeyMismatch(bytes32 expected, bytes32 actual);
    /// @notice The WebAuthn clientDataJSON has no `"type":"webauthn.get"` at typeIndex (another ceremony).
    error WebAuthnWrongType(uint256 typeIndex);
    /// @notice The WebAuthn clientDataJSON's challenge at challengeIndex is not the EIP-712 digest (base64url).
    error WebAuthnWrongChallenge(uint256 challengeIndex);
    /// @notice User presence (UP) or user verification (UV) is missing, or backup state (BS) is set without backup
    ///         eligibility (BE), in the authenticator data flags.
    error WebAuthnFlagsRefused(uint8 flags);
    /// @notice The WebAuthn signature's `s` is in the upper half of P-256's order (normalise to `n - s`).
    error WebAuthnMalleableSignature(bytes32 s);
    /// @notice The verifier refused the signature (wrong key or forged).
    error InvalidKeySignature(address verifier);

    /// @notice Allowlists `verifier` for `scheme`, or removes it with `scheme` None (governance).
    /// @param verifier The ERC-7913 verifier contract.
    /// @param scheme What it verifies.
    function setVerifier(address verifier, VerifierScheme scheme) external;

    /// @notice Checks and admits key bytes for an allowlisted verifier. Anyone may call; idempotent (a key admitted
    ///         before is not admitted again and emits nothing).
    /// @param verifier The verifier.
    /// @param key The key bytes exactly as the verifier takes them.
    /// @return keyHash keccak256(key): the registration's keyB.
    function admitKey(address verifier, bytes calldata key) external returns (bytes32 keyHash);

    /// @notice Whether (verifier, keyHash) was admitted (whatever the verifier's allowlisting now).
    /// @param verifier The verifier.
    /// @param keyHash keccak256 of the key bytes.
    /// @return True when admitted.
    function isAdmitted(address verifier, bytes32 keyHash) external view returns (bool);

    /// @notice The scheme `verifier` is allowlisted for (None when not allowlisted).
    /// @param verifier The verifier.
    /// @return The scheme.
    function schemeOf(address verifier) external view returns (VerifierScheme);

    /// @notice Whether `keySignature` = abi.encode(key, signature) is a valid signature of `digest` by the key whose
    ///         keccak256 is `keyHash`, under an allowlisted `verifier`. Never reverts for bad input.
    /// @param verifier The verifier.
    /// @param keyHash The device's key hash.
    /// @param digest The EIP-712 digest (for WebAuthn, the challenge).
    /// @param keySignature abi.encode(bytes key, bytes signature).
    /// @return True when valid.
    function verify(
        address verifier,
        bytes32 keyHash,
        bytes32 digest,
        bytes calldata keySignature
    ) external view returns (bool);

    /// @notice As {verify}, but reverts with the reason of a refusal (the registry calls it to explain one).
    /// @param verifier The verifier.
    /// @param keyHash The device's key hash.
    /// @param digest The EIP-712 digest.
    /// @param keySignature abi.encode(bytes key, bytes signature).
    function requireValid(address verifier, bytes32 keyHash, bytes32 digest, bytes calldata keySignature) external view;

    /// @notice OpenZeppelin's pure-Solidity P-256 verification (`P256.verifySolidity`), which the registry calls for a
    ///         raw P-256 device key on a chain without the P-256 precompile (about 280,000 gas).
    /// @param h The signed hash (sha256 of the EIP-712 digest).
    /// @param r Signature r.
    /// @param s Signature s.
    /// @param qx Public key x.
    /// @param qy Public key y.
    /// @return True when valid.
    function verifyP256(bytes32 h, bytes32 r, bytes32 s, bytes32 qx, bytes32 qy) external view returns (bool);

    /// @notice The device registry that created this contract (its governance governs the allowlist).
    /// @return The registry.
    function registry() external view returns (address);
}
