/** Maintenance: a reserve-funded work order completed by the device's attestation (scripts/operator/maintenance). */
import { expect } from "chai";
import { id } from "ethers";
import {
  acceptOrder,
  claimBalance,
  createAndFund,
  describeOrder,
  submitDeviceEvidence,
} from "../../../operator/maintenance/lib.js";
import { Comparator, SlashTo } from "../../../../client/src/eip712/maintenance.js";
import { attest } from "./devices.js";
import {
  E2E_USD,
  KIND_SELF_TEST,
  USD,
  advance,
  contract,
  latestTimestamp,
  signer,
  state,
  type Step,
} from "./context.js";

/** The agent orders a repair from the reserve; the device's passing self-test completes it. */
export const maintenanceByDevice: Step = {
  title: "maintenance order funded from the reserve, completed by the device's self-test attestation",
  needs: ["MaintenanceOrders", "IncomeDistributor", "DeviceRegistry"],
  run: async (ctx) => {
    const agent = signer(ctx, "agent");
    const provider = signer(ctx, "provider");
    const assetId = state<bigint>(ctx, "assetId");
    const [deviceId] = state<bigint[]>(ctx, "deviceIds");
    const escrow = await contract<import("../../../../types/ethers-contracts/index.js").MaintenanceOrders>(
      ctx,
      "MaintenanceOrders",
    );
    const now = Number(await latestTimestamp(ctx));
    const { orderId } = await createAndFund(escrow, agent, {
      assetId,
      deviceId,
      token: E2E_USD,
      budget: USD("800"),
      bond: USD("50"),
      provider: provider.address,
      acceptBy: now + 3600,
      completeBy: now + 7 * 86400,
      fromReserve: true,
      slashTo: SlashTo.Reserve,
      policy: {
        arbiter: signer(ctx, "arbiter").address,
        k: 1,
        useDevice: true,
        optimistic: false,
        cmp: Comparator.EQ,
        defaultRuling: 1,
        kind: KIND_SELF_TEST,
        threshold: 1n,
        challengeWindow: 0,
        disputeTimeout: 0,
      },
      inspectors: [],
      milestoneBps: [10_000],
      salt: id("e2e-inverter-replacement"),
    });
    await acceptOrder(escrow, provider, orderId);
    // The repaired device reports a passing self-test (signed by the device itself), after acceptance.
    await advance(ctx, 60);
    await attest(ctx, 0, KIND_SELF_TEST, 1, await latestTimestamp(ctx));
    await submitDeviceEvidence(escrow, provider, orderId, 0);
    const order = await describeOrder(escrow, orderId);
    expect(order.state).to.equal("Completed");
    const paid = await claimBalance(escrow, provider, assetId, E2E_USD);
    expect(paid).to.equal(USD("850")); // price + bond back
    ctx.log(`order ${orderId.slice(0, 10)}… Completed by device attestation; provider withdrew 850 eUSD`);
  },
};
