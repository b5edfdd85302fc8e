/**
 * RentalClaims under adversarial orderings: windows on both sides, double claims, claims above the deposit,
 * wrong and replaced parties, accept/waive/dispute orderings and same-block races, late rulings and the timeout,
 * moot callbacks from the dispute module, closeSettlement from anyone but the claims, a re-entrant token and a
 * token that cannot refuse the damages (they move no token) and a ruling delivered while the escrow is busy. Every
 * path ends with exact balances and every wei of the agreement claimable by someone or handed to the distributor
 * (then withdrawn: the asset's shared vault ends holding exactly the income handed to the distributor).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { RentalClaimStatus, RentalState, SubjectKind, ZERO_ADDRESS } from "../../client/src/eip712/rental.js";
import { asAddress } from "../../client/src/types.js";
import type { BlocklistToken, ReentrantToken } from "../../types/ethers-contracts/index.js";
import { assetTerms, ASSET_ID, deployRental, FEE_BPS, FREE_DEVICE_ID, publish, GWEI, DAY, DEPOSIT } from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const RENT = DAY * GWEI;
const FEE = (RENT * BigInt(FEE_BPS)) / 10_000n;
const CLAIM = 4_000_000n;

type F = Awaited<ReturnType<typeof deployRental>>;

async function base() {
  return deployRental(ethers);
}

/** An ETH rental of ASSET_ID (one day, prepaid exactly), settled at its end: deposit held, claim window open. */
async function settling() {
  const f = await base();
  const offerId = await publish(f.market, f.agent, assetTerms());
  await f.market.connect(f.renter).rent(offerId, DAY, RENT, { value: RENT + DEPOSIT });
  const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
  await time.increase(DAY);
  await f.escrow.settle(id);
  const deadline = Number((await f.escrow.agreementOf(id)).deadline);
  return { ...f, id, deadline };
}

/** `settling` with a pending claim of CLAIM by the agent. */
async function pending() {
  const f = await settling();
  await f.claims.connect(f.agent).claimDamage(f.id, CLAIM, ethers.id("dent"));
  return { ...f, respondBy: Number((await f.claims.claimOf(f.id)).deadline) };
}

/** `pending`, disputed by the renter before the default arbiter. */
async function disputed() {
  const f = await pending();
  await f.claims.connect(f.renter).disputeClaim(f.id);
  const disputeId = await f.claims.disputeIdOf(f.id);
  return { ...f, disputeId, ruleBy: Number((await f.claims.claimOf(f.id)).deadline) };
}

/**
 * A day's rental of ASSET_ID in the ERC-20 `token` (1000 a second, a deposit of 10^9; `terms` overrides), settled,
 * with a damage claim of 700 the renter disputed. Returns the agreement, its offer, the dispute, the deposit and
 * the rent the distributor took at settlement.
 */
async function disputedIn(f: F, token: string, terms: Partial<Parameters<typeof assetTerms>[0]> = {}) {
  const deposit = 10n ** 9n;
  const offerId = await publish(
    f.market,
    f.agent,
    assetTerms({ token: asAddress(token), pricePerSecond: 1000n, deposit, ...terms }),
  );
  await f.market.connect(f.renter).rent(offerId, DAY, DAY * 1000n);
  const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
  await time.increase(DAY);
  await f.escrow.settle(id);
  const rentPaid = await f.distributor.deposited(ASSET_ID, token);
  await f.claims.connect(f.agent).claimDamage(id, 700n, ethers.ZeroHash);
  await f.claims.connect(f.renter).disputeClaim(id);
  return { id, offerId, deposit, rentPaid, disputeId: await f.claims.disputeIdOf(id) };
}

/**
 * The agreement is Closed and every wei it took is accounted for: the rent net of fee plus `toOwner` was handed to
 * the distributor (`depositHeld`: it stays in the asset's vault, which the distributor shares), the renter can
 * withdraw the rest of the deposit, the fee recipient can withdraw the fee credited at payout; after every
 * withdrawal the asset's vault holds exactly that income, and the escrow, the custody, the claims and the
 * distributor hold nothing.
 */
