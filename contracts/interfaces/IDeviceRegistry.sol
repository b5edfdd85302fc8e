// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IPlinthErrors} from "../common/IPlinthErrors.sol";
import {IAssetRegistry} from "./IAssetRegistry.sol";
import {IDeviceKeys} from "./IDeviceKeys.sol";
import {IDeviceToken} from "./IDeviceToken.sol";

/// @dev Role, in the device registry, of the rental escrow(s) that lease devices: what
///      `IDeviceToken.setUser` requires.
bytes32 constant DEVICE_LEASE_MANAGER_ROLE = keccak256("LEASE_MANAGER_ROLE");

/// @title IDeviceRegistry
/// @notice The device registry: manufacturers, devices (registration, claim, key rotation, status,
///         binding to a real asset) and the verification of their signed attestations. The registry is
///         the only place that verifies device signatures: escrows ask it for verified readings instead of
///         re-verifying them. Every external function of DeviceRegistry is declared here (or in
///         IAccessControl / IERC165 / IDeviceTransferHook), so the compiler checks the implementation
///         against what integrators read. Leases are the ERC-4907 users of {deviceToken}.
interface IDeviceRegistry is IAccessControl, IERC165, IPlinthErrors {
    // ---------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------

    /// @notice Kind of a device key: a secp256k1 or P-256 key verified inline, or an ERC-7913 key (a verifier
    ///         allowlisted in {deviceKeys} plus key bytes: passkeys through WebAuthn, TPM RSA keys).
    enum KeyType {
        None,
        Secp256k1,
        P256,
        Erc7913
    }

    /// @notice Lifecycle of a device. Suspended is reversible, Decommissioned is final.
    enum DeviceStatus {
        None,
        Active,
        Suspended,
        Decommissioned
    }

    /// @notice Outcome of one attestation: `Accepted` or the reason it was refused.
    enum AttestationStatus {
        Accepted,
        UnknownDevice,
        DeviceInactive,
        FromFuture,
        Expired,
        StaleCounter,
        OdometerRegressed,
        BadSignatureLength,
        MalleableSignature,
        BadSignature
    }

    /// @notice The latest accepted reading of one kind from one device, in one storage slot.
    /// @param counter The device's hardware counter in that reading.
    /// @param timestamp When the device signed it (device clock, seconds).
    /// @param value The reading's own measurement (for example a power level, a self-test code).
    /// @param odometer The device's running total of this kind when it signed (monotonic; billing uses
    ///        the difference between two readings' odometers, so no unit is lost to an unrelayed reading).
    struct Reading {
        uint64 counter;
        uint40 timestamp;
        uint64 value;
        uint64 odometer;
    }

    /// @notice A signed reading. `kind` is an application-defined reading kind, `value` the reading's own
    ///         measurement, `odometer` the device's running total of that kind (monotonic; 0 for kinds that
    ///         are not additive), `payloadHash` commits to any off-chain payload (raw samples, logs),
    ///         `counter` is the device-wide monotonic counter, `timestamp` is the device clock (seconds).
    struct Attestation {
        uint256 deviceId;
        uint32 kind;
        uint64 value;
        uint64 odometer;
        bytes32 payloadHash;
        uint64 counter;
        uint64 timestamp;
    }

