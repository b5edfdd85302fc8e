/**
 * What the screens list. The contracts keep no on-chain lists, so lists come from the indexer
 * (indexer/, GraphQL) or, with `source=chain` or while the indexer does not answer, from the chain's
 * logs. Exact values (balances, claimable income, bills, states) are always read from the contracts.
 */
import {
  deviceRegistryAbi,
  enums,
  incomeDistributorAbi,
  maintenanceOrdersAbi,
  rentalEscrowAbi,
  rentalMarketAbi,
  shareFactoryAbi,
} from "@plinth/client";
import { erc20Abi, type Address, type Hex } from "viem";
import type { Session } from "./session.tsx";
import { indexerLists } from "./indexer.ts";

export const KIND_ENERGY = enums.ReadingKinds.ENERGY_WH;

export interface Reading {
  counter: bigint;
  value: bigint;
  odometer: bigint;
  time: bigint;
}

export interface AssetInfo {
  assetId: bigint;
  shares: Address;
  name: string;
  symbol: string;
  decimals: number;
}

export interface Deposit {
  assetId: bigint;
  token: Address;
  amount: bigint;
  toHolders: bigint;
  time: bigint;
  block: bigint;
}

/** The lists a screen needs, from either source. */
export interface Lists {
  source: "indexer" | "chain logs";
  devicesOf(owner: Address): Promise<bigint[]>;
  readings(deviceId: bigint, kind: number): Promise<Reading[]>;
  assets(): Promise<{ assetId: bigint; shares: Address }[]>;
  deposits(assetId: bigint): Promise<Deposit[]>;
  offers(): Promise<Hex[]>;
  agreementsOf(renter: Address): Promise<Hex[]>;
  ordersOf(provider: Address): Promise<Hex[]>;
  /** A holder's income claims, oldest first. */
  claimsOf(holder: Address): Promise<IncomeClaim[]>;
  /** An agreement's meter settlements, oldest first. */
  meterSettlements(agreementId: Hex): Promise<MeterSettlement[]>;
}

export interface IncomeClaim {
  assetId: bigint;
  token: Address;
  amount: bigint;
  time: bigint;
  tx: Hex;
}

export interface MeterSettlement {
  billedUnits: bigint;
  charge: bigint;
  time: bigint;
}

const blockTimes = new Map<bigint, bigint>();
async function timeOf(session: Session, block: bigint): Promise<bigint> {
  let t = blockTimes.get(block);
  if (t === undefined) {
    t = (await session.publicClient.getBlock({ blockNumber: block })).timestamp;
    blockTimes.set(block, t);
  }
  return t;
}