async function everyWeiOut(f: F & { id: string }, toOwner: bigint) {
  expect(await f.escrow.stateOf(f.id)).to.equal(RentalState.Closed);
  expect((await f.claims.claimOf(f.id)).status).to.equal(RentalClaimStatus.None);
  expect(await f.distributor.deposited(ASSET_ID, ZERO_ADDRESS)).to.equal(RENT - FEE + toOwner);
  expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(DEPOSIT - toOwner);
  expect(await f.custody.claimable(f.agent.address, ASSET_ID, ZERO_ADDRESS)).to.equal(0n);
  expect(await f.escrow.heldFor(f.id)).to.equal(0n);
  expect(await f.custody.claimable(f.feeRecipient.address, ASSET_ID, ZERO_ADDRESS)).to.equal(FEE);
  await expect(f.custody.connect(f.renter).withdraw(ASSET_ID, ZERO_ADDRESS)).to.changeEtherBalance(
    ethers,
    f.renter,
    DEPOSIT - toOwner,
  );
  await expect(f.custody.connect(f.feeRecipient).withdraw(ASSET_ID, ZERO_ADDRESS)).to.changeEtherBalance(
    ethers,
    f.feeRecipient,
    FEE,
  );
  const vault = await f.custody.vaultOf(ASSET_ID);
  expect(await ethers.provider.getBalance(vault), "vault").to.equal(RENT - FEE + toOwner);
  for (const holder of [
    f.escrowAddress,
    await f.custody.getAddress(),
    await f.claims.getAddress(),
    await f.distributor.getAddress(),
  ]) {
    expect(await ethers.provider.getBalance(holder), holder).to.equal(0n);
  }
}

/** Sends `calls` in one block (automine off), in order; returns which succeeded. */
async function sameBlock(calls: (() => Promise<{ hash: string }>)[]): Promise<boolean[]> {
  await ethers.provider.send("evm_setAutomine", [false]);
  const hashes: string[] = [];
  try {
    for (const call of calls) hashes.push((await call()).hash);
  } finally {
    await ethers.provider.send("evm_mine", []);
    await ethers.provider.send("evm_setAutomine", [true]);
  }
  const receipts = await Promise.all(hashes.map((h) => ethers.provider.getTransactionReceipt(h)));
  expect(new Set(receipts.map((r) => r!.blockNumber)).size, "one block").to.equal(1);
  return receipts.map((r) => r!.status === 1);
}

