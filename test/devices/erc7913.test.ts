/**
 * The registry's third key kind, ERC-7913 (a verifier allowlisted in DeviceKeys plus key bytes): passkeys through
 * OpenZeppelin's WebAuthn verifier and TPM-style RSA keys through its RSA verifier, signed by WebCrypto (the
 * SoftwareAuthenticator produces real assertions; WebCryptoRsaSigner real PKCS#1 v1.5 signatures). Registration,
 * claim, rotation, single and batch attestations work as for the inline curves, with the same replay rules, and
 * every refusal has its custom error and changes nothing.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { AbiCoder, getBytes, hexlify, keccak256, toBeHex, zeroPadValue } from "ethers";
import {
  AttestationStatus,
  KeyType,
  deviceDigest,
  deviceDomain,
  rotateKeyMessage,
} from "../../client/src/eip712/devices.js";
import { rsaKeyBytes } from "../../client/src/keys/erc7913.js";
import {
  Erc7913RegistrySigner,
  deterministicDeviceSigner,
  erc7913DeviceSignature,
  type DeviceSigner,
} from "../../client/src/signers/devices.js";
import { P256_N, derToRS, normaliseLowS } from "../../client/src/signers/p256.js";
import { WebCryptoRsaSigner } from "../../client/src/signers/rsa.js";
import { SoftwareAuthenticator, type AssertionOverrides } from "../../client/src/signers/webauthn-authenticator.js";
import { WebAuthnDeviceSigner, encodeWebAuthnAuth } from "../../client/src/signers/webauthn.js";
import type { DeviceKeys } from "../../types/ethers-contracts/index.js";
import {
  ONE_DAY,
  deployRegistry,
  deviceState,
  latest,
  register,
  registerAndClaim,
  signedAttestation,
  type Ctx,
} from "./helpers.js";

const { ethers, networkHelpers } = await network.create();
const Scheme = { None: 0, WebAuthn: 1, Rsa: 2 } as const;
const abi = AbiCoder.defaultAbiCoder();

const passkey = await SoftwareAuthenticator.create();
const passkey2 = await SoftwareAuthenticator.create();

interface World extends Ctx {
  keys: DeviceKeys;
  webauthn: string;
  rsa: string;
  pk: Erc7913RegistrySigner;
  pk2: Erc7913RegistrySigner;
  rsaDevice: Erc7913RegistrySigner;
  rsaSigner: WebCryptoRsaSigner;
}

const rsaSigner = await WebCryptoRsaSigner.generate(zeroPadValue("0x01", 20));

function passkeyDevice(auth: SoftwareAuthenticator, verifier: string): Erc7913RegistrySigner {
  return new Erc7913RegistrySigner(
    new WebAuthnDeviceSigner({
      verifier,
      publicKey: auth.publicKey,
      credentialId: auth.credentialId,
      rpId: auth.rpId,
      credentials: auth.credentials(),
    }),
  );
}

/** An RSA device signer on `verifier` over the same WebCrypto key pair. */
function rsaDeviceOn(verifier: string): Erc7913RegistrySigner {
  const inner = {
    scheme: "rsa" as const,
    verifier: verifier as `0x${string}`,
    key: rsaSigner.key,
    signDigest: (d: string) => rsaSigner.signDigest(d),
    signTypedData: rsaSigner.signTypedData.bind(rsaSigner),
  };
  return new Erc7913RegistrySigner(inner);
}

