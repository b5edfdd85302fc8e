/**
 * client/src/keys/{erc7913,rsa,cose}.ts: every form hardware exports a key in gives the key bytes the
 * OpenZeppelin verifiers take, checked against node:crypto's own exports (an independent implementation)
 * and hand-written CBOR; broken, short or unsafe keys are refused with a clear KeyImportError.
 */
import { expect } from "chai";
import { createPublicKey, generateKeyPairSync, verify as nodeVerify, type KeyObject } from "node:crypto";
import { AbiCoder, Wallet, getAddress } from "ethers";
import { KeyImportError } from "../../../client/src/keys.js";
import {
  decodeRsaKeyBytes,
  rsaKey,
  webAuthnKey,
  webAuthnKeyFromRegistration,
} from "../../../client/src/keys/erc7913.js";
import { AUTH_FLAGS, parseAuthenticatorData, parseCoseKey } from "../../../client/src/keys/cose.js";
import { decodeCbor } from "../../../client/src/keys/cbor.js";
import { rsaPublicKey } from "../../../client/src/keys/rsa.js";
import { SoftwareAuthenticator } from "../../../client/src/signers/webauthn-authenticator.js";

const VERIFIER = getAddress("0x00000000000000000000000000000000000000aa");
const b64u = (s: string) => new Uint8Array(Buffer.from(s, "base64url"));
const hex = (b: Uint8Array) => "0x" + Buffer.from(b).toString("hex");

/** CBOR by hand (not the client's encoder): a byte string header and body. */
function cborBytes(b: Uint8Array): number[] {
  if (b.length < 24) return [0x40 | b.length, ...b];
  if (b.length < 256) return [0x58, b.length, ...b];
  return [0x59, b.length >> 8, b.length & 0xff, ...b];
}
/** COSE EC2 P-256 key {1: 2, 3: -7, -1: 1, -2: x, -3: y}. */
const coseEc2 = (x: Uint8Array, y: Uint8Array) =>
  new Uint8Array([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, ...cborBytes(x), 0x22, ...cborBytes(y)]);
/** COSE RSA key {1: 3, 3: -257, -1: n, -2: e}. */
const coseRsa = (n: Uint8Array, e: Uint8Array) =>
  new Uint8Array([0xa4, 0x01, 0x03, 0x03, 0x39, 0x01, 0x00, 0x20, ...cborBytes(n), 0x21, ...cborBytes(e)]);

function rsaExports(publicKey: KeyObject) {
  const jwk = publicKey.export({ format: "jwk" }) as { kty: string; n: string; e: string };
  return {
    jwk,
    spkiDer: new Uint8Array(publicKey.export({ type: "spki", format: "der" })),
    spkiPem: publicKey.export({ type: "spki", format: "pem" }) as string,
    pkcs1Der: new Uint8Array(publicKey.export({ type: "pkcs1", format: "der" })),
    pkcs1Pem: publicKey.export({ type: "pkcs1", format: "pem" }) as string,
    n: b64u(jwk.n),
    e: b64u(jwk.e),
  };
}

