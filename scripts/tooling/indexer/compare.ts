/**
 * The indexer's GraphQL (and its /claimable route) against the chain read directly, for
 * `npm run indexer:check`. Each comparison appends what differs to `mismatches` and returns a line of
 * what it checked. Ids and amounts are compared as decimal strings, addresses in lower case.
 */
import { decodeEventLog, getAddress, zeroAddress, type Abi, type Address, type Hex, type PublicClient } from "viem";
import {
  assetRegistryAbi,
  assetSharesAbi,
  assetVaultsAbi,
  deviceKeysAbi,
  deviceRegistryAbi,
  deviceTokenAbi,
  disputeModuleAbi,
  identityRegistryAbi,
  incomeDistributorAbi,
  maintenanceCustodyAbi,
  maintenanceEvidenceAbi,
  maintenanceOrdersAbi,
  rentalClaimsAbi,
  rentalCustodyAbi,
  rentalEscrowAbi,
  rentalMarketAbi,
  rentalMeterAbi,
  shareFactoryAbi,
} from "../../../client/src/generated/abis.js";
import type { Indexer } from "./lib.js";

export interface Mismatch {
  what: string;
  indexed: unknown;
  chain: unknown;
}

/** The indexed contracts and their ABIs (as indexer/ponder.config.ts lists them). */
const ABIS: Record<string, Abi> = {
  DeviceRegistry: deviceRegistryAbi,
  DeviceKeys: deviceKeysAbi,
  IdentityRegistry: identityRegistryAbi,
  AssetRegistry: assetRegistryAbi,
  ShareFactory: shareFactoryAbi,
  IncomeDistributor: incomeDistributorAbi,
  AssetVaults: assetVaultsAbi,
  DisputeModule: disputeModuleAbi,
  RentalMarket: rentalMarketAbi,
  RentalEscrow: rentalEscrowAbi,
  RentalCustody: rentalCustodyAbi,
  RentalClaims: rentalClaimsAbi,
  MaintenanceOrders: maintenanceOrdersAbi,
  MaintenanceEvidence: maintenanceEvidenceAbi,
  MaintenanceCustody: maintenanceCustodyAbi,
};

interface Context {
  chain: PublicClient;
  indexer: Indexer;
  record: { fromBlock: number; contracts: Record<string, { address: string }> };
  head: number;
  mismatches: Mismatch[];
}

interface DecodedLog {
  contract: string;
  address: Address;
  name: string;
  args: Record<string, unknown>;
}

const low = (a: string): string => a.toLowerCase();
const str = (v: unknown): string =>
  v === null || v === undefined ? "null" : typeof v === "string" ? v.toLowerCase() : String(v);

function expect(ctx: Context, what: string, indexed: unknown, chain: unknown): void {
  if (str(indexed) !== str(chain)) ctx.mismatches.push({ what, indexed: str(indexed), chain: str(chain) });
}

