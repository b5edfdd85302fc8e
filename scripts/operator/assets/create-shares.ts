/**
 * Creates an asset's share token at its predicted CREATE2 address. SIGNER (an account index or
 * address, default the first account) signs as the asset's agent.
 *
 *   FACTORY=0x... ASSET_ID=123... SHARES_NAME="Plant Berlin 7" SHARES_SYMBOL=PB7 \
 *   npx hardhat run scripts/operator/assets/create-shares.ts --network <name>
 *
 * Environment:
 *   FACTORY          required  ShareFactory address
 *   ASSET_ID         required  asset id (decimal or 0x hex)
 *   SHARES_NAME      required  ERC-20 name (also the permit domain name)
 *   SHARES_SYMBOL    required  ERC-20 symbol
 *   SHARES_DECIMALS  optional  0..18 (default 18)
 *   SIGNER           optional  the asset's agent: account index or address (default 0)
 */
import { operatorNetwork, requireCode, signerFromEnv } from "../../lib/cli.js";
import type { ShareFactory } from "../../../types/ethers-contracts/index.js";
import { createShares, parseAssetId, requireAddressEnv, requireEnv, runCli, UserError } from "./lib.js";

await runCli(async () => {
  const env = process.env;
  const { ethers } = await operatorNetwork();
  const factoryAddress = requireAddressEnv(ethers, env, "FACTORY");
  await requireCode(ethers, factoryAddress, "FACTORY");
  const assetId = parseAssetId(requireEnv(env, "ASSET_ID"));
  const decimals = Number(env.SHARES_DECIMALS ?? "18");
  if (!Number.isInteger(decimals))
    throw new UserError(`SHARES_DECIMALS must be an integer, got "${env.SHARES_DECIMALS}"`);
  const agent = await signerFromEnv(ethers);
  const factory = (await ethers.getContractAt("ShareFactory", factoryAddress)) as unknown as ShareFactory;
  const shares = await createShares(
    factory,
    agent,
    assetId,
    requireEnv(env, "SHARES_NAME"),
    requireEnv(env, "SHARES_SYMBOL"),
    decimals,
  );
  console.log(`shares of asset ${assetId} created at ${shares}`);
});