async function world(): Promise<World> {
  const ctx = await deployRegistry(ethers);
  const keys = (await ethers.getContractAt("DeviceKeys", await ctx.registry.deviceKeys())) as unknown as DeviceKeys;
  const webauthn = await (await ethers.deployContract("WebAuthnVerifier")).getAddress();
  const rsa = await (await ethers.deployContract("RsaVerifier")).getAddress();
  await keys.connect(ctx.governance).setVerifier(webauthn, Scheme.WebAuthn);
  await keys.connect(ctx.governance).setVerifier(rsa, Scheme.Rsa);
  const w: World = {
    ...ctx,
    keys,
    webauthn,
    rsa,
    pk: passkeyDevice(passkey, webauthn),
    pk2: passkeyDevice(passkey2, webauthn),
    rsaDevice: rsaDeviceOn(rsa),
    rsaSigner,
  };
  for (const d of [w.pk, w.pk2, w.rsaDevice]) {
    await keys.admitKey(d.verifier, d.key);
    await registerAndClaim(w, d);
  }
  return w;
}

/** A WebAuthn assertion over `digest` with overrides, encoded for the verifier WITHOUT the client's checks. */
async function rawWebAuthn(auth: SoftwareAuthenticator, digest: string, o: AssertionOverrides & { highS?: boolean }) {
  const a = await auth.assert(getBytes(digest), o);
  const json = new TextDecoder().decode(a.clientDataJSON);
  const raw = derToRS(a.signature);
  const low = normaliseLowS(raw.r, raw.s);
  const s = o.highS ? P256_N - low.s : low.s;
  const sig = encodeWebAuthnAuth({
    r: low.r,
    s,
    challengeIndex: json.indexOf('"challenge":"'),
    typeIndex: json.indexOf('"type":"'),
    authenticatorData: hexlify(a.authenticatorData) as `0x${string}`,
    clientDataJSON: json,
  });
  return { sig: erc7913DeviceSignature(hexlify(passkeyKey(auth)), sig), s };
}

const passkeyKey = (auth: SoftwareAuthenticator) => new Uint8Array([...auth.x, ...auth.y]);

