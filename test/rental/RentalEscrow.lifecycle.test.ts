import { expect } from "chai";
import { network } from "hardhat";
import {
  buildOffer,
  RENTAL_TYPES,
  RentalClaimStatus,
  RentalState,
  signOffer,
  SubjectKind,
  ZERO_ADDRESS,
} from "../../client/src/eip712/rental.js";
import {
  assetTerms,
  ASSET_ID,
  deployRental,
  DEVICE_ID,
  FEE_BPS,
  FREE_DEVICE_ID,
  METER_KIND,
  meterTerms,
  publish,
  GWEI,
  DAY,
  HOUR,
  DEPOSIT,
} from "./fixture.js";
import { asAddress } from "../../client/src/types.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function base() {
  return deployRental(ethers);
}

/** A settled agreement whose arbiter is a contract (ERC-792 callback), with a disputed claim. */
async function disputedBeforeArbiterContract(claim: bigint) {
  const f = await loadFixture(base);
  const arb = await ethers.deployContract("RentalMockArbitrator");
  const offerId = await publish(f.market, f.agent, assetTerms({ arbiter: asAddress(await arb.getAddress()) }));
  await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT });
  const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
  await time.increase(DAY);
  await f.escrow.settle(id);
  await f.claims.connect(f.agent).claimDamage(id, claim, ethers.ZeroHash);
  await f.claims.connect(f.renter).disputeClaim(id);
  return { f, arb, id };
}

/** An ETH rental of ASSET_ID for one day, prepaid in full, Active. */
async function activeEth() {
  const f = await base();
  const offerId = await publish(f.market, f.agent, assetTerms());
  await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT });
  const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
  return { ...f, offerId, id };
}

/** A snapshot of everything a refused call must leave unchanged. */
async function snapshot(f: Awaited<ReturnType<typeof base>>, id: string) {
  return {
    agreement: (await f.escrow.agreementOf(id)).toString(),
    state: await f.escrow.stateOf(id),
    eth: await ethers.provider.getBalance(f.escrowAddress),
    tokens: await f.token.balanceOf(f.escrowAddress),
    live: await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID),
    lease: await f.assets.leasedUntil(ASSET_ID),
  };
}

describe("RentalEscrow: offers", function () {
  it("lets the asset's agent publish terms, stored once under their EIP-712 hash", async function () {
    const f = await loadFixture(base);
    const terms = assetTerms();
    const offerId = await publish(f.market, f.agent, terms);
    const offer = await f.market.offerOf(offerId);
    expect(offer.owner).to.equal(f.agent.address);
    expect(offer.active).to.equal(true);
    const stored = await f.escrow.termsOf(offer.termsHash);
    expect(stored.pricePerSecond).to.equal(terms.pricePerSecond);
    expect(offerId).to.equal(
      ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [f.agent.address, offer.termsHash]),
      ),
    );
  });

  it("refuses terms published by anyone but the subject's agent or device owner", async function () {
    const f = await loadFixture(base);
    await expect(f.market.connect(f.other).publishOffer(assetTerms()))
      .to.be.revertedWithCustomError(f.escrow, "NotSubjectOwner")
      .withArgs(f.other.address, f.agent.address);
    await expect(
      f.market
        .connect(f.other)
        .publishOffer(assetTerms({ subjectKind: SubjectKind.Device, subjectId: FREE_DEVICE_ID })),
    )
      .to.be.revertedWithCustomError(f.escrow, "NotSubjectOwner")
      .withArgs(f.other.address, f.deviceOwner.address);
  });

  it("refuses a payment token governance has not allowed", async function () {
    const f = await loadFixture(base);
    const stranger = await ethers.deployContract("MockPayoutToken", ["X", "X", 18]);
    await expect(f.market.connect(f.agent).publishOffer(assetTerms({ token: asAddress(await stranger.getAddress()) })))
      .to.be.revertedWithCustomError(f.escrow, "TokenNotAllowed")
      .withArgs(await stranger.getAddress());
  });

  it("refuses terms outside the protocol's bounds, naming the reason", async function () {
    const f = await loadFixture(base);
    const cases: [Parameters<typeof assetTerms>[0], number][] = [
      [{ subjectKind: 3 }, 0],
      [{ minDuration: 59 }, 1],
      [{ minDuration: 7200, maxDuration: 3600 }, 1],
      [{ claimWindow: 0 }, 2],
      [{ arbiterTimeout: 91 * 86400 }, 2],
      [{ refundBps: 10_001 }, 4],
      [{ pricePerUnit: 1n, meterDeviceId: DEVICE_ID, meterPeriod: 0, maxUnitsPerPeriod: 1n }, 3],
      [{ pricePerSecond: 2n ** 96n }, 5],
    ];
    for (const [over, reason] of cases) {
      await expect(f.market.connect(f.agent).publishOffer(assetTerms(over)))
        .to.be.revertedWithCustomError(f.escrow, "InvalidTerms")
        .withArgs(reason);
    }
  });

  it("refuses a meter device that is not bound to the rented asset", async function () {
    const f = await loadFixture(base);
    const terms = assetTerms({
      pricePerUnit: 1n,
      meterDeviceId: FREE_DEVICE_ID,
      meterPeriod: 3600,
      maxUnitsPerPeriod: 10n,
    });
    await expect(f.market.connect(f.agent).publishOffer(terms))
      .to.be.revertedWithCustomError(f.escrow, "MeterNotOfSubject")
      .withArgs(FREE_DEVICE_ID);
  });

  it("refuses publishing the same terms twice, and lets only the owner cancel an offer", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(f.market, f.agent, assetTerms());
    await expect(f.market.connect(f.agent).publishOffer(assetTerms()))
      .to.be.revertedWithCustomError(f.escrow, "OfferExists")
      .withArgs(offerId);
    await expect(f.market.connect(f.other).cancelOffer(offerId))
      .to.be.revertedWithCustomError(f.escrow, "NotOwner")
      .withArgs(f.other.address);
    await expect(f.market.connect(f.agent).cancelOffer(offerId)).to.emit(f.market, "OfferCancelled").withArgs(offerId);
    await expect(f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT }))
      .to.be.revertedWithCustomError(f.escrow, "OfferNotActive")
      .withArgs(offerId);
    await expect(f.market.connect(f.agent).cancelOffer(offerId))
      .to.be.revertedWithCustomError(f.escrow, "OfferNotActive")
      .withArgs(offerId);
  });
});

