/**
 * Importing a real device's public key (as hardware exports it) into the registry's key form
 * `{ keyType, keyA, keyB }` and its deviceId (see eip712/devices.ts: secp256k1 keyA = the address
 * left-padded, keyB = 0; P-256 keyA = x, keyB = y).
 *
 * Accepted forms:
 * - SPKI (SubjectPublicKeyInfo) as DER bytes / hex or as PEM (`-----BEGIN PUBLIC KEY-----`): an EC key
 *   (id-ecPublicKey) on prime256v1 (P-256) or secp256k1; the point compressed or not.
 * - JWK: `{ kty: "EC", crv: "P-256" | "secp256k1", x, y }` (an object or its JSON text). A JWK holding a
 *   private key (`d`) is refused: export the public key only.
 * - SEC1 points, compressed (33 bytes, 02/03 prefix) or uncompressed (65 bytes, 04 prefix), with an
 *   explicit curve (the bytes do not say which curve they are on).
 *
 * Every point is checked to be on its curve (and not the point at infinity); any problem is a
 * `KeyImportError` with a message that says what is wrong. Browser-safe: no `node:*` import, no Buffer.
 */
import { p256 } from "@noble/curves/nist.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { dataSlice, keccak256, toBeHex, zeroPadValue } from "ethers";
import { KeyType, deviceIdOf } from "./eip712/devices.js";
import { bytesToHex, type Address, type Hex } from "./types.js";
import { base64ToBytes, bytesOf, publicJwkOf, readTlv } from "./keys/bytes.js";

/** What the DER reader names in its errors for a device key's SubjectPublicKeyInfo. */
const SPKI = "SubjectPublicKeyInfo";

/** The curves a device key may be on. */
export type DeviceKeyCurve = "secp256k1" | "p256";

/** A device's public key in the registry's form, with its deviceId. */
export interface DeviceKey {
  curve: DeviceKeyCurve;
  keyType: KeyType;
  /** secp256k1: the address left-padded to 32 bytes; P-256: x. */
  keyA: Hex;
  /** secp256k1: zero; P-256: y. */
  keyB: Hex;
  /** deviceId of this key as the device's original key. */
  deviceId: bigint;
  /** The 65-byte uncompressed SEC1 point (04 || x || y). */
  publicKey: Hex;
  /** secp256k1 only: the key's Ethereum address. */
  address?: Address;
}

/** A JSON Web Key of an EC public key (only the members read here). */
export interface EcPublicJwk {
  kty?: string;
  crv?: string;
  x?: string;
  y?: string;
  d?: string;
  [member: string]: unknown;
}

/** A public key that cannot be imported: the message says why. */
export class KeyImportError extends Error {
  override name = "KeyImportError";
}

const ZERO32 = `0x${"00".repeat(32)}` as Hex;

// DER-encoded OID contents (without tag and length).
const OID_EC_PUBLIC_KEY = "2a8648ce3d0201"; // 1.2.840.10045.2.1
const OID_PRIME256V1 = "2a8648ce3d030107"; // 1.2.840.10045.3.1.7
const OID_SECP256K1 = "2b8104000a"; // 1.3.132.0.10

/** A curve name as written by users, JWK or OpenSSL, to a DeviceKeyCurve; undefined when unknown. */
export function parseKeyCurve(name: string): DeviceKeyCurve | undefined {
  const n = name.trim().toLowerCase().replace(/[-_ ]/g, "");
  if (n === "secp256k1" || n === "k1") return "secp256k1";
  if (n === "p256" || n === "secp256r1" || n === "prime256v1" || n === "nistp256" || n === "r1") return "p256";
  return undefined;
}

function curveOf(curve: DeviceKeyCurve | string): DeviceKeyCurve {
  const c = parseKeyCurve(curve);
  if (c === undefined) throw new KeyImportError(`unknown curve "${curve}" (secp256k1 or p256)`);
  return c;
}

