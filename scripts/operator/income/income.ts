/**
 * Core operations on the IncomeDistributor, shared by the scripts in this folder and their tests:
 * deposit income (ERC-20 or ETH), claim, retire an asset by buyout, redeem. Each function checks
 * its inputs first and throws a `UserError` with a clear message (never a stack trace for a user
 * mistake); a contract refusal is decoded into its custom error name and arguments.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { ContractTransactionReceipt, ContractTransactionResponse, Interface } from "ethers";
import type { IncomeDistributor } from "../../../types/ethers-contracts/index.js";

import {
  describeRevert as describeRevertWith,
  mined,
  requireCode,
  runOperator,
  signerFromEnv,
  TransactionFailedError,
  UserError,
} from "../../lib/cli.js";
import { ERC20_ABI } from "../../lib/erc20.js";

/** A mistake of the caller (bad environment variable, nothing to claim...): print, do not trace. */
export { UserError };

export const ETH_TOKEN = "0x0000000000000000000000000000000000000000";

/** The few ERC-20 calls the scripts need. */
export interface Erc20 {
  decimals(): Promise<bigint>;
  balanceOf(account: string): Promise<bigint>;
  allowance(owner: string, spender: string): Promise<bigint>;
  approve(spender: string, amount: bigint): Promise<ContractTransactionResponse>;
}

/** Opens `token` as an ERC-20 (human-readable ABI: no artifact needed). */
export function erc20At(ethers: HardhatEthers, token: string, runner?: HardhatEthersSigner): Erc20 {
  return new ethers.Contract(token, ERC20_ABI, runner ?? ethers.provider) as unknown as Erc20;
}

/** Reads a required environment variable. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === "") throw new UserError(`environment variable ${name} is required`);
  return value.trim();
}

/** Parses an address from the environment (`ETH` allowed when `allowEth`). */
export function envAddress(ethers: HardhatEthers, name: string, allowEth = false): string {
  const raw = requireEnv(name);
  if (allowEth && raw.toUpperCase() === "ETH") return ETH_TOKEN;
  if (!ethers.isAddress(raw)) throw new UserError(`${name}=${raw} is not an address${allowEth ? ' (or "ETH")' : ""}`);
  return ethers.getAddress(raw);
}

/** Parses a non-negative integer (asset id) from the environment. */
export function envUint(name: string): bigint {
  const raw = requireEnv(name);
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(raw)) throw new UserError(`${name}=${raw} is not a non-negative integer`);
  return BigInt(raw);
}

/** Decimals of `token` (18 for ETH). */
export async function decimalsOf(ethers: HardhatEthers, token: string): Promise<number> {
  if (token === ETH_TOKEN) return 18;
  const erc20 = erc20At(ethers, token);
  try {
    return Number(await erc20.decimals());
  } catch {
    throw new UserError(`token ${token} does not answer decimals(): is it an ERC-20?`);
  }
}

/** Parses a human amount ("12.5") in the token's units. */
export async function parseTokenAmount(ethers: HardhatEthers, token: string, human: string): Promise<bigint> {
  const decimals = await decimalsOf(ethers, token);
  let amount: bigint;
  try {
    amount = ethers.parseUnits(human, decimals);
  } catch {
    throw new UserError(`amount "${human}" is not a number with at most ${decimals} decimals`);
  }
  if (amount <= 0n) throw new UserError(`amount must be positive, got "${human}"`);
  return amount;
}

/** Opens the distributor, checking that code is deployed there. */
export async function openDistributor(
  ethers: HardhatEthers,
  address: string,
  signer: HardhatEthersSigner,
): Promise<IncomeDistributor> {
  await requireCode(ethers, address, "DISTRIBUTOR");
  return ethers.getContractAt("IncomeDistributor", address, signer);
}

/**
 * Runs a transaction; a revert (refused while sending, or mined with status 0) becomes a UserError
 * naming the custom error, decoded from the revert data alone.
 */
