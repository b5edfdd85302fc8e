/** RentalMarket: EIP-712 signed offers (domain "PlinthRental" / "1" / this market) and their nonces. */
import { expect } from "chai";
import { network } from "hardhat";
import { buildOffer, rentalDomain, RENTAL_TYPES, signOffer, SubjectKind } from "../../client/src/eip712/rental.js";
import { deployRentalEscrow } from "../../scripts/operator/rental/lib.js";
import { assetTerms, ASSET_ID, deployRental, FEE_BPS, GWEI, DAY, DEPOSIT } from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const PAY = { value: DAY * GWEI + DEPOSIT };

async function signed() {
  const f = await deployRental(ethers);
  const expiry = BigInt(await time.latest()) + 30n * DAY;
  const offer = buildOffer(assetTerms(), f.agent.address, { nonce: 9n, expiry });
  const sig = await signOffer(f.agent, f.chainId, f.marketAddress, offer);
  return { ...f, offer, sig, expiry };
}

type F = Awaited<ReturnType<typeof signed>>;

/** What a refused fill must leave unchanged: the renter's ETH, the subject, the nonce. */
async function untouched(f: F) {
  return {
    renter: await ethers.provider.getBalance(f.renter.address),
    live: await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID),
    nonce: await f.market.nonceCancelled(f.agent.address, f.offer.nonce),
    vault: await ethers.provider.getBalance(await f.custody.vaultOf(ASSET_ID)),
  };
}

