/**
 * Shared deployment logic: preflight checks (configuration variables and parameters, by name,
 * before anything is sent), the Ignition deployment of the suite (CREATE2 through CreateX), the
 * per-chain record (deployments/<chainId>.json), client ABIs (client/abi/), the Safe batch for a
 * governance that is not a deployer account, and the on-chain roles check.
 *
 * Used by scripts/operator/deploy/deploy.ts, scripts/operator/deploy/check-roles.ts, the e2e scenario and the tests.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import {
  AbiCoder,
  Contract,
  ContractFactory,
  Interface,
  getAddress,
  getCreate2Address,
  getCreateAddress,
  keccak256,
  type InterfaceAbi,
  type Provider,
} from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { runOperator, UserError } from "../../lib/cli.js";
import type { NetworkConnection } from "hardhat/types/network";
import {
  CREATEX_ADDRESS,
  PLINTH_SALT,
  ROOT,
  loadParameters,
  parameterFile,
  type PlinthParameters,
} from "../../../deploy/config.js";
import {
  CONTRACTS,
  PARTS,
  ROLES,
  actionsOf,
  buildPlinthModules,
  contractsOf,
  deployableParts,
  resolveArg,
  type ContractName,
  type GovernanceAction,
  type PartName,
} from "../../../deploy/suite.js";

/** The kernel's user-facing failure (scripts/lib/cli.ts): printed without a stack trace, exit code 1. */
export { runOperator, UserError };

/** Local chains: journals and records stay out of git, CreateX is installed by Ignition. */
export const LOCAL_CHAIN_ID = 31337;

/** The on-chain record of one deployment (deployments/<chainId>.json). */
export interface DeploymentRecord {
  chainId: number;
  network: string;
  deploymentId: string;
  strategy: "create2";
  salt: string;
  factory: string;
  /** First block to scan for role events. */
  fromBlock: number;
  parts: PartName[];
  /** Whether governance actions were sent by this deployment (false: see `pendingGovernanceActions`). */
  wired: boolean;
  parameters: PlinthParameters;
  contracts: Partial<Record<ContractName, { address: string; futureId: string }>>;
  /** Calls governance still has to make (a Safe batch is written next to the record). */
  pendingGovernanceActions: number;
}

export function recordPath(chainId: number): string {
  return join(ROOT, "deployments", `${chainId}.json`);
}

export function readRecord(chainId: number): DeploymentRecord | undefined {
  const file = recordPath(chainId);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as DeploymentRecord) : undefined;
}

/**
 * Connects to `networkName`. For `localhost`, LOCALHOST_RPC_URL overrides the configured
 * http://127.0.0.1:8545 (the e2e runs its node on a free port so that it never meets another node).
 */
export async function connect(hre: HardhatRuntimeEnvironment, networkName: string): Promise<NetworkConnection<string>> {
  const url = process.env.LOCALHOST_RPC_URL?.trim();
  if (networkName === "localhost" && url !== undefined && url !== "") {
    return hre.network.create({ network: networkName, override: { url } });
  }
  return hre.network.create(networkName);
}

/** Name of the selected network (`--network`, else Hardhat's default network). */
export function selectedNetwork(hre: HardhatRuntimeEnvironment): string {
  return hre.globalOptions.network ?? "default";
}

interface ConfigVariableLike {
  _type: "ResolvedConfigurationVariable";
  name?: string;
  get(): Promise<string>;
}

function isConfigVariable(v: unknown): v is ConfigVariableLike {
  return typeof v === "object" && v !== null && (v as { _type?: unknown })._type === "ResolvedConfigurationVariable";
}

async function missingVariable(v: unknown, label: string): Promise<string | undefined> {
  return (await checkVariable(v, label)).problem;
}

/** Reads a configuration variable: its value, or a problem naming it when it is not set or empty. */
async function checkVariable(v: unknown, label: string): Promise<{ value?: string; problem?: string }> {
  if (!isConfigVariable(v)) return {};
  try {
    const value = await v.get();
    if (value.trim() === "") return { problem: `${v.name ?? label} is empty (${label})` };
    return { value: value.trim() };
  } catch (error) {
    return { problem: `${v.name ?? label} is not set (${label}): ${(error as Error).message.split("\n")[0]}` };
  }
}

/** A private key as Hardhat takes it: 32 bytes, hex (0x and 64 hex digits). */
export function privateKeyProblem(value: string): string | undefined {
  const hex = value.startsWith("0x") || value.startsWith("0X") ? value.slice(2) : value;
  if (!/^[0-9a-fA-F]*$/.test(hex))
    return "is malformed: a private key must be 32 bytes hex (0x and 64 hex digits), it has non-hex characters";
  if (hex.length !== 64) {
    return `is malformed: a private key must be 32 bytes hex (0x and 64 hex digits), it has ${hex.length} hex digit(s)`;
  }
  if (/^0+$/.test(hex)) return "is malformed: a private key must be 32 bytes hex and not zero";
  return undefined;
}

