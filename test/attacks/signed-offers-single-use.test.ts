/**
 * Attack class: a signed statement that moves money replayed (issue 12, "every signed statement that
 * moves money is single-use and fresh"), for rental offers.
 *
 * A signed rental offer (owner's EIP-712 `Offer`) used to stay fillable until its expiry: once the first
 * agreement ended, anyone could open another one on the same signature, at the old price, after the
 * owner had moved on. The rule now: a signed offer opens exactly one agreement; filling it spends its
 * nonce (`NonceCancelled`), and a second fill is refused with `OfferNonceCancelled`.
 * Real suite (world.ts).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { RENTAL_TYPES, SubjectKind, buildOffer } from "../../client/src/eip712/rental.js";
import { DAY, deployWorld, ethTerms } from "./world.js";

const { ethers, networkHelpers } = await network.connect();
const { loadFixture, time } = networkHelpers;

async function world() {
  return deployWorld(ethers);
}

describe("Attack class: a signed rental offer filled twice (issue 12, signed statements are single-use)", function () {
  it("the first fill spends the offer's nonce; after the agreement ends, a second fill is refused and nothing moves", async function () {
    const w = await loadFixture(world);
    const terms = ethTerms(w.assetId);
    const offer = buildOffer(terms, w.agent.address, { nonce: 7n, expiry: BigInt((await time.latest()) + 30 * DAY) });
    const sig = await w.agent.signTypedData(w.rentalDomain, RENTAL_TYPES, offer as unknown as Record<string, unknown>);
    const prepay = BigInt(DAY) * terms.pricePerSecond;
    const value = prepay + terms.deposit;
    expect(await w.rentalMarket.nonceCancelled(w.agent.address, 7n)).to.equal(false);
    await expect(w.rentalMarket.connect(w.bob).rentWithSignature(offer, sig, DAY, prepay, { value }))
      .to.emit(w.rentalMarket, "NonceCancelled")
      .withArgs(w.agent.address, 7n);
    expect(await w.rentalMarket.nonceCancelled(w.agent.address, 7n)).to.equal(true);
    // The first agreement ends and is settled: the asset is free again, the offer is not.
    const first = await w.rental.agreementId(SubjectKind.Asset, w.assetId, 0);
    await time.increase(DAY);
    await w.rental.connect(w.outsider).settle(first);
    const before = await ethers.provider.getBalance(await w.rental.getAddress());
    await expect(w.rentalMarket.connect(w.carol).rentWithSignature(offer, sig, DAY, prepay, { value }))
      .to.be.revertedWithCustomError(w.rental, "OfferNonceCancelled")
      .withArgs(w.agent.address, 7n);
    expect(await ethers.provider.getBalance(await w.rental.getAddress())).to.equal(before);
    // The same terms under a new nonce (a new statement of the owner) open normally.
    const next = { ...offer, nonce: 8n };
    const sig2 = await w.agent.signTypedData(w.rentalDomain, RENTAL_TYPES, next as unknown as Record<string, unknown>);
    await expect(w.rentalMarket.connect(w.carol).rentWithSignature(next, sig2, DAY, prepay, { value })).to.emit(
      w.rental,
      "AgreementOpened",
    );
  });
});
