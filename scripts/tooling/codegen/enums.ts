/**
 * Generates client/src/enums.ts from the enums and the named-constant libraries (a `library` holding only
 * integer constants, such as ReadingKinds) the production contracts declare, so the client and the scripts
 * never mirror a Solidity enum or a registry of numbers by hand (issue 15: "TypeScript enums generated from
 * the contracts", "a registry of reading kinds ... from one source"). The output is committed (tests and
 * scripts import it before any build) and checked:
 *
 *   node scripts/tooling/codegen/enums.ts           rewrite client/src/enums.ts
 *   node scripts/tooling/codegen/enums.ts --check   exit 1 if it differs from what the contracts declare
 *
 * Each enum becomes `export const Name = { Member: value, ... } as const`, its value type
 * `export type Name = ...` and `NameNames`, the member names by value. Names are the Solidity ones;
 * the generic names two contracts share or that mean nothing alone (State, ClaimStatus, EndReason,
 * TermsError, Op) get the part's name from RENAMES, and any other clash fails the generation. A constants
 * library becomes `export const Library = { NAME: value, ... } as const` with the Solidity names.
 * Plain Node (type stripping); reads the sources with @solidity-parser/parser, so no build is needed,
 * and formats with the repository's prettier.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, visit } from "@solidity-parser/parser";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const OUTPUT = join(ROOT, "client", "src", "enums.ts");

/** `Contract.Enum` -> exported name, for the names that would clash or mean nothing alone. */
export const RENAMES: Readonly<Record<string, string>> = {
  "IRentalTypes.State": "RentalState",
  "IRentalTypes.EndReason": "RentalEndReason",
  "IRentalTypes.ClaimStatus": "RentalClaimStatus",
  "IRentalTypes.TermsError": "RentalTermsError",
  "IMaintenance.State": "OrderState",
  "IMaintenance.ClaimStatus": "MilestoneClaimStatus",
  "IShareCompliance.Op": "ShareOp",
};

export interface SolidityEnum {
  /** Exported TypeScript name. */
  name: string;
  /** `Contract.Enum` in Solidity. */
  qualified: string;
  /** Source path, relative to the repository. */
  file: string;
  members: string[];
}

/** A library of named integer constants (`uint* internal constant NAME = literal;` and nothing else). */
export interface SolidityConstants {
  /** The library's name, also the exported TypeScript name. */
  name: string;
  /** Source path, relative to the repository. */
  file: string;
  /** Name -> value, in declaration order. */
  values: [string, number][];
}

