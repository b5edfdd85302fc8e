/**
 * SWC-101 Integer overflow and underflow / rounding direction (audit finding class "rounding in favour
 * of the caller", "precision loss extracts dust"): many tiny deposits, claims, transfers and
 * redemptions never pay anyone more than their exact pro-rata entitlement, the contract stays solvent,
 * and milestone splits pay exactly the price (no wei created or lost).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { id } from "ethers";
import { Comparator, buildInspection, signInspection } from "../../client/src/eip712/maintenance.js";
import { carriedSplit } from "../income/fixture.js";
import { policy } from "../maintenance/fixture.js";
import { DAY, DE, USDC, YEAR, createOrder, deployWorld, type World } from "./world.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function world() {
  return deployWorld(ethers);
}

/** The holders' part of a deposit, rounded as the contract does (reserve and fee rounded down). */
function holdersPart(amount: bigint) {
  return amount - (amount * 1_000n) / 10_000n - (amount * 100n) / 10_000n;
}

async function claimAll(w: World, who: World["alice"], token: string) {
  const due = await w.distributor.claimableOf(w.assetId, token, who.address);
  if (due !== 0n) await w.distributor.connect(who).claim(w.assetId, token, who.address);
  return due;
}

describe("Attack class SWC-101 rounding never favours the caller", function () {
  it("1-unit deposits claimed after each one never pay a holder more than its exact share, and the distributor stays solvent", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    const vault = await w.distributor.vaultOf(w.assetId); // the asset's income custody
    let exactHolders = 0n;
    let alice = 0n;
    for (let i = 1n; i <= 40n; i++) {
      await w.distributor.connect(w.outsider).deposit(w.assetId, u, i); // 1 .. 40 micro-USDC
      exactHolders += holdersPart(i);
      alice += await claimAll(w, w.alice, u); // alice claims every time (dust each time)
    }
    const bob = await claimAll(w, w.bob, u); // bob claims once
    // Each is paid at most its exact share (600 / 1000 and 400 / 1000 of what reached the holders).
    expect(alice * 1_000n).to.be.lte(exactHolders * 600n);
    expect(bob * 1_000n).to.be.lte(exactHolders * 400n);
    // Everything paid or set aside never exceeds what was deposited (1 + 2 + ... + 40 units).
    const setAside = (await w.distributor.reserveOf(w.assetId, u)) + (await w.distributor.feesOf(w.assetId, u));
    expect(alice + bob + setAside).to.be.lte(820n);
    expect(await w.usdc.balanceOf(vault)).to.be.gte(await w.distributor.reserveOf(w.assetId, u));
    expect(await w.usdc.balanceOf(await w.distributor.getAddress())).to.equal(0n);
  });

  it("splitting a deposit cannot shave the reserve or the fee: 40 deposits of 7 units set aside what one of 280 does", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    // Alone, each deposit's reserve (0.7 unit) and fee (0.07) would round down to nothing: the holders would get
    // all 280 units, whoever chose the cadence (a rental's rent arrives at every collect, which anyone may call).
    for (let i = 0; i < 40; i++) await w.distributor.connect(w.outsider).deposit(w.assetId, u, 7n);
    expect(await w.distributor.reserveOf(w.assetId, u)).to.equal(28n); // 10 % of 280
    expect(await w.distributor.feesOf(w.assetId, u)).to.equal(2n); // 1 % of 280 is 2.8: 2 taken, 0.8 carried
    const [reserveCarried, feeCarried] = await w.distributor.carriedOf(w.assetId, u);
    expect([reserveCarried, feeCarried]).to.deep.equal([0n, 8_000n]); // in 1/10,000 of a unit
    const [, distributed] = await w.distributor.incomeAccountingOf(w.assetId, u);
    expect(distributed).to.equal(280n - 28n - 2n);
    // The carried 0.8 unit is taken by the next deposit's split: 1 % of 20 units (0.2) completes it.
    await w.distributor.connect(w.outsider).deposit(w.assetId, u, 20n);
    expect(await w.distributor.feesOf(w.assetId, u)).to.equal(3n); // 1 % of 300
    expect(await w.distributor.reserveOf(w.assetId, u)).to.equal(30n); // 10 % of 300
  });

  it("a deposit too small for both its reserve and its fee defers the fee to the next: nothing lost, never more than arrived", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    const expected = carriedSplit();
    // 1-unit deposits at 10 % reserve and 1 % fee: the 100th completes a unit of each, but holds only one unit.
    for (let i = 1; i <= 101; i++) {
      const split = expected.next(1n, 1_000n, 100n);
      const tx = w.distributor.connect(w.outsider).deposit(w.assetId, u, 1n);
      if (i === 100) {
        expect(split).to.deep.equal({ reserve: 1n, fee: 0n, toHolders: 0n }); // the reserve takes the unit
        await expect(tx)
          .to.emit(w.distributor, "IncomeDeposited")
          .withArgs(w.assetId, u, w.outsider.address, 1n, 1n, 1n, 0n, 0n);
        expect((await w.distributor.carriedOf(w.assetId, u))[1]).to.equal(10_000n); // one whole unit of fee waits
      } else await tx;
    }
    // The 101st deposit takes the deferred fee: over 101 units, 10 of reserve and 1 of fee, as one deposit.
    expect(await w.distributor.reserveOf(w.assetId, u)).to.equal(10n);
    expect(await w.distributor.feesOf(w.assetId, u)).to.equal(1n);
    expect(await w.distributor.carriedOf(w.assetId, u)).to.deep.equal([expected.carried.reserve, expected.carried.fee]);
    const [, distributed] = await w.distributor.incomeAccountingOf(w.assetId, u);
    expect(distributed).to.equal(101n - 10n - 1n);
  });

  it("shuffling one share back and forth between deposits does not create income", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    let exactAlice = 0n; // sum over deposits of holdersPart * aliceBalance / 1000, as a rational x1000
    let exactBob = 0n;
    for (let i = 0; i < 20; i++) {
      const amount = 997n + BigInt(i); // odd amounts: per-share rounding on every deposit
      const a = await w.shares.balanceOf(w.alice.address);
      await w.distributor.connect(w.outsider).deposit(w.assetId, u, amount);
      exactAlice += holdersPart(amount) * a;
      exactBob += holdersPart(amount) * (1_000n - a);
      if (i % 2 === 0) await w.shares.connect(w.alice).transfer(w.bob.address, 1);
      else await w.shares.connect(w.bob).transfer(w.alice.address, 1);
    }
    const alice = await claimAll(w, w.alice, u);
    const bob = await claimAll(w, w.bob, u);
    expect(alice * 1_000n).to.be.lte(exactAlice);
    expect(bob * 1_000n).to.be.lte(exactBob);
  });

  it("dust redemptions after a buyout: each holder gets at most floor(proceeds x shares / supply), the sum never exceeds the proceeds", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    const expiry = BigInt((await time.latest()) + YEAR);
    await w.identity.connect(w.kyc).setIdentity(w.carol.address, DE, expiry);
    // 333 / 333 / 334: no holder's part is a whole number of units.
    await w.shares.connect(w.alice).transfer(w.carol.address, 267);
    await w.shares.connect(w.bob).transfer(w.carol.address, 67);
    const proceeds = USDC(1) + 1n;
    await w.distributor.connect(w.agent).depositBuyout(w.assetId, u, proceeds);
    let total = 0n;
    for (const s of [w.alice, w.bob, w.carol]) {
      const shares = await w.shares.balanceOf(s.address);
      const before = await w.usdc.balanceOf(s.address);
      await w.distributor.connect(s).redeem(w.assetId, s.address);
      const got = (await w.usdc.balanceOf(s.address)) - before;
      expect(got).to.be.lte((proceeds * shares) / 1_000n);
      total += got;
    }
    expect(total).to.be.lte(proceeds);
    expect(proceeds - total).to.be.lte(3n); // at most one unit of dust per holder, swept by governance
  });

  it("milestone shares of a price that does not divide evenly pay exactly the price, never more", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    const budget = USDC(1_000) + 1n; // 1,000.000001 USDC over 3 milestones of 33.33 / 33.33 / 33.34 %
    const { orderId, args } = await createOrder(w, w.alice, {
      budget,
      deviceId: 0n,
      inspectors: [w.carol.address],
      milestoneBps: [3_333, 3_333, 3_334],
      policy: policy({ useDevice: false, cmp: Comparator.None, k: 1 }),
      salt: id("milestones"),
    });
    await w.escrow.connect(w.provider).accept(orderId);
    const deadline = BigInt((await time.latest()) + DAY);
    let released = 0n;
    for (let m = 0; m < 3; m++) {
      const ins = buildInspection(orderId, m, true, w.carol.address, BigInt((await time.latest()) + 1), deadline);
      await w.evidence.submitInspections(orderId, [ins], [await signInspection(w.carol, w.escrowDomain, ins)]);
      const now = (await w.escrow.getOrder(orderId)).released;
      // Cumulative release never exceeds the exact cumulative share of the price.
      const cumBps = [3_333n, 6_666n, 10_000n][m];
      expect(now * 10_000n).to.be.lte(budget * cumBps);
      released = now;
    }
    expect(released).to.equal(budget);
    expect(await w.custody.claimable(w.provider.address, w.assetId, u)).to.equal(budget + args.bond);
  });
});
