import { expect } from "chai";
import { network } from "hardhat";
import { readingPlan, simulate } from "../../scripts/operator/devices/simulator.js";
import { simulatedDevice } from "../../scripts/operator/devices/lib.js";
import {
  KeyType,
  attestationMessage,
  deviceDigest,
  deviceDomain,
  makeDeviceDigester,
} from "../../client/src/eip712/devices.js";

const { ethers } = await network.create();
const SEED = ethers.id("simulator-test");

describe("device simulator (scripts/operator/devices/simulate.ts)", function () {
  it("derives the same keys from the same seed, alternating curves when mixed", function () {
    const a = simulatedDevice(SEED, 3, "mixed");
    const b = simulatedDevice(SEED, 3, "mixed");
    expect(a.deviceId).to.equal(b.deviceId);
    expect(a.keyType).to.equal(KeyType.P256);
    expect(simulatedDevice(SEED, 4, "mixed").keyType).to.equal(KeyType.Secp256k1);
    expect(simulatedDevice(SEED, 3, "secp256k1").deviceId).to.not.equal(a.deviceId);
  });

  it("the reading plan gives every device its share, rounds in order, window by window", function () {
    for (const [n, r, w] of [
      [6, 25, 4096],
      [10, 95, 3],
      [7, 3, 2],
      [5, 0, 2],
    ] as const) {
      const seen = new Map<number, number[]>();
      let total = 0;
      for (const { index, round } of readingPlan(n, r, w)) {
        const rounds = seen.get(index) ?? [];
        expect(round).to.equal(rounds.length); // rounds of a device come in order 0, 1, 2...
        seen.set(index, [...rounds, round]);
        total++;
      }
      expect(total).to.equal(r);
      for (let i = 0; i < n; i++) {
        expect(seen.get(i)?.length ?? 0).to.equal(Math.floor(r / n) + (i < r % n ? 1 : 0));
      }
    }
  });

  it("the hot-loop digester equals deviceDigest", function () {
    const domain = deviceDomain(31337, "0x00000000000000000000000000000000000000aa");
    const fast = makeDeviceDigester(domain);
    const att = attestationMessage({ deviceId: 5n, kind: 2, value: 3, odometer: 30, counter: 4, timestamp: 5 });
    expect(fast("Attestation", att)).to.equal(deviceDigest(domain, "Attestation", att));
    const claim = {
      deviceId: 5n,
      owner: "0x00000000000000000000000000000000000000bb" as const,
      nonce: 1n,
      deadline: 9n,
    };
    expect(fast("Claim", claim)).to.equal(deviceDigest(domain, "Claim", claim));
  });

  it("registers mixed-curve devices and streams every reading, all accepted, in batches", async function () {
    const [relayer] = await ethers.getSigners();
    const s = await simulate({
      ethers,
      relayer: relayer!,
      devices: 6,
      readings: 25,
      curve: "mixed",
      batch: 10,
      seed: SEED,
      progress: false,
    });
    expect(s.registered).to.equal(6);
    expect(s.batches).to.equal(3);
    expect(s.accepted).to.equal(25);
    expect(s.rejected).to.equal(0);
    expect(s.gasPerAttestation).to.be.greaterThan(0);
    const registry = await ethers.getContractAt("DeviceRegistry", s.registry);
    // Device 0 got readings 0, 6, 12, 18, 24: five rounds, counters strictly increasing.
    const d0 = simulatedDevice(SEED, 0, "mixed");
    const r = await registry.latestReading(d0.deviceId, 1);
    expect(r.counter).to.equal(await registry.lastCounter(d0.deviceId));
    // Its odometer is its running total: the base plus every value it signed.
    expect(r.odometer - s.odometerBase).to.equal([0, 6, 12, 18, 24].reduce((t, j) => t + 1000n + BigInt(j % 97), 0n));

    // A second run on the same registry skips registration and is accepted again (higher counters).
    const again = await simulate({
      ethers,
      relayer: relayer!,
      registryAddress: s.registry,
      devices: 6,
      readings: 12,
      curve: "mixed",
      batch: 5,
      seed: SEED,
      progress: false,
    });
    expect(again.registered).to.equal(0);
    expect(again.accepted).to.equal(12);
    expect(await registry.lastCounter(d0.deviceId)).to.be.greaterThan(r.counter);
  });

  it("mixes all four key kinds (secp256k1, P-256, passkeys, RSA): every reading accepted on chain", async function () {
    const [relayer] = await ethers.getSigners();
    const s = await simulate({
      ethers,
      relayer: relayer!,
      devices: 8,
      readings: 24,
      curve: "all",
      batch: 12,
      seed: SEED,
      progress: false,
    });
    expect([s.registered, s.accepted, s.rejected]).to.deep.equal([8, 24, 0]);
    const registry = await ethers.getContractAt("DeviceRegistry", s.registry);
    const kinds = [];
    for (const { args } of await registry.queryFilter(registry.filters.DeviceRegistered())) kinds.push(args.keyType);
    expect(kinds).to.deep.equal([1n, 2n, 3n, 3n, 1n, 2n, 3n, 3n]);
    // A passkey device is derived from the seed: the same id on every run.
    const verifier = "0x00000000000000000000000000000000000000aa";
    expect(simulatedDevice(SEED, 2, "all", { webauthn: verifier, rsa: verifier }).deviceId).to.equal(
      simulatedDevice(SEED, 2, "all", { webauthn: verifier, rsa: verifier }).deviceId,
    );
    expect(() => simulatedDevice(SEED, 2, "all")).to.throw(/verifiers are needed/);
  });
});
