/**
 * Issue 14 ("Cost"): the share token keeps balances in its own packed words and the distributor keeps
 * its payout tokens in a fixed array beside the cached share token. Economic check that the income
 * accounting stays exact through many share transfers interleaved with deposits (USDC and ETH) and
 * claims, on the production suite (real AssetShares clone, real IncomeDistributor): for every holder
 * and payout token, what it withdrew plus what it can claim equals its exact pro-rata entitlement
 * (sum over deposits of the holders' part times its balance at that deposit over the supply) minus
 * less than one wei, never more; and the distributor's totals reconcile (distributed = claimed +
 * claimable + dust, dust below one wei per holder).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { ETH, deployWorld } from "../attacks/world.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture } = networkHelpers;

async function world() {
  return deployWorld(ethers);
}

describe("income accounting stays exact across many share transfers", function () {
  it("120 steps of transfers, deposits and claims: each holder gets its exact share minus < 1 wei, totals reconcile", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    const holders = [w.alice, w.bob, w.carol];
    const tokens = [u, ETH];
    // Exact entitlement times the supply, per token and holder (the supply stays 1,000 shares).
    const supply = await w.shares.totalSupply();
    expect(supply).to.equal(1_000n);
    const exact: Record<string, bigint[]> = { [u]: [0n, 0n, 0n], [ETH]: [0n, 0n, 0n] };
    let seed = 14n;
    const rand = (n: bigint) => {
      seed = (seed * 6_364_136_223_846_793_005n + 1_442_695_040_888_963_407n) % 2n ** 64n;
      return (seed >> 16n) % n;
    };
    let transfers = 0;
    let selfTransfers = 0;
    for (let step = 0; step < 120; step++) {
      const action = rand(4n);
      if (action <= 1n) {
        // a transfer between two holders (whole balances too, so holders leave and come back)
        const from = holders[Number(rand(3n))];
        const to = holders[Number(rand(3n))];
        const balance = await w.shares.balanceOf(from.address);
        if (balance === 0n) continue;
        if (from === to) {
          // A transfer to oneself (whole balance too) moves nothing: balance, holders and income unchanged.
          const before = await Promise.all([
            w.shares.holderCount(),
            ...tokens.map((t) => w.distributor.claimableOf(w.assetId, t, from.address)),
          ]);
          // the whole balance (no draw from the sequence, so the other steps stay what they were)
          await w.shares.connect(from).transfer(to.address, balance);
          expect(await w.shares.balanceOf(from.address)).to.equal(balance);
          expect(
            await Promise.all([
              w.shares.holderCount(),
              ...tokens.map((t) => w.distributor.claimableOf(w.assetId, t, from.address)),
            ]),
          ).to.deep.equal(before);
          selfTransfers++;
          continue;
        }
        const amount = rand(3n) === 0n ? balance : 1n + rand(balance);
        await w.shares.connect(from).transfer(to.address, amount);
        transfers++;
      } else if (action === 2n) {
        const token = tokens[Number(rand(2n))];
        const amount = token === ETH ? 1n + rand(10n ** 15n) : 1n + rand(10_000_000n);
        const [, before] = await w.distributor.incomeAccountingOf(w.assetId, token);
        await w.distributor
          .connect(w.outsider)
          .deposit(w.assetId, token, amount, { value: token === ETH ? amount : 0n });
        const [, after] = await w.distributor.incomeAccountingOf(w.assetId, token);
        for (let i = 0; i < 3; i++)
          exact[token][i] += (after - before) * (await w.shares.balanceOf(holders[i].address));
      } else {
        const who = holders[Number(rand(3n))];
        const token = tokens[Number(rand(2n))];
        if ((await w.distributor.claimableOf(w.assetId, token, who.address)) !== 0n) {
          await w.distributor.connect(who).claim(w.assetId, token, who.address);
        }
      }
    }
    expect(transfers).to.be.greaterThan(25);
    expect(selfTransfers).to.be.greaterThan(3);

    for (const token of tokens) {
      const [, distributed, claimed, remainder] = await w.distributor.incomeAccountingOf(w.assetId, token);
      let owed = 0n;
      for (let i = 0; i < 3; i++) {
        const who = holders[i].address;
        const claimable = await w.distributor.claimableOf(w.assetId, token, who);
        const paid = (await w.distributor.withdrawnOf(w.assetId, token, who)) + claimable;
        owed += claimable;
        // never more than the exact share, short by at most one wei
        expect(paid * supply).to.be.at.most(exact[token][i]);
        expect(exact[token][i] - paid * supply).to.be.at.most(supply);
      }
      const dust = distributed - claimed - owed;
      expect(dust).to.be.at.least(0n);
      expect(dust).to.be.at.most(3n + remainder / 2n ** 128n);
      expect(exact[token].reduce((a, b) => a + b, 0n)).to.equal(distributed * supply);
    }
  });
});
