/**
 * Issuer-side building blocks for Plinth assets, shared by the scripts in this folder and their tests:
 * deploy the asset stack, register an asset with its legal documents, create its shares, onboard
 * investors from a CSV file, mint shares.
 *
 * Document hashes are SHA-256 of the file bytes (so anyone can check them with `sha256sum`), stored
 * as bytes32 in the AssetRegistry.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { parse } from "csv-parse/sync";
import cliProgress from "cli-progress";
import { Contract, ZeroAddress, type ContractRunner, type Interface } from "ethers";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type {
  AssetRegistry,
  AssetShares,
  IdentityRegistry,
  ShareFactory,
} from "../../../types/ethers-contracts/index.js";

import { describeRevertData, runOperator, UserError, mined } from "../../lib/cli.js";

/** An error caused by the user's input: the CLI prints its message alone (scripts/lib/cli.ts). */
export { UserError };

/** Asset classes, in the order of `AssetRegistry.AssetClass`. */
export const ASSET_CLASSES = ["solar", "battery", "building", "charger", "sensorFleet", "other"] as const;
export type AssetClassName = (typeof ASSET_CLASSES)[number];

/** Reads a required environment variable, or throws a UserError naming it. */
export function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name]?.trim();
  if (!v) throw new UserError(`missing environment variable ${name}`);
  return v;
}

/** Reads an environment variable that must hold an address. */
export function requireAddressEnv(ethers: HardhatEthers, env: NodeJS.ProcessEnv, name: string): string {
  const v = requireEnv(env, name);
  if (!ethers.isAddress(v)) throw new UserError(`${name} is not an address: "${v}"`);
  return ethers.getAddress(v);
}

/** SHA-256 of a file, as a 0x-prefixed bytes32. */
export async function hashFile(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new UserError(`cannot read document file "${path}"`);
  }
  return "0x" + createHash("sha256").update(bytes).digest("hex");
}

/** Turns a salt given by a user into bytes32: a 0x-prefixed 32-byte hex is used as is, any other text is hashed. */
export function toSalt(ethers: HardhatEthers, salt: string): string {
  return ethers.isHexString(salt, 32) ? salt : ethers.id(salt);
}

// ---------------------------------------------------------------------------------------------- deploy

export interface AssetStack {
  registry: AssetRegistry;
  identity: IdentityRegistry;
  factory: ShareFactory;
}

/**
 * Deploys AssetRegistry, IdentityRegistry, SharesBlueprint and ShareFactory with `governance` as admin
 * and grants the factory SHARE_FACTORY_ROLE (so `governance` must be a signer here).
 *
 * `incomeHooks` is the shares' income hook: an address, or a function that deploys it once the
 * registry exists (the IncomeDistributor needs the registry, the factory needs the distributor).
 * `deployer` sends the deployments (default: `governance`, the operator's chosen signer; never
 * silently the network's first account).
 */
export async function deployAssetStack(
  ethers: HardhatEthers,
  governance: HardhatEthersSigner,
  incomeHooks: string | ((registry: AssetRegistry) => Promise<string>) = ethers.ZeroAddress,
  deployer: HardhatEthersSigner = governance,
): Promise<AssetStack> {
  const registry = (await ethers.deployContract(
    "AssetRegistry",
    [governance.address],
    deployer,
  )) as unknown as AssetRegistry;
  const identity = (await ethers.deployContract(
    "IdentityRegistry",
    [governance.address],
    deployer,
  )) as unknown as IdentityRegistry;
  const hooks = typeof incomeHooks === "string" ? incomeHooks : await incomeHooks(registry);
  const blueprint = await ethers.deployContract("SharesBlueprint", [], deployer);
  const factory = (await ethers.deployContract(
    "ShareFactory",
    [governance.address, await registry.getAddress(), await identity.getAddress(), hooks, await blueprint.getAddress()],
    deployer,
  )) as unknown as ShareFactory;
  await mined(registry.connect(governance).grantRole(await registry.SHARE_FACTORY_ROLE(), await factory.getAddress()));
  return { registry, identity, factory };
}

// ---------------------------------------------------------------------------------------------- register

export interface DocumentInput {
  /** File to hash. */
  path: string;
  /** Label or location recorded on-chain (default: the file name). */
  uri?: string;
}

