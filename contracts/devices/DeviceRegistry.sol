// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {P256} from "@openzeppelin/contracts/utils/cryptography/P256.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {P256_HALF_N, SECP256K1_HALF_N} from "../common/Constants.sol";
import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IDeviceKeys} from "../interfaces/IDeviceKeys.sol";
import {IDeviceRegistry, DEVICE_LEASE_MANAGER_ROLE} from "../interfaces/IDeviceRegistry.sol";
import {IDeviceToken, IDeviceTransferHook} from "../interfaces/IDeviceToken.sol";
import {DeviceKeys} from "./DeviceKeys.sol";
import {DeviceToken} from "./DeviceToken.sol";

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
/// - ERC-7913 (passkeys through WebAuthn, TPM RSA keys): `keyA` = an allowlisted verifier, `keyB` = keccak256 of key
///   bytes admitted in {deviceKeys}; the registry stores those two words only. The signature is
///   `abi.encode(bytes key, bytes verifierSignature)`: the relayer passes the key bytes, {DeviceKeys} checks their
///   hash and asks the verifier (a non-reverting staticcall). The secp256k1 and P-256 paths never call out.
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
/// Tokens and leases. Ownership and use of a device are one concept kept in {DeviceToken} (ERC-721 and
/// ERC-4907, token id = device id), created by this registry in its constructor; this contract is the
/// device's identity, lifecycle, binding and attestations. `ownerOf` here reads the token. The token is
/// minted on claim (nothing is minted at registration) and every transfer calls back {onDeviceTransfer},
/// which refuses moving a leased device. A lease is the token's ERC-4907 user record, set by an account
/// holding this registry's LEASE_MANAGER_ROLE through `DeviceToken.setUser`; {leasedUntil} reads its
/// `userExpires`, so the lease has one source of truth. ERC-721 state is never touched on the attestation
/// path.
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

    /// @notice A manufacturer: whether governance admits it and the authority (EOA or ERC-1271 wallet)
    ///         whose signatures register its devices.
    struct Manufacturer {
        bool active;
        address signer;
    }

    /// @dev The hot slot of a device: read and written by every accepted attestation (one SLOAD, one SSTORE).
    ///      160 + 64 + 8 + 8 + 8 = 248 bits.
    struct Core {
        address key; // secp256k1 key address; the verifier of an ERC-7913 key; 0 for P-256 keys
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
        uint32 nonce; // consumed by Claim and RotateKey
    }

    // ---------------------------------------------------------------------------------------------
    // Constants and storage
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IDeviceRegistry
    bytes32 public constant LEASE_MANAGER_ROLE = DEVICE_LEASE_MANAGER_ROLE;

    /// @inheritdoc IDeviceRegistry
    bytes32 public constant REGISTER_DEVICE_TYPEHASH = keccak256(
        "RegisterDevice(address manufacturer,uint8 keyType,bytes32 keyA,bytes32 keyB,bytes32 model,"
        "bytes32 firmwareHash,bytes32 serialHash)"
    );
    /// @inheritdoc IDeviceRegistry
    bytes32 public constant CLAIM_TYPEHASH = keccak256(
        "Claim(uint256 deviceId,address owner,uint32 nonce,uint64 deadline)"
    );
    /// @inheritdoc IDeviceRegistry
    bytes32 public constant ROTATE_KEY_TYPEHASH = keccak256(
        "RotateKey(uint256 deviceId,uint8 newKeyType,bytes32 newKeyA,bytes32 newKeyB,uint32 nonce,uint64 deadline)"
    );
    /// @inheritdoc IDeviceRegistry
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

    /// @inheritdoc IDeviceRegistry
    IDeviceToken public immutable deviceToken;
    /// @inheritdoc IDeviceRegistry
    IDeviceKeys public immutable deviceKeys;

    /// @dev Upper bound of `maxAge` (30 days: governance cannot disable freshness).
    uint64 private constant MAX_MAX_AGE = 30 days;
    /// @dev Upper bound of `maxFutureSkew` (1 hour).
    uint64 private constant MAX_FUTURE_SKEW = 1 hours;

    /// @inheritdoc IDeviceRegistry
    /// @dev Default 1 day.
    uint64 public maxAge = 1 days;
    /// @inheritdoc IDeviceRegistry
    /// @dev Default 5 minutes.
    uint64 public maxFutureSkew = 5 minutes;
    /// @inheritdoc IDeviceRegistry
    IAssetRegistry public assetRegistry;

    mapping(address account => Manufacturer) private _manufacturers;
    mapping(uint256 deviceId => Core) private _core;
    mapping(uint256 deviceId => Meta) private _meta;
    /// @dev P-256: (x, y); ERC-7913: (keccak256 of the key bytes, 0); secp256k1: unused.
    mapping(uint256 deviceId => bytes32[2]) private _keyWords;
    mapping(uint256 deviceId => mapping(uint32 kind => Reading)) private _readings;
    mapping(uint256 deviceId => uint256 assetId) private _asset;
    mapping(uint256 deviceId => uint256 assetId) private _pendingAsset;

    // ---------------------------------------------------------------------------------------------
    // Construction and governance
    // ---------------------------------------------------------------------------------------------

    /// @notice Deploys the registry with `governance` as DEFAULT_ADMIN_ROLE.
    /// @param governance Governance account (never implicitly the deployer).
    constructor(address governance) EIP712("Plinth DeviceRegistry", "1") {
        if (governance == address(0)) revert ZeroAddress();
        deviceToken = new DeviceToken();
        deviceKeys = new DeviceKeys();
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
    }

    /// @inheritdoc IDeviceRegistry
    function admitManufacturer(address manufacturer, address signer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (manufacturer == address(0) || signer == address(0)) revert ZeroAddress();
        if (_manufacturers[manufacturer].active) revert ManufacturerExists(manufacturer);
        _manufacturers[manufacturer] = Manufacturer({active: true, signer: signer});
        emit ManufacturerAdmitted(manufacturer, signer);
    }

    /// @inheritdoc IDeviceRegistry
    function setManufacturerSigner(address manufacturer, address signer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (signer == address(0)) revert ZeroAddress();
        if (!_manufacturers[manufacturer].active) revert UnknownManufacturer(manufacturer);
        _manufacturers[manufacturer].signer = signer;
        emit ManufacturerSignerChanged(manufacturer, signer);
    }

    /// @inheritdoc IDeviceRegistry
    function removeManufacturer(address manufacturer) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_manufacturers[manufacturer].active) revert UnknownManufacturer(manufacturer);
        delete _manufacturers[manufacturer];
        emit ManufacturerRemoved(manufacturer);
    }

    /// @inheritdoc IDeviceRegistry
    function setFreshness(uint64 newMaxAge, uint64 newMaxFutureSkew) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newMaxAge == 0 || newMaxAge > MAX_MAX_AGE || newMaxFutureSkew > MAX_FUTURE_SKEW) {
            revert InvalidFreshness(newMaxAge, newMaxFutureSkew);
        }
        maxAge = newMaxAge;
        maxFutureSkew = newMaxFutureSkew;
        emit FreshnessSet(newMaxAge, newMaxFutureSkew);
    }

    /// @inheritdoc IDeviceRegistry
    function setAssetRegistry(IAssetRegistry registry) external onlyRole(DEFAULT_ADMIN_ROLE) {
        assetRegistry = registry;
        emit AssetRegistrySet(address(registry));
    }

    // ---------------------------------------------------------------------------------------------
    // Registration, claim, rotation
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IDeviceRegistry
    function deviceIdOf(KeyType keyType, bytes32 keyA, bytes32 keyB) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(keyType, keyA, keyB)));
    }

    /// @inheritdoc IDeviceRegistry
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

    /// @inheritdoc IDeviceRegistry
    function claim(uint256 deviceId, address owner, uint64 deadline, bytes calldata deviceSignature) external {
        Core memory c = _core[deviceId];
        if (c.status == DeviceStatus.None) revert UnknownDevice(deviceId);
        if (c.status != DeviceStatus.Active) revert DeviceNotActive(deviceId, c.status);
        if (_ownerOf(deviceId) != address(0)) revert AlreadyClaimed(deviceId);
        if (owner == address(0)) revert ZeroAddress();
        uint32 nonce = _useNonce(deviceId, deadline);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(CLAIM_TYPEHASH, deviceId, owner, nonce, deadline)));
        _requireDeviceSignature(deviceId, c, digest, deviceSignature);
        deviceToken.mint(owner, deviceId);
        emit DeviceClaimed(deviceId, owner);
    }

    /// @inheritdoc IDeviceRegistry
    function rotateKey(
        uint256 deviceId,
        KeyType newKeyType,
        bytes32 newKeyA,
        bytes32 newKeyB,
        uint64 deadline,
        bytes calldata currentKeySignature
    ) external {
        Core memory c = _core[deviceId];
        _requireLive(deviceId, c.status);
        _requireCaller(_ownerOf(deviceId), deviceId);
        uint32 nonce = _useNonce(deviceId, deadline);
        _checkKey(newKeyType, newKeyA, newKeyB);
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(ROTATE_KEY_TYPEHASH, deviceId, newKeyType, newKeyA, newKeyB, nonce, deadline))
        );
        _requireDeviceSignature(deviceId, c, digest, currentKeySignature);
        _setKey(deviceId, newKeyType, newKeyA, newKeyB, c.lastCounter, c.status, c.suspendedByGovernance);
        if (c.keyType != KeyType.Secp256k1 && newKeyType == KeyType.Secp256k1) delete _keyWords[deviceId];
        emit DeviceKeyRotated(deviceId, newKeyType, newKeyA, newKeyB);
    }

    // ---------------------------------------------------------------------------------------------
    // Status
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IDeviceRegistry
    function suspend(uint256 deviceId) external {
        _changeStatus(deviceId, DeviceStatus.Active, DeviceStatus.Suspended);
    }

    /// @inheritdoc IDeviceRegistry
    function resume(uint256 deviceId) external {
        _changeStatus(deviceId, DeviceStatus.Suspended, DeviceStatus.Active);
    }

    /// @inheritdoc IDeviceRegistry
    function decommission(uint256 deviceId) external {
        Core storage c = _core[deviceId];
        _requireLive(deviceId, c.status);
        if (_ownerOf(deviceId) != msg.sender && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert Unauthorized(msg.sender, deviceId);
        }
        _requireNotLeased(deviceId);
        c.status = DeviceStatus.Decommissioned;
        c.suspendedByGovernance = false;
        _clearBindRequest(deviceId);
        uint256 assetId = _asset[deviceId];
        if (assetId != 0) _unbind(deviceId, assetId);
        emit DeviceStatusChanged(deviceId, DeviceStatus.Decommissioned, msg.sender);
    }

    // ---------------------------------------------------------------------------------------------
    // Binding and lease
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IDeviceRegistry
    function bindToAsset(uint256 deviceId, uint256 assetId) external {
        _requireOwnerAndLive(deviceId);
        if (assetId == 0) revert AssetNotActive(assetId);
        uint256 current = _asset[deviceId];
        if (current == assetId) revert AlreadyBound(deviceId, assetId);
        _requireNotLeased(deviceId);
        IAssetRegistry registry = assetRegistry;
        if (address(registry) != address(0)) {
            _requireAssetActive(registry, assetId);
            if (registry.agentOf(assetId) != msg.sender) {
                _clearBindRequest(deviceId);
                _pendingAsset[deviceId] = assetId;
                emit BindRequested(deviceId, assetId);
                return;
            }
        }
        _bind(deviceId, current, assetId);
    }

    /// @inheritdoc IDeviceRegistry
    function confirmBind(uint256 deviceId, uint256 assetId) external {
        _requireLive(deviceId, _core[deviceId].status);
        IAssetRegistry registry = assetRegistry;
        if (assetId == 0 || address(registry) == address(0) || _pendingAsset[deviceId] != assetId) {
            revert NoBindRequest(deviceId, assetId);
        }
        _requireCaller(registry.agentOf(assetId), deviceId);
        _requireAssetActive(registry, assetId);
        _requireNotLeased(deviceId);
        _bind(deviceId, _asset[deviceId], assetId);
    }

    /// @inheritdoc IDeviceRegistry
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
        _unbind(deviceId, assetId);
    }

    // ---------------------------------------------------------------------------------------------
    // Attestations
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IDeviceRegistry
    function attest(Attestation calldata a, bytes calldata signature) external {
        (AttestationStatus status, Hot memory h) = _validate(a, signature);
        if (status != AttestationStatus.Accepted) _revertFor(status, a, signature, h);
        _store(a, h);
    }

    /// @inheritdoc IDeviceRegistry
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

    /// @inheritdoc IDeviceRegistry
    function checkAttestation(
        Attestation calldata a,
        bytes calldata signature
    ) external view returns (AttestationStatus status) {
        (status, ) = _validate(a, signature);
    }

    /// @inheritdoc IDeviceRegistry
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

    /// @inheritdoc IDeviceRegistry
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
        return _leaseEnd(deviceId);
    }

    /// @inheritdoc IDeviceRegistry
    function manufacturerOf(address manufacturer) external view returns (bool active, address signer) {
        Manufacturer memory m = _manufacturers[manufacturer];
        return (m.active, m.signer);
    }

    /// @inheritdoc IDeviceRegistry
    function deviceInfo(
        uint256 deviceId
    ) external view returns (KeyType keyType, bytes32 keyA, bytes32 keyB, address manufacturer, uint32 nonce) {
        Core memory c = _core[deviceId];
        keyType = c.keyType;
        if (keyType == KeyType.P256) {
            (keyA, keyB) = (_keyWords[deviceId][0], _keyWords[deviceId][1]);
        } else {
            keyA = bytes32(uint256(uint160(c.key)));
            if (keyType == KeyType.Erc7913) keyB = _keyWords[deviceId][0];
        }
        Meta memory m = _meta[deviceId];
        (manufacturer, nonce) = (m.manufacturer, m.nonce);
    }

    /// @notice ERC-165.
    /// @param interfaceId The interface.
    /// @return Whether supported.
    function supportsInterface(bytes4 interfaceId) public view override(AccessControl, IERC165) returns (bool) {
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
        if (signature.length != expected) {
            // An ERC-7913 signature, abi.encode(bytes, bytes), is never 64 bytes long: checked here, the inline
            // curves pay nothing for it. (A 64-byte one reaches P256.verify with (keyHash, 0), not a curve point:
            // refused.)
            if (keyType == KeyType.Erc7913) return _verifyErc7913(deviceId, key, digest, signature);
            return AttestationStatus.BadSignatureLength;
        }
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
        bytes32[2] storage q = _keyWords[deviceId];
        return
            _verifyP256(sha256(abi.encodePacked(digest)), r, s, q[0], q[1])
                ? AttestationStatus.Accepted
                : AttestationStatus.BadSignature;
    }

    /// @dev OpenZeppelin's `P256.verify` with its pure-Solidity fallback in {deviceKeys}: the P-256 precompile at
    ///      0x100 (EIP-7951 on osaka, RIP-7212 on rollups) decides when present, exactly as `P256.verify` does (same
    ///      checks, same probe); on a chain without it, {IDeviceKeys-verifyP256} runs `P256.verifySolidity`. Same
    ///      bytecode on every chain; the fallback costs one more call there (about 3,000 gas on about 280,000).
    function _verifyP256(bytes32 h, bytes32 r, bytes32 s, bytes32 qx, bytes32 qy) private view returns (bool) {
        if (uint256(r) == 0 || uint256(r) >= P256.N || uint256(s) == 0 || !P256.isValidPublicKey(qx, qy)) {
            return false; // not a proper signature or key, whatever the chain (s <= n/2 was checked)
        }
        if (_p256Precompile(h, r, s, qx, qy)) return true;
        // Invalid, or no precompile: OpenZeppelin's probe with a known-valid signature tells the two apart.
        if (
            _p256Precompile(
                0xbb5a52f42f9c9261ed4361f59422a1e30036e7c32b270c8807a419feca605023,
                bytes32(uint256(5)),
                bytes32(uint256(1)),
                0xa71af64de5126a4a4e02b7922d66ce9415ce88a4c9d25514d91082c8725ac957,
                0x5d47723c8fbe580bb369fec9c2665d8e30a435b9932645482e7c9f11e872296b
            )
        ) return false;
        return deviceKeys.verifyP256(h, r, s, qx, qy);
    }

    /// @dev One staticcall to the P-256 precompile (0x100): true only for a valid signature (as OpenZeppelin's
    ///      `P256._rip7212`, which is private).
    function _p256Precompile(
        bytes32 h,
        bytes32 r,
        bytes32 s,
        bytes32 qx,
        bytes32 qy
    ) private view returns (bool isValid) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, h)
            mstore(add(ptr, 0x20), r)
            mstore(add(ptr, 0x40), s)
            mstore(add(ptr, 0x60), qx)
            mstore(add(ptr, 0x80), qy)
            mstore(0x00, 0)
            if iszero(staticcall(gas(), 0x100, ptr, 0xa0, 0x00, 0x20)) {
                invalid()
            }
            isValid := mload(0x00)
        }
    }

    /// @dev An ERC-7913 key's signature: a non-reverting staticcall to {deviceKeys}, which checks the key bytes'
    ///      hash, the verifier's allowlisting, and asks the verifier.
    function _verifyErc7913(
        uint256 deviceId,
        address verifier,
        bytes32 digest,
        bytes calldata signature
    ) private view returns (AttestationStatus) {
        (bool ok, bytes memory ret) = address(deviceKeys).staticcall(
            abi.encodeCall(IDeviceKeys.verify, (verifier, _keyWords[deviceId][0], digest, signature))
        );
        return
            ok && ret.length == 32 && abi.decode(ret, (bool))
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
        if (st != AttestationStatus.Accepted) _revertForSignature(st, deviceId, c.keyType, digest, signature);
    }

    /// @dev Maps a refusal to its custom error (no judging here). `h` holds the words `_validate` read.
    function _revertFor(
        AttestationStatus st,
        Attestation calldata a,
        bytes calldata signature,
        Hot memory h
    ) internal view {
        uint256 core = h.core;
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
            revert OdometerRegressed(a.deviceId, a.kind, a.odometer, uint64(h.reading >> _ODOMETER_SHIFT));
        }
        _revertForSignature(st, a.deviceId, KeyType(uint8(core >> _KEY_TYPE_SHIFT)), attestationDigest(a), signature);
    }

    /// @dev Maps a signature refusal to its custom error; {deviceKeys} explains an ERC-7913 key's refusal.
    function _revertForSignature(
        AttestationStatus st,
        uint256 deviceId,
        KeyType keyType,
        bytes32 digest,
        bytes calldata signature
    ) private view {
        if (keyType == KeyType.Erc7913) {
            deviceKeys.requireValid(_core[deviceId].key, _keyWords[deviceId][0], digest, signature);
        }
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

    /// @dev Reverts unless the key is a valid key of its kind (an ERC-7913 key: admitted in {deviceKeys}).
    function _checkKey(KeyType keyType, bytes32 keyA, bytes32 keyB) private view {
        bool ok;
        if (keyType == KeyType.Secp256k1) {
            ok = keyB == 0 && keyA != 0 && uint256(keyA) >> 160 == 0;
        } else if (keyType == KeyType.P256) {
            ok = P256.isValidPublicKey(keyA, keyB);
        } else if (keyType == KeyType.Erc7913) {
            ok = uint256(keyA) >> 160 == 0 && deviceKeys.isAdmitted(address(uint160(uint256(keyA))), keyB);
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
        if (keyType == KeyType.P256) {
            _keyWords[deviceId] = [keyA, keyB];
        } else {
            key = address(uint160(uint256(keyA))); // secp256k1: the key's address; ERC-7913: the verifier
            if (keyType == KeyType.Erc7913) _keyWords[deviceId] = [keyB, bytes32(0)];
        }
        _core[deviceId] = Core({
            key: key,
            lastCounter: counter,
            keyType: keyType,
            status: status,
            suspendedByGovernance: govSuspended
        });
    }

    /// @dev Suspends (`from` Active, `to` Suspended) or resumes (the reverse) a device: governance or its
    ///      admitted manufacturer; only governance lifts a governance suspension.
    function _changeStatus(uint256 deviceId, DeviceStatus from, DeviceStatus to) private {
        Core storage c = _core[deviceId];
        DeviceStatus status = c.status;
        if (status == DeviceStatus.None) revert UnknownDevice(deviceId);
        bool byGovernance = _isGovernanceOrManufacturer(deviceId);
        if (status != from) revert DeviceNotActive(deviceId, status);
        if (to == DeviceStatus.Active && c.suspendedByGovernance && !byGovernance) {
            revert SuspendedByGovernance(deviceId);
        }
        c.status = to;
        c.suspendedByGovernance = to == DeviceStatus.Suspended && byGovernance;
        emit DeviceStatusChanged(deviceId, to, msg.sender);
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
        _requireCaller(_ownerOf(deviceId), deviceId);
        _requireLive(deviceId, status);
    }

    /// @dev Reverts while the device, or (with an asset registry) its current asset, is leased.
    function _requireNotLeased(uint256 deviceId) private view {
        uint64 until = _leaseEnd(deviceId);
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

    /// @dev Drops the binding to `assetId` (the device's current asset).
    function _unbind(uint256 deviceId, uint256 assetId) private {
        delete _asset[deviceId];
        emit DeviceUnbound(deviceId, assetId);
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
        _requireCaller(address(deviceToken), deviceId);
        _requireNotLeased(deviceId);
        _clearBindRequest(deviceId);
        (from, to); // the event is the token's Transfer
    }

    /// @dev End of the device's lease: its ERC-4907 `userExpires`, stored by the token as a uint64.
    function _leaseEnd(uint256 deviceId) private view returns (uint64) {
        return uint64(deviceToken.userExpires(deviceId));
    }

    /// @dev Reverts for an unknown or a decommissioned device (`status` is its status).
    function _requireLive(uint256 deviceId, DeviceStatus status) private pure {
        if (status == DeviceStatus.None) revert UnknownDevice(deviceId);
        if (status == DeviceStatus.Decommissioned) revert DeviceDecommissioned(deviceId);
    }

    /// @dev Reverts unless the caller is `allowed`.
    function _requireCaller(address allowed, uint256 deviceId) private view {
        if (msg.sender != allowed) revert Unauthorized(msg.sender, deviceId);
    }

    /// @dev Checks a device-signed message's deadline and consumes the device's Claim/RotateKey nonce.
    function _useNonce(uint256 deviceId, uint64 deadline) private returns (uint32 nonce) {
        if (block.timestamp > deadline) revert SignatureExpired(deadline, block.timestamp);
        nonce = _meta[deviceId].nonce;
        _meta[deviceId].nonce = nonce + 1;
    }

    /// @dev Owner of the device token, address(0) while unclaimed.
    function _ownerOf(uint256 deviceId) private view returns (address) {
        return deviceToken.ownerOrZero(deviceId);
    }
}
