import { expect } from "chai";
import { network } from "hardhat";
import { Comparator } from "../../client/src/eip712/maintenance.js";
import {
  UserError,
  acceptOrder,
  attestSelfTest,
  awardSignedBid,
  claimBalance,
  createAndFund,
  describeOrder,
  expireOrder,
  orderIdOf,
  signInspectionVerdict,
  signProviderBid,
  submitDeviceEvidence,
  submitInspections,
} from "../../scripts/operator/maintenance/lib.js";
import {
  ASSET,
  BOND,
  BUDGET,
  DAY,
  DEVICE,
  KIND_SELFTEST,
  deployMaintenance,
  deployMaintenanceOn,
  orderArgs,
  policy,
} from "./fixture.js";

import { WebCryptoP256Signer } from "../../client/src/signers/devices.js";
import {
  deployWithManufacturer,
  registryDomain,
  sendClaim,
  sendRegistration,
} from "../../scripts/operator/devices/lib.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

/** Asserts that `promise` rejects with a UserError whose message matches `pattern`. */
async function expectUserError(promise: Promise<unknown>, pattern: RegExp) {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(UserError);
    expect((err as Error).message).to.match(pattern);
    return;
  }
  expect.fail(`expected a UserError matching ${pattern}`);
}

async function fixture() {
  return deployMaintenance(ethers);
}

