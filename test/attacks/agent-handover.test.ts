/**
 * Attack class: a replaced authority keeps power over live obligations (issue 12, finding 6).
 *
 * The owner side of an asset rental used to be fixed when the agreement opened. After the issuer
 * handed the asset to a new agent (proposeAgent, then acceptAgent), the old agent could still
 * activate or decline a reservation and waive the holders' damage claim, while the new agent got
 * NotOwner. The rule now: the owner side of an asset rental is the asset's CURRENT agent.
 * Real suite (world.ts), ETH rentals of the world's asset.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { id } from "ethers";
import { SubjectKind } from "../../client/src/eip712/rental.js";
import { DAY, ETH, deployWorld, ethTerms, rentEth, type World } from "./world.js";

const { ethers, networkHelpers } = await network.connect();
const { loadFixture, time } = networkHelpers;

async function world() {
  return deployWorld(ethers);
}

/** What the distributor took as the world's asset's income in `token`: holders' part, reserve and fees. */
async function incomeTaken(w: World, token: string) {
  const [, distributed] = await w.distributor.incomeAccountingOf(w.assetId, token);
  return (
    distributed + (await w.distributor.reserveOf(w.assetId, token)) + (await w.distributor.feesOf(w.assetId, token))
  );
}

/** The issuer hands the asset to `w.carol`; returns the new agent. */
async function handOver(w: World) {
  await w.assets.connect(w.issuer).proposeAgent(w.assetId, w.carol.address);
  await expect(w.assets.connect(w.carol).acceptAgent(w.assetId))
    .to.emit(w.assets, "AgentChanged")
    .withArgs(w.assetId, w.agent.address, w.carol.address);
  return w.carol;
}

describe("Attack class: a replaced asset agent keeps control of live rentals (issue 12, finding 6)", function () {
  it("a reservation made under the old agent is activated by the new one; the old one gets NotOwner", async function () {
    const w = await loadFixture(world);
    const { agreementId } = await rentEth(w, w.bob, ethTerms(w.assetId, { activationWindow: 3600 }));
    const next = await handOver(w);
    await expect(w.rental.connect(w.agent).activate(agreementId))
      .to.be.revertedWithCustomError(w.rental, "NotOwner")
      .withArgs(w.agent.address);
    await expect(w.rental.connect(w.agent).decline(agreementId))
      .to.be.revertedWithCustomError(w.rental, "NotOwner")
      .withArgs(w.agent.address);
    await expect(w.rental.connect(next).activate(agreementId)).to.emit(w.rental, "Activated");
    expect((await w.rental.agreementOf(agreementId)).owner).to.equal(next.address);
  });

  it("the new agent declines a reservation: the renter gets everything back, exactly", async function () {
    const w = await loadFixture(world);
    const terms = ethTerms(w.assetId, { activationWindow: 3600 });
    const { agreementId, prepay } = await rentEth(w, w.bob, terms);
    const next = await handOver(w);
    await w.rental.connect(next).decline(agreementId);
    expect(await w.rentalCustody.claimable(w.bob.address, w.assetId, ethers.ZeroAddress)).to.equal(
      prepay + terms.deposit,
    );
  });

  it("the old agent cannot waive the holders' damage claim after the handover; the new agent claims and the holders are paid", async function () {
    const w = await loadFixture(world);
    const terms = ethTerms(w.assetId);
    const { agreementId } = await rentEth(w, w.bob, terms);
    await time.increase(DAY);
    await w.rental.connect(w.outsider).settle(agreementId);
    const next = await handOver(w);
    await expect(w.rentalClaims.connect(w.agent).waiveClaim(agreementId))
      .to.be.revertedWithCustomError(w.rental, "NotOwner")
      .withArgs(w.agent.address);
    await expect(w.rentalClaims.connect(w.agent).claimDamage(agreementId, 1n, id("dent")))
      .to.be.revertedWithCustomError(w.rental, "NotOwner")
      .withArgs(w.agent.address);
    const claim = terms.deposit / 4n;
    await expect(w.rentalClaims.connect(next).claimDamage(agreementId, claim, id("dent")))
      .to.emit(w.rentalClaims, "DamageClaimed")
      .withArgs(agreementId, claim, id("dent"));
    const vault = await w.distributor.vaultOf(w.assetId);
    const before = { vault: await ethers.provider.getBalance(vault), taken: await incomeTaken(w, ETH) };
    await expect(w.rentalClaims.connect(w.bob).acceptClaim(agreementId))
      .to.emit(w.rentalCustody, "IncomeDeposited")
      .withArgs(w.assetId, ETH, claim);
    // The whole claim (no rental fee on damages) became the holders' income where it lies, in the asset's vault
    // shared by the rental custody and the distributor: no ETH moved. The renter gets the rest of the deposit.
    expect(await ethers.provider.getBalance(vault)).to.equal(before.vault);
    expect((await incomeTaken(w, ETH)) - before.taken).to.equal(claim);
    expect(await w.rental.heldFor(agreementId)).to.equal(0n);
    expect(await w.rentalCustody.claimable(w.bob.address, w.assetId, ETH)).to.equal(terms.deposit - claim);
  });

  it("a device rental's owner side stays the device owner: the asset's agent has no say", async function () {
    const w = await loadFixture(world);
    // The device is bound to the asset; its operator offers it. The asset agent cannot act for it.
    const terms = ethTerms(w.device.deviceId, { subjectKind: SubjectKind.Device, activationWindow: 3600 });
    const offerId = await w.rentalMarket.connect(w.operator).publishOffer.staticCall(terms);
    await w.rentalMarket.connect(w.operator).publishOffer(terms);
    const prepay = BigInt(DAY) * terms.pricePerSecond;
    const agreementId = await w.rentalMarket
      .connect(w.bob)
      .rent.staticCall(offerId, DAY, prepay, { value: prepay + terms.deposit });
    await w.rentalMarket.connect(w.bob).rent(offerId, DAY, prepay, { value: prepay + terms.deposit });
    await expect(w.rental.connect(w.agent).activate(agreementId))
      .to.be.revertedWithCustomError(w.rental, "NotOwner")
      .withArgs(w.agent.address);
    await expect(w.rental.connect(w.operator).activate(agreementId)).to.emit(w.rental, "Activated");
  });
});