describe("client keys: RSA public keys for the RSA verifier", function () {
  for (const bits of [2048, 3072, 4096]) {
    it(`RSA-${bits}: SPKI DER/PEM, PKCS#1 DER/PEM, JWK and COSE all give abi.encode(e, n) of Node's n and e`, function () {
      const { publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
      const x = rsaExports(publicKey);
      const expected = AbiCoder.defaultAbiCoder().encode(["bytes", "bytes"], [x.e, x.n]);
      expect(x.n.length).to.equal(bits / 8);
      const forms: [string, ReturnType<typeof rsaKey>][] = [
        ["spki der", rsaKey(VERIFIER, x.spkiDer)],
        ["spki der hex", rsaKey(VERIFIER, hex(x.spkiDer))],
        ["spki pem", rsaKey(VERIFIER, x.spkiPem)],
        ["pkcs1 der", rsaKey(VERIFIER, x.pkcs1Der)],
        ["pkcs1 pem", rsaKey(VERIFIER, x.pkcs1Pem)],
        ["jwk", rsaKey(VERIFIER, x.jwk)],
        ["jwk json", rsaKey(VERIFIER, JSON.stringify(x.jwk))],
        ["cose", rsaKey(VERIFIER, coseRsa(x.n, x.e))],
        ["n, e", rsaKey(VERIFIER, { n: x.n, e: x.e })],
      ];
      for (const [name, k] of forms) {
        expect(k.key, name).to.equal(expected);
        expect(k.verifier, name).to.equal(VERIFIER);
        expect(k.scheme, name).to.equal("rsa");
        expect(k.bits, name).to.equal(bits);
      }
      const back = decodeRsaKeyBytes(forms[0]![1].key);
      expect(hex(back.n)).to.equal(hex(x.n));
      expect(hex(back.e)).to.equal("0x010001");
    });
  }

  it("drops DER's sign byte and a JWK's leading zeros: the modulus is exactly as long as a signature", function () {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const x = rsaExports(publicKey);
    const padded = new Uint8Array(x.n.length + 2);
    padded.set(x.n, 2);
    const k = rsaKey(VERIFIER, { kty: "RSA", n: Buffer.from(padded).toString("base64url"), e: x.jwk.e });
    expect(decodeRsaKeyBytes(k.key).n.length).to.equal(256);
  });

  it("refuses RSA-1024 and RSA-2040 in every form, naming the size", function () {
    for (const bits of [1024, 2040]) {
      const { publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
      const x = rsaExports(publicKey);
      for (const input of [x.spkiDer, x.spkiPem, x.pkcs1Pem, x.jwk, coseRsa(x.n, x.e)]) {
        expect(() => rsaKey(VERIFIER, input as never)).to.throw(KeyImportError, `RSA-${bits} key`);
      }
    }
  });

  it("refuses unsafe exponents (e = 1, even e), an even modulus, a private JWK, an EC key and a bad verifier", function () {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const x = rsaExports(publicKey);
    expect(() => rsaPublicKey(x.n, new Uint8Array([1]))).to.throw(KeyImportError, "exponent 1");
    expect(() => rsaPublicKey(x.n, new Uint8Array([1, 0, 0]))).to.throw(KeyImportError, "exponent 65536");
    const even = x.n.slice();
    even[even.length - 1]! &= 0xfe;
    expect(() => rsaPublicKey(even, x.e)).to.throw(KeyImportError, "modulus is even");
    expect(() => rsaKey(VERIFIER, privateKey.export({ format: "jwk" }) as never)).to.throw(KeyImportError, "private");
    expect(() => rsaKey(VERIFIER, privateKey.export({ type: "pkcs8", format: "pem" }) as string)).to.throw(
      KeyImportError,
      "export the public key only",
    );
    const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey;
    expect(() => rsaKey(VERIFIER, new Uint8Array(ec.export({ type: "spki", format: "der" })))).to.throw(
      KeyImportError,
      "an EC key, not RSA",
    );
    expect(() => rsaKey("0x1234", x.jwk)).to.throw(KeyImportError, "not an address");
    expect(() => rsaKey(VERIFIER, x.spkiDer.subarray(0, 100))).to.throw(KeyImportError, "truncated or malformed");
  });
});

describe("client keys: passkey (P-256) keys for the WebAuthn verifier", function () {
  it("SPKI DER/PEM, JWK, SEC1 (compressed and not), qx||qy and COSE all give Node's x || y", function () {
    for (let i = 0; i < 4; i++) {
      const { publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
      const der = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
      const jwk = publicKey.export({ format: "jwk" }) as { kty: string; crv: string; x: string; y: string };
      const xb = b64u(jwk.x);
      const yb = b64u(jwk.y);
      const expected = hex(new Uint8Array([...xb, ...yb]));
      const uncompressed = new Uint8Array([0x04, ...xb, ...yb]);
      const compressed = new Uint8Array([(yb[31]! & 1) === 1 ? 0x03 : 0x02, ...xb]);
      const forms: [string, unknown][] = [
        ["spki der", der],
        ["spki hex", hex(der)],
        ["pem", publicKey.export({ type: "spki", format: "pem" })],
        ["jwk", jwk],
        ["jwk json", JSON.stringify(jwk)],
        ["sec1 uncompressed", uncompressed],
        ["sec1 compressed hex", hex(compressed)],
        ["qx||qy", hex(new Uint8Array([...xb, ...yb]))],
        ["cose bytes", coseEc2(xb, yb)],
        ["cose hex", hex(coseEc2(xb, yb))],
        ["cose parsed", parseCoseKey(coseEc2(xb, yb))],
      ];
      for (const [name, input] of forms) {
        const k = webAuthnKey(VERIFIER, input as never);
        expect(k.key, name).to.equal(expected);
        expect(k.scheme, name).to.equal("webauthn");
      }
    }
  });

  it("reads the credential key and id from a registration's attestation object and authenticator data", async function () {
    const auth = await SoftwareAuthenticator.create({ rpId: "plinth.example" });
    const { attestationObject, authenticatorData } = await auth.register();
    const fromObject = webAuthnKeyFromRegistration(VERIFIER, { attestationObject });
    const fromAuthData = webAuthnKeyFromRegistration(VERIFIER, { authenticatorData: hex(authenticatorData) });
    expect(fromObject).to.deep.equal(fromAuthData);
    expect(fromObject.credentialId).to.equal(auth.credentialIdHex);
    expect(fromObject.key).to.equal(hex(new Uint8Array([...auth.x, ...auth.y])));
    // Node, given that key as a JWK, verifies an assertion of the authenticator: the key is the signer's.
    const jwk = {
      kty: "EC",
      crv: "P-256",
      x: Buffer.from(fromObject.key.slice(2, 66), "hex").toString("base64url"),
      y: Buffer.from(fromObject.key.slice(66), "hex").toString("base64url"),
    };
    const a = await auth.assert(new Uint8Array(32).fill(7));
    const clientDataHash = new Uint8Array(await crypto.subtle.digest("SHA-256", a.clientDataJSON));
    const message = new Uint8Array([...a.authenticatorData, ...clientDataHash]);
    expect(nodeVerify("sha256", message, { key: createPublicKey({ key: jwk, format: "jwk" }) }, a.signature)).to.equal(
      true,
    );
    // The registration's authenticator data: rpIdHash, flags UP | UV | AT, counter 0, the COSE key bytes.
    const parsed = parseAuthenticatorData(authenticatorData);
    expect(hex(parsed.rpIdHash)).to.equal(
      "0x" + Buffer.from(await crypto.subtle.digest("SHA-256", Buffer.from("plinth.example"))).toString("hex"),
    );
    expect(parsed.flags).to.equal(AUTH_FLAGS.UP | AUTH_FLAGS.UV | AUTH_FLAGS.AT);
    expect(parsed.signCount).to.equal(0);
    expect(hex(parsed.attestedCredential!.publicKeyCose)).to.equal(hex(coseEc2(auth.x, auth.y)));
  });

  it("refuses an RSA passkey (RS256), a secp256k1 key, a point off the curve and a COSE key of another curve", function () {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const x = rsaExports(publicKey);
    expect(() => webAuthnKey(VERIFIER, coseRsa(x.n, x.e))).to.throw(KeyImportError, "RSA passkey (RS256");
    const k1 = generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey;
    expect(() => webAuthnKey(VERIFIER, k1.export({ type: "spki", format: "pem" }) as string)).to.throw(
      KeyImportError,
      "secp256k1",
    );
    const off = new Uint8Array(65);
    off[0] = 0x04;
    off[64] = 1;
    expect(() => webAuthnKey(VERIFIER, off)).to.throw(KeyImportError, "not on P-256");
    expect(() => webAuthnKey(VERIFIER, new Uint8Array(64).fill(1))).to.throw(KeyImportError, "not on P-256");
    const p384 = new Uint8Array([0xa4, 0x01, 0x02, 0x20, 0x02, 0x21, ...cborBytes(new Uint8Array(48)), 0x22, 0x40]);
    expect(() => webAuthnKey(VERIFIER, p384)).to.throw(KeyImportError, "only P-256");
    const ed25519 = new Uint8Array([0xa3, 0x01, 0x01, 0x20, 0x06, 0x21, ...cborBytes(new Uint8Array(32))]);
    expect(() => webAuthnKey(VERIFIER, ed25519)).to.throw(KeyImportError, "OKP");
    expect(() => webAuthnKey(VERIFIER, Wallet.createRandom().signingKey.publicKey)).to.throw(
      KeyImportError,
      "not on P-256",
    );
  });

  it("refuses malformed CBOR: truncated, trailing bytes, indefinite lengths, duplicate keys", function () {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const jwk = publicKey.export({ format: "jwk" }) as { x: string; y: string };
    const cose = coseEc2(b64u(jwk.x), b64u(jwk.y));
    expect(() => parseCoseKey(cose.subarray(0, cose.length - 1))).to.throw(KeyImportError, "runs past the end");
    expect(() => parseCoseKey(new Uint8Array([...cose, 0]))).to.throw(KeyImportError, "1 bytes after");
    expect(() => parseCoseKey(new Uint8Array([0xbf, 0x01, 0x02, 0xff]))).to.throw(KeyImportError, "indefinite");
    expect(() => decodeCbor(new Uint8Array([0xa2, 0x01, 0x02, 0x01, 0x02]))).to.throw(KeyImportError, "duplicate");
    const noAt = new Uint8Array(37);
    noAt[32] = AUTH_FLAGS.UP;
    expect(() => webAuthnKeyFromRegistration(VERIFIER, { authenticatorData: noAt })).to.throw(
      KeyImportError,
      "AT flag not set",
    );
  });
});
