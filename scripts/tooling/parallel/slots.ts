/**
 * Meaningful names for storage slots: `USDC._balances[IncomeDistributor]` instead of `0xab..:0x5f..`.
 *
 * The storage layouts come from the compiler itself: the Hardhat build-info input is recompiled with
 * the npm `solc` (WASM) asking for `storageLayout` only (analysis, no code generation: ~2 s). A slot
 * of a known contract is then matched against every state variable: plain slots and struct members
 * directly, mapping entries by hashing the known keys (addresses, ids, role ids...) one or two
 * levels deep (three when the key sets are small). An unmatched slot keeps its hex form.
 */
import { createRequire } from "node:module";
import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { concat, keccak256, toBeHex, zeroPadValue } from "ethers";
import type { SlotKey } from "./conflicts.js";

interface LayoutEntry {
  label: string;
  slot: string;
  offset: number;
  type: string;
}
interface LayoutType {
  encoding: "inplace" | "mapping" | "dynamic_array" | "bytes";
  label: string;
  numberOfBytes: string;
  key?: string;
  value?: string;
  base?: string;
  members?: LayoutEntry[];
}
export interface StorageLayout {
  storage: LayoutEntry[];
  types: Record<string, LayoutType> | null;
}

/** Storage layouts of every compiled contract, by contract name. */
export async function loadLayouts(root = process.cwd()): Promise<Map<string, StorageLayout>> {
  const dir = join(root, "artifacts", "build-info");
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith(".json") && !f.endsWith(".output.json"));
  } catch {
    throw new Error(`no build info in ${dir}: run "npx hardhat compile" first`);
  }
  const require = createRequire(join(root, "package.json"));
  const solc = require("solc") as { compile(input: string): string };
  const layouts = new Map<string, StorageLayout>();
  // Oldest first: a contract compiled again in a newer build overrides its stale layout.
  const dated = await Promise.all(files.map(async (f) => ({ f, t: (await stat(join(dir, f))).mtimeMs })));
  files = dated.sort((a, b) => a.t - b.t).map((d) => d.f);
  for (const f of files) {
    const info = JSON.parse(await readFile(join(dir, f), "utf8")) as {
      input: { settings: { outputSelection: unknown } };
    };
    const input = { ...info.input, settings: { ...info.input.settings, outputSelection: {} as unknown } };
    input.settings.outputSelection = { "*": { "*": ["storageLayout"] } };
    const out = JSON.parse(solc.compile(JSON.stringify(input))) as {
      contracts?: Record<string, Record<string, { storageLayout?: StorageLayout }>>;
    };
    for (const byName of Object.values(out.contracts ?? {})) {
      for (const [name, c] of Object.entries(byName)) {
        if (c.storageLayout && c.storageLayout.storage.length > 0) layouts.set(name, c.storageLayout);
      }
    }
  }
  return layouts;
}

/** What the namer knows about the world: contracts by address, labels of mapping keys. */
export interface NamingContext {
  /** lowercase address -> { label shown, contract name whose layout applies (if any) } */
  contracts: Map<string, { label: string; layout?: string }>;
  /** Known mapping keys by Solidity key type family ("address", "uint", "bytes32"), value -> label. */
  keys: { address: Map<string, string>; uint: Map<bigint, string>; bytes32: Map<string, string> };
}

export function emptyContext(): NamingContext {
  return { contracts: new Map(), keys: { address: new Map(), uint: new Map(), bytes32: new Map() } };
}

type KeyCandidate = { word: string; label: string };

