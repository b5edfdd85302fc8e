/**
 * Byte helpers of the key importers: hex, base64 / base64url and DER TLV reading. No Node APIs (no Buffer):
 * runs in browsers.
 */
import { KeyImportError } from "../keys.js";

/** Bytes as given, or the bytes of hex text (0x optional). */
export function bytesOf(input: Uint8Array | ArrayBuffer | string, what: string): Uint8Array {
  if (typeof input !== "string") return viewOf(input, what);
  const body = input.trim().replace(/^0x/i, "");
  if (body.length === 0 || body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) {
    throw new KeyImportError(`${what} is not hex of whole bytes`);
  }
  const out = new Uint8Array(body.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(body.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * A Uint8Array over bytes given as a typed array, a DataView or an ArrayBuffer, also when they come from
 * another realm (an iframe, a worker, a VM context), where `instanceof` fails.
 */
export function viewOf(input: ArrayBufferView | ArrayBuffer, what: string): Uint8Array {
  if (ArrayBuffer.isView(input)) {
    return input instanceof Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  }
  if (typeof (input as { byteLength?: unknown }).byteLength !== "number") {
    throw new KeyImportError(`${what} is not bytes (a Uint8Array, an ArrayBuffer or hex)`);
  }
  return new Uint8Array(input);
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Base64 or base64url (padding optional, whitespace ignored) to bytes. */
export function base64ToBytes(text: string, what: string): Uint8Array {
  const s = text.replace(/\s+/g, "").replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(s) || s.length % 4 === 1) throw new KeyImportError(`${what} is not base64`);
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const ch of s) {
    acc = ((acc << 6) | B64.indexOf(ch)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** Base64url without padding (RFC 4648 section 5): how WebAuthn writes the challenge in clientDataJSON. */
export function bytesToBase64Url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]!;
  }
  return out.replace(/\+/g, "-").replace(/\//g, "_");
}

/** The body of a PEM block of one of `labels` (e.g. PUBLIC KEY), and which label it had. */
export function pemBody(pem: string, labels: readonly string[]): { label: string; der: Uint8Array } {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (m === null) throw new KeyImportError("not a PEM block (-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)");
  const label = m[1]!;
  if (!labels.includes(label)) {
    throw new KeyImportError(
      label.includes("PRIVATE")
        ? `a PEM ${label.toLowerCase()}: export the public key only (-----BEGIN PUBLIC KEY-----)`
        : `a PEM "${label}" block: expected ${labels.map((l) => `-----BEGIN ${l}-----`).join(" or ")}`,
    );
  }
  return { label, der: base64ToBytes(m[2]!, "the PEM body") };
}

/** One DER element: its tag and where its contents start and end. */
export interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** Reads the DER element at `offset` (definite lengths only), within `end`. */
export function readTlv(der: Uint8Array, offset: number, end: number, what: string): Tlv {
  const bad = () => new KeyImportError(`not a DER ${what} (truncated or malformed DER)`);
  if (offset + 2 > end) throw bad();
  const tag = der[offset]!;
  let len = der[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || start + n > end) throw bad();
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | der[start + i]!;
    start += n;
  }
  if (start + len > end) throw bad();
  return { tag, start, end: start + len };
}

/** The big-endian magnitude without leading zero bytes (a DER INTEGER's sign byte, a JWK's padding). */
export function unsignedBigEndian(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/**
 * A public JWK of type `kty`, given as an object or JSON text: refuses invalid JSON, a non-object, another key type
 * and a private key (`d`).
 */
export function publicJwkOf<T extends { kty?: unknown; d?: unknown }>(jwk: T | string, kty: "EC" | "RSA"): T {
  let k: T;
  if (typeof jwk === "string") {
    try {
      k = JSON.parse(jwk) as T;
    } catch {
      throw new KeyImportError("the JWK is not valid JSON");
    }
  } else k = jwk;
  if (k === null || typeof k !== "object") throw new KeyImportError("the JWK is not an object");
  if (k.kty !== kty) {
    throw new KeyImportError(`the JWK is not an ${kty} key (kty "${String(k.kty)}", expected "${kty}")`);
  }
  if (k.d !== undefined) throw new KeyImportError("the JWK holds a private key (d): export the public key only");
  return k;
}
