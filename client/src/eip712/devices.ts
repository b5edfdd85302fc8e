/**
 * EIP-712 messages of Plinth's DeviceRegistry, defined once for tests, scripts and the client.
 *
 * Domain: name "Plinth DeviceRegistry", version "1", chainId, verifyingContract = the registry.
 *
 * What each key signs:
 * - secp256k1 keys sign the EIP-712 digest `d` itself (ecrecover), encoding 65 bytes r || s || v, low s.
 * - P-256 keys sign the 32 bytes of `d` with ECDSA P-256 / SHA-256, i.e. the curve operation is over
 *   `sha256(d)`. That is what WebCrypto and secure elements do when asked to sign the message `d`.
 *   Encoding 64 bytes r || s, with s normalised to the low half (s <= n/2): the registry refuses high s.
 *
 * deviceId = uint256(keccak256(abi.encode(uint8 keyType, bytes32 keyA, bytes32 keyB))) over the device's
 * ORIGINAL key (secp256k1: keyA = address left-padded, keyB = 0; P-256: keyA = x, keyB = y).
 */
import { AbiCoder, TypedDataEncoder, concat, getBytes, keccak256, sha256, zeroPadValue } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";
import { signTypedMessage, type Eip712Domain, type TypedDataSigner } from "../typed-data.js";
import { KeyType } from "../enums.js";
import { asAddress, asHex, type Address, type Hex } from "../types.js";

export const DEVICE_REGISTRY_NAME = "Plinth DeviceRegistry";
export const DEVICE_REGISTRY_VERSION = "1";

/**
 * Curve of a device key, device status, per-item outcome of attestBatch and the registry of reading kinds
 * (contracts/devices/ReadingKinds.sol): generated from the contracts.
 */
export {
  AttestationStatus,
  AttestationStatusNames,
  DeviceStatus,
  DeviceStatusNames,
  KeyType,
  KeyTypeNames,
  ReadingKinds,
} from "../enums.js";

/** Every device message type, defined once. */
export const deviceTypes = {
  RegisterDevice: [
    { name: "manufacturer", type: "address" },
    { name: "keyType", type: "uint8" },
    { name: "keyA", type: "bytes32" },
    { name: "keyB", type: "bytes32" },
    { name: "model", type: "bytes32" },
    { name: "firmwareHash", type: "bytes32" },
    { name: "serialHash", type: "bytes32" },
  ],
  Claim: [
    { name: "deviceId", type: "uint256" },
    { name: "owner", type: "address" },
    { name: "nonce", type: "uint32" },
    { name: "deadline", type: "uint64" },
  ],
  RotateKey: [
    { name: "deviceId", type: "uint256" },
    { name: "newKeyType", type: "uint8" },
    { name: "newKeyA", type: "bytes32" },
    { name: "newKeyB", type: "bytes32" },
    { name: "nonce", type: "uint32" },
    { name: "deadline", type: "uint64" },
  ],
  Attestation: [
    { name: "deviceId", type: "uint256" },
    { name: "kind", type: "uint32" },
    { name: "value", type: "uint64" },
    { name: "odometer", type: "uint64" },
    { name: "payloadHash", type: "bytes32" },
    { name: "counter", type: "uint64" },
    { name: "timestamp", type: "uint64" },
  ],
} as const satisfies Record<string, readonly TypedDataField[]>;

export type DeviceMessageType = keyof typeof deviceTypes;

export interface RegisterDevice {
  manufacturer: Address;
  keyType: KeyType;
  keyA: Hex;
  keyB: Hex;
  model: Hex;
  firmwareHash: Hex;
  serialHash: Hex;
}
export interface Claim {
  deviceId: bigint;
  owner: Address;
  nonce: bigint;
  deadline: bigint;
}
export interface RotateKey {
  deviceId: bigint;
  newKeyType: KeyType;
  newKeyA: Hex;
  newKeyB: Hex;
  nonce: bigint;
  deadline: bigint;
}
export interface Attestation {
  deviceId: bigint;
  kind: bigint;
  value: bigint;
  /** The device's running total of this kind (monotonic; 0 for kinds that are not additive). */
  odometer: bigint;
  payloadHash: Hex;
  counter: bigint;
  timestamp: bigint;
}

export interface DeviceMessages {
  RegisterDevice: RegisterDevice;
  Claim: Claim;
  RotateKey: RotateKey;
  Attestation: Attestation;
}

/** The registry's EIP-712 domain on `chainId` at `registry`. */
export function deviceDomain(chainId: bigint | number, registry: string): Eip712Domain {
  return {
    name: DEVICE_REGISTRY_NAME,
    version: DEVICE_REGISTRY_VERSION,
    chainId: BigInt(chainId),
    verifyingContract: asAddress(registry),
  };
}

