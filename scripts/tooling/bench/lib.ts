/**
 * Report writing shared by the bench and the parallel report: a rerun on an unchanged tree leaves
 * the committed reports byte for byte as they are.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Set to 1 to rewrite machine-dependent measurements even when no reproducible figure moved. */
export const REFRESH_MEASUREMENTS = process.env.BENCH_MEASUREMENTS === "1";

/** Writes `text` to `file` unless it already holds exactly that. Returns whether the file was written. */
export function writeIfChanged(file: string, text: string): boolean {
  if (existsSync(file) && readFileSync(file, "utf8") === text) return false;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return true;
}

/**
 * Writes a JSON report of reproducible `figures` (gas, counts: the same on every machine) and a
 * `measured` section of machine-dependent measurements (seconds, rates, memory). When the file exists
 * and its figures equal these, it is left untouched, whatever the measurements say (they are noise
 * between two runs of an unchanged tree), unless BENCH_MEASUREMENTS=1.
 * Returns "written", "unchanged" (same bytes) or "kept" (only measurements moved: not rewritten).
 */
export function writeMeasuredReport(
  file: string,
  figures: Record<string, unknown>,
  measured: Record<string, unknown>,
): "written" | "unchanged" | "kept" {
  const text =
    JSON.stringify(
      {
        ...figures,
        measured: {
          note: "machine-dependent measurements of the run that last changed a figure above (or of BENCH_MEASUREMENTS=1): not reproducible, not compared",
          ...measured,
        },
      },
      null,
      2,
    ) + "\n";
  if (existsSync(file) && !REFRESH_MEASUREMENTS) {
    let before: Record<string, unknown> | undefined;
    try {
      before = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch {
      before = undefined;
    }
    if (before !== undefined && "measured" in before) {
      const { measured: _old, ...oldFigures } = before;
      if (JSON.stringify(oldFigures) === JSON.stringify(figures)) {
        return readFileSync(file, "utf8") === text ? "unchanged" : "kept";
      }
    }
  }
  writeIfChanged(file, text);
  return "written";
}
