/**
 * Attack class: income stranded in the rental escrow's deferred income (issue 12, finding 3).
 *
 * The rental escrow defers rent and damages the income distributor refuses (`pendingIncome`) and
 * `flushIncome` retries them. A retired asset's distributor refuses every deposit, so such income used
 * to be re-deferred forever. The rules now:
 * - A rental opens only in a token the income asset's holders can always be paid in: a registered
 *   payout token (registrations are permanent) of an asset that is not retired (`IncomeNotAccepted`).
 * - Deferred income of a retired asset (its holders were bought out) is credited to the asset's agent
 *   by `flushIncome` (`IncomeRedirected`): every amount has an exit.
 * One test per path named in the issue, each ending with the escrow holding nothing for the agreement.
 * Real suite (world.ts).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { id } from "ethers";
import { SubjectKind } from "../../client/src/eip712/rental.js";
import { DAY, ETH, USDC, deployWorld, distributorOwes, ethTerms, incomeSplit, rentEth, type World } from "./world.js";
import { asAddress } from "../../client/src/types.js";

const { ethers, networkHelpers } = await network.connect();
const { loadFixture, time } = networkHelpers;

async function world() {
  return deployWorld(ethers);
}

/** The agent sells the asset for 1,000 USDC: it is retired, its holders redeem. */
async function buyout(w: World) {
  await w.distributor.connect(w.agent).depositBuyout(w.assetId, await w.usdc.getAddress(), USDC(1_000));
  expect(await w.assets.statusOf(w.assetId)).to.equal(3n); // Retired
}

/** The operator offers the world's device (bound to the asset) for ETH; bob rents it for a day. */
async function rentDevice(w: World) {
  const terms = ethTerms(w.device.deviceId, { subjectKind: SubjectKind.Device, deposit: 10n ** 15n });
  const offerId = await w.rentalMarket.connect(w.operator).publishOffer.staticCall(terms);
  await w.rentalMarket.connect(w.operator).publishOffer(terms);
  const prepay = BigInt(DAY) * terms.pricePerSecond;
  const value = prepay + terms.deposit;
  const agreementId = await w.rentalMarket.connect(w.bob).rent.staticCall(offerId, DAY, prepay, { value });
  await w.rentalMarket.connect(w.bob).rent(offerId, DAY, prepay, { value });
  return { agreementId, prepay, terms };
}

/** Flushes `token` income of the world's asset: it must be credited to the agent, exactly `amount`. */
async function flushToAgent(w: World, token: string, amount: bigint) {
  expect(await w.rentalCustody.pendingIncome(w.assetId, token)).to.equal(amount);
  const before = await w.rentalCustody.claimable(w.agent.address, w.assetId, token);
  await expect(w.rentalCustody.connect(w.outsider).flushIncome(w.assetId, token))
    .to.emit(w.rentalCustody, "IncomeRedirected")
    .withArgs(w.assetId, token, w.agent.address, amount);
  expect(await w.rentalCustody.pendingIncome(w.assetId, token)).to.equal(0n);
  expect((await w.rentalCustody.claimable(w.agent.address, w.assetId, token)) - before).to.equal(amount);
  await expect(w.rentalCustody.connect(w.outsider).flushIncome(w.assetId, token)).to.be.revertedWithCustomError(
    w.rental,
    "NothingToWithdraw",
  );
}

/**
 * Everyone withdraws what the rental custody owes them; the escrow then holds no ETH at all, and the asset's vault
 * (shared with the income distributor) exactly what the distributor still owes.
 */
async function drainEth(w: World) {
  for (const s of [w.agent, w.alice, w.bob, w.carol, w.operator, w.feeRecipient]) {
    if ((await w.rentalCustody.claimable(s.address, w.assetId, ETH)) !== 0n)
      await w.rentalCustody.connect(s).withdraw(w.assetId, ETH);
  }
  expect(await w.rentalCustody.pendingIncome(w.assetId, ETH)).to.equal(0n);
  expect(await ethers.provider.getBalance(await w.rental.getAddress())).to.equal(0n);
  expect(await ethers.provider.getBalance(await w.rentalCustody.vaultOf(w.assetId))).to.equal(
    await distributorOwes(w, ETH),
  );
}

