/**
 * Value-moving attacks through tokens and receivers, on the real IncomeDistributor, AssetShares and
 * MaintenanceEscrow:
 * - SWC-107 Reentrancy: an ERC-777 / ERC-1363-like token whose receive hook re-enters the payer
 *   (AtkHookToken + AtkReentrantParty), a reentrant ETH receiver, and cross-contract reentrancy
 *   (moving shares from inside a payout to claim the same income twice).
 * - SWC-113 DoS with failed call: a reverting ETH receiver or a blocklisted party cannot block anyone
 *   else's payout (pull payments; claims name any recipient).
 * - Weird ERC-20s (d-xyz/weird-erc20): fee-on-transfer tokens are accounted by what arrived
 *   (distributor) or refused (escrow); blocklisting tokens (USDC/USDT style).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { OrderState } from "../../client/src/eip712/maintenance.js";
import { BUDGET, DAY, DE, ETH, USDC, YEAR, createOrder, deployWorld, ethTerms, orderFor, type World } from "./world.js";
import { asAddress } from "../../client/src/types.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;
const GUARD = "ReentrancyGuardReentrantCall";

async function world() {
  return deployWorld(ethers);
}

/** Allows `token` as a payout token and registers it for the world's asset. */
async function payoutToken(w: World, token: string) {
  await w.distributor.connect(w.gov).setPayoutToken(token, true);
  await w.distributor.connect(w.agent).registerPayoutToken(w.assetId, token);
}

/** KYCs `holder` and mints it `amount` shares. */
async function makeHolder(w: World, holder: string, amount: bigint) {
  await w.identity.connect(w.kyc).setIdentity(holder, DE, BigInt((await time.latest()) + YEAR));
  await w.shares.connect(w.agent).mint(holder, amount);
}

/** Holders' part of a deposit (10 % reserve, 1 % fee). */
function toHolders(amount: bigint) {
  return amount - (amount * 1_000n) / 10_000n - (amount * 100n) / 10_000n;
}

