/**
 * What `npm run indexer:check` and `npm run indexer:bench` share: a local node on a free port, the
 * suite deployed by the operator's command, the indexer (indexer/, Ponder on PGlite) started against
 * it, and a GraphQL client. Every child runs in its own process group and is stopped on exit, error
 * or Ctrl-C.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, rpc } from "../../lib/local-node.ts";

export { freePort, rpc };

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const indexerDir = join(root, "indexer");
const bin = join(root, "node_modules", ".bin");
export const CHAIN_ID = 31337;

export class CheckError extends Error {}

const started = Date.now();
let label = "indexer";
export function setLabel(name: string): void {
  label = name;
}
export function log(message: string): void {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`[${label} ${t}s] ${message}`);
}

/** Environment of every child: the pinned Node 22 first on PATH, as under `npm run`. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`, FORCE_COLOR: "0", ...extra };
}

const children = new Set<ChildProcess>();

/** Stops every child started by `startDetached` (its whole process group): SIGTERM, then SIGKILL after 2 s. */
export function stopAll(): void {
  for (const child of children) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    const pid = child.pid;
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      /* already gone */
    }
    setTimeout(() => {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        /* stopped */
      }
    }, 2_000).unref();
  }
  children.clear();
}

process.on("SIGINT", () => {
  stopAll();
  process.exit(130);
});
process.on("SIGTERM", () => {
  stopAll();
  process.exit(143);
});

/** Starts a long-running child in its own process group, its output into `logFile`. */
export function startDetached(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
): { child: ChildProcess; exited: () => string | undefined } {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const out = createWriteStream(options.logFile);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  let exited: string | undefined;
  child.on("exit", (code, signal) => (exited = signal ?? `exit code ${code}`));
  return { child, exited: () => exited };
}

/** Runs a command to its end, its output indented under ours; throws with `what` when it fails. */
export function run(
  what: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; quiet?: boolean } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    log(`$ ${command} ${args.join(" ")}`);
    const child = spawn(command, args, {
      cwd: options.cwd ?? root,
      env: options.env ?? childEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    let output = "";
    const forward = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      if (options.quiet !== true) process.stdout.write(text.replace(/^(?=.)/gm, "    │ "));
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.on("error", (error) => reject(new CheckError(`${what}: cannot start ${command}: ${error.message}`)));
    child.on("exit", (code, signal) => {
      children.delete(child);
      if (code === 0) resolve(output);
      else {
        if (options.quiet === true) process.stdout.write(output.replace(/^(?=.)/gm, "    │ "));
        reject(new CheckError(`${what} failed (${signal ?? `exit code ${code}`})`));
      }
    });
  });
}

/** Installs the indexer's packages when indexer/node_modules is missing (timed). */
export async function ensureIndexerInstalled(): Promise<number | undefined> {
  if (existsSync(join(indexerDir, "node_modules", "ponder", "package.json"))) return undefined;
  log("indexer/node_modules is missing: installing the indexer's packages (npm --prefix indexer install)");
  const t0 = Date.now();
  await run("indexer install", "npm", ["--prefix", "indexer", "install", "--no-audit", "--no-fund"], { quiet: true });
  const seconds = (Date.now() - t0) / 1000;
  log(`installed in ${seconds.toFixed(1)} s`);
  return seconds;
}

/** Builds the client (contracts, ABIs as const) when its generated ABIs are missing. */
export async function ensureClientBuilt(): Promise<void> {
  if (existsSync(join(root, "client", "src", "generated", "abis.ts"))) return;
  log("client/src/generated is missing: building the client (npm run build:client)");
  await run("client build", "npm", ["run", "--silent", "build:client"], { quiet: true });
}

/** A running anvil. */
export interface LocalNode {
  url: string;
  /** Stops it (SIGTERM: anvil writes its --dump-state file) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts anvil (a node that behaves like public chains) on a free port. `loadState` starts it from a
 * saved chain (blocks, logs and state), `dumpState` writes the chain there when it stops.
 */
export async function startNode(options: { loadState?: string; dumpState?: string } = {}): Promise<LocalNode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(root, "reports", "tmp", `${label}-node.log`);
  log(`starting anvil on ${url} (log: reports/tmp/${label}-node.log)`);
  // prettier-ignore
  const args = ["--host", "127.0.0.1", "--port", String(port), "--hardfork", "osaka", "--accounts", "20",
    "--gas-limit", "60000000", "--chain-id", String(CHAIN_ID)];
  if (options.loadState !== undefined) args.push("--load-state", options.loadState);
  if (options.dumpState !== undefined) args.push("--dump-state", options.dumpState);
  const node = startDetached(join(bin, "anvil"), args, { cwd: root, env: childEnv(), logFile });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await rpc(url, "eth_chainId");
      break;
    } catch {
      const exited = node.exited();
      if (exited !== undefined) throw new CheckError(`anvil stopped (${exited}):\n${readFileSync(logFile, "utf8")}`);
      if (Date.now() > deadline) throw new CheckError("anvil did not answer within 120 s");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    async stop() {
      if (node.exited() !== undefined || node.child.pid === undefined) return;
      const done = new Promise<void>((resolve) => node.child.once("exit", () => resolve()));
      process.kill(-node.child.pid, "SIGTERM");
      await done;
      children.delete(node.child);
    },
  };
}

