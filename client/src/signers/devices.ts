/**
 * Device signers: one interface for every key a device may hold.
 *
 * - Secp256k1DeviceSigner: an ethers Wallet; signs the EIP-712 digest; 65 bytes r || s || v.
 * - WebCryptoP256Signer: a NON-EXTRACTABLE WebCrypto key (as in a secure element); ECDSA P-256 SHA-256
 *   over the 32 digest bytes (so the curve operation is over sha256(digest), which the registry
 *   verifies); the raw r || s result is normalised to low s.
 * - NobleP256Signer: @noble/curves P-256, same rule, an independent implementation.
 * - viemDeviceSigner: a secp256k1 device key held as a viem LocalAccount (`privateKeyToAccount`).
 * - Erc7913RegistrySigner: a passkey or an RSA key (an ERC-7913 signer of keys/erc7913.ts) as a device key.
 *
 * No Node APIs: WebCrypto is `globalThis.crypto` (browsers, workers, Node >= 20, Deno, Bun).
 */
import { p256 } from "@noble/curves/nist.js";
import {
  AbiCoder,
  BaseWallet,
  SigningKey,
  TypedDataEncoder,
  getBytes,
  hexlify,
  keccak256,
  solidityPacked,
  toBeHex,
  zeroPadValue,
} from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";
import { KeyType, deviceIdOf, secp256k1KeyA } from "../eip712/devices.js";
import type { Erc7913DeviceSigner } from "../keys/erc7913.js";
import type { Address, Hex } from "../types.js";
import { P256_N, decodeRS, derToRS, encodeRS, normaliseLowS } from "./p256.js";

export interface DeviceSigner {
  readonly keyType: KeyType;
  /** secp256k1: the address left-padded; P-256: x. */
  readonly keyA: Hex;
  /** secp256k1: zero; P-256: y. */
  readonly keyB: Hex;
  /** deviceId of this key as ORIGINAL key (after a rotation, the device keeps its first id). */
  readonly deviceId: bigint;
  /** Signs typed data, returning the registry's encoding for this curve. */
  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<Hex>;
  /** Signs an EIP-712 digest directly (same result as signTypedData of the message). */
  signDigest(digest: string): Promise<Hex>;
}

const ZERO32: Hex = `0x${"00".repeat(32)}`;

type SubtleCrypto = typeof globalThis.crypto.subtle;
type WebCryptoKey = Parameters<SubtleCrypto["sign"]>[1];

/** WebCrypto of the platform (browsers, workers, Node >= 20): never `node:crypto`. */
function subtle(): SubtleCrypto {
  const crypto = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto;
  if (crypto?.subtle === undefined) {
    throw new Error("WebCrypto is not available (globalThis.crypto.subtle): a secure context or Node >= 20 is needed");
  }
  return crypto.subtle;
}

abstract class BaseDeviceSigner implements DeviceSigner {
  abstract readonly keyType: KeyType;
  abstract readonly keyA: Hex;
  abstract readonly keyB: Hex;
  private cachedId?: bigint;
  get deviceId(): bigint {
    return (this.cachedId ??= deviceIdOf(this.keyType, this.keyA, this.keyB));
  }
  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>) {
    return this.signDigest(TypedDataEncoder.hash(domain, types, value));
  }
  abstract signDigest(digest: string): Promise<Hex>;
}

export class Secp256k1DeviceSigner extends BaseDeviceSigner {
  readonly keyType = KeyType.Secp256k1;
  readonly keyA: Hex;
  readonly keyB = ZERO32;
  constructor(readonly wallet: BaseWallet) {
    super();
    this.keyA = secp256k1KeyA(wallet.address);
  }
  static fromPrivateKey(privateKey: string): Secp256k1DeviceSigner {
    return new Secp256k1DeviceSigner(new BaseWallet(new SigningKey(privateKey)));
  }
  async signDigest(digest: string): Promise<Hex> {
    return this.wallet.signingKey.sign(digest).serialized as Hex; // r || s || v, canonical low s
  }
}

export class WebCryptoP256Signer extends BaseDeviceSigner {
  readonly keyType = KeyType.P256;
  private constructor(
    private readonly privateKey: WebCryptoKey,
    readonly keyA: Hex,
    readonly keyB: Hex,
  ) {
    super();
  }
  /** A fresh key pair whose private key cannot be exported. */
  static async generate(): Promise<WebCryptoP256Signer> {
    const { privateKey, publicKey } = await subtle().generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, [
      "sign",
      "verify",
    ]);
    if (privateKey.extractable) throw new Error("WebCrypto returned an extractable private key");
    const raw = new Uint8Array(await subtle().exportKey("raw", publicKey)); // 0x04 || x || y
    return new WebCryptoP256Signer(
      privateKey,
      hexlify(raw.subarray(1, 33)) as Hex,
      hexlify(raw.subarray(33, 65)) as Hex,
    );
  }
  get extractable(): boolean {
    return this.privateKey.extractable;
  }
  async signDigest(digest: string): Promise<Hex> {
    const sig = new Uint8Array(
      await subtle().sign({ name: "ECDSA", hash: "SHA-256" }, this.privateKey, getBytes(digest)),
    );
    // WebCrypto returns IEEE P1363 r || s; a secure element returning DER would go through derToRS.
    const { r, s } = sig.length === 64 ? decodeRS(sig) : derToRS(sig);
    const low = normaliseLowS(r, s);
    return encodeRS(low.r, low.s);
  }
}