describe("RentalMarket: signed offers", function () {
  it("the market is the EIP-712 verifying contract: its digest and eip712Domain match the client's", async function () {
    const f = await loadFixture(signed);
    const domain = rentalDomain(f.chainId, f.marketAddress);
    expect(await f.market.offerDigest(f.offer)).to.equal(ethers.TypedDataEncoder.hash(domain, RENTAL_TYPES, f.offer));
    const d = await f.market.eip712Domain();
    expect([d.name, d.version, d.chainId, d.verifyingContract]).to.deep.equal([
      "PlinthRental",
      "1",
      f.chainId,
      f.marketAddress,
    ]);
  });

  it("fills once: the renter pays exactly deposit + prepay, the nonce is spent, a replay is refused and changes nothing", async function () {
    const f = await loadFixture(signed);
    const vault = await f.custody.vaultOf(ASSET_ID);
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    const tx = f.market.connect(f.renter).rentWithSignature(f.offer, f.sig, DAY, DAY * GWEI, PAY);
    await expect(tx).to.emit(f.market, "NonceCancelled").withArgs(f.agent.address, f.offer.nonce);
    await expect(tx).to.changeEtherBalances(
      ethers,
      [f.renter, vault, f.market, f.escrow],
      [-(DAY * GWEI + DEPOSIT), DAY * GWEI + DEPOSIT, 0n, 0n],
    );
    const a = await f.escrow.agreementOf(id);
    expect([a.renter, a.owner, a.credit, a.depositHeld, a.feeBps]).to.deep.equal([
      f.renter.address,
      f.agent.address,
      DAY * GWEI,
      DEPOSIT,
      BigInt(FEE_BPS),
    ]);
    expect(await f.market.nonceCancelled(f.agent.address, f.offer.nonce)).to.equal(true);
    // Replayed once the subject is free again (settled and closed): still refused.
    await time.increase(DAY);
    await f.escrow.settle(id);
    await f.claims.connect(f.agent).waiveClaim(id);
    const before = await untouched(f);
    await expect(f.market.connect(f.other).rentWithSignature(f.offer, f.sig, DAY, DAY * GWEI, { ...PAY, gasPrice: 0 }))
      .to.be.revertedWithCustomError(f.market, "OfferNonceCancelled")
      .withArgs(f.agent.address, f.offer.nonce);
    expect(await untouched(f)).to.deep.equal(before);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(ethers.ZeroHash);
  });

  it("refuses an offer signed for another chain, for the escrow's address, or for another market", async function () {
    const f = await loadFixture(signed);
    const other = await deployRentalEscrow(ethers, {
      governance: f.governance.address,
      assetRegistry: await f.assets.getAddress(),
      deviceRegistry: await f.devices.getAddress(),
      distributor: await f.distributor.getAddress(),
      feeRecipient: f.feeRecipient.address,
      defaultArbiter: f.arbiter.address,
      feeBps: FEE_BPS,
    });
    const before = await untouched(f);
    for (const [chainId, verifier] of [
      [f.chainId + 1n, f.marketAddress],
      [f.chainId, f.escrowAddress],
      [f.chainId, await other.market.getAddress()],
    ] as const) {
      const sig = await signOffer(f.agent, chainId, verifier, f.offer);
      await expect(
        f.market.connect(f.renter).rentWithSignature(f.offer, sig, DAY, DAY * GWEI, { ...PAY, gasPrice: 0 }),
      ).to.be.revertedWithCustomError(f.market, "InvalidSignature");
    }
    // And the other market refuses this market's offer.
    await other.market.connect(f.governance).setTokenAllowed(ethers.ZeroAddress, true);
    await expect(
      other.market.connect(f.renter).rentWithSignature(f.offer, f.sig, DAY, DAY * GWEI, { ...PAY, gasPrice: 0 }),
    ).to.be.revertedWithCustomError(other.market, "InvalidSignature");
    expect(await untouched(f)).to.deep.equal(before);
  });

  it("refuses an expired offer, another renter than the named one, tampered terms and a cancelled nonce", async function () {
    const f = await loadFixture(signed);
    const before = await untouched(f);
    const noGas = { ...PAY, gasPrice: 0 };
    const named = buildOffer(assetTerms(), f.agent.address, { renter: f.other.address, nonce: 1n, expiry: f.expiry });
    const namedSig = await signOffer(f.agent, f.chainId, f.marketAddress, named);
    await expect(f.market.connect(f.renter).rentWithSignature(named, namedSig, DAY, DAY * GWEI, noGas))
      .to.be.revertedWithCustomError(f.market, "OfferNotForRenter")
      .withArgs(f.other.address);
    const tampered = { ...f.offer, terms: { ...f.offer.terms, deposit: 0n } };
    await expect(
      f.market.connect(f.renter).rentWithSignature(tampered, f.sig, DAY, DAY * GWEI, noGas),
    ).to.be.revertedWithCustomError(f.market, "InvalidSignature");
    expect(await untouched(f)).to.deep.equal(before);
    await expect(f.market.connect(f.agent).cancelNonce(f.offer.nonce))
      .to.emit(f.market, "NonceCancelled")
      .withArgs(f.agent.address, f.offer.nonce);
    await expect(f.market.connect(f.agent).cancelNonce(f.offer.nonce))
      .to.be.revertedWithCustomError(f.market, "OfferNonceCancelled")
      .withArgs(f.agent.address, f.offer.nonce);
    await expect(f.market.connect(f.renter).rentWithSignature(f.offer, f.sig, DAY, DAY * GWEI, noGas))
      .to.be.revertedWithCustomError(f.market, "OfferNonceCancelled")
      .withArgs(f.agent.address, f.offer.nonce);
    await time.increaseTo(f.expiry + 1n);
    await expect(f.market.connect(f.other).rentWithSignature(named, namedSig, DAY, DAY * GWEI, noGas))
      .to.be.revertedWithCustomError(f.market, "OfferExpired")
      .withArgs(f.expiry);
    expect(await f.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(ethers.ZeroHash);
    expect(await f.market.nonceCancelled(f.agent.address, 1n)).to.equal(false);
  });

  it("refuses a signer who no longer owns the subject; the refusal keeps the nonce unspent", async function () {
    const f = await loadFixture(signed);
    await f.assets.setAsset(ASSET_ID, f.other.address, 1, ethers.ZeroAddress);
    await expect(f.market.connect(f.renter).rentWithSignature(f.offer, f.sig, DAY, DAY * GWEI, PAY))
      .to.be.revertedWithCustomError(f.escrow, "NotSubjectOwner")
      .withArgs(f.agent.address, f.other.address);
    expect(await f.market.nonceCancelled(f.agent.address, f.offer.nonce)).to.equal(false);
  });

  it("an ERC-1271 wallet agent's offer fills once; a signature its wallet rejects is refused", async function () {
    const f = await loadFixture(signed);
    const wallet = await ethers.deployContract("MockERC1271Wallet", [f.agent.address]);
    const walletAddress = await wallet.getAddress();
    await f.assets.setAsset(ASSET_ID, walletAddress, 1, ethers.ZeroAddress);
    const offer = buildOffer(assetTerms(), walletAddress, { nonce: 3n, expiry: f.expiry });
    const bad = await signOffer(f.other, f.chainId, f.marketAddress, offer);
    await expect(
      f.market.connect(f.renter).rentWithSignature(offer, bad, DAY, DAY * GWEI, PAY),
    ).to.be.revertedWithCustomError(f.market, "InvalidSignature");
    const sig = await signOffer(f.agent, f.chainId, f.marketAddress, offer);
    await expect(f.market.connect(f.renter).rentWithSignature(offer, sig, DAY, DAY * GWEI, PAY))
      .to.emit(f.market, "NonceCancelled")
      .withArgs(walletAddress, 3n);
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    expect((await f.escrow.agreementOf(id)).owner).to.equal(walletAddress);
    expect(await f.market.nonceCancelled(walletAddress, 3n)).to.equal(true);
  });
});
