/**
 * Claims the signer's accrued income of an asset in one payout token.
 *
 *   DISTRIBUTOR=0x... ASSET_ID=1 TOKEN=0x...|ETH [TO=0x...] [SIGNER=0|0x...] \
 *     npx hardhat run scripts/operator/income/claim.ts --network <name>
 *
 * TO defaults to the signer (set it when the signer is blocklisted by the token).
 */
import { operatorNetwork, requireCode } from "../../lib/cli.js";
import { claimIncome, envAddress, envSigner, envUint, runScript } from "./income.js";

await runScript(async () => {
  const { ethers } = await operatorNetwork();
  const distributor = envAddress(ethers, "DISTRIBUTOR");
  await requireCode(ethers, distributor, "DISTRIBUTOR");
  const assetId = envUint("ASSET_ID");
  const token = envAddress(ethers, "TOKEN", true);
  const signer = await envSigner(ethers);
  const to = process.env.TO ? envAddress(ethers, "TO") : signer.address;
  console.log(`claiming income of asset ${assetId} in ${token} for ${signer.address}, paid to ${to}...`);
  const r = await claimIncome(ethers, signer, { distributor, assetId, token, to });
  console.log(`done: claimed ${r.amount} (gas ${r.gasUsed})`);
});
