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
 *  5. reorgs the chain: a share transfer is indexed, then `evm_revert` drops its block and a longer
 *     fork is mined; the indexer must drop the transfer (Ponder's reorg handling) and still equal the chain;
 *  6. always stops its children. Exit code 0 only when everything matched.
 *
 * Run with `node --import tsx` (npm script). Child logs: reports/tmp/indexer-check-*.log.
 */
import { readFileSync } from "node:fs";
import { createPublicClient, encodeFunctionData, http, type Address, type Hex } from "viem";
import { assetSharesAbi } from "../../../client/src/generated/abis.js";
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
  const compare = async (at: number, what: string) => {
    const mismatches: Mismatch[] = [];
    const summary = await compareAll({ chain, indexer, record, head: at, mismatches });
    for (const line of summary) log(`checked ${line}`);
    if (mismatches.length > 0) {
      const shown = mismatches.slice(0, 30).map((m) => `  ${m.what}: indexer ${m.indexed}, chain ${m.chain}`);
      throw new CheckError(
        `${what}: ${mismatches.length} mismatch(es) between the indexer and the chain:\n${shown.join("\n")}` +
          (mismatches.length > 30 ? `\n  ... and ${mismatches.length - 30} more` : ""),
      );
    }
  };
  await compare(head, "after the scenario");

  // A reorg: a share transfer is indexed, then the chain drops its block for a longer fork without it.
  const holdings = (
    await indexer.graphql<{
      holdings: { items: { asset: string; holder: Address; shares: Address; balance: string }[] };
    }>(
      '{ holdings(where: { balance_gt: "0" }, orderBy: "balance", orderDirection: "desc", limit: 2) { items { asset holder shares balance } } }',
    )
  ).holdings.items;
  if (holdings.length < 2) throw new CheckError("the scenario left fewer than two share holders: no transfer to reorg");
  const [from, to] = holdings;
  const balanceOf = async (holder: Address) =>
    (
      await indexer.graphql<{ holding: { balance: string } | null }>(
        `{ holding(asset: "${from.asset}", holder: "${holder}") { balance } }`,
      )
    ).holding?.balance;
  const snapshot = await rpc<string>(url, "evm_snapshot");
  const txHash = await rpc<Hex>(url, "eth_sendTransaction", [
    {
      from: from.holder,
      to: from.shares,
      data: encodeFunctionData({ abi: assetSharesAbi, functionName: "transfer", args: [to.holder, 1n] }),
    },
  ]);
  const receipt = await chain.waitForTransactionReceipt({ hash: txHash });
  if (receipt.status !== "success") throw new CheckError(`the share transfer to reorg reverted (${txHash})`);
  await indexer.waitFor(Number(receipt.blockNumber), 60_000);
  const moved = await balanceOf(from.holder);
  if (moved !== String(BigInt(from.balance) - 1n)) {
    throw new CheckError(
      `the indexer did not index the transfer: balance ${moved}, expected ${BigInt(from.balance) - 1n}`,
    );
  }
  log(`reorg: a transfer of 1 share unit indexed in block ${receipt.blockNumber}; dropping it for a longer fork`);
  if ((await rpc<boolean>(url, "evm_revert", [snapshot])) !== true) throw new CheckError("evm_revert failed");
  await rpc(url, "anvil_mine", ["0x3"]);
  const forkHead = Number(await rpc<string>(url, "eth_blockNumber"));
  await indexer.waitFor(forkHead, 60_000);
  const restored = await balanceOf(from.holder);
  if (restored !== from.balance) {
    throw new CheckError(`after the reorg the indexer shows balance ${restored}, the chain ${from.balance}`);
  }
  const reorgLogged = /reorg/i.test(readFileSync(indexer.logFile, "utf8"));
  log(
    `reorg: the transfer is gone from the index at the fork's head ${forkHead}${reorgLogged ? " (Ponder logged the reorg)" : ""}`,
  );
  await compare(forkHead, "after the reorg");
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
