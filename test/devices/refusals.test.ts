/**
 * Refusals on unknown and decommissioned devices and zero addresses: every one reverts with its
 * exact custom error and leaves the registry as it was.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Wallet, ZeroAddress, id } from "ethers";
import { DeviceStatus, KeyType } from "../../client/src/eip712/devices.js";
import { Secp256k1DeviceSigner } from "../../client/src/signers/devices.js";
import { deployRegistry, latest, registerAndClaim, type Ctx } from "./helpers.js";

const { ethers, networkHelpers } = await network.create();
const dev = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
const UNKNOWN = BigInt(id("no such device"));

async function withAssets() {
  const ctx = await deployRegistry(ethers);
  await registerAndClaim(ctx, dev);
  const assets = await ethers.deployContract("MockAssetRegistry", [ethers.ZeroAddress]);
  await assets.setAsset(1, ctx.agent.address, 1, ethers.ZeroAddress);
  await ctx.registry.connect(ctx.governance).setAssetRegistry(await assets.getAddress());
  return ctx;
}

/** The device decommissioned by its owner while a bind request to asset 1 was pending. */
async function decommissioned() {
  const ctx = await withAssets();
  await ctx.registry.connect(ctx.operator).bindToAsset(dev.deviceId, 1);
  expect(await ctx.registry.pendingAssetOf(dev.deviceId)).to.equal(1n);
  await ctx.registry.connect(ctx.operator).decommission(dev.deviceId);
  return ctx;
}

/** Everything the refused calls could have changed. */
async function snapshot(ctx: Ctx, deviceId: bigint) {
  const info = await ctx.registry.deviceInfo(deviceId);
  return {
    status: await ctx.registry.statusOf(deviceId),
    owner: await ctx.token.ownerOrZero(deviceId),
    asset: await ctx.registry.assetOf(deviceId),
    pending: await ctx.registry.pendingAssetOf(deviceId),
    info: info.map(String).join(","),
    lease: await ctx.registry.leasedUntil(deviceId),
  };
}

describe("DeviceRegistry refusals change nothing", function () {
  it("setManufacturerSigner refuses a zero signer and an unknown manufacturer; the authority stays", async function () {
    const ctx = await networkHelpers.loadFixture(withAssets);
    const g = ctx.registry.connect(ctx.governance);
    await expect(g.setManufacturerSigner(ctx.manufacturer.address, ZeroAddress)).to.be.revertedWithCustomError(
      g,
      "ZeroAddress",
    );
    await expect(g.setManufacturerSigner(ctx.other.address, ctx.other.address))
      .to.be.revertedWithCustomError(g, "UnknownManufacturer")
      .withArgs(ctx.other.address);
    expect(await ctx.registry.manufacturerOf(ctx.manufacturer.address)).to.deep.equal([true, ctx.mfrSigner.address]);
    expect(await ctx.registry.manufacturerOf(ctx.other.address)).to.deep.equal([false, ZeroAddress]);
  });

  it("rotateKey refuses an unknown device and a decommissioned one before looking at the signature", async function () {
    const ctx = await networkHelpers.loadFixture(decommissioned);
    const deadline = BigInt(await latest(ctx)) + 3600n;
    const next = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
    const r = ctx.registry.connect(ctx.operator);
    await expect(r.rotateKey(UNKNOWN, KeyType.Secp256k1, next.keyA, next.keyB, deadline, "0x"))
      .to.be.revertedWithCustomError(r, "UnknownDevice")
      .withArgs(UNKNOWN);
    const before = await snapshot(ctx, dev.deviceId);
    await expect(r.rotateKey(dev.deviceId, KeyType.Secp256k1, next.keyA, next.keyB, deadline, "0x"))
      .to.be.revertedWithCustomError(r, "DeviceDecommissioned")
      .withArgs(dev.deviceId);
    expect(await snapshot(ctx, dev.deviceId)).to.deep.equal(before);
    expect(before.status).to.equal(DeviceStatus.Decommissioned);
    expect(before.info).to.contain(dev.keyA.toLowerCase().slice(2 + 24)); // the old key stays
    expect((await snapshot(ctx, UNKNOWN)).status).to.equal(DeviceStatus.None);
  });

  it("confirmBind refuses an unknown device and a decommissioned one (its request was dropped)", async function () {
    const ctx = await networkHelpers.loadFixture(decommissioned);
    const a = ctx.registry.connect(ctx.agent);
    await expect(a.confirmBind(UNKNOWN, 1)).to.be.revertedWithCustomError(a, "UnknownDevice").withArgs(UNKNOWN);
    const before = await snapshot(ctx, dev.deviceId);
    expect(before.pending).to.equal(0n);
    await expect(a.confirmBind(dev.deviceId, 1))
      .to.be.revertedWithCustomError(a, "DeviceDecommissioned")
      .withArgs(dev.deviceId);
    expect(await snapshot(ctx, dev.deviceId)).to.deep.equal(before);
    expect(before.asset).to.equal(0n);
  });

  it("unbind and bindToAsset refuse an unknown device", async function () {
    const ctx = await networkHelpers.loadFixture(withAssets);
    const before = await snapshot(ctx, UNKNOWN);
    await expect(ctx.registry.connect(ctx.agent).unbind(UNKNOWN))
      .to.be.revertedWithCustomError(ctx.registry, "UnknownDevice")
      .withArgs(UNKNOWN);
    await expect(ctx.registry.connect(ctx.operator).bindToAsset(UNKNOWN, 1))
      .to.be.revertedWithCustomError(ctx.registry, "UnknownDevice")
      .withArgs(UNKNOWN);
    expect(await snapshot(ctx, UNKNOWN)).to.deep.equal(before);
    expect(before.asset).to.equal(0n);
    expect(before.pending).to.equal(0n);
  });

  it("bindToAsset refuses a decommissioned device even for its former owner", async function () {
    const ctx = await networkHelpers.loadFixture(decommissioned);
    const before = await snapshot(ctx, dev.deviceId);
    await expect(ctx.registry.connect(ctx.operator).bindToAsset(dev.deviceId, 1))
      .to.be.revertedWithCustomError(ctx.registry, "DeviceDecommissioned")
      .withArgs(dev.deviceId);
    expect(await snapshot(ctx, dev.deviceId)).to.deep.equal(before);
  });
});
