/**
 * `npm run app:e2e`: the web app in a real browser, against a real chain and the indexer.
 *
 *  1. finds Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH), installs app/ and indexer/ when
 *     their node_modules are missing, builds the client when client/dist is missing, builds the app;
 *  2. starts `hardhat node` on a free port, deploys (`npm run deploy -- --network localhost` with
 *     LOCALHOST_RPC_URL) and runs the e2e scenario (scripts/tooling/e2e/scenario.ts: devices attest,
 *     shares trade, income is paid, a metered rental and a maintenance order complete);
 *  3. starts the indexer on a fresh PGlite directory (when indexer/ exists) and `vite preview` of the app;
 *  4. drives headless Chromium (playwright-core) through the operator, investor, renter and maintenance
 *     screens: what each shows is compared with the chain (read here with viem), each screen performs at
 *     least one write and one refused action whose custom error must be shown decoded; a screenshot of
 *     each screen goes to reports/app/<screen>.png;
 *  5. always stops every process it started (own process groups), also on failure or Ctrl-C.
 *
 * Plain Node (type stripping). Environment: CHROMIUM_PATH; APP_E2E_HEADED=1 shows the browser;
 * APP_E2E_KEEP=1 leaves the node, indexer and app running (printed pids). Logs: reports/tmp/app-e2e-*.log.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, rpc as rpcAt } from "../../scripts/lib/local-node.ts";

const appDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const root = join(appDir, "..");
const bin = join(root, "node_modules", ".bin");
const tmp = join(root, "reports", "tmp");
const shots = join(root, "reports", "app");
const started = Date.now();
const children: { name: string; child: ChildProcess }[] = [];

class E2EError extends Error {}

function log(message: string) {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`[app-e2e ${t}s] ${message}`);
}

const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`,
  FORCE_COLOR: "0",
};

/** Runs a command to completion (output indented); throws when it fails. */
function run(label: string, command: string, args: string[], opts: { cwd?: string; quiet?: boolean } = {}) {
  return new Promise<string>((resolve, reject) => {
    log(`$ ${command} ${args.join(" ")}${opts.cwd !== undefined && opts.cwd !== root ? `  (in ${opts.cwd})` : ""}`);
    const child = spawn(command, args, {
      cwd: opts.cwd ?? root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    children.push({ name: label, child });
    let output = "";
    const forward = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      if (opts.quiet !== true) process.stdout.write(text.replace(/^(?=.)/gm, "    │ "));
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.on("error", (error) => reject(new E2EError(`${label}: cannot start ${command}: ${error.message}`)));
    child.on("exit", (code, signal) => {
      if (code === 0) resolve(output);
      else {
        if (opts.quiet === true) process.stdout.write(output.replace(/^(?=.)/gm, "    │ "));
        reject(new E2EError(`${label} failed (${signal ?? `exit code ${code}`})`));
      }
    });
  });
}

/** Starts a long-running process in its own group, its output in reports/tmp/app-e2e-<name>.log. */
function start(name: string, command: string, args: string[], extra: NodeJS.ProcessEnv = {}, cwd = root) {
  const logFile = join(tmp, `app-e2e-${name}.log`);
  const out = createWriteStream(logFile);
  const child = spawn(command, args, {
    cwd,
    env: { ...env, ...extra },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  children.push({ name, child });
  log(`started ${name} (pid ${child.pid}, log reports/tmp/app-e2e-${name}.log)`);
  return { child, logFile };
}

async function waitFor(what: string, check: () => Promise<boolean>, child: ChildProcess, logFile: string, ms = 90_000) {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new E2EError(`${what} stopped before it was ready:\n${readFileSync(logFile, "utf8").slice(-3000)}`);
    }
    if (Date.now() > deadline) throw new E2EError(`${what} not ready within ${ms / 1000} s (log ${logFile})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function stopAll(): void {
  if (process.env.APP_E2E_KEEP === "1") {
    for (const { name, child } of children)
      if (child.exitCode === null) log(`leaving ${name} running: kill -- -${child.pid}`);
    return;
  }
  for (const { child } of children) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      /* gone */
    }
  }
  const pids = children.map((c) => c.child.pid).filter((p): p is number => p !== undefined);
  setTimeout(() => {
    for (const pid of pids) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        /* stopped */
      }
    }
  }, 2_000).unref();
}

/** Chromium from Debian (or CHROMIUM_PATH); one line on how to get it when missing. */
function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  const found = candidates.find((p) => p !== undefined && p !== "" && existsSync(p));
  if (found === undefined) {
    console.error("[app-e2e] Chromium not found: install it with `apt-get install -y chromium` (or set CHROMIUM_PATH)");
    process.exit(1);
  }
  return found;
}

const hasIndexer = existsSync(join(root, "indexer", "package.json"));

/** The app installed (when missing) and built: type-checked, then bundled by Vite. */
async function buildApp(): Promise<void> {
  if (!existsSync(join(appDir, "node_modules", "playwright-core"))) {
    await run("app install", "npm", ["--prefix", "app", "install", "--no-audit", "--no-fund"], { quiet: true });
  }
  await run("app build (tsc + vite build)", "npm", ["--prefix", "app", "run", "--silent", "build"], { quiet: true });
  log("app built");
}

async function installIndexer(): Promise<void> {
  if (hasIndexer && !existsSync(join(root, "indexer", "node_modules", "ponder"))) {
    await run("indexer install", "npm", ["--prefix", "indexer", "install", "--no-audit", "--no-fund"], { quiet: true });
    log("indexer installed");
  }
}

/** A fresh node with the suite deployed; returns its URL. */
async function chainWithSuite(): Promise<string> {
  const nodePort = await freePort();
  const rpcUrl = `http://127.0.0.1:${nodePort}`;
  env.LOCALHOST_RPC_URL = rpcUrl;
  const node = start("node", process.execPath, [
    join(bin, "hardhat"),
    "node",
    "--hostname",
    "127.0.0.1",
    "--port",
    String(nodePort),
  ]);
  await waitFor(
    "hardhat node",
    async () => (await rpcAt<string>(rpcUrl, "eth_chainId")) !== "",
    node.child,
    node.logFile,
  );
  log(`hardhat node answers on ${rpcUrl}; deploying the suite`);
  await run("deploy", "npm", ["run", "--silent", "deploy", "--", "--network", "localhost"], { quiet: true });
  log("suite deployed");
  return rpcUrl;
}

/** The indexer on a fresh PGlite store, following the chain (started before the scenario runs). */
async function startIndexer(rpcUrl: string) {
  const port = await freePort();
  const dir = join(tmp, "app-e2e-pglite");
  rmSync(dir, { recursive: true, force: true });
  const ponder = join(root, "indexer", "node_modules", "ponder", "dist", "esm", "bin", "ponder.js");
  const indexer = start(
    "indexer",
    process.execPath,
    [ponder, "start", "--schema", "plinth", "--port", String(port)],
    {
      PLINTH_RPC_URL: rpcUrl,
      PLINTH_CHAIN_ID: "31337",
      PLINTH_PGLITE_DIR: dir,
      PLINTH_POLLING_MS: "250",
      PONDER_TELEMETRY_DISABLED: "true",
      DATABASE_URL: "",
    },
    join(root, "indexer"),
  );
  const url = `http://127.0.0.1:${port}`;
  /** Waits until the indexer has indexed the chain's current head. */
  const caughtUp = async () => {
    const head = Number(BigInt(await rpcAt<string>(rpcUrl, "eth_blockNumber")));
    const indexed = async () => {
      if ((await fetch(`${url}/ready`)).status !== 200) return false;
      const status = (await (await fetch(`${url}/status`)).json()) as { plinth?: { block?: { number: number } } };
      return (status.plinth?.block?.number ?? -1) >= head;
    };
    await waitFor("indexer", indexed, indexer.child, indexer.logFile, 120_000);
    log(`indexer on ${url} has indexed the chain up to block ${head}`);
  };
  return { url, caughtUp };
}

async function main(): Promise<void> {
  const chromium = chromiumPath();
  mkdirSync(tmp, { recursive: true });
  mkdirSync(shots, { recursive: true });
  log(`Chromium: ${chromium}`);
  if (!existsSync(join(root, "client", "dist", "index.js"))) {
    await run("client build", "npm", ["run", "--silent", "build:client"], { quiet: true });
  }
  // In parallel: the app's install and build; a node with the suite deployed, then the scenario on it;
  // the indexer's install, then (once the suite is deployed) the indexer, following the chain.
  const chain = chainWithSuite();
  const scenario = chain.then(async () => {
    log("run the scenario (devices attest, shares trade, income paid, metered rental, maintenance order)");
    await run("scenario", process.execPath, [
      join(bin, "hardhat"),
      "run",
      "scripts/tooling/e2e/scenario.ts",
      "--network",
      "localhost",
    ]);
    log("scenario done");
  });
  const indexing = Promise.all([chain, installIndexer()]).then(([url]) => {
    if (hasIndexer) return startIndexer(url);
    log("no indexer/ in this tree: the app reads its lists from the chain's logs");
    return undefined;
  });
  const [, rpcUrl, indexer] = await Promise.all([buildApp(), chain, indexing, scenario]);
  await indexer?.caughtUp();
  const indexerUrl = indexer?.url;

  const appPort = await freePort();
  const app = start(
    "app",
    join(appDir, "node_modules", ".bin", "vite"),
    ["preview", "--port", String(appPort), "--strictPort", "--host", "127.0.0.1"],
    {},
    appDir,
  );
  const appUrl = `http://127.0.0.1:${appPort}`;
  await waitFor("vite preview", async () => (await fetch(appUrl)).ok, app.child, app.logFile);
  log(`app served on ${appUrl}`);

  const { drive } = await import("./drive.ts");
  await drive({ chromium, rpcUrl, appUrl, indexerUrl, shots, log, root });
}

process.on("SIGINT", () => {
  stopAll();
  process.exit(130);
});
process.on("SIGTERM", () => {
  stopAll();
  process.exit(143);
});

try {
  await main();
  log(
    `PASS: every screen shows the chain's state, writes and decoded refusals (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
} catch (error) {
  console.error(
    `\n[app-e2e] FAIL: ${error instanceof E2EError ? error.message : String((error as Error).stack ?? error)}`,
  );
  process.exitCode = 1;
} finally {
  stopAll();
}
