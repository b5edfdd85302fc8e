/**
 * viem-style primitive types, used across the public API. They are the same template-literal types as
 * viem's (and abitype's) `Address` and `Hex`, so values flow between this client and viem without casts.
 */

/** A 20-byte account or contract address, 0x-prefixed (checksummed or not). viem's `Address`. */
export type Address = `0x${string}`;

/** 0x-prefixed hex data (a hash, a signature, bytes32 key material). viem's `Hex`. */
export type Hex = `0x${string}`;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const HEX = /^0x[0-9a-fA-F]*$/;

/** True when `value` is a 0x-prefixed 20-byte hex string. */
export function isAddress(value: unknown): value is Address {
  return typeof value === "string" && ADDRESS.test(value);
}

/** True when `value` is 0x-prefixed hex of whole bytes. */
export function isHex(value: unknown): value is Hex {
  return typeof value === "string" && HEX.test(value) && value.length % 2 === 0;
}

/** `value` as an `Address` (for strings from ethers, JSON or user input); throws when it is not one. */
export function asAddress(value: string): Address {
  if (!isAddress(value)) throw new TypeError(`not an address (0x and 40 hex digits): ${String(value)}`);
  return value;
}

/** `value` as `Hex`; throws when it is not 0x-prefixed hex of whole bytes. */
export function asHex(value: string): Hex {
  if (!isHex(value)) throw new TypeError(`not 0x-prefixed hex of whole bytes: ${String(value)}`);
  return value;
}

/** Lower-case hex of `bytes`, 0x-prefixed (no Node Buffer: runs in browsers). */
export function bytesToHex(bytes: Uint8Array): Hex {
  let out = "0x";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out as Hex;
}

/** The bytes of 0x-prefixed (or bare) hex. */
export function hexToBytes(hex: string): Uint8Array {
  const body = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) throw new TypeError(`invalid hex: ${hex}`);
  const out = new Uint8Array(body.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(body.slice(2 * i, 2 * i + 2), 16);
  return out;
}