/** An RPC URL: http(s) or ws(s) with a host. The value is never printed (it may hold an API key). */
export function rpcUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is malformed: an RPC URL must look like https://host/path (it does not parse as a URL)";
  }
  if (!["http:", "https:", "ws:", "wss:"].includes(url.protocol)) {
    return `is malformed: an RPC URL must start with http://, https://, ws:// or wss:// (it starts with ${url.protocol}//)`;
  }
  if (url.hostname === "") return "is malformed: an RPC URL must name a host";
  return undefined;
}

/**
 * Checks, before connecting, everything a deployment to `networkName` needs: the network exists,
 * its RPC URL and account keys (configuration variables) are set and well formed (a URL; 32-byte
 * hex keys), and its parameter file is valid. Throws a UserError naming each problem (one line
 * when there is one).
 */
export async function preflight(hre: HardhatRuntimeEnvironment, networkName: string): Promise<PlinthParameters> {
  const config = hre.config.networks[networkName];
  if (config === undefined) {
    throw new UserError(
      `unknown network "${networkName}" (configured: ${Object.keys(hre.config.networks).join(", ")})`,
    );
  }
  const problems: string[] = [];
  let unset = false;
  if (config.type === "http") {
    const label = `RPC URL of network ${networkName}`;
    const url = await checkVariable(config.url, label);
    if (url.problem !== undefined) {
      problems.push(url.problem);
      unset = true;
    } else if (url.value !== undefined) {
      const bad = rpcUrlProblem(url.value);
      if (bad !== undefined) problems.push(`${variableName(config.url, label)} ${bad} (${label})`);
    }
    const accounts = config.accounts;
    if (Array.isArray(accounts)) {
      for (const [i, key] of accounts.entries()) {
        const keyLabel = `deployer key #${i} of network ${networkName}`;
        const checked = await checkVariable(key, keyLabel);
        if (checked.problem !== undefined) {
          problems.push(checked.problem);
          unset = true;
        } else if (checked.value !== undefined) {
          const bad = privateKeyProblem(checked.value);
          if (bad !== undefined) problems.push(`${variableName(key, keyLabel)} ${bad} (${keyLabel})`);
        }
      }
    } else if (accounts !== "remote") {
      const missing = await missingVariable(accounts.mnemonic, `mnemonic of network ${networkName}`);
      if (missing !== undefined) {
        problems.push(missing);
        unset = true;
      }
    }
  }
  const override = process.env.LOCALHOST_RPC_URL?.trim();
  if (networkName === "localhost" && override !== undefined && override !== "") {
    const bad = rpcUrlProblem(override);
    if (bad !== undefined) problems.push(`LOCALHOST_RPC_URL ${bad} (RPC URL of network localhost)`);
  }
  let parameters: PlinthParameters | undefined;
  try {
    parameters = loadParameters(networkName);
  } catch (error) {
    problems.push((error as Error).message.replace(/\n/g, "\n  "));
  }
  if (problems.length > 0 || parameters === undefined) {
    const hint = unset
      ? "\nSet configuration variables in the environment or with `npx hardhat keystore set <NAME>`."
      : "";
    if (problems.length === 1 && !problems[0].includes("\n")) {
      throw new UserError(`cannot deploy to ${networkName}; nothing was sent: ${problems[0]}${hint}`);
    }
    throw new UserError(
      `cannot deploy to ${networkName}; nothing was sent:\n` + problems.map((p) => `  - ${p}`).join("\n") + hint,
    );
  }
  return parameters;
}

function variableName(v: unknown, label: string): string {
  return isConfigVariable(v) ? (v.name ?? label) : label;
}

/**
 * Connects and checks the chain: the RPC answers, and its chain id is the one the network (and so
 * its parameter file deploy/parameters/<network>.json) is for. Returns the chain id. Run before
 * anything is reported ok or sent.
 */
export async function checkChain(
  hre: HardhatRuntimeEnvironment,
  connection: NetworkConnection<string>,
  networkName: string,
): Promise<number> {
  let chainId: number;
  try {
    chainId = Number(await connection.provider.request({ method: "eth_chainId" }));
  } catch (error) {
    throw new UserError(`cannot reach the RPC of ${networkName}: ${(error as Error).message.split("\n")[0]}`);
  }
  const expected = hre.config.networks[networkName]?.chainId;
  if (expected !== undefined && expected !== chainId) {
    throw new UserError(
      `wrong chain; nothing was sent: ${relative(process.cwd(), parameterFile(networkName)) || parameterFile(networkName)} ` +
        `is for network ${networkName}, chain ${expected}, but its RPC answers chain ${chainId}`,
    );
  }
  return chainId;
}

