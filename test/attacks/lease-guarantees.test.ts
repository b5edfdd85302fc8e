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
import { id } from "ethers";
import { SubjectKind } from "../../client/src/eip712/rental.js";
import { DAY, USDC, deployWorld, ethTerms, rentEth, type World } from "./world.js";

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

/**
 * Every path that could take a rented subject's meter away from its agreement, under both kinds of
 * rental, is refused with the same `DeviceLeased(deviceId, until)` and changes nothing; after
 * settlement releases the lease each path works again. The guarantee of contracts/devices/README.md
 * ("a leased device or a device bound to a leased asset cannot be unbound, rebound, decommissioned or
 * transferred") and of contracts/assets/README.md ("retire ... refused while leased").
 */
describe("Lease guarantees on every path (issue 12): unbind, rebind, confirm, decommission, transfer, retire", function () {
  type Path = { name: string; run: (w: World, second: bigint, third: bigint) => Promise<unknown> };
  const paths: Path[] = [
    { name: "unbind by the owner", run: (w) => w.devices.connect(w.operator).unbind(w.device.deviceId) },
    { name: "unbind by the asset's agent", run: (w) => w.devices.connect(w.agent).unbind(w.device.deviceId) },
    {
      name: "rebind to another asset",
      run: (w, _second, third) => w.devices.connect(w.operator).bindToAsset(w.device.deviceId, third),
    },
    {
      name: "confirm of a bind request made before the lease",
      run: (w, second) => w.devices.connect(w.agent).confirmBind(w.device.deviceId, second),
    },
    { name: "decommission by the owner", run: (w) => w.devices.connect(w.operator).decommission(w.device.deviceId) },
    { name: "decommission by governance", run: (w) => w.devices.connect(w.gov).decommission(w.device.deviceId) },
    {
      name: "transferFrom",
      run: (w) =>
        w.deviceToken.connect(w.operator).transferFrom(w.operator.address, w.carol.address, w.device.deviceId),
    },
    {
      name: "safeTransferFrom",
      run: (w) =>
        w.deviceToken
          .connect(w.operator)
          ["safeTransferFrom(address,address,uint256)"](w.operator.address, w.carol.address, w.device.deviceId),
    },
  ];

  /** The world, a second asset of the same agent, and a bind request to it pending from before the lease. */
  async function withSecondAsset() {
    const w = await deployWorld(ethers);
    const [second, third] = await Promise.all(
      ["second", "third"].map((l) => w.assets.computeAssetId(w.issuer.address, id(l))),
    );
    for (const label of ["second", "third"]) {
      await w.assets.connect(w.issuer).registerAsset(id(label), 0, "0x4445", w.agent.address, `ipfs://${label}`);
    }
    await w.devices.connect(w.operator).bindToAsset(w.device.deviceId, second);
    expect(await w.devices.pendingAssetOf(w.device.deviceId)).to.equal(second);
    return { w, second, third };
  }

  /** State a refused path must leave untouched. */
  async function snapshot(w: World) {
    const d = w.device.deviceId;
    return [
      await w.devices.assetOf(d),
      await w.devices.pendingAssetOf(d),
      await w.devices.statusOf(d),
      await w.deviceToken.ownerOf(d),
      await w.assets.statusOf(w.assetId),
    ];
  }

  for (const rental of ["asset rental (device bound to the leased asset)", "device rental (the device leased)"]) {
    describe(rental, function () {
      async function rented() {
        const { w, second, third } = await withSecondAsset();
        let agreementId: string;
        let until: bigint;
        if (rental.startsWith("asset")) {
          ({ agreementId } = await rentEth(w, w.bob, ethTerms(w.assetId)));
          until = await w.assets.leasedUntil(w.assetId);
          expect(await w.devices.leasedUntil(w.device.deviceId)).to.equal(0n);
        } else {
          const terms = ethTerms(w.device.deviceId, { subjectKind: SubjectKind.Device });
          const offerId = await w.rentalMarket.connect(w.operator).publishOffer.staticCall(terms);
          await w.rentalMarket.connect(w.operator).publishOffer(terms);
          const prepay = BigInt(DAY) * terms.pricePerSecond;
          agreementId = await w.rentalMarket
            .connect(w.bob)
            .rent.staticCall(offerId, DAY, prepay, { value: prepay + terms.deposit });
          await w.rentalMarket.connect(w.bob).rent(offerId, DAY, prepay, { value: prepay + terms.deposit });
          until = await w.devices.leasedUntil(w.device.deviceId);
          expect(await w.assets.leasedUntil(w.assetId)).to.equal(0n);
        }
        expect(until).to.equal(await w.rental.LEASED_UNTIL_RELEASED());
        return { w, second, third, agreementId, until };
      }

      for (const path of paths) {
        it(`${path.name}: refused while leased, nothing changes; allowed once settlement releases the lease`, async function () {
          const { w, second, third, agreementId, until } = await loadFixture(rented);
          const before = await snapshot(w);
          await expect(path.run(w, second, third))
            .to.be.revertedWithCustomError(w.devices, "DeviceLeased")
            .withArgs(w.device.deviceId, until);
          expect(await snapshot(w)).to.deep.equal(before);
          // The lease lasts until settlement, not just until the end of the term.
          await time.increase(DAY + 1);
          await expect(path.run(w, second, third))
            .to.be.revertedWithCustomError(w.devices, "DeviceLeased")
            .withArgs(w.device.deviceId, until);
          await w.rental.connect(w.outsider).settle(agreementId);
          expect(await w.devices.leasedUntil(w.device.deviceId)).to.equal(0n);
          expect(await w.assets.leasedUntil(w.assetId)).to.equal(0n);
          await path.run(w, second, third);
          expect(await snapshot(w)).to.not.deep.equal(before);
        });
      }

      if (rental.startsWith("asset")) {
        it("retiring the asset (a buyout) is refused while leased, and allowed after settlement", async function () {
          const { w, agreementId, until } = await loadFixture(rented);
          const u = await w.usdc.getAddress();
          await expect(w.distributor.connect(w.agent).depositBuyout(w.assetId, u, USDC(1_000)))
            .to.be.revertedWithCustomError(w.assets, "AssetLeased")
            .withArgs(w.assetId, until);
          expect(await w.assets.statusOf(w.assetId)).to.equal(1n);
          await time.increase(DAY + 1);
          await w.rental.connect(w.outsider).settle(agreementId);
          await w.distributor.connect(w.agent).depositBuyout(w.assetId, u, USDC(1_000));
          expect(await w.assets.statusOf(w.assetId)).to.equal(3n);
        });
      }
    });
  }
});