export class NobleP256Signer extends BaseDeviceSigner {
  readonly keyType = KeyType.P256;
  readonly keyA: Hex;
  readonly keyB: Hex;
  constructor(private readonly secretKey: Uint8Array) {
    super();
    const pub = p256.getPublicKey(secretKey, false);
    this.keyA = hexlify(pub.subarray(1, 33)) as Hex;
    this.keyB = hexlify(pub.subarray(33, 65)) as Hex;
  }
  async signDigest(digest: string): Promise<Hex> {
    return this.signDigestSync(digest);
  }
  /** Synchronous signing (for the simulator's hot loop). */
  signDigestSync(digest: string): Hex {
    const sig = p256.sign(getBytes(digest), this.secretKey, { prehash: true, lowS: true });
    const { r, s } = decodeRS(sig);
    const low = normaliseLowS(r, s);
    return encodeRS(low.r, low.s);
  }
}

/** A viem LocalAccount (`privateKeyToAccount(key)`): raw-hash signing is what a device key needs. */
export interface ViemDeviceAccount {
  readonly address: Address;
  sign?: ((parameters: { hash: Hex }) => Promise<Hex>) | undefined;
}

class ViemSecp256k1DeviceSigner extends BaseDeviceSigner {
  readonly keyType = KeyType.Secp256k1;
  readonly keyA: Hex;
  readonly keyB = ZERO32;
  constructor(private readonly account: ViemDeviceAccount) {
    super();
    this.keyA = secp256k1KeyA(account.address);
  }
  async signDigest(digest: string): Promise<Hex> {
    const sign = this.account.sign;
    if (sign === undefined) throw new Error("this viem account cannot sign a raw hash (use a LocalAccount)");
    return sign({ hash: digest as Hex }); // r || s || v (v = 27 | 28), low s
  }
}

/**
 * A secp256k1 device signer over a viem LocalAccount: `viemDeviceSigner(privateKeyToAccount(key))` signs
 * every device message exactly like `Secp256k1DeviceSigner.fromPrivateKey(key)`.
 */
export function viemDeviceSigner(account: ViemDeviceAccount): DeviceSigner {
  return new ViemSecp256k1DeviceSigner(account);
}

/**
 * Deterministic device keys from a seed: device `index` of `seed` always gets the same key, so a
 * simulator of 10,000 devices need not store them. secp256k1 keys are keccak(seed, "k1", index, j)
 * and P-256 keys keccak(seed, "r1", index, j), taking the first j that is a valid scalar.
 */
export function deterministicDeviceSigner(seed: string, index: number, curve: "secp256k1" | "p256"): DeviceSigner {
  for (let j = 0; ; j++) {
    const sk = keccak256(solidityPacked(["bytes32", "string", "uint256", "uint256"], [seed, curve, index, j]));
    const n = BigInt(sk);
    if (curve === "secp256k1") {
      if (n !== 0n && n < 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n) {
        return Secp256k1DeviceSigner.fromPrivateKey(sk);
      }
    } else if (n !== 0n && n < P256_N) {
      return new NobleP256Signer(getBytes(toBeHex(n, 32)));
    }
  }
}

/** The registry's device signature of an ERC-7913 key: `abi.encode(bytes key, bytes verifierSignature)`. */
export function erc7913DeviceSignature(key: string, verifierSignature: string): Hex {
  return AbiCoder.defaultAbiCoder().encode(["bytes", "bytes"], [key, verifierSignature]) as Hex;
}

/** The registry's key words of an ERC-7913 key: keyA = the verifier left-padded, keyB = keccak256(key bytes). */
export function erc7913KeyWords(verifier: string, key: string): { keyA: Hex; keyB: Hex } {
  return { keyA: zeroPadValue(verifier, 32) as Hex, keyB: keccak256(key) as Hex };
}

/**
 * A passkey (WebAuthnDeviceSigner), an RSA key (WebCryptoRsaSigner) or any ERC-7913 signer as a registry
 * device signer: keyType Erc7913, keyA = the verifier, keyB = keccak256(key bytes), and every signature
 * carries the key bytes (`abi.encode(key, verifierSignature)`), so the registry stores only their hash.
 * The key must be admitted once (`DeviceKeys.admitKey(verifier, key)`) before the device is registered.
 */
export class Erc7913RegistrySigner extends BaseDeviceSigner {
  readonly keyType = KeyType.Erc7913;
  readonly keyA: Hex;
  readonly keyB: Hex;
  constructor(readonly inner: Erc7913DeviceSigner) {
    super();
    ({ keyA: this.keyA, keyB: this.keyB } = erc7913KeyWords(inner.verifier, inner.key));
  }
  get verifier(): Address {
    return this.inner.verifier;
  }
  get key(): Hex {
    return this.inner.key;
  }
  async signDigest(digest: string): Promise<Hex> {
    return erc7913DeviceSignature(this.inner.key, await this.inner.signDigest(digest));
  }
}
