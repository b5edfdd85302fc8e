/**
 * The bench's gas figures are reproducible (issue 13): its device signers sign deterministically
 * (RFC 6979, low s for P-256) and its chain stamps blocks by a deterministic clock, not the wall clock.
 */
import { expect } from "chai";
import { p256 } from "@noble/curves/nist.js";
import { getBytes, id } from "ethers";
import { attestationMessage, deviceDigest, deviceDomain } from "../../client/src/eip712/devices.js";
import { deterministicDeviceSigner } from "../../client/src/signers/devices.js";
import { P256_HALF_N, decodeRS } from "../../client/src/signers/p256.js";
import { BENCH_EPOCH, createBenchConnection } from "../../scripts/tooling/bench/clock.js";
import { createVerify } from "node:crypto";
import { WebCryptoRsaSigner } from "../../client/src/signers/rsa.js";
import type { Erc7913RegistrySigner } from "../../client/src/signers/devices.js";
import { derivedRsaDevice, simulatedDevice } from "../../scripts/operator/devices/lib.js";

describe("bench determinism (scripts/tooling/bench)", function () {
  const domain = deviceDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
  const digests = Array.from({ length: 40 }, (_, c) =>
    deviceDigest(
      domain,
      "Attestation",
      attestationMessage({
        deviceId: 7n,
        kind: 1,
        value: 1234,
        odometer: 1234 * (c + 1),
        counter: c + 1,
        timestamp: BENCH_EPOCH,
      }),
    ),
  );

  it("the bench's P-256 device signer is deterministic (RFC 6979) and low-s", async function () {
    const seed = id("bench-p256");
    for (let i = 0; i < 4; i++) {
      const a = simulatedDevice(seed, i, "p256");
      const b = deterministicDeviceSigner(seed, i, "p256"); // a second instance of the same key
      for (const digest of digests) {
        const sig = await a.signDigest(digest);
        expect(await a.signDigest(digest)).to.equal(sig);
        expect(await b.signDigest(digest)).to.equal(sig);
        const { s } = decodeRS(sig);
        expect(s <= P256_HALF_N, "low s").to.equal(true);
        const pub = getBytes("0x04" + a.keyA.slice(2) + a.keyB.slice(2));
        expect(p256.verify(getBytes(sig), getBytes(digest), pub, { prehash: true, lowS: true })).to.equal(true);
      }
    }
  });

  it("the bench's secp256k1 device signer is deterministic (RFC 6979)", async function () {
    const a = simulatedDevice(id("bench-secp256k1"), 3, "secp256k1");
    const b = deterministicDeviceSigner(id("bench-secp256k1"), 3, "secp256k1");
    for (const digest of digests.slice(0, 8)) expect(await a.signDigest(digest)).to.equal(await b.signDigest(digest));
  });

  it("the bench's passkey (WebAuthn) signer is deterministic: same key from the seed, same assertion bytes", async function () {
    const v = {
      webauthn: "0x00000000000000000000000000000000000000aa",
      rsa: "0x00000000000000000000000000000000000000bb",
    };
    const a = simulatedDevice(id("bench-webauthn"), 2, "webauthn", v);
    const b = simulatedDevice(id("bench-webauthn"), 2, "webauthn", v);
    expect(a.deviceId).to.equal(b.deviceId);
    for (const digest of digests.slice(0, 4)) expect(await a.signDigest(digest)).to.equal(await b.signDigest(digest));
  });

  it("the bench's RSA-2048 signer is derived from the seed: same key and signature bytes, a valid PKCS#1 v1.5 key", async function () {
    const v = {
      webauthn: "0x00000000000000000000000000000000000000aa",
      rsa: "0x00000000000000000000000000000000000000bb",
    };
    const seed = id("bench-rsa2048");
    const a = (await derivedRsaDevice(seed, 1, v)) as Erc7913RegistrySigner;
    const b = (await derivedRsaDevice(seed, 1, v)) as Erc7913RegistrySigner;
    const other = await derivedRsaDevice(seed, 2, v);
    expect(a.key).to.equal(b.key);
    expect(a.deviceId).to.equal(b.deviceId);
    expect(other.deviceId).to.not.equal(a.deviceId);
    const inner = a.inner as WebCryptoRsaSigner;
    expect(inner.publicKey.bits).to.equal(2048);
    for (const digest of digests.slice(0, 3)) {
      const sig = await a.signDigest(digest);
      expect(await b.signDigest(digest)).to.equal(sig);
      // What the RsaVerifier checks: PKCS#1 v1.5 with SHA-256 over the 32 digest bytes, under the public key.
      const jwk = {
        kty: "RSA",
        n: Buffer.from(getBytes(inner.publicKey.n)).toString("base64url"),
        e: Buffer.from(getBytes(inner.publicKey.e)).toString("base64url"),
      };
      const ok = createVerify("sha256")
        .update(getBytes(digest))
        .verify({ key: jwk, format: "jwk" }, getBytes(await inner.signDigest(digest)));
      expect(ok).to.equal(true);
    }
  });

  it("the bench chain starts at BENCH_EPOCH and stamps blocks previous + 1, whatever the wall clock", async function () {
    const connection = await createBenchConnection();
    try {
      const { ethers, networkHelpers } = connection;
      const [a, b] = await ethers.getSigners();
      const stamp = async () => (await ethers.provider.getBlock("latest"))!.timestamp;
      expect(await stamp()).to.equal(BENCH_EPOCH);
      await (await a!.sendTransaction({ to: b!.address, value: 1n })).wait();
      expect(await stamp()).to.equal(BENCH_EPOCH + 1);
      await new Promise((r) => setTimeout(r, 1100)); // the wall clock moves; the chain does not follow it
      await (await a!.sendTransaction({ to: b!.address, value: 1n })).wait();
      expect(await stamp()).to.equal(BENCH_EPOCH + 2);
      await networkHelpers.time.increase(3600); // an explicit timestamp is honoured
      expect(await stamp()).to.equal(BENCH_EPOCH + 3602);
      await networkHelpers.mine();
      expect(await stamp()).to.equal(BENCH_EPOCH + 3603);
      // Automine off (the parallel report): the block mined by evm_mine is previous + 1 as well.
      await ethers.provider.send("evm_setAutomine", [false]);
      await a!.sendTransaction({ to: b!.address, value: 1n });
      await b!.sendTransaction({ to: a!.address, value: 1n });
      await ethers.provider.send("evm_mine", []);
      await ethers.provider.send("evm_setAutomine", [true]);
      const block = (await ethers.provider.getBlock("latest"))!;
      expect(block.transactions.length).to.equal(2);
      expect(block.timestamp).to.equal(BENCH_EPOCH + 3604);
    } finally {
      await connection.close();
    }
  });
});
