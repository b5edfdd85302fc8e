/**
 * What every operator script (scripts/assets, devices, income, rental, maintenance) shares:
 *
 * - `UserError`: a mistake of the operator (bad variable, wrong network, nothing to do). The scripts'
 *   older error classes (assets/income/maintenance `UserError`, devices `UsageError`, rental
 *   `RentalScriptError`) are this class or subclasses of it.
 * - `runOperator(main)`: prints a UserError as one line `error: <message>` (no stack trace) and sets
 *   exit code 1; any other error prints its stack and sets exit code 1.
 * - `operatorNetwork()`: the connection of `--network <name>`. `localhost` honours LOCALHOST_RPC_URL
 *   (as `npm run deploy` does). Hardhat's in-process `default` network is refused unless
 *   ALLOW_IN_PROCESS=1 (a state-changing script on a chain that vanishes at exit is a mistake).
 * - `signerFromEnv(ethers)`: the account that signs, from SIGNER = an account index (0, 1, ...) or an
 *   address among the network's accounts (default: the first account). SIGNER_INDEX and ACCOUNT are
 *   deprecated aliases (a warning is printed). The chosen account is printed.
 * - `requireCode`, `requireChainId`: preflight checks before anything is sent.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

/** An error caused by the operator's input: printed as `error: <message>`, without a stack trace. */
export class UserError extends Error {
  override name = "UserError";
}

/** Runs a script's main: user errors as one line, anything else with its stack; exit code 1 on error. */
export async function runOperator(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof UserError) console.error(`error: ${error.message}`);
    else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
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