export interface RegisterParams {
  salt: string;
  assetClass: AssetClassName;
  /** ISO-3166-1 alpha-2, e.g. "DE". */
  jurisdiction: string;
  agent: HardhatEthersSigner;
  metadataURI: string;
  documents: DocumentInput[];
}

export interface RegisteredAsset {
  assetId: bigint;
  documents: { index: number; hash: string; uri: string }[];
}

/** Parses "path|uri;path2|uri2" (uri optional) into document inputs. */
export function parseDocumentList(spec: string | undefined): DocumentInput[] {
  if (!spec) return [];
  return spec
    .split(";")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const [path, uri] = s.split("|").map((x) => x.trim());
      return { path, uri: uri || undefined };
    });
}

/** Registers an asset (signed by `issuer`, who needs ISSUER_ROLE) and appends its documents (signed by the agent). */
export async function registerAsset(
  ethers: HardhatEthers,
  registry: AssetRegistry,
  issuer: HardhatEthersSigner,
  p: RegisterParams,
): Promise<RegisteredAsset> {
  const classIndex = ASSET_CLASSES.indexOf(p.assetClass);
  if (classIndex < 0) throw new UserError(`unknown asset class "${p.assetClass}" (one of ${ASSET_CLASSES.join(", ")})`);
  if (!/^[A-Z]{2}$/.test(p.jurisdiction))
    throw new UserError(`jurisdiction must be an ISO-3166 alpha-2 code like "DE", got "${p.jurisdiction}"`);
  // Hash every file before sending anything, so a missing file changes nothing on-chain.
  const docs = await Promise.all(
    p.documents.map(async (d) => ({ hash: await hashFile(d.path), uri: d.uri ?? basename(d.path) })),
  );
  const salt = toSalt(ethers, p.salt);
  const assetId = await registry.computeAssetId(issuer.address, salt);
  if ((await registry.statusOf(assetId)) !== 0n)
    throw new UserError(`asset ${assetId} already exists (issuer ${issuer.address}, salt ${p.salt})`);
  if (!(await registry.hasRole(await registry.ISSUER_ROLE(), issuer.address)))
    throw new UserError(`${issuer.address} does not hold ISSUER_ROLE on the registry`);
  const jurisdiction = ethers.hexlify(ethers.toUtf8Bytes(p.jurisdiction));
  await mined(registry.connect(issuer).registerAsset(salt, classIndex, jurisdiction, p.agent.address, p.metadataURI));
  const documents: RegisteredAsset["documents"] = [];
  for (const d of docs) {
    const index = Number(await registry.documentCount(assetId));
    await mined(registry.connect(p.agent).addDocument(assetId, d.hash, d.uri));
    documents.push({ index, ...d });
  }
  return { assetId, documents };
}

// ---------------------------------------------------------------------------------------------- shares

/** Creates the asset's shares (signed by its agent) and checks they landed at the predicted address. */
export async function createShares(
  factory: ShareFactory,
  agent: HardhatEthersSigner,
  assetId: bigint,
  name: string,
  symbol: string,
  decimals: number,
): Promise<string> {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 18)
    throw new UserError(`decimals must be an integer 0..18, got ${decimals}`);
  if (!name || !symbol) throw new UserError("shares need a name and a symbol");
  const registry = registryReader(await factory.registry(), agent);
  if ((await registry.agentOf(assetId)).toLowerCase() !== agent.address.toLowerCase())
    throw new UserError(`${agent.address} is not the agent of asset ${assetId}`);
  const existing = await registry.sharesOf(assetId);
  if (existing !== ZeroAddress) throw new UserError(`asset ${assetId} already has shares at ${existing}`);
  const predicted = await factory.predictShares(assetId);
  await mined(factory.connect(agent).createShares(assetId, name, symbol, decimals));
  const recorded = await registry.sharesOf(assetId);
  if (recorded !== predicted) throw new Error(`shares recorded at ${recorded}, predicted ${predicted}`);
  return predicted;
}

// ---------------------------------------------------------------------------------------------- onboarding

export interface InvestorRow {
  line: number;
  wallet: string;
  country: number;
  expiry: bigint;
}

export interface RejectedRow {
  line: number;
  raw: string;
  reason: string;
}

