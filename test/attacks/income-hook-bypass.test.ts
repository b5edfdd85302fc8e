/**
 * Income hook bypass (issue 12, finding 4: "Deposits accepted for share tokens that bypass the income
 * hook"; audit class "accounting desynchronised by an unhooked balance change"). Shares created while
 * the factory had no income hook (a set-up the README allows) never call `onSharesTransfer`, so the
 * holders' corrections do not move with the shares: a holder could claim, move the shares to a second
 * wallet and claim again (seen: 9,900 paid against a 4,950 share), and a buyout locked the proceeds
 * (`redeemFor` only answers the token's hook). Fixed at the root: the distributor accepts money for an
 * asset (deposit in ERC-20 or ETH, buyout proceeds) only when the asset's share token reports the
 * distributor itself as its income hook; otherwise `SharesNotHooked(assetId, shares)` and nothing
 * changes. A token that reverts, has no code or answers anything but exactly one word equal to the
 * distributor is refused the same way. The defended path (hook == distributor) still pays exactly.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { ZeroAddress, id } from "ethers";
import type { AssetShares } from "../../types/ethers-contracts/index.js";
import { ASSET, OTHER_ASSET, Status, deployIncome, e18 } from "../income/fixture.js";
import { ETH, USDC, deployWorld, type World } from "./world.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

/** The income unit fixture (mock registry: any address can be recorded as an asset's shares). */
async function incomeWorld() {
  return deployIncome(ethers);
}

/** The real suite plus a second asset whose shares were created while the factory had no income hook. */
async function bypassWorld() {
  const w = await deployWorld(ethers);
  await w.factory.connect(w.gov).setIncomeHooks(ZeroAddress);
  const salt = id("income-hook-bypass");
  const assetId = await w.assets.computeAssetId(w.issuer.address, salt);
  await w.assets.connect(w.issuer).registerAsset(salt, 0, "0x4445", w.agent.address, "ipfs://bypass");
  const address = await w.factory.predictShares(assetId);
  await w.factory.connect(w.agent).createShares(assetId, "Unhooked Park", "UNH", 0);
  const shares = (await ethers.getContractAt("AssetShares", address)) as unknown as AssetShares;
  await shares.connect(w.agent).mint(w.alice.address, 4_950);
  await shares.connect(w.agent).mint(w.bob.address, 5_050);
  // Registering a payout token moves no money: still allowed, so the refusal below is not TokenNotRegistered.
  await w.distributor.connect(w.agent).registerPayoutToken(assetId, await w.usdc.getAddress());
  await w.distributor.connect(w.agent).registerPayoutToken(assetId, ETH);
  return { ...w, unhooked: { assetId, shares, address } };
}

/** Everything a refused money entry could have changed, for `assetId`. */
async function snapshot(w: World, assetId: bigint) {
  const u = await w.usdc.getAddress();
  const d = await w.distributor.getAddress();
  const vault = await w.distributor.vaultOf(assetId);
  const parties = [w.agent, w.outsider, w.alice, w.bob, w.carol].map((s) => s.address);
  return {
    usdc: await Promise.all([...parties, d, vault].map((a) => w.usdc.balanceOf(a))),
    eth: await Promise.all([...parties, d, vault].map((a) => ethers.provider.getBalance(a))),
    vaultCode: await ethers.provider.getCode(vault),
    status: await w.assets.statusOf(assetId),
    buyout: [...(await w.distributor.buyoutOf(assetId))],
    usdcAccounting: [...(await w.distributor.incomeAccountingOf(assetId, u))],
    ethAccounting: [...(await w.distributor.incomeAccountingOf(assetId, ETH))],
    reserve: [await w.distributor.reserveOf(assetId, u), await w.distributor.reserveOf(assetId, ETH)],
    fees: [await w.distributor.feesOf(assetId, u), await w.distributor.feesOf(assetId, ETH)],
    payoutTokens: [...(await w.distributor.payoutTokensOf(assetId))],
  };
}

