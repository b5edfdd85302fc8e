/**
 * `depositFromSource`: a controller (the rental escrow, here the VaultIncomeSource double) deposits income it holds
 * in its own AssetVault clone. The distributor calls the source back (`IIncomeSource.payIncome`), the source's vault
 * pays the distributor's vault of the asset directly, and the distributor credits what arrived: one token transfer
 * instead of vault -> controller -> distributor, with exactly the accounting of `deposit`.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { ASSET, ETH, MAG, Status, balanceIn, deployIncome, e18, expectHeld, split } from "./fixture.js";

const { ethers, networkHelpers } = await network.create();

const Mode = { Pay: 0, PayLess: 1, PayNothing: 2, Reenter: 3 } as const;
const FUNDED = e18(1_000);

/** The income fixture plus a source holding FUNDED DAI in its own vault of ASSET. */
async function withSource(e: HardhatEthers) {
  const f = await deployIncome(e);
  const source = await e.deployContract("VaultIncomeSource", [await f.distributor.getAddress()]);
  await source.createVault(ASSET);
  const sourceVault = await source.vaultOf(ASSET);
  await f.dai.connect(f.outsider).transfer(sourceVault, FUNDED);
  return { ...f, source, sourceVault, token: await f.dai.getAddress() };
}
const fixture = () => withSource(ethers);

