/**
 * Deposits income for an asset into the IncomeDistributor (approving the token first if needed).
 *
 *   DISTRIBUTOR=0x... ASSET_ID=1 TOKEN=0x...|ETH AMOUNT=12.5 [SIGNER=0|0x...] \
 *     npx hardhat run scripts/operator/income/deposit.ts --network <name>
 *
 * AMOUNT is in the token's units (its decimals are read on chain; ETH has 18).
 */
import { operatorNetwork, requireCode } from "../../lib/cli.js";
import { depositIncome, envAddress, envSigner, envUint, parseTokenAmount, requireEnv, runScript } from "./income.js";

await runScript(async () => {
  const { ethers } = await operatorNetwork();
  const distributor = envAddress(ethers, "DISTRIBUTOR");
  await requireCode(ethers, distributor, "DISTRIBUTOR");
  const assetId = envUint("ASSET_ID");
  const token = envAddress(ethers, "TOKEN", true);
  const amount = await parseTokenAmount(ethers, token, requireEnv("AMOUNT"));
  const signer = await envSigner(ethers);
  console.log(`depositing ${amount} (base units) of ${token} for asset ${assetId} from ${signer.address}...`);
  const r = await depositIncome(ethers, signer, { distributor, assetId, token, amount });
  console.log(
    `done: received ${r.received}, reserve ${r.reserve}, fee ${r.fee}, to holders ${r.toHolders} (gas ${r.gasUsed})`,
  );
});
