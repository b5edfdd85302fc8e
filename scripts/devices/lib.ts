/** Helpers shared by the device scripts, the simulator, the bench and the tests. */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Signer } from "ethers";
import type { DeviceRegistry } from "../../types/ethers-contracts/index.js";
import {
  claimMessage,
  deviceDigest,
  deviceDomain,
  registerDeviceMessage,
  typesFor,
} from "../../client/src/eip712/devices.js";
import type { DeviceSigner } from "../../client/src/signers/devices.js";
import { deterministicDeviceSigner } from "../../client/src/signers/devices.js";
import { id, type TypedDataDomain } from "ethers";
import { UserError, mined } from "../lib/cli.js";

export type Curve = "secp256k1" | "p256" | "mixed";

/** A user error: printed without a stack trace. */
export class UsageError extends UserError {}

export function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

export function envCurve(name = "CURVE", fallback: Curve = "mixed"): Curve {
  const raw = (process.env[name] ?? fallback).toLowerCase();
  if (raw !== "secp256k1" && raw !== "p256" && raw !== "mixed") {
    throw new UsageError(`${name} must be secp256k1, p256 or mixed, got "${raw}"`);
  }
  return raw;
}

export function envAddress(ethers: HardhatEthers, name: string): string | undefined {
  const raw = process.env[name];
  if (!raw) return undefined;
  if (!ethers.isAddress(raw)) throw new UsageError(`${name} is not an address: "${raw}"`);
  return ethers.getAddress(raw);
}

/** Curve of device `index` (mixed: even = secp256k1, odd = P-256). */
export function curveOf(curve: Curve, index: number): "secp256k1" | "p256" {
  return curve === "mixed" ? (index % 2 === 0 ? "secp256k1" : "p256") : curve;
}

/** Device `index` of `seed`: the key is derived, never stored. */
export function simulatedDevice(seed: string, index: number, curve: Curve): DeviceSigner {
  return deterministicDeviceSigner(seed, index, curveOf(curve, index));
}

export async function registryDomain(registry: DeviceRegistry): Promise<TypedDataDomain> {
  const runner = registry.runner;
  const provider = runner && "provider" in runner ? runner.provider : null;
  if (!provider) throw new Error("registry has no provider");
  const { chainId } = await provider.getNetwork();
  return deviceDomain(chainId, await registry.getAddress());
}

/** Deploys a registry governed by `governance`, which admits `manufacturer` with itself as authority. */
export async function deployWithManufacturer(
  ethers: HardhatEthers,
  governance: HardhatEthersSigner,
  manufacturer: HardhatEthersSigner = governance,
): Promise<DeviceRegistry> {
  const registry = (await ethers.deployContract(
    "DeviceRegistry",
    [governance.address],
    governance,
  )) as unknown as DeviceRegistry;
  await registry.waitForDeployment();
  await mined(registry.connect(governance).admitManufacturer(manufacturer.address, manufacturer.address));
  return registry;
}

/** Sends registerDevice for `device`, the manufacturer authority `authority` signing. Returns the tx. */
export async function sendRegistration(
  registry: DeviceRegistry,
  domain: TypedDataDomain,
  manufacturer: string,
  authority: Signer,
  device: DeviceSigner,
  serial: string,
  nonce?: number,
) {
  const reg = registerDeviceMessage({
    manufacturer,
    keyType: device.keyType,
    keyA: device.keyA,
    keyB: device.keyB,
    model: id("plinth-sim-meter"),
    firmwareHash: id("plinth-sim-fw-1"),
    serialHash: id(serial),
  });
  const sig = await authority.signTypedData(domain, typesFor("RegisterDevice"), reg);
  return registry.registerDevice(reg, sig, nonce === undefined ? {} : { nonce });
}

/** Sends claim for `device` to `owner` (the device signs; the registry's current nonce is read). */
export async function sendClaim(
  registry: DeviceRegistry,
  domain: TypedDataDomain,
  device: DeviceSigner,
  owner: string,
  deadline: bigint,
  nonce?: number,
) {
  const info = await registry.deviceInfo(device.deviceId);
  const msg = claimMessage({ deviceId: device.deviceId, owner, nonce: info.nonce, deadline });
  const sig = await device.signDigest(deviceDigest(domain, "Claim", msg));
  return registry.claim(msg.deviceId, msg.owner, msg.deadline, sig, nonce === undefined ? {} : { nonce });
}