describe("IncomeDistributor.depositFromSource (income held in a controller's own vault)", function () {
  it("moves the income once, source vault -> distributor vault, and credits it exactly as deposit does", async function () {
    const { distributor, source, sourceVault, token, dai, alice, bob, feeRecipient, spender } =
      await networkHelpers.loadFixture(fixture);
    const amount = e18(600);
    const { reserve, fee, toHolders } = split(amount);
    const tx = source.depositIncome(ASSET, token, amount);
    await expect(tx)
      .to.emit(distributor, "IncomeDeposited")
      .withArgs(ASSET, token, await source.getAddress(), amount, amount, reserve, fee, toHolders);
    // One transfer, between the two vaults; nothing passes through the source or the distributor.
    await expect(tx)
      .to.emit(dai, "Transfer")
      .withArgs(sourceVault, await distributor.vaultOf(ASSET), amount);
    const receipt = (await (await tx).wait())!;
    expect(receipt.logs.filter((l) => l.address === token)).to.have.length(1);
    expect(await balanceIn(ethers, token, sourceVault)).to.equal(FUNDED - amount);
    expect(await balanceIn(ethers, token, await source.getAddress())).to.equal(0n);
    await expectHeld(ethers, distributor, token, amount);
    // The split: 60 / 40 of 100 shares, through the per-share figure (rounded down as the contract does); the
    // carve-outs are claimable by their owners.
    const perShare = (toHolders * MAG) / e18(100);
    expect(await distributor.claimableOf(ASSET, token, alice.address)).to.equal((perShare * e18(60)) / MAG);
    expect(await distributor.claimableOf(ASSET, token, bob.address)).to.equal((perShare * e18(40)) / MAG);
    expect(await distributor.reserveOf(ASSET, token)).to.equal(reserve);
    expect(await distributor.feesOf(ASSET, token)).to.equal(fee);
    // The holders, the fee recipient and the reserve spender take their parts out of the vault; what stays is the
    // holders' rounding dust (below one wei per holder).
    await distributor.connect(alice).claim(ASSET, token, alice.address);
    await distributor.connect(bob).claim(ASSET, token, bob.address);
    await distributor.connect(feeRecipient).claimFees(ASSET, token, feeRecipient.address);
    await distributor.connect(spender).withdrawReserve(ASSET, token, reserve, spender.address);
    const paid = (perShare * e18(60)) / MAG + (perShare * e18(40)) / MAG;
    expect(toHolders - paid).to.be.at.most(2n);
    await expectHeld(ethers, distributor, token, toHolders - paid);
  });

  it("accrues the same per share as an ordinary deposit of the same amount, in the same block", async function () {
    const { distributor, source, token, outsider, alice } = await networkHelpers.loadFixture(fixture);
    await networkHelpers.mine();
    await ethers.provider.send("evm_setAutomine", [false]);
    try {
      await distributor.connect(outsider).deposit(ASSET, token, e18(300));
      await source.depositIncome(ASSET, token, e18(300));
      await networkHelpers.mine();
    } finally {
      await ethers.provider.send("evm_setAutomine", [true]);
    }
    const { toHolders } = split(e18(300));
    const [perShare, distributed] = await distributor.incomeAccountingOf(ASSET, token);
    expect(distributed).to.equal(2n * toHolders);
    expect(perShare).to.equal(2n * ((toHolders * MAG) / e18(100)));
    expect(await distributor.claimableOf(ASSET, token, alice.address)).to.equal((perShare * e18(60)) / MAG);
    await expectHeld(ethers, distributor, token, e18(600));
  });

  it("refuses a source that pays less than it announced (FeeOnTransferToken): the shared vault credits exact amounts", async function () {
    const { distributor, source, sourceVault, token } = await networkHelpers.loadFixture(fixture);
    await source.setMode(Mode.PayLess);
    const amount = e18(100);
    await expect(source.depositIncome(ASSET, token, amount))
      .to.be.revertedWithCustomError(distributor, "FeeOnTransferToken")
      .withArgs(amount, amount - 1n);
    expect(await balanceIn(ethers, token, sourceVault)).to.equal(FUNDED);
    await expectHeld(ethers, distributor, token, 0n);
  });

  it("refuses a source that pays nothing, a source that re-enters, ETH and what deposit refuses; nothing moves", async function () {
    const { distributor, source, sourceVault, token, registry, governance, agent, usdc } =
      await networkHelpers.loadFixture(fixture);
    await source.setMode(Mode.PayNothing);
    await expect(source.depositIncome(ASSET, token, e18(1)))
      .to.be.revertedWithCustomError(distributor, "FeeOnTransferToken")
      .withArgs(e18(1), 0n);
    await source.setMode(Mode.Reenter);
    await expect(source.depositIncome(ASSET, token, e18(1))).to.be.revertedWithCustomError(
      distributor,
      "ReentrancyGuardReentrantCall",
    );
    await source.setMode(Mode.Pay);
    await expect(source.depositIncome(ASSET, ETH, e18(1)))
      .to.be.revertedWithCustomError(distributor, "TokenNotAllowed")
      .withArgs(ETH);
    await expect(source.depositIncome(ASSET, token, 0n)).to.be.revertedWithCustomError(distributor, "ZeroAmount");
    // A token governance allows but the asset's agent never registered: only the agent's deposit registers it.
    const other = await ethers.deployContract("MockPayoutToken", ["Other", "OTH", 18]);
    await distributor.connect(governance).setPayoutToken(await other.getAddress(), true);
    await expect(source.depositIncome(ASSET, await other.getAddress(), e18(1)))
      .to.be.revertedWithCustomError(distributor, "TokenNotRegistered")
      .withArgs(ASSET, await other.getAddress());
    await registry.connect(governance).setAsset(ASSET, agent.address, Status.Retired, await registry.sharesOf(ASSET));
    await expect(source.depositIncome(ASSET, token, e18(1)))
      .to.be.revertedWithCustomError(distributor, "AssetIsRetired")
      .withArgs(ASSET);
    expect(await balanceIn(ethers, token, sourceVault)).to.equal(FUNDED);
    await expectHeld(ethers, distributor, token, 0n);
    await expectHeld(ethers, distributor, await usdc.getAddress(), 0n);
  });

  it("only the distributor, inside the source's own deposit, can make the source pay", async function () {
    const { distributor, source, sourceVault, token, outsider } = await networkHelpers.loadFixture(fixture);
    await expect(
      source.connect(outsider).payIncome(ASSET, token, e18(1), outsider.address),
    ).to.be.revertedWithCustomError(source, "UnexpectedPayIncome");
    // Anyone may trigger the source's deposit (as anyone may deposit): the money still goes to the asset's holders.
    await source.connect(outsider).depositIncome(ASSET, token, e18(10));
    expect(await balanceIn(ethers, token, sourceVault)).to.equal(FUNDED - e18(10));
    await expectHeld(ethers, distributor, token, e18(10));
  });
});
