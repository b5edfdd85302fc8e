/** RentalMarket: the escrow link governance sets once (`setEscrow`); nothing is offered or rented before it. */
import { expect } from "chai";
import { network } from "hardhat";
import { buildOffer, signOffer, SubjectKind, ZERO_ADDRESS } from "../../client/src/eip712/rental.js";
import type { RentalEscrow, RentalMarket } from "../../types/ethers-contracts/index.js";
import { assetTerms, ASSET_ID, deployRental, FEE_BPS, GWEI, DAY, DEPOSIT } from "./fixture.js";
import { custodyOf } from "../../scripts/operator/rental/lib.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const PAY = DAY * GWEI + DEPOSIT;

/** A second market and an escrow naming it, against the fixture's doubles, not linked yet. */
async function unlinked() {
  const f = await deployRental(ethers);
  // Its own distributor: a distributor's vaults trust one rental custody (the fixture's already has one).
  const mock = await ethers.deployContract("MockIncomeDistributor", [ZERO_ADDRESS, true]);
  const [assets, devices, distributor] = [
    await f.assets.getAddress(),
    await f.devices.getAddress(),
    await mock.getAddress(),
  ];
  const market = (await ethers.deployContract("RentalMarket", [
    f.governance.address,
    assets,
    devices,
    f.feeRecipient.address,
    f.arbiter.address,
    FEE_BPS,
  ])) as unknown as RentalMarket;
  const marketAddress = await market.getAddress();
  const escrow = (await ethers.deployContract("RentalEscrow", [
    marketAddress,
    assets,
    devices,
    distributor,
    await f.disputes.getAddress(),
  ])) as unknown as RentalEscrow;
  const custody = await custodyOf(escrow);
  await mock.setCustodians(ZERO_ADDRESS, await custody.getAddress());
  const escrowAddress = await escrow.getAddress();
  // The doubles lease to one manager: this escrow from now on.
  await f.assets.setLeaseManager(escrowAddress);
  await f.devices.setLeaseManager(escrowAddress);
  await market.connect(f.governance).setTokenAllowed(ZERO_ADDRESS, true);
  const expiry = BigInt(await time.latest()) + 30n * DAY;
  const offer = buildOffer(assetTerms(), f.agent.address, { nonce: 3n, expiry });
  const sig = await signOffer(f.agent, f.chainId, marketAddress, offer);
  return { f, market, marketAddress, escrow, custody, escrowAddress, offer, sig };
}

type U = Awaited<ReturnType<typeof unlinked>>;

/** What a refused call must leave unchanged: ETH of the renter, the market and the escrow, the offer's nonce. */
async function untouched(u: U) {
  return {
    renter: await ethers.provider.getBalance(u.f.renter.address),
    market: await ethers.provider.getBalance(u.marketAddress),
    escrow: await ethers.provider.getBalance(u.escrowAddress),
    vault: await ethers.provider.getBalance(await u.custody.vaultOf(ASSET_ID)),
    nonce: await u.market.nonceCancelled(u.f.agent.address, u.offer.nonce),
    live: await u.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID),
  };
}

