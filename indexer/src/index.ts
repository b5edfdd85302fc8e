/**
 * Indexing functions: every event of every suite contract in ponder.config.ts.
 *
 * Domain events update their tables (devices, readings, assets, holdings, income, offers, agreements,
 * maintenance orders, disputes, custody balances, roles, settings). Every event except readings and
 * share transfers (which have their own tables) is also written to `activity`. Events without a
 * specific handler below get the generic one (activity, plus `setting` for configuration events), so
 * no event of the ABIs goes unindexed: `registerRemaining` walks the ABIs at the end.
 */
import { ponder, type EventNames, type IndexingFunctionArgs } from "ponder:registry";
import {
  activity,
  agreement,
  allowedToken,
  asset,
  assetDocument,
  assetPayoutToken,
  custodyBalance,
  device,
  deviceKey,
  dispute,
  holding,
  identity,
  incomeClaim,
  incomeDeposit,
  incomeEvent,
  maintenanceOrder,
  manufacturer,
  meterSettlement,
  milestone,
  offer,
  reading,
  rejectedReading,
  rentalTerms,
  roleMember,
  setting,
  shareToken,
  shareTransfer,
  vault,
} from "ponder:schema";
import { zeroAddress, type Abi, type Address, type Hex } from "viem";
import config from "../ponder.config.js";

type Args<name extends EventNames> = IndexingFunctionArgs<name>;
type AnyArgs = { event: AnyEvent; context: Args<EventNames>["context"] };
interface AnyEvent {
  id: string;
  args: unknown;
  block: { number: bigint; timestamp: bigint };
  log: { address: Address; logIndex: number };
  transaction: { hash: Hex };
}

/** Event names whose latest arguments are a contract setting (table `setting`). */
const SETTINGS = new Set([
  "AssetRegistrySet",
  "FreshnessSet",
  "EIP712DomainChanged",
  "RoleAdminChanged",
  "VerifierSet",
  "FeeRecipientSet",
  "ProtocolFeeSet",
  "MaxReserveSet",
  "DefaultArbiterSet",
  "EscrowSet",
  "IncomeHooksSet",
  "ConfigChanged",
  "CountryBlockedSet",
  "RuleAdded",
  "RuleRemoved",
  "Paused",
  "Unpaused",
  "Initialized",
  "NonceCancelled",
]);

/** Events that have their own table and are not repeated in `activity` (the hot paths). */
const NO_ACTIVITY = new Set(["DeviceRegistry:AttestationAccepted", "AssetShares:Transfer"]);

/** Arguments as JSON (bigints as decimal strings). */
function json(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(json);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, json(v)]));
  }
  return value;
}

const lower = (a: Address): Hex => a.toLowerCase() as Hex;

/** "Contract:Event" -> ["Contract", "Event"]. */
function split(name: string): [string, string] {
  const i = name.indexOf(":");
  return [name.slice(0, i), name.slice(i + 1)];
}

async function logActivity(name: string, { event, context }: AnyArgs): Promise<void> {
  const [contract, eventName] = split(name);
  await context.db.insert(activity).values({
    id: event.id,
    contract,
    address: event.log.address,
    name: eventName,
    args: json(event.args) as object,
    time: event.block.timestamp,
    block: event.block.number,
    tx: event.transaction.hash,
  });
}

/** The setting key: the event name, with its first argument when it names a thing (a country, a rule, a verifier). */
function settingName(eventName: string, event: AnyEvent): string {
  const args = (event.args ?? {}) as Record<string, unknown>;
  const key = (
    { CountryBlockedSet: "country", VerifierSet: "verifier", NonceCancelled: "owner" } as Record<string, string>
  )[eventName];
  if (key !== undefined) return `${eventName}:${String(args[key])}`;
  if (eventName === "RuleAdded" || eventName === "RuleRemoved") return `Rule:${String(args.rule)}`;
  if (eventName === "RoleAdminChanged") return `RoleAdmin:${String(args.role)}`;
  if (eventName === "Paused" || eventName === "Unpaused") return "Paused";
  return eventName;
}

async function genericHandler(name: string, args: AnyArgs): Promise<void> {
  const { event, context } = args;
  const eventName = split(name)[1];
  if (SETTINGS.has(eventName)) {
    const value = { event: eventName, ...(json(event.args ?? {}) as object) };
    await context.db
      .insert(setting)
      .values({ contract: event.log.address, name: settingName(eventName, event), value, block: event.block.number })
      .onConflictDoUpdate({ value, block: event.block.number });
  }
  if (!NO_ACTIVITY.has(name)) await logActivity(name, args);
}

const handled = new Set<string>();

