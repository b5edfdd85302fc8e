/**
 * Coverage gate: runs `hardhat test --coverage`, then fails below the thresholds for the
 * production contracts (everything under contracts/ except contracts/test/, which holds test
 * helpers, mocks and attack contracts). Prints every uncovered line and branch arm, and writes
 * the summary to reports/coverage.md and reports/coverage.json.
 *
 * - Lines and statements: Hardhat 3's own coverage (coverage/lcov.info and its table).
 * - Branches: Hardhat 3 (EDR 0.22) reports none, so the project's plugin (scripts/tooling/coverage/) adds
 *   a probe to each branch of the coverage build: both arms of every `if`, `require`/`assert`
 *   (pass and fail) and ternary, as solidity-coverage counts them. Their hits land beside
 *   Hardhat's in coverage/data; scripts/tooling/coverage/report.ts recomputes the probes' tags.
 *
 * Thresholds (env), each applied to every production file and to the total:
 *   COVERAGE_MIN_LINES (default 100), COVERAGE_MIN_BRANCHES (default 95),
 *   COVERAGE_MIN_STATEMENTS (default 95).
 *
 * Usage: node --import tsx scripts/tooling/ci/coverage-gate.ts            (runs the tests with coverage)
 *        node --import tsx scripts/tooling/ci/coverage-gate.ts --from LOG (reuses a saved run's output,
 *                                                                  lcov.info and coverage/data)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { branchCoverage, loadHits, type FileBranches } from "../coverage/report.js";

const ROOT = process.cwd();
const SOLC_VERSION = "0.8.37";
const MIN_LINES = Number(process.env.COVERAGE_MIN_LINES ?? 100);
const MIN_BRANCHES = Number(process.env.COVERAGE_MIN_BRANCHES ?? 95);
const MIN_STATEMENTS = Number(process.env.COVERAGE_MIN_STATEMENTS ?? 95);
const EXCLUDED = (file: string) => !file.startsWith("contracts/") || file.startsWith("contracts/test/");

let output: string;
const fromIndex = process.argv.indexOf("--from");
if (fromIndex !== -1) {
  output = readFileSync(process.argv[fromIndex + 1], "utf8");
} else {
  console.log("coverage: running `hardhat test --coverage` ...");
  // The coverage profile (hardhat.config.ts): a quarter of the fuzz and invariant runs; `npm test` runs them all.
  const run = spawnSync("npx", ["hardhat", "test", "--coverage"], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
    env: { ...process.env, PLINTH_TEST_PROFILE: process.env.PLINTH_TEST_PROFILE ?? "coverage" },
  });
  output = (run.stdout ?? "") + (run.stderr ?? "");
  console.log(output);
  if (run.status !== 0) {
    console.error(`coverage: the test run failed (exit ${run.status}); no coverage verdict.`);
    process.exit(1);
  }
}

for (const needed of ["coverage/lcov.info", "coverage/data"]) {
  if (!existsSync(needed)) {
    console.error(`coverage: ${needed} is missing: did \`hardhat test --coverage\` run?`);
    process.exit(1);
  }
}

// ---------------------------------------------------------------- lines and statements (Hardhat)
const lineHits = new Map<string, Map<number, number>>();
let current: Map<number, number> | undefined;
for (const line of readFileSync("coverage/lcov.info", "utf8").split("\n")) {
  if (line.startsWith("SF:")) {
    current = new Map();
    lineHits.set(line.slice(3).trim(), current);
  } else if (line.startsWith("DA:") && current) {
    const [n, count] = line.slice(3).split(",").map(Number);
    current.set(n, count);
  }
}

// Statement percentages come from Hardhat's table (they are not in lcov). Paths there may be
// shortened with a leading "…": match them by suffix.
const statementPct = new Map<string, number>();
const plain = output.replace(/\u001b\[[0-9;]*m/g, "");
for (const row of plain.split("\n")) {
  const cells = row
    .split(/[║│]/)
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
  if (cells.length < 3 || !cells[0].endsWith(".sol")) continue;
  const shown = cells[0].replace(/^…/, "");
  for (const file of lineHits.keys()) if (file.endsWith(shown)) statementPct.set(file, Number(cells[2]));
}

// ---------------------------------------------------------------- branches (scripts/tooling/coverage)
function solidityFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return solidityFiles(path);
    return path.endsWith(".sol") ? [path] : [];
  });
}
const production = solidityFiles(join(ROOT, "contracts"))
  .filter((file) => !EXCLUDED(relative(ROOT, file)))
  .sort();
const branches = new Map<string, FileBranches>(
  branchCoverage(ROOT, production, loadHits("coverage/data"), SOLC_VERSION).map((b) => [b.file, b]),
);

// ---------------------------------------------------------------- verdict
const pct = (hit: number, found: number) => (found === 0 ? 100 : (100 * hit) / found);
interface Row {
  file: string;
  lines: { hit: number; found: number };
  statements: number;
  branches: { hit: number; found: number };
  uncoveredLines: number[];
  uncoveredBranches: FileBranches["uncovered"];
  ok: boolean;
}
const rows: Row[] = [];
for (const file of production.map((f) => relative(ROOT, f))) {
  const lines = lineHits.get(file);
  const b = branches.get(file);
  if (b === undefined) throw new Error(`coverage: no branch data computed for ${file}`);
  if (lines === undefined) {
    // Interfaces and files without executable code are not instrumented by Hardhat.
    if (b.found !== 0) {
      console.error(`coverage: ${file} has branches but Hardhat instrumented no line of it.`);
      process.exit(1);
    }
    continue;
  }
  const uncoveredLines = [...lines].filter(([, c]) => c === 0).map(([n]) => n);
  const row: Row = {
    file,
    lines: { hit: lines.size - uncoveredLines.length, found: lines.size },
    statements: statementPct.get(file) ?? NaN,
    branches: { hit: b.hit, found: b.found },
    uncoveredLines,
    uncoveredBranches: b.uncovered,
    ok: false,
  };
  row.ok =
    pct(row.lines.hit, row.lines.found) >= MIN_LINES &&
    row.statements >= MIN_STATEMENTS &&
    pct(row.branches.hit, row.branches.found) >= MIN_BRANCHES;
  rows.push(row);
}
if (rows.length === 0) {
  console.error("coverage: no production contract was instrumented.");
  process.exit(1);
}

const sum = (f: (r: Row) => number) => rows.reduce((acc, r) => acc + f(r), 0);
const total = {
  lines: { hit: sum((r) => r.lines.hit), found: sum((r) => r.lines.found) },
  branches: { hit: sum((r) => r.branches.hit), found: sum((r) => r.branches.found) },
};
if (total.branches.found > 0 && total.branches.hit === 0) {
  console.error(
    "coverage: not one branch probe was hit. The branch plugin (scripts/tooling/coverage/plugin.ts, registered in " +
      "hardhat.config.ts) did not instrument the build, or Hardhat no longer calls its hooks.",
  );
  process.exit(1);
}
const totalOk =
  pct(total.lines.hit, total.lines.found) >= MIN_LINES && pct(total.branches.hit, total.branches.found) >= MIN_BRANCHES;

const fmt = (hit: number, found: number) => `${pct(hit, found).toFixed(2)}% (${hit}/${found})`;
for (const r of rows) {
  console.log(
    `${r.ok ? "ok  " : "FAIL"} ${r.file}: lines ${fmt(r.lines.hit, r.lines.found)}, ` +
      `statements ${r.statements.toFixed(2)}%, branches ${fmt(r.branches.hit, r.branches.found)}`,
  );
  if (r.uncoveredLines.length > 0) console.log(`       uncovered lines: ${r.uncoveredLines.join(", ")}`);
  for (const u of r.uncoveredBranches) {
    console.log(`       uncovered branch: ${r.file}:${u.line} ${shown(u)} never ${armText(u.kind, u.arm)}`);
  }
}
console.log(
  `coverage: production contracts: lines ${fmt(total.lines.hit, total.lines.found)}, ` +
    `branches ${fmt(total.branches.hit, total.branches.found)}; thresholds per file and in total: ` +
    `lines >= ${MIN_LINES}%, branches >= ${MIN_BRANCHES}%, statements >= ${MIN_STATEMENTS}%`,
);
writeReports();
if (!totalOk || rows.some((r) => !r.ok)) {
  console.error("coverage: BELOW THRESHOLD (see the FAIL rows and uncovered places above).");
  process.exit(1);
}
console.log("coverage: gate passed.");

function shown(u: { kind: string; condition: string }): string {
  return u.kind === "ternary" ? `${u.condition} ? … : …` : `${u.kind} (${u.condition})`;
}

function armText(kind: string, arm: string): string {
  if (kind === "require" || kind === "assert") return arm === "pass" ? "passed" : "failed (reverted)";
  return `took its ${arm} arm`;
}

function writeReports(): void {
  mkdirSync("reports", { recursive: true });
  const json = {
    tool: "hardhat test --coverage (lines, statements) + scripts/tooling/coverage branch probes",
    thresholds: { lines: MIN_LINES, branches: MIN_BRANCHES, statements: MIN_STATEMENTS },
    total: {
      lines: { ...total.lines, share: pct(total.lines.hit, total.lines.found) / 100 },
      branches: { ...total.branches, share: pct(total.branches.hit, total.branches.found) / 100 },
    },
    files: Object.fromEntries(
      rows.map((r) => [
        r.file,
        {
          lines: r.lines,
          statementsPct: r.statements,
          branches: r.branches,
          uncoveredLines: r.uncoveredLines,
          uncoveredBranches: r.uncoveredBranches,
        },
      ]),
    ),
  };
  writeFileSync("reports/coverage.json", JSON.stringify(json, null, 2) + "\n");

  const md: string[] = [
    "# Coverage of the production contracts",
    "",
    "Regenerated by `npm run coverage` (also the CI gate). Scope: `contracts/` without `contracts/test/`",
    "(mocks, attack contracts). Lines and statements are Hardhat 3's own coverage; branches are both arms",
    "of every `if`, `require`/`assert` (pass and fail) and ternary, probed by `scripts/tooling/coverage/`",
    "because Hardhat 3 reports no branch data.",
    "",
    `Thresholds, per file and in total: lines >= ${MIN_LINES}%, branches >= ${MIN_BRANCHES}%, statements >= ${MIN_STATEMENTS}%.`,
    "",
    "| contract | lines | statements | branches |",
    "|---|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.file} | ${fmt(r.lines.hit, r.lines.found)} | ${r.statements.toFixed(2)}% | ${fmt(r.branches.hit, r.branches.found)} |`,
    ),
    `| **total** | ${fmt(total.lines.hit, total.lines.found)} | | ${fmt(total.branches.hit, total.branches.found)} |`,
    "",
    "## Uncovered",
    "",
  ];
  const uncovered = rows.flatMap((r) => [
    ...r.uncoveredLines.map((n) => `- ${r.file}:${n}: line never executed`),
    ...r.uncoveredBranches.map((u) => `- ${r.file}:${u.line}: \`${shown(u)}\` never ${armText(u.kind, u.arm)}`),
  ]);
  md.push(...(uncovered.length > 0 ? uncovered : ["Nothing: every line and every branch arm is taken."]), "");
  writeFileSync("reports/coverage.md", md.join("\n"));
}
