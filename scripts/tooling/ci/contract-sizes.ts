/**
 * Fails if any production contract's runtime bytecode exceeds EIP-170's 24,576 bytes or its
 * init code exceeds EIP-3860's 49,152 bytes (tests may run with the limit lifted for coverage;
 * deployments never can), or if its runtime exceeds the suite's 22,000-byte goal (at least 10%
 * headroom to fix or extend a contract, issue 15) without being named in OVER_GOAL with the reason.
 * Run after `hardhat build`; prints each contract's size.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const MAX_RUNTIME = 24_576;
const MAX_INIT = 49_152;
const GOAL_RUNTIME = 22_000;
/**
 * Contracts still over the goal, each with why; a contract not named here fails above the goal, and one named here
 * but back under it fails too (so the list only shrinks). Empty since issue 15 moved the rental market (offers,
 * signed offers, configuration) out of the rental escrow: every contract is within the goal.
 */
const OVER_GOAL: Readonly<Record<string, string>> = {};
const root = "artifacts/contracts";
const problems: string[] = [];
const rows: [string, number, number][] = [];
const overGoal: string[] = [];

function walk(dir: string) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (path === join(root, "test")) continue;
      walk(path);
    } else if (entry.endsWith(".json") && !entry.endsWith(".dbg.json") && !entry.includes("artifacts")) {
      const artifact = JSON.parse(readFileSync(path, "utf8")) as {
        contractName?: string;
        bytecode?: string;
        deployedBytecode?: string;
      };
      if (!artifact.deployedBytecode || artifact.deployedBytecode === "0x") continue;
      const runtime = (artifact.deployedBytecode.length - 2) / 2;
      const init = ((artifact.bytecode ?? "0x").length - 2) / 2;
      rows.push([`${dir.slice(root.length + 1)}:${artifact.contractName}`, runtime, init]);
      if (runtime > MAX_RUNTIME) problems.push(`${artifact.contractName}: runtime ${runtime} B > ${MAX_RUNTIME} B`);
      if (init > MAX_INIT) problems.push(`${artifact.contractName}: init code ${init} B > ${MAX_INIT} B`);
      const name = artifact.contractName ?? "";
      const excused = OVER_GOAL[name];
      if (runtime > GOAL_RUNTIME && excused === undefined) {
        problems.push(`${name}: runtime ${runtime} B > the ${GOAL_RUNTIME} B goal (keep 10% headroom)`);
      } else if (runtime <= GOAL_RUNTIME && excused !== undefined) {
        problems.push(`${name}: runtime ${runtime} B is within the goal now: remove it from OVER_GOAL`);
      } else if (excused !== undefined) {
        overGoal.push(`${name} (${runtime} B): ${excused}`);
      }
    }
  }
}
walk(root);
for (const [name, runtime, init] of rows.sort((a, b) => b[1] - a[1])) {
  console.log(`${runtime.toString().padStart(6)} B runtime  ${init.toString().padStart(6)} B init  ${name}`);
}
if (problems.length > 0) {
  console.error(`sizes: ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`);
  process.exit(1);
}
for (const line of overGoal) console.log(`sizes: over the ${GOAL_RUNTIME} B goal, known: ${line}`);
console.log(
  `sizes: ${rows.length} contracts within EIP-170/EIP-3860 limits, ` +
    `${rows.length - overGoal.length} within the ${GOAL_RUNTIME} B goal.`,
);