/** Registers a specific handler for `name`, followed by the generic one (activity, settings). */
function on<name extends EventNames>(name: name, handler: (args: Args<name>) => Promise<void>): void {
  handled.add(name);
  ponder.on(name, async (args: Args<name>) => {
    await handler(args);
    await genericHandler(name, args as unknown as AnyArgs);
  });
}

// ------------------------------------------------------------------------------------------ devices

on("DeviceRegistry:DeviceRegistered", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(device).values({
    id: a.deviceId,
    manufacturer: a.manufacturer,
    keyKind: a.keyType,
    keyA: a.keyA,
    keyB: a.keyB,
    model: a.model,
    firmwareHash: a.firmwareHash,
    serialHash: a.serialHash,
    status: 1, // Active
    leaseExpires: 0n,
    readingCount: 0,
    rejectedCount: 0,
    registeredAt: event.block.timestamp,
    registeredBlock: event.block.number,
  });
});

on("DeviceRegistry:DeviceClaimed", async ({ event, context }) => {
  await context.db.update(device, { id: event.args.deviceId }).set({ owner: event.args.owner });
});

on("DeviceRegistry:DeviceKeyRotated", async ({ event, context }) => {
  const { deviceId, keyType, keyA, keyB } = event.args;
  await context.db.update(device, { id: deviceId }).set({ keyKind: keyType, keyA, keyB });
});

on("DeviceRegistry:DeviceStatusChanged", async ({ event, context }) => {
  await context.db.update(device, { id: event.args.deviceId }).set({ status: event.args.status });
});

on("DeviceRegistry:BindRequested", async ({ event, context }) => {
  await context.db.update(device, { id: event.args.deviceId }).set({ pendingAssetId: event.args.assetId });
});

on("DeviceRegistry:BindRequestCleared", async ({ event, context }) => {
  await context.db.update(device, { id: event.args.deviceId }).set({ pendingAssetId: null });
});

on("DeviceRegistry:DeviceBound", async ({ event, context }) => {
  await context.db.update(device, { id: event.args.deviceId }).set({ assetId: event.args.assetId });
});

on("DeviceRegistry:DeviceUnbound", async ({ event, context }) => {
  await context.db
    .update(device, { id: event.args.deviceId })
    .set((row) => ({ assetId: row.assetId === event.args.assetId ? null : row.assetId }));
});

on("DeviceRegistry:AttestationAccepted", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(reading).values({
    device: a.deviceId,
    kind: a.kind,
    counter: a.counter,
    value: a.value,
    odometer: a.odometer,
    time: event.block.timestamp,
    block: event.block.number,
    tx: event.transaction.hash,
  });
  await context.db
    .update(device, { id: a.deviceId })
    .set((row) => ({ readingCount: row.readingCount + 1, lastReadingTime: event.block.timestamp }));
});

on("DeviceRegistry:AttestationRejected", async ({ event, context }) => {
  await context.db.insert(rejectedReading).values({
    id: event.id,
    device: event.args.deviceId,
    batchIndex: event.args.index,
    reason: event.args.reason,
    time: event.block.timestamp,
    tx: event.transaction.hash,
  });
  const known = await context.db.find(device, { id: event.args.deviceId });
  if (known !== null) {
    await context.db
      .update(device, { id: event.args.deviceId })
      .set((row) => ({ rejectedCount: row.rejectedCount + 1 }));
  }
});

on("DeviceRegistry:ManufacturerAdmitted", async ({ event, context }) => {
  const { manufacturer: id, signer } = event.args;
  await context.db
    .insert(manufacturer)
    .values({ id, signer, active: true })
    .onConflictDoUpdate({ signer, active: true });
});

on("DeviceRegistry:ManufacturerSignerChanged", async ({ event, context }) => {
  await context.db.update(manufacturer, { id: event.args.manufacturer }).set({ signer: event.args.signer });
});

on("DeviceRegistry:ManufacturerRemoved", async ({ event, context }) => {
  await context.db.update(manufacturer, { id: event.args.manufacturer }).set({ active: false });
});

on("DeviceToken:Transfer", async ({ event, context }) => {
  const { to, tokenId } = event.args;
  if ((await context.db.find(device, { id: tokenId })) === null) return;
  await context.db.update(device, { id: tokenId }).set({ owner: to === zeroAddress ? null : to });
});

on("DeviceToken:UpdateUser", async ({ event, context }) => {
  const { tokenId, user, expires } = event.args;
  if ((await context.db.find(device, { id: tokenId })) === null) return;
  await context.db
    .update(device, { id: tokenId })
    .set({ leaseUser: user === zeroAddress ? null : user, leaseExpires: BigInt(expires) });
});