async function send(
  iface: Interface,
  what: string,
  run: () => Promise<ContractTransactionResponse>,
): Promise<ContractTransactionReceipt> {
  try {
    return await mined(run(), { what, interfaces: [iface] });
  } catch (err) {
    if (err instanceof TransactionFailedError) throw new UserError(`${what} refused: ${err.reason} (${err.detail})`);
    if (err instanceof UserError) throw err;
    throw new UserError(`${what} refused: ${describeRevert(iface, err)}`);
  }
}

/** Turns a revert into `ErrorName(arg, ...)` from its revert data (the node's wording is never parsed). */
export function describeRevert(iface: Interface, err: unknown): string {
  return describeRevertWith(err, [iface]);
}

export interface DepositResult {
  toHolders: bigint;
  reserve: bigint;
  fee: bigint;
  received: bigint;
  gasUsed: bigint;
}

/** Deposits `amount` (base units) of `token` (ETH_TOKEN for ETH) as income of `assetId`. */
export async function depositIncome(
  ethers: HardhatEthers,
  signer: HardhatEthersSigner,
  params: { distributor: string; assetId: bigint; token: string; amount: bigint },
): Promise<DepositResult> {
  const distributor = await openDistributor(ethers, params.distributor, signer);
  const target = await distributor.getAddress();
  if (params.amount <= 0n) throw new UserError("amount must be positive");
  if (params.token === ETH_TOKEN) {
    const balance = await ethers.provider.getBalance(signer.address);
    if (balance < params.amount)
      throw new UserError(`${signer.address} holds ${balance} wei, less than ${params.amount}`);
  } else {
    if (!(await distributor.isPayoutToken(params.token)))
      throw new UserError(`token ${params.token} is not an accepted payout token`);
    const erc20 = erc20At(ethers, params.token, signer);
    const balance = await erc20.balanceOf(signer.address);
    if (balance < params.amount) throw new UserError(`${signer.address} holds ${balance}, less than ${params.amount}`);
    if ((await erc20.allowance(signer.address, target)) < params.amount) {
      await send(distributor.interface, "approve", () => erc20.approve(target, params.amount));
    }
  }
  const value = params.token === ETH_TOKEN ? params.amount : 0n;
  const receipt = await send(distributor.interface, "deposit", () =>
    distributor.deposit(params.assetId, params.token, params.amount, { value }),
  );
  for (const log of receipt.logs) {
    const parsed = distributor.interface.parseLog(log);
    if (parsed?.name === "IncomeDeposited") {
      return {
        received: parsed.args.received as bigint,
        reserve: parsed.args.reserve as bigint,
        fee: parsed.args.fee as bigint,
        toHolders: parsed.args.toHolders as bigint,
        gasUsed: receipt.gasUsed,
      };
    }
  }
  throw new UserError("deposit: no IncomeDeposited event in the receipt");
}

/** Claims the signer's income of `assetId` in `token`, paid to `to`. */
export async function claimIncome(
  ethers: HardhatEthers,
  signer: HardhatEthersSigner,
  params: { distributor: string; assetId: bigint; token: string; to: string },
): Promise<{ amount: bigint; gasUsed: bigint }> {
  const distributor = await openDistributor(ethers, params.distributor, signer);
  const amount = await distributor.claimableOf(params.assetId, params.token, signer.address);
  if (amount === 0n) throw new UserError(`${signer.address} has nothing to claim for asset ${params.assetId}`);
  const receipt = await send(distributor.interface, "claim", () =>
    distributor.claim(params.assetId, params.token, params.to),
  );
  return { amount, gasUsed: receipt.gasUsed };
}

