/**
 * The real Plinth contracts wired as in production (DeviceRegistry + AssetRegistry + IdentityRegistry
 * + ShareFactory/AssetShares + IncomeDistributor as the shares' income hook + MaintenanceOrders (with its evidence and custody) +
 * RentalMarket, RentalEscrow with its RentalCustody, RentalClaims and RentalMeter: the production deployment of deploy/suite.ts through
 * `deployedSuite` of scripts/lib/fixture.ts),
 * and the workloads of the parallel-execution report: each one a set of transactions mined in one
 * block (automine off, then one `evm_mine`), every transaction from its own sender, then traced.
 *
 * Used by scripts/tooling/parallel/report.ts (full sizes) and test/parallel/parallel.test.ts (small sizes).
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { ContractTransactionResponse } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import type {
  AssetRegistry,
  AssetShares,
  DeviceRegistry,
  IdentityRegistry,
  IncomeDistributor,
  MaintenanceOrders,
  MockPayoutToken,
  RentalClaims,
  RentalEscrow,
  RentalMarket,
  ShareFactory,
} from "../../../types/ethers-contracts/index.js";
import { buildTerms, SubjectKind } from "../../../client/src/eip712/rental.js";
import { deployedSuite } from "../../lib/fixture.js";
import { attestationMessage, deviceDigest, deviceDomain } from "../../../client/src/eip712/devices.js";
import type { DeviceSigner } from "../../../client/src/signers/devices.js";
import { simulatedDevice, sendRegistration, sendClaim } from "../../operator/devices/lib.js";
import { accessOf, type TxAccess } from "./conflicts.js";
import { emptyContext, type NamingContext } from "./slots.js";
import { asAddress } from "../../../client/src/types.js";

const DE = 276;
const YEAR = 365 * 24 * 3600;
const USDC = (n: number) => BigInt(n) * 10n ** 6n;
const KWH = 1;
const DAY = 86_400n;
/** Rent in micro-USDC per second (0.864 USDC a day). */
const RENT_PER_SECOND = 10n;
/** Gas limit of every measured transaction (no estimation against a pending block). */
const GAS = 1_500_000n;

export interface Sizes {
  /** Devices registered (attestations.distinctDevices uses all of them). */
  devices: number;
  /** Assets registered with shares, two investors each and one bound device. */
  assets: number;
  /** Attestations from one device in the contrast workload. */
  sameDevice: number;
  /** Transfers in one asset in the contrast workload. */
  sameAsset: number;
}

export interface Asset {
  id: bigint;
  index: number;
  agent: HardhatEthersSigner;
  shares: AssetShares;
  /** Investors holding shares, in order: seller, buyer, then the contrast workload's holders. */
  holders: HardhatEthersSigner[];
  device: DeviceSigner;
  /** Renter of the asset (rents it through the on-chain offer `offerId`). */
  renter: HardhatEthersSigner;
  offerId: string;
}

export interface World {
  ethers: HardhatEthers;
  devices: DeviceRegistry;
  assets: AssetRegistry;
  identity: IdentityRegistry;
  factory: ShareFactory;
  distributor: IncomeDistributor;
  escrow: MaintenanceOrders;
  rental: RentalEscrow;
  /** The rental escrow's damage claims (created by it). */
  rentalClaims: RentalClaims;
  /** The rental market (offers; opens agreements in `rental`). */
  rentalMarket: RentalMarket;
  usdc: MockPayoutToken;
  deviceList: { signer: DeviceSigner; counter: bigint }[];
  assetList: Asset[];
  naming: NamingContext;
  /** A fresh funded sender each call (distinct senders: the nonce is never the conflict). */
  nextSender(label: string): Promise<HardhatEthersSigner>;
}

export type Progress = (message: string) => void;