on("DeviceKeys:KeyAdmitted", async ({ event, context }) => {
  const { keyHash, verifier, key } = event.args;
  await context.db.insert(deviceKey).values({ id: keyHash, verifier, key }).onConflictDoUpdate({ verifier, key });
});

// ------------------------------------------------------------------------------------------- assets

on("AssetRegistry:AssetRegistered", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(asset).values({
    id: a.assetId,
    issuer: a.issuer,
    agent: a.agent,
    salt: a.salt,
    assetClass: a.assetClass,
    jurisdiction: a.jurisdiction,
    status: 1, // Active (StatusChanged None -> Active follows)
    metadataURI: a.metadataURI,
    leasedUntil: 0n,
    sharesSupply: 0n,
    reserveBps: 0,
    registeredAt: event.block.timestamp,
  });
});

on("AssetRegistry:StatusChanged", async ({ event, context }) => {
  await context.db.update(asset, { id: event.args.assetId }).set({ status: event.args.current });
});

on("AssetRegistry:AgentProposed", async ({ event, context }) => {
  await context.db.update(asset, { id: event.args.assetId }).set({ pendingAgent: event.args.pendingAgent });
});

on("AssetRegistry:AgentChanged", async ({ event, context }) => {
  await context.db.update(asset, { id: event.args.assetId }).set({ agent: event.args.newAgent, pendingAgent: null });
});

on("AssetRegistry:MetadataURIChanged", async ({ event, context }) => {
  await context.db.update(asset, { id: event.args.assetId }).set({ metadataURI: event.args.metadataURI });
});

on("AssetRegistry:ValuationUpdated", async ({ event, context }) => {
  const { assetId, amount, currency, appraiser, date } = event.args;
  await context.db.update(asset, { id: assetId }).set({
    valuation: amount,
    valuationCurrency: currency,
    valuationAppraiser: appraiser,
    valuationDate: BigInt(date),
  });
});

on("AssetRegistry:LeaseSet", async ({ event, context }) => {
  await context.db.update(asset, { id: event.args.assetId }).set({ leasedUntil: BigInt(event.args.until) });
});

on("AssetRegistry:SharesRecorded", async ({ event, context }) => {
  await context.db.update(asset, { id: event.args.assetId }).set({ shares: event.args.shares });
});

on("AssetRegistry:DocumentAdded", async ({ event, context }) => {
  const { assetId, index, hash, supersedes, uri } = event.args;
  await context.db
    .insert(assetDocument)
    .values({ asset: assetId, index, hash, uri, supersedes, time: event.block.timestamp });
  if (supersedes !== 0n && (await context.db.find(assetDocument, { asset: assetId, index: supersedes })) !== null) {
    await context.db.update(assetDocument, { asset: assetId, index: supersedes }).set({ supersededBy: index });
  }
});

on("ShareFactory:SharesCreated", async ({ event, context }) => {
  const { assetId, shares, name, symbol, decimals } = event.args;
  await context.db.insert(shareToken).values({ id: lower(shares), asset: assetId });
  if ((await context.db.find(asset, { id: assetId })) !== null) {
    await context.db
      .update(asset, { id: assetId })
      .set({ shares, sharesName: name, sharesSymbol: symbol, sharesDecimals: decimals });
  }
});

/** The asset of a share token (every AssetShares clone is announced by SharesCreated first). */
async function assetOfShares(context: AnyArgs["context"], shares: Address): Promise<bigint> {
  const row = await context.db.find(shareToken, { id: lower(shares) });
  if (row === null) throw new Error(`indexer: share token ${shares} was not announced by ShareFactory`);
  return row.asset;
}

/** The holding row of (asset, holder), created empty when missing. */
async function touchHolding(context: AnyArgs["context"], assetId: bigint, holder: Address, shares: Address) {
  await context.db
    .insert(holding)
    .values({ asset: assetId, holder, shares, balance: 0n, frozen: 0n, walletFrozen: false, lockedUntil: 0n })
    .onConflictDoNothing();
}

on("AssetShares:Transfer", async ({ event, context }) => {
  const { from, to, value } = event.args;
  const shares = event.log.address;
  const assetId = await assetOfShares(context, shares);
  const fresh = { asset: assetId, shares, frozen: 0n, walletFrozen: false, lockedUntil: 0n };
  if (from !== zeroAddress) {
    await context.db
      .insert(holding)
      .values({ ...fresh, holder: from, balance: -value })
      .onConflictDoUpdate((row) => ({ balance: row.balance - value }));
  }
  if (to !== zeroAddress) {
    await context.db
      .insert(holding)
      .values({ ...fresh, holder: to, balance: value })
      .onConflictDoUpdate((row) => ({ balance: row.balance + value }));
  }
  const minted = from === zeroAddress ? value : 0n;
  const burned = to === zeroAddress ? value : 0n;
  if (minted !== burned && (await context.db.find(asset, { id: assetId })) !== null) {
    await context.db
      .update(asset, { id: assetId })
      .set((row) => ({ sharesSupply: row.sharesSupply + minted - burned }));
  }
  await context.db.insert(shareTransfer).values({
    id: event.id,
    asset: assetId,
    from,
    to,
    amount: value,
    time: event.block.timestamp,
    tx: event.transaction.hash,
  });
});

