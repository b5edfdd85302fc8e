/**
 * Parallel-execution report: replays blocks of realistic work on the simulated chain with the real
 * contracts, reads every transaction's storage reads and writes (debug_traceTransaction,
 * prestateTracer) and reports the conflict graph per workload: the share of transactions that
 * conflict with no other transaction of their block, and every shared slot causing a conflict,
 * named (contract + variable + keys) with the functions writing it.
 *
 *   npm run parallel
 *   PARALLEL_DEVICES=40 PARALLEL_ASSETS=10 npx hardhat run scripts/tooling/parallel/report.ts
 *
 * Environment variables (all optional):
 *   PARALLEL_DEVICES      devices attesting in attestations.distinctDevices and mixedBlock (default 40)
 *   PARALLEL_ASSETS       assets in the transfer / income / maintenance / rental workloads (default 10,
 *                         at most PARALLEL_DEVICES: each asset has its own bound device)
 *   PARALLEL_SAME_DEVICE  attestations from one device in the contrast workload (default 10)
 *   PARALLEL_SAME_ASSET   transfers in one asset in the contrast workload (default 10)
 *   PARALLEL_OUT          output folder of parallel.json and parallel.md (default "reports")
 */
import { join } from "node:path";
import { runOperator, UserError } from "../../lib/cli.js";
import { createBenchConnection } from "../bench/clock.js";
import { writeIfChanged } from "../bench/lib.js";
import { analyse, type TxAccess, type WorkloadReport } from "./conflicts.js";
import { loadLayouts, slotNamer } from "./slots.js";
import {
  buildWorld,
  mineAndTrace,
  planAttestations,
  planClaims,
  planDeposits,
  planOrders,
  planRentPayments,
  planRentals,
  planSameAsset,
  planSameDevice,
  planTransfers,
  type PlannedTx,
  type World,
} from "./workloads.js";

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < min) throw new UserError(`${name} must be an integer >= ${min}, got "${raw}"`);
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
      description: `one USDC income deposit in each of ${sizes.assets} assets, by each asset's agent (every asset's income AssetVault exists)`,
      plan: (w) => planDeposits(w, w.assetList),
    },
    {
      key: "income.claims.distinctAssets",
      description: `one USDC income claim in each of ${sizes.assets} assets, by a holder of each, paid by the asset's income AssetVault`,
      plan: (w) => planClaims(w, w.assetList),
    },
    {
      key: "maintenance.distinctAssets",
      description: `one payer-funded maintenance order on each of ${sizes.assets} assets (vaults exist), by each asset's agent`,
      plan: (w) => planOrders(w, w.assetList),
    },
    {
      key: "rental.distinctAssets",
      description: `each of ${sizes.assets} assets rented by its own renter from its agent's on-chain offer (USDC, deposit and one day prepaid)`,
      target: 1,
      plan: async (w) => planRentals(w, w.assetList),
    },
    {
      key: "rental.payments.distinctAssets",
      description: `one more hour of rent paid on each of ${sizes.assets} running agreements (distinct assets), by each renter`,
      target: 1,
      plan: (w) => planRentPayments(w, w.assetList),
    },
    {
      key: "mixedBlock",
      description:
        "a block mixing attestations from every device, share transfers and rent payments in half of the assets, income claims and maintenance orders in the other half, and two income deposits",
      plan: async (w) => {
        const half = Math.ceil(w.assetList.length / 2);
        const first = w.assetList.slice(0, half);
        const second = w.assetList.slice(half);
        return interleave(
          await planAttestations(w, range(w.deviceList.length)),
          planTransfers(w, first),
          await planRentPayments(w, first),
          await planClaims(w, second, 0),
          await planOrders(w, second),
          await planDeposits(w, first.slice(0, 2)),
        );
      },
    },
  ];
}

