/**
 * What every operator script (scripts/operator/assets, devices, income, rental, maintenance) shares:
 *
 * - `UserError`: a mistake of the operator (bad variable, wrong network, nothing to do). The one
 *   error class of the operator code: the parts' libraries (assets, devices, rental, maintenance)
 *   and scripts/operator/deploy/lib.ts re-export this class, and declare none of their own.
 * - `runOperator(main)`: prints a UserError as one line `error: <message>` (no stack trace) and sets
 *   exit code 1; any other error prints its stack and sets exit code 1.
 * - `operatorNetwork()`: the connection of `--network <name>`. `localhost` honours LOCALHOST_RPC_URL
 *   (as `npm run deploy` does). Hardhat's in-process `default` network is refused unless
 *   ALLOW_IN_PROCESS=1 (a state-changing script on a chain that vanishes at exit is a mistake).
 * - `signerFromEnv(ethers)`: the account that signs, from SIGNER = an account index (0, 1, ...) or an
 *   address among the network's accounts (default: the first account). SIGNER_INDEX and ACCOUNT are
 *   deprecated aliases (a warning is printed). The chosen account is printed.
 * - `requireCode`, `requireChainId`: preflight checks before anything is sent.
 * - Reverts, decoded from revert data alone (never from a node's wording, which differs between
 *   Hardhat and anvil or a public chain): `revertDataOf(error)`, `describeRevertData(data, ifaces)`,
 *   `describeRevert(error, ifaces)`.
 * - `mined(tx, opts)`: waits for a transaction's receipt. A mined receipt with status 0 (a public
 *   chain or anvil mines a reverting transaction sent with a fixed gas limit, and it costs gas) is a
 *   failure: the call is replayed with eth_call at that block to get its revert data, and a
 *   `TransactionFailedError` (a UserError carrying `data`, `receipt` and the decoded `reason`) is
 *   thrown.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { Interface, type Provider, type TransactionReceipt, type TransactionResponse } from "ethers";
import { PANIC_REASONS } from "../../client/src/panics.js";
import {
  AssetStatusNames,
  DeviceStatusNames,
  MilestoneClaimStatusNames,
  OrderStateNames,
  RentalStateNames,
  RentalTermsErrorNames,
} from "../../client/src/enums.js";

/** An error caused by the operator's input: printed as `error: <message>`, without a stack trace. */
export class UserError extends Error {
  override name = "UserError";
}

/**
 * The one runner of every `hardhat run` script (operator scripts, deploy, roles check, e2e scenario):
 * user errors as one line; Hardhat's own errors (Ignition reconciliation, failed futures), which are
 * complete without a stack trace, as one line too unless DEBUG is set; anything else with its stack.
 * Exit code 1 on error.
 */
export async function runOperator(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof UserError) console.error(`error: ${error.message}`);
    else if (error instanceof Error && error.name === "HardhatError" && process.env.DEBUG === undefined) {
      console.error(`error: ${error.message}\n(DEBUG=1 for a stack trace)`);
    } else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  }
}

/** Name of the selected network (`--network`, else Hardhat's in-process `default`). */
export async function selectedNetworkName(): Promise<string> {
  // Imported here: the parts' libraries import this module and must not load Hardhat by themselves.
  const { default: hre } = await import("hardhat");
  return hre.globalOptions.network ?? "default";
}

/** Refuses Hardhat's in-process chain unless ALLOW_IN_PROCESS is set (tests set it). */
export function assertNetworkAllowed(networkName: string, env: NodeJS.ProcessEnv = process.env): void {
  const allowed = ["1", "true", "yes"].includes((env.ALLOW_IN_PROCESS ?? "").toLowerCase());
  if (networkName === "default" && !allowed) {
    throw new UserError(
      "no network chosen: pass --network <name> (the default network is an in-process chain that vanishes " +
        "at exit; ALLOW_IN_PROCESS=1 to use it anyway)",
    );
  }
}

/**
 * The connection of the selected network, for an operator script (see the module comment; `readOnly`
 * scripts, and self-contained runs like the device simulator without REGISTRY, skip the guard;
 * `network` overrides `--network`). The
 * in-process chain is the shared one of `network.getOrCreate()`, so tests running a script in-process
 * see its transactions.
 */