/** Deploys and wires everything, registers devices and assets, and warms every path once. */
export async function buildWorld(
  connection: NetworkConnection<string>,
  sizes: Sizes,
  progress: Progress = () => {},
  /** Open and close one agreement per asset so every rental vault exists (false: the first rental deploys it). */
  warmRentals = true,
): Promise<World> {
  const { ethers } = connection;
  progress("deploying the contracts (the production deployment, deploy/suite.ts)");
  const suite = await deployedSuite(connection);
  const { governance: gov, issuer, kycAgent: kyc, manufacturer, manufacturerSigner, feeRecipient } = suite.roles;
  // The device operator holds no role (the first account after those of the parameters).
  const operator = (await ethers.getSigners())[8];
  const naming = emptyContext();
  const name = async (c: { getAddress(): Promise<string> }, label: string, layout?: string) => {
    const a = (await c.getAddress()).toLowerCase();
    naming.contracts.set(a, { label, layout: layout ?? label });
    naming.keys.address.set(a, label);
  };
  const person = (s: { address: string }, label: string) => naming.keys.address.set(s.address.toLowerCase(), label);
  for (const [s, l] of [
    [gov, "governance"],
    [issuer, "issuer"],
    [kyc, "kycAgent"],
    [manufacturer, "manufacturer"],
    [manufacturerSigner, "manufacturerSigner"],
    [feeRecipient, "feeRecipient"],
    [operator, "operator"],
  ] as const)
    person(s, l);

  let senderIndex = 0;
  const nextSender = async (label: string) => {
    const address = ethers.getAddress(ethers.dataSlice(ethers.id(`plinth-parallel-sender-${senderIndex++}`), 12));
    await ethers.provider.send("hardhat_setBalance", [address, "0x56BC75E2D63100000"]);
    person({ address }, label);
    return ethers.getImpersonatedSigner(address);
  };

  const { devices, deviceToken, assets, identity, distributor, factory, escrow, rental, rentalMarket } = suite;
  const usdc = suite.payoutToken;
  await name(devices, "DeviceRegistry");
  await name(assets, "AssetRegistry");
  await name(identity, "IdentityRegistry");
  await name(distributor, "IncomeDistributor");
  await name(suite.assetVaults, "AssetVaults");
  await name(factory, "ShareFactory");
  await name(usdc, "USDC", "MockPayoutToken");
  await name(escrow, "MaintenanceOrders");
  await name(suite.maintenanceEvidence, "MaintenanceEvidence");
  await name(suite.maintenanceCustody, "MaintenanceCustody");
  await name(rental, "RentalEscrow");
  await name(suite.rentalCustody, "RentalCustody");
  await name(suite.rentalMeter, "RentalMeter");
  await name(rentalMarket, "RentalMarket");
  await name(deviceToken, "DeviceToken");
  for (const role of ["DEFAULT_ADMIN_ROLE", "ISSUER_ROLE", "SHARE_FACTORY_ROLE", "BUYOUT_ROLE"]) {
    naming.keys.bytes32.set(role === "DEFAULT_ADMIN_ROLE" ? "0x" + "00".repeat(32) : ethers.id(role), role);
  }

  const { chainId } = await ethers.provider.getNetwork();
  const domain = deviceDomain(chainId, await devices.getAddress());
  const deadline = BigInt((await latest(ethers)) + YEAR);

  progress(`registering ${sizes.devices} devices (secp256k1 and P-256)`);
  const deviceList: World["deviceList"] = [];
  for (let i = 0; i < sizes.devices; i++) {
    const signer = simulatedDevice(ethers.id("plinth-parallel"), i, "mixed");
    await (
      await sendRegistration(devices, domain, manufacturer.address, manufacturerSigner, signer, `PAR-${i}`)
    ).wait();
    await (await sendClaim(devices, domain, signer, operator.address, deadline)).wait();
    naming.keys.uint.set(signer.deviceId, `device${i}`);
    deviceList.push({ signer, counter: 0n });
  }

  progress(`registering ${sizes.assets} assets with shares, investors, income and a bound device`);
  const assetList: Asset[] = [];
  const expiry = BigInt((await latest(ethers)) + YEAR);
  for (let i = 0; i < sizes.assets; i++) {
    const agent = await nextSender(`agent${i}`);
    const salt = ethers.id(`parallel-asset-${i}`);
    const id = await assets.computeAssetId(issuer.address, salt);
    await (await assets.connect(issuer).registerAsset(salt, 0, "0x4445", agent.address, `ipfs://asset-${i}`)).wait();
    await (await factory.connect(agent).createShares(id, `Asset ${i}`, `A${i}`, 0)).wait();
    const shares = (await ethers.getContractAt("AssetShares", await assets.sharesOf(id))) as unknown as AssetShares;
    naming.keys.uint.set(id, `asset${i}`);
    await name(shares, `AssetShares(asset${i})`, "AssetShares");
    // Asset 0 also serves the same-asset contrast: 2 x sameAsset holders with shares (disjoint
    // pairs), then sameAsset KYC'd investors without shares yet (new buyers).
    const withShares = i === 0 ? Math.max(2, sizes.sameAsset * 2) : 2;
    const holderCount = i === 0 ? withShares + sizes.sameAsset : 2;
    const holders: HardhatEthersSigner[] = [];
    for (let h = 0; h < holderCount; h++) holders.push(await nextSender(`holder${i}.${h}`));
    await (
      await identity.connect(kyc).setIdentities(
        holders.map((h) => h.address),
        holders.map(() => DE),
        holders.map(() => expiry),
      )
    ).wait();
    for (const h of holders.slice(0, withShares)) await (await shares.connect(agent).mint(h.address, 100)).wait();
    await (await usdc.mint(agent.address, USDC(1_000_000))).wait();
    await (await usdc.connect(agent).approve(await distributor.getAddress(), ethers.MaxUint256)).wait();
    await (await usdc.connect(agent).approve(await suite.maintenanceCustody.getAddress(), ethers.MaxUint256)).wait();
    // The agent's first deposit registers USDC as the asset's payout token and deploys the asset's
    // AssetVault (custody per asset, shared by income, maintenance and rental): every vault exists before measuring.
    await (await distributor.connect(agent).deposit(id, await usdc.getAddress(), USDC(1_000))).wait();
    const assetVault = (await distributor.vaultOf(id)).toLowerCase();
    if ((await ethers.provider.getCode(assetVault)) === "0x") throw new Error(`vault of asset${i} missing`);
    naming.contracts.set(assetVault, { label: `AssetVault(asset${i})` });
    naming.keys.address.set(assetVault, `AssetVault(asset${i})`);
    // One device per asset, bound in two steps (owner request, agent confirmation).
    const device = deviceList[i % deviceList.length].signer;
    if (i < deviceList.length) {
      await (await devices.connect(operator).bindToAsset(device.deviceId, id)).wait();
      await (await devices.connect(agent).confirmBind(device.deviceId, id)).wait();
    }
    // A rental offer in USDC on the asset, and its renter (funded, escrow approved).
    const terms = buildTerms({
      subjectKind: SubjectKind.Asset,
      subjectId: id,
      token: asAddress(await usdc.getAddress()),
      pricePerSecond: RENT_PER_SECOND,
      deposit: USDC(10),
    });
    const offerId = await rentalMarket.connect(agent).publishOffer.staticCall(terms);
    await (await rentalMarket.connect(agent).publishOffer(terms)).wait();
    const renter = await nextSender(`renter${i}`);
    await (await usdc.mint(renter.address, USDC(100_000))).wait();
    await (await usdc.connect(renter).approve(await rental.getAddress(), ethers.MaxUint256)).wait();
    assetList.push({ id, index: i, agent, shares, holders, device, renter, offerId });
  }

  const world: World = {
    ethers,
    devices,
    assets,
    identity,
    factory,
    distributor,
    escrow,
    rental,
    rentalClaims: suite.rentalClaims,
    rentalMarket,
    usdc,
    deviceList,
    assetList,
    naming,
    nextSender,
  };

  progress("warming state (one attestation per device, one maintenance order per asset)");
  for (let i = 0; i < deviceList.length; i++) await (await attest(world, i, await nextSender(`warm${i}`))).wait();
  for (const a of assetList) {
    const vault = await suite.maintenanceCustody.vaultOf(a.id);
    if (vault !== (await suite.distributor.vaultOf(a.id)))
      throw new Error(`asset${a.index}: maintenance vault differs`);
    await (await escrow.connect(a.agent).createOrder(await orderParams(world, a, "warm"))).wait();
  }
  if (!warmRentals) return world;
  progress("warming rentals (one hour-long agreement per asset, settled and closed)");
  for (const a of assetList) {
    await (await rentalMarket.connect(a.renter).rent(a.offerId, 3_600n, 3_600n * RENT_PER_SECOND)).wait();
    const vault = await suite.rentalCustody.vaultOf(a.id);
    if (vault !== (await suite.distributor.vaultOf(a.id))) throw new Error(`asset${a.index}: rental vault differs`);
  }
  await ethers.provider.send("evm_increaseTime", [3_600]);
  for (const a of assetList) {
    const id = await rental.agreementId(SubjectKind.Asset, a.id, 0);
    await (await rental.settle(id)).wait();
    await (await suite.rentalClaims.connect(a.agent).waiveClaim(id)).wait();
  }
  return world;
}

