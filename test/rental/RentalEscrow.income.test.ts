/**
 * Integration with the real IncomeDistributor (issue 4, merged on main): rent of an asset, net of the
 * escrow's fee, is handed to the distributor in the asset's vault, which the distributor shares with the
 * rental custody (IncomeDistributor.depositHeld: accounting, no transfer), and the asset's share holders
 * claim it pro rata from that vault. The asset registry is the income area's test double (it enforces
 * LEASE_MANAGER_ROLE and refuses retiring a leased asset); the device registry is the rental test double.
 */
import { custodyOf, deployRentalEscrow } from "../../scripts/operator/rental/lib.js";
import { expect } from "chai";
import { network } from "hardhat";
import { buildTerms, SubjectKind } from "../../client/src/eip712/rental.js";
import { ASSET, deployIncome, e18, ETH, split } from "../income/fixture.js";
import { asAddress } from "../../client/src/types.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const DAY = 86_400n;

async function integrated() {
  const f = await deployIncome(ethers, { nameCustodians: false });
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
  return {
    ...f,
    market,
    escrow,
    custody: await custodyOf(escrow),
    escrowAddress,
    devices,
    daiAddress: dai,
    rentalFees,
  };
}

describe("RentalEscrow with the real IncomeDistributor", function () {
  it("pays an asset's rent to its share holders pro rata through IncomeDistributor.depositHeld, from the shared vault", async function () {
    const f = await loadFixture(integrated);
    const price = 10n ** 12n;
    const deposit = e18(1);
    const terms = buildTerms({
      subjectKind: SubjectKind.Asset,
      subjectId: ASSET,
      token: asAddress(f.daiAddress),
      pricePerSecond: price,
      deposit,
    });
    await f.market.connect(f.agent).publishOffer(terms);
    const offerId = (await f.market.queryFilter(f.market.filters.OfferPublished()))[0].args.offerId;
    // One vault for the asset, shared by the distributor and the rental custody; the first rental deploys it.
    const vault = await f.distributor.vaultOf(ASSET);
    expect(await f.custody.vaultOf(ASSET)).to.equal(vault);
    expect(await ethers.provider.getCode(vault)).to.equal("0x");
    const distributor = await f.distributor.getAddress();
    const custody = await f.custody.getAddress();
    await f.market.connect(f.carol).rent(offerId, DAY, DAY * price);
    const id = await f.escrow.agreementId(SubjectKind.Asset, ASSET, 0);
    expect(await f.registry.leasedUntil(ASSET)).to.be.greaterThan(0);
    const gross = DAY * price;
    expect(await f.dai.balanceOf(vault)).to.equal(gross + deposit);
    await time.increase(DAY);
    const net = gross - (gross * 250n) / 10_000n;
    const { reserve, fee, toHolders } = split(net);
    const settle = f.escrow.settle(id);
    await expect(settle)
      .to.emit(f.custody, "IncomeDeposited")
      .withArgs(ASSET, f.daiAddress, net)
      .and.to.emit(f.distributor, "IncomeDeposited")
      .withArgs(ASSET, f.daiAddress, custody, net, net, reserve, fee, toHolders);
    // Accounting only: no token moves and nobody approves the distributor.
    await expect(settle).to.changeTokenBalances(
      ethers,
      f.dai,
      [vault, distributor, custody, f.escrowAddress],
      [0n, 0n, 0n, 0n],
    );
    expect(await f.dai.allowance(f.escrowAddress, distributor)).to.equal(0);
    expect(await f.dai.allowance(custody, distributor)).to.equal(0);
    const [, distributed, claimed] = await f.distributor.incomeAccountingOf(ASSET, f.daiAddress);
    expect([distributed, claimed]).to.deep.equal([toHolders, 0n]);
    expect(await f.distributor.reserveOf(ASSET, f.daiAddress)).to.equal(reserve);
    expect(await f.distributor.feesOf(ASSET, f.daiAddress)).to.equal(fee);
    /** What the vault owes: the rental's (its fee, the deposit still held) and the distributor's obligations. */
    const owed = async () => {
      const [, d, c] = await f.distributor.incomeAccountingOf(ASSET, f.daiAddress);
      return (
        (await f.custody.claimable(f.rentalFees.address, ASSET, f.daiAddress)) +
        (await f.escrow.heldFor(id)) +
        (d - c) +
        (await f.distributor.reserveOf(ASSET, f.daiAddress)) +
        (await f.distributor.feesOf(ASSET, f.daiAddress))
      );
    };
    expect(await f.custody.claimable(f.rentalFees.address, ASSET, f.daiAddress)).to.equal(gross - net);
    expect(await f.escrow.heldFor(id)).to.equal(deposit);
    expect(await f.dai.balanceOf(vault)).to.equal(gross + deposit);
    expect(await owed()).to.equal(gross + deposit);
    const alice = await f.distributor.claimableOf(ASSET, f.daiAddress, f.alice.address);
    const bob = await f.distributor.claimableOf(ASSET, f.daiAddress, f.bob.address);
    expect(alice).to.be.greaterThan(0n);
    // 60 / 40 split of what reached the holders (each rounded down at most once).
    expect(alice * 40n - bob * 60n).to.be.lessThanOrEqual(100n);
    expect(bob * 60n - alice * 40n).to.be.lessThanOrEqual(100n);
    // The holders claim from the same vault.
    await expect(f.distributor.connect(f.alice).claim(ASSET, f.daiAddress, f.alice.address)).to.changeTokenBalances(
      ethers,
      f.dai,
      [vault, f.alice],
      [-alice, alice],
    );
    await expect(f.distributor.connect(f.bob).claim(ASSET, f.daiAddress, f.bob.address)).to.changeTokenBalances(
      ethers,
      f.dai,
      [vault, f.bob],
      [-bob, bob],
    );
    expect((await f.distributor.incomeAccountingOf(ASSET, f.daiAddress))[2]).to.equal(alice + bob);
    expect(await f.dai.balanceOf(vault)).to.equal(gross + deposit - alice - bob);
    expect(await owed()).to.equal(gross + deposit - alice - bob);
    expect(await f.dai.balanceOf(distributor)).to.equal(0n);
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
