/**
 * RentalCustody, who moves money and how often: only the escrow forwards ETH, credits or pays income (NotEscrow
 * for everyone else, governance included); a balance is paid once, to its owner or where it says, from its own
 * custody's vault only; income is handed to the distributor in the asset's shared vault (`depositHeld`: accounting,
 * no transfer, no approval), so it stays there and nothing reaches the distributor's own address; refused income is
 * deferred in the vault and flushed exactly once; a hostile token cannot interfere with income, which moves no token;
 * while a payout runs, nothing can be credited. Exact balances of the vault, the escrow, the custody, the distributor
 * and every party after every path.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { RentalState, SubjectKind, ZERO_ADDRESS } from "../../client/src/eip712/rental.js";
import { assetTerms, ASSET_ID, deployRental, FEE_BPS, publish, DAY, DEPOSIT } from "./fixture.js";
import type { ReentrantToken } from "../../types/ethers-contracts/index.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const PRICE = 10n ** 9n; // assetTerms' default: 1 gwei/s, ETH
const ASSET_B = 8n;
const PAID = DAY * PRICE + DEPOSIT;

async function base() {
  const f = await deployRental(ethers);
  await f.assets.setAsset(ASSET_B, f.agent.address, 1, ethers.ZeroAddress);
  const custodyAddress = await f.custody.getAddress();
  return { ...f, custodyAddress };
}
type F = Awaited<ReturnType<typeof base>>;

/** An ETH rental of ASSET_ID by the renter, reserved (activation window) and declined: all refunded. */
async function refunded(f: F) {
  const offer = await publish(f.market, f.agent, assetTerms({ activationWindow: 3600 }));
  await f.market.connect(f.renter).rent(offer, DAY, DAY * PRICE, { value: PAID });
  const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
  await f.escrow.connect(f.agent).decline(id);
  return id;
}

/** An ETH rental of ASSET_ID run to its end (settling it hands the net rent to the distributor, the deposit stays). */
async function settled(f: F) {
  const offer = await publish(f.market, f.agent, assetTerms());
  await f.market.connect(f.renter).rent(offer, DAY, DAY * PRICE, { value: PAID });
  const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
  await time.increase(DAY);
  const fee = (DAY * PRICE * BigInt(FEE_BPS)) / 10_000n;
  return { id, fee, net: DAY * PRICE - fee };
}

/** The escrow, the custody and the distributor hold no ETH of their own: the money is in the vaults. */
async function expectHoldsNothing(f: F) {
  expect(await ethers.provider.getBalance(f.escrowAddress), "escrow").to.equal(0n);
  expect(await ethers.provider.getBalance(f.custodyAddress), "custody").to.equal(0n);
  expect(await ethers.provider.getBalance(await f.distributor.getAddress()), "distributor").to.equal(0n);
}

describe("RentalCustody: only the escrow moves money in or credits it", function () {
  it("refuses fund, credit and payIncome from anyone but the escrow (NotEscrow), changing nothing", async function () {
    const f = await loadFixture(base);
    const vault = await f.custody.vaultOf(ASSET_ID);
    for (const s of [f.renter, f.agent, f.governance, f.feeRecipient, f.arbiter]) {
      await expect(f.custody.connect(s).fund(ASSET_ID, { value: 1n }))
        .to.be.revertedWithCustomError(f.custody, "NotEscrow")
        .withArgs(s.address);
      await expect(f.custody.connect(s).credit(s.address, ASSET_ID, ZERO_ADDRESS, 1n))
        .to.be.revertedWithCustomError(f.custody, "NotEscrow")
        .withArgs(s.address);
      await expect(f.custody.connect(s).payIncome(ASSET_ID, ZERO_ADDRESS, 1n))
        .to.be.revertedWithCustomError(f.custody, "NotEscrow")
        .withArgs(s.address);
      expect(await f.custody.claimable(s.address, ASSET_ID, ZERO_ADDRESS)).to.equal(0n);
    }
    expect(await ethers.provider.getCode(vault)).to.equal("0x");
    expect(await f.custody.pendingIncome(ASSET_ID, ZERO_ADDRESS)).to.equal(0n);
    expect(await f.distributor.deposited(ASSET_ID, ZERO_ADDRESS)).to.equal(0n);
    await expectHoldsNothing(f);
  });

  it("funds and credits only what the escrow records: the renter's payment lands in the vault, the refund is claimable", async function () {
    const f = await loadFixture(base);
    const offer = await publish(f.market, f.agent, assetTerms({ activationWindow: 3600 }));
    const vault = await f.custody.vaultOf(ASSET_ID);
    await expect(f.market.connect(f.renter).rent(offer, DAY, DAY * PRICE, { value: PAID })).to.changeEtherBalances(
      ethers,
      [f.renter, vault, f.escrowAddress, f.custodyAddress],
      [-PAID, PAID, 0n, 0n],
    );
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    await expect(f.escrow.connect(f.agent).decline(id))
      .to.emit(f.custody, "Credited")
      .withArgs(f.renter.address, ASSET_ID, ZERO_ADDRESS, PAID);
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(PAID);
    expect(await ethers.provider.getBalance(vault)).to.equal(PAID);
    await expectHoldsNothing(f);
  });
});

