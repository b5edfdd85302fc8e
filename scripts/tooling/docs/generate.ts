/**
 * `npm run docs`: builds the contracts and writes a browsable reference of every production
 * contract (contracts/, except contracts/test/) from its NatSpec into docs/reference/ (Markdown,
 * one page per contract plus an index). It also enforces the NatSpec rule: every external or
 * public function, event and custom error of a production contract must carry a @notice (or
 * inherit one); anything missing is listed and the command fails.
 *
 * Options (env): DOCS_CHECK_ONLY=1 checks without writing files.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

interface AbiParam {
  name: string;
  type: string;
  components?: AbiParam[];
}
interface AbiItem {
  type: string;
  name?: string;
  inputs?: AbiParam[];
  outputs?: AbiParam[];
  stateMutability?: string;
}
interface MethodDoc {
  notice?: string;
  details?: string;
  params?: Record<string, string>;
  returns?: Record<string, string>;
}
interface ContractOutput {
  abi: AbiItem[];
  userdoc?: {
    notice?: string;
    methods?: Record<string, MethodDoc>;
    events?: Record<string, MethodDoc>;
    errors?: Record<string, MethodDoc[]>;
  };
  devdoc?: {
    title?: string;
    details?: string;
    methods?: Record<string, MethodDoc>;
    events?: Record<string, MethodDoc>;
    errors?: Record<string, MethodDoc[]>;
  };
}

const checkOnly = process.env.DOCS_CHECK_ONLY === "1";
const build = spawnSync("npx", ["hardhat", "build", "--quiet", "--no-tests"], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

// Newest output per source file across build-info files.
const infoDir = "artifacts/build-info";
const outputs = readdirSync(infoDir)
  .filter((f) => f.endsWith(".output.json"))
  .map((f) => join(infoDir, f))
  .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
const contracts = new Map<string, { source: string; name: string; out: ContractOutput }>();
for (const file of outputs) {
  const json = JSON.parse(readFileSync(file, "utf8"));
  const all = (json.output ?? json).contracts as Record<string, Record<string, ContractOutput>>;
  for (const [source, byName] of Object.entries(all)) {
    const rel = source.replace(/^project\//, "");
    if (!rel.startsWith("contracts/") || rel.startsWith("contracts/test/")) continue;
    if (!existsSync(rel)) continue;
    for (const [name, out] of Object.entries(byName)) contracts.set(`${rel}:${name}`, { source: rel, name, out });
  }
}

const typeOf = (p: AbiParam): string =>
  p.type.startsWith("tuple") ? `(${(p.components ?? []).map(typeOf).join(",")})${p.type.slice(5)}` : p.type;
const signature = (item: AbiItem) => `${item.name}(${(item.inputs ?? []).map(typeOf).join(",")})`;
const clean = (s?: string) => (s ?? "").replace(/\s+/g, " ").trim();

// Items declared only in libraries (OpenZeppelin's DEFAULT_ADMIN_ROLE, InvalidShortString, ...)
// carry whatever NatSpec their authors gave them; the rule applies to what Plinth declares.
const projectSources = (function collect(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? collect(p) : p.endsWith(".sol") ? [readFileSync(p, "utf8")] : [];
  });
})("contracts").join("\n");
const declaredByPlinth = (name: string) =>
  new RegExp(`\\b(function|event|error)\\s+${name}\\b`).test(projectSources) ||
  new RegExp(`\\bpublic\\b[^;(]*\\b${name}\\s*(=|;)`).test(projectSources);

const missing: string[] = [];
const pages: { file: string; title: string; notice: string }[] = [];
for (const { source, name, out } of [...contracts.values()].sort((a, b) => a.source.localeCompare(b.source))) {
  const user = out.userdoc ?? {};
  const dev = out.devdoc ?? {};
  const lines: string[] = [`# ${name}`, "", `Source: \`${source}\``, ""];
  if (dev.title) lines.push(`**${clean(dev.title)}**`, "");
  if (user.notice) lines.push(clean(user.notice), "");
  if (dev.details) lines.push(`> ${clean(dev.details)}`, "");
  if (!user.notice && !dev.title) missing.push(`${source}: contract ${name} has no @title/@notice`);

  const section = (kind: "function" | "event" | "error", heading: string) => {
    const items = out.abi.filter((i) => i.type === kind);
    if (items.length === 0) return;
    lines.push(`## ${heading}`, "");
    for (const item of items.sort((a, b) => signature(a).localeCompare(signature(b)))) {
      const sig = signature(item);
      const u =
        kind === "function" ? user.methods?.[sig] : kind === "event" ? user.events?.[sig] : user.errors?.[sig]?.[0];
      const d =
        kind === "function" ? dev.methods?.[sig] : kind === "event" ? dev.events?.[sig] : dev.errors?.[sig]?.[0];
      const notice = clean(u?.notice);
      if (!notice && !clean(d?.details) && declaredByPlinth(item.name ?? ""))
        missing.push(`${source}: ${name}.${sig} (${kind}) has no NatSpec`);
      const mut = item.stateMutability && item.stateMutability !== "nonpayable" ? ` _${item.stateMutability}_` : "";
      lines.push(`### \`${sig}\`${mut}`, "");
      if (notice) lines.push(notice, "");
      if (d?.details) lines.push(`> ${clean(d.details)}`, "");
      const params = (item.inputs ?? []).filter((p) => p.name);
      if (params.length > 0) {
        lines.push("| parameter | type | meaning |", "| --- | --- | --- |");
        for (const p of params) lines.push(`| \`${p.name}\` | \`${typeOf(p)}\` | ${clean(d?.params?.[p.name])} |`);
        lines.push("");
      }
      const outs = item.outputs ?? [];
      if (outs.length > 0) {
        const docs = Object.values(d?.returns ?? {});
        lines.push(
          `Returns: ${outs.map((o, i) => `\`${typeOf(o)}${o.name ? " " + o.name : ""}\`${docs[i] ? ` ${clean(docs[i])}` : ""}`).join("; ")}`,
          "",
        );
      }
    }
  };
  section("function", "Functions");
  section("event", "Events");
  section("error", "Errors");
  const file = `${source.replace(/^contracts\//, "").replace(/\.sol$/, "")}${name === source.split("/").pop()!.replace(".sol", "") ? "" : "-" + name}.md`;
  pages.push({ file, title: name, notice: clean(user.notice || dev.title) });
  if (!checkOnly) {
    const path = join("docs/reference", file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, lines.join("\n"));
  }
}

if (!checkOnly) {
  const index = [
    "# Plinth contract reference",
    "",
    "Generated from NatSpec by `npm run docs`. One page per production contract.",
    "",
    "| contract | summary |",
    "| --- | --- |",
    ...pages.map((p) => `| [${p.title}](./${p.file}) | ${p.notice} |`),
    "",
  ];
  writeFileSync("docs/reference/index.md", index.join("\n"));
  console.log(`docs: wrote docs/reference/ (${pages.length} contracts).`);
}
if (missing.length > 0) {
  console.error(`docs: ${missing.length} item(s) without NatSpec:`);
  for (const m of missing) console.error(`  - ${m}`);
  process.exit(1);
}
console.log(`docs: NatSpec present on every external function, event and error of ${pages.length} contracts.`);
