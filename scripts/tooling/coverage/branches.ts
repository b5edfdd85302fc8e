/**
 * Branch coverage for Hardhat 3.
 *
 * Hardhat 3's `--coverage` (EDR) instruments statements only: it inserts
 * `__NomicFoundationCoverage.sendHit(<tag>)` before every statement and records which tags ran.
 * That cannot tell whether the false side of an `if` without `else` ever ran, or whether a
 * `require` ever failed. This module adds the missing branch probes to the source EDR has already
 * instrumented, through the same hit channel:
 *
 * - `if (c)`                  -> `if (__PlinthBranchCoverage.hit(c, T, F))`
 * - `c ? a : b`               -> `__PlinthBranchCoverage.hit(c, T, F) ? a : b`
 * - `require(c, ...)`/`assert(c)` -> `require(__PlinthBranchCoverage.hit(c, T, F), ...)`
 *
 * `hit` sends tag T when the condition holds and F when it does not, then returns the condition
 * unchanged, so the program's behaviour is the same. These are the branch kinds solidity-coverage
 * (Istanbul) counts: two arms per `if`, per `require`/`assert` (pass, fail) and per ternary.
 *
 * Tags are a pure function of the source name, the instrumented text and the branch's position,
 * so the coverage gate recomputes exactly the tags the build used and looks them up in the hits
 * Hardhat saved under coverage/data. EDR only inserts text on existing lines, so line numbers in
 * the instrumented text are the original file's (checked by {@link assertSameLines}).
 */
import { createHash } from "node:crypto";
import { parse } from "@solidity-parser/parser";

/** Source name of the helper library added to the compilation under `--coverage`. */
export const BRANCH_LIBRARY_SOURCE_NAME = "__PlinthBranchCoverage.sol";
const LIBRARY = "__PlinthBranchCoverage";
/** What EDR calls to record a hit; present in every file it instrumented. */
const EDR_HIT = /__NomicFoundationCoverage\.sendHit\(0x[0-9a-fA-F]{64}\);\s*/g;
const EDR_IMPORT = /import "(__NomicFoundationCoverage-[0-9a-f-]+\.sol)";\s*$/;

export type BranchKind = "if" | "require" | "assert" | "ternary";

export interface BranchArm {
  /** "true"/"false" for `if` and ternaries, "pass"/"fail" for `require`/`assert`. */
  label: string;
  /** 64 hex characters, no 0x: the key Hardhat writes into coverage/data. */
  tag: string;
}

export interface BranchPoint {
  kind: BranchKind;
  /** 1-based line of the condition in the original file. */
  line: number;
  /** The condition's source text (EDR's insertions removed), for reports. */
  condition: string;
  arms: [BranchArm, BranchArm];
}

export interface BranchInstrumentation {
  source: string;
  points: BranchPoint[];
}

/** The helper library; it calls EDR's coverage library, whose source name EDR chose. */
export function branchLibrarySource(edrLibrarySourceName: string): string {
  return `// SPDX-License-Identifier: MIT
pragma solidity >=0.8.0 <0.9.0;

import "${edrLibrarySourceName}";

library ${LIBRARY} {
  function hit(bool condition, uint256 onTrue, uint256 onFalse) internal pure returns (bool) {
    __NomicFoundationCoverage.sendHit(condition ? onTrue : onFalse);
    return condition;
  }
}
`;
}

/** The name of EDR's coverage library imported by an instrumented file, if it is one. */
export function edrLibraryOf(instrumentedSource: string): string | undefined {
  return EDR_IMPORT.exec(instrumentedSource)?.[1];
}

interface Node {
  type: string;
  range?: [number, number];
  [key: string]: unknown;
}

interface Probe {
  kind: BranchKind;
  /** Inclusive start and end offsets (UTF-16) of the condition. */
  start: number;
  end: number;
}

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && typeof (value as Node).type === "string";
}

