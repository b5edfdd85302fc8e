import { expect } from "chai";
import { network } from "hardhat";
import { simulate } from "../../scripts/devices/simulator.js";
import { simulatedDevice } from "../../scripts/devices/lib.js";
import { KeyType } from "../../client/src/eip712/devices.js";

const { ethers } = await network.create();
const SEED = ethers.id("simulator-test");

describe("device simulator (scripts/devices/simulate.ts)", function () {
  it("derives the same keys from the same seed, alternating curves when mixed", function () {
    const a = simulatedDevice(SEED, 3, "mixed");
    const b = simulatedDevice(SEED, 3, "mixed");
    expect(a.deviceId).to.equal(b.deviceId);
    expect(a.keyType).to.equal(KeyType.P256);
    expect(simulatedDevice(SEED, 4, "mixed").keyType).to.equal(KeyType.Secp256k1);
    expect(simulatedDevice(SEED, 3, "secp256k1").deviceId).to.not.equal(a.deviceId);
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
    expect(r.cumulative).to.equal([0, 6, 12, 18, 24].reduce((t, j) => t + 1000n + BigInt(j % 97), 0n));

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
});
