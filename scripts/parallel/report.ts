/**
 * Parallel-execution report: replays blocks of realistic work on the simulated chain with the real
 * contracts, reads every transaction's storage reads and writes (debug_traceTransaction,
 * prestateTracer) and reports the conflict graph per workload: the share of transactions that
 * conflict with no other transaction of their block, and every shared slot causing a conflict,
 * named (contract + variable + keys) with the functions writing it.
 *
 *   npm run parallel
 *   PARALLEL_DEVICES=40 PARALLEL_ASSETS=10 npx hardhat run scripts/parallel/report.ts
 *
 * Environment variables (all optional):
 *   PARALLEL_DEVICES      devices attesting in attestations.distinctDevices and mixedBlock (default 40)
 *   PARALLEL_ASSETS       assets in the transfer / income / maintenance workloads (default 10)
 *   PARALLEL_SAME_DEVICE  attestations from one device in the contrast workload (default 10)
 *   PARALLEL_SAME_ASSET   transfers in one asset in the contrast workload (default 10)
 *   PARALLEL_OUT          output folder of parallel.json and parallel.md (default "reports")
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { network } from "hardhat";
import { analyse, type TxAccess, type WorkloadReport } from "./conflicts.js";
import { loadLayouts, slotNamer } from "./slots.js";
import {
  buildWorld,
  mineAndTrace,
  planAttestations,
  planClaims,
  planDeposits,
  planOrders,
  planSameAsset,
  planSameDevice,
  planTransfers,
  type PlannedTx,
  type World,
} from "./workloads.js";

class UsageError extends Error {}

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

export interface Workload {
  key: string;
  description: string;
  target?: number;
  contrast?: boolean;
  plan: (world: World) => Promise<PlannedTx[]>;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Interleaves lists (a realistic block mixes the kinds of work). */
function interleave<T>(...lists: T[][]): T[] {
  const out: T[] = [];
  for (let i = 0; i < Math.max(...lists.map((l) => l.length)); i++)
    for (const l of lists) if (i < l.length) out.push(l[i]);
  return out;
}

export function workloads(sizes: {
  devices: number;
  assets: number;
  sameDevice: number;
  sameAsset: number;
}): Workload[] {
  return [
    {
      key: "attestations.distinctDevices",
      description: `${sizes.devices} attestations from ${sizes.devices} distinct devices (secp256k1 and P-256 alternating), warm state, one relayer each`,
      target: 1,
      plan: (w) => planAttestations(w, range(sizes.devices)),
    },
    {
      key: "attestations.sameDevice",
      description: `${sizes.sameDevice} attestations from one device (increasing counters), one relayer each`,
      contrast: true,
      plan: (w) => planSameDevice(w, 0, sizes.sameDevice),
    },
    {
      key: "transfers.distinctAssets",
      description: `one compliant share transfer in each of ${sizes.assets} assets (real AssetShares, IncomeDistributor hook, USDC registered)`,
      target: 1,
      plan: async (w) => planTransfers(w, w.assetList),
    },
    {
      key: "transfers.sameAsset",
      description: `${sizes.sameAsset} transfers in one asset, each from its own holder to its own new buyer (an investor holding no shares yet)`,
      contrast: true,
      plan: async (w) => planSameAsset(w, sizes.sameAsset, true),
    },
    {
      key: "transfers.sameAsset.existingHolders",
      description: `${sizes.sameAsset} transfers in one asset, each between its own pair of existing holders`,
      plan: async (w) => planSameAsset(w, sizes.sameAsset, false),
    },
    {
      key: "income.deposits.distinctAssets",
      description: `one USDC income deposit in each of ${sizes.assets} assets, by each asset's agent`,
      plan: (w) => planDeposits(w, w.assetList),
    },
    {
      key: "income.claims.distinctAssets",
      description: `one USDC income claim in each of ${sizes.assets} assets, by a holder of each`,
      plan: (w) => planClaims(w, w.assetList),
    },
    {
      key: "maintenance.distinctAssets",
      description: `one payer-funded maintenance order on each of ${sizes.assets} assets (vaults exist), by each asset's agent`,
      plan: (w) => planOrders(w, w.assetList),
    },
    {
      key: "mixedBlock",
      description:
        "a block mixing attestations from every device, share transfers in half of the assets, income claims and maintenance orders in the other half, and two income deposits",
      plan: async (w) => {
        const half = Math.ceil(w.assetList.length / 2);
        const first = w.assetList.slice(0, half);
        const second = w.assetList.slice(half);
        return interleave(
          await planAttestations(w, range(w.deviceList.length)),
          planTransfers(w, first),
          await planClaims(w, second, 0),
          await planOrders(w, second),
          await planDeposits(w, first.slice(0, 2)),
        );
      },
    },
  ];
}

export interface Measured {
  workload: Workload;
  report: WorkloadReport;
  txs: TxAccess[];
}

