/**
 * Issue 12 ("tests that pin behaviour"): every event of every production contract is asserted with
 * its exact arguments in at least one test. Indexers and the web app trust event arguments; an
 * argument nothing pins is an argument a fault can silently change.
 *
 * The checker:
 * - enumerates the production contracts from the compiled ABIs exactly like
 *   test/attacks/access-control.test.ts (sources under contracts/, minus contracts/test/**, minus
 *   interfaces and abstract contracts), and lists every event of each;
 * - scans every test source (test/**\/*.ts, comments stripped) for `.to.emit(<x>, "Name")` followed, in
 *   the same chained expression, by `.withArgs(...)` whose arguments contain no wildcard (`anyValue`,
 *   `anyUint`): an `.emit` without `.withArgs`, a `.not.emit`, or a wildcard argument does not count;
 * - credits an assertion to the contract that declares an event of that name and arity. When more
 *   than one emitting contract declares the same name and arity (RoleGranted, Transfer, TokenAllowed, ...)
 *   the emitter expression `<x>` (and the test's folder) decides, by EMITTER below; an assertion it cannot
 *   place is credited to none (VaultCreated needs no placing: with one vault per asset shared by income,
 *   maintenance and rental, AssetVaults alone declares it and CustodiansSet, both asserted in
 *   test/custody/shared-vault.test.ts);
 * - fails, naming each (contract, event) no test asserts with exact arguments.
 */
import { expect } from "chai";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { Interface } from "ethers";

const hre = (await import("hardhat")).default;
const ROOT = hre.config.paths.root;
const SELF = relative(ROOT, new URL(import.meta.url).pathname);

/**
 * Contracts whose events are emitted in another contract's context, so a test observes them on that
 * contract: SharesBlueprint is the AssetShares implementation: its code runs only in each asset's clone, which
 * tests observe as AssetShares.
 */
const EMITTED_AS: Record<string, string> = {
  SharesBlueprint: "AssetShares",
};

/**
 * Events whose arguments are OpenZeppelin's responsibility or which no Plinth flow emits. One reason
 * per entry; everything else must be asserted.
 */
const ALLOWLIST: Record<string, Record<string, string>> = {
  "*": {
    RoleAdminChanged:
      "never emitted: no Plinth contract calls _setRoleAdmin (all roles are administered by DEFAULT_ADMIN_ROLE)",
    EIP712DomainChanged: "never emitted: OZ EIP712 only declares it (ERC-5267); Plinth domains are immutable",
    RoleGranted:
      "OZ AccessControl._grantRole emits it; Plinth's role wiring is pinned by hasRole state in test/deploy and scripts/operator/deploy/check-roles.ts, and every guard by attacks/access-control",
    RoleRevoked: "OZ AccessControl._revokeRole emits it; as RoleGranted (hasRole state is what the guards read)",
  },
  AssetShares: {
    Approval: "OZ ERC20.approve / _spendAllowance, untouched by Plinth (no override of approve or allowance)",
  },
  DeviceToken: {
    Approval: "OZ ERC721.approve, untouched by Plinth",
    ApprovalForAll: "OZ ERC721.setApprovalForAll, untouched by Plinth",
  },
};

/** The last segment of the emitter expression, and the folder of the test, place an ambiguous event. */
const EMITTER: Record<string, (leaf: string, expr: string, file: string) => boolean> = {
  AssetShares: (leaf) => /shares$/i.test(leaf),
  DeviceToken: (leaf) => /token$/i.test(leaf) && !/usdc|payout|erc20/i.test(leaf),
  DeviceRegistry: (leaf, _e, file) =>
    /^devices$|deviceRegistry/i.test(leaf) || (leaf === "registry" && inDir(file, "devices")),
  AssetRegistry: (leaf, _e, file) =>
    /^assets$|assetRegistry/i.test(leaf) || (leaf === "registry" && inDir(file, "assets")),
  IdentityRegistry: (leaf) => /identity/i.test(leaf),
  ShareFactory: (leaf) => /factory/i.test(leaf),
  IncomeDistributor: (leaf) => /distributor/i.test(leaf),
  // In test/attacks/world.ts `w.escrow` is MaintenanceOrders (with `w.evidence`, `w.custody`) and `w.rental` the RentalEscrow.
  MaintenanceOrders: (leaf, expr, file) =>
    /maintenance$/i.test(leaf) || (leaf === "escrow" && (inDir(file, "maintenance") || /^w\.escrow$/.test(expr))),
  MaintenanceEvidence: (leaf) => /evidence$/i.test(leaf),
  // `f.custody` is the RentalCustody in the rental fixture (test/rental, test/events, test/flags' rental part use
  // `rentalCustody` or the rental folder); `w.rentalCustody` in the attack world.
  MaintenanceCustody: (leaf, _e, file) =>
    /custody$/i.test(leaf) && !/rentalCustody$/i.test(leaf) && !(leaf === "custody" && inDir(file, "rental")),
  RentalCustody: (leaf, _e, file) => /rentalCustody$/i.test(leaf) || (leaf === "custody" && inDir(file, "rental")),
  RentalClaims: (leaf) => /claims$/i.test(leaf),
  RentalEscrow: (leaf, expr, file) =>
    (/rental/i.test(leaf) && !/claims$/i.test(leaf) && !/market/i.test(leaf)) ||
    (leaf === "escrow" && inDir(file, "rental") && !/^w\.escrow$/.test(expr)),
  // `f.market` (test/rental/fixture.ts), `w.rentalMarket` (test/attacks/world.ts).
  RentalMarket: (leaf) => /market$/i.test(leaf),
  // `vaults`, `freshVaults` (test/custody/shared-vault.test.ts): the distributor's AssetVaults, not an AssetVault.
  AssetVaults: (leaf) => /vaults$/i.test(leaf),
};