on("AssetShares:Frozen", async ({ event, context }) => {
  const assetId = await assetOfShares(context, event.log.address);
  await touchHolding(context, assetId, event.args.account, event.log.address);
  await context.db.update(holding, { asset: assetId, holder: event.args.account }).set({ frozen: event.args.amount });
});

on("AssetShares:WalletFrozenSet", async ({ event, context }) => {
  const assetId = await assetOfShares(context, event.log.address);
  await touchHolding(context, assetId, event.args.wallet, event.log.address);
  await context.db
    .update(holding, { asset: assetId, holder: event.args.wallet })
    .set({ walletFrozen: event.args.frozen });
});

on("AssetShares:InvestorLocked", async ({ event, context }) => {
  const assetId = await assetOfShares(context, event.log.address);
  await touchHolding(context, assetId, event.args.wallet, event.log.address);
  await context.db
    .update(holding, { asset: assetId, holder: event.args.wallet })
    .set({ lockedUntil: BigInt(event.args.until) });
});

on("IdentityRegistry:IdentitySet", async ({ event, context }) => {
  const { wallet, country, expiry } = event.args;
  const values = { country, expiry: BigInt(expiry), removed: false };
  await context.db
    .insert(identity)
    .values({ id: wallet, ...values })
    .onConflictDoUpdate(values);
});

on("IdentityRegistry:IdentityRemoved", async ({ event, context }) => {
  await context.db
    .insert(identity)
    .values({ id: event.args.wallet, country: 0, expiry: 0n, removed: true })
    .onConflictDoUpdate({ removed: true });
});

// ------------------------------------------------------------------------------------------- income

/** Running totals of (asset, token); the row is created when missing. */
async function addToPayoutToken(
  context: AnyArgs["context"],
  assetId: bigint,
  token: Address,
  add: Partial<
    Record<"deposited" | "toHolders" | "reserve" | "fees" | "claimed" | "reserveWithdrawn" | "feesClaimed", bigint>
  >,
) {
  const zero = {
    deposited: 0n,
    toHolders: 0n,
    reserve: 0n,
    fees: 0n,
    claimed: 0n,
    reserveWithdrawn: 0n,
    feesClaimed: 0n,
  };
  await context.db
    .insert(assetPayoutToken)
    .values({ asset: assetId, token, ...zero, ...add })
    .onConflictDoUpdate((row) => {
      const next: Partial<typeof zero> = {};
      for (const [k, v] of Object.entries(add) as [keyof typeof zero, bigint][]) next[k] = row[k] + v;
      return next;
    });
}

on("IncomeDistributor:PayoutTokenRegistered", async ({ event, context }) => {
  await addToPayoutToken(context, event.args.assetId, event.args.token, {});
});

on("IncomeDistributor:IncomeDeposited", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(incomeDeposit).values({
    id: event.id,
    asset: a.assetId,
    token: a.token,
    depositor: a.depositor,
    amount: a.amount,
    received: a.received,
    reserve: a.reserve,
    fee: a.fee,
    toHolders: a.toHolders,
    time: event.block.timestamp,
    block: event.block.number,
    tx: event.transaction.hash,
  });
  await addToPayoutToken(context, a.assetId, a.token, {
    deposited: a.received,
    toHolders: a.toHolders,
    reserve: a.reserve,
    fees: a.fee,
  });
});

on("IncomeDistributor:IncomeClaimed", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(incomeClaim).values({
    id: event.id,
    asset: a.assetId,
    holder: a.holder,
    token: a.token,
    to: a.to,
    amount: a.amount,
    time: event.block.timestamp,
    tx: event.transaction.hash,
  });
  await addToPayoutToken(context, a.assetId, a.token, { claimed: a.amount });
});

on("IncomeDistributor:ReserveRateSet", async ({ event, context }) => {
  if ((await context.db.find(asset, { id: event.args.assetId })) === null) return;
  await context.db.update(asset, { id: event.args.assetId }).set({ reserveBps: event.args.reserveBps });
});

on("AssetVaults:VaultCreated", async ({ event, context }) => {
  await context.db
    .insert(vault)
    .values({ id: event.args.vault, creator: event.log.address, scope: event.args.assetId });
  if ((await context.db.find(asset, { id: event.args.assetId })) === null) return;
  await context.db.update(asset, { id: event.args.assetId }).set({ vault: event.args.vault });
});