describe("Attack class: income stranded in deferred income (issue 12, finding 3)", function () {
  it("a device rental's bound asset is retired mid-rental: the rent is deferred, then flushed to the asset's agent", async function () {
    const w = await loadFixture(world);
    const r = await rentDevice(w);
    // The lease protects the device, not its asset: the agent sells the asset mid-rental.
    await time.increase(DAY / 2);
    await buyout(w);
    await time.increase(DAY);
    const tx = w.rental.connect(w.outsider).settle(r.agreementId);
    await expect(tx).to.emit(w.rentalCustody, "IncomeDeferred");
    const pending = await w.rentalCustody.pendingIncome(w.assetId, ETH);
    // All of the day's rent, net of the 2.5 % rental fee.
    expect(pending).to.equal(r.prepay - (r.prepay * 250n) / 10_000n);
    await flushToAgent(w, ETH, pending);
    await time.increase(DAY + 1);
    await w.rentalClaims.connect(w.outsider).finalize(r.agreementId);
    await drainEth(w);
  });

  it("a device bound to an already retired asset cannot be rented: IncomeNotAccepted, nothing moves", async function () {
    const w = await loadFixture(world);
    await buyout(w);
    const terms = ethTerms(w.device.deviceId, { subjectKind: SubjectKind.Device });
    const offerId = await w.rentalMarket.connect(w.operator).publishOffer.staticCall(terms);
    await w.rentalMarket.connect(w.operator).publishOffer(terms);
    const prepay = BigInt(DAY) * terms.pricePerSecond;
    await expect(w.rentalMarket.connect(w.bob).rent(offerId, DAY, prepay, { value: prepay + terms.deposit }))
      .to.be.revertedWithCustomError(w.rental, "IncomeNotAccepted")
      .withArgs(w.assetId, ETH);
    expect(await ethers.provider.getBalance(await w.rental.getAddress())).to.equal(0n);
  });

  it("rent deferred while live, then the asset retired after settlement released the lease: flushed to the agent", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    const terms = ethTerms(w.assetId, { token: asAddress(u), pricePerSecond: 10n, deposit: USDC(5) });
    const r = await (async () => {
      const offerId = await w.rentalMarket.connect(w.agent).publishOffer.staticCall(terms);
      await w.rentalMarket.connect(w.agent).publishOffer(terms);
      const prepay = BigInt(DAY) * terms.pricePerSecond;
      const agreementId = await w.rentalMarket.connect(w.bob).rent.staticCall(offerId, DAY, prepay);
      await w.rentalMarket.connect(w.bob).rent(offerId, DAY, prepay);
      return { agreementId, prepay };
    })();
    // Governance stops accepting USDC as a payout token: the rent cannot be deposited, it is deferred.
    await w.distributor.connect(w.gov).setPayoutToken(u, false);
    await time.increase(DAY);
    await expect(w.rental.connect(w.outsider).settle(r.agreementId)).to.emit(w.rentalCustody, "IncomeDeferred");
    const pending = await w.rentalCustody.pendingIncome(w.assetId, u);
    expect(pending).to.equal(r.prepay - (r.prepay * 250n) / 10_000n);
    // Governance accepts USDC again; the lease was released at settlement: the agent sells the asset
    // (in ETH) during the claim window, before anyone flushed.
    await w.distributor.connect(w.gov).setPayoutToken(u, true);
    await w.distributor.connect(w.agent).depositBuyout(w.assetId, ETH, 10n ** 18n, { value: 10n ** 18n });
    await flushToAgent(w, u, pending);
    expect(await w.usdc.balanceOf(await w.rental.getAddress())).to.equal(0n);
    const vaultBalance = await w.usdc.balanceOf(await w.rentalCustody.vaultOf(w.assetId));
    const held = await w.rental.heldFor(r.agreementId);
    // The rent never reached the income distributor: none of the asset's vault's USDC is the distributor's.
    expect(await distributorOwes(w, u)).to.equal(0n);
    // Every USDC unit the asset's vault holds is claimable from the rental custody by someone (the fee
    // recipient's protocol fee among them) or held for the agreement (its deposit for the claim window).
    const fee = await w.rentalCustody.claimable(w.feeRecipient.address, w.assetId, u);
    expect(fee).to.equal((r.prepay * 250n) / 10_000n);
    const owed =
      (await w.rentalCustody.claimable(w.agent.address, w.assetId, u)) +
      (await w.rentalCustody.claimable(w.bob.address, w.assetId, u)) +
      fee;
    expect(vaultBalance).to.equal(owed + held);
    expect(held).to.equal(USDC(5));
  });

  it("damages awarded after settlement, with a buyout during the claim window: flushed to the agent", async function () {
    const w = await loadFixture(world);
    const terms = ethTerms(w.assetId);
    const r = await rentEth(w, w.bob, terms);
    await time.increase(DAY);
    await w.rental.connect(w.outsider).settle(r.agreementId);
    const claim = terms.deposit / 2n;
    await w.rentalClaims.connect(w.agent).claimDamage(r.agreementId, claim, id("scratch"));
    await buyout(w);
    await expect(w.rentalClaims.connect(w.bob).acceptClaim(r.agreementId))
      .to.emit(w.rentalCustody, "IncomeDeferred")
      .withArgs(w.assetId, ETH, claim);
    await flushToAgent(w, ETH, claim);
    expect(await w.rentalCustody.claimable(w.bob.address, w.assetId, ETH)).to.equal(terms.deposit - claim);
    // The day's rent (net of the rental fee) reached the holders at settlement, before the buyout: the vault
    // keeps it for them after the rental custody paid everyone.
    expect(await distributorOwes(w, ETH)).to.equal(r.prepay - (r.prepay * 250n) / 10_000n);
    await drainEth(w);
  });

  it("an offer in a token the asset cannot register (all four payout slots taken) cannot be rented: IncomeNotAccepted", async function () {
    const w = await loadFixture(world);
    // Two more accepted tokens fill the asset's four payout slots (USDC and ETH are registered).
    const extra = [];
    for (const symbol of ["EURX", "GBPX", "JPYX"]) {
      const t = await ethers.deployContract("MockPayoutToken", [symbol, symbol, 18]);
      await w.distributor.connect(w.gov).setPayoutToken(await t.getAddress(), true);
      await w.rentalMarket.connect(w.gov).setTokenAllowed(await t.getAddress(), true);
      extra.push(t);
    }
    await w.distributor.connect(w.agent).registerPayoutToken(w.assetId, await extra[0]!.getAddress());
    await w.distributor.connect(w.agent).registerPayoutToken(w.assetId, await extra[1]!.getAddress());
    await expect(
      w.distributor.connect(w.agent).registerPayoutToken(w.assetId, await extra[2]!.getAddress()),
    ).to.be.revertedWithCustomError(w.distributor, "TooManyPayoutTokens");
    const fifth = await extra[2]!.getAddress();
    const terms = ethTerms(w.assetId, { token: asAddress(fifth), pricePerSecond: 1n });
    const offerId = await w.rentalMarket.connect(w.agent).publishOffer.staticCall(terms);
    await w.rentalMarket.connect(w.agent).publishOffer(terms);
    await extra[2]!.mint(w.bob.address, 10n ** 20n);
    await extra[2]!.connect(w.bob).approve(await w.rental.getAddress(), ethers.MaxUint256);
    await expect(w.rentalMarket.connect(w.bob).rent(offerId, DAY, BigInt(DAY)))
      .to.be.revertedWithCustomError(w.rental, "IncomeNotAccepted")
      .withArgs(w.assetId, fifth);
    expect(await extra[2]!.balanceOf(w.bob.address)).to.equal(10n ** 20n);
    // A registered token is registered for good: an offer in it opens.
    const ok = ethTerms(w.assetId, { token: asAddress(await extra[0]!.getAddress()), pricePerSecond: 1n });
    const okId = await w.rentalMarket.connect(w.agent).publishOffer.staticCall(ok);
    await w.rentalMarket.connect(w.agent).publishOffer(ok);
    await extra[0]!.mint(w.bob.address, BigInt(DAY) + ok.deposit);
    await extra[0]!.connect(w.bob).approve(await w.rental.getAddress(), ethers.MaxUint256);
    await w.rentalMarket.connect(w.bob).rent(okId, DAY, BigInt(DAY));
  });
});

