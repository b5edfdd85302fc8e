import { expect } from "chai";
import { network } from "hardhat";
import { SubjectKind, ZERO_ADDRESS } from "../../client/src/eip712/rental.js";
import type { BlocklistToken, MockPayoutToken, ReentrantToken } from "../../types/ethers-contracts/index.js";
import { assetTerms, ASSET_ID, deployRental, FEE_BPS, FREE_DEVICE_ID, publish, DAY } from "./fixture.js";
import { asAddress } from "../../client/src/types.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const PRICE = 1000n;
const DEPOSIT = 10n ** 9n;

async function base() {
  return deployRental(ethers);
}

/** Deploys `name`, allows it, funds renter and other, and publishes a one-day asset offer in it. */
async function withToken(name: "ReentrantToken" | "FeeOnTransferToken" | "BlocklistToken") {
  const f = await base();
  const token = (await ethers.deployContract(name)) as unknown as MockPayoutToken;
  // The rental suite's blocklist refuses blocklisted senders too (like USDC).
  if (name === "BlocklistToken") await (token as unknown as BlocklistToken).setBlocksSenders(true);
  const tokenAddress = await token.getAddress();
  await f.market.connect(f.governance).setTokenAllowed(tokenAddress, true);
  for (const s of [f.renter, f.other]) {
    await token.mint(s.address, 10n ** 24n);
    await token.connect(s).approve(f.escrowAddress, ethers.MaxUint256);
  }
  const offerId = await publish(
    f.market,
    f.agent,
    assetTerms({ token: asAddress(tokenAddress), pricePerSecond: PRICE, deposit: DEPOSIT }),
  );
  const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
  return { ...f, token, tokenAddress, offerId, id };
}

const reentrantFixture = () => withToken("ReentrantToken");
const feeFixture = () => withToken("FeeOnTransferToken");
const blocklistFixture = () => withToken("BlocklistToken");