describe("DeviceRegistry: ERC-7913 device keys (passkeys through WebAuthn, RSA keys)", function () {
  describe("governance allowlist and key admission (DeviceKeys)", function () {
    it("governance allowlists and removes verifiers (VerifierSet); anyone admits a checked key once (KeyAdmitted)", async function () {
      const ctx = await deployRegistry(ethers);
      const keys = (await ethers.getContractAt("DeviceKeys", await ctx.registry.deviceKeys())) as unknown as DeviceKeys;
      const v = await (await ethers.deployContract("WebAuthnVerifier")).getAddress();
      await expect(keys.connect(ctx.governance).setVerifier(v, Scheme.WebAuthn))
        .to.emit(keys, "VerifierSet")
        .withArgs(v, Scheme.WebAuthn);
      expect(await keys.schemeOf(v)).to.equal(Scheme.WebAuthn);
      const key = hexlify(passkeyKey(passkey));
      await expect(keys.connect(ctx.other).admitKey(v, key))
        .to.emit(keys, "KeyAdmitted")
        .withArgs(v, keccak256(key), key);
      expect(await keys.isAdmitted(v, keccak256(key))).to.equal(true);
      await expect(keys.admitKey(v, key)).not.to.emit(keys, "KeyAdmitted"); // idempotent
      await expect(keys.connect(ctx.governance).setVerifier(v, Scheme.None))
        .to.emit(keys, "VerifierSet")
        .withArgs(v, Scheme.None);
      await expect(keys.admitKey(v, key)).to.be.revertedWithCustomError(keys, "UnknownVerifier").withArgs(v);
    });

    it("refuses keys that would weaken the registry: unknown verifier, off-curve passkey, short or huge RSA, e < 3 or even", async function () {
      const w = await world();
      const { keys } = w;
      await expect(keys.admitKey(w.other.address, "0x1234"))
        .to.be.revertedWithCustomError(keys, "UnknownVerifier")
        .withArgs(w.other.address);
      const offCurve = hexlify(new Uint8Array([...passkey.x, ...passkey.x]));
      await expect(keys.admitKey(w.webauthn, offCurve))
        .to.be.revertedWithCustomError(keys, "InvalidWebAuthnKey")
        .withArgs(offCurve);
      await expect(keys.admitKey(w.webauthn, "0x" + "11".repeat(65))).to.be.revertedWithCustomError(
        keys,
        "InvalidWebAuthnKey",
      );
      const { n } = { n: getBytes(abi.decode(["bytes", "bytes"], rsaSigner.key)[1] as string) };
      const enc = (e: Uint8Array, m: Uint8Array) => abi.encode(["bytes", "bytes"], [e, m]);
      const short = n.slice(0, 128);
      short[127]! |= 1;
      await expect(keys.admitKey(w.rsa, enc(new Uint8Array([1, 0, 1]), short)))
        .to.be.revertedWithCustomError(keys, "InvalidRsaModulus")
        .withArgs(1024);
      const even = n.slice();
      even[even.length - 1]! &= 0xfe;
      await expect(keys.admitKey(w.rsa, enc(new Uint8Array([1, 0, 1]), even)))
        .to.be.revertedWithCustomError(keys, "InvalidRsaModulus")
        .withArgs(2048);
      const long = new Uint8Array(513).fill(0xff);
      await expect(keys.admitKey(w.rsa, enc(new Uint8Array([1, 0, 1]), long)))
        .to.be.revertedWithCustomError(keys, "InvalidRsaModulus")
        .withArgs(4104);
      await expect(keys.admitKey(w.rsa, "0x1234")).to.be.revertedWithCustomError(keys, "InvalidRsaModulus").withArgs(0);
      for (const e of [[1], [2], [0x01, 0x00, 0x00], [], new Array(33).fill(1)]) {
        await expect(keys.admitKey(w.rsa, enc(new Uint8Array(e), n)))
          .to.be.revertedWithCustomError(keys, "InvalidRsaExponent")
          .withArgs(hexlify(new Uint8Array(e)));
      }
      await expect(keys.admitKey(w.rsa, enc(new Uint8Array([3]), n))).to.emit(keys, "KeyAdmitted");
    });

    it("a registration naming a key that was never admitted is refused (InvalidDeviceKey)", async function () {
      const w = await world();
      const other = passkeyDevice(await SoftwareAuthenticator.create(), w.webauthn);
      await expect(register(w, other))
        .to.be.revertedWithCustomError(w.registry, "InvalidDeviceKey")
        .withArgs(KeyType.Erc7913, other.keyA, other.keyB);
      const dirty = { ...other, keyA: toBeHex(1n << 200n, 32) } as unknown as DeviceSigner;
      await expect(register(w, dirty)).to.be.revertedWithCustomError(w.registry, "InvalidDeviceKey");
    });
  });

  describe("lifecycle: as for the inline curves", function () {
    it("registers, claims (proof of possession) and attests with a passkey and an RSA key; stores only the key hash", async function () {
      const w = await networkHelpers.loadFixture(world);
      for (const d of [w.pk, w.rsaDevice]) {
        expect(await w.registry.ownerOf(d.deviceId)).to.equal(w.operator.address);
        const info = await w.registry.deviceInfo(d.deviceId);
        expect([info.keyType, info.keyA, info.keyB]).to.deep.equal([BigInt(KeyType.Erc7913), d.keyA, d.keyB]);
        const { att, sig } = await signedAttestation(w, d, { counter: 1, value: 7 });
        await expect(w.registry.attest(att, sig))
          .to.emit(w.registry, "AttestationAccepted")
          .withArgs(d.deviceId, 1, 1, 7, att.odometer);
        expect(await w.registry.lastCounter(d.deviceId)).to.equal(1n);
        expect((await w.registry.latestReading(d.deviceId, 1)).odometer).to.equal(att.odometer);
      }
    });

    it("claim is proof of possession: another key's assertion, or this key's over another owner, is refused", async function () {
      const w = await networkHelpers.loadFixture(world);
      const fresh = passkeyDevice(await SoftwareAuthenticator.create(), w.webauthn);
      await w.keys.admitKey(fresh.verifier, fresh.key);
      await register(w, fresh);
      const deadline = (await latest(w)) + 3600;
      const msg = {
        deviceId: fresh.deviceId,
        owner: w.operator.address as `0x${string}`,
        nonce: 0n,
        deadline: BigInt(deadline),
      };
      const digest = deviceDigest(w.domain, "Claim", msg);
      const byOther = erc7913DeviceSignature(
        fresh.key,
        abi.decode(["bytes", "bytes"], await w.pk.signDigest(digest))[1] as string,
      );
      await expect(w.registry.claim(fresh.deviceId, w.operator.address, deadline, byOther))
        .to.be.revertedWithCustomError(w.keys, "InvalidKeySignature")
        .withArgs(w.webauthn);
      const good = await fresh.signDigest(digest);
      await expect(w.registry.claim(fresh.deviceId, w.other.address, deadline, good))
        .to.be.revertedWithCustomError(w.keys, "WebAuthnWrongChallenge")
        .withArgs(23);
      await expect(w.registry.claim(fresh.deviceId, w.operator.address, deadline, good))
        .to.emit(w.registry, "DeviceClaimed")
        .withArgs(fresh.deviceId, w.operator.address);
    });

    it("one batch mixes all key kinds, relayed by anyone; a bad item is reported and stores nothing", async function () {
      const w = await networkHelpers.loadFixture(world);
      const k1 = deterministicDeviceSigner("0x" + "71".repeat(32), 0, "secp256k1");
      const r1 = deterministicDeviceSigner("0x" + "72".repeat(32), 0, "p256");
      await registerAndClaim(w, k1);
      await registerAndClaim(w, r1);
      const items = [];
      for (const d of [k1, r1, w.pk, w.rsaDevice]) items.push(await signedAttestation(w, d, { counter: 5 }));
      const bad = await signedAttestation(w, w.pk2, { counter: 5 });
      const forged = abi.decode(["bytes", "bytes"], bad.sig);
      const badSig = erc7913DeviceSignature(
        forged[0] as string,
        (await rawWebAuthn(passkey, keccak256("0x01"), {})).sig,
      );
      const before = await deviceState(w, w.pk2.deviceId);
      const all = [...items.map((i) => i.att), bad.att];
      const sigs = [...items.map((i) => i.sig), badSig];
      expect(await w.registry.connect(w.other).attestBatch.staticCall(all, sigs)).to.deep.equal([
        0n,
        0n,
        0n,
        0n,
        BigInt(AttestationStatus.BadSignature),
      ]);
      await expect(w.registry.connect(w.other).attestBatch(all, sigs))
        .to.emit(w.registry, "AttestationRejected")
        .withArgs(w.pk2.deviceId, 4, AttestationStatus.BadSignature);
      for (const d of [k1, r1, w.pk, w.rsaDevice]) expect(await w.registry.lastCounter(d.deviceId)).to.equal(5n);
      expect(await deviceState(w, w.pk2.deviceId)).to.deep.equal(before);
    });

    it("rotation: a secp256k1 device moves to a passkey, the passkey to an RSA key, and back to secp256k1", async function () {
      const w = await networkHelpers.loadFixture(world);
      const k1 = deterministicDeviceSigner("0x" + "73".repeat(32), 0, "secp256k1");
      const id = await registerAndClaim(w, k1);
      const pk3 = passkeyDevice(await SoftwareAuthenticator.create(), w.webauthn);
      const rotate = async (current: DeviceSigner, next: { keyType: number; keyA: string; keyB: string }) => {
        const info = await w.registry.deviceInfo(id);
        const msg = rotateKeyMessage({
          deviceId: id,
          newKeyType: next.keyType as KeyType,
          newKeyA: next.keyA,
          newKeyB: next.keyB,
          nonce: info.nonce,
          deadline: (await latest(w)) + 3600,
        });
        const sig = await current.signDigest(deviceDigest(w.domain, "RotateKey", msg));
        return w.registry
          .connect(w.operator)
          .rotateKey(id, msg.newKeyType, msg.newKeyA, msg.newKeyB, msg.deadline, sig);
      };
      await expect(rotate(k1, pk3)).to.be.revertedWithCustomError(w.registry, "InvalidDeviceKey"); // not admitted
      await w.keys.admitKey(pk3.verifier, pk3.key);
      await expect(rotate(k1, pk3))
        .to.emit(w.registry, "DeviceKeyRotated")
        .withArgs(id, KeyType.Erc7913, pk3.keyA, pk3.keyB);
      let n = 1;
      const attestBy = async (d: DeviceSigner) => {
        const { att, sig } = await signedAttestation(w, d, { counter: n++, deviceId: id });
        await expect(w.registry.attest(att, sig)).to.emit(w.registry, "AttestationAccepted");
      };
      await attestBy(pk3);
      const oldKey = await signedAttestation(w, k1, { counter: n, deviceId: id });
      await expect(w.registry.attest(oldKey.att, oldKey.sig)).to.be.revertedWithCustomError(
        w.keys,
        "MalformedKeySignature",
      );
      await expect(rotate(pk3, w.rsaDevice))
        .to.emit(w.registry, "DeviceKeyRotated")
        .withArgs(id, KeyType.Erc7913, w.rsaDevice.keyA, w.rsaDevice.keyB);
      await attestBy(w.rsaDevice);
      await expect(rotate(w.rsaDevice, k1))
        .to.emit(w.registry, "DeviceKeyRotated")
        .withArgs(id, KeyType.Secp256k1, k1.keyA, k1.keyB);
      const info = await w.registry.deviceInfo(id);
      expect([info.keyA, info.keyB]).to.deep.equal([k1.keyA, zeroPadValue("0x", 32)]);
      await attestBy(k1);
    });

    it("an accepted attestation writes the device's two registry slots only, nothing in DeviceKeys", async function () {
      const w = await networkHelpers.loadFixture(world);
      const registry = (await w.registry.getAddress()).toLowerCase();
      const keys = (await w.keys.getAddress()).toLowerCase();
      for (const d of [w.pk, w.rsaDevice]) {
        const first = await signedAttestation(w, d, { counter: 1 });
        await (await w.registry.attest(first.att, first.sig)).wait();
        const { att, sig } = await signedAttestation(w, d, { counter: 2 });
        const tx = await w.registry.attest(att, sig);
        const diff = (await ethers.provider.send("debug_traceTransaction", [
          tx.hash,
          { tracer: "prestateTracer", tracerConfig: { diffMode: true } },
        ])) as { post: Record<string, { storage?: Record<string, string> }> };
        const written = (a: string) =>
          Object.keys(Object.entries(diff.post).find(([k]) => k.toLowerCase() === a)?.[1].storage ?? {}).length;
        expect(written(registry)).to.equal(2);
        expect(written(keys)).to.equal(0);
      }
    });
  });

  describe("replay and refusals: each with its custom error, nothing changed", function () {
    it("replay: the same statement twice, on another device, another registry, another chain, or too late", async function () {
      const w = await networkHelpers.loadFixture(world);
      const { att, sig } = await signedAttestation(w, w.pk, { counter: 9 });
      await w.registry.attest(att, sig);
      await expect(w.registry.attest(att, sig))
        .to.be.revertedWithCustomError(w.registry, "StaleCounter")
        .withArgs(w.pk.deviceId, 9, 9);
      // The same assertion presented for another device: its digest (the challenge) names pk's device.
      const onOther = { ...att, deviceId: w.pk2.deviceId, counter: 10n };
      await expect(w.registry.attest(onOther, sig)).to.be.revertedWithCustomError(w.keys, "KeyMismatch");
      const pk2Key = erc7913DeviceSignature(w.pk2.key, abi.decode(["bytes", "bytes"], sig)[1] as string);
      // With pk2's key bytes the challenge gives it away: it is the digest of pk's statement.
      await expect(w.registry.attest(onOther, pk2Key))
        .to.be.revertedWithCustomError(w.keys, "WebAuthnWrongChallenge")
        .withArgs(23);
      // Another registry, another chain: another EIP-712 domain, hence another challenge.
      const { chainId } = await ethers.provider.getNetwork();
      for (const domain of [
        deviceDomain(chainId, w.other.address),
        deviceDomain(chainId + 1n, await w.registry.getAddress()),
      ]) {
        const foreign = { ...att, counter: 11n };
        const s = await w.pk.signDigest(deviceDigest(domain, "Attestation", foreign));
        await expect(w.registry.attest(foreign, s))
          .to.be.revertedWithCustomError(w.keys, "WebAuthnWrongChallenge")
          .withArgs(23);
      }
      const old = await signedAttestation(w, w.rsaDevice, { counter: 12, timestamp: (await latest(w)) - 2 * ONE_DAY });
      await expect(w.registry.attest(old.att, old.sig)).to.be.revertedWithCustomError(w.registry, "AttestationExpired");
    });

    it("WebAuthn: wrong challenge, wrong type, UP or UV missing, BS without BE, high s, malformed, wrong key", async function () {
      const w = await networkHelpers.loadFixture(world);
      const { att } = await signedAttestation(w, w.pk, { counter: 1 });
      const digest = deviceDigest(w.domain, "Attestation", att);
      const before = await deviceState(w, w.pk.deviceId);
      const refuse = async (sig: string, error: string, ...args: unknown[]) => {
        const p = expect(w.registry.attest(att, sig)).to.be.revertedWithCustomError(w.keys, error);
        await (args.length > 0 ? p.withArgs(...args) : p);
        expect(await w.registry.checkAttestation(att, sig)).to.equal(AttestationStatus.BadSignature);
      };
      await refuse((await rawWebAuthn(passkey, keccak256(digest), {})).sig, "WebAuthnWrongChallenge", 23);
      await refuse((await rawWebAuthn(passkey, digest, { type: "webauthn.create" })).sig, "WebAuthnWrongType", 1);
      await refuse((await rawWebAuthn(passkey, digest, { flags: 0x01 })).sig, "WebAuthnFlagsRefused", 0x01);
      await refuse((await rawWebAuthn(passkey, digest, { flags: 0x04 })).sig, "WebAuthnFlagsRefused", 0x04);
      await refuse((await rawWebAuthn(passkey, digest, { flags: 0x15 })).sig, "WebAuthnFlagsRefused", 0x15);
      const high = await rawWebAuthn(passkey, digest, { highS: true });
      await refuse(high.sig, "WebAuthnMalleableSignature", toBeHex(high.s, 32));
      await refuse(
        (await rawWebAuthn(passkey2, digest, {})).sig.replace(
          hexlify(passkeyKey(passkey2)).slice(2),
          hexlify(passkeyKey(passkey)).slice(2),
        ),
        "InvalidKeySignature",
        w.webauthn,
      );
      await refuse(erc7913DeviceSignature(w.pk.key, "0x1234"), "MalformedKeySignature");
      await refuse("0x" + "ab".repeat(100), "MalformedKeySignature");
      // Offsets in bounds, a member's length beyond the bytes: malformed, never read past the end.
      const valid = getBytes((await rawWebAuthn(passkey, digest, {})).sig);
      valid.set(getBytes(toBeHex(0xffff, 32)), 0x40); // the key's length word
      await refuse(hexlify(valid), "MalformedKeySignature");
      await refuse(erc7913DeviceSignature(w.pk2.key, "0x"), "KeyMismatch", w.pk.keyB, w.pk2.keyB);
      // A 64-byte signature (the P-256 encoding) for an ERC-7913 device: refused, never read as P-256.
      await expect(w.registry.attest(att, "0x" + "11".repeat(64))).to.be.revertedWithCustomError(
        w.keys,
        "MalformedKeySignature",
      );
      expect(await deviceState(w, w.pk.deviceId)).to.deep.equal(before);
      // BE and BS together are fine, and the repaired assertion is accepted.
      const ok = await rawWebAuthn(passkey, digest, { flags: 0x1d });
      // DeviceKeys called directly (an integrator's pre-check): verify says true and requireValid returns, while the
      // same check over another digest names the reason.
      expect(await w.keys.verify(w.webauthn, w.pk.keyB, digest, ok.sig)).to.equal(true);
      await w.keys.requireValid(w.webauthn, w.pk.keyB, digest, ok.sig);
      await expect(w.keys.requireValid(w.webauthn, w.pk.keyB, keccak256(digest), ok.sig))
        .to.be.revertedWithCustomError(w.keys, "WebAuthnWrongChallenge")
        .withArgs(23);
      await expect(w.registry.attest(att, ok.sig)).to.emit(w.registry, "AttestationAccepted");
    });

    it("RSA: a forged or foreign signature is refused (InvalidKeySignature)", async function () {
      const w = await networkHelpers.loadFixture(world);
      const { att, sig } = await signedAttestation(w, w.rsaDevice, { counter: 1 });
      const [key, s] = abi.decode(["bytes", "bytes"], sig) as unknown as [string, string];
      const tampered = getBytes(s);
      tampered[10]! ^= 1;
      const before = await deviceState(w, w.rsaDevice.deviceId);
      await expect(w.registry.attest(att, erc7913DeviceSignature(key, hexlify(tampered))))
        .to.be.revertedWithCustomError(w.keys, "InvalidKeySignature")
        .withArgs(w.rsa);
      expect(await deviceState(w, w.rsaDevice.deviceId)).to.deep.equal(before);
      expect(rsaKeyBytes(w.rsaSigner.publicKey)).to.equal(key);
    });

    it("a verifier removed by governance stops its devices (UnknownVerifier) until allowlisted again", async function () {
      const w = await networkHelpers.loadFixture(world);
      await w.keys.connect(w.governance).setVerifier(w.rsa, Scheme.None);
      const { att, sig } = await signedAttestation(w, w.rsaDevice, { counter: 1 });
      await expect(w.registry.attest(att, sig))
        .to.be.revertedWithCustomError(w.keys, "UnknownVerifier")
        .withArgs(w.rsa);
      await expect(w.registry.attestBatch([att], [sig]))
        .to.emit(w.registry, "AttestationRejected")
        .withArgs(w.rsaDevice.deviceId, 0, AttestationStatus.BadSignature);
      await w.keys.connect(w.governance).setVerifier(w.rsa, Scheme.Rsa);
      await expect(w.registry.attest(att, sig)).to.emit(w.registry, "AttestationAccepted");
    });

    it("the authenticator's signature counter is not the attestation counter: only the signed counter orders", async function () {
      const w = await networkHelpers.loadFixture(world);
      const a1 = await signedAttestation(w, w.pk, { counter: 1 });
      const d1 = deviceDigest(w.domain, "Attestation", a1.att);
      await w.registry.attest(a1.att, (await rawWebAuthn(passkey, d1, { signCount: 50 })).sig);
      // A synced passkey reports 0, a reset one goes back: accepted while the signed counter advances.
      const a2 = await signedAttestation(w, w.pk, { counter: 2 });
      const d2 = deviceDigest(w.domain, "Attestation", a2.att);
      await expect(w.registry.attest(a2.att, (await rawWebAuthn(passkey, d2, { signCount: 0 })).sig)).to.emit(
        w.registry,
        "AttestationAccepted",
      );
      // A fresh assertion (higher authenticator counter) of an old statement is still stale.
      await expect(w.registry.attest(a1.att, (await rawWebAuthn(passkey, d1, { signCount: 99 })).sig))
        .to.be.revertedWithCustomError(w.registry, "StaleCounter")
        .withArgs(w.pk.deviceId, 1, 2);
    });
  });
});