/**
 * Balances of the contracts that used to hold every asset's funds in one place. The IncomeDistributor,
 * the MaintenanceCustody and the RentalCustody (the rental escrow's) now hold each asset's funds in that asset's
 * AssetVault clone, so these balances should never be touched: a hot slot matching this is a regression.
 */
const CUSTODY = /^USDC\._balances\[(IncomeDistributor|RentalEscrow|RentalCustody)\]$/;

export interface Measured {
  workload: Workload;
  report: WorkloadReport;
  txs: TxAccess[];
  /** Blocks the workload was mined in (1 unless the block gas limit split it). */
  blocks: number;
}

export async function measureAll(world: World, list: Workload[], log: (m: string) => void): Promise<Measured[]> {
  const layouts = await loadLayouts();
  const namer = slotNamer(layouts, world.naming);
  const out: Measured[] = [];
  for (const workload of list) {
    const planned = await workload.plan(world);
    log(`  ${workload.key}: ${planned.length} transactions`);
    const txs = await mineAndTrace(world, planned);
    const blocks = new Set<number>();
    for (const t of txs) blocks.add((await world.ethers.provider.getTransactionReceipt(t.hash))!.blockNumber);
    const report = analyse(txs, namer);
    out.push({
      workload,
      report,
      txs,
      blocks: blocks.size,
    });
  }
  return out;
}

