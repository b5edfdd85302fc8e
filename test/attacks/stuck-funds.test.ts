/**
 * Stuck funds (SWC-132-adjacent "locked ether/tokens"; the audit finding class "funds can be locked
 * forever"): every token a contract takes in has an exit once its deadline passed. Each path of the
 * maintenance escrow, the rental escrow and the income distributor is walked with real contracts and
 * the holding contract's balance ends at exactly zero (or at what is still owed and claimable). An asset's
 * vault is shared by the income distributor, the maintenance custody and the rental custody: once every party
 * of maintenance and rental took its money out, it holds exactly what the distributor still owes.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { id } from "ethers";
import { SlashTo, Comparator } from "../../client/src/eip712/maintenance.js";
import { attestationMessage, deviceDigest } from "../../client/src/eip712/devices.js";
import { policy } from "../maintenance/fixture.js";
import {
  BOND,
  BUDGET,
  DAY,
  ETH,
  KIND_SELFTEST,
  USDC,
  createOrder,
  deployWorld,
  distributorOwes,
  orderFor,
  ethTerms,
  rentEth,
  type Signer,
  type World,
} from "./world.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function world() {
  return deployWorld(ethers);
}

async function selfTest(w: World) {
  await time.increase(10);
  const att = attestationMessage({
    deviceId: w.device.deviceId,
    kind: KIND_SELFTEST,
    value: 0,
    odometer: 0,
    payloadHash: id("self-test ok"),
    counter: (await w.devices.lastCounter(w.device.deviceId)) + 1n,
    timestamp: await time.latest(),
  });
  await w.devices.attest(att, await w.device.signDigest(deviceDigest(w.ctx.domain, "Attestation", att)));
}

/** Every party withdraws its whole maintenance balance; returns what was paid out. */
async function drainEscrow(w: World, parties: Signer[]) {
  const u = await w.usdc.getAddress();
  let paid = 0n;
  for (const p of parties) {
    const due = await w.custody.claimable(p.address, w.assetId, u);
    if (due === 0n) continue;
    await w.custody.connect(p).claim(w.assetId, u, p.address);
    paid += due;
  }
  if ((await w.custody.reserveCredit(w.assetId, u)) !== 0n) await w.custody.returnToReserve(w.assetId, u);
  return paid;
}

/** The maintenance custody owes nothing in `token` for the world's asset to any of `parties` nor to the reserve. */
async function maintenanceOwesNothing(w: World, token: string, parties: Signer[]) {
  for (const p of parties) expect(await w.custody.claimable(p.address, w.assetId, token), p.address).to.equal(0n);
  expect(await w.custody.reserveCredit(w.assetId, token)).to.equal(0n);
}

async function fundReserve(w: World) {
  await w.distributor.connect(w.outsider).deposit(w.assetId, await w.usdc.getAddress(), USDC(100_000));
}

