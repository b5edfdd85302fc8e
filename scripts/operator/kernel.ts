/**
 * What every operator task (scripts/operator/tasks.ts) shares, on top of the scripts' kernel
 * (scripts/lib/cli.ts):
 *
 * - `operatorTask(body, opts)`: the task action. A UserError (or a contract's refusal, decoded from its
 *   revert data) prints one line `error: <message>` and the task returns a failed Result (exit code 1,
 *   no stack trace). Anything unexpected is thrown as is.
 * - `openContext(hre, args, opts)`: the connection of `--network` (the in-process chain is refused for
 *   state-changing tasks unless ALLOW_IN_PROCESS=1; `localhost` honours LOCALHOST_RPC_URL), its chain id
 *   checked against the network's configured chainId and the deployment record (`--deployment <file>`,
 *   default deployments/<chainId>.json when it exists), and the signing account (`--signer`).
 * - `--signer <role|index|address>`: a role name (issuer, agent, governance...) is the private key in the
 *   configuration variable PLINTH_<ROLE>_KEY (environment or `npx hardhat keystore set`), or, when that
 *   is not set, the account the network's deploy/parameters/<network>.json gives that role if the node
 *   holds it; an index or an address is one of the network's accounts. Default: account 0.
 * - `ctx.contract(kind, raw, option)`: a contract address (the option's value, else the deployment
 *   record's), checked before anything is sent: an address, code there, and the contract's interface
 *   (ERC-165 `supportsInterface` where the contract implements it, plus a view only that contract has).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { Contract, Interface, Wallet, ZeroAddress } from "ethers";
import { configVariable } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { errorResult, successfulResult } from "hardhat/utils/result";
import { assertNetworkAllowed, describeRevertData, revertDataOf, UserError } from "../lib/cli.js";
import { parseAmountWith, type TokenInfo } from "../lib/units.js";

export { UserError };

/** Options every operator task has. */
export interface CommonArgs {
  signer: string;
  deployment: string;
}

/** Contracts an operator task may be given, by the name of their artifact. */
export type ContractKind =
  | "DeviceRegistry"
  | "AssetRegistry"
  | "IdentityRegistry"
  | "ShareFactory"
  | "AssetShares"
  | "IncomeDistributor"
  | "RentalMarket"
  | "RentalEscrow"
  | "MaintenanceOrders";

/** A view each kind answers (and unrelated contracts do not): the interface probe of the preflight. */
const PROBES: Record<ContractKind, string> = {
  DeviceRegistry: "function deviceToken() view returns (address)",
  AssetRegistry: "function ISSUER_ROLE() view returns (bytes32)",
  IdentityRegistry: "function KYC_AGENT_ROLE() view returns (bytes32)",
  ShareFactory: "function predictShares(uint256) view returns (address)",
  AssetShares: "function assetId() view returns (uint256)",
  IncomeDistributor: "function maxReserveBps() view returns (uint16)",
  RentalMarket: "function OFFER_TYPEHASH() view returns (bytes32)",
  RentalEscrow: "function stateOf(bytes32) view returns (uint8)",
  MaintenanceOrders: "function controllerOf(bytes32) view returns (address)",
};
/** Kinds without AccessControl (no ERC-165 to ask). */
const WITHOUT_ERC165: readonly ContractKind[] = ["AssetShares"];
/** Kinds with ERC-165 but no roles (their market holds governance): only IERC165 is asked. */
const WITHOUT_ROLES: readonly ContractKind[] = ["RentalEscrow"];
/** Kinds whose ERC-165 answers their own interface id (the artifact named). */
const OWN_INTERFACE: Partial<Record<ContractKind, string>> = { DeviceRegistry: "IDeviceRegistry" };
const IERC165 = "0x01ffc9a7";
/** Functions an own interface inherits from IERC165 and IAccessControl: not part of its ERC-165 id. */
const INHERITED_STANDARD_FUNCTIONS = new Set([
  "supportsInterface(bytes4)",
  "hasRole(bytes32,address)",
  "getRoleAdmin(bytes32)",
  "grantRole(bytes32,address)",
  "revokeRole(bytes32,address)",
  "renounceRole(bytes32,address)",
]);
const IACCESS_CONTROL = "0x7965db0b";