describe("Attack class income hook bypass: money only for shares whose income hook is the distributor", function () {
  it("the set-up: shares created while the factory had no income hook report hook zero and notify nobody", async function () {
    const w = await loadFixture(bypassWorld);
    expect(await w.unhooked.shares.incomeHooks()).to.equal(ZeroAddress);
    expect(await w.shares.incomeHooks()).to.equal(await w.distributor.getAddress());
    expect(await w.assets.sharesOf(w.unhooked.assetId)).to.equal(w.unhooked.address);
    // The share move the finding exploited still works on the token, without any income hook call.
    await expect(w.unhooked.shares.connect(w.alice).transfer(w.carol.address, 1))
      .to.emit(w.unhooked.shares, "Transfer")
      .withArgs(w.alice.address, w.carol.address, 1n);
  });

  it("refuses income deposits (ERC-20 and ETH, agent and third party) with SharesNotHooked; nothing changes", async function () {
    const w = await loadFixture(bypassWorld);
    const u = await w.usdc.getAddress();
    const { assetId, address } = w.unhooked;
    const before = await snapshot(w, assetId);
    expect(before.vaultCode).to.equal("0x");

    for (const from of [w.agent, w.outsider]) {
      await expect(w.distributor.connect(from).deposit(assetId, u, USDC(9_900)))
        .to.be.revertedWithCustomError(w.distributor, "SharesNotHooked")
        .withArgs(assetId, address);
      await expect(w.distributor.connect(from).deposit(assetId, ETH, 9_900n, { value: 9_900n }))
        .to.be.revertedWithCustomError(w.distributor, "SharesNotHooked")
        .withArgs(assetId, address);
    }
    expect(await snapshot(w, assetId)).to.deep.equal(before);
    // The finding's sequence now has nothing to take: claim, move the shares to a second wallet, claim again.
    await expect(w.distributor.connect(w.alice).claim(assetId, u, w.alice.address))
      .to.be.revertedWithCustomError(w.distributor, "NothingToClaim")
      .withArgs(assetId, u, w.alice.address);
    await w.unhooked.shares.connect(w.alice).transfer(w.carol.address, 4_950);
    await expect(w.distributor.connect(w.carol).claim(assetId, u, w.carol.address))
      .to.be.revertedWithCustomError(w.distributor, "NothingToClaim")
      .withArgs(assetId, u, w.carol.address);
    // alice and carol paid gas for the share move; every other balance and all state are unchanged.
    const after = await snapshot(w, assetId);
    expect({ ...after, eth: after.eth.slice(5) }).to.deep.equal({ ...before, eth: before.eth.slice(5) });
    expect([after.eth[0], after.eth[1], after.eth[3]]).to.deep.equal([before.eth[0], before.eth[1], before.eth[3]]);
  });

  it("refuses a buyout (ERC-20 and ETH proceeds) with SharesNotHooked: the asset stays active, nothing is locked", async function () {
    const w = await loadFixture(bypassWorld);
    const u = await w.usdc.getAddress();
    const { assetId, address } = w.unhooked;
    const before = await snapshot(w, assetId);
    expect(before.status).to.equal(1n); // Active

    await expect(w.distributor.connect(w.agent).depositBuyout(assetId, u, USDC(1_000_000)))
      .to.be.revertedWithCustomError(w.distributor, "SharesNotHooked")
      .withArgs(assetId, address);
    await expect(w.distributor.connect(w.agent).depositBuyout(assetId, ETH, 10n ** 18n, { value: 10n ** 18n }))
      .to.be.revertedWithCustomError(w.distributor, "SharesNotHooked")
      .withArgs(assetId, address);
    expect(await snapshot(w, assetId)).to.deep.equal(before);
    expect(before.buyout).to.deep.equal([ZeroAddress, 0n, 0n, 0n, 0n]);
    await expect(w.distributor.connect(w.alice).redeem(assetId, w.alice.address))
      .to.be.revertedWithCustomError(w.distributor, "NotRetired")
      .withArgs(assetId);
  });

  it("the hook is fixed at creation: restoring the factory's hook does not admit the unhooked shares, only new ones", async function () {
    const w = await loadFixture(bypassWorld);
    const u = await w.usdc.getAddress();
    await w.factory.connect(w.gov).setIncomeHooks(await w.distributor.getAddress());
    await expect(w.distributor.connect(w.agent).deposit(w.unhooked.assetId, u, USDC(1)))
      .to.be.revertedWithCustomError(w.distributor, "SharesNotHooked")
      .withArgs(w.unhooked.assetId, w.unhooked.address);

    const salt = id("income-hook-restored");
    const assetId = await w.assets.computeAssetId(w.issuer.address, salt);
    await w.assets.connect(w.issuer).registerAsset(salt, 0, "0x4445", w.agent.address, "ipfs://restored");
    await w.factory.connect(w.agent).createShares(assetId, "Hooked Park", "HKD", 0);
    const shares = (await ethers.getContractAt(
      "AssetShares",
      await w.factory.predictShares(assetId),
    )) as unknown as AssetShares;
    await shares.connect(w.agent).mint(w.alice.address, 10);
    await expect(w.distributor.connect(w.agent).deposit(assetId, u, USDC(1)))
      .to.emit(w.distributor, "IncomeDeposited")
      .withArgs(assetId, u, w.agent.address, USDC(1), USDC(1), 0n, USDC(1) / 100n, USDC(1) - USDC(1) / 100n); // no reserve rate set
  });

  it("defended path (hook == distributor): claim, move the shares, claim again from the second wallet pays exactly the share once", async function () {
    const w = await loadFixture(bypassWorld);
    const u = await w.usdc.getAddress();
    const vault = await w.distributor.vaultOf(w.assetId);
    const alice0 = await w.usdc.balanceOf(w.alice.address);
    const carol0 = await w.usdc.balanceOf(w.carol.address);
    const bob0 = await w.usdc.balanceOf(w.bob.address);

    // 1,000 USDC: 10 % reserve, 1 % fee, 890 to 1,000 shares (alice 600, bob 400).
    await expect(w.distributor.connect(w.agent).deposit(w.assetId, u, USDC(1_000)))
      .to.emit(w.distributor, "IncomeDeposited")
      .withArgs(w.assetId, u, w.agent.address, USDC(1_000), USDC(1_000), USDC(100), USDC(10), USDC(890));
    await expect(w.distributor.connect(w.alice).claim(w.assetId, u, w.alice.address))
      .to.emit(w.distributor, "IncomeClaimed")
      .withArgs(w.assetId, u, w.alice.address, w.alice.address, USDC(534));

    // The attack: move the shares to a second wallet and claim again, from both wallets.
    await w.shares.connect(w.alice).transfer(w.carol.address, 600);
    for (const holder of [w.carol, w.alice]) {
      await expect(w.distributor.connect(holder).claim(w.assetId, u, holder.address))
        .to.be.revertedWithCustomError(w.distributor, "NothingToClaim")
        .withArgs(w.assetId, u, holder.address);
    }
    expect(await w.usdc.balanceOf(w.alice.address)).to.equal(alice0 + USDC(534));
    expect(await w.usdc.balanceOf(w.carol.address)).to.equal(carol0);

    // Income after the move follows the shares: carol gets the next 534, alice nothing more.
    await w.distributor.connect(w.outsider).deposit(w.assetId, u, USDC(1_000));
    await expect(w.distributor.connect(w.alice).claim(w.assetId, u, w.alice.address))
      .to.be.revertedWithCustomError(w.distributor, "NothingToClaim")
      .withArgs(w.assetId, u, w.alice.address);
    await expect(w.distributor.connect(w.carol).claim(w.assetId, u, w.carol.address))
      .to.emit(w.distributor, "IncomeClaimed")
      .withArgs(w.assetId, u, w.carol.address, w.carol.address, USDC(534));
    await w.distributor.connect(w.bob).claim(w.assetId, u, w.bob.address);

    expect(await w.usdc.balanceOf(w.alice.address)).to.equal(alice0 + USDC(534));
    expect(await w.usdc.balanceOf(w.carol.address)).to.equal(carol0 + USDC(534));
    expect(await w.usdc.balanceOf(w.bob.address)).to.equal(bob0 + USDC(712));
    // Exactly the carve-outs remain: 2 x (100 reserve + 10 fee), no holder dust (exact division).
    expect(await w.usdc.balanceOf(vault)).to.equal(USDC(220));
    expect(await w.distributor.incomeAccountingOf(w.assetId, u)).to.deep.equal([
      (USDC(1_780) * 2n ** 128n) / 1_000n,
      USDC(1_780),
      USDC(1_780),
      0n,
    ]);
  });
});

