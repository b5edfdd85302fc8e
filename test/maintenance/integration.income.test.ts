/**
 * Integration with the real IncomeDistributor (issue 4): a work order funded from the asset's
 * maintenance reserve (RESERVE_SPENDER_ROLE), and the money of a defaulted order returned through
 * the distributor's deposit, where its carve-outs apply and the rest accrues to the holders.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { SlashTo } from "../../client/src/eip712/maintenance.js";
import { ASSET, RESERVE_BPS, deployIncome, e18 } from "../income/fixture.js";
import { BOND, DEVICE, deployMaintenanceOn, orderArgs } from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

describe("maintenance escrow with the real IncomeDistributor", function () {
  it("funds an order from the asset's maintenance reserve and returns a default's money through deposit", async function () {
    const inc = await deployIncome(ethers);
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

    // Rent comes in: 10 % of it is the asset's maintenance reserve.
    await distributor.connect(outsider).deposit(ASSET, d, e18(10_000));
    const reserve = (e18(10_000) * RESERVE_BPS) / 10_000n;
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
    expect(await distributor.reserveOf(ASSET, d)).to.equal(reserve - budget);
    expect(await dai.balanceOf(await custody.vaultOf(ASSET))).to.equal(budget);

    // The provider accepts and never proves the work: budget and bond come back to the asset.
    await dai.connect(alice).approve(e, BOND);
    await escrow.connect(alice).accept(id);
    await time.increaseTo(args.completeBy + 1);
    await escrow.expire(id);
    expect(await custody.reserveCredit(ASSET, d)).to.equal(budget + BOND);

    const before = await distributor.reserveOf(ASSET, d);
    await expect(custody.connect(outsider).returnToReserve(ASSET, d))
      .to.emit(distributor, "IncomeDeposited")
      .and.to.emit(custody, "ReserveReturned")
      .withArgs(ASSET, d, budget + BOND);
    const back = budget + BOND;
    expect(await distributor.reserveOf(ASSET, d)).to.equal(before + (back * RESERVE_BPS) / 10_000n);
    expect(await dai.balanceOf(await custody.vaultOf(ASSET))).to.equal(0n);
    expect(await dai.allowance(e, await distributor.getAddress())).to.equal(0n);
  });
});
