import { network } from "hardhat";
import { expect } from "chai";
import { buildPermit, sharesDomain } from "../../client/src/eip712/assets.js";
import { deployFixture, fundedFixture, DE, FR, Op, SOLAR, Status, US } from "./fixture.js";
import { asAddress } from "../../client/src/types.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;
const funded = () => fundedFixture(ethers);
const bare = () => deployFixture(ethers);
const E = (n: number | string) => ethers.parseEther(String(n));

type F = Awaited<ReturnType<typeof funded>>;

/** Balances of the given wallets, to prove a refused move changed nothing. */
async function balances(f: F, ...who: { address: string }[]) {
  return Promise.all([
    ...who.map((w) => f.shares.balanceOf(w.address)),
    f.shares.totalSupply(),
    f.shares.holderCount(),
  ]);
}

/**
 * Asserts that checkTransfer refuses with `error`'s selector and that the transfer reverts with it (and args);
 * ERC-7943 canTransfer refuses too, unless the only problem is the balance (the base ERC-20's concern).
 */
async function expectRefused(
  f: F,
  from: Awaited<ReturnType<typeof ethers.getSigners>>[number],
  to: string,
  amount: bigint,
  error: string,
  args: unknown[],
) {
  const selector = f.shares.interface.getError(error)!.selector;
  expect(await f.shares.checkTransfer(from.address, to, amount)).to.deep.equal([false, selector]);
  expect(await f.shares.canTransfer(from.address, to, amount)).to.equal(error === "ERC20InsufficientBalance");
  const before = await balances(f, from, { address: to });
  await expect(f.shares.connect(from).transfer(to, amount))
    .to.be.revertedWithCustomError(f.shares, error)
    .withArgs(...args);
  expect(await balances(f, from, { address: to })).to.deep.equal(before);
}

/**
 * A new asset whose share token calls a ReenteringIncomeHooks (set as the factory's hook before creation): the
 * attacker contract (KYC'd) and alice each hold 10 shares.
 */
async function sharesWithReenteringHook(f: Awaited<ReturnType<typeof funded>>, label: string) {
  const attacker = await ethers.deployContract("ReenteringIncomeHooks");
  await f.factory.connect(f.gov).setIncomeHooks(await attacker.getAddress());
  const salt = ethers.id(label);
  await f.registry.connect(f.issuer).registerAsset(salt, SOLAR, "0x4445", f.agent.address, "");
  const id = await f.registry.computeAssetId(f.issuer.address, salt);
  await f.factory.connect(f.agent).createShares(id, "R", "R", 0);
  const s = await ethers.getContractAt("AssetShares", await f.registry.sharesOf(id));
  const far = BigInt(await time.latest()) + 10n ** 6n;
  await f.identity.connect(f.kyc).setIdentity(await attacker.getAddress(), DE, far);
  await s.connect(f.agent).mint(await attacker.getAddress(), 10n);
  await s.connect(f.agent).mint(f.alice.address, 10n);
  return { s, attacker };
}

