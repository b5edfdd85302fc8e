/**
 * `npm run e2e`: the suite end to end on a real JSON-RPC node.
 *
 *  1. starts the node on 127.0.0.1 on a free port and waits until it answers; the `localhost`
 *     network points there through LOCALHOST_RPC_URL (so the run never meets another node on 8545).
 *     The node is `hardhat node`, or anvil with E2E_NODE=anvil or `--node anvil` (`npm run e2e:anvil`):
 *     `anvil --host 127.0.0.1 --port P --hardfork osaka --accounts 20 --gas-limit 60000000 --chain-id 31337`.
 *     Anvil behaves like public chains where Hardhat's node does not (a reverting transaction sent
 *     with a fixed gas limit is mined with status 0; blocks in the same second share a timestamp);
 *  2. deploys with the operator's command, `npm run deploy -- --network localhost`;
 *  3. runs that command again and asserts nothing changed (no block, no nonce, same record file);
 *  4. checks roles with `npm run roles:check -- --network localhost`;
 *  5. runs the scenario (scripts/tooling/e2e/scenario.ts) through the areas' public scripts;
 *  6. always stops the node (also on failure or Ctrl-C). Exit code 0 only when every step passed.
 *
 * Plain Node (type stripping, built-ins only). Environment: E2E_NODE=hardhat|anvil (`--node` wins); E2E_PORT=8545 to use that port instead of a
 * free one; E2E_KEEP_NODE=1 leaves the node running (printed pid) to inspect it afterwards. The
 * node's log is in reports/tmp/e2e-node.log.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, rpc as rpcAt } from "../../lib/local-node.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
/** A port nobody listens on (the OS picks it), unless E2E_PORT names one. */
async function port(): Promise<number> {
  if (process.env.E2E_PORT !== undefined && process.env.E2E_PORT !== "") return Number(process.env.E2E_PORT);
  return freePort();
}

type NodeKind = "hardhat" | "anvil";
/** Which node to start: `--node <kind>` (or `--node=<kind>`), else E2E_NODE, else hardhat. */
function nodeKind(): NodeKind {
  const args = process.argv.slice(2);
  let chosen = process.env.E2E_NODE?.trim() || "hardhat";
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--node") chosen = args[++i] ?? "";
    else if (args[i].startsWith("--node=")) chosen = args[i].slice("--node=".length);
    else {
      console.error(`[e2e] unknown argument ${args[i]} (usage: npm run e2e -- [--node hardhat|anvil])`);
      process.exit(2);
    }
  }
  if (chosen !== "hardhat" && chosen !== "anvil") {
    console.error(`[e2e] unknown node "${chosen}" (hardhat or anvil)`);
    process.exit(2);
  }
  return chosen;
}