/** Deploys the suite with the operator's command; returns the deployment record. */
export async function deploy(
  url: string,
): Promise<{ fromBlock: number; contracts: Record<string, { address: string }> }> {
  await run("deploy", "npm", ["run", "--silent", "deploy", "--", "--network", "localhost"], {
    env: childEnv({ LOCALHOST_RPC_URL: url }),
    quiet: true,
  });
  const file = join(root, "deployments", `${CHAIN_ID}.json`);
  return JSON.parse(readFileSync(file, "utf8")) as {
    fromBlock: number;
    contracts: Record<string, { address: string }>;
  };
}

export interface Indexer {
  url: string;
  logFile: string;
  /** Resolves once Ponder reports the chain's head `block` as indexed. */
  waitFor(block: number, timeoutMs: number, onProgress?: (indexed: number) => void): Promise<number>;
  graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

/**
 * Starts the indexer (`ponder start`) against `rpcUrl`: on PGlite in a fresh temporary directory, or on the
 * Postgres named by INDEXER_CHECK_DATABASE_URL (passed to Ponder as DATABASE_URL), in a fresh schema.
 */
export async function startIndexer(
  rpcUrl: string,
  extraEnv: Record<string, string> = {},
  logFormat: "pretty" | "json" = "pretty",
): Promise<Indexer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const pglite = mkdtempSync(join(tmpdir(), "plinth-indexer-"));
  process.on("exit", () => rmSync(pglite, { recursive: true, force: true }));
  const logFile = join(root, "reports", "tmp", `${label}-ponder.log`);
  const postgres = process.env.INDEXER_CHECK_DATABASE_URL ?? "";
  const schema = postgres !== "" ? `plinth_check_${Date.now()}` : "plinth";
  const store =
    postgres !== "" ? `Postgres ${postgres.replace(/\/\/[^@/]*@/, "//***@")}, schema ${schema}` : `PGlite in ${pglite}`;
  log(`starting the indexer on ${url} (${store}; log: reports/tmp/${label}-ponder.log)`);
  const ponder = join(indexerDir, "node_modules", "ponder", "dist", "esm", "bin", "ponder.js");
  const env = childEnv({
    PLINTH_CHAIN_ID: String(CHAIN_ID),
    PLINTH_RPC_URL: rpcUrl,
    PLINTH_PGLITE_DIR: pglite,
    PLINTH_POLLING_MS: "250",
    PLINTH_RPC_FANOUT: "16",
    PONDER_TELEMETRY_DISABLED: "true",
    DATABASE_URL: postgres,
    ...extraEnv,
  });
  const indexer = startDetached(
    process.execPath,
    [ponder, "start", "--schema", schema, "--port", String(port), "--log-format", logFormat],
    { cwd: indexerDir, env, logFile },
  );

  async function status(): Promise<number | undefined> {
    try {
      const response = await fetch(`${url}/status`);
      if (!response.ok) return undefined;
      const body = (await response.json()) as { plinth?: { block?: { number: number } | null } };
      return body.plinth?.block?.number ?? undefined;
    } catch {
      return undefined;
    }
  }

  return {
    url,
    logFile,
    async waitFor(block, timeoutMs, onProgress) {
      const deadline = Date.now() + timeoutMs;
      let last = -1;
      for (;;) {
        const exited = indexer.exited();
        if (exited !== undefined) {
          const tail = readFileSync(logFile, "utf8").split("\n").slice(-40).join("\n");
          throw new CheckError(`the indexer stopped (${exited}); last lines of its log:\n${tail}`);
        }
        const ready = await fetch(`${url}/ready`).then(
          (r) => r.status === 200,
          () => false,
        );
        const indexed = ready ? await status() : undefined;
        if (indexed !== undefined && indexed >= block) return indexed;
        if (indexed !== undefined && indexed !== last) {
          last = indexed;
          onProgress?.(indexed);
        }
        if (Date.now() > deadline) {
          throw new CheckError(`the indexer did not reach block ${block} within ${timeoutMs / 1000} s (at ${last})`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      const response = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
      if (body.errors !== undefined && body.errors.length > 0) {
        throw new CheckError(`GraphQL: ${body.errors.map((e) => e.message).join("; ")}\n${query}`);
      }
      return body.data as T;
    },
  };
}