describe("RentalMarket: escrow link", function () {
  it("is deployed without an escrow; the escrow names its market", async function () {
    const u = await loadFixture(unlinked);
    expect(await u.market.escrow()).to.equal(ZERO_ADDRESS);
    expect(await u.escrow.market()).to.equal(u.marketAddress);
  });

  it("only governance links the escrow; a stranger, the agent and the escrow itself are refused, nothing changes", async function () {
    const u = await loadFixture(unlinked);
    for (const who of [u.f.other, u.f.agent, u.f.renter]) {
      await expect(u.market.connect(who).setEscrow(u.escrowAddress))
        .to.be.revertedWithCustomError(u.market, "AccessControlUnauthorizedAccount")
        .withArgs(who.address, ethers.ZeroHash);
    }
    expect(await u.market.escrow()).to.equal(ZERO_ADDRESS);
  });

  it("refuses a zero escrow and another market's escrow (EscrowMismatch), changing nothing", async function () {
    const u = await loadFixture(unlinked);
    await expect(u.market.connect(u.f.governance).setEscrow(ZERO_ADDRESS)).to.be.revertedWithCustomError(
      u.market,
      "ZeroAddress",
    );
    // The fixture's escrow names the fixture's market, not this one.
    await expect(u.market.connect(u.f.governance).setEscrow(u.f.escrowAddress))
      .to.be.revertedWithCustomError(u.market, "EscrowMismatch")
      .withArgs(u.f.escrowAddress);
    expect(await u.market.escrow()).to.equal(ZERO_ADDRESS);
  });

  it("links once with EscrowSet; a second link (the same escrow or another naming this market) is refused", async function () {
    const u = await loadFixture(unlinked);
    await expect(u.market.connect(u.f.governance).setEscrow(u.escrowAddress))
      .to.emit(u.market, "EscrowSet")
      .withArgs(u.escrowAddress);
    expect(await u.market.escrow()).to.equal(u.escrowAddress);
    const another = await ethers.deployContract("RentalEscrow", [
      u.marketAddress,
      await u.f.assets.getAddress(),
      await u.f.devices.getAddress(),
      await u.f.distributor.getAddress(),
      await u.f.disputes.getAddress(),
    ]);
    for (const candidate of [u.escrowAddress, await another.getAddress()]) {
      await expect(u.market.connect(u.f.governance).setEscrow(candidate))
        .to.be.revertedWithCustomError(u.market, "EscrowAlreadySet")
        .withArgs(u.escrowAddress);
    }
    expect(await u.market.escrow()).to.equal(u.escrowAddress);
  });

  it("before the link, publishOffer, rent and rentWithSignature revert EscrowNotSet and move nothing", async function () {
    const u = await loadFixture(unlinked);
    const before = await untouched(u);
    await expect(u.market.connect(u.f.agent).publishOffer(assetTerms())).to.be.revertedWithCustomError(
      u.market,
      "EscrowNotSet",
    );
    const offerId = ethers.keccak256(
      ethers.AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [u.f.agent.address, ethers.ZeroHash]),
    );
    await expect(
      u.market.connect(u.f.renter).rent(offerId, DAY, DAY * GWEI, { value: PAY, gasPrice: 0 }),
    ).to.be.revertedWithCustomError(u.market, "EscrowNotSet");
    await expect(
      u.market.connect(u.f.renter).rentWithSignature(u.offer, u.sig, DAY, DAY * GWEI, { value: PAY, gasPrice: 0 }),
    ).to.be.revertedWithCustomError(u.market, "EscrowNotSet");
    expect(await untouched(u)).to.deep.equal(before);
    expect(before.nonce).to.equal(false);
  });

  it("after the link, the first rent opens the agreement: the renter pays exactly deposit + prepay into the vault", async function () {
    const u = await loadFixture(unlinked);
    await u.market.connect(u.f.governance).setEscrow(u.escrowAddress);
    const tx = await u.market.connect(u.f.agent).publishOffer(assetTerms());
    const receipt = await tx.wait();
    const published = receipt!.logs
      .map((l) => u.market.interface.parseLog(l))
      .find((p) => p?.name === "OfferPublished");
    const offerId = published!.args.offerId as string;
    const vault = await u.custody.vaultOf(ASSET_ID);
    const id = await u.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    await expect(u.market.connect(u.f.renter).rent(offerId, DAY, DAY * GWEI, { value: PAY })).to.changeEtherBalances(
      ethers,
      [u.f.renter, vault, u.market, u.escrow],
      [-PAY, PAY, 0n, 0n],
    );
    const a = await u.escrow.agreementOf(id);
    expect([a.renter, a.owner, a.credit, a.depositHeld, a.feeBps]).to.deep.equal([
      u.f.renter.address,
      u.f.agent.address,
      DAY * GWEI,
      DEPOSIT,
      BigInt(FEE_BPS),
    ]);
    expect(await u.escrow.liveAgreementOf(SubjectKind.Asset, ASSET_ID)).to.equal(id);
  });

  it("after the link, an offer signed before it fills once: exact payment, nonce spent", async function () {
    const u = await loadFixture(unlinked);
    await u.market.connect(u.f.governance).setEscrow(u.escrowAddress);
    const vault = await u.custody.vaultOf(ASSET_ID);
    const id = await u.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    const tx = u.market.connect(u.f.renter).rentWithSignature(u.offer, u.sig, DAY, DAY * GWEI, { value: PAY });
    await expect(tx).to.changeEtherBalances(ethers, [u.f.renter, vault, u.market, u.escrow], [-PAY, PAY, 0n, 0n]);
    expect(await u.market.nonceCancelled(u.f.agent.address, u.offer.nonce)).to.equal(true);
    expect((await u.escrow.agreementOf(id)).renter).to.equal(u.f.renter.address);
  });
});