    /// @notice What a manufacturer signs to register a device (EIP-712 `RegisterDevice`).
    struct DeviceRegistration {
        address manufacturer;
        KeyType keyType;
        bytes32 keyA;
        bytes32 keyB;
        bytes32 model;
        bytes32 firmwareHash;
        bytes32 serialHash;
    }

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice Governance admitted (or re-admitted) a manufacturer.
    event ManufacturerAdmitted(address indexed manufacturer, address signer);
    /// @notice Governance changed a manufacturer's signing authority.
    event ManufacturerSignerChanged(address indexed manufacturer, address signer);
    /// @notice Governance removed a manufacturer.
    event ManufacturerRemoved(address indexed manufacturer);
    /// @notice A device was registered, Active and unclaimed.
    event DeviceRegistered(
        uint256 indexed deviceId,
        address indexed manufacturer,
        KeyType keyType,
        bytes32 keyA,
        bytes32 keyB,
        bytes32 model,
        bytes32 firmwareHash,
        bytes32 serialHash
    );
    /// @notice The device proved possession of its key and its token was minted to `owner`.
    event DeviceClaimed(uint256 indexed deviceId, address indexed owner);
    /// @notice The device key changed (the id does not).
    event DeviceKeyRotated(uint256 indexed deviceId, KeyType keyType, bytes32 keyA, bytes32 keyB);
    /// @notice The device status changed (`by` is the caller).
    event DeviceStatusChanged(uint256 indexed deviceId, DeviceStatus status, address indexed by);
    /// @notice The owner asked to bind the device to `assetId`; the asset's agent must confirm.
    event BindRequested(uint256 indexed deviceId, uint256 indexed assetId);
    /// @notice A pending bind request was dropped (new request, transfer, bind or decommission).
    event BindRequestCleared(uint256 indexed deviceId, uint256 indexed assetId);
    /// @notice The device is bound to `assetId`.
    event DeviceBound(uint256 indexed deviceId, uint256 indexed assetId);
    /// @notice The device is no longer bound to `assetId`.
    event DeviceUnbound(uint256 indexed deviceId, uint256 indexed assetId);
    /// @notice Governance changed the freshness window.
    event FreshnessSet(uint64 maxAge, uint64 maxFutureSkew);
    /// @notice Governance set (or cleared) the asset registry.
    event AssetRegistrySet(address assetRegistry);
    /// @notice An attestation was accepted.
    event AttestationAccepted(
        uint256 indexed deviceId,
        uint32 indexed kind,
        uint64 counter,
        uint64 value,
        uint64 odometer
    );
    /// @notice Item `index` of a batch was refused for `reason`; nothing was stored for it.
    event AttestationRejected(uint256 indexed deviceId, uint256 index, AttestationStatus reason);

    // ---------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------

    /// @notice The manufacturer is not admitted (never, or removed).
    error UnknownManufacturer(address manufacturer);
    /// @notice The manufacturer is already admitted.
    error ManufacturerExists(address manufacturer);
    /// @notice The manufacturer's signing authority did not sign this registration.
    error InvalidManufacturerSignature(address manufacturer);
    /// @notice keyType is None, a secp256k1 key is not a 160-bit address or has keyB != 0, a P-256 key is not
    ///         a point of the curve, or an ERC-7913 key (keyA = verifier, keyB = keccak256(key bytes)) was not
    ///         admitted in {deviceKeys}.
    error InvalidDeviceKey(KeyType keyType, bytes32 keyA, bytes32 keyB);
    /// @notice A device with this id already exists.
    error DeviceExists(uint256 deviceId);
    /// @notice No device with this id.
    error UnknownDevice(uint256 deviceId);
    /// @notice The device has already been claimed.
    error AlreadyClaimed(uint256 deviceId);
    /// @notice A signed message is past its deadline.
    error SignatureExpired(uint64 deadline, uint256 nowTs);
    /// @notice The device key did not sign this message (or the signature is not of the key's encoding).
    error InvalidDeviceSignature(uint256 deviceId);
    /// @notice The signature has the wrong length for the key's curve.
    error InvalidSignatureLength(uint256 length, uint256 expected);
    /// @notice The signature's `s` is in the upper half of the curve order; normalise to `n - s`.
    error MalleableSignature(bytes32 s);
    /// @notice The caller may not do this to the device.
    error Unauthorized(address caller, uint256 deviceId);
    /// @notice The device is not in a status that allows this.
    error DeviceNotActive(uint256 deviceId, DeviceStatus status);
    /// @notice The device is decommissioned: nothing can change any more.
    error DeviceDecommissioned(uint256 deviceId);
    /// @notice The device (or its asset) is leased until `until`.
    error DeviceLeased(uint256 deviceId, uint64 until);
    /// @notice No matching pending bind request.
    error NoBindRequest(uint256 deviceId, uint256 assetId);
    /// @notice The device is not bound to any asset.
    error NotBound(uint256 deviceId);
    /// @notice The device is already bound to this asset.
    error AlreadyBound(uint256 deviceId, uint256 assetId);
    /// @notice The governance-set suspension can only be lifted by governance.
    error SuspendedByGovernance(uint256 deviceId);
    /// @notice The freshness window is out of bounds.
    error InvalidFreshness(uint64 maxAge, uint64 maxFutureSkew);
    /// @notice Attestation timestamp beyond `now + maxFutureSkew`.
    error AttestationFromFuture(uint64 timestamp, uint256 nowTs);
    /// @notice Attestation older than `maxAge`.
    error AttestationExpired(uint64 timestamp, uint256 nowTs);
    /// @notice Attestation counter not above the device's last counter.
    error StaleCounter(uint256 deviceId, uint64 counter, uint64 lastCounter);
    /// @notice The reading's odometer is below the kind's last accepted odometer (devices never lower it).
    error OdometerRegressed(uint256 deviceId, uint32 kind, uint64 odometer, uint64 lastOdometer);
    /// @notice `attestBatch` arrays of different lengths.
    error LengthMismatch(uint256 attestations, uint256 signatures);

