import type { NetworkConnection } from "hardhat/types/network";

/** A connection to a fresh simulated chain, made by the bench runner for each area. */
export type BenchConnection = NetworkConnection;

/** Gas figures of one area: `<area>.<operation>[.<variant>]` -> gas (integers). */
export type GasEntries = Record<string, number>;

/** Extra facts an area reports besides gas (throughput, memory...), written under reports/. */
export interface AreaResult {
  gas: GasEntries;
  /** Free-form notes for reports/gas.md (one bullet each): floors, slot names, targets met or not. */
  notes?: string[];
  /** Markdown written after the notes: a figure explained line by line, built from the measured figures. */
  explanation?: string;
}

/** Each `scripts/tooling/bench/<area>.ts` exports `bench` of this type. */
export type AreaBench = (connection: BenchConnection) => Promise<AreaResult>;
