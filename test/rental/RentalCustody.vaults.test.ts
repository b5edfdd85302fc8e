/**
 * RentalCustody, custody per asset: every agreement's money sits in the AssetVault clone of its custody id
 * (the rented asset, the asset a rented device is bound to, or an unbound device itself), at a CREATE2 address
 * anyone can predict (deployer: AssetVaults, the distributor's first creation; implementation: that contract's first
 * creation), deployed once and shared with the distributor (and the maintenance custody), and only those
 * controllers can move it. After an adversarial sequence each vault holds exactly what is still owed on that custody:
 * the rental's balances, deferred income and held money plus the income handed to the distributor (which stays in the
 * vault); neither the escrow, the custody nor the distributor holds anything.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { SubjectKind, ZERO_ADDRESS } from "../../client/src/eip712/rental.js";
import {
  assetTerms,
  ASSET_ID,
  deployRental,
  DEVICE_ID,
  FREE_DEVICE_ID,
  publish,
  DAY,
  HOUR,
  DEPOSIT,
} from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const PRICE = 10n ** 9n;
const ASSET_B = 8n;

async function base() {
  const f = await deployRental(ethers);
  await f.assets.setAsset(ASSET_B, f.agent.address, 1, ethers.ZeroAddress);
  const tokenAddress = await f.token.getAddress();
  return { ...f, tokenAddress };
}
type F = Awaited<ReturnType<typeof base>>;

/** EIP-1167 creation code of a minimal clone of `implementation` (what OpenZeppelin's Clones deploys). */
const cloneInitCode = (implementation: string) =>
  ethers.concat(["0x3d602d80600a3d3981f3363d3d373d3d3d363d73", implementation, "0x5af43d82803e903d91602b57fd5bf3"]);

const terms = (f: F, over = {}) =>
  assetTerms({ token: f.tokenAddress as `0x${string}`, pricePerSecond: PRICE, deposit: DEPOSIT, ...over });