/** Whether ETHERSCAN_API_KEY (hardhat-verify's Etherscan key) is configured. */
export async function etherscanConfigured(hre: HardhatRuntimeEnvironment): Promise<boolean> {
  const key = (hre.config as unknown as { verify?: { etherscan?: { apiKey?: unknown; enabled?: boolean } } }).verify
    ?.etherscan;
  if (key === undefined || key.enabled === false || !isConfigVariable(key.apiKey)) return false;
  return (await missingVariable(key.apiKey, "Etherscan API key")) === undefined;
}

/** Parts deployable with the artifacts present. */
export async function availableParts(hre: HardhatRuntimeEnvironment): Promise<PartName[]> {
  const present = new Set<string>();
  for (const c of CONTRACTS) if (await hre.artifacts.artifactExists(c.name)) present.add(c.name);
  return deployableParts((name) => present.has(name));
}

/**
 * On a local node, Ignition's journal (ignition/deployments/chain-31337) is only valid for the node
 * instance it was written against: a restarted node starts empty. Like `hardhat ignition deploy`,
 * wipe the journal when the node instance changed.
 */
export async function resetStaleLocalJournal(
  connection: NetworkConnection<string>,
  deploymentId: string,
): Promise<boolean> {
  const dir = join(ROOT, "ignition", "deployments", deploymentId);
  let instanceId: string;
  try {
    const metadata = (await connection.provider.request({ method: "hardhat_metadata" })) as { instanceId: string };
    instanceId = metadata.instanceId;
  } catch {
    return false; // not a Hardhat node
  }
  const file = join(ROOT, "cache", "plinth-node-instances.json");
  const known = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : {};
  const stale = known[deploymentId] !== instanceId && existsSync(dir);
  if (stale) rmSync(dir, { recursive: true, force: true });
  known[deploymentId] = instanceId;
  mkdirSync(join(ROOT, "cache"), { recursive: true });
  writeFileSync(file, JSON.stringify(known, null, 2) + "\n");
  return stale;
}

/** Lowest block of a confirmed transaction in an Ignition journal (undefined if none). */
function journalFirstBlock(deploymentId: string): number | undefined {
  const file = join(ROOT, "ignition", "deployments", deploymentId, "journal.jsonl");
  if (!existsSync(file)) return undefined;
  let first: number | undefined;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.includes('"TRANSACTION_CONFIRM"')) continue;
    const entry = JSON.parse(line) as { receipt?: { blockNumber?: number } };
    const block = entry.receipt?.blockNumber;
    if (typeof block === "number" && (first === undefined || block < first)) first = block;
  }
  return first;
}

export interface DeployOptions {
  /** Print Ignition's progress UI. */
  displayUi?: boolean;
  /** Network name for the record. */
  networkName: string;
  /** Limit to these parts (default: every part whose artifacts exist). */
  parts?: PartName[];
  /** Write deployments/<chainId>.json, the Safe batch and client ABIs (default: true). */
  writeFiles?: boolean;
  /** Ignition deployment id, the journal's folder under ignition/deployments (default `chain-<chainId>`). */
  deploymentId?: string;
}

export interface DeployResult {
  chainId: number;
  deployer: string;
  addresses: Partial<Record<ContractName, string>>;
  record: DeploymentRecord;
  /** Governance actions not sent because governance is not an account of this network. */
  pending: GovernanceAction[];
  /** Transactions the deployer account sent during this run. */
  sentByDeployer: number;
  recordChanged: boolean;
}

/**
 * Deploys (or resumes, or confirms) the suite on `connection`. Idempotent: with the journal in
 * ignition/deployments/chain-<id>, a second run sends nothing and rewrites identical files.
 */