describe("Attack class SWC-107 reentrancy through token hooks and ETH receivers", function () {
  it("a hook token's receiver re-entering IncomeDistributor.claim is refused by the guard; it is paid exactly once", async function () {
    const w = await loadFixture(world);
    const hook = await ethers.deployContract("AtkHookToken");
    const party = await ethers.deployContract("AtkReentrantParty");
    const [h, p, d] = [await hook.getAddress(), await party.getAddress(), await w.distributor.getAddress()];
    await payoutToken(w, h);
    await makeHolder(w, p, 1_000n); // half the supply
    await hook.mint(w.outsider.address, USDC(1_000));
    await hook.connect(w.outsider).approve(d, ethers.MaxUint256);
    await w.distributor.connect(w.outsider).deposit(w.assetId, h, USDC(1_000));
    const owed = await w.distributor.claimableOf(w.assetId, h, p);
    expect(owed).to.equal(toHolders(USDC(1_000)) / 2n);

    await party.exec(h, hook.interface.encodeFunctionData("setHooked", [true]));
    await party.arm(d, w.distributor.interface.encodeFunctionData("claim", [w.assetId, h, p]), false);
    await party.exec(d, w.distributor.interface.encodeFunctionData("claim", [w.assetId, h, p]));
    expect(await party.attempts()).to.equal(1n);
    expect(await party.successes()).to.equal(0n);
    expect(await party.lastError()).to.equal(w.distributor.interface.getError(GUARD)!.selector);
    expect(await hook.balanceOf(p)).to.equal(owed);
    expect(await w.distributor.claimableOf(w.assetId, h, p)).to.equal(0n);
    // Alice and Bob are still owed their exact parts, and the distributor can pay them.
    for (const [s, n] of [
      [w.alice, 600n],
      [w.bob, 400n],
    ] as const) {
      await w.distributor.connect(s).claim(w.assetId, h, s.address);
      expect(await hook.balanceOf(s.address)).to.equal((toHolders(USDC(1_000)) * n) / 2_000n);
    }
  });

  it("a reentrant ETH receiver re-entering claim or redeem is refused; it is paid exactly once", async function () {
    const w = await loadFixture(world);
    const party = await ethers.deployContract("AtkReentrantParty");
    const [p, d] = [await party.getAddress(), await w.distributor.getAddress()];
    await makeHolder(w, p, 1_000n);
    await w.distributor.connect(w.outsider).deposit(w.assetId, ETH, ethers.parseEther("10"), {
      value: ethers.parseEther("10"),
    });
    const owed = await w.distributor.claimableOf(w.assetId, ETH, p);
    for (const payload of [
      w.distributor.interface.encodeFunctionData("claim", [w.assetId, ETH, p]),
      w.distributor.interface.encodeFunctionData("redeem", [w.assetId, p]),
    ]) {
      const snap = await networkHelpers.takeSnapshot();
      await party.arm(d, payload, false);
      const before = await ethers.provider.getBalance(p);
      await party.exec(d, w.distributor.interface.encodeFunctionData("claim", [w.assetId, ETH, p]));
      expect(await party.successes()).to.equal(0n);
      expect(await party.lastError()).to.equal(w.distributor.interface.getError(GUARD)!.selector);
      expect((await ethers.provider.getBalance(p)) - before).to.equal(owed);
      await snap.restore();
    }
  });

  it("cross-contract reentrancy: moving the shares from inside an ETH payout does not let a second holder claim the same income", async function () {
    const w = await loadFixture(world);
    const party = await ethers.deployContract("AtkReentrantParty");
    const [p, d] = [await party.getAddress(), await w.distributor.getAddress()];
    await makeHolder(w, p, 1_000n);
    const ten = ethers.parseEther("10");
    await w.distributor.connect(w.outsider).deposit(w.assetId, ETH, ten, { value: ten });
    const owed = await w.distributor.claimableOf(w.assetId, ETH, p);
    // While being paid, the attacker hands its shares to an accomplice (carol, KYC'd, no income yet).
    await party.arm(
      await w.shares.getAddress(),
      w.shares.interface.encodeFunctionData("transfer", [w.carol.address, 1_000n]),
      false,
    );
    const before = await ethers.provider.getBalance(p);
    await party.exec(d, w.distributor.interface.encodeFunctionData("claim", [w.assetId, ETH, p]));
    expect(await party.successes()).to.equal(1n); // the share transfer itself is legitimate
    expect(await w.shares.balanceOf(w.carol.address)).to.equal(1_000n);
    expect((await ethers.provider.getBalance(p)) - before).to.equal(owed);
    // The accomplice inherited no past income: nothing to claim.
    expect(await w.distributor.claimableOf(w.assetId, ETH, w.carol.address)).to.equal(0n);
    await expect(w.distributor.connect(w.carol).claim(w.assetId, ETH, w.carol.address)).to.be.revertedWithCustomError(
      w.distributor,
      "NothingToClaim",
    );
    // Everything paid or owed never exceeds the holders' part of the deposit.
    const rest =
      (await w.distributor.claimableOf(w.assetId, ETH, w.alice.address)) +
      (await w.distributor.claimableOf(w.assetId, ETH, w.bob.address));
    expect(owed + rest).to.be.lte(toHolders(ten));
  });

  it("a hook token's receiver re-entering MaintenanceEscrow.claim or cancel while being refunded is refused by the guard", async function () {
    const w = await loadFixture(world);
    const hook = await ethers.deployContract("AtkHookToken");
    const party = await ethers.deployContract("AtkReentrantParty");
    const [h, p, e] = [await hook.getAddress(), await party.getAddress(), await w.escrow.getAddress()];
    const c = await w.custody.getAddress();
    await w.escrow.connect(w.gov).setTokenAllowed(h, true);
    await hook.mint(p, 2n * BUDGET);
    await party.exec(h, hook.interface.encodeFunctionData("approve", [c, ethers.MaxUint256]));
    await party.exec(h, hook.interface.encodeFunctionData("setHooked", [true]));
    // The attacker contract is the payer of two orders; it cancels one and claims the refund.
    const first = await orderFor(w, { token: h, salt: ethers.id("first") });
    const second = await orderFor(w, { token: h, salt: ethers.id("second") });
    for (const a of [first, second]) await party.exec(e, w.escrow.interface.encodeFunctionData("createOrder", [a]));
    const id = (salt: string) =>
      ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [p, salt]));
    await party.exec(e, w.escrow.interface.encodeFunctionData("cancel", [id(first.salt)]));
    // Re-entering the custody's claim, or the orders' cancel (whose refund the custody would credit).
    for (const [target, payload] of [
      [c, w.custody.interface.encodeFunctionData("claim", [w.assetId, h, p])],
      [e, w.escrow.interface.encodeFunctionData("cancel", [id(second.salt)])],
    ]) {
      const snap = await networkHelpers.takeSnapshot();
      await party.arm(target, payload, false);
      await party.exec(c, w.custody.interface.encodeFunctionData("claim", [w.assetId, h, p]));
      expect(await party.lastError()).to.equal(w.escrow.interface.getError(GUARD)!.selector);
      expect(await party.successes()).to.equal(0n);
      expect(await hook.balanceOf(p)).to.equal(BUDGET);
      expect(await hook.balanceOf(await w.custody.vaultOf(w.assetId))).to.equal(BUDGET);
      expect((await w.escrow.getOrder(id(second.salt))).state).to.equal(OrderState.Open);
      await snap.restore();
    }
  });
});

