/**
 * ERC-7913 device keys: a verifier contract plus key bytes, for keys the registry does not verify
 * inline. The suite deploys two of OpenZeppelin's verifiers (contracts/devices/verifiers/):
 *
 * | scheme     | verifier           | key bytes                              | who                                 |
 * | ---------- | ------------------ | -------------------------------------- | ----------------------------------- |
 * | `webauthn` | `WebAuthnVerifier` | 64 bytes `qx ‖ qy` (P-256 point)       | passkeys, FIDO2 security keys       |
 * | `rsa`      | `RsaVerifier`      | `abi.encode(bytes e, bytes n)`         | TPM 2.0 and smart-card RSA-2048+    |
 *
 * The verifier addresses are the suite's (CREATE2: the same on every chain deployed with the suite's
 * bytecode; read them from the deployment record). Raw P-256 keys that sign a digest (secure elements)
 * keep the registry's inline P-256 form (`importDeviceKey`); a passkey's P-256 key is a WebAuthn key.
 */
import { AbiCoder, getAddress, type TypedDataDomain, type TypedDataField } from "ethers";
import { KeyImportError, deviceKeyFromJwk, deviceKeyFromPoint, importDeviceKey, type EcPublicJwk } from "../keys.js";
import { bytesToHex, hexToBytes, type Address, type Hex } from "../types.js";
import { bytesOf, viewOf } from "./bytes.js";
import { authenticatorDataOfAttestation, parseAuthenticatorData, parseCoseKey, type CosePublicKey } from "./cose.js";
import { importRsaPublicKey, rsaPublicKey, type RsaPublicJwk, type RsaPublicKey } from "./rsa.js";

/** The verifier schemes of the suite. */
export type Erc7913Scheme = "webauthn" | "rsa";

/** An ERC-7913 device key: `verifier.verify(key, hash, signature)` decides its signatures. */
export interface Erc7913Key {
  scheme: Erc7913Scheme;
  /** The verifier contract (checksummed). */
  verifier: Address;
  /** The key bytes exactly as the verifier takes them. */
  key: Hex;
}

const verifierOf = (verifier: string): Address => {
  try {
    return getAddress(verifier) as Address;
  } catch {
    throw new KeyImportError(`the verifier "${verifier}" is not an address`);
  }
};

/** The WebAuthn verifier's key bytes of a P-256 point given as x and y: `qx ‖ qy`. */
export function webAuthnKeyBytes(x: Uint8Array | string, y: Uint8Array | string): Hex {
  const xb = bytesOf(x, "x");
  const yb = bytesOf(y, "y");
  if (xb.length !== 32 || yb.length !== 32) throw new KeyImportError("x and y must be 32 bytes each");
  const point = new Uint8Array(65);
  point[0] = 0x04;
  point.set(xb, 1);
  point.set(yb, 33);
  const k = deviceKeyFromPoint("p256", point); // checks the point is on P-256
  return `0x${k.keyA.slice(2)}${k.keyB.slice(2)}`;
}

/** What a passkey's public key may come as (every form gives the same `qx ‖ qy`). */
export type WebAuthnKeyInput =
  | string // PEM, hex SPKI, hex SEC1 point, hex COSE key, hex qx ‖ qy, JWK JSON
  | Uint8Array // SPKI DER, SEC1 point, COSE key, qx ‖ qy
  | EcPublicJwk
  | CosePublicKey;

/**
 * A passkey's ERC-7913 key for the WebAuthn verifier, from its public key as SPKI (DER or PEM; what
 * `response.getPublicKey()` returns), JWK, SEC1 point (compressed or not) or COSE key (what
 * `attestedCredentialData` holds). The point is checked to be on P-256.
 */
export function webAuthnKey(verifier: string, input: WebAuthnKeyInput): Erc7913Key {
  return { scheme: "webauthn", verifier: verifierOf(verifier), key: webAuthnKeyBytesOf(input) };
}