export async function deploySuite(
  hre: HardhatRuntimeEnvironment,
  connection: NetworkConnection<string>,
  parameters: PlinthParameters,
  options: DeployOptions,
): Promise<DeployResult> {
  const chainId = Number(await connection.provider.request({ method: "eth_chainId" }));
  const accounts = ((await connection.provider.request({ method: "eth_accounts" })) as string[]).map((a) =>
    getAddress(a),
  );
  if (accounts.length === 0) throw new UserError(`network ${options.networkName} has no deployer account`);
  const deployer = accounts[0];
  const deploymentId = options.deploymentId ?? `chain-${chainId}`;
  const persisted = connection.networkConfig.type !== "edr-simulated";
  if (persisted && chainId === LOCAL_CHAIN_ID) await resetStaleLocalJournal(connection, deploymentId);

  const parts = options.parts ?? (await availableParts(hre));
  if (parts.length === 0) throw new UserError("no part of the suite is compiled: run `npx hardhat build`");
  const wire = accounts.includes(parameters.governance);
  if (chainId !== LOCAL_CHAIN_ID && (await connection.ethers.provider.getCode(CREATEX_ADDRESS)) === "0x") {
    throw new UserError(
      `CreateX is not deployed at ${CREATEX_ADDRESS} on chain ${chainId}: deterministic deployment needs it ` +
        "(see https://github.com/pcaversaccio/createx#new-deployments); nothing was sent.",
    );
  }
  // Without a journal (in-process chain, or a lost journal), adopt what is already on chain at the
  // CREATE2 addresses and skip governance actions already in effect; with a journal, Ignition resumes.
  // The adoption decides the module's futures (contractAt for an adopted contract, a deployment
  // otherwise; no call for an action in effect), and Ignition refuses to resume a journal whose
  // futures changed kind. So the decision is made once, when the journal starts, and kept beside
  // it (ignition/deployments/<id>/plinth-adopted.json): a run interrupted after it has sent part of
  // the suite (which is then on chain too) resumes with the very same futures.
  const adopt = persisted
    ? await journalledAdoption(join(ROOT, "ignition", "deployments", deploymentId), () =>
        onChainState(hre, connection, parameters, parts),
      )
    : await onChainState(hre, connection, parameters, parts);
  const { plinth } = buildPlinthModules(parameters, parts, wire, adopt);

  const nonceBefore = await connection.ethers.provider.getTransactionCount(deployer);
  const blockBefore = await connection.ethers.provider.getBlockNumber();
  if (persisted) await recoverInterruptedSends(connection, join(ROOT, "ignition", "deployments", deploymentId));
  const deployed = await connection.ignition.deploy(plinth, {
    strategy: "create2",
    strategyConfig: { salt: PLINTH_SALT },
    deploymentId: persisted ? deploymentId : undefined,
    displayUi: options.displayUi ?? false,
  });
  const nonceAfter = await connection.ethers.provider.getTransactionCount(deployer);

  const addresses: Partial<Record<ContractName, string>> = {};
  const contracts: DeploymentRecord["contracts"] = {};
  for (const c of contractsOf(parts)) {
    const address = getAddress(await (deployed as Record<string, Contract>)[c.name].getAddress());
    addresses[c.name] = address;
    const moduleId = PARTS.find((x) => x.name === c.part)?.moduleId;
    contracts[c.name] = { address, futureId: `${moduleId}#${c.name}` };
  }
  const pending = wire ? [] : actionsOf(parameters, parts).filter((a) => !(adopt.doneActions?.has(a.id) ?? false));
  const previous = persisted ? readRecord(chainId) : undefined;
  const record: DeploymentRecord = {
    chainId,
    network: options.networkName,
    deploymentId,
    strategy: "create2",
    salt: PLINTH_SALT,
    factory: CREATEX_ADDRESS,
    fromBlock: persisted ? (previous?.fromBlock ?? journalFirstBlock(deploymentId) ?? blockBefore) : 0,
    parts,
    wired: wire,
    parameters,
    contracts,
    pendingGovernanceActions: pending.length,
  };
  let recordChanged = false;
  if (options.writeFiles ?? persisted) {
    recordChanged = writeIfChanged(recordPath(chainId), JSON.stringify(record, null, 2) + "\n");
    const safeFile = join(ROOT, "deployments", `${chainId}.governance-batch.json`);
    if (pending.length > 0) {
      writeIfChanged(safeFile, JSON.stringify(safeBatch(chainId, pending, addresses), null, 2) + "\n");
    } else if (existsSync(safeFile)) rmSync(safeFile);
    await writeAbis(hre, parts, chainId);
  }
  return {
    chainId,
    deployer,
    addresses,
    record,
    pending,
    sentByDeployer: nonceAfter - nonceBefore,
    recordChanged,
  };
}

/** What a deployment adopts instead of sending: contracts already at their address, actions in effect. */
export interface Adoption {
  contracts: Partial<Record<ContractName, string>>;
  doneActions: Set<string>;
}

/** File, in an Ignition deployment folder, that keeps the adoption its journal was started with. */
export const ADOPTION_FILE = "plinth-adopted.json";

/**
 * The adoption of the deployment journalled in `dir`: the one recorded when its journal started,
 * or (no journal yet) `decide()`'s, recorded now. A journal without the file (started by a version
 * that did not record it, or on a chain where nothing existed) adopted nothing.
 */
