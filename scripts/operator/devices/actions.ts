/**
 * `npx hardhat devices <action>`: the DeviceRegistry for manufacturers, device owners and asset agents
 * (scripts/operator/tasks.ts lists the options). Reuses scripts/operator/devices/lib.ts and client/src/keys.ts.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZeroAddress, id } from "ethers";
import type { DeviceRegistry } from "../../../types/ethers-contracts/index.js";
import {
  attestationMessage,
  claimMessage,
  deviceDigest,
  rotateKeyMessage,
} from "../../../client/src/eip712/devices.js";
import { importDeviceKey, KeyImportError } from "../../../client/src/keys.js";
import { Secp256k1DeviceSigner, type DeviceSigner } from "../../../client/src/signers/devices.js";
import { DEVICE_STATUSES, mined } from "../../lib/cli.js";
import { formatDeviceId, registerKeys, registryDomain, simulatedDevice, type Curve } from "./lib.js";
import {
  addressArg,
  now,
  openContext,
  operatorTask,
  readInput,
  required,
  uint,
  UserError,
  type CommonArgs,
  type Context,
} from "../kernel.js";

interface Args extends CommonArgs {
  registry: string;
  device: string;
  asset: string;
  keys: string;
  manufacturer: string;
  allowPartial: boolean;
  owner: string;
  deadline: string;
  signature: string;
  simIndex: string;
  seed: string;
  curve: string;
  newKey: string;
  simCount: string;
  simFrom: string;
  kind: string;
  value: string;
  odometer: string;
  counter: string;
  timestamp: string;
  payload: string;
}

async function open(hre: HardhatRuntimeEnvironment, args: Args, readOnly = false) {
  const ctx = await openContext(hre, args, { readOnly });
  const registry = await ctx.contract<DeviceRegistry>("DeviceRegistry", args.registry, "--registry");
  return { ctx, registry };
}

const statusName = (s: bigint) => DEVICE_STATUSES[Number(s)] ?? `status ${s}`;

async function requireDevice(registry: DeviceRegistry, deviceId: bigint): Promise<bigint> {
  const status = await registry.statusOf(deviceId);
  if (status === 0n) throw new UserError(`device ${formatDeviceId(deviceId)} is not registered`);
  return status;
}

/** --seed (default: the simulator's) and --curve (default mixed) of simulated devices. */
function simulatedSeed(args: Args): { seed: string; curve: Curve } {
  const seed = args.seed.trim() === "" ? id("plinth-device-simulator") : args.seed.trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(seed)) throw new UserError(`--seed must be 32 bytes of hex, got "${seed}"`);
  const curve = (args.curve.trim() === "" ? "mixed" : args.curve.trim().toLowerCase()) as Curve;
  if (!["secp256k1", "p256", "mixed"].includes(curve)) throw new UserError(`--curve must be secp256k1, p256 or mixed`);
  return { seed, curve };
}

/** The simulated device of --sim-index (keys derived from --seed), if given. */
function simulated(_ctx: Context, args: Args): DeviceSigner | undefined {
  if (args.simIndex.trim() === "") return undefined;
  const index = Number(uint(args.simIndex, "--sim-index"));
  const { seed, curve } = simulatedSeed(args);
  return simulatedDevice(seed, index, curve);
}

function signatureArg(value: string): string {
  const v = value.trim();
  if (!/^0x([0-9a-fA-F]{2})+$/.test(v)) throw new UserError(`--signature ${v} is not hex bytes`);
  return v;
}

async function deadlineOf(ctx: Context, raw: string): Promise<bigint> {
  return raw.trim() === "" ? (await now(ctx.ethers)) + 3600n : uint(raw, "--deadline");
}

/** Prints a device's state after a change. */
async function show(registry: DeviceRegistry, deviceId: bigint, what: string) {
  const asset = await registry.assetOf(deviceId);
  const pending = await registry.pendingAssetOf(deviceId);
  console.log(
    `device ${formatDeviceId(deviceId)} ${what}: ${statusName(await registry.statusOf(deviceId))}, ` +
      `asset ${asset === 0n ? "none" : asset}${pending === 0n ? "" : `, bind requested to asset ${pending}`}`,
  );
}

/**
 * A KEYS file (scripts/operator/devices/lib.ts parseKeyCsv) of simulated devices --sim-from .. + --sim-count of
 * --seed (the simulator's keys), written to a temporary folder.
 */