describe("RentalClaims: claiming", function () {
  it("claims within the window only, once, at most the deposit held, never zero", async function () {
    const f = await loadFixture(settling);
    await expect(f.claims.connect(f.agent).claimDamage(f.id, DEPOSIT + 1n, ethers.ZeroHash))
      .to.be.revertedWithCustomError(f.claims, "InvalidClaim")
      .withArgs(DEPOSIT + 1n, DEPOSIT);
    await expect(f.claims.connect(f.agent).claimDamage(f.id, 0n, ethers.ZeroHash))
      .to.be.revertedWithCustomError(f.claims, "InvalidClaim")
      .withArgs(0n, DEPOSIT);
    await time.setNextBlockTimestamp(f.deadline);
    await expect(f.claims.connect(f.agent).claimDamage(f.id, CLAIM, ethers.id("dent")))
      .to.emit(f.claims, "DamageClaimed")
      .withArgs(f.id, CLAIM, ethers.id("dent"));
    const c = await f.claims.claimOf(f.id);
    expect([c.amount, c.deadline, c.status]).to.deep.equal([
      CLAIM,
      BigInt(f.deadline) + DAY,
      BigInt(RentalClaimStatus.Pending),
    ]);
    // A second claim (even smaller) is refused: the renter answers one claim.
    await expect(f.claims.connect(f.agent).claimDamage(f.id, 1n, ethers.ZeroHash))
      .to.be.revertedWithCustomError(f.claims, "WrongClaimStatus")
      .withArgs(f.id, RentalClaimStatus.Pending);
    expect((await f.claims.claimOf(f.id)).amount).to.equal(CLAIM);
  });

  it("refuses a claim one second after the window; anyone then returns the whole deposit", async function () {
    const f = await loadFixture(settling);
    await time.setNextBlockTimestamp(f.deadline + 1);
    await expect(f.claims.connect(f.agent).claimDamage(f.id, CLAIM, ethers.ZeroHash))
      .to.be.revertedWithCustomError(f.claims, "DeadlinePassed")
      .withArgs(f.deadline);
    await expect(f.claims.connect(f.other).finalize(f.id))
      .to.emit(f.escrow, "ClaimResolved")
      .withArgs(f.id, 0n, DEPOSIT)
      .and.to.emit(f.escrow, "Closed")
      .withArgs(f.id);
    await everyWeiOut(f, 0n);
  });

  it("only the asset's current agent claims or waives: not the renter, a stranger, or an agent since replaced", async function () {
    const f = await loadFixture(settling);
    for (const s of [f.renter, f.other]) {
      await expect(f.claims.connect(s).claimDamage(f.id, CLAIM, ethers.ZeroHash))
        .to.be.revertedWithCustomError(f.claims, "NotOwner")
        .withArgs(s.address);
      await expect(f.claims.connect(s).waiveClaim(f.id))
        .to.be.revertedWithCustomError(f.claims, "NotOwner")
        .withArgs(s.address);
    }
    // The asset's agent changes: the old agent keeps no power, the new one acts.
    await f.assets.setAsset(ASSET_ID, f.other.address, 1, ethers.ZeroAddress);
    await expect(f.claims.connect(f.agent).claimDamage(f.id, CLAIM, ethers.ZeroHash))
      .to.be.revertedWithCustomError(f.claims, "NotOwner")
      .withArgs(f.agent.address);
    await f.claims.connect(f.other).claimDamage(f.id, CLAIM, ethers.ZeroHash);
    await expect(f.claims.connect(f.agent).waiveClaim(f.id))
      .to.be.revertedWithCustomError(f.claims, "NotOwner")
      .withArgs(f.agent.address);
    await f.claims.connect(f.renter).acceptClaim(f.id);
    // Damages of an asset go to its holders (the distributor), not to whoever claimed them.
    await everyWeiOut(f, CLAIM);
  });

  it("for a device, the owner at opening claims (the asset's agent cannot); damages go to its balance", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(
      f.market,
      f.deviceOwner,
      assetTerms({ subjectKind: SubjectKind.Device, subjectId: FREE_DEVICE_ID }),
    );
    await f.market.connect(f.renter).rent(offerId, DAY, RENT, { value: RENT + DEPOSIT });
    const id = await f.escrow.agreementId(SubjectKind.Device, FREE_DEVICE_ID, 0);
    await time.increase(DAY);
    await f.escrow.settle(id);
    await expect(f.claims.connect(f.agent).claimDamage(id, CLAIM, ethers.ZeroHash))
      .to.be.revertedWithCustomError(f.claims, "NotOwner")
      .withArgs(f.agent.address);
    await f.claims.connect(f.deviceOwner).claimDamage(id, CLAIM, ethers.ZeroHash);
    await time.increase(DAY + 1n); // silence: accepted
    await f.claims.connect(f.other).finalize(id);
    expect(await f.custody.claimable(f.deviceOwner.address, FREE_DEVICE_ID, ZERO_ADDRESS)).to.equal(RENT - FEE + CLAIM);
    expect(await f.custody.claimable(f.renter.address, FREE_DEVICE_ID, ZERO_ADDRESS)).to.equal(DEPOSIT - CLAIM);
  });
});

