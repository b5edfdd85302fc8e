/**
 * Custody per asset, shared (issue 15): one AssetVault clone per asset holds the money of the income distributor,
 * the maintenance custody and the rental custody, each with its own accounting. The distributor's first creation,
 * AssetVaults, deploys the vaults; governance names the two custodies once. Money moving between the three is
 * accounting (`depositHeld`, `withdrawReserve` into the vault); every pull into the vault is checked for the exact
 * amount, so no controller can be credited with another's money. Real suite (test/attacks/world.ts).
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import { SubjectKind, buildTerms } from "../../client/src/eip712/rental.js";
import { asAddress } from "../../client/src/types.js";
import { BUDGET, DAY, USDC, createOrder, deployWorld, incomeSplit, orderFor, type World } from "../attacks/world.js";

const { ethers, networkHelpers } = await network.connect();
const { loadFixture, time } = networkHelpers;

async function world() {
  return deployWorld(ethers);
}

const vaultsOf = async (w: World) => ethers.getContractAt("AssetVaults", await w.distributor.vaults());

/** Rental terms on the world's asset in the ERC-20 `token`. */
const termsIn = (w: World, token: string, pricePerSecond: bigint, deposit: bigint) =>
  buildTerms({
    subjectKind: SubjectKind.Asset,
    subjectId: w.assetId,
    token: asAddress(token),
    pricePerSecond,
    deposit,
  });

/** USDC rental terms on the world's asset: 10 units a second, a 10 USDC deposit. */
const usdcTerms = async (w: World) => termsIn(w, await w.usdc.getAddress(), 10n, USDC(10));

/**
 * A ReentrantToken (an ERC-20 with an armable transfer hook) accepted by the distributor, registered for the world's
 * asset, and allowed for rent (and for maintenance orders when `maintenance` is set).
 */
async function hookedToken(w: World, maintenance = false) {
  const hooked = await ethers.deployContract("ReentrantToken");
  const h = await hooked.getAddress();
  await w.distributor.connect(w.gov).setPayoutToken(h, true);
  await w.rentalMarket.connect(w.gov).setTokenAllowed(h, true);
  if (maintenance) await w.escrow.connect(w.gov).setTokenAllowed(h, true);
  await w.distributor.connect(w.agent).registerPayoutToken(w.assetId, h);
  return { hooked, h };
}

/** The agent publishes `terms`; returns the offer id. */
async function publish(w: World, terms: ReturnType<typeof termsIn>) {
  const offerId = await w.rentalMarket.connect(w.agent).publishOffer.staticCall(terms);
  await w.rentalMarket.connect(w.agent).publishOffer(terms);
  return offerId;
}

/** The `token` Transfer events of a transaction. */
async function transfers(w: World, token: string, tx: ContractTransactionResponse) {
  const receipt = (await tx.wait())!;
  return receipt.logs
    .filter((l) => l.address.toLowerCase() === token.toLowerCase())
    .map((l) => w.usdc.interface.parseLog(l))
    .filter((l) => l?.name === "Transfer");
}

/** What the distributor took as the asset's income in `token`: holders' part, reserve and fees. */
async function incomeTaken(w: World, token: string) {
  const [, distributed] = await w.distributor.incomeAccountingOf(w.assetId, token);
  return (
    distributed + (await w.distributor.reserveOf(w.assetId, token)) + (await w.distributor.feesOf(w.assetId, token))
  );
}

