/**
 * Deployed suite: addresses per chain id and typed (TypeChain, ethers v6) contract instances.
 */
import type { ContractRunner } from "ethers";
import { suiteFactories } from "./generated/contracts.js";
import { deployments } from "./generated/deployments.js";
import { isAddress, type Address } from "./types.js";

/**
 * The contracts every deployment of the suite has (`npm run deploy` deploys all parts) and a dApp calls
 * at a fixed address. Share tokens are per asset (`AssetShares__factory.connect(sharesOf(assetId))`).
 */
export const SUITE_CONTRACTS = [
  "DeviceRegistry",
  "DeviceKeys",
  "IdentityRegistry",
  "AssetRegistry",
  "ShareFactory",
  "IncomeDistributor",
  "AssetVaults",
  "RentalMarket",
  "RentalEscrow",
  "RentalCustody",
  "RentalClaims",
  "RentalMeter",
  "DisputeModule",
  "MaintenanceOrders",
  "MaintenanceEvidence",
  "MaintenanceCustody",
] as const;

/** Names of the suite's contracts at fixed addresses. */
export type SuiteContractName = (typeof SUITE_CONTRACTS)[number];

/** Addresses of a complete deployment, by contract name. */
export type SuiteAddresses = { readonly [K in SuiteContractName]: Address };

/** Typed contract instances of a complete deployment, by contract name. */
export type Suite = { readonly [K in SuiteContractName]: ReturnType<(typeof suiteFactories)[K]["connect"]> };

/**
 * The suite's addresses out of any name -> address record (a deployment file, Hardhat's deploy result):
 * checks that every suite contract is there with a valid address, and drops other entries.
 */
export function suiteAddresses(record: Readonly<Record<string, string | undefined>>): SuiteAddresses {
  const missing = SUITE_CONTRACTS.filter((name) => !isAddress(record[name]));
  if (missing.length > 0) {
    throw new Error(`not a complete Plinth deployment: no valid address for ${missing.join(", ")}`);
  }
  return Object.fromEntries(SUITE_CONTRACTS.map((name) => [name, record[name]])) as SuiteAddresses;
}

/** Chain ids the client knows a deployment for (public chains only: local chains are never bundled). */
export function supportedChains(): number[] {
  return Object.keys(deployments)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Addresses of the suite on `chainId`; throws a clear error for a chain without a deployment. */
export function getDeployment(chainId: number | bigint): SuiteAddresses {
  const deployment = deployments[Number(chainId)];
  if (deployment === undefined) {
    throw new Error(
      `Plinth is not deployed on chain ${chainId} (known chains: ${supportedChains().join(", ") || "none"}); ` +
        "for a local node pass its addresses (readDeployment from @plinth/client/node)",
    );
  }
  return deployment.contracts;
}

/**
 * Typed contracts of the suite, connected to `runner` (a provider to read, a signer to write).
 * `where` is a chain id (addresses bundled with the client) or the addresses of a complete deployment
 * (a local node, a fork: see `suiteAddresses`).
 */
export function connectSuite(where: number | bigint | SuiteAddresses, runner: ContractRunner | null): Suite {
  const addresses = typeof where === "object" ? suiteAddresses(where) : getDeployment(where);
  const factories = suiteFactories as Record<string, { connect(a: string, r?: ContractRunner | null): unknown }>;
  return Object.fromEntries(
    SUITE_CONTRACTS.map((name) => [name, factories[name]!.connect(addresses[name], runner)]),
  ) as Suite;
}
