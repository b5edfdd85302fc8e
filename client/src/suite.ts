/**
 * Deployed suite: addresses per chain id and typed (TypeChain, ethers v6) contract instances.
 */
import type { ContractRunner } from "ethers";
import { suiteFactories } from "./generated/contracts.js";
import { deployments } from "./generated/deployments.js";

/** Names of the suite's contracts this client has types for. */
export type SuiteContractName = keyof typeof suiteFactories;

/** Addresses of (part of) the suite, by contract name. */
export type SuiteAddresses = Partial<Record<SuiteContractName, string>>;

/** Typed contract instances of the suite, by contract name. */
export type Suite = {
  [K in SuiteContractName]?: ReturnType<(typeof suiteFactories)[K]["connect"]>;
};

/** Chain ids the client knows a deployment for. */
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
      `Plinth is not deployed on chain ${chainId} (known chains: ${supportedChains().join(", ") || "none"})`,
    );
  }
  return deployment.contracts as SuiteAddresses;
}

/**
 * Typed contracts of the suite, connected to `runner` (a provider to read, a signer to write).
 * `where` is a chain id (addresses bundled with the client) or an address map (a local node, a fork).
 */
export function connectSuite(where: number | bigint | SuiteAddresses, runner: ContractRunner | null): Suite {
  const addresses = typeof where === "object" ? where : getDeployment(where);
  const suite: Record<string, unknown> = {};
  for (const [name, address] of Object.entries(addresses)) {
    const factory = (suiteFactories as Record<string, { connect(a: string, r?: ContractRunner | null): unknown }>)[
      name
    ];
    if (factory !== undefined && address !== undefined) suite[name] = factory.connect(address, runner);
  }
  return suite as Suite;
}
