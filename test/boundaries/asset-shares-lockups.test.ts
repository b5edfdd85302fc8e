/**
 * Issue 12, class "comparisons at lock-ups, freezes and caps never tested on both sides": every
 * time/amount comparison of contracts/assets/*.sol, each run at limit-1 / limit / limit+1 (or the
 * sides that differ) from the same state (a snapshot restored between the sides), with the balances,
 * frozen amounts and locks after each side asserted exactly. An off-by-one (`<` for `<=`, `>` for
 * `>=`) fails here. Runs on the assets fixture (test/assets/fixture.ts).
 *
 * Pinned on both sides elsewhere, so not repeated here:
 * - AssetShares `n >= MAX_RULES` (8 accepted, 9th refused): test/attacks/bounds.test.ts.
 * - IdentityRegistry `n > MAX_BATCH` (256 accepted, 257 refused): test/attacks/bounds.test.ts.
 * - ShareFactory `decimals_ > MAX_DECIMALS` (19 refused in test/assets/factory.test.ts, 18 accepted by
 *   every fixture), `code.length < 2` (test/assets/factory.test.ts: empty code and a non-0xFE first
 *   byte refused, the real blueprint accepted).
 * - IncomeDistributor `>=`/`>` caps: test/boundaries/income-caps.test.ts; `MAX_PAYOUT_TOKENS`
 *   (4th accepted, 5th refused): test/attacks/bounds.test.ts; `toHolders >= MAGNITUDE`,
 *   `redeemed > supplyAtRetire`, `redeemedShares < supplyAtRetire`: test/income/IncomeDistributor.test.ts.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { DE, deployFixture, fundedFixture } from "../assets/fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture, takeSnapshot } = networkHelpers;

const E = (n: number | bigint) => ethers.parseEther(String(n));

async function funded() {
  return fundedFixture(ethers);
}
async function bare() {
  return deployFixture(ethers);
}
type F = Awaited<ReturnType<typeof funded>>;

/** Runs the next transaction at `t`. */
async function at(t: number | bigint) {
  await time.setNextBlockTimestamp(t);
}

async function bal(f: F, who: { address: string }) {
  return f.shares.balanceOf(who.address);
}