function simulatedKeysFile(args: Args): string {
  const count = Number(uint(args.simCount, "--sim-count"));
  const from = args.simFrom.trim() === "" ? 0 : Number(uint(args.simFrom, "--sim-from"));
  if (count === 0 || count > 1000) throw new UserError("--sim-count must be 1 to 1000");
  const { seed, curve } = simulatedSeed(args);
  const rows = ["key,model,firmwareHash,serialHash"];
  for (let i = from; i < from + count; i++) {
    const device = simulatedDevice(seed, i, curve);
    const key =
      device instanceof Secp256k1DeviceSigner
        ? `secp256k1:${device.wallet.signingKey.compressedPublicKey}`
        : `p256:0x04${device.keyA.slice(2)}${device.keyB.slice(2)}`;
    rows.push(`${key},plinth-sim-meter,plinth-sim-fw-1,SIM-${seed}-${i}`); // as the simulator registers them
  }
  const file = join(mkdtempSync(join(tmpdir(), "plinth-sim-keys-")), "keys.csv");
  writeFileSync(file, rows.join("\n") + "\n");
  return file;
}

export const register = operatorTask(async (args: Args, hre) => {
  const sim = args.simCount.trim() !== "";
  if (sim === (args.keys.trim() !== "")) {
    throw new UserError("give --keys <csv> (real devices) or --sim-count <n> (simulated devices), one of them");
  }
  const keys = sim ? simulatedKeysFile(args) : args.keys.trim();
  readInput(keys, "--keys"); // refused before connecting when unreadable
  const { ctx, registry } = await open(hre, args);
  const manufacturer =
    args.manufacturer.trim() === "" ? ctx.signer.address : addressArg(ctx.ethers, args.manufacturer, "--manufacturer");
  const [active, authority] = await registry.manufacturerOf(manufacturer);
  if (!active) throw new UserError(`${manufacturer} is not an admitted manufacturer (governance manufacturer-approve)`);
  if (authority.toLowerCase() !== ctx.signer.address.toLowerCase()) {
    throw new UserError(
      `the signer ${ctx.signer.address} is not the signing authority ${authority} of ${manufacturer}`,
    );
  }
  const domain = await registryDomain(registry);
  await registerKeys(registry, domain, manufacturer, ctx.signer, keys, args.allowPartial, "pass --allow-partial");
});

export const claim = operatorTask(async (args: Args, hre) => {
  const { ctx, registry } = await open(hre, args);
  const device = simulated(ctx, args);
  const deviceId = args.device.trim() === "" && device !== undefined ? device.deviceId : uint(args.device, "--device");
  const status = await requireDevice(registry, deviceId);
  if (status !== 1n) throw new UserError(`device ${formatDeviceId(deviceId)} is ${statusName(status)}, not Active`);
  const token = await ctx.ethers.getContractAt("DeviceToken", await registry.deviceToken());
  const current = await token.ownerOrZero(deviceId);
  if (current !== ZeroAddress)
    throw new UserError(`device ${formatDeviceId(deviceId)} is already claimed by ${current}`);
  const owner = args.owner.trim() === "" ? ctx.signer.address : addressArg(ctx.ethers, args.owner, "--owner");
  const deadline = await deadlineOf(ctx, args.deadline);
  const info = await registry.deviceInfo(deviceId);
  const msg = claimMessage({ deviceId, owner, nonce: info.nonce, deadline });
  const digest = deviceDigest(await registryDomain(registry), "Claim", msg);
  let signature: string;
  if (args.signature.trim() !== "") signature = signatureArg(args.signature);
  else if (device !== undefined) {
    if (device.deviceId !== deviceId) throw new UserError("--sim-index is not the device of --device");
    signature = await device.signDigest(digest);
  } else {
    console.log(`the device signs this EIP-712 digest with its key (Claim owner ${owner}, nonce ${info.nonce}):`);
    console.log(digest);
    console.log(
      `then: npx hardhat devices claim --device ${deviceId} --owner ${owner} --deadline ${deadline} --signature 0x...`,
    );
    console.log("nothing was sent");
    return;
  }
  await mined(registry.claim(deviceId, owner, deadline, signature), {
    what: "claim",
    interfaces: [registry.interface],
  });
  console.log(`device ${formatDeviceId(deviceId)} claimed: its token now belongs to ${owner}`);
});