/** The asset's agent deposits the buyout proceeds, which retires the asset. */
export async function retireByBuyout(
  ethers: HardhatEthers,
  signer: HardhatEthersSigner,
  params: { distributor: string; assetId: bigint; token: string; amount: bigint },
): Promise<{ supplyAtRetire: bigint; proceeds: bigint; gasUsed: bigint }> {
  const distributor = await openDistributor(ethers, params.distributor, signer);
  const registry = await ethers.getContractAt("IAssetRegistry", await distributor.registry());
  const agent = await registry.agentOf(params.assetId);
  if (agent.toLowerCase() !== signer.address.toLowerCase())
    throw new UserError(`only the asset's agent ${agent} may deposit a buyout (signer is ${signer.address})`);
  if (params.token !== ETH_TOKEN) {
    const erc20 = erc20At(ethers, params.token, signer);
    const target = await distributor.getAddress();
    if ((await erc20.allowance(signer.address, target)) < params.amount) {
      await send(distributor.interface, "approve", () => erc20.approve(target, params.amount));
    }
  }
  const value = params.token === ETH_TOKEN ? params.amount : 0n;
  const receipt = await send(distributor.interface, "depositBuyout", () =>
    distributor.depositBuyout(params.assetId, params.token, params.amount, { value }),
  );
  const b = await distributor.buyoutOf(params.assetId);
  return { supplyAtRetire: b.supplyAtRetire, proceeds: b.proceeds, gasUsed: receipt.gasUsed };
}

/** Redeems the signer's shares of a retired asset: proceeds plus unclaimed income, paid to `to`. */
export async function redeemShares(
  ethers: HardhatEthers,
  signer: HardhatEthersSigner,
  params: { distributor: string; assetId: bigint; to: string },
): Promise<{ shares: bigint; proceeds: bigint; gasUsed: bigint }> {
  const distributor = await openDistributor(ethers, params.distributor, signer);
  const b = await distributor.buyoutOf(params.assetId);
  if (b.supplyAtRetire === 0n) throw new UserError(`asset ${params.assetId} has not been bought out`);
  const receipt = await send(distributor.interface, "redeem", () => distributor.redeem(params.assetId, params.to));
  for (const log of receipt.logs) {
    const parsed = distributor.interface.parseLog(log);
    if (parsed?.name === "Redeemed") {
      return {
        shares: parsed.args.shares as bigint,
        proceeds: parsed.args.proceeds as bigint,
        gasUsed: receipt.gasUsed,
      };
    }
  }
  throw new UserError("redeem: no Redeemed event in the receipt");
}

/** Signer chosen by SIGNER (index or address; scripts/lib/cli.ts `signerFromEnv`). */
export async function envSigner(ethers: HardhatEthers): Promise<HardhatEthersSigner> {
  return signerFromEnv(ethers);
}

/** Runs a script body, printing user errors without a stack trace. */
export async function runScript(body: () => Promise<void>): Promise<void> {
  return runOperator(body);
}

export interface TokenStatus {
  token: string;
  claimable: bigint;
  withdrawn: bigint;
  reserve: bigint;
  fees: bigint;
  distributed: bigint;
  claimed: bigint;
}

/** Income status of `account` in every payout token of `assetId`, plus the buyout if any. */
export async function incomeStatus(
  ethers: HardhatEthers,
  params: { distributor: string; assetId: bigint; account: string },
): Promise<{ tokens: TokenStatus[]; buyout: { token: string; proceeds: bigint; remaining: bigint } | null }> {
  await requireCode(ethers, params.distributor, "DISTRIBUTOR");
  const distributor = await ethers.getContractAt("IncomeDistributor", params.distributor);
  const tokens: TokenStatus[] = [];
  for (const token of await distributor.payoutTokensOf(params.assetId)) {
    const [, distributed, claimed] = await distributor.incomeAccountingOf(params.assetId, token);
    tokens.push({
      token,
      claimable: await distributor.claimableOf(params.assetId, token, params.account),
      withdrawn: await distributor.withdrawnOf(params.assetId, token, params.account),
      reserve: await distributor.reserveOf(params.assetId, token),
      fees: await distributor.feesOf(params.assetId, token),
      distributed,
      claimed,
    });
  }
  const b = await distributor.buyoutOf(params.assetId);
  const buyout =
    b.supplyAtRetire === 0n
      ? null
      : { token: b.token, proceeds: b.proceeds, remaining: await distributor.buyoutRemainingOf(params.assetId) };
  return { tokens, buyout };
}
