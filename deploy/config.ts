/**
 * Deployment parameters of the Plinth suite: their schema, the per-network file that holds them
 * (deploy/parameters/<network>.json) and the CREATE2 salt shared by every network.
 *
 * Everything here is pure (no Hardhat, no network): the deploy script, the roles check, the e2e
 * run and the tests all read parameters through `loadParameters`, which names every missing or
 * malformed entry at once, before anything is sent.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { getAddress, id, isAddress, ZeroAddress } from "ethers";

/** Root of the repository (this file is deploy/config.ts). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The one salt of the suite. With CreateX's `deployCreate2(bytes32,bytes)`, a salt whose first 20
 * bytes are neither zero nor the sender is only hashed (`keccak256(abi.encode(salt))`): the address
 * depends on the salt and the init code (bytecode + constructor arguments) alone, not on the
 * deployer nor the chain. Same parameters => same addresses on every chain.
 */
export const PLINTH_SALT = id("plinth.suite.v1");

/** CreateX (https://github.com/pcaversaccio/createx), at the same address on 150+ chains. */
export const CREATEX_ADDRESS = "0xba5Ed099633D3B313e4D5F7bdc1305d3c28ba5Ed";

/** A manufacturer admitted by governance at deployment, with its registration-signing authority. */
export interface ManufacturerParameter {
  manufacturer: string;
  signer: string;
}

/** The deployment parameters of one network (deploy/parameters/<network>.json). */
export interface PlinthParameters {
  /** DEFAULT_ADMIN_ROLE of every contract (a multisig on public chains). */
  governance: string;
  /** Receives the protocol fee taken on income deposits. */
  feeRecipient: string;
  /** Protocol fee on income deposits, in basis points (IncomeDistributor caps it at 1,000). */
  protocolFeeBps: number;
  /** Cap on the maintenance reserve rate an agent may set, in basis points (cap 5,000). */
  maxReserveBps: number;
  /** Protocol fee on rent, in basis points (RentalMarket caps it at 1,000). */
  rentalFeeBps: number;
  /** Arbiter of rental disputes when the terms name none. */
  defaultArbiter: string;
  /** Whether rent may be paid in ETH (the income distributor always accepts ETH). */
  ethForRent: boolean;
  /** ERC-20 tokens accepted for income, rent and maintenance payments. */
  acceptedTokens: string[];
  /** Accounts allowed to register assets (ISSUER_ROLE of the asset registry). */
  issuers: string[];
  /** Accounts allowed to onboard investors (KYC) in the identity registry. */
  kycAgents: string[];
  /** Device manufacturers admitted in the device registry. */
  manufacturers: ManufacturerParameter[];
}

type Kind = "address" | "address[]" | "bps" | "boolean" | "manufacturers";

/** Schema of the parameter file: name, kind, and what it is for (printed when it is wrong). */
export const PARAMETER_SPEC: Readonly<Record<keyof PlinthParameters, { kind: Kind; max?: number; doc: string }>> = {
  governance: { kind: "address", doc: "DEFAULT_ADMIN_ROLE of every contract (multisig on public chains)" },
  feeRecipient: { kind: "address", doc: "receiver of the protocol fee" },
  protocolFeeBps: { kind: "bps", max: 1_000, doc: "protocol fee on income deposits, basis points (<= 1000)" },
  maxReserveBps: { kind: "bps", max: 5_000, doc: "cap of agents' maintenance reserve rates, basis points (<= 5000)" },
  rentalFeeBps: { kind: "bps", max: 1_000, doc: "protocol fee on rent, basis points (<= 1000)" },
  defaultArbiter: { kind: "address", doc: "arbiter of rental disputes when the terms name none" },
  ethForRent: { kind: "boolean", doc: "whether the rental escrow accepts ETH" },
  acceptedTokens: { kind: "address[]", doc: "ERC-20 payment tokens besides ETH (may be empty)" },
  issuers: { kind: "address[]", doc: "ISSUER_ROLE holders of the asset registry (may be empty)" },
  kycAgents: { kind: "address[]", doc: "KYC agents of the identity registry (may be empty)" },
  manufacturers: { kind: "manufacturers", doc: "[{ manufacturer, signer }] admitted in the device registry" },
};