export const bind = operatorTask(async (args: Args, hre) => {
  const { registry } = await open(hre, args);
  const deviceId = uint(args.device, "--device");
  const assetId = uint(args.asset, "--asset");
  await requireDevice(registry, deviceId);
  await mined(registry.bindToAsset(deviceId, assetId), { what: "bind", interfaces: [registry.interface] });
  const bound = (await registry.assetOf(deviceId)) === assetId;
  await show(
    registry,
    deviceId,
    bound ? `bound to asset ${assetId}` : `bind to asset ${assetId} requested (its agent runs devices confirm)`,
  );
});

export const confirm = operatorTask(async (args: Args, hre) => {
  const { registry } = await open(hre, args);
  const deviceId = uint(args.device, "--device");
  const assetId = uint(args.asset, "--asset");
  await requireDevice(registry, deviceId);
  await mined(registry.confirmBind(deviceId, assetId), { what: "confirm", interfaces: [registry.interface] });
  await show(registry, deviceId, `bound to asset ${assetId}`);
});

function simple(what: string, call: (r: DeviceRegistry, id: bigint) => ReturnType<DeviceRegistry["suspend"]>) {
  return operatorTask(async (args: Args, hre) => {
    const { registry } = await open(hre, args);
    const deviceId = uint(args.device, "--device");
    await requireDevice(registry, deviceId);
    await mined(call(registry, deviceId), { what, interfaces: [registry.interface] });
    await show(registry, deviceId, what);
  });
}

export const unbind = simple("unbound", (r, id) => r.unbind(id));
export const suspend = simple("suspended", (r, id) => r.suspend(id));
export const resume = simple("resumed", (r, id) => r.resume(id));

export const rotate = operatorTask(async (args: Args, hre) => {
  const { ctx, registry } = await open(hre, args);
  const device = simulated(ctx, args);
  const deviceId = args.device.trim() === "" && device !== undefined ? device.deviceId : uint(args.device, "--device");
  await requireDevice(registry, deviceId);
  let key;
  try {
    key = importDeviceKey(required(args.newKey, "--new-key"));
  } catch (error) {
    if (error instanceof KeyImportError) throw new UserError(`--new-key: ${error.message}`);
    throw error;
  }
  const deadline = await deadlineOf(ctx, args.deadline);
  const info = await registry.deviceInfo(deviceId);
  const msg = rotateKeyMessage({
    deviceId,
    newKeyType: key.keyType,
    newKeyA: key.keyA,
    newKeyB: key.keyB,
    nonce: info.nonce,
    deadline,
  });
  const digest = deviceDigest(await registryDomain(registry), "RotateKey", msg);
  let signature: string;
  if (args.signature.trim() !== "") signature = signatureArg(args.signature);
  else if (device !== undefined) signature = await device.signDigest(digest);
  else {
    console.log(
      `the device's CURRENT key signs this EIP-712 digest (RotateKey to the ${key.curve} key, nonce ${info.nonce}):`,
    );
    console.log(digest);
    console.log(`then re-run with --deadline ${deadline} --signature 0x...`);
    console.log("nothing was sent");
    return;
  }
  await mined(registry.rotateKey(deviceId, key.keyType, key.keyA, key.keyB, deadline, signature), {
    what: "rotate",
    interfaces: [registry.interface],
  });
  console.log(`device ${formatDeviceId(deviceId)} now uses the ${key.curve} key ${key.publicKey}`);
});

/**
 * Relays a device's signed reading to the registry (attest). The device signs the EIP-712 digest of its
 * Attestation: without --signature (or --sim-index) the digest and the exact values it covers are
 * printed and nothing is sent; re-run with them and --signature.
 */
