/**
 * Fault injection (mutation testing) over the production contracts: one small change at a time, in
 * the three classes issue #12 names, and whether the whole suite notices it.
 *
 * - `boundary`: a comparison moved by one (`<` to `<=`, `<=` to `<`, `>` to `>=`, `>=` to `>`).
 * - `assignment`: a state assignment or `delete` removed (the statement becomes `{}`).
 * - `event-arg`: one argument of an `emit` changed to a wrong value of the same type (the lowest bit
 *   flipped for integers, addresses and bytes32; negated for bools).
 *
 * Sites come from solc's typed AST (the build info of `hardhat build`), so every mutant compiles.
 * A deterministic sample (seeded, stratified by class) is drawn; for each mutant the file is
 * changed in place, the contracts are built, every Mocha test runs with `--bail` (the mutated part's
 * own tests first), then the Solidity tests (fuzz and invariants). A failing test kills the mutant; a
 * run that passes every test leaves it alive. The file is always restored; one run at a time
 * (`.mutation.lock`).
 *
 *   npm run mutation -- [--sample N] [--seed S] [--files a.sol,b.sol]
 *        [--only id,id] [--tests a.test.ts,b.test.ts] [--list] [--out reports/tmp/mutation.json]
 *
 * `--tests` runs only those Mocha files (to show that a new test kills a mutant the suite missed).
 *
 * Run it on a clean checkout (it refuses a dirty contracts/ tree): it edits contracts/ while it runs.
 * It takes about a minute per mutant on two cores.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

type MutantClass = "boundary" | "assignment" | "event-arg";
interface Mutant {
  id: string;
  file: string;
  line: number;
  cls: MutantClass;
  original: string;
  mutated: string;
  start: number;
  length: number;
}
interface Result extends Omit<Mutant, "start" | "length"> {
  status: "killed" | "alive" | "stillborn" | "timeout";
  killedBy?: string;
  seconds: number;
}

const ROOT = path.resolve(import.meta.dirname, "../../..");
const PRODUCTION_DIRS = ["assets", "devices", "income", "maintenance", "rental"];
const BIN = path.join(ROOT, "node_modules/.bin");

function args() {
  const a = process.argv.slice(2);
  const get = (name: string) => {
    const i = a.indexOf(`--${name}`);
    return i >= 0 ? a[i + 1] : undefined;
  };
  return {
    sample: Number(get("sample") ?? "60"),
    seed: Number(get("seed") ?? "12"),
    files: get("files")?.split(","),
    only: get("only")?.split(","),
    tests: get("tests")?.split(","),
    list: a.includes("--list"),
    out: get("out") ?? "reports/tmp/mutation.json",
  };
}

function productionFiles(): string[] {
  const out: string[] = [];
  for (const dir of PRODUCTION_DIRS) {
    for (const f of readdirSync(path.join(ROOT, "contracts", dir), { recursive: true }) as string[]) {
      const base = path.basename(f);
      if (!f.endsWith(".sol") || /^I[A-Z]/.test(base)) continue;
      out.push(path.join("contracts", dir, f));
    }
  }
  return out.sort();
}

/**
 * solc's AST of each project source, from a build info whose input holds the file's current text
 * (stale build infos of earlier builds, mutants included, are skipped: their offsets would not match).
 */
function astsByFile(): Map<string, unknown> {
  const dir = path.join(ROOT, "artifacts/build-info");
  const asts = new Map<string, unknown>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".output.json"))) {
    const input = JSON.parse(readFileSync(path.join(dir, file.replace(".output.json", ".json")), "utf8")) as {
      input: { sources: Record<string, { content: string }> };
    };
    const json = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as {
      output: { sources: Record<string, { ast: unknown }> };
    };
    for (const [name, src] of Object.entries(json.output.sources)) {
      if (!name.startsWith("project/")) continue;
      const rel = name.slice("project/".length);
      const current = existsSync(path.join(ROOT, rel)) ? readFileSync(path.join(ROOT, rel), "utf8") : undefined;
      if (input.input.sources[name]?.content === current) asts.set(rel, src.ast);
    }
  }
  return asts;
}

type Node = { nodeType?: string; src?: string; [k: string]: unknown };

function walk(node: unknown, visit: (n: Node) => void) {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const n = node as Node;
  if (typeof n.nodeType === "string") visit(n);
  for (const [k, v] of Object.entries(n)) if (k !== "typeDescriptions") walk(v, visit);
}

function span(n: Node): [number, number] {
  const [s, l] = (n.src ?? "0:0").split(":").map(Number);
  return [s, l];
}

const FLIP: Record<string, string> = { "<": "<=", "<=": "<", ">": ">=", ">=": ">" };