/** A deployment record (deployments/<chainId>.json), as far as the tasks read it. */
export interface RecordLike {
  chainId: number;
  contracts?: Partial<Record<string, { address: string }>>;
}

export interface Context {
  hre: HardhatRuntimeEnvironment;
  ethers: HardhatEthers;
  networkName: string;
  chainId: bigint;
  signer: HardhatEthersSigner;
  record: RecordLike | undefined;
  recordFile: string | undefined;
  /** A checked contract connected to the signer (see the module comment). */
  contract<T = Contract>(kind: ContractKind, raw: string, option: string): Promise<T>;
  /** A checked address of a contract of `kind` (the option's value, else the record's). */
  address(kind: ContractKind, raw: string, option: string): Promise<string>;
}

type Body<A> = (args: A, hre: HardhatRuntimeEnvironment) => Promise<void>;

/** Interfaces whose custom errors name a refusal (filled lazily from the artifacts). */
let decoders: Interface[] | undefined;
async function errorInterfaces(hre: HardhatRuntimeEnvironment): Promise<Interface[]> {
  if (decoders === undefined) {
    decoders = [];
    for (const name of [
      "DeviceRegistry",
      "AssetRegistry",
      "IdentityRegistry",
      "ShareFactory",
      "AssetShares",
      "IncomeDistributor",
      "RentalMarket",
      "RentalEscrow",
      "MaintenanceOrders",
      "MaintenanceEvidence",
      "MaintenanceCustody",
    ]) {
      try {
        decoders.push(new Interface((await hre.artifacts.readArtifact(name)).abi));
      } catch {
        // not compiled: the client's decoder and the built-ins remain
      }
    }
  }
  return decoders;
}

/** ethers error codes that are the operator's to fix (an account without funds, a node away...). */
const NODE_ERRORS = [
  "INSUFFICIENT_FUNDS",
  "NONCE_EXPIRED",
  "REPLACEMENT_UNDERPRICED",
  "NETWORK_ERROR",
  "SERVER_ERROR",
  "TIMEOUT",
  "CALL_EXCEPTION",
];

/** The action of an operator task: user errors and contract refusals as one line, exit code 1. */
export function operatorTask<A>(body: Body<A>) {
  return async (raw: A, hre: HardhatRuntimeEnvironment) => {
    // Options without a value arrive as undefined: the actions read them as "".
    const args = Object.fromEntries(Object.entries(raw as object).map(([k, v]) => [k, v ?? ""])) as A;
    try {
      await body(args, hre);
      return successfulResult();
    } catch (error) {
      let message: string | undefined;
      if (error instanceof UserError) message = error.message;
      else {
        const data = revertDataOf(error);
        if (data !== undefined)
          message = `the contract refused: ${describeRevertData(data, await errorInterfaces(hre))}`;
      }
      if (message === undefined) throw error;
      console.error(`error: ${message}`);
      return errorResult(message);
    }
  };
}

/** The Hardhat network name of the run (`--network`, else the in-process `default`). */
export function networkNameOf(hre: HardhatRuntimeEnvironment): string {
  return hre.globalOptions.network ?? "default";
}

/** Reads a deployment record file (refused when unreadable or not one). */
function readRecordFile(file: string): RecordLike {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UserError(`cannot read the deployment record "${file}": ${(error as Error).message.split("\n")[0]}`);
  }
  const r = raw as RecordLike;
  if (typeof r !== "object" || r === null || typeof r.chainId !== "number") {
    throw new UserError(`${file} is not a deployment record (no chainId)`);
  }
  return r;
}