on("IncomeDistributor:PayoutTokenSet", async ({ event, context }) => {
  const { token, allowed } = event.args;
  await context.db
    .insert(allowedToken)
    .values({ contract: event.log.address, token, allowed })
    .onConflictDoUpdate({ allowed });
});

/** Writes an income_event row. */
async function incomeRow(
  name: string,
  { event, context }: AnyArgs,
  row: { asset: bigint; token?: Address; account?: Address; to?: Address; amount: bigint },
): Promise<void> {
  await context.db.insert(incomeEvent).values({
    id: event.id,
    name,
    time: event.block.timestamp,
    tx: event.transaction.hash,
    ...row,
  });
}

on("IncomeDistributor:ReserveWithdrawn", async (args) => {
  const a = args.event.args;
  await incomeRow("ReserveWithdrawn", args as unknown as AnyArgs, {
    asset: a.assetId,
    token: a.token,
    account: a.spender,
    to: a.to,
    amount: a.amount,
  });
  await addToPayoutToken(args.context, a.assetId, a.token, { reserveWithdrawn: a.amount });
});

on("IncomeDistributor:FeesClaimed", async (args) => {
  const a = args.event.args;
  await incomeRow("FeesClaimed", args as unknown as AnyArgs, {
    asset: a.assetId,
    token: a.token,
    to: a.to,
    amount: a.amount,
  });
  await addToPayoutToken(args.context, a.assetId, a.token, { feesClaimed: a.amount });
});

on("IncomeDistributor:BuyoutDeposited", async (args) => {
  const a = args.event.args;
  await incomeRow("BuyoutDeposited", args as unknown as AnyArgs, {
    asset: a.assetId,
    token: a.token,
    account: a.agent,
    amount: a.received,
  });
});

on("IncomeDistributor:BuyoutDustSwept", async (args) => {
  const a = args.event.args;
  await incomeRow("BuyoutDustSwept", args as unknown as AnyArgs, {
    asset: a.assetId,
    token: a.token,
    to: a.to,
    amount: a.amount,
  });
});

on("IncomeDistributor:EntitlementMoved", async (args) => {
  const a = args.event.args;
  await incomeRow("EntitlementMoved", args as unknown as AnyArgs, {
    asset: a.assetId,
    token: a.token,
    account: a.lost,
    to: a.replacement,
    amount: a.amount,
  });
});

on("IncomeDistributor:Redeemed", async (args) => {
  const a = args.event.args;
  await incomeRow("Redeemed", args as unknown as AnyArgs, {
    asset: a.assetId,
    account: a.holder,
    to: a.to,
    amount: a.proceeds,
  });
});

// ------------------------------------------------------------------------------------------- rental

on("RentalEscrow:TermsStored", async ({ event, context }) => {
  const { termsHash, subjectKind, subjectId } = event.args;
  await context.db.insert(rentalTerms).values({ id: termsHash, subjectKind, subjectId }).onConflictDoNothing();
});

on("RentalMarket:OfferPublished", async ({ event, context }) => {
  const { offerId, owner, termsHash } = event.args;
  const terms = await context.db.find(rentalTerms, { id: termsHash });
  const values = {
    owner,
    termsHash,
    subjectKind: terms?.subjectKind ?? null,
    subjectId: terms?.subjectId ?? null,
    active: true,
    publishedAt: event.block.timestamp,
  };
  await context.db
    .insert(offer)
    .values({ id: offerId, ...values })
    .onConflictDoUpdate(values);
});

on("RentalMarket:OfferCancelled", async ({ event, context }) => {
  if ((await context.db.find(offer, { id: event.args.offerId })) === null) return;
  await context.db.update(offer, { id: event.args.offerId }).set({ active: false });
});

on("RentalMarket:TokenAllowed", async ({ event, context }) => {
  const { token, allowed } = event.args;
  await context.db
    .insert(allowedToken)
    .values({ contract: event.log.address, token, allowed })
    .onConflictDoUpdate({ allowed });
});

// Agreement states (IRentalTypes.State): 1 Reserved, 2 Active, 3 TerminatedEarly, 4 Settling, 5 Closed.
on("RentalEscrow:AgreementOpened", async ({ event, context }) => {
  const a = event.args;
  const terms = await context.db.find(rentalTerms, { id: a.termsHash });
  await context.db.insert(agreement).values({
    id: a.id,
    termsHash: a.termsHash,
    subjectKind: terms?.subjectKind ?? null,
    subjectId: terms?.subjectId ?? null,
    renter: a.renter,
    owner: a.owner,
    state: 1,
    endReason: 0,
    duration: a.duration,
    credit: a.credit,
    deposit: a.deposit,
    billedUnits: 0n,
    carriedUnits: 0n,
    meteredCharge: 0n,
    rentPaid: 0n,
    feePaid: 0n,
    toppedUp: 0n,
    openedAt: event.block.timestamp,
  });
});