describe("RentalClaims: answering, in every order", function () {
  it("accept pays the claim; then nothing else moves (waive, dispute, finalize, a second accept)", async function () {
    const f = await loadFixture(pending);
    await expect(f.claims.connect(f.other).acceptClaim(f.id))
      .to.be.revertedWithCustomError(f.claims, "NotRenter")
      .withArgs(f.other.address);
    await expect(f.claims.connect(f.renter).acceptClaim(f.id))
      .to.emit(f.escrow, "ClaimResolved")
      .withArgs(f.id, CLAIM, DEPOSIT - CLAIM);
    for (const call of [
      () => f.claims.connect(f.renter).acceptClaim(f.id),
      () => f.claims.connect(f.renter).disputeClaim(f.id),
    ]) {
      await expect(call()).to.be.revertedWithCustomError(f.claims, "WrongClaimStatus").withArgs(f.id, 0);
    }
    for (const call of [() => f.claims.connect(f.agent).waiveClaim(f.id), () => f.claims.finalize(f.id)]) {
      await expect(call()).to.be.revertedWithCustomError(f.claims, "WrongState").withArgs(f.id, RentalState.Closed);
    }
    await expect(f.claims.connect(f.agent).claimDamage(f.id, 1n, ethers.ZeroHash))
      .to.be.revertedWithCustomError(f.claims, "WrongState")
      .withArgs(f.id, RentalState.Closed);
    await everyWeiOut(f, CLAIM);
  });

  it("the owner may waive a pending claim: the renter gets the whole deposit and can no longer be charged", async function () {
    const f = await loadFixture(pending);
    await expect(f.claims.connect(f.agent).waiveClaim(f.id))
      .to.emit(f.escrow, "ClaimResolved")
      .withArgs(f.id, 0n, DEPOSIT);
    await expect(f.claims.connect(f.renter).acceptClaim(f.id))
      .to.be.revertedWithCustomError(f.claims, "WrongClaimStatus")
      .withArgs(f.id, RentalClaimStatus.None);
    await everyWeiOut(f, 0n);
  });

  it("a dispute freezes accept, waive and finalize: only the module's ruling closes it", async function () {
    const f = await loadFixture(disputed);
    for (const call of [
      () => f.claims.connect(f.renter).acceptClaim(f.id),
      () => f.claims.connect(f.renter).disputeClaim(f.id),
      () => f.claims.connect(f.agent).waiveClaim(f.id),
      () => f.claims.connect(f.agent).claimDamage(f.id, 1n, ethers.ZeroHash),
      () => f.claims.finalize(f.id),
    ]) {
      await expect(call()).to.be.revertedWithCustomError(f.claims, "WrongClaimStatus").withArgs(f.id, 2);
    }
    const d = await f.disputes.getDispute(f.disputeId);
    expect([d.arbitrable, d.arbiter, d.deadline, d.defaultRuling]).to.deep.equal([
      await f.claims.getAddress(),
      f.arbiter.address,
      BigInt(f.ruleBy),
      2n,
    ]);
    expect(await f.claims.agreementOfDispute(f.disputeId)).to.equal(f.id);
  });

  it("a dispute one second after the response window is refused; the silent claim is then paid by anyone", async function () {
    const f = await loadFixture(pending);
    await time.setNextBlockTimestamp(f.respondBy + 1);
    await expect(f.claims.connect(f.renter).disputeClaim(f.id))
      .to.be.revertedWithCustomError(f.claims, "DeadlinePassed")
      .withArgs(f.respondBy);
    await f.claims.connect(f.other).finalize(f.id);
    await everyWeiOut(f, CLAIM);
  });

  it("same block at the response deadline: the renter's dispute lands, a finalize by anyone is refused", async function () {
    const f = await loadFixture(pending);
    await time.setNextBlockTimestamp(f.respondBy);
    const ok = await sameBlock([
      () => f.claims.connect(f.other).finalize(f.id, { gasLimit: 500_000 }),
      () => f.claims.connect(f.renter).disputeClaim(f.id, { gasLimit: 500_000 }),
    ]);
    expect(ok).to.deep.equal([false, true]);
    expect((await f.claims.claimOf(f.id)).status).to.equal(RentalClaimStatus.Disputed);
  });

  it("same block: the owner waives and the renter disputes; whichever runs first wins, the other changes nothing", async function () {
    const f = await loadFixture(pending);
    const ok = await sameBlock([
      () => f.claims.connect(f.agent).waiveClaim(f.id, { gasLimit: 500_000 }),
      () => f.claims.connect(f.renter).disputeClaim(f.id, { gasLimit: 500_000 }),
    ]);
    expect(ok).to.deep.equal([true, false]);
    await everyWeiOut(f, 0n);
  });

  it("same block: the renter accepts and the owner waives; the accepted claim is paid once", async function () {
    const f = await loadFixture(pending);
    const ok = await sameBlock([
      () => f.claims.connect(f.renter).acceptClaim(f.id, { gasLimit: 500_000 }),
      () => f.claims.connect(f.agent).waiveClaim(f.id, { gasLimit: 500_000 }),
    ]);
    expect(ok).to.deep.equal([true, false]);
    await everyWeiOut(f, CLAIM);
  });
});

