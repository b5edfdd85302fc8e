import { expect } from "chai";
import { network } from "hardhat";
import { TypedDataEncoder, Wallet, concat, toBeHex } from "ethers";
import { hashTypedData } from "viem";
import {
  AttestationStatus,
  DeviceStatus,
  KeyType,
  deviceDigest,
  deviceTypes,
  p256SignedHash,
  typesFor,
} from "../../client/src/eip712/devices.js";
import {
  NobleP256Signer,
  Secp256k1DeviceSigner,
  WebCryptoP256Signer,
  deterministicDeviceSigner,
} from "../../client/src/signers/devices.js";
import type { DeviceSigner } from "../../client/src/signers/devices.js";
import { P256_N, decodeRS, encodeRS, toHighS } from "../../client/src/signers/p256.js";
import { ONE_DAY, deployRegistry, deviceState, registerAndClaim, signedAttestation, type Ctx } from "./helpers.js";

const { ethers, networkHelpers } = await network.create();
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const k1 = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
const webR1 = await WebCryptoP256Signer.generate();
const nobleR1 = deterministicDeviceSigner("0x" + "11".repeat(32), 0, "p256");

async function fixture() {
  const ctx = await deployRegistry(ethers);
  for (const d of [k1, webR1, nobleR1]) await registerAndClaim(ctx, d);
  return ctx;
}

const curves: [string, () => DeviceSigner][] = [
  ["secp256k1", () => k1],
  ["P-256 (WebCrypto, non-extractable)", () => webR1],
  ["P-256 (@noble/curves)", () => nobleR1],
];