const NODE = nodeKind();
const PORT = await port();
const RPC = `http://127.0.0.1:${PORT}`;
const CHAIN_ID = 31337;
const DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const bin = join(root, "node_modules", ".bin");
// The pinned Node 22 first on PATH, as under `npm run`.
const env = {
  ...process.env,
  PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`,
  FORCE_COLOR: "0",
  LOCALHOST_RPC_URL: RPC,
};
const started = Date.now();
let node: ChildProcess | undefined;

class E2EError extends Error {}

function log(message: string) {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`[e2e ${t}s] ${message}`);
}

function rpc<T>(method: string, params: unknown[] = []): Promise<T> {
  return rpcAt<T>(RPC, method, params);
}

async function answering(): Promise<boolean> {
  try {
    await rpc("eth_chainId");
    return true;
  } catch {
    return false;
  }
}

/** Runs a command, streaming its output; throws with its name when it exits non-zero. */
function run(label: string, command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    log(`$ ${command} ${args.join(" ")}`);
    const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const forward = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      process.stdout.write(text.replace(/^(?=.)/gm, "    │ "));
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.on("error", (error) => reject(new E2EError(`${label}: cannot start ${command}: ${error.message}`)));
    child.on("exit", (code, signal) => {
      if (code === 0) resolve(output);
      else reject(new E2EError(`${label} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

async function startNode(): Promise<void> {
  if (await answering()) {
    throw new E2EError(`something already answers on ${RPC}: stop it (the e2e starts its own node there)`);
  }
  mkdirSync(join(root, "reports", "tmp"), { recursive: true });
  const logFile = join(root, "reports", "tmp", "e2e-node.log");
  const out = createWriteStream(logFile);
  const label = NODE === "anvil" ? "anvil" : "hardhat node";
  log(`starting ${label} on ${RPC} (log: reports/tmp/e2e-node.log)`);
  // prettier-ignore
  const args = NODE === "anvil"
    ? [join(bin, "anvil"), "--host", "127.0.0.1", "--port", String(PORT), "--hardfork", "osaka", "--accounts", "20",
      "--gas-limit", "60000000", "--chain-id", String(CHAIN_ID)]
    : [join(bin, "hardhat"), "node", "--hostname", "127.0.0.1", "--port", String(PORT)];
  // Own process group: stopping it stops the node and anything it spawned.
  node = spawn(process.execPath, args, { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  node.stdout?.pipe(out);
  node.stderr?.pipe(out);
  let exited: string | undefined;
  node.on("exit", (code, signal) => (exited = signal ?? `exit code ${code}`));
  const deadline = Date.now() + 90_000;
  while (!(await answering())) {
    if (exited !== undefined) {
      throw new E2EError(`${label} stopped (${exited}) before answering:\n${readFileSync(logFile, "utf8")}`);
    }
    if (Date.now() > deadline) throw new E2EError(`${label} did not answer within 90 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const chainId = Number(await rpc<string>("eth_chainId"));
  if (chainId !== CHAIN_ID) throw new E2EError(`the node's chain id is ${chainId}, expected ${CHAIN_ID}`);
  const version = await rpc<string>("web3_clientVersion").catch(() => "unknown version");
  log(`${label} answers (pid ${node.pid}, chain ${chainId}, ${version})`);
}

function stopNode(): void {
  if (node === undefined || node.pid === undefined || node.exitCode !== null) return;
  if (process.env.E2E_KEEP_NODE === "1") {
    log(`leaving the node running (pid ${node.pid}); stop it with: kill -- -${node.pid}`);
    return;
  }
  try {
    process.kill(-node.pid, "SIGTERM");
  } catch {
    /* already gone */
  }
  const pid = node.pid;
  setTimeout(() => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      /* stopped */
    }
  }, 2_000).unref();
}

async function chainState() {
  const record = join(root, "deployments", `${CHAIN_ID}.json`);
  return {
    block: Number(await rpc<string>("eth_blockNumber")),
    deployerNonce: Number(await rpc<string>("eth_getTransactionCount", [DEPLOYER, "latest"])),
    record: existsSync(record) ? readFileSync(record, "utf8") : "",
  };
}

async function main(): Promise<void> {
  await startNode();

  log("step 1: deploy the suite (operator command)");
  await run("deploy", "npm", ["run", "--silent", "deploy", "--", "--network", "localhost"]);
  const first = await chainState();
  if (first.record === "") throw new E2EError(`deploy wrote no deployments/${CHAIN_ID}.json`);
  const contracts = (JSON.parse(first.record) as { contracts: Record<string, { address: string }> }).contracts;
  log(`deployed ${Object.keys(contracts).join(", ")} at block ${first.block}`);

  log("step 2: deploy again: nothing may change");
  const output = await run("second deploy", "npm", ["run", "--silent", "deploy", "--", "--network", "localhost"]);
  const second = await chainState();
  const changes: string[] = [];
  if (second.block !== first.block) changes.push(`block number ${first.block} -> ${second.block}`);
  if (second.deployerNonce !== first.deployerNonce) {
    changes.push(`deployer nonce ${first.deployerNonce} -> ${second.deployerNonce}`);
  }
  if (second.record !== first.record) changes.push(`deployments/${CHAIN_ID}.json changed`);
  if (!output.includes("sent 0 transaction(s)")) changes.push("the deploy output does not say it sent nothing");
  if (changes.length > 0) throw new E2EError(`re-running deploy changed things:\n  ${changes.join("\n  ")}`);
  log("second deploy changed nothing (same block, nonces and record)");

  log("step 3: roles are what the parameters say");
  await run("roles check", "npm", ["run", "--silent", "roles:check", "--", "--network", "localhost"]);

  log("step 4: scenario through the areas' public scripts");
  await run("scenario", process.execPath, [
    join(bin, "hardhat"),
    "run",
    "scripts/tooling/e2e/scenario.ts",
    "--network",
    "localhost",
  ]);
}

process.on("SIGINT", () => {
  stopNode();
  process.exit(130);
});
process.on("SIGTERM", () => {
  stopNode();
  process.exit(143);
});

try {
  await main();
  log(`PASS: end to end on a real node (${NODE === "anvil" ? "anvil" : "hardhat node"})`);
} catch (error) {
  console.error(`\n[e2e] FAIL: ${error instanceof E2EError ? error.message : String((error as Error).stack ?? error)}`);
  process.exitCode = 1;
} finally {
  stopNode();
}