/** The types object (only the primary type) for ethers' signTypedData / TypedDataEncoder. */
export function typesFor<T extends DeviceMessageType>(primaryType: T): Record<string, TypedDataField[]> {
  return { [primaryType]: deviceTypes[primaryType].map((f) => ({ ...f })) };
}

/** The EIP-712 digest of a device message (what secp256k1 keys sign). */
export function deviceDigest<T extends DeviceMessageType>(
  domain: TypedDataDomain | Eip712Domain,
  primaryType: T,
  value: DeviceMessages[T],
): Hex {
  return TypedDataEncoder.hash(domain, typesFor(primaryType), value as unknown as Record<string, unknown>) as Hex;
}

/**
 * A digest function for one domain, for hot loops (simulators, relayers): the domain separator and the
 * struct encoders are built once. Same result as {@link deviceDigest}.
 */
export function makeDeviceDigester(domain: TypedDataDomain | Eip712Domain) {
  const separator = TypedDataEncoder.hashDomain(domain);
  const encoders = new Map<DeviceMessageType, TypedDataEncoder>();
  return <T extends DeviceMessageType>(primaryType: T, value: DeviceMessages[T]): Hex => {
    let enc = encoders.get(primaryType);
    if (!enc) encoders.set(primaryType, (enc = TypedDataEncoder.from(typesFor(primaryType))));
    return keccak256(
      concat(["0x1901", separator, enc.hashStruct(primaryType, value as unknown as Record<string, unknown>)]),
    ) as Hex;
  };
}

/** What a P-256 key's ECDSA operates on: sha256 of the 32 digest bytes. */
export function p256SignedHash(digest: string): Hex {
  return sha256(getBytes(digest)) as Hex;
}

/** deviceId of an original key (see the module comment). */
export function deviceIdOf(keyType: KeyType, keyA: string, keyB: string): bigint {
  return BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["uint8", "bytes32", "bytes32"], [keyType, keyA, keyB])));
}

/** keyA of a secp256k1 key: the address left-padded to 32 bytes. */
export function secp256k1KeyA(address: string): Hex {
  return zeroPadValue(address, 32) as Hex;
}

/**
 * Builders: typed, complete message objects (bigint everywhere; addresses and hex checked and typed
 * `Address` / `Hex`, so plain strings from ethers or JSON are accepted).
 */
export function registerDeviceMessage(p: {
  manufacturer: string;
  keyType: KeyType;
  keyA: string;
  keyB: string;
  model: string;
  firmwareHash: string;
  serialHash: string;
}): RegisterDevice {
  return {
    manufacturer: asAddress(p.manufacturer),
    keyType: p.keyType,
    keyA: asHex(p.keyA),
    keyB: asHex(p.keyB),
    model: asHex(p.model),
    firmwareHash: asHex(p.firmwareHash),
    serialHash: asHex(p.serialHash),
  };
}

export function claimMessage(p: {
  deviceId: bigint;
  owner: string;
  nonce?: bigint | number;
  deadline: bigint | number;
}): Claim {
  return { deviceId: p.deviceId, owner: asAddress(p.owner), nonce: BigInt(p.nonce ?? 0), deadline: BigInt(p.deadline) };
}

export function rotateKeyMessage(p: {
  deviceId: bigint;
  newKeyType: KeyType;
  newKeyA: string;
  newKeyB: string;
  nonce: bigint | number;
  deadline: bigint | number;
}): RotateKey {
  return {
    ...p,
    newKeyA: asHex(p.newKeyA),
    newKeyB: asHex(p.newKeyB),
    nonce: BigInt(p.nonce),
    deadline: BigInt(p.deadline),
  };
}

export function attestationMessage(p: {
  deviceId: bigint;
  kind: bigint | number;
  value: bigint | number;
  /** The device's running total of this kind (metered kinds); billing uses odometer differences. */
  odometer: bigint | number;
  payloadHash?: string;
  counter: bigint | number;
  timestamp: bigint | number;
}): Attestation {
  return {
    deviceId: p.deviceId,
    kind: BigInt(p.kind),
    value: BigInt(p.value),
    odometer: BigInt(p.odometer),
    payloadHash: asHex(p.payloadHash ?? `0x${"00".repeat(32)}`),
    counter: BigInt(p.counter),
    timestamp: BigInt(p.timestamp),
  };
}

/**
 * Signs a device message with an ethers signer, a viem account / wallet client, or a device signer
 * (`signers.devices.*`): the manufacturer signs `RegisterDevice`, the device key the others.
 */
export async function signDeviceMessage<T extends DeviceMessageType>(
  signer: TypedDataSigner,
  domain: TypedDataDomain | Eip712Domain,
  primaryType: T,
  message: DeviceMessages[T],
): Promise<Hex> {
  return signTypedMessage(signer, domain, { [primaryType]: deviceTypes[primaryType] }, primaryType, message);
}
