/**
 * Retires an asset by buyout: its agent deposits the sale proceeds (approving the token first if
 * needed); every holder may then redeem.
 *
 *   DISTRIBUTOR=0x... ASSET_ID=1 TOKEN=0x...|ETH AMOUNT=1000000 [SIGNER=<agent index|address>] \
 *     npx hardhat run scripts/operator/income/buyout.ts --network <name>
 */
import { operatorNetwork, requireCode } from "../../lib/cli.js";
import { envAddress, envSigner, envUint, parseTokenAmount, requireEnv, retireByBuyout, runScript } from "./income.js";

await runScript(async () => {
  const { ethers } = await operatorNetwork();
  const distributor = envAddress(ethers, "DISTRIBUTOR");
  await requireCode(ethers, distributor, "DISTRIBUTOR");
  const assetId = envUint("ASSET_ID");
  const token = envAddress(ethers, "TOKEN", true);
  const amount = await parseTokenAmount(ethers, token, requireEnv("AMOUNT"));
  const signer = await envSigner(ethers);
  console.log(`depositing buyout proceeds ${amount} of ${token} for asset ${assetId}...`);
  const r = await retireByBuyout(ethers, signer, { distributor, assetId, token, amount });
  console.log(`done: asset retired, ${r.proceeds} proceeds over ${r.supplyAtRetire} shares (gas ${r.gasUsed})`);
});
