/**
 * Custody per asset: the IncomeDistributor keeps each asset's funds in its own AssetVault clone
 * (CREATE2, salt = assetId), deployed by the distributor's AssetVaults, so income work on distinct assets never
 * touches the same balance. The vault is shared with the custodies governance names (none in the income fixture:
 * `setCustodians(0, 0)`); every pull into it must bring exactly its amount (`FeeOnTransferToken`).
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import {
  ASSET,
  OTHER_ASSET,
  ETH,
  Status,
  balanceIn,
  deployIncome,
  e18,
  e6,
  expectHeld,
  split,
  vaultBalance,
} from "./fixture.js";

const { ethers, networkHelpers } = await network.create();

/** The income fixture plus a second asset (OTHER_ASSET: carol 70 %, dave 30 %). */
async function twoAssets(e: HardhatEthers) {
  const f = await deployIncome(e);
  const other = await e.deployContract("MockAssetShares", [
    await f.registry.getAddress(),
    await f.distributor.getAddress(),
    OTHER_ASSET,
  ]);
  await f.registry
    .connect(f.governance)
    .setAsset(OTHER_ASSET, f.agent.address, Status.Active, await other.getAddress());
  await other.connect(f.agent).mint(f.carol.address, e18(70));
  await other.connect(f.agent).mint(f.dave.address, e18(30));
  return { ...f, other };
}
const fixture = () => twoAssets(ethers);

/** The CREATE2 address of an OZ minimal clone of `implementation` deployed by `deployer`. */
function cloneAddress(deployer: string, implementation: string, assetId: bigint) {
  const initCode = ethers.concat([
    "0x3d602d80600a3d3981f3363d3d373d3d3d363d73",
    implementation,
    "0x5af43d82803e903d91602b57fd5bf3",
  ]);
  return ethers.getCreate2Address(
    deployer,
    ethers.zeroPadValue(ethers.toBeHex(assetId), 32),
    ethers.keccak256(initCode),
  );
}

/** Addresses whose balance of `token` a transaction's Transfer events moved (from, to). */
async function transfersOf(token: string, tx: { hash: string }) {
  const receipt = (await ethers.provider.getTransactionReceipt(tx.hash))!;
  const erc20 = await ethers.getContractAt("MockPayoutToken", token);
  return receipt.logs
    .filter((l) => l.address.toLowerCase() === token.toLowerCase())
    .map((l) => erc20.interface.parseLog(l)!)
    .filter((l) => l.name === "Transfer")
    .map((l) => ({ from: l.args[0] as string, to: l.args[1] as string, value: l.args[2] as bigint }));
}

