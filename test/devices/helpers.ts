/** Shared fixture and helpers of the device registry tests. */
import { id, keccak256, toUtf8Bytes } from "ethers";
import type { TypedDataDomain } from "ethers";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { DeviceRegistry, DeviceToken } from "../../types/ethers-contracts/index.js";
import {
  KeyType,
  attestationMessage,
  claimMessage,
  deviceDigest,
  deviceDomain,
  registerDeviceMessage,
  typesFor,
  type Attestation,
} from "../../client/src/eip712/devices.js";
import { deterministicDeviceSigner, type DeviceSigner } from "../../client/src/signers/devices.js";
import { buildTerms, SubjectKind } from "../../client/src/eip712/rental.js";
import { ReadingKinds } from "../../client/src/enums.js";
import { custodyOf, deployRentalEscrow } from "../../scripts/operator/rental/lib.js";

export const LEASE_MANAGER_ROLE = id("LEASE_MANAGER_ROLE");
export const DEFAULT_ADMIN_ROLE = "0x" + "00".repeat(32);
export const MODEL = id("plinth-meter-v1");
export const FIRMWARE = id("firmware-1.0.0");
export const ONE_DAY = 86_400;

export interface Ctx {
  ethers: HardhatEthers;
  registry: DeviceRegistry;
  token: DeviceToken;
  domain: TypedDataDomain;
  governance: HardhatEthersSigner;
  manufacturer: HardhatEthersSigner;
  mfrSigner: HardhatEthersSigner;
  operator: HardhatEthersSigner;
  other: HardhatEthersSigner;
  leaseManager: HardhatEthersSigner;
  agent: HardhatEthersSigner;
}

/** Registry with governance, one admitted manufacturer (EOA authority) and a lease manager. */
export async function deployRegistry(ethers: HardhatEthers): Promise<Ctx> {
  const [, governance, manufacturer, mfrSigner, operator, other, leaseManager, agent] = await ethers.getSigners();
  const registry = (await ethers.deployContract("DeviceRegistry", [governance.address])) as unknown as DeviceRegistry;
  const token = (await ethers.getContractAt("DeviceToken", await registry.deviceToken())) as unknown as DeviceToken;
  await registry.connect(governance).admitManufacturer(manufacturer.address, mfrSigner.address);
  await registry.connect(governance).grantRole(LEASE_MANAGER_ROLE, leaseManager.address);
  const { chainId } = await ethers.provider.getNetwork();
  const domain = deviceDomain(chainId, await registry.getAddress());
  return { ethers, registry, token, domain, governance, manufacturer, mfrSigner, operator, other, leaseManager, agent };
}

export function serialHash(serial: string): string {
  return keccak256(toUtf8Bytes(serial));
}

/** The manufacturer authority's registration of `device` and its signature. */
export async function signedRegistration(ctx: Ctx, device: DeviceSigner, signer = ctx.mfrSigner, serial = "SN-1") {
  const reg = registerDeviceMessage({
    manufacturer: ctx.manufacturer.address,
    keyType: device.keyType,
    keyA: device.keyA,
    keyB: device.keyB,
    model: MODEL,
    firmwareHash: FIRMWARE,
    serialHash: serialHash(serial),
  });
  const sig = await signer.signTypedData(ctx.domain, typesFor("RegisterDevice"), reg);
  return { reg, sig };
}

export async function register(ctx: Ctx, device: DeviceSigner): Promise<bigint> {
  const { reg, sig } = await signedRegistration(ctx, device);
  await ctx.registry.registerDevice(reg, sig);
  return device.deviceId;
}

export async function signedClaim(ctx: Ctx, device: DeviceSigner, owner: string, deadline?: bigint, nonce = 0n) {
  const dl = deadline ?? BigInt(await latest(ctx)) + 3600n;
  const msg = claimMessage({ deviceId: device.deviceId, owner, nonce, deadline: dl });
  const sig = await device.signDigest(deviceDigest(ctx.domain, "Claim", msg));
  return { msg, sig };
}