describe("boundaries: AssetShares lock-ups, freezes and caps, both sides", function () {
  it("balance: a transfer of the whole balance is accepted, balance+1 refused (ERC20InsufficientBalance)", async function () {
    const f = await loadFixture(funded);
    await expect(f.shares.connect(f.bob).transfer(f.alice.address, E(500) + 1n))
      .to.be.revertedWithCustomError(f.shares, "ERC20InsufficientBalance")
      .withArgs(f.bob.address, E(500), E(500) + 1n);
    await f.shares.connect(f.bob).transfer(f.alice.address, E(500));
    expect(await bal(f, f.bob)).to.equal(0n);
    expect(await bal(f, f.alice)).to.equal(E(1500));
  });

  it("global lock-up: LockedUntil at lockup-1, transfer accepted at lockup and at lockup+1", async function () {
    const f = await loadFixture(funded);
    const until = BigInt(await time.latest()) + 1_000n;
    await f.shares.connect(f.agent).setLockup(until);
    const s = await takeSnapshot();
    await at(until - 1n);
    await expect(f.shares.connect(f.alice).transfer(f.bob.address, E(1)))
      .to.be.revertedWithCustomError(f.shares, "LockedUntil")
      .withArgs(until);
    expect(await bal(f, f.alice)).to.equal(E(1000));
    for (const t of [until, until + 1n]) {
      await s.restore();
      await at(t);
      await f.shares.connect(f.alice).transfer(f.bob.address, E(1));
      expect(await bal(f, f.alice)).to.equal(E(999));
      expect(await bal(f, f.bob)).to.equal(E(501));
    }
  });

  it("mint lock: LockedUntil at mint+period-1, transfer accepted at mint+period and +1", async function () {
    const f = await loadFixture(bare);
    const period = 1_000n;
    await f.shares.connect(f.agent).setMintLockPeriod(period);
    const t0 = BigInt(await time.latest()) + 10n;
    await at(t0);
    await expect(f.shares.connect(f.agent).mint(f.alice.address, E(10)))
      .to.emit(f.shares, "InvestorLocked")
      .withArgs(f.alice.address, t0 + period);
    const until = t0 + period;
    expect(await f.shares.lockedUntilOf(f.alice.address)).to.equal(until);
    const s = await takeSnapshot();
    await at(until - 1n);
    await expect(f.shares.connect(f.alice).transfer(f.bob.address, E(1)))
      .to.be.revertedWithCustomError(f.shares, "LockedUntil")
      .withArgs(until);
    for (const t of [until, until + 1n]) {
      await s.restore();
      await at(t);
      await f.shares.connect(f.alice).transfer(f.bob.address, E(1));
      expect(await f.shares.balanceOf(f.alice.address)).to.equal(E(9));
      expect(await f.shares.balanceOf(f.bob.address)).to.equal(E(1));
    }
  });

  it("the later of the global lock-up and the holder's mint lock applies (each side of the other)", async function () {
    const f = await loadFixture(bare);
    await f.shares.connect(f.agent).setMintLockPeriod(1_000n);
    const t0 = BigInt(await time.latest()) + 10n;
    await at(t0);
    await f.shares.connect(f.agent).mint(f.alice.address, E(10));
    const holderLock = t0 + 1_000n;
    for (const global of [holderLock - 1n, holderLock + 1n]) {
      await f.shares.connect(f.agent).setLockup(global);
      const expected = global > holderLock ? global : holderLock;
      await expect(f.shares.connect(f.alice).transfer(f.bob.address, E(1)))
        .to.be.revertedWithCustomError(f.shares, "LockedUntil")
        .withArgs(expected);
    }
    // Global lock-up later than the mint lock: the holder's lock has passed, the global one has not.
    await at(holderLock);
    await expect(f.shares.connect(f.alice).transfer(f.bob.address, E(1)))
      .to.be.revertedWithCustomError(f.shares, "LockedUntil")
      .withArgs(holderLock + 1n);
    await at(holderLock + 1n);
    await f.shares.connect(f.alice).transfer(f.bob.address, E(1));
    expect(await f.shares.balanceOf(f.bob.address)).to.equal(E(1));
  });

  it("a later mint only extends the lock: an end 1 s earlier or equal leaves it (no event), 1 s later extends it", async function () {
    const f = await loadFixture(bare);
    const period = 1_000n;
    await f.shares.connect(f.agent).setMintLockPeriod(period);
    const t0 = BigInt(await time.latest()) + 10n;
    await at(t0);
    await f.shares.connect(f.agent).mint(f.alice.address, E(10));
    const lock = t0 + period;
    const s = await takeSnapshot();
    // The second mint happens at t0 + 10 with period p: its lock ends at t0 + 10 + p.
    for (const delta of [-1n, 0n, 1n]) {
      await s.restore();
      const p = period - 10n + delta;
      await f.shares.connect(f.agent).setMintLockPeriod(p);
      await at(t0 + 10n);
      const tx = f.shares.connect(f.agent).mint(f.alice.address, E(1));
      if (delta > 0n) {
        await expect(tx)
          .to.emit(f.shares, "InvestorLocked")
          .withArgs(f.alice.address, lock + delta);
      } else {
        await expect(tx).not.to.emit(f.shares, "InvestorLocked");
      }
      expect(await f.shares.lockedUntilOf(f.alice.address)).to.equal(delta > 0n ? lock + delta : lock);
      expect(await f.shares.balanceOf(f.alice.address)).to.equal(E(11));
    }
  });

  it("setMintLockPeriod: MAX_MINT_LOCK-1 and MAX_MINT_LOCK accepted, +1 refused", async function () {
    const f = await loadFixture(bare);
    const max = await f.shares.MAX_MINT_LOCK();
    expect(max).to.equal(3650n * 86_400n);
    for (const p of [max - 1n, max]) {
      await f.shares.connect(f.agent).setMintLockPeriod(p);
      expect((await f.shares.config()).mintLockPeriod).to.equal(p);
    }
    await expect(f.shares.connect(f.agent).setMintLockPeriod(max + 1n))
      .to.be.revertedWithCustomError(f.shares, "MintLockTooLong")
      .withArgs(max + 1n, max);
    expect((await f.shares.config()).mintLockPeriod).to.equal(max);
  });

  it("frozen amount: the free balance exactly (and free-1) moves, free+1 refused (ERC7943InsufficientUnfrozenBalance)", async function () {
    const f = await loadFixture(funded);
    await f.shares.connect(f.agent).freezePartial(f.alice.address, E(300));
    const free = E(700);
    const s = await takeSnapshot();
    await expect(f.shares.connect(f.alice).transfer(f.bob.address, free + 1n))
      .to.be.revertedWithCustomError(f.shares, "ERC7943InsufficientUnfrozenBalance")
      .withArgs(f.alice.address, free + 1n, free);
    for (const amount of [free - 1n, free]) {
      await s.restore();
      await f.shares.connect(f.alice).transfer(f.bob.address, amount);
      expect(await bal(f, f.alice)).to.equal(E(1000) - amount);
      expect(await bal(f, f.bob)).to.equal(E(500) + amount);
      expect(await f.shares.getFrozenTokens(f.alice.address)).to.equal(E(300));
    }
    // With the free balance gone, one more unit is refused.
    await expect(f.shares.connect(f.alice).transfer(f.bob.address, 1n))
      .to.be.revertedWithCustomError(f.shares, "ERC7943InsufficientUnfrozenBalance")
      .withArgs(f.alice.address, 1n, 0n);
  });

  it("freezePartial: freezing up to the balance (balance-1, balance) accepted, balance+1 refused", async function () {
    const f = await loadFixture(funded);
    const s = await takeSnapshot();
    for (const amount of [E(1000) - 1n, E(1000)]) {
      await s.restore();
      await expect(f.shares.connect(f.agent).freezePartial(f.alice.address, amount))
        .to.emit(f.shares, "TokensFrozen")
        .withArgs(f.alice.address, amount);
      expect(await f.shares.getFrozenTokens(f.alice.address)).to.equal(amount);
    }
    await s.restore();
    await expect(f.shares.connect(f.agent).freezePartial(f.alice.address, E(1000) + 1n))
      .to.be.revertedWithCustomError(f.shares, "FreezeExceedsBalance")
      .withArgs(f.alice.address, E(1000), E(1000) + 1n);
    // The total counts: with 400 frozen, 600 more fits, 600+1 does not.
    await f.shares.connect(f.agent).freezePartial(f.alice.address, E(400));
    await expect(f.shares.connect(f.agent).freezePartial(f.alice.address, E(600) + 1n))
      .to.be.revertedWithCustomError(f.shares, "FreezeExceedsBalance")
      .withArgs(f.alice.address, E(1000), E(1000) + 1n);
    expect(await f.shares.getFrozenTokens(f.alice.address)).to.equal(E(400));
  });

  it("unfreezePartial: frozen-1 and frozen accepted, frozen+1 refused", async function () {
    const f = await loadFixture(funded);
    await f.shares.connect(f.agent).freezePartial(f.alice.address, E(300));
    const s = await takeSnapshot();
    await expect(f.shares.connect(f.agent).unfreezePartial(f.alice.address, E(300) + 1n))
      .to.be.revertedWithCustomError(f.shares, "UnfreezeExceedsFrozen")
      .withArgs(f.alice.address, E(300), E(300) + 1n);
    for (const amount of [E(300) - 1n, E(300)]) {
      await s.restore();
      await expect(f.shares.connect(f.agent).unfreezePartial(f.alice.address, amount))
        .to.emit(f.shares, "TokensUnfrozen")
        .withArgs(f.alice.address, amount);
      expect(await f.shares.getFrozenTokens(f.alice.address)).to.equal(E(300) - amount);
    }
  });

  it("forcedTransfer releases only what exceeds the free balance: free (none), free+1 (1), balance (all), balance+1 (refused, nothing released)", async function () {
    const f = await loadFixture(funded);
    await f.shares.connect(f.agent).freezePartial(f.alice.address, E(300));
    const free = E(700);
    const s = await takeSnapshot();
    const cases: [bigint, bigint][] = [
      [free - 1n, 0n],
      [free, 0n],
      [free + 1n, 1n],
      [E(1000) - 1n, E(300) - 1n],
      [E(1000), E(300)],
    ];
    for (const [amount, released] of cases) {
      await s.restore();
      const tx = f.shares.connect(f.agent).forcedTransfer(f.alice.address, f.bob.address, amount);
      if (released === 0n) await expect(tx).not.to.emit(f.shares, "TokensUnfrozen");
      else await expect(tx).to.emit(f.shares, "TokensUnfrozen").withArgs(f.alice.address, released);
      expect(await f.shares.getFrozenTokens(f.alice.address)).to.equal(E(300) - released);
      expect(await bal(f, f.alice)).to.equal(E(1000) - amount);
      expect(await bal(f, f.bob)).to.equal(E(500) + amount);
    }
    await s.restore();
    await expect(f.shares.connect(f.agent).forcedTransfer(f.alice.address, f.bob.address, E(1000) + 1n))
      .to.be.revertedWithCustomError(f.shares, "ERC20InsufficientBalance")
      .withArgs(f.alice.address, E(1000), E(1000) + 1n);
    expect(await f.shares.getFrozenTokens(f.alice.address)).to.equal(E(300));
    // burn goes through the same release.
    await expect(f.shares.connect(f.agent).burn(f.alice.address, free + 1n))
      .to.emit(f.shares, "TokensUnfrozen")
      .withArgs(f.alice.address, 1n);
    expect(await f.shares.getFrozenTokens(f.alice.address)).to.equal(E(300) - 1n);
  });

  it("forcedTransfer ignores a lock-up (sender-side) at lockup-1", async function () {
    const f = await loadFixture(funded);
    const until = BigInt(await time.latest()) + 1_000n;
    await f.shares.connect(f.agent).setLockup(until);
    await at(until - 1n);
    await expect(f.shares.connect(f.agent).forcedTransfer(f.alice.address, f.bob.address, E(1)))
      .to.emit(f.shares, "ForcedTransfer")
      .withArgs(f.alice.address, f.bob.address, E(1));
    expect(await bal(f, f.bob)).to.equal(E(501));
  });

  it("recover carries the lost wallet's lock only when it ends later: replacement's end -1 / = / +1", async function () {
    const f = await loadFixture(bare);
    const period = 1_000n;
    await f.shares.connect(f.agent).setMintLockPeriod(period);
    const t0 = BigInt(await time.latest()) + 10n;
    await at(t0);
    await f.shares.connect(f.agent).mint(f.alice.address, E(10));
    const lost = t0 + period;
    const s = await takeSnapshot();
    // carol's own lock (minted at t0 + 10) ends at lost + delta.
    for (const delta of [-1n, 0n, 1n]) {
      await s.restore();
      await f.shares.connect(f.agent).setMintLockPeriod(period - 10n + delta);
      await at(t0 + 10n);
      await f.shares.connect(f.agent).mint(f.carol.address, E(1));
      expect(await f.shares.lockedUntilOf(f.carol.address)).to.equal(lost + delta);
      const tx = f.shares.connect(f.agent).recover(f.alice.address, f.carol.address);
      if (delta < 0n) {
        await expect(tx).to.emit(f.shares, "InvestorLocked").withArgs(f.carol.address, lost);
      } else {
        await expect(tx).not.to.emit(f.shares, "InvestorLocked");
      }
      expect(await f.shares.lockedUntilOf(f.carol.address)).to.equal(delta < 0n ? lost : lost + delta);
      expect(await f.shares.lockedUntilOf(f.alice.address)).to.equal(0n);
      expect(await f.shares.balanceOf(f.carol.address)).to.equal(E(11));
      expect(await f.shares.balanceOf(f.alice.address)).to.equal(0n);
    }
  });

  it("investor cap: a recipient may reach cap-1 and exactly the cap, cap+1 refused", async function () {
    const f = await loadFixture(funded);
    const cap = E(600);
    await f.shares.connect(f.agent).setInvestorCap(cap);
    const s = await takeSnapshot();
    await expect(f.shares.connect(f.alice).transfer(f.bob.address, E(100) + 1n))
      .to.be.revertedWithCustomError(f.shares, "InvestorCapExceeded")
      .withArgs(f.bob.address, cap + 1n, cap);
    for (const amount of [E(100) - 1n, E(100)]) {
      await s.restore();
      await f.shares.connect(f.alice).transfer(f.bob.address, amount);
      expect(await bal(f, f.bob)).to.equal(E(500) + amount);
    }
    // The cap binds mints too.
    await expect(f.shares.connect(f.agent).mint(f.bob.address, 1n))
      .to.be.revertedWithCustomError(f.shares, "InvestorCapExceeded")
      .withArgs(f.bob.address, cap + 1n, cap);
  });

  it("max holders: a new holder joins when holders = max-1, refused when holders = max (and max-1 below)", async function () {
    const f = await loadFixture(funded);
    expect(await f.shares.holderCount()).to.equal(2n);
    const s = await takeSnapshot();
    await f.shares.connect(f.agent).setMaxHolders(3);
    await f.shares.connect(f.alice).transfer(f.carol.address, E(1));
    expect(await f.shares.holderCount()).to.equal(3n);
    expect(await bal(f, f.carol)).to.equal(E(1));
    for (const max of [2, 1]) {
      await s.restore();
      await f.shares.connect(f.agent).setMaxHolders(max);
      await expect(f.shares.connect(f.alice).transfer(f.carol.address, E(1)))
        .to.be.revertedWithCustomError(f.shares, "MaxHoldersReached")
        .withArgs(max);
      expect(await f.shares.holderCount()).to.equal(2n);
    }
    // At the maximum, a holder leaving (whole balance) to a newcomer does not add one: accepted.
    await s.restore();
    await f.shares.connect(f.agent).setMaxHolders(2);
    await f.shares.connect(f.bob).transfer(f.carol.address, E(500));
    expect(await f.shares.holderCount()).to.equal(2n);
    expect(await bal(f, f.carol)).to.equal(E(500));
  });

  it("identity expiry: eligible (sender and recipient) at expiry-1, refused at expiry and expiry+1", async function () {
    const f = await loadFixture(funded);
    const expiry = BigInt(await time.latest()) + 1_000n;
    await f.identity.connect(f.kyc).setIdentity(f.bob.address, DE, expiry);
    const s = await takeSnapshot();
    // expiry - 1: bob may receive and send.
    await at(expiry - 1n);
    await f.shares.connect(f.alice).transfer(f.bob.address, E(1));
    expect(await f.identity.isEligible(f.bob.address)).to.equal(true); // read at the block of expiry - 1
    expect(await bal(f, f.bob)).to.equal(E(501));
    await s.restore();
    await at(expiry - 1n);
    await f.shares.connect(f.bob).transfer(f.alice.address, E(1));
    expect(await bal(f, f.bob)).to.equal(E(499));
    for (const t of [expiry, expiry + 1n]) {
      await s.restore();
      await at(t);
      await expect(f.shares.connect(f.alice).transfer(f.bob.address, E(1)))
        .to.be.revertedWithCustomError(f.shares, "RecipientNotEligible")
        .withArgs(f.bob.address);
      await expect(f.shares.connect(f.bob).transfer(f.alice.address, E(1)))
        .to.be.revertedWithCustomError(f.shares, "SenderNotEligible")
        .withArgs(f.bob.address);
      expect(await bal(f, f.bob)).to.equal(E(500));
      await time.increaseTo(t); // mine a block at t to read the view there
      expect(await f.identity.isEligible(f.bob.address)).to.equal(false);
    }
  });
});

