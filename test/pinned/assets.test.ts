/**
 * Behaviour the fault-injection pass (scripts/tooling/mutation/run.ts, reports/mutation.md) found unpinned in
 * contracts/assets: a mutant of each line below passed the whole suite. Each test here fails on it.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { fundedFixture } from "../assets/fixture.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;
const funded = () => fundedFixture(ethers);
const E = (n: number | string) => ethers.parseEther(String(n));

describe("Pinned by fault injection: AssetShares recovery", function () {
  it("recovering a frozen wallet unfreezes the lost wallet and freezes the replacement, both announced", async function () {
    const f = await loadFixture(funded);
    await f.shares.connect(f.agent).setWalletFrozen(f.alice.address, true);
    const tx = f.shares.connect(f.agent).recover(f.alice.address, f.carol.address);
    await expect(tx).to.emit(f.shares, "WalletFrozenSet").withArgs(f.alice.address, false);
    await expect(tx).to.emit(f.shares, "WalletFrozenSet").withArgs(f.carol.address, true);
  });

  it("the replacement inherits a lock only when the lost wallet's lock is later: no lock, no InvestorLocked", async function () {
    const f = await loadFixture(funded);
    // Neither wallet is locked (equal locks, both 0): nothing to inherit, nothing announced.
    expect(await f.shares.lockedUntilOf(f.alice.address)).to.equal(0n);
    await expect(f.shares.connect(f.agent).recover(f.alice.address, f.carol.address)).to.not.emit(
      f.shares,
      "InvestorLocked",
    );
    expect(await f.shares.lockedUntilOf(f.carol.address)).to.equal(0n);
  });

  it("a later lock of the lost wallet moves to the replacement (t-1 of the replacement's lock stays)", async function () {
    const f = await loadFixture(funded);
    await f.shares.connect(f.agent).setMintLockPeriod(1_000);
    await f.shares.connect(f.agent).mint(f.alice.address, E(1));
    const lostLock = await f.shares.lockedUntilOf(f.alice.address);
    await time.increase(10);
    await f.shares.connect(f.agent).mint(f.carol.address, E(1));
    const replacementLock = await f.shares.lockedUntilOf(f.carol.address);
    expect(replacementLock).to.be.greaterThan(lostLock);
    // The replacement's own lock is later: it stays, no event.
    await expect(f.shares.connect(f.agent).recover(f.alice.address, f.carol.address)).to.not.emit(
      f.shares,
      "InvestorLocked",
    );
    expect(await f.shares.lockedUntilOf(f.carol.address)).to.equal(replacementLock);
  });
});
