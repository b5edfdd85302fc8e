/**
 * RSA public keys as hardware exports them (a TPM 2.0 key through tpm2-tools or a platform API, a
 * smart card, WebCrypto): SPKI (DER or `-----BEGIN PUBLIC KEY-----`), PKCS#1 (`RSAPublicKey`, DER or
 * `-----BEGIN RSA PUBLIC KEY-----`), JWK (`{ kty: "RSA", n, e }`) and COSE (kty 3). Each gives the
 * modulus and exponent as unsigned big-endian bytes without leading zeros.
 *
 * Refused: a modulus under 2048 bits (OpenZeppelin's RSA verifier never accepts one), an even
 * exponent or one below 3 (e = 1 would let anyone forge signatures), a private key.
 */
import { KeyImportError } from "../keys.js";
import { base64ToBytes, bytesOf, pemBody, publicJwkOf, readTlv, unsignedBigEndian, viewOf } from "./bytes.js";
import { parseCoseKey } from "./cose.js";

/** An RSA public key: modulus `n` and public exponent `e`, big-endian, no leading zero bytes. */
export interface RsaPublicKey {
  n: Uint8Array;
  e: Uint8Array;
  /** The modulus size in bits (2048 for RSA-2048). */
  bits: number;
}

/** A JSON Web Key of an RSA public key (only the members read here). */
export interface RsaPublicJwk {
  kty?: string;
  n?: string;
  e?: string;
  d?: string;
  [member: string]: unknown;
}

/** The smallest modulus OpenZeppelin's RSA verifier accepts. */
export const RSA_MIN_BITS = 2048;

const OID_RSA_ENCRYPTION = "2a864886f70d010101"; // 1.2.840.113549.1.1.1
const OID_RSASSA_PSS = "2a864886f70d01010a"; // 1.2.840.113549.1.1.10

const hexOf = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** Checks and normalises a modulus and exponent. */
export function rsaPublicKey(n: Uint8Array, e: Uint8Array): RsaPublicKey {
  const modulus = unsignedBigEndian(n);
  const exponent = unsignedBigEndian(e);
  const top = modulus[0] ?? 0;
  const bits = top === 0 ? 0 : (modulus.length - 1) * 8 + (32 - Math.clz32(top));
  if (bits < RSA_MIN_BITS) {
    throw new KeyImportError(
      `an RSA-${bits} key: the verifier needs a modulus of at least ${RSA_MIN_BITS} bits (RSA-2048 and up)`,
    );
  }
  if ((modulus[modulus.length - 1]! & 1) === 0) throw new KeyImportError("the RSA modulus is even: not an RSA key");
  const eValue = BigInt(`0x${hexOf(exponent) || "0"}`);
  if (eValue < 3n || (eValue & 1n) === 0n) {
    throw new KeyImportError(`the RSA exponent ${eValue} is unsafe or invalid: expected an odd e >= 3 (usually 65537)`);
  }
  if (exponent.length > modulus.length) throw new KeyImportError("the RSA exponent is longer than the modulus");
  return { n: modulus, e: exponent, bits };
}

function integers(der: Uint8Array, start: number, end: number, count: number, what: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = start;
  for (let i = 0; i < count; i++) {
    const t = readTlv(der, p, end, what);
    if (t.tag !== 0x02) throw new KeyImportError(`not a DER ${what} (an INTEGER expected)`);
    if (t.end === t.start || (der[t.start]! & 0x80) !== 0) {
      throw new KeyImportError(`not a DER ${what} (an empty or negative INTEGER)`);
    }
    out.push(der.subarray(t.start, t.end));
    p = t.end;
  }
  if (p !== end) throw new KeyImportError(`not a DER ${what} (trailing data)`);
  return out;
}

/** PKCS#1 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` (DER bytes or hex). */
export function rsaPublicKeyFromPkcs1(der: Uint8Array | string): RsaPublicKey {
  const bytes = bytesOf(der, "the PKCS#1 DER");
  const seq = readTlv(bytes, 0, bytes.length, "RSAPublicKey");
  if (seq.tag !== 0x30 || seq.end !== bytes.length) throw new KeyImportError("not a DER RSAPublicKey (PKCS#1)");
  const [n, e] = integers(bytes, seq.start, seq.end, 2, "RSAPublicKey");
  return rsaPublicKey(n!, e!);
}