describe("RentalEscrow: opening", function () {
  it("rents from an on-chain offer: Active, leased, ERC-4907 user set, funds held", async function () {
    const f = await loadFixture(activeEth);
    const a = await f.escrow.agreementOf(f.id);
    const now = BigInt(await time.latest());
    expect(a.renter).to.equal(f.renter.address);
    expect(a.owner).to.equal(f.agent.address);
    expect(await f.escrow.stateOf(f.id)).to.equal(RentalState.Active);
    expect(a.end).to.equal(now + DAY);
    expect(a.credit).to.equal(DAY * GWEI);
    expect(a.depositHeld).to.equal(DEPOSIT);
    expect(a.feeBps).to.equal(FEE_BPS);
    expect(await f.assets.leasedUntil(ASSET_ID)).to.equal(await f.escrow.LEASED_UNTIL_RELEASED());
    expect((await f.escrow.assetUserOf(ASSET_ID)).user).to.equal(f.renter.address);
    expect((await f.escrow.assetUserOf(ASSET_ID)).expires).to.equal(now + DAY);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(f.id);
    // The money sits in the asset's own vault; the escrow itself holds none.
    expect(await ethers.provider.getBalance(await f.custody.vaultOf(ASSET_ID))).to.equal(DAY * GWEI + DEPOSIT);
    expect(await ethers.provider.getBalance(f.escrowAddress)).to.equal(0n);
  });

  it("derives agreement ids from the subject and its own sequence number", async function () {
    const f = await loadFixture(activeEth);
    expect(f.id).to.equal(
      ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint8", "uint256", "uint64"], [1, ASSET_ID, 0])),
    );
  });

  it("refuses renting over a live agreement and changes nothing", async function () {
    const f = await loadFixture(activeEth);
    const before = await snapshot(f, f.id);
    await expect(f.market.connect(f.other).rent(f.offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT }))
      .to.be.revertedWithCustomError(f.escrow, "SubjectAlreadyRented")
      .withArgs(SubjectKind.Asset, ASSET_ID, f.id);
    expect(await snapshot(f, f.id)).to.deep.equal(before);
  });

  it("refuses a wrong ETH amount, a duration out of range and a too small prepayment", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(f.market, f.agent, assetTerms());
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    const before = await snapshot(f, id);
    await expect(f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI }))
      .to.be.revertedWithCustomError(f.escrow, "WrongEthAmount")
      .withArgs(DAY * GWEI + DEPOSIT, DAY * GWEI);
    await expect(f.market.connect(f.renter).rent(offerId, 60, DAY * GWEI, { value: DAY * GWEI + DEPOSIT }))
      .to.be.revertedWithCustomError(f.escrow, "DurationOutOfRange")
      .withArgs(60, 3600, 30 * 86400);
    await expect(f.market.connect(f.renter).rent(offerId, DAY, HOUR * GWEI - 1n, { value: HOUR * GWEI - 1n + DEPOSIT }))
      .to.be.revertedWithCustomError(f.escrow, "PrepaymentTooSmall")
      .withArgs(HOUR * GWEI - 1n, HOUR * GWEI);
    expect(await snapshot(f, id)).to.deep.equal(before);
  });

  it("refuses ETH sent along an ERC-20 rental", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(f.market, f.agent, assetTerms({ token: asAddress(await f.token.getAddress()) }));
    await expect(f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: 1 }))
      .to.be.revertedWithCustomError(f.escrow, "WrongEthAmount")
      .withArgs(0, 1);
  });

  it("refuses a frozen asset, an offer whose signer is no longer the agent, and a delisted token", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(f.market, f.agent, assetTerms());
    const pay = { value: DAY * GWEI + DEPOSIT };
    await f.assets.setStatus(ASSET_ID, 2);
    await expect(f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, pay))
      .to.be.revertedWithCustomError(f.escrow, "SubjectNotRentable")
      .withArgs(SubjectKind.Asset, ASSET_ID);
    await f.assets.setAsset(ASSET_ID, f.other.address, 1, ethers.ZeroAddress);
    await expect(f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, pay))
      .to.be.revertedWithCustomError(f.escrow, "NotSubjectOwner")
      .withArgs(f.agent.address, f.other.address);
    await f.assets.setAsset(ASSET_ID, f.agent.address, 1, ethers.ZeroAddress);
    await f.market.connect(f.governance).setTokenAllowed(ZERO_ADDRESS, false);
    await expect(f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, pay))
      .to.be.revertedWithCustomError(f.escrow, "TokenNotAllowed")
      .withArgs(ZERO_ADDRESS);
  });
});

