/**
 * P-256 signature helpers: DER decoding (secure elements often return DER), low-s normalisation
 * (the DeviceRegistry refuses s > n/2), and the registry's 64-byte r || s encoding. No Node APIs: runs
 * in browsers as well.
 */
import { bytesToHex, hexToBytes, type Hex } from "../types.js";

export const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
export const P256_HALF_N = P256_N >> 1n;

const word = (n: bigint) => n.toString(16).padStart(64, "0");

/** r || s (64 bytes, hex) of a signature. */
export function encodeRS(r: bigint, s: bigint): Hex {
  return `0x${word(r)}${word(s)}`;
}

/** Splits a 64-byte r || s signature. */
export function decodeRS(sig: string | Uint8Array): { r: bigint; s: bigint } {
  const hex = (typeof sig === "string" ? sig : bytesToHex(sig)).replace(/^0x/, "");
  if (hex.length !== 128) throw new Error(`a P-256 r||s signature has 64 bytes, got ${hex.length / 2}`);
  return { r: BigInt("0x" + hex.slice(0, 64)), s: BigInt("0x" + hex.slice(64)) };
}

/** s -> n - s when s is in the upper half: the equivalent signature the registry accepts. */
export function normaliseLowS(r: bigint, s: bigint): { r: bigint; s: bigint } {
  return { r, s: s > P256_HALF_N ? P256_N - s : s };
}

/** The high-s twin of a signature (for tests: the registry must refuse it). */
export function toHighS(r: bigint, s: bigint): { r: bigint; s: bigint } {
  return { r, s: s > P256_HALF_N ? s : P256_N - s };
}

/** Parses a DER ECDSA signature `SEQUENCE { INTEGER r, INTEGER s }` (strict, short-form lengths). */
export function derToRS(der: Uint8Array): { r: bigint; s: bigint } {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`invalid DER ECDSA signature: ${why}`);
  };
  if (der[i++] !== 0x30) fail("no SEQUENCE");
  const seqLen = der[i++];
  if (seqLen === undefined || seqLen > 0x7f || seqLen !== der.length - 2) fail("bad SEQUENCE length");
  const readInt = (): bigint => {
    if (der[i++] !== 0x02) fail("no INTEGER");
    const len = der[i++];
    if (len === undefined || len === 0 || len > 33 || i + len > der.length) fail("bad INTEGER length");
    const bytes = der.subarray(i, i + len);
    if (bytes[0]! & 0x80) fail("negative INTEGER");
    if (len > 1 && bytes[0] === 0 && !(bytes[1]! & 0x80)) fail("non-minimal INTEGER");
    i += len;
    return BigInt(bytesToHex(bytes));
  };
  const r = readInt();
  const s = readInt();
  if (i !== der.length) fail("trailing bytes");
  if (r === 0n || r >= P256_N || s === 0n || s >= P256_N) fail("r or s out of range");
  return { r, s };
}

/** Encodes (r, s) as DER (for tests of derToRS). */
export function rsToDer(r: bigint, s: bigint): Uint8Array {
  const int = (n: bigint): number[] => {
    let hex = n.toString(16);
    if (hex.length % 2) hex = "0" + hex;
    let b = [...hexToBytes(hex)];
    if (b[0]! & 0x80) b = [0, ...b];
    return [0x02, b.length, ...b];
  };
  const body = [...int(r), ...int(s)];
  return new Uint8Array([0x30, body.length, ...body]);
}