/** The network's deployment parameters (deploy/parameters/<network>.json), read loosely, if any. */
function parametersOf(hre: HardhatRuntimeEnvironment, networkName: string): Record<string, unknown> | undefined {
  const file = join(hre.config.paths.root, "deploy", "parameters", `${networkName}.json`);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The address deploy parameters give a role (issuer = issuers[0], manufacturer = manufacturers[0]...). */
function roleFromParameters(p: Record<string, unknown> | undefined, role: string): string | undefined {
  if (p === undefined) return undefined;
  const first = (key: string) => (Array.isArray(p[key]) ? (p[key] as unknown[])[0] : undefined);
  const manufacturer = first("manufacturers") as { manufacturer?: string; signer?: string } | undefined;
  const table: Record<string, unknown> = {
    governance: p.governance,
    "fee-recipient": p.feeRecipient,
    arbiter: p.defaultArbiter,
    issuer: first("issuers"),
    agent: first("issuers"),
    "kyc-agent": first("kycAgents"),
    kyc: first("kycAgents"),
    manufacturer: manufacturer?.manufacturer,
    "manufacturer-signer": manufacturer?.signer,
  };
  const v = table[role];
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The variables by which Hardhat decides it runs in CI and then never reads its keystore (hardhat-utils isCi). */
export const CI_VARIABLES = [
  "GITHUB_ACTIONS",
  "NOW",
  "DEPLOYMENT_ID",
  "CODEBUILD_BUILD_NUMBER",
  "CI",
  "CONTINUOUS_INTEGRATION",
  "BUILD_NUMBER",
  "RUN_ID",
] as const;

/** A configuration variable's value (environment, then Hardhat's keystore), undefined when not set. */
export async function configValue(hre: HardhatRuntimeEnvironment, name: string): Promise<string | undefined> {
  const env = process.env[name];
  if (env !== undefined) return env.trim() === "" ? undefined : env.trim();
  try {
    const value = await hre.hooks.runHandlerChain(
      "configurationVariables",
      "fetchValue",
      [configVariable(name)],
      async (_context, v) => process.env[v.name] ?? "",
    );
    return value.trim() === "" ? undefined : value.trim();
  } catch (error) {
    const message = (error as Error).message;
    if (/not found|not set|no key/i.test(message)) return undefined;
    throw new UserError(`cannot read ${name} from the keystore: ${message.split("\n")[0]}`);
  }
}

/** Whether `key` is a secp256k1 private key in hex (0x + 64 hex digits, within the curve order). */
export function isPrivateKey(key: string): boolean {
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key)) return false;
  const n = BigInt(key.startsWith("0x") ? key : `0x${key}`);
  return n > 0n && n < 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
}

/** The signing account of `--signer` (see the module comment); prints which account signs. */
export async function resolveSigner(
  hre: HardhatRuntimeEnvironment,
  ethers: HardhatEthers,
  networkName: string,
  raw: string,
): Promise<HardhatEthersSigner> {
  const value = raw.trim();
  const signers = await ethers.getSigners();
  const say = (s: { address: string }, how: string) => console.error(`signing as ${s.address} (${how})`);
  if (value === "" || /^\d+$/.test(value)) {
    const index = value === "" ? 0 : Number(value);
    if (signers.length === 0) {
      throw new UserError("the network has no account to sign with: pass --signer <role> with PLINTH_<ROLE>_KEY set");
    }
    const s = signers[index];
    if (s === undefined) {
      throw new UserError(`--signer ${value}: the network has ${signers.length} accounts (0..${signers.length - 1})`);
    }
    say(s, `account ${index}`);
    return s;
  }
  if (/^0x[0-9a-fA-F]{40}$/.test(value)) {
    const index = signers.findIndex((s) => s.address.toLowerCase() === value.toLowerCase());
    if (index < 0) throw new UserError(`--signer ${value} is not one of the network's accounts`);
    say(signers[index]!, `account ${index}`);
    return signers[index]!;
  }
  if (!/^[a-zA-Z][a-zA-Z0-9_-]*$/.test(value)) {
    throw new UserError(
      `--signer ${value}: give a role name (issuer, agent, governance...), an account index or an address`,
    );
  }
  const role = value.toLowerCase().replace(/_/g, "-");
  const variable = `PLINTH_${role.toUpperCase().replace(/-/g, "_")}_KEY`;
  const key = await configValue(hre, variable);
  if (key !== undefined) {
    if (!isPrivateKey(key)) {
      throw new UserError(`${variable} is not a private key (expected 32 bytes of hex, 0x + 64 hex digits)`);
    }
    const wallet = new Wallet(key.startsWith("0x") ? key : `0x${key}`, ethers.provider);
    say(wallet, `${role}, key ${variable}`);
    return wallet as unknown as HardhatEthersSigner;
  }
  const fromParameters = roleFromParameters(parametersOf(hre, networkName), role);
  if (fromParameters !== undefined) {
    const index = signers.findIndex((s) => s.address.toLowerCase() === fromParameters.toLowerCase());
    if (index >= 0) {
      say(signers[index]!, `account ${index}, the ${role} of deploy/parameters/${networkName}.json`);
      return signers[index]!;
    }
  }
  const ci = CI_VARIABLES.find((name) => process.env[name] !== undefined);
  if (ci !== undefined) {
    throw new UserError(
      `--signer ${value}: ${ci} is set, so Hardhat does not read its keystore: set ${variable} in the environment, ` +
        "or give an account index or address",
    );
  }
  throw new UserError(
    `--signer ${value}: set ${variable} to its private key (environment, or npx hardhat keystore set ${variable}), ` +
      "or give an account index or address",
  );
}