describe("Custody per asset: one vault shared by income, maintenance and rental", function () {
  it("gives the three controllers one vault per asset, deployed once by the asset's first money in any part", async function () {
    const w = await loadFixture(world);
    const vaults = await vaultsOf(w);
    const distributor = await w.distributor.getAddress();
    // The distributor's first creation; the implementation is that contract's first creation.
    expect(await vaults.getAddress()).to.equal(ethers.getCreateAddress({ from: distributor, nonce: 1 }));
    expect(await vaults.distributor()).to.equal(distributor);
    expect(await vaults.vaultImplementation()).to.equal(
      ethers.getCreateAddress({ from: await vaults.getAddress(), nonce: 1 }),
    );
    const vault = await w.distributor.vaultOf(w.assetId);
    expect(await vaults.vaultOf(w.assetId)).to.equal(vault);
    expect(await w.custody.vaultOf(w.assetId)).to.equal(vault);
    expect(await w.rentalCustody.vaultOf(w.assetId)).to.equal(vault);
    expect(await ethers.provider.getCode(vault)).to.equal("0x");

    // Maintenance brings the asset's first money: it deploys the vault, for all three.
    await expect(w.escrow.connect(w.alice).createOrder(await orderFor(w)))
      .to.emit(vaults, "VaultCreated")
      .withArgs(w.assetId, vault);
    const v = await ethers.getContractAt("AssetVault", vault);
    expect(await v.controller()).to.equal(distributor);
    expect(await v.maintenance()).to.equal(await w.custody.getAddress());
    expect(await v.rental()).to.equal(await w.rentalCustody.getAddress());
    for (const c of [distributor, await w.custody.getAddress(), await w.rentalCustody.getAddress()]) {
      expect(await v.isController(c)).to.equal(true);
    }
    for (const c of [await w.escrow.getAddress(), await w.rental.getAddress(), w.gov.address, ethers.ZeroAddress]) {
      expect(await v.isController(c)).to.equal(false);
    }
    // Income and rental then use it: no second deployment; rent goes straight into it.
    await expect(
      w.distributor.connect(w.outsider).deposit(w.assetId, await w.usdc.getAddress(), USDC(100)),
    ).to.not.emit(vaults, "VaultCreated");
    const terms = await usdcTerms(w);
    const offerId = await publish(w, terms);
    const rent = w.rentalMarket.connect(w.carol).rent(offerId, DAY, BigInt(DAY) * terms.pricePerSecond);
    await expect(rent).to.not.emit(vaults, "VaultCreated");
    await expect(rent).to.changeTokenBalances(
      ethers,
      w.usdc,
      [w.carol, vault],
      [-(BigInt(DAY) * terms.pricePerSecond + terms.deposit), BigInt(DAY) * terms.pricePerSecond + terms.deposit],
    );
    // Anyone may deploy a vault at its fixed address; a second call changes nothing.
    const other = 123_456n;
    const otherVault = await vaults.vaultOf(other);
    await expect(vaults.connect(w.outsider).createVault(other))
      .to.emit(vaults, "VaultCreated")
      .withArgs(other, otherVault);
    await expect(vaults.connect(w.outsider).createVault(other)).to.not.emit(vaults, "VaultCreated");
    expect(await vaults.connect(w.outsider).createVault.staticCall(other)).to.equal(otherVault);
  });

  it("names the custodies once: only governance, through the distributor, each naming the same distributor", async function () {
    const w = await loadFixture(world);
    const vaults = await vaultsOf(w);
    const custodies = [await w.custody.getAddress(), await w.rentalCustody.getAddress()] as const;
    expect(await vaults.vaultsReady()).to.equal(true);
    expect(await vaults.isCustodian(custodies[0])).to.equal(true);
    expect(await vaults.isCustodian(custodies[1])).to.equal(true);
    expect(await vaults.isCustodian(await w.distributor.getAddress())).to.equal(false);
    await expect(w.distributor.connect(w.outsider).setCustodians(...custodies))
      .to.be.revertedWithCustomError(w.distributor, "AccessControlUnauthorizedAccount")
      .withArgs(w.outsider.address, ethers.ZeroHash);
    await expect(w.distributor.connect(w.gov).setCustodians(...custodies)).to.be.revertedWithCustomError(
      vaults,
      "CustodiansAlreadySet",
    );
    await expect(vaults.connect(w.gov).setCustodians(...custodies))
      .to.be.revertedWithCustomError(vaults, "NotController")
      .withArgs(w.gov.address);

    // A new distributor: no vault before its custodies are named, and only custodies that name it.
    const fresh = await ethers.deployContract("IncomeDistributor", [
      await w.assets.getAddress(),
      w.gov.address,
      w.feeRecipient.address,
      100,
      2_000,
    ]);
    const freshVaults = await ethers.getContractAt("AssetVaults", await fresh.vaults());
    expect(await freshVaults.vaultsReady()).to.equal(false);
    expect(await freshVaults.isCustodian(custodies[0])).to.equal(false);
    await expect(freshVaults.createVault(1n)).to.be.revertedWithCustomError(freshVaults, "VaultsNotReady");
    // An account without code, a contract without `distributor()`, and a custody of another distributor.
    for (const wrong of [w.outsider.address, await w.usdc.getAddress(), custodies[0], custodies[1]]) {
      await expect(fresh.connect(w.gov).setCustodians(wrong, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(freshVaults, "WrongCustodian")
        .withArgs(wrong);
      await expect(fresh.connect(w.gov).setCustodians(ethers.ZeroAddress, wrong))
        .to.be.revertedWithCustomError(freshVaults, "WrongCustodian")
        .withArgs(wrong);
    }
    const implementation = await freshVaults.vaultImplementation();
    await expect(fresh.connect(w.gov).setCustodians(ethers.ZeroAddress, ethers.ZeroAddress))
      .to.emit(freshVaults, "CustodiansSet")
      .withArgs(ethers.ZeroAddress, ethers.ZeroAddress, implementation);
    expect(await freshVaults.vaultsReady()).to.equal(true);
    await expect(freshVaults.createVault(1n)).to.emit(freshVaults, "VaultCreated");
  });

  it("lets only a custodian hand money to the distributor (depositHeld) or take the reserve inside the vault", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    await w.distributor.connect(w.outsider).deposit(w.assetId, u, USDC(1_000));
    const reserve = await w.distributor.reserveOf(w.assetId, u);
    const vault = await w.distributor.vaultOf(w.assetId);
    const taken = await incomeTaken(w, u);
    for (const s of [w.outsider, w.gov, w.agent, w.feeRecipient]) {
      await expect(w.distributor.connect(s).depositHeld(w.assetId, u, 1n))
        .to.be.revertedWithCustomError(w.distributor, "NotController")
        .withArgs(s.address);
    }
    // A holder of RESERVE_SPENDER_ROLE that is not a custodian may take the reserve out, never leave it in the
    // vault uncounted.
    await w.distributor.connect(w.gov).grantRole(await w.distributor.RESERVE_SPENDER_ROLE(), w.outsider.address);
    await expect(w.distributor.connect(w.outsider).withdrawReserve(w.assetId, u, 1n, vault))
      .to.be.revertedWithCustomError(w.distributor, "NotController")
      .withArgs(w.outsider.address);
    expect(await incomeTaken(w, u)).to.equal(taken);
    await expect(
      w.distributor.connect(w.outsider).withdrawReserve(w.assetId, u, 1n, w.outsider.address),
    ).to.changeTokenBalances(ethers, w.usdc, [vault, w.outsider], [-1n, 1n]);
    expect(await w.distributor.reserveOf(w.assetId, u)).to.equal(reserve - 1n);
  });

  it("pays rent to the holders and funds maintenance from the reserve without moving a token", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    const vault = await w.distributor.vaultOf(w.assetId);
    const terms = await usdcTerms(w);
    const offerId = await publish(w, terms);
    const agreementId = await w.rentalMarket.connect(w.carol).rent.staticCall(offerId, DAY, BigInt(DAY) * 10n);
    await w.rentalMarket.connect(w.carol).rent(offerId, DAY, BigInt(DAY) * 10n);
    await time.increase(DAY / 2);

    // collect: the earned rent, net of the rental fee, becomes the asset's income where it lies.
    const before = { vault: await w.usdc.balanceOf(vault), taken: await incomeTaken(w, u) };
    const tx = await w.rental.connect(w.outsider).collect(agreementId);
    expect(await transfers(w, u, tx)).to.deep.equal([]);
    expect(await w.usdc.balanceOf(vault)).to.equal(before.vault);
    const fee = await w.rentalCustody.claimable(await w.rentalMarket.feeRecipient(), w.assetId, u);
    const paid = (await incomeTaken(w, u)) - before.taken;
    const { earned, start } = await w.rental.agreementOf(agreementId);
    expect(earned).to.equal(0n);
    // Every second since the start, at 10 a second, is the fee plus the income: nothing else, nothing lost.
    const at = BigInt((await ethers.provider.getBlock((await tx.wait())!.blockNumber))!.timestamp);
    const rent = (at - start) * 10n;
    expect(paid + fee).to.equal(rent);
    expect(fee).to.equal((rent * 250n) / 10_000n);
    await expect(tx)
      .to.emit(w.distributor, "IncomeDeposited")
      .withArgs(w.assetId, u, await w.rentalCustody.getAddress(), paid, paid, ...incomeSplit(paid));

    // A reserve-funded order: the reserve stays in the vault, now counted by maintenance.
    await w.distributor.connect(w.outsider).deposit(w.assetId, u, USDC(100_000));
    const reserve = await w.distributor.reserveOf(w.assetId, u);
    const held = await w.usdc.balanceOf(vault);
    const { orderId } = await createOrder(w, w.agent, { fromReserve: true, bond: 0n, provider: ethers.ZeroAddress });
    expect(await w.distributor.reserveOf(w.assetId, u)).to.equal(reserve - BUDGET);
    expect(await w.usdc.balanceOf(vault)).to.equal(held);
    // Cancelled, its budget is reserve credit; returned, it is the asset's income again, still in place.
    await w.escrow.connect(w.agent).cancel(orderId);
    expect(await w.custody.reserveCredit(w.assetId, u)).to.equal(BUDGET);
    const taken = await incomeTaken(w, u);
    const back = await w.custody.connect(w.outsider).returnToReserve(w.assetId, u);
    expect(await transfers(w, u, back)).to.deep.equal([]);
    expect(await w.usdc.balanceOf(vault)).to.equal(held);
    expect((await incomeTaken(w, u)) - taken).to.equal(BUDGET);
    expect(await w.custody.reserveCredit(w.assetId, u)).to.equal(0n);
  });

  it("refuses a deposit during which a token hook made the rental escrow pull into the same vault (FeeOnTransferToken)", async function () {
    const w = await loadFixture(world);
    const { hooked, h } = await hookedToken(w);
    const terms = termsIn(w, h, 10n, 1_000n);
    const offerId = await publish(w, terms);
    const prepay = BigInt(DAY) * 10n;
    // The token contract itself rents (it holds tokens and approved the escrow) from inside its own hook, while
    // the distributor pulls the outsider's deposit into the asset's vault.
    await hooked.mint(h, prepay + terms.deposit);
    await hooked.exec(
      h,
      hooked.interface.encodeFunctionData("approve", [await w.rental.getAddress(), ethers.MaxUint256]),
    );
    const vault = await w.distributor.vaultOf(w.assetId);
    await hooked.arm(
      w.outsider.address,
      vault,
      await w.rentalMarket.getAddress(),
      w.rentalMarket.interface.encodeFunctionData("rent", [offerId, DAY, prepay]),
      true,
    );
    await hooked.mint(w.outsider.address, 10_000n);
    await hooked.connect(w.outsider).approve(await w.distributor.getAddress(), ethers.MaxUint256);
    // Without the exact check the distributor would credit the holders with the renter's prepayment and deposit.
    await expect(w.distributor.connect(w.outsider).deposit(w.assetId, h, 10_000n))
      .to.be.revertedWithCustomError(w.distributor, "FeeOnTransferToken")
      .withArgs(10_000n, 10_000n + prepay + terms.deposit);
    expect(await hooked.balanceOf(vault)).to.equal(0n);
    expect(await incomeTaken(w, h)).to.equal(0n);
    // Disarmed, the same deposit is credited exactly.
    await hooked.arm(ethers.ZeroAddress, ethers.ZeroAddress, ethers.ZeroAddress, "0x", false);
    await w.distributor.connect(w.outsider).deposit(w.assetId, h, 10_000n);
    expect(await incomeTaken(w, h)).to.equal(10_000n);
    expect(await hooked.balanceOf(vault)).to.equal(10_000n);
  });

  it("reports a pull during which another controller paid out of the vault as FeeOnTransferToken(amount, 0), in every part", async function () {
    const w = await loadFixture(world);
    const { hooked, h } = await hookedToken(w, true);
    // The token contract is the rental fee recipient: ten days' rent leave it a fee balance in the asset's vault.
    await w.rentalMarket.connect(w.gov).setFeeRecipient(h);
    const terms = termsIn(w, h, 100n, 1_000n);
    const offerId = await publish(w, terms);
    for (const s of [w.carol, w.outsider, w.alice]) {
      await hooked.mint(s.address, 10n ** 12n);
      for (const spender of [w.rental, w.distributor, w.custody]) {
        await hooked.connect(s).approve(await spender.getAddress(), ethers.MaxUint256);
      }
    }
    const term = 10n * BigInt(DAY);
    const id = await w.rentalMarket.connect(w.carol).rent.staticCall(offerId, term, term * 100n);
    await w.rentalMarket.connect(w.carol).rent(offerId, term, term * 100n);
    await time.increase(term);
    await w.rental.settle(id);
    await w.rentalClaims.connect(w.agent).waiveClaim(id);
    const fee = await w.rentalCustody.claimable(h, w.assetId, h);
    expect(fee).to.equal((term * 100n * 250n) / 10_000n);
    const vault = await w.distributor.vaultOf(w.assetId);
    // On every pull into the vault, the token contract withdraws its whole fee (more than the pull) from the vault.
    const arm = async (payer: string) =>
      hooked.arm(
        payer,
        vault,
        await w.rentalCustody.getAddress(),
        w.rentalCustody.interface.encodeFunctionData("withdraw", [w.assetId, h]),
        true,
      );
    const small = 10_000n;
    const prepay = 3_600n * 100n; // the minimum duration
    expect(prepay + terms.deposit).to.be.lessThan(fee);
    const held = await hooked.balanceOf(vault);

    await arm(w.outsider.address);
    await expect(w.distributor.connect(w.outsider).deposit(w.assetId, h, small))
      .to.be.revertedWithCustomError(w.distributor, "FeeOnTransferToken")
      .withArgs(small, 0n);

    await arm(w.alice.address);
    await expect(w.rentalMarket.connect(w.alice).rent(offerId, 3_600n, prepay))
      .to.be.revertedWithCustomError(w.rental, "FeeOnTransferToken")
      .withArgs(prepay + terms.deposit, 0n);

    await arm(w.alice.address);
    const order = await orderFor(w, { token: h, budget: small, bond: 0n });
    await expect(w.escrow.connect(w.alice).createOrder(order))
      .to.be.revertedWithCustomError(w.escrow, "FundingShortfall")
      .withArgs(small, 0n);

    // Nothing moved: the fee is still the token contract's, the vault holds what it held.
    expect(await w.rentalCustody.claimable(h, w.assetId, h)).to.equal(fee);
    expect(await hooked.balanceOf(vault)).to.equal(held);
  });
});