    // ---------------------------------------------------------------------------------------------
    // Governance
    // ---------------------------------------------------------------------------------------------

    /// @notice Admits a manufacturer (governance).
    /// @param manufacturer The manufacturer's account (may suspend/resume its devices).
    /// @param signer Its signing authority for registrations (EOA or ERC-1271 wallet).
    function admitManufacturer(address manufacturer, address signer) external;

    /// @notice Changes an admitted manufacturer's signing authority (governance).
    /// @param manufacturer The manufacturer.
    /// @param signer The new authority.
    function setManufacturerSigner(address manufacturer, address signer) external;

    /// @notice Removes a manufacturer (governance): its signatures no longer register devices.
    /// @param manufacturer The manufacturer.
    function removeManufacturer(address manufacturer) external;

    /// @notice Sets the freshness window (governance).
    /// @param newMaxAge Oldest accepted attestation age, 1 second to 30 days.
    /// @param newMaxFutureSkew Largest accepted device-clock lead, 0 to 1 hour.
    function setFreshness(uint64 newMaxAge, uint64 newMaxFutureSkew) external;

    /// @notice Sets the asset registry (governance); address(0) lets owners bind alone.
    /// @param registry The IAssetRegistry.
    function setAssetRegistry(IAssetRegistry registry) external;

    // ---------------------------------------------------------------------------------------------
    // Registration, claim, rotation, status
    // ---------------------------------------------------------------------------------------------

    /// @notice Registers a device signed by its admitted manufacturer's authority. Anyone may relay.
    /// @param reg The registration (key, model, firmware, serial hash, manufacturer).
    /// @param manufacturerSignature Signature of the authority over the EIP-712 `RegisterDevice`.
    /// @return deviceId The new device's id.
    function registerDevice(
        DeviceRegistration calldata reg,
        bytes calldata manufacturerSignature
    ) external returns (uint256 deviceId);

    /// @notice Mints the device's token to `owner`, proven by the device key's EIP-712 `Claim`
    ///         (`nonce` = the device's current nonce). Anyone may relay.
    /// @param deviceId The device.
    /// @param owner The operator who receives the token.
    /// @param deadline Last second the signature is valid.
    /// @param deviceSignature The device key's signature (see the registry's NatSpec for the encoding; an ERC-7913
    ///        device's is abi.encode(bytes key, bytes verifierSignature)).
    function claim(uint256 deviceId, address owner, uint64 deadline, bytes calldata deviceSignature) external;

    /// @notice Rotates the device key: the CURRENT key signs EIP-712 `RotateKey` and the owner calls.
    ///         The id, counter, readings and binding are kept.
    /// @param deviceId The device.
    /// @param newKeyType Curve of the new key.
    /// @param newKeyA New key, first word (see {deviceIdOf}).
    /// @param newKeyB New key, second word.
    /// @param deadline Last second the signature is valid.
    /// @param currentKeySignature Signature of the current key.
    function rotateKey(
        uint256 deviceId,
        KeyType newKeyType,
        bytes32 newKeyA,
        bytes32 newKeyB,
        uint64 deadline,
        bytes calldata currentKeySignature
    ) external;

