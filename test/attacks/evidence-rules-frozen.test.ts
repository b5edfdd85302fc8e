/**
 * Evidence rules are frozen at acceptance (issue 12, finding 5: "a maintenance payer can take the
 * provider's bond"). Before the fix, device evidence had to come from a device that was still Active
 * and bound to the asset when it was submitted: the payer (or the asset's agent, or the device's
 * owner) unbound, rebound or decommissioned the device, the provider's genuine reading was refused,
 * the order defaulted and the payer got the budget back plus the bond.
 *
 * Rule that now holds: when the provider accepts, the escrow checks the device once (Active, bound
 * to the asset) and snapshots its counter; from then on a reading counts when the registry accepted
 * it, it is from the order's device, newer than the snapshot and every reading already used, signed
 * after acceptance and no later than completeBy, and meets the value condition. Nobody's later act
 * on the device refuses it. A device decommissioned before it could attest (it never can again)
 * makes a default return the bond instead of slashing it when the policy cannot complete without the
 * device. Every path runs on the real suite (`world.ts`) and checks exact balances.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { id } from "ethers";
import { Comparator, OrderState, Ruling } from "../../client/src/eip712/maintenance.js";
import { attestationMessage, deviceDigest } from "../../client/src/eip712/devices.js";
import { policy } from "../maintenance/fixture.js";
import {
  BOND,
  BUDGET,
  DAY,
  KIND_SELFTEST,
  USDC,
  createOrder,
  deployWorld,
  freshAsset,
  type Signer,
  type World,
} from "./world.js";
import type { OrderArgs } from "../maintenance/fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function world() {
  const w = await deployWorld(ethers);
  // The device's owner can be a payer too.
  await w.usdc.mint(w.operator.address, USDC(10_000_000));
  await w.usdc.connect(w.operator).approve(await w.custody.getAddress(), ethers.MaxUint256);
  return w;
}

/** The device signs a self-test (value 0 = pass) now and anyone relays it to the registry. */
async function selfTest(w: World, value = 0, timestamp?: number) {
  const att = attestationMessage({
    deviceId: w.device.deviceId,
    kind: KIND_SELFTEST,
    value,
    odometer: 0, // a self-test code is not additive
    payloadHash: id("self-test"),
    counter: (await w.devices.lastCounter(w.device.deviceId)) + 1n,
    timestamp: timestamp ?? (await time.latest()) + 1,
  });
  await w.devices
    .connect(w.outsider)
    .attest(att, await w.device.signDigest(deviceDigest(w.ctx.domain, "Attestation", att)));
}

async function balances(w: World, payer: Signer) {
  const u = await w.usdc.getAddress();
  return {
    payer: await w.usdc.balanceOf(payer.address),
    provider: await w.usdc.balanceOf(w.provider.address),
    payerClaimable: await w.custody.claimable(payer.address, w.assetId, u),
    reserveCredit: await w.custody.reserveCredit(w.assetId, u),
  };
}

/** Both parties withdraw whatever they are owed. */
async function withdrawAll(w: World, payer: Signer) {
  const u = await w.usdc.getAddress();
  for (const p of [payer, w.provider]) {
    if ((await w.custody.claimable(p.address, w.assetId, u)) !== 0n) {
      await w.custody.connect(p).claim(w.assetId, u, p.address);
    }
  }
}

async function accepted(w: World, payer: Signer, overrides: Partial<OrderArgs> = {}) {
  const o = await createOrder(w, payer, overrides);
  await w.escrow.connect(w.provider).accept(o.orderId);
  return o;
}

/**
 * The provider did the work and the device attested it after acceptance; then `remove` runs (the
 * other side's attempt to remove the provider's way to get paid); the reading still counts and the
 * provider ends with budget + bond back, the payer with nothing extra.
 */
