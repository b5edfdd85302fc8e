/**
 * ERC-7943 (uRWA, fungible) on AssetShares: every function, event and error the standard names, and an
 * integrator contract that knows only IERC7943Fungible, its base ERC-20 and ERC165Checker doing everything the
 * standard promises against a real share token.
 */
import { network } from "hardhat";
import { expect } from "chai";
import { deployFixture, fundedFixture, DE, SOLAR, US } from "./fixture.js";
import type { AssetShares, ERC7943Integrator } from "../../types/ethers-contracts/index.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;
const funded = () => fundedFixture(ethers);
const E = (n: number | string) => ethers.parseEther(String(n));

/** The fungible interface's functions, as the standard lists them; their XOR is the interface id. */
const ERC7943_FUNCTIONS = [
  "forcedTransfer(address,address,uint256)",
  "setFrozenTokens(address,uint256)",
  "canSend(address)",
  "canReceive(address)",
  "getFrozenTokens(address)",
  "canTransfer(address,address,uint256)",
];

/** A fresh asset whose agent is the integrator contract (set at registration), with shares and two holders. */
async function integrated() {
  const f = await deployFixture(ethers);
  const integrator = (await ethers.deployContract("ERC7943Integrator")) as unknown as ERC7943Integrator;
  const agent = await integrator.getAddress();
  const salt = ethers.id("integrated");
  await f.registry.connect(f.issuer).registerAsset(salt, SOLAR, "0x4445", agent, "");
  const id = await f.registry.computeAssetId(f.issuer.address, salt);
  // Setup only: the integrator's address acts as the asset's agent to create and mint.
  await networkHelpers.impersonateAccount(agent);
  await networkHelpers.setBalance(agent, E(1));
  const asAgent = await ethers.getSigner(agent);
  await f.factory.connect(asAgent).createShares(id, "Integrated", "INT", 18);
  const token = (await ethers.getContractAt("AssetShares", await f.registry.sharesOf(id))) as unknown as AssetShares;
  await token.connect(asAgent).mint(f.alice.address, E(1000));
  await token.connect(asAgent).mint(f.bob.address, E(500));
  await networkHelpers.stopImpersonatingAccount(agent);
  return { ...f, integrator, token, pool: agent };
}

