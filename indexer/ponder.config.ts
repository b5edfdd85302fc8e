/**
 * Ponder configuration: the suite's contracts from the deployment record of one chain.
 *
 * Environment:
 * - PLINTH_CHAIN_ID (default 31337) and PLINTH_RPC_URL (default http://127.0.0.1:8545; comma-separated for
 *   several providers); PLINTH_RPC_FANOUT: request budgets per URL (default 1; more for a local node);
 * - PLINTH_DEPLOYMENT: the record file (default ../deployments/<chainId>.json, written by `npm run deploy`);
 * - PLINTH_POLLING_MS: how often new blocks are polled (default 1000); PLINTH_GETLOGS_RANGE: blocks per eth_getLogs;
 * - DATABASE_URL: Postgres; without it the store is PGlite in PLINTH_PGLITE_DIR (default .ponder/pglite).
 *
 * ABIs come from the client (client/src/generated, built by `npm run build:client`). The per-asset
 * AssetShares clones are found through ShareFactory's SharesCreated events (Ponder's factory support);
 * DeviceToken is created by DeviceRegistry's constructor (its CREATE nonce 1).
 */
import { join } from "node:path";
import { createConfig, factory } from "ponder";
import { getAbiItem } from "viem";
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
  shareFactoryAbi,
} from "./abis.js";

import { address, addresses, chainId, here, rpc, startBlock, type Name } from "./deployment.js";

const on = (name: Name | "DeviceToken") => ({ chain: "plinth" as const, address: addresses[name], startBlock });

export default createConfig({
  database:
    process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== ""
      ? { kind: "postgres", connectionString: process.env.DATABASE_URL }
      : { kind: "pglite", directory: process.env.PLINTH_PGLITE_DIR ?? join(here, ".ponder", "pglite") },
  chains: {
    plinth: {
      id: chainId,
      rpc,
      pollingInterval: Number(process.env.PLINTH_POLLING_MS ?? 1000),
      // Blocks per eth_getLogs request (default: Ponder adapts it); a provider that times out on wide ranges needs it.
      ethGetLogsBlockRange:
        process.env.PLINTH_GETLOGS_RANGE !== undefined ? Number(process.env.PLINTH_GETLOGS_RANGE) : undefined,
    },
  },
  contracts: {
    DeviceRegistry: { abi: deviceRegistryAbi, ...on("DeviceRegistry") },
    DeviceToken: { abi: deviceTokenAbi, ...on("DeviceToken") },
    DeviceKeys: { abi: deviceKeysAbi, ...on("DeviceKeys") },
    IdentityRegistry: { abi: identityRegistryAbi, ...on("IdentityRegistry") },
    AssetRegistry: { abi: assetRegistryAbi, ...on("AssetRegistry") },
    ShareFactory: { abi: shareFactoryAbi, ...on("ShareFactory") },
    AssetShares: {
      abi: assetSharesAbi,
      chain: "plinth",
      startBlock,
      address: factory({
        address: address("ShareFactory"),
        event: getAbiItem({ abi: shareFactoryAbi, name: "SharesCreated" }),
        parameter: "shares",
      }),
    },
    IncomeDistributor: { abi: incomeDistributorAbi, ...on("IncomeDistributor") },
    AssetVaults: { abi: assetVaultsAbi, ...on("AssetVaults") },
    DisputeModule: { abi: disputeModuleAbi, ...on("DisputeModule") },
    RentalMarket: { abi: rentalMarketAbi, ...on("RentalMarket") },
    RentalEscrow: { abi: rentalEscrowAbi, ...on("RentalEscrow") },
    RentalCustody: { abi: rentalCustodyAbi, ...on("RentalCustody") },
    RentalClaims: { abi: rentalClaimsAbi, ...on("RentalClaims") },
    MaintenanceOrders: { abi: maintenanceOrdersAbi, ...on("MaintenanceOrders") },
    MaintenanceEvidence: { abi: maintenanceEvidenceAbi, ...on("MaintenanceEvidence") },
    MaintenanceCustody: { abi: maintenanceCustodyAbi, ...on("MaintenanceCustody") },
  },
});