export const attest = operatorTask(async (args: Args, hre) => {
  const { ctx, registry } = await open(hre, args);
  const device = simulated(ctx, args);
  const deviceId = args.device.trim() === "" && device !== undefined ? device.deviceId : uint(args.device, "--device");
  const status = await requireDevice(registry, deviceId);
  if (status !== 1n) throw new UserError(`device ${formatDeviceId(deviceId)} is ${statusName(status)}, not Active`);
  const kind = uint(args.kind, "--kind");
  if (kind >= 2n ** 32n) throw new UserError(`--kind ${kind} does not fit in uint32`);
  const u64 = (raw: string, option: string, fallback: bigint) => {
    const n = raw.trim() === "" ? fallback : uint(raw, option);
    if (n >= 2n ** 64n) throw new UserError(`${option} ${n} does not fit in uint64`);
    return n;
  };
  const last = await registry.latestReading(deviceId, kind);
  const value = u64(args.value, "--value", 0n);
  const odometer = u64(args.odometer, "--odometer", last.odometer);
  if (odometer < last.odometer) {
    throw new UserError(
      `--odometer ${odometer} is below the device's last accepted odometer ${last.odometer} of kind ${kind}`,
    );
  }
  const counter = u64(args.counter, "--counter", (await registry.lastCounter(deviceId)) + 1n);
  const timestamp = u64(args.timestamp, "--timestamp", await now(ctx.ethers));
  const payload = args.payload.trim() === "" ? "reading" : args.payload.trim();
  const payloadHash = /^0x[0-9a-fA-F]{64}$/.test(payload) ? payload : ctx.ethers.id(payload);
  const msg = attestationMessage({ deviceId, kind, value, odometer, payloadHash, counter, timestamp });
  const digest = deviceDigest(await registryDomain(registry), "Attestation", msg);
  let signature: string;
  if (args.signature.trim() !== "") signature = signatureArg(args.signature);
  else if (device !== undefined) {
    if (device.deviceId !== deviceId) throw new UserError("--sim-index is not the device of --device");
    signature = await device.signDigest(digest);
  } else {
    console.log(
      `the device signs this EIP-712 digest with its key (Attestation kind ${kind}, value ${value}, odometer ${odometer}, counter ${counter}, timestamp ${timestamp}):`,
    );
    console.log(digest);
    console.log(
      `then: npx hardhat devices attest --device ${deviceId} --kind ${kind} --value ${value} --odometer ${odometer} ` +
        `--counter ${counter} --timestamp ${timestamp} --payload ${payloadHash} --signature 0x...`,
    );
    console.log("nothing was sent");
    return;
  }
  await mined(registry.attest(msg, signature), { what: "attest", interfaces: [registry.interface] });
  console.log(
    `device ${formatDeviceId(deviceId)} reading accepted: kind ${kind}, value ${value}, odometer ${odometer}, counter ${counter}, ` +
      `at ${new Date(Number(timestamp) * 1000).toISOString()}`,
  );
});

/** A lease end for people: none, until the lease manager releases it (uint64 max), or a date. */
function leaseEnd(until: bigint): string {
  if (until === 0n) return "not leased";
  if (until === 2n ** 64n - 1n) return "until the lease manager releases it";
  return new Date(Number(until) * 1000).toISOString();
}

export const status = operatorTask(async (args: Args, hre) => {
  const { ctx, registry } = await open(hre, args, true);
  const deviceId = uint(args.device, "--device");
  const s = await requireDevice(registry, deviceId);
  const info = await registry.deviceInfo(deviceId);
  const token = await ctx.ethers.getContractAt("DeviceToken", await registry.deviceToken());
  const owner = await token.ownerOrZero(deviceId);
  const asset = await registry.assetOf(deviceId);
  const pending = await registry.pendingAssetOf(deviceId);
  // The lease is the token's ERC-4907 user record; the rental escrow leases until it releases.
  const leased = await registry.leasedUntil(deviceId);
  const user = await token.userOf(deviceId);
  console.log(`device ${formatDeviceId(deviceId)}`);
  console.log(`  status:       ${statusName(s)}`);
  console.log(`  owner:        ${owner === ZeroAddress ? "unclaimed" : owner}`);
  console.log(`  manufacturer: ${info.manufacturer}`);
  console.log(`  key:          ${Number(info.keyType) === 2 ? "p256" : "secp256k1"} ${info.keyA} ${info.keyB}`);
  console.log(
    `  asset:        ${asset === 0n ? "none" : asset}${pending === 0n ? "" : ` (bind requested to ${pending})`}`,
  );
  console.log(`  leased until: ${leaseEnd(leased)}`);
  console.log(`  user:         ${user === ZeroAddress ? "none" : user}`);
  console.log(`  last counter: ${await registry.lastCounter(deviceId)}`);
});