describe("ERC-7943 (uRWA) on AssetShares", function () {
  it("advertises the fungible interface 0x3edbb4c4 (the XOR of the standard's six selectors) through ERC-165", async function () {
    const f = await loadFixture(funded);
    let id = 0n;
    for (const sig of ERC7943_FUNCTIONS) id ^= BigInt(ethers.id(sig).slice(0, 10));
    expect(ethers.toBeHex(id, 4)).to.equal("0x3edbb4c4");
    expect(await f.shares.supportsInterface("0x3edbb4c4")).to.equal(true);
    expect(await f.shares.supportsInterface("0x01ffc9a7")).to.equal(true);
    expect(await f.shares.supportsInterface("0xffffffff")).to.equal(false);
    expect(await f.shares.supportsInterface("0xbf1ef5fe")).to.equal(false); // the non-fungible one
  });

  it("canSend and canReceive: account rules only (freeze, lock-up, identity, country, zero address)", async function () {
    const f = await loadFixture(funded);
    const s = f.shares;
    const both = async (a: string) => [await s.canSend(a), await s.canReceive(a)];
    expect(await both(f.alice.address)).to.deep.equal([true, true]);
    expect(await both(f.erin.address)).to.deep.equal([false, false]); // no identity
    expect(await both(ethers.ZeroAddress)).to.deep.equal([false, false]);
    await s.connect(f.agent).setWalletFrozen(f.bob.address, true);
    expect(await both(f.bob.address)).to.deep.equal([false, false]);
    await s.connect(f.agent).setCountryBlocked(US, true);
    expect(await both(f.dave.address)).to.deep.equal([true, false]); // may sell, may not receive
    const until = BigInt(await time.latest()) + 1000n;
    await s.connect(f.agent).setLockup(until);
    expect(await both(f.alice.address)).to.deep.equal([false, true]);
    await time.increaseTo(until);
    expect(await both(f.alice.address)).to.deep.equal([true, true]);
    await s.connect(f.agent).setMintLockPeriod(1000);
    await s.connect(f.agent).mint(f.carol.address, 1n);
    expect(await both(f.carol.address)).to.deep.equal([false, true]); // locked from mint
    await s.connect(f.agent).setEligibilityRequired(false);
    expect(await both(f.erin.address)).to.deep.equal([true, true]);
    await s.connect(f.agent).setCountryBlocked(0, true); // country 0: wallets without identity
    expect(await both(f.erin.address)).to.deep.equal([true, false]);
    // Pause is token-wide: not an account rule, but canTransfer answers it.
    await s.connect(f.agent).pause();
    expect(await both(f.alice.address)).to.deep.equal([true, true]);
    expect(await s.canTransfer(f.alice.address, f.carol.address, 1n)).to.equal(false);
  });

  it("canTransfer: every permissioned rule, the frozen part within the balance, but not a balance shortfall", async function () {
    const f = await loadFixture(funded);
    const s = f.shares;
    expect(await s.canTransfer(f.alice.address, f.bob.address, E(1000))).to.equal(true);
    expect(await s.canTransfer(f.alice.address, f.bob.address, E(5000))).to.equal(true); // ERC-20's concern
    expect(await s.canTransfer(f.alice.address, f.erin.address, 1n)).to.equal(false);
    expect(await s.canTransfer(f.erin.address, f.alice.address, 0n)).to.equal(false);
    await s.connect(f.agent).setFrozenTokens(f.alice.address, E(600));
    expect(await s.canTransfer(f.alice.address, f.bob.address, E(400))).to.equal(true);
    expect(await s.canTransfer(f.alice.address, f.bob.address, E(401))).to.equal(false);
    await expect(s.connect(f.alice).transfer(f.bob.address, E(401)))
      .to.be.revertedWithCustomError(s, "ERC7943InsufficientUnfrozenBalance")
      .withArgs(f.alice.address, E(401), E(400));
    // More than the balance: the ERC-20 error, not the freeze's.
    await expect(s.connect(f.alice).transfer(f.bob.address, E(1001)))
      .to.be.revertedWithCustomError(s, "ERC20InsufficientBalance")
      .withArgs(f.alice.address, E(1000), E(1001));
  });

  it("setFrozenTokens: an absolute amount, above the balance too, with ERC-7943 and ERC-3643 events; only the agent", async function () {
    const f = await loadFixture(funded);
    const s = f.shares;
    expect(await s.connect(f.agent).setFrozenTokens.staticCall(f.bob.address, E(800))).to.equal(true);
    await expect(s.connect(f.agent).setFrozenTokens(f.bob.address, E(800)))
      .to.emit(s, "Frozen")
      .withArgs(f.bob.address, E(800))
      .and.to.emit(s, "TokensFrozen")
      .withArgs(f.bob.address, E(800));
    expect(await s.getFrozenTokens(f.bob.address)).to.equal(E(800)); // > balance (500)
    expect(await s.canTransfer(f.bob.address, f.alice.address, 1n)).to.equal(false);
    await expect(s.connect(f.bob).transfer(f.alice.address, 1n))
      .to.be.revertedWithCustomError(s, "ERC7943InsufficientUnfrozenBalance")
      .withArgs(f.bob.address, 1n, 0n);
    // Future receipts are held back up to the frozen amount.
    await s.connect(f.alice).transfer(f.bob.address, E(400));
    await expect(s.connect(f.bob).transfer(f.alice.address, E(101)))
      .to.be.revertedWithCustomError(s, "ERC7943InsufficientUnfrozenBalance")
      .withArgs(f.bob.address, E(101), E(100));
    await s.connect(f.bob).transfer(f.alice.address, E(100));
    await expect(s.connect(f.agent).setFrozenTokens(f.bob.address, E(300)))
      .to.emit(s, "Frozen")
      .withArgs(f.bob.address, E(300))
      .and.to.emit(s, "TokensUnfrozen")
      .withArgs(f.bob.address, E(500));
    // Same value again: Frozen only.
    const tx = s.connect(f.agent).setFrozenTokens(f.bob.address, E(300));
    await expect(tx).to.emit(s, "Frozen").withArgs(f.bob.address, E(300));
    await expect(tx).to.not.emit(s, "TokensFrozen");
    await expect(tx).to.not.emit(s, "TokensUnfrozen");
    await expect(s.connect(f.bob).setFrozenTokens(f.bob.address, 0n))
      .to.be.revertedWithCustomError(s, "NotAgent")
      .withArgs(f.assetId, f.bob.address);
    // The frozen amount is packed in 96 bits beside the balance (one word per wallet): 2**96 - 1 is the largest.
    await s.connect(f.agent).setFrozenTokens(f.bob.address, 2n ** 96n - 1n);
    expect(await s.getFrozenTokens(f.bob.address)).to.equal(2n ** 96n - 1n);
    await expect(s.connect(f.agent).setFrozenTokens(f.bob.address, 2n ** 96n))
      .to.be.revertedWithCustomError(s, "SafeCastOverflowedUintDowncast")
      .withArgs(96, 2n ** 96n);
  });

  it("forcedTransfer returns true and unfreezes what it takes before the Transfer event", async function () {
    const f = await loadFixture(funded);
    const s = f.shares;
    await s.connect(f.agent).setFrozenTokens(f.bob.address, E(700)); // above bob's 500
    expect(await s.connect(f.agent).forcedTransfer.staticCall(f.bob.address, f.carol.address, E(200))).to.equal(true);
    const tx = await s.connect(f.agent).forcedTransfer(f.bob.address, f.carol.address, E(200));
    await expect(tx)
      .to.emit(s, "Frozen")
      .withArgs(f.bob.address, E(500))
      .and.to.emit(s, "ForcedTransfer")
      .withArgs(f.bob.address, f.carol.address, E(200));
    const names = (await tx.wait())!.logs
      .map((l) => s.interface.parseLog(l)?.name)
      .filter((n) => n === "Frozen" || n === "Transfer" || n === "ForcedTransfer");
    expect(names).to.deep.equal(["Frozen", "Transfer", "ForcedTransfer"]);
    expect(await s.getFrozenTokens(f.bob.address)).to.equal(E(500));
    // The recipient side still applies (canReceive).
    await expect(s.connect(f.agent).forcedTransfer(f.bob.address, f.erin.address, 1n))
      .to.be.revertedWithCustomError(s, "RecipientNotEligible")
      .withArgs(f.erin.address);
  });

  it("recovery and redemption report the frozen amounts they move or clear with Frozen", async function () {
    const f = await loadFixture(funded);
    const s = f.shares;
    await s.connect(f.agent).setFrozenTokens(f.bob.address, E(100));
    await expect(s.connect(f.agent).recover(f.bob.address, f.carol.address))
      .to.emit(s, "Frozen")
      .withArgs(f.bob.address, 0n)
      .and.to.emit(s, "Frozen")
      .withArgs(f.carol.address, E(100));
    await f.registry.connect(f.buyout).retire(f.assetId);
    await expect(f.hooks.redeem(await s.getAddress(), f.carol.address))
      .to.emit(s, "Frozen")
      .withArgs(f.carol.address, 0n);
  });

  describe("an integrator that knows only IERC7943Fungible, ERC-20 and ERC165Checker", function () {
    it("finds the token through ERC-165, and nothing else", async function () {
      const f = await loadFixture(integrated);
      expect(await f.integrator.isERC7943(await f.token.getAddress())).to.equal(true);
      expect(await f.integrator.isERC7943(await f.registry.getAddress())).to.equal(false);
      expect(await f.integrator.isERC7943(f.alice.address)).to.equal(false);
      await expect(f.integrator.freeze(await f.registry.getAddress(), f.alice.address, 1n))
        .to.be.revertedWithCustomError(f.integrator, "NotERC7943")
        .withArgs(await f.registry.getAddress());
    });

    it("preflights, deposits only what the rules allow (refusing with the standard's errors), freezes and seizes", async function () {
      const f = await loadFixture(integrated);
      const token = await f.token.getAddress();
      await f.token.connect(f.alice).approve(f.pool, E(1000));
      // The pool has no identity yet: it cannot receive.
      expect(await f.integrator.preflight(token, f.alice.address, f.pool, E(10))).to.deep.equal([
        true,
        false,
        false,
        0n,
        E(1000),
      ]);
      await expect(f.integrator.connect(f.alice).deposit(token, E(10)))
        .to.be.revertedWithCustomError(f.integrator, "ERC7943CannotReceive")
        .withArgs(f.pool);
      const expiry = BigInt(await time.latest()) + 86_400n * 365n;
      await f.identity.connect(f.kyc).setIdentity(f.pool, DE, expiry);
      await f.integrator.connect(f.alice).deposit(token, E(10));
      expect(await f.token.balanceOf(f.pool)).to.equal(E(10));
      // Freezing through the standard (the integrator is the asset's agent).
      await expect(f.integrator.freeze(token, f.alice.address, E(2000)))
        .to.emit(f.token, "Frozen")
        .withArgs(f.alice.address, E(2000));
      expect(await f.integrator.preflight(token, f.alice.address, f.pool, E(1))).to.deep.equal([
        true,
        true,
        false,
        E(2000),
        0n,
      ]);
      await expect(f.integrator.connect(f.alice).deposit(token, E(1)))
        .to.be.revertedWithCustomError(f.integrator, "ERC7943CannotTransfer")
        .withArgs(f.alice.address, f.pool, E(1));
      // A wallet without identity cannot send.
      await expect(f.integrator.connect(f.erin).deposit(token, 0n))
        .to.be.revertedWithCustomError(f.integrator, "ERC7943CannotSend")
        .withArgs(f.erin.address);
      // Seizure: frozen shares are released first; the recipient must be able to receive.
      await expect(f.integrator.seize(token, f.alice.address, f.bob.address, E(990)))
        .to.emit(f.token, "ForcedTransfer")
        .withArgs(f.alice.address, f.bob.address, E(990))
        .and.to.emit(f.token, "Frozen")
        .withArgs(f.alice.address, E(1010));
      expect(await f.token.balanceOf(f.bob.address)).to.equal(E(1490));
      await f.integrator.freeze(token, f.alice.address, 0n);
      await f.integrator.connect(f.alice).deposit(token, E(0));
    });
  });
});
