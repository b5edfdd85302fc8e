/** Income: payout configuration, deposits, pro-rata claims (scripts/operator/income). */
import { expect } from "chai";
import { claimIncome, depositIncome } from "../../../operator/income/income.js";
import { E2E_USD, USD, contract, signer, state, type Step } from "./context.js";
import { mined } from "../../../lib/cli.js";

/** The agent registers eUSD as payout token and sets a 10 % maintenance reserve. */
export const configureIncome: Step = {
  title: "the agent configures the asset's income: eUSD payouts, 10 % maintenance reserve",
  needs: ["IncomeDistributor", "ShareFactory"],
  run: async (ctx) => {
    const assetId = state<bigint>(ctx, "assetId");
    const distributor = await contract<import("../../../../types/ethers-contracts/index.js").IncomeDistributor>(
      ctx,
      "IncomeDistributor",
      signer(ctx, "agent"),
    );
    await mined(distributor.registerPayoutToken(assetId, E2E_USD));
    await mined(distributor.setReserveRate(assetId, 1_000));
    expect(await distributor.payoutTokensOf(assetId)).to.deep.equal([E2E_USD]);
    expect(await distributor.reserveRateOf(assetId)).to.equal(1_000n);
    ctx.log("eUSD registered as payout token; reserve rate 1,000 bps");
  },
};

/** The agent deposits income: reserve, protocol fee, holders. */
export const distributeIncome: Step = {
  title: "distribute income: the agent deposits eUSD income",
  needs: ["IncomeDistributor", "ShareFactory"],
  run: async (ctx) => {
    const { ethers } = ctx.connection;
    const agent = signer(ctx, "agent");
    const assetId = state<bigint>(ctx, "assetId");
    const distributor = await contract<import("../../../../types/ethers-contracts/index.js").IncomeDistributor>(
      ctx,
      "IncomeDistributor",
      agent,
    );
    const result = await depositIncome(ethers, agent, {
      distributor: ctx.addresses.IncomeDistributor!,
      assetId,
      token: E2E_USD,
      amount: USD("10000"),
    });
    expect(result.reserve).to.equal(USD("1000"));
    expect(result.fee).to.equal(USD("100")); // protocol fee 1 % (parameters)
    expect(result.toHolders).to.equal(USD("8900"));
    ctx.log(`10,000 eUSD in: ${ethers.formatUnits(result.toHolders, 6)} to holders, 1,000 reserve, 100 fee`);
  },
};

/** Investors claim all income (rent and deposits) pro rata. */
export const claimIncomeProRata: Step = {
  title: "investors claim their income (rent and deposit) pro rata",
  needs: ["IncomeDistributor", "ShareFactory"],
  run: async (ctx) => {
    const { ethers } = ctx.connection;
    const assetId = state<bigint>(ctx, "assetId");
    const usd = await ethers.getContractAt("E2EStablecoin", E2E_USD);
    const distributor = await contract<import("../../../../types/ethers-contracts/index.js").IncomeDistributor>(
      ctx,
      "IncomeDistributor",
    );
    // Everything that accrued to holders (the agent's deposit and the rent), split 60 % / 40 %.
    const deposits = await distributor.queryFilter(distributor.filters.IncomeDeposited(assetId, E2E_USD));
    const toHolders = deposits.reduce((sum, e) => sum + (e.args.toHolders as bigint), 0n);
    for (const [who, share] of [
      ["investorA", 600n],
      ["investorB", 400n],
    ] as const) {
      const investor = signer(ctx, who);
      const expected = (toHolders * share) / 1000n;
      const { amount } = await claimIncome(ethers, investor, {
        distributor: ctx.addresses.IncomeDistributor!,
        assetId,
        token: E2E_USD,
        to: investor.address,
      });
      // Pro rata, rounded down once per deposit: never more than the exact share.
      const short = expected - amount;
      expect(short >= 0n && short <= BigInt(deposits.length), `claimed ${amount}, pro rata ${expected}`).to.equal(true);
      expect(await usd.balanceOf(investor.address)).to.equal(amount);
      ctx.log(`${who} claimed ${ethers.formatUnits(amount, 6)} eUSD (${share / 10n} % of ${deposits.length} deposits)`);
    }
  },
};
