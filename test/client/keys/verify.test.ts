/**
 * Device signatures made by WebCrypto, verified on chain by the suite's deployed OpenZeppelin ERC-7913
 * verifiers (WebAuthnVerifier, RsaVerifier), and cross-checked by node:crypto. `verify(key, hash, signature)`
 * returns its selector (0x024ad318) for a valid signature and 0xffffffff otherwise; every refusal the
 * issue names is shown to fail for exactly its reason (the same assertion, repaired, verifies).
 *
 * What the WebAuthn verifier requires (OpenZeppelin 5.7, `_requireUV() == true`): "type":"webauthn.get",
 * the challenge = base64url(digest), flags UP and UV, not BS without BE, s <= n/2. It does not check the
 * origin, the rpIdHash or the signature counter.
 */
import { expect } from "chai";
import { createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import hre from "hardhat";
import { AbiCoder, TypedDataEncoder, getBytes, hexlify, keccak256, randomBytes, toUtf8Bytes } from "ethers";
import { loadParameters } from "../../../deploy/config.js";
import { deploySuite } from "../../../scripts/operator/deploy/lib.js";
import type { RsaVerifier, WebAuthnVerifier } from "../../../types/ethers-contracts/index.js";
import { AUTH_FLAGS } from "../../../client/src/keys/cose.js";
import { rsaKey, webAuthnKey } from "../../../client/src/keys/erc7913.js";
import { P256_N, derToRS, normaliseLowS, toHighS } from "../../../client/src/signers/p256.js";
import { WebCryptoRsaSigner } from "../../../client/src/signers/rsa.js";
import { SoftwareAuthenticator, type SoftwareAssertion } from "../../../client/src/signers/webauthn-authenticator.js";
import {
  WebAuthnDeviceSigner,
  WebAuthnError,
  encodeWebAuthnAuth,
  encodeWebAuthnSignature,
  webAuthnAuthOf,
  webAuthnChallenge,
  type WebAuthnAuth,
} from "../../../client/src/signers/webauthn.js";

const OK = "0x024ad318"; // IERC7913SignatureVerifier.verify.selector
const NO = "0xffffffff";
const digest = () => hexlify(randomBytes(32));
const hex = (b: Uint8Array) => hexlify(b) as `0x${string}`;

/** The verifier's WebAuthnAuth of an assertion WITHOUT the client's checks (to send malformed ones on chain). */
function rawAuth(a: SoftwareAssertion, opts: { lowS?: boolean } = {}): WebAuthnAuth {
  const json = new TextDecoder().decode(a.clientDataJSON);
  const { r, s } = derToRS(a.signature);
  const rs = opts.lowS === false ? toHighS(r, s) : normaliseLowS(r, s);
  return {
    ...rs,
    typeIndex: json.indexOf('"type":"'),
    challengeIndex: json.indexOf('"challenge":"'),
    authenticatorData: hex(a.authenticatorData),
    clientDataJSON: json,
  };
}

describe("ERC-7913 device keys verified on chain by the suite's OpenZeppelin verifiers", function () {
  let webauthn: WebAuthnVerifier;
  let rsa: RsaVerifier;
  let authenticator: SoftwareAuthenticator;
  let key: string;
  const gas: Record<string, bigint> = {};

  before(async function () {
    const connection = await hre.network.create();
    const deployed = await deploySuite(hre, connection, loadParameters("localhost"), {
      networkName: "default",
      writeFiles: false,
    });
    webauthn = (await connection.ethers.getContractAt(
      "WebAuthnVerifier",
      deployed.addresses.WebAuthnVerifier!,
    )) as unknown as WebAuthnVerifier;
    rsa = (await connection.ethers.getContractAt(
      "RsaVerifier",
      deployed.addresses.RsaVerifier!,
    )) as unknown as RsaVerifier;
    authenticator = await SoftwareAuthenticator.create({ rpId: "plinth.example" });
    key = authenticator.erc7913Key(await webauthn.getAddress()).key;
  });

  after(function () {
    if (Object.keys(gas).length > 0) console.log("      gas (eth_estimateGas of verify):", gas);
  });

  describe("WebAuthn (passkeys): the test authenticator, the encoder, the browser signer", function () {
    it("base64url of the digest is the challenge, as Node writes it", function () {
      for (let n = 0; n <= 33; n++) {
        const bytes = randomBytes(n);
        expect(webAuthnChallenge(bytes)).to.equal(Buffer.from(bytes).toString("base64url"));
      }
    });

    it("assertions are real: node:crypto verifies them over authenticatorData || sha256(clientDataJSON)", async function () {
      const jwk = {
        kty: "EC",
        crv: "P-256",
        x: Buffer.from(authenticator.x).toString("base64url"),
        y: Buffer.from(authenticator.y).toString("base64url"),
      };
      const d = digest();
      const a = await authenticator.assert(getBytes(d));
      const clientData = JSON.parse(new TextDecoder().decode(a.clientDataJSON)) as Record<string, unknown>;
      expect(clientData).to.deep.equal({
        type: "webauthn.get",
        challenge: Buffer.from(getBytes(d)).toString("base64url"),
        origin: "https://plinth.example",
        crossOrigin: false,
      });
      expect(hex(a.authenticatorData.subarray(0, 32))).to.equal(
        "0x" + Buffer.from(await crypto.subtle.digest("SHA-256", toUtf8Bytes("plinth.example"))).toString("hex"),
      );
      expect(a.authenticatorData[32]).to.equal(AUTH_FLAGS.UP | AUTH_FLAGS.UV);
      const counter = new DataView(a.authenticatorData.buffer).getUint32(33);
      expect(counter).to.equal(authenticator.signCount);
      const message = Buffer.concat([
        a.authenticatorData,
        Buffer.from(await crypto.subtle.digest("SHA-256", a.clientDataJSON)),
      ]);
      expect(nodeVerify("sha256", message, createPublicKey({ key: jwk, format: "jwk" }), a.signature)).to.equal(true);
    });

    it("the verifier accepts encoded assertions (low and high s from the authenticator alike: the encoder normalises)", async function () {
      let sawHigh = false;
      for (let i = 0; i < 12; i++) {
        const d = digest();
        const a = await authenticator.assert(getBytes(d));
        sawHigh ||= derToRS(a.signature).s > P256_N >> 1n;
        const auth = webAuthnAuthOf(a, { digest: d });
        expect(auth.s <= P256_N >> 1n).to.equal(true);
        expect(auth.clientDataJSON.slice(auth.typeIndex)).to.match(/^"type":"webauthn\.get"/);
        expect(auth.clientDataJSON.slice(auth.challengeIndex)).to.match(/^"challenge":"/);
        expect(await webauthn.verify(key, d, encodeWebAuthnSignature(a, { digest: d }))).to.equal(OK);
      }
      expect(sawHigh, "12 assertions, none with a high s: the normalisation went untested").to.equal(true);
    });

    it("the browser signer asks navigator.credentials.get for the digest (UV required) and its result verifies", async function () {
      const stub = authenticator.credentials();
      const original = Object.getOwnPropertyDescriptor(globalThis, "navigator");
      Object.defineProperty(globalThis, "navigator", { value: { credentials: stub }, configurable: true });
      try {
        const signer = new WebAuthnDeviceSigner({
          verifier: await webauthn.getAddress(),
          publicKey: authenticator.publicKey,
          credentialId: authenticator.credentialId,
          rpId: "plinth.example",
        });
        expect(signer.key).to.equal(key);
        const domain = {
          name: "Plinth DeviceRegistry",
          version: "1",
          chainId: 31337,
          verifyingContract: rsa.target as string,
        };
        const types = { Ping: [{ name: "n", type: "uint256" }] };
        const d = TypedDataEncoder.hash(domain, types, { n: 7 });
        const signature = await signer.signTypedData(domain, types, { n: 7 });
        expect(stub.requests).to.have.length(1);
        const request = stub.requests[0]!;
        expect(hex(request.challenge)).to.equal(d);
        expect(request.userVerification).to.equal("required");
        expect(request.rpId).to.equal("plinth.example");
        expect(hex(request.allowCredentials![0]!.id)).to.equal(authenticator.credentialIdHex);
        expect(await webauthn.verify(key, d, signature)).to.equal(OK);
        expect(await webauthn.verify(key, digest(), signature)).to.equal(NO);
      } finally {
        if (original !== undefined) Object.defineProperty(globalThis, "navigator", original);
        else delete (globalThis as { navigator?: unknown }).navigator;
      }
    });

    it("the browser signer refuses an answer that cannot verify: UP or UV missing, another challenge, no WebAuthn", async function () {
      const make = (credentials: ReturnType<SoftwareAuthenticator["credentials"]> | undefined) =>
        new WebAuthnDeviceSigner({
          verifier: rsa.target as string,
          publicKey: authenticator.erc7913Key(rsa.target as string),
          credentialId: authenticator.credentialIdHex,
          ...(credentials === undefined ? {} : { credentials }),
        });
      const d = digest();
      await expectReject(make(authenticator.credentials({ flags: AUTH_FLAGS.UP })).signDigest(d), "(UV)");
      await expectReject(make(authenticator.credentials({ flags: AUTH_FLAGS.UV })).signDigest(d), "(UP)");
      await expectReject(
        make(authenticator.credentials({ challengeText: webAuthnChallenge(digest()) })).signDigest(d),
        "not the digest",
      );
      await expectReject(
        make(authenticator.credentials({ type: "webauthn.create" })).signDigest(d),
        "not an assertion",
      );
      const other = await SoftwareAuthenticator.create({ rpId: "plinth.example" });
      await expectReject(make(other.credentials()).signDigest(d), "not in allowCredentials");
      const original = Object.getOwnPropertyDescriptor(globalThis, "navigator");
      Object.defineProperty(globalThis, "navigator", { value: {}, configurable: true });
      try {
        await expectReject(make(undefined).signDigest(d), "navigator.credentials is missing");
      } finally {
        if (original !== undefined) Object.defineProperty(globalThis, "navigator", original);
        else delete (globalThis as { navigator?: unknown }).navigator;
      }
    });

    describe("every refusal on chain, each beside the same assertion repaired", function () {
      it("a signature over another digest (wrong challenge)", async function () {
        const d = digest();
        const a = await authenticator.assert(getBytes(d));
        expect(await webauthn.verify(key, d, encodeWebAuthnAuth(rawAuth(a)))).to.equal(OK);
        expect(await webauthn.verify(key, digest(), encodeWebAuthnAuth(rawAuth(a)))).to.equal(NO);
        // The challenge text of another digest, signed: refused for the digest asked.
        const b = await authenticator.assert(getBytes(d), { challengeText: webAuthnChallenge(digest()) });
        expect(await webauthn.verify(key, d, encodeWebAuthnAuth(rawAuth(b)))).to.equal(NO);
        expect(() => webAuthnAuthOf(b, { digest: d })).to.throw(WebAuthnError, "not the digest");
        // Padded base64 ("...=") is not the verifier's encoding either.
        const c = await authenticator.assert(getBytes(d), {
          challengeText: Buffer.from(getBytes(d)).toString("base64"),
        });
        expect(await webauthn.verify(key, d, encodeWebAuthnAuth(rawAuth(c)))).to.equal(NO);
      });

      it('a clientData type other than "webauthn.get" (a registration, a forged type)', async function () {
        const d = digest();
        for (const type of ["webauthn.create", "payment.get", "webauthn.GET"]) {
          const a = await authenticator.assert(getBytes(d), { type });
          expect(await webauthn.verify(key, d, encodeWebAuthnAuth(rawAuth(a))), type).to.equal(NO);
          expect(() => webAuthnAuthOf(a), type).to.throw(WebAuthnError, "not an assertion");
        }
        // A typeIndex pointing elsewhere than the type member of a good assertion.
        const good = rawAuth(await authenticator.assert(getBytes(d)));
        expect(await webauthn.verify(key, d, encodeWebAuthnAuth(good))).to.equal(OK);
        expect(await webauthn.verify(key, d, encodeWebAuthnAuth({ ...good, typeIndex: good.typeIndex + 1 }))).to.equal(
          NO,
        );
      });

      it("flags: UP and UV are both required; BS without BE is refused; BE and BS together are fine", async function () {
        const d = digest();
        const { UP, UV, BE, BS } = AUTH_FLAGS;
        const cases: [string, number, string][] = [
          ["UP | UV", UP | UV, OK],
          ["UP | UV | BE | BS (a synced passkey)", UP | UV | BE | BS, OK],
          ["UP | UV | BE", UP | UV | BE, OK],
          ["UP only (no user verification)", UP, NO],
          ["UV only (no user presence)", UV, NO],
          ["none", 0, NO],
          ["UP | UV | BS without BE", UP | UV | BS, NO],
        ];
        for (const [name, flags, expected] of cases) {
          const a = await authenticator.assert(getBytes(d), { flags });
          expect(await webauthn.verify(key, d, encodeWebAuthnAuth(rawAuth(a))), name).to.equal(expected);
        }
      });

      it("a high-s P-256 signature inside the assertion (its low-s twin verifies)", async function () {
        const d = digest();
        const a = await authenticator.assert(getBytes(d));
        const high = rawAuth(a, { lowS: false });
        expect(high.s > P256_N >> 1n).to.equal(true);
        expect(await webauthn.verify(key, d, encodeWebAuthnAuth(high))).to.equal(NO);
        expect(await webauthn.verify(key, d, encodeWebAuthnAuth(rawAuth(a)))).to.equal(OK);
      });

      it("another key, tampered authenticator data or clientDataJSON, a bad key length, malformed bytes", async function () {
        const d = digest();
        const a = await authenticator.assert(getBytes(d));
        const good = rawAuth(a);
        const sig = encodeWebAuthnAuth(good);
        expect(await webauthn.verify(key, d, sig)).to.equal(OK);
        const other = await SoftwareAuthenticator.create({ rpId: "plinth.example" });
        expect(await webauthn.verify(other.erc7913Key(rsa.target as string).key, d, sig)).to.equal(NO);
        const bumped = getBytes(good.authenticatorData);
        bumped[36]! ^= 1; // the counter, after signing
        expect(await webauthn.verify(key, d, encodeWebAuthnAuth({ ...good, authenticatorData: hex(bumped) }))).to.equal(
          NO,
        );
        const json = good.clientDataJSON.replace("https://plinth.example", "https://plinth.exampl3");
        expect(await webauthn.verify(key, d, encodeWebAuthnAuth({ ...good, clientDataJSON: json }))).to.equal(NO);
        const shortData = { ...good, authenticatorData: hex(getBytes(good.authenticatorData).subarray(0, 36)) };
        expect(await webauthn.verify(key, d, encodeWebAuthnAuth(shortData))).to.equal(NO);
        expect(await webauthn.verify(key.slice(0, -2), d, sig)).to.equal(NO);
        expect(await webauthn.verify(key + "00", d, sig)).to.equal(NO);
        expect(await webauthn.verify(key, d, sig.slice(0, 2 + 0xc0 * 2))).to.equal(NO);
        expect(await webauthn.verify(key, d, "0x")).to.equal(NO);
        // The struct encoding with its outer offset (abi.encode of a tuple) is not what the verifier takes.
        const tupled = AbiCoder.defaultAbiCoder().encode(
          ["tuple(bytes32,bytes32,uint256,uint256,bytes,string)"],
          [AbiCoder.defaultAbiCoder().decode(["bytes32", "bytes32", "uint256", "uint256", "bytes", "string"], sig)],
        );
        expect(await webauthn.verify(key, d, tupled)).to.equal(NO);
      });

      it("not checked on chain (documented): origin, rpIdHash and the signature counter", async function () {
        const d = digest();
        const a = await authenticator.assert(getBytes(d), {
          origin: "https://elsewhere.example",
          rpId: "elsewhere.example",
          signCount: 0,
        });
        expect(await webauthn.verify(key, d, encodeWebAuthnAuth(rawAuth(a)))).to.equal(OK);
        const again = await authenticator.assert(getBytes(d), { signCount: 0 });
        expect(await webauthn.verify(key, d, encodeWebAuthnAuth(rawAuth(again)))).to.equal(OK);
      });
    });

    it("gas: one WebAuthn verification", async function () {
      const d = digest();
      const sig = encodeWebAuthnSignature(await authenticator.assert(getBytes(d)), { digest: d });
      gas.webauthn = await webauthn.verify.estimateGas(key, d, sig);
      expect(gas.webauthn).to.be.greaterThan(21_000n).and.lessThan(100_000n);
    });
  });

  describe("RSA (TPM 2.0 and smart-card keys): RSASSA-PKCS1-v1_5 with SHA-256 over the digest", function () {
    it("WebCrypto RSA-2048 and RSA-3072 signatures verify on chain, and node:crypto agrees", async function () {
      for (const bits of [2048, 3072]) {
        const signer = await WebCryptoRsaSigner.generate(rsa.target as string, bits);
        expect(signer.extractable).to.equal(false);
        const d = digest();
        const signature = await signer.signDigest(d);
        expect(getBytes(signature).length).to.equal(bits / 8);
        const pub = createPublicKey({
          key: {
            kty: "RSA",
            n: Buffer.from(signer.publicKey.n).toString("base64url"),
            e: Buffer.from(signer.publicKey.e).toString("base64url"),
          },
          format: "jwk",
        });
        expect(nodeVerify("sha256", getBytes(d), pub, getBytes(signature))).to.equal(true);
        expect(await rsa.verify(signer.key, d, signature), `RSA-${bits}`).to.equal(OK);
        expect(await rsa.verify(signer.key, digest(), signature), `RSA-${bits} other digest`).to.equal(NO);
      }
    });

    it("a key from node:crypto (as a TPM exports it, SPKI PEM) and its signature verify; RSA-1024 never does", async function () {
      for (const bits of [2048, 1024]) {
        const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: bits });
        const d = digest();
        const signature = hexlify(nodeSign("sha256", getBytes(d), privateKey));
        if (bits === 2048) {
          const k = rsaKey(rsa.target as string, publicKey.export({ type: "spki", format: "pem" }) as string);
          expect(await rsa.verify(k.key, d, signature)).to.equal(OK);
        } else {
          // The client refuses to import it; encoded by hand, the verifier refuses it anyway.
          const jwk = publicKey.export({ format: "jwk" }) as { n: string; e: string };
          const raw = AbiCoder.defaultAbiCoder().encode(
            ["bytes", "bytes"],
            [Buffer.from(jwk.e, "base64url"), Buffer.from(jwk.n, "base64url")],
          );
          expect(await rsa.verify(raw, d, signature)).to.equal(NO);
        }
      }
    });

    it("refuses a signature over another digest, a shortened or altered signature, s >= n, RSA-PSS, another key", async function () {
      const signer = await WebCryptoRsaSigner.generate(rsa.target as string);
      const d = digest();
      const signature = await signer.signDigest(d);
      expect(await rsa.verify(signer.key, d, signature)).to.equal(OK);
      expect(await rsa.verify(signer.key, keccak256(d), signature)).to.equal(NO);
      expect(await rsa.verify(signer.key, d, "0x" + signature.slice(4))).to.equal(NO);
      expect(await rsa.verify(signer.key, d, signature + "00")).to.equal(NO);
      const flipped = getBytes(signature);
      flipped[100]! ^= 1;
      expect(await rsa.verify(signer.key, d, hexlify(flipped))).to.equal(NO);
      expect(await rsa.verify(signer.key, d, hexlify(signer.publicKey.n))).to.equal(NO);
      const other = await WebCryptoRsaSigner.generate(rsa.target as string);
      expect(await rsa.verify(other.key, d, signature)).to.equal(NO);
      // RSA-PSS over the same digest, same key pair shape: not the verifier's scheme.
      const pss = await crypto.subtle.generateKey(
        { name: "RSA-PSS", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
        true,
        ["sign", "verify"],
      );
      const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pss.publicKey));
      const pssKey = rsaKey(rsa.target as string, spki).key;
      const pssSig = hexlify(
        new Uint8Array(await crypto.subtle.sign({ name: "RSA-PSS", saltLength: 32 }, pss.privateKey, getBytes(d))),
      );
      expect(await rsa.verify(pssKey, d, pssSig)).to.equal(NO);
    });

    it("a key that is not abi.encode(bytes, bytes) reverts (abi.decode) instead of returning 0xffffffff", async function () {
      const signer = await WebCryptoRsaSigner.generate(rsa.target as string);
      const d = digest();
      const signature = await signer.signDigest(d);
      let reverted = false;
      try {
        await rsa.verify(hexlify(signer.publicKey.n), d, signature);
      } catch {
        reverted = true;
      }
      expect(reverted).to.equal(true);
    });

    it("gas: one RSA-2048 verification", async function () {
      const signer = await WebCryptoRsaSigner.generate(rsa.target as string);
      const d = digest();
      gas.rsa2048 = await rsa.verify.estimateGas(signer.key, d, await signer.signDigest(d));
      expect(gas.rsa2048).to.be.greaterThan(21_000n).and.lessThan(200_000n);
    });
  });

  it("the WebAuthn key of a passkey equals its ERC-7913 key whatever the form", async function () {
    expect(webAuthnKey(await webauthn.getAddress(), authenticator.coseKey()).key).to.equal(key);
  });
});

async function expectReject(promise: Promise<unknown>, message: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect((error as Error).message).to.include(message);
    return;
  }
  expect.fail(`expected a rejection with "${message}"`);
}