describe("Attack class: deferred income whose asset can never take it while live (issue 12, findings 3 and 4)", function () {
  it("a token governance withdrew is a reversible refusal: a flush by anyone meanwhile diverts nothing; re-allowed, the holders get it all", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    const terms = ethTerms(w.assetId, { token: asAddress(u), pricePerSecond: 10n, deposit: USDC(5) });
    const offerId = await w.rentalMarket.connect(w.agent).publishOffer.staticCall(terms);
    await w.rentalMarket.connect(w.agent).publishOffer(terms);
    const prepay = BigInt(DAY) * terms.pricePerSecond;
    const agreementId = await w.rentalMarket.connect(w.bob).rent.staticCall(offerId, DAY, prepay);
    await w.rentalMarket.connect(w.bob).rent(offerId, DAY, prepay);
    await w.distributor.connect(w.gov).setPayoutToken(u, false);
    await time.increase(DAY);
    await w.rental.connect(w.outsider).settle(agreementId);
    const pending = prepay - (prepay * 250n) / 10_000n;
    // The agent flushes while the token is withdrawn: deferred again, nothing credited to anyone.
    await expect(w.rentalCustody.connect(w.agent).flushIncome(w.assetId, u))
      .to.emit(w.rentalCustody, "IncomeDeferred")
      .withArgs(w.assetId, u, pending);
    expect(await w.rentalCustody.claimable(w.agent.address, w.assetId, u)).to.equal(0n);
    expect(await w.rentalCustody.pendingIncome(w.assetId, u)).to.equal(pending);
    // Governance accepts USDC again: the next flush hands all of it to the distributor as the asset's income
    // (its first USDC income: 10 % reserve, 1 % fee, the rest to the holders), where it lies.
    await w.distributor.connect(w.gov).setPayoutToken(u, true);
    const vault = await w.distributor.vaultOf(w.assetId);
    const before = { vault: await w.usdc.balanceOf(vault), owed: await distributorOwes(w, u) };
    expect(before.owed).to.equal(0n);
    const flush = w.rentalCustody.connect(w.outsider).flushIncome(w.assetId, u);
    await expect(flush).to.emit(w.rentalCustody, "IncomeDeposited").withArgs(w.assetId, u, pending);
    await expect(flush)
      .to.emit(w.distributor, "IncomeDeposited")
      .withArgs(w.assetId, u, await w.rentalCustody.getAddress(), pending, pending, ...incomeSplit(pending));
    expect(await w.rentalCustody.pendingIncome(w.assetId, u)).to.equal(0n);
    expect(await w.usdc.balanceOf(vault)).to.equal(before.vault);
    expect(await distributorOwes(w, u)).to.equal(pending);
  });

  it("shares created without the income hook after a rental opened: the asset can never take income, the flush credits the agent", async function () {
    const w = await loadFixture(world);
    const salt = id("unhooked-later");
    const assetId = await w.assets.computeAssetId(w.issuer.address, salt);
    await w.assets.connect(w.issuer).registerAsset(salt, 0, "0x4445", w.agent.address, "ipfs://unhooked");
    await w.distributor.connect(w.agent).registerPayoutToken(assetId, ETH);
    const r = await rentEth(w, w.bob, ethTerms(assetId));
    await time.increase(DAY);
    await expect(w.rental.connect(w.outsider).settle(r.agreementId)).to.emit(w.rentalCustody, "IncomeDeferred");
    const pending = await w.rentalCustody.pendingIncome(assetId, ETH);
    expect(await w.distributor.incomeClosed(assetId)).to.equal(false);
    await w.factory.connect(w.gov).setIncomeHooks(ethers.ZeroAddress);
    await w.factory.connect(w.agent).createShares(assetId, "Unhooked", "UNH", 0);
    expect(await w.distributor.incomeClosed(assetId)).to.equal(true);
    expect(await w.distributor.acceptsIncome(assetId, ETH)).to.equal(false);
    await expect(w.rentalCustody.connect(w.outsider).flushIncome(assetId, ETH))
      .to.emit(w.rentalCustody, "IncomeRedirected")
      .withArgs(assetId, ETH, w.agent.address, pending);
    expect(await w.rentalCustody.claimable(w.agent.address, assetId, ETH)).to.equal(pending);
    expect(await w.rentalCustody.pendingIncome(assetId, ETH)).to.equal(0n);
  });

  it("income deferred for an asset with no shares yet stays deferred (a flush retries) and reaches the holders once shares exist", async function () {
    const w = await loadFixture(world);
    const salt = id("late-shares");
    const assetId = await w.assets.computeAssetId(w.issuer.address, salt);
    await w.assets.connect(w.issuer).registerAsset(salt, 0, "0x4445", w.agent.address, "ipfs://late");
    await w.distributor.connect(w.agent).registerPayoutToken(assetId, ETH);
    const terms = ethTerms(assetId);
    const r = await rentEth(w, w.bob, terms);
    await time.increase(DAY);
    await expect(w.rental.connect(w.outsider).settle(r.agreementId)).to.emit(w.rentalCustody, "IncomeDeferred");
    const pending = await w.rentalCustody.pendingIncome(assetId, ETH);
    await expect(w.rentalCustody.connect(w.outsider).flushIncome(assetId, ETH))
      .to.emit(w.rentalCustody, "IncomeDeferred")
      .withArgs(assetId, ETH, pending);
    // Shares are created (with the distributor as hook) and minted: the next flush deposits it all.
    await w.factory.connect(w.agent).createShares(assetId, "Late", "LATE", 0);
    const shares = await ethers.getContractAt("AssetShares", await w.factory.predictShares(assetId));
    await shares.connect(w.agent).mint(w.alice.address, 10);
    await expect(w.rentalCustody.connect(w.outsider).flushIncome(assetId, ETH))
      .to.emit(w.rentalCustody, "IncomeDeposited")
      .withArgs(assetId, ETH, pending);
    expect(await w.rentalCustody.pendingIncome(assetId, ETH)).to.equal(0n);
    expect(await distributorOwes(w, ETH, assetId)).to.equal(pending);
    // The asset's vault holds the distributor's income and, for the rental custody, the rental fee and the
    // renter's deposit (held for the claim window): nothing else.
    const fee = (r.prepay * 250n) / 10_000n;
    expect(pending).to.equal(r.prepay - fee);
    expect(await w.rentalCustody.claimable(w.feeRecipient.address, assetId, ETH)).to.equal(fee);
    expect(await w.rental.heldFor(r.agreementId)).to.equal(terms.deposit);
    expect(await ethers.provider.getBalance(await w.distributor.vaultOf(assetId))).to.equal(
      pending + fee + terms.deposit,
    );
  });
});
