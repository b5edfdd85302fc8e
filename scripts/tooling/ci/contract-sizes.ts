/**
 * Fails if any production contract's runtime bytecode exceeds EIP-170's 24,576 bytes or its
 * init code exceeds EIP-3860's 49,152 bytes (tests may run with the limit lifted for coverage;
 * deployments never can). Run after `hardhat build`; prints each contract's size.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const MAX_RUNTIME = 24_576;
const MAX_INIT = 49_152;
const root = "artifacts/contracts";
const problems: string[] = [];
const rows: [string, number, number][] = [];

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
    }
  }
}
walk(root);
for (const [name, runtime, init] of rows.sort((a, b) => b[1] - a[1])) {
  console.log(`${runtime.toString().padStart(6)} B runtime  ${init.toString().padStart(6)} B init  ${name}`);
}
if (problems.length > 0) {
  console.error(`sizes: ${problems.length} contract(s) too large to deploy:\n  - ${problems.join("\n  - ")}`);
  process.exit(1);
}
console.log(`sizes: ${rows.length} contracts within EIP-170/EIP-3860 limits.`);