describe("RentalClaims: disputes on the dispute module", function () {
  it("an arbiter ruling at the deadline is refused; anyone then resolves by timeout for the renter", async function () {
    const f = await loadFixture(disputed);
    await time.setNextBlockTimestamp(f.ruleBy);
    await expect(f.disputes.connect(f.arbiter).rule(f.disputeId, 1))
      .to.be.revertedWithCustomError(f.disputes, "DeadlinePassed")
      .withArgs(f.ruleBy);
    await expect(f.disputes.connect(f.other).resolveByTimeout(f.disputeId))
      .to.emit(f.disputes, "DisputeResolved")
      .withArgs(f.disputeId, 2, true)
      .and.to.emit(f.claims, "Ruling")
      .withArgs(await f.disputes.getAddress(), f.disputeId, 2)
      .and.to.emit(f.escrow, "ClaimResolved")
      .withArgs(f.id, 0n, DEPOSIT);
    await everyWeiOut(f, 0n);
  });

  it("the arbiter rules for the owner one second before the deadline: the claim is paid, once", async function () {
    const f = await loadFixture(disputed);
    await time.setNextBlockTimestamp(f.ruleBy - 1);
    await expect(f.disputes.connect(f.arbiter).rule(f.disputeId, 1))
      .to.emit(f.escrow, "ClaimResolved")
      .withArgs(f.id, CLAIM, DEPOSIT - CLAIM);
    await expect(f.disputes.resolveByTimeout(f.disputeId))
      .to.be.revertedWithCustomError(f.disputes, "UnknownDispute")
      .withArgs(f.disputeId);
    await everyWeiOut(f, CLAIM);
  });

  it("the default arbiter is read when the claim is disputed: a change before it applies, after it does not", async function () {
    const f = await loadFixture(pending);
    await f.market.connect(f.governance).setDefaultArbiter(f.other.address);
    await f.claims.connect(f.renter).disputeClaim(f.id);
    const disputeId = await f.claims.disputeIdOf(f.id);
    await f.market.connect(f.governance).setDefaultArbiter(f.arbiter.address);
    await expect(f.disputes.connect(f.arbiter).rule(disputeId, 1))
      .to.be.revertedWithCustomError(f.disputes, "NotArbiter")
      .withArgs(f.arbiter.address);
    await f.disputes.connect(f.other).rule(disputeId, 2);
    await everyWeiOut(f, 0n);
  });

  it("rule: only the module; a moot dispute (closed agreement, unknown id) is a no-op, never a revert", async function () {
    const f = await loadFixture(disputed);
    await expect(f.claims.connect(f.arbiter).rule(f.disputeId, 1))
      .to.be.revertedWithCustomError(f.claims, "NotDisputeModule")
      .withArgs(f.arbiter.address);
    await f.disputes.connect(f.arbiter).rule(f.disputeId, 2);
    // The module itself calling again (it never does, but nothing may move if it did), and for ids never opened.
    const module = await ethers.getImpersonatedSigner(await f.disputes.getAddress());
    await networkHelpers.setBalance(module.address, 10n ** 18n);
    for (const [disputeId, ruling] of [
      [f.disputeId, 1n],
      [f.disputeId, 2n],
      [12345n, 1n],
      [BigInt(f.id), 1n],
    ] as const) {
      await expect(f.claims.connect(module).rule(disputeId, ruling)).not.to.emit(f.claims, "Ruling");
    }
    await networkHelpers.setBalance(module.address, 0n);
    await everyWeiOut(f, 0n);
  });
});