describe("RentalCustody: withdrawals", function () {
  it("pays a balance once: the second withdraw and everyone else's are refused, balances unchanged", async function () {
    const f = await loadFixture(base);
    await refunded(f);
    const vault = await f.custody.vaultOf(ASSET_ID);
    await expect(f.custody.connect(f.renter).withdraw(ASSET_ID, ZERO_ADDRESS))
      .to.emit(f.custody, "Withdrawn")
      .withArgs(f.renter.address, ASSET_ID, ZERO_ADDRESS, f.renter.address, PAID);
    expect(await ethers.provider.getBalance(vault)).to.equal(0n);
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(0n);
    await expect(f.custody.connect(f.renter).withdraw(ASSET_ID, ZERO_ADDRESS)).to.be.revertedWithCustomError(
      f.custody,
      "NothingToWithdraw",
    );
    await expect(
      f.custody.connect(f.renter).withdrawTo(ASSET_ID, ZERO_ADDRESS, f.other.address),
    ).to.be.revertedWithCustomError(f.custody, "NothingToWithdraw");
    for (const s of [f.other, f.agent, f.feeRecipient])
      await expect(f.custody.connect(s).withdraw(ASSET_ID, ZERO_ADDRESS)).to.be.revertedWithCustomError(
        f.custody,
        "NothingToWithdraw",
      );
    await expectHoldsNothing(f);
  });

  it("withdrawTo pays the caller's balance to the address it names, never to address(0); another custody's id pays nothing", async function () {
    const f = await loadFixture(base);
    await refunded(f);
    const vault = await f.custody.vaultOf(ASSET_ID);
    await expect(f.custody.connect(f.renter).withdrawTo(ASSET_ID, ZERO_ADDRESS, ZERO_ADDRESS))
      .to.be.revertedWithCustomError(f.custody, "ZeroAddress")
      .withArgs();
    // The balance is in ASSET_ID's custody: asking another custody (or another token) finds nothing.
    await expect(f.custody.connect(f.renter).withdraw(ASSET_B, ZERO_ADDRESS)).to.be.revertedWithCustomError(
      f.custody,
      "NothingToWithdraw",
    );
    await expect(
      f.custody.connect(f.renter).withdraw(ASSET_ID, await f.token.getAddress()),
    ).to.be.revertedWithCustomError(f.custody, "NothingToWithdraw");
    expect(await ethers.provider.getBalance(vault)).to.equal(PAID);
    await expect(f.custody.connect(f.renter).withdrawTo(ASSET_ID, ZERO_ADDRESS, f.other.address))
      .to.emit(f.custody, "Withdrawn")
      .withArgs(f.renter.address, ASSET_ID, ZERO_ADDRESS, f.other.address, PAID);
    expect(await ethers.provider.getBalance(vault)).to.equal(0n);
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(0n);
    await expectHoldsNothing(f);
  });

  it("while a payout runs, nothing can be credited: a receiver settling another agreement from its fallback is refused", async function () {
    const f = await loadFixture(base);
    // The receiver (a contract) is refunded on ASSET_B; an agreement on ASSET_ID ends meanwhile.
    const party = await ethers.deployContract("AtkReentrantParty");
    const partyAddress = await party.getAddress();
    const offerB = await publish(f.market, f.agent, assetTerms({ subjectId: ASSET_B, activationWindow: 3600 }));
    const rentB = f.market.interface.encodeFunctionData("rent", [offerB, DAY, DAY * PRICE]);
    await party.exec(await f.market.getAddress(), rentB, { value: PAID });
    const idB = await f.escrow.agreementId(SubjectKind.Asset, ASSET_B, 0);
    await f.escrow.connect(f.agent).decline(idB);
    const { id, net } = await settled(f);
    // On receiving its refund the receiver tries to settle ASSET_ID's agreement (which credits and pays income).
    await party.arm(f.escrowAddress, f.escrow.interface.encodeFunctionData("settle", [id]), false);
    const withdraw = f.custody.interface.encodeFunctionData("withdraw", [ASSET_B, ZERO_ADDRESS]);
    await expect(party.exec(f.custodyAddress, withdraw)).to.changeEtherBalances(
      ethers,
      [partyAddress, await f.custody.vaultOf(ASSET_B)],
      [PAID, -PAID],
    );
    expect(await party.attempts()).to.equal(1n);
    expect(await party.successes()).to.equal(0n);
    expect(await party.lastError()).to.equal(f.custody.interface.getError("ReentrancyGuardReentrantCall")!.selector);
    expect(await f.escrow.stateOf(id)).to.equal(RentalState.Ended); // still to settle
    // Afterwards anyone settles it normally.
    await f.escrow.settle(id);
    expect(await f.distributor.deposited(ASSET_ID, ZERO_ADDRESS)).to.equal(net);
    await expectHoldsNothing(f);
  });
});