describe("Attack class stuck funds: every escrowed token has an exit", function () {
  it("maintenance: cancel, expiry, default, device-proven completion and an unruled dispute all end with an empty vault", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    const vault = await w.custody.vaultOf(w.assetId);
    const cancelled = await createOrder(w, w.alice, { salt: id("cancel") });
    const expired = await createOrder(w, w.alice, { salt: id("expire") });
    const defaulted = await createOrder(w, w.alice, { salt: id("default") });
    const proven = await createOrder(w, w.alice, { salt: id("device") });
    const unruled = await createOrder(w, w.alice, {
      salt: id("unruled"),
      deviceId: 0n,
      policy: policy({
        useDevice: false,
        cmp: Comparator.None,
        optimistic: true,
        arbiter: w.arbiter.address,
        challengeWindow: DAY,
        disputeTimeout: DAY,
        defaultRuling: 1,
      }),
    });
    expect(await w.usdc.balanceOf(vault)).to.equal(5n * BUDGET);

    await w.escrow.connect(w.alice).cancel(cancelled.orderId);
    for (const o of [defaulted, proven, unruled]) await w.escrow.connect(w.provider).accept(o.orderId);
    await selfTest(w);
    await w.evidence.submitDeviceEvidence(proven.orderId, 0, w.device.deviceId);
    await w.evidence.connect(w.provider).claimMilestone(unruled.orderId, 0);
    const dispute = await w.evidence.connect(w.alice).challenge.staticCall(unruled.orderId, 0);
    await w.evidence.connect(w.alice).challenge(unruled.orderId, 0);
    await time.increaseTo(expired.args.acceptBy + 1);
    await w.escrow.connect(w.outsider).expire(expired.orderId);
    await time.increase(2 * DAY);
    await w.disputes.connect(w.outsider).resolveByTimeout(dispute);
    await time.increaseTo(defaulted.args.completeBy + 1);
    await w.escrow.connect(w.outsider).expire(defaulted.orderId);

    const paid = await drainEscrow(w, [w.alice, w.provider]);
    expect(paid).to.equal(5n * BUDGET + 3n * BOND);
    expect(await w.usdc.balanceOf(vault)).to.equal(0n);
    expect(await w.custody.claimable(w.alice.address, w.assetId, u)).to.equal(0n);
  });

  it("maintenance: a reserve-funded order's refund and slashed bond go back to the asset's reserve (returnToReserve), the vault holds only the distributor's", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    const vault = await w.custody.vaultOf(w.assetId);
    await fundReserve(w);
    const reserve0 = await w.distributor.reserveOf(w.assetId, u);
    const o = await createOrder(w, w.agent, { fromReserve: true, slashTo: SlashTo.Reserve });
    // The budget stays in the asset's vault: the distributor stops counting it, maintenance starts.
    expect(await w.usdc.balanceOf(vault)).to.equal(USDC(100_000));
    expect(await distributorOwes(w, u)).to.equal(USDC(100_000) - BUDGET);
    await w.escrow.connect(w.provider).accept(o.orderId);
    await time.increaseTo(o.args.completeBy + 1);
    await w.escrow.expire(o.orderId);
    expect(await w.custody.reserveCredit(w.assetId, u)).to.equal(BUDGET + BOND);
    await w.custody.connect(w.outsider).returnToReserve(w.assetId, u);
    // Maintenance owes nothing; the vault holds exactly the distributor's money: the deposit and the provider's
    // slashed bond, now the asset's income.
    await maintenanceOwesNothing(w, u, [w.agent, w.provider]);
    expect(await distributorOwes(w, u)).to.equal(USDC(100_000) + BOND);
    expect(await w.usdc.balanceOf(vault)).to.equal(USDC(100_000) + BOND);
    // The money re-enters as income: 10 % to the reserve, 1 % fee, the rest to the holders.
    expect(await w.distributor.reserveOf(w.assetId, u)).to.equal(
      reserve0 - BUDGET + ((BUDGET + BOND) * 1_000n) / 10_000n,
    );
  });

  it("rental: declined and lapsed reservations and a full term with a disputed, unruled claim all end with an empty escrow", async function () {
    const w = await loadFixture(world);
    const rental = await w.rental.getAddress();
    const terms = ethTerms(w.assetId, { activationWindow: DAY });
    const declined = await rentEth(w, w.alice, terms);
    await w.rental.connect(w.agent).decline(declined.agreementId);
    const lapsed = await rentEth(w, w.alice, { ...terms, deposit: terms.deposit + 1n });
    await time.increase(DAY + 1);
    await w.rental.connect(w.outsider).cancelReservation(lapsed.agreementId);
    const full = await rentEth(w, w.bob, ethTerms(w.assetId));
    await time.increase(DAY + 1);
    await w.rental.connect(w.outsider).settle(full.agreementId);
    await w.rentalClaims.connect(w.agent).claimDamage(full.agreementId, 10n ** 15n, id("dent"));
    await w.rentalClaims.connect(w.bob).disputeClaim(full.agreementId);
    await time.increase(DAY + 1);
    // Unruled: from the deadline on anyone applies the default ruling (the renter) on the dispute module.
    await w.disputes.connect(w.outsider).resolveByTimeout(await w.rentalClaims.disputeIdOf(full.agreementId));
    for (const s of [w.alice, w.bob, w.agent, w.feeRecipient]) {
      if ((await w.rentalCustody.claimable(s.address, w.assetId, ETH)) !== 0n)
        await w.rentalCustody.connect(s).withdraw(w.assetId, ETH);
    }
    expect(await w.rentalCustody.pendingIncome(w.assetId, ETH)).to.equal(0n);
    expect(await ethers.provider.getBalance(rental)).to.equal(0n);
    // The asset's vault keeps only the full term's rent, net of the rental fee, now the distributor's.
    const owed = await distributorOwes(w, ETH);
    expect(owed).to.equal(full.prepay - (full.prepay * 250n) / 10_000n);
    expect(await ethers.provider.getBalance(await w.rentalCustody.vaultOf(w.assetId))).to.equal(owed);
  });

  it("income: after every claim, fee claim and redemption the asset's income vault holds exactly the reserve (and buyout dust can be swept)", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    const d = await w.distributor.vaultOf(w.assetId); // the asset's income custody
    await w.distributor.connect(w.outsider).deposit(w.assetId, u, USDC(12_345) + 7n);
    for (const s of [w.alice, w.bob]) await w.distributor.connect(s).claim(w.assetId, u, s.address);
    await w.distributor.connect(w.feeRecipient).claimFees(w.assetId, u, w.feeRecipient.address);
    const reserve = await w.distributor.reserveOf(w.assetId, u);
    const dust = (await w.usdc.balanceOf(d)) - reserve;
    expect(dust).to.be.gte(0n).and.lte(1_000n); // per-share rounding, at most one unit per share
    await w.distributor.connect(w.agent).depositBuyout(w.assetId, u, USDC(1_000_000) + 1n);
    for (const s of [w.alice, w.bob]) await w.distributor.connect(s).redeem(w.assetId, s.address);
    await w.distributor.connect(w.gov).sweepBuyoutDust(w.assetId, w.gov.address);
    expect(await w.usdc.balanceOf(d)).to.equal(reserve + dust);
    expect(await w.usdc.balanceOf(await w.distributor.getAddress())).to.equal(0n);
  });

  it("income: a retired asset's maintenance reserve keeps an exit, though only through governance (the escrow can no longer spend it)", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    await fundReserve(w);
    const reserve = await w.distributor.reserveOf(w.assetId, u);
    await w.distributor.connect(w.agent).depositBuyout(w.assetId, u, USDC(1_000));
    // The escrow (RESERVE_SPENDER_ROLE) cannot open reserve-funded orders on a retired asset...
    await expect(w.escrow.connect(w.agent).createOrder(await orderFor(w, { fromReserve: true })))
      .to.be.revertedWithCustomError(w.escrow, "AssetNotActive")
      .withArgs(w.assetId);
    // ...so the only way out is governance granting RESERVE_SPENDER_ROLE to a spender it chooses.
    await w.distributor.connect(w.gov).grantRole(await w.distributor.RESERVE_SPENDER_ROLE(), w.gov.address);
    await w.distributor.connect(w.gov).withdrawReserve(w.assetId, u, reserve, w.agent.address);
    expect(await w.distributor.reserveOf(w.assetId, u)).to.equal(0n);
  });

  // FIXED FINDING (stuck funds, MaintenanceEscrow.returnToReserve + IncomeDistributor.deposit), found by
  // this suite: money credited to an asset's reserve inside the escrow (`reserveCredit`: the refund of a
  // cancelled/expired/defaulted reserve-funded order, or a bond slashed to the reserve) had exactly two
  // exits, returnToReserve (distributor.deposit) and a new reserve-funded order. After a buyout, deposit
  // reverts AssetIsRetired and createOrder reverts AssetNotActive, so the credit was locked in the vault;
  // an order still Active at the buyout could not even be settled before it. Fix: returnToReserve credits
  // a retired asset's reserve credit to the asset's agent as a claimable balance.
  it("maintenance: a retired asset's reserve credit leaves the vault, to the asset's agent (fixed finding)", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    await fundReserve(w);
    const o = await createOrder(w, w.agent, { fromReserve: true, slashTo: SlashTo.Reserve });
    await w.escrow.connect(w.provider).accept(o.orderId);
    await w.distributor.connect(w.agent).depositBuyout(w.assetId, u, USDC(1_000));
    await time.increaseTo(o.args.completeBy + 1);
    await w.escrow.expire(o.orderId);
    const credit = await w.custody.reserveCredit(w.assetId, u);
    expect(credit).to.equal(BUDGET + BOND);
    // The distributor refuses deposits for the retired asset; the credit goes to the agent instead.
    await expect(w.custody.connect(w.outsider).returnToReserve(w.assetId, u))
      .to.emit(w.custody, "Credited")
      .withArgs(w.agent.address, w.assetId, u, credit);
    expect(await w.custody.reserveCredit(w.assetId, u)).to.equal(0n);
    await expect(w.custody.connect(w.outsider).returnToReserve(w.assetId, u)).to.be.revertedWithCustomError(
      w.escrow,
      "NothingToClaim",
    );
    const before = await w.usdc.balanceOf(w.agent.address);
    await w.custody.connect(w.agent).claim(w.assetId, u, w.agent.address);
    expect((await w.usdc.balanceOf(w.agent.address)) - before).to.equal(credit);
    // Maintenance owes nothing; the vault holds exactly the distributor's money: the deposit less the budget the
    // order took from the reserve, and the buyout proceeds.
    await maintenanceOwesNothing(w, u, [w.agent, w.provider]);
    expect(await distributorOwes(w, u)).to.equal(USDC(100_000) - BUDGET + USDC(1_000));
    expect(await w.usdc.balanceOf(await w.custody.vaultOf(w.assetId))).to.equal(USDC(100_000) - BUDGET + USDC(1_000));
  });

  // FIXED FINDING (stuck funds, the escrow's income deposit / flushIncome), found by this suite:
  // the asset's lease used to end at the agreement's `end`, while the rent is only deposited to the
  // IncomeDistributor on collect/settle. Between `end` and settlement the agent could sell the asset
  // (depositBuyout only checks the lease), which retired it; the distributor then refused every deposit
  // (AssetIsRetired) and the rent stayed in the escrow's pendingIncome forever. Fix: the rental escrow
  // now leases the subject until settlement releases it (RentalEscrow._setLease, LEASED_UNTIL_RELEASED),
  // so the buyout is refused until the finished agreement is settled and its rent reached the holders.
  it("rental: rent earned before a buyout always reaches the holders: the buyout waits for settlement (fixed finding)", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    const r = await rentEth(w, w.alice, ethTerms(w.assetId));
    await time.increase(DAY + 1); // the term is over, but its rent is not settled yet
    await expect(w.distributor.connect(w.agent).depositBuyout(w.assetId, u, USDC(1_000)))
      .to.be.revertedWithCustomError(w.assets, "AssetLeased")
      .withArgs(w.assetId, await w.rental.LEASED_UNTIL_RELEASED());
    // Anyone (here the agent) settles: the rent goes to the distributor and the lease is released.
    await w.rental.connect(w.agent).settle(r.agreementId);
    expect(await w.rentalCustody.pendingIncome(w.assetId, ETH)).to.equal(0n);
    expect(await w.assets.leasedUntil(w.assetId)).to.equal(0n);
    await w.distributor.connect(w.agent).depositBuyout(w.assetId, u, USDC(1_000));
    await time.increase(DAY + 1);
    await w.rentalClaims.connect(w.outsider).finalize(r.agreementId);
    for (const s of [w.alice, w.feeRecipient]) await w.rentalCustody.connect(s).withdraw(w.assetId, ETH);
    expect(await ethers.provider.getBalance(await w.rental.getAddress())).to.equal(0n);
    // The holders' rent (net of the rental fee) is all the asset's vault still holds in ETH.
    const owed = await distributorOwes(w, ETH);
    expect(owed).to.equal(r.prepay - (r.prepay * 250n) / 10_000n);
    expect(await ethers.provider.getBalance(await w.rentalCustody.vaultOf(w.assetId))).to.equal(owed);
  });
});