/** The ERC-165 interface id of an artifact's interface (XOR of its function selectors). */
async function interfaceIdOf(hre: HardhatRuntimeEnvironment, artifact: string): Promise<string> {
  const iface = new Interface((await hre.artifacts.readArtifact(artifact)).abi);
  let id = 0n;
  iface.forEachFunction((f) => {
    if (!INHERITED_STANDARD_FUNCTIONS.has(f.format("sighash"))) id ^= BigInt(f.selector);
  });
  return "0x" + id.toString(16).padStart(8, "0");
}

/** Refuses an address that is not a contract of `kind` (see the module comment). */
export async function requireContract(
  hre: HardhatRuntimeEnvironment,
  ethers: HardhatEthers,
  kind: ContractKind,
  address: string,
  option: string,
): Promise<void> {
  if (!ethers.isAddress(address)) throw new UserError(`${option} ${address} is not an address`);
  if ((await ethers.provider.getCode(address)) === "0x") {
    throw new UserError(`no contract code at ${address} (${option}) (an EOA or wrong network?)`);
  }
  const probe = new Contract(
    address,
    ["function supportsInterface(bytes4) view returns (bool)", PROBES[kind]],
    ethers.provider,
  );
  const wrong = (why: string) => new UserError(`${address} (${option}) is not a ${kind}: ${why}`);
  if (!WITHOUT_ERC165.includes(kind)) {
    let erc165 = false;
    try {
      erc165 = (await probe.supportsInterface(IERC165)) as boolean;
    } catch {
      erc165 = false;
    }
    if (!erc165) throw wrong("it does not implement ERC-165 supportsInterface");
  }
  if (!WITHOUT_ERC165.includes(kind) && !WITHOUT_ROLES.includes(kind)) {
    const own = OWN_INTERFACE[kind];
    const id = own === undefined ? IACCESS_CONTROL : await interfaceIdOf(hre, own);
    if (!((await probe.supportsInterface(id)) as boolean)) {
      throw wrong(`supportsInterface(${id}) (${own ?? "IAccessControl"}) is false`);
    }
  }
  const fn = probe.interface.getFunction(PROBES[kind].split(" ")[1]!.split("(")[0]!)!;
  try {
    await ethers.provider.call({ to: address, data: probe.interface.encodeFunctionData(fn, fn.inputs.map(zeroOf)) });
  } catch {
    throw wrong(`it does not answer ${fn.format()}`);
  }
}

function zeroOf(p: { baseType: string }): unknown {
  if (p.baseType === "address") return ZeroAddress;
  if (p.baseType.startsWith("bytes")) return "0x" + "00".repeat(32);
  return 0;
}

/**
 * The run's context (see the module comment): network (refused in-process unless `readOnly` or
 * ALLOW_IN_PROCESS=1), chain id checks, deployment record, signer.
 */
