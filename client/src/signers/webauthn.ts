/**
 * WebAuthn device signatures for OpenZeppelin's ERC-7913 WebAuthn verifier (the suite's `WebAuthnVerifier`).
 *
 * A passkey never signs a bare digest: asked with `navigator.credentials.get({ publicKey: { challenge } })`
 * it signs `authenticatorData ‖ sha256(clientDataJSON)`, where clientDataJSON carries
 * `"type":"webauthn.get"` and `"challenge":"<base64url(challenge)>"`. With the EIP-712 digest as the
 * challenge, the verifier checks (and only then returns `verify.selector`):
 *
 * - `"type":"webauthn.get"` at `typeIndex`, `"challenge":"<base64url(digest), no padding>"` at `challengeIndex`;
 * - flags: User Present (UP) AND User Verified (UV) set (biometrics or PIN: ask `userVerification: "required"`),
 *   and Backup State only with Backup Eligible;
 * - the P-256 signature, with s <= n/2 (authenticators return DER with any s: the encoder normalises it).
 *
 * Not checked on chain: origin, rpIdHash, the signature counter (the browser and authenticator enforce
 * the first two; the registry's own attestation counter orders readings).
 *
 * The signature bytes are the flat ABI encoding of OpenZeppelin's `WebAuthn.WebAuthnAuth`:
 * `abi.encode(bytes32 r, bytes32 s, uint256 challengeIndex, uint256 typeIndex, bytes authenticatorData,
 * string clientDataJSON)`. Browser-safe: no Node APIs.
 */
import { AbiCoder, TypedDataEncoder, getBytes, toBeHex } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";
import { bytesOf, bytesToBase64Url } from "../keys/bytes.js";
import { AUTH_FLAGS } from "../keys/cose.js";
import { webAuthnKey, type Erc7913DeviceSigner, type Erc7913Key, type WebAuthnKeyInput } from "../keys/erc7913.js";
import { bytesToHex, type Address, type Hex } from "../types.js";
import { decodeRS, derToRS, normaliseLowS } from "./p256.js";

/** A WebAuthn assertion as `navigator.credentials.get()` returns it (`credential.response`). */
export interface WebAuthnAssertion {
  authenticatorData: Uint8Array | ArrayBuffer | string;
  /** The UTF-8 bytes (as the browser returns them) or the JSON text. */
  clientDataJSON: Uint8Array | ArrayBuffer | string;
  /** DER (what authenticators return) or 64-byte r ‖ s. */
  signature: Uint8Array | ArrayBuffer | string;
}

/** OpenZeppelin's `WebAuthn.WebAuthnAuth`, the verifier's signature. */
export interface WebAuthnAuth {
  r: bigint;
  s: bigint;
  challengeIndex: number;
  typeIndex: number;
  authenticatorData: Hex;
  clientDataJSON: string;
}

/** A WebAuthn assertion that cannot verify: the message says why. */
export class WebAuthnError extends Error {
  override name = "WebAuthnError";
}

