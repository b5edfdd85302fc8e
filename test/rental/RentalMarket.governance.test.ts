/** RentalMarket: governance of the rental configuration (escrow link, tokens, fee, fee recipient, default arbiter). */
import { expect } from "chai";
import { network } from "hardhat";
import { SubjectKind, ZERO_ADDRESS } from "../../client/src/eip712/rental.js";
import { assetTerms, ASSET_ID, deployRental, FEE_BPS, publish, GWEI, DAY, DEPOSIT } from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function base() {
  return deployRental(ethers);
}

type F = Awaited<ReturnType<typeof base>>;

async function config(f: F) {
  return {
    eth: await f.market.tokenAllowed(ZERO_ADDRESS),
    fee: await f.market.protocolFeeBps(),
    recipient: await f.market.feeRecipient(),
    arbiter: await f.market.defaultArbiter(),
  };
}

describe("RentalMarket: governance", function () {
  it("is deployed with governance as DEFAULT_ADMIN_ROLE, the configuration given, and the escrow naming it linked", async function () {
    const f = await loadFixture(base);
    expect(await f.market.hasRole(ethers.ZeroHash, f.governance.address)).to.equal(true);
    expect(await f.market.protocolFeeBps()).to.equal(FEE_BPS);
    expect(await f.market.feeRecipient()).to.equal(f.feeRecipient.address);
    expect(await f.market.defaultArbiter()).to.equal(f.arbiter.address);
    expect(await f.market.escrow()).to.equal(f.escrowAddress);
    expect(await f.escrow.market()).to.equal(f.marketAddress);
    expect(await f.market.assetRegistry()).to.equal(await f.assets.getAddress());
    expect(await f.market.deviceRegistry()).to.equal(await f.devices.getAddress());
  });

  it("refuses every setter to anyone but governance and changes nothing", async function () {
    const f = await loadFixture(base);
    const before = await config(f);
    for (const call of [
      f.market.connect(f.other).setTokenAllowed(ZERO_ADDRESS, false),
      f.market.connect(f.other).setProtocolFee(1),
      f.market.connect(f.other).setFeeRecipient(f.other.address),
      f.market.connect(f.other).setDefaultArbiter(f.other.address),
      // The escrow's former owner of these calls: the agent of an asset has no say either.
      f.market.connect(f.agent).setProtocolFee(0),
    ]) {
      await expect(call).to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount");
    }
    expect(await config(f)).to.deep.equal(before);
  });

  it("sets each value with its event; refuses a zero address and a fee above the cap, changing nothing", async function () {
    const f = await loadFixture(base);
    const token = ethers.Wallet.createRandom().address;
    await expect(f.market.connect(f.governance).setTokenAllowed(token, true))
      .to.emit(f.market, "TokenAllowed")
      .withArgs(token, true);
    expect(await f.market.tokenAllowed(token)).to.equal(true);
    await expect(f.market.connect(f.governance).setProtocolFee(1000))
      .to.emit(f.market, "ProtocolFeeSet")
      .withArgs(1000);
    await expect(f.market.connect(f.governance).setFeeRecipient(f.other.address))
      .to.emit(f.market, "FeeRecipientSet")
      .withArgs(f.other.address);
    await expect(f.market.connect(f.governance).setDefaultArbiter(f.other.address))
      .to.emit(f.market, "DefaultArbiterSet")
      .withArgs(f.other.address);
    const before = await config(f);
    await expect(f.market.connect(f.governance).setProtocolFee(1001))
      .to.be.revertedWithCustomError(f.market, "FeeTooHigh")
      .withArgs(1001, 1000);
    await expect(f.market.connect(f.governance).setFeeRecipient(ZERO_ADDRESS)).to.be.revertedWithCustomError(
      f.market,
      "ZeroAddress",
    );
    await expect(f.market.connect(f.governance).setDefaultArbiter(ZERO_ADDRESS)).to.be.revertedWithCustomError(
      f.market,
      "ZeroAddress",
    );
    expect(await config(f)).to.deep.equal(before);
  });

  it("refuses a zero governance, fee recipient or default arbiter and a fee above the cap at deployment", async function () {
    const f = await loadFixture(base);
    const factory = await ethers.getContractFactory("RentalMarket");
    const [assets, devices] = [await f.assets.getAddress(), await f.devices.getAddress()];
    const [gov, fees, arb] = [f.governance.address, f.feeRecipient.address, f.arbiter.address];
    for (const bad of [
      factory.deploy(ZERO_ADDRESS, assets, devices, fees, arb, 0),
      factory.deploy(gov, assets, devices, ZERO_ADDRESS, arb, 0),
      factory.deploy(gov, assets, devices, fees, ZERO_ADDRESS, 0),
    ]) {
      await expect(bad).to.be.revertedWithCustomError(factory, "ZeroAddress");
    }
    await expect(factory.deploy(gov, assets, devices, fees, arb, 1001))
      .to.be.revertedWithCustomError(factory, "FeeTooHigh")
      .withArgs(1001, 1000);
  });

  it("the escrow snapshots the market's fee at opening: a later change applies to later agreements only", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(f.market, f.agent, assetTerms());
    const pay = { value: DAY * GWEI + DEPOSIT };
    await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, pay);
    const first = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    await f.market.connect(f.governance).setProtocolFee(1000);
    expect((await f.escrow.agreementOf(first)).feeBps).to.equal(FEE_BPS);
    await time.increase(DAY);
    await f.escrow.settle(first);
    // Rent of the first agreement paid out at its snapshotted 2.5 %.
    const fee = (DAY * GWEI * BigInt(FEE_BPS)) / 10_000n;
    expect(await f.custody.claimable(f.feeRecipient.address, ASSET_ID, ZERO_ADDRESS)).to.equal(fee);
    await time.increase(2n * DAY);
    await f.claims.finalize(first);
    await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, pay);
    const second = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 1);
    expect((await f.escrow.agreementOf(second)).feeBps).to.equal(1000);
  });

  it("credits each payout's fee to the fee recipient the market names at that payout", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(f.market, f.agent, assetTerms({ deposit: 0n }));
    await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    const start = (await f.escrow.agreementOf(id)).accruedUntil;
    // The first half of the day is paid out while the first recipient is named ...
    await time.setNextBlockTimestamp(start + DAY / 2n);
    await f.escrow.collect(id);
    const half = ((DAY / 2n) * GWEI * BigInt(FEE_BPS)) / 10_000n;
    expect(await f.custody.claimable(f.feeRecipient.address, ASSET_ID, ZERO_ADDRESS)).to.equal(half);
    // ... the rest after governance named another: earned fees stay with whom they were credited to.
    await f.market.connect(f.governance).setFeeRecipient(f.other.address);
    await time.increase(DAY);
    await expect(f.escrow.settle(id))
      .to.emit(f.custody, "Credited")
      .withArgs(f.other.address, ASSET_ID, ZERO_ADDRESS, half);
    expect(await f.custody.claimable(f.other.address, ASSET_ID, ZERO_ADDRESS)).to.equal(half);
    expect(await f.custody.claimable(f.feeRecipient.address, ASSET_ID, ZERO_ADDRESS)).to.equal(half);
    expect(await f.escrow.heldFor(id)).to.equal(0n);
  });

  it("a token governance delists after publication is refused at opening; nothing is paid or stored", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(f.market, f.agent, assetTerms());
    await f.market.connect(f.governance).setTokenAllowed(ZERO_ADDRESS, false);
    const before = await ethers.provider.getBalance(f.renter.address);
    await expect(
      f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT, gasPrice: 0 }),
    )
      .to.be.revertedWithCustomError(f.escrow, "TokenNotAllowed")
      .withArgs(ZERO_ADDRESS);
    expect(await ethers.provider.getBalance(f.renter.address)).to.equal(before);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(ethers.ZeroHash);
  });
});