export async function openContext(
  hre: HardhatRuntimeEnvironment,
  args: CommonArgs,
  opts: { readOnly?: boolean } = {},
): Promise<Context> {
  const networkName = networkNameOf(hre);
  if (opts.readOnly !== true) assertNetworkAllowed(networkName);
  const url = process.env.LOCALHOST_RPC_URL?.trim();
  const connection =
    networkName === "localhost" && url !== undefined && url !== ""
      ? await hre.network.create({ network: networkName, override: { url } })
      : await hre.network.getOrCreate();
  const { ethers } = connection;
  let chainId: bigint;
  try {
    chainId = (await ethers.provider.getNetwork()).chainId;
  } catch (error) {
    throw new UserError(`cannot reach network ${networkName}: ${(error as Error).message.split("\n")[0]}`);
  }
  const configured = (hre.config.networks[networkName] as { chainId?: number } | undefined)?.chainId;
  if (configured !== undefined && BigInt(configured) !== chainId) {
    throw new UserError(
      `network ${networkName} is configured for chain ${configured} but its node is chain ${chainId}`,
    );
  }
  let recordFile: string | undefined = args.deployment.trim() === "" ? undefined : args.deployment.trim();
  if (recordFile === undefined) {
    const file = join(hre.config.paths.root, "deployments", `${chainId}.json`);
    if (existsSync(file)) recordFile = file;
  }
  const record = recordFile === undefined ? undefined : readRecordFile(recordFile);
  if (record !== undefined && BigInt(record.chainId) !== chainId) {
    throw new UserError(
      `deployment record ${recordFile} is for chain ${record.chainId} but the network is chain ${chainId}`,
    );
  }
  const signer = await resolveSigner(hre, ethers, networkName, args.signer);
  const address = async (kind: ContractKind, raw: string, option: string) => {
    let value = raw.trim();
    if (value === "") value = record?.contracts?.[kind]?.address ?? "";
    if (value === "") {
      throw new UserError(`${option} is required (no ${kind} in a deployment record for chain ${chainId})`);
    }
    await requireContract(hre, ethers, kind, value, option);
    return ethers.getAddress(value);
  };
  return {
    hre,
    ethers,
    networkName,
    chainId,
    signer,
    record,
    recordFile,
    address,
    async contract<T>(kind: ContractKind, raw: string, option: string): Promise<T> {
      const at = await address(kind, raw, option);
      return (await ethers.getContractAt(kind, at, signer)) as unknown as T;
    },
  };
}

// ------------------------------------------------------------------------------------- argument parsing

/** A required option's value. */
export function required(value: string, option: string): string {
  const v = value.trim();
  if (v === "") throw new UserError(`${option} is required`);
  return v;
}

/** A uint256 (decimal or 0x hex). */
export function uint(value: string, option: string): bigint {
  const v = required(value, option);
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(v)) throw new UserError(`${option} ${v} is not a non-negative integer`);
  const n = BigInt(v);
  if (n >= 2n ** 256n) throw new UserError(`${option} ${v} does not fit in uint256`);
  return n;
}

/** An address (checksummed). `ETH` is address(0) when `allowEth`. */
export function addressArg(ethers: HardhatEthers, value: string, option: string, allowEth = false): string {
  const v = required(value, option);
  if (allowEth && v.toUpperCase() === "ETH") return ZeroAddress;
  if (!ethers.isAddress(v)) throw new UserError(`${option} ${v} is not an address${allowEth ? ' (or "ETH")' : ""}`);
  return ethers.getAddress(v);
}

/** A bytes32 (0x + 64 hex digits). */
export function bytes32Arg(value: string, option: string): string {
  const v = required(value, option);
  if (!/^0x[0-9a-fA-F]{64}$/.test(v)) throw new UserError(`${option} ${v} is not 32 bytes of hex`);
  return v.toLowerCase();
}

/** Reads a file for an option (refused with its name when unreadable). */
export function readInput(file: string, option: string): string {
  const f = required(file, option);
  try {
    return readFileSync(f, "utf8");
  } catch {
    throw new UserError(`cannot read ${option} file "${f}"`);
  }
}

/** The latest block's timestamp. */
export async function now(ethers: HardhatEthers): Promise<bigint> {
  const block = await ethers.provider.getBlock("latest");
  if (block === null) throw new UserError("cannot read the latest block");
  return BigInt(block.timestamp);
}

/**
 * An amount option in the token's units: `12.5`, `12.5 USDC` and a plain `250` are token units (unlike
 * the scripts' environment variables, where a plain integer keeps its old meaning of base units);
 * `250000000wei` or `250000000 base` are base units (scripts/lib/units.ts).
 */
export function amountArg(info: TokenInfo, raw: string, option: string): bigint {
  const v = required(raw, option);
  return parseAmountWith(info, /^\d+$/.test(v) ? `${v}.0` : v, option);
}