describe("RentalEscrow: signed offers", function () {
  async function signed() {
    const f = await base();
    const expiry = BigInt(await time.latest()) + DAY;
    const offer = buildOffer(assetTerms(), f.agent.address, { nonce: 5n, expiry });
    const sig = await signOffer(f.agent, f.chainId, f.marketAddress, offer);
    return { ...f, offer, sig, expiry };
  }

  it("fills an owner's EIP-712 offer and matches the contract's digest", async function () {
    const f = await loadFixture(signed);
    expect(await f.market.offerDigest(f.offer)).to.equal(
      ethers.TypedDataEncoder.hash(
        { name: "PlinthRental", version: "1", chainId: f.chainId, verifyingContract: f.marketAddress },
        (await import("../../client/src/eip712/rental.js")).RENTAL_TYPES,
        f.offer,
      ),
    );
    await expect(
      f.market.connect(f.renter).rentWithSignature(f.offer, f.sig, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT }),
    ).to.emit(f.escrow, "AgreementOpened");
    expect((await f.escrow.assetUserOf(ASSET_ID)).user).to.equal(f.renter.address);
  });

  it("publishes its EIP-712 type hashes, equal to the client's types (one source of the type strings)", async function () {
    const f = await loadFixture(signed);
    const encoder = new ethers.TypedDataEncoder(RENTAL_TYPES);
    expect(await f.market.TERMS_TYPEHASH()).to.equal(ethers.id(encoder.encodeType("Terms")));
    expect(await f.market.OFFER_TYPEHASH()).to.equal(ethers.id(encoder.encodeType("Offer")));
    // The struct hash the escrow stores terms under starts from its own type hash (EIP-712 encodeData).
    expect(ethers.dataSlice(encoder.encodeData("Terms", f.offer.terms), 0, 32)).to.equal(
      await f.market.TERMS_TYPEHASH(),
    );
  });

  it("fills another signed offer with terms already stored, without storing them again", async function () {
    const f = await loadFixture(signed);
    const termsHash = ethers.TypedDataEncoder.hashStruct("Terms", { Terms: RENTAL_TYPES.Terms }, f.offer.terms);
    const pay = { value: DAY * GWEI + DEPOSIT };
    const first = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    await expect(f.market.connect(f.renter).rentWithSignature(f.offer, f.sig, DAY, DAY * GWEI, pay))
      .to.emit(f.escrow, "TermsStored")
      .withArgs(termsHash, SubjectKind.Asset, ASSET_ID);
    expect((await f.escrow.agreementOf(first)).termsHash).to.equal(termsHash);
    await time.increase(DAY);
    await f.escrow.settle(first); // releases the subject
    const stored = (await f.escrow.termsOf(termsHash)).toString();

    // A second offer (another nonce, another renter) with identical terms.
    const again = buildOffer(assetTerms(), f.agent.address, {
      nonce: 6n,
      expiry: BigInt(await time.latest()) + DAY,
    });
    const sig = await signOffer(f.agent, f.chainId, f.marketAddress, again);
    const second = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 1);
    const tx = f.market.connect(f.other).rentWithSignature(again, sig, DAY, DAY * GWEI, pay);
    await expect(tx)
      .to.emit(f.escrow, "AgreementOpened")
      .withArgs(second, termsHash, f.other.address, f.agent.address, DAY, DAY * GWEI, DEPOSIT)
      .and.to.emit(f.escrow, "Activated");
    await expect(tx).not.to.emit(f.escrow, "TermsStored");
    expect((await f.escrow.termsOf(termsHash)).toString()).to.equal(stored);
    const a = await f.escrow.agreementOf(second);
    expect(a.termsHash).to.equal(termsHash);
    expect(a.renter).to.equal(f.other.address);
    expect(a.owner).to.equal(f.agent.address);
    expect(a.credit).to.equal(DAY * GWEI);
    expect(a.depositHeld).to.equal(DEPOSIT);
    expect(await f.escrow.stateOf(second)).to.equal(RentalState.Active);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(second);
    expect((await f.escrow.assetUserOf(ASSET_ID)).user).to.equal(f.other.address);
    expect(await f.assets.leasedUntil(ASSET_ID)).to.equal(await f.escrow.LEASED_UNTIL_RELEASED());
  });

  it("accepts offers signed by a contract-wallet (ERC-1271) agent", async function () {
    const f = await loadFixture(base);
    const wallet = await ethers.deployContract("MockERC1271Wallet", [f.agent.address]);
    await f.assets.setAsset(ASSET_ID, await wallet.getAddress(), 1, ethers.ZeroAddress);
    const offer = buildOffer(assetTerms(), await wallet.getAddress(), { expiry: BigInt(await time.latest()) + DAY });
    const sig = await signOffer(f.agent, f.chainId, f.marketAddress, offer);
    await f.market.connect(f.renter).rentWithSignature(offer, sig, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    expect((await f.escrow.agreementOf(id)).owner).to.equal(await wallet.getAddress());
  });

  it("refuses an expired offer, a cancelled nonce, another renter and tampered terms", async function () {
    const f = await loadFixture(signed);
    const pay = { value: DAY * GWEI + DEPOSIT };
    const tampered = { ...f.offer, terms: { ...f.offer.terms, pricePerSecond: 1n } };
    await expect(
      f.market.connect(f.renter).rentWithSignature(tampered, f.sig, DAY, DAY * GWEI, pay),
    ).to.be.revertedWithCustomError(f.escrow, "InvalidSignature");
    const forOther = buildOffer(assetTerms(), f.agent.address, { renter: f.other.address, expiry: f.expiry });
    const sig2 = await signOffer(f.agent, f.chainId, f.marketAddress, forOther);
    await expect(f.market.connect(f.renter).rentWithSignature(forOther, sig2, DAY, DAY * GWEI, pay))
      .to.be.revertedWithCustomError(f.escrow, "OfferNotForRenter")
      .withArgs(f.other.address);
    await expect(f.market.connect(f.agent).cancelNonce(5))
      .to.emit(f.market, "NonceCancelled")
      .withArgs(f.agent.address, 5);
    await expect(f.market.connect(f.renter).rentWithSignature(f.offer, f.sig, DAY, DAY * GWEI, pay))
      .to.be.revertedWithCustomError(f.escrow, "OfferNonceCancelled")
      .withArgs(f.agent.address, 5);
    await time.increaseTo(f.expiry + 1n);
    await expect(f.market.connect(f.renter).rentWithSignature(f.offer, f.sig, DAY, DAY * GWEI, pay))
      .to.be.revertedWithCustomError(f.escrow, "OfferExpired")
      .withArgs(f.expiry);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(ethers.ZeroHash);
  });
});