on("RentalEscrow:Activated", async ({ event, context }) => {
  await context.db
    .update(agreement, { id: event.args.id })
    .set({ state: 2, start: event.args.start, end: event.args.end });
});

on("RentalEscrow:TerminatedEarly", async ({ event, context }) => {
  // Settled follows in the same transaction when the new end has already come.
  await context.db.update(agreement, { id: event.args.id }).set({ state: 3, endReason: 2, end: event.args.end });
});

on("RentalEscrow:Defaulted", async ({ event, context }) => {
  await context.db
    .update(agreement, { id: event.args.id })
    .set({ endReason: 3, defaultDebt: event.args.debt, end: event.block.timestamp });
});

on("RentalEscrow:MeterSettled", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(meterSettlement).values({
    id: event.id,
    agreement: a.id,
    counter: a.counter,
    odometer: a.odometer,
    units: a.units,
    billedUnits: a.billedUnits,
    carriedUnits: a.carriedUnits,
    charge: a.charge,
    time: event.block.timestamp,
  });
  await context.db.update(agreement, { id: a.id }).set((row) => ({
    billedUnits: row.billedUnits + a.billedUnits,
    carriedUnits: a.carriedUnits,
    meterCounter: a.counter,
    meterOdometer: a.odometer,
    meteredCharge: row.meteredCharge + a.charge,
  }));
});

on("RentalEscrow:RentPaid", async ({ event, context }) => {
  await context.db
    .update(agreement, { id: event.args.id })
    .set((row) => ({ rentPaid: row.rentPaid + event.args.net, feePaid: row.feePaid + event.args.fee }));
});

on("RentalEscrow:ToppedUp", async ({ event, context }) => {
  await context.db
    .update(agreement, { id: event.args.id })
    .set((row) => ({ toppedUp: row.toppedUp + event.args.amount }));
});

on("RentalEscrow:Settled", async ({ event, context }) => {
  const { id, reason, refund, badDebt, depositHeld } = event.args;
  await context.db
    .update(agreement, { id })
    .set({ state: depositHeld === 0n ? 5 : 4, endReason: reason, refund, badDebt, depositHeld });
});

on("RentalEscrow:ReservationEnded", async ({ event, context }) => {
  await context.db.update(agreement, { id: event.args.id }).set({ state: 5, endReason: event.args.reason });
});

on("RentalEscrow:ClaimResolved", async ({ event, context }) => {
  const { id, toOwner, toRenter } = event.args;
  await context.db
    .update(agreement, { id })
    .set({ state: 5, claimToOwner: toOwner, claimToRenter: toRenter, depositHeld: 0n });
});

on("RentalEscrow:Closed", async ({ event, context }) => {
  await context.db.update(agreement, { id: event.args.id }).set({ state: 5 });
});

on("RentalClaims:DamageClaimed", async ({ event, context }) => {
  const { id, amount, evidence } = event.args;
  if ((await context.db.find(agreement, { id })) === null) return;
  await context.db.update(agreement, { id }).set({ claimAmount: amount, claimEvidence: evidence });
});

on("RentalClaims:ClaimDisputed", async ({ event, context }) => {
  const { id, disputeId } = event.args;
  if ((await context.db.find(agreement, { id })) === null) return;
  await context.db.update(agreement, { id }).set({ disputeId });
});

on("RentalClaims:RulingDeferred", async ({ event, context }) => {
  const { id, ruling } = event.args;
  if ((await context.db.find(agreement, { id })) === null) return;
  await context.db.update(agreement, { id }).set({ ruling });
});

/** Adds to a party's custody balance. */
async function addToCustody(
  context: AnyArgs["context"],
  key: { custody: Address; party: Address; scope: bigint; token: Address },
  credited: bigint,
  withdrawn: bigint,
) {
  await context.db
    .insert(custodyBalance)
    .values({ ...key, credited, withdrawn })
    .onConflictDoUpdate((row) => ({ credited: row.credited + credited, withdrawn: row.withdrawn + withdrawn }));
}

on("RentalCustody:Credited", async ({ event, context }) => {
  const { party, custodyId, token, amount } = event.args;
  await addToCustody(context, { custody: event.log.address, party, scope: custodyId, token }, amount, 0n);
});

