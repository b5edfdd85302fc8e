/**
 * Issue 14 ("Cost"): AssetShares packs each wallet's balance, frozen amount, lock from mint and
 * wallet freeze into one storage word, and its compliance settings into two. Each packed width is a
 * limit, run here at limit-1 / limit / limit+1 from the same state (a snapshot restored between the
 * sides), with the custom error of the refused side asserted exactly:
 * - total supply (and so every balance): MAX_SUPPLY = 2**96 - 1, `SupplyCapExceeded(supply, amount, max)`;
 * - asset-wide lock-up date: 40 bits, `SafeCastOverflowedUintDowncast(40, until)`.
 * The frozen amount (96 bits) and the investor cap (96 bits) are pinned on both sides in
 * test/assets/erc7943.test.ts and test/assets/shares.test.ts.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Op, deployFixture } from "../assets/fixture.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, takeSnapshot } = networkHelpers;

async function bare() {
  return deployFixture(ethers);
}

describe("boundaries: AssetShares packed widths, both sides", function () {
  it("total supply: minting up to MAX_SUPPLY is accepted, one more unit refused (SupplyCapExceeded)", async function () {
    const f = await loadFixture(bare);
    const max = await f.shares.MAX_SUPPLY();
    expect(max).to.equal(2n ** 96n - 1n);
    const s = f.shares.connect(f.agent);
    // limit - 1
    await s.mint(f.alice.address, max - 1n);
    expect(await f.shares.totalSupply()).to.equal(max - 1n);
    const snap = await takeSnapshot();
    // limit: the last unit fits, to another holder (balances are packed beside the frozen amount)
    await s.mint(f.bob.address, 1n);
    expect(await f.shares.totalSupply()).to.equal(max);
    expect(await f.shares.balanceOf(f.alice.address)).to.equal(max - 1n);
    expect(await f.shares.balanceOf(f.bob.address)).to.equal(1n);
    // a whole-supply balance moves and is kept exactly
    await f.shares.connect(f.alice).transfer(f.bob.address, max - 1n);
    expect(await f.shares.balanceOf(f.bob.address)).to.equal(max);
    expect(await f.shares.balanceOf(f.alice.address)).to.equal(0n);
    // limit + 1
    await expect(s.mint(f.carol.address, 1n))
      .to.be.revertedWithCustomError(f.shares, "SupplyCapExceeded")
      .withArgs(max, 1n, max);
    expect(await f.shares.refusalOf(Op.Mint, ethers.ZeroAddress, f.carol.address, 1n)).to.equal(
      f.shares.interface.encodeErrorResult("SupplyCapExceeded", [max, 1n, max]),
    );
    // an amount beyond 2**256 - supply cannot wrap around the check
    await expect(s.mint(f.carol.address, ethers.MaxUint256))
      .to.be.revertedWithCustomError(f.shares, "SupplyCapExceeded")
      .withArgs(max, ethers.MaxUint256, max);
    await snap.restore();
    await expect(s.mint(f.bob.address, 2n))
      .to.be.revertedWithCustomError(f.shares, "SupplyCapExceeded")
      .withArgs(max - 1n, 2n, max);
    // burning makes room again
    await s.burn(f.alice.address, 1n);
    await s.mint(f.bob.address, 2n);
    expect(await f.shares.totalSupply()).to.equal(max);
  });

  it("asset-wide lock-up: 2**40 - 1 is stored, 2**40 refused (SafeCastOverflowedUintDowncast)", async function () {
    const f = await loadFixture(bare);
    const s = f.shares.connect(f.agent);
    await s.setLockup(2n ** 40n - 2n);
    expect((await f.shares.config()).lockupUntil).to.equal(2n ** 40n - 2n);
    await s.setLockup(2n ** 40n - 1n);
    expect((await f.shares.config()).lockupUntil).to.equal(2n ** 40n - 1n);
    await expect(s.setLockup(2n ** 40n))
      .to.be.revertedWithCustomError(f.shares, "SafeCastOverflowedUintDowncast")
      .withArgs(40, 2n ** 40n);
    expect((await f.shares.config()).lockupUntil).to.equal(2n ** 40n - 1n);
  });
});
