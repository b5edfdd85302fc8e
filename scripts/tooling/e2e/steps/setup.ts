/** Setup of the local chain for the scenario (no area script involved). */
import { E2E_USD, USD, signer, type Step } from "./context.js";
import { mined } from "../../../lib/cli.js";

/** The e2e stablecoin, installed at its fixed address with hardhat_setCode; payers funded. */
export const installStablecoin: Step = {
  title: "install the e2e stablecoin (local chain) and fund the payers",
  needs: ["IncomeDistributor"],
  run: async (ctx) => {
    const artifact = await ctx.hre.artifacts.readArtifact("E2EStablecoin");
    await ctx.connection.provider.request({
      method: "hardhat_setCode",
      params: [E2E_USD, artifact.deployedBytecode],
    });
    const usd = await ctx.connection.ethers.getContractAt("E2EStablecoin", E2E_USD);
    for (const who of ["agent", "renter", "provider"] as const) {
      await mined(usd.mint(signer(ctx, who).address, USD("100000")));
    }
    ctx.log(`eUSD at ${E2E_USD}; 100,000 eUSD each to the agent, the renter and the provider`);
  },
};