async function latest(ethers: HardhatEthers): Promise<number> {
  return (await ethers.provider.getBlock("latest"))!.timestamp;
}

/** Sends an attestation of device `i` (next counter, kind kWh), relayed by `relayer`. */
export async function attest(world: World, i: number, relayer: HardhatEthersSigner) {
  const d = world.deviceList[i];
  d.counter += 1n;
  const { chainId } = await world.ethers.provider.getNetwork();
  const domain = deviceDomain(chainId, await world.devices.getAddress());
  const att = attestationMessage({
    deviceId: d.signer.deviceId,
    kind: KWH,
    value: 100n + d.counter,
    odometer: 100n * d.counter + (d.counter * (d.counter + 1n)) / 2n, // running total of the values
    payloadHash: world.ethers.id(`reading-${i}-${d.counter}`),
    counter: d.counter,
    timestamp: await latest(world.ethers),
  });
  const sig = await d.signer.signDigest(deviceDigest(domain, "Attestation", att));
  return world.devices.connect(relayer).attest(att, sig, { gasLimit: GAS });
}

async function orderParams(world: World, a: Asset, salt: string) {
  const now = await latest(world.ethers);
  return {
    assetId: a.id,
    deviceId: a.device.deviceId,
    token: await world.usdc.getAddress(),
    budget: USDC(500),
    bond: 0n,
    provider: a.agent.address,
    acceptBy: now + 86_400,
    completeBy: now + 7 * 86_400,
    fromReserve: false,
    slashTo: 0,
    policy: {
      arbiter: world.ethers.ZeroAddress,
      k: 1,
      useDevice: true,
      optimistic: false,
      cmp: 0,
      defaultRuling: 0,
      kind: 3,
      threshold: 0n,
      challengeWindow: 0,
      disputeTimeout: 0,
    },
    inspectors: [],
    milestoneBps: [],
    salt: world.ethers.id(`order-${a.index}-${salt}`),
  };
}

