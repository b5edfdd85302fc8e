/**
 * A software WebAuthn authenticator for tests, simulators and CI: a WebCrypto P-256 key (not extractable)
 * that answers `navigator.credentials.get` exactly as a passkey does, so the real format runs end to end:
 *
 * - authenticatorData = sha256(rpId) ‖ flags ‖ signCount (4 bytes, big-endian, +1 per assertion);
 * - clientDataJSON = `{"type":"webauthn.get","challenge":"<base64url(challenge)>","origin":"…","crossOrigin":false}`
 *   (the browser's member order);
 * - signature = DER ECDSA P-256 / SHA-256 over authenticatorData ‖ sha256(clientDataJSON), s as it comes
 *   (high or low, as hardware returns it).
 *
 * `credentials()` is a stand-in for `navigator.credentials` (checks rpId, allowCredentials and
 * userVerification like a browser), `register()` returns the attestation object of the credential
 * (`fmt: "none"`). Every field can be overridden per assertion to produce the malformed answers the
 * verifier must refuse. Uses only WebCrypto (`globalThis.crypto`): runs in Node >= 20 and in browsers.
 */
import { p256 } from "@noble/curves/nist.js";
import { TypedDataEncoder, getBytes, sha256 as ethersSha256 } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";
import { encodeCbor, type CborMap } from "../keys/cbor.js";
import { AUTH_FLAGS, COSE } from "../keys/cose.js";
import { webAuthnKey, type Erc7913DeviceSigner, type Erc7913Key } from "../keys/erc7913.js";
import { bytesToBase64Url } from "../keys/bytes.js";
import type { Address, Hex } from "../types.js";
import { bytesToHex } from "../types.js";
import { randomBytes, sha256, subtle, type WebCryptoKey } from "../webcrypto.js";
import { decodeRS, rsToDer } from "./p256.js";
import { encodeWebAuthnAuth, type WebAuthnCredentials, type WebAuthnRequestOptions } from "./webauthn.js";

/** Per-assertion overrides (tests of refusals). */
export interface AssertionOverrides {
  /** clientData `type` (default "webauthn.get"). */
  type?: string;
  /** clientData `challenge` text (default base64url of the challenge). */
  challengeText?: string;
  /** clientData `origin` (default the authenticator's origin). */
  origin?: string;
  /** The flags byte (default UP | UV, plus BE when backup eligible). */
  flags?: number;
  /** The signature counter (default the next one). */
  signCount?: number;
  /** rpId whose hash starts authenticatorData (default the authenticator's). */
  rpId?: string;
}

/** An assertion as the authenticator returns it. */
export interface SoftwareAssertion {
  authenticatorData: Uint8Array;
  clientDataJSON: Uint8Array;
  /** DER, as authenticators return it. */
  signature: Uint8Array;
}

export class SoftwareAuthenticator {
  /** Signature counter of the last assertion (0 before the first). */
  signCount = 0;
  private constructor(
    private readonly privateKey: WebCryptoKey,
    /** The credential's public key: x and y (32 bytes each). */
    readonly x: Uint8Array,
    readonly y: Uint8Array,
    readonly credentialId: Uint8Array,
    readonly rpId: string,
    readonly origin: string,
    readonly backupEligible: boolean,
  ) {}

