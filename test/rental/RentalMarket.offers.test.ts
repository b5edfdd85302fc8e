/** RentalMarket: on-chain offers and renting from them; the escrow opens agreements for the market only. */
import { expect } from "chai";
import { network } from "hardhat";
import { RentalState, SubjectKind, ZERO_ADDRESS } from "../../client/src/eip712/rental.js";
import {
  assetTerms,
  ASSET_ID,
  deployRental,
  DEVICE_ID,
  FREE_DEVICE_ID,
  publish,
  GWEI,
  DAY,
  DEPOSIT,
} from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

const GUARD = "ReentrancyGuardReentrantCall";

async function base() {
  return deployRental(ethers);
}

async function published() {
  const f = await base();
  const terms = assetTerms();
  const offerId = await publish(f.market, f.agent, terms);
  return { ...f, terms, offerId };
}

describe("RentalMarket: on-chain offers", function () {
  it("publishes an offer of the subject's owner: the escrow stores the terms, the market the offer", async function () {
    const f = await loadFixture(base);
    const terms = assetTerms();
    const termsHash = ethers.TypedDataEncoder.hashStruct(
      "Terms",
      { Terms: (await import("../../client/src/eip712/rental.js")).RENTAL_TYPES.Terms },
      terms,
    );
    const offerId = ethers.keccak256(
      ethers.AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [f.agent.address, termsHash]),
    );
    await expect(f.market.connect(f.agent).publishOffer(terms))
      .to.emit(f.market, "OfferPublished")
      .withArgs(offerId, f.agent.address, termsHash)
      .and.to.emit(f.escrow, "TermsStored")
      .withArgs(termsHash, SubjectKind.Asset, ASSET_ID);
    const o = await f.market.offerOf(offerId);
    expect([o.owner, o.active, o.termsHash]).to.deep.equal([f.agent.address, true, termsHash]);
    expect((await f.escrow.termsOf(termsHash)).subjectId).to.equal(ASSET_ID);
    // Publishing the same terms again is refused; nothing changes.
    await expect(f.market.connect(f.agent).publishOffer(terms))
      .to.be.revertedWithCustomError(f.market, "OfferExists")
      .withArgs(offerId);
  });

  it("refuses an offer by anyone but the subject's owner, invalid terms and a token not allowed, storing nothing", async function () {
    const f = await loadFixture(base);
    await expect(f.market.connect(f.other).publishOffer(assetTerms()))
      .to.be.revertedWithCustomError(f.market, "NotSubjectOwner")
      .withArgs(f.other.address, f.agent.address);
    await expect(f.market.connect(f.agent).publishOffer(assetTerms({ minDuration: 1 })))
      .to.be.revertedWithCustomError(f.market, "InvalidTerms")
      .withArgs(1); // Duration
    const token = ethers.Wallet.createRandom().address;
    await expect(f.market.connect(f.agent).publishOffer(assetTerms({ token: token as `0x${string}` })))
      .to.be.revertedWithCustomError(f.market, "TokenNotAllowed")
      .withArgs(token);
    await expect(
      f.market
        .connect(f.agent)
        .publishOffer(
          assetTerms({ pricePerUnit: 1n, meterDeviceId: FREE_DEVICE_ID, meterPeriod: 3600, maxUnitsPerPeriod: 10n }),
        ),
    )
      .to.be.revertedWithCustomError(f.market, "MeterNotOfSubject")
      .withArgs(FREE_DEVICE_ID);
    await expect(f.market.connect(f.agent).publishOffer(assetTerms({ subjectKind: 0 }))).to.be.revertedWithCustomError(
      f.market,
      "InvalidTerms",
    );
    expect(await f.escrow.queryFilter(f.escrow.filters.TermsStored())).to.have.length(0);
    expect(await f.market.queryFilter(f.market.filters.OfferPublished())).to.have.length(0);
  });

  it("rents from an offer: the renter pays exactly deposit + prepay into the asset's vault, the market keeps nothing", async function () {
    const f = await loadFixture(published);
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    const vault = await f.custody.vaultOf(ASSET_ID);
    await expect(
      f.market.connect(f.renter).rent(f.offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT }),
    ).to.changeEtherBalances(
      ethers,
      [f.renter, vault, f.market, f.escrow],
      [-(DAY * GWEI + DEPOSIT), DAY * GWEI + DEPOSIT, 0n, 0n],
    );
    const a = await f.escrow.agreementOf(id);
    expect([a.renter, a.owner, a.credit, a.depositHeld]).to.deep.equal([
      f.renter.address,
      f.agent.address,
      DAY * GWEI,
      DEPOSIT,
    ]);
    expect(await f.escrow.stateOf(id)).to.equal(RentalState.Active);
  });

  it("rents in ERC-20 from the renter's allowance to the ESCROW, not the market", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(f.market, f.agent, assetTerms({ token: f.token.target as `0x${string}` }));
    const vault = await f.custody.vaultOf(ASSET_ID);
    await expect(f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI)).to.changeTokenBalances(
      ethers,
      f.token,
      [f.renter, vault, f.market, f.escrow],
      [-(DAY * GWEI + DEPOSIT), DAY * GWEI + DEPOSIT, 0n, 0n],
    );
    expect(await f.token.allowance(f.renter.address, f.marketAddress)).to.equal(0n);
  });

  it("refuses a cancelled offer; only its owner cancels it, once", async function () {
    const f = await loadFixture(published);
    await expect(f.market.connect(f.other).cancelOffer(f.offerId))
      .to.be.revertedWithCustomError(f.market, "NotOwner")
      .withArgs(f.other.address);
    await expect(f.market.connect(f.agent).cancelOffer(f.offerId))
      .to.emit(f.market, "OfferCancelled")
      .withArgs(f.offerId);
    await expect(f.market.connect(f.agent).cancelOffer(f.offerId))
      .to.be.revertedWithCustomError(f.market, "OfferNotActive")
      .withArgs(f.offerId);
    const before = await ethers.provider.getBalance(f.renter.address);
    await expect(
      f.market.connect(f.renter).rent(f.offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT, gasPrice: 0 }),
    )
      .to.be.revertedWithCustomError(f.market, "OfferNotActive")
      .withArgs(f.offerId);
    await expect(f.market.connect(f.renter).rent(ethers.ZeroHash, DAY, DAY * GWEI))
      .to.be.revertedWithCustomError(f.market, "OfferNotActive")
      .withArgs(ethers.ZeroHash);
    expect(await ethers.provider.getBalance(f.renter.address)).to.equal(before);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(ethers.ZeroHash);
  });

  it("refuses an offer whose publisher no longer owns the subject (agent changed between publish and rent)", async function () {
    const f = await loadFixture(published);
    await f.assets.setAsset(ASSET_ID, f.other.address, 1, ZERO_ADDRESS);
    const before = await ethers.provider.getBalance(f.renter.address);
    await expect(
      f.market.connect(f.renter).rent(f.offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT, gasPrice: 0 }),
    )
      .to.be.revertedWithCustomError(f.escrow, "NotSubjectOwner")
      .withArgs(f.agent.address, f.other.address);
    expect(await ethers.provider.getBalance(f.renter.address)).to.equal(before);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(ethers.ZeroHash);
  });
});