/** An RSA SubjectPublicKeyInfo (DER bytes or hex): algorithm rsaEncryption (or RSASSA-PSS) around PKCS#1. */
export function rsaPublicKeyFromSpki(der: Uint8Array | string): RsaPublicKey {
  const bytes = bytesOf(der, "the SPKI DER");
  const what = "SubjectPublicKeyInfo";
  const outer = readTlv(bytes, 0, bytes.length, what);
  if (outer.tag !== 0x30 || outer.end !== bytes.length) throw new KeyImportError(`not a DER ${what}`);
  const alg = readTlv(bytes, outer.start, outer.end, what);
  const oid = alg.tag === 0x30 ? readTlv(bytes, alg.start, alg.end, what) : undefined;
  if (oid === undefined || oid.tag !== 0x06) throw new KeyImportError(`not a DER ${what}`);
  const algHex = hexOf(bytes.subarray(oid.start, oid.end));
  if (algHex !== OID_RSA_ENCRYPTION && algHex !== OID_RSASSA_PSS) {
    throw new KeyImportError(
      algHex === "2a8648ce3d0201"
        ? "an EC key, not RSA (import it with importDeviceKey or webAuthnKey)"
        : `not an RSA key (algorithm OID 0x${algHex})`,
    );
  }
  const bits = readTlv(bytes, alg.end, outer.end, what);
  if (bits.tag !== 0x03 || bits.end !== outer.end || bits.end - bits.start < 2 || bytes[bits.start] !== 0) {
    throw new KeyImportError(`not a DER ${what}`);
  }
  return rsaPublicKeyFromPkcs1(bytes.subarray(bits.start + 1, bits.end));
}

/** A PEM RSA public key: `-----BEGIN PUBLIC KEY-----` (SPKI) or `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1). */
export function rsaPublicKeyFromPem(pem: string): RsaPublicKey {
  const { label, der } = pemBody(pem, ["PUBLIC KEY", "RSA PUBLIC KEY"]);
  return label === "PUBLIC KEY" ? rsaPublicKeyFromSpki(der) : rsaPublicKeyFromPkcs1(der);
}

/** An RSA JWK (object or JSON text): `{ kty: "RSA", n, e }`, base64url. */
export function rsaPublicKeyFromJwk(jwk: RsaPublicJwk | string): RsaPublicKey {
  const k = publicJwkOf(jwk, "RSA");
  if (typeof k.n !== "string" || typeof k.e !== "string") throw new KeyImportError("the JWK lacks n or e");
  return rsaPublicKey(base64ToBytes(k.n, "the JWK's n"), base64ToBytes(k.e, "the JWK's e"));
}

/** An RSA COSE key (kty 3; labels -1 = n, -2 = e). */
export function rsaPublicKeyFromCose(cose: Uint8Array | string): RsaPublicKey {
  const key = parseCoseKey(bytesOf(cose, "the COSE key"));
  if (key.kty !== "RSA") throw new KeyImportError("the COSE key is not an RSA key (kty 3)");
  return rsaPublicKey(key.n, key.e);
}

/**
 * Any RSA public key form, detected from its shape: an object (a JWK, or `{ n, e }` bytes), text
 * starting `{` (JWK JSON), PEM text, or DER / COSE bytes (hex or bytes: SPKI or PKCS#1 when it starts
 * with 0x30, else a COSE map).
 */
export function importRsaPublicKey(
  input: string | Uint8Array | RsaPublicJwk | { n: Uint8Array; e: Uint8Array },
): RsaPublicKey {
  if (ArrayBuffer.isView(input)) return rsaFromBytes(viewOf(input, "the RSA key"));
  if (typeof input === "object" && input !== null) {
    if (ArrayBuffer.isView(input.n) && ArrayBuffer.isView(input.e)) {
      return rsaPublicKey(viewOf(input.n as Uint8Array, "n"), viewOf(input.e as Uint8Array, "e"));
    }
    return rsaPublicKeyFromJwk(input as RsaPublicJwk);
  }
  if (typeof input !== "string") throw new KeyImportError("an RSA key must be text, bytes or a JWK object");
  const text = input.trim();
  if (text.startsWith("{")) return rsaPublicKeyFromJwk(text);
  if (text.includes("-----BEGIN")) return rsaPublicKeyFromPem(text);
  return rsaFromBytes(bytesOf(text, "the RSA key"));
}

function rsaFromBytes(bytes: Uint8Array): RsaPublicKey {
  if (bytes[0] !== 0x30) return rsaPublicKeyFromCose(bytes);
  // SPKI: SEQUENCE { SEQUENCE { OID ... } ... }; PKCS#1: SEQUENCE { INTEGER, INTEGER }.
  const seq = readTlv(bytes, 0, bytes.length, "RSA public key");
  return bytes[seq.start] === 0x30 ? rsaPublicKeyFromSpki(bytes) : rsaPublicKeyFromPkcs1(bytes);
}
