import { expect } from "chai";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = process.cwd();
const SCRIPTS = join(ROOT, "scripts");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Relative module specifiers of a TypeScript file (static and dynamic imports, re-exports). */
function relativeImports(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const specs: string[] = [];
  for (const m of source.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) specs.push(m[1]);
  return specs;
}

describe("scripts/ layout: operator code apart from project tooling (scripts/README.md)", function () {
  it("every script lives in operator/, tooling/ or lib/", function () {
    const loose = readdirSync(SCRIPTS).filter((name) => !["operator", "tooling", "lib", "README.md"].includes(name));
    expect(loose).to.deep.equal([]);
  });

  it("operator/ and lib/ never import tooling/ (operators need no project tooling)", function () {
    const offenders: string[] = [];
    for (const file of [...filesUnder(join(SCRIPTS, "operator")), ...filesUnder(join(SCRIPTS, "lib"))]) {
      if (!file.endsWith(".ts")) continue;
      for (const spec of relativeImports(file)) {
        const target = resolve(dirname(file), spec);
        if (relative(join(SCRIPTS, "tooling"), target).startsWith("..")) continue;
        offenders.push(`${relative(ROOT, file)} imports ${spec}`);
      }
    }
    expect(offenders).to.deep.equal([]);
  });

  it("the check sees imports: a tooling module imports operator code (the direction that is allowed)", function () {
    // Guards the scanner itself: if it found no relative import anywhere, the rule above would hold vacuously.
    const e2eImports = filesUnder(join(SCRIPTS, "tooling", "e2e")).flatMap(relativeImports);
    expect(e2eImports.some((spec) => spec.includes("operator/"))).to.equal(true);
  });

  it("every task part has its actions module next to its library", function () {
    for (const part of ["assets", "devices", "income", "rental", "maintenance", "governance", "local"]) {
      expect(statSync(join(SCRIPTS, "operator", part, "actions.ts")).isFile(), part).to.equal(true);
    }
  });
});
