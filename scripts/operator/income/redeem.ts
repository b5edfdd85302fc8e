/**
 * Redeems the signer's shares of a bought-out asset: burns them and pays the pro-rata proceeds plus
 * all unclaimed income.
 *
 *   DISTRIBUTOR=0x... ASSET_ID=1 [TO=0x...] [SIGNER=0|0x...] \
 *     npx hardhat run scripts/operator/income/redeem.ts --network <name>
 */
import { operatorNetwork, requireCode } from "../../lib/cli.js";
import { envAddress, envSigner, envUint, redeemShares, runScript } from "./income.js";

await runScript(async () => {
  const { ethers } = await operatorNetwork();
  const distributor = envAddress(ethers, "DISTRIBUTOR");
  await requireCode(ethers, distributor, "DISTRIBUTOR");
  const assetId = envUint("ASSET_ID");
  const signer = await envSigner(ethers);
  const to = process.env.TO ? envAddress(ethers, "TO") : signer.address;
  console.log(`redeeming the shares of ${signer.address} in asset ${assetId}, paid to ${to}...`);
  const r = await redeemShares(ethers, signer, { distributor, assetId, to });
  console.log(`done: redeemed ${r.shares} shares for ${r.proceeds} proceeds (gas ${r.gasUsed})`);
});
