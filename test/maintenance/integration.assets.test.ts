/**
 * Integration with the real AssetRegistry (issue 4): who may fund from an asset's reserve and who
 * controls a reserve-funded order follow the registry's agent, through a two-step agent change;
 * a frozen asset takes no new orders while its open orders keep their exits.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { BUDGET, deployMaintenanceOn, orderArgs, policy } from "./fixture.js";
import { Comparator } from "../../client/src/eip712/maintenance.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

describe("maintenance escrow with the real AssetRegistry", function () {
  it("follows the registry's agent for reserve funding and control, and refuses new orders on a frozen asset", async function () {
    const [gov, issuer, agent, newAgent, provider, stranger] = await ethers.getSigners();
    const registry = await ethers.deployContract("AssetRegistry", [gov.address]);
    await registry.connect(gov).grantRole(await registry.ISSUER_ROLE(), issuer.address);
    const salt = ethers.id("plant-7");
    const assetId = await registry
      .connect(issuer)
      .registerAsset.staticCall(salt, 0, "0x4652", agent.address, "ipfs://x");
    await registry.connect(issuer).registerAsset(salt, 0, "0x4652", agent.address, "ipfs://x");

    const token = await ethers.deployContract("MockPayoutToken", ["Test USD", "TUSD", 18]);
    const devices = await ethers.deployContract("MockDeviceRegistry");
    const distributor = await ethers.deployContract("MockIncomeDistributor", [gov.address, false]);
    const { escrow, evidence, custody } = await deployMaintenanceOn(
      ethers,
      gov.address,
      await registry.getAddress(),
      await devices.getAddress(),
      await distributor.getAddress(),
    );
    const t = await token.getAddress();
    await escrow.connect(gov).setTokenAllowed(t, true);
    await distributor.connect(gov).grantRole(await distributor.RESERVE_SPENDER_ROLE(), await custody.getAddress());
    await token.mint(agent.address, 10n * BUDGET);
    await token.connect(agent).approve(await distributor.getAddress(), ethers.MaxUint256);
    await distributor.connect(agent).fundReserve(assetId, t, 10n * BUDGET);

    const args = (s: string) =>
      orderArgs(0, t, provider.address, {
        assetId,
        deviceId: 0n,
        fromReserve: true,
        bond: 0n,
        acceptBy: 0,
        completeBy: 0,
        policy: policy({ useDevice: false, cmp: Comparator.None, k: 1 }),
        inspectors: [stranger.address],
        salt: ethers.id(s),
      });
    const timed = async (s: string) => {
      const now = await time.latest();
      return { ...args(s), acceptBy: now + 86_400, completeBy: now + 7 * 86_400 };
    };

    await expect(escrow.connect(stranger).createOrder(await timed("a")))
      .to.be.revertedWithCustomError(escrow, "NotAgent")
      .withArgs(assetId, stranger.address);
    const a = await timed("a");
    const id = await escrow.connect(agent).createOrder.staticCall(a);
    await escrow.connect(agent).createOrder(a);

    // Two-step agent change in the registry: control of the reserve-funded order moves with it.
    await registry.connect(issuer).proposeAgent(assetId, newAgent.address);
    await expect(escrow.connect(newAgent).cancel(id)).to.be.revertedWithCustomError(escrow, "NotController");
    await registry.connect(newAgent).acceptAgent(assetId);
    await expect(escrow.connect(agent).cancel(id))
      .to.be.revertedWithCustomError(escrow, "NotController")
      .withArgs(agent.address);

    // Frozen: no new order, but the open one can still be cancelled (its exit stays).
    await registry.connect(newAgent).freezeAsset(assetId);
    await expect(escrow.connect(newAgent).createOrder(await timed("b")))
      .to.be.revertedWithCustomError(escrow, "AssetNotActive")
      .withArgs(assetId);
    await expect(escrow.connect(newAgent).cancel(id)).to.emit(escrow, "OrderCancelled").withArgs(id, BUDGET);
    expect(await custody.reserveCredit(assetId, t)).to.equal(BUDGET);
  });
});