/** The registry's key form of a SEC1 point (compressed or uncompressed) on `curve`; checks the point. */
export function deviceKeyFromPoint(curve: DeviceKeyCurve | string, point: Uint8Array | string): DeviceKey {
  const c = curveOf(curve);
  const bytes = bytesOf(point, "the point");
  const prefix = bytes[0];
  const shapeOk =
    (bytes.length === 33 && (prefix === 0x02 || prefix === 0x03)) || (bytes.length === 65 && prefix === 0x04);
  if (!shapeOk) {
    throw new KeyImportError(
      `not a SEC1 point: expected 33 bytes starting 02/03 (compressed) or 65 bytes starting 04 (uncompressed), ` +
        `got ${bytes.length} bytes starting ${prefix === undefined ? "nothing" : prefix.toString(16).padStart(2, "0")}`,
    );
  }
  let x: bigint;
  let y: bigint;
  try {
    const P = c === "p256" ? p256.Point : secp256k1.Point;
    const pt = P.fromBytes(bytes);
    pt.assertValidity();
    ({ x, y } = pt.toAffine());
  } catch {
    throw new KeyImportError(`the point is not on ${c === "p256" ? "P-256" : "secp256k1"}`);
  }
  const xh = toBeHex(x, 32) as Hex;
  const yh = toBeHex(y, 32) as Hex;
  const publicKey = `0x04${xh.slice(2)}${yh.slice(2)}` as Hex;
  if (c === "p256") {
    return {
      curve: c,
      keyType: KeyType.P256,
      keyA: xh,
      keyB: yh,
      deviceId: deviceIdOf(KeyType.P256, xh, yh),
      publicKey,
    };
  }
  const address = dataSlice(keccak256(`0x${publicKey.slice(4)}`), 12) as Address;
  const keyA = zeroPadValue(address, 32) as Hex;
  return {
    curve: c,
    keyType: KeyType.Secp256k1,
    keyA,
    keyB: ZERO32,
    deviceId: deviceIdOf(KeyType.Secp256k1, keyA, ZERO32),
    publicKey,
    address,
  };
}

/** The registry's key form of a DER SubjectPublicKeyInfo (bytes or hex). */
export function deviceKeyFromSpki(der: Uint8Array | string): DeviceKey {
  const bytes = bytesOf(der, "the SPKI DER");
  const notSpki = "not a DER SubjectPublicKeyInfo";
  const outer = readTlv(bytes, 0, bytes.length, SPKI);
  if (outer.tag !== 0x30 || outer.end !== bytes.length) throw new KeyImportError(notSpki);
  const alg = readTlv(bytes, outer.start, outer.end, SPKI);
  if (alg.tag !== 0x30) throw new KeyImportError(notSpki);
  const algOid = readTlv(bytes, alg.start, alg.end, SPKI);
  if (algOid.tag !== 0x06) throw new KeyImportError(notSpki);
  const algHex = bytesToHex(bytes.subarray(algOid.start, algOid.end)).slice(2);
  if (algHex !== OID_EC_PUBLIC_KEY) {
    throw new KeyImportError("not an EC public key (the algorithm is not id-ecPublicKey; RSA or Ed25519?)");
  }
  if (algOid.end >= alg.end)
    throw new KeyImportError("the EC key names no curve (explicit parameters are not supported)");
  const param = readTlv(bytes, algOid.end, alg.end, SPKI);
  if (param.tag !== 0x06) throw new KeyImportError("the EC key names no curve (explicit parameters are not supported)");
  const curveHex = bytesToHex(bytes.subarray(param.start, param.end)).slice(2);
  const curve: DeviceKeyCurve | undefined =
    curveHex === OID_PRIME256V1 ? "p256" : curveHex === OID_SECP256K1 ? "secp256k1" : undefined;
  if (curve === undefined) {
    throw new KeyImportError(`unsupported curve (OID 0x${curveHex}): only prime256v1 (P-256) and secp256k1`);
  }
  const bits = readTlv(bytes, alg.end, outer.end, SPKI);
  if (bits.tag !== 0x03 || bits.end !== outer.end || bits.end - bits.start < 2 || bytes[bits.start] !== 0) {
    throw new KeyImportError(notSpki);
  }
  return deviceKeyFromPoint(curve, bytes.subarray(bits.start + 1, bits.end));
}