describe("RentalEscrow: reservations", function () {
  async function reserved() {
    const f = await base();
    const offerId = await publish(f.market, f.agent, assetTerms({ activationWindow: 3600 }));
    await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    return { ...f, id };
  }

  it("holds a reservation until the owner activates it; use starts at activation", async function () {
    const f = await loadFixture(reserved);
    expect(await f.escrow.stateOf(f.id)).to.equal(RentalState.Reserved);
    expect((await f.escrow.assetUserOf(ASSET_ID)).user).to.equal(ZERO_ADDRESS);
    await expect(f.escrow.connect(f.renter).activate(f.id))
      .to.be.revertedWithCustomError(f.escrow, "NotOwner")
      .withArgs(f.renter.address);
    await time.increase(600);
    await expect(f.escrow.connect(f.agent).activate(f.id)).to.emit(f.escrow, "Activated");
    const now = BigInt(await time.latest());
    expect((await f.escrow.agreementOf(f.id)).end).to.equal(now + DAY);
    expect((await f.escrow.assetUserOf(ASSET_ID)).user).to.equal(f.renter.address);
  });

  it("refuses a late activation; then anyone returns everything to the renter", async function () {
    const f = await loadFixture(reserved);
    await expect(f.escrow.connect(f.other).cancelReservation(f.id)).to.be.revertedWithCustomError(
      f.escrow,
      "DeadlineNotPassed",
    );
    await time.increase(3601);
    const before = await snapshot(f, f.id);
    await expect(f.escrow.connect(f.agent).activate(f.id)).to.be.revertedWithCustomError(f.escrow, "DeadlinePassed");
    expect(await snapshot(f, f.id)).to.deep.equal(before);
    await expect(f.escrow.connect(f.other).cancelReservation(f.id))
      .to.emit(f.escrow, "ReservationEnded")
      .withArgs(f.id, 4);
    expect(await f.escrow.stateOf(f.id)).to.equal(RentalState.Closed);
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(DAY * GWEI + DEPOSIT);
    expect(await f.assets.leasedUntil(ASSET_ID)).to.equal(0);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(ethers.ZeroHash);
  });

  it("lets only the owner decline a reservation, refunding the renter in full", async function () {
    const f = await loadFixture(reserved);
    await expect(f.escrow.connect(f.renter).decline(f.id)).to.be.revertedWithCustomError(f.escrow, "NotOwner");
    await f.escrow.connect(f.agent).decline(f.id);
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(DAY * GWEI + DEPOSIT);
    await expect(f.escrow.connect(f.agent).decline(f.id))
      .to.be.revertedWithCustomError(f.escrow, "WrongState")
      .withArgs(f.id, RentalState.Closed);
  });
});