on("RentalCustody:Withdrawn", async ({ event, context }) => {
  const { party, custodyId, token, amount } = event.args;
  await addToCustody(context, { custody: event.log.address, party, scope: custodyId, token }, 0n, amount);
});

on("RentalCustody:IncomeDeposited", async (args) => {
  const a = args.event.args;
  await incomeRow("IncomeDeposited", args as unknown as AnyArgs, {
    asset: a.assetId,
    token: a.token,
    amount: a.amount,
  });
});

on("RentalCustody:IncomeDeferred", async (args) => {
  const a = args.event.args;
  await incomeRow("IncomeDeferred", args as unknown as AnyArgs, { asset: a.assetId, token: a.token, amount: a.amount });
});

on("RentalCustody:IncomeRedirected", async (args) => {
  const a = args.event.args;
  await incomeRow("IncomeRedirected", args as unknown as AnyArgs, {
    asset: a.assetId,
    token: a.token,
    to: a.agent,
    amount: a.amount,
  });
});

// -------------------------------------------------------------------------------------- maintenance

// Order states (IMaintenance.State): 1 Open, 2 Active, 3 Completed, 4 Cancelled, 5 Expired, 6 Defaulted.
on("MaintenanceOrders:OrderCreated", async ({ event, context }) => {
  const a = event.args;
  await context.db.insert(maintenanceOrder).values({
    id: a.orderId,
    asset: a.assetId,
    device: a.deviceId,
    payer: a.payer,
    token: a.token,
    budget: a.budget,
    state: 1,
    provider: a.provider === zeroAddress ? null : a.provider,
    acceptBy: BigInt(a.acceptBy),
    completeBy: BigInt(a.completeBy),
    fromReserve: a.fromReserve,
    released: 0n,
    releasedCount: 0,
    refunded: 0n,
    slashed: 0n,
    createdAt: event.block.timestamp,
  });
});

on("MaintenanceOrders:OrderReissued", async ({ event, context }) => {
  const { oldOrderId, newOrderId } = event.args;
  await context.db.update(maintenanceOrder, { id: oldOrderId }).set({ reissuedAs: newOrderId });
  await context.db.update(maintenanceOrder, { id: newOrderId }).set({ reissueOf: oldOrderId });
});

on("MaintenanceOrders:OrderAccepted", async ({ event, context }) => {
  const { orderId, provider, price, bond, baseCounter } = event.args;
  await context.db
    .update(maintenanceOrder, { id: orderId })
    .set({ state: 2, provider, amount: price, bond, baseCounter });
});

on("MaintenanceOrders:MilestoneReleased", async ({ event, context }) => {
  const { orderId, milestone: index, amount } = event.args;
  await context.db
    .update(maintenanceOrder, { id: orderId })
    .set((row) => ({ released: row.released + amount, releasedCount: row.releasedCount + 1 }));
  await touchMilestone(context, orderId, index);
  await context.db.update(milestone, { order: orderId, index }).set({ released: amount });
});

on("MaintenanceOrders:OrderCompleted", async ({ event, context }) => {
  await context.db
    .update(maintenanceOrder, { id: event.args.orderId })
    .set({ state: 3, bondReturned: event.args.bondReturned });
});

on("MaintenanceOrders:OrderCancelled", async ({ event, context }) => {
  await context.db
    .update(maintenanceOrder, { id: event.args.orderId })
    .set((row) => ({ state: 4, refunded: row.refunded + event.args.refunded }));
});

on("MaintenanceOrders:OrderExpired", async ({ event, context }) => {
  await context.db
    .update(maintenanceOrder, { id: event.args.orderId })
    .set((row) => ({ state: 5, refunded: row.refunded + event.args.refunded }));
});

on("MaintenanceOrders:OrderDefaulted", async ({ event, context }) => {
  const { orderId, refunded, slashed } = event.args;
  await context.db
    .update(maintenanceOrder, { id: orderId })
    .set((row) => ({ state: 6, refunded: row.refunded + refunded, slashed: row.slashed + slashed }));
});

on("MaintenanceOrders:BondReturnedDeviceGone", async ({ event, context }) => {
  await context.db.update(maintenanceOrder, { id: event.args.orderId }).set({ bondReturned: event.args.bond });
});

on("MaintenanceOrders:TokenAllowed", async ({ event, context }) => {
  const { token, allowed } = event.args;
  await context.db
    .insert(allowedToken)
    .values({ contract: event.log.address, token, allowed })
    .onConflictDoUpdate({ allowed });
});

async function touchMilestone(context: AnyArgs["context"], order: Hex, index: number) {
  await context.db.insert(milestone).values({ order, index, agreeing: 0, failedInspections: 0 }).onConflictDoNothing();
}

