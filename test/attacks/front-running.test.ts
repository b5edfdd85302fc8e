/**
 * SWC-114 Transaction order dependence (front-running): everything a signature authorises is bound
 * inside the signed message, so a front-runner who copies a pending transaction can at most relay it
 * unchanged (harmless), never redirect it. Covers device claims, attestations, inspector verdicts,
 * provider bids, rental offers for a named renter, and EIP-2612 permit front-running (the classic
 * "permit griefing": the victim's permit reverts, the allowance is there, the flow continues).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Signature, Wallet, id } from "ethers";
import { attestationMessage, deviceDigest } from "../../client/src/eip712/devices.js";
import { Secp256k1DeviceSigner } from "../../client/src/signers/devices.js";
import { buildBid, buildInspection, signBid, signInspection, Comparator } from "../../client/src/eip712/maintenance.js";
import { RENTAL_TYPES, buildOffer } from "../../client/src/eip712/rental.js";
import { signedClaim, signedRegistration } from "../devices/helpers.js";
import { policy } from "../maintenance/fixture.js";
import { BOND, BUDGET, DAY, createOrder, deployWorld, ethTerms, freshAsset } from "./world.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function world() {
  return deployWorld(ethers);
}

describe("Attack class SWC-114 front-running (transaction order dependence)", function () {
  it("a device claim cannot be stolen: the owner is signed; a front-runner can only relay it to the rightful owner", async function () {
    const w = await loadFixture(world);
    const d = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
    const r = await signedRegistration(w.ctx, d, w.mfrSigner, "SN-FR");
    await w.devices.registerDevice(r.reg, r.sig);
    const c = await signedClaim(w.ctx, d, w.operator.address);
    // The front-runner copies the signature and names itself.
    await expect(w.devices.connect(w.outsider).claim(c.msg.deviceId, w.outsider.address, c.msg.deadline, c.sig))
      .to.be.revertedWithCustomError(w.devices, "InvalidDeviceSignature")
      .withArgs(d.deviceId);
    // Relaying it unchanged mints to the operator, not to the relayer.
    await w.devices.connect(w.outsider).claim(c.msg.deviceId, c.msg.owner, c.msg.deadline, c.sig);
    expect(await w.deviceToken.ownerOf(d.deviceId)).to.equal(w.operator.address);
  });

  it("an attestation relayed by a front-runner still credits the device that signed it, with the signed values", async function () {
    const w = await loadFixture(world);
    const att = attestationMessage({
      deviceId: w.device.deviceId,
      kind: 1,
      value: 42,
      odometer: 42,
      payloadHash: id("reading"),
      counter: (await w.devices.lastCounter(w.device.deviceId)) + 1n,
      timestamp: await time.latest(),
    });
    const sig = await w.device.signDigest(deviceDigest(w.ctx.domain, "Attestation", att));
    // Altering the value on the way is refused; relaying as-is stores exactly what the device signed.
    await expect(w.devices.connect(w.outsider).attest({ ...att, value: 4_200n }, sig)).to.be.revertedWithCustomError(
      w.devices,
      "InvalidDeviceSignature",
    );
    await w.devices.connect(w.outsider).attest(att, sig);
    const reading = await w.devices.latestReading(w.device.deviceId, 1);
    expect([reading.counter, reading.value]).to.deep.equal([att.counter, 42n]);
    // The owner's later submission of the same attestation is a no-op refusal, not a loss.
    await expect(w.devices.connect(w.operator).attest(att, sig)).to.be.revertedWithCustomError(
      w.devices,
      "StaleCounter",
    );
  });

  it("a provider's bid cannot be redirected: another provider, price, bond or order breaks it; a stranger cannot award it", async function () {
    const w = await loadFixture(world);
    const { orderId } = await createOrder(w, w.alice, { provider: ethers.ZeroAddress, salt: id("bids-a") });
    const other = await createOrder(w, w.alice, { provider: ethers.ZeroAddress, salt: id("bids-b") });
    const deadline = BigInt((await time.latest()) + DAY);
    const bid = buildBid(orderId, w.provider.address, BUDGET / 2n, BOND, 0n, deadline);
    const sig = await signBid(w.provider, w.bidDomain, bid);
    await expect(w.escrow.connect(w.outsider).awardBid(orderId, bid, sig))
      .to.be.revertedWithCustomError(w.escrow, "NotController")
      .withArgs(w.outsider.address);
    for (const changed of [
      { ...bid, provider: w.outsider.address },
      { ...bid, price: BUDGET },
      { ...bid, bond: BOND * 2n },
    ]) {
      await expect(w.escrow.connect(w.alice).awardBid(orderId, changed, sig)).to.be.revertedWithCustomError(
        w.escrow,
        "InvalidSignature",
      );
    }
    await expect(w.escrow.connect(w.alice).awardBid(other.orderId, bid, sig)).to.be.revertedWithCustomError(
      w.escrow,
      "BadBid",
    );
    await expect(w.escrow.connect(w.alice).awardBid(orderId, bid, sig)).to.emit(w.escrow, "OrderAccepted");
    expect((await w.escrow.getOrder(orderId)).provider).to.equal(w.provider.address);
  });

  it("an inspector's verdict cannot be credited to another inspector, order or milestone", async function () {
    const w = await loadFixture(world);
    const args = {
      deviceId: 0n,
      inspectors: [w.carol.address, w.bob.address],
      milestoneBps: [5_000, 5_000],
      policy: policy({ useDevice: false, cmp: Comparator.None, k: 1 }),
    };
    const { orderId } = await createOrder(w, w.alice, { ...args, salt: id("ins-a") });
    const b = await createOrder(w, w.alice, { ...args, salt: id("ins-b") });
    for (const o of [orderId, b.orderId]) await w.escrow.connect(w.provider).accept(o);
    const ins = buildInspection(
      orderId,
      0,
      true,
      w.carol.address,
      BigInt((await time.latest()) + 1),
      BigInt((await time.latest()) + DAY),
    );
    const sig = await signInspection(w.carol, w.escrowDomain, ins);
    await expect(w.evidence.submitInspections(orderId, [{ ...ins, inspector: w.bob.address }], [sig]))
      .to.be.revertedWithCustomError(w.escrow, "InvalidSignature")
      .withArgs(w.bob.address);
    await expect(w.evidence.submitInspections(orderId, [{ ...ins, milestone: 1 }], [sig]))
      .to.be.revertedWithCustomError(w.escrow, "InvalidSignature")
      .withArgs(w.carol.address);
    await expect(w.evidence.submitInspections(b.orderId, [ins], [sig]))
      .to.be.revertedWithCustomError(w.escrow, "InspectionForOtherOrder")
      .withArgs(orderId);
    await expect(w.evidence.submitInspections(b.orderId, [{ ...ins, orderId: b.orderId }], [sig]))
      .to.be.revertedWithCustomError(w.escrow, "InvalidSignature")
      .withArgs(w.carol.address);
  });

  it("a rental offer signed for a named renter cannot be filled by a front-runner", async function () {
    const w = await loadFixture(world);
    const terms = ethTerms(await freshAsset(w, "named-renter"));
    const offer = buildOffer(terms, w.agent.address, {
      renter: w.alice.address,
      expiry: BigInt((await time.latest()) + DAY),
    });
    const sig = await w.agent.signTypedData(w.rentalDomain, RENTAL_TYPES, offer as unknown as Record<string, unknown>);
    const prepay = BigInt(DAY) * terms.pricePerSecond;
    const value = prepay + terms.deposit;
    await expect(w.rentalMarket.connect(w.outsider).rentWithSignature(offer, sig, DAY, prepay, { value }))
      .to.be.revertedWithCustomError(w.rental, "OfferNotForRenter")
      .withArgs(w.alice.address);
    await expect(w.rentalMarket.connect(w.alice).rentWithSignature(offer, sig, DAY, prepay, { value })).to.emit(
      w.rental,
      "AgreementOpened",
    );
  });

  it("EIP-2612 permit front-running on the shares: the victim's permit reverts but the allowance is set and the transfer proceeds", async function () {
    const w = await loadFixture(world);
    const value = 100n;
    const deadline = BigInt((await time.latest()) + DAY);
    const domain = {
      name: await w.shares.name(),
      version: "1",
      chainId: w.chainId,
      verifyingContract: await w.shares.getAddress(),
    };
    const types = {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    };
    const nonce = await w.shares.nonces(w.alice.address);
    const sig = Signature.from(
      await w.alice.signTypedData(domain, types, {
        owner: w.alice.address,
        spender: w.bob.address,
        value,
        nonce,
        deadline,
      }),
    );
    // The front-runner submits the permit first (it can only grant what alice signed, to bob).
    await w.shares.connect(w.outsider).permit(w.alice.address, w.bob.address, value, deadline, sig.v, sig.r, sig.s);
    expect(await w.shares.allowance(w.alice.address, w.bob.address)).to.equal(value);
    await expect(
      w.shares.connect(w.bob).permit(w.alice.address, w.bob.address, value, deadline, sig.v, sig.r, sig.s),
    ).to.be.revertedWithCustomError(w.shares, "ERC2612InvalidSigner");
    // The flow continues: the allowance is there and bob moves the shares (compliance still applies).
    await w.shares.connect(w.bob).transferFrom(w.alice.address, w.carol.address, value);
    expect(await w.shares.balanceOf(w.carol.address)).to.equal(value);
    // The permit cannot be redirected to the front-runner.
    await expect(
      w.shares.connect(w.outsider).permit(w.alice.address, w.outsider.address, value, deadline, sig.v, sig.r, sig.s),
    ).to.be.revertedWithCustomError(w.shares, "ERC2612InvalidSigner");
  });
});