describe("maintenance scripts (core functions)", function () {
  it("agent funds from the reserve, a provider bids, the agent awards, the device proves the repair, everyone claims", async function () {
    const f = await loadFixture(fixture);
    const t = await f.token.getAddress();
    const order = orderArgs(await time.latest(), t, ethers.ZeroAddress, { fromReserve: true });
    const { orderId } = await createAndFund(f.escrow, f.agent, order);
    expect(orderId).to.equal(orderIdOf(f.agent.address, order.salt));

    const { bid, signature } = await signProviderBid(f.escrow, f.provider2, orderId, BUDGET - 100n, BOND, DAY);
    await awardSignedBid(f.escrow, f.agent, bid, signature);
    expect((await describeOrder(f.escrow, orderId)).state).to.equal("Active");

    // The device's post-repair self-test, accepted by the (mock) device registry.
    await f.devices.setReading(DEVICE, KIND_SELFTEST, 6, (await time.latest()) + 1, 0);
    await submitDeviceEvidence(f.escrow, f.stranger, orderId, 0);
    const summary = await describeOrder(f.escrow, orderId);
    expect(summary.state).to.equal("Completed");
    expect(summary.milestones[0].released).to.equal(true);

    expect(await claimBalance(f.escrow, f.provider2, ASSET, t)).to.equal(BUDGET - 100n + BOND);
    expect(await f.custody.reserveCredit(ASSET, t)).to.equal(100n);
  });

  it("inspectors (an EOA and an ERC-1271 wallet) sign, anyone submits, the order releases", async function () {
    const f = await loadFixture(fixture);
    const t = await f.token.getAddress();
    const order = orderArgs(await time.latest(), t, f.provider.address, {
      inspectors: [f.inspector1.address, f.wallet.target as string],
      policy: policy({ useDevice: false, cmp: Comparator.None, k: 2 }),
    });
    const { orderId } = await createAndFund(f.escrow, f.payer, order);
    await acceptOrder(f.escrow, f.provider, orderId);
    const a = await signInspectionVerdict(f.escrow, f.inspector1, orderId, 0, true, DAY);
    const w = await signInspectionVerdict(f.escrow, f.walletOwner, orderId, 0, true, DAY, f.wallet.target as string);
    await submitInspections(f.escrow, f.stranger, [a, w]);
    expect((await describeOrder(f.escrow, orderId)).state).to.equal("Completed");
  });

  it("refunds after the deadline and lets the payer claim", async function () {
    const f = await loadFixture(fixture);
    const t = await f.token.getAddress();
    const order = orderArgs(await time.latest(), t, f.provider.address);
    const { orderId } = await createAndFund(f.escrow, f.payer, order);
    await time.increaseTo(order.acceptBy + 1);
    await expireOrder(f.escrow, f.stranger, orderId);
    const before = await f.token.balanceOf(f.payer.address);
    expect(await claimBalance(f.escrow, f.payer, ASSET, t)).to.equal(BUDGET);
    expect(await f.token.balanceOf(f.payer.address)).to.equal(before + BUDGET);
  });

  it("a P-256 device attests its self-test through the real DeviceRegistry, then anyone points the escrow at it", async function () {
    const f = await loadFixture(fixture);
    const t = await f.token.getAddress();
    const registry = await deployWithManufacturer(ethers, f.gov);
    const domain = await registryDomain(registry);
    const device = await WebCryptoP256Signer.generate();
    await (await sendRegistration(registry, domain, f.gov.address, f.gov, device, "SN-9")).wait();
    await (await sendClaim(registry, domain, device, f.agent.address, BigInt((await time.latest()) + DAY))).wait();
    await registry.connect(f.agent).bindToAsset(device.deviceId, ASSET);
    // A second maintenance part needs its own distributor: a distributor's vaults trust one maintenance custody.
    const distributor = await ethers.deployContract("MockIncomeDistributor", [f.gov.address, false]);
    const { escrow } = await deployMaintenanceOn(
      ethers,
      f.gov.address,
      await f.assets.getAddress(),
      await registry.getAddress(),
      await distributor.getAddress(),
    );
    await escrow.connect(f.gov).setTokenAllowed(t, true);
    const order = orderArgs(await time.latest(), t, f.provider.address, { deviceId: device.deviceId });
    const { orderId } = await createAndFund(escrow, f.payer, order);
    await acceptOrder(escrow, f.provider, orderId);
    await time.increase(60);
    const failed = await attestSelfTest(registry, f.stranger, device, KIND_SELFTEST, 7n);
    expect(failed.counter).to.equal(1n);
    await expectUserError(submitDeviceEvidence(escrow, f.stranger, orderId, 0), /ValueConditionFailed/);
    await attestSelfTest(registry, f.stranger, device, KIND_SELFTEST, 0n);
    await submitDeviceEvidence(escrow, f.stranger, orderId, 0);
    expect((await describeOrder(escrow, orderId)).state).to.equal("Completed");
    await registry.connect(f.agent).decommission(device.deviceId);
    await expectUserError(attestSelfTest(registry, f.stranger, device, KIND_SELFTEST, 0n), /not Active/);
  });

  it("reports user errors as sentences, and contract refusals by their custom error", async function () {
    const f = await loadFixture(fixture);
    const t = await f.token.getAddress();
    const order = orderArgs(await time.latest(), t, f.provider.address);
    const { orderId } = await createAndFund(f.escrow, f.payer, order);
    await expectUserError(acceptOrder(f.escrow, f.provider2, orderId), /names provider/);
    await expectUserError(describeOrder(f.escrow, ethers.ZeroHash), /no order/);
    await expectUserError(signInspectionVerdict(f.escrow, f.stranger, orderId, 0, true, DAY), /not an inspector/);
    await expectUserError(
      signProviderBid(f.escrow, f.provider2, orderId, BUDGET + 1n, BOND, DAY),
      /exceeds the budget/,
    );
    await expectUserError(claimBalance(f.escrow, f.stranger, ASSET, t), /nothing to claim/);
    await expectUserError(createAndFund(f.escrow, f.payer, order), /OrderExists/);
    await expectUserError(expireOrder(f.escrow, f.stranger, orderId), /DeadlineNotPassed/);
    await expectUserError(submitDeviceEvidence(f.escrow, f.stranger, orderId, 0), /WrongState/);
    const other = await ethers.deployContract("MockPayoutToken", ["X", "X", 18]);
    const foreign = { ...order, token: await other.getAddress(), salt: ethers.id("x") };
    await expectUserError(createAndFund(f.escrow, f.payer, foreign), /not allowlisted/);
  });
});
