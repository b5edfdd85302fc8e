/**
 * Integration with the real IncomeDistributor (issue 4, merged on main): rent of an asset flows,
 * net of the escrow's fee, into IncomeDistributor.deposit, and the asset's share holders claim it
 * pro rata. The asset registry is the income area's test double (it enforces LEASE_MANAGER_ROLE and
 * refuses retiring a leased asset); the device registry is the rental test double.
 */
import { custodyOf, deployRentalEscrow } from "../../scripts/operator/rental/lib.js";
import { expect } from "chai";
import { network } from "hardhat";
import { buildTerms, SubjectKind } from "../../client/src/eip712/rental.js";
import { ASSET, deployIncome, e18, ETH } from "../income/fixture.js";
import { asAddress } from "../../client/src/types.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const DAY = 86_400n;

async function integrated() {
  const f = await deployIncome(ethers);
  const [, , , , , , , , , , arbiter, rentalFees] = await ethers.getSigners();
  const devices = await ethers.deployContract("MockDeviceRegistry");
  const { market, escrow } = await deployRentalEscrow(ethers, {
    governance: f.governance.address,
    assetRegistry: await f.registry.getAddress(),
    deviceRegistry: await devices.getAddress(),
    distributor: await f.distributor.getAddress(),
    feeRecipient: rentalFees.address,
    defaultArbiter: arbiter.address,
    feeBps: 250,
  });
  const escrowAddress = await escrow.getAddress();
  await f.registry.connect(f.governance).grantRole(ethers.id("LEASE_MANAGER_ROLE"), escrowAddress);
  await devices.setLeaseManager(escrowAddress);
  const dai = await f.dai.getAddress();
  await market.connect(f.governance).setTokenAllowed(dai, true);
  await market.connect(f.governance).setTokenAllowed(ETH, true);
  await f.dai.connect(f.carol).approve(escrowAddress, ethers.MaxUint256);
  return { ...f, market, escrow, custody: await custodyOf(escrow), escrowAddress, devices, daiAddress: dai };
}

describe("RentalEscrow with the real IncomeDistributor", function () {
  it("pays an asset's rent to its share holders pro rata through IncomeDistributor.deposit", async function () {
    const f = await loadFixture(integrated);
    const price = 10n ** 12n;
    const terms = buildTerms({
      subjectKind: SubjectKind.Asset,
      subjectId: ASSET,
      token: asAddress(f.daiAddress),
      pricePerSecond: price,
      deposit: e18(1),
    });
    await f.market.connect(f.agent).publishOffer(terms);
    const offerId = (await f.market.queryFilter(f.market.filters.OfferPublished()))[0].args.offerId;
    const vault = await f.distributor.vaultOf(ASSET); // the asset's income custody
    const before = await f.dai.balanceOf(vault);
    await f.market.connect(f.carol).rent(offerId, DAY, DAY * price);
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET, 0);
    expect(await f.registry.leasedUntil(ASSET)).to.be.greaterThan(0);
    await time.increase(DAY);
    await expect(f.escrow.settle(id)).to.emit(f.custody, "IncomeDeposited");
    const gross = DAY * price;
    const net = gross - (gross * 250n) / 10_000n;
    expect((await f.dai.balanceOf(vault)) - before).to.equal(net);
    expect(await f.dai.balanceOf(await f.distributor.getAddress())).to.equal(0n);
    expect(await f.dai.allowance(f.escrowAddress, await f.distributor.getAddress())).to.equal(0);
    const alice = await f.distributor.claimableOf(ASSET, f.daiAddress, f.alice.address);
    const bob = await f.distributor.claimableOf(ASSET, f.daiAddress, f.bob.address);
    expect(alice).to.be.greaterThan(0n);
    // 60 / 40 split of what reached the holders (each rounded down at most once).
    expect(alice * 40n - bob * 60n).to.be.lessThanOrEqual(100n);
    expect(bob * 60n - alice * 40n).to.be.lessThanOrEqual(100n);
    expect(await f.registry.leasedUntil(ASSET)).to.equal(0);
  });

  it("keeps the asset from being bought out and retired while it is rented", async function () {
    const f = await loadFixture(integrated);
    const terms = buildTerms({ subjectKind: SubjectKind.Asset, subjectId: ASSET, token: ETH, deposit: 0n });
    await f.market.connect(f.agent).publishOffer(terms);
    const offerId = (await f.market.queryFilter(f.market.filters.OfferPublished()))[0].args.offerId;
    await f.market.connect(f.carol).rent(offerId, DAY, DAY * 10n ** 9n, { value: DAY * 10n ** 9n });
    await expect(
      f.distributor.connect(f.agent).depositBuyout(ASSET, ETH, e18(1), { value: e18(1) }),
    ).to.be.revertedWithCustomError(f.registry, "AssetLeased");
    await time.increase(DAY);
    await f.escrow.settle(await f.escrow.agreementId(SubjectKind.Asset, ASSET, 0));
    expect(await f.distributor.claimableOf(ASSET, ETH, f.alice.address)).to.be.greaterThan(0n);
    await f.distributor.connect(f.agent).depositBuyout(ASSET, ETH, e18(1), { value: e18(1) });
  });
});
