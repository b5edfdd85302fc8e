/**
 * Attack class: a guarantee the docs make about leases broken on one path (issue 12, "every guarantee
 * about leases, bindings, devices and retirement holds on every path").
 *
 * contracts/devices/README.md says a device bound to a leased asset cannot be unbound, rebound,
 * decommissioned or transferred. Unbinding, rebinding and decommissioning checked the asset's lease;
 * the token transfer hook checked only the device's own lease, so the operator could move the meter of
 * a rented asset to another owner mid-rental. The rule now: the transfer hook refuses exactly what the
 * other paths refuse (`DeviceLeased`). Real suite (world.ts).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { DAY, deployWorld, ethTerms, rentEth } from "./world.js";

const { ethers, networkHelpers } = await network.connect();
const { loadFixture, time } = networkHelpers;

async function world() {
  return deployWorld(ethers);
}

describe("Attack class: a device bound to a rented asset moved mid-rental (issue 12, lease guarantees)", function () {
  it("while the asset is leased its device cannot be transferred; after settlement it can", async function () {
    const w = await loadFixture(world);
    const r = await rentEth(w, w.bob, ethTerms(w.assetId));
    const until = await w.assets.leasedUntil(w.assetId);
    expect(until).to.equal(await w.rental.LEASED_UNTIL_RELEASED());
    const id = w.device.deviceId;
    await expect(w.deviceToken.connect(w.operator).transferFrom(w.operator.address, w.carol.address, id))
      .to.be.revertedWithCustomError(w.devices, "DeviceLeased")
      .withArgs(id, until);
    expect(await w.deviceToken.ownerOf(id)).to.equal(w.operator.address);
    // Same refusal as unbinding (the paths agree).
    await expect(w.devices.connect(w.operator).unbind(id))
      .to.be.revertedWithCustomError(w.devices, "DeviceLeased")
      .withArgs(id, until);
    await time.increase(DAY);
    await w.rental.connect(w.outsider).settle(r.agreementId);
    await w.deviceToken.connect(w.operator).transferFrom(w.operator.address, w.carol.address, id);
    expect(await w.deviceToken.ownerOf(id)).to.equal(w.carol.address);
  });
});