export async function registerAndClaim(ctx: Ctx, device: DeviceSigner, owner = ctx.operator): Promise<bigint> {
  await register(ctx, device);
  const { msg, sig } = await signedClaim(ctx, device, owner.address);
  await ctx.registry.claim(msg.deviceId, msg.owner, msg.deadline, sig);
  return device.deviceId;
}

export async function latest(ctx: Ctx): Promise<number> {
  const block = await ctx.ethers.provider.getBlock("latest");
  return block!.timestamp;
}

/** A signed attestation (timestamp defaults to the latest block time). */
export async function signedAttestation(
  ctx: Ctx,
  device: DeviceSigner,
  p: {
    counter: bigint | number;
    kind?: number;
    value?: bigint | number;
    /** Default: the meter's stored odometer plus the value (a device keeping its running total). */
    odometer?: bigint | number;
    timestamp?: bigint | number;
    deviceId?: bigint;
  },
): Promise<{ att: Attestation; sig: string }> {
  const deviceId = p.deviceId ?? device.deviceId;
  const kind = p.kind ?? 1;
  const value = p.value ?? 100;
  const odometer = p.odometer ?? (await ctx.registry.latestReading(deviceId, kind)).odometer + BigInt(value);
  const att = attestationMessage({
    deviceId,
    kind,
    value,
    odometer,
    payloadHash: id("payload"),
    counter: p.counter,
    timestamp: p.timestamp ?? (await latest(ctx)),
  });
  const sig = await device.signDigest(deviceDigest(ctx.domain, "Attestation", att));
  return { att, sig };
}

/** Snapshot of everything an attestation may change, to prove a refusal changed nothing. */
export async function deviceState(ctx: Ctx, deviceId: bigint, kind = 1) {
  const r = await ctx.registry.latestReading(deviceId, kind);
  return {
    lastCounter: await ctx.registry.lastCounter(deviceId),
    status: await ctx.registry.statusOf(deviceId),
    reading: [r.counter, r.timestamp, r.value, r.odometer].map(String).join(","),
  };
}

export { KeyType };

/**
 * A claimed secp256k1 device (key seed `seed`) offered for metered rent on a real RentalEscrow, over the
 * registry of `deployRegistry` with a mock asset registry and distributor: ETH, 1 gwei per Wh
 * (ReadingKinds.ENERGY_WH), hourly meter period, no deposit. The escrow is the registry's lease manager.
 */
export async function deviceOnOffer(ethers: HardhatEthers, seed: string) {
  const ctx = await deployRegistry(ethers);
  const device = deterministicDeviceSigner("0x" + seed.repeat(32), 0, "secp256k1");
  const deviceId = await registerAndClaim(ctx, device);
  const [, , , , , , , , renter, arbiter, fees, buyer] = await ethers.getSigners();
  const assets = await ethers.deployContract("MockAssetRegistry", [ethers.ZeroAddress]);
  const distributor = await ethers.deployContract("MockIncomeDistributor", [ethers.ZeroAddress, true]);
  const { market, escrow } = await deployRentalEscrow(ethers, {
    governance: ctx.governance.address,
    assetRegistry: await assets.getAddress(),
    deviceRegistry: await ctx.registry.getAddress(),
    distributor: await distributor.getAddress(),
    feeRecipient: fees.address,
    defaultArbiter: arbiter.address,
    feeBps: 0,
  });
  await ctx.registry.connect(ctx.governance).grantRole(LEASE_MANAGER_ROLE, await escrow.getAddress());
  await market.connect(ctx.governance).setTokenAllowed(ethers.ZeroAddress, true);
  const terms = buildTerms({
    subjectKind: SubjectKind.Device,
    subjectId: deviceId,
    meterDeviceId: deviceId,
    meterKind: ReadingKinds.ENERGY_WH,
    meterPeriod: 3600,
    maxUnitsPerPeriod: 1_000n,
    pricePerSecond: 0n,
    pricePerUnit: 1_000_000_000n,
    deposit: 0n,
  });
  await market.connect(ctx.operator).publishOffer(terms);
  const offerId = (await market.queryFilter(market.filters.OfferPublished()))[0]!.args.offerId;
  return { ...ctx, device, deviceId, market, escrow, custody: await custodyOf(escrow), renter, buyer, offerId };
}
