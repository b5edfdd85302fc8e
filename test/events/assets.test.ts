/**
 * Issue 12: AssetShares.ConfigChanged, which no other test asserted with exact arguments. The event
 * carries the whole compliance configuration after each change; the expected configuration is built
 * here from the known initial one (eligibility required, no limits) and the changes made, in the
 * struct's field order (eligibilityRequired, maxHolders, lockupUntil, mintLockPeriod, investorCap).
 * Runs on the real suite (test/attacks/world.ts).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { YEAR, deployWorld } from "../attacks/world.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

async function world() {
  return deployWorld(ethers);
}

describe("events: AssetShares (issue 12, exact arguments)", function () {
  it("ConfigChanged(config) carries the whole configuration after every agent change", async function () {
    const w = await loadFixture(world);
    const shares = w.shares.connect(w.agent);
    const c = { eligibilityRequired: true, maxHolders: 0n, lockupUntil: 0n, mintLockPeriod: 0n, investorCap: 0n };
    const tuple = () => [c.eligibilityRequired, c.maxHolders, c.lockupUntil, c.mintLockPeriod, c.investorCap];
    expect([...(await w.shares.config())]).to.deep.equal(tuple());

    c.maxHolders = 25n;
    await expect(shares.setMaxHolders(25)).to.emit(w.shares, "ConfigChanged").withArgs(tuple());
    c.investorCap = 500n;
    await expect(shares.setInvestorCap(500)).to.emit(w.shares, "ConfigChanged").withArgs(tuple());
    c.lockupUntil = BigInt((await time.latest()) + YEAR);
    await expect(shares.setLockup(c.lockupUntil)).to.emit(w.shares, "ConfigChanged").withArgs(tuple());
    c.mintLockPeriod = 3_600n;
    await expect(shares.setMintLockPeriod(3_600)).to.emit(w.shares, "ConfigChanged").withArgs(tuple());
    c.eligibilityRequired = false;
    await expect(shares.setEligibilityRequired(false)).to.emit(w.shares, "ConfigChanged").withArgs(tuple());
    c.lockupUntil = 0n;
    await expect(shares.setLockup(0)).to.emit(w.shares, "ConfigChanged").withArgs(tuple());
    expect([...(await w.shares.config())]).to.deep.equal(tuple());
  });
});