function inDir(file: string, dir: string): boolean {
  return file.split(sep).join("/").startsWith(`test/${dir}/`);
}

/** One `.to.emit(x, "Name")` of a test source. */
export interface EmitAssertion {
  emitter: string;
  event: string;
  /** Whether `.withArgs(...)` follows in the same chain, with no wildcard argument. */
  exact: boolean;
  /** The number of `.withArgs` arguments; null when unknown (spread) or absent. */
  arity: number | null;
}

/** Replace comments with spaces (string and template literals kept). */
export function stripComments(src: string): string {
  let out = "";
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const n = src[i + 1];
    if (c === "/" && n === "/") {
      while (i < src.length && src[i] !== "\n") ((out += " "), i++);
    } else if (c === "/" && n === "*") {
      out += "  ";
      i += 2;
      while (i < src.length && !(src[i] === "*" && src[i + 1] === "/")) ((out += src[i] === "\n" ? "\n" : " "), i++);
      out += "  ";
      i += 2;
    } else if (c === '"' || c === "'" || c === "`") {
      const end = skipString(src, i);
      out += src.slice(i, end);
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Blank the inside of string literals (same length), so patterns inside strings are not code. */
function maskStrings(src: string): string {
  let out = "";
  let i = 0;
  while (i < src.length) {
    if (src[i] === '"' || src[i] === "'" || src[i] === "`") {
      const end = Math.min(skipString(src, i), src.length);
      out += src[i] + src.slice(i + 1, end - 1).replace(/[^\n]/g, "_") + src[end - 1];
      i = end;
    } else out += src[i++];
  }
  return out;
}

function skipString(src: string, i: number): number {
  const q = src[i];
  i++;
  while (i < src.length && src[i] !== q) {
    if (src[i] === "\\") i++;
    i++;
  }
  return i + 1;
}

/** From the index just after an opening parenthesis: the index of its closing one and the top-level arguments. */
function readArgs(src: string, start: number): { end: number; args: string[] } {
  let depth = 0;
  let i = start;
  let from = start;
  const args: string[] = [];
  while (i < src.length) {
    const c = src[i];
    if (c === '"' || c === "'" || c === "`") {
      i = skipString(src, i);
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      if (depth === 0) {
        args.push(src.slice(from, i).trim());
        return { end: i, args: args.filter((a, k) => a !== "" || k < args.length - 1) };
      }
      depth--;
    } else if (c === "," && depth === 0) {
      args.push(src.slice(from, i).trim());
      from = i + 1;
    }
    i++;
  }
  throw new Error("unbalanced parentheses");
}

/** Every `.to.emit(x, "Name")` (not `.not.emit`) of a source, and whether exact `.withArgs` follows it. */
export function scanEmitAssertions(source: string): EmitAssertion[] {
  const src = stripComments(source);
  const code = maskStrings(src);
  const out: EmitAssertion[] = [];
  const re = /\.\s*to\s*\.\s*emit\s*\(/g;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    if (/\.\s*not\s*$/.test(code.slice(Math.max(0, m.index - 16), m.index))) continue; // .not.to.emit
    const { end, args } = readArgs(src, m.index + m[0].length);
    const name = /^["'`](\w+)["'`]$/.exec(args[1] ?? "");
    if (args.length !== 2 || !name) continue;
    const after = /^\s*\.\s*withArgs\s*\(/.exec(src.slice(end + 1));
    if (!after) {
      out.push({ emitter: args[0], event: name[1], exact: false, arity: null });
      continue;
    }
    const w = readArgs(src, end + 1 + after[0].length);
    const wildcard = w.args.some((a) => /\bany(Value|Uint)\b/.test(a));
    const spread = w.args.some((a) => a.startsWith("..."));
    out.push({ emitter: args[0], event: name[1], exact: !wildcard, arity: spread ? null : w.args.length });
  }
  return out;
}

function testSources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return testSources(p);
    return e.name.endsWith(".ts") && p !== SELF ? [p] : [];
  });
}

/** Production contracts (as access-control.test.ts enumerates them) and their events: name -> arity. */
async function productionEvents(): Promise<Map<string, Map<string, number>>> {
  const byContract = new Map<string, Map<string, number>>();
  for (const fq of await hre.artifacts.getAllFullyQualifiedNames()) {
    const [source, name] = fq.split(":");
    if (!source.startsWith("contracts/") || source.startsWith("contracts/test/")) continue;
    const artifact = await hre.artifacts.readArtifact(fq);
    if (artifact.bytecode === "0x" || artifact.bytecode === "") continue; // interfaces, abstract
    const emitter = EMITTED_AS[name] ?? name;
    const events = byContract.get(emitter) ?? new Map<string, number>();
    new Interface(artifact.abi).forEachEvent((e) => events.set(e.name, e.inputs.length));
    byContract.set(emitter, events);
  }
  return byContract;
}

function allowed(contract: string, event: string): boolean {
  return event in ALLOWLIST["*"] || event in (ALLOWLIST[contract] ?? {});
}

describe("toolchain: every production event is asserted with exact arguments (issue 12)", function () {
  it("the scanner counts only `.to.emit(x, E).withArgs(...)` with no wildcard", function () {
    const src = [
      `await expect(tx).to.emit(f.escrow, "A").withArgs(1, a.address, ...[2]);`,
      `await expect(tx)\n  .to.emit(\n    w.rental,\n    "B",\n  )\n  // why\n  .withArgs(f(1, 2), [3, 4], { x: ")" });`,
      `await expect(tx).to.emit(x, "C");`,
      `await expect(tx).to.emit(x, "D").withArgs(anyValue, 1);`,
      `await expect(tx).not.to.emit(x, "E").withArgs(1); await expect(tx).to.not.emit(x, "E");`,
      `// await expect(tx).to.emit(x, "F").withArgs(1);`,
      `/* expect(tx).to.emit(x, "G").withArgs(1) */ const s = "not code: .to.emit(x, 'H').withArgs(1)";`,
      `await expect(tx).to.emit(x, "I").and.to.emit(y, "J").withArgs(7);`,
    ].join("\n");
    const found = scanEmitAssertions(src);
    const exact = found.filter((a) => a.exact).map((a) => `${a.emitter}:${a.event}/${a.arity}`);
    expect(exact).to.deep.equal(["f.escrow:A/null", "w.rental:B/3", "y:J/1"]);
    expect(found.filter((a) => !a.exact).map((a) => a.event)).to.deep.equal(["C", "D", "I"]);
  });

  it("every event of every production contract is asserted with exact arguments in some test", async function () {
    const events = await productionEvents();
    // Which contracts declare each (name, arity): the ambiguous ones need EMITTER to be placed.
    const declaring = new Map<string, string[]>();
    for (const [contract, evs] of events)
      for (const [name, arity] of evs) {
        const key = `${name}/${arity}`;
        declaring.set(key, [...(declaring.get(key) ?? []), contract]);
      }

    const covered = new Set<string>();
    for (const file of testSources("test")) {
      for (const a of scanEmitAssertions(readFileSync(join(ROOT, file), "utf8"))) {
        if (!a.exact) continue;
        const keys =
          a.arity === null
            ? [...declaring.keys()].filter((k) => k.startsWith(`${a.event}/`))
            : [`${a.event}/${a.arity}`];
        for (const key of keys) {
          let candidates = declaring.get(key) ?? [];
          if (candidates.length > 1) {
            const leaf = a.emitter.split(".").pop()!.trim();
            candidates = candidates.filter((c) => EMITTER[c]?.(leaf, a.emitter.trim(), file));
          }
          for (const c of candidates) covered.add(`${c}.${a.event}`);
        }
      }
    }

    // One vault per asset, shared (issue 15): AssetVaults alone declares the vaults' events (the distributor and the
    // custodies no longer emit VaultCreated), and test/custody/shared-vault.test.ts asserts both exactly.
    expect(declaring.get("VaultCreated/2")).to.deep.equal(["AssetVaults"]);
    expect(declaring.get("CustodiansSet/3")).to.deep.equal(["AssetVaults"]);
    expect([...covered].filter((c) => c.startsWith("AssetVaults."))).to.have.members([
      "AssetVaults.CustodiansSet",
      "AssetVaults.VaultCreated",
    ]);

    const missing: string[] = [];
    for (const [contract, evs] of [...events].sort(([a], [b]) => a.localeCompare(b)))
      for (const name of [...evs.keys()].sort())
        if (!allowed(contract, name) && !covered.has(`${contract}.${name}`)) missing.push(`${contract}.${name}`);
    expect(missing, `events no test asserts with exact .withArgs(...):\n  ${missing.join("\n  ")}\n`).to.deep.equal([]);
  });

  it("every allowlist entry names an event a production contract declares", async function () {
    const events = await productionEvents();
    const all = new Set([...events.values()].flatMap((m) => [...m.keys()]));
    for (const name of Object.keys(ALLOWLIST["*"])) expect(all.has(name), name).to.equal(true);
    for (const [contract, entries] of Object.entries(ALLOWLIST).filter(([c]) => c !== "*"))
      for (const name of Object.keys(entries))
        expect(events.get(contract)?.has(name), `${contract}.${name}`).to.equal(true);
  });
});
