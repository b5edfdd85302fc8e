/**
 * Compiles everything from scratch (contracts and Solidity tests) and fails if solc printed any
 * warning: Plinth keeps the compiler silent.
 */
import { spawnSync } from "node:child_process";

const run = spawnSync("npx", ["hardhat", "build", "--force"], { encoding: "utf8", maxBuffer: 1 << 26 });
const output = (run.stdout ?? "") + (run.stderr ?? "");
if (run.status !== 0) {
  console.error(output);
  console.error(`compile: failed (exit ${run.status}).`);
  process.exit(1);
}
const warnings = output.split("\n").filter((l) => /warning/i.test(l));
if (warnings.length > 0) {
  console.error(output);
  console.error(`compile: ${warnings.length} warning line(s); Plinth builds with none.`);
  process.exit(1);
}
console.log(output.trim().split("\n").slice(-1)[0]);
console.log("compile: no compiler warnings.");
