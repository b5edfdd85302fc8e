/**
 * Shows an asset's income status: per payout token, what ACCOUNT can claim and has withdrawn, the
 * reserve, the protocol fees held, totals distributed and claimed; and the buyout if any.
 *
 *   DISTRIBUTOR=0x... ASSET_ID=1 [ACCOUNT=0x...] npx hardhat run scripts/income/status.ts --network <name>
 *
 * ACCOUNT defaults to the first account of the network.
 */
import { network } from "hardhat";
import { envAddress, envSigner, envUint, incomeStatus, runScript } from "./income.js";

const { ethers } = await network.getOrCreate();
await runScript(async () => {
  const distributor = envAddress(ethers, "DISTRIBUTOR");
  const assetId = envUint("ASSET_ID");
  const account = process.env.ACCOUNT ? envAddress(ethers, "ACCOUNT") : (await envSigner(ethers)).address;
  const s = await incomeStatus(ethers, { distributor, assetId, account });
  if (s.tokens.length === 0) console.log(`asset ${assetId}: no payout token registered`);
  for (const t of s.tokens) {
    console.log(
      `${t.token}: claimable ${t.claimable}, withdrawn ${t.withdrawn} (account ${account}); ` +
        `reserve ${t.reserve}, fees ${t.fees}, distributed ${t.distributed}, claimed ${t.claimed}`,
    );
  }
  if (s.buyout) console.log(`buyout in ${s.buyout.token}: proceeds ${s.buyout.proceeds}, unpaid ${s.buyout.remaining}`);
});