/** A wrong value of the same type, for an event argument's source text. */
function wrongValue(text: string, type: string): string | undefined {
  if (type === "bool") return `!(${text})`;
  if (/^u?int\d*$/.test(type)) return `((${text}) ^ 1)`;
  if (/^u?int\d* literal|^int_const/.test(type)) return undefined;
  if (type === "address" || type === "address payable") return `address(uint160(${text}) ^ 1)`;
  if (type === "bytes32") return `((${text}) ^ bytes32(uint256(1)))`;
  if (/^enum /.test(type)) return undefined;
  return undefined;
}

function enumerate(file: string, ast: unknown): Mutant[] {
  const source = readFileSync(path.join(ROOT, file), "utf8");
  const bytes = Buffer.from(source, "utf8");
  const text = (s: number, l: number) => bytes.subarray(s, s + l).toString("utf8");
  const lineOf = (s: number) => bytes.subarray(0, s).toString("utf8").split("\n").length;
  const mutants: Mutant[] = [];
  const add = (cls: MutantClass, s: number, l: number, mutated: string) =>
    mutants.push({
      id: `${path.basename(file, ".sol")}:${lineOf(s)}:${cls}:${s}`,
      file,
      line: lineOf(s),
      cls,
      original: text(s, l),
      mutated,
      start: s,
      length: l,
    });
  walk(ast, (n) => {
    if (n.nodeType === "BinaryOperation" && typeof n.operator === "string" && n.operator in FLIP) {
      const [s, l] = span(n);
      const left = n.leftExpression as Node;
      const right = n.rightExpression as Node;
      const [ls, ll] = span(left);
      const [rs, rl] = span(right);
      if (ls + ll > rs) return;
      // Only the operator changes; the text between the operands holds it.
      const between = text(ls + ll, rs - (ls + ll));
      const replaced = between.replace(n.operator, FLIP[n.operator]);
      if (replaced === between) return;
      add("boundary", s, l, text(ls, ll) + replaced + text(rs, rl));
    }
    if (n.nodeType === "ExpressionStatement") {
      const e = n.expression as Node;
      const isAssign = e.nodeType === "Assignment";
      const isDelete = e.nodeType === "UnaryOperation" && e.operator === "delete";
      if (!isAssign && !isDelete) return;
      const [s, l] = span(n);
      // Statement src excludes the semicolon in some solc versions: include it when it follows.
      const end = bytes[s + l] === 0x3b ? l + 1 : l;
      add("assignment", s, end, "{}");
    }
    if (n.nodeType === "EmitStatement") {
      const call = n.eventCall as Node;
      const argsList = (call.arguments as Node[]) ?? [];
      argsList.forEach((arg) => {
        const type = (arg.typeDescriptions as { typeString?: string } | undefined)?.typeString ?? "";
        const [s, l] = span(arg);
        const wrong = wrongValue(text(s, l), type);
        if (wrong !== undefined) add("event-arg", s, l, wrong);
      });
    }
  });
  return mutants;
}