async function paidDespite(w: World, payer: Signer, remove: () => Promise<unknown>) {
  const before = await balances(w, payer);
  const { orderId } = await accepted(w, payer);
  await time.increase(10);
  await selfTest(w);
  await remove();
  await expect(w.evidence.connect(w.outsider).submitDeviceEvidence(orderId, 0, w.device.deviceId))
    .to.emit(w.escrow, "MilestoneReleased")
    .withArgs(orderId, 0, BUDGET)
    .and.to.emit(w.escrow, "OrderCompleted")
    .withArgs(orderId, BOND);
  expect((await w.escrow.getOrder(orderId)).state).to.equal(OrderState.Completed);
  await withdrawAll(w, payer);
  const after = await balances(w, payer);
  expect(after.provider).to.equal(before.provider + BUDGET); // paid the budget, bond back
  expect(after.payer).to.equal(before.payer - BUDGET); // nothing back
  expect(after.payerClaimable).to.equal(0n);
  expect(after.reserveCredit).to.equal(0n);
  expect(await w.usdc.balanceOf(await w.custody.vaultOf(w.assetId))).to.equal(0n);
}

describe("Attack class evidence rules frozen at acceptance: nobody removes the other side's way to get paid", function () {
  describe("a genuine reading counts whatever happens to the device after acceptance", function () {
    it("the payer, as the asset's agent, unbinds the device", async function () {
      const w = await loadFixture(world);
      await paidDespite(w, w.agent, async () => {
        await w.devices.connect(w.agent).unbind(w.device.deviceId);
        expect(await w.devices.assetOf(w.device.deviceId)).to.equal(0n);
      });
    });

    it("the asset's agent unbinds the device of another payer's order", async function () {
      const w = await loadFixture(world);
      await paidDespite(w, w.alice, () => w.devices.connect(w.agent).unbind(w.device.deviceId));
    });

    it("the device's owner (the payer) unbinds it", async function () {
      const w = await loadFixture(world);
      await paidDespite(w, w.operator, () => w.devices.connect(w.operator).unbind(w.device.deviceId));
    });

    it("the device is rebound to another asset", async function () {
      const w = await loadFixture(world);
      const other = await freshAsset(w, "rebind-target");
      await paidDespite(w, w.alice, async () => {
        await w.devices.connect(w.operator).bindToAsset(w.device.deviceId, other);
        await w.devices.connect(w.agent).confirmBind(w.device.deviceId, other);
        expect(await w.devices.assetOf(w.device.deviceId)).to.equal(other);
      });
    });

    it("the device's owner (the payer) decommissions it", async function () {
      const w = await loadFixture(world);
      await paidDespite(w, w.operator, async () => {
        await w.devices.connect(w.operator).decommission(w.device.deviceId);
        expect(await w.devices.statusOf(w.device.deviceId)).to.equal(3n);
      });
    });

    it("the device is suspended", async function () {
      const w = await loadFixture(world);
      await paidDespite(w, w.alice, async () => {
        await w.devices.connect(w.manufacturer).suspend(w.device.deviceId);
        expect(await w.devices.statusOf(w.device.deviceId)).to.equal(2n);
      });
    });
  });

  describe("what is still required", function () {
    it("a device removed before acceptance is refused at acceptance: no bond is ever at risk", async function () {
      const w = await loadFixture(world);
      const before = await balances(w, w.alice);
      const { orderId, args } = await createOrder(w, w.alice);
      await w.devices.connect(w.agent).unbind(w.device.deviceId);
      await expect(w.escrow.connect(w.provider).accept(orderId))
        .to.be.revertedWithCustomError(w.escrow, "DeviceNotOnAsset")
        .withArgs(w.device.deviceId, w.assetId);
      expect((await w.escrow.getOrder(orderId)).state).to.equal(OrderState.Open);
      await time.increaseTo(args.acceptBy + 1);
      await expect(w.escrow.expire(orderId)).to.emit(w.escrow, "OrderExpired").withArgs(orderId, BUDGET);
      await withdrawAll(w, w.alice);
      const after = await balances(w, w.alice);
      expect(after.payer).to.equal(before.payer);
      expect(after.provider).to.equal(before.provider);
    });

    it("a newer reading of the device (same signer, said later) replaces an unused passing one", async function () {
      const w = await loadFixture(world);
      const { orderId } = await accepted(w, w.alice);
      await time.increase(10);
      await selfTest(w, 0);
      await time.increase(10);
      await selfTest(w, 7); // the device now reports a failure
      await expect(w.evidence.submitDeviceEvidence(orderId, 0, w.device.deviceId))
        .to.be.revertedWithCustomError(w.escrow, "ValueConditionFailed")
        .withArgs(7, 0);
      expect((await w.evidence.getMilestone(orderId, 0)).passBits).to.equal(0n);
    });

    it("a reading signed after complete-by is refused even while submission is still open", async function () {
      const w = await loadFixture(world);
      const { orderId, args } = await accepted(w, w.alice);
      await time.increaseTo(args.completeBy - 10);
      await selfTest(w, 0, args.completeBy + 1); // within the registry's future skew
      await time.setNextBlockTimestamp(args.completeBy);
      await expect(w.evidence.submitDeviceEvidence(orderId, 0, w.device.deviceId))
        .to.be.revertedWithCustomError(w.escrow, "AttestationAfterDeadline")
        .withArgs(args.completeBy + 1, args.completeBy);
      expect((await w.escrow.getOrder(orderId)).state).to.equal(OrderState.Active);
    });
  });

  describe("a device decommissioned before it could attest", function () {
    it("returns the bond instead of slashing it when the policy needs the device; the payer gets only the budget back", async function () {
      const w = await loadFixture(world);
      const before = await balances(w, w.operator);
      const { orderId, args } = await accepted(w, w.operator);
      await w.devices.connect(w.operator).decommission(w.device.deviceId);
      await time.increaseTo(args.completeBy + 1);
      await expect(w.escrow.connect(w.outsider).expire(orderId))
        .to.emit(w.escrow, "BondReturnedDeviceGone")
        .withArgs(orderId, w.device.deviceId, BOND)
        .and.to.emit(w.escrow, "OrderDefaulted")
        .withArgs(orderId, BUDGET, 0n);
      expect((await w.escrow.getOrder(orderId)).state).to.equal(OrderState.Defaulted);
      await withdrawAll(w, w.operator);
      const after = await balances(w, w.operator);
      expect(after.provider).to.equal(before.provider); // bond back, nothing earned
      expect(after.payer).to.equal(before.payer); // budget back, no bond taken
      expect(await w.usdc.balanceOf(await w.custody.vaultOf(w.assetId))).to.equal(0n);
    });

    it("still slashes when the provider had another way to complete (k met without the device)", async function () {
      const w = await loadFixture(world);
      const before = await balances(w, w.alice);
      const { orderId, args } = await accepted(w, w.alice, {
        policy: policy({
          k: 1,
          optimistic: true,
          arbiter: w.arbiter.address,
          challengeWindow: DAY,
          disputeTimeout: DAY,
          defaultRuling: Ruling.Payer,
        }),
      });
      await w.devices.connect(w.operator).decommission(w.device.deviceId);
      await time.increaseTo(args.completeBy + 1);
      await expect(w.escrow.expire(orderId))
        .to.emit(w.escrow, "OrderDefaulted")
        .withArgs(orderId, BUDGET, BOND)
        .and.not.to.emit(w.escrow, "BondReturnedDeviceGone");
      await withdrawAll(w, w.alice);
      const after = await balances(w, w.alice);
      expect(after.provider).to.equal(before.provider - BOND);
      expect(after.payer).to.equal(before.payer + BOND);
    });

    it("still slashes a provider that simply did not deliver while the device could attest", async function () {
      const w = await loadFixture(world);
      const { orderId, args } = await accepted(w, w.alice, { policy: policy({ cmp: Comparator.EQ }) });
      await time.increaseTo(args.completeBy + 1);
      await expect(w.escrow.expire(orderId))
        .to.emit(w.escrow, "OrderDefaulted")
        .withArgs(orderId, BUDGET, BOND)
        .and.not.to.emit(w.escrow, "BondReturnedDeviceGone");
    });
  });

  describe("deadline boundaries (t-1, t, t+1)", function () {
    it("acceptance: accepted at acceptBy-1 and acceptBy, refused at acceptBy+1, then expirable", async function () {
      const w = await loadFixture(world);
      const a = await createOrder(w, w.alice, { salt: id("a") });
      const acceptBy = a.args.acceptBy;
      const b = await createOrder(w, w.alice, { salt: id("b"), acceptBy });
      const c = await createOrder(w, w.alice, { salt: id("c"), acceptBy });
      await time.setNextBlockTimestamp(acceptBy - 1);
      await w.escrow.connect(w.provider).accept(a.orderId);
      expect((await w.escrow.getOrder(a.orderId)).state).to.equal(OrderState.Active);
      expect((await w.escrow.getOrder(a.orderId)).acceptedAt).to.equal(acceptBy - 1);
      await time.setNextBlockTimestamp(acceptBy);
      await expect(w.escrow.expire(c.orderId))
        .to.be.revertedWithCustomError(w.escrow, "DeadlineNotPassed")
        .withArgs(acceptBy);
      await w.escrow.connect(w.provider).accept(b.orderId);
      expect((await w.escrow.getOrder(b.orderId)).state).to.equal(OrderState.Active);
      expect((await w.escrow.getOrder(b.orderId)).acceptedAt).to.equal(acceptBy);
      await time.setNextBlockTimestamp(acceptBy + 1);
      await expect(w.escrow.connect(w.provider).accept(c.orderId))
        .to.be.revertedWithCustomError(w.escrow, "DeadlinePassed")
        .withArgs(acceptBy);
      expect((await w.escrow.getOrder(c.orderId)).state).to.equal(OrderState.Open);
      await expect(w.escrow.expire(c.orderId)).to.emit(w.escrow, "OrderExpired").withArgs(c.orderId, BUDGET);
      expect((await w.escrow.getOrder(c.orderId)).state).to.equal(OrderState.Expired);
    });

    it("evidence: counted at completeBy-1 and completeBy, refused at completeBy+1, then the order defaults", async function () {
      const w = await loadFixture(world);
      const a = await accepted(w, w.alice, { salt: id("a") });
      const completeBy = a.args.completeBy;
      const b = await accepted(w, w.alice, { salt: id("b"), completeBy });
      const c = await accepted(w, w.alice, { salt: id("c"), completeBy });
      await time.increaseTo(completeBy - 10);
      await selfTest(w); // one reading, usable once per order
      await time.setNextBlockTimestamp(completeBy - 1);
      await w.evidence.submitDeviceEvidence(a.orderId, 0, w.device.deviceId);
      expect((await w.escrow.getOrder(a.orderId)).state).to.equal(OrderState.Completed);
      await time.setNextBlockTimestamp(completeBy);
      await expect(w.escrow.expire(c.orderId))
        .to.be.revertedWithCustomError(w.escrow, "DeadlineNotPassed")
        .withArgs(completeBy);
      await w.evidence.submitDeviceEvidence(b.orderId, 0, w.device.deviceId);
      expect((await w.escrow.getOrder(b.orderId)).state).to.equal(OrderState.Completed);
      await time.setNextBlockTimestamp(completeBy + 1);
      await expect(w.evidence.submitDeviceEvidence(c.orderId, 0, w.device.deviceId))
        .to.be.revertedWithCustomError(w.escrow, "DeadlinePassed")
        .withArgs(completeBy);
      expect((await w.escrow.getOrder(c.orderId)).state).to.equal(OrderState.Active);
      await expect(w.escrow.expire(c.orderId)).to.emit(w.escrow, "OrderDefaulted").withArgs(c.orderId, BUDGET, BOND);
      expect((await w.escrow.getOrder(c.orderId)).state).to.equal(OrderState.Defaulted);
    });
  });
});
