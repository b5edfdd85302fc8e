/**
 * Integration with the real IncomeDistributor (issue 4): a work order funded from the asset's
 * maintenance reserve (RESERVE_SPENDER_ROLE), and the money of a defaulted order returned through
 * the distributor's depositHeld, where its carve-outs apply and the rest accrues to the holders.
 * The asset's vault is shared by the distributor and the maintenance custody (named by governance):
 * the reserve funding the order and the order's money going back to the reserve are accounting, no transfer.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { SlashTo } from "../../client/src/eip712/maintenance.js";
import { ASSET, RESERVE_BPS, carriedSplit, deployIncome, e18 } from "../income/fixture.js";
import { BOND, DEVICE, deployMaintenanceOn, orderArgs } from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

describe("maintenance escrow with the real IncomeDistributor", function () {
  it("funds an order from the asset's maintenance reserve and returns a default's money through depositHeld", async function () {
    const inc = await deployIncome(ethers, { nameCustodians: false });
    const { distributor, registry, dai, agent, governance, outsider, alice } = inc;
    const devices = await ethers.deployContract("MockDeviceRegistry");
    await devices.setDevice(DEVICE, ethers.ZeroAddress, 1, ASSET);
    const { escrow, evidence, custody } = await deployMaintenanceOn(
      ethers,
      governance.address,
      await registry.getAddress(),
      await devices.getAddress(),
      await distributor.getAddress(),
    );
    const e = await custody.getAddress();
    const d = await dai.getAddress();
    await escrow.connect(governance).setTokenAllowed(d, true);

    const vault = await distributor.vaultOf(ASSET);
    expect(await custody.vaultOf(ASSET)).to.equal(vault);
    /** What the distributor owes from the vault: holders' income not yet claimed, reserve and fees. */
    const distributorOwes = async () => {
      const [, distributed, claimed] = await distributor.incomeAccountingOf(ASSET, d);
      return distributed - claimed + (await distributor.reserveOf(ASSET, d)) + (await distributor.feesOf(ASSET, d));
    };

    // Rent comes in: 10 % of it is the asset's maintenance reserve.
    const splits = carriedSplit();
    await distributor.connect(outsider).deposit(ASSET, d, e18(10_000));
    const reserve = splits.next(e18(10_000)).reserve;
    expect(reserve).to.equal((e18(10_000) * RESERVE_BPS) / 10_000n);
    expect(await distributor.reserveOf(ASSET, d)).to.equal(reserve);

    const budget = e18(600);
    const args = orderArgs(await time.latest(), d, alice.address, {
      fromReserve: true,
      budget,
      slashTo: SlashTo.Reserve,
    });
    // Without RESERVE_SPENDER_ROLE the distributor refuses, and nothing changes.
    await expect(escrow.connect(agent).createOrder(args)).to.be.revertedWithCustomError(
      distributor,
      "AccessControlUnauthorizedAccount",
    );
    await distributor
      .connect(governance)
      .grantRole(await distributor.RESERVE_SPENDER_ROLE(), await custody.getAddress());
    const id = await escrow.connect(agent).createOrder.staticCall(args);
    await escrow.connect(agent).createOrder(args);
    // The budget stays in the shared vault: the distributor stops counting it, the custody holds it for the order.
    expect(await distributor.reserveOf(ASSET, d)).to.equal(reserve - budget);
    expect(await distributorOwes()).to.equal(e18(10_000) - budget);
    expect(await dai.balanceOf(vault)).to.equal(e18(10_000));

    // The provider accepts and never proves the work: budget and bond come back to the asset.
    await dai.connect(alice).approve(e, BOND);
    await escrow.connect(alice).accept(id);
    expect(await dai.balanceOf(vault)).to.equal(e18(10_000) + BOND);
    await time.increaseTo(args.completeBy + 1);
    await escrow.expire(id);
    expect(await custody.reserveCredit(ASSET, d)).to.equal(budget + BOND);

    // Handed back as the asset's income where it lies: the carve-outs apply, the rest accrues to the holders.
    const before = await distributor.reserveOf(ASSET, d);
    const back = budget + BOND;
    const split = splits.next(back);
    const returned = custody.connect(outsider).returnToReserve(ASSET, d);
    await expect(returned)
      .to.emit(distributor, "IncomeDeposited")
      .withArgs(ASSET, d, e, back, back, split.reserve, split.fee, split.toHolders);
    await expect(returned).to.emit(custody, "ReserveReturned").withArgs(ASSET, d, back);
    expect(await distributor.reserveOf(ASSET, d)).to.equal(before + split.reserve);
    expect(split.reserve).to.equal((back * RESERVE_BPS) / 10_000n);
    // The custody owes nothing; the vault holds exactly the distributor's money: the rent and the slashed bond.
    expect(await custody.reserveCredit(ASSET, d)).to.equal(0n);
    expect(await custody.claimable(alice.address, ASSET, d)).to.equal(0n);
    expect(await custody.claimable(agent.address, ASSET, d)).to.equal(0n);
    expect(await distributorOwes()).to.equal(e18(10_000) + BOND);
    expect(await dai.balanceOf(vault)).to.equal(e18(10_000) + BOND);
    expect(await dai.allowance(e, await distributor.getAddress())).to.equal(0n);
  });
});