describe("Attack class SWC-113 DoS with failed call / blocklisting tokens", function () {
  it("an ETH holder whose fallback reverts cannot block other holders, and can still withdraw to another address", async function () {
    const w = await loadFixture(world);
    const rr = await ethers.deployContract("RevertingReceiver");
    const r = await rr.getAddress();
    const d = await w.distributor.getAddress();
    await makeHolder(w, r, 1_000n);
    const ten = ethers.parseEther("10");
    await w.distributor.connect(w.outsider).deposit(w.assetId, ETH, ten, { value: ten });
    const owed = await w.distributor.claimableOf(w.assetId, ETH, r);
    await expect(rr.exec(d, w.distributor.interface.encodeFunctionData("claim", [w.assetId, ETH, r])))
      .to.be.revertedWithCustomError(w.distributor, "EthTransferFailed")
      .withArgs(r, owed);
    expect(await w.distributor.claimableOf(w.assetId, ETH, r)).to.equal(owed);
    await expect(w.distributor.connect(w.alice).claim(w.assetId, ETH, w.alice.address)).to.changeEtherBalance(
      ethers,
      w.alice,
      (toHolders(ten) * 600n) / 2_000n,
    );
    await expect(
      rr.exec(d, w.distributor.interface.encodeFunctionData("claim", [w.assetId, ETH, w.carol.address])),
    ).to.changeEtherBalance(ethers, w.carol, owed);
  });

  it("a blocklisted holder cannot block the others' payouts and can still be paid at another address", async function () {
    const w = await loadFixture(world);
    const blk = await ethers.deployContract("BlocklistToken");
    const b = await blk.getAddress();
    await payoutToken(w, b);
    await blk.mint(w.outsider.address, USDC(1_000));
    await blk.connect(w.outsider).approve(await w.distributor.getAddress(), ethers.MaxUint256);
    await w.distributor.connect(w.outsider).deposit(w.assetId, b, USDC(1_000));
    await blk.setBlocked(w.bob.address, true);
    const bobOwed = await w.distributor.claimableOf(w.assetId, b, w.bob.address);
    await expect(w.distributor.connect(w.bob).claim(w.assetId, b, w.bob.address))
      .to.be.revertedWithCustomError(blk, "Blocked")
      .withArgs(w.bob.address);
    await w.distributor.connect(w.alice).claim(w.assetId, b, w.alice.address);
    expect(await blk.balanceOf(w.alice.address)).to.equal((toHolders(USDC(1_000)) * 600n) / 1_000n);
    await w.distributor.connect(w.bob).claim(w.assetId, b, w.carol.address);
    expect(await blk.balanceOf(w.carol.address)).to.equal(bobOwed);
  });

  it("a blocklisted maintenance provider cannot block the payer's refund, and the payer's refund never waits on the provider", async function () {
    const w = await loadFixture(world);
    const blk = await ethers.deployContract("BlocklistToken");
    const b = await blk.getAddress();
    await w.escrow.connect(w.gov).setTokenAllowed(b, true);
    for (const s of [w.alice, w.provider]) {
      await blk.mint(s.address, USDC(10_000));
      await blk.connect(s).approve(await w.custody.getAddress(), ethers.MaxUint256);
    }
    const { orderId, args } = await createOrder(w, w.alice, { token: b });
    await w.escrow.connect(w.provider).accept(orderId);
    await blk.setBlocked(w.provider.address, true);
    // The provider defaults: budget and bond become the payer's claimable balance (pull).
    await time.increaseTo(args.completeBy + 1);
    await w.escrow.connect(w.outsider).expire(orderId);
    const due = await w.custody.claimable(w.alice.address, w.assetId, b);
    expect(due).to.equal(args.budget + args.bond);
    await w.custody.connect(w.alice).claim(w.assetId, b, w.alice.address);
    expect(await blk.balanceOf(await w.custody.vaultOf(w.assetId))).to.equal(0n);
  });
});

