/**
 * The indexer's HTTP API (Ponder serves it on its port, default 42069):
 * - `/graphql` (and `/`): GraphQL over every table of ponder.schema.ts;
 * - `/sql/*`: SQL over HTTP for `@ponder/client` (read-only queries, live queries);
 * - `GET /claimable/:holder` and `GET /claimable/:holder/:assetId`: income claimable now per asset
 *   and payout token, read from IncomeDistributor.claimableOf at the indexed block (never recomputed).
 */
import { db, publicClients } from "ponder:api";
import schema from "ponder:schema";
import { Hono } from "hono";
import { client, eq, graphql } from "ponder";
import { isAddress, type Address } from "viem";
import { incomeDistributorAbi } from "../../abis.js";
import { addresses } from "../../deployment.js";

const app = new Hono();

app.use("/sql/*", client({ db, schema }));
app.use("/graphql", graphql({ db, schema }));
app.use("/", graphql({ db, schema }));

interface Claimable {
  asset: string;
  token: Address;
  claimable: string;
}

/** claimableOf(asset, token, holder) for every payout token of each asset, at the latest indexed block. */
async function claimable(holder: Address, assets: bigint[]): Promise<{ block: string; claimable: Claimable[] }> {
  const chain = publicClients.plinth;
  const block = await chain.getBlockNumber();
  const rows: Claimable[] = [];
  for (const assetId of assets) {
    const tokens = await chain.readContract({
      address: addresses.IncomeDistributor,
      abi: incomeDistributorAbi,
      functionName: "payoutTokensOf",
      args: [assetId],
      blockNumber: block,
    });
    for (const token of tokens) {
      const amount = await chain.readContract({
        address: addresses.IncomeDistributor,
        abi: incomeDistributorAbi,
        functionName: "claimableOf",
        args: [assetId, token, holder],
        blockNumber: block,
      });
      rows.push({ asset: assetId.toString(), token, claimable: amount.toString() });
    }
  }
  return { block: block.toString(), claimable: rows };
}

app.get("/claimable/:holder", async (c) => {
  const holder = c.req.param("holder");
  if (!isAddress(holder)) return c.json({ error: `not an address: ${holder}` }, 400);
  const held = await db
    .select()
    .from(schema.holding)
    .where(eq(schema.holding.holder, holder.toLowerCase() as Address));
  const assets = [...new Set(held.map((h) => h.asset))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return c.json(await claimable(holder, assets));
});

app.get("/claimable/:holder/:assetId", async (c) => {
  const holder = c.req.param("holder");
  if (!isAddress(holder)) return c.json({ error: `not an address: ${holder}` }, 400);
  let assetId: bigint;
  try {
    assetId = BigInt(c.req.param("assetId"));
  } catch {
    return c.json({ error: `not an asset id: ${c.req.param("assetId")}` }, 400);
  }
  return c.json(await claimable(holder, [assetId]));
});

export default app;