export async function journalledAdoption(dir: string, decide: () => Promise<Adoption>): Promise<Adoption> {
  const file = join(dir, ADOPTION_FILE);
  if (existsSync(join(dir, "journal.jsonl"))) {
    if (!existsSync(file)) return { contracts: {}, doneActions: new Set() };
    const saved = JSON.parse(readFileSync(file, "utf8")) as {
      contracts: Partial<Record<ContractName, string>>;
      doneActions: string[];
    };
    return { contracts: saved.contracts, doneActions: new Set(saved.doneActions) };
  }
  const adoption = await decide();
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({ contracts: adoption.contracts, doneActions: [...adoption.doneActions] }, null, 2) + "\n",
  );
  return adoption;
}

/**
 * Ctrl-C between Ignition's journalling of a transaction's nonce (TRANSACTION_PREPARE_SEND) and its
 * record of the sent transaction leaves a journal Ignition refuses to resume ("use a block explorer
 * to find the hash ... ignition track-tx"). This does what the operator would do, before resuming:
 * - the nonce was used on chain (the transaction went out): find it in the blocks since the
 *   deployment started and track it (Ignition's `trackTransaction`, as `ignition track-tx` does);
 * - the nonce is still free (pending count included): the transaction never left, and the
 *   dangling preparation is dropped from the journal so that Ignition prepares it again.
 * Returns what it did, one line per transaction.
 */
export async function recoverInterruptedSends(connection: NetworkConnection<string>, dir: string): Promise<string[]> {
  const file = join(dir, "journal.jsonl");
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, "utf8").split("\n");
  type Entry = { type?: string; futureId?: string; networkInteractionId?: number; nonce?: number; from?: string };
  const entries = lines.map((l) => (l.trim() === "" ? {} : (JSON.parse(l) as Entry)));
  const key = (e: Entry) => `${e.futureId}/${e.networkInteractionId}`;
  const sent = new Set(entries.filter((e) => e.type === "TRANSACTION_SEND").map(key));
  const from = new Map<string, string>();
  let firstBlock: number | undefined;
  for (const e of entries) {
    if (e.futureId !== undefined && typeof e.from === "string") from.set(e.futureId, e.from);
    const block = (e as { receipt?: { blockNumber?: number } }).receipt?.blockNumber;
    if (e.type === "TRANSACTION_CONFIRM" && typeof block === "number")
      firstBlock = Math.min(firstBlock ?? block, block);
  }
  const provider = connection.ethers.provider;
  const done: string[] = [];
  const drop = new Set<number>();
  for (const [i, e] of entries.entries()) {
    if (e.type !== "TRANSACTION_PREPARE_SEND" || sent.has(key(e)) || e.nonce === undefined) continue;
    const sender = from.get(e.futureId ?? "");
    if (sender === undefined) continue; // leave it to Ignition's own message
    const used = await provider.getTransactionCount(sender, "pending");
    if (used <= e.nonce) {
      drop.add(i);
      done.push(`${e.futureId}: interrupted before its transaction (nonce ${e.nonce}) was sent; preparing it again`);
      continue;
    }
    let hash: string | undefined;
    const latest = await provider.getBlockNumber();
    for (let n = latest; n >= Math.max(0, (firstBlock ?? latest - 1_000) - 1) && hash === undefined; n--) {
      const block = await provider.getBlock(n, true);
      const tx = block?.prefetchedTransactions.find(
        (t) => t.from.toLowerCase() === sender.toLowerCase() && t.nonce === e.nonce,
      );
      hash = tx?.hash;
    }
    if (hash === undefined) {
      throw new UserError(
        `${e.futureId}: a transaction with nonce ${e.nonce} from ${sender} was sent when the deployment was ` +
          "interrupted, and it is not in a recent block: find its hash and run `npx hardhat ignition track-tx " +
          `<txHash> ${dir.split(/[\\/]/).pop()} --network <name>\``,
      );
    }
    const { trackTransaction } = await import("@nomicfoundation/ignition-core");
    await trackTransaction(dir, hash, connection.provider);
    done.push(`${e.futureId}: interrupted after its transaction ${hash} (nonce ${e.nonce}) was sent; tracked it`);
  }
  if (drop.size > 0) writeFileSync(file, lines.filter((_, i) => !drop.has(i)).join("\n"));
  for (const line of done) console.log(`resume: ${line}`);
  return done;
}