export async function operatorNetwork(
  opts: { readOnly?: boolean; network?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
) {
  const { default: hre } = await import("hardhat");
  const name = opts.network ?? (await selectedNetworkName());
  if (opts.readOnly !== true) assertNetworkAllowed(name, env);
  const url = env.LOCALHOST_RPC_URL;
  if (name === "localhost" && url !== undefined && url.trim() !== "") {
    return hre.network.create({ network: name, override: { url: url.trim() } });
  }
  return hre.network.getOrCreate();
}

/**
 * The signing account: SIGNER is an index among the network's accounts or one of their addresses
 * (default 0). SIGNER_INDEX and ACCOUNT are deprecated aliases. Prints which account signs.
 */
export async function signerFromEnv(
  ethers: HardhatEthers,
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = (line) => console.error(line),
): Promise<HardhatEthersSigner> {
  let variable = "SIGNER";
  let raw = env.SIGNER?.trim();
  for (const alias of ["SIGNER_INDEX", "ACCOUNT"]) {
    const value = env[alias]?.trim();
    if (value === undefined || value === "") continue;
    log(`warning: ${alias} is deprecated, use SIGNER=${value}`);
    if (raw === undefined || raw === "") {
      raw = value;
      variable = alias;
    }
  }
  const signers = await ethers.getSigners();
  if (signers.length === 0) throw new UserError("the network has no account to sign with");
  let signer: HardhatEthersSigner | undefined;
  if (raw === undefined || raw === "") signer = signers[0];
  else if (/^\d+$/.test(raw)) {
    signer = signers[Number(raw)];
    if (signer === undefined)
      throw new UserError(`${variable}=${raw}: the network has ${signers.length} accounts (0..${signers.length - 1})`);
  } else if (ethers.isAddress(raw)) {
    signer = signers.find((s) => s.address.toLowerCase() === raw.toLowerCase());
    if (signer === undefined) throw new UserError(`${variable}=${raw} is not one of the network's accounts`);
  } else {
    throw new UserError(`${variable}=${raw} is neither an account index nor an address`);
  }
  const index = signers.indexOf(signer);
  log(`signing as ${signer.address} (account ${index})`);
  return signer;
}

/** Refuses an address without code: an EOA, a typo or the wrong network. */
export async function requireCode(ethers: HardhatEthers, address: string, label?: string): Promise<void> {
  if (!ethers.isAddress(address)) throw new UserError(`${label ? `${label} ` : ""}${address} is not an address`);
  if ((await ethers.provider.getCode(address)) === "0x") {
    throw new UserError(`no contract code at ${address}${label ? ` (${label})` : ""} (an EOA or wrong network?)`);
  }
}

/** Refuses a chain other than the one a record or parameter file was written for. */
export async function requireChainId(ethers: HardhatEthers, expected: number | bigint, source: string): Promise<void> {
  const actual = (await ethers.provider.getNetwork()).chainId;
  if (actual !== BigInt(expected)) {
    throw new UserError(`${source} is for chain ${expected} but the network is chain ${actual}`);
  }
}

/** Whether a boolean environment flag (1/true/yes) is set. */
export function envFlag(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return ["1", "true", "yes"].includes((env[name] ?? "").trim().toLowerCase());
}

// ------------------------------------------------------------------------------------------ reverts

const BUILTINS = new Interface(["error Error(string reason)", "error Panic(uint256 code)"]);
/**
 * The Plinth client's decoder (every custom error of every Plinth contract and of OpenZeppelin),
 * loaded when its generated ABIs exist (`npm run build:client`); the scripts' own interfaces and the
 * built-in Error/Panic cover the rest.
 */
let clientDecoder: ((data: string) => { signature: string; args: Record<string, unknown> } | undefined) | undefined;
try {
  clientDecoder = (await import("../../client/src/errors.js")).decodeRevertData;
} catch {
  clientDecoder = undefined;
}

/** Revert data (0x + at least a 4-byte selector) anywhere in an error thrown by ethers, Hardhat or a node. */
export function revertDataOf(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): string | undefined => {
    if (value === null || typeof value !== "object" || seen.has(value) || depth > 6) return undefined;
    seen.add(value);
    const record = value as Record<string, unknown>;
    if (typeof record.data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(record.data)) return record.data;
    for (const key of ["data", "error", "info", "cause", "revert", "details"]) {
      const found = visit(record[key], depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(error, 0);
}

function shown(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(shown).join(", ")}]`;
  return String(value);
}

// ------------------------------------------------------------------------------ enums in errors

/** Names by value of the contracts' enums (client/src/enums.ts, generated from the contracts). */
const ASSET_STATUS = AssetStatusNames;
const CLAIM_STATUS = MilestoneClaimStatusNames;
const TERMS_ERROR = RentalTermsErrorNames;

/** Milestone claim statuses by value (IMaintenance.ClaimStatus). */
export const CLAIM_STATUSES: readonly string[] = CLAIM_STATUS;
export const RENTAL_STATES: readonly string[] = RentalStateNames;
export const ORDER_STATES: readonly string[] = OrderStateNames;
export const DEVICE_STATUSES: readonly string[] = DeviceStatusNames;

/** Which contract a revert came from, where an error's signature is shared (WrongState). */
export type ErrorSource = "rental" | "maintenance" | undefined;

/**
 * Enum arguments of the Plinth custom errors, by error name and argument position. `WrongState`
 * (bytes32,uint8) is declared by both escrows: its names depend on the source.
 */
const ENUM_ARGS: Record<string, Record<number, (source: ErrorSource) => readonly string[] | undefined>> = {
  WrongState: {
    1: (source) => (source === "rental" ? RENTAL_STATES : source === "maintenance" ? ORDER_STATES : undefined),
  },
  InvalidTerms: { 0: () => TERMS_ERROR },
  InvalidStatus: { 1: () => ASSET_STATUS },
  WrongClaimStatus: { 0: () => CLAIM_STATUS },
  DeviceNotActive: { 1: () => DEVICE_STATUSES },
};

/** The source an interface belongs to (rental or maintenance escrow), from what it declares. */
function sourceOf(iface: Interface | undefined): ErrorSource {
  if (iface === undefined) return undefined;
  if (iface.getEvent("MeterSettled") !== null) return "rental";
  if (iface.getError("WrongClaimStatus") !== null) return "maintenance";
  return undefined;
}

/**
 * An error argument for people: an enum value by its name (`Settling`); WrongState without a known
 * source names both readings (`4 (rental Settling / order Cancelled)`); anything else as is.
 */
export function shownArg(error: string, position: number, value: unknown, source: ErrorSource): string {
  const lookup = ENUM_ARGS[error]?.[position];
  if (lookup === undefined || (typeof value !== "bigint" && typeof value !== "number")) return shown(value);
  const n = Number(value);
  const names = lookup(source);
  if (names !== undefined) return names[n] ?? shown(value);
  if (error === "WrongState" && (RENTAL_STATES[n] !== undefined || ORDER_STATES[n] !== undefined)) {
    return `${n} (rental ${RENTAL_STATES[n] ?? "?"} / order ${ORDER_STATES[n] ?? "?"})`;
  }
  return shown(value);
}

function shownCall(name: string, args: readonly unknown[], source: ErrorSource): string {
  return `${name}(${args.map((a, i) => shownArg(name, i, a, source)).join(", ")})`;
}

/**
 * One line for revert data: `Name(arg, ...)` from the first of `interfaces` that knows the selector,
 * else from the client's decoder; `Error("reason")` and `Panic(0x11: arithmetic overflow or
 * underflow)` for the built-ins; enum arguments by name (`WrongState(0x…, Settling)`, see shownArg);
 * `unknown error 0x12345678 (…)` otherwise; "no revert data" for none.
 */
export function describeRevertData(data: string | undefined, interfaces: readonly Interface[] = []): string {
  if (data === undefined || data === "0x" || data === "") return "no revert data";
  for (const iface of [BUILTINS, ...interfaces]) {
    let parsed: ReturnType<Interface["parseError"]>;
    try {
      parsed = iface.parseError(data);
    } catch {
      continue; // known selector, undecodable arguments
    }
    if (parsed === null) continue;
    if (parsed.name === "Error" && iface === BUILTINS) return `Error(${JSON.stringify(String(parsed.args[0]))})`;
    if (parsed.name === "Panic" && iface === BUILTINS) {
      const code = Number(parsed.args[0] as bigint);
      return `Panic(0x${code.toString(16)}: ${PANIC_REASONS[code] ?? "unknown panic code"})`;
    }
    return shownCall(parsed.name, [...parsed.args], sourceOf(iface));
  }
  const decoded = clientDecoder?.(data);
  if (decoded !== undefined) {
    const name = decoded.signature.slice(0, decoded.signature.indexOf("("));
    return shownCall(name, Object.values(decoded.args), undefined);
  }
  return `unknown error ${data.slice(0, 10)}${data.length > 10 ? ` (${(data.length - 10) / 2} bytes of arguments)` : ""}`;
}

/**
 * A revert in one line, from its revert data alone; an error without revert data gives the first line
 * of its message (ethers' short message when there is one).
 */
export function describeRevert(error: unknown, interfaces: readonly Interface[] = []): string {
  const data = revertDataOf(error);
  if (data !== undefined) return describeRevertData(data, interfaces);
  const e = error as { shortMessage?: unknown; message?: unknown } | null;
  const message =
    typeof e?.shortMessage === "string" ? e.shortMessage : typeof e?.message === "string" ? e.message : String(error);
  return message.split("\n")[0];
}

/** A transaction that was mined but failed (receipt status 0): an operator-facing error with its reason. */
export class TransactionFailedError extends UserError {
  override name = "TransactionFailedError";
  /** "transaction 0x… mined with status 0 in block N, X of Y gas used". */
  readonly detail: string;
  constructor(
    what: string,
    /** The decoded reason, as `describeRevertData` gives it (or "out of gas …"). */
    readonly reason: string,
    /** The failed transaction's receipt. */
    readonly receipt: TransactionReceipt,
    /** Revert data obtained by replaying the call at the receipt's block (undefined: none). */
    readonly data: string | undefined,
    gasLimit: bigint,
  ) {
    const detail =
      `transaction ${receipt.hash} mined with status 0 in block ${receipt.blockNumber}, ` +
      `${receipt.gasUsed} of ${gasLimit} gas used`;
    super(`${what} failed: ${reason} (${detail})`);
    this.detail = detail;
  }
}

/**
 * Replays a mined transaction with eth_call at its block (same sender, target, calldata, value and
 * gas limit) and returns the revert data it produces, undefined when the replay does not revert with
 * data (e.g. out of gas).
 */
export async function replayRevertData(provider: Provider, tx: TransactionResponse, blockNumber: number) {
  try {
    await provider.call({
      from: tx.from,
      to: tx.to,
      data: tx.data,
      value: tx.value,
      gasLimit: tx.gasLimit,
      blockTag: blockNumber,
    });
    return undefined;
  } catch (error) {
    return revertDataOf(error);
  }
}

/**
 * Waits for a transaction (or the promise of one) to be mined and returns its receipt. A receipt with
 * status 0 throws a TransactionFailedError naming the decoded revert reason (see the module comment);
 * `what` names the operation in that message, `interfaces` decode the contract's custom errors. An
 * error raised while sending (e.g. gas estimation reverted) is passed through unchanged.
 */
export async function mined<T extends TransactionResponse>(
  sent: T | Promise<T>,
  opts: { what?: string; interfaces?: readonly Interface[] } = {},
): Promise<NonNullable<Awaited<ReturnType<T["wait"]>>>> {
  type Receipt = NonNullable<Awaited<ReturnType<T["wait"]>>>;
  const tx = await sent;
  let receipt: Receipt | null;
  try {
    receipt = (await tx.wait()) as Receipt | null;
  } catch (error) {
    // ethers throws CALL_EXCEPTION with the receipt when it is mined with status 0.
    const failed = (error as { receipt?: Receipt | null }).receipt;
    if (failed === undefined || failed === null || failed.status !== 0) throw error;
    receipt = failed;
  }
  const what = opts.what ?? "transaction";
  if (receipt === null) throw new UserError(`${what} ${tx.hash} was not mined (dropped or replaced)`);
  if (receipt.status !== 0) return receipt;
  const provider = tx.provider;
  const data = await replayRevertData(provider, tx, receipt.blockNumber);
  let reason = describeRevertData(data, opts.interfaces);
  if (data === undefined && receipt.gasUsed >= tx.gasLimit) reason = `out of gas (all ${tx.gasLimit} gas used)`;
  throw new TransactionFailedError(what, reason, receipt, data, tx.gasLimit);
}
