/**
 * Hardhat plugin adding branch probes to the coverage build (see ./branches.ts).
 *
 * It does nothing unless `--coverage` is on. Hardhat runs a project plugin's handlers before its
 * built-in ones, so the handler calls `next` first, receives the file as Hardhat's coverage
 * instrumented it (statement tags keep the original offsets, so Hardhat's own line and statement
 * report is unchanged), and adds the branch probes to that text.
 *
 * Both hooks are marked deprecated in Hardhat 3.18's types; test/toolchain/branch-coverage.test.ts
 * fails if they stop being called, so an upgrade cannot silently drop branch data.
 */
import type { HardhatPlugin } from "hardhat/types/plugins";

const plinthBranchCoverage: HardhatPlugin = {
  id: "plinth:branch-coverage",
  hookHandlers: {
    solidity: () => import("./hook-handlers.js"),
  },
};

export default plinthBranchCoverage;
