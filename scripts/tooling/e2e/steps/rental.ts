/** Rental: a metered rental of the asset whose rent flows to its holders (scripts/operator/rental). */
import { expect } from "chai";
import { collect, publishTerms, rentOffer, settleMetered } from "../../../operator/rental/lib.js";
import { SubjectKind, buildTerms } from "../../../../client/src/eip712/rental.js";
import { attest } from "./devices.js";
import { E2E_USD, KIND_ENERGY, USD, advance, contract, latestTimestamp, signer, state, type Step } from "./context.js";

/** The agent offers the asset; a renter rents it, billed per second and per metered Wh. */
export const rentMetered: Step = {
  title: "rent the asset with metered billing: renter pays per Wh the device measured, rent flows to holders",
  needs: ["RentalMarket", "RentalEscrow", "DeviceRegistry", "IncomeDistributor", "ShareFactory"],
  run: async (ctx) => {
    const { ethers } = ctx.connection;
    const agent = signer(ctx, "agent");
    const renter = signer(ctx, "renter");
    const assetId = state<bigint>(ctx, "assetId");
    const [meter] = state<bigint[]>(ctx, "deviceIds");
    const market = await contract<import("../../../../types/ethers-contracts/index.js").RentalMarket>(
      ctx,
      "RentalMarket",
    );
    const escrow = await contract<import("../../../../types/ethers-contracts/index.js").RentalEscrow>(
      ctx,
      "RentalEscrow",
    );
    const terms = buildTerms({
      subjectKind: SubjectKind.Asset,
      subjectId: assetId,
      token: E2E_USD,
      meterDeviceId: meter,
      meterKind: KIND_ENERGY,
      meterPeriod: 3600,
      pricePerSecond: 1_000n, // 0.001 eUSD per second of use
      pricePerUnit: USD("0.01"), // and 0.01 eUSD per Wh delivered
      maxUnitsPerPeriod: 1_000_000n,
      deposit: USD("100"),
      minDuration: 3600,
    });
    const offerId = await publishTerms(market, agent, terms);
    // Hand-over meter reading: the device signs its odometer for the start of the rental (a few seconds
    // ahead, within the registry's future skew), so the agreement's baseline is not older than its start
    // and the bill is exactly what was measured during the rental (SECURITY.md, metered money).
    await attest(ctx, 0, KIND_ENERGY, 0, (await latestTimestamp(ctx)) + 30n);
    const id = await rentOffer(market, renter, offerId, 86_400n, USD("500"));
    expect(await escrow.stateOf(id)).to.equal(2n); // Active (activationWindow 0)
    // One hour of use; the meter reports 3 readings (signed by the device) totalling 3,000 Wh.
    // On anvil the three blocks may share a second, so the readings a timestamp: the device counter
    // orders them, the registry only bounds a timestamp's age and future skew.
    await advance(ctx, 3600);
    for (let i = 0; i < 3; i++) await attest(ctx, 0, KIND_ENERGY, 1_000, await latestTimestamp(ctx));
    const distributor = await contract<import("../../../../types/ethers-contracts/index.js").IncomeDistributor>(
      ctx,
      "IncomeDistributor",
    );
    const before = await distributor.queryFilter(distributor.filters.IncomeDeposited(assetId));
    await settleMetered(escrow, renter, id);
    await collect(escrow, renter, id);
    const after = await distributor.queryFilter(distributor.filters.IncomeDeposited(assetId));
    expect(after.length, "rent deposited as income").to.be.greaterThan(before.length);
    const rent = after.slice(before.length).reduce((sum, e) => sum + (e.args.amount as bigint), 0n);
    // 3,000 Wh x 0.01 = 30 eUSD metered + about 3,600 s x 0.001 = 3.6 eUSD of time, less the 1 % fee.
    const exact = ((USD("30") + 1_000n * BigInt(3600)) * 99n) / 100n;
    expect(rent >= exact && rent < exact + USD("0.1"), `rent income ${ethers.formatUnits(rent, 6)}`).to.equal(true);
    ctx.state.rentalId = id;
    ctx.log(
      `agreement ${id.slice(0, 10)}…: 3,000 Wh metered; ${ethers.formatUnits(rent, 6)} eUSD rent to the asset's holders`,
    );
  },
};
