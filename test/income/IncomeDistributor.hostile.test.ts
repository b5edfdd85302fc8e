import { expect } from "chai";
import { network } from "hardhat";
import { ASSET, ETH, deployIncome, e18, expectHeld, isFloorOf, split, vaultBalance } from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployIncome(ethers);

describe("IncomeDistributor against hostile tokens and receivers", function () {
  it("refuses a fee-on-transfer token (FeeOnTransferToken): the shared vault credits only exact amounts", async function () {
    const { distributor, governance, agent, outsider } = await networkHelpers.loadFixture(fixture);
    const fot = await ethers.deployContract("FeeOnTransferToken");
    const token = await fot.getAddress();
    await distributor.connect(governance).setPayoutToken(token, true);
    await distributor.connect(agent).registerPayoutToken(ASSET, token);
    await fot.mint(outsider.address, e18(1000));
    await fot.connect(outsider).approve(await distributor.getAddress(), ethers.MaxUint256);
    const received = e18(1000) - e18(10); // 1 % burnt in transit
    await expect(distributor.connect(outsider).deposit(ASSET, token, e18(1000)))
      .to.be.revertedWithCustomError(distributor, "FeeOnTransferToken")
      .withArgs(e18(1000), received);
    await expectHeld(ethers, distributor, token, 0n);
    expect(await distributor.incomeAccountingOf(ASSET, token)).to.deep.equal([0n, 0n, 0n, 0n]);
    expect(await fot.balanceOf(outsider.address)).to.equal(e18(1000));
  });

  it("refuses a deposit of which nothing arrived (a token that reports success but moves nothing)", async function () {
    const { distributor, governance, agent, outsider } = await networkHelpers.loadFixture(fixture);
    const lie = await ethers.deployContract("LyingToken");
    const token = await lie.getAddress();
    await distributor.connect(governance).setPayoutToken(token, true);
    await distributor.connect(agent).registerPayoutToken(ASSET, token);
    await expect(distributor.connect(outsider).deposit(ASSET, token, e18(1)))
      .to.be.revertedWithCustomError(distributor, "FeeOnTransferToken")
      .withArgs(e18(1), 0n);
    expect(await distributor.incomeAccountingOf(ASSET, token)).to.deep.equal([0n, 0n, 0n, 0n]);
    expect(await distributor.reserveOf(ASSET, token)).to.equal(0n);
  });

  it("does not distribute a rebasing token's positive rebase: holders get exactly what was deposited (allowlisting is governance's job)", async function () {
    const { distributor, governance, agent, outsider, alice, bob } = await networkHelpers.loadFixture(fixture);
    const reb = await ethers.deployContract("RebasingToken");
    const token = await reb.getAddress();
    await distributor.connect(governance).setPayoutToken(token, true);
    await distributor.connect(agent).registerPayoutToken(ASSET, token);
    await reb.mint(outsider.address, e18(1000));
    await reb.connect(outsider).approve(await distributor.getAddress(), ethers.MaxUint256);
    await distributor.connect(outsider).deposit(ASSET, token, e18(100));
    const toHolders = split(e18(100)).toHolders;
    await reb.rebase(e18(2)); // every balance doubles
    await expectHeld(ethers, distributor, token, e18(200));
    const a = await distributor.claimableOf(ASSET, token, alice.address);
    const b = await distributor.claimableOf(ASSET, token, bob.address);
    expect(isFloorOf(a, toHolders * 60n, 100n)).to.equal(true);
    expect(isFloorOf(b, toHolders * 40n, 100n)).to.equal(true);
    await distributor.connect(alice).claim(ASSET, token, alice.address);
    await distributor.connect(bob).claim(ASSET, token, bob.address);
    // The surplus stays in the asset's vault, unallocated (the token rounds transfers by a few wei).
    expect(await vaultBalance(ethers, distributor, token)).to.be.closeTo(e18(200) - a - b, 4n);
  });

  it("a negative rebase leaves the last claimer short (documented: such tokens must not be allowlisted)", async function () {
    const { distributor, governance, agent, outsider, alice, bob } = await networkHelpers.loadFixture(fixture);
    const reb = await ethers.deployContract("RebasingToken");
    const token = await reb.getAddress();
    await distributor.connect(governance).setPayoutToken(token, true);
    await distributor.connect(agent).registerPayoutToken(ASSET, token);
    await distributor.connect(governance).setProtocolFee(0);
    await distributor.connect(governance).setMaxReserve(0);
    await reb.mint(outsider.address, e18(1000));
    await reb.connect(outsider).approve(await distributor.getAddress(), ethers.MaxUint256);
    await distributor.connect(outsider).deposit(ASSET, token, e18(100));
    await reb.rebase(e18(1) / 2n); // every balance halves
    await distributor.connect(bob).claim(ASSET, token, bob.address); // 40 of the 50 left
    const owed = await distributor.claimableOf(ASSET, token, alice.address);
    await expect(distributor.connect(alice).claim(ASSET, token, alice.address)).to.be.revertedWithCustomError(
      reb,
      "Insufficient",
    );
    expect(await distributor.claimableOf(ASSET, token, alice.address)).to.equal(owed);
  });

  it("stops a reentrant payout token from claiming twice: the nested claim is refused and the holder is paid once", async function () {
    const { distributor, governance, outsider, shares, agent } = await networkHelpers.loadFixture(fixture);
    const ree = await ethers.deployContract("ReentrantToken");
    const token = await ree.getAddress();
    await distributor.connect(governance).setPayoutToken(token, true);
    await distributor.connect(agent).registerPayoutToken(ASSET, token);
    const attacker = await ethers.deployContract("ReentrancyAttacker", [await distributor.getAddress()]);
    const a = await attacker.getAddress();
    await ree.setHookTarget(a);
    await shares.connect(agent).mint(a, e18(100)); // attacker holds half
    await ree.mint(outsider.address, e18(1000));
    await ree.connect(outsider).approve(await distributor.getAddress(), ethers.MaxUint256);
    await distributor.connect(outsider).deposit(ASSET, token, e18(1000));
    const owed = await distributor.claimableOf(ASSET, token, a);
    await attacker.attack(ASSET, token);
    expect(await attacker.attempts()).to.equal(1n);
    expect(await attacker.successes()).to.equal(0n);
    const guard = distributor.interface.getError("ReentrancyGuardReentrantCall")!.selector;
    expect(await attacker.lastError()).to.equal(guard);
    expect(await ree.balanceOf(a)).to.equal(owed);
    expect(await distributor.claimableOf(ASSET, token, a)).to.equal(0n);
  });

  it("stops a reentrant ETH receiver from claiming twice", async function () {
    const { distributor, outsider, shares, agent } = await networkHelpers.loadFixture(fixture);
    const attacker = await ethers.deployContract("ReentrancyAttacker", [await distributor.getAddress()]);
    const a = await attacker.getAddress();
    await shares.connect(agent).mint(a, e18(100));
    await distributor.connect(outsider).deposit(ASSET, ETH, e18(10), { value: e18(10) });
    const owed = await distributor.claimableOf(ASSET, ETH, a);
    await attacker.attack(ASSET, ETH);
    expect(await attacker.successes()).to.equal(0n);
    expect(await attacker.attempts()).to.equal(1n);
    expect(await ethers.provider.getBalance(a)).to.equal(owed);
  });
});
