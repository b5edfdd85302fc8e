/**
 * Lists from the Plinth indexer (indexer/: Ponder GraphQL at `<indexer>/graphql`; the table names are
 * indexer/ponder.schema.ts's). Exact values stay with the contracts: the screens read balances,
 * claimable income, states and bills from the chain for every id listed here.
 */
import type { Address, Hex } from "viem";
import { config } from "./config.ts";
import type { Deposit, IncomeClaim, Lists, MeterSettlement, Reading } from "./data.ts";
import type { Session } from "./session.tsx";

const MAX = 1000;

async function gql<T>(query: string): Promise<T> {
  const response = await fetch(`${config.indexer}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors !== undefined && body.errors.length > 0) throw new Error(`indexer: ${body.errors[0]!.message}`);
  if (body.data === undefined) throw new Error(`indexer: HTTP ${response.status}`);
  return body.data;
}

/** A GraphQL literal: addresses lowercased (as Ponder stores hex), bigints as strings. */
const lit = (v: Address | bigint | number) =>
  typeof v === "string" ? JSON.stringify(v.toLowerCase()) : JSON.stringify(v.toString());

type Items<K extends string, T> = Record<K, { items: T[] }>;

/** The indexer's lists, or undefined when it does not answer (the app then reads the chain's logs). */
export async function indexerLists(session: Session): Promise<Lists | undefined> {
  if (config.source !== "indexer") return undefined;
  await gql<unknown>("{ __typename }");
  void session;
  return {
    source: "indexer",
    async devicesOf(owner) {
      const d = await gql<Items<"devices", { id: string }>>(
        `{ devices(where: { owner: ${lit(owner)} }, limit: ${MAX}) { items { id } } }`,
      );
      return d.devices.items.map((i) => BigInt(i.id));
    },
    async readings(deviceId, kind): Promise<Reading[]> {
      const d = await gql<Items<"readings", { counter: string; value: string; odometer: string; time: string }>>(
        `{ readings(where: { device: ${lit(deviceId)}, kind: ${kind} }, orderBy: "counter", orderDirection: "asc",
           limit: ${MAX}) { items { counter value odometer time } } }`,
      );
      return d.readings.items.map((r) => ({
        counter: BigInt(r.counter),
        value: BigInt(r.value),
        odometer: BigInt(r.odometer),
        time: BigInt(r.time),
      }));
    },
    async assets() {
      const d = await gql<Items<"assets", { id: string; shares: Address | null }>>(
        `{ assets(limit: ${MAX}) { items { id shares } } }`,
      );
      return d.assets.items
        .filter((a) => a.shares !== null)
        .map((a) => ({ assetId: BigInt(a.id), shares: a.shares as Address }));
    },
    async deposits(assetId): Promise<Deposit[]> {
      const d = await gql<
        Items<"incomeDeposits", { token: Address; amount: string; toHolders: string; time: string; block: string }>
      >(
        `{ incomeDeposits(where: { asset: ${lit(assetId)} }, orderBy: "block", orderDirection: "asc", limit: ${MAX})
           { items { token amount toHolders time block } } }`,
      );
      return d.incomeDeposits.items.map((i) => ({
        assetId,
        token: i.token,
        amount: BigInt(i.amount),
        toHolders: BigInt(i.toHolders),
        time: BigInt(i.time),
        block: BigInt(i.block),
      }));
    },
    async offers() {
      const d = await gql<Items<"offers", { id: Hex }>>(
        `{ offers(where: { active: true }, limit: ${MAX}) { items { id } } }`,
      );
      return d.offers.items.map((o) => o.id);
    },
    async agreementsOf(renter) {
      const d = await gql<Items<"agreements", { id: Hex }>>(
        `{ agreements(where: { renter: ${lit(renter)} }, limit: ${MAX}) { items { id } } }`,
      );
      return d.agreements.items.map((a) => a.id);
    },
    async ordersOf(provider) {
      const d = await gql<Items<"maintenanceOrders", { id: Hex }>>(
        `{ maintenanceOrders(where: { provider: ${lit(provider)} }, limit: ${MAX}) { items { id } } }`,
      );
      return d.maintenanceOrders.items.map((o) => o.id);
    },
    async claimsOf(holder): Promise<IncomeClaim[]> {
      const d = await gql<
        Items<"incomeClaims", { asset: string; token: Address; amount: string; time: string; tx: Hex }>
      >(
        `{ incomeClaims(where: { holder: ${lit(holder)} }, orderBy: "time", orderDirection: "asc", limit: ${MAX})
           { items { asset token amount time tx } } }`,
      );
      return d.incomeClaims.items.map((c) => ({
        assetId: BigInt(c.asset),
        token: c.token,
        amount: BigInt(c.amount),
        time: BigInt(c.time),
        tx: c.tx,
      }));
    },
    async meterSettlements(id): Promise<MeterSettlement[]> {
      const d = await gql<Items<"meterSettlements", { billedUnits: string; charge: string; time: string }>>(
        `{ meterSettlements(where: { agreement: ${lit(id)} }, orderBy: "counter", orderDirection: "asc", limit: ${MAX})
           { items { billedUnits charge time } } }`,
      );
      return d.meterSettlements.items.map((m) => ({
        billedUnits: BigInt(m.billedUnits),
        charge: BigInt(m.charge),
        time: BigInt(m.time),
      }));
    },
  };
}