/** Every row of a plural GraphQL query (pages of 1000). */
async function all<T>(ctx: Context, plural: string, fields: string, where = ""): Promise<T[]> {
  const rows: T[] = [];
  let after: string | null = null;
  for (;;) {
    const args = [`limit: 1000`, after !== null ? `after: "${after}"` : "", where !== "" ? `where: ${where}` : ""]
      .filter((a) => a !== "")
      .join(", ");
    const data: Record<string, { items: T[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }> =
      await ctx.indexer.graphql(`{ ${plural}(${args}) { items { ${fields} } pageInfo { hasNextPage endCursor } } }`);
    rows.push(...data[plural].items);
    if (!data[plural].pageInfo.hasNextPage) return rows;
    after = data[plural].pageInfo.endCursor;
  }
}

/** Every log of the suite's contracts (and of the share tokens), decoded with its contract's ABI. */
async function suiteLogs(ctx: Context, deviceToken: Address): Promise<DecodedLog[]> {
  const byAddress = new Map<string, string>();
  for (const name of Object.keys(ABIS)) byAddress.set(low(ctx.record.contracts[name].address), name);
  byAddress.set(low(deviceToken), "DeviceToken");
  const abis: Record<string, Abi> = { ...ABIS, DeviceToken: deviceTokenAbi as Abi, AssetShares: assetSharesAbi as Abi };
  const range = { fromBlock: BigInt(ctx.record.fromBlock), toBlock: BigInt(ctx.head) };
  const raw = await ctx.chain.getLogs({ address: [...byAddress.keys()] as Address[], ...range });
  const decoded: DecodedLog[] = [];
  const decode = (contract: string, log: { address: Address; data: Hex; topics: [Hex, ...Hex[]] | [] }) => {
    try {
      const event = decodeEventLog({ abi: abis[contract], data: log.data, topics: log.topics });
      decoded.push({
        contract,
        address: log.address,
        name: event.eventName ?? "?",
        args: (event.args ?? {}) as Record<string, unknown>,
      });
    } catch {
      decoded.push({ contract, address: log.address, name: `undecodable(${log.topics[0] ?? "no topic"})`, args: {} });
    }
  };
  for (const log of raw) decode(byAddress.get(low(log.address)) ?? "?", log);
  const shares = decoded.filter((l) => l.name === "SharesCreated").map((l) => l.args.shares as Address);
  if (shares.length > 0) {
    for (const log of await ctx.chain.getLogs({ address: shares, ...range })) decode("AssetShares", log);
  }
  return decoded;
}

export async function compareAll(ctx: Context): Promise<string[]> {
  const lines: string[] = [];
  const { chain } = ctx;
  const at = { blockNumber: BigInt(ctx.head) };
  const registry = ctx.record.contracts.DeviceRegistry.address as Address;
  const deviceToken = await chain.readContract({
    address: registry,
    abi: deviceRegistryAbi,
    functionName: "deviceToken",
  });

  // 1. Every log is indexed: counts per contract and event.
  const logs = await suiteLogs(ctx, deviceToken);
  const onChain = new Map<string, number>();
  for (const l of logs) onChain.set(`${l.contract}:${l.name}`, (onChain.get(`${l.contract}:${l.name}`) ?? 0) + 1);
  const indexedCounts = new Map<string, number>();
  for (const a of await all<{ contract: string; name: string }>(ctx, "activitys", "contract name")) {
    indexedCounts.set(`${a.contract}:${a.name}`, (indexedCounts.get(`${a.contract}:${a.name}`) ?? 0) + 1);
  }
  const totals = await ctx.indexer.graphql<{
    readings: { totalCount: number };
    shareTransfers: { totalCount: number };
  }>("{ readings { totalCount } shareTransfers { totalCount } }");
  indexedCounts.set("DeviceRegistry:AttestationAccepted", totals.readings.totalCount);
  indexedCounts.set("AssetShares:Transfer", totals.shareTransfers.totalCount);
  for (const key of new Set([...onChain.keys(), ...indexedCounts.keys()])) {
    expect(ctx, `events ${key}`, indexedCounts.get(key) ?? 0, onChain.get(key) ?? 0);
  }
  lines.push(`${logs.length} suite events in ${onChain.size} kinds: all indexed, none extra`);

  // SQL over HTTP (what @ponder/client sends: a superjson-encoded query on /sql/db) agrees with GraphQL.
  const sql = { json: { sql: "select count(*)::int as n from reading", params: [], typings: [] } };
  const response = await fetch(`${ctx.indexer.url}/sql/db?sql=${encodeURIComponent(JSON.stringify(sql))}`);
  const body = response.ok ? ((await response.json()) as { rows?: unknown[][] | { n: number }[] }) : undefined;
  const first = body?.rows?.[0];
  const viaSql = Array.isArray(first) ? first[0] : (first as { n?: number } | undefined)?.n;
  expect(ctx, "readings counted over SQL (/sql/db)", viaSql ?? `HTTP ${response.status}`, totals.readings.totalCount);
  lines.push(`SQL over HTTP: ${String(viaSql)} readings, as GraphQL`);
  const named = (name: string) => logs.filter((l) => l.name === name);

  // 2. Devices: owner, status, bound asset, readings.
  const devices = await all<{
    id: string;
    owner: string | null;
    status: number;
    assetId: string | null;
    pendingAssetId: string | null;
    readingCount: number;
  }>(ctx, "devices", "id owner status assetId pendingAssetId readingCount");
  const registered = named("DeviceRegistered").map((l) => String(l.args.deviceId));
  expect(
    ctx,
    "device ids",
    devices
      .map((d) => d.id)
      .sort()
      .join(","),
    registered.sort().join(","),
  );
  let readingsChecked = 0;
  for (const d of devices) {
    const id = BigInt(d.id);
    const [status, owner, assetId, pending] = await Promise.all([
      chain.readContract({ address: registry, abi: deviceRegistryAbi, functionName: "statusOf", args: [id], ...at }),
      chain.readContract({ address: registry, abi: deviceRegistryAbi, functionName: "ownerOf", args: [id], ...at }),
      chain.readContract({ address: registry, abi: deviceRegistryAbi, functionName: "assetOf", args: [id], ...at }),
      chain.readContract({
        address: registry,
        abi: deviceRegistryAbi,
        functionName: "pendingAssetOf",
        args: [id],
        ...at,
      }),
    ]);
    expect(ctx, `device ${d.id} status`, d.status, status);
    expect(ctx, `device ${d.id} owner`, d.owner ?? zeroAddress, owner);
    expect(ctx, `device ${d.id} asset`, d.assetId ?? 0, assetId);
    expect(ctx, `device ${d.id} pending asset`, d.pendingAssetId ?? 0, pending);
    const accepted = named("AttestationAccepted").filter((l) => String(l.args.deviceId) === d.id);
    expect(ctx, `device ${d.id} reading count`, d.readingCount, accepted.length);
    for (const kind of new Set(accepted.map((l) => Number(l.args.kind)))) {
      const latest = await chain.readContract({
        address: registry,
        abi: deviceRegistryAbi,
        functionName: "latestReading",
        args: [id, kind],
        ...at,
      });
      const data = await ctx.indexer.graphql<{
        readings: { items: { counter: string; value: string; odometer: string }[] };
      }>(
        `{ readings(where: { device: "${d.id}", kind: ${kind} }, orderBy: "counter", orderDirection: "desc", limit: 1) { items { counter value odometer } } }`,
      );
      const last = data.readings.items[0];
      expect(ctx, `device ${d.id} kind ${kind} latest counter`, last?.counter, latest.counter);
      expect(ctx, `device ${d.id} kind ${kind} latest value`, last?.value, latest.value);
      expect(ctx, `device ${d.id} kind ${kind} latest odometer`, last?.odometer, latest.odometer);
      readingsChecked++;
    }
  }
  lines.push(
    `${devices.length} devices (owner, status, asset, pending bind, reading counts) and ${readingsChecked} latest readings`,
  );

  // 3. Assets and share holdings.
  const assetRegistry = ctx.record.contracts.AssetRegistry.address as Address;
  const assets = await all<{
    id: string;
    status: number;
    agent: string;
    shares: string | null;
    sharesSupply: string;
    leasedUntil: string;
    vault: string | null;
  }>(ctx, "assets", "id status agent shares sharesSupply leasedUntil vault");
  expect(
    ctx,
    "asset ids",
    assets
      .map((a) => a.id)
      .sort()
      .join(","),
    named("AssetRegistered")
      .map((l) => String(l.args.assetId))
      .sort()
      .join(","),
  );
  const holdings = await all<{ asset: string; holder: string; balance: string }>(
    ctx,
    "holdings",
    "asset holder balance",
  );
  let balances = 0;
  for (const a of assets) {
    const id = BigInt(a.id);
    const [status, agent, shares] = await Promise.all([
      chain.readContract({
        address: assetRegistry,
        abi: assetRegistryAbi,
        functionName: "statusOf",
        args: [id],
        ...at,
      }),
      chain.readContract({ address: assetRegistry, abi: assetRegistryAbi, functionName: "agentOf", args: [id], ...at }),
      chain.readContract({
        address: assetRegistry,
        abi: assetRegistryAbi,
        functionName: "sharesOf",
        args: [id],
        ...at,
      }),
    ]);
    expect(ctx, `asset ${a.id} status`, a.status, status);
    expect(ctx, `asset ${a.id} agent`, a.agent, agent);
    expect(ctx, `asset ${a.id} shares`, a.shares ?? zeroAddress, shares);
    // The asset's vault, shared by income, maintenance and rental: indexed once it is deployed.
    const vault = await chain.readContract({
      address: ctx.record.contracts.IncomeDistributor.address as Address,
      abi: incomeDistributorAbi,
      functionName: "vaultOf",
      args: [id],
      ...at,
    });
    const deployed = ((await chain.getCode({ address: vault, ...at })) ?? "0x") !== "0x";
    expect(ctx, `asset ${a.id} vault`, a.vault ?? zeroAddress, deployed ? vault : zeroAddress);
    if (shares === zeroAddress) continue;
    const supply = await chain.readContract({
      address: shares,
      abi: assetSharesAbi,
      functionName: "totalSupply",
      ...at,
    });
    expect(ctx, `asset ${a.id} share supply`, a.sharesSupply, supply);
    const holders = new Set(holdings.filter((h) => h.asset === a.id).map((h) => low(h.holder)));
    for (const t of logs.filter(
      (l) => l.name === "Transfer" && l.contract === "AssetShares" && low(l.address) === low(shares),
    )) {
      for (const who of [t.args.from, t.args.to] as Address[]) if (who !== zeroAddress) holders.add(low(who));
    }
    for (const holder of holders) {
      const balance = await chain.readContract({
        address: shares,
        abi: assetSharesAbi,
        functionName: "balanceOf",
        args: [getAddress(holder)],
        ...at,
      });
      const row = holdings.find((h) => h.asset === a.id && low(h.holder) === holder);
      expect(ctx, `asset ${a.id} balance of ${holder}`, row?.balance ?? "missing", balance);
      balances++;
    }
  }
  lines.push(
    `${assets.length} assets (status, agent, shares, supply, lease, vault) and ${balances} share balances against balanceOf`,
  );

  // 4. Agreements.
  const escrow = ctx.record.contracts.RentalEscrow.address as Address;
  const agreements = await all<{
    id: string;
    state: number;
    endReason: number;
    renter: string;
    owner: string;
    billedUnits: string;
    carriedUnits: string;
    meterCounter: string | null;
    meterOdometer: string | null;
    depositHeld: string | null;
  }>(
    ctx,
    "agreements",
    "id state endReason renter owner billedUnits carriedUnits meterCounter meterOdometer depositHeld",
  );
  // The meters live in the escrow's RentalMeter (its third creation): marks and units per agreement.
  const meter = await chain.readContract({ address: escrow, abi: rentalEscrowAbi, functionName: "meter", ...at });
  expect(
    ctx,
    "agreement ids",
    agreements
      .map((a) => a.id)
      .sort()
      .join(","),
    named("AgreementOpened")
      .map((l) => String(l.args.id))
      .sort()
      .join(","),
  );
  for (const a of agreements) {
    const onchain = await chain.readContract({
      address: escrow,
      abi: rentalEscrowAbi,
      functionName: "agreementOf",
      args: [a.id as Hex],
      ...at,
    });
    expect(ctx, `agreement ${a.id} state`, a.state, onchain.state);
    expect(ctx, `agreement ${a.id} end reason`, a.endReason, onchain.endReason);
    expect(ctx, `agreement ${a.id} renter`, a.renter, onchain.renter);
    expect(ctx, `agreement ${a.id} owner`, a.owner, onchain.owner);
    const m = await chain.readContract({
      address: meter,
      abi: rentalMeterAbi,
      functionName: "meterOf",
      args: [a.id as Hex],
      ...at,
    });
    expect(
      ctx,
      `agreement ${a.id} metered units (billed + carried)`,
      BigInt(a.billedUnits) + BigInt(a.carriedUnits),
      m.units,
    );
    expect(ctx, `agreement ${a.id} billed units`, a.billedUnits, m.billed);
    // The mark moves at activation (the baseline, no event) and with each MeterSettled: once one was indexed, the
    // indexed mark is the meter's.
    if (a.meterCounter !== null) {
      expect(ctx, `agreement ${a.id} meter mark counter`, a.meterCounter, m.counter);
      expect(ctx, `agreement ${a.id} meter mark odometer`, a.meterOdometer, m.odometer);
    }
    if (a.depositHeld !== null) expect(ctx, `agreement ${a.id} deposit held`, a.depositHeld, onchain.depositHeld);
  }
  lines.push(`${agreements.length} agreement(s) (state, end reason, parties, metered and billed units, meter marks)`);

  const market = ctx.record.contracts.RentalMarket.address as Address;
  const offers = await all<{ id: string; owner: string; termsHash: string; active: boolean }>(
    ctx,
    "offers",
    "id owner termsHash active",
  );
  const published = named("OfferPublished").map((l) => String(l.args.offerId));
  expect(
    ctx,
    "offer ids",
    offers
      .map((o) => o.id)
      .sort()
      .join(","),
    [...new Set(published)].sort().join(","),
  );
  for (const o of offers) {
    const onchain = await chain.readContract({
      address: market,
      abi: rentalMarketAbi,
      functionName: "offerOf",
      args: [o.id as Hex],
      ...at,
    });
    expect(ctx, `offer ${o.id} active`, o.active, onchain.active);
    expect(ctx, `offer ${o.id} owner`, o.owner, onchain.owner);
    expect(ctx, `offer ${o.id} terms`, o.termsHash, onchain.termsHash);
  }
  lines.push(`${offers.length} offer(s) (active, owner, terms)`);

  // 5. Maintenance orders.
  const ordersAddress = ctx.record.contracts.MaintenanceOrders.address as Address;
  const orders = await all<{
    id: string;
    state: number;
    provider: string | null;
    amount: string | null;
    released: string;
    releasedCount: number;
  }>(ctx, "maintenanceOrders", "id state provider amount released releasedCount");
  expect(
    ctx,
    "order ids",
    orders
      .map((o) => o.id)
      .sort()
      .join(","),
    named("OrderCreated")
      .map((l) => String(l.args.orderId))
      .sort()
      .join(","),
  );
  for (const o of orders) {
    const onchain = await chain.readContract({
      address: ordersAddress,
      abi: maintenanceOrdersAbi,
      functionName: "getOrder",
      args: [o.id as Hex],
      ...at,
    });
    expect(ctx, `order ${o.id} state`, o.state, onchain.state);
    expect(ctx, `order ${o.id} provider`, o.provider ?? zeroAddress, onchain.provider);
    expect(ctx, `order ${o.id} price`, o.amount ?? 0, onchain.price);
    expect(ctx, `order ${o.id} released`, o.released, onchain.released);
    expect(ctx, `order ${o.id} released milestones`, o.releasedCount, onchain.releasedCount);
  }
  lines.push(`${orders.length} maintenance order(s) (state, provider, price, released)`);

  // 6. Income: claimable (the indexer's route reads the distributor) and claimed per holder.
  const distributor = ctx.record.contracts.IncomeDistributor.address as Address;
  const claims = await all<{ asset: string; holder: string; token: string; amount: string }>(
    ctx,
    "incomeClaims",
    "asset holder token amount",
  );
  let claimables = 0;
  for (const holder of new Set(holdings.map((h) => low(h.holder)))) {
    const response = await fetch(`${ctx.indexer.url}/claimable/${holder}`);
    const body = (await response.json()) as { claimable: { asset: string; token: Address; claimable: string }[] };
    for (const row of body.claimable) {
      const [direct, withdrawn] = await Promise.all([
        chain.readContract({
          address: distributor,
          abi: incomeDistributorAbi,
          functionName: "claimableOf",
          args: [BigInt(row.asset), row.token, getAddress(holder)],
          ...at,
        }),
        chain.readContract({
          address: distributor,
          abi: incomeDistributorAbi,
          functionName: "withdrawnOf",
          args: [BigInt(row.asset), row.token, getAddress(holder)],
          ...at,
        }),
      ]);
      expect(ctx, `claimable of ${holder} (asset ${row.asset}, ${row.token})`, row.claimable, direct);
      const claimed = claims
        .filter((c) => c.asset === row.asset && low(c.holder) === holder && low(c.token) === low(row.token))
        .reduce((sum, c) => sum + BigInt(c.amount), 0n);
      expect(ctx, `claimed by ${holder} (asset ${row.asset}, ${row.token})`, claimed, withdrawn);
      claimables++;
    }
  }
  if (claimables === 0 && holdings.length > 0)
    ctx.mismatches.push({ what: "claimable rows", indexed: 0, chain: "some" });
  lines.push(`${claimables} claimable and claimed income amounts per holder and token`);
  return lines;
}