/** The challenge text a digest appears as in clientDataJSON: base64url without padding. */
export function webAuthnChallenge(digest: string | Uint8Array): string {
  return bytesToBase64Url(typeof digest === "string" ? getBytes(digest) : digest);
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const bytesIn = (v: Uint8Array | ArrayBuffer | string, what: string) => bytesOf(v, what);

/**
 * The verifier's WebAuthnAuth of an assertion: finds `"type":"webauthn.get"` and `"challenge":"…"` in
 * clientDataJSON (byte offsets), converts a DER signature to (r, s) and normalises s to the lower half.
 * With `digest`, also checks that the assertion's challenge is that digest.
 */
export function webAuthnAuthOf(assertion: WebAuthnAssertion, opts: { digest?: string } = {}): WebAuthnAuth {
  const clientData =
    typeof assertion.clientDataJSON === "string"
      ? utf8(assertion.clientDataJSON)
      : bytesIn(assertion.clientDataJSON, "clientDataJSON");
  const clientDataJSON = new TextDecoder("utf-8", { fatal: true }).decode(clientData);
  const typeIndex = indexOfBytes(clientData, utf8('"type":"webauthn.get"'));
  if (typeIndex < 0) throw new WebAuthnError('clientDataJSON has no "type":"webauthn.get" (not an assertion)');
  const challengeIndex = indexOfBytes(clientData, utf8('"challenge":"'));
  if (challengeIndex < 0) throw new WebAuthnError('clientDataJSON has no "challenge"');
  if (opts.digest !== undefined) {
    const expected = utf8(`"challenge":"${webAuthnChallenge(opts.digest)}"`);
    if (indexOfBytes(clientData.subarray(challengeIndex), expected) !== 0) {
      throw new WebAuthnError("the assertion's challenge is not the digest it was asked to sign");
    }
  }
  const authenticatorData = bytesIn(assertion.authenticatorData, "authenticatorData");
  if (authenticatorData.length < 37) {
    throw new WebAuthnError(`authenticatorData has at least 37 bytes, got ${authenticatorData.length}`);
  }
  const sig = bytesIn(assertion.signature, "signature");
  const raw = sig.length === 64 ? decodeRS(sig) : derToRS(sig);
  const { r, s } = normaliseLowS(raw.r, raw.s);
  return { r, s, challengeIndex, typeIndex, authenticatorData: bytesToHex(authenticatorData), clientDataJSON };
}

/** The verifier's signature bytes of a WebAuthnAuth (flat ABI encoding of the struct's members). */
export function encodeWebAuthnAuth(auth: WebAuthnAuth): Hex {
  return AbiCoder.defaultAbiCoder().encode(
    ["bytes32", "bytes32", "uint256", "uint256", "bytes", "string"],
    [
      toBeHex(auth.r, 32),
      toBeHex(auth.s, 32),
      auth.challengeIndex,
      auth.typeIndex,
      auth.authenticatorData,
      auth.clientDataJSON,
    ],
  ) as Hex;
}

/** `encodeWebAuthnAuth(webAuthnAuthOf(assertion, opts))`: an assertion as the verifier's signature bytes. */
export function encodeWebAuthnSignature(assertion: WebAuthnAssertion, opts: { digest?: string } = {}): Hex {
  return encodeWebAuthnAuth(webAuthnAuthOf(assertion, opts));
}

/** What `navigator.credentials.get` takes under `publicKey` (the members used here). */
export interface WebAuthnRequestOptions {
  challenge: Uint8Array;
  rpId?: string;
  allowCredentials?: { type: "public-key"; id: Uint8Array; transports?: string[] }[];
  userVerification?: "required" | "preferred" | "discouraged";
  timeout?: number;
}

/** `navigator.credentials` (or a stand-in: a test authenticator, a native bridge). */
export interface WebAuthnCredentials {
  get(options: { publicKey: WebAuthnRequestOptions; signal?: unknown }): Promise<unknown>;
}

/** The browser's `navigator.credentials`, or undefined outside a browser. */
export function browserCredentials(): WebAuthnCredentials | undefined {
  return (globalThis as { navigator?: { credentials?: WebAuthnCredentials } }).navigator?.credentials;
}

export interface WebAuthnDeviceSignerOptions {
  /** The suite's WebAuthnVerifier address. */
  verifier: string;
  /** The passkey's public key (SPKI, JWK, SEC1 point, COSE) or its ERC-7913 key. */
  publicKey: WebAuthnKeyInput | Erc7913Key;
  /** The credential id (from registration): the assertion must come from this credential. */
  credentialId: Uint8Array | string;
  /** The relying party id the passkey was created for (default: the page's effective domain). */
  rpId?: string;
  /** How long the user has to answer, in milliseconds (default 60 s). */
  timeout?: number;
  /** `navigator.credentials` by default. */
  credentials?: WebAuthnCredentials;
}

/**
 * A device key held by a passkey: `navigator.credentials.get` with the EIP-712 digest as the challenge
 * (`userVerification: "required"`, since the verifier requires UV), the assertion encoded for the
 * verifier. Refuses (WebAuthnError) an answer that cannot verify: another challenge, UP or UV missing.
 */
export class WebAuthnDeviceSigner implements Erc7913DeviceSigner {
  readonly scheme = "webauthn" as const;
  readonly verifier: Address;
  readonly key: Hex;
  readonly credentialId: Uint8Array;
  private readonly rpId: string | undefined;
  private readonly timeout: number;
  private readonly credentials: WebAuthnCredentials | undefined;

  constructor(opts: WebAuthnDeviceSignerOptions) {
    const k =
      typeof opts.publicKey === "object" && "scheme" in opts.publicKey
        ? webAuthnKey(opts.verifier, (opts.publicKey as Erc7913Key).key)
        : webAuthnKey(opts.verifier, opts.publicKey as WebAuthnKeyInput);
    this.verifier = k.verifier;
    this.key = k.key;
    this.credentialId = bytesIn(opts.credentialId, "the credential id");
    this.rpId = opts.rpId;
    this.timeout = opts.timeout ?? 60_000;
    this.credentials = opts.credentials;
  }

  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>) {
    return this.signDigest(TypedDataEncoder.hash(domain, types, value));
  }

  async signDigest(digest: string): Promise<Hex> {
    const credentials = this.credentials ?? browserCredentials();
    if (credentials === undefined) throw new WebAuthnError("no WebAuthn here (navigator.credentials is missing)");
    const publicKey: WebAuthnRequestOptions = {
      challenge: getBytes(digest),
      allowCredentials: [{ type: "public-key", id: this.credentialId }],
      userVerification: "required",
      timeout: this.timeout,
    };
    if (this.rpId !== undefined) publicKey.rpId = this.rpId;
    const credential = (await credentials.get({ publicKey })) as {
      response?: { authenticatorData?: ArrayBuffer; clientDataJSON?: ArrayBuffer; signature?: ArrayBuffer };
    } | null;
    const response = credential?.response;
    if (response?.authenticatorData === undefined || response.clientDataJSON === undefined || !response.signature) {
      throw new WebAuthnError("navigator.credentials.get returned no assertion");
    }
    const assertion = {
      authenticatorData: response.authenticatorData,
      clientDataJSON: response.clientDataJSON,
      signature: response.signature,
    };
    const flags = new Uint8Array(response.authenticatorData)[32] ?? 0;
    if ((flags & AUTH_FLAGS.UP) === 0) throw new WebAuthnError("the authenticator did not assert user presence (UP)");
    if ((flags & AUTH_FLAGS.UV) === 0) {
      throw new WebAuthnError("the authenticator did not verify the user (UV): the verifier requires it");
    }
    return encodeWebAuthnSignature(assertion, { digest });
  }
}