describe("RentalMarket: the escrow re-checks the offer at opening", function () {
  it("refuses a metered offer whose meter was unbound from the asset after publication; nothing is paid", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(
      f.market,
      f.agent,
      assetTerms({
        pricePerUnit: 1n,
        meterDeviceId: DEVICE_ID,
        meterKind: 1,
        meterPeriod: 3600,
        maxUnitsPerPeriod: 10n,
      }),
    );
    await f.devices.setDevice(DEVICE_ID, f.deviceOwner.address, 1, 0n); // unbound
    const before = await ethers.provider.getBalance(f.renter.address);
    await expect(
      f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT, gasPrice: 0 }),
    )
      .to.be.revertedWithCustomError(f.escrow, "MeterNotOfSubject")
      .withArgs(DEVICE_ID);
    expect(await ethers.provider.getBalance(f.renter.address)).to.equal(before);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(ethers.ZeroHash);
  });
});

describe("RentalMarket: the escrow opens agreements for its market only", function () {
  it("refuses storeTerms and open from anyone else, the governance and the subject's owner included, changing nothing", async function () {
    const f = await loadFixture(published);
    const { termsHash } = await f.market.offerOf(f.offerId);
    for (const who of [f.renter, f.agent, f.governance]) {
      await expect(f.escrow.connect(who).storeTerms(assetTerms({ deposit: 1n })))
        .to.be.revertedWithCustomError(f.escrow, "NotMarket")
        .withArgs(who.address);
      await expect(
        f.escrow.connect(who).open(termsHash, f.agent.address, f.renter.address, DAY, DAY * GWEI, {
          value: DAY * GWEI + DEPOSIT,
        }),
      )
        .to.be.revertedWithCustomError(f.escrow, "NotMarket")
        .withArgs(who.address);
    }
    // Not even opening for oneself as renter, nor pulling another renter's ERC-20 allowance.
    const erc20 = await publish(f.market, f.agent, assetTerms({ token: f.token.target as `0x${string}`, deposit: 1n }));
    const erc20Terms = (await f.market.offerOf(erc20)).termsHash;
    const balance = await f.token.balanceOf(f.renter.address);
    await expect(
      f.escrow.connect(f.other).open(erc20Terms, f.agent.address, f.renter.address, DAY, DAY * GWEI),
    ).to.be.revertedWithCustomError(f.escrow, "NotMarket");
    expect(await f.token.balanceOf(f.renter.address)).to.equal(balance);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(ethers.ZeroHash);
    expect(await f.escrow.queryFilter(f.escrow.filters.TermsStored())).to.have.length(2);
  });

  it("claims IRentalMarket, IAccessControl and IERC165 (ERC-165); the escrow no longer claims IAccessControl", async function () {
    const f = await loadFixture(base);
    expect(await f.market.supportsInterface("0x01ffc9a7")).to.equal(true);
    expect(await f.market.supportsInterface("0x7965db0b")).to.equal(true);
    expect(await f.market.supportsInterface("0xffffffff")).to.equal(false);
    expect(await f.escrow.supportsInterface("0x7965db0b")).to.equal(false);
    expect(await f.escrow.supportsInterface("0x01ffc9a7")).to.equal(true);
  });

  it("a hostile ERC-20 re-entering the market or the escrow during the payment is refused; one agreement, exact amounts", async function () {
    const f = await loadFixture(base);
    const token = await ethers.deployContract("ReentrantToken");
    const tokenAddress = (await token.getAddress()) as `0x${string}`;
    await f.market.connect(f.governance).setTokenAllowed(tokenAddress, true);
    const terms = assetTerms({ token: tokenAddress });
    const offerId = await publish(f.market, f.agent, terms);
    const other = await publish(
      f.market,
      f.deviceOwner,
      assetTerms({
        token: tokenAddress,
        subjectKind: SubjectKind.Device,
        subjectId: FREE_DEVICE_ID,
      }),
    );
    const amount = DAY * GWEI + DEPOSIT;
    await token.mint(f.renter.address, 3n * amount);
    await token.connect(f.renter).approve(f.escrowAddress, ethers.MaxUint256);
    await token.mint(tokenAddress, 3n * amount);
    await token.exec(tokenAddress, token.interface.encodeFunctionData("approve", [f.escrowAddress, ethers.MaxUint256]));
    const vault = await f.custody.vaultOf(ASSET_ID);
    // Re-enter the market: rent the device as the token, in the middle of the renter's payment.
    await token.arm(
      f.renter.address,
      ZERO_ADDRESS,
      f.marketAddress,
      f.market.interface.encodeFunctionData("rent", [other, DAY, DAY * GWEI]),
      true,
    );
    await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI);
    expect(await token.calls()).to.equal(1n);
    expect(await token.successes()).to.equal(0n);
    expect(await token.lastRevert()).to.equal(ethers.id(`${GUARD}()`).slice(0, 10));
    // Re-enter the escrow directly: not the market.
    const { termsHash } = await f.market.offerOf(other);
    await token.arm(
      f.other.address,
      ZERO_ADDRESS,
      f.escrowAddress,
      f.escrow.interface.encodeFunctionData("open", [termsHash, f.deviceOwner.address, tokenAddress, DAY, DAY * GWEI]),
      true,
    );
    await token.mint(f.other.address, amount);
    await token.connect(f.other).approve(f.escrowAddress, ethers.MaxUint256);
    await f.market.connect(f.other).rent(other, DAY, DAY * GWEI);
    expect(await token.calls()).to.equal(2n);
    expect(await token.successes()).to.equal(0n);
    expect(ethers.dataSlice(await token.lastRevert(), 0, 4)).to.equal(
      f.escrow.interface.getError("NotMarket")!.selector,
    );
    // Exactly the two agreements the renters paid for, and no more money moved.
    expect(await token.balanceOf(vault)).to.equal(amount);
    expect(await token.balanceOf(await f.custody.vaultOf(FREE_DEVICE_ID))).to.equal(amount);
    expect(await token.balanceOf(tokenAddress)).to.equal(3n * amount);
    expect(
      (await f.escrow.agreementOf(await f.escrow.agreementId(SubjectKind.Device, FREE_DEVICE_ID, 0))).renter,
    ).to.equal(f.other.address);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Device, FREE_DEVICE_ID)).to.equal(
      await f.escrow.agreementId(SubjectKind.Device, FREE_DEVICE_ID, 0),
    );
  });
});
