/**
 * Onboards investors into the identity registry from a CSV file, in batches, with a progress bar.
 * Bad rows (bad address, bad country, expiry not in the future, duplicates, wrong column count) are
 * reported; then nothing is sent and the exit code is 1, unless ALLOW_PARTIAL=1 (the good rows are sent).
 * A file without any valid row always fails. SIGNER signs (needs KYC_AGENT_ROLE).
 *
 *   IDENTITY_REGISTRY=0x... CSV=investors.csv npx hardhat run scripts/operator/assets/onboard-investors.ts --network <name>
 *
 * CSV: `wallet,country,expiry` per line, optional header; country = ISO-3166-1 numeric (e.g. 276),
 * expiry = unix seconds or ISO date (e.g. 2027-12-31).
 *
 * Environment:
 *   IDENTITY_REGISTRY  required  IdentityRegistry address
 *   CSV                required  path of the CSV file
 *   SIGNER             optional  the KYC agent: account index or address (default 0)
 *   BATCH_SIZE         optional  rows per transaction, 1..256 (default 100)
 *   ALLOW_PARTIAL=1    optional  onboard the valid rows even when some are rejected (exit code 0)
 *   REJECTED_REPORT    optional  path where the rejected rows are written as CSV (line,reason,row)
 */
import { readFile, writeFile } from "node:fs/promises";
import { envFlag, operatorNetwork, requireCode, signerFromEnv } from "../../lib/cli.js";
import type { IdentityRegistry } from "../../../types/ethers-contracts/index.js";
import {
  onboardInvestors,
  parseInvestorCsv,
  rejectedReport,
  requireAddressEnv,
  requireEnv,
  runCli,
  UserError,
} from "./lib.js";

await runCli(async () => {
  const env = process.env;
  const { ethers } = await operatorNetwork();
  const identityAddress = requireAddressEnv(ethers, env, "IDENTITY_REGISTRY");
  await requireCode(ethers, identityAddress, "IDENTITY_REGISTRY");
  const csvPath = requireEnv(env, "CSV");
  const batchSize = Number(env.BATCH_SIZE ?? "100");
  let text: string;
  try {
    text = await readFile(csvPath, "utf8");
  } catch {
    throw new UserError(`cannot read CSV file "${csvPath}"`);
  }
  const latest = await ethers.provider.getBlock("latest");
  const { rows, rejected } = parseInvestorCsv(ethers, text, BigInt(latest!.timestamp));
  const kyc = await signerFromEnv(ethers);
  const identity = (await ethers.getContractAt("IdentityRegistry", identityAddress)) as unknown as IdentityRegistry;
  for (const r of rejected) console.log(`  rejected line ${r.line}: ${r.reason} (${r.raw})`);
  if (env.REJECTED_REPORT) await writeFile(env.REJECTED_REPORT, rejectedReport(rejected));
  const summary = `${rows.length} valid row(s), ${rejected.length} rejected`;
  if (rows.length === 0) throw new UserError(`${summary}: nothing to onboard, nothing was sent`);
  if (rejected.length > 0 && !envFlag("ALLOW_PARTIAL")) {
    throw new UserError(`${summary}: nothing was sent; fix the rows or set ALLOW_PARTIAL=1 to onboard the valid ones`);
  }
  const { batches } = await onboardInvestors(identity, kyc, rows, { batchSize, progress: true });
  console.log(`onboarded ${rows.length} investors in ${batches} transactions; rejected ${rejected.length} rows`);
});