/** The constants libraries declared in `sources`: libraries whose every member is an integer literal constant. */
export function constantsOf(sources: ReadonlyArray<{ file: string; content: string }>): SolidityConstants[] {
  const out: SolidityConstants[] = [];
  for (const { file, content } of sources) {
    const ast = parse(content, { tolerant: false });
    visit(ast, {
      ContractDefinition(contract) {
        if (contract.kind !== "library" || contract.subNodes.length === 0) return;
        const values: [string, number][] = [];
        for (const node of contract.subNodes) {
          const n = node as unknown as {
            type: string;
            variables?: { name: string; isDeclaredConst?: boolean; expression?: { type: string; number?: string } }[];
          };
          const v = n.type === "StateVariableDeclaration" && n.variables?.length === 1 ? n.variables[0]! : undefined;
          if (v === undefined || !v.isDeclaredConst || v.expression?.type !== "NumberLiteral") return;
          const value = Number(v.expression.number);
          if (!Number.isSafeInteger(value)) throw new Error(`${contract.name}.${v.name}: not a small integer`);
          values.push([v.name, value]);
        }
        const seen = new Set<number>();
        for (const [name, value] of values) {
          if (seen.has(value)) throw new Error(`${contract.name}.${name}: value ${value} used twice`);
          seen.add(value);
        }
        out.push({ name: contract.name, file, values });
      },
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The enums declared in `sources` (path relative to the repository -> Solidity text). */
export function enumsOf(sources: ReadonlyArray<{ file: string; content: string }>): SolidityEnum[] {
  const out: SolidityEnum[] = [];
  for (const { file, content } of sources) {
    const ast = parse(content, { tolerant: false });
    visit(ast, {
      ContractDefinition(contract) {
        for (const node of contract.subNodes) {
          if (node.type !== "EnumDefinition") continue;
          const definition = node as unknown as { name: string; members: { name: string }[] };
          const qualified = `${contract.name}.${definition.name}`;
          out.push({
            name: RENAMES[qualified] ?? definition.name,
            qualified,
            file,
            members: definition.members.map((m) => m.name),
          });
        }
      },
    });
  }
  const seen = new Map<string, string>();
  for (const e of out) {
    const other = seen.get(e.name);
    if (other !== undefined) {
      throw new Error(`enums ${other} and ${e.qualified} would both be exported as ${e.name}: add one to RENAMES`);
    }
    seen.set(e.name, e.qualified);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The text of client/src/enums.ts for `enums` and the constants libraries `constants`. */
export function enumsModule(enums: readonly SolidityEnum[], constants: readonly SolidityConstants[] = []): string {
  const lines = [
    "// Generated by scripts/tooling/codegen/enums.ts from the contracts' enums and constants libraries; do not edit.",
    "// Regenerate with `node scripts/tooling/codegen/enums.ts` (test/client/enums.test.ts checks it is current).",
    "",
  ];
  for (const e of enums) {
    lines.push(
      `/** ${e.qualified} (${e.file}). */`,
      `export const ${e.name} = {`,
      ...e.members.map((m, i) => `  ${m}: ${i},`),
      "} as const;",
      `/** A value of ${e.qualified}. */`,
      `export type ${e.name} = (typeof ${e.name})[keyof typeof ${e.name}];`,
      `/** ${e.qualified} member names by value. */`,
      `export const ${e.name}Names = [${e.members.map((m) => JSON.stringify(m)).join(", ")}] as const;`,
      "",
    );
  }
  for (const c of constants) {
    lines.push(
      `/** ${c.name} (${c.file}). */`,
      `export const ${c.name} = {`,
      ...c.values.map(([name, value]) => `  ${name}: ${value},`),
      "} as const;",
      `/** A value of ${c.name}. */`,
      `export type ${c.name} = (typeof ${c.name})[keyof typeof ${c.name}];`,
      "",
    );
  }
  return lines.join("\n");
}

function productionSources(): { file: string; content: string }[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === "test" && dir.endsWith("contracts") ? [] : walk(path);
      return name.endsWith(".sol") ? [path] : [];
    });
  return walk(join(ROOT, "contracts"))
    .sort()
    .map((path) => ({ file: relative(ROOT, path), content: readFileSync(path, "utf8") }));
}

/** client/src/enums.ts as the current contracts declare it, formatted by the repository's prettier. */
export async function currentModule(): Promise<string> {
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(OUTPUT)) ?? {};
  const sources = productionSources();
  return prettier.format(enumsModule(enumsOf(sources), constantsOf(sources)), { ...options, filepath: OUTPUT });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = await currentModule();
  const committed = (() => {
    try {
      return readFileSync(OUTPUT, "utf8");
    } catch {
      return "";
    }
  })();
  if (process.argv.includes("--check")) {
    if (committed !== text) {
      console.error(
        `error: ${relative(ROOT, OUTPUT)} is not what the contracts declare: run node scripts/tooling/codegen/enums.ts`,
      );
      process.exitCode = 1;
    } else console.log(`enums: ${relative(ROOT, OUTPUT)} matches the contracts`);
  } else if (committed === text) {
    console.log(`enums: ${relative(ROOT, OUTPUT)} unchanged`);
  } else {
    writeFileSync(OUTPUT, text);
    console.log(`enums: wrote ${relative(ROOT, OUTPUT)}`);
  }
}