/** Why a kind of slot conflicts, and what could change it (matched on the slot's name). */
const EXPLANATIONS: { pattern: RegExp; title: string; text: string }[] = [
  {
    pattern: /^USDC\._balances\[IncomeDistributor\]$/,
    title: "`USDC._balances[IncomeDistributor]`: a regression, the distributor should hold nothing",
    text:
      "The IncomeDistributor keeps each asset's funds in that asset's `AssetVault` (see the section on per-asset income " +
      "custody): no pull should reach, and no payout leave from, the distributor's own balance. A transaction touching it " +
      "here means a path bypasses the vaults; it makes income work on distinct assets conflict again.",
  },
  {
    pattern: /^USDC\._balances\[AssetVault\(asset\d+\)\]$/,
    title: "`USDC._balances[AssetVault(asset)]`: the custody of one asset",
    text:
      "Each asset's money is held by its own `AssetVault`, shared by the income distributor and the maintenance and rental " +
      "custodies (each keeps its own accounting): income, reserve, fees and buyout proceeds; maintenance budgets and bonds; " +
      "rental prepayments, deposits, refunds and fees. Every pull into that asset credits its balance and every payout " +
      "debits it; money moving between the three (rent to holders, the reserve to maintenance and back) is accounting and " +
      "does not touch it. Two such operations on the same asset in one block must be ordered (the ERC-20 checks the " +
      "balance); per asset, never across assets.",
  },
  {
    pattern: /^USDC\._balances\[(RentalEscrow|RentalCustody)\]$/,
    title:
      "`USDC._balances[RentalEscrow]` or `[RentalCustody]`: a regression, the rental escrow and custody should hold nothing",
    text:
      "The RentalCustody keeps each agreement's money in the `AssetVault` of its custody id (the rented asset, the asset a " +
      "rented device is bound to, or an unbound device): renters pay straight into it (through the escrow's transferFrom) " +
      "and every payout leaves from it. A transaction touching the escrow's or the custody's own balance here means a path " +
      "bypasses the vaults; it makes rentals on distinct assets conflict again.",
  },
  {
    pattern: /holderCount$/,
    title: "`AssetShares(asset).holderCount`: the holder count of one asset",
    text:
      "AssetShares counts holders (for the agent's max-holders cap): a transfer to a wallet without shares increments it, a transfer " +
      "of a whole balance decrements it. Transfers in one asset that change its set of holders therefore conflict; transfers between " +
      "existing holders do not touch it (`transfers.sameAsset.existingHolders`: 100 %), and it never crosses assets. Inherent to an " +
      "exact holder cap; it could only be removed by dropping the cap (or counting it off-chain), which compliance needs.",
  },
  {
    pattern: /^DeviceRegistry\._(core|readings)\[/,
    title: "`DeviceRegistry._core[device]` / `_readings[device][kind]`: one device's counter and latest reading",
    text:
      "Each attestation of a device must carry a counter above the device's last one (replay protection and ordering), and it updates " +
      "the device's latest reading and cumulative total: a device's attestations are sequential by nature and must be ordered. " +
      "Inherent and intended (it is the contrast workload). A device reporting often should send them in one `attestBatch`.",
  },
  {
    pattern: /^IncomeDistributor\._assets\[.*magnifiedPerShare/,
    title: "`IncomeDistributor._assets[asset].magnifiedPerShare[token index]`: income per share of one asset",
    text:
      "A deposit raises the asset's income per share, which every share transfer in that asset (the hook settles both sides) and " +
      "every claim in that asset reads: a deposit and a transfer or claim of the same asset in one block must be ordered. " +
      "Per asset, never across assets; inherent to exact dividend accounting (the transfer must settle at the right rate).",
  },
];

function pct(x: number): string {
  return `${(x * 100).toFixed(0)} %`;
}

function reportJson(measured: Measured[]) {
  const json: Record<string, unknown> = {};
  const details: Record<string, unknown> = {};
  for (const { workload, report, blocks } of measured) {
    json[workload.key] = Number(report.parallelShare.toFixed(4));
    details[workload.key] = {
      description: workload.description,
      transactions: report.transactions,
      blocks,
      conflictFree: report.conflictFree,
      ...(workload.target !== undefined ? { target: workload.target } : {}),
      ...(workload.contrast ? { contrast: true } : {}),
      hotSlots: report.hotSlots.map((h) => ({
        slot: h.slot,
        name: h.name,
        writers: h.writers,
        readers: h.readers,
        txs: h.txs,
      })),
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
    "Generated by `npm run parallel` (scripts/tooling/parallel/report.ts) on the simulated chain (EDR, osaka) with the real " +
      "contracts; `USDC` is the test payout token (MockPayoutToken, a plain OpenZeppelin ERC-20, 6 decimals).",
  );
  lines.push(
    `Sizes: ${Object.entries(sizes)
      .map(([k, v]) => `${k} = ${v}`)
      .join(", ")}.`,
  );
  lines.push("");
  lines.push("## Method");
  lines.push("");
  lines.push(
    "The real contracts are deployed and wired as in production: DeviceRegistry (pointed at the AssetRegistry), AssetRegistry, " +
      "IdentityRegistry, ShareFactory creating AssetShares whose income hook is the real IncomeDistributor (USDC allowed and " +
      "registered per asset by a first deposit), MaintenanceOrders (its MaintenanceCustody) and RentalEscrow (its " +
      "RentalCustody), the three sharing one AssetVault clone per asset (deployed by the distributor's AssetVaults). " +
      "Devices are registered, claimed and bound to assets; investors are KYC'd and hold shares. State is warm: every device " +
      "has attested once and every asset's vault exists before anything is measured (created by the asset's first income " +
      "deposit, which the setup makes for every asset and then checks; a warm-up order and a warm-up agreement per asset, " +
      "settled and closed, check that maintenance and rental use the same vault), so no measured transaction pays for or " +
      "writes a clone deployment.",
  );
  lines.push("");
  lines.push(
    "Each workload is one block: automine is switched off, every transaction is sent from its own sender (relayers for " +
      "attestations, holders for transfers and claims, agents for deposits and orders), then the block is mined (the table " +
      "gives the blocks used: 1 unless the block gas limit splits the workload; the analysis treats the set as one block either way). Every transaction must succeed. For each one, `debug_traceTransaction` is asked twice: " +
      "`prestateTracer` gives every storage slot it touched (read set) and `prestateTracer` with `diffMode` the slots whose " +
      "value it changed (write set). Two transactions conflict when one writes a slot the other reads or writes; a transaction " +
      "is parallel when it conflicts with no other transaction of its block. The parallel share is the fraction of such " +
      "transactions (scripts/tooling/parallel/conflicts.ts, `analyse`).",
  );
  lines.push("");
  lines.push(
    "Slots are named from the compiler's storage layouts (the build-info input recompiled with `storageLayout` output) by " +
      "matching each slot against every state variable, hashing the known mapping keys (addresses, asset ids, device ids, " +
      "small integers) up to the needed depth.",
  );
  lines.push("");
  lines.push("Excluded by design, and why:");
  lines.push("");
  lines.push(
    "- Account fields (nonce, ETH balance, code) are not storage slots; every measured payment is in USDC, so each shared balance shows up as a named storage slot. The sender's nonce and gas payment belong to the sender, " +
      "and every transaction here has its own sender; the block producer's fee credit is touched by every transaction and every " +
      "parallel EVM (Block-STM, Monad, Sei...) treats it specially (deferred fee accounting), so counting it would make every " +
      "block fully sequential and say nothing about the contracts. No measured path moves ETH (the payout token is USDC).",
  );
  lines.push(
    "- Transient storage (the `ReentrancyGuardTransient` of the distributor, the escrows and the custodies) is per transaction and never shared.",
  );
  lines.push(
    "- A write that leaves a slot's value unchanged does not appear in `diffMode`; the contracts use transient reentrancy " +
      "guards, so no storage guard (1 -> 2 -> 1) hides on these paths.",
  );
  lines.push("");
  lines.push("## Results");
  lines.push("");
  lines.push("| workload | txs | blocks | conflict-free | parallel share | target | met |");
  lines.push("| --- | ---: | ---: | ---: | ---: | --- | --- |");
  for (const { workload, report, blocks } of measured) {
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
      `| \`${workload.key}\` | ${report.transactions} | ${blocks} | ${report.conflictFree} | ${pct(report.parallelShare)} | ${target} | ${met} |`,
    );
  }
  lines.push("");
  const targets = measured.filter((m) => m.workload.target !== undefined);
  const unmet = targets.filter((m) => m.report.parallelShare < (m.workload.target ?? 0));
  lines.push(
    unmet.length === 0
      ? `Targets met: ${targets.map((m) => `\`${m.workload.key}\``).join(", ")} reach 100 %: attestations of distinct devices, share transfers in distinct assets (with the income hook), and rentals and rent payments on distinct assets (each paid into its asset's vault) write no slot another transaction of the block touches.`
      : `Targets NOT met: ${unmet.map((m) => `\`${m.workload.key}\` (${pct(m.report.parallelShare)})`).join(", ")}; see the conflicting slots below.`,
  );
  lines.push("");
  lines.push("## Workloads and conflicting slots");
  for (const { workload, report } of measured) {
    lines.push("");
    lines.push(`### \`${workload.key}\``);
    lines.push("");
    lines.push(`${workload.description[0].toUpperCase()}${workload.description.slice(1)}.`);
    lines.push("");
    if (report.hotSlots.length === 0) {
      lines.push(
        "No storage slot is written by one transaction and read or written by another: every transaction can run in parallel with all others.",
      );
      continue;
    }
    lines.push("| slot | transactions involved | written by | also read by |");
    lines.push("| --- | ---: | --- | --- |");
    const code = (l: string[]) => (l.length === 0 ? "-" : l.map((w) => `\`${w}\``).join(", "));
    for (const h of report.hotSlots) {
      lines.push(`| \`${h.name}\` | ${h.txs} | ${code(h.writers)} | ${code(h.readers)} |`);
    }
  }
  const seen = new Set<string>();
  const explained = EXPLANATIONS.filter((e) =>
    measured.some((m) =>
      m.report.hotSlots.some((h) => e.pattern.test(h.name) && !seen.has(e.title) && seen.add(e.title)),
    ),
  );
  const unexplained = [
    ...new Set(
      measured.flatMap((m) =>
        m.report.hotSlots.filter((h) => !EXPLANATIONS.some((e) => e.pattern.test(h.name))).map((h) => h.name),
      ),
    ),
  ];
  lines.push("");
  lines.push("## Why these slots conflict, and what could change");
  lines.push("");
  const acrossDistinct = measured
    .filter((m) => m.workload.key.includes("distinct"))
    .flatMap((m) => m.report.hotSlots.map((h) => h.name));
  if (acrossDistinct.length > 0 && acrossDistinct.every((n) => CUSTODY.test(n))) {
    const holders = [...new Set(acrossDistinct.map((n) => CUSTODY.exec(n)![1]))].sort().join(", ");
    lines.push(
      "Every conflict between distinct devices or distinct assets comes from one pattern: a contract holding every asset's " +
        `funds in one ERC-20 balance (${holders}). The per-device and per-asset conflicts below are ` +
        "inherent to what the contracts guarantee (ordering of a device's attestations, exact holder cap, exact income per " +
        "share) and stay within one device or one asset.",
    );
  }
  const distributorBalance = measured.some((m) =>
    m.report.hotSlots.some((h) => h.name === "USDC._balances[IncomeDistributor]"),
  );
  if (!distributorBalance) {
    lines.push("");
    lines.push("### Income custody per asset: the distributor's balance no longer conflicts");
    lines.push("");
    lines.push(
      "The IncomeDistributor used to hold every asset's income in its own ERC-20 balance, so every deposit and every claim " +
        "read and wrote `USDC._balances[IncomeDistributor]` whatever the asset (0 % conflict-free for income deposits and " +
        "claims on distinct assets). It now holds each asset's funds in its own `AssetVault`, a minimal clone it deploys at " +
        "a CREATE2 address (salt = asset id, `vaultOf(assetId)`, through its AssetVaults) with the asset's first money, and " +
        "shares with the maintenance and rental custodies: deposits `transferFrom` straight into the asset's vault (ETH is " +
        "forwarded to it within the deposit) and claims, fee claims, reserve withdrawals, redemptions and dust sweeps are paid " +
        "by it, while all the accounting stays in the distributor. Income work on distinct assets therefore writes distinct " +
        "balance slots (`USDC._balances[AssetVault(assetN)]`) and no slot shared across assets: see " +
        "`income.deposits.distinctAssets` and `income.claims.distinctAssets`. Cost: one clone deployment per asset (on its " +
        "first deposit) and one extra call per payout (see reports/gas.md). An ETH deposit still passes through the " +
        "distributor's ETH balance within its transaction (credited by `msg.value`, forwarded to the vault: unchanged at the " +
        "end), an account field this report leaves out; ETH payouts leave from the vault.",
    );
  }
  const rentalBalance = measured.some((m) =>
    m.report.hotSlots.some(
      (h) => h.name === "USDC._balances[RentalEscrow]" || h.name === "USDC._balances[RentalCustody]",
    ),
  );
  if (!rentalBalance) {
    lines.push("");
    lines.push("### Rental custody per asset: the escrow's balance no longer conflicts");
    lines.push("");
    lines.push(
      "The RentalEscrow used to hold every agreement's deposit and prepaid rent in its own ERC-20 balance, so every `rent`, " +
        "`topUp` and `payPeriod` read and wrote `USDC._balances[RentalEscrow]` whatever the asset (0 % conflict-free for " +
        "rentals and rent payments on distinct assets). Each agreement's money now sits in the `AssetVault` of its " +
        "custody id (the rented asset; for a device, the asset it is bound to at opening, else the device), the clone the " +
        "distributor's AssetVaults deploys at a CREATE2 address (salt = custody id) and shares with the income distributor " +
        "and the maintenance custody: renters `transferFrom` straight into it (approving the escrow), withdrawals and refunds " +
        "are paid by it, and rent reaches the holders as accounting (`depositHeld`), with no transfer; the agreements stay in " +
        "the escrow, the claimable balances per custody id and the deferred income in the custody, keyed by custody id (no " +
        "global counter). Rentals on distinct assets therefore write distinct slots (`USDC._balances[AssetVault(assetN)]`): " +
        "see `rental.distinctAssets` and `rental.payments.distinctAssets`. One path still passes money through the custody " +
        "within one transaction, unchanged at its end: an ETH payment (forwarded to the vault, an account field this report " +
        "leaves out).",
    );
  }
  const mixed = measured.find((m) => m.workload.key === "mixedBlock");
  if (mixed !== undefined) {
    lines.push("");
    lines.push("### One vault per asset: what the mixed block pays for it");
    lines.push("");
    lines.push(
      `\`mixedBlock\` is ${pct(mixed.report.parallelShare)} conflict-free. Every conflicting slot belongs to one asset: none is ` +
        "shared across assets. Since the income distributor, the maintenance custody and the rental custody share one " +
        "`AssetVault` per asset (issue 15), an income deposit or claim and a rent payment or maintenance order on the same " +
        "asset write the same `USDC._balances[AssetVault(assetN)]` and must be ordered; with a vault per controller (until " +
        "issue 15's shared custody) they wrote different balances, and the same block was 94 % conflict-free. In exchange, " +
        "money moving between the three is accounting with no transfer: rent reaching the holders (`collect`, `settle`, " +
        "`terminateEarly`) and the reserve funding maintenance no longer touch a balance at all, and an asset needs one " +
        "clone instead of three (reports/gas.md).",
    );
  }
  for (const e of explained) {
    lines.push("");
    lines.push(`### ${e.title}`);
    lines.push("");
    lines.push(e.text);
  }
  if (unexplained.length > 0) {
    lines.push("");
    lines.push("### Not yet analysed");
    lines.push("");
    for (const n of unexplained) lines.push(`- \`${n}\``);
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
  if (sizes.devices < sizes.assets) {
    throw new UserError(
      `PARALLEL_DEVICES (${sizes.devices}) must be at least PARALLEL_ASSETS (${sizes.assets}): each asset has its own device`,
    );
  }
  const outDir = process.env.PARALLEL_OUT || "reports";
  const started = Date.now();
  // A fixed start date and deterministic block timestamps (as the bench): the same tree gives the same report.
  const connection = await createBenchConnection();
  const log = (m: string) => console.log(`[parallel ${((Date.now() - started) / 1000).toFixed(0)}s] ${m}`);
  const world = await buildWorld(connection, sizes, log);
  log("measuring workloads");
  const measured = await measureAll(world, workloads(sizes), log);
  // Unchanged content is not rewritten (no timing is recorded in these reports).
  const wroteJson = writeIfChanged(join(outDir, "parallel.json"), JSON.stringify(reportJson(measured), null, 2) + "\n");
  const wroteMd = writeIfChanged(join(outDir, "parallel.md"), reportMarkdown(measured, sizes));
  for (const { workload, report } of measured) {
    log(
      `${workload.key.padEnd(32)} ${pct(report.parallelShare).padStart(6)}  (${report.conflictFree}/${report.transactions})`,
    );
    for (const h of report.hotSlots.slice(0, 5))
      log(`    ${h.name}  [${h.txs} txs; written by ${h.writers.join(", ")}]`);
  }
  log(
    wroteJson || wroteMd
      ? `wrote ${join(outDir, "parallel.json")} and ${join(outDir, "parallel.md")}`
      : `${join(outDir, "parallel.json")} and ${join(outDir, "parallel.md")} unchanged: not rewritten`,
  );
}

await runOperator(main);