describe("Attack class income hook bypass: a share token that lies about or breaks incomeHooks() is refused", function () {
  // AtkHookShares.Mode: Revert, Empty, Other, Dirty, Long, Short.
  const MODES = ["Revert", "Empty", "Other", "Dirty", "Long", "Short"] as const;

  for (const [mode, name] of MODES.entries()) {
    it(`incomeHooks() answering "${name}": deposit and buyout refused with SharesNotHooked, nothing changes`, async function () {
      const f = await loadFixture(incomeWorld);
      const { distributor, registry, governance, agent, dai } = f;
      const hostile = await ethers.deployContract("AtkHookShares", [await distributor.getAddress(), mode]);
      await hostile.mint(f.alice.address, e18(100));
      await registry
        .connect(governance)
        .setAsset(OTHER_ASSET, agent.address, Status.Active, await hostile.getAddress());
      await distributor.connect(agent).registerPayoutToken(OTHER_ASSET, await dai.getAddress());
      await expectRefused(f, await hostile.getAddress());
    });
  }

  it("a share token without code (an EOA recorded as shares) is refused the same way", async function () {
    const f = await loadFixture(incomeWorld);
    await f.registry.connect(f.governance).setAsset(OTHER_ASSET, f.agent.address, Status.Active, f.carol.address);
    await expectRefused(f, f.carol.address);
  });

  it("the honest mock (answers exactly the distributor) is accepted, also on the asset's first deposit", async function () {
    const f = await loadFixture(incomeWorld);
    expect(await f.shares.incomeHooks()).to.equal(await f.distributor.getAddress());
    await expect(f.distributor.connect(f.agent).deposit(ASSET, await f.dai.getAddress(), e18(1)))
      .to.emit(f.distributor, "IncomeDeposited")
      .withArgs(
        ASSET,
        await f.dai.getAddress(),
        f.agent.address,
        e18(1),
        e18(1),
        e18(1) / 10n,
        e18(1) / 100n,
        e18(89) / 100n,
      );
  });
});