describe("RentalCustody: income", function () {
  it("hands ETH income to the distributor in the shared vault: no ETH moves, the vault keeps fee, deposit and income", async function () {
    const f = await loadFixture(base);
    const { id, fee, net } = await settled(f);
    const vault = await f.custody.vaultOf(ASSET_ID);
    const distributor = await f.distributor.getAddress();
    const settle = f.escrow.settle(id);
    await expect(settle).to.emit(f.custody, "IncomeDeposited").withArgs(ASSET_ID, ZERO_ADDRESS, net);
    await expect(settle).to.changeEtherBalances(
      ethers,
      [vault, distributor, f.custodyAddress, f.escrowAddress],
      [0n, 0n, 0n, 0n],
    );
    expect(await f.distributor.deposited(ASSET_ID, ZERO_ADDRESS)).to.equal(net);
    expect(await ethers.provider.getBalance(distributor)).to.equal(0n);
    // The vault holds what the rental owes (fee, deposit) plus the income handed to the distributor.
    expect(await ethers.provider.getBalance(vault)).to.equal(fee + DEPOSIT + net);
    expect(await f.custody.pendingIncome(ASSET_ID, ZERO_ADDRESS)).to.equal(0n);
    await expectHoldsNothing(f);
  });

  it("defers refused income in the vault and flushes it exactly once (a flush during the refusal re-defers it)", async function () {
    const f = await loadFixture(base);
    const { id, fee, net } = await settled(f);
    const vault = await f.custody.vaultOf(ASSET_ID);
    await f.distributor.setRefuse(true);
    await expect(f.escrow.settle(id)).to.emit(f.custody, "IncomeDeferred").withArgs(ASSET_ID, ZERO_ADDRESS, net);
    expect(await f.custody.pendingIncome(ASSET_ID, ZERO_ADDRESS)).to.equal(net);
    expect(await ethers.provider.getBalance(vault)).to.equal(net + fee + DEPOSIT);
    await expectHoldsNothing(f);

    // Still refused: the flush puts it back, nothing is lost or doubled.
    await expect(f.custody.connect(f.other).flushIncome(ASSET_ID, ZERO_ADDRESS))
      .to.emit(f.custody, "IncomeDeferred")
      .withArgs(ASSET_ID, ZERO_ADDRESS, net);
    expect(await f.custody.pendingIncome(ASSET_ID, ZERO_ADDRESS)).to.equal(net);
    expect(await ethers.provider.getBalance(vault)).to.equal(net + fee + DEPOSIT);

    await f.distributor.setRefuse(false);
    const flush = f.custody.connect(f.other).flushIncome(ASSET_ID, ZERO_ADDRESS);
    await expect(flush).to.emit(f.custody, "IncomeDeposited").withArgs(ASSET_ID, ZERO_ADDRESS, net);
    // The flush only hands the income over: it stays in the vault, now owed by the distributor.
    await expect(flush).to.changeEtherBalances(ethers, [vault, await f.distributor.getAddress()], [0n, 0n]);
    expect(await f.custody.pendingIncome(ASSET_ID, ZERO_ADDRESS)).to.equal(0n);
    expect(await f.distributor.deposited(ASSET_ID, ZERO_ADDRESS)).to.equal(net);
    expect(await ethers.provider.getBalance(vault)).to.equal(fee + DEPOSIT + net);
    await expect(f.custody.connect(f.other).flushIncome(ASSET_ID, ZERO_ADDRESS)).to.be.revertedWithCustomError(
      f.custody,
      "NothingToWithdraw",
    );
    expect(await f.distributor.deposited(ASSET_ID, ZERO_ADDRESS)).to.equal(net);
    await expectHoldsNothing(f);
  });

  it("defers refused ERC-20 income and leaves no allowance to the distributor behind", async function () {
    const f = await loadFixture(base);
    const token = await f.token.getAddress();
    const offer = await publish(f.market, f.agent, assetTerms({ token: token as `0x${string}` }));
    await f.market.connect(f.renter).rent(offer, DAY, DAY * PRICE);
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    await time.increase(DAY);
    const fee = (DAY * PRICE * BigInt(FEE_BPS)) / 10_000n;
    const net = DAY * PRICE - fee;
    const vault = await f.custody.vaultOf(ASSET_ID);
    const distributor = await f.distributor.getAddress();
    await f.distributor.setRefuse(true);
    await expect(f.escrow.settle(id)).to.emit(f.custody, "IncomeDeferred").withArgs(ASSET_ID, token, net);
    expect(await f.token.allowance(f.custodyAddress, distributor)).to.equal(0n);
    expect(await f.token.balanceOf(vault)).to.equal(DAY * PRICE + DEPOSIT);
    await f.distributor.setRefuse(false);
    // The flush moves no token (the distributor counts the income in the shared vault) and approves nothing.
    const flush = f.custody.flushIncome(ASSET_ID, token);
    await expect(flush).to.emit(f.custody, "IncomeDeposited").withArgs(ASSET_ID, token, net);
    await expect(flush).to.changeTokenBalances(
      ethers,
      f.token,
      [vault, distributor, f.custodyAddress, f.escrowAddress],
      [0n, 0n, 0n, 0n],
    );
    expect(await f.token.allowance(f.custodyAddress, distributor)).to.equal(0n);
    expect(await f.custody.pendingIncome(ASSET_ID, token)).to.equal(0n);
    expect(await f.distributor.deposited(ASSET_ID, token)).to.equal(net);
    expect(await f.token.balanceOf(vault)).to.equal(DAY * PRICE + DEPOSIT);
  });

  it("a hostile token flushing income while the escrow pulls into the vault cannot interfere: the flush moves no token", async function () {
    const f = await loadFixture(base);
    const token = (await ethers.deployContract("ReentrantToken")) as unknown as ReentrantToken;
    const t = await token.getAddress();
    await f.market.connect(f.governance).setTokenAllowed(t, true);
    for (const s of [f.renter, f.other]) {
      await token.mint(s.address, 10n ** 24n);
      await token.connect(s).approve(f.escrowAddress, ethers.MaxUint256);
    }
    const offer = await publish(f.market, f.agent, assetTerms({ token: t as `0x${string}` }));
    // A first agreement's rent is refused by the distributor: deferred in the asset's vault.
    await f.market.connect(f.other).rent(offer, DAY, DAY * PRICE);
    await time.increase(DAY);
    await f.distributor.setRefuse(true);
    await f.escrow.settle(await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0));
    await f.claims.connect(f.agent).waiveClaim(await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0));
    await f.distributor.setRefuse(false);
    const fee = (DAY * PRICE * BigInt(FEE_BPS)) / 10_000n;
    const pending = await f.custody.pendingIncome(ASSET_ID, t);
    expect(pending).to.equal(DAY * PRICE - fee);
    const vault = await f.custody.vaultOf(ASSET_ID);
    const held = await token.balanceOf(vault);
    expect(held).to.equal(PAID);
    // The next renter's payment into the vault makes the token flush that income in the middle of the escrow's
    // balance measurement. Handing income over moves no token, so the escrow measures exactly what was paid: the
    // rental opens, and the flush (by the token, as anyone may) hands the income over once.
    const flush = f.custody.interface.encodeFunctionData("flushIncome", [ASSET_ID, t]);
    await token.arm(ethers.ZeroAddress, vault, f.custodyAddress, flush, true);
    await expect(f.market.connect(f.renter).rent(offer, DAY, DAY * PRICE))
      .to.emit(f.custody, "IncomeDeposited")
      .withArgs(ASSET_ID, t, pending);
    expect([await token.calls(), await token.successes()]).to.deep.equal([1n, 1n]);
    expect(await f.escrow.stateOf(await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 1))).to.equal(
      RentalState.Active,
    );
    expect(await f.custody.pendingIncome(ASSET_ID, t)).to.equal(0n);
    expect(await f.distributor.deposited(ASSET_ID, t)).to.equal(pending);
    expect(await token.balanceOf(vault)).to.equal(held + PAID);
    expect(await token.balanceOf(await f.distributor.getAddress())).to.equal(0n);
    expect(await token.balanceOf(f.custodyAddress)).to.equal(0n);
    expect(await token.balanceOf(f.escrowAddress)).to.equal(0n);
    await expect(f.custody.flushIncome(ASSET_ID, t)).to.be.revertedWithCustomError(f.custody, "NothingToWithdraw");
  });
});