describe("boundaries: AssetRegistry and IdentityRegistry comparisons, both sides", function () {
  it("setIdentity: expiry = now refused (ExpiryNotInFuture), now+1 accepted; country MAX_COUNTRY accepted, +1 refused", async function () {
    const f = await loadFixture(bare);
    const w = ethers.Wallet.createRandom().address;
    const t = BigInt(await time.latest()) + 10n;
    await at(t);
    await expect(f.identity.connect(f.kyc).setIdentity(w, DE, t))
      .to.be.revertedWithCustomError(f.identity, "ExpiryNotInFuture")
      .withArgs(0, t);
    await at(t + 1n);
    await expect(f.identity.connect(f.kyc).setIdentity(w, DE, t + 2n))
      .to.emit(f.identity, "IdentitySet")
      .withArgs(w, DE, t + 2n);
    const max = await f.identity.MAX_COUNTRY();
    expect(max).to.equal(999n);
    await expect(f.identity.connect(f.kyc).setIdentity(w, max + 1n, t + 1_000n))
      .to.be.revertedWithCustomError(f.identity, "InvalidCountry")
      .withArgs(0, max + 1n);
    for (const c of [max - 1n, max]) {
      await f.identity.connect(f.kyc).setIdentity(w, c, t + 1_000n);
      expect((await f.identity.identityOf(w))[0]).to.equal(c);
    }
  });

  it("setLease: an end at now refused (LeaseEndInPast), now+1 accepted; leasedUntil reads the end at end-1 and 0 at end", async function () {
    const f = await loadFixture(bare);
    const t = BigInt(await time.latest()) + 10n;
    await at(t);
    await expect(f.registry.connect(f.leaseManager).setLease(f.assetId, t))
      .to.be.revertedWithCustomError(f.registry, "LeaseEndInPast")
      .withArgs(t);
    const end = t + 2n;
    await at(t + 1n);
    await expect(f.registry.connect(f.leaseManager).setLease(f.assetId, end))
      .to.emit(f.registry, "LeaseSet")
      .withArgs(f.assetId, end);
    // t + 1 = end - 1: still leased.
    expect(await f.registry.leasedUntil(f.assetId)).to.equal(end);
    await time.increaseTo(end);
    expect(await f.registry.leasedUntil(f.assetId)).to.equal(0n);
  });

  it("setValuation: date = now accepted, now+1 refused; a date equal to the current one accepted, one earlier refused", async function () {
    const f = await loadFixture(bare);
    const r = f.registry.connect(f.agent);
    const EUR = "0x455552";
    const t = BigInt(await time.latest()) + 10n;
    await at(t);
    await expect(r.setValuation(f.assetId, 1n, EUR, f.outsider.address, t + 1n))
      .to.be.revertedWithCustomError(f.registry, "InvalidValuationDate")
      .withArgs(t + 1n);
    await at(t + 1n);
    await expect(r.setValuation(f.assetId, 100n, EUR, f.outsider.address, t + 1n))
      .to.emit(f.registry, "ValuationUpdated")
      .withArgs(f.assetId, 100n, EUR, f.outsider.address, t + 1n);
    await expect(r.setValuation(f.assetId, 200n, EUR, f.outsider.address, t))
      .to.be.revertedWithCustomError(f.registry, "InvalidValuationDate")
      .withArgs(t);
    await r.setValuation(f.assetId, 300n, EUR, f.outsider.address, t + 1n);
    expect((await f.registry.assetOf(f.assetId)).valuation.amount).to.equal(300n);
  });

  it("documents: index count-1 readable and supersedable, index count refused (UnknownDocument)", async function () {
    const f = await loadFixture(bare);
    const r = f.registry.connect(f.agent);
    await r.addDocument(f.assetId, ethers.id("a"), "a");
    await r.addDocument(f.assetId, ethers.id("b"), "b");
    const n = await f.registry.documentCount(f.assetId);
    expect(n).to.equal(2n);
    expect((await f.registry.documentAt(f.assetId, n - 1n)).hash).to.equal(ethers.id("b"));
    await expect(f.registry.documentAt(f.assetId, n))
      .to.be.revertedWithCustomError(f.registry, "UnknownDocument")
      .withArgs(f.assetId, n);
    await expect(r.supersedeDocument(f.assetId, n, ethers.id("c"), "c"))
      .to.be.revertedWithCustomError(f.registry, "UnknownDocument")
      .withArgs(f.assetId, n);
    await expect(r.supersedeDocument(f.assetId, n - 1n, ethers.id("c"), "c"))
      .to.emit(f.registry, "DocumentAdded")
      .withArgs(f.assetId, n, ethers.id("c"), n, "c");
    expect(await f.registry.supersededBy(f.assetId, n - 1n)).to.deep.equal([true, n]);
  });
});