on("MaintenanceEvidence:EvidenceAccepted", async ({ event, context }) => {
  const { orderId, milestone: index, source, agreeing } = event.args;
  await touchMilestone(context, orderId, index);
  await context.db.update(milestone, { order: orderId, index }).set({ agreeing, lastSource: source });
});

on("MaintenanceEvidence:EvidenceWithdrawn", async ({ event, context }) => {
  const { orderId, milestone: index, source, agreeing } = event.args;
  await touchMilestone(context, orderId, index);
  await context.db.update(milestone, { order: orderId, index }).set({ agreeing, lastSource: source });
});

on("MaintenanceEvidence:InspectionFailed", async ({ event, context }) => {
  const { orderId, milestone: index } = event.args;
  await touchMilestone(context, orderId, index);
  await context.db
    .update(milestone, { order: orderId, index })
    .set((row) => ({ failedInspections: row.failedInspections + 1 }));
});

on("MaintenanceEvidence:MilestoneClaimed", async ({ event, context }) => {
  const { orderId, milestone: index, challengeEnds } = event.args;
  await touchMilestone(context, orderId, index);
  await context.db.update(milestone, { order: orderId, index }).set({ claimEnds: BigInt(challengeEnds) });
});

on("MaintenanceEvidence:ClaimChallenged", async ({ event, context }) => {
  const { orderId, milestone: index, disputeId, arbiter, deadline } = event.args;
  await touchMilestone(context, orderId, index);
  await context.db
    .update(milestone, { order: orderId, index })
    .set({ disputeId, arbiter, claimEnds: BigInt(deadline) });
});

on("MaintenanceCustody:Credited", async ({ event, context }) => {
  const { party, assetId, token, amount } = event.args;
  await addToCustody(context, { custody: event.log.address, party, scope: assetId, token }, amount, 0n);
});

on("MaintenanceCustody:Claimed", async ({ event, context }) => {
  const { party, assetId, token, amount } = event.args;
  await addToCustody(context, { custody: event.log.address, party, scope: assetId, token }, 0n, amount);
});

for (const name of ["ReserveCredited", "ReserveCreditUsed", "ReserveReturned"] as const) {
  on(`MaintenanceCustody:${name}`, async (args) => {
    const a = args.event.args;
    await incomeRow(name, args as unknown as AnyArgs, { asset: a.assetId, token: a.token, amount: a.amount });
  });
}

// ----------------------------------------------------------------------------------------- disputes

on("DisputeModule:DisputeCreated", async ({ event, context }) => {
  const { disputeId, arbitrable, arbiter, deadline, defaultRuling } = event.args;
  await context.db
    .insert(dispute)
    .values({ id: disputeId, arbitrable, arbiter, deadline: BigInt(deadline), defaultRuling });
});

on("DisputeModule:DisputeResolved", async ({ event, context }) => {
  const { disputeId, ruling, byTimeout } = event.args;
  await context.db.update(dispute, { id: disputeId }).set({ ruling, byTimeout });
});

// ------------------------------------------------------------------------------------ access control

for (const contract of [
  "DeviceRegistry",
  "IdentityRegistry",
  "AssetRegistry",
  "ShareFactory",
  "IncomeDistributor",
] as const) {
  registerRoles(contract);
}
registerRoles("RentalMarket");
registerRoles("MaintenanceOrders");

function registerRoles(
  contract:
    | "DeviceRegistry"
    | "IdentityRegistry"
    | "AssetRegistry"
    | "ShareFactory"
    | "IncomeDistributor"
    | "RentalMarket"
    | "MaintenanceOrders",
) {
  on(`${contract}:RoleGranted`, async ({ event, context }) => {
    const { role, account, sender } = event.args;
    await context.db
      .insert(roleMember)
      .values({ contract: event.log.address, role, account, active: true, by: sender })
      .onConflictDoUpdate({ active: true, by: sender });
  });
  on(`${contract}:RoleRevoked`, async ({ event, context }) => {
    const { role, account, sender } = event.args;
    await context.db
      .insert(roleMember)
      .values({ contract: event.log.address, role, account, active: false, by: sender })
      .onConflictDoUpdate({ active: false, by: sender });
  });
}

// ------------------------------------------------------------------------------- everything else

/** Registers the generic handler for every ABI event of every configured contract not handled above. */
function registerRemaining(): void {
  for (const [contract, { abi }] of Object.entries(config.contracts) as [string, { abi: Abi }][]) {
    for (const item of abi) {
      if (item.type !== "event") continue;
      const name = `${contract}:${item.name}`;
      if (handled.has(name)) continue;
      handled.add(name);
      ponder.on(name as EventNames, async (args) => genericHandler(name, args as unknown as AnyArgs));
    }
  }
}
registerRemaining();
