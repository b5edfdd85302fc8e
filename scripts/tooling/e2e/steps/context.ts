/**
 * What every e2e step shares: the scenario context, the accounts, the test stablecoin, helpers.
 *
 * Accounts (Hardhat's default mnemonic, as in deploy/parameters/localhost.json):
 *   #0 deployer (no role), #1 governance, #2 KYC agent, #3 fee recipient, #4 manufacturer,
 *   #5 manufacturer signer, #6 issuer = asset agent = device operator, #7 arbiter,
 *   #8 and #9 investors, #10 renter, #11 maintenance provider.
 */
import { id, parseUnits } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import type { DeploymentRecord } from "../../../operator/deploy/lib.js";
import type { ContractName } from "../../../../deploy/suite.js";
import { ReadingKinds } from "../../../../client/src/enums.js";

export interface ScenarioContext {
  hre: HardhatRuntimeEnvironment;
  connection: NetworkConnection<string>;
  record: DeploymentRecord;
  addresses: Partial<Record<string, string>>;
  signers: HardhatEthersSigner[];
  /** What steps hand to later steps (asset id, device ids, ...). */
  state: Record<string, unknown>;
  log: (message: string) => void;
}

/** One step: the contracts it needs (skipped when one is not deployed) and what it does. */
export interface Step {
  title: string;
  needs: ContractName[];
  run: (ctx: ScenarioContext) => Promise<void>;
}

export const ACCOUNTS = {
  deployer: 0,
  governance: 1,
  kycAgent: 2,
  feeRecipient: 3,
  manufacturer: 4,
  manufacturerSigner: 5,
  agent: 6,
  arbiter: 7,
  investorA: 8,
  investorB: 9,
  renter: 10,
  provider: 11,
} as const;

/** The e2e stablecoin's address (deploy/parameters/localhost.json lists it as an accepted token). */
export const E2E_USD = "0x5553440000000000000000000000000000000000";
/** eUSD amount in base units (6 decimals). */
export const USD = (n: string) => parseUnits(n, 6);
/** Seed of the simulated devices' keys. */
export const DEVICE_SEED = id("plinth.e2e.devices");
/** The simulator's reading kind (Wh; contracts/devices/ReadingKinds.sol). */
export const KIND_ENERGY = ReadingKinds.ENERGY_WH;
/** A device's self-test after maintenance (value 1 = pass in this scenario's orders). */
export const KIND_SELF_TEST = ReadingKinds.SELF_TEST;

export const signer = (ctx: ScenarioContext, who: keyof typeof ACCOUNTS) => ctx.signers[ACCOUNTS[who]];

/** A suite contract, typed by the caller, optionally connected to a signer. */
export async function contract<T>(ctx: ScenarioContext, name: ContractName, as?: HardhatEthersSigner): Promise<T> {
  return (await ctx.connection.ethers.getContractAt(name, ctx.addresses[name]!, as)) as unknown as T;
}

/** A value an earlier step produced. */
export function state<T>(ctx: ScenarioContext, key: string): T {
  if (!(key in ctx.state)) throw new Error(`an earlier step did not produce "${key}"`);
  return ctx.state[key] as T;
}

export async function latestTimestamp(ctx: ScenarioContext): Promise<bigint> {
  const block = await ctx.connection.ethers.provider.getBlock("latest");
  return BigInt(block!.timestamp);
}

/** Moves the local node's clock forward and mines a block. */
export async function advance(ctx: ScenarioContext, seconds: number): Promise<void> {
  await ctx.connection.provider.request({ method: "evm_increaseTime", params: [seconds] });
  await ctx.connection.provider.request({ method: "evm_mine", params: [] });
}