describe("RentalEscrow: paying and metering", function () {
  it("streams rent to the income distributor net of the snapshotted protocol fee, the fee claimable at once", async function () {
    const f = await loadFixture(activeEth);
    const start = (await f.escrow.agreementOf(f.id)).accruedUntil;
    await time.setNextBlockTimestamp(start + 1000n);
    const gross = 1000n * GWEI;
    const fee = (gross * BigInt(FEE_BPS)) / 10_000n;
    await expect(f.escrow.connect(f.other).collect(f.id))
      .to.emit(f.custody, "Credited")
      .withArgs(f.feeRecipient.address, ASSET_ID, ZERO_ADDRESS, fee)
      .and.to.emit(f.escrow, "RentPaid")
      .withArgs(f.id, fee, gross - fee);
    expect(await f.distributor.deposited(ASSET_ID, ZERO_ADDRESS)).to.equal(gross - fee);
    expect(await f.custody.claimable(f.feeRecipient.address, ASSET_ID, ZERO_ADDRESS)).to.equal(fee);
    expect(await f.escrow.heldFor(f.id)).to.equal((await f.escrow.agreementOf(f.id)).credit + DEPOSIT);
    // A second collect a second later adds exactly that second's fee (rounded down) to the same balance.
    await time.setNextBlockTimestamp(start + 1001n);
    await f.escrow.connect(f.other).collect(f.id);
    const total = fee + (GWEI * BigInt(FEE_BPS)) / 10_000n;
    expect(await f.custody.claimable(f.feeRecipient.address, ASSET_ID, ZERO_ADDRESS)).to.equal(total);
    // The recipient withdraws it like any party, once.
    const before = await ethers.provider.getBalance(f.feeRecipient.address);
    const receipt = await (await f.custody.connect(f.feeRecipient).withdraw(ASSET_ID, ZERO_ADDRESS)).wait();
    const gas = receipt!.gasUsed * receipt!.gasPrice;
    expect(await ethers.provider.getBalance(f.feeRecipient.address)).to.equal(before + total - gas);
    await expect(f.custody.connect(f.feeRecipient).withdraw(ASSET_ID, ZERO_ADDRESS)).to.be.revertedWithCustomError(
      f.custody,
      "NothingToWithdraw",
    );
  });

  it("buys more time with payPeriod, and a top-up after the credit ran out charges the late fee", async function () {
    const f = await loadFixture(base);
    const terms = assetTerms({ lateFeePerSecond: 10n, lateFeeCap: 10n ** 6n, gracePeriod: 600 });
    const offerId = await publish(f.market, f.agent, terms);
    await f.market.connect(f.renter).rent(offerId, DAY, HOUR * GWEI, { value: HOUR * GWEI + DEPOSIT });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    const start = (await f.escrow.agreementOf(id)).start;
    await f.escrow.connect(f.renter).payPeriod(id, HOUR, { value: HOUR * GWEI });
    expect((await f.escrow.agreementOf(id)).credit).to.be.greaterThan(HOUR * GWEI);
    // Credit covers 2 h; at 2 h + 1000 s the renter is 400 s past the grace period.
    await time.increaseTo(start + 2n * HOUR + 999n);
    expect(await f.escrow.inDefault(id)).to.equal(true);
    expect((await f.escrow.assetUserOf(ASSET_ID)).user).to.equal(ZERO_ADDRESS);
    await time.setNextBlockTimestamp(start + 2n * HOUR + 1000n);
    const debt = 1000n * GWEI;
    const late = 400n * 10n;
    await expect(f.escrow.connect(f.renter).topUp(id, debt + late + 5n, { value: debt + late + 5n }))
      .to.emit(f.escrow, "ToppedUp")
      .withArgs(id, f.renter.address, debt + late + 5n, debt + late, late);
    const a = await f.escrow.agreementOf(id);
    expect(a.debt).to.equal(0);
    expect(a.credit).to.equal(5n);
    expect(a.lateFee).to.equal(late);
    await expect(f.escrow.topUp(id, 0)).to.be.revertedWithCustomError(f.escrow, "ZeroAmount");
  });

  it("charges metered units from the device's verified readings, once each, capped per period", async function () {
    const f = await loadFixture(base);
    const terms = meterTerms(); // 1 gwei per unit, at most 100 units an hour
    const offerId = await publish(f.market, f.agent, terms);
    // The meter's baseline: odometer 500 (units before the rental: never billed), signed at the start.
    const start = BigInt(await time.latest()) + 10n;
    await f.devices.setReading(DEVICE_ID, METER_KIND, 1, start, 500);
    await time.setNextBlockTimestamp(start);
    await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    expect((await f.meter.meterOf(id)).time).to.equal(start);
    await expect(f.escrow.settleMetered(id))
      .to.be.revertedWithCustomError(f.escrow, "MeterReadingReplayed")
      .withArgs(1, 1);
    await f.devices.setReading(DEVICE_ID, METER_KIND, 2, start + 3600n, 40);
    await time.setNextBlockTimestamp(start + 3600n);
    await expect(f.escrow.settleMetered(id))
      .to.emit(f.escrow, "MeterSettled")
      .withArgs(id, 2, 540, 40, 40, 0, 40n * GWEI);
    // A faulty meter reporting 10,000 units in one hour: billed up to the cap of 100 per hour of term
    // (200 after two hours, 40 of them already billed); the 9,840 above it are carried, not dropped.
    await f.devices.setReading(DEVICE_ID, METER_KIND, 3, start + 7200n, 10_000);
    await time.setNextBlockTimestamp(start + 7200n);
    await expect(f.escrow.settleMetered(id))
      .to.emit(f.escrow, "MeterSettled")
      .withArgs(id, 3, 10_540, 10_000, 160, 9_840, 160n * GWEI);
    await expect(f.escrow.settleMetered(id))
      .to.be.revertedWithCustomError(f.escrow, "MeterReadingReplayed")
      .withArgs(3, 3);
  });

  it("refuses metering an unmetered agreement", async function () {
    const f = await loadFixture(activeEth);
    await expect(f.escrow.settleMetered(f.id)).to.be.revertedWithCustomError(f.escrow, "NotMetered").withArgs(f.id);
  });
});

