/**
 * Issue 12: the DeviceRegistry events no other test asserted with exact arguments
 * (ManufacturerAdmitted, AssetRegistrySet), and the clearing of a pending bind request where nothing
 * observed it (a confirmed request cannot be confirmed again after an unbind; decommissioning drops
 * it). Runs on the real suite (test/attacks/world.ts).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { ZeroAddress } from "ethers";
import { deployWorld } from "../attacks/world.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

async function world() {
  return deployWorld(ethers);
}

describe("events: DeviceRegistry (issue 12, exact arguments)", function () {
  it("ManufacturerAdmitted(manufacturer, signer), also on re-admission after removal", async function () {
    const w = await loadFixture(world);
    const devices = w.devices;
    const [maker, signer, signer2] = [0, 1, 2].map(() => ethers.Wallet.createRandom().address);
    await expect(devices.connect(w.gov).admitManufacturer(maker, signer))
      .to.emit(devices, "ManufacturerAdmitted")
      .withArgs(maker, signer);
    await devices.connect(w.gov).removeManufacturer(maker);
    await expect(devices.connect(w.gov).admitManufacturer(maker, signer2))
      .to.emit(devices, "ManufacturerAdmitted")
      .withArgs(maker, signer2);
  });

  it("AssetRegistrySet(registry) when governance clears and restores the asset registry", async function () {
    const w = await loadFixture(world);
    const devices = w.devices;
    const assets = await w.assets.getAddress();
    await expect(devices.connect(w.gov).setAssetRegistry(ZeroAddress))
      .to.emit(devices, "AssetRegistrySet")
      .withArgs(ZeroAddress);
    expect(await devices.assetRegistry()).to.equal(ZeroAddress);
    await expect(devices.connect(w.gov).setAssetRegistry(assets)).to.emit(devices, "AssetRegistrySet").withArgs(assets);
    expect(await devices.assetRegistry()).to.equal(assets);
  });

  it("a confirmed bind request is spent: after an unbind the agent cannot confirm it again", async function () {
    const w = await loadFixture(world);
    const devices = w.devices;
    const id = w.device.deviceId;
    await devices.connect(w.operator).unbind(id);
    await expect(devices.connect(w.operator).bindToAsset(id, w.assetId))
      .to.emit(devices, "BindRequested")
      .withArgs(id, w.assetId);
    await devices.connect(w.agent).confirmBind(id, w.assetId);
    expect(await devices.pendingAssetOf(id)).to.equal(0n);
    await devices.connect(w.operator).unbind(id);
    // Were the request left set, the agent could re-bind the device without its owner.
    await expect(devices.connect(w.agent).confirmBind(id, w.assetId))
      .to.be.revertedWithCustomError(devices, "NoBindRequest")
      .withArgs(id, w.assetId);
    expect(await devices.assetOf(id)).to.equal(0n);
  });

  it("decommissioning drops a pending bind request (BindRequestCleared)", async function () {
    const w = await loadFixture(world);
    const devices = w.devices;
    const id = w.device.deviceId;
    await devices.connect(w.operator).unbind(id);
    await devices.connect(w.operator).bindToAsset(id, w.assetId);
    expect(await devices.pendingAssetOf(id)).to.equal(w.assetId);
    await expect(devices.connect(w.operator).decommission(id))
      .to.emit(devices, "BindRequestCleared")
      .withArgs(id, w.assetId);
    expect(await devices.pendingAssetOf(id)).to.equal(0n);
    expect(await devices.assetOf(id)).to.equal(0n);
  });
});
