/**
 * The deployment the indexer reads: chain id, RPC URL and the suite's addresses from the deployment
 * record (`deployments/<chainId>.json`, written by `npm run deploy`). Shared by ponder.config.ts and
 * the API routes. Environment: see ponder.config.ts.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { getContractAddress, type Address } from "viem";

export const here = dirname(fileURLToPath(import.meta.url));
export const chainId = Number(process.env.PLINTH_CHAIN_ID ?? 31337);
const rpcUrls = (process.env.PLINTH_RPC_URL ?? "http://127.0.0.1:8545")
  .split(",")
  .map((u) => u.trim())
  .filter((u) => u !== "");
/**
 * Ponder starts each RPC URL at 20 requests per second and raises that slowly while the provider keeps
 * up. A local node takes far more: PLINTH_RPC_FANOUT=N gives each URL N request budgets (default 1).
 */
const fanout = Number(process.env.PLINTH_RPC_FANOUT ?? 1);
if (!Number.isInteger(fanout) || fanout < 1 || fanout > 64) {
  throw new Error(`indexer: PLINTH_RPC_FANOUT must be an integer from 1 to 64, got "${process.env.PLINTH_RPC_FANOUT}"`);
}
/** The RPC URL(s): PLINTH_RPC_URL, comma-separated for several providers (Ponder balances the load). */
export const rpc: string[] = rpcUrls.flatMap((u) => Array<string>(fanout).fill(u));
export const recordFile = resolve(process.env.PLINTH_DEPLOYMENT ?? join(here, "..", "deployments", `${chainId}.json`));

interface DeploymentRecord {
  chainId: number;
  fromBlock?: number;
  contracts: Record<string, { address: Address }>;
}

function readRecord(): DeploymentRecord {
  let record: DeploymentRecord;
  try {
    record = JSON.parse(readFileSync(recordFile, "utf8")) as DeploymentRecord;
  } catch (error) {
    throw new Error(
      `indexer: cannot read the deployment record ${recordFile} (${(error as Error).message}); deploy with ` +
        "`npm run deploy -- --network <name>` or set PLINTH_DEPLOYMENT",
    );
  }
  if (record.chainId !== chainId) {
    throw new Error(`indexer: ${recordFile} is for chain ${record.chainId}, PLINTH_CHAIN_ID is ${chainId}`);
  }
  return record;
}

const record = readRecord();
export const startBlock = record.fromBlock ?? 0;

/** The suite contracts the indexer reads, all required. */
const NAMES = [
  "DeviceRegistry",
  "DeviceKeys",
  "IdentityRegistry",
  "AssetRegistry",
  "ShareFactory",
  "IncomeDistributor",
  "AssetVaults",
  "DisputeModule",
  "RentalMarket",
  "RentalEscrow",
  "RentalCustody",
  "RentalClaims",
  "MaintenanceOrders",
  "MaintenanceEvidence",
  "MaintenanceCustody",
] as const;
export type Name = (typeof NAMES)[number];

const missing = NAMES.filter((name) => record.contracts[name]?.address === undefined);
if (missing.length > 0) {
  throw new Error(`indexer: ${recordFile} has no address for ${missing.join(", ")} (a partial deployment?)`);
}
export const address = (name: Name): Address => record.contracts[name].address;

export const addresses = {
  ...(Object.fromEntries(NAMES.map((name) => [name, address(name)])) as Record<Name, Address>),
  // DeviceRegistry's constructor creates DeviceToken first (nonce 1), then DeviceKeys (nonce 2).
  DeviceToken: getContractAddress({ from: address("DeviceRegistry"), nonce: 1n }),
};
