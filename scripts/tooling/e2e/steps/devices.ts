/** Devices: registration and claim (both curves), binding, streamed attestations (scripts/operator/devices). */
import { expect } from "chai";
import { id } from "ethers";
import { registryDomain, sendClaim, sendRegistration, simulatedDevice } from "../../../operator/devices/lib.js";
import { simulate } from "../../../operator/devices/simulator.js";
import { attestationMessage, deviceDigest } from "../../../../client/src/eip712/devices.js";
import {
  DEVICE_SEED,
  KIND_ENERGY,
  contract,
  latestTimestamp,
  signer,
  state,
  type ScenarioContext,
  type Step,
} from "./context.js";
import { mined } from "../../../lib/cli.js";

/**
 * Signs and submits one attestation of `kind` from simulated device `index`. Energy readings carry the
 * device's running total (its stored odometer plus `value`); other kinds are not additive (odometer kept).
 */
export async function attest(ctx: ScenarioContext, index: number, kind: number, value: number, timestamp: bigint) {
  const registry = await contract<import("../../../../types/ethers-contracts/index.js").DeviceRegistry>(
    ctx,
    "DeviceRegistry",
    signer(ctx, "agent"),
  );
  const device = simulatedDevice(DEVICE_SEED, index, "mixed");
  const counter = (await registry.lastCounter(device.deviceId)) + 1n;
  const message = attestationMessage({
    deviceId: device.deviceId,
    kind,
    value,
    odometer:
      (await registry.latestReading(device.deviceId, kind)).odometer + (kind === KIND_ENERGY ? BigInt(value) : 0n),
    payloadHash: id(`e2e-${kind}-${counter}`),
    counter,
    timestamp,
  });
  const signature = await device.signDigest(deviceDigest(await registryDomain(registry), "Attestation", message));
  await mined(registry.attest(message, signature));
  return device.deviceId;
}

/** Two devices (secp256k1 and P-256) registered by the manufacturer, claimed by the operator, bound to the asset. */
export const registerDevices: Step = {
  title: "register and claim devices (secp256k1 and P-256), bind them to the asset",
  needs: ["DeviceRegistry", "AssetRegistry"],
  run: async (ctx) => {
    const authority = signer(ctx, "manufacturerSigner");
    const agent = signer(ctx, "agent");
    const registry = await contract<import("../../../../types/ethers-contracts/index.js").DeviceRegistry>(
      ctx,
      "DeviceRegistry",
      authority,
    );
    const domain = await registryDomain(registry);
    const assetId = state<bigint>(ctx, "assetId");
    const ids: bigint[] = [];
    for (const index of [0, 1]) {
      const device = simulatedDevice(DEVICE_SEED, index, "mixed"); // 0: secp256k1, 1: P-256
      const manufacturer = signer(ctx, "manufacturer").address;
      await mined(sendRegistration(registry, domain, manufacturer, authority, device, `E2E-${index}`));
      const deadline = (await latestTimestamp(ctx)) + 3600n;
      await mined(sendClaim(registry.connect(agent), domain, device, agent.address, deadline));
      await mined(registry.connect(agent).bindToAsset(device.deviceId, assetId));
      expect(await registry.ownerOf(device.deviceId)).to.equal(agent.address);
      expect(await registry.assetOf(device.deviceId)).to.equal(assetId);
      ids.push(device.deviceId);
      ctx.log(`device ${index} (${device.keyType === 1 ? "secp256k1" : "P-256"}) registered, claimed, bound`);
    }
    ctx.state.deviceIds = ids;
  },
};

/** The device simulator streams readings from both devices. */
export const streamAttestations: Step = {
  title: "stream attestations from both devices (device simulator)",
  needs: ["DeviceRegistry"],
  run: async (ctx) => {
    const summary = await simulate({
      ethers: ctx.connection.ethers,
      relayer: signer(ctx, "agent"),
      registryAddress: ctx.addresses.DeviceRegistry,
      manufacturer: signer(ctx, "manufacturer").address,
      devices: 2,
      readings: 20,
      curve: "mixed",
      batch: 10,
      seed: DEVICE_SEED,
      progress: false,
    });
    expect(summary.registered, "no new registration").to.equal(0);
    expect(summary.accepted).to.equal(20);
    const registry = await contract<import("../../../../types/ethers-contracts/index.js").DeviceRegistry>(
      ctx,
      "DeviceRegistry",
    );
    for (const deviceId of state<bigint[]>(ctx, "deviceIds")) {
      const reading = await registry.latestReading(deviceId, KIND_ENERGY);
      expect(reading.odometer > 0n).to.equal(true);
    }
    ctx.log(
      `${summary.accepted} readings accepted in ${summary.batches} batches, ${summary.gasPerAttestation} gas each`,
    );
  },
};