/** Lists from the chain's logs (no indexer needed; fine on a local chain). */
export function chainLists(session: Session): Lists {
  const { publicClient: client, deployment } = session;
  const { addresses: a, fromBlock } = deployment;
  return {
    source: "chain logs",
    async devicesOf(owner) {
      const logs = await client.getContractEvents({
        address: a.DeviceRegistry,
        abi: deviceRegistryAbi,
        eventName: "DeviceClaimed",
        args: { owner },
        fromBlock,
      });
      return [...new Set(logs.map((l) => l.args.deviceId!))];
    },
    async readings(deviceId, kind) {
      const logs = await client.getContractEvents({
        address: a.DeviceRegistry,
        abi: deviceRegistryAbi,
        eventName: "AttestationAccepted",
        args: { deviceId, kind },
        fromBlock,
      });
      return Promise.all(
        logs.map(async (l) => ({
          counter: l.args.counter!,
          value: l.args.value!,
          odometer: l.args.odometer!,
          time: await timeOf(session, l.blockNumber),
        })),
      );
    },
    async assets() {
      const logs = await client.getContractEvents({
        address: a.ShareFactory,
        abi: shareFactoryAbi,
        eventName: "SharesCreated",
        fromBlock,
      });
      return logs.map((l) => ({ assetId: l.args.assetId!, shares: l.args.shares! }));
    },
    async deposits(assetId) {
      const logs = await client.getContractEvents({
        address: a.IncomeDistributor,
        abi: incomeDistributorAbi,
        eventName: "IncomeDeposited",
        args: { assetId },
        fromBlock,
      });
      return Promise.all(
        logs.map(async (l) => ({
          assetId,
          token: l.args.token!,
          amount: l.args.amount!,
          toHolders: l.args.toHolders!,
          block: l.blockNumber,
          time: await timeOf(session, l.blockNumber),
        })),
      );
    },
    async offers() {
      const logs = await client.getContractEvents({
        address: a.RentalMarket,
        abi: rentalMarketAbi,
        eventName: "OfferPublished",
        fromBlock,
      });
      return logs.map((l) => l.args.offerId!);
    },
    async agreementsOf(renter) {
      const logs = await client.getContractEvents({
        address: a.RentalEscrow,
        abi: rentalEscrowAbi,
        eventName: "AgreementOpened",
        args: { renter },
        fromBlock,
      });
      return logs.map((l) => l.args.id!);
    },
    async ordersOf(provider) {
      const logs = await client.getContractEvents({
        address: a.MaintenanceOrders,
        abi: maintenanceOrdersAbi,
        eventName: "OrderCreated",
        fromBlock,
      });
      return logs.filter((l) => l.args.provider === provider).map((l) => l.args.orderId!);
    },
    async claimsOf(holder) {
      const logs = await client.getContractEvents({
        address: a.IncomeDistributor,
        abi: incomeDistributorAbi,
        eventName: "IncomeClaimed",
        args: { holder },
        fromBlock,
      });
      return Promise.all(
        logs.map(async (l) => ({
          assetId: l.args.assetId!,
          token: l.args.token!,
          amount: l.args.amount!,
          tx: l.transactionHash,
          time: await timeOf(session, l.blockNumber),
        })),
      );
    },
    async meterSettlements(id) {
      const logs = await client.getContractEvents({
        address: a.RentalEscrow,
        abi: rentalEscrowAbi,
        eventName: "MeterSettled",
        args: { id },
        fromBlock,
      });
      return Promise.all(
        logs.map(async (l) => ({
          billedUnits: l.args.billedUnits!,
          charge: l.args.charge!,
          time: await timeOf(session, l.blockNumber),
        })),
      );
    },
  };
}

/** The indexer's lists when it answers (checked once per page), else the chain's logs. */
let chosen: Promise<Lists> | undefined;
export function lists(session: Session, preferIndexer: boolean): Promise<Lists> {
  chosen ??= (async () => {
    if (preferIndexer) {
      const fromIndexer = await indexerLists(session).catch(() => undefined);
      if (fromIndexer !== undefined) return fromIndexer;
    }
    return chainLists(session);
  })();
  return chosen;
}

/** An asset's share token and its name, symbol and decimals (read from the chain). */
export async function assetInfo(session: Session, assetId: bigint, shares: Address): Promise<AssetInfo> {
  const c = session.publicClient;
  const [name, symbol, decimals] = await Promise.all([
    c.readContract({ address: shares, abi: erc20Abi, functionName: "name" }),
    c.readContract({ address: shares, abi: erc20Abi, functionName: "symbol" }),
    c.readContract({ address: shares, abi: erc20Abi, functionName: "decimals" }),
  ]);
  return { assetId, shares, name, symbol, decimals };
}

const tokenMeta = new Map<Address, Promise<{ symbol: string; decimals: number }>>();
/** Symbol and decimals of a payment token (cached). */
export function tokenInfo(session: Session, token: Address) {
  let meta = tokenMeta.get(token);
  if (meta === undefined) {
    const c = session.publicClient;
    meta = Promise.all([
      c.readContract({ address: token, abi: erc20Abi, functionName: "symbol" }).catch(() => "?"),
      c.readContract({ address: token, abi: erc20Abi, functionName: "decimals" }).catch(() => 18),
    ]).then(([symbol, decimals]) => ({ symbol, decimals }));
    tokenMeta.set(token, meta);
  }
  return meta;
}