describe("Attack class weird ERC-20 (d-xyz/weird-erc20): fee-on-transfer", function () {
  it("the distributor refuses a fee-on-transfer deposit (FeeOnTransferToken): nothing is credited, the vault is unchanged", async function () {
    const w = await loadFixture(world);
    const fot = await ethers.deployContract("FeeOnTransferToken");
    const f = await fot.getAddress();
    const d = await w.distributor.getAddress();
    await payoutToken(w, f);
    await fot.mint(w.outsider.address, 10n ** 24n);
    await fot.connect(w.outsider).approve(d, ethers.MaxUint256);
    const asked = 10n ** 21n;
    await expect(w.distributor.connect(w.outsider).deposit(w.assetId, f, asked))
      .to.be.revertedWithCustomError(w.distributor, "FeeOnTransferToken")
      .withArgs(asked, asked - asked / 100n);
    expect(await fot.balanceOf(await w.distributor.vaultOf(w.assetId))).to.equal(0n);
    expect(await w.distributor.claimableOf(w.assetId, f, w.alice.address)).to.equal(0n);
    expect(await w.distributor.reserveOf(w.assetId, f)).to.equal(0n);
    expect(await fot.balanceOf(w.outsider.address)).to.equal(10n ** 24n);
  });

  it("the maintenance escrow refuses to fund an order in a fee-on-transfer token (FundingShortfall), changing nothing", async function () {
    const w = await loadFixture(world);
    const fot = await ethers.deployContract("FeeOnTransferToken");
    const f = await fot.getAddress();
    await w.escrow.connect(w.gov).setTokenAllowed(f, true);
    await fot.mint(w.alice.address, BUDGET);
    await fot.connect(w.alice).approve(await w.custody.getAddress(), BUDGET);
    const args = await orderFor(w, { token: f });
    await expect(w.escrow.connect(w.alice).createOrder(args))
      .to.be.revertedWithCustomError(w.escrow, "FundingShortfall")
      .withArgs(BUDGET, BUDGET - BUDGET / 100n);
    expect(await fot.balanceOf(w.alice.address)).to.equal(BUDGET);
  });
});