/**
 * Parses an investor CSV: `wallet,country,expiry` per line (an optional header line starting with
 * "wallet" is skipped). `country` is an ISO-3166-1 numeric code (1..999); `expiry` is a unix timestamp
 * in seconds or an ISO-8601 date, and must be after `now`. Rows with a bad address, country or expiry,
 * a wrong column count, or a wallet already seen earlier in the file are rejected with a reason.
 */
export function parseInvestorCsv(
  ethers: HardhatEthers,
  text: string,
  now: bigint,
): { rows: InvestorRow[]; rejected: RejectedRow[] } {
  const records = parse(text, {
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
    comment: "#",
    info: true,
  }) as unknown as { record: string[]; info: { lines: number } }[];
  const rows: InvestorRow[] = [];
  const rejected: RejectedRow[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of records) {
    const line = info.lines;
    const raw = record.join(",");
    if (line === 1 && record[0]?.toLowerCase() === "wallet") continue;
    const reject = (reason: string) => rejected.push({ line, raw, reason });
    if (record.length !== 3) {
      reject(`expected 3 columns (wallet,country,expiry), got ${record.length}`);
      continue;
    }
    const [w, c, e] = record;
    if (!ethers.isAddress(w)) {
      reject(`bad address "${w}"`);
      continue;
    }
    const wallet = ethers.getAddress(w);
    if (wallet === ethers.ZeroAddress) {
      reject("zero address");
      continue;
    }
    if (!/^\d{1,3}$/.test(c) || Number(c) < 1) {
      reject(`bad country "${c}" (ISO-3166 numeric code 1..999)`);
      continue;
    }
    let expiry: bigint;
    if (/^\d+$/.test(e)) expiry = BigInt(e);
    else {
      const ms = Date.parse(e);
      if (Number.isNaN(ms)) {
        reject(`bad expiry "${e}" (unix seconds or ISO date)`);
        continue;
      }
      expiry = BigInt(Math.floor(ms / 1000));
    }
    if (expiry <= now) {
      reject(`expiry ${e} is not in the future`);
      continue;
    }
    if (expiry >= 2n ** 64n) {
      reject(`expiry ${e} is too large`);
      continue;
    }
    const first = seen.get(wallet);
    if (first !== undefined) {
      reject(`duplicate of line ${first}`);
      continue;
    }
    seen.set(wallet, line);
    rows.push({ line, wallet, country: Number(c), expiry });
  }
  return { rows, rejected };
}

/** Sends the rows to the identity registry in batches (signed by a KYC agent), with a progress bar. */
export async function onboardInvestors(
  identity: IdentityRegistry,
  kycAgent: HardhatEthersSigner,
  rows: InvestorRow[],
  opts: { batchSize?: number; progress?: boolean } = {},
): Promise<{ batches: number; onboarded: number }> {
  const batchSize = opts.batchSize ?? 100;
  const max = Number(await identity.MAX_BATCH());
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > max)
    throw new UserError(`batch size must be 1..${max}, got ${batchSize}`);
  if (!(await identity.hasRole(await identity.KYC_AGENT_ROLE(), kycAgent.address)))
    throw new UserError(`${kycAgent.address} does not hold KYC_AGENT_ROLE on the identity registry`);
  const bar = opts.progress
    ? new cliProgress.SingleBar(
        { format: "onboarding [{bar}] {value}/{total} investors" },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(rows.length, 0);
  let batches = 0;
  try {
    for (let i = 0; i < rows.length; i += batchSize) {
      const chunk = rows.slice(i, i + batchSize);
      const tx = await identity.connect(kycAgent).setIdentities(
        chunk.map((r) => r.wallet),
        chunk.map((r) => r.country),
        chunk.map((r) => r.expiry),
      );
      await mined(tx);
      batches++;
      bar?.update(i + chunk.length);
    }
  } finally {
    bar?.stop();
  }
  return { batches, onboarded: rows.length };
}

// ---------------------------------------------------------------------------------------------- mint

export interface Allocation {
  to: string;
  amount: bigint;
}

export interface MintResult {
  to: string;
  amount: bigint;
  /** Name of the custom error that refused the mint, when it was refused (nothing sent). */
  refused?: string;
}

/** `Op.Mint` of AssetShares.refusalOf. */
const OP_MINT = 1;

