import { expect } from "chai";
import { network } from "hardhat";
import {
  ASSET,
  OTHER_ASSET,
  ETH,
  FEE_BPS,
  MAG,
  RESERVE_BPS,
  RESERVE_CAP_BPS,
  Status,
  deployIncome,
  e18,
  e6,
  expectHeld,
  isFloorOf,
  split,
  carriedSplit,
  vaultBalance,
} from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployIncome(ethers);

describe("IncomeDistributor", function () {
  describe("deployment", function () {
    it("gives governance, not the deployer, the admin role and records the fee settings", async function () {
      const { distributor, governance, deployer, feeRecipient, registry } = await networkHelpers.loadFixture(fixture);
      expect(await distributor.hasRole(await distributor.DEFAULT_ADMIN_ROLE(), governance.address)).to.equal(true);
      expect(await distributor.hasRole(await distributor.DEFAULT_ADMIN_ROLE(), deployer.address)).to.equal(false);
      expect(await distributor.feeRecipient()).to.equal(feeRecipient.address);
      expect(await distributor.protocolFeeBps()).to.equal(FEE_BPS);
      expect(await distributor.maxReserveBps()).to.equal(RESERVE_CAP_BPS);
      expect(await distributor.registry()).to.equal(await registry.getAddress());
    });

    it("refuses zero addresses and out-of-range fee settings", async function () {
      const { distributor, governance, feeRecipient, registry } = await networkHelpers.loadFixture(fixture);
      const r = await registry.getAddress();
      const Factory = await ethers.getContractFactory("IncomeDistributor");
      await expect(Factory.deploy(ETH, governance.address, feeRecipient.address, 0, 0)).to.be.revertedWithCustomError(
        distributor,
        "ZeroAddress",
      );
      await expect(Factory.deploy(r, ETH, feeRecipient.address, 0, 0)).to.be.revertedWithCustomError(
        distributor,
        "ZeroAddress",
      );
      await expect(Factory.deploy(r, governance.address, ETH, 0, 0)).to.be.revertedWithCustomError(
        distributor,
        "ZeroAddress",
      );
      await expect(Factory.deploy(r, governance.address, feeRecipient.address, 1001, 0))
        .to.be.revertedWithCustomError(distributor, "FeeAboveCap")
        .withArgs(1001, 1000);
      await expect(Factory.deploy(r, governance.address, feeRecipient.address, 0, 5001))
        .to.be.revertedWithCustomError(distributor, "ReserveCapAboveCeiling")
        .withArgs(5001, 5000);
    });
  });

  describe("deposits", function () {
    it("splits an 18-decimal ERC-20 deposit into reserve, protocol fee and holders' income, pro rata", async function () {
      const { distributor, dai, usdc, alice, bob, outsider } = await networkHelpers.loadFixture(fixture);
      const amount = e18(1000);
      const { reserve, fee, toHolders } = split(amount);
      await expect(distributor.connect(outsider).deposit(ASSET, await dai.getAddress(), amount))
        .to.emit(distributor, "IncomeDeposited")
        .withArgs(ASSET, await dai.getAddress(), outsider.address, amount, amount, reserve, fee, toHolders);
      await expectHeld(ethers, distributor, await dai.getAddress(), amount);
      expect(await distributor.reserveOf(ASSET, await dai.getAddress())).to.equal(reserve);
      expect(await distributor.feesOf(ASSET, await dai.getAddress())).to.equal(fee);
      const a = await distributor.claimableOf(ASSET, await dai.getAddress(), alice.address);
      const b = await distributor.claimableOf(ASSET, await dai.getAddress(), bob.address);
      expect(isFloorOf(a, toHolders * 60n, 100n)).to.equal(true);
      expect(isFloorOf(b, toHolders * 40n, 100n)).to.equal(true);
      const [, distributed, claimed] = await distributor.incomeAccountingOf(ASSET, await dai.getAddress());
      expect(distributed).to.equal(toHolders);
      expect(claimed).to.equal(0n);
      expect(await distributor.payoutTokensOf(ASSET)).to.deep.equal([
        await dai.getAddress(),
        await usdc.getAddress(),
        ETH,
      ]);
    });

    it("accepts a 6-decimal stablecoin and accrues exactly to the wei", async function () {
      const { distributor, usdc, alice, bob, agent } = await networkHelpers.loadFixture(fixture);
      const amount = e6(12_345) + 67n;
      const { toHolders } = split(amount);
      await distributor.connect(agent).deposit(ASSET, await usdc.getAddress(), amount);
      const a = await distributor.claimableOf(ASSET, await usdc.getAddress(), alice.address);
      const b = await distributor.claimableOf(ASSET, await usdc.getAddress(), bob.address);
      expect(isFloorOf(a, toHolders * 60n, 100n)).to.equal(true);
      expect(isFloorOf(b, toHolders * 40n, 100n)).to.equal(true);
      expect(a + b).to.be.lte(toHolders);
    });

    it("accepts ETH when msg.value equals the amount", async function () {
      const { distributor, alice, outsider } = await networkHelpers.loadFixture(fixture);
      const amount = e18(3);
      const { reserve, fee, toHolders } = split(amount);
      await expect(distributor.connect(outsider).deposit(ASSET, ETH, amount, { value: amount }))
        .to.emit(distributor, "IncomeDeposited")
        .withArgs(ASSET, ETH, outsider.address, amount, amount, reserve, fee, toHolders);
      await expectHeld(ethers, distributor, ETH, amount);
      expect(isFloorOf(await distributor.claimableOf(ASSET, ETH, alice.address), toHolders * 60n, 100n)).to.equal(true);
    });

    it("refuses an ETH deposit whose msg.value differs from the amount, changing nothing", async function () {
      const { distributor, outsider } = await networkHelpers.loadFixture(fixture);
      await expect(distributor.connect(outsider).deposit(ASSET, ETH, e18(1), { value: e18(1) - 1n }))
        .to.be.revertedWithCustomError(distributor, "EthAmountMismatch")
        .withArgs(e18(1), e18(1) - 1n);
      await expectHeld(ethers, distributor, ETH, 0n);
      expect(await distributor.incomeAccountingOf(ASSET, ETH)).to.deep.equal([0n, 0n, 0n, 0n]);
      expect(await distributor.reserveOf(ASSET, ETH)).to.equal(0n);
    });

    it("refuses ETH sent along an ERC-20 deposit", async function () {
      const { distributor, dai, outsider } = await networkHelpers.loadFixture(fixture);
      await expect(distributor.connect(outsider).deposit(ASSET, await dai.getAddress(), e18(1), { value: 1n }))
        .to.be.revertedWithCustomError(distributor, "UnexpectedEth")
        .withArgs(1n);
      await expectHeld(ethers, distributor, await dai.getAddress(), 0n);
    });

    it("refuses a zero amount, a token not on the allowlist, an unknown asset and a retired asset", async function () {
      const { distributor, dai, registry, governance, outsider, agent, shares } =
        await networkHelpers.loadFixture(fixture);
      const stray = await ethers.deployContract("MockPayoutToken", ["Stray", "STR", 18]);
      await expect(
        distributor.connect(outsider).deposit(ASSET, await dai.getAddress(), 0),
      ).to.be.revertedWithCustomError(distributor, "ZeroAmount");
      await expect(distributor.connect(outsider).deposit(ASSET, await stray.getAddress(), 1))
        .to.be.revertedWithCustomError(distributor, "TokenNotAllowed")
        .withArgs(await stray.getAddress());
      await expect(distributor.connect(outsider).deposit(99, await dai.getAddress(), 1))
        .to.be.revertedWithCustomError(distributor, "UnknownAsset")
        .withArgs(99);
      await registry.connect(governance).setAsset(ASSET, agent.address, Status.Retired, await shares.getAddress());
      await expect(distributor.connect(outsider).deposit(ASSET, await dai.getAddress(), 1))
        .to.be.revertedWithCustomError(distributor, "AssetIsRetired")
        .withArgs(ASSET);
      await expectHeld(ethers, distributor, await dai.getAddress(), 0n);
      expect(await distributor.incomeAccountingOf(ASSET, await dai.getAddress())).to.deep.equal([0n, 0n, 0n, 0n]);
    });

    it("refuses a deposit for an asset without share token or with no shares outstanding", async function () {
      const { distributor, dai, registry, governance, outsider, agent } = await networkHelpers.loadFixture(fixture);
      await registry.connect(governance).setAsset(OTHER_ASSET, agent.address, Status.Active, ETH);
      await expect(distributor.connect(outsider).deposit(OTHER_ASSET, await dai.getAddress(), 1))
        .to.be.revertedWithCustomError(distributor, "NoShareToken")
        .withArgs(OTHER_ASSET);
      const empty = await ethers.deployContract("MockAssetShares", [
        await registry.getAddress(),
        await distributor.getAddress(),
        OTHER_ASSET,
      ]);
      await registry.connect(governance).setAsset(OTHER_ASSET, agent.address, Status.Active, await empty.getAddress());
      await expect(distributor.connect(outsider).deposit(OTHER_ASSET, await dai.getAddress(), 1))
        .to.be.revertedWithCustomError(distributor, "NoShares")
        .withArgs(OTHER_ASSET);
      expect(await distributor.payoutTokensOf(OTHER_ASSET)).to.deep.equal([]);
    });

    it("keeps accruing to holders while the asset is frozen", async function () {
      const { distributor, dai, registry, governance, outsider, agent, shares, alice } =
        await networkHelpers.loadFixture(fixture);
      await registry.connect(governance).setAsset(ASSET, agent.address, Status.Frozen, await shares.getAddress());
      await distributor.connect(outsider).deposit(ASSET, await dai.getAddress(), e18(100));
      expect(await distributor.claimableOf(ASSET, await dai.getAddress(), alice.address)).to.be.gt(0n);
    });

    it("lets only the agent register an asset's payout tokens: explicitly or by its first deposit in one", async function () {
      const { distributor, governance, agent, outsider } = await networkHelpers.loadFixture(fixture);
      const t = await ethers.deployContract("MockPayoutToken", ["T", "T", 18]);
      const token = await t.getAddress();
      for (const s of [agent, outsider]) {
        await t.mint(s.address, e18(10));
        await t.connect(s).approve(await distributor.getAddress(), ethers.MaxUint256);
      }
      await expect(distributor.connect(agent).registerPayoutToken(ASSET, token))
        .to.be.revertedWithCustomError(distributor, "TokenNotAllowed")
        .withArgs(token);
      await distributor.connect(governance).setPayoutToken(token, true);
      for (const s of [governance, outsider]) {
        await expect(distributor.connect(s).registerPayoutToken(ASSET, token))
          .to.be.revertedWithCustomError(distributor, "NotAgent")
          .withArgs(ASSET, s.address);
      }
      await expect(distributor.connect(outsider).deposit(ASSET, token, e18(1)))
        .to.be.revertedWithCustomError(distributor, "TokenNotRegistered")
        .withArgs(ASSET, token);
      expect((await distributor.payoutTokensOf(ASSET)).length).to.equal(3);
      await expectHeld(ethers, distributor, await t.getAddress(), 0n);
      // The agent's first deposit registers it; then anyone may deposit in it.
      await expect(distributor.connect(agent).deposit(ASSET, token, e18(1)))
        .to.emit(distributor, "PayoutTokenRegistered")
        .withArgs(ASSET, token);
      await distributor.connect(outsider).deposit(ASSET, token, e18(1));
      await expect(distributor.connect(agent).registerPayoutToken(ASSET, token))
        .to.be.revertedWithCustomError(distributor, "AlreadyRegistered")
        .withArgs(ASSET, token);
    });

    it("accepts at most four payout tokens per asset (ETH included) and refuses a fifth", async function () {
      const { distributor, governance, agent, outsider } = await networkHelpers.loadFixture(fixture);
      const extra = [];
      for (let i = 0; i < 2; i++) {
        const t = await ethers.deployContract("MockPayoutToken", [`T${i}`, `T${i}`, 18]);
        await t.mint(agent.address, e18(10));
        await t.connect(agent).approve(await distributor.getAddress(), ethers.MaxUint256);
        await distributor.connect(governance).setPayoutToken(await t.getAddress(), true);
        extra.push(t);
      }
      await expect(distributor.connect(agent).registerPayoutToken(ASSET, await extra[0].getAddress()))
        .to.emit(distributor, "PayoutTokenRegistered")
        .withArgs(ASSET, await extra[0].getAddress());
      await expect(distributor.connect(agent).registerPayoutToken(ASSET, await extra[1].getAddress()))
        .to.be.revertedWithCustomError(distributor, "TooManyPayoutTokens")
        .withArgs(ASSET, await extra[1].getAddress());
      await expect(distributor.connect(agent).deposit(ASSET, await extra[1].getAddress(), e18(1)))
        .to.be.revertedWithCustomError(distributor, "TooManyPayoutTokens")
        .withArgs(ASSET, await extra[1].getAddress());
      expect((await distributor.payoutTokensOf(ASSET)).length).to.equal(4);
      expect(await distributor.MAX_PAYOUT_TOKENS()).to.equal(4n);
      // Registered tokens still take deposits from anyone.
      await distributor.connect(outsider).deposit(ASSET, ETH, 1000n, { value: 1000n });
    });

    it("refuses a deposit that would exceed the magnitude bounds of the per-share accounting", async function () {
      const { distributor, registry, governance, agent, dai, outsider } = await networkHelpers.loadFixture(fixture);
      const token = await dai.getAddress();
      // Holders' part of 2**128 wei or more.
      const huge = 2n ** 129n;
      await dai.mint(outsider.address, huge);
      await expect(distributor.connect(outsider).deposit(ASSET, token, huge))
        .to.be.revertedWithCustomError(distributor, "DepositTooLarge")
        .withArgs(ASSET, token);
      // Cumulative income that the accounting could not absorb if the supply then grew 2**32 times.
      const tiny = await ethers.deployContract("MockAssetShares", [
        await registry.getAddress(),
        await distributor.getAddress(),
        OTHER_ASSET,
      ]);
      await registry.connect(governance).setAsset(OTHER_ASSET, agent.address, Status.Active, await tiny.getAddress());
      await tiny.connect(agent).mint(agent.address, 1n);
      await distributor.connect(agent).registerPayoutToken(OTHER_ASSET, token);
      const limit = (2n ** 255n - 1n) >> 32n; // magnifiedPerShare ceiling for a supply of 1
      const ok = ((limit / MAG) * 10_000n) / 9_900n; // holders get 99 % (1 % protocol fee)
      await dai.mint(outsider.address, ok * 2n);
      await distributor.connect(outsider).deposit(OTHER_ASSET, token, ok);
      await expect(distributor.connect(outsider).deposit(OTHER_ASSET, token, ok))
        .to.be.revertedWithCustomError(distributor, "DepositTooLarge")
        .withArgs(OTHER_ASSET, token);
      expect((await distributor.incomeAccountingOf(OTHER_ASSET, token))[1]).to.equal(split(ok, 0n).toHolders);
    });

    it("applies the carve-out rates in force at each deposit; later rate changes never touch past deposits", async function () {
      const { distributor, dai, governance, agent, outsider, feeRecipient } = await networkHelpers.loadFixture(fixture);
      const token = await dai.getAddress();
      const first = split(e18(1000), 1_000n, 100n);
      await distributor.connect(outsider).deposit(ASSET, token, e18(1000));
      const before = await distributor.incomeAccountingOf(ASSET, token);
      await expect(distributor.connect(agent).setReserveRate(ASSET, 2_000))
        .to.emit(distributor, "ReserveRateSet")
        .withArgs(ASSET, 2_000);
      await expect(distributor.connect(governance).setProtocolFee(500))
        .to.emit(distributor, "ProtocolFeeSet")
        .withArgs(100, 500);
      // Past deposit untouched.
      expect(await distributor.reserveOf(ASSET, token)).to.equal(first.reserve);
      expect(await distributor.feesOf(ASSET, token)).to.equal(first.fee);
      expect(await distributor.incomeAccountingOf(ASSET, token)).to.deep.equal(before);
      const second = split(e18(1000), 2_000n, 500n);
      await expect(distributor.connect(outsider).deposit(ASSET, token, e18(1000)))
        .to.emit(distributor, "IncomeDeposited")
        .withArgs(ASSET, token, outsider.address, e18(1000), e18(1000), second.reserve, second.fee, second.toHolders);
      expect(await distributor.reserveOf(ASSET, token)).to.equal(first.reserve + second.reserve);
      expect(await distributor.feesOf(ASSET, token)).to.equal(first.fee + second.fee);
      expect((await distributor.incomeAccountingOf(ASSET, token))[1]).to.equal(first.toHolders + second.toHolders);
      await expect(distributor.connect(feeRecipient).claimFees(ASSET, token, feeRecipient.address))
        .to.emit(distributor, "FeesClaimed")
        .withArgs(ASSET, token, feeRecipient.address, first.fee + second.fee);
    });

    it("takes the reserve at the governance cap when the cap is lowered below an asset's rate", async function () {
      const { distributor, dai, governance, outsider } = await networkHelpers.loadFixture(fixture);
      await expect(distributor.connect(governance).setMaxReserve(500))
        .to.emit(distributor, "MaxReserveSet")
        .withArgs(RESERVE_CAP_BPS, 500);
      await distributor.connect(outsider).deposit(ASSET, await dai.getAddress(), e18(100));
      expect(await distributor.reserveOf(ASSET, await dai.getAddress())).to.equal(split(e18(100), 500n).reserve);
      expect(await distributor.reserveRateOf(ASSET)).to.equal(RESERVE_BPS);
    });

    it("records the rounding remainder of each deposit so that holders never get more than was deposited", async function () {
      const { distributor, shares, usdc, agent, alice, bob, carol, outsider } =
        await networkHelpers.loadFixture(fixture);
      await shares.connect(agent).mint(carol.address, 1n); // supply 100e18 + 1: nothing divides evenly
      const token = await usdc.getAddress();
      let total = 0n;
      const splits = carriedSplit();
      for (const amount of [7n, 1_000_003n, 13n, e6(5) + 1n]) {
        total += splits.next(amount).toHolders;
        await distributor.connect(outsider).deposit(ASSET, token, amount);
      }
      const [, distributed, , remainder] = await distributor.incomeAccountingOf(ASSET, token);
      expect(distributed).to.equal(total);
      expect(remainder).to.be.lt((await shares.totalSupply()) * 4n); // < supply per deposit, magnified
      let sum = 0n;
      for (const h of [alice, bob, carol]) sum += await distributor.claimableOf(ASSET, token, h.address);
      expect(sum).to.be.lte(total);
      expect(total - sum).to.be.lte(3n); // below one wei per holder
    });
  });

  describe("claims", function () {
    it("pays the caller's income to another address and records it", async function () {
      const { distributor, dai, alice, carol, outsider } = await networkHelpers.loadFixture(fixture);
      const token = await dai.getAddress();
      await distributor.connect(outsider).deposit(ASSET, token, e18(1000));
      const owed = await distributor.claimableOf(ASSET, token, alice.address);
      const carolBefore = await dai.balanceOf(carol.address);
      await expect(distributor.connect(alice).claim(ASSET, token, carol.address))
        .to.emit(distributor, "IncomeClaimed")
        .withArgs(ASSET, token, alice.address, carol.address, owed);
      expect(await dai.balanceOf(carol.address)).to.equal(carolBefore + owed);
      expect(await distributor.claimableOf(ASSET, token, alice.address)).to.equal(0n);
      expect(await distributor.withdrawnOf(ASSET, token, alice.address)).to.equal(owed);
      expect((await distributor.incomeAccountingOf(ASSET, token))[2]).to.equal(owed);
    });

    it("refuses a second claim with NothingToClaim and changes nothing", async function () {
      const { distributor, dai, alice, outsider } = await networkHelpers.loadFixture(fixture);
      const token = await dai.getAddress();
      await distributor.connect(outsider).deposit(ASSET, token, e18(1000));
      await distributor.connect(alice).claim(ASSET, token, alice.address);
      const accounting = await distributor.incomeAccountingOf(ASSET, token);
      const balance = await dai.balanceOf(alice.address);
      await expect(distributor.connect(alice).claim(ASSET, token, alice.address))
        .to.be.revertedWithCustomError(distributor, "NothingToClaim")
        .withArgs(ASSET, token, alice.address);
      expect(await distributor.incomeAccountingOf(ASSET, token)).to.deep.equal(accounting);
      expect(await dai.balanceOf(alice.address)).to.equal(balance);
    });

    it("keeps each payout token's income apart by its place in the asset's list, through a share move", async function () {
      const { distributor, dai, usdc, shares, alice, bob, outsider, governance } =
        await networkHelpers.loadFixture(fixture);
      // DAI is token 0, USDC token 1, ETH token 2; income arrives in USDC and ETH only.
      const u = await usdc.getAddress();
      await distributor.connect(outsider).deposit(ASSET, u, 1_000_000n);
      await distributor.connect(outsider).deposit(ASSET, ETH, e18(1), { value: e18(1) });
      // Alice moves 20 of her 60 shares to Bob: what each accrued before the move stays theirs.
      await shares.connect(alice).transfer(bob.address, e18(20));
      await distributor.connect(outsider).deposit(ASSET, u, 1_000_000n);
      const usdcToHolders = split(1_000_000n).toHolders;
      const ethToHolders = split(e18(1)).toHolders;
      const aliceUsdc = await distributor.claimableOf(ASSET, u, alice.address);
      expect(isFloorOf(aliceUsdc, usdcToHolders * 60n + usdcToHolders * 40n, 100n, 2n)).to.equal(true);
      expect(isFloorOf(await distributor.claimableOf(ASSET, ETH, alice.address), ethToHolders * 60n, 100n)).to.equal(
        true,
      );
      // Token 0 (DAI) received nothing: nothing to claim in it, its claim refused.
      const d = await dai.getAddress();
      expect(await distributor.claimableOf(ASSET, d, alice.address)).to.equal(0n);
      await expect(distributor.connect(alice).claim(ASSET, d, alice.address))
        .to.be.revertedWithCustomError(distributor, "NothingToClaim")
        .withArgs(ASSET, d, alice.address);
      // A token the asset never registered: nothing claimable, nothing withdrawn, no accounting.
      const other = await ethers.deployContract("MockPayoutToken", ["Other", "OTH", 18]);
      await distributor.connect(governance).setPayoutToken(await other.getAddress(), true);
      const o = await other.getAddress();
      expect(await distributor.claimableOf(ASSET, o, alice.address)).to.equal(0n);
      expect(await distributor.withdrawnOf(ASSET, o, alice.address)).to.equal(0n);
      expect(await distributor.incomeAccountingOf(ASSET, o)).to.deep.equal([0n, 0n, 0n, 0n]);
      await expect(distributor.connect(alice).claim(ASSET, o, alice.address))
        .to.be.revertedWithCustomError(distributor, "NothingToClaim")
        .withArgs(ASSET, o, alice.address);
      // Claims pay exactly what was claimable, in its own token, and record it as withdrawn.
      await expect(distributor.connect(alice).claim(ASSET, u, alice.address))
        .to.emit(distributor, "IncomeClaimed")
        .withArgs(ASSET, u, alice.address, alice.address, aliceUsdc);
      expect(await distributor.withdrawnOf(ASSET, u, alice.address)).to.equal(aliceUsdc);
      expect(await distributor.withdrawnOf(ASSET, ETH, alice.address)).to.equal(0n);
      expect((await distributor.incomeAccountingOf(ASSET, u))[2]).to.equal(aliceUsdc);
    });

    it("refuses a claim by someone who never held shares, and a claim to the zero address", async function () {
      const { distributor, dai, alice, outsider } = await networkHelpers.loadFixture(fixture);
      const token = await dai.getAddress();
      await expect(distributor.connect(alice).claim(ASSET, token, alice.address))
        .to.be.revertedWithCustomError(distributor, "NothingToClaim")
        .withArgs(ASSET, token, alice.address);
      await distributor.connect(outsider).deposit(ASSET, token, e18(1000));
      await expect(distributor.connect(outsider).claim(ASSET, token, outsider.address))
        .to.be.revertedWithCustomError(distributor, "NothingToClaim")
        .withArgs(ASSET, token, outsider.address);
      const owed = await distributor.claimableOf(ASSET, token, alice.address);
      await expect(distributor.connect(alice).claim(ASSET, token, ETH)).to.be.revertedWithCustomError(
        distributor,
        "ZeroAddress",
      );
      expect(await distributor.claimableOf(ASSET, token, alice.address)).to.equal(owed);
    });

    it("pays ETH income; a reverting receiver fails only that claim and the income stays claimable elsewhere", async function () {
      const { distributor, shares, agent, outsider, carol } = await networkHelpers.loadFixture(fixture);
      const receiver = await ethers.deployContract("RevertingReceiver");
      const r = await receiver.getAddress();
      await shares.connect(agent).mint(r, e18(100));
      await distributor.connect(outsider).deposit(ASSET, ETH, e18(2), { value: e18(2) });
      const owed = await distributor.claimableOf(ASSET, ETH, r);
      expect(owed).to.be.gt(0n);
      await expect(receiver.claim(await distributor.getAddress(), ASSET, ETH, r))
        .to.be.revertedWithCustomError(distributor, "EthTransferFailed")
        .withArgs(r, owed);
      expect(await distributor.claimableOf(ASSET, ETH, r)).to.equal(owed);
      const before = await ethers.provider.getBalance(carol.address);
      await receiver.claim(await distributor.getAddress(), ASSET, ETH, carol.address);
      expect(await ethers.provider.getBalance(carol.address)).to.equal(before + owed);
      expect(await distributor.claimableOf(ASSET, ETH, r)).to.equal(0n);
    });

    it("lets a blocklisted holder claim to another address", async function () {
      const { distributor, governance, agent, outsider, alice, carol } = await networkHelpers.loadFixture(fixture);
      const busd = await ethers.deployContract("BlocklistToken");
      const token = await busd.getAddress();
      await distributor.connect(governance).setPayoutToken(token, true);
      await distributor.connect(agent).registerPayoutToken(ASSET, token);
      await busd.mint(outsider.address, e6(1000));
      await busd.connect(outsider).approve(await distributor.getAddress(), ethers.MaxUint256);
      await distributor.connect(outsider).deposit(ASSET, token, e6(1000));
      await busd.setBlocked(alice.address, true);
      const owed = await distributor.claimableOf(ASSET, token, alice.address);
      await expect(distributor.connect(alice).claim(ASSET, token, alice.address))
        .to.be.revertedWithCustomError(busd, "Blocked")
        .withArgs(alice.address);
      expect(await distributor.claimableOf(ASSET, token, alice.address)).to.equal(owed);
      await distributor.connect(alice).claim(ASSET, token, carol.address);
      expect(await busd.balanceOf(carol.address)).to.equal(owed);
    });

    it("claims each payout token independently", async function () {
      const { distributor, dai, usdc, alice, outsider } = await networkHelpers.loadFixture(fixture);
      await distributor.connect(outsider).deposit(ASSET, await dai.getAddress(), e18(10));
      await distributor.connect(outsider).deposit(ASSET, await usdc.getAddress(), e6(10));
      const owedUsdc = await distributor.claimableOf(ASSET, await usdc.getAddress(), alice.address);
      await distributor.connect(alice).claim(ASSET, await dai.getAddress(), alice.address);
      expect(await distributor.claimableOf(ASSET, await usdc.getAddress(), alice.address)).to.equal(owedUsdc);
    });
  });

  describe("share movements keep accrual exact", function () {
    it("a transfer between deposits leaves past accrual with the sender and future accrual with the holder", async function () {
      const { distributor, shares, dai, alice, bob, carol, outsider } = await networkHelpers.loadFixture(fixture);
      const token = await dai.getAddress();
      const d1 = split(e18(1000)).toHolders;
      await distributor.connect(outsider).deposit(ASSET, token, e18(1000));
      const aliceAfter1 = await distributor.claimableOf(ASSET, token, alice.address);
      await shares.connect(alice).transfer(carol.address, e18(30));
      expect(await distributor.claimableOf(ASSET, token, alice.address)).to.equal(aliceAfter1);
      expect(await distributor.claimableOf(ASSET, token, carol.address)).to.equal(0n);
      const d2 = split(e18(500)).toHolders;
      await distributor.connect(outsider).deposit(ASSET, token, e18(500));
      expect(isFloorOf(await distributor.claimableOf(ASSET, token, alice.address), d1 * 60n + d2 * 30n, 100n)).to.equal(
        true,
      );
      expect(isFloorOf(await distributor.claimableOf(ASSET, token, carol.address), d2 * 30n, 100n)).to.equal(true);
      expect(isFloorOf(await distributor.claimableOf(ASSET, token, bob.address), (d1 + d2) * 40n, 100n)).to.equal(true);
    });

    it("a mint accrues to the new holder only from the next deposit on; a burn keeps what was accrued", async function () {
      const { distributor, shares, dai, agent, alice, bob, carol, outsider } =
        await networkHelpers.loadFixture(fixture);
      const token = await dai.getAddress();
      const d1 = split(e18(1000)).toHolders;
      await distributor.connect(outsider).deposit(ASSET, token, e18(1000));
      await shares.connect(agent).mint(carol.address, e18(100)); // supply 200
      expect(await distributor.claimableOf(ASSET, token, carol.address)).to.equal(0n);
      const bobBefore = await distributor.claimableOf(ASSET, token, bob.address);
      await shares.connect(agent).burn(bob.address, e18(40)); // supply 160
      expect(await distributor.claimableOf(ASSET, token, bob.address)).to.equal(bobBefore);
      const d2 = split(e18(800)).toHolders;
      await distributor.connect(outsider).deposit(ASSET, token, e18(800));
      expect(isFloorOf(await distributor.claimableOf(ASSET, token, carol.address), d2 * 100n, 160n)).to.equal(true);
      expect(
        isFloorOf(
          await distributor.claimableOf(ASSET, token, alice.address),
          d1 * 60n * 160n + d2 * 60n * 100n,
          16_000n,
        ),
      ).to.equal(true);
      expect(isFloorOf(await distributor.claimableOf(ASSET, token, bob.address), d1 * 40n, 100n)).to.equal(true);
    });

    it("a forced transfer moves shares but not the income accrued before it", async function () {
      const { distributor, shares, dai, agent, alice, carol, outsider } = await networkHelpers.loadFixture(fixture);
      const token = await dai.getAddress();
      await distributor.connect(outsider).deposit(ASSET, token, e18(1000));
      const owed = await distributor.claimableOf(ASSET, token, alice.address);
      await shares.connect(agent).forcedTransfer(alice.address, carol.address, e18(60));
      expect(await distributor.claimableOf(ASSET, token, alice.address)).to.equal(owed);
      expect(await distributor.claimableOf(ASSET, token, carol.address)).to.equal(0n);
      await distributor.connect(alice).claim(ASSET, token, alice.address);
    });

    it("recovery moves the lost wallet's whole unclaimed income, in every token, to the replacement", async function () {
      const { distributor, shares, dai, usdc, agent, alice, dave, outsider } =
        await networkHelpers.loadFixture(fixture);
      const d = await dai.getAddress();
      const u = await usdc.getAddress();
      await distributor.connect(outsider).deposit(ASSET, d, e18(1000));
      await distributor.connect(outsider).deposit(ASSET, u, e6(1000));
      await distributor.connect(alice).claim(ASSET, d, alice.address); // partly claimed already
      await distributor.connect(outsider).deposit(ASSET, d, e18(500));
      const owedD = await distributor.claimableOf(ASSET, d, alice.address);
      const owedU = await distributor.claimableOf(ASSET, u, alice.address);
      await expect(shares.connect(agent).recover(alice.address, dave.address))
        .to.emit(distributor, "EntitlementMoved")
        .withArgs(ASSET, d, alice.address, dave.address, owedD)
        .and.to.emit(distributor, "EntitlementMoved")
        .withArgs(ASSET, u, alice.address, dave.address, owedU);
      expect(await shares.balanceOf(dave.address)).to.equal(e18(60));
      expect(await distributor.claimableOf(ASSET, d, alice.address)).to.equal(0n);
      expect(await distributor.claimableOf(ASSET, u, alice.address)).to.equal(0n);
      expect(await distributor.claimableOf(ASSET, d, dave.address)).to.equal(owedD);
      expect(await distributor.claimableOf(ASSET, u, dave.address)).to.equal(owedU);
      await expect(distributor.connect(alice).claim(ASSET, d, alice.address)).to.be.revertedWithCustomError(
        distributor,
        "NothingToClaim",
      );
      // Future income follows the shares.
      const d3 = split(e18(100)).toHolders;
      await distributor.connect(outsider).deposit(ASSET, d, e18(100));
      expect(await distributor.claimableOf(ASSET, d, alice.address)).to.equal(0n);
      expect(await distributor.claimableOf(ASSET, d, dave.address)).to.be.gte(owedD + (d3 * 60n) / 100n - 1n);
    });

    it("a recovery onto the same wallet changes nothing", async function () {
      const { distributor, shares, dai, agent, alice, outsider } = await networkHelpers.loadFixture(fixture);
      await distributor.connect(outsider).deposit(ASSET, await dai.getAddress(), e18(10));
      const owed = await distributor.claimableOf(ASSET, await dai.getAddress(), alice.address);
      await expect(shares.connect(agent).recover(alice.address, alice.address)).not.to.emit(
        distributor,
        "EntitlementMoved",
      );
      expect(await distributor.claimableOf(ASSET, await dai.getAddress(), alice.address)).to.equal(owed);
      expect(await shares.balanceOf(alice.address)).to.equal(e18(60));
    });

    it("refuses a recovery to the zero address", async function () {
      const { distributor, shares, dai, agent, alice, outsider } = await networkHelpers.loadFixture(fixture);
      await distributor.connect(outsider).deposit(ASSET, await dai.getAddress(), e18(10));
      const owed = await distributor.claimableOf(ASSET, await dai.getAddress(), alice.address);
      await expect(shares.connect(agent).recover(alice.address, ETH)).to.be.revertedWithCustomError(
        distributor,
        "ZeroAddress",
      );
      expect(await distributor.claimableOf(ASSET, await dai.getAddress(), alice.address)).to.equal(owed);
    });

    it("costs the same gas to claim with 2 holders as with 60 (O(1) claim)", async function () {
      const { distributor, shares, dai, agent, alice, outsider } = await networkHelpers.loadFixture(fixture);
      const token = await dai.getAddress();
      const claimGas = async () => {
        await distributor.connect(outsider).deposit(ASSET, token, e18(10));
        const r = await (await distributor.connect(alice).claim(ASSET, token, alice.address)).wait();
        return r!.gasUsed;
      };
      await claimGas(); // first claim creates alice's slots
      const few = await claimGas();
      const others = Array.from({ length: 58 }, (_, i) =>
        ethers.getAddress("0x" + (0x5000 + i).toString(16).padStart(40, "0")),
      );
      await shares.connect(agent).batchMint(others, e18(1));
      expect(await claimGas()).to.equal(few);
    });

    it("accepts hook calls only from the asset's share token", async function () {
      const { distributor, outsider, alice, bob } = await networkHelpers.loadFixture(fixture);
      await expect(distributor.connect(outsider).onSharesTransfer(ASSET, alice.address, bob.address, 1))
        .to.be.revertedWithCustomError(distributor, "NotShareToken")
        .withArgs(ASSET, outsider.address);
      await expect(distributor.connect(outsider).onRecovery(ASSET, alice.address, bob.address))
        .to.be.revertedWithCustomError(distributor, "NotShareToken")
        .withArgs(ASSET, outsider.address);
      // An asset without share token: even address(0) cannot pass.
      await expect(distributor.connect(outsider).onSharesTransfer(77, alice.address, bob.address, 1))
        .to.be.revertedWithCustomError(distributor, "NotShareToken")
        .withArgs(77, outsider.address);
    });
  });

  describe("reserve and fees", function () {
    it("lets the reserve spender move reserve to a work order, and refuses more than the reserve", async function () {
      const { distributor, dai, spender, outsider, carol } = await networkHelpers.loadFixture(fixture);
      const token = await dai.getAddress();
      await distributor.connect(outsider).deposit(ASSET, token, e18(1000));
      const reserve = split(e18(1000)).reserve;
      await expect(distributor.connect(spender).withdrawReserve(ASSET, token, reserve + 1n, carol.address))
        .to.be.revertedWithCustomError(distributor, "InsufficientReserve")
        .withArgs(ASSET, token, reserve + 1n, reserve);
      await expect(
        distributor.connect(spender).withdrawReserve(ASSET, token, 0, carol.address),
      ).to.be.revertedWithCustomError(distributor, "ZeroAmount");
      await expect(distributor.connect(spender).withdrawReserve(ASSET, token, 1, ETH)).to.be.revertedWithCustomError(
        distributor,
        "ZeroAddress",
      );
      expect(await distributor.reserveOf(ASSET, token)).to.equal(reserve);
      const before = await dai.balanceOf(carol.address);
      await expect(distributor.connect(spender).withdrawReserve(ASSET, token, e18(30), carol.address))
        .to.emit(distributor, "ReserveWithdrawn")
        .withArgs(ASSET, token, spender.address, carol.address, e18(30));
      expect(await distributor.reserveOf(ASSET, token)).to.equal(reserve - e18(30));
      expect(await dai.balanceOf(carol.address)).to.equal(before + e18(30));
    });

    it("withdraws ETH reserve", async function () {
      const { distributor, spender, outsider, dave } = await networkHelpers.loadFixture(fixture);
      await distributor.connect(outsider).deposit(ASSET, ETH, e18(10), { value: e18(10) });
      const before = await ethers.provider.getBalance(dave.address);
      await distributor.connect(spender).withdrawReserve(ASSET, ETH, e18(1), dave.address);
      expect(await ethers.provider.getBalance(dave.address)).to.equal(before + e18(1));
      expect(await distributor.reserveOf(ASSET, ETH)).to.equal(0n);
    });

    it("refuses reserve withdrawals by anyone without RESERVE_SPENDER_ROLE, including governance and the agent", async function () {
      const { distributor, dai, governance, agent, outsider } = await networkHelpers.loadFixture(fixture);
      const token = await dai.getAddress();
      await distributor.connect(outsider).deposit(ASSET, token, e18(1000));
      const role = await distributor.RESERVE_SPENDER_ROLE();
      for (const s of [governance, agent, outsider]) {
        await expect(distributor.connect(s).withdrawReserve(ASSET, token, 1, s.address))
          .to.be.revertedWithCustomError(distributor, "AccessControlUnauthorizedAccount")
          .withArgs(s.address, role);
      }
      expect(await distributor.reserveOf(ASSET, token)).to.equal(split(e18(1000)).reserve);
    });

    it("pays protocol fees only to the fee recipient, once", async function () {
      const { distributor, dai, feeRecipient, outsider, governance } = await networkHelpers.loadFixture(fixture);
      const token = await dai.getAddress();
      await distributor.connect(outsider).deposit(ASSET, token, e18(1000));
      const fee = split(e18(1000)).fee;
      await expect(distributor.connect(governance).claimFees(ASSET, token, governance.address))
        .to.be.revertedWithCustomError(distributor, "NotFeeRecipient")
        .withArgs(governance.address);
      await expect(distributor.connect(feeRecipient).claimFees(ASSET, token, ETH)).to.be.revertedWithCustomError(
        distributor,
        "ZeroAddress",
      );
      await distributor.connect(feeRecipient).claimFees(ASSET, token, feeRecipient.address);
      expect(await dai.balanceOf(feeRecipient.address)).to.equal(fee);
      expect(await distributor.feesOf(ASSET, token)).to.equal(0n);
      await expect(distributor.connect(feeRecipient).claimFees(ASSET, token, feeRecipient.address))
        .to.be.revertedWithCustomError(distributor, "NothingToClaim")
        .withArgs(ASSET, token, feeRecipient.address);
    });
  });

  describe("access control", function () {
    it("reserves governance settings to DEFAULT_ADMIN_ROLE", async function () {
      const { distributor, dai, agent, outsider } = await networkHelpers.loadFixture(fixture);
      const admin = await distributor.DEFAULT_ADMIN_ROLE();
      const calls = [
        (s: typeof agent) => distributor.connect(s).setPayoutToken(dai.getAddress(), false),
        (s: typeof agent) => distributor.connect(s).setProtocolFee(0),
        (s: typeof agent) => distributor.connect(s).setMaxReserve(0),
        (s: typeof agent) => distributor.connect(s).setFeeRecipient(s.address),
        (s: typeof agent) => distributor.connect(s).sweepBuyoutDust(ASSET, s.address),
      ];
      for (const s of [agent, outsider]) {
        for (const call of calls) {
          await expect(call(s))
            .to.be.revertedWithCustomError(distributor, "AccessControlUnauthorizedAccount")
            .withArgs(s.address, admin);
        }
      }
      expect(await distributor.isPayoutToken(await dai.getAddress())).to.equal(true);
      expect(await distributor.protocolFeeBps()).to.equal(FEE_BPS);
    });

    it("lets governance change the settings within bounds, with events", async function () {
      const { distributor, dai, governance, carol } = await networkHelpers.loadFixture(fixture);
      await expect(distributor.connect(governance).setPayoutToken(dai.getAddress(), false))
        .to.emit(distributor, "PayoutTokenSet")
        .withArgs(await dai.getAddress(), false);
      await expect(distributor.connect(governance).setPayoutToken(ETH, true)).to.be.revertedWithCustomError(
        distributor,
        "ZeroAddress",
      );
      await expect(distributor.connect(governance).setProtocolFee(1001))
        .to.be.revertedWithCustomError(distributor, "FeeAboveCap")
        .withArgs(1001, 1000);
      await expect(distributor.connect(governance).setMaxReserve(5001))
        .to.be.revertedWithCustomError(distributor, "ReserveCapAboveCeiling")
        .withArgs(5001, 5000);
      await expect(distributor.connect(governance).setFeeRecipient(ETH)).to.be.revertedWithCustomError(
        distributor,
        "ZeroAddress",
      );
      await expect(distributor.connect(governance).setFeeRecipient(carol.address))
        .to.emit(distributor, "FeeRecipientSet")
        .withArgs(await distributor.feeRecipient(), carol.address);
      expect(await distributor.protocolFeeBps()).to.equal(FEE_BPS);
      expect(await distributor.maxReserveBps()).to.equal(RESERVE_CAP_BPS);
    });

    it("lets only the asset's agent set its reserve rate, within the cap", async function () {
      const { distributor, agent, governance, outsider } = await networkHelpers.loadFixture(fixture);
      for (const s of [governance, outsider]) {
        await expect(distributor.connect(s).setReserveRate(ASSET, 5))
          .to.be.revertedWithCustomError(distributor, "NotAgent")
          .withArgs(ASSET, s.address);
      }
      await expect(distributor.connect(agent).setReserveRate(ASSET, Number(RESERVE_CAP_BPS) + 1))
        .to.be.revertedWithCustomError(distributor, "ReserveAboveCap")
        .withArgs(RESERVE_CAP_BPS + 1n, RESERVE_CAP_BPS);
      expect(await distributor.reserveRateOf(ASSET)).to.equal(RESERVE_BPS);
    });
  });

  describe("buyout and redemption", function () {
    async function retired() {
      const f = await fixture();
      const token = await f.usdc.getAddress();
      await f.distributor.connect(f.outsider).deposit(ASSET, token, e6(1000)); // unclaimed income
      await f.distributor.connect(f.agent).depositBuyout(ASSET, token, e6(1_000_000));
      return { ...f, token };
    }

    it("lets only the agent deposit the proceeds, which retires the asset and snapshots the supply", async function () {
      const { distributor, usdc, agent, outsider, governance, registry } = await networkHelpers.loadFixture(fixture);
      const token = await usdc.getAddress();
      for (const s of [outsider, governance]) {
        await expect(distributor.connect(s).depositBuyout(ASSET, token, e6(1)))
          .to.be.revertedWithCustomError(distributor, "NotAgent")
          .withArgs(ASSET, s.address);
      }
      await expect(distributor.connect(agent).depositBuyout(ASSET, token, 0)).to.be.revertedWithCustomError(
        distributor,
        "ZeroAmount",
      );
      const stray = await ethers.deployContract("MockPayoutToken", ["Stray", "STR", 18]);
      await expect(distributor.connect(agent).depositBuyout(ASSET, await stray.getAddress(), 1))
        .to.be.revertedWithCustomError(distributor, "TokenNotAllowed")
        .withArgs(await stray.getAddress());
      await expect(distributor.connect(agent).depositBuyout(ASSET, ETH, 5, { value: 4 }))
        .to.be.revertedWithCustomError(distributor, "EthAmountMismatch")
        .withArgs(5, 4);
      expect(await registry.statusOf(ASSET)).to.equal(Status.Active);
      await expect(distributor.connect(agent).depositBuyout(ASSET, token, e6(1_000_000)))
        .to.emit(distributor, "BuyoutDeposited")
        .withArgs(ASSET, token, agent.address, e6(1_000_000), e6(1_000_000), e18(100))
        .and.to.emit(registry, "AssetRetired")
        .withArgs(ASSET);
      expect(await registry.statusOf(ASSET)).to.equal(Status.Retired);
      const b = await distributor.buyoutOf(ASSET);
      expect(b.proceeds).to.equal(e6(1_000_000));
      expect(b.supplyAtRetire).to.equal(e18(100));
      await expect(distributor.connect(agent).depositBuyout(ASSET, token, e6(1)))
        .to.be.revertedWithCustomError(distributor, "AssetIsRetired")
        .withArgs(ASSET);
    });

    it("refuses a buyout of an asset without shares outstanding", async function () {
      const { distributor, registry, usdc, governance, agent } = await networkHelpers.loadFixture(fixture);
      const empty = await ethers.deployContract("MockAssetShares", [
        await registry.getAddress(),
        await distributor.getAddress(),
        OTHER_ASSET,
      ]);
      await registry.connect(governance).setAsset(OTHER_ASSET, agent.address, Status.Active, await empty.getAddress());
      await expect(distributor.connect(agent).depositBuyout(OTHER_ASSET, await usdc.getAddress(), e6(5)))
        .to.be.revertedWithCustomError(distributor, "NoShares")
        .withArgs(OTHER_ASSET);
      expect(await registry.statusOf(OTHER_ASSET)).to.equal(Status.Active);
    });

    it("refuses a buyout while the asset is leased (the registry refuses to retire), changing nothing", async function () {
      const { distributor, usdc, agent, registry, governance } = await networkHelpers.loadFixture(fixture);
      await registry.connect(governance).grantRole(await registry.LEASE_MANAGER_ROLE(), governance.address);
      const until = (await networkHelpers.time.latest()) + 1000;
      await registry.connect(governance).setLease(ASSET, until);
      await expect(distributor.connect(agent).depositBuyout(ASSET, await usdc.getAddress(), e6(5)))
        .to.be.revertedWithCustomError(registry, "AssetLeased")
        .withArgs(ASSET, until);
      expect((await distributor.buyoutOf(ASSET)).supplyAtRetire).to.equal(0n);
      await expectHeld(ethers, distributor, await usdc.getAddress(), 0n);
    });

    it("refuses a buyout when this contract lacks BUYOUT_ROLE in the registry", async function () {
      const { distributor, usdc, agent, registry, governance } = await networkHelpers.loadFixture(fixture);
      const role = await registry.BUYOUT_ROLE();
      await registry.connect(governance).revokeRole(role, await distributor.getAddress());
      await expect(distributor.connect(agent).depositBuyout(ASSET, await usdc.getAddress(), e6(5)))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(await distributor.getAddress(), role);
    });

    it("redeems a holder's whole balance for its pro-rata proceeds plus all its unclaimed income, in one call", async function () {
      const { distributor, shares, usdc, token, alice, carol } = await networkHelpers.loadFixture(retired);
      const income = await distributor.claimableOf(ASSET, token, alice.address);
      const proceeds = (e6(1_000_000) * 60n) / 100n;
      const before = await usdc.balanceOf(carol.address);
      await expect(distributor.connect(alice).redeem(ASSET, carol.address))
        .to.emit(distributor, "Redeemed")
        .withArgs(ASSET, alice.address, carol.address, e18(60), proceeds)
        .and.to.emit(distributor, "IncomeClaimed")
        .withArgs(ASSET, token, alice.address, carol.address, income);
      expect(await usdc.balanceOf(carol.address)).to.equal(before + proceeds + income);
      expect(await shares.balanceOf(alice.address)).to.equal(0n);
      expect(await distributor.claimableOf(ASSET, token, alice.address)).to.equal(0n);
      const b = await distributor.buyoutOf(ASSET);
      expect(b.redeemedShares).to.equal(e18(60));
      expect(b.paid).to.equal(proceeds);
      await expect(distributor.connect(alice).redeem(ASSET, alice.address))
        .to.be.revertedWithCustomError(distributor, "NothingToRedeem")
        .withArgs(ASSET, alice.address);
      await expect(distributor.connect(alice).redeem(ASSET, ETH)).to.be.revertedWithCustomError(
        distributor,
        "ZeroAddress",
      );
    });

    it("pays income in other tokens alongside the proceeds; a failing payment reverts the whole redemption", async function () {
      const { distributor, shares, dai, usdc, agent, alice, carol, outsider } =
        await networkHelpers.loadFixture(fixture);
      const d = await dai.getAddress();
      await distributor.connect(outsider).deposit(ASSET, d, e18(100));
      await distributor.connect(outsider).deposit(ASSET, ETH, e18(1), { value: e18(1) });
      await distributor.connect(agent).depositBuyout(ASSET, await usdc.getAddress(), e6(1000));
      const incomeDai = await distributor.claimableOf(ASSET, d, alice.address);
      const incomeEth = await distributor.claimableOf(ASSET, ETH, alice.address);
      const receiver = await ethers.deployContract("RevertingReceiver");
      await expect(distributor.connect(alice).redeem(ASSET, await receiver.getAddress()))
        .to.be.revertedWithCustomError(distributor, "EthTransferFailed")
        .withArgs(await receiver.getAddress(), incomeEth);
      expect(await shares.balanceOf(alice.address)).to.equal(e18(60));
      expect((await distributor.buyoutOf(ASSET)).redeemedShares).to.equal(0n);
      const ethBefore = await ethers.provider.getBalance(carol.address);
      const daiBefore = await dai.balanceOf(carol.address);
      await distributor.connect(alice).redeem(ASSET, carol.address);
      expect(await usdc.balanceOf(carol.address)).to.equal(e18(1_000_000_000) + e6(600));
      expect(await dai.balanceOf(carol.address)).to.equal(daiBefore + incomeDai);
      expect(await ethers.provider.getBalance(carol.address)).to.equal(ethBefore + incomeEth);
    });

    it("refuses to pay for shares a faulty share token did not burn, or beyond the retirement snapshot", async function () {
      const { distributor, registry, usdc, governance, agent, alice, bob, carol } =
        await networkHelpers.loadFixture(fixture);
      const faulty = await ethers.deployContract("FaultyAssetShares", [await distributor.getAddress(), OTHER_ASSET]);
      await registry.connect(governance).setAsset(OTHER_ASSET, agent.address, Status.Active, await faulty.getAddress());
      await faulty.mint(alice.address, e18(60));
      await faulty.mint(bob.address, e18(40));
      await distributor.connect(agent).depositBuyout(OTHER_ASSET, await usdc.getAddress(), e6(1000));
      await faulty.mint(carol.address, e18(50)); // after retirement: beyond the snapshot
      await faulty.setBurnHalf(true);
      await expect(distributor.connect(alice).redeem(OTHER_ASSET, alice.address))
        .to.be.revertedWithCustomError(distributor, "RedeemMismatch")
        .withArgs(e18(60), e18(30));
      await faulty.setBurnHalf(false);
      await distributor.connect(alice).redeem(OTHER_ASSET, alice.address);
      await distributor.connect(bob).redeem(OTHER_ASSET, bob.address);
      await expect(distributor.connect(carol).redeem(OTHER_ASSET, carol.address))
        .to.be.revertedWithCustomError(distributor, "RedeemExceedsSnapshot")
        .withArgs(OTHER_ASSET);
      const b = await distributor.buyoutOf(OTHER_ASSET);
      expect(b.paid).to.equal(e6(1000));
      expect(b.redeemedShares).to.equal(e18(100));
    });

    it("refuses to redeem before the asset is bought out", async function () {
      const { distributor, alice } = await networkHelpers.loadFixture(fixture);
      await expect(distributor.connect(alice).redeem(ASSET, alice.address))
        .to.be.revertedWithCustomError(distributor, "NotRetired")
        .withArgs(ASSET);
    });

    it("refuses further income deposits after retirement, while income accrued before stays claimable", async function () {
      const { distributor, token, outsider, bob } = await networkHelpers.loadFixture(retired);
      await expect(distributor.connect(outsider).deposit(ASSET, token, e6(1)))
        .to.be.revertedWithCustomError(distributor, "AssetIsRetired")
        .withArgs(ASSET);
      await distributor.connect(bob).claim(ASSET, token, bob.address);
      // Bob's later redemption pays proceeds only.
      await expect(distributor.connect(bob).redeem(ASSET, bob.address)).not.to.emit(distributor, "IncomeClaimed");
    });

    it("accounts the rounding dust of the last redeemer; governance sweeps only the dust, only after every share is redeemed", async function () {
      const { distributor, shares, usdc, agent, alice, bob, carol, governance, outsider } =
        await networkHelpers.loadFixture(fixture);
      await shares.connect(agent).mint(carol.address, e18(1)); // supply 101
      const token = await usdc.getAddress();
      const proceeds = e6(1000) + 1n;
      await distributor.connect(agent).depositBuyout(ASSET, token, proceeds);
      await distributor.connect(alice).redeem(ASSET, alice.address);
      await distributor.connect(bob).redeem(ASSET, bob.address);
      await expect(distributor.connect(governance).sweepBuyoutDust(ASSET, governance.address))
        .to.be.revertedWithCustomError(distributor, "SharesOutstanding")
        .withArgs(ASSET, e18(1));
      await distributor.connect(carol).redeem(ASSET, carol.address);
      const paid = (proceeds * e18(60)) / e18(101) + (proceeds * e18(40)) / e18(101) + (proceeds * e18(1)) / e18(101);
      const dust = proceeds - paid;
      expect(dust).to.be.gt(0n);
      expect(await distributor.buyoutRemainingOf(ASSET)).to.equal(dust);
      await expect(
        distributor.connect(outsider).sweepBuyoutDust(ASSET, outsider.address),
      ).to.be.revertedWithCustomError(distributor, "AccessControlUnauthorizedAccount");
      await expect(distributor.connect(governance).sweepBuyoutDust(ASSET, ETH)).to.be.revertedWithCustomError(
        distributor,
        "ZeroAddress",
      );
      await expect(distributor.connect(governance).sweepBuyoutDust(ASSET, governance.address))
        .to.emit(distributor, "BuyoutDustSwept")
        .withArgs(ASSET, token, governance.address, dust);
      expect(await distributor.buyoutRemainingOf(ASSET)).to.equal(0n);
      await expect(distributor.connect(governance).sweepBuyoutDust(ASSET, governance.address))
        .to.be.revertedWithCustomError(distributor, "NoDust")
        .withArgs(ASSET);
      await expect(distributor.connect(governance).sweepBuyoutDust(OTHER_ASSET, governance.address))
        .to.be.revertedWithCustomError(distributor, "NotRetired")
        .withArgs(OTHER_ASSET);
      // Every wei of the proceeds is accounted: paid to holders plus swept dust.
      await expectHeld(ethers, distributor, await usdc.getAddress(), 0n);
    });

    it("pays an ETH buyout", async function () {
      const { distributor, agent, alice } = await networkHelpers.loadFixture(fixture);
      await distributor.connect(agent).depositBuyout(ASSET, ETH, e18(10), { value: e18(10) });
      const before = await ethers.provider.getBalance(alice.address);
      const tx = await distributor.connect(alice).redeem(ASSET, alice.address);
      const r = await tx.wait();
      const gas = r!.gasUsed * r!.gasPrice;
      expect(await ethers.provider.getBalance(alice.address)).to.equal(before + e18(6) - gas);
    });

    it("refuses to let shares of a retired asset move except by redemption (share token)", async function () {
      const { shares, alice, bob } = await networkHelpers.loadFixture(retired);
      await expect(shares.connect(alice).transfer(bob.address, 1)).to.be.revertedWithCustomError(shares, "Retired");
    });
  });
});