  /** A fresh credential (random id) for `rpId` (default "localhost"), answering for `origin`. */
  static async create(opts: { rpId?: string; origin?: string; backupEligible?: boolean } = {}) {
    const rpId = opts.rpId ?? "localhost";
    const { privateKey, publicKey } = await subtle().generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, [
      "sign",
      "verify",
    ]);
    const raw = new Uint8Array(await subtle().exportKey("raw", publicKey));
    return new SoftwareAuthenticator(
      privateKey,
      raw.slice(1, 33),
      raw.slice(33, 65),
      randomBytes(16),
      rpId,
      opts.origin ?? `https://${rpId}`,
      opts.backupEligible ?? false,
    );
  }

  /** The uncompressed SEC1 point 04 ‖ x ‖ y. */
  get publicKey(): Uint8Array {
    const p = new Uint8Array(65);
    p[0] = 0x04;
    p.set(this.x, 1);
    p.set(this.y, 33);
    return p;
  }

  /** The credential's COSE key (EC2, ES256, P-256), as in attestedCredentialData. */
  coseKey(): Uint8Array {
    const m: CborMap = new Map<number, number | Uint8Array>([
      [COSE.KTY, COSE.KTY_EC2],
      [COSE.ALG, COSE.ALG_ES256],
      [COSE.EC2_CRV, COSE.CRV_P256],
      [COSE.EC2_X, this.x],
      [COSE.EC2_Y, this.y],
    ]);
    return encodeCbor(m);
  }

  /** The ERC-7913 key of this credential for `verifier`. */
  erc7913Key(verifier: string): Erc7913Key {
    return webAuthnKey(verifier, this.publicKey);
  }

  private defaultFlags(): number {
    return AUTH_FLAGS.UP | AUTH_FLAGS.UV | (this.backupEligible ? AUTH_FLAGS.BE : 0);
  }

  private async authData(rpId: string, flags: number, signCount: number, extra?: Uint8Array): Promise<Uint8Array> {
    const rpIdHash = await sha256(new TextEncoder().encode(rpId));
    const out = new Uint8Array(37 + (extra?.length ?? 0));
    out.set(rpIdHash, 0);
    out[32] = flags;
    new DataView(out.buffer).setUint32(33, signCount >>> 0, false);
    if (extra !== undefined) out.set(extra, 37);
    return out;
  }

  /** The attestation object of this credential (`fmt: "none"`), as `navigator.credentials.create()` gives it. */
  async register(): Promise<{ attestationObject: Uint8Array; authenticatorData: Uint8Array }> {
    const id = this.credentialId;
    const cose = this.coseKey();
    const attested = new Uint8Array(16 + 2 + id.length + cose.length); // aaguid (zero) ‖ idLength ‖ id ‖ key
    attested[16] = id.length >> 8;
    attested[17] = id.length & 0xff;
    attested.set(id, 18);
    attested.set(cose, 18 + id.length);
    const authenticatorData = await this.authData(this.rpId, this.defaultFlags() | AUTH_FLAGS.AT, 0, attested);
    const attestationObject = encodeCbor(
      new Map<string, string | CborMap | Uint8Array>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", authenticatorData],
      ]),
    );
    return { attestationObject, authenticatorData };
  }

  /** Signs an assertion over `challenge` (the EIP-712 digest's 32 bytes), as a passkey does. */
  async assert(challenge: Uint8Array, overrides: AssertionOverrides = {}): Promise<SoftwareAssertion> {
    const signCount = overrides.signCount ?? ++this.signCount;
    const authenticatorData = await this.authData(
      overrides.rpId ?? this.rpId,
      overrides.flags ?? this.defaultFlags(),
      signCount,
    );
    const clientDataJSON = new TextEncoder().encode(
      JSON.stringify({
        type: overrides.type ?? "webauthn.get",
        challenge: overrides.challengeText ?? bytesToBase64Url(challenge),
        origin: overrides.origin ?? this.origin,
        crossOrigin: false,
      }),
    );
    const message = new Uint8Array(authenticatorData.length + 32);
    message.set(authenticatorData, 0);
    message.set(await sha256(clientDataJSON), authenticatorData.length);
    const p1363 = new Uint8Array(await subtle().sign({ name: "ECDSA", hash: "SHA-256" }, this.privateKey, message));
    const { r, s } = decodeRS(p1363);
    return { authenticatorData, clientDataJSON, signature: rsToDer(r, s) };
  }

  /**
   * A stand-in for `navigator.credentials`: `get({ publicKey })` answers like a browser with this
   * authenticator (the rpId must be this credential's, allowCredentials must name it when given), returning
   * a PublicKeyCredential-shaped object whose response members are ArrayBuffers.
   */
  credentials(overrides: AssertionOverrides = {}): WebAuthnCredentials & { requests: WebAuthnRequestOptions[] } {
    const requests: WebAuthnRequestOptions[] = [];
    const get = async ({ publicKey }: { publicKey: WebAuthnRequestOptions }) => {
      requests.push(publicKey);
      if ((publicKey.rpId ?? this.rpId) !== this.rpId) throw new Error("NotAllowedError: no credential for this rpId");
      const allowed = publicKey.allowCredentials;
      if (allowed !== undefined && allowed.length > 0 && !allowed.some((c) => equal(c.id, this.credentialId))) {
        throw new Error("NotAllowedError: the credential is not in allowCredentials");
      }
      const a = await this.assert(new Uint8Array(publicKey.challenge), overrides);
      const buffer = (b: Uint8Array) => b.slice().buffer;
      return {
        type: "public-key",
        id: bytesToBase64Url(this.credentialId),
        rawId: buffer(this.credentialId),
        response: {
          authenticatorData: buffer(a.authenticatorData),
          clientDataJSON: buffer(a.clientDataJSON),
          signature: buffer(a.signature),
          userHandle: null,
        },
      };
    };
    return { get, requests };
  }

  /** The credential id as hex. */
  get credentialIdHex(): Hex {
    return bytesToHex(this.credentialId);
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * A deterministic software passkey for simulators and benches: the P-256 key is `secretKey` (derive it from a
 * seed), signatures are RFC 6979 (@noble/curves, low s), the credential answers for `rpId` with UP | UV and a
 * signature counter that grows by one per assertion, exactly in the format SoftwareAuthenticator produces.
 * Signs synchronously (hot loops); the same digest always gives the same bytes.
 */
export class DeterministicWebAuthnSigner implements Erc7913DeviceSigner {
  readonly scheme = "webauthn" as const;
  readonly verifier: Address;
  readonly key: Hex;
  private signCount = 0;
  private readonly rpIdHash: Uint8Array;
  constructor(
    verifier: string,
    private readonly secretKey: Uint8Array,
    readonly rpId = "localhost",
    readonly origin = `https://${rpId}`,
  ) {
    const pub = p256.getPublicKey(secretKey, false);
    const k = webAuthnKey(verifier, pub);
    this.verifier = k.verifier;
    this.key = k.key;
    this.rpIdHash = getBytes(ethersSha256(new TextEncoder().encode(rpId)));
  }
  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>) {
    return this.signDigest(TypedDataEncoder.hash(domain, types, value));
  }
  async signDigest(digest: string): Promise<Hex> {
    return this.signDigestSync(digest);
  }
  /** The verifier's signature bytes of an assertion over `digest` (synchronous). */
  signDigestSync(digest: string): Hex {
    const authenticatorData = new Uint8Array(37);
    authenticatorData.set(this.rpIdHash, 0);
    authenticatorData[32] = AUTH_FLAGS.UP | AUTH_FLAGS.UV;
    new DataView(authenticatorData.buffer).setUint32(33, ++this.signCount >>> 0, false);
    const clientDataJSON = JSON.stringify({
      type: "webauthn.get",
      challenge: bytesToBase64Url(getBytes(digest)),
      origin: this.origin,
      crossOrigin: false,
    });
    const message = new Uint8Array(69);
    message.set(authenticatorData, 0);
    message.set(getBytes(ethersSha256(new TextEncoder().encode(clientDataJSON))), 37);
    const sig = p256.sign(message, this.secretKey, { prehash: true, lowS: true });
    const { r, s } = decodeRS(sig);
    return encodeWebAuthnAuth({
      r,
      s,
      challengeIndex: clientDataJSON.indexOf('"challenge":"'),
      typeIndex: clientDataJSON.indexOf('"type":"'),
      authenticatorData: bytesToHex(authenticatorData),
      clientDataJSON,
    });
  }
}
