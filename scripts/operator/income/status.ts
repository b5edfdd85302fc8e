/**
 * Shows an asset's income status: per payout token, what ACCOUNT can claim and has withdrawn, the
 * reserve, the protocol fees held, totals distributed and claimed; and the buyout if any.
 *
 *   DISTRIBUTOR=0x... ASSET_ID=1 [ACCOUNT=0x...] npx hardhat run scripts/operator/income/status.ts --network <name>
 *
 * ACCOUNT (an address to report on) defaults to the account SIGNER names (an index or address among
 * the network's accounts; default the first). Read-only: also runs on the in-process chain with
 * ALLOW_IN_PROCESS=1.
 */
import { operatorNetwork, requireCode, signerFromEnv } from "../../lib/cli.js";
import { envAddress, envUint, incomeStatus, runScript } from "./income.js";

await runScript(async () => {
  const { ethers } = await operatorNetwork({ readOnly: true });
  const distributor = envAddress(ethers, "DISTRIBUTOR");
  await requireCode(ethers, distributor, "DISTRIBUTOR");
  const assetId = envUint("ASSET_ID");
  const account = process.env.ACCOUNT
    ? envAddress(ethers, "ACCOUNT")
    : (await signerFromEnv(ethers, { ...process.env, ACCOUNT: undefined })).address;
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
