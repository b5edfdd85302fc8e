/**
 * Integration with the real DeviceRegistry (issue 3, merged on main): a device is registered and
 * claimed with hardware signatures, rented by the second with the device itself as the meter;
 * verified attestations are billed once (counter-ordered), the lease blocks decommissioning until
 * settlement releases it. Asset registry and income distributor are the rental test doubles.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { SubjectKind } from "../../client/src/eip712/rental.js";
import { deviceOnOffer, signedAttestation } from "../devices/helpers.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const DAY = 86_400n;
const GWEI = 1_000_000_000n;

const integrated = () => deviceOnOffer(ethers, "42");

describe("RentalEscrow with the real DeviceRegistry", function () {
  it("bills verified attestations once, keeps the device leased, and pays its owner", async function () {
    const f = await loadFixture(integrated);
    // The meter's baseline, signed a few seconds ahead (within the registry's future skew) so that it
    // is not before the rental's start: nothing before the term can be billed.
    const baseline = await signedAttestation(f, f.device, {
      counter: 1,
      value: 0,
      timestamp: (await time.latest()) + 5,
    });
    await f.registry.attest(baseline.att, baseline.sig);
    await f.market.connect(f.renter).rent(f.offerId, DAY, 10n ** 15n, { value: 10n ** 15n });
    const id = await f.escrow.agreementId(SubjectKind.Device, f.deviceId, 0);
    expect(await f.registry.leasedUntil(f.deviceId)).to.be.greaterThan(0);
    await expect(f.registry.connect(f.operator).decommission(f.deviceId)).to.be.revertedWithCustomError(
      f.registry,
      "DeviceLeased",
    );
    await time.increase(3600);
    const { att, sig } = await signedAttestation(f, f.device, { counter: 2, value: 250 });
    await f.registry.attest(att, sig);
    await expect(f.escrow.settleMetered(id))
      .to.emit(f.escrow, "MeterSettled")
      .withArgs(id, 2, 250, 250, 250, 0, 250n * GWEI);
    await expect(f.escrow.settleMetered(id))
      .to.be.revertedWithCustomError(f.escrow, "MeterReadingReplayed")
      .withArgs(2, 2);
    await time.increase(DAY);
    await f.escrow.settle(id);
    expect(await f.registry.leasedUntil(f.deviceId)).to.equal(0);
    expect(await f.custody.claimable(f.operator.address, await f.escrow.custodyOf(id), ethers.ZeroAddress)).to.equal(
      250n * GWEI,
    );
    await f.registry.connect(f.operator).decommission(f.deviceId);
  });
});
