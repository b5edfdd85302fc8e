/**
 * A minimal CBOR (RFC 8949) decoder and encoder for what WebAuthn registration carries: COSE keys (maps
 * of small integers to integers and byte strings) and attestation objects (maps of text to byte strings
 * and maps). Definite lengths only; floats, bignums and indefinite lengths are refused.
 */
import { KeyImportError } from "../keys.js";

/** A decoded CBOR item: a map becomes a Map (keys kept as numbers or strings). */
export type CborValue = number | bigint | string | boolean | null | undefined | Uint8Array | CborValue[] | CborMap;
export type CborMap = Map<number | string, CborValue>;

/** Decodes the item at `offset`; returns it and the offset just after it. */
export function decodeCbor(bytes: Uint8Array, offset = 0, depth = 0): { value: CborValue; end: number } {
  const bad = (why: string): never => {
    throw new KeyImportError(`not the CBOR expected: ${why}`);
  };
  if (depth > 16) bad("nested too deep");
  if (offset >= bytes.length) bad("truncated");
  const head = bytes[offset]!;
  const major = head >> 5;
  const info = head & 0x1f;
  let p = offset + 1;
  let arg: number;
  if (info < 24) arg = info;
  else if (info <= 27) {
    const n = 1 << (info - 24);
    if (p + n > bytes.length) bad("truncated");
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(bytes[p + i]!);
    p += n;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) bad("an integer or length above 2^53");
    arg = Number(v);
  } else return bad(info === 31 ? "indefinite lengths are not supported" : `reserved additional info ${info}`);
  switch (major) {
    case 0:
      return { value: arg, end: p };
    case 1:
      return { value: -1 - arg, end: p };
    case 2:
    case 3: {
      if (p + arg > bytes.length) bad("a string runs past the end");
      const body = bytes.subarray(p, p + arg);
      return { value: major === 2 ? body : new TextDecoder("utf-8", { fatal: true }).decode(body), end: p + arg };
    }
    case 4: {
      const out: CborValue[] = [];
      for (let i = 0; i < arg; i++) {
        const item = decodeCbor(bytes, p, depth + 1);
        out.push(item.value);
        p = item.end;
      }
      return { value: out, end: p };
    }
    case 5: {
      const out: CborMap = new Map();
      for (let i = 0; i < arg; i++) {
        const k = decodeCbor(bytes, p, depth + 1);
        if (typeof k.value !== "number" && typeof k.value !== "string") bad("a map key that is not an integer or text");
        const key = k.value as number | string;
        if (out.has(key)) bad(`duplicate map key ${String(key)}`);
        const v = decodeCbor(bytes, k.end, depth + 1);
        out.set(key, v.value);
        p = v.end;
      }
      return { value: out, end: p };
    }
    case 6:
      return decodeCbor(bytes, p, depth + 1); // a tag: its content
    default:
      if (info === 20) return { value: false, end: p };
      if (info === 21) return { value: true, end: p };
      if (info === 22) return { value: null, end: p };
      if (info === 23) return { value: undefined, end: p };
      return bad("floats and simple values are not supported");
  }
}

/** Decodes exactly one item spanning all of `bytes`. */
export function decodeCborAll(bytes: Uint8Array, what: string): CborValue {
  const { value, end } = decodeCbor(bytes, 0);
  if (end !== bytes.length) throw new KeyImportError(`${what}: ${bytes.length - end} bytes after the CBOR item`);
  return value;
}

function head(major: number, n: number): number[] {
  if (n < 24) return [(major << 5) | n];
  if (n < 0x100) return [(major << 5) | 24, n];
  if (n < 0x10000) return [(major << 5) | 25, n >> 8, n & 0xff];
  return [(major << 5) | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** Encodes integers, text, byte strings, arrays and maps (for the test authenticator's COSE keys). */
export function encodeCbor(value: CborValue): Uint8Array {
  const out: number[] = [];
  const put = (v: CborValue): void => {
    if (typeof v === "number") {
      if (!Number.isSafeInteger(v) || Math.abs(v) > 0xffffffff) throw new Error("encodeCbor: only 32-bit integers");
      out.push(...(v >= 0 ? head(0, v) : head(1, -1 - v)));
    } else if (typeof v === "string") {
      const b = new TextEncoder().encode(v);
      out.push(...head(3, b.length), ...b);
    } else if (v instanceof Uint8Array) {
      out.push(...head(2, v.length), ...v);
    } else if (Array.isArray(v)) {
      out.push(...head(4, v.length));
      v.forEach(put);
    } else if (v instanceof Map) {
      out.push(...head(5, v.size));
      for (const [k, x] of v) {
        put(k);
        put(x);
      }
    } else if (v === false) out.push(0xf4);
    else if (v === true) out.push(0xf5);
    else if (v === null) out.push(0xf6);
    else throw new Error(`encodeCbor: unsupported value ${String(v)}`);
  };
  put(value);
  return new Uint8Array(out);
}