describe("IncomeDistributor custody per asset (AssetVault)", function () {
  it("predicts each asset's vault address (CREATE2 of the clone, salt = assetId) and deploys it once, on the first deposit", async function () {
    const { distributor, dai, outsider, agent } = await networkHelpers.loadFixture(fixture);
    const vaults = await ethers.getContractAt("AssetVaults", await distributor.vaults());
    const d = await vaults.getAddress();
    const impl = await vaults.vaultImplementation();
    const vault = await distributor.vaultOf(ASSET);
    expect(vault).to.equal(cloneAddress(d, impl, ASSET));
    expect(await distributor.vaultOf(OTHER_ASSET)).to.equal(cloneAddress(d, impl, OTHER_ASSET));
    expect(vault).to.not.equal(await distributor.vaultOf(OTHER_ASSET));
    // Registering payout tokens (in the fixture) deploys nothing: the address is fixed beforehand.
    expect(await ethers.provider.getCode(vault)).to.equal("0x");
    await expect(distributor.connect(outsider).deposit(ASSET, await dai.getAddress(), e18(1)))
      .to.emit(vaults, "VaultCreated")
      .withArgs(ASSET, vault);
    expect(await ethers.provider.getCode(vault)).to.not.equal("0x");
    const v = await ethers.getContractAt("AssetVault", vault);
    expect(await v.controller()).to.equal(await distributor.getAddress());
    // Income alone: no custody shares the vault.
    expect(await v.maintenance()).to.equal(ethers.ZeroAddress);
    expect(await v.rental()).to.equal(ethers.ZeroAddress);
    // Later deposits, in any token, reuse it.
    await expect(distributor.connect(outsider).deposit(ASSET, await dai.getAddress(), e18(1))).to.not.emit(
      vaults,
      "VaultCreated",
    );
    await expect(distributor.connect(outsider).deposit(ASSET, ETH, e18(1), { value: e18(1) })).to.not.emit(
      vaults,
      "VaultCreated",
    );
    // The other asset gets its own on its own first deposit.
    await expect(distributor.connect(agent).deposit(OTHER_ASSET, await dai.getAddress(), e18(1)))
      .to.emit(vaults, "VaultCreated")
      .withArgs(OTHER_ASSET, await distributor.vaultOf(OTHER_ASSET));
  });

  it("deploys the vault on a buyout when the asset never had an income deposit, and pays redemptions from it", async function () {
    const { distributor, usdc, agent, alice, bob } = await networkHelpers.loadFixture(fixture);
    const token = await usdc.getAddress();
    const vault = await distributor.vaultOf(ASSET);
    await expect(distributor.connect(agent).depositBuyout(ASSET, token, e6(1000)))
      .to.emit(await ethers.getContractAt("AssetVaults", await distributor.vaults()), "VaultCreated")
      .withArgs(ASSET, vault);
    await expectHeld(ethers, distributor, token, e6(1000));
    const tx = await distributor.connect(alice).redeem(ASSET, alice.address);
    expect(await transfersOf(token, tx)).to.deep.equal([{ from: vault, to: alice.address, value: e6(600) }]);
    await distributor.connect(bob).redeem(ASSET, bob.address);
    await expectHeld(ethers, distributor, token, 0n);
  });

  it("a first income deposit after a buyout created the vault reuses it (asset re-activated by a registry double)", async function () {
    const { distributor, usdc, agent, outsider, registry, governance, shares } =
      await networkHelpers.loadFixture(fixture);
    const token = await usdc.getAddress();
    await distributor.connect(agent).depositBuyout(ASSET, token, e6(100));
    await registry.connect(governance).setAsset(ASSET, agent.address, Status.Active, await shares.getAddress());
    await expect(distributor.connect(outsider).deposit(ASSET, token, e6(50))).to.not.emit(
      await ethers.getContractAt("AssetVaults", await distributor.vaults()),
      "VaultCreated",
    );
    await expectHeld(ethers, distributor, token, e6(150));
  });

  it("lets only the distributor move a vault's funds or send it ETH (NotController), the implementation included", async function () {
    const { distributor, dai, outsider } = await networkHelpers.loadFixture(fixture);
    await distributor.connect(outsider).deposit(ASSET, await dai.getAddress(), e18(10));
    await distributor.connect(outsider).deposit(ASSET, ETH, e18(1), { value: e18(1) });
    const vault = await ethers.getContractAt("AssetVault", await distributor.vaultOf(ASSET));
    const vaults = await ethers.getContractAt("AssetVaults", await distributor.vaults());
    const impl = await ethers.getContractAt("AssetVault", await vaults.vaultImplementation());
    for (const v of [vault, impl]) {
      await expect(v.connect(outsider).pay(await dai.getAddress(), outsider.address, 1n))
        .to.be.revertedWithCustomError(vault, "NotController")
        .withArgs(outsider.address);
      await expect(v.connect(outsider).pay(ETH, outsider.address, 1n))
        .to.be.revertedWithCustomError(vault, "NotController")
        .withArgs(outsider.address);
      await expect(outsider.sendTransaction({ to: await v.getAddress(), value: 1n }))
        .to.be.revertedWithCustomError(vault, "NotController")
        .withArgs(outsider.address);
    }
    await expectHeld(ethers, distributor, await dai.getAddress(), e18(10));
    await expectHeld(ethers, distributor, ETH, e18(1));
  });

  it("deposits and claims in two assets move two different vaults' balances, never the distributor's", async function () {
    const { distributor, usdc, agent, outsider, alice, carol } = await networkHelpers.loadFixture(fixture);
    const token = await usdc.getAddress();
    const vaultA = await distributor.vaultOf(ASSET);
    const vaultB = await distributor.vaultOf(OTHER_ASSET);
    const depA = await distributor.connect(outsider).deposit(ASSET, token, e6(1000));
    const depB = await distributor.connect(agent).deposit(OTHER_ASSET, token, e6(500));
    expect(await transfersOf(token, depA)).to.deep.equal([{ from: outsider.address, to: vaultA, value: e6(1000) }]);
    expect(await transfersOf(token, depB)).to.deep.equal([{ from: agent.address, to: vaultB, value: e6(500) }]);
    await expectHeld(ethers, distributor, token, e6(1000), ASSET);
    await expectHeld(ethers, distributor, token, e6(500), OTHER_ASSET);

    const owedA = await distributor.claimableOf(ASSET, token, alice.address);
    const owedB = await distributor.claimableOf(OTHER_ASSET, token, carol.address);
    const claimA = await distributor.connect(alice).claim(ASSET, token, alice.address);
    const claimB = await distributor.connect(carol).claim(OTHER_ASSET, token, carol.address);
    expect(await transfersOf(token, claimA)).to.deep.equal([{ from: vaultA, to: alice.address, value: owedA }]);
    expect(await transfersOf(token, claimB)).to.deep.equal([{ from: vaultB, to: carol.address, value: owedB }]);
    await expectHeld(ethers, distributor, token, e6(1000) - owedA, ASSET);
    await expectHeld(ethers, distributor, token, e6(500) - owedB, OTHER_ASSET);
  });

  it("keeps reserve and fees per asset: withdrawReserve and claimFees pay from that asset's vault only", async function () {
    const { distributor, usdc, agent, outsider, spender, feeRecipient } = await networkHelpers.loadFixture(fixture);
    const token = await usdc.getAddress();
    await distributor.connect(outsider).deposit(ASSET, token, e6(1000));
    await distributor.connect(agent).deposit(OTHER_ASSET, token, e6(1000));
    const { reserve, fee } = split(e6(1000));
    const vaultA = await distributor.vaultOf(ASSET);
    const w = await distributor.connect(spender).withdrawReserve(ASSET, token, reserve, spender.address);
    expect(await transfersOf(token, w)).to.deep.equal([{ from: vaultA, to: spender.address, value: reserve }]);
    const c = await distributor.connect(feeRecipient).claimFees(ASSET, token, feeRecipient.address);
    expect(await transfersOf(token, c)).to.deep.equal([{ from: vaultA, to: feeRecipient.address, value: fee }]);
    await expectHeld(ethers, distributor, token, e6(1000) - reserve - fee, ASSET);
    await expectHeld(ethers, distributor, token, e6(1000), OTHER_ASSET); // untouched
  });

  it("forwards ETH deposits to the asset's vault and pays ETH claims, fees and reserve from it", async function () {
    const { distributor, agent, outsider, alice, spender, feeRecipient, carol } =
      await networkHelpers.loadFixture(fixture);
    const amount = e18(10);
    const { reserve, fee } = split(amount);
    await distributor.connect(outsider).deposit(ASSET, ETH, amount, { value: amount });
    await distributor.connect(agent).deposit(OTHER_ASSET, ETH, e18(4), { value: e18(4) });
    await expectHeld(ethers, distributor, ETH, amount, ASSET);
    await expectHeld(ethers, distributor, ETH, e18(4), OTHER_ASSET);

    const owed = await distributor.claimableOf(ASSET, ETH, alice.address);
    await expect(distributor.connect(alice).claim(ASSET, ETH, carol.address)).to.changeEtherBalances(
      ethers,
      [carol, await distributor.vaultOf(ASSET), await distributor.getAddress()],
      [owed, -owed, 0n],
    );
    await expect(
      distributor.connect(spender).withdrawReserve(ASSET, ETH, reserve, carol.address),
    ).to.changeEtherBalances(ethers, [carol, await distributor.vaultOf(ASSET)], [reserve, -reserve]);
    await expect(distributor.connect(feeRecipient).claimFees(ASSET, ETH, carol.address)).to.changeEtherBalances(
      ethers,
      [carol, await distributor.vaultOf(ASSET)],
      [fee, -fee],
    );
    await expectHeld(ethers, distributor, ETH, amount - owed - reserve - fee, ASSET);
    await expectHeld(ethers, distributor, ETH, e18(4), OTHER_ASSET);
  });

  it("a failed ETH payment from the vault reverts with the distributor's EthTransferFailed and moves nothing", async function () {
    const { distributor, shares, agent, outsider } = await networkHelpers.loadFixture(fixture);
    const receiver = await ethers.deployContract("RevertingReceiver");
    const r = await receiver.getAddress();
    await shares.connect(agent).mint(r, e18(100));
    await distributor.connect(outsider).deposit(ASSET, ETH, e18(2), { value: e18(2) });
    const owed = await distributor.claimableOf(ASSET, ETH, r);
    const error = distributor.interface.encodeErrorResult("EthTransferFailed", [r, owed]);
    const vault = await ethers.getContractAt("AssetVault", await distributor.vaultOf(ASSET));
    expect(error).to.equal(vault.interface.encodeErrorResult("EthTransferFailed", [r, owed])); // same selector
    await expect(receiver.claim(await distributor.getAddress(), ASSET, ETH, r))
      .to.be.revertedWithCustomError(distributor, "EthTransferFailed")
      .withArgs(r, owed);
    await expectHeld(ethers, distributor, ETH, e18(2));
    expect(await distributor.claimableOf(ASSET, ETH, r)).to.equal(owed);
  });

  it("stops an ETH receiver re-entering during a vault payout: neither a direct vault call nor a nested claim succeeds", async function () {
    const { distributor, shares, agent, outsider } = await networkHelpers.loadFixture(fixture);
    await distributor.connect(outsider).deposit(ASSET, ETH, e18(10), { value: e18(10) });
    const vault = await distributor.vaultOf(ASSET);
    const raider = await ethers.deployContract("IncomeVaultRaider", [await distributor.getAddress(), vault]);
    const r = await raider.getAddress();
    await shares.connect(agent).mint(r, e18(100)); // half the shares, after the first deposit
    await distributor.connect(outsider).deposit(ASSET, ETH, e18(10), { value: e18(10) });
    const owed = await distributor.claimableOf(ASSET, ETH, r);
    expect(owed).to.be.gt(0n);
    await raider.attack(ASSET);
    expect(await raider.successes()).to.equal(0n);
    const v = await ethers.getContractAt("AssetVault", vault);
    expect(await raider.vaultError()).to.equal(v.interface.encodeErrorResult("NotController", [r]));
    const guard = distributor.interface.getError("ReentrancyGuardReentrantCall")!.selector;
    expect(await raider.claimError()).to.equal(guard);
    expect(await ethers.provider.getBalance(r)).to.equal(owed);
    await expectHeld(ethers, distributor, ETH, e18(20) - owed);
  });

  it("a token blocklisting one asset's vault stops that asset's deposits only; a blocklisted holder still claims elsewhere", async function () {
    const { distributor, governance, agent, outsider, alice, carol } = await networkHelpers.loadFixture(fixture);
    const busd = await ethers.deployContract("BlocklistToken");
    const token = await busd.getAddress();
    await distributor.connect(governance).setPayoutToken(token, true);
    for (const s of [agent, outsider]) {
      await busd.mint(s.address, e6(10_000));
      await busd.connect(s).approve(await distributor.getAddress(), ethers.MaxUint256);
    }
    await distributor.connect(agent).deposit(ASSET, token, e6(1000));
    await distributor.connect(agent).deposit(OTHER_ASSET, token, e6(1000));
    const vaultA = await distributor.vaultOf(ASSET);
    await busd.setBlocked(vaultA, true);
    await expect(distributor.connect(outsider).deposit(ASSET, token, e6(1)))
      .to.be.revertedWithCustomError(busd, "Blocked")
      .withArgs(vaultA);
    await distributor.connect(outsider).deposit(OTHER_ASSET, token, e6(1)); // other vault unaffected
    await busd.setBlocked(vaultA, false);

    await busd.setBlocked(alice.address, true);
    const owed = await distributor.claimableOf(ASSET, token, alice.address);
    await expect(distributor.connect(alice).claim(ASSET, token, alice.address))
      .to.be.revertedWithCustomError(busd, "Blocked")
      .withArgs(alice.address);
    await expectHeld(ethers, distributor, token, e6(1000), ASSET);
    await distributor.connect(alice).claim(ASSET, token, carol.address);
    expect(await busd.balanceOf(carol.address)).to.equal(owed);
    await expectHeld(ethers, distributor, token, e6(1000) - owed, ASSET);
    expect(await balanceIn(ethers, token, await distributor.vaultOf(OTHER_ASSET))).to.equal(e6(1001));
  });

  it("refuses a fee-on-transfer deposit (FeeOnTransferToken): nothing is credited, nothing moves", async function () {
    const { distributor, registry, governance, agent, outsider, alice } = await networkHelpers.loadFixture(fixture);
    const fot = await ethers.deployContract("FeeOnTransferToken");
    const token = await fot.getAddress();
    await distributor.connect(governance).setPayoutToken(token, true);
    await fot.mint(outsider.address, e18(1000));
    await fot.mint(agent.address, e18(1000));
    await fot.connect(outsider).approve(await distributor.getAddress(), ethers.MaxUint256);
    await fot.connect(agent).approve(await distributor.getAddress(), ethers.MaxUint256);
    // The agent's first deposit in it, which would register it and deploy the other asset's vault, is refused
    // whole: no registration, no vault.
    await expect(distributor.connect(agent).deposit(OTHER_ASSET, token, e18(500)))
      .to.be.revertedWithCustomError(distributor, "FeeOnTransferToken")
      .withArgs(e18(500), e18(495));
    expect(await distributor.payoutTokensOf(OTHER_ASSET)).to.deep.equal([]);
    expect(await ethers.provider.getCode(await distributor.vaultOf(OTHER_ASSET))).to.equal("0x");
    // Registered by the agent (registering moves no token), a deposit in it is refused all the same: 1 % burnt in
    // transit, so 990 of 1,000 arrive and nothing is credited.
    await distributor.connect(agent).registerPayoutToken(ASSET, token);
    await expect(distributor.connect(outsider).deposit(ASSET, token, e18(1000)))
      .to.be.revertedWithCustomError(distributor, "FeeOnTransferToken")
      .withArgs(e18(1000), e18(990));
    // Nor can buyout proceeds be paid in it: the asset stays active, no buyout is recorded.
    await expect(distributor.connect(agent).depositBuyout(ASSET, token, e18(100)))
      .to.be.revertedWithCustomError(distributor, "FeeOnTransferToken")
      .withArgs(e18(100), e18(99));
    expect(await registry.statusOf(ASSET)).to.equal(Status.Active);
    expect((await distributor.buyoutOf(ASSET)).supplyAtRetire).to.equal(0n);
    expect(await distributor.incomeAccountingOf(ASSET, token)).to.deep.equal([0n, 0n, 0n, 0n]);
    expect(await distributor.reserveOf(ASSET, token)).to.equal(0n);
    expect(await distributor.feesOf(ASSET, token)).to.equal(0n);
    expect(await distributor.claimableOf(ASSET, token, alice.address)).to.equal(0n);
    expect(await vaultBalance(ethers, distributor, token, ASSET)).to.equal(0n);
    expect(await fot.balanceOf(outsider.address)).to.equal(e18(1000));
    expect(await fot.balanceOf(agent.address)).to.equal(e18(1000));
    expect(await fot.totalSupply()).to.equal(e18(2000));
  });
});