/** The registry's key form of a PEM public key (`-----BEGIN PUBLIC KEY-----`, SPKI inside). */
export function deviceKeyFromPem(pem: string): DeviceKey {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (m === null) throw new KeyImportError("not a PEM block (-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)");
  if (m[1] !== "PUBLIC KEY") {
    throw new KeyImportError(
      m[1]!.includes("PRIVATE")
        ? `a PEM ${m[1]!.toLowerCase()}: export the public key only (-----BEGIN PUBLIC KEY-----)`
        : `a PEM "${m[1]}" block: expected -----BEGIN PUBLIC KEY----- (SubjectPublicKeyInfo)`,
    );
  }
  return deviceKeyFromSpki(base64ToBytes(m[2]!, "the PEM body"));
}

/** The registry's key form of an EC JWK (object or JSON text). */
export function deviceKeyFromJwk(jwk: EcPublicJwk | string): DeviceKey {
  const k = publicJwkOf(jwk, "EC");
  const curve = k.crv === "P-256" ? "p256" : k.crv === "secp256k1" ? "secp256k1" : undefined;
  if (curve === undefined) throw new KeyImportError(`unsupported JWK crv "${String(k.crv)}": P-256 or secp256k1`);
  if (typeof k.x !== "string" || typeof k.y !== "string") throw new KeyImportError("the JWK lacks x or y");
  const x = base64ToBytes(k.x, "the JWK's x");
  const y = base64ToBytes(k.y, "the JWK's y");
  if (x.length !== 32 || y.length !== 32) {
    throw new KeyImportError(`the JWK's x and y must be 32 bytes each, got ${x.length} and ${y.length}`);
  }
  const point = new Uint8Array(65);
  point[0] = 0x04;
  point.set(x, 1);
  point.set(y, 33);
  return deviceKeyFromPoint(curve, point);
}

/**
 * Any accepted form, detected from its shape:
 * - a JWK object, or text starting `{` (JWK JSON)
 * - text containing `-----BEGIN` (PEM)
 * - `<curve>:<hex>` (e.g. `p256:0x04...`, `secp256k1:02...`): a SEC1 point on that curve
 * - hex (0x optional) or bytes: DER SPKI when it starts with 0x30; otherwise a SEC1 point, which
 *   needs `opts.curve`
 */
export function importDeviceKey(
  input: string | Uint8Array | EcPublicJwk,
  opts: { curve?: DeviceKeyCurve | string } = {},
): DeviceKey {
  if (input instanceof Uint8Array) return fromBytes(input, opts.curve);
  if (typeof input === "object" && input !== null) return deviceKeyFromJwk(input);
  if (typeof input !== "string") throw new KeyImportError("a key must be text, bytes or a JWK object");
  const text = input.trim();
  if (text === "") throw new KeyImportError("the key is empty");
  if (text.startsWith("{")) return deviceKeyFromJwk(text);
  if (text.includes("-----BEGIN")) return deviceKeyFromPem(text);
  const sep = /^([A-Za-z0-9_-]+):(.*)$/s.exec(text);
  if (sep !== null) return deviceKeyFromPoint(curveOf(sep[1]!), sep[2]!);
  return fromBytes(bytesOf(text, "the key"), opts.curve);
}

function fromBytes(bytes: Uint8Array, curve: DeviceKeyCurve | string | undefined): DeviceKey {
  if (bytes[0] === 0x30) return deviceKeyFromSpki(bytes);
  if (curve === undefined) {
    throw new KeyImportError(
      "a bare SEC1 point does not say its curve: write <curve>:<hex> (p256:04... or secp256k1:02...)",
    );
  }
  return deviceKeyFromPoint(curve, bytes);
}
