/**
 * Branch coverage report: recomputes, for every production contract, the branch points and tags
 * the `--coverage` build used (Hardhat's statement instrumentation, then ./branches.ts), and
 * looks each arm up in the hits Hardhat saved under coverage/data/<run>/*.json.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { addStatementCoverageInstrumentation, latestSupportedSolidityVersion } from "@nomicfoundation/edr";
import { assertSameLines, instrumentBranches, type BranchPoint } from "./branches.js";

export interface UncoveredArm {
  line: number;
  kind: BranchPoint["kind"];
  arm: string;
  condition: string;
}

export interface FileBranches {
  file: string;
  found: number;
  hit: number;
  uncovered: UncoveredArm[];
}

/** Every tag hit by any test run saved under `dataDir` (Hardhat writes one JSON file per worker). */
export function loadHits(dataDir: string): Set<string> {
  const hits = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith(".json")) {
        const counts = JSON.parse(readFileSync(path, "utf8")) as Record<string, number>;
        for (const [tag, count] of Object.entries(counts))
          if (count > 0) hits.add(tag.toLowerCase().replace(/^0x/, ""));
      }
    }
  };
  walk(dataDir);
  return hits;
}

/**
 * The version EDR instruments with: the compiler's, capped at the newest EDR knows (what
 * Hardhat's own instrumentation does), so the recomputed tags are the build's.
 */
export function instrumentationVersion(solcVersion: string): string {
  const latest = latestSupportedSolidityVersion();
  const parts = (v: string) => v.split(".").map(Number);
  const [a, b] = [parts(solcVersion), parts(latest)];
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? solcVersion : latest;
  return solcVersion;
}

/** Branch points of one source file, as the coverage build instrumented it. */
export function branchPointsOf(root: string, file: string, solcVersion: string): BranchPoint[] {
  const sourceName = `project/${relative(root, file).split("\\").join("/")}`;
  const original = readFileSync(file, "utf8");
  const { source } = addStatementCoverageInstrumentation(original, sourceName, instrumentationVersion(solcVersion));
  assertSameLines(original, source, sourceName);
  return instrumentBranches(source, sourceName).points;
}

export function branchCoverage(root: string, files: string[], hits: Set<string>, solcVersion: string): FileBranches[] {
  return files.map((file) => {
    const points = branchPointsOf(root, file, solcVersion);
    const uncovered: UncoveredArm[] = [];
    let hit = 0;
    for (const point of points) {
      for (const arm of point.arms) {
        if (hits.has(arm.tag)) hit++;
        else uncovered.push({ line: point.line, kind: point.kind, arm: arm.label, condition: point.condition });
      }
    }
    return { file: relative(root, file), found: points.length * 2, hit, uncovered };
  });
}
