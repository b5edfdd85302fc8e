/**
 * Gas snapshot check: regenerates the gas figures into a temporary folder and compares them with
 * the committed reports/gas.json. Fails when an operation costs more than GAS_TOLERANCE (default
 * 2%) above its snapshot, when an operation of the snapshot is no longer measured, or when a
 * measured operation has no snapshot. A change that makes something dearer passes only if
 * reports/gas.json is regenerated (`npm run bench`) and committed with it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TOLERANCE = Number(process.env.GAS_TOLERANCE ?? 0.02);
const snapshotFile = "reports/gas.json";
if (!existsSync(snapshotFile)) {
  console.error(`gas: ${snapshotFile} is missing: run \`npm run bench\` and commit it.`);
  process.exit(1);
}
const snapshot = JSON.parse(readFileSync(snapshotFile, "utf8")) as Record<string, number>;

const out = mkdtempSync(join(tmpdir(), "plinth-gas-"));
try {
  console.log("gas: measuring (npm run bench into a temporary folder) ...");
  const run = spawnSync("npx", ["hardhat", "run", "scripts/tooling/bench/run.ts"], {
    stdio: "inherit",
    env: { ...process.env, BENCH_OUT: out, BENCH_AREAS: "" },
  });
  if (run.status !== 0) {
    console.error(`gas: the bench failed (exit ${run.status}).`);
    process.exit(1);
  }
  const fresh = JSON.parse(readFileSync(join(out, "gas.json"), "utf8")) as Record<string, number>;
  const problems: string[] = [];
  let compared = 0;
  for (const [key, before] of Object.entries(snapshot)) {
    const now = fresh[key];
    if (now === undefined) {
      problems.push(`${key}: in the snapshot (${before}) but no longer measured`);
      continue;
    }
    compared++;
    if (key.endsWith(".floor")) continue; // floors are computed references, not costs
    if (now > before * (1 + TOLERANCE)) {
      problems.push(`${key}: ${before} -> ${now} (+${(((now - before) / before) * 100).toFixed(2)}%)`);
    }
  }
  for (const key of Object.keys(fresh)) {
    if (!(key in snapshot)) problems.push(`${key}: measured (${fresh[key]}) but not in the committed snapshot`);
  }
  if (problems.length > 0) {
    console.error(`gas: snapshot check FAILED (tolerance ${(TOLERANCE * 100).toFixed(1)}%):`);
    for (const p of problems) console.error(`  - ${p}`);
    console.error("If the change is intended, run `npm run bench` and commit reports/gas.json with it.");
    process.exit(1);
  }
  console.log(`gas: ${compared} operations within ${(TOLERANCE * 100).toFixed(1)}% of the committed snapshot.`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