/** Finds the branch conditions, skipping places where a function call is not allowed. */
function collectProbes(root: Node): Probe[] {
  const probes: Probe[] = [];
  const visit = (node: Node): void => {
    switch (node.type) {
      // Compile-time constants cannot call a function; assembly has no Solidity branches.
      case "FileLevelConstant":
      case "InlineAssemblyStatement":
        return;
      case "StateVariableDeclaration": {
        const variables = node.variables as Array<{ isDeclaredConst?: boolean }>;
        if (variables.some((v) => v.isDeclaredConst === true)) return;
        break;
      }
      case "IfStatement":
        probes.push(probeOf("if", node.condition as Node));
        break;
      case "Conditional":
        probes.push(probeOf("ternary", node.condition as Node));
        break;
      case "FunctionCall": {
        const callee = node.expression as Node;
        const args = node.arguments as Node[];
        if (
          callee.type === "Identifier" &&
          (callee.name === "require" || callee.name === "assert") &&
          args.length > 0
        ) {
          probes.push(probeOf(callee.name, args[0]));
        }
        break;
      }
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === "range" || key === "loc") continue;
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) visit(item);
      } else if (isNode(value)) {
        visit(value);
      }
    }
  };
  visit(root);
  return probes;
}

function probeOf(kind: BranchKind, condition: Node): Probe {
  if (condition.range === undefined) throw new Error("the Solidity parser returned a node without a range");
  return { kind, start: condition.range[0], end: condition.range[1] };
}

function tagOf(sourceName: string, sourceHash: string, index: number, label: string): string {
  return createHash("sha256").update(`plinth-branch\0${sourceName}\0${sourceHash}\0${index}\0${label}`).digest("hex");
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Adds branch probes to a file EDR has instrumented for statement coverage. Returns the new source
 * (which imports the helper library) and every branch point with its two arms' tags.
 */
export function instrumentBranches(instrumentedSource: string, sourceName: string): BranchInstrumentation {
  if (edrLibraryOf(instrumentedSource) === undefined) {
    throw new Error(`${sourceName}: not instrumented by Hardhat's coverage (no EDR coverage import)`);
  }
  let ast: Node;
  try {
    ast = parse(instrumentedSource, { range: true, tolerant: false }) as unknown as Node;
  } catch (error) {
    throw new Error(`${sourceName}: cannot parse the instrumented source: ${(error as Error).message}`);
  }
  const probes = collectProbes(ast).sort((a, b) => a.start - b.start || b.end - a.end);
  const sourceHash = createHash("sha256").update(instrumentedSource).digest("hex");

  const points: BranchPoint[] = probes.map((probe, index) => {
    const [first, second] = probe.kind === "require" || probe.kind === "assert" ? ["pass", "fail"] : ["true", "false"];
    return {
      kind: probe.kind,
      line: lineAt(instrumentedSource, probe.start),
      condition: instrumentedSource
        .slice(probe.start, probe.end + 1)
        .replace(EDR_HIT, "")
        .replace(/\s+/g, " "),
      arms: [
        { label: first, tag: tagOf(sourceName, sourceHash, index, first) },
        { label: second, tag: tagOf(sourceName, sourceHash, index, second) },
      ],
    };
  });

  // Insertions: a prefix before each condition and a suffix after it. Conditions can nest (a
  // ternary inside an `if` condition): at one offset, suffixes close inner conditions before
  // outer ones, and prefixes open outer conditions before inner ones.
  interface Insertion {
    at: number;
    text: string;
    order: number;
  }
  const insertions: Insertion[] = [];
  probes.forEach((probe, index) => {
    const [onTrue, onFalse] = points[index].arms;
    const width = probe.end - probe.start;
    insertions.push({ at: probe.start, text: `${LIBRARY}.hit(`, order: 1e9 - width });
    insertions.push({ at: probe.end + 1, text: `, 0x${onTrue.tag}, 0x${onFalse.tag})`, order: -1e9 + width });
  });
  // Stable: equal offsets keep the order above (suffixes before prefixes, by nesting).
  insertions.sort((a, b) => a.at - b.at || a.order - b.order);
  let source = "";
  let cursor = 0;
  for (const insertion of insertions) {
    source += instrumentedSource.slice(cursor, insertion.at) + insertion.text;
    cursor = insertion.at;
  }
  source += instrumentedSource.slice(cursor);
  source += `\nimport "${BRANCH_LIBRARY_SOURCE_NAME}";\n`;
  return { source, points };
}

/**
 * Checks that EDR's instrumentation kept every line where it was, so that the line numbers of
 * branch points are the original file's.
 */
export function assertSameLines(original: string, instrumented: string, sourceName: string): void {
  const lines = (s: string) => s.trimEnd().split("\n").length;
  const before = lines(original);
  const after = lines(instrumented.replace(EDR_IMPORT, ""));
  if (before !== after) {
    throw new Error(
      `${sourceName}: Hardhat's instrumentation moved lines (${before} -> ${after}); branch line numbers would be wrong`,
    );
  }
}