describe("AssetShares", function () {
  describe("compliant transfers", function () {
    it("moves shares between two KYC'd holders, counting holders, and canTransfer agrees", async function () {
      const f = await loadFixture(funded);
      expect(await f.shares.holderCount()).to.equal(2n);
      expect(await f.shares.checkTransfer(f.alice.address, f.carol.address, E(100))).to.deep.equal([
        true,
        "0x00000000",
      ]);
      expect(await f.shares.canTransfer(f.alice.address, f.carol.address, E(100))).to.equal(true);
      await expect(f.shares.connect(f.alice).transfer(f.carol.address, E(100)))
        .to.emit(f.shares, "Transfer")
        .withArgs(f.alice.address, f.carol.address, E(100));
      expect(await f.shares.balanceOf(f.carol.address)).to.equal(E(100));
      expect(await f.shares.holderCount()).to.equal(3n);
      await f.shares.connect(f.carol).transfer(f.bob.address, E(100));
      expect(await f.shares.holderCount()).to.equal(2n);
    });

    it("applies the same rules to transferFrom", async function () {
      const f = await loadFixture(funded);
      await f.shares.connect(f.alice).approve(f.outsider.address, E(50));
      await expect(f.shares.connect(f.outsider).transferFrom(f.alice.address, f.erin.address, E(50)))
        .to.be.revertedWithCustomError(f.shares, "RecipientNotEligible")
        .withArgs(f.erin.address);
      await f.shares.connect(f.outsider).transferFrom(f.alice.address, f.carol.address, E(50));
      expect(await f.shares.balanceOf(f.carol.address)).to.equal(E(50));
    });

    it("calls the income hook BEFORE balances change, with the asset id, parties and amount", async function () {
      const f = await loadFixture(funded);
      const n = await f.hooks.callCount();
      await f.shares.connect(f.alice).transfer(f.bob.address, E(10));
      expect(await f.hooks.callCount()).to.equal(n + 1n);
      const c = await f.hooks.lastCall();
      expect(c.assetId).to.equal(f.assetId);
      expect(c.from).to.equal(f.alice.address);
      expect(c.to).to.equal(f.bob.address);
      expect(c.amount).to.equal(E(10));
      expect(c.fromBalanceAtCall).to.equal(E(1000)); // not yet debited
      expect(c.toBalanceAtCall).to.equal(E(500)); // not yet credited
      expect(c.token).to.equal(await f.shares.getAddress());
    });

    it("reverts the move when the hook reverts", async function () {
      const f = await loadFixture(funded);
      await f.hooks.setShouldRevert(true);
      const before = await balances(f, f.alice, f.bob);
      await expect(f.shares.connect(f.alice).transfer(f.bob.address, E(1))).to.be.revertedWithCustomError(
        f.hooks,
        "HookRefused",
      );
      await expect(f.shares.connect(f.agent).mint(f.alice.address, E(1))).to.be.revertedWithCustomError(
        f.hooks,
        "HookRefused",
      );
      await expect(f.shares.connect(f.agent).recover(f.alice.address, f.carol.address)).to.be.revertedWithCustomError(
        f.hooks,
        "HookRefused",
      );
      expect(await balances(f, f.alice, f.bob)).to.deep.equal(before);
    });

    it("works without hooks when the factory had no distributor", async function () {
      const f = await loadFixture(funded);
      await f.factory.connect(f.gov).setIncomeHooks(ethers.ZeroAddress);
      const salt = ethers.id("no-income");
      await f.registry.connect(f.issuer).registerAsset(salt, SOLAR, "0x4445", f.agent.address, "");
      const id = await f.registry.computeAssetId(f.issuer.address, salt);
      await f.factory.connect(f.agent).createShares(id, "N", "N", 0);
      const s = await ethers.getContractAt("AssetShares", await f.registry.sharesOf(id));
      const n = await f.hooks.callCount();
      await s.connect(f.agent).mint(f.alice.address, 10n);
      await s.connect(f.alice).transfer(f.bob.address, 3n);
      await s.connect(f.agent).recover(f.bob.address, f.carol.address);
      expect(await s.balanceOf(f.carol.address)).to.equal(3n);
      expect(await f.hooks.callCount()).to.equal(n);
      await expect(s.connect(f.agent).redeemFor(f.alice.address))
        .to.be.revertedWithCustomError(s, "NotIncomeHooks")
        .withArgs(f.agent.address);
    });

    it("checks a move the hook makes during an agent's forced transfer as an ordinary transfer", async function () {
      const f = await loadFixture(funded);
      const { s, attacker } = await sharesWithReenteringHook(f, "reentrancy");
      await s.connect(f.agent).pause();
      await attacker.arm(f.bob.address);
      // The agent's forced transfer bypasses the pause; the hook's nested transfer must not.
      await s.connect(f.agent).forcedTransfer(f.alice.address, f.bob.address, 5n);
      expect(await attacker.nestedAttempts()).to.equal(1n);
      expect(await attacker.nestedSucceeded()).to.equal(false);
      expect(await attacker.nestedError()).to.equal(s.interface.getError("SharesPaused")!.selector);
      expect(await s.balanceOf(f.bob.address)).to.equal(5n);
      expect(await s.balanceOf(await attacker.getAddress())).to.equal(10n);
    });

    it("keeps a move the hook makes to the same recipient: the wallet words are written after the hook", async function () {
      const f = await loadFixture(funded);
      const { s, attacker } = await sharesWithReenteringHook(f, "reentrancy-same-recipient");
      await attacker.arm(f.bob.address);
      // Alice sends 5 to Bob; during the hook the attacker sends 1 to Bob too (an ordinary transfer).
      await expect(s.connect(f.alice).transfer(f.bob.address, 5n))
        .to.emit(s, "Transfer")
        .withArgs(f.alice.address, f.bob.address, 5n);
      expect(await attacker.nestedSucceeded()).to.equal(true);
      expect(await s.balanceOf(f.bob.address)).to.equal(6n);
      expect(await s.balanceOf(f.alice.address)).to.equal(5n);
      expect(await s.balanceOf(await attacker.getAddress())).to.equal(9n);
      expect(await s.totalSupply()).to.equal(20n);
      expect(await s.holderCount()).to.equal(3n);
    });

    it("refuses transfers larger than the balance with OpenZeppelin's error, predicted by canTransfer", async function () {
      const f = await loadFixture(funded);
      await expectRefused(f, f.bob, f.alice.address, E(501), "ERC20InsufficientBalance", [
        f.bob.address,
        E(500),
        E(501),
      ]);
    });
  });

  describe("each rule refusing", function () {
    it("eligibility: refuses a recipient without identity, or with an expired one", async function () {
      const f = await loadFixture(funded);
      await expectRefused(f, f.alice, f.erin.address, E(1), "RecipientNotEligible", [f.erin.address]);
      await time.increaseTo(f.expiry);
      await expectRefused(f, f.alice, f.carol.address, E(1), "SenderNotEligible", [f.alice.address]);
    });

    it("eligibility: refuses a sender whose identity was removed, and can be switched off by the agent", async function () {
      const f = await loadFixture(funded);
      await f.identity.connect(f.kyc).removeIdentity(f.alice.address);
      await expectRefused(f, f.alice, f.bob.address, E(1), "SenderNotEligible", [f.alice.address]);
      await expect(f.shares.connect(f.agent).setEligibilityRequired(false)).to.emit(f.shares, "ConfigChanged");
      await f.shares.connect(f.alice).transfer(f.erin.address, E(1));
      expect(await f.shares.balanceOf(f.erin.address)).to.equal(E(1));
    });

    it("country: refuses recipients in a blocked country, but lets its residents sell", async function () {
      const f = await loadFixture(funded);
      await f.shares.connect(f.alice).transfer(f.dave.address, E(10));
      await expect(f.shares.connect(f.agent).setCountryBlocked(US, true))
        .to.emit(f.shares, "CountryBlockedSet")
        .withArgs(US, true);
      await expectRefused(f, f.alice, f.dave.address, E(1), "CountryBlocked", [US]);
      await f.shares.connect(f.dave).transfer(f.alice.address, E(10));
      await f.shares.connect(f.agent).setCountryBlocked(US, false);
      await f.shares.connect(f.alice).transfer(f.dave.address, E(1));
    });

    it("maximum holders: refuses a new holder at the limit, unless the sender leaves at the same time", async function () {
      const f = await loadFixture(funded);
      await f.shares.connect(f.agent).setMaxHolders(2);
      expect((await f.shares.config()).maxHolders).to.equal(2n);
      await expectRefused(f, f.alice, f.carol.address, E(1), "MaxHoldersReached", [2n]);
      await f.shares.connect(f.alice).transfer(f.bob.address, E(1)); // existing holder: fine
      await f.shares.connect(f.bob).transfer(f.carol.address, E(501)); // bob leaves, carol joins
      expect(await f.shares.holderCount()).to.equal(2n);
      await expect(f.shares.connect(f.agent).mint(f.dave.address, 1n))
        .to.be.revertedWithCustomError(f.shares, "MaxHoldersReached")
        .withArgs(2n);
    });

    it("per-investor cap: refuses what would take a holder above the cap (transfer and mint)", async function () {
      const f = await loadFixture(funded);
      // The cap is stored in 96 bits (beside the first external rule, one slot; no balance can exceed
      // MAX_SUPPLY = 2**96 - 1 anyway): larger caps are refused.
      await f.shares.connect(f.agent).setInvestorCap(2n ** 96n - 1n);
      expect((await f.shares.config()).investorCap).to.equal(2n ** 96n - 1n);
      await expect(f.shares.connect(f.agent).setInvestorCap(2n ** 96n))
        .to.be.revertedWithCustomError(f.shares, "SafeCastOverflowedUintDowncast")
        .withArgs(96, 2n ** 96n);
      await f.shares.connect(f.agent).setInvestorCap(E(600));
      await expectRefused(f, f.alice, f.bob.address, E(101), "InvestorCapExceeded", [f.bob.address, E(601), E(600)]);
      await f.shares.connect(f.alice).transfer(f.bob.address, E(100));
      await expect(f.shares.connect(f.agent).mint(f.carol.address, E(601)))
        .to.be.revertedWithCustomError(f.shares, "InvestorCapExceeded")
        .withArgs(f.carol.address, E(601), E(600));
    });

    it("lock-up: refuses every transfer until the asset's lock-up date", async function () {
      const f = await loadFixture(funded);
      const until = BigInt(await time.latest()) + 3600n;
      await f.shares.connect(f.agent).setLockup(until);
      await expectRefused(f, f.alice, f.bob.address, E(1), "LockedUntil", [until]);
      await time.increaseTo(until);
      await f.shares.connect(f.alice).transfer(f.bob.address, E(1));
    });

    it("lock from mint: locks each minted investor for the period, then frees them", async function () {
      const f = await loadFixture(funded);
      await f.shares.connect(f.agent).setMintLockPeriod(86400);
      const tx = f.shares.connect(f.agent).mint(f.carol.address, E(5));
      const until = BigInt(await time.latest()) + 1n + 86400n;
      await expect(tx).to.emit(f.shares, "InvestorLocked").withArgs(f.carol.address, until);
      expect(await f.shares.lockedUntilOf(f.carol.address)).to.equal(until);
      await expectRefused(f, f.carol, f.alice.address, E(1), "LockedUntil", [until]);
      await f.shares.connect(f.alice).transfer(f.bob.address, E(1)); // others are not locked
      await time.increaseTo(until);
      await f.shares.connect(f.carol).transfer(f.alice.address, E(1));
      await expect(f.shares.connect(f.agent).setMintLockPeriod(3651 * 86400))
        .to.be.revertedWithCustomError(f.shares, "MintLockTooLong")
        .withArgs(3651n * 86400n, 3650n * 86400n);
    });

    it("frozen wallet: refuses transfers from and to it", async function () {
      const f = await loadFixture(funded);
      await expect(f.shares.connect(f.agent).setWalletFrozen(f.bob.address, true))
        .to.emit(f.shares, "WalletFrozenSet")
        .withArgs(f.bob.address, true);
      await expectRefused(f, f.bob, f.alice.address, E(1), "WalletFrozen", [f.bob.address]);
      await expectRefused(f, f.alice, f.bob.address, E(1), "WalletFrozen", [f.bob.address]);
      await expect(f.shares.connect(f.agent).setWalletFrozen(f.bob.address, true))
        .to.be.revertedWithCustomError(f.shares, "WalletFreezeUnchanged")
        .withArgs(f.bob.address, true);
      await f.shares.connect(f.agent).setWalletFrozen(f.bob.address, false);
      await f.shares.connect(f.bob).transfer(f.alice.address, E(1));
    });

    it("partial freeze: only the unfrozen part of a balance can move", async function () {
      const f = await loadFixture(funded);
      await expect(f.shares.connect(f.agent).freezePartial(f.alice.address, E(900)))
        .to.emit(f.shares, "TokensFrozen")
        .withArgs(f.alice.address, E(900))
        .and.to.emit(f.shares, "Frozen")
        .withArgs(f.alice.address, E(900));
      await expectRefused(f, f.alice, f.bob.address, E(101), "ERC7943InsufficientUnfrozenBalance", [
        f.alice.address,
        E(101),
        E(100),
      ]);
      await f.shares.connect(f.alice).transfer(f.bob.address, E(100));
      await expect(f.shares.connect(f.agent).freezePartial(f.alice.address, 1n))
        .to.be.revertedWithCustomError(f.shares, "FreezeExceedsBalance")
        .withArgs(f.alice.address, E(900), E(900) + 1n);
      await expect(f.shares.connect(f.agent).unfreezePartial(f.alice.address, E(901)))
        .to.be.revertedWithCustomError(f.shares, "UnfreezeExceedsFrozen")
        .withArgs(f.alice.address, E(900), E(901));
      await expect(f.shares.connect(f.agent).unfreezePartial(f.alice.address, E(400)))
        .to.emit(f.shares, "TokensUnfrozen")
        .withArgs(f.alice.address, E(400))
        .and.to.emit(f.shares, "Frozen")
        .withArgs(f.alice.address, E(500));
      expect(await f.shares.getFrozenTokens(f.alice.address)).to.equal(E(500));
    });

    it("pause: stops investor transfers until the agent unpauses", async function () {
      const f = await loadFixture(funded);
      await expect(f.shares.connect(f.agent).pause()).to.emit(f.shares, "Paused").withArgs(f.agent.address);
      expect(await f.shares.paused()).to.equal(true);
      await expect(f.shares.connect(f.agent).pause()).to.be.revertedWithCustomError(f.shares, "EnforcedPause");
      await expectRefused(f, f.alice, f.bob.address, E(1), "SharesPaused", []);
      await f.shares.connect(f.agent).mint(f.carol.address, E(1)); // agent moves still work
      await expect(f.shares.connect(f.agent).unpause()).to.emit(f.shares, "Unpaused").withArgs(f.agent.address);
      await expect(f.shares.connect(f.agent).unpause()).to.be.revertedWithCustomError(f.shares, "ExpectedPause");
      await f.shares.connect(f.alice).transfer(f.bob.address, E(1));
    });

    it("asset frozen in the registry: stops investor transfers", async function () {
      const f = await loadFixture(funded);
      await f.registry.connect(f.agent).freezeAsset(f.assetId);
      await expectRefused(f, f.alice, f.bob.address, E(1), "AssetFrozen", []);
      await f.registry.connect(f.agent).unfreezeAsset(f.assetId);
      await f.shares.connect(f.alice).transfer(f.bob.address, E(1));
    });

    it("asset status is mirrored in the token by the registry, in the same transaction, beside the pause flag", async function () {
      const f = await loadFixture(funded);
      // Only the registry tells the token; not even the asset's agent.
      await expect(f.shares.connect(f.agent).onAssetStatusChanged(Status.Frozen))
        .to.be.revertedWithCustomError(f.shares, "NotRegistry")
        .withArgs(f.agent.address);
      // The status bits and the pause bit share one byte: each change leaves the others as they are.
      await f.shares.connect(f.agent).pause();
      await f.registry.connect(f.agent).freezeAsset(f.assetId);
      await expectRefused(f, f.alice, f.bob.address, E(1), "AssetFrozen", []);
      await f.registry.connect(f.agent).unfreezeAsset(f.assetId);
      expect(await f.shares.paused()).to.equal(true);
      await expectRefused(f, f.alice, f.bob.address, E(1), "SharesPaused", []);
      await f.shares.connect(f.agent).unpause();
      await f.registry.connect(f.agent).freezeAsset(f.assetId);
      expect(await f.shares.paused()).to.equal(false);
      // Retired from Frozen: every move closes except redeemFor, and the frozen bit is gone.
      await f.registry.connect(f.buyout).retire(f.assetId);
      expect(await f.shares.refusalOf(Op.Transfer, f.alice.address, f.bob.address, E(1))).to.equal(
        f.shares.interface.encodeErrorResult("AssetRetired", []),
      );
      expect(await f.shares.refusalOf(Op.Redeem, f.alice.address, ethers.ZeroAddress, E(1))).to.equal("0x");
      expect((await f.shares.config()).eligibilityRequired).to.equal(true);
    });

    it("external rule: refuses with the rule's address and reason; removable; at most 8, no duplicates", async function () {
      const f = await loadFixture(funded);
      const ruleAddress = await f.rule.getAddress();
      await expect(f.shares.connect(f.agent).addRule(ruleAddress)).to.emit(f.shares, "RuleAdded").withArgs(ruleAddress);
      await f.rule.setBlockedRecipient(f.carol.address);
      await expectRefused(f, f.alice, f.carol.address, E(1), "RuleRefused", [ruleAddress, await f.rule.REASON()]);
      await expect(f.shares.connect(f.agent).mint(f.carol.address, 1n))
        .to.be.revertedWithCustomError(f.shares, "RuleRefused")
        .withArgs(ruleAddress, await f.rule.REASON());
      await expect(f.shares.connect(f.agent).addRule(ruleAddress))
        .to.be.revertedWithCustomError(f.shares, "InvalidRule")
        .withArgs(ruleAddress);
      await expect(f.shares.connect(f.agent).addRule(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.shares, "InvalidRule")
        .withArgs(ethers.ZeroAddress);
      for (let i = 0; i < 7; i++) {
        await f.shares.connect(f.agent).addRule(await (await ethers.deployContract("MockTransferRule")).getAddress());
      }
      const ninth = await (await ethers.deployContract("MockTransferRule")).getAddress();
      await expect(f.shares.connect(f.agent).addRule(ninth))
        .to.be.revertedWithCustomError(f.shares, "TooManyRules")
        .withArgs(8n);
      await expect(f.shares.connect(f.agent).removeRule(ruleAddress))
        .to.emit(f.shares, "RuleRemoved")
        .withArgs(ruleAddress);
      expect((await f.shares.rules()).length).to.equal(7);
      await expect(f.shares.connect(f.agent).removeRule(ruleAddress))
        .to.be.revertedWithCustomError(f.shares, "RuleNotFound")
        .withArgs(ruleAddress);
      await f.shares.connect(f.alice).transfer(f.carol.address, E(1));
    });

    it("external rule that reverts: counts as a refusal with reason 0, so canTransfer still answers", async function () {
      const f = await loadFixture(funded);
      const ruleAddress = await f.rule.getAddress();
      await f.shares.connect(f.agent).addRule(ruleAddress);
      await f.rule.setReverts(true);
      await expectRefused(f, f.alice, f.bob.address, E(1), "RuleRefused", [ruleAddress, "0x00000000"]);
    });

    it("external rules are not asked for the agent's forced transfers", async function () {
      const f = await loadFixture(funded);
      await f.shares.connect(f.agent).addRule(await f.rule.getAddress());
      await f.rule.setRefuseAll(true);
      await f.shares.connect(f.agent).forcedTransfer(f.alice.address, f.carol.address, E(1));
      expect(await f.shares.balanceOf(f.carol.address)).to.equal(E(1));
    });
  });

  describe("mint and burn", function () {
    it("mints to an eligible investor, calling the hook with from = 0", async function () {
      const f = await loadFixture(bare);
      await expect(f.shares.connect(f.agent).mint(f.alice.address, E(7)))
        .to.emit(f.shares, "Transfer")
        .withArgs(ethers.ZeroAddress, f.alice.address, E(7));
      const c = await f.hooks.lastCall();
      expect([c.from, c.to, c.amount, c.toBalanceAtCall]).to.deep.equal([
        ethers.ZeroAddress,
        f.alice.address,
        E(7),
        0n,
      ]);
      expect(await f.shares.holderCount()).to.equal(1n);
    });

    it("refuses to mint to an ineligible wallet", async function () {
      const f = await loadFixture(bare);
      await expect(f.shares.connect(f.agent).mint(f.erin.address, 1n))
        .to.be.revertedWithCustomError(f.shares, "RecipientNotEligible")
        .withArgs(f.erin.address);
      expect(await f.shares.totalSupply()).to.equal(0n);
    });

    it("burns, releasing frozen shares as needed, calling the hook with to = 0", async function () {
      const f = await loadFixture(funded);
      await f.shares.connect(f.agent).freezePartial(f.bob.address, E(450));
      await expect(f.shares.connect(f.agent).burn(f.bob.address, E(100)))
        .to.emit(f.shares, "TokensUnfrozen")
        .withArgs(f.bob.address, E(50));
      expect(await f.shares.getFrozenTokens(f.bob.address)).to.equal(E(400));
      expect(await f.shares.balanceOf(f.bob.address)).to.equal(E(400));
      const c = await f.hooks.lastCall();
      expect([c.from, c.to, c.amount, c.fromBalanceAtCall]).to.deep.equal([
        f.bob.address,
        ethers.ZeroAddress,
        E(100),
        E(500),
      ]);
      await f.shares.connect(f.agent).burn(f.bob.address, E(400));
      expect(await f.shares.holderCount()).to.equal(1n);
      await expect(f.shares.connect(f.agent).burn(f.bob.address, 1n))
        .to.be.revertedWithCustomError(f.shares, "ERC20InsufficientBalance")
        .withArgs(f.bob.address, 0n, 1n);
    });
  });

  describe("forced transfer", function () {
    it("bypasses the sender side (freeze, partial freeze, lock-up, pause, sender eligibility)", async function () {
      const f = await loadFixture(funded);
      await f.shares.connect(f.agent).setWalletFrozen(f.alice.address, true);
      await f.shares.connect(f.agent).freezePartial(f.alice.address, E(1000));
      await f.shares.connect(f.agent).setLockup(BigInt(await time.latest()) + 1000n);
      await f.shares.connect(f.agent).pause();
      await f.identity.connect(f.kyc).removeIdentity(f.alice.address);
      await expect(f.shares.connect(f.agent).forcedTransfer(f.alice.address, f.carol.address, E(300)))
        .to.emit(f.shares, "ForcedTransfer")
        .withArgs(f.alice.address, f.carol.address, E(300))
        .and.to.emit(f.shares, "TokensUnfrozen")
        .withArgs(f.alice.address, E(300))
        .and.to.emit(f.shares, "Frozen")
        .withArgs(f.alice.address, E(700));
      expect(await f.shares.balanceOf(f.carol.address)).to.equal(E(300));
      expect(await f.shares.getFrozenTokens(f.alice.address)).to.equal(E(700));
      const c = await f.hooks.lastCall();
      expect([c.from, c.to, c.amount, c.fromBalanceAtCall]).to.deep.equal([
        f.alice.address,
        f.carol.address,
        E(300),
        E(1000),
      ]);
    });

    it("refuses more than the balance, frozen part included, and keeps the frozen amount", async function () {
      const f = await loadFixture(funded);
      await f.shares.connect(f.agent).freezePartial(f.bob.address, E(400));
      await expect(f.shares.connect(f.agent).forcedTransfer(f.bob.address, f.carol.address, E(501)))
        .to.be.revertedWithCustomError(f.shares, "ERC20InsufficientBalance")
        .withArgs(f.bob.address, E(500), E(501));
      expect(await f.shares.getFrozenTokens(f.bob.address)).to.equal(E(400));
      expect(await f.shares.balanceOf(f.bob.address)).to.equal(E(500));
    });

    it("requires the recipient side: eligibility, country, holders, cap", async function () {
      const f = await loadFixture(funded);
      const before = await balances(f, f.alice, f.erin);
      await expect(f.shares.connect(f.agent).forcedTransfer(f.alice.address, f.erin.address, E(1)))
        .to.be.revertedWithCustomError(f.shares, "RecipientNotEligible")
        .withArgs(f.erin.address);
      await f.shares.connect(f.agent).setCountryBlocked(US, true);
      await expect(f.shares.connect(f.agent).forcedTransfer(f.alice.address, f.dave.address, E(1)))
        .to.be.revertedWithCustomError(f.shares, "CountryBlocked")
        .withArgs(US);
      await f.shares.connect(f.agent).setMaxHolders(2);
      await expect(f.shares.connect(f.agent).forcedTransfer(f.alice.address, f.carol.address, E(1)))
        .to.be.revertedWithCustomError(f.shares, "MaxHoldersReached")
        .withArgs(2n);
      await f.shares.connect(f.agent).setInvestorCap(E(500));
      await expect(f.shares.connect(f.agent).forcedTransfer(f.alice.address, f.bob.address, E(1)))
        .to.be.revertedWithCustomError(f.shares, "InvestorCapExceeded")
        .withArgs(f.bob.address, E(501), E(500));
      expect(await balances(f, f.alice, f.erin)).to.deep.equal(before);
    });
  });

  describe("recovery of a lost wallet", function () {
    it("moves balance, frozen amount, wallet freeze and lock to the new wallet, telling the distributor first", async function () {
      const f = await loadFixture(funded);
      await f.shares.connect(f.agent).setMintLockPeriod(1000);
      await f.shares.connect(f.agent).mint(f.alice.address, E(1));
      const lock = await f.shares.lockedUntilOf(f.alice.address);
      await f.shares.connect(f.agent).freezePartial(f.alice.address, E(200));
      await f.shares.connect(f.agent).setWalletFrozen(f.alice.address, true);
      const calls = await f.hooks.callCount();
      await expect(f.shares.connect(f.agent).recover(f.alice.address, f.carol.address))
        .to.emit(f.shares, "Recovered")
        .withArgs(f.alice.address, f.carol.address, E(1001), E(200))
        .and.to.emit(f.shares, "WalletFrozenSet")
        .withArgs(f.carol.address, true);
      expect(await f.shares.balanceOf(f.alice.address)).to.equal(0n);
      expect(await f.shares.balanceOf(f.carol.address)).to.equal(E(1001));
      expect(await f.shares.getFrozenTokens(f.carol.address)).to.equal(E(200));
      expect(await f.shares.getFrozenTokens(f.alice.address)).to.equal(0n);
      expect(await f.shares.walletFrozen(f.carol.address)).to.equal(true);
      expect(await f.shares.walletFrozen(f.alice.address)).to.equal(false);
      expect(await f.shares.lockedUntilOf(f.carol.address)).to.equal(lock);
      expect(await f.shares.lockedUntilOf(f.alice.address)).to.equal(0n);
      expect(await f.shares.holderCount()).to.equal(2n);
      // onRecovery came first, with the lost balance still in place; then one onSharesTransfer.
      expect(await f.hooks.recoveryCount()).to.equal(1n);
      const r = await f.hooks.recoveries(0);
      expect([r.assetId, r.lost, r.replacement, r.lostBalanceAtCall]).to.deep.equal([
        f.assetId,
        f.alice.address,
        f.carol.address,
        E(1001),
      ]);
      expect(await f.hooks.callCount()).to.equal(calls + 1n);
      const c = await f.hooks.lastCall();
      expect([c.from, c.to, c.amount, c.fromBalanceAtCall]).to.deep.equal([
        f.alice.address,
        f.carol.address,
        E(1001),
        E(1001),
      ]);
    });

    it("refuses an ineligible replacement, an empty lost wallet, and a zero or identical replacement", async function () {
      const f = await loadFixture(funded);
      const before = await balances(f, f.alice, f.erin);
      await expect(f.shares.connect(f.agent).recover(f.alice.address, f.erin.address))
        .to.be.revertedWithCustomError(f.shares, "RecipientNotEligible")
        .withArgs(f.erin.address);
      await expect(f.shares.connect(f.agent).recover(f.carol.address, f.dave.address))
        .to.be.revertedWithCustomError(f.shares, "NothingToRecover")
        .withArgs(f.carol.address);
      await expect(f.shares.connect(f.agent).recover(f.alice.address, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.shares, "InvalidReplacement")
        .withArgs(ethers.ZeroAddress);
      await expect(f.shares.connect(f.agent).recover(f.alice.address, f.alice.address))
        .to.be.revertedWithCustomError(f.shares, "InvalidReplacement")
        .withArgs(f.alice.address);
      expect(await balances(f, f.alice, f.erin)).to.deep.equal(before);
      expect(await f.hooks.recoveryCount()).to.equal(0n);
    });
  });

  describe("retirement and redemption", function () {
    it("closes every move once retired, except redeemFor by the distributor", async function () {
      const f = await loadFixture(funded);
      await expect(f.hooks.redeem(await f.shares.getAddress(), f.alice.address)).to.be.revertedWithCustomError(
        f.shares,
        "AssetNotRetired",
      );
      await f.registry.connect(f.buyout).retire(f.assetId);
      await expectRefused(f, f.alice, f.bob.address, E(1), "AssetRetired", []);
      const s = f.shares.connect(f.agent);
      await expect(s.mint(f.alice.address, 1n)).to.be.revertedWithCustomError(f.shares, "AssetRetired");
      await expect(s.burn(f.alice.address, 1n)).to.be.revertedWithCustomError(f.shares, "AssetRetired");
      await expect(s.forcedTransfer(f.alice.address, f.bob.address, 1n)).to.be.revertedWithCustomError(
        f.shares,
        "AssetRetired",
      );
      await expect(s.recover(f.alice.address, f.carol.address)).to.be.revertedWithCustomError(f.shares, "AssetRetired");
      await expect(s.redeemFor(f.alice.address))
        .to.be.revertedWithCustomError(f.shares, "NotIncomeHooks")
        .withArgs(f.agent.address);
      await expect(f.shares.connect(f.buyout).redeemFor(f.alice.address))
        .to.be.revertedWithCustomError(f.shares, "NotIncomeHooks")
        .withArgs(f.buyout.address);
    });

    it("refuses the zero address in the agent's and the distributor's moves with OpenZeppelin's errors", async function () {
      const f = await loadFixture(funded);
      const z = ethers.ZeroAddress;
      const s = f.shares.connect(f.agent);
      await expect(s.mint(z, 1n)).to.be.revertedWithCustomError(f.shares, "ERC20InvalidReceiver").withArgs(z);
      await expect(s.burn(z, 1n)).to.be.revertedWithCustomError(f.shares, "ERC20InvalidSender").withArgs(z);
      await expect(s.forcedTransfer(z, f.bob.address, 1n))
        .to.be.revertedWithCustomError(f.shares, "ERC20InvalidSender")
        .withArgs(z);
      await expect(s.forcedTransfer(f.alice.address, z, 1n))
        .to.be.revertedWithCustomError(f.shares, "ERC20InvalidReceiver")
        .withArgs(z);
      await f.registry.connect(f.buyout).retire(f.assetId);
      await expect(f.hooks.redeem(await f.shares.getAddress(), z))
        .to.be.revertedWithCustomError(f.shares, "ERC20InvalidSender")
        .withArgs(z);
      expect(await f.shares.totalSupply()).to.equal(E(1500));
    });

    it("redeems the whole balance, frozen part included, and returns it", async function () {
      const f = await loadFixture(funded);
      await f.shares.connect(f.agent).freezePartial(f.alice.address, E(300));
      await f.registry.connect(f.buyout).retire(f.assetId);
      const burned = await f.hooks.redeem.staticCall(await f.shares.getAddress(), f.alice.address);
      expect(burned).to.equal(E(1000));
      await expect(f.hooks.redeem(await f.shares.getAddress(), f.alice.address))
        .to.emit(f.shares, "Redeemed")
        .withArgs(f.alice.address, E(1000))
        .and.to.emit(f.shares, "Transfer")
        .withArgs(f.alice.address, ethers.ZeroAddress, E(1000));
      expect(await f.shares.balanceOf(f.alice.address)).to.equal(0n);
      expect(await f.shares.getFrozenTokens(f.alice.address)).to.equal(0n);
      expect(await f.shares.totalSupply()).to.equal(E(500));
      expect(await f.shares.holderCount()).to.equal(1n);
      const c = await f.hooks.lastCall();
      expect([c.from, c.to, c.amount, c.fromBalanceAtCall]).to.deep.equal([
        f.alice.address,
        ethers.ZeroAddress,
        E(1000),
        E(1000),
      ]);
    });
  });

  describe("permit (EIP-2612)", function () {
    it("lets a holder approve by signature, then the spender moves compliant shares", async function () {
      const f = await loadFixture(funded);
      const deadline = BigInt(await time.latest()) + 3600n;
      const nonce = await f.shares.nonces(f.alice.address);
      const { chainId } = await ethers.provider.getNetwork();
      const value = E(20);
      const permit = buildPermit(sharesDomain("Plant Berlin 7", chainId, await f.shares.getAddress()), {
        owner: asAddress(f.alice.address),
        spender: asAddress(f.outsider.address),
        value,
        nonce,
        deadline,
      });
      expect(ethers.TypedDataEncoder.hashDomain(permit.domain)).to.equal(await f.shares.DOMAIN_SEPARATOR());
      const sig = ethers.Signature.from(await f.alice.signTypedData(permit.domain, permit.types, permit.message));
      await f.shares
        .connect(f.outsider)
        .permit(f.alice.address, f.outsider.address, value, deadline, sig.v, sig.r, sig.s);
      expect(await f.shares.allowance(f.alice.address, f.outsider.address)).to.equal(value);
      expect(await f.shares.nonces(f.alice.address)).to.equal(nonce + 1n);
      await f.shares.connect(f.outsider).transferFrom(f.alice.address, f.carol.address, value);
      expect(await f.shares.balanceOf(f.carol.address)).to.equal(value);
      // Replaying the signature fails.
      await expect(
        f.shares.connect(f.outsider).permit(f.alice.address, f.outsider.address, value, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(f.shares, "ERC2612InvalidSigner");
    });
  });

  describe("access control", function () {
    it("refuses every agent function to anyone but the asset's agent (issuer and governance included)", async function () {
      const f = await loadFixture(funded);
      const a = f.alice.address;
      const b = f.bob.address;
      const calls: [string, unknown[]][] = [
        ["mint", [a, 1n]],
        ["burn", [a, 1n]],
        ["forcedTransfer", [a, b, 1n]],
        ["recover", [a, b]],
        ["setWalletFrozen", [a, true]],
        ["freezePartial", [a, 1n]],
        ["unfreezePartial", [a, 0n]],
        ["pause", []],
        ["unpause", []],
        ["setEligibilityRequired", [false]],
        ["setCountryBlocked", [FR, true]],
        ["setMaxHolders", [1]],
        ["setInvestorCap", [1n]],
        ["setLockup", [1n]],
        ["setMintLockPeriod", [1n]],
        ["addRule", [await f.rule.getAddress()]],
        ["removeRule", [await f.rule.getAddress()]],
      ];
      for (const caller of [f.outsider, f.issuer, f.gov, f.alice]) {
        for (const [fn, args] of calls) {
          const contract = f.shares.connect(caller) as unknown as Record<string, (...x: unknown[]) => Promise<unknown>>;
          await expect(contract[fn](...args), `${fn} by ${caller.address}`)
            .to.be.revertedWithCustomError(f.shares, "NotAgent")
            .withArgs(f.assetId, caller.address);
        }
      }
      expect(await f.shares.totalSupply()).to.equal(E(1500));
      expect(await f.shares.paused()).to.equal(false);
    });

    it("follows the registry's agent after an agent change", async function () {
      const f = await loadFixture(funded);
      await f.registry.connect(f.issuer).proposeAgent(f.assetId, f.outsider.address);
      await f.registry.connect(f.outsider).acceptAgent(f.assetId);
      await f.shares.connect(f.outsider).mint(f.carol.address, 1n);
      await expect(f.shares.connect(f.agent).mint(f.carol.address, 1n))
        .to.be.revertedWithCustomError(f.shares, "NotAgent")
        .withArgs(f.assetId, f.agent.address);
    });
  });

  describe("refusalOf", function () {
    it("returns the full custom error of each kind of move, empty when allowed", async function () {
      const f = await loadFixture(funded);
      const z = ethers.ZeroAddress;
      expect(await f.shares.refusalOf(Op.Mint, z, f.carol.address, 1n)).to.equal("0x");
      const data = await f.shares.refusalOf(Op.Mint, z, f.erin.address, 1n);
      expect(f.shares.interface.parseError(data)?.name).to.equal("RecipientNotEligible");
      expect(f.shares.interface.parseError(await f.shares.refusalOf(Op.Redeem, f.alice.address, z, 1n))?.name).to.equal(
        "AssetNotRetired",
      );
      expect(
        f.shares.interface.parseError(await f.shares.refusalOf(Op.Transfer, z, f.alice.address, 1n))?.name,
      ).to.equal("ERC20InvalidSender");
      expect(await f.shares.checkTransfer(f.alice.address, z, 1n)).to.deep.equal([
        false,
        f.shares.interface.getError("ERC20InvalidReceiver")!.selector,
      ]);
      expect(await f.shares.refusalOf(Op.Burn, f.alice.address, z, E(1000))).to.equal("0x");
    });
  });
});