/** One transaction of a workload: its label (the function) and how to send it. */
export interface PlannedTx {
  label: string;
  send: () => Promise<ContractTransactionResponse>;
}

/**
 * Sends every planned transaction with automine off, mines them (one block unless the block gas
 * limit splits them), checks every receipt succeeded, and returns each transaction's access sets.
 */
export async function mineAndTrace(world: World, planned: PlannedTx[]): Promise<TxAccess[]> {
  const { ethers } = world;
  await ethers.provider.send("evm_setAutomine", [false]);
  const sent: { label: string; hash: string }[] = [];
  try {
    for (const p of planned) sent.push({ label: p.label, hash: (await p.send()).hash });
    for (let i = 0; i <= planned.length; i++) {
      await ethers.provider.send("evm_mine", []);
      const last = await ethers.provider.getTransactionReceipt(sent[sent.length - 1]?.hash ?? ethers.ZeroHash);
      if (sent.length === 0 || last) break;
    }
  } finally {
    await ethers.provider.send("evm_setAutomine", [true]);
  }
  const out: TxAccess[] = [];
  for (const s of sent) {
    const receipt = await ethers.provider.getTransactionReceipt(s.hash);
    if (!receipt) throw new Error(`${s.label}: not mined`);
    if (receipt.status !== 1) throw new Error(`${s.label}: reverted (${s.hash})`);
    out.push(await accessOf(ethers.provider, s.hash, s.label));
  }
  return out;
}

// ---------------------------------------------------------------------------------------- workloads