export async function measureAll(world: World, list: Workload[], log: (m: string) => void): Promise<Measured[]> {
  const layouts = await loadLayouts();
  const namer = slotNamer(layouts, world.naming);
  const out: Measured[] = [];
  for (const workload of list) {
    const planned = await workload.plan(world);
    log(`  ${workload.key}: ${planned.length} transactions`);
    const txs = await mineAndTrace(world, planned);
    out.push({ workload, report: analyse(txs, namer), txs });
  }
  return out;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(0)} %`;
}

function reportJson(measured: Measured[]) {
  const json: Record<string, unknown> = {};
  const details: Record<string, unknown> = {};
  for (const { workload, report } of measured) {
    json[workload.key] = Number(report.parallelShare.toFixed(4));
    details[workload.key] = {
      description: workload.description,
      transactions: report.transactions,
      conflictFree: report.conflictFree,
      ...(workload.target !== undefined ? { target: workload.target } : {}),
      ...(workload.contrast ? { contrast: true } : {}),
      hotSlots: report.hotSlots.map((h) => ({ slot: h.slot, name: h.name, writers: h.writers, txs: h.txs })),
    };
  }
  json.details = details;
  return json;
}

function reportMarkdown(measured: Measured[], sizes: Record<string, number>): string {
  const lines: string[] = [];
  lines.push("# Parallel execution report");
  lines.push("");
  lines.push(
    "Generated by `npm run parallel` (scripts/parallel/report.ts) on the simulated chain (EDR, osaka) with the real contracts.",
  );
  lines.push(
    `Sizes: ${Object.entries(sizes)
      .map(([k, v]) => `${k} = ${v}`)
      .join(", ")}.`,
  );
  lines.push("");
  lines.push("## Results");
  lines.push("");
  lines.push("| workload | txs | conflict-free | parallel share | target | met |");
  lines.push("| --- | ---: | ---: | ---: | --- | --- |");
  for (const { workload, report } of measured) {
    const target =
      workload.target !== undefined ? pct(workload.target) : workload.contrast ? "contrast (must conflict)" : "-";
    const met =
      workload.target !== undefined
        ? report.parallelShare >= workload.target
          ? "yes"
          : "**no**"
        : workload.contrast
          ? report.parallelShare < 1
            ? "conflicts, as expected"
            : "no conflict"
          : "-";
    lines.push(
      `| \`${workload.key}\` | ${report.transactions} | ${report.conflictFree} | ${pct(report.parallelShare)} | ${target} | ${met} |`,
    );
  }
  lines.push("");
  lines.push("## Workloads and conflicting slots");
  for (const { workload, report } of measured) {
    lines.push("");
    lines.push(`### \`${workload.key}\``);
    lines.push("");
    lines.push(`${workload.description}.`);
    lines.push("");
    if (report.hotSlots.length === 0) {
      lines.push(
        "No storage slot is written by one transaction and read or written by another: every transaction can run in parallel with all others.",
      );
      continue;
    }
    lines.push("| slot | transactions involved | written by |");
    lines.push("| --- | ---: | --- |");
    for (const h of report.hotSlots) {
      lines.push(`| \`${h.name}\` | ${h.txs} | ${h.writers.map((w) => `\`${w}\``).join(", ")} |`);
    }
  }
  lines.push("");
  return lines.join("\n");
}

async function main() {
  const sizes = {
    devices: envInt("PARALLEL_DEVICES", 40, 2),
    assets: envInt("PARALLEL_ASSETS", 10, 2),
    sameDevice: envInt("PARALLEL_SAME_DEVICE", 10, 2),
    sameAsset: envInt("PARALLEL_SAME_ASSET", 10, 2),
  };
  const outDir = process.env.PARALLEL_OUT || "reports";
  const started = Date.now();
  const { ethers } = await network.create();
  const log = (m: string) => console.log(`[parallel ${((Date.now() - started) / 1000).toFixed(0)}s] ${m}`);
  const world = await buildWorld(ethers, sizes, log);
  log("measuring workloads");
  const measured = await measureAll(world, workloads(sizes), log);
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, "parallel.json"), JSON.stringify(reportJson(measured), null, 2) + "\n");
  await writeFile(join(outDir, "parallel.md"), reportMarkdown(measured, sizes));
  for (const { workload, report } of measured) {
    log(
      `${workload.key.padEnd(32)} ${pct(report.parallelShare).padStart(6)}  (${report.conflictFree}/${report.transactions})`,
    );
    for (const h of report.hotSlots.slice(0, 5))
      log(`    ${h.name}  [${h.txs} txs; written by ${h.writers.join(", ")}]`);
  }
  log(`wrote ${join(outDir, "parallel.json")} and ${join(outDir, "parallel.md")}`);
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`error: ${err.message}`);
  } else {
    console.error(err);
  }
  process.exitCode = 1;
});