describe("RentalCustody: vaults per custody id", function () {
  it("holds each asset's money in its own vault at the predicted address, deployed once by the first rental", async function () {
    const f = await loadFixture(base);
    // The custody is the escrow's first creation. The vaults are the distributor's: its first creation deploys
    // them (AssetVaults), the implementation is that contract's first creation, and each vault a clone with salt =
    // the custody id, shared by the distributor and the custodies it names.
    const custodyAddress = ethers.getCreateAddress({ from: f.escrowAddress, nonce: 1 });
    expect(await f.escrow.custody()).to.equal(custodyAddress);
    expect(await f.custody.getAddress()).to.equal(custodyAddress);
    expect(await f.custody.escrow()).to.equal(f.escrowAddress);
    expect(await f.custody.distributor()).to.equal(await f.distributor.getAddress());
    expect(await f.custody.assetRegistry()).to.equal(await f.assets.getAddress());
    const vaultsAddress = ethers.getCreateAddress({ from: await f.distributor.getAddress(), nonce: 1 });
    const vaults = await ethers.getContractAt("AssetVaults", vaultsAddress);
    expect(await f.distributor.vaults()).to.equal(vaultsAddress);
    const implementation = ethers.getCreateAddress({ from: vaultsAddress, nonce: 1 });
    expect(await vaults.vaultImplementation()).to.equal(implementation);
    expect(await vaults.isCustodian(custodyAddress)).to.equal(true);
    const predicted = (id: bigint) =>
      ethers.getCreate2Address(vaultsAddress, ethers.toBeHex(id, 32), ethers.keccak256(cloneInitCode(implementation)));
    const vaultA = await f.custody.vaultOf(ASSET_ID);
    const vaultB = await f.custody.vaultOf(ASSET_B);
    expect(vaultA).to.equal(predicted(ASSET_ID));
    expect(vaultB).to.equal(predicted(ASSET_B));
    expect(vaultA).to.not.equal(vaultB);
    expect(await ethers.provider.getCode(vaultA)).to.equal("0x");

    const offerA = await publish(f.market, f.agent, terms(f));
    const offerB = await publish(f.market, f.agent, terms(f, { subjectId: ASSET_B }));
    await expect(f.market.connect(f.renter).rent(offerA, DAY, DAY * PRICE))
      .to.emit(vaults, "VaultCreated")
      .withArgs(ASSET_ID, vaultA);
    await expect(f.market.connect(f.other).rent(offerB, DAY, DAY * PRICE))
      .to.emit(vaults, "VaultCreated")
      .withArgs(ASSET_B, vaultB);
    const vault = await ethers.getContractAt("AssetVault", vaultA);
    expect(await vault.controller()).to.equal(await f.distributor.getAddress());
    expect(await vault.rental()).to.equal(custodyAddress);
    expect(await vault.isController(custodyAddress)).to.equal(true);
    // Renters pay straight into the vault of the asset they rent; the escrow and the custody hold nothing.
    expect(await f.token.balanceOf(vaultA)).to.equal(DAY * PRICE + DEPOSIT);
    expect(await f.token.balanceOf(vaultB)).to.equal(DAY * PRICE + DEPOSIT);
    expect(await f.token.balanceOf(f.escrowAddress)).to.equal(0n);
    expect(await f.token.balanceOf(custodyAddress)).to.equal(0n);

    // A later agreement on the same asset reuses its vault: no second deployment.
    const idA = await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0);
    expect(await f.escrow.custodyOf(idA)).to.equal(ASSET_ID);
    await time.increase(DAY);
    await f.escrow.settle(idA);
    await f.claims.connect(f.agent).waiveClaim(idA);
    const rent = f.market.connect(f.other).rent(offerA, DAY, DAY * PRICE);
    await expect(rent).to.not.emit(vaults, "VaultCreated");
    await expect(rent).to.changeTokenBalances(
      ethers,
      f.token,
      [f.other, vaultA],
      [-(DAY * PRICE + DEPOSIT), DAY * PRICE + DEPOSIT],
    );
  });

  it("keeps a bound device's rental in its asset's vault and an unbound device's in the device's own", async function () {
    const f = await loadFixture(base);
    const bound = await publish(
      f.market,
      f.deviceOwner,
      terms(f, { subjectKind: SubjectKind.Device, subjectId: DEVICE_ID }),
    );
    const free = await publish(
      f.market,
      f.deviceOwner,
      terms(f, { subjectKind: SubjectKind.Device, subjectId: FREE_DEVICE_ID }),
    );
    await f.market.connect(f.renter).rent(bound, DAY, DAY * PRICE);
    await expect(f.market.connect(f.other).rent(free, DAY, DAY * PRICE))
      .to.emit(await ethers.getContractAt("AssetVaults", await f.distributor.vaults()), "VaultCreated")
      .withArgs(FREE_DEVICE_ID, await f.custody.vaultOf(FREE_DEVICE_ID));
    expect(await f.escrow.custodyOf(await f.escrow.agreementId(SubjectKind.Device, DEVICE_ID, 0))).to.equal(ASSET_ID);
    expect(await f.escrow.custodyOf(await f.escrow.agreementId(SubjectKind.Device, FREE_DEVICE_ID, 0))).to.equal(
      FREE_DEVICE_ID,
    );
    expect(await f.token.balanceOf(await f.custody.vaultOf(ASSET_ID))).to.equal(DAY * PRICE + DEPOSIT);
    expect(await f.token.balanceOf(await f.custody.vaultOf(FREE_DEVICE_ID))).to.equal(DAY * PRICE + DEPOSIT);
  });

  it("lets only its controllers move a vault's funds or send it ETH; neither the escrow nor the custody takes stray ETH", async function () {
    const f = await loadFixture(base);
    const offer = await publish(f.market, f.agent, assetTerms());
    await f.market.connect(f.renter).rent(offer, DAY, DAY * PRICE, { value: DAY * PRICE + DEPOSIT });
    const vaultAddress = await f.custody.vaultOf(ASSET_ID);
    const vault = await ethers.getContractAt("AssetVault", vaultAddress);
    const custodyAddress = await f.custody.getAddress();
    // Its controllers: the distributor, the rental custody and (none in this suite) the maintenance custody.
    expect([await vault.controller(), await vault.maintenance(), await vault.rental()]).to.deep.equal([
      await f.distributor.getAddress(),
      ethers.ZeroAddress,
      custodyAddress,
    ]);
    expect(await vault.isController(ethers.ZeroAddress)).to.equal(false);
    for (const s of [f.renter, f.agent, f.governance]) {
      expect(await vault.isController(s.address)).to.equal(false);
      await expect(vault.connect(s).pay(ZERO_ADDRESS, s.address, 1n))
        .to.be.revertedWithCustomError(vault, "NotController")
        .withArgs(s.address);
    }
    await expect(f.renter.sendTransaction({ to: vaultAddress, value: 1n }))
      .to.be.revertedWithCustomError(vault, "NotController")
      .withArgs(f.renter.address);
    // The escrow has no receive function.
    await expect(f.renter.sendTransaction({ to: f.escrowAddress, value: 1n })).to.be.revertedWithoutReason(ethers);
    // Nor has the custody any more (ETH reaches a vault only through the escrow's `fund`, and payouts go from the
    // vault straight to the party): a plain transfer finds no function to run and reverts with no data, so there is
    // no custom error to match.
    await expect(f.renter.sendTransaction({ to: custodyAddress, value: 1n })).to.be.revertedWithoutReason(ethers);
    expect(await ethers.provider.getBalance(vaultAddress)).to.equal(DAY * PRICE + DEPOSIT);
    expect(await ethers.provider.getBalance(f.escrowAddress)).to.equal(0n);
    expect(await ethers.provider.getBalance(custodyAddress)).to.equal(0n);
  });

  it("after an adversarial sequence, every vault holds exactly what the escrow still owes on its custody", async function () {
    const f = await loadFixture(base);
    const [, , , , , , , relayer, third] = await ethers.getSigners();
    await f.token.mint(relayer.address, 10n ** 30n);
    await f.token.connect(relayer).approve(f.escrowAddress, ethers.MaxUint256);
    await f.token.mint(third.address, 10n ** 30n);
    await f.token.connect(third).approve(f.escrowAddress, ethers.MaxUint256);
    const parties = [f.renter, f.other, third, f.agent, f.deviceOwner, f.feeRecipient, relayer];
    const custodies = [ASSET_ID, ASSET_B, FREE_DEVICE_ID];
    const ids: string[] = [];

    // A vault owes the rental's balances, deferred income and held money, plus the income handed to the distributor
    // (`deposited`: it stays in the shared vault).
    const check = async (step: string) => {
      expect(await f.token.balanceOf(f.escrowAddress), `${step}: escrow`).to.equal(0n);
      expect(await f.token.balanceOf(await f.custody.getAddress()), `${step}: custody`).to.equal(0n);
      expect(await f.token.balanceOf(await f.distributor.getAddress()), `${step}: distributor`).to.equal(0n);
      for (const c of custodies) {
        let owed = await f.custody.pendingIncome(c, f.tokenAddress);
        owed += await f.distributor.deposited(c, f.tokenAddress);
        for (const p of parties) owed += await f.custody.claimable(p.address, c, f.tokenAddress);
        for (const id of ids) if ((await f.escrow.custodyOf(id)) === c) owed += await f.escrow.heldFor(id);
        expect(await f.token.balanceOf(await f.custody.vaultOf(c)), `${step}: vault of ${c}`).to.equal(owed);
      }
    };

    const offerA = await publish(f.market, f.agent, terms(f, { noticePeriod: Number(HOUR) }));
    const offerB = await publish(f.market, f.agent, terms(f, { subjectId: ASSET_B }));
    const offerFree = await publish(
      f.market,
      f.deviceOwner,
      terms(f, { subjectKind: SubjectKind.Device, subjectId: FREE_DEVICE_ID }),
    );
    const offerBound = await publish(
      f.market,
      f.deviceOwner,
      terms(f, { subjectKind: SubjectKind.Device, subjectId: DEVICE_ID }),
    );
    // Same block: three renters open on three custodies, a fourth on a device bound to asset A.
    await networkHelpers.mine();
    await ethers.provider.send("evm_setAutomine", [false]);
    const txs = [
      await f.market.connect(f.renter).rent(offerA, 2n * DAY, 2n * DAY * PRICE),
      await f.market.connect(f.other).rent(offerB, 2n * DAY, HOUR * PRICE), // will default
      await f.market.connect(third).rent(offerFree, DAY, DAY * PRICE),
      await f.market.connect(relayer).rent(offerBound, DAY, DAY * PRICE),
    ];
    await ethers.provider.send("evm_setAutomine", [true]);
    await networkHelpers.mine();
    for (const tx of txs) expect((await tx.wait())!.status).to.equal(1);
    ids.push(
      await f.escrow.agreementId(SubjectKind.Asset, ASSET_ID, 0),
      await f.escrow.agreementId(SubjectKind.Asset, ASSET_B, 0),
      await f.escrow.agreementId(SubjectKind.Device, FREE_DEVICE_ID, 0),
      await f.escrow.agreementId(SubjectKind.Device, DEVICE_ID, 0),
    );
    const [idA, idB, idFree, idBound] = ids;
    await check("opened");

    // A stranger tops up A for the renter; the distributor then refuses every deposit.
    await f.escrow.connect(relayer).topUp(idA, HOUR * PRICE);
    await f.distributor.setRefuse(true);
    await time.increase(3n * HOUR);
    await f.escrow.connect(third).collect(idA); // refused: deferred in A's vault
    expect(await f.custody.pendingIncome(ASSET_ID, f.tokenAddress)).to.be.greaterThan(0n);
    await check("deferred");

    // B defaults (anyone), A ends early, the free device's rent goes to its owner's balance.
    await f.escrow.connect(third).markDefault(idB);
    // B's owner claims at once; the renter disputes and the arbiter refuses to rule (the default: the renter).
    await f.claims.connect(f.agent).claimDamage(idB, 1001n, ethers.ZeroHash);
    await f.claims.connect(f.other).disputeClaim(idB);
    await f.disputes.connect(f.arbiter).rule(await f.claims.disputeIdOf(idB), 0n);
    await f.escrow.connect(f.renter).terminateEarly(idA);
    await time.increase(DAY);
    await f.escrow.settle(idA);
    await f.escrow.connect(relayer).settle(idFree);
    await f.escrow.settle(idBound);
    await check("settled");

    // Claims: accepted on A; the devices' owner waives.
    await f.claims.connect(f.agent).claimDamage(idA, DEPOSIT / 3n, ethers.ZeroHash);
    await f.claims.connect(f.renter).acceptClaim(idA);
    await f.claims.connect(f.deviceOwner).waiveClaim(idFree);
    await f.claims.connect(f.deviceOwner).waiveClaim(idBound);
    await check("claims");

    // The distributor accepts again. The fees were credited to the fee recipient at each payout, in the custody
    // of the agreement they came from: every custody holds its own, nothing crosses custodies.
    await f.distributor.setRefuse(false);
    await f.custody.connect(third).flushIncome(ASSET_ID, f.tokenAddress);
    await f.custody.connect(relayer).flushIncome(ASSET_B, f.tokenAddress);
    for (const c of custodies) {
      expect(await f.custody.claimable(f.feeRecipient.address, c, f.tokenAddress), `fee in ${c}`).to.not.equal(0n);
    }
    for (const id of ids) expect(await f.escrow.heldFor(id), id).to.equal(0n);
    await check("flushed");

    // Everyone withdraws everything, from every custody: every vault then holds exactly the income handed to the
    // distributor (none for the unbound device, whose rent went to its owner's balance).
    for (const c of custodies) {
      for (const p of parties) {
        const due = await f.custody.claimable(p.address, c, f.tokenAddress);
        if (due === 0n) continue;
        await expect(f.custody.connect(p).withdrawTo(c, f.tokenAddress, p.address))
          .to.emit(f.custody, "Withdrawn")
          .withArgs(p.address, c, f.tokenAddress, p.address, due);
      }
      expect(await f.token.balanceOf(await f.custody.vaultOf(c))).to.equal(
        await f.distributor.deposited(c, f.tokenAddress),
      );
    }
    expect(await f.distributor.deposited(FREE_DEVICE_ID, f.tokenAddress)).to.equal(0n);
    await check("emptied");
  });
});
