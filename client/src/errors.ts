/**
 * Readable revert reasons: decodes custom errors of every Plinth contract (and OpenZeppelin's, which
 * they inherit), `Error(string)` and `Panic(uint256)` from revert data or from the error an ethers or
 * viem call threw.
 */
import { ErrorFragment, Interface, type JsonFragment, type Result } from "ethers";
import { abis } from "./generated/abis.js";
import type { Hex } from "./types.js";
import { PANIC_REASONS } from "./panics.js";

/** A decoded revert. */
export interface DecodedError {
  /** Error name, e.g. "AccessControlUnauthorizedAccount" ("Error" / "Panic" for the built-ins). */
  name: string;
  /** Full signature, e.g. "AccessControlUnauthorizedAccount(address,bytes32)". */
  signature: string;
  /** 4-byte selector. */
  selector: Hex;
  /** Arguments by name (by position when unnamed), as decoded by ethers (bigint for integers). */
  args: Record<string, unknown>;
  /** One line for people: "Access control unauthorized account (account: 0x.., neededRole: 0x..)". */
  message: string;
}

const errorFragments = new Map<string, ErrorFragment>();
for (const abi of Object.values(abis) as readonly (readonly JsonFragment[])[]) {
  for (const item of abi) {
    if (item.type !== "error") continue;
    const fragment = ErrorFragment.from(item);
    if (!errorFragments.has(fragment.selector)) errorFragments.set(fragment.selector, fragment);
  }
}
const builtins = new Interface(["error Error(string reason)", "error Panic(uint256 code)"]);
const plinthErrors = new Interface([...errorFragments.values()]);

/** "DeviceNotActive" -> "Device not active". */
function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(" ");
  return words.map((w, i) => (i === 0 || /^[A-Z0-9]{2,}$/.test(w) ? w : w.toLowerCase())).join(" ");
}

function show(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  return String(value);
}

function named(fragment: ErrorFragment, result: Result): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  fragment.inputs.forEach((input, i) => {
    const value: unknown = result[i];
    args[input.name !== "" ? input.name : String(i)] =
      value !== null && typeof value === "object" && "toArray" in value ? (value as Result).toArray() : value;
  });
  return args;
}

/**
 * Decodes revert data (0x-prefixed hex). Returns undefined for empty data or an unknown selector.
 */
export function decodeRevertData(data: string): DecodedError | undefined {
  if (typeof data !== "string" || !/^0x[0-9a-fA-F]*$/.test(data) || data.length < 10) return undefined;
  const selector = data.slice(0, 10).toLowerCase() as Hex;
  for (const iface of [builtins, plinthErrors]) {
    let parsed: ReturnType<Interface["parseError"]>;
    try {
      parsed = iface.parseError(data);
    } catch {
      continue; // known selector, undecodable arguments
    }
    if (parsed === null) continue;
    // ethers reports the built-ins' parameters unnamed: name them here.
    const args =
      parsed.name === "Error"
        ? { reason: parsed.args[0] as string }
        : parsed.name === "Panic"
          ? { code: parsed.args[0] as bigint }
          : named(parsed.fragment, parsed.args);
    let message: string;
    if (parsed.name === "Error") message = `Reverted: ${String(args.reason)}`;
    else if (parsed.name === "Panic") {
      const code = Number(args.code as bigint);
      message = `Panic 0x${code.toString(16)}: ${PANIC_REASONS[code] ?? "unknown panic code"}`;
    } else {
      const shown = Object.entries(args).map(([k, v]) => `${k}: ${show(v)}`);
      message = humanize(parsed.name) + (shown.length > 0 ? ` (${shown.join(", ")})` : "");
    }
    return { name: parsed.name, signature: parsed.signature, selector, args, message };
  }
  return undefined;
}

/** Finds revert data in an error thrown by ethers, viem, Hardhat or a wallet (nested `data` fields). */
export function revertDataOf(error: unknown): Hex | undefined {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): Hex | undefined => {
    if (value === null || typeof value !== "object" || seen.has(value) || depth > 6) return undefined;
    seen.add(value);
    const record = value as Record<string, unknown>;
    // ethers and JSON-RPC errors carry the bytes as `data`; viem's ContractFunctionRevertedError decodes `data`
    // into an object when it knows the ABI and keeps the bytes as `raw`.
    for (const bytes of [record.data, record.raw]) {
      if (typeof bytes === "string" && /^0x[0-9a-fA-F]{8,}$/.test(bytes)) return bytes as Hex;
    }
    for (const key of ["data", "error", "info", "cause", "revert", "details"]) {
      const found = visit(record[key], depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(error, 0);
}

/** Decodes the revert behind an error thrown by a contract call (undefined when there is none). */
export function decodeError(error: unknown): DecodedError | undefined {
  const data = revertDataOf(error);
  return data === undefined ? undefined : decodeRevertData(data);
}

/** Every custom error the client can decode, by selector. */
export function knownErrors(): ReadonlyMap<string, string> {
  return new Map([...errorFragments].map(([selector, f]) => [selector, f.format("sighash")]));
}