/** A parameter problem, by name. */
export interface ParameterProblem {
  name: string;
  message: string;
}

/** Thrown when parameters are missing or malformed; `problems` names each one. */
export class ParameterError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ParameterProblem[],
  ) {
    super(
      `${file}: ${problems.length} parameter problem(s):\n` +
        problems.map((p) => `  - ${p.name}: ${p.message}`).join("\n"),
    );
    this.name = "ParameterError";
  }
}

/** Path of the parameter file of `network` (or the DEPLOY_PARAMETERS override). */
export function parameterFile(network: string, override = process.env.DEPLOY_PARAMETERS): string {
  return override !== undefined && override !== "" ? override : join(ROOT, "deploy", "parameters", `${network}.json`);
}

function checkAddress(value: unknown, name: string, problems: ParameterProblem[]): string | undefined {
  if (typeof value !== "string" || value === "") {
    problems.push({ name, message: "missing (an address, 0x followed by 40 hex digits)" });
    return undefined;
  }
  if (!isAddress(value)) {
    problems.push({ name, message: `"${value}" is not an address` });
    return undefined;
  }
  if (value.toLowerCase() === ZeroAddress) {
    problems.push({ name, message: "is the zero address" });
    return undefined;
  }
  return getAddress(value);
}

/**
 * Validates raw parameters against PARAMETER_SPEC. Returns the normalized parameters (checksummed
 * addresses) or throws a ParameterError naming every problem.
 */
export function validateParameters(raw: unknown, file: string): PlinthParameters {
  const problems: ParameterProblem[] = [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ParameterError(file, [{ name: "(file)", message: "must be a JSON object" }]);
  }
  const input = raw as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(PARAMETER_SPEC)) {
    const value = input[name];
    const hint = ` -- ${spec.doc}`;
    const before = problems.length;
    switch (spec.kind) {
      case "address":
        out[name] = checkAddress(value, name, problems);
        break;
      case "bps":
        if (value === undefined || value === null || value === "") {
          problems.push({ name, message: "missing" });
        } else if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > (spec.max ?? 10_000)) {
          problems.push({ name, message: `${JSON.stringify(value)} is not an integer in [0, ${spec.max ?? 10_000}]` });
        } else out[name] = value;
        break;
      case "boolean":
        if (typeof value !== "boolean") problems.push({ name, message: "missing (true or false)" });
        else out[name] = value;
        break;
      case "address[]":
        if (!Array.isArray(value)) problems.push({ name, message: "missing (a JSON array of addresses, may be [])" });
        else out[name] = value.map((v, i) => checkAddress(v, `${name}[${i}]`, problems));
        break;
      case "manufacturers":
        if (!Array.isArray(value)) {
          problems.push({ name, message: "missing (a JSON array of { manufacturer, signer }, may be [])" });
        } else {
          out[name] = value.map((v: unknown, i) => {
            const entry = (typeof v === "object" && v !== null ? v : {}) as Record<string, unknown>;
            return {
              manufacturer: checkAddress(entry.manufacturer, `${name}[${i}].manufacturer`, problems),
              signer: checkAddress(entry.signer, `${name}[${i}].signer`, problems),
            };
          });
        }
        break;
    }
    for (let i = before; i < problems.length; i++) problems[i].message += hint;
  }
  for (const name of Object.keys(input)) {
    if (!(name in PARAMETER_SPEC) && !name.startsWith("$")) {
      problems.push({ name, message: `unknown parameter (known: ${Object.keys(PARAMETER_SPEC).join(", ")})` });
    }
  }
  if (problems.length > 0) throw new ParameterError(file, problems);
  return out as unknown as PlinthParameters;
}

/** Reads and validates deploy/parameters/<network>.json (or DEPLOY_PARAMETERS). */
export function loadParameters(network: string, file = parameterFile(network)): PlinthParameters {
  const shown = relative(process.cwd(), file) || file;
  if (!existsSync(file)) {
    throw new ParameterError(shown, [
      { name: "(file)", message: `no parameter file for network "${network}": create ${shown}` },
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ParameterError(shown, [{ name: "(file)", message: `invalid JSON: ${(error as Error).message}` }]);
  }
  return validateParameters(raw, shown);
}