describe("Attack classes SWC-107 / SWC-113 / weird ERC-20 on the rental escrow", function () {
  /** The agent publishes `terms`; returns the offer id. */
  async function publish(w: World, terms: ReturnType<typeof ethTerms>) {
    const receipt = await (await w.rentalMarket.connect(w.agent).publishOffer(terms)).wait();
    for (const log of receipt!.logs) {
      const parsed = w.rentalMarket.interface.parseLog(log);
      if (parsed?.name === "OfferPublished") return parsed.args.offerId as string;
    }
    throw new Error("no offer");
  }

  it("a reentrant renter re-entering withdraw from its ETH refund is refused by the guard and paid once", async function () {
    const w = await loadFixture(world);
    const party = await ethers.deployContract("AtkReentrantParty");
    const [p, r] = [await party.getAddress(), await w.rental.getAddress()];
    const terms = ethTerms(w.assetId, { activationWindow: DAY });
    const offerId = await publish(w, terms);
    const prepay = BigInt(DAY) * terms.pricePerSecond;
    const value = prepay + terms.deposit;
    const rentCall = w.rentalMarket.interface.encodeFunctionData("rent", [offerId, DAY, prepay]);
    const id = await w.rental.agreementId(1, w.assetId, 0);
    await party.exec(await w.rentalMarket.getAddress(), rentCall, { value });
    await w.rental.connect(w.agent).decline(id);
    expect(await w.rentalCustody.claimable(p, w.assetId, ETH)).to.equal(value);
    const c = await w.rentalCustody.getAddress();
    await party.arm(c, w.rentalCustody.interface.encodeFunctionData("withdraw", [w.assetId, ETH]), false);
    await party.exec(c, w.rentalCustody.interface.encodeFunctionData("withdraw", [w.assetId, ETH]));
    expect(await party.successes()).to.equal(0n);
    expect(await party.lastError()).to.equal(w.rental.interface.getError(GUARD)!.selector);
    expect(await ethers.provider.getBalance(p)).to.equal(value);
    expect(await ethers.provider.getBalance(r)).to.equal(0n);
    expect(await ethers.provider.getBalance(c)).to.equal(0n);
    expect(await ethers.provider.getBalance(await w.rentalCustody.vaultOf(w.assetId))).to.equal(0n);
  });

  it("a renter whose fallback reverts only hurts itself: it withdraws to another address", async function () {
    const w = await loadFixture(world);
    const rr = await ethers.deployContract("RevertingReceiver");
    const [a, r] = [await rr.getAddress(), await w.rental.getAddress()];
    const terms = ethTerms(w.assetId, { activationWindow: DAY });
    const offerId = await publish(w, terms);
    const prepay = BigInt(DAY) * terms.pricePerSecond;
    const value = prepay + terms.deposit;
    const id = await w.rental.agreementId(1, w.assetId, 0);
    await rr.exec(
      await w.rentalMarket.getAddress(),
      w.rentalMarket.interface.encodeFunctionData("rent", [offerId, DAY, prepay]),
      {
        value,
      },
    );
    await w.rental.connect(w.agent).decline(id);
    const c = await w.rentalCustody.getAddress();
    await expect(
      rr.exec(c, w.rentalCustody.interface.encodeFunctionData("withdraw", [w.assetId, ETH])),
    ).to.be.revertedWithCustomError(w.rentalCustody, "EthTransferFailed");
    await expect(
      rr.exec(c, w.rentalCustody.interface.encodeFunctionData("withdrawTo", [w.assetId, ETH, w.carol.address])),
    ).to.changeEtherBalance(ethers, w.carol, value);
  });

  it("refuses to open a rental paid in a fee-on-transfer token (FeeOnTransferToken), changing nothing", async function () {
    const w = await loadFixture(world);
    const fot = await ethers.deployContract("FeeOnTransferToken");
    const f = await fot.getAddress();
    await w.rentalMarket.connect(w.gov).setTokenAllowed(f, true);
    // The holders could be paid in it (accepted and registered), so only the token's fee refuses the rental.
    await w.distributor.connect(w.gov).setPayoutToken(f, true);
    await w.distributor.connect(w.agent).registerPayoutToken(w.assetId, f);
    const terms = ethTerms(w.assetId, { token: asAddress(f) });
    const offerId = await publish(w, terms);
    const prepay = BigInt(DAY) * terms.pricePerSecond;
    await fot.mint(w.alice.address, prepay + terms.deposit);
    await fot.connect(w.alice).approve(await w.rental.getAddress(), ethers.MaxUint256);
    await expect(w.rentalMarket.connect(w.alice).rent(offerId, DAY, prepay)).to.be.revertedWithCustomError(
      w.rental,
      "FeeOnTransferToken",
    );
    expect(await fot.balanceOf(w.alice.address)).to.equal(prepay + terms.deposit);
  });
});
