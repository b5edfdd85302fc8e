/**
 * `npm run indexer:check`: the indexer (indexer/) agrees with the chain.
 *
 *  1. installs the indexer's packages when indexer/node_modules is missing, builds the client when its
 *     generated ABIs are missing;
 *  2. starts anvil on a free port, deploys with `npm run deploy -- --network localhost` and runs the e2e
 *     scenario (scripts/tooling/e2e/scenario.ts: devices attest, shares trade, income is paid and
 *     claimed, a metered rental, a maintenance order completed by device evidence);
 *  3. starts the indexer (`ponder start`, PGlite in a fresh temporary directory) and waits until it
 *     has indexed the chain's head;
 *  4. compares what GraphQL serves with the chain read directly: every suite log is indexed (counts per
 *     contract and event), device owners, status, bound asset and reading counts, assets, each
 *     holder's share balance (balanceOf) and each token's supply, agreement states and metering,
 *     order states and payouts, and claimable income from the indexer's /claimable route against
 *     IncomeDistributor.claimableOf;
 *  5. always stops its children. Exit code 0 only when everything matched.
 *
 * Run with `node --import tsx` (npm script). Child logs: reports/tmp/indexer-check-*.log.
 */
import { createPublicClient, http } from "viem";
import { compareAll, type Mismatch } from "./compare.js";
import {
  CheckError,
  childEnv,
  deploy,
  ensureClientBuilt,
  ensureIndexerInstalled,
  log,
  rpc,
  run,
  setLabel,
  startIndexer,
  startNode,
  stopAll,
} from "./lib.js";

setLabel("indexer-check");
const BUDGET_MS = 180_000;
const t0 = Date.now();

async function main(): Promise<void> {
  const installSeconds = await ensureIndexerInstalled();
  await ensureClientBuilt();

  const { url } = await startNode();
  log("deploying the suite (npm run deploy -- --network localhost)");
  const record = await deploy(url);
  log(`deployed; indexing from block ${record.fromBlock}`);

  log("running the e2e scenario (devices, shares, income, rental, maintenance)");
  await run(
    "scenario",
    process.execPath,
    ["node_modules/.bin/hardhat", "run", "scripts/tooling/e2e/scenario.ts", "--network", "localhost"],
    {
      env: childEnv({ LOCALHOST_RPC_URL: url }),
      quiet: true,
    },
  );
  const head = Number(await rpc<string>(url, "eth_blockNumber"));
  log(`scenario done; chain head is block ${head}`);

  const indexer = await startIndexer(url);
  const tIndex = Date.now();
  await indexer.waitFor(head, 120_000, (b) => log(`indexed up to block ${b} of ${head}`));
  log(`indexer synced to block ${head} in ${((Date.now() - tIndex) / 1000).toFixed(1)} s`);

  const chain = createPublicClient({ transport: http(url) });
  const mismatches: Mismatch[] = [];
  const summary = await compareAll({ chain, indexer, record, head, mismatches });
  for (const line of summary) log(`checked ${line}`);
  if (mismatches.length > 0) {
    const shown = mismatches.slice(0, 30).map((m) => `  ${m.what}: indexer ${m.indexed}, chain ${m.chain}`);
    throw new CheckError(
      `${mismatches.length} mismatch(es) between the indexer and the chain:\n${shown.join("\n")}` +
        (mismatches.length > 30 ? `\n  ... and ${mismatches.length - 30} more` : ""),
    );
  }
  const total = (Date.now() - t0) / 1000;
  log(
    `PASS: the indexer equals the chain (${total.toFixed(1)} s in all` +
      (installSeconds !== undefined ? `, of which ${installSeconds.toFixed(1)} s installing` : "") +
      `)`,
  );
  if (Date.now() - t0 > BUDGET_MS) log(`note: over the ${BUDGET_MS / 1000} s budget`);
}

try {
  await main();
} catch (error) {
  console.error(
    `\n[indexer-check] FAIL: ${error instanceof CheckError ? error.message : String((error as Error).stack ?? error)}`,
  );
  process.exitCode = 1;
} finally {
  stopAll();
}
