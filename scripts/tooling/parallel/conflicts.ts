/**
 * Storage access sets of mined transactions, and the conflict graph a parallel EVM would see.
 *
 * For each transaction we ask the node for two traces (`debug_traceTransaction`):
 * - `prestateTracer`: every account and storage slot the transaction touched (read or written);
 * - `prestateTracer` with `diffMode`: the slots it changed (writes).
 * Two transactions conflict when one writes a slot the other reads or writes. Account fields are
 * left out on purpose: the sender's nonce/balance belong to the sender (distinct senders never
 * share them) and the block producer's fee balance is handled by every parallel EVM specially.
 */
import type { JsonRpcProvider } from "ethers";

export type SlotKey = string; // `${address}:${slot}`, lowercase

export interface TxAccess {
  hash: string;
  label: string;
  reads: Set<SlotKey>;
  writes: Set<SlotKey>;
}

type Prestate = Record<string, { storage?: Record<string, string> }>;
interface DiffPrestate {
  pre: Prestate;
  post: Prestate;
}

interface Provider {
  send(method: string, params: unknown[]): Promise<unknown>;
}

export async function accessOf(provider: Provider | JsonRpcProvider, hash: string, label: string): Promise<TxAccess> {
  const [all, diff] = (await Promise.all([
    provider.send("debug_traceTransaction", [hash, { tracer: "prestateTracer" }]),
    provider.send("debug_traceTransaction", [hash, { tracer: "prestateTracer", tracerConfig: { diffMode: true } }]),
  ])) as [Prestate, DiffPrestate];
  const reads = new Set<SlotKey>();
  const writes = new Set<SlotKey>();
  for (const [addr, acc] of Object.entries(all)) {
    for (const slot of Object.keys(acc.storage ?? {})) reads.add(`${addr.toLowerCase()}:${slot.toLowerCase()}`);
  }
  for (const side of [diff.pre, diff.post]) {
    for (const [addr, acc] of Object.entries(side)) {
      for (const slot of Object.keys(acc.storage ?? {})) writes.add(`${addr.toLowerCase()}:${slot.toLowerCase()}`);
    }
  }
  // diffMode lists changed slots only (checked by the reports: slots every transaction reads, such
  // as configuration, never show up as writes); a slot cleared to zero appears in `pre` only, a slot
  // set from zero in `post` only, hence the union. A write restoring the slot's value (a storage
  // reentrancy guard's 1 -> 2 -> 1) is invisible here; the Plinth contracts use transient guards.
  for (const w of writes) reads.add(w);
  return { hash, label, reads, writes };
}

export interface Conflict {
  a: string;
  b: string;
  slot: SlotKey;
}

export interface WorkloadReport {
  transactions: number;
  conflictFree: number;
  /** Share of transactions that conflict with no other transaction of the workload, 0..1. */
  parallelShare: number;
  /** Shared slots causing conflicts, with the labels (functions) of the transactions writing them. */
  hotSlots: { slot: SlotKey; name: string; writers: string[]; readers: string[]; txs: number }[];
}

export function analyse(txs: TxAccess[], nameSlot: (slot: SlotKey) => string = (s) => s): WorkloadReport {
  const conflicted = new Set<number>();
  const slotWriters = new Map<SlotKey, Set<number>>();
  const slotTouchers = new Map<SlotKey, Set<number>>();
  txs.forEach((tx, i) => {
    for (const s of tx.writes) {
      if (!slotWriters.has(s)) slotWriters.set(s, new Set());
      slotWriters.get(s)!.add(i);
    }
    for (const s of tx.reads) {
      if (!slotTouchers.has(s)) slotTouchers.set(s, new Set());
      slotTouchers.get(s)!.add(i);
    }
  });
  const hot: WorkloadReport["hotSlots"] = [];
  for (const [slot, writers] of slotWriters) {
    const touchers = slotTouchers.get(slot) ?? new Set<number>();
    const involved = new Set<number>([...writers, ...touchers]);
    if (involved.size < 2) continue;
    for (const i of involved) conflicted.add(i);
    hot.push({
      slot,
      name: nameSlot(slot),
      writers: [...new Set([...writers].map((i) => txs[i].label))].sort(),
      readers: [...new Set([...touchers].filter((i) => !writers.has(i)).map((i) => txs[i].label))].sort(),
      txs: involved.size,
    });
  }
  hot.sort((x, y) => y.txs - x.txs);
  return {
    transactions: txs.length,
    conflictFree: txs.length - conflicted.size,
    parallelShare: txs.length === 0 ? 1 : (txs.length - conflicted.size) / txs.length,
    hotSlots: hot,
  };
}