/**
 * Mints each allocation (signed by the asset's agent). Every allocation is first checked with
 * `refusalOf(Mint, 0, to, amount)` (the token's own compliance code): refused ones are reported with
 * the rule's error and not sent.
 */
export async function mintShares(
  shares: AssetShares,
  agent: HardhatEthersSigner,
  allocations: Allocation[],
  opts: { progress?: boolean } = {},
): Promise<MintResult[]> {
  const registryAgent = await agentOfShares(shares);
  if (registryAgent.toLowerCase() !== agent.address.toLowerCase())
    throw new UserError(`${agent.address} is not the asset's agent (${registryAgent})`);
  const bar = opts.progress
    ? new cliProgress.SingleBar({ format: "minting [{bar}] {value}/{total}" }, cliProgress.Presets.shades_classic)
    : undefined;
  bar?.start(allocations.length, 0);
  const results: MintResult[] = [];
  try {
    for (const [i, a] of allocations.entries()) {
      const refusal = await shares.refusalOf(OP_MINT, "0x0000000000000000000000000000000000000000", a.to, a.amount);
      if (refusal !== "0x") {
        results.push({ ...a, refused: describeRevertData(refusal, [shares.interface as unknown as Interface]) });
      } else {
        await mined(shares.connect(agent).mint(a.to, a.amount));
        results.push({ ...a });
      }
      bar?.update(i + 1);
    }
  } finally {
    bar?.stop();
  }
  return results;
}

/**
 * Guards against minting twice (a re-run of the same allocations): the allocations whose recipient
 * already holds at least the amount to mint. The mint script refuses to send anything while this is
 * not empty, unless FORCE=1.
 */
export async function alreadyHeld(
  shares: AssetShares,
  allocations: Allocation[],
): Promise<(Allocation & { balance: bigint })[]> {
  const held: (Allocation & { balance: bigint })[] = [];
  for (const a of allocations) {
    const balance = await shares.balanceOf(a.to);
    if (balance >= a.amount) held.push({ ...a, balance });
  }
  return held;
}

async function agentOfShares(shares: AssetShares): Promise<string> {
  return registryReader(await shares.registry(), shares.runner).agentOf(await shares.assetId());
}

interface RegistryReader {
  agentOf(assetId: bigint): Promise<string>;
  sharesOf(assetId: bigint): Promise<string>;
}

/** The IAssetRegistry views these scripts need. */
function registryReader(address: string, runner: ContractRunner | null): RegistryReader {
  return new Contract(
    address,
    ["function agentOf(uint256) view returns (address)", "function sharesOf(uint256) view returns (address)"],
    runner,
  ) as unknown as RegistryReader;
}

/** Parses "wallet,amount" lines (amount in whole shares, decimals allowed up to the token's). */
export function parseAllocations(ethers: HardhatEthers, text: string, decimals: number): Allocation[] {
  const records = parse(text, { skip_empty_lines: true, trim: true, comment: "#" }) as string[][];
  return records
    .filter((r, i) => !(i === 0 && r[0]?.toLowerCase() === "wallet"))
    .map((r, i) => {
      const [to, amount] = r;
      if (!to || !ethers.isAddress(to)) throw new UserError(`allocation ${i + 1}: bad address "${to}"`);
      try {
        return { to: ethers.getAddress(to), amount: ethers.parseUnits(amount ?? "", decimals) };
      } catch {
        throw new UserError(`allocation ${i + 1}: bad amount "${amount}" for ${decimals} decimals`);
      }
    });
}

/** Runs a CLI main: prints UserErrors as one line (no stack trace) and sets the exit code. */
export async function runCli(main: () => Promise<void>): Promise<void> {
  return runOperator(main);
}

/** Parses an asset id given in decimal or 0x hex. */
export function parseAssetId(text: string): bigint {
  try {
    const id = BigInt(text);
    if (id <= 0n || id >= 2n ** 256n) throw new Error();
    return id;
  } catch {
    throw new UserError(`ASSET_ID is not a uint256: "${text}"`);
  }
}

/** The rejected rows as CSV (line,reason,row). */
export function rejectedReport(rejected: RejectedRow[]): string {
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return ["line,reason,row", ...rejected.map((r) => `${r.line},${q(r.reason)},${q(r.raw)}`)].join("\n") + "\n";
}