describe("RentalEscrow: attacks", function () {
  it("blocks a reentrant token from re-entering while it is being pulled or paid out", async function () {
    const f = await loadFixture(reentrantFixture);
    const token = f.token as unknown as ReentrantToken;
    // While the escrow pulls the payment, the token calls the escrow back: its guard refuses.
    const collect = f.escrow.interface.encodeFunctionData("collect", [f.id]);
    await token.arm(ethers.ZeroAddress, ethers.ZeroAddress, f.escrowAddress, collect, false);
    await f.market.connect(f.renter).rent(f.offerId, DAY, DAY * PRICE);
    expect(await token.lastCallSucceeded()).to.equal(false);
    const guard = f.escrow.interface.getError("ReentrancyGuardReentrantCall")!.selector;
    expect(await token.lastRevert()).to.equal(guard);
    await time.increase(DAY);
    await f.escrow.settle(f.id);
    await time.increase(DAY + 1n);
    await f.claims.finalize(f.id);
    // While the custody pays the renter out, the token calls the custody's withdraw again: its guard refuses.
    const withdraw = f.custody.interface.encodeFunctionData("withdraw", [ASSET_ID, f.tokenAddress]);
    await token.arm(ethers.ZeroAddress, ethers.ZeroAddress, await f.custody.getAddress(), withdraw, false);
    await f.custody.connect(f.renter).withdraw(ASSET_ID, f.tokenAddress);
    expect(await token.lastCallSucceeded()).to.equal(false);
    expect(await token.lastRevert()).to.equal(guard);
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, f.tokenAddress)).to.equal(0);
    // All that is left in the asset's vault is the protocol fee (the fee recipient's balance) and the net rent handed
    // to the distributor (it stays in the shared vault); the escrow and the distributor hold nothing.
    const vault = await f.custody.vaultOf(ASSET_ID);
    const fee = (DAY * PRICE * BigInt(FEE_BPS)) / 10_000n;
    expect(await f.custody.claimable(f.feeRecipient.address, ASSET_ID, f.tokenAddress)).to.equal(fee);
    expect(await f.distributor.deposited(ASSET_ID, f.tokenAddress)).to.equal(DAY * PRICE - fee);
    expect(await token.balanceOf(vault)).to.equal(DAY * PRICE);
    expect(await token.balanceOf(f.escrowAddress)).to.equal(0n);
    expect(await token.balanceOf(await f.distributor.getAddress())).to.equal(0n);
  });

  it("refuses a fee-on-transfer token by the balance difference, changing nothing", async function () {
    const f = await loadFixture(feeFixture);
    const total = DAY * PRICE + DEPOSIT;
    await expect(f.market.connect(f.renter).rent(f.offerId, DAY, DAY * PRICE))
      .to.be.revertedWithCustomError(f.escrow, "FeeOnTransferToken")
      .withArgs(total, total - total / 100n);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(ethers.ZeroHash);
    expect(await f.token.balanceOf(f.escrowAddress)).to.equal(0);
  });

  it("keeps a blocklisted renter from blocking settlement; the renter can withdraw elsewhere", async function () {
    const f = await loadFixture(blocklistFixture);
    const token = f.token as unknown as BlocklistToken;
    await f.market.connect(f.renter).rent(f.offerId, DAY, DAY * PRICE + 77n);
    await token.setBlocked(f.renter.address, true);
    await time.increase(DAY);
    await f.escrow.settle(f.id);
    await time.increase(DAY + 1n);
    await f.claims.finalize(f.id);
    expect(await f.distributor.deposited(ASSET_ID, f.tokenAddress)).to.be.greaterThan(0);
    await expect(f.custody.connect(f.renter).withdraw(ASSET_ID, f.tokenAddress)).to.be.revertedWithCustomError(
      token,
      "Blocked",
    );
    await f.custody.connect(f.renter).withdrawTo(ASSET_ID, f.tokenAddress, f.other.address);
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, f.tokenAddress)).to.equal(0);
  });

  it("a blocklisted distributor cannot hold up income (no token is sent to it); income it refuses is deferred instead of locking the agreement", async function () {
    const f = await loadFixture(blocklistFixture);
    const token = f.token as unknown as BlocklistToken;
    const distributor = await f.distributor.getAddress();
    const vault = await f.custody.vaultOf(ASSET_ID);
    const fee = (DAY * PRICE * BigInt(FEE_BPS)) / 10_000n;
    const net = DAY * PRICE - fee;
    await f.market.connect(f.renter).rent(f.offerId, DAY, DAY * PRICE);
    // The token blocklists the distributor: that changes nothing, income is handed over in the asset's shared vault.
    await token.setBlocked(distributor, true);
    await time.increase(DAY);
    const settle = f.escrow.settle(f.id);
    await expect(settle)
      .to.emit(f.custody, "IncomeDeposited")
      .withArgs(ASSET_ID, f.tokenAddress, net)
      .and.not.to.emit(f.custody, "IncomeDeferred");
    await expect(settle).to.changeTokenBalances(ethers, token, [vault, distributor], [0n, 0n]);
    expect(await f.distributor.deposited(ASSET_ID, f.tokenAddress)).to.equal(net);
    expect(await f.custody.pendingIncome(ASSET_ID, f.tokenAddress)).to.equal(0n);
    expect(await token.allowance(f.escrowAddress, distributor)).to.equal(0);
    expect(await token.allowance(await f.custody.getAddress(), distributor)).to.equal(0);
    // A distributor that refuses income (here the double's switch) defers the next agreement's instead: it settles,
    // and the income waits in the vault until a flush finds the distributor accepting again, exactly once.
    await f.market.connect(f.other).rent(f.offerId, DAY, DAY * PRICE);
    await f.distributor.setRefuse(true);
    await time.increase(DAY);
    await expect(f.escrow.settle(await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 1)))
      .to.emit(f.custody, "IncomeDeferred")
      .withArgs(ASSET_ID, f.tokenAddress, net);
    expect(await f.custody.pendingIncome(ASSET_ID, f.tokenAddress)).to.equal(net);
    await expect(f.custody.flushIncome(ASSET_ID, f.tokenAddress))
      .to.emit(f.custody, "IncomeDeferred")
      .withArgs(ASSET_ID, f.tokenAddress, net);
    await f.distributor.setRefuse(false);
    await expect(f.custody.flushIncome(ASSET_ID, f.tokenAddress))
      .to.emit(f.custody, "IncomeDeposited")
      .withArgs(ASSET_ID, f.tokenAddress, net);
    await expect(f.custody.flushIncome(ASSET_ID, f.tokenAddress)).to.be.revertedWithCustomError(
      f.escrow,
      "NothingToWithdraw",
    );
    expect(await f.distributor.deposited(ASSET_ID, f.tokenAddress)).to.equal(2n * net);
    // Both agreements' payments are still in the vault: fees and deposits owed by the rental, net rent by the
    // distributor.
    expect(await token.balanceOf(vault)).to.equal(2n * (DAY * PRICE + DEPOSIT));
    expect(await token.balanceOf(distributor)).to.equal(0n);
  });

  it("lets a renter contract that reverts on receiving ETH rent and close; its refund stays claimable", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(f.market, f.agent, assetTerms());
    const renter = await ethers.deployContract("RevertingReceiver");
    const value = DAY * 10n ** 9n + 10n ** 16n;
    await renter.exec(f.marketAddress, f.market.interface.encodeFunctionData("rent", [offerId, DAY, DAY * 10n ** 9n]), {
      value,
    });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    await time.increase(DAY);
    await f.escrow.settle(id);
    await time.increase(DAY + 1n);
    await f.claims.finalize(id);
    const renterAddress = await renter.getAddress();
    expect(await f.custody.claimable(renterAddress, ASSET_ID, ZERO_ADDRESS)).to.equal(10n ** 16n);
    const custodyAddress = await f.custody.getAddress();
    await expect(
      renter.exec(custodyAddress, f.custody.interface.encodeFunctionData("withdraw", [ASSET_ID, ZERO_ADDRESS])),
    ).to.be.revertedWithCustomError(f.custody, "EthTransferFailed");
    await renter.exec(
      custodyAddress,
      f.custody.interface.encodeFunctionData("withdrawTo", [ASSET_ID, ZERO_ADDRESS, f.other.address]),
    );
    expect(await f.custody.claimable(renterAddress, ASSET_ID, ZERO_ADDRESS)).to.equal(0);
  });

  it("lets an owner contract that reverts on ETH offer a device; its rent stays claimable", async function () {
    const f = await loadFixture(base);
    const owner = await ethers.deployContract("RevertingReceiver");
    await f.devices.setOwner(FREE_DEVICE_ID, await owner.getAddress());
    const terms = assetTerms({ subjectKind: SubjectKind.Device, subjectId: FREE_DEVICE_ID });
    await owner.exec(f.marketAddress, f.market.interface.encodeFunctionData("publishOffer", [terms]));
    const termsHash = (await f.market.queryFilter(f.market.filters.OfferPublished()))[0].args.offerId;
    await f.market.connect(f.renter).rent(termsHash, DAY, DAY * 10n ** 9n, { value: DAY * 10n ** 9n + 10n ** 16n });
    await time.increase(DAY);
    await f.escrow.settle(await f.escrow.agreementId(SubjectKind.Device, FREE_DEVICE_ID, 0));
    // An unbound device's money is held in the device's own vault (custody = the device id).
    expect(await f.custody.claimable(await owner.getAddress(), FREE_DEVICE_ID, ZERO_ADDRESS)).to.be.greaterThan(0);
  });

  it("settles even when the registry refuses to release the lease", async function () {
    const f = await loadFixture(base);
    const terms = assetTerms({ subjectKind: SubjectKind.Device, subjectId: FREE_DEVICE_ID, deposit: 0n });
    const offerId = await publish(f.market, f.deviceOwner, terms);
    await f.market.connect(f.renter).rent(offerId, 3600, 3600n * 10n ** 9n, { value: 3600n * 10n ** 9n });
    await f.devices.setRefuseLeaseRelease(true);
    await time.increase(3600);
    const id = await f.escrow.agreementId(SubjectKind.Device, FREE_DEVICE_ID, 0);
    await expect(f.escrow.settle(id))
      .to.emit(f.escrow, "LeaseReleaseFailed")
      .withArgs(SubjectKind.Device, FREE_DEVICE_ID);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Device, FREE_DEVICE_ID)).to.equal(ethers.ZeroHash);
  });

  it("refuses tiny rentals: terms under one minute and empty prepayments", async function () {
    const f = await loadFixture(base);
    await expect(f.market.connect(f.agent).publishOffer(assetTerms({ minDuration: 1 })))
      .to.be.revertedWithCustomError(f.escrow, "InvalidTerms")
      .withArgs(1);
    const offerId = await publish(f.market, f.agent, assetTerms({ pricePerSecond: 0n, deposit: 0n, minDuration: 60 }));
    await expect(f.market.connect(f.renter).rent(offerId, 60, 0))
      .to.be.revertedWithCustomError(f.escrow, "PrepaymentTooSmall")
      .withArgs(0, 1);
  });

  it("collecting every second cannot shave the protocol fee: the fees of an agreement sum to floor(rent x feeBps / BPS), as with one payout", async function () {
    const f = await loadFixture(base);
    const token = await f.token.getAddress();
    const price = 3n; // rent per second: each 1-2 s collect pays out 3-6 units, whose own fee rounds to 0
    const offerId = await publish(
      f.market,
      f.agent,
      assetTerms({ token: asAddress(token), pricePerSecond: price, deposit: 0n, minDuration: 3_600 }),
    );
    const term = 3_600n;
    const rentAll = term * price; // 10,800 units over the term
    const exactFee = (rentAll * BigInt(FEE_BPS)) / 10_000n; // 270
    const BPS = 10_000n;

    /** Opens the nonce-th agreement, optionally collects `collects` times a second apart, settles at the end
     *  of the term and returns the fees and rent paid (RentPaid) and the fee recipient's claimable balance. */
    const run = async (nonce: bigint, collects: number) => {
      const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, nonce);
      await f.market.connect(f.renter).rent(offerId, term, rentAll);
      const paid: { fee: bigint; net: bigint }[] = [];
      const record = async (tx: Promise<{ wait(): Promise<unknown> }>) => {
        const receipt = (await (await tx).wait()) as { logs: Parameters<typeof f.escrow.interface.parseLog>[0][] };
        for (const log of receipt.logs) {
          const e = f.escrow.interface.parseLog(log);
          if (e?.name === "RentPaid") paid.push({ fee: e.args.fee as bigint, net: e.args.net as bigint });
        }
      };
      // A stranger (nobody's side) calls collect every block: anyone may.
      for (let i = 0; i < collects; i++) await record(f.escrow.connect(f.other).collect(id));
      // What is left below one unit is carried, not lost: fees x BPS + remainder = rent paid x feeBps.
      const paidSoFar = paid.reduce((s, p) => s + p.fee + p.net, 0n);
      const feesSoFar = paid.reduce((s, p) => s + p.fee, 0n);
      expect(feesSoFar * BPS + (await f.escrow.agreementOf(id)).feeRemainder).to.equal(paidSoFar * BigInt(FEE_BPS));
      await time.increase(term);
      await record(f.escrow.connect(f.other).settle(id));
      return { id, paid };
    };

    const feeBefore = await f.custody.claimable(f.feeRecipient.address, ASSET_ID, token);
    const often = await run(0n, 40);
    // 40 payouts of a few units: under the per-payout rounding each fee alone is 0.
    expect(often.paid.length).to.equal(41);
    expect(often.paid.slice(0, 40).every((p) => ((p.fee + p.net) * BigInt(FEE_BPS)) / BPS === 0n)).to.equal(true);
    const gross = often.paid.reduce((s, p) => s + p.fee + p.net, 0n);
    const fees = often.paid.reduce((s, p) => s + p.fee, 0n);
    expect(gross).to.equal(rentAll);
    expect(fees).to.equal(exactFee);
    // Settlement is the last payout: it drops the remainder below one unit (the slot is cleared).
    expect((await f.escrow.agreementOf(often.id)).feeRemainder).to.equal(0n);
    const feeAfterOften = await f.custody.claimable(f.feeRecipient.address, ASSET_ID, token);
    expect(feeAfterOften - feeBefore).to.equal(exactFee);

    // The same agreement paid out once: the same fee, to the unit.
    const once = await run(1n, 0);
    expect(once.paid).to.deep.equal([{ fee: exactFee, net: rentAll - exactFee }]);
    expect((await f.custody.claimable(f.feeRecipient.address, ASSET_ID, token)) - feeAfterOften).to.equal(exactFee);
  });
});