/** A small seeded PRNG (mulberry32): the same seed draws the same sample. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sample(all: Mutant[], n: number, seed: number): Mutant[] {
  const rand = rng(seed);
  const byClass = new Map<MutantClass, Mutant[]>();
  for (const m of all) byClass.set(m.cls, [...(byClass.get(m.cls) ?? []), m]);
  const picked: Mutant[] = [];
  for (const [, list] of byClass) {
    const share = Math.round((n * list.length) / all.length);
    const pool = [...list];
    for (let i = 0; i < share && pool.length > 0; i++) {
      picked.push(pool.splice(Math.floor(rand() * pool.length), 1)[0]);
    }
  }
  return picked.sort((a, b) => a.id.localeCompare(b.id));
}

function testFiles(part: string): string[] {
  const all = (readdirSync(path.join(ROOT, "test"), { recursive: true }) as string[])
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => path.join("test", f));
  const rank = (f: string) => {
    if (f.includes(`/${part}/`) || f.includes(`${part}.test.ts`)) return 0;
    if (/\/(attacks|boundaries|flags|events)\//.test(f)) return 1;
    if (/\/(operators|toolchain|client|deploy|bench)\/|scripts\.test\.ts/.test(f)) return 3;
    return 2;
  };
  return all.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function run(cmd: string, argv: string[], timeoutMs: number) {
  const r = spawnSync(path.join(BIN, cmd), argv, {
    cwd: ROOT,
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
  });
  return { ok: r.status === 0, timedOut: r.error !== undefined, out: `${r.stdout}\n${r.stderr}` };
}

function firstFailure(out: string): string {
  // Mocha's summary: "N failing", then "1) <suite>\n  <nested titles...>:\n  <error>".
  const summary = out.split(/\n\s*\d+ failing\s*\n/)[1];
  const m = summary?.match(/\s*1\) ([\s\S]*?):\n/);
  if (m) return m[1].replace(/\s+/g, " ").trim().slice(0, 200);
  const s = out.match(/\[FAIL[^\]]*\]\s*([^\n]+)/);
  return s ? s[1].trim().slice(0, 200) : "a failing test";
}

function tryMutant(m: Mutant, tests?: string[]): Result {
  const abs = path.join(ROOT, m.file);
  const original = readFileSync(abs);
  const started = Date.now();
  const done = (status: Result["status"], killedBy?: string): Result => ({
    id: m.id,
    file: m.file,
    line: m.line,
    cls: m.cls,
    original: m.original,
    mutated: m.mutated,
    status,
    killedBy,
    seconds: Math.round((Date.now() - started) / 1000),
  });
  try {
    const mutatedSource = Buffer.concat([
      original.subarray(0, m.start),
      Buffer.from(m.mutated, "utf8"),
      original.subarray(m.start + m.length),
    ]);
    writeFileSync(abs, mutatedSource);
    // Contracts only first; the Solidity tests' own compilation is paid only by Mocha's survivors.
    const build = run("hardhat", ["build", "--quiet", "--no-tests", "--no-typechain"], 600_000);
    if (!build.ok)
      return done(
        "stillborn",
        build.out
          .split("\n")
          .find((l) => /Error/.test(l))
          ?.trim(),
      );
    const part = m.file.split("/")[1];
    const mocha = run(
      "hardhat",
      ["test", "mocha", "--bail", "--no-compile", "--no-typechain", ...(tests ?? testFiles(part))],
      900_000,
    );
    if (mocha.timedOut) return done("timeout", "mocha tests");
    if (!mocha.ok) return done("killed", firstFailure(mocha.out));
    if (tests !== undefined) return done("alive");
    const sol = run("hardhat", ["test", "solidity", "--no-typechain"], 600_000);
    if (sol.timedOut) return done("timeout", "solidity tests");
    if (!sol.ok) return done("killed", `solidity: ${firstFailure(sol.out)}`);
    return done("alive");
  } finally {
    writeFileSync(abs, original);
  }
}

function main() {
  const opts = args();
  const dirty = execFileSync("git", ["status", "--porcelain", "contracts"], { cwd: ROOT, encoding: "utf8" });
  if (dirty.trim() !== "") throw new Error(`contracts/ has uncommitted changes; run on a clean tree:\n${dirty}`);
  if (!existsSync(path.join(ROOT, "artifacts/build-info"))) run("hardhat", ["build", "--quiet"], 600_000);
  const asts = astsByFile();
  const files = opts.files ?? productionFiles();
  const all = files.flatMap((f) => {
    const ast = asts.get(f);
    if (ast === undefined) throw new Error(`no AST for ${f}: run "npx hardhat build" first`);
    return enumerate(f, ast);
  });
  const counts = (list: Mutant[]) =>
    Object.fromEntries(["boundary", "assignment", "event-arg"].map((c) => [c, list.filter((m) => m.cls === c).length]));
  console.error(`sites: ${all.length} ${JSON.stringify(counts(all))} in ${files.length} files`);
  const chosen = opts.only ? all.filter((m) => opts.only!.includes(m.id)) : sample(all, opts.sample, opts.seed);
  if (opts.list) {
    for (const m of chosen) console.log(`${m.id}\t${m.original.replace(/\s+/g, " ")}\t=> ${m.mutated}`);
    return;
  }
  // One run at a time: two runs would mutate the same tree and blame each other's faults.
  const lock = path.join(ROOT, ".mutation.lock");
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, "utf8"));
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (alive) throw new Error(`another mutation run (pid ${pid}) is using this tree`);
  }
  writeFileSync(lock, String(process.pid));
  mkdirSync(path.dirname(path.join(ROOT, opts.out)), { recursive: true });
  const results: Result[] = [];
  // Ctrl-C reaches the running Hardhat child too (same process group); the file is restored in
  // tryMutant's finally, and the lock released here.
  process.on("exit", () => rmSync(lock, { force: true }));
  chosen.forEach((m, i) => {
    const r = tryMutant(m, opts.tests);
    results.push(r);
    console.error(
      `[${i + 1}/${chosen.length}] ${r.status.padEnd(9)} ${m.id} (${r.seconds}s)${r.killedBy ? ` by ${r.killedBy}` : ""}`,
    );
    writeFileSync(
      path.join(ROOT, opts.out),
      JSON.stringify({ seed: opts.seed, sample: opts.sample, sites: counts(all), results }, null, 2) + "\n",
    );
  });
  rmSync(lock, { force: true });
  run("hardhat", ["build", "--quiet"], 600_000);
  const valid = results.filter((r) => r.status !== "stillborn");
  const alive = valid.filter((r) => r.status === "alive");
  console.log(`mutants: ${valid.length}, killed: ${valid.length - alive.length}, alive: ${alive.length}`);
  for (const r of alive) console.log(`alive: ${r.id}  ${r.original.replace(/\s+/g, " ")}  =>  ${r.mutated}`);
}

main();