/** Contracts already deployed at their predicted addresses, and governance actions already in effect. */
async function onChainState(
  hre: HardhatRuntimeEnvironment,
  connection: NetworkConnection<string>,
  parameters: PlinthParameters,
  parts: readonly PartName[],
): Promise<Adoption> {
  const provider = connection.ethers.provider;
  const predicted = await predictAddresses(hre, parameters, parts);
  const contracts: Partial<Record<ContractName, string>> = {};
  for (const [name, address] of Object.entries(predicted) as [ContractName, string][]) {
    if ((await provider.getCode(address)) !== "0x") contracts[name] = address;
  }
  const doneActions = new Set<string>();
  for (const action of actionsOf(parameters, parts)) {
    if ((await actionInEffect(provider, action, contracts, predicted)) === true) doneActions.add(action.id);
  }
  return { contracts, doneActions };
}

/**
 * Whether a governance action is in effect on chain, by its `done` view (its first return value equals
 * `done.equals`): true or false; undefined when the action has no such view or its contract is not deployed.
 * A view that reverts or returns something unreadable counts as not in effect.
 */
async function actionInEffect(
  provider: Provider,
  action: GovernanceAction,
  deployed: Readonly<Partial<Record<ContractName, string>>>,
  addresses: Readonly<Partial<Record<ContractName, string>>> = deployed,
): Promise<boolean | undefined> {
  if (action.done === undefined) return undefined;
  const target = deployed[action.done.contract ?? action.contract];
  if (target === undefined) return undefined;
  const view = new Contract(target, [action.done.signature], provider);
  const fn = view.interface.fragments.find((f) => f.type === "function");
  if (fn === undefined || !("name" in fn)) return undefined;
  try {
    const returned: unknown = await view
      .getFunction(fn.name as string)
      .staticCall(...action.done.args.map((a) => resolveArg(a, addresses)));
    const value: unknown = Array.isArray(returned) ? (returned as unknown[])[0] : returned;
    const expected = resolveArg(action.done.equals, addresses);
    return typeof value === "string" && typeof expected === "string"
      ? value.toLowerCase() === expected.toLowerCase()
      : value === expected;
  } catch {
    return false;
  }
}

function writeIfChanged(file: string, content: string): boolean {
  if (existsSync(file) && readFileSync(file, "utf8") === content) return false;
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, content);
  return true;
}

/**
 * ABIs of the deployed contracts: beside the chain's record in deployments/<chainId>.abi.json
 * (contract name -> ABI, committed with the record), and into client/abi/<Contract>.json
 * (gitignored; read by the client build).
 */
async function writeAbis(hre: HardhatRuntimeEnvironment, parts: readonly PartName[], chainId: number): Promise<void> {
  const abis: Record<string, unknown> = {};
  for (const c of contractsOf(parts)) {
    const artifact = await hre.artifacts.readArtifact(c.name);
    abis[c.name] = artifact.abi;
    writeIfChanged(join(ROOT, "client", "abi", `${c.name}.json`), JSON.stringify(artifact.abi, null, 2) + "\n");
  }
  writeIfChanged(join(ROOT, "deployments", `${chainId}.abi.json`), JSON.stringify(abis, null, 2) + "\n");
}

const ACCESS_CONTROL = new Interface([
  "function grantRole(bytes32 role, address account)",
  "function hasRole(bytes32 role, address account) view returns (bool)",
  "event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
  "event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)",
]);

/** Calldata of governance actions, as a Safe Transaction Builder batch (https://app.safe.global). */
export function safeBatch(
  chainId: number,
  actions: readonly GovernanceAction[],
  addresses: Readonly<Partial<Record<ContractName, string>>>,
) {
  return {
    version: "1.0",
    chainId: String(chainId),
    meta: {
      name: "Plinth: wire the suite",
      description:
        "Role grants and settings governance makes once after deployment (scripts/operator/deploy/deploy.ts).",
    },
    transactions: actions.map((a) => {
      const to = addresses[a.contract];
      if (to === undefined) throw new Error(`${a.contract} is not deployed`);
      const iface = a.method === "grantRole" ? ACCESS_CONTROL : new Interface([governanceSignature(a)]);
      const args = a.args.map((x) => resolveArg(x, addresses));
      return { to, value: "0", data: iface.encodeFunctionData(a.method, args), description: a.id };
    }),
  };
}

/** Human-readable signature of a non-grant governance action (argument types from the values). */
function governanceSignature(a: GovernanceAction): string {
  const types = a.args.map((arg, i) => {
    if (a.types?.[i] !== undefined) return a.types[i];
    if (typeof arg === "boolean") return "bool";
    if (typeof arg === "number" || typeof arg === "bigint") return "uint256";
    return "address";
  });
  return `function ${a.method}(${types.join(",")})`;
}

// ---------------------------------------------------------------------------------------------
// Roles check
// ---------------------------------------------------------------------------------------------

export interface RoleFinding {
  ok: boolean;
  message: string;
}