describe("RentalEscrow: ending", function () {
  it("reads as Ended after the term and lets anyone settle: rent paid, lease released, deposit held", async function () {
    const f = await loadFixture(activeEth);
    await expect(f.escrow.settle(f.id)).to.be.revertedWithCustomError(f.escrow, "DeadlineNotPassed");
    await time.increase(DAY);
    expect(await f.escrow.stateOf(f.id)).to.equal(RentalState.Ended);
    expect((await f.escrow.assetUserOf(ASSET_ID)).user).to.equal(ZERO_ADDRESS);
    await expect(f.escrow.connect(f.other).settle(f.id)).to.emit(f.escrow, "Settled");
    const a = await f.escrow.agreementOf(f.id);
    expect(await f.escrow.stateOf(f.id)).to.equal(RentalState.Settling);
    expect(a.depositHeld).to.equal(DEPOSIT);
    expect(a.credit).to.equal(0);
    expect(await f.assets.leasedUntil(ASSET_ID)).to.equal(0);
    const fee = (DAY * GWEI * BigInt(FEE_BPS)) / 10_000n;
    expect(await f.distributor.deposited(ASSET_ID, ZERO_ADDRESS)).to.equal(DAY * GWEI - fee);
    // The subject can be rented again while the deposit waits for claims.
    await f.market.connect(f.other).rent(f.offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT });
  });

  it("lets only the renter terminate early; after the notice the unused rent is refunded at refundBps", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(f.market, f.agent, assetTerms({ noticePeriod: 3600, refundBps: 8000 }));
    await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI + 100n, { value: DAY * GWEI + 100n + DEPOSIT });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    const start = (await f.escrow.agreementOf(id)).start;
    await expect(f.escrow.connect(f.other).terminateEarly(id)).to.be.revertedWithCustomError(f.escrow, "NotRenter");
    await time.setNextBlockTimestamp(start + 2n * HOUR);
    await expect(f.escrow.connect(f.renter).terminateEarly(id))
      .to.emit(f.escrow, "TerminatedEarly")
      .withArgs(id, start + 3n * HOUR);
    expect(await f.escrow.stateOf(id)).to.equal(RentalState.TerminatedEarly);
    expect((await f.escrow.assetUserOf(ASSET_ID)).user).to.equal(f.renter.address);
    await time.increaseTo(start + 3n * HOUR);
    await f.escrow.settle(id);
    // Unused: 21 h of prepaid rent (80% back) + 100 wei beyond the term (fully back).
    const cut = 21n * HOUR * GWEI;
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(
      (cut * 8000n) / 10_000n + 100n,
    );
  });

  it("an early termination whose notice outlasts the term keeps the end: the whole term is owed, nothing is cut", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(f.market, f.agent, assetTerms({ noticePeriod: 3600, refundBps: 8000 }));
    await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI + 100n, { value: DAY * GWEI + 100n + DEPOSIT });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    const { start, end } = await f.escrow.agreementOf(id);
    // Half an hour before the end, a one-hour notice would run past it: the end stays where it was.
    await time.setNextBlockTimestamp(end - HOUR / 2n);
    await expect(f.escrow.connect(f.renter).terminateEarly(id)).to.emit(f.escrow, "TerminatedEarly").withArgs(id, end);
    const a = await f.escrow.agreementOf(id);
    expect([a.start, a.end, a.termEnd]).to.deep.equal([start, end, end]);
    expect(await f.escrow.stateOf(id)).to.equal(RentalState.TerminatedEarly);
    await time.increaseTo(end);
    await f.escrow.settle(id);
    // No cut part of the term: the day is earned in full, only the 100 wei beyond the term come back.
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(100n);
    const fee = (DAY * GWEI * BigInt(FEE_BPS)) / 10_000n;
    expect(await f.distributor.deposited(ASSET_ID, ZERO_ADDRESS)).to.equal(DAY * GWEI - fee);
  });

  it("refuses early termination after the end", async function () {
    const f = await loadFixture(activeEth);
    await time.increase(DAY);
    await expect(f.escrow.connect(f.renter).terminateEarly(f.id)).to.be.revertedWithCustomError(
      f.escrow,
      "DeadlinePassed",
    );
  });

  it("lets anyone mark a default once arrears pass the grace period; the deposit covers debt and late fee", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(
      f.market,
      f.agent,
      assetTerms({ lateFeePerSecond: GWEI, lateFeeCap: 100n * GWEI, gracePeriod: 600 }),
    );
    await f.market.connect(f.renter).rent(offerId, DAY, HOUR * GWEI, { value: HOUR * GWEI + DEPOSIT });
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    const start = (await f.escrow.agreementOf(id)).start;
    await time.setNextBlockTimestamp(start + HOUR + 599n);
    await expect(f.escrow.markDefault(id)).to.be.revertedWithCustomError(f.escrow, "NotInDefault").withArgs(id);
    await time.setNextBlockTimestamp(start + HOUR + 1000n);
    await expect(f.escrow.connect(f.other).markDefault(id)).to.emit(f.escrow, "Defaulted");
    const a = await f.escrow.agreementOf(id);
    // Debt 1000 s of rent, late fee 400 s capped at 100 gwei.
    expect(a.depositHeld).to.equal(DEPOSIT - 1000n * GWEI - 100n * GWEI);
    expect(a.lateFee).to.equal(100n * GWEI);
    expect(a.endReason).to.equal(3);
    expect(await f.assets.leasedUntil(ASSET_ID)).to.equal(0);
  });
});

