/**
 * `npm run indexer:bench`: how fast the indexer (indexer/, Ponder on PGlite) indexes the device
 * simulator's readings, in events per second, into reports/indexer.json and reports/indexer.md.
 *
 *  1. starts anvil on a free port and deploys the suite (`npm run deploy -- --network localhost`);
 *  2. runs the device simulator on the suite's registry (scripts/operator/devices/simulate.ts, relayed
 *     by the deployment's manufacturer signing authority, account #5): DEVICES devices registered,
 *     READINGS mixed-curve readings (secp256k1 and P-256) attested in batches of BATCH;
 *  3. mines 100 empty blocks so that every event is behind Ponder's finality depth (indexed in the
 *     backfill, as on a real chain after a restart);
 *  4. starts the indexer on a fresh PGlite and times it until it has indexed the head, checking that
 *     it holds every reading and device;
 *  5. writes the figures and always stops its children.
 *
 * Options (or environment): --readings N (READINGS, default 100000), --devices N (DEVICES, default
 * 1000), --batch N (BATCH, default 100), --curve <secp256k1|p256|mixed> (CURVE, default mixed),
 * --getlogs-range N (PLINTH_GETLOGS_RANGE, default 100: blocks per eth_getLogs; anvil times out on
 * wider ranges of dense blocks), --fresh (regenerate the chain even when cached).
 *
 * Generating 100,000 readings takes about 13 minutes on a loaded 2-core machine; the indexing is what is
 * measured. The generated chain (anvil's --dump-state, with the deployment record) is kept in
 * reports/tmp/indexer-bench/<devices>-<readings>-<batch>-<curve>/ and reused by the next run.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import {
  CheckError,
  childEnv,
  deploy,
  ensureClientBuilt,
  ensureIndexerInstalled,
  log,
  root,
  rpc,
  run,
  setLabel,
  startIndexer,
  startNode,
  stopAll,
} from "./lib.js";

setLabel("indexer-bench");

function option(name: string, env: string, fallback: string): string {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  if (i >= 0 && args[i + 1] !== undefined) return args[i + 1];
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  if (inline !== undefined) return inline.slice(name.length + 3);
  return process.env[env] ?? fallback;
}

const READINGS = Number(option("readings", "READINGS", "100000"));
const DEVICES = Number(option("devices", "DEVICES", "1000"));
const BATCH = Number(option("batch", "BATCH", "100"));
const CURVE = option("curve", "CURVE", "mixed");
const GETLOGS_RANGE = option("getlogs-range", "PLINTH_GETLOGS_RANGE", "100");
const FRESH = process.argv.includes("--fresh");
for (const [name, value] of Object.entries({ READINGS, DEVICES, BATCH })) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
}

/** Ponder's JSON log lines. */
function ponderLog(file: string): { time: number; msg: string; [key: string]: unknown }[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { time: number; msg: string });
}