    /// @notice Suspends an Active device: its admitted manufacturer or governance.
    /// @param deviceId The device.
    function suspend(uint256 deviceId) external;

    /// @notice Resumes a Suspended device: governance, or its admitted manufacturer unless governance
    ///         suspended it.
    /// @param deviceId The device.
    function resume(uint256 deviceId) external;

    /// @notice Decommissions the device for good: its owner or governance; refused while leased.
    ///         Drops its binding and any pending bind request.
    /// @param deviceId The device.
    function decommission(uint256 deviceId) external;

    // ---------------------------------------------------------------------------------------------
    // Binding
    // ---------------------------------------------------------------------------------------------

    /// @notice Binds the device to `assetId` (owner). Without an asset registry the owner binds alone;
    ///         with one, the asset must be Active and the binding takes effect at once only if the owner
    ///         is the asset's agent, otherwise it becomes a request the agent confirms ({confirmBind}).
    ///         Refused while the device or its current asset is leased.
    /// @param deviceId The device.
    /// @param assetId The asset (non-zero).
    function bindToAsset(uint256 deviceId, uint256 assetId) external;

    /// @notice Confirms the owner's pending request to bind `deviceId` to `assetId` (the asset's agent).
    /// @param deviceId The device.
    /// @param assetId The asset named in the request.
    function confirmBind(uint256 deviceId, uint256 assetId) external;

    /// @notice Unbinds the device: its owner or (with an asset registry) the current asset's agent.
    ///         Refused while the device or its asset is leased.
    /// @param deviceId The device.
    function unbind(uint256 deviceId) external;

    // ---------------------------------------------------------------------------------------------
    // Attestations
    // ---------------------------------------------------------------------------------------------

    /// @notice Verifies and stores one attestation; reverts with the refusal's custom error.
    /// @param a The attestation.
    /// @param signature The device key's signature (secp256k1: 65-byte r||s||v; P-256: 64-byte r||s over
    ///        sha256 of the EIP-712 digest; low-s only; ERC-7913: abi.encode(bytes key, bytes verifierSignature),
    ///        a refusal reverting with {IDeviceKeys}' reason).
    function attest(Attestation calldata a, bytes calldata signature) external;

    /// @notice Verifies and stores many attestations; never reverts for a bad item. Each item is
    ///         judged against the state left by the previous items, by the same code as {attest}, and
    ///         emits AttestationAccepted or AttestationRejected. Only a malformed call (arrays of different
    ///         lengths, an ABI field out of its type's range) reverts as a whole.
    /// @param items The attestations.
    /// @param signatures Their signatures, same order.
    /// @return statuses Per item: Accepted or the reason it was refused (refused items store nothing).
    function attestBatch(
        Attestation[] calldata items,
        bytes[] calldata signatures
    ) external returns (AttestationStatus[] memory statuses);

    /// @notice Judges an attestation without storing it (for relayers filtering their batches).
    /// @param a The attestation.
    /// @param signature Its signature.
    /// @return status Accepted or the reason it would be refused now.
    function checkAttestation(
        Attestation calldata a,
        bytes calldata signature
    ) external view returns (AttestationStatus status);

