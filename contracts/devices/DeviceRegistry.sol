// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {DeviceToken, IDeviceTransferHook} from "./DeviceToken.sol";

/// @title DeviceRegistry
/// @notice Registry of DePIN hardware devices and verifier of their signed attestations.
///
/// Identity. A device is identified by `deviceId = uint256(keccak256(abi.encode(keyType, keyA, keyB)))`
/// computed over its ORIGINAL public key, where for secp256k1 `keyA = bytes32(uint256(uint160(address)))`,
/// `keyB = 0`, and for P-256 `keyA = x`, `keyB = y` (affine coordinates). Anyone can compute it off-chain.
/// The id never changes, including after a key rotation.
///
/// Lifecycle. A manufacturer admitted by governance signs (EIP-712 `RegisterDevice`) the device key,
/// model, firmware hash and serial hash; anyone relays `registerDevice`. The device is then Active but
/// has no operator: its ERC-721 token is minted only on `claim`, which needs an EIP-712 `Claim` signed
/// by the device key itself (proof of possession). So `ownerOf` reverts until the device is claimed.
///
/// Signatures by device keys, over the EIP-712 digest `d` of domain
/// ("Plinth DeviceRegistry", "1", chainId, this contract):
/// - secp256k1: 65 bytes `r || s || v` (v = 27 or 28), ecrecover over `d`; `s` must be <= n/2.
/// - P-256: 64 bytes `r || s`, verified over `sha256(d)` (the 32 digest bytes hashed once more with
///   SHA-256). That is exactly what a WebCrypto / secure-element `ECDSA(P-256, SHA-256)` signature of the
///   32-byte message `d` produces. `s` must be <= n/2 (the client normalises `s` to `n - s`); a high-s
///   signature is refused with {MalleableSignature} instead of being silently accepted or reported as forged.
///
/// Attestations. Anyone relays an `Attestation` signed by the current device key. Accepted iff the device
/// is known and Active, `timestamp <= now + maxFutureSkew`, `timestamp + maxAge >= now`,
/// `counter > lastCounter(deviceId)` (one hardware monotonic counter per device, shared by all kinds),
/// `odometer >= ` the kind's last accepted odometer, and the signature is well-formed, low-s and valid.
/// An accepted attestation writes exactly two storage slots: the device's core slot (lastCounter) and
/// the (device, kind) Reading slot. Nothing global is written, so attestations of different devices
/// never touch the same slot.
///
/// Odometer. Every reading carries the device's own running total of its kind (`odometer`: Wh produced,
/// kWh delivered, km driven), kept by the device and never lowered: the registry refuses a reading whose
/// odometer is below the kind's last accepted one ({OdometerRegressed}). Because any later reading carries
/// every earlier unit, a reading that is never relayed, or is relayed after a newer one (and so refused as
/// stale), loses no unit: consumers bill the odometer difference between two readings, never a sum of
/// relayed values. Kinds that are not additive (a self-test code) keep their odometer at 0. `value` is the
/// reading's own measurement (a power level, a status code), informative only.
///
/// Tokens. The ERC-721 lives in {DeviceToken}, created by this registry in its constructor (token id =
/// device id); it is split off only to keep this contract under the 24 KiB code limit. `ownerOf` here
/// reads it. The token is minted on claim (nothing is minted at registration) and every transfer calls
/// back {onDeviceTransfer}, which refuses moving a leased device. ERC-721 balances are never touched on
/// the attestation path.
///
/// Key rotation. The CURRENT key signs EIP-712 `RotateKey` (with the device nonce shared with `Claim`)
/// and the owner sends it. The new key does not sign: rotating to a key the device does not hold is the
/// owner's own loss (no signature could then rotate it back). The registry does not index keys: a rotated
/// device keeps its original id, and the new key's own `deviceIdOf` stays free.
///
/// Manufacturers. Removing a manufacturer stops new registrations signed by it and its power to
/// suspend/resume; its already registered devices keep working until governance suspends them.
contract DeviceRegistry is IDeviceRegistry, IDeviceTransferHook, AccessControl, EIP712 {
    // ---------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------

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

    /// @notice A manufacturer: whether governance admits it and the authority (EOA or ERC-1271 wallet)
    ///         whose signatures register its devices.
    struct Manufacturer {
        bool active;
        address signer;
    }

    /// @dev The hot slot of a device: read and written by every accepted attestation (one SLOAD, one SSTORE).
    ///      160 + 64 + 8 + 8 + 8 = 248 bits.
    struct Core {
        address key; // secp256k1 key address; 0 for P-256 keys
        uint64 lastCounter;
        KeyType keyType;
        DeviceStatus status;
        bool suspendedByGovernance;
    }

    /// @dev What `_validate` read, handed to `_store`: the two slots (storage pointers) and their words.
    struct Hot {
        bytes32 coreSlot;
        uint256 core;
        bytes32 readingSlot;
        uint256 reading;
    }

    /// @dev Cold data of a device, never written by attestations.
    struct Meta {
        address manufacturer;
        uint64 leasedUntil;
        uint32 nonce; // consumed by Claim and RotateKey
    }

    // ---------------------------------------------------------------------------------------------
    // Constants and storage
    // ---------------------------------------------------------------------------------------------

    /// @notice Role of the rental escrow(s) that lease devices.
    bytes32 public constant LEASE_MANAGER_ROLE = keccak256("LEASE_MANAGER_ROLE");

    /// @dev EIP-712 type hash of `RegisterDevice`.
    bytes32 private constant REGISTER_DEVICE_TYPEHASH = keccak256(
        "RegisterDevice(address manufacturer,uint8 keyType,bytes32 keyA,bytes32 keyB,bytes32 model,"
        "bytes32 firmwareHash,bytes32 serialHash)"
    );
    /// @dev EIP-712 type hash of `Claim`.
    bytes32 private constant CLAIM_TYPEHASH = keccak256(
        "Claim(uint256 deviceId,address owner,uint32 nonce,uint64 deadline)"
    );
    /// @dev EIP-712 type hash of `RotateKey`.
    bytes32 private constant ROTATE_KEY_TYPEHASH = keccak256(
        "RotateKey(uint256 deviceId,uint8 newKeyType,bytes32 newKeyA,bytes32 newKeyB,uint32 nonce,uint64 deadline)"
    );
    /// @notice EIP-712 type hash of `Attestation`.
    bytes32 public constant ATTESTATION_TYPEHASH = keccak256(
        "Attestation(uint256 deviceId,uint32 kind,uint64 value,uint64 odometer,bytes32 payloadHash,uint64 counter,"
        "uint64 timestamp)"
    );

    /// @dev Bit offsets inside the Core word (Solidity's packing of `Core`: key, lastCounter, keyType, status).
    uint256 private constant _COUNTER_SHIFT = 160;
    uint256 private constant _KEY_TYPE_SHIFT = 224;
    uint256 private constant _STATUS_SHIFT = 232;
    /// @dev Bit offsets inside a Reading word (Solidity's packing of `Reading`: counter, timestamp, value, odometer).
    uint256 private constant _TIMESTAMP_SHIFT = 64;
    uint256 private constant _VALUE_SHIFT = 104;
    uint256 private constant _ODOMETER_SHIFT = 168;

    /// @dev Half the order of secp256k1 and of P-256: the largest accepted `s`.
    uint256 private constant SECP256K1_HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
    uint256 private constant P256_HALF_N = 0x7FFFFFFF800000007FFFFFFFFFFFFFFFDE737D56D38BCF4279DCE5617E3192A8;

    /// @notice The ERC-721 of devices (token id = device id), created by this registry.
    DeviceToken public immutable deviceToken;

    /// @dev Upper bound of `maxAge` (30 days: governance cannot disable freshness).
    uint64 private constant MAX_MAX_AGE = 30 days;
    /// @dev Upper bound of `maxFutureSkew` (1 hour).
    uint64 private constant MAX_FUTURE_SKEW = 1 hours;

    /// @notice Oldest accepted attestation age, seconds (default 1 day).
    uint64 public maxAge = 1 days;
    /// @notice Largest accepted lead of a device clock over the chain, seconds (default 5 minutes).
    uint64 public maxFutureSkew = 5 minutes;
    /// @notice The real-asset registry, or address(0): then an owner binds its device alone.
    IAssetRegistry public assetRegistry;

    mapping(address account => Manufacturer) private _manufacturers;
    mapping(uint256 deviceId => Core) private _core;
    mapping(uint256 deviceId => Meta) private _meta;
    mapping(uint256 deviceId => bytes32[2]) private _p256Key;
    mapping(uint256 deviceId => mapping(uint32 kind => Reading)) private _readings;
    mapping(uint256 deviceId => uint256 assetId) private _asset;
    mapping(uint256 deviceId => uint256 assetId) private _pendingAsset;

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
    /// @notice The lease manager set the device's lease end (0 ends it).
    event DeviceLeaseSet(uint256 indexed deviceId, uint64 until);
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

    /// @notice A zero address where an account is needed.
    error ZeroAddress();
    /// @notice The manufacturer is not admitted (never, or removed).
    error UnknownManufacturer(address manufacturer);
    /// @notice The manufacturer is already admitted.
    error ManufacturerExists(address manufacturer);
    /// @notice The manufacturer's signing authority did not sign this registration.
    error InvalidManufacturerSignature(address manufacturer);
    /// @notice keyType is None, a secp256k1 key is not a 160-bit address or has keyB != 0, or a P-256 key
    ///         is not a point of the curve.
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
    /// @notice The asset is not Active in the asset registry (or assetId is 0).
    error AssetNotActive(uint256 assetId);
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
    // Construction and governance
    // ---------------------------------------------------------------------------------------------

    /// @notice Deploys the registry with `governance` as DEFAULT_ADMIN_ROLE.
    /// @param governance Governance account (never implicitly the deployer).
    constructor(address governance) EIP712("Plinth DeviceRegistry", "1") {
        if (governance == address(0)) revert ZeroAddress();
        deviceToken = new DeviceToken();
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
    }

    /// @notice Admits a manufacturer (governance).
    /// @param manufacturer The manufacturer's account (may suspend/resume its devices).
    /// @param signer Its signing authority for registrations (EOA or ERC-1271 wallet).
    function admitManufacturer(address manufacturer, address signer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (manufacturer == address(0) || signer == address(0)) revert ZeroAddress();
        if (_manufacturers[manufacturer].active) revert ManufacturerExists(manufacturer);
        _manufacturers[manufacturer] = Manufacturer({active: true, signer: signer});
        emit ManufacturerAdmitted(manufacturer, signer);
    }

    /// @notice Changes an admitted manufacturer's signing authority (governance).
    /// @param manufacturer The manufacturer.
    /// @param signer The new authority.
    function setManufacturerSigner(address manufacturer, address signer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (signer == address(0)) revert ZeroAddress();
        if (!_manufacturers[manufacturer].active) revert UnknownManufacturer(manufacturer);
        _manufacturers[manufacturer].signer = signer;
        emit ManufacturerSignerChanged(manufacturer, signer);
    }

    /// @notice Removes a manufacturer (governance): its signatures no longer register devices.
    /// @param manufacturer The manufacturer.
    function removeManufacturer(address manufacturer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_manufacturers[manufacturer].active) revert UnknownManufacturer(manufacturer);
        delete _manufacturers[manufacturer];
        emit ManufacturerRemoved(manufacturer);
    }

    /// @notice Sets the freshness window (governance).
    /// @param newMaxAge Oldest accepted attestation age, 1 second to 30 days.
    /// @param newMaxFutureSkew Largest accepted device-clock lead, 0 to 1 hour.
    function setFreshness(uint64 newMaxAge, uint64 newMaxFutureSkew) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newMaxAge == 0 || newMaxAge > MAX_MAX_AGE || newMaxFutureSkew > MAX_FUTURE_SKEW) {
            revert InvalidFreshness(newMaxAge, newMaxFutureSkew);
        }
        maxAge = newMaxAge;
        maxFutureSkew = newMaxFutureSkew;
        emit FreshnessSet(newMaxAge, newMaxFutureSkew);
    }

    /// @notice Sets the asset registry (governance); address(0) lets owners bind alone.
    /// @param registry The IAssetRegistry.
    function setAssetRegistry(IAssetRegistry registry) external onlyRole(DEFAULT_ADMIN_ROLE) {
        assetRegistry = registry;
        emit AssetRegistrySet(address(registry));
    }

    // ---------------------------------------------------------------------------------------------
    // Registration, claim, rotation
    // ---------------------------------------------------------------------------------------------

    /// @notice The id of a device with this original key: keccak256(abi.encode(keyType, keyA, keyB)).
    /// @param keyType Curve.
    /// @param keyA secp256k1: the address left-padded; P-256: x.
    /// @param keyB secp256k1: 0; P-256: y.
    /// @return The device id.
    function deviceIdOf(KeyType keyType, bytes32 keyA, bytes32 keyB) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(keyType, keyA, keyB)));
    }

    /// @notice Registers a device signed by its admitted manufacturer's authority. Anyone may relay.
    /// @param reg The registration (key, model, firmware, serial hash, manufacturer).
    /// @param manufacturerSignature Signature of the authority over the EIP-712 `RegisterDevice`.
    /// @return deviceId The new device's id.
    function registerDevice(
        DeviceRegistration calldata reg,
        bytes calldata manufacturerSignature
    ) external returns (uint256 deviceId) {
        Manufacturer memory m = _manufacturers[reg.manufacturer];
        if (!m.active) revert UnknownManufacturer(reg.manufacturer);
        _checkKey(reg.keyType, reg.keyA, reg.keyB);
        deviceId = deviceIdOf(reg.keyType, reg.keyA, reg.keyB);
        if (_core[deviceId].status != DeviceStatus.None) revert DeviceExists(deviceId);
        bytes32 digest = _hashTypedDataV4(
            keccak256(
                abi.encode(
                    REGISTER_DEVICE_TYPEHASH,
                    reg.manufacturer,
                    reg.keyType,
                    reg.keyA,
                    reg.keyB,
                    reg.model,
                    reg.firmwareHash,
                    reg.serialHash
                )
            )
        );
        if (!SignatureChecker.isValidSignatureNowCalldata(m.signer, digest, manufacturerSignature)) {
            revert InvalidManufacturerSignature(reg.manufacturer);
        }
        _setKey(deviceId, reg.keyType, reg.keyA, reg.keyB, 0, DeviceStatus.Active, false);
        _meta[deviceId].manufacturer = reg.manufacturer;
        emit DeviceRegistered(
            deviceId,
            reg.manufacturer,
            reg.keyType,
            reg.keyA,
            reg.keyB,
            reg.model,
            reg.firmwareHash,
            reg.serialHash
        );
    }

    /// @notice Mints the device's token to `owner`, proven by the device key's EIP-712 `Claim`
    ///         (`nonce` = the device's current nonce). Anyone may relay.
    /// @param deviceId The device.
    /// @param owner The operator who receives the token.
    /// @param deadline Last second the signature is valid.
    /// @param deviceSignature The device key's signature (see contract NatSpec for the encoding).
    function claim(uint256 deviceId, address owner, uint64 deadline, bytes calldata deviceSignature) external {
        Core memory c = _core[deviceId];
        if (c.status == DeviceStatus.None) revert UnknownDevice(deviceId);
        if (c.status != DeviceStatus.Active) revert DeviceNotActive(deviceId, c.status);
        if (_ownerOf(deviceId) != address(0)) revert AlreadyClaimed(deviceId);
        if (owner == address(0)) revert ZeroAddress();
        if (block.timestamp > deadline) revert SignatureExpired(deadline, block.timestamp);
        uint32 nonce = _meta[deviceId].nonce;
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(CLAIM_TYPEHASH, deviceId, owner, nonce, deadline)));
        _requireDeviceSignature(deviceId, c, digest, deviceSignature);
        _meta[deviceId].nonce = nonce + 1;
        deviceToken.mint(owner, deviceId);
        emit DeviceClaimed(deviceId, owner);
    }

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
    ) external {
        Core memory c = _core[deviceId];
        if (c.status == DeviceStatus.None) revert UnknownDevice(deviceId);
        if (c.status == DeviceStatus.Decommissioned) revert DeviceDecommissioned(deviceId);
        if (_ownerOf(deviceId) != msg.sender) revert Unauthorized(msg.sender, deviceId);
        if (block.timestamp > deadline) revert SignatureExpired(deadline, block.timestamp);
        _checkKey(newKeyType, newKeyA, newKeyB);
        uint32 nonce = _meta[deviceId].nonce;
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(ROTATE_KEY_TYPEHASH, deviceId, newKeyType, newKeyA, newKeyB, nonce, deadline))
        );
        _requireDeviceSignature(deviceId, c, digest, currentKeySignature);
        _meta[deviceId].nonce = nonce + 1;
        _setKey(deviceId, newKeyType, newKeyA, newKeyB, c.lastCounter, c.status, c.suspendedByGovernance);
        if (c.keyType == KeyType.P256 && newKeyType != KeyType.P256) delete _p256Key[deviceId];
        emit DeviceKeyRotated(deviceId, newKeyType, newKeyA, newKeyB);
    }

    // ---------------------------------------------------------------------------------------------
    // Status
    // ---------------------------------------------------------------------------------------------

    /// @notice Suspends an Active device: its admitted manufacturer or governance.
    /// @param deviceId The device.
    function suspend(uint256 deviceId) external {
        Core storage c = _core[deviceId];
        DeviceStatus status = c.status;
        if (status == DeviceStatus.None) revert UnknownDevice(deviceId);
        bool byGovernance = _isGovernanceOrManufacturer(deviceId);
        if (status != DeviceStatus.Active) revert DeviceNotActive(deviceId, status);
        c.status = DeviceStatus.Suspended;
        c.suspendedByGovernance = byGovernance;
        emit DeviceStatusChanged(deviceId, DeviceStatus.Suspended, msg.sender);
    }

    /// @notice Resumes a Suspended device: governance, or its admitted manufacturer unless governance
    ///         suspended it.
    /// @param deviceId The device.
    function resume(uint256 deviceId) external {
        Core storage c = _core[deviceId];
        DeviceStatus status = c.status;
        if (status == DeviceStatus.None) revert UnknownDevice(deviceId);
        bool byGovernance = _isGovernanceOrManufacturer(deviceId);
        if (status != DeviceStatus.Suspended) revert DeviceNotActive(deviceId, status);
        if (c.suspendedByGovernance && !byGovernance) revert SuspendedByGovernance(deviceId);
        c.status = DeviceStatus.Active;
        c.suspendedByGovernance = false;
        emit DeviceStatusChanged(deviceId, DeviceStatus.Active, msg.sender);
    }

    /// @notice Decommissions the device for good: its owner or governance; refused while leased.
    ///         Drops its binding and any pending bind request.
    /// @param deviceId The device.
    function decommission(uint256 deviceId) external {
        Core storage c = _core[deviceId];
        DeviceStatus status = c.status;
        if (status == DeviceStatus.None) revert UnknownDevice(deviceId);
        if (status == DeviceStatus.Decommissioned) revert DeviceDecommissioned(deviceId);
        if (_ownerOf(deviceId) != msg.sender && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert Unauthorized(msg.sender, deviceId);
        }
        _requireNotLeased(deviceId);
        c.status = DeviceStatus.Decommissioned;
        c.suspendedByGovernance = false;
        _clearBindRequest(deviceId);
        uint256 assetId = _asset[deviceId];
        if (assetId != 0) {
            delete _asset[deviceId];
            emit DeviceUnbound(deviceId, assetId);
        }
        emit DeviceStatusChanged(deviceId, DeviceStatus.Decommissioned, msg.sender);
    }

    // ---------------------------------------------------------------------------------------------
    // Binding and lease
    // ---------------------------------------------------------------------------------------------

    /// @notice Binds the device to `assetId` (owner). Without an asset registry the owner binds alone;
    ///         with one, the asset must be Active and the binding takes effect at once only if the owner
    ///         is the asset's agent, otherwise it becomes a request the agent confirms ({confirmBind}).
    ///         Refused while the device or its current asset is leased.
    /// @param deviceId The device.
    /// @param assetId The asset (non-zero).
    function bindToAsset(uint256 deviceId, uint256 assetId) external {
        _requireOwnerAndLive(deviceId);
        if (assetId == 0) revert AssetNotActive(assetId);
        uint256 current = _asset[deviceId];
        if (current == assetId) revert AlreadyBound(deviceId, assetId);
        _requireNotLeased(deviceId);
        IAssetRegistry registry = assetRegistry;
        if (address(registry) == address(0)) {
            _bind(deviceId, current, assetId);
            return;
        }
        _requireAssetActive(registry, assetId);
        if (registry.agentOf(assetId) == msg.sender) {
            _bind(deviceId, current, assetId);
        } else {
            _clearBindRequest(deviceId);
            _pendingAsset[deviceId] = assetId;
            emit BindRequested(deviceId, assetId);
        }
    }

    /// @notice Confirms the owner's pending request to bind `deviceId` to `assetId` (the asset's agent).
    /// @param deviceId The device.
    /// @param assetId The asset named in the request.
    function confirmBind(uint256 deviceId, uint256 assetId) external {
        DeviceStatus status = _core[deviceId].status;
        if (status == DeviceStatus.None) revert UnknownDevice(deviceId);
        if (status == DeviceStatus.Decommissioned) revert DeviceDecommissioned(deviceId);
        IAssetRegistry registry = assetRegistry;
        if (assetId == 0 || address(registry) == address(0) || _pendingAsset[deviceId] != assetId) {
            revert NoBindRequest(deviceId, assetId);
        }
        if (registry.agentOf(assetId) != msg.sender) revert Unauthorized(msg.sender, deviceId);
        _requireAssetActive(registry, assetId);
        _requireNotLeased(deviceId);
        _bind(deviceId, _asset[deviceId], assetId);
    }

    /// @notice Unbinds the device: its owner or (with an asset registry) the current asset's agent.
    ///         Refused while the device or its asset is leased.
    /// @param deviceId The device.
    function unbind(uint256 deviceId) external {
        if (_core[deviceId].status == DeviceStatus.None) revert UnknownDevice(deviceId);
        uint256 assetId = _asset[deviceId];
        if (assetId == 0) revert NotBound(deviceId);
        IAssetRegistry registry = assetRegistry;
        if (
            _ownerOf(deviceId) != msg.sender &&
            (address(registry) == address(0) || registry.agentOf(assetId) != msg.sender)
        ) revert Unauthorized(msg.sender, deviceId);
        _requireNotLeased(deviceId);
        delete _asset[deviceId];
        emit DeviceUnbound(deviceId, assetId);
    }

    /// @inheritdoc IDeviceRegistry
    function setLease(uint256 deviceId, uint64 until) external onlyRole(LEASE_MANAGER_ROLE) {
        DeviceStatus status = _core[deviceId].status;
        if (status == DeviceStatus.None) revert UnknownDevice(deviceId);
        if (status == DeviceStatus.Decommissioned && until != 0) revert DeviceDecommissioned(deviceId);
        _meta[deviceId].leasedUntil = until;
        emit DeviceLeaseSet(deviceId, until);
    }

    // ---------------------------------------------------------------------------------------------
    // Attestations
    // ---------------------------------------------------------------------------------------------

    /// @notice Verifies and stores one attestation; reverts with the refusal's custom error.
    /// @param a The attestation.
    /// @param signature The device key's signature (secp256k1: 65-byte r||s||v; P-256: 64-byte r||s over
    ///        sha256 of the EIP-712 digest; low-s only).
    function attest(Attestation calldata a, bytes calldata signature) external {
        (AttestationStatus status, Hot memory h) = _validate(a, signature);
        if (status != AttestationStatus.Accepted) _revertFor(status, a, signature, h.core);
        _store(a, h);
    }

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
    ) external returns (AttestationStatus[] memory statuses) {
        uint256 n = items.length;
        if (n != signatures.length) revert LengthMismatch(n, signatures.length);
        statuses = new AttestationStatus[](n);
        for (uint256 i; i < n; ++i) {
            Attestation calldata a = items[i];
            (AttestationStatus status, Hot memory h) = _validate(a, signatures[i]);
            if (status == AttestationStatus.Accepted) {
                _store(a, h);
            } else {
                statuses[i] = status;
                emit AttestationRejected(a.deviceId, i, status);
            }
        }
    }

    /// @notice Judges an attestation without storing it (for relayers filtering their batches).
    /// @param a The attestation.
    /// @param signature Its signature.
    /// @return status Accepted or the reason it would be refused now.
    function checkAttestation(
        Attestation calldata a,
        bytes calldata signature
    ) external view returns (AttestationStatus status) {
        (status, ) = _validate(a, signature);
    }

    /// @notice The EIP-712 digest of an attestation (what secp256k1 keys sign; P-256 keys sign its sha256).
    /// @param a The attestation.
    /// @return The digest.
    function attestationDigest(Attestation calldata a) public view returns (bytes32) {
        bytes32 structHash;
        bytes32 typeHash = ATTESTATION_TYPEHASH;
        assembly ("memory-safe") {
            // keccak256(abi.encode(ATTESTATION_TYPEHASH, a)) in scratch memory past the free pointer: the
            // struct is static (7 words) and every field was range-checked by the ABI decoder on access.
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            calldatacopy(add(ptr, 0x20), a, 0xe0)
            structHash := keccak256(ptr, 0x100)
        }
        return _hashTypedDataV4(structHash);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IDeviceRegistry
    function statusOf(uint256 deviceId) external view returns (DeviceStatus) {
        return _core[deviceId].status;
    }

    /// @inheritdoc IDeviceRegistry
    function ownerOf(uint256 deviceId) external view returns (address) {
        return deviceToken.ownerOf(deviceId);
    }

    /// @inheritdoc IDeviceRegistry
    function assetOf(uint256 deviceId) external view returns (uint256) {
        return _asset[deviceId];
    }

    /// @notice Asset named by the owner's pending bind request, 0 if none.
    /// @param deviceId The device.
    /// @return The requested asset id.
    function pendingAssetOf(uint256 deviceId) external view returns (uint256) {
        return _pendingAsset[deviceId];
    }

    /// @inheritdoc IDeviceRegistry
    function latestReading(uint256 deviceId, uint32 kind) external view returns (Reading memory) {
        return _readings[deviceId][kind];
    }

    /// @inheritdoc IDeviceRegistry
    function lastCounter(uint256 deviceId) external view returns (uint64) {
        return _core[deviceId].lastCounter;
    }

    /// @inheritdoc IDeviceRegistry
    function leasedUntil(uint256 deviceId) external view returns (uint64) {
        return _meta[deviceId].leasedUntil;
    }

    /// @notice A manufacturer's admission and signing authority.
    /// @param manufacturer The manufacturer account.
    /// @return active Whether admitted.
    /// @return signer Its signing authority.
    function manufacturerOf(address manufacturer) external view returns (bool active, address signer) {
        Manufacturer memory m = _manufacturers[manufacturer];
        return (m.active, m.signer);
    }

    /// @notice Key, manufacturer and nonce of a device (model, firmware and serial hash are in
    ///         its DeviceRegistered event).
    /// @param deviceId The device.
    /// @return keyType Curve of the current key.
    /// @return keyA Current key, first word (secp256k1: address; P-256: x).
    /// @return keyB Current key, second word (P-256: y).
    /// @return manufacturer Who registered it.
    /// @return nonce Next Claim/RotateKey nonce.
    function deviceInfo(
        uint256 deviceId
    ) external view returns (KeyType keyType, bytes32 keyA, bytes32 keyB, address manufacturer, uint32 nonce) {
        Core memory c = _core[deviceId];
        keyType = c.keyType;
        if (keyType == KeyType.P256) {
            (keyA, keyB) = (_p256Key[deviceId][0], _p256Key[deviceId][1]);
        } else {
            keyA = bytes32(uint256(uint160(c.key)));
        }
        Meta memory m = _meta[deviceId];
        (manufacturer, nonce) = (m.manufacturer, m.nonce);
    }

    /// @notice ERC-165.
    /// @param interfaceId The interface.
    /// @return Whether supported.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IDeviceRegistry).interfaceId || super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    /// @dev The single judge of an attestation: `attest` turns a refusal into its custom error,
    ///      `attestBatch` into a status, `checkAttestation` returns it. Reads the device core slot and the
    ///      (device, kind) Reading slot as whole words (one SLOAD each) and, for P-256, the key coordinates.
    function _validate(
        Attestation calldata a,
        bytes calldata signature
    ) internal view returns (AttestationStatus, Hot memory h) {
        uint256 deviceId = a.deviceId;
        {
            Core storage cs = _core[deviceId];
            uint256 core;
            bytes32 coreSlot;
            assembly ("memory-safe") {
                coreSlot := cs.slot
                core := sload(coreSlot)
            }
            (h.coreSlot, h.core) = (coreSlot, core);
            DeviceStatus status = DeviceStatus(uint8(core >> _STATUS_SHIFT));
            if (status == DeviceStatus.None) return (AttestationStatus.UnknownDevice, h);
            if (status != DeviceStatus.Active) return (AttestationStatus.DeviceInactive, h);
        }
        {
            uint64 ts = a.timestamp;
            if (ts > block.timestamp + maxFutureSkew) return (AttestationStatus.FromFuture, h);
            if (uint256(ts) + maxAge < block.timestamp) return (AttestationStatus.Expired, h);
        }
        if (a.counter <= uint64(h.core >> _COUNTER_SHIFT)) return (AttestationStatus.StaleCounter, h);
        {
            Reading storage rs = _readings[deviceId][a.kind];
            uint256 reading;
            bytes32 readingSlot;
            assembly ("memory-safe") {
                readingSlot := rs.slot
                reading := sload(readingSlot)
            }
            (h.readingSlot, h.reading) = (readingSlot, reading);
            if (a.odometer < uint64(reading >> _ODOMETER_SHIFT)) return (AttestationStatus.OdometerRegressed, h);
        }
        KeyType keyType = KeyType(uint8(h.core >> _KEY_TYPE_SHIFT));
        return (_verify(deviceId, keyType, address(uint160(h.core)), attestationDigest(a), signature), h);
    }

    /// @dev Device signature check shared by attestations, claims and rotations.
    function _verify(
        uint256 deviceId,
        KeyType keyType,
        address key,
        bytes32 digest,
        bytes calldata signature
    ) internal view returns (AttestationStatus) {
        uint256 expected = keyType == KeyType.Secp256k1 ? 65 : 64;
        if (signature.length != expected) return AttestationStatus.BadSignatureLength;
        bytes32 r;
        bytes32 s;
        assembly ("memory-safe") {
            r := calldataload(signature.offset)
            s := calldataload(add(signature.offset, 0x20))
        }
        if (keyType == KeyType.Secp256k1) {
            if (uint256(s) > SECP256K1_HALF_N) return AttestationStatus.MalleableSignature;
            (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(digest, uint8(signature[64]), r, s);
            return
                (err == ECDSA.RecoverError.NoError && signer == key)
                    ? AttestationStatus.Accepted
                    : AttestationStatus.BadSignature;
        }
        if (uint256(s) > P256_HALF_N) return AttestationStatus.MalleableSignature;
        bytes32[2] storage q = _p256Key[deviceId];
        return
            P256.verify(sha256(abi.encodePacked(digest)), r, s, q[0], q[1])
                ? AttestationStatus.Accepted
                : AttestationStatus.BadSignature;
    }

    /// @dev Reverts unless the device key signed `digest` (claims and rotations).
    function _requireDeviceSignature(
        uint256 deviceId,
        Core memory c,
        bytes32 digest,
        bytes calldata signature
    ) internal view {
        AttestationStatus st = _verify(deviceId, c.keyType, c.key, digest, signature);
        if (st != AttestationStatus.Accepted) _revertForSignature(st, deviceId, c.keyType, signature);
    }

    /// @dev Maps a refusal to its custom error (no judging here). `core` is the device's core word.
    function _revertFor(
        AttestationStatus st,
        Attestation calldata a,
        bytes calldata signature,
        uint256 core
    ) internal view {
        if (st == AttestationStatus.UnknownDevice) revert UnknownDevice(a.deviceId);
        if (st == AttestationStatus.DeviceInactive) {
            revert DeviceNotActive(a.deviceId, DeviceStatus(uint8(core >> _STATUS_SHIFT)));
        }
        if (st == AttestationStatus.FromFuture) revert AttestationFromFuture(a.timestamp, block.timestamp);
        if (st == AttestationStatus.Expired) revert AttestationExpired(a.timestamp, block.timestamp);
        if (st == AttestationStatus.StaleCounter) {
            revert StaleCounter(a.deviceId, a.counter, uint64(core >> _COUNTER_SHIFT));
        }
        if (st == AttestationStatus.OdometerRegressed) {
            revert OdometerRegressed(a.deviceId, a.kind, a.odometer, _readings[a.deviceId][a.kind].odometer);
        }
        _revertForSignature(st, a.deviceId, KeyType(uint8(core >> _KEY_TYPE_SHIFT)), signature);
    }

    /// @dev Maps a signature refusal to its custom error.
    function _revertForSignature(
        AttestationStatus st,
        uint256 deviceId,
        KeyType keyType,
        bytes calldata signature
    ) private pure {
        if (st == AttestationStatus.BadSignatureLength) {
            revert InvalidSignatureLength(signature.length, keyType == KeyType.Secp256k1 ? 65 : 64);
        }
        if (st == AttestationStatus.MalleableSignature) revert MalleableSignature(bytes32(signature[32:64]));
        revert InvalidDeviceSignature(deviceId);
    }

    /// @dev Writes the two slots of an accepted attestation (one SSTORE each) and emits its event.
    function _store(Attestation calldata a, Hot memory h) internal {
        uint256 counter = a.counter;
        uint256 value = a.value;
        // Core: replace lastCounter, keep key, key type, status and flags.
        uint256 core = (h.core & ~(uint256(type(uint64).max) << _COUNTER_SHIFT)) | (counter << _COUNTER_SHIFT);
        // Reading: counter | timestamp (uint40: <= now + maxFutureSkew) | value | odometer (checked in
        // _validate: not below the stored one).
        uint256 reading =
            counter |
                (uint256(uint40(a.timestamp)) << _TIMESTAMP_SHIFT) |
                (value << _VALUE_SHIFT) |
                (uint256(a.odometer) << _ODOMETER_SHIFT);
        (bytes32 coreSlot, bytes32 readingSlot) = (h.coreSlot, h.readingSlot);
        assembly ("memory-safe") {
            sstore(coreSlot, core)
            sstore(readingSlot, reading)
        }
        emit AttestationAccepted(a.deviceId, a.kind, a.counter, a.value, a.odometer);
    }

    /// @dev Reverts unless the key is a valid key of its curve.
    function _checkKey(KeyType keyType, bytes32 keyA, bytes32 keyB) private pure {
        bool ok;
        if (keyType == KeyType.Secp256k1) {
            ok = keyB == 0 && keyA != 0 && uint256(keyA) >> 160 == 0;
        } else if (keyType == KeyType.P256) {
            ok = P256.isValidPublicKey(keyA, keyB);
        }
        if (!ok) revert InvalidDeviceKey(keyType, keyA, keyB);
    }

    /// @dev Writes a device's core slot (and P-256 coordinates).
    function _setKey(
        uint256 deviceId,
        KeyType keyType,
        bytes32 keyA,
        bytes32 keyB,
        uint64 counter,
        DeviceStatus status,
        bool govSuspended
    ) private {
        address key;
        if (keyType == KeyType.Secp256k1) {
            key = address(uint160(uint256(keyA)));
        } else {
            _p256Key[deviceId] = [keyA, keyB];
        }
        _core[deviceId] = Core({
            key: key,
            lastCounter: counter,
            keyType: keyType,
            status: status,
            suspendedByGovernance: govSuspended
        });
    }

    /// @dev True for governance, false for the device's admitted manufacturer, reverts for anyone else.
    function _isGovernanceOrManufacturer(uint256 deviceId) private view returns (bool) {
        if (hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) return true;
        address manufacturer = _meta[deviceId].manufacturer;
        if (msg.sender != manufacturer || !_manufacturers[manufacturer].active) {
            revert Unauthorized(msg.sender, deviceId);
        }
        return false;
    }

    /// @dev Reverts unless the caller owns the device and it is not decommissioned.
    function _requireOwnerAndLive(uint256 deviceId) private view {
        DeviceStatus status = _core[deviceId].status;
        if (status == DeviceStatus.None) revert UnknownDevice(deviceId);
        if (_ownerOf(deviceId) != msg.sender) revert Unauthorized(msg.sender, deviceId);
        if (status == DeviceStatus.Decommissioned) revert DeviceDecommissioned(deviceId);
    }

    /// @dev Reverts while the device, or (with an asset registry) its current asset, is leased.
    function _requireNotLeased(uint256 deviceId) private view {
        uint64 until = _meta[deviceId].leasedUntil;
        if (until > block.timestamp) revert DeviceLeased(deviceId, until);
        uint256 assetId = _asset[deviceId];
        IAssetRegistry registry = assetRegistry;
        if (assetId != 0 && address(registry) != address(0)) {
            until = registry.leasedUntil(assetId);
            if (until > block.timestamp) revert DeviceLeased(deviceId, until);
        }
    }

    /// @dev Reverts unless the asset is Active in the registry.
    function _requireAssetActive(IAssetRegistry registry, uint256 assetId) private view {
        if (assetId == 0 || registry.statusOf(assetId) != IAssetRegistry.AssetStatus.Active) {
            revert AssetNotActive(assetId);
        }
    }

    /// @dev Binds (replacing `current`, if any) and clears the pending request.
    function _bind(uint256 deviceId, uint256 current, uint256 assetId) private {
        _clearBindRequest(deviceId);
        if (current != 0) emit DeviceUnbound(deviceId, current);
        _asset[deviceId] = assetId;
        emit DeviceBound(deviceId, assetId);
    }

    /// @dev Drops a pending bind request, if any.
    function _clearBindRequest(uint256 deviceId) private {
        uint256 pending = _pendingAsset[deviceId];
        if (pending != 0) {
            delete _pendingAsset[deviceId];
            emit BindRequestCleared(deviceId, pending);
        }
    }

    /// @notice Transfer hook of the device token: refuses moving a leased device, or one bound to a
    ///         leased asset, and drops the previous owner's bind request. Only the device token calls it.
    /// @param deviceId The device.
    /// @param from Previous owner.
    /// @param to New owner.
    function onDeviceTransfer(uint256 deviceId, address from, address to) external {
        if (msg.sender != address(deviceToken)) revert Unauthorized(msg.sender, deviceId);
        _requireNotLeased(deviceId);
        _clearBindRequest(deviceId);
        (from, to); // the event is the token's Transfer
    }

    /// @dev Owner of the device token, address(0) while unclaimed.
    function _ownerOf(uint256 deviceId) private view returns (address) {
        return deviceToken.ownerOrZero(deviceId);
    }
}
