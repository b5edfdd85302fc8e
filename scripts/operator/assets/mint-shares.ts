/**
 * Mints shares to investors. Each allocation is checked first with the token's own compliance code;
 * refused ones are reported with the rule that refused them and not sent; any refusal makes the exit
 * code 1 (ALLOW_PARTIAL=1: only when every allocation is refused). A summary line closes the run. SIGNER (an account index or
 * address, default the first account) signs as the asset's agent.
 *
 *   SHARES=0x... ALLOCATIONS=allocations.csv npx hardhat run scripts/operator/assets/mint-shares.ts --network <name>
 *   SHARES=0x... MINT_TO=0x... MINT_AMOUNT=1000 npx hardhat run scripts/operator/assets/mint-shares.ts --network <name>
 *
 * Environment:
 *   SHARES       required  share token address
 *   ALLOCATIONS  either    CSV path, `wallet,amount` per line (amount in whole shares, e.g. 12.5)
 *   MINT_TO      or        one recipient...
 *   MINT_AMOUNT            ...and its amount in whole shares
 *   ALLOW_PARTIAL=1 optional  exit 0 when some (not all) allocations are refused by compliance
 *   FORCE=1      optional  mint even to recipients that already hold at least their amount (by default
 *                          the script refuses and sends nothing: running it twice does not mint twice)
 *   SIGNER       optional  the asset's agent: account index or address (default 0)
 */
import { readFile } from "node:fs/promises";
import { envFlag, operatorNetwork, requireCode, signerFromEnv } from "../../lib/cli.js";
import type { AssetShares } from "../../../types/ethers-contracts/index.js";
import {
  alreadyHeld,
  type Allocation,
  mintShares,
  parseAllocations,
  requireAddressEnv,
  requireEnv,
  runCli,
  UserError,
} from "./lib.js";

await runCli(async () => {
  const env = process.env;
  const { ethers } = await operatorNetwork();
  const sharesAddress = requireAddressEnv(ethers, env, "SHARES");
  await requireCode(ethers, sharesAddress, "SHARES");
  const shares = (await ethers.getContractAt("AssetShares", sharesAddress)) as unknown as AssetShares;
  const decimals = Number(await shares.decimals());
  let allocations: Allocation[];
  if (env.ALLOCATIONS) {
    let text: string;
    try {
      text = await readFile(env.ALLOCATIONS, "utf8");
    } catch {
      throw new UserError(`cannot read ALLOCATIONS file "${env.ALLOCATIONS}"`);
    }
    allocations = parseAllocations(ethers, text, decimals);
  } else {
    allocations = parseAllocations(ethers, `${requireEnv(env, "MINT_TO")},${requireEnv(env, "MINT_AMOUNT")}`, decimals);
  }
  const agent = await signerFromEnv(ethers);
  const held = await alreadyHeld(shares, allocations);
  if (held.length > 0 && !envFlag("FORCE")) {
    const list = held
      .map(
        (h) => `${h.to} holds ${ethers.formatUnits(h.balance, decimals)} >= ${ethers.formatUnits(h.amount, decimals)}`,
      )
      .join("; ");
    throw new UserError(
      `${held.length} recipient(s) already hold at least the amount to mint (already minted?): ${list}. ` +
        "Nothing was sent; FORCE=1 mints anyway",
    );
  }
  const results = await mintShares(shares, agent, allocations, { progress: true });
  for (const r of results) {
    const amount = ethers.formatUnits(r.amount, decimals);
    console.log(r.refused ? `  refused ${r.to} ${amount}: ${r.refused}` : `  minted  ${r.to} ${amount}`);
  }
  const refused = results.filter((r) => r.refused !== undefined).length;
  const summary = `minted ${results.length - refused} allocation(s), refused ${refused}`;
  if (refused > 0 && (refused === results.length || !envFlag("ALLOW_PARTIAL"))) {
    throw new UserError(
      `${summary} (see above)${refused < results.length ? "; ALLOW_PARTIAL=1 accepts a partial mint" : ""}`,
    );
  }
  console.log(summary);
});