describe("RentalEscrow: damage claims and disputes", function () {
  async function settling() {
    const f = await activeEth();
    await time.increase(DAY);
    await f.escrow.settle(f.id);
    return f;
  }

  it("returns the deposit to the renter when the owner claims nothing within the window", async function () {
    const f = await loadFixture(settling);
    await expect(f.claims.finalize(f.id)).to.be.revertedWithCustomError(f.escrow, "DeadlineNotPassed");
    await time.increase(DAY + 1n);
    await expect(f.claims.connect(f.agent).claimDamage(f.id, 1, ethers.ZeroHash)).to.be.revertedWithCustomError(
      f.escrow,
      "DeadlinePassed",
    );
    await f.claims.connect(f.other).finalize(f.id);
    expect(await f.escrow.stateOf(f.id)).to.equal(RentalState.Closed);
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(DEPOSIT);
  });

  it("refuses claims by others and above the deposit, changing nothing", async function () {
    const f = await loadFixture(settling);
    const before = await snapshot(f, f.id);
    await expect(f.claims.connect(f.renter).claimDamage(f.id, 1, ethers.ZeroHash))
      .to.be.revertedWithCustomError(f.escrow, "NotOwner")
      .withArgs(f.renter.address);
    await expect(f.claims.connect(f.agent).claimDamage(f.id, DEPOSIT + 1n, ethers.ZeroHash))
      .to.be.revertedWithCustomError(f.escrow, "InvalidClaim")
      .withArgs(DEPOSIT + 1n, DEPOSIT);
    await expect(f.claims.connect(f.agent).claimDamage(f.id, 0, ethers.ZeroHash))
      .to.be.revertedWithCustomError(f.escrow, "InvalidClaim")
      .withArgs(0, DEPOSIT);
    expect(await snapshot(f, f.id)).to.deep.equal(before);
  });

  it("pays an accepted claim to the asset's holders and the rest of the deposit to the renter", async function () {
    const f = await loadFixture(settling);
    const paid = await f.distributor.deposited(ASSET_ID, ZERO_ADDRESS);
    await f.claims.connect(f.agent).claimDamage(f.id, 4000n, ethers.id("photos"));
    await expect(f.claims.connect(f.other).acceptClaim(f.id)).to.be.revertedWithCustomError(f.escrow, "NotRenter");
    await expect(f.claims.connect(f.renter).acceptClaim(f.id))
      .to.emit(f.escrow, "ClaimResolved")
      .withArgs(f.id, 4000n, DEPOSIT - 4000n);
    expect(await f.distributor.deposited(ASSET_ID, ZERO_ADDRESS)).to.equal(paid + 4000n);
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(DEPOSIT - 4000n);
  });

  it("treats a renter's silence past the response window as acceptance", async function () {
    const f = await loadFixture(settling);
    await f.claims.connect(f.agent).claimDamage(f.id, 4000n, ethers.ZeroHash);
    await f.claims.connect(f.agent).waiveClaim(f.id); // the owner may also give up
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(DEPOSIT);
    const g = await loadFixture(settling);
    await g.claims.connect(g.agent).claimDamage(g.id, 4000n, ethers.ZeroHash);
    await time.increase(DAY + 1n);
    await expect(g.claims.connect(g.renter).disputeClaim(g.id)).to.be.revertedWithCustomError(
      g.escrow,
      "DeadlinePassed",
    );
    await g.claims.finalize(g.id);
    expect(await g.custody.claimable(g.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(DEPOSIT - 4000n);
  });

  it("sends a disputed claim to the dispute module, where only the arbiter rules: for the owner, the claim is paid", async function () {
    const f = await loadFixture(settling);
    await f.claims.connect(f.agent).claimDamage(f.id, 4000n, ethers.ZeroHash);
    await expect(f.claims.connect(f.renter).disputeClaim(f.id)).to.emit(f.claims, "ClaimDisputed");
    await expect(f.claims.connect(f.agent).waiveClaim(f.id))
      .to.be.revertedWithCustomError(f.claims, "WrongClaimStatus")
      .withArgs(f.id, RentalClaimStatus.Disputed);
    const disputeId = await f.claims.disputeIdOf(f.id);
    await expect(f.disputes.connect(f.other).rule(disputeId, 1))
      .to.be.revertedWithCustomError(f.disputes, "NotArbiter")
      .withArgs(f.other.address);
    const paid = await f.distributor.deposited(ASSET_ID, ZERO_ADDRESS);
    await f.disputes.connect(f.arbiter).rule(disputeId, 1);
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(DEPOSIT - 4000n);
    expect(await f.distributor.deposited(ASSET_ID, ZERO_ADDRESS)).to.equal(paid + 4000n);
  });

  it("takes rulings from an arbiter contract named in the terms; a refusal applies the default (the renter)", async function () {
    const { f, arb, id } = await disputedBeforeArbiterContract(4001n);
    const disputes = await f.disputes.getAddress();
    const disputeId = await f.claims.disputeIdOf(id);
    await expect(arb.giveRuling(disputes, disputeId, 3)).to.be.revertedWithCustomError(f.disputes, "BadRuling");
    await expect(arb.giveRuling(disputes, disputeId, 0))
      .to.emit(f.claims, "Ruling")
      .withArgs(disputes, disputeId, 2)
      .and.to.emit(f.escrow, "ClaimResolved")
      .withArgs(id, 0n, DEPOSIT);
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(DEPOSIT);
  });

  it("pays the renter the whole deposit and the owner side nothing on an arbiter contract's ruling 2", async function () {
    const { f, arb, id } = await disputedBeforeArbiterContract(4000n);
    const arbAddress = await arb.getAddress();
    const disputes = await f.disputes.getAddress();
    const disputeId = await f.claims.disputeIdOf(id);
    expect((await f.disputes.getDispute(disputeId)).arbiter).to.equal(arbAddress);
    const paid = await f.distributor.deposited(ASSET_ID, ZERO_ADDRESS);
    const renterBefore = await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS);
    const agentBefore = await f.custody.claimable(f.agent.address, ASSET_ID, ZERO_ADDRESS);
    const held = await ethers.provider.getBalance(f.escrowAddress);

    const tx = arb.giveRuling(disputes, disputeId, 2);
    await expect(tx)
      .to.emit(f.claims, "Ruling")
      .withArgs(disputes, disputeId, 2)
      .and.to.emit(f.escrow, "ClaimResolved")
      .withArgs(id, 0n, DEPOSIT)
      .and.to.emit(f.escrow, "Closed")
      .withArgs(id);
    await expect(tx).not.to.emit(f.custody, "IncomeDeposited");
    // Renter wins: the whole deposit is credited back, none of the claim goes to the asset's holders.
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(renterBefore + DEPOSIT);
    expect(await f.custody.claimable(f.agent.address, ASSET_ID, ZERO_ADDRESS)).to.equal(agentBefore);
    expect(await f.distributor.deposited(ASSET_ID, ZERO_ADDRESS)).to.equal(paid);
    expect(await ethers.provider.getBalance(f.escrowAddress)).to.equal(held);
    const a = await f.escrow.agreementOf(id);
    expect(a.depositHeld).to.equal(0);
    expect((await f.claims.claimOf(id)).amount).to.equal(0);
    expect(await f.escrow.stateOf(id)).to.equal(RentalState.Closed);
    // The dispute is over: no second ruling.
    await expect(arb.giveRuling(disputes, disputeId, 1))
      .to.be.revertedWithCustomError(f.disputes, "UnknownDispute")
      .withArgs(disputeId);
  });

  it("refunds a disputed claim the arbiter never rules on: after the deadline anyone resolves by timeout", async function () {
    const f = await loadFixture(settling);
    await f.claims.connect(f.agent).claimDamage(f.id, 4000n, ethers.ZeroHash);
    await f.claims.connect(f.renter).disputeClaim(f.id);
    const disputeId = await f.claims.disputeIdOf(f.id);
    await time.increase(DAY + 1n);
    await expect(f.disputes.connect(f.arbiter).rule(disputeId, 1)).to.be.revertedWithCustomError(
      f.disputes,
      "DeadlinePassed",
    );
    await f.disputes.connect(f.other).resolveByTimeout(disputeId);
    expect(await f.custody.claimable(f.renter.address, ASSET_ID, ZERO_ADDRESS)).to.equal(DEPOSIT);
  });
});

describe("RentalEscrow: devices, withdrawals, governance", function () {
  it("pays an unbound device's rent to its owner's claimable balance", async function () {
    const f = await loadFixture(base);
    const terms = assetTerms({ subjectKind: SubjectKind.Device, subjectId: FREE_DEVICE_ID, deposit: 0n });
    const offerId = await publish(f.market, f.deviceOwner, terms);
    await f.market.connect(f.renter).rent(offerId, HOUR, HOUR * GWEI, { value: HOUR * GWEI });
    expect(await f.devices.leasedUntil(FREE_DEVICE_ID)).to.be.greaterThan(0);
    const id = await f.escrow.agreementId(SubjectKind.Device, FREE_DEVICE_ID, 0);
    await time.increase(HOUR);
    await f.escrow.settle(id);
    expect(await f.escrow.stateOf(id)).to.equal(RentalState.Closed); // no deposit: nothing to claim
    const fee = (HOUR * GWEI * BigInt(FEE_BPS)) / 10_000n;
    // An unbound device is its own custody: its vault holds the rent.
    expect(await f.escrow.custodyOf(id)).to.equal(FREE_DEVICE_ID);
    expect(await f.custody.claimable(f.deviceOwner.address, FREE_DEVICE_ID, ZERO_ADDRESS)).to.equal(HOUR * GWEI - fee);
    await expect(f.custody.connect(f.deviceOwner).withdraw(FREE_DEVICE_ID, ZERO_ADDRESS)).to.changeEtherBalance(
      ethers,
      f.deviceOwner,
      HOUR * GWEI - fee,
    );
    await expect(f.custody.connect(f.deviceOwner).withdraw(ASSET_ID, ZERO_ADDRESS)).to.be.revertedWithCustomError(
      f.escrow,
      "NothingToWithdraw",
    );
  });

  it("pays a bound device's rent to its asset's holders through the distributor", async function () {
    const f = await loadFixture(base);
    const terms = assetTerms({ subjectKind: SubjectKind.Device, subjectId: DEVICE_ID, deposit: 0n });
    const offerId = await publish(f.market, f.deviceOwner, terms);
    await f.market.connect(f.renter).rent(offerId, HOUR, HOUR * GWEI, { value: HOUR * GWEI });
    await time.increase(HOUR);
    await f.escrow.settle(await f.escrow.agreementId(SubjectKind.Device, DEVICE_ID, 0));
    expect(await f.distributor.deposited(ASSET_ID, ZERO_ADDRESS)).to.be.greaterThan(0);
  });

  it("lets only governance configure tokens, fees, the fee recipient and the default arbiter", async function () {
    const f = await loadFixture(base);
    const role = await f.market.DEFAULT_ADMIN_ROLE();
    for (const call of [
      f.market.connect(f.other).setTokenAllowed(ZERO_ADDRESS, false),
      f.market.connect(f.other).setProtocolFee(1),
      f.market.connect(f.other).setFeeRecipient(f.other.address),
      f.market.connect(f.other).setDefaultArbiter(f.other.address),
    ]) {
      await expect(call)
        .to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount")
        .withArgs(f.other.address, role);
    }
    await expect(f.market.connect(f.governance).setProtocolFee(1001))
      .to.be.revertedWithCustomError(f.escrow, "FeeTooHigh")
      .withArgs(1001, 1000);
    await expect(f.market.connect(f.governance).setProtocolFee(100)).to.emit(f.market, "ProtocolFeeSet").withArgs(100);
    await expect(f.market.connect(f.governance).setFeeRecipient(ZERO_ADDRESS)).to.be.revertedWithCustomError(
      f.escrow,
      "ZeroAddress",
    );
    expect(await f.market.hasRole(role, f.governance.address)).to.equal(true);
  });

  it("closes for less gas than it opens", async function () {
    const f = await loadFixture(base);
    const offerId = await publish(f.market, f.agent, assetTerms());
    const open = await (
      await f.market.connect(f.renter).rent(offerId, DAY, DAY * GWEI, { value: DAY * GWEI + DEPOSIT })
    ).wait();
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    await time.increase(DAY);
    const settle = await (await f.escrow.settle(id)).wait();
    await time.increase(DAY + 1n);
    const finalize = await (await f.claims.finalize(id)).wait();
    expect(settle!.gasUsed).to.be.lessThanOrEqual(open!.gasUsed);
    expect(finalize!.gasUsed).to.be.lessThanOrEqual(open!.gasUsed);
  });
});
