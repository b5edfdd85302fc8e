/**
 * WebAuthn registration data: the credential's public key as a COSE key (RFC 9052/9053), found in the
 * attested credential data of the authenticator data, itself inside the attestation object that
 * `navigator.credentials.create()` returns (`response.attestationObject`; `response.getAuthenticatorData()`).
 *
 * Only the public key is read: the attestation statement (the authenticator maker's certificate chain)
 * is not verified here; the manufacturer's EIP-712 registration is what vouches for a device.
 */
import { KeyImportError } from "../keys.js";
import { decodeCbor, decodeCborAll, type CborMap, type CborValue } from "./cbor.js";
import { unsignedBigEndian } from "./bytes.js";

/** COSE key parameters (RFC 9053) used here. */
export const COSE = {
  KTY: 1,
  ALG: 3,
  KTY_EC2: 2,
  KTY_RSA: 3,
  EC2_CRV: -1,
  EC2_X: -2,
  EC2_Y: -3,
  CRV_P256: 1,
  RSA_N: -1,
  RSA_E: -2,
  ALG_ES256: -7,
  ALG_RS256: -257,
  ALG_PS256: -37,
} as const;

/** A public key read from a COSE key: a P-256 point or an RSA key. */
export type CosePublicKey =
  | { kty: "EC2"; alg?: number; x: Uint8Array; y: Uint8Array }
  | { kty: "RSA"; alg?: number; n: Uint8Array; e: Uint8Array };

/** The authenticator data's fixed fields and, when the AT flag is set, the attested credential data. */
export interface AuthenticatorData {
  rpIdHash: Uint8Array;
  flags: number;
  signCount: number;
  attestedCredential?: {
    aaguid: Uint8Array;
    credentialId: Uint8Array;
    /** The COSE key bytes as the authenticator wrote them. */
    publicKeyCose: Uint8Array;
    publicKey: CosePublicKey;
  };
}

/** Authenticator data flags (WebAuthn section 6.1). */
export const AUTH_FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40, ED: 0x80 } as const;

const bytesAt = (m: CborMap, label: number, what: string): Uint8Array => {
  const v = m.get(label);
  if (!(v instanceof Uint8Array)) throw new KeyImportError(`the COSE key lacks ${what} (label ${label})`);
  return v;
};

/** Reads a COSE key (bytes, or an already decoded CBOR map): EC2 on P-256, or RSA. */
export function parseCoseKey(input: Uint8Array | CborMap): CosePublicKey {
  const m = input instanceof Uint8Array ? decodeCborAll(input, "the COSE key") : input;
  if (!(m instanceof Map)) throw new KeyImportError("the COSE key is not a CBOR map");
  const kty = m.get(COSE.KTY);
  const alg = m.get(COSE.ALG);
  const algOf = typeof alg === "number" ? { alg } : {};
  if (kty === COSE.KTY_EC2) {
    const crv = m.get(COSE.EC2_CRV);
    if (crv !== COSE.CRV_P256) throw new KeyImportError(`unsupported COSE EC2 curve ${String(crv)}: only P-256 (1)`);
    if (alg !== undefined && alg !== COSE.ALG_ES256) {
      throw new KeyImportError(`a COSE P-256 key for algorithm ${String(alg)}: expected ES256 (-7)`);
    }
    const x = bytesAt(m, COSE.EC2_X, "x");
    const y = bytesAt(m, COSE.EC2_Y, "y");
    if (x.length !== 32 || y.length !== 32) {
      throw new KeyImportError(`the COSE key's x and y must be 32 bytes each, got ${x.length} and ${y.length}`);
    }
    return { kty: "EC2", ...algOf, x, y };
  }
  if (kty === COSE.KTY_RSA) {
    return {
      kty: "RSA",
      ...algOf,
      n: unsignedBigEndian(bytesAt(m, COSE.RSA_N, "n")),
      e: unsignedBigEndian(bytesAt(m, COSE.RSA_E, "e")),
    };
  }
  if (kty === 1) throw new KeyImportError("an OKP COSE key (Ed25519?): only P-256 (EC2) and RSA keys are supported");
  throw new KeyImportError(`unsupported COSE key type ${String(kty)}: EC2 (2) or RSA (3)`);
}

/** Parses authenticator data (registration or assertion); reads the attested credential data when AT is set. */
export function parseAuthenticatorData(input: Uint8Array): AuthenticatorData {
  if (input.length < 37) throw new KeyImportError(`authenticator data has at least 37 bytes, got ${input.length}`);
  const flags = input[32]!;
  const signCount = ((input[33]! << 24) | (input[34]! << 16) | (input[35]! << 8) | input[36]!) >>> 0;
  const out: AuthenticatorData = { rpIdHash: input.slice(0, 32), flags, signCount };
  if ((flags & AUTH_FLAGS.AT) === 0) return out;
  if (input.length < 37 + 18) throw new KeyImportError("the attested credential data is truncated");
  const aaguid = input.slice(37, 53);
  const idLength = (input[53]! << 8) | input[54]!;
  const idEnd = 55 + idLength;
  if (idEnd > input.length) throw new KeyImportError("the credential id runs past the authenticator data");
  const { value, end } = decodeCbor(input, idEnd);
  if (!(value instanceof Map)) throw new KeyImportError("the credential public key is not a COSE map");
  out.attestedCredential = {
    aaguid,
    credentialId: input.slice(55, idEnd),
    publicKeyCose: input.slice(idEnd, end),
    publicKey: parseCoseKey(value),
  };
  return out;
}

/** The authenticator data inside an attestation object (`{ fmt, attStmt, authData }`, CBOR). */
export function authenticatorDataOfAttestation(attestationObject: Uint8Array): Uint8Array {
  const m: CborValue = decodeCborAll(attestationObject, "the attestation object");
  const authData = m instanceof Map ? m.get("authData") : undefined;
  if (!(authData instanceof Uint8Array)) throw new KeyImportError("the attestation object has no authData");
  return authData;
}

/** The credential public key registered by `navigator.credentials.create()` (attestation object bytes). */
export function credentialKeyOfAttestation(attestationObject: Uint8Array): CosePublicKey {
  const data = parseAuthenticatorData(authenticatorDataOfAttestation(attestationObject));
  if (data.attestedCredential === undefined) {
    throw new KeyImportError("the authenticator data carries no attested credential data (AT flag not set)");
  }
  return data.attestedCredential.publicKey;
}