    /// @notice The EIP-712 digest of an attestation (what secp256k1 keys sign; P-256 keys sign its sha256).
    /// @param a The attestation.
    /// @return The digest.
    function attestationDigest(Attestation calldata a) external view returns (bytes32);

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @notice Role of the rental escrow(s) that lease devices (through {deviceToken}'s `setUser`).
    /// @return The role id, keccak256("LEASE_MANAGER_ROLE").
    function LEASE_MANAGER_ROLE() external view returns (bytes32);

    /// @notice EIP-712 type hash of `Attestation`.
    /// @return The type hash.
    function ATTESTATION_TYPEHASH() external view returns (bytes32);

    /// @notice EIP-712 type hash of `RegisterDevice`.
    /// @return The type hash.
    function REGISTER_DEVICE_TYPEHASH() external view returns (bytes32);

    /// @notice EIP-712 type hash of `Claim`.
    /// @return The type hash.
    function CLAIM_TYPEHASH() external view returns (bytes32);

    /// @notice EIP-712 type hash of `RotateKey`.
    /// @return The type hash.
    function ROTATE_KEY_TYPEHASH() external view returns (bytes32);

    /// @notice The ERC-7913 device keys (verifier allowlist, admitted keys), created by this registry.
    /// @return The device keys contract.
    function deviceKeys() external view returns (IDeviceKeys);

    /// @notice The ERC-721 (and ERC-4907) of devices, token id = device id, created by this registry.
    /// @return The device token.
    function deviceToken() external view returns (IDeviceToken);

    /// @notice Oldest accepted attestation age, seconds.
    /// @return The age.
    function maxAge() external view returns (uint64);

    /// @notice Largest accepted lead of a device clock over the chain, seconds.
    /// @return The skew.
    function maxFutureSkew() external view returns (uint64);

    /// @notice The real-asset registry, or address(0): then an owner binds its device alone.
    /// @return The asset registry.
    function assetRegistry() external view returns (IAssetRegistry);

    /// @notice The id of a device with this original key: keccak256(abi.encode(keyType, keyA, keyB)).
    /// @param keyType Key kind.
    /// @param keyA secp256k1: the address left-padded; P-256: x; ERC-7913: the verifier left-padded.
    /// @param keyB secp256k1: 0; P-256: y; ERC-7913: keccak256 of the key bytes.
    /// @return The device id.
    function deviceIdOf(KeyType keyType, bytes32 keyA, bytes32 keyB) external pure returns (uint256);

    /// @notice Status of a device; `None` when it was never registered.
    /// @param deviceId The device.
    /// @return The status.
    function statusOf(uint256 deviceId) external view returns (DeviceStatus);

    /// @notice Operator (ERC-721 owner) of a device. Reverts for an unknown or unclaimed device.
    /// @param deviceId The device.
    /// @return The owner.
    function ownerOf(uint256 deviceId) external view returns (address);

    /// @notice Real asset the device is bound to, 0 when unbound.
    /// @param deviceId The device.
    /// @return The asset id.
    function assetOf(uint256 deviceId) external view returns (uint256);

    /// @notice Asset named by the owner's pending bind request, 0 if none.
    /// @param deviceId The device.
    /// @return The requested asset id.
    function pendingAssetOf(uint256 deviceId) external view returns (uint256);

    /// @notice Latest accepted reading of `kind` from `deviceId` (all zero if none).
    /// @param deviceId The device.
    /// @param kind The reading kind.
    /// @return The reading.
    function latestReading(uint256 deviceId, uint32 kind) external view returns (Reading memory);

    /// @notice Highest hardware counter accepted from the device, over all kinds.
    /// @param deviceId The device.
    /// @return The counter.
    function lastCounter(uint256 deviceId) external view returns (uint64);

    /// @notice End of the device's current lease, 0 when not leased: its ERC-4907 `userExpires` in
    ///         {deviceToken} (the lease lives there only). While it lies in the future the device cannot
    ///         be unbound, rebound, transferred or decommissioned.
    /// @param deviceId The device.
    /// @return The lease end.
    function leasedUntil(uint256 deviceId) external view returns (uint64);

    /// @notice A manufacturer's admission and signing authority.
    /// @param manufacturer The manufacturer account.
    /// @return active Whether admitted.
    /// @return signer Its signing authority.
    function manufacturerOf(address manufacturer) external view returns (bool active, address signer);

    /// @notice Key, manufacturer and nonce of a device (model, firmware and serial hash are in
    ///         its DeviceRegistered event).
    /// @param deviceId The device.
    /// @return keyType Curve of the current key.
    /// @return keyA Current key, first word (secp256k1: address; P-256: x; ERC-7913: verifier).
    /// @return keyB Current key, second word (P-256: y; ERC-7913: keccak256 of the key bytes).
    /// @return manufacturer Who registered it.
    /// @return nonce Next Claim/RotateKey nonce.
    function deviceInfo(
        uint256 deviceId
    ) external view returns (KeyType keyType, bytes32 keyA, bytes32 keyB, address manufacturer, uint32 nonce);
}