describe("DeviceRegistry attestations", function () {
  describe("independent implementations agree", function () {
    it("the contract's attestation digest equals ethers TypedDataEncoder.hash and viem hashTypedData", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const { att } = await signedAttestation(ctx, k1, { counter: 7, value: 123, kind: 42 });
      const onChain = await ctx.registry.attestationDigest(att);
      const viaEthers = TypedDataEncoder.hash(ctx.domain, typesFor("Attestation"), att);
      const viaViem = hashTypedData({
        domain: {
          name: ctx.domain.name!,
          version: ctx.domain.version!,
          chainId: Number(ctx.domain.chainId),
          verifyingContract: ctx.domain.verifyingContract as `0x${string}`,
        },
        types: { Attestation: deviceTypes.Attestation },
        primaryType: "Attestation",
        message: { ...att, kind: Number(att.kind), payloadHash: att.payloadHash as `0x${string}` },
      });
      expect(onChain).to.equal(viaEthers);
      expect(onChain).to.equal(viaViem);
      expect(onChain).to.equal(deviceDigest(ctx.domain, "Attestation", att));
    });

    it("ethers and viem agree on the digest of every device message type (RegisterDevice, Claim, RotateKey)", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const viemDomain = {
        name: ctx.domain.name!,
        version: ctx.domain.version!,
        chainId: Number(ctx.domain.chainId),
        verifyingContract: ctx.domain.verifyingContract as `0x${string}`,
      };
      const hex = (x: string) => x as `0x${string}`;
      const reg = {
        manufacturer: hex(ctx.manufacturer.address),
        keyType: KeyType.P256,
        keyA: hex(webR1.keyA),
        keyB: hex(webR1.keyB),
        model: hex(ethers.id("m")),
        firmwareHash: hex(ethers.id("f")),
        serialHash: hex(ethers.id("s")),
      };
      expect(deviceDigest(ctx.domain, "RegisterDevice", reg)).to.equal(
        hashTypedData({
          domain: viemDomain,
          types: { RegisterDevice: deviceTypes.RegisterDevice },
          primaryType: "RegisterDevice",
          message: reg,
        }),
      );
      const claim = { deviceId: k1.deviceId, owner: hex(ctx.operator.address), nonce: 3n, deadline: 99n };
      expect(deviceDigest(ctx.domain, "Claim", claim)).to.equal(
        hashTypedData({
          domain: viemDomain,
          types: { Claim: deviceTypes.Claim },
          primaryType: "Claim",
          message: { ...claim, nonce: 3 },
        }),
      );
      const rot = {
        deviceId: k1.deviceId,
        newKeyType: KeyType.Secp256k1,
        newKeyA: hex(k1.keyA),
        newKeyB: hex(k1.keyB),
        nonce: 1n,
        deadline: 7n,
      };
      expect(deviceDigest(ctx.domain, "RotateKey", rot)).to.equal(
        hashTypedData({
          domain: viemDomain,
          types: { RotateKey: deviceTypes.RotateKey },
          primaryType: "RotateKey",
          message: { ...rot, nonce: 1 },
        }),
      );
    });

    it("the domain is the one EIP-5267 reports: Plinth DeviceRegistry, version 1, this chain and contract", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const d = await ctx.registry.eip712Domain();
      expect(d.name).to.equal("Plinth DeviceRegistry");
      expect(d.version).to.equal("1");
      expect(d.chainId).to.equal(ctx.domain.chainId);
      expect(d.verifyingContract).to.equal(ctx.domain.verifyingContract);
    });

    it("WebCrypto and @noble/curves P-256 signatures both verify on-chain over sha256(digest)", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      for (const d of [webR1, nobleR1]) {
        const { att, sig } = await signedAttestation(ctx, d, { counter: 1 });
        expect(await ctx.registry.checkAttestation(att, sig)).to.equal(AttestationStatus.Accepted);
        // The precompile agrees that the signed hash is sha256 of the EIP-712 digest.
        const { r, s } = decodeRS(sig);
        const input = concat([
          p256SignedHash(deviceDigest(ctx.domain, "Attestation", att)),
          toBeHex(r, 32),
          toBeHex(s, 32),
          d.keyA,
          d.keyB,
        ]);
        expect(await ethers.provider.call({ to: "0x0000000000000000000000000000000000000100", data: input })).to.equal(
          toBeHex(1n, 32),
        );
      }
    });

    it("a noble signer and a WebCrypto signer of different keys cannot sign for each other", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const { att } = await signedAttestation(ctx, webR1, { counter: 1 });
      const forged = await nobleR1.signDigest(deviceDigest(ctx.domain, "Attestation", att));
      expect(await ctx.registry.checkAttestation(att, forged)).to.equal(AttestationStatus.BadSignature);
    });
  });

  for (const [name, dev] of curves) {
    describe(`accepted attestations (${name})`, function () {
      it("stores the reading with its odometer and advances lastCounter", async function () {
        const ctx = await networkHelpers.loadFixture(fixture);
        const d = dev();
        const a1 = await signedAttestation(ctx, d, { counter: 5, value: 100 });
        await expect(ctx.registry.attest(a1.att, a1.sig))
          .to.emit(ctx.registry, "AttestationAccepted")
          .withArgs(d.deviceId, 1, 5, 100, 100);
        const a2 = await signedAttestation(ctx, d, { counter: 9, value: 250 });
        await ctx.registry.attest(a2.att, a2.sig);
        const r = await ctx.registry.latestReading(d.deviceId, 1);
        expect([r.counter, r.value, r.odometer, r.timestamp]).to.deep.equal([9n, 250n, 350n, a2.att.timestamp]);
        expect(await ctx.registry.lastCounter(d.deviceId)).to.equal(9n);
      });

      it("the counter is device-wide: a reading of another kind must also carry a higher counter", async function () {
        const ctx = await networkHelpers.loadFixture(fixture);
        const d = dev();
        const a1 = await signedAttestation(ctx, d, { counter: 5, kind: 1 });
        await ctx.registry.attest(a1.att, a1.sig);
        const a2 = await signedAttestation(ctx, d, { counter: 5, kind: 2 });
        await expect(ctx.registry.attest(a2.att, a2.sig))
          .to.be.revertedWithCustomError(ctx.registry, "StaleCounter")
          .withArgs(d.deviceId, 5, 5);
        const a3 = await signedAttestation(ctx, d, { counter: 6, kind: 2 });
        await ctx.registry.attest(a3.att, a3.sig);
        expect((await ctx.registry.latestReading(d.deviceId, 2)).counter).to.equal(6n);
      });
    });
  }

  describe("every refusal reverts with its exact error and changes nothing", function () {
    async function expectRefused(
      ctx: Ctx,
      d: DeviceSigner,
      att: Parameters<Ctx["registry"]["attest"]>[0],
      sig: string,
      error: string,
      args: unknown[],
      status: AttestationStatus,
    ) {
      const before = await deviceState(ctx, d.deviceId);
      await expect(ctx.registry.attest(att, sig))
        .to.be.revertedWithCustomError(ctx.registry, error)
        .withArgs(...args);
      expect(await ctx.registry.checkAttestation(att, sig)).to.equal(status);
      expect(await deviceState(ctx, d.deviceId)).to.deep.equal(before);
    }

    async function withReading(d: DeviceSigner) {
      const ctx = await networkHelpers.loadFixture(fixture);
      const a = await signedAttestation(ctx, d, { counter: 10, value: 5 });
      await ctx.registry.attest(a.att, a.sig);
      return ctx;
    }

    for (const [name, dev] of curves) {
      it(`a replayed attestation is refused as StaleCounter (${name})`, async function () {
        const d = dev();
        const ctx = await networkHelpers.loadFixture(fixture);
        const a = await signedAttestation(ctx, d, { counter: 10 });
        await ctx.registry.attest(a.att, a.sig);
        await expectRefused(ctx, d, a.att, a.sig, "StaleCounter", [d.deviceId, 10, 10], AttestationStatus.StaleCounter);
      });

      it(`a lower counter is refused as StaleCounter (${name})`, async function () {
        const d = dev();
        const ctx = await withReading(d);
        const a = await signedAttestation(ctx, d, { counter: 9 });
        await expectRefused(ctx, d, a.att, a.sig, "StaleCounter", [d.deviceId, 9, 10], AttestationStatus.StaleCounter);
      });

      it(`a timestamp older than maxAge is refused as AttestationExpired (${name})`, async function () {
        const d = dev();
        const ctx = await withReading(d);
        const now = (await ethers.provider.getBlock("latest"))!.timestamp;
        const ts = now - ONE_DAY - 10;
        const a = await signedAttestation(ctx, d, { counter: 11, timestamp: ts });
        await networkHelpers.time.setNextBlockTimestamp(now + 1);
        await expectRefused(ctx, d, a.att, a.sig, "AttestationExpired", [ts, now + 1], AttestationStatus.Expired);
      });

      it(`a timestamp beyond the future skew is refused as AttestationFromFuture (${name})`, async function () {
        const d = dev();
        const ctx = await withReading(d);
        const now = (await ethers.provider.getBlock("latest"))!.timestamp;
        const ts = now + 1 + 301;
        const a = await signedAttestation(ctx, d, { counter: 11, timestamp: ts });
        await networkHelpers.time.setNextBlockTimestamp(now + 1);
        await expectRefused(ctx, d, a.att, a.sig, "AttestationFromFuture", [ts, now + 1], AttestationStatus.FromFuture);
      });

      it(`a signature by another key is refused as InvalidDeviceSignature (${name})`, async function () {
        const d = dev();
        const ctx = await withReading(d);
        const a = await signedAttestation(ctx, d, { counter: 11 });
        const impostor =
          d.keyType === 1
            ? Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey)
            : await WebCryptoP256Signer.generate();
        const forged = await impostor.signDigest(deviceDigest(ctx.domain, "Attestation", a.att));
        await expectRefused(
          ctx,
          d,
          a.att,
          forged,
          "InvalidDeviceSignature",
          [d.deviceId],
          AttestationStatus.BadSignature,
        );
      });

      it(`a signature over another value (tampered relay) is refused (${name})`, async function () {
        const d = dev();
        const ctx = await withReading(d);
        const a = await signedAttestation(ctx, d, { counter: 11, value: 1 });
        const tampered = { ...a.att, value: 1_000_000n };
        await expectRefused(
          ctx,
          d,
          tampered,
          a.sig,
          "InvalidDeviceSignature",
          [d.deviceId],
          AttestationStatus.BadSignature,
        );
      });

      it(`a signature for another registry (wrong domain) is refused (${name})`, async function () {
        const d = dev();
        const ctx = await withReading(d);
        const a = await signedAttestation(ctx, d, { counter: 11 });
        const otherDomain = { ...ctx.domain, verifyingContract: ctx.other.address };
        const sig = await d.signDigest(deviceDigest(otherDomain, "Attestation", a.att));
        await expectRefused(ctx, d, a.att, sig, "InvalidDeviceSignature", [d.deviceId], AttestationStatus.BadSignature);
        const otherChain = { ...ctx.domain, chainId: 1n };
        const sig2 = await d.signDigest(deviceDigest(otherChain, "Attestation", a.att));
        await expectRefused(
          ctx,
          d,
          a.att,
          sig2,
          "InvalidDeviceSignature",
          [d.deviceId],
          AttestationStatus.BadSignature,
        );
      });

      it(`a signature of the wrong length is refused as InvalidSignatureLength (${name})`, async function () {
        const d = dev();
        const ctx = await withReading(d);
        const a = await signedAttestation(ctx, d, { counter: 11 });
        const expected = d.keyType === 1 ? 65 : 64;
        const bad = a.sig + "00";
        await expectRefused(
          ctx,
          d,
          a.att,
          bad,
          "InvalidSignatureLength",
          [expected + 1, expected],
          AttestationStatus.BadSignatureLength,
        );
      });

      it(`a high-s signature is refused as MalleableSignature while its low-s form is accepted (${name})`, async function () {
        const d = dev();
        const ctx = await withReading(d);
        const a = await signedAttestation(ctx, d, { counter: 11 });
        let high: string;
        let highS: bigint;
        if (d.keyType === 1) {
          const r = BigInt("0x" + a.sig.slice(2, 66));
          const s = BigInt("0x" + a.sig.slice(66, 130));
          const v = parseInt(a.sig.slice(130, 132), 16);
          highS = SECP256K1_N - s;
          high = encodeRS(r, highS) + (v === 27 ? "1c" : "1b");
        } else {
          const { r, s } = decodeRS(a.sig);
          highS = toHighS(r, s).s;
          expect(highS).to.equal(P256_N - s);
          high = encodeRS(r, highS);
        }
        await expectRefused(
          ctx,
          d,
          a.att,
          high,
          "MalleableSignature",
          [toBeHex(highS, 32)],
          AttestationStatus.MalleableSignature,
        );
        await expect(ctx.registry.attest(a.att, a.sig)).to.emit(ctx.registry, "AttestationAccepted");
      });
    }

    it("an attestation from an unknown device is refused as UnknownDevice", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const stranger = deterministicDeviceSigner("0x" + "22".repeat(32), 1, "secp256k1");
      const a = await signedAttestation(ctx, stranger, { counter: 1 });
      await expectRefused(
        ctx,
        stranger,
        a.att,
        a.sig,
        "UnknownDevice",
        [stranger.deviceId],
        AttestationStatus.UnknownDevice,
      );
    });

    it("attestations from suspended and decommissioned devices are refused as DeviceNotActive", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const a = await signedAttestation(ctx, k1, { counter: 1 });
      await ctx.registry.connect(ctx.manufacturer).suspend(k1.deviceId);
      await expectRefused(
        ctx,
        k1,
        a.att,
        a.sig,
        "DeviceNotActive",
        [k1.deviceId, DeviceStatus.Suspended],
        AttestationStatus.DeviceInactive,
      );
      await ctx.registry.connect(ctx.manufacturer).resume(k1.deviceId);
      await ctx.registry.connect(ctx.operator).decommission(k1.deviceId);
      await expectRefused(
        ctx,
        k1,
        a.att,
        a.sig,
        "DeviceNotActive",
        [k1.deviceId, DeviceStatus.Decommissioned],
        AttestationStatus.DeviceInactive,
      );
    });

    it("an odometer below the kind's last one is refused as OdometerRegressed; equal and higher are accepted", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const a = await signedAttestation(ctx, k1, { counter: 1, value: 5, odometer: 1_000 });
      await ctx.registry.attest(a.att, a.sig);
      // limit - 1: refused, nothing changes (status and custom error with both odometers).
      const b = await signedAttestation(ctx, k1, { counter: 2, value: 5, odometer: 999 });
      await expectRefused(
        ctx,
        k1,
        b.att,
        b.sig,
        "OdometerRegressed",
        [k1.deviceId, 1, 999, 1_000],
        AttestationStatus.OdometerRegressed,
      );
      // limit: accepted (no unit consumed); another kind keeps its own odometer.
      const c = await signedAttestation(ctx, k1, { counter: 2, value: 0, odometer: 1_000 });
      await expect(ctx.registry.attest(c.att, c.sig))
        .to.emit(ctx.registry, "AttestationAccepted")
        .withArgs(k1.deviceId, 1, 2, 0, 1_000);
      const other = await signedAttestation(ctx, k1, { counter: 3, kind: 2, value: 1, odometer: 1 });
      await ctx.registry.attest(other.att, other.sig);
      // limit + 1: accepted.
      const d = await signedAttestation(ctx, k1, { counter: 4, value: 1, odometer: 1_001 });
      await ctx.registry.attest(d.att, d.sig);
      expect((await ctx.registry.latestReading(k1.deviceId, 1)).odometer).to.equal(1_001n);
      expect((await ctx.registry.latestReading(k1.deviceId, 2)).odometer).to.equal(1n);
    });
  });

  describe("attestBatch", function () {
    it("returns a status per item, stores only accepted items and emits one event per item", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const good1 = await signedAttestation(ctx, k1, { counter: 1, value: 10 });
      const replay = good1; // same item again: stale after the first is stored
      const good2 = await signedAttestation(ctx, webR1, { counter: 3, value: 20 });
      const forged = await signedAttestation(ctx, nobleR1, { counter: 4 });
      const stranger = deterministicDeviceSigner("0x" + "33".repeat(32), 0, "secp256k1");
      const unknown = await signedAttestation(ctx, stranger, { counter: 1 });
      const items = [good1, replay, good2, forged, unknown];
      const sigs = items.map((x) => x.sig);
      sigs[3] = good2.sig.slice(0, -2) + (good2.sig.endsWith("00") ? "01" : "00");
      const statuses = await ctx.registry.attestBatch.staticCall(
        items.map((x) => x.att),
        sigs,
      );
      expect(statuses.map(Number)).to.deep.equal([
        AttestationStatus.Accepted,
        AttestationStatus.StaleCounter,
        AttestationStatus.Accepted,
        AttestationStatus.BadSignature,
        AttestationStatus.UnknownDevice,
      ]);
      const before = await deviceState(ctx, nobleR1.deviceId);
      const tx = ctx.registry.attestBatch(
        items.map((x) => x.att),
        sigs,
      );
      await expect(tx).to.emit(ctx.registry, "AttestationAccepted").withArgs(k1.deviceId, 1, 1, 10, 10);
      await expect(tx).to.emit(ctx.registry, "AttestationAccepted").withArgs(webR1.deviceId, 1, 3, 20, 20);
      await expect(tx)
        .to.emit(ctx.registry, "AttestationRejected")
        .withArgs(k1.deviceId, 1, AttestationStatus.StaleCounter);
      await expect(tx)
        .to.emit(ctx.registry, "AttestationRejected")
        .withArgs(nobleR1.deviceId, 3, AttestationStatus.BadSignature);
      await expect(tx)
        .to.emit(ctx.registry, "AttestationRejected")
        .withArgs(stranger.deviceId, 4, AttestationStatus.UnknownDevice);
      expect(await deviceState(ctx, nobleR1.deviceId)).to.deep.equal(before);
      expect((await ctx.registry.latestReading(k1.deviceId, 1)).odometer).to.equal(10n);
      expect(await ctx.registry.lastCounter(webR1.deviceId)).to.equal(3n);
    });

    it("reverts with LengthMismatch when arrays differ, storing nothing", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const a = await signedAttestation(ctx, k1, { counter: 1 });
      await expect(ctx.registry.attestBatch([a.att], []))
        .to.be.revertedWithCustomError(ctx.registry, "LengthMismatch")
        .withArgs(1, 0);
      expect(await ctx.registry.lastCounter(k1.deviceId)).to.equal(0n);
    });

    it("an empty batch is a no-op", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      expect(await ctx.registry.attestBatch.staticCall([], [])).to.deep.equal([]);
    });
  });

  describe("storage writes (parallel-EVM friendliness)", function () {
    async function writtenSlots(txHash: string, registry: string): Promise<string[]> {
      const diff = (await ethers.provider.send("debug_traceTransaction", [
        txHash,
        { tracer: "prestateTracer", tracerConfig: { diffMode: true } },
      ])) as {
        pre: Record<string, { storage?: Record<string, string> }>;
        post: Record<string, { storage?: Record<string, string> }>;
      };
      const key = Object.keys(diff.post).find((k) => k.toLowerCase() === registry.toLowerCase());
      const pre = Object.keys(diff.pre).find((k) => k.toLowerCase() === registry.toLowerCase());
      const slots = new Set<string>([
        ...Object.keys((key && diff.post[key]!.storage) || {}),
        ...Object.keys((pre && diff.pre[pre]!.storage) || {}),
      ]);
      return [...slots].sort();
    }

    it("one accepted attestation writes at most two registry slots; two devices write disjoint slots", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const registry = await ctx.registry.getAddress();
      // Warm realism: both devices already have a reading of kind 1.
      for (const d of [k1, webR1]) {
        const a = await signedAttestation(ctx, d, { counter: 1 });
        await ctx.registry.attest(a.att, a.sig);
      }
      const written: string[][] = [];
      for (const d of [k1, webR1]) {
        const a = await signedAttestation(ctx, d, { counter: 2, value: 7 });
        const tx = await ctx.registry.attest(a.att, a.sig);
        const slots = await writtenSlots(tx.hash, registry);
        expect(slots.length).to.be.greaterThan(0);
        expect(slots.length).to.be.at.most(2);
        written.push(slots);
      }
      expect(written[0]!.filter((s) => written[1]!.includes(s))).to.deep.equal([]);
    });
  });
});