function keyCandidates(ctx: NamingContext, keyType: string): KeyCandidate[] {
  if (keyType === "t_address" || keyType.startsWith("t_contract")) {
    return [...ctx.keys.address].map(([a, label]) => ({ word: zeroPadValue(a, 32), label }));
  }
  const uint = /^t_uint(\d+)$/.exec(keyType);
  if (uint || /^t_enum/.test(keyType)) {
    // Narrow integer keys (kinds, countries, enums) are small numbers: try 0..16 as themselves.
    const small = !uint || Number(uint[1]) <= 64 ? Array.from({ length: 17 }, (_, i) => BigInt(i)) : [];
    const known = new Map<bigint, string>(small.map((v) => [v, v.toString()]));
    for (const [v, label] of ctx.keys.uint) known.set(v, label);
    return [...known].map(([v, label]) => ({ word: zeroPadValue(toBeHex(v), 32), label }));
  }
  if (keyType === "t_bytes32") {
    return [...ctx.keys.bytes32].map(([v, label]) => ({ word: v, label }));
  }
  return [];
}

const MAX_HASHES = 150_000;

/** Names slots of the contracts in `ctx` with the given layouts; unknown slots keep their hex form. */
export function slotNamer(layouts: Map<string, StorageLayout>, ctx: NamingContext): (slot: SlotKey) => string {
  const cache = new Map<SlotKey, string>();
  const hashCache = new Map<string, bigint>();
  const hash = (key: string, base: bigint): bigint => {
    const id = key + base.toString(16);
    let h = hashCache.get(id);
    if (h === undefined) {
      h = BigInt(keccak256(concat([key, zeroPadValue(toBeHex(base), 32)])));
      hashCache.set(id, h);
    }
    return h;
  };

  function within(
    layout: StorageLayout,
    base: bigint,
    typeId: string,
    label: string,
    target: bigint,
    budget: { left: number },
  ): string | null {
    const t = layout.types?.[typeId];
    if (!t) return target === base ? label : null;
    const words = BigInt(Math.max(1, Math.ceil(Number(t.numberOfBytes) / 32)));
    if (t.encoding === "inplace") {
      if (target < base || target >= base + words) return null;
      if (t.members) {
        // Value members packed into the target slot are named together: `.{counter,status}`.
        const packed = t.members.filter(
          (m) =>
            base + BigInt(m.slot) === target &&
            layout.types?.[m.type]?.encoding === "inplace" &&
            !layout.types?.[m.type]?.members,
        );
        if (packed.length > 1) return `${label}.{${packed.map((m) => m.label).join(",")}}`;
        for (const m of t.members) {
          const r = within(layout, base + BigInt(m.slot), m.type, `${label}.${m.label}`, target, budget);
          if (r) return r;
        }
        return label;
      }
      if (t.base) {
        const elemWords = BigInt(Math.max(1, Math.ceil(Number(layout.types?.[t.base]?.numberOfBytes ?? "32") / 32)));
        return `${label}[${(target - base) / elemWords}]`;
      }
      return label;
    }
    if (t.encoding === "mapping" && t.key && t.value) {
      const keys = keyCandidates(ctx, t.key);
      if (keys.length === 0) return null;
      budget.left -= keys.length;
      if (budget.left < 0) return null;
      for (const k of keys) {
        const r = within(layout, hash(k.word, base), t.value, `${label}[${k.label}]`, target, budget);
        if (r) return r;
      }
      return null;
    }
    if (t.encoding === "dynamic_array") {
      if (target === base) return `${label}.length`;
      const start = BigInt(keccak256(zeroPadValue(toBeHex(base), 32)));
      if (target >= start && target < start + 1_000n) return `${label}[${target - start}]`;
      return null;
    }
    return target === base ? label : null;
  }

  return (slotKey: SlotKey): string => {
    const hit = cache.get(slotKey);
    if (hit) return hit;
    const [address, slotHex] = slotKey.split(":");
    const c = ctx.contracts.get(address);
    let name = `${c?.label ?? address}:${slotHex}`;
    const layout = c?.layout ? layouts.get(c.layout) : undefined;
    if (c && layout) {
      const target = BigInt(slotHex);
      for (const v of layout.storage) {
        const r = within(layout, BigInt(v.slot), v.type, `${c.label}.${v.label}`, target, { left: MAX_HASHES });
        if (r) {
          name = r;
          break;
        }
      }
    }
    cache.set(slotKey, name);
    return name;
  };
}