/** Attestations of devices `indices` (each once), every one relayed by its own sender. */
export async function planAttestations(world: World, indices: number[]): Promise<PlannedTx[]> {
  const out: PlannedTx[] = [];
  for (const i of indices) {
    const relayer = await world.nextSender(`relayer.device${i}`);
    out.push({ label: "DeviceRegistry.attest", send: () => attest(world, i, relayer) });
  }
  return out;
}

/** `n` attestations of device `i` (increasing counters), every one relayed by its own sender. */
export async function planSameDevice(world: World, i: number, n: number): Promise<PlannedTx[]> {
  return planAttestations(
    world,
    Array.from({ length: n }, () => i),
  );
}

/** One compliant share transfer in each asset of `assets`: holder 0 sends 1 share to holder 1. */
export function planTransfers(world: World, assets: Asset[]): PlannedTx[] {
  return assets.map((a) => ({
    label: "AssetShares.transfer",
    send: () => a.shares.connect(a.holders[0]).transfer(a.holders[1].address, 1, { gasLimit: GAS }),
  }));
}

/**
 * `n` transfers in asset 0, each between its own pair of holders (no holder in two transfers).
 * `newBuyers`: every recipient is an investor without shares yet (the holder count grows);
 * otherwise every recipient already holds shares.
 */
export function planSameAsset(world: World, n: number, newBuyers: boolean): PlannedTx[] {
  const a = world.assetList[0];
  const firstBuyer = a.holders.length - n;
  return Array.from({ length: n }, (_, k) => ({
    label: "AssetShares.transfer",
    send: () =>
      a.shares
        .connect(a.holders[2 * k])
        .transfer(a.holders[newBuyers ? firstBuyer + k : 2 * k + 1].address, 1, { gasLimit: GAS }),
  }));
}

/** One USDC income deposit per asset, by its agent. */
export async function planDeposits(world: World, assets: Asset[]): Promise<PlannedTx[]> {
  const token = await world.usdc.getAddress();
  return assets.map((a) => ({
    label: "IncomeDistributor.deposit",
    send: () => world.distributor.connect(a.agent).deposit(a.id, token, USDC(100), { gasLimit: GAS }),
  }));
}

/** One USDC income claim per asset, by its holder number `holder`. */
export async function planClaims(world: World, assets: Asset[], holder = 1): Promise<PlannedTx[]> {
  const token = await world.usdc.getAddress();
  return assets.map((a) => ({
    label: "IncomeDistributor.claim",
    send: () =>
      world.distributor.connect(a.holders[holder]).claim(a.id, token, a.holders[holder].address, { gasLimit: GAS }),
  }));
}

let orderSalt = 0;
/** One payer-funded maintenance order per asset (the asset's vault exists already), by its agent. */
export async function planOrders(world: World, assets: Asset[]): Promise<PlannedTx[]> {
  const out: PlannedTx[] = [];
  for (const a of assets) {
    const p = await orderParams(world, a, `m${orderSalt++}`);
    out.push({
      label: "MaintenanceOrders.createOrder",
      send: () => world.escrow.connect(a.agent).createOrder(p, { gasLimit: GAS }),
    });
  }
  return out;
}

/** Each asset of `assets` rented by its own renter from the agent's on-chain offer (USDC, one day prepaid). */
export function planRentals(world: World, assets: Asset[]): PlannedTx[] {
  return assets.map((a) => ({
    label: "RentalMarket.rent",
    send: () => world.rentalMarket.connect(a.renter).rent(a.offerId, DAY, DAY * RENT_PER_SECOND, { gasLimit: GAS }),
  }));
}

/** One more hour of rent paid by each asset's renter on its running agreement (the asset's live one). */
export async function planRentPayments(world: World, assets: Asset[]): Promise<PlannedTx[]> {
  const out: PlannedTx[] = [];
  for (const a of assets) {
    const id = await world.rental.liveAgreementOf(SubjectKind.Asset, a.id);
    out.push({
      label: "RentalEscrow.payPeriod",
      send: () => world.rental.connect(a.renter).payPeriod(id, 3_600, { gasLimit: GAS }),
    });
  }
  return out;
}
