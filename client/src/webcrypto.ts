/**
 * The platform's WebCrypto (`globalThis.crypto.subtle`: browsers, workers, Node >= 20, Deno, Bun), never
 * `node:crypto`, so that code using it bundles for browsers.
 */
export type SubtleCrypto = typeof globalThis.crypto.subtle;
/** A WebCrypto key (CryptoKey), named without the DOM library. */
export type WebCryptoKey = Parameters<SubtleCrypto["sign"]>[1];

/** WebCrypto's SubtleCrypto; throws a clear error where there is none (an insecure browser context). */
export function subtle(): SubtleCrypto {
  const crypto = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto;
  if (crypto?.subtle === undefined) {
    throw new Error("WebCrypto is not available (globalThis.crypto.subtle): a secure context or Node >= 20 is needed");
  }
  return crypto.subtle;
}

/** Random bytes from WebCrypto. */
export function randomBytes(length: number): Uint8Array {
  const crypto = (globalThis as { crypto?: { getRandomValues?<T extends Uint8Array>(a: T): T } }).crypto;
  if (crypto?.getRandomValues === undefined) throw new Error("WebCrypto is not available (globalThis.crypto)");
  return crypto.getRandomValues(new Uint8Array(length));
}

/** SHA-256 of `data` with WebCrypto. */
export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest("SHA-256", data));
}