/** Waits until anvil's state dump `file` exists and has stopped growing (its npm wrapper exits before it). */
async function settled(file: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  let size = -1;
  for (;;) {
    const now = existsSync(file) ? statSync(file).size : -1;
    if (now > 0 && now === size) return;
    if (Date.now() > deadline) throw new CheckError(`anvil wrote no state dump to ${file}`);
    size = now;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function main(): Promise<void> {
  const installSeconds = await ensureIndexerInstalled();
  await ensureClientBuilt();
  const cacheDir = join(root, "reports", "tmp", "indexer-bench", `${DEVICES}-${READINGS}-${BATCH}-${CURVE}`);
  const stateFile = join(cacheDir, "state.json");
  const recordFile = join(cacheDir, "record.json");
  const liveRecord = join(root, "deployments", "31337.json");
  let generationSeconds: number | null = null;
  const cached = !(FRESH || !existsSync(stateFile) || !existsSync(recordFile));
  if (FRESH || !existsSync(stateFile) || !existsSync(recordFile)) {
    rmSync(cacheDir, { recursive: true, force: true });
    mkdirSync(cacheDir, { recursive: true });
    const partial = join(cacheDir, "state.partial.json");
    const node = await startNode({ dumpState: partial });
    const record = await deploy(node.url);
    const registry = record.contracts.DeviceRegistry.address;
    log(`suite deployed; registry ${registry}`);
    log(`simulating ${DEVICES} devices and ${READINGS} ${CURVE} readings in batches of ${BATCH} (this takes minutes)`);
    const tGen = Date.now();
    const simulated = await run(
      "device simulator",
      process.execPath,
      ["node_modules/.bin/hardhat", "run", "scripts/operator/devices/simulate.ts", "--network", "localhost"],
      {
        env: childEnv({
          LOCALHOST_RPC_URL: node.url,
          REGISTRY: registry,
          SIGNER: "5", // the signing authority of the deployment's manufacturer (deploy/parameters/localhost.json)
          MANUFACTURER: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
          DEVICES: String(DEVICES),
          READINGS: String(READINGS),
          BATCH: String(BATCH),
          CURVE,
          PROGRESS: "0",
        }),
      },
    );
    generationSeconds = (Date.now() - tGen) / 1000;
    const accepted = Number(/accepted \/ rejected\s+(\d+)/.exec(simulated)?.[1] ?? NaN);
    if (accepted !== READINGS)
      throw new CheckError(`the simulator had ${accepted} readings accepted, expected ${READINGS}`);
    // Every event behind Ponder's finality depth: indexed in the backfill, as after a restart on a real chain.
    await rpc(node.url, "anvil_mine", ["0x64"]);
    log(`${READINGS} readings on chain in ${generationSeconds.toFixed(0)} s; saving the chain in ${cacheDir}`);
    await node.stop();
    await settled(partial);
    renameSync(partial, stateFile);
    writeFileSync(recordFile, readFileSync(liveRecord, "utf8"));
    writeFileSync(join(cacheDir, "meta.json"), JSON.stringify({ generationSeconds }) + "\n");
  } else {
    log(`reusing the chain generated earlier (${cacheDir}; --fresh to regenerate)`);
    const meta = join(cacheDir, "meta.json");
    if (existsSync(meta))
      generationSeconds = (JSON.parse(readFileSync(meta, "utf8")) as { generationSeconds: number }).generationSeconds;
  }
  writeFileSync(liveRecord, readFileSync(recordFile, "utf8"));
  const node = await startNode({ loadState: stateFile });
  const url = node.url;
  const head = Number(await rpc<string>(url, "eth_blockNumber"));
  log(`chain loaded: head is block ${head}`);
  const load = loadavg()[0];

  const tStart = Date.now();
  const indexer = await startIndexer(url, { PLINTH_GETLOGS_RANGE: GETLOGS_RANGE }, "json");
  await indexer.waitFor(head, 30 * 60_000, (b) => log(`indexed up to block ${b} of ${head}`));
  const wallSeconds = (Date.now() - tStart) / 1000;

  const counts = await indexer.graphql<{
    readings: { totalCount: number };
    devices: { totalCount: number };
    activitys: { totalCount: number };
    shareTransfers: { totalCount: number };
  }>("{ readings { totalCount } devices { totalCount } activitys { totalCount } shareTransfers { totalCount } }");
  if (counts.readings.totalCount !== READINGS) {
    throw new CheckError(`the indexer holds ${counts.readings.totalCount} readings, expected ${READINGS}`);
  }
  if (counts.devices.totalCount !== DEVICES) {
    throw new CheckError(`the indexer holds ${counts.devices.totalCount} devices, expected ${DEVICES}`);
  }
  const events = counts.readings.totalCount + counts.activitys.totalCount + counts.shareTransfers.totalCount;

  const lines = ponderLog(indexer.logFile);
  const at = (prefix: string) => lines.find((l) => l.msg.startsWith(prefix))?.time;
  const backfillStart = at("Started backfill indexing");
  const backfillEnd = at("Completed backfill indexing");
  const fetchEnd = at("Finished fetching backfill JSON-RPC data");
  if (backfillStart === undefined || backfillEnd === undefined) {
    throw new CheckError(`no backfill start/end in the indexer's log (${indexer.logFile})`);
  }
  const backfillSeconds = (backfillEnd - backfillStart) / 1000;
  const rpcErrors = lines.filter((l) => l.msg === "Received JSON-RPC error").length;
  const result = {
    generatedBy: "npm run indexer:bench (scripts/tooling/indexer/bench.ts)",
    date: new Date().toISOString().slice(0, 10),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryGB: Math.round(totalmem() / 2 ** 30),
    },
    node: "anvil (local, automine)",
    store: "PGlite (embedded, fresh directory)",
    ponder: JSON.parse(readFileSync(join(root, "indexer", "node_modules", "ponder", "package.json"), "utf8"))
      .version as string,
    workload: { devices: DEVICES, readings: READINGS, batch: BATCH, curve: CURVE, blocks: head },
    ethGetLogsBlockRange: Number(GETLOGS_RANGE),
    loadAverageAtStart: Number(load.toFixed(1)),
    rpcErrorsRetried: rpcErrors,
    events: { total: events, readings: counts.readings.totalCount, other: events - counts.readings.totalCount },
    seconds: {
      generation: generationSeconds === null ? null : Math.round(generationSeconds),
      generationCached: cached,
      backfill: Number(backfillSeconds.toFixed(1)),
      rpcFetch: fetchEnd !== undefined ? Number(((fetchEnd - backfillStart) / 1000).toFixed(1)) : null,
      startToSynced: Number(wallSeconds.toFixed(1)),
    },
    eventsPerSecond: {
      backfill: Math.round(events / backfillSeconds),
      startToSynced: Math.round(events / wallSeconds),
    },
    goal: { eventsPerSecond: 1000, met: events / backfillSeconds >= 1000 },
    installSeconds: installSeconds ?? null,
  };
  writeFileSync(join(root, "reports", "indexer.json"), JSON.stringify(result, null, 2) + "\n");
  const md = [
    "# Indexer throughput",
    "",
    `Measured by \`npm run indexer:bench\` on ${result.date}: ${result.machine.cpus} CPU(s) (${result.machine.cpuModel}),`,
    `Ponder ${result.ponder} on ${result.store}, against ${result.node}.`,
    "",
    `Workload: the device simulator's ${READINGS.toLocaleString("en")} ${CURVE} readings from ${DEVICES.toLocaleString("en")} devices`,
    `(batches of ${BATCH}) on the deployed suite, ${head.toLocaleString("en")} blocks` +
      (generationSeconds === null ? "." : `; generating them took ${result.seconds.generation} s`) +
      (cached ? " (the chain was generated by an earlier run and loaded from anvil's state dump)." : "."),
    `eth_getLogs in ranges of ${GETLOGS_RANGE} blocks; ${rpcErrors} RPC error(s) retried; load average ${result.loadAverageAtStart}`,
    "on the 2 cores when the indexer started (the machine is shared).",
    "",
    "| measure | value |",
    "| --- | --- |",
    `| events indexed | ${events.toLocaleString("en")} (${counts.readings.totalCount.toLocaleString("en")} readings, ${(events - counts.readings.totalCount).toLocaleString("en")} others) |`,
    `| backfill (RPC fetch + indexing) | ${result.seconds.backfill} s |`,
    `| of which fetching from the node | ${result.seconds.rpcFetch ?? "n/a"} s (overlaps indexing) |`,
    `| process start to synced (incl. PGlite start, schema, indexes) | ${result.seconds.startToSynced} s |`,
    `| **events per second, backfill** | **${result.eventsPerSecond.backfill.toLocaleString("en")}** |`,
    `| events per second, start to synced | ${result.eventsPerSecond.startToSynced.toLocaleString("en")} |`,
    `| goal (>= 1,000 events/s with PGlite) | ${result.goal.met ? "met" : "NOT met"} |`,
    "",
    "Each reading writes a `reading` row and updates its `device` (reading count, last time); every other",
    "event also writes an `activity` row. Time and speed depend on the machine: rerun to compare.",
    "",
  ].join("\n");
  writeFileSync(join(root, "reports", "indexer.md"), md);
  log(
    `${events} events: backfill ${backfillSeconds.toFixed(1)} s = ${result.eventsPerSecond.backfill} events/s; ` +
      `start to synced ${wallSeconds.toFixed(1)} s = ${result.eventsPerSecond.startToSynced} events/s`,
  );
  log("wrote reports/indexer.json and reports/indexer.md");
}

try {
  await main();
} catch (error) {
  console.error(
    `\n[indexer-bench] FAIL: ${error instanceof CheckError ? error.message : String((error as Error).stack ?? error)}`,
  );
  process.exitCode = 1;
} finally {
  stopAll();
}