describe("RentalClaims: the escrow's closeSettlement and hostile tokens", function () {
  it("closeSettlement: only the claims contract; even it cannot pay more than the deposit or close twice", async function () {
    const f = await loadFixture(pending);
    for (const s of [f.agent, f.renter, f.arbiter, f.governance]) {
      await expect(f.escrow.connect(s).closeSettlement(f.id, 0n))
        .to.be.revertedWithCustomError(f.escrow, "NotClaims")
        .withArgs(s.address);
    }
    const claims = await ethers.getImpersonatedSigner(await f.claims.getAddress());
    await networkHelpers.setBalance(claims.address, 10n ** 18n);
    await expect(f.escrow.connect(claims).closeSettlement(f.id, DEPOSIT + 1n))
      .to.be.revertedWithCustomError(f.escrow, "InvalidClaim")
      .withArgs(DEPOSIT + 1n, DEPOSIT);
    await f.claims.connect(f.renter).acceptClaim(f.id);
    await expect(f.escrow.connect(claims).closeSettlement(f.id, 0n))
      .to.be.revertedWithCustomError(f.escrow, "WrongState")
      .withArgs(f.id, RentalState.Closed);
    await networkHelpers.setBalance(claims.address, 0n); // the gas money given to impersonate it
    await everyWeiOut(f, CLAIM);
  });

  it("a re-entrant token cannot re-enter the claims or the escrow while the damages are paid: paying them moves no token", async function () {
    const f = await loadFixture(base);
    const token = (await ethers.deployContract("ReentrantToken")) as unknown as ReentrantToken;
    const tokenAddress = await token.getAddress();
    await f.market.connect(f.governance).setTokenAllowed(tokenAddress, true);
    await token.mint(f.renter.address, 10n ** 24n);
    await token.connect(f.renter).approve(f.escrowAddress, ethers.MaxUint256);
    const deposit = 10n ** 9n;
    const terms = assetTerms({ token: asAddress(tokenAddress), pricePerSecond: 1000n, deposit });
    const offerId = await publish(f.market, f.agent, terms);
    await f.market.connect(f.renter).rent(offerId, DAY, DAY * 1000n);
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    await time.increase(DAY);
    await f.escrow.settle(id);
    await f.claims.connect(f.agent).claimDamage(id, 1000n, ethers.ZeroHash);
    const vault = await f.custody.vaultOf(ASSET_ID);
    const held = await token.balanceOf(vault);
    const rentPaid = await f.distributor.deposited(ASSET_ID, tokenAddress);
    const guard = f.claims.interface.getError("ReentrancyGuardReentrantCall")!.selector;
    const closed = f.claims.interface.encodeErrorResult("WrongState", [id, RentalState.Closed]);
    for (const [target, data, refusal] of [
      [await f.claims.getAddress(), f.claims.interface.encodeFunctionData("finalize", [id]), closed],
      [
        await f.custody.getAddress(),
        f.custody.interface.encodeFunctionData("withdraw", [ASSET_ID, tokenAddress]),
        guard,
      ],
    ] as const) {
      await token.arm(ethers.ZeroAddress, ethers.ZeroAddress, target, data, true);
      const snap = await networkHelpers.takeSnapshot();
      // The damages are handed to the distributor in the asset's shared vault (`depositHeld`: accounting, no
      // transfer), so the hook, armed on every transfer, never fires while they are paid.
      await expect(f.claims.connect(f.renter).acceptClaim(id))
        .to.emit(f.escrow, "ClaimResolved")
        .withArgs(id, 1000n, deposit - 1000n);
      expect(await token.calls()).to.equal(0n);
      expect(await token.balanceOf(vault)).to.equal(held);
      expect(await f.distributor.deposited(ASSET_ID, tokenAddress)).to.equal(rentPaid + 1000n);
      expect(await f.custody.claimable(f.renter.address, ASSET_ID, tokenAddress)).to.equal(deposit - 1000n);
      // The first transfer is the renter's withdrawal: there the claims find the agreement closed, and the custody's
      // guard refuses a second withdrawal.
      await f.custody.connect(f.renter).withdraw(ASSET_ID, tokenAddress);
      expect(await token.calls()).to.equal(1n);
      expect(await token.lastCallSucceeded()).to.equal(false);
      expect(await token.lastRevert()).to.equal(refusal);
      expect(await token.balanceOf(vault)).to.equal(held - (deposit - 1000n));
      await snap.restore();
    }
  });

  it("a token that refuses transfers cannot hold up a ruling: the damages move no token, the ruling closes at once", async function () {
    const f = await loadFixture(base);
    const token = (await ethers.deployContract("BlocklistToken")) as unknown as BlocklistToken;
    const tokenAddress = await token.getAddress();
    await f.market.connect(f.governance).setTokenAllowed(tokenAddress, true);
    await token.mint(f.renter.address, 10n ** 24n);
    await token.connect(f.renter).approve(f.escrowAddress, ethers.MaxUint256);
    const { id, deposit, rentPaid, disputeId } = await disputedIn(f, tokenAddress);
    // Neither the custody nor the asset's vault can send or receive the token: the damages are counted where they
    // are (`depositHeld`, no transfer), so the ruling is delivered and the agreement closes.
    const vault = await f.custody.vaultOf(ASSET_ID);
    await token.setBlocksSenders(true);
    for (const blocked of [await f.custody.getAddress(), vault]) await token.setBlocked(blocked, true);
    const held = await token.balanceOf(vault);
    await expect(f.disputes.connect(f.arbiter).rule(disputeId, 1))
      .to.emit(f.escrow, "ClaimResolved")
      .withArgs(id, 700n, deposit - 700n)
      .and.not.to.emit(f.claims, "RulingDeferred");
    expect(await f.escrow.stateOf(id)).to.equal(RentalState.Closed);
    expect((await f.claims.claimOf(id)).status).to.equal(RentalClaimStatus.None);
    expect(await f.distributor.deposited(ASSET_ID, tokenAddress)).to.equal(rentPaid + 700n);
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, tokenAddress)).to.equal(deposit - 700n);
    expect(await token.balanceOf(vault)).to.equal(held);
    // Only the renter's withdrawal moves the token: it waits for the vault to be unblocked, then pays once.
    await expect(f.custody.connect(f.renter).withdraw(ASSET_ID, tokenAddress))
      .to.be.revertedWithCustomError(token, "Blocked")
      .withArgs(vault);
    await token.setBlocked(vault, false);
    await expect(f.custody.connect(f.renter).withdraw(ASSET_ID, tokenAddress)).to.changeTokenBalances(
      ethers,
      token,
      [vault, f.renter],
      [-(deposit - 700n), deposit - 700n],
    );
  });

  it("a ruling delivered while the escrow is busy keeps the ruling (Ruled); finalize enforces it later", async function () {
    const f = await loadFixture(base);
    const token = (await ethers.deployContract("ReentrantToken")) as unknown as ReentrantToken;
    const tokenAddress = await token.getAddress();
    await f.market.connect(f.governance).setTokenAllowed(tokenAddress, true);
    for (const s of [f.renter, f.other]) {
      await token.mint(s.address, 10n ** 24n);
      await token.connect(s).approve(f.escrowAddress, ethers.MaxUint256);
    }
    // The token itself is the terms' arbiter, so it can rule from inside a transfer the escrow makes.
    const { id, offerId, deposit, rentPaid, disputeId } = await disputedIn(f, tokenAddress, {
      arbiter: asAddress(tokenAddress),
    });
    // The arbiter rules for the owner from inside the next renter's payment: the escrow is then pulling (locked), so
    // the payout (closeSettlement) reverts; the module's dispute is resolved all the same and the claims keep the
    // ruling.
    const rule = f.disputes.interface.encodeFunctionData("rule", [disputeId, 1]);
    await token.arm(f.other.address, ethers.ZeroAddress, await f.disputes.getAddress(), rule, true);
    await expect(f.market.connect(f.other).rent(offerId, DAY, DAY * 1000n))
      .to.emit(f.disputes, "DisputeResolved")
      .withArgs(disputeId, 1, false)
      .and.to.emit(f.claims, "RulingDeferred")
      .withArgs(id, disputeId, 1)
      .and.not.to.emit(f.escrow, "ClaimResolved");
    expect([await token.calls(), await token.lastCallSucceeded()]).to.deep.equal([1n, true]);
    const c = await f.claims.claimOf(id);
    expect([c.amount, c.status]).to.deep.equal([700n, BigInt(RentalClaimStatus.Ruled)]);
    expect(await f.escrow.stateOf(id)).to.equal(RentalState.Settling);
    expect(await f.escrow.heldFor(id)).to.equal(deposit);
    expect(await f.distributor.deposited(ASSET_ID, tokenAddress)).to.equal(rentPaid);
    // The module's dispute is over; nobody can re-rule, waive or claim again; finalize (anyone) enforces the ruling.
    await expect(f.disputes.resolveByTimeout(disputeId))
      .to.be.revertedWithCustomError(f.disputes, "UnknownDispute")
      .withArgs(disputeId);
    await expect(f.claims.connect(f.agent).waiveClaim(id))
      .to.be.revertedWithCustomError(f.claims, "WrongClaimStatus")
      .withArgs(id, RentalClaimStatus.Ruled);
    await expect(f.claims.connect(f.agent).claimDamage(id, 1n, ethers.ZeroHash))
      .to.be.revertedWithCustomError(f.claims, "WrongClaimStatus")
      .withArgs(id, RentalClaimStatus.Ruled);
    await expect(f.claims.connect(f.other).finalize(id))
      .to.emit(f.escrow, "ClaimResolved")
      .withArgs(id, 700n, deposit - 700n);
    expect(await f.distributor.deposited(ASSET_ID, tokenAddress)).to.equal(rentPaid + 700n);
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, tokenAddress)).to.equal(deposit - 700n);
    expect((await f.claims.claimOf(id)).status).to.equal(RentalClaimStatus.None);
    expect(await f.escrow.stateOf(id)).to.equal(RentalState.Closed);
  });
});

describe("RentalClaims: wiring", function () {
  it("is the escrow's second creation, answers to it and to the dispute module, and claims its interfaces", async function () {
    const f = await loadFixture(base);
    const nonce2 = ethers.getCreateAddress({ from: f.escrowAddress, nonce: 2 });
    expect(await f.escrow.claims()).to.equal(nonce2);
    expect(await f.claims.escrow()).to.equal(f.escrowAddress);
    expect(await f.claims.assetRegistry()).to.equal(await f.assets.getAddress());
    expect(await f.claims.disputes()).to.equal(await f.disputes.getAddress());
    const id = ethers.id("any agreement");
    expect(await f.claims.disputeIdOf(id)).to.equal(await f.disputes.disputeIdOf(nonce2, id));
    for (const iface of ["0x01ffc9a7"]) expect(await f.claims.supportsInterface(iface)).to.equal(true);
    expect(await f.claims.supportsInterface("0xffffffff")).to.equal(false);
  });
});