/** Expected role holders, per contract and role id, from the parameters and the governance actions. */
export function expectedHolders(
  record: Pick<DeploymentRecord, "parameters" | "parts" | "contracts">,
): Map<ContractName, Map<string, Set<string>>> {
  const addresses = Object.fromEntries(Object.entries(record.contracts).map(([k, v]) => [k, v.address])) as Partial<
    Record<ContractName, string>
  >;
  const out = new Map<ContractName, Map<string, Set<string>>>();
  const add = (contract: ContractName, role: string, holder: string) => {
    if (!out.has(contract)) out.set(contract, new Map());
    const roles = out.get(contract)!;
    if (!roles.has(role)) roles.set(role, new Set());
    roles.get(role)!.add(getAddress(holder));
  };
  for (const name of Object.keys(record.contracts) as ContractName[]) {
    const spec = CONTRACTS.find((c) => c.name === name);
    if (spec?.library === true || spec?.roles === false) continue;
    const self = addresses[name];
    add(
      name,
      ROLES.DEFAULT_ADMIN_ROLE,
      spec?.admin === "self" && self !== undefined ? self : record.parameters.governance,
    );
  }
  for (const action of actionsOf(record.parameters, record.parts)) {
    if (action.grants === undefined) continue;
    add(action.contract, ROLES[action.grants.role], resolveArg(action.grants.holder, addresses) as string);
  }
  return out;
}

function roleName(roleId: string, extra: Map<string, string>): string {
  for (const [name, value] of Object.entries(ROLES)) if (value === roleId) return name;
  return extra.get(roleId) ?? roleId;
}

/**
 * Reads the chain and compares roles with what the parameters say: every expected holder has its
 * role, the deployer holds no role at all (unless the parameters name it), and no other account
 * was ever left holding a role (RoleGranted/RoleRevoked events since the deployment). Then the
 * wiring that is not a role: every other governance action of the deployed parts (the market's escrow
 * link, payment tokens, manufacturers, verifiers, the devices' asset registry) is in effect, read
 * through the action's own `done` view.
 */