/** Deposits (agent, third party, ETH) and the buyout of OTHER_ASSET are refused; no balance or state moves. */
async function expectRefused(f: Awaited<ReturnType<typeof deployIncome>>, shares: string) {
  const { distributor, agent, outsider, dai } = f;
  const d = await dai.getAddress();
  const vault = await distributor.vaultOf(OTHER_ASSET);
  const state = async () => ({
    dai: await Promise.all(
      [agent.address, outsider.address, await distributor.getAddress(), vault].map((a) => dai.balanceOf(a)),
    ),
    eth: await Promise.all(
      [agent.address, outsider.address, await distributor.getAddress(), vault].map((a) =>
        ethers.provider.getBalance(a),
      ),
    ),
    code: await ethers.provider.getCode(vault),
    accounting: [...(await distributor.incomeAccountingOf(OTHER_ASSET, d))],
    buyout: [...(await distributor.buyoutOf(OTHER_ASSET))],
    status: await f.registry.statusOf(OTHER_ASSET),
  });
  const before = await state();
  await expect(distributor.connect(agent).deposit(OTHER_ASSET, d, e18(1)))
    .to.be.revertedWithCustomError(distributor, "SharesNotHooked")
    .withArgs(OTHER_ASSET, shares);
  await expect(distributor.connect(outsider).deposit(OTHER_ASSET, ETH, 1n, { value: 1n }))
    .to.be.revertedWithCustomError(distributor, "SharesNotHooked")
    .withArgs(OTHER_ASSET, shares);
  await expect(distributor.connect(agent).depositBuyout(OTHER_ASSET, d, e18(1)))
    .to.be.revertedWithCustomError(distributor, "SharesNotHooked")
    .withArgs(OTHER_ASSET, shares);
  expect(await state()).to.deep.equal(before);
  expect(before.code).to.equal("0x");
  expect(before.status).to.equal(BigInt(Status.Active));
}