function webAuthnKeyBytesOf(input: WebAuthnKeyInput): Hex {
  if (typeof input === "object" && input !== null && !ArrayBuffer.isView(input)) {
    if (input.kty === "EC2") return webAuthnKeyBytes((input as { x: Uint8Array }).x, (input as { y: Uint8Array }).y);
    if (input.kty === "RSA" && ArrayBuffer.isView((input as { n?: unknown }).n)) throw rsaPasskey();
    return p256Of(deviceKeyFromJwk(input as EcPublicJwk));
  }
  const bytes = typeof input === "string" ? undefined : viewOf(input, "the key");
  const text = typeof input === "string" ? input.trim() : "";
  if (bytes === undefined && (text.startsWith("{") || text.includes("-----BEGIN"))) {
    return p256Of(importDeviceKey(text));
  }
  const b = bytes ?? bytesOf(text, "the key");
  if (b.length === 64) return webAuthnKeyBytes(b.subarray(0, 32), b.subarray(32)); // the key bytes qx ‖ qy
  const first = b[0];
  if (first === 0x30) return p256Of(importDeviceKey(b)); // SPKI
  if (first === 0x02 || first === 0x03 || first === 0x04) return p256Of(deviceKeyFromPoint("p256", b));
  const cose = parseCoseKey(b);
  if (cose.kty !== "EC2") throw rsaPasskey();
  return webAuthnKeyBytes(cose.x, cose.y);
}

function p256Of(k: { curve: string; keyA: Hex; keyB: Hex }): Hex {
  if (k.curve !== "p256") throw new KeyImportError("a passkey's key is on P-256, this key is on secp256k1");
  return `0x${k.keyA.slice(2)}${k.keyB.slice(2)}`;
}

const rsaPasskey = () =>
  new KeyImportError(
    "an RSA passkey (RS256, e.g. Windows Hello on a TPM): WebAuthn assertions signed with RSA have no verifier in " +
      "the suite; register the credential with pubKeyCredParams [{ type: 'public-key', alg: -7 }] (ES256)",
  );

/**
 * The passkey key registered by `navigator.credentials.create()`: from `response.attestationObject`
 * (CBOR) or from the authenticator data carrying attested credential data
 * (`response.getAuthenticatorData()`). Also returns the credential id (for `allowCredentials`).
 */
export function webAuthnKeyFromRegistration(
  verifier: string,
  data:
    { attestationObject: Uint8Array | ArrayBuffer | string } | { authenticatorData: Uint8Array | ArrayBuffer | string },
): Erc7913Key & { credentialId: Hex } {
  const authData = parseAuthenticatorData(
    "attestationObject" in data
      ? authenticatorDataOfAttestation(bytesOf(data.attestationObject, "the attestation object"))
      : bytesOf(data.authenticatorData, "the authenticator data"),
  );
  const cred = authData.attestedCredential;
  if (cred === undefined) throw new KeyImportError("no attested credential data (AT flag not set)");
  return { ...webAuthnKey(verifier, cred.publicKey), credentialId: bytesToHex(cred.credentialId) };
}

/** The RSA verifier's key bytes: `abi.encode(bytes e, bytes n)`. */
export function rsaKeyBytes(key: RsaPublicKey): Hex {
  const checked = rsaPublicKey(key.n, key.e);
  return AbiCoder.defaultAbiCoder().encode(["bytes", "bytes"], [checked.e, checked.n]) as Hex;
}

/** Decodes the RSA verifier's key bytes back to (e, n). */
export function decodeRsaKeyBytes(key: Hex): { e: Uint8Array; n: Uint8Array } {
  const [e, n] = AbiCoder.defaultAbiCoder().decode(["bytes", "bytes"], key) as unknown as [string, string];
  return { e: hexToBytes(e), n: hexToBytes(n) };
}

/**
 * An RSA device key (a TPM 2.0 RSA-2048 key, a smart card) for the RSA verifier, from SPKI (DER or PEM),
 * PKCS#1 (DER or PEM), JWK or COSE; refuses keys under 2048 bits and unsafe exponents.
 */
export function rsaKey(
  verifier: string,
  input: string | Uint8Array | RsaPublicJwk | { n: Uint8Array; e: Uint8Array },
): Erc7913Key & { bits: number } {
  const pub = importRsaPublicKey(input);
  return { scheme: "rsa", verifier: verifierOf(verifier), key: rsaKeyBytes(pub), bits: pub.bits };
}

/** A device key verified through an ERC-7913 verifier: signs EIP-712 messages in the verifier's encoding. */
export interface Erc7913DeviceSigner {
  readonly scheme: Erc7913Scheme;
  readonly verifier: Address;
  /** The key bytes the verifier takes. */
  readonly key: Hex;
  /** Signs an EIP-712 digest: the `signature` argument of `verifier.verify(key, digest, signature)`. */
  signDigest(digest: string): Promise<Hex>;
  /** Signs typed data (its EIP-712 digest). */
  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<Hex>;
}