export async function checkRoles(
  hre: HardhatRuntimeEnvironment,
  connection: NetworkConnection<string>,
  record: DeploymentRecord,
  deployer: string,
): Promise<RoleFinding[]> {
  const provider = connection.ethers.provider;
  const findings: RoleFinding[] = [];
  const expected = expectedHolders(record);
  const latest = await provider.getBlockNumber();
  for (const [name, entry] of Object.entries(record.contracts) as [ContractName, { address: string }][]) {
    const address = entry.address;
    if ((await provider.getCode(address)) === "0x") {
      findings.push({ ok: false, message: `${name} has no code at ${address}` });
      continue;
    }
    const contract = new Contract(address, ACCESS_CONTROL, provider);
    const roles = expected.get(name) ?? new Map<string, Set<string>>();
    // Role ids this contract knows: the suite's, plus any public *_ROLE constant it exposes.
    const known = new Map<string, string>();
    for (const roleId of Object.values(ROLES)) known.set(roleId, roleName(roleId, known));
    for (const fn of await roleGetters(hre, name)) {
      try {
        const value = (await new Contract(address, [`function ${fn}() view returns (bytes32)`], provider).getFunction(
          fn,
        )()) as string;
        known.set(value, fn);
      } catch {
        /* not exposed */
      }
    }
    const spec = CONTRACTS.find((c) => c.name === name);
    if (spec?.library === true || spec?.roles === false) {
      findings.push({
        ok: true,
        message: `${name}: holds no roles (${spec.library === true ? "library" : "no AccessControl"})`,
      });
      continue;
    }
    try {
      await contract.hasRole(ROLES.DEFAULT_ADMIN_ROLE, deployer);
    } catch {
      findings.push({ ok: false, message: `${name}: hasRole() reverts at ${address}: not the expected contract` });
      continue;
    }
    for (const [roleId, holders] of roles) {
      for (const holder of holders) {
        const has = (await contract.hasRole(roleId, holder)) as boolean;
        findings.push({
          ok: has,
          message: `${name}: ${roleName(roleId, known)} ${has ? "held by" : "NOT held by"} ${holder}`,
        });
      }
    }
    const deployerAllowed = (roleId: string) => roles.get(roleId)?.has(getAddress(deployer)) ?? false;
    let deployerRoles = 0;
    for (const [roleId, label] of known) {
      if (deployerAllowed(roleId)) continue;
      if ((await contract.hasRole(roleId, deployer)) as boolean) {
        deployerRoles++;
        findings.push({ ok: false, message: `${name}: deployer ${deployer} still holds ${label}` });
      }
    }
    if (deployerRoles === 0) findings.push({ ok: true, message: `${name}: deployer ${deployer} holds no role` });

    // Every account that was ever granted a role and still holds it must be expected.
    const granted = await contract.queryFilter(contract.filters.RoleGranted(), record.fromBlock, latest);
    const seen = new Set<string>();
    for (const event of granted) {
      const [roleId, account] = (event as unknown as { args: [string, string] }).args;
      const key = `${roleId}:${getAddress(account)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (roles.get(roleId)?.has(getAddress(account))) continue;
      if ((await contract.hasRole(roleId, account)) as boolean) {
        findings.push({
          ok: false,
          message: `${name}: ${roleName(roleId, known)} held by ${getAddress(account)}, which the parameters do not name`,
        });
      }
    }
  }

  // Wiring that is not a role (links such as the market's escrow, allowlisted tokens, admitted
  // manufacturers, verifiers): every governance action of the deployed parts must be in effect.
  const addresses = Object.fromEntries(
    Object.entries(record.contracts).map(([name, entry]) => [name, entry.address]),
  ) as Partial<Record<ContractName, string>>;
  for (const action of actionsOf(record.parameters, record.parts)) {
    if (action.grants !== undefined) continue; // checked above, as a role
    const inEffect = await actionInEffect(provider, action, addresses);
    if (inEffect === undefined) continue;
    const call = `${action.contract}.${action.method}(${action.args.map((a) => String(resolveArg(a, addresses))).join(", ")})`;
    findings.push({
      ok: inEffect,
      message: `wiring: ${call} ${inEffect ? "in effect" : "NOT in effect (governance has to send it)"}`,
    });
  }
  return findings;
}

/** Public `*_ROLE` getters of a contract, from its artifact. */
async function roleGetters(hre: HardhatRuntimeEnvironment, name: ContractName): Promise<string[]> {
  if (!(await hre.artifacts.artifactExists(name))) return [];
  const abi = (await hre.artifacts.readArtifact(name)).abi as { type: string; name?: string; inputs?: unknown[] }[];
  return abi
    .filter((x) => x.type === "function" && x.name?.endsWith("_ROLE") && (x.inputs?.length ?? 0) === 0)
    .map((x) => x.name!);
}

/** Deployer address of a network (first account). */
export async function deployerOf(connection: NetworkConnection<string>): Promise<string> {
  const accounts = (await connection.provider.request({ method: "eth_accounts" })) as string[];
  if (accounts.length === 0) throw new UserError(`network ${connection.networkName} has no account`);
  return getAddress(accounts[0]);
}

/** Replaces library placeholders in `bytecode` by the libraries' addresses. */
function linkBytecode(
  bytecode: string,
  linkReferences: Record<string, Record<string, readonly { start: number; length: number }[]>>,
  addresses: Readonly<Partial<Record<ContractName, string>>>,
): string {
  let hex = bytecode.slice(2);
  for (const libs of Object.values(linkReferences)) {
    for (const [name, refs] of Object.entries(libs)) {
      const address = addresses[name as ContractName];
      if (address === undefined) throw new Error(`library ${name} is not deployed before its users`);
      for (const { start, length } of refs) {
        hex = hex.slice(0, start * 2) + address.slice(2).toLowerCase() + hex.slice((start + length) * 2);
      }
    }
  }
  return "0x" + hex;
}

/** CreateX's salt guard for a salt that names no sender: `keccak256(abi.encode(salt))`. */
export function guardedSalt(salt: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32"], [salt]));
}

/**
 * The addresses the suite gets with these parameters, on any chain (CREATE2 through CreateX with
 * PLINTH_SALT): computed from the artifacts, without a network.
 */
export async function predictAddresses(
  hre: HardhatRuntimeEnvironment,
  parameters: PlinthParameters,
  parts: readonly PartName[],
): Promise<Partial<Record<ContractName, string>>> {
  const addresses: Partial<Record<ContractName, string>> = {};
  const salt = guardedSalt(PLINTH_SALT);
  for (const c of contractsOf(parts)) {
    if (c.createdBy !== undefined) {
      const creator = addresses[c.createdBy.contract];
      if (creator === undefined) throw new Error(`${c.name}: ${c.createdBy.contract} is not predicted`);
      addresses[c.name] = getCreateAddress({ from: creator, nonce: c.createdBy.nonce });
      continue;
    }
    const artifact = await hre.artifacts.readArtifact(c.name);
    const bytecode = linkBytecode(artifact.bytecode, artifact.linkReferences, addresses);
    const args = c.args(parameters).map((a) => resolveArg(a, addresses));
    const factory = new ContractFactory(artifact.abi as InterfaceAbi, bytecode);
    const tx = await factory.getDeployTransaction(...args);
    addresses[c.name] = getCreate2Address(CREATEX_ADDRESS, salt, keccak256(tx.data));
  }
  return addresses;
}
