/**
 * Refusals on a real node: a transaction the contract refuses, sent with a fixed gas limit (so no gas
 * estimation catches it first). Hardhat's node refuses it at send; anvil and public chains mine it with
 * status 0 and charge its gas. Either way the operator gets the contract's custom error, decoded from
 * the revert data alone (scripts/lib/cli.ts `mined`, `describeRevert`), and nothing changes.
 */
import { expect } from "chai";
import { describeRevert, mined, TransactionFailedError } from "../../../lib/cli.js";
import { contract, signer, state, type Step } from "./context.js";

/** A stranger changes the asset's reserve rate with a fixed gas limit: refused with its decoded reason. */
export const refusedWithReason: Step = {
  title: "a refused transaction sent with a fixed gas limit fails with the contract's decoded error",
  needs: ["IncomeDistributor", "ShareFactory"],
  run: async (ctx) => {
    const { ethers } = ctx.connection;
    const stranger = signer(ctx, "investorA");
    const assetId = state<bigint>(ctx, "assetId");
    const distributor = await contract<import("../../../../types/ethers-contracts/index.js").IncomeDistributor>(
      ctx,
      "IncomeDistributor",
      stranger,
    );
    const rate = await distributor.reserveRateOf(assetId);
    // What the contract says, from a call (the reference reason).
    const expected = await distributor.setReserveRate.staticCall(assetId, 1).then(
      () => "no refusal",
      (error: unknown) => describeRevert(error, [distributor.interface]),
    );
    expect(expected, "a stranger's call is refused with a named custom error").to.match(/^[A-Z]\w*\(/);
    const nonce = await ethers.provider.getTransactionCount(stranger.address);
    let outcome: string;
    try {
      await mined(distributor.setReserveRate(assetId, 1, { gasLimit: 200_000 }), {
        what: "set reserve rate",
        interfaces: [distributor.interface],
      });
      throw new Error("a stranger's setReserveRate was mined with status 1");
    } catch (error) {
      if (error instanceof TransactionFailedError) {
        expect(error.receipt.status).to.equal(0);
        expect(error.reason).to.equal(expected);
        expect(await ethers.provider.getTransactionCount(stranger.address)).to.equal(nonce + 1);
        outcome = `mined with status 0 (${error.receipt.gasUsed} gas paid)`;
      } else {
        expect(describeRevert(error, [distributor.interface])).to.equal(expected);
        outcome = "refused when sent";
      }
    }
    expect(await distributor.reserveRateOf(assetId)).to.equal(rate);
    ctx.log(`${outcome}: ${expected}`);
  },
};
