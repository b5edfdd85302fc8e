/**
 * Integration with the real AssetRegistry (issue 2, merged on main): the offer's signer must still
 * be the registry's agent when a renter fills it (two-step agent change), the asset is leased while
 * rented, a frozen asset takes no new rental while the running one keeps its exits. Device registry
 * and income distributor are the rental test doubles.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { buildTerms, RentalState, SubjectKind } from "../../client/src/eip712/rental.js";
import { deployRentalEscrow } from "../../scripts/operator/rental/lib.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

const DAY = 86_400n;
const GWEI = 1_000_000_000n;

describe("RentalEscrow with the real AssetRegistry", function () {
  it("follows the registry's agent and status, and leases the asset while it is rented", async function () {
    const [gov, issuer, agent, newAgent, renter, other, fees, arbiter] = await ethers.getSigners();
    const registry = await ethers.deployContract("AssetRegistry", [gov.address]);
    await registry.connect(gov).grantRole(await registry.ISSUER_ROLE(), issuer.address);
    const salt = ethers.id("excavator-3");
    const assetId = await registry
      .connect(issuer)
      .registerAsset.staticCall(salt, 0, "0x4652", agent.address, "ipfs://x");
    await registry.connect(issuer).registerAsset(salt, 0, "0x4652", agent.address, "ipfs://x");
    const devices = await ethers.deployContract("MockDeviceRegistry");
    const distributor = await ethers.deployContract("MockIncomeDistributor", [ethers.ZeroAddress, true]);
    const { market, escrow } = await deployRentalEscrow(ethers, {
      governance: gov.address,
      assetRegistry: await registry.getAddress(),
      deviceRegistry: await devices.getAddress(),
      distributor: await distributor.getAddress(),
      feeRecipient: fees.address,
      defaultArbiter: arbiter.address,
      feeBps: 0,
    });
    await registry.connect(gov).grantRole(await registry.LEASE_MANAGER_ROLE(), await escrow.getAddress());
    const claims = await ethers.getContractAt("RentalClaims", await escrow.claims());
    await market.connect(gov).setTokenAllowed(ethers.ZeroAddress, true);

    const terms = buildTerms({ subjectKind: SubjectKind.Asset, subjectId: assetId });
    await expect(market.connect(other).publishOffer(terms))
      .to.be.revertedWithCustomError(escrow, "NotSubjectOwner")
      .withArgs(other.address, agent.address);
    await market.connect(agent).publishOffer(terms);
    const offerId = (await market.queryFilter(market.filters.OfferPublished()))[0].args.offerId;
    const pay = { value: DAY * GWEI + terms.deposit };
    await market.connect(renter).rent(offerId, DAY, DAY * GWEI, pay);
    const id = await escrow.agreementId(SubjectKind.Asset, assetId, 0);
    // Leased until settlement releases it (not just until `end`): see RentalEscrow._setLease.
    expect(await registry.leasedUntil(assetId)).to.equal(await escrow.LEASED_UNTIL_RELEASED());

    // The agent changes: the old agent's offer can no longer be filled, and the running agreement
    // follows the asset: its new agent (not the old one) may claim damages (issue 12, finding 6).
    await registry.connect(issuer).proposeAgent(assetId, newAgent.address);
    await registry.connect(newAgent).acceptAgent(assetId);
    await time.increase(DAY);
    await escrow.settle(id);
    expect(await registry.leasedUntil(assetId)).to.equal(0);
    await expect(market.connect(other).rent(offerId, DAY, DAY * GWEI, pay))
      .to.be.revertedWithCustomError(escrow, "NotSubjectOwner")
      .withArgs(agent.address, newAgent.address);
    await expect(claims.connect(agent).claimDamage(id, 1n, ethers.ZeroHash))
      .to.be.revertedWithCustomError(escrow, "NotOwner")
      .withArgs(agent.address);
    await expect(claims.connect(newAgent).claimDamage(id, 1n, ethers.ZeroHash))
      .to.emit(claims, "DamageClaimed")
      .withArgs(id, 1n, ethers.ZeroHash);
    expect((await claims.claimOf(id)).amount).to.equal(1n);

    // Frozen: no new rental; the settled agreement still closes.
    await market.connect(newAgent).publishOffer(terms);
    const offer2 = (await market.queryFilter(market.filters.OfferPublished()))[1].args.offerId;
    await registry.connect(newAgent).freezeAsset(assetId);
    await expect(market.connect(other).rent(offer2, DAY, DAY * GWEI, pay))
      .to.be.revertedWithCustomError(escrow, "SubjectNotRentable")
      .withArgs(SubjectKind.Asset, assetId);
    await time.increase(DAY + 1n);
    await claims.finalize(id);
    expect(await escrow.stateOf(id)).to.equal(RentalState.Closed);
  });
});
