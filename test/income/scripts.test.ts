import { expect } from "chai";
import { network } from "hardhat";
import {
  ETH_TOKEN,
  UserError,
  claimIncome,
  depositIncome,
  envAddress,
  envUint,
  incomeStatus,
  parseTokenAmount,
  redeemShares,
  retireByBuyout,
} from "../../scripts/operator/income/income.js";
import { ASSET, deployIncome, e18, e6, split } from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const fixture = () => deployIncome(ethers);

/** Asserts that `promise` rejects with a UserError whose message matches `pattern`. */
async function expectUserError(promise: Promise<unknown>, pattern: RegExp) {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(UserError);
    expect((err as Error).message).to.match(pattern);
    return;
  }
  expect.fail(`expected a UserError matching ${pattern}`);
}

describe("income scripts (core functions on the in-process chain)", function () {
  it("deposit: parses the amount with the token's decimals, approves, deposits and reports the split", async function () {
    const { distributor, usdc, deployer } = await networkHelpers.loadFixture(fixture);
    const token = await usdc.getAddress();
    await usdc.connect(deployer).approve(await distributor.getAddress(), 0);
    const amount = await parseTokenAmount(ethers, token, "1000.5");
    expect(amount).to.equal(e6(1000) + 500_000n);
    const r = await depositIncome(ethers, deployer, {
      distributor: await distributor.getAddress(),
      assetId: ASSET,
      token,
      amount,
    });
    expect(r).to.include(split(amount));
    expect(r.received).to.equal(amount);
  });

  it("deposit: ETH, and clear errors for a token not accepted or an empty balance", async function () {
    const { distributor, outsider, carol } = await networkHelpers.loadFixture(fixture);
    const d = await distributor.getAddress();
    const r = await depositIncome(ethers, outsider, {
      distributor: d,
      assetId: ASSET,
      token: ETH_TOKEN,
      amount: e18(1),
    });
    expect(r.toHolders).to.equal(split(e18(1)).toHolders);
    const stray = await ethers.deployContract("MockPayoutToken", ["S", "S", 18]);
    await expectUserError(
      depositIncome(ethers, outsider, { distributor: d, assetId: ASSET, token: await stray.getAddress(), amount: 1n }),
      /not an accepted payout token/,
    );
    await expectUserError(
      depositIncome(ethers, outsider, { distributor: d, assetId: 99n, token: ETH_TOKEN, amount: 1n }),
      /deposit refused: UnknownAsset\(99\)/,
    );
    await expectUserError(
      depositIncome(ethers, outsider, { distributor: carol.address, assetId: ASSET, token: ETH_TOKEN, amount: 1n }),
      /no contract code at 0x[0-9a-fA-F]{40} \(DISTRIBUTOR\) \(an EOA or wrong network\?\)/,
    );
  });

  it("claim: pays the signer's income to another address, then reports nothing to claim", async function () {
    const { distributor, dai, alice, carol, outsider } = await networkHelpers.loadFixture(fixture);
    const d = await distributor.getAddress();
    const token = await dai.getAddress();
    await distributor.connect(outsider).deposit(ASSET, token, e18(100));
    const owed = await distributor.claimableOf(ASSET, token, alice.address);
    const before = await dai.balanceOf(carol.address);
    const r = await claimIncome(ethers, alice, { distributor: d, assetId: ASSET, token, to: carol.address });
    expect(r.amount).to.equal(owed);
    expect(await dai.balanceOf(carol.address)).to.equal(before + owed);
    await expectUserError(
      claimIncome(ethers, alice, { distributor: d, assetId: ASSET, token, to: carol.address }),
      /nothing to claim/,
    );
  });

  it("buyout and redeem: only the agent retires; holders redeem proceeds plus income", async function () {
    const { distributor, usdc, agent, alice, outsider } = await networkHelpers.loadFixture(fixture);
    const d = await distributor.getAddress();
    const token = await usdc.getAddress();
    await expectUserError(
      redeemShares(ethers, alice, { distributor: d, assetId: ASSET, to: alice.address }),
      /has not been bought out/,
    );
    await expectUserError(
      retireByBuyout(ethers, outsider, { distributor: d, assetId: ASSET, token, amount: e6(10) }),
      /only the asset's agent/,
    );
    const b = await retireByBuyout(ethers, agent, { distributor: d, assetId: ASSET, token, amount: e6(1000) });
    expect(b.supplyAtRetire).to.equal(e18(100));
    expect(b.proceeds).to.equal(e6(1000));
    const r = await redeemShares(ethers, alice, { distributor: d, assetId: ASSET, to: alice.address });
    expect(r.shares).to.equal(e18(60));
    expect(r.proceeds).to.equal(e6(600));
    await expectUserError(
      redeemShares(ethers, alice, { distributor: d, assetId: ASSET, to: alice.address }),
      /redeem refused: NothingToRedeem/,
    );
  });

  it("status: reports per-token claimable, reserve, fees and the buyout", async function () {
    const { distributor, dai, usdc, agent, alice, outsider } = await networkHelpers.loadFixture(fixture);
    const d = await distributor.getAddress();
    await distributor.connect(outsider).deposit(ASSET, await dai.getAddress(), e18(100));
    let s = await incomeStatus(ethers, { distributor: d, assetId: ASSET, account: alice.address });
    expect(s.buyout).to.equal(null);
    expect(s.tokens.map((t) => t.token)).to.deep.equal([await dai.getAddress(), await usdc.getAddress(), ETH_TOKEN]);
    expect(s.tokens[0].claimable).to.equal(await distributor.claimableOf(ASSET, await dai.getAddress(), alice.address));
    expect(s.tokens[0].reserve).to.equal(split(e18(100)).reserve);
    expect(s.tokens[0].fees).to.equal(split(e18(100)).fee);
    await distributor.connect(agent).depositBuyout(ASSET, await usdc.getAddress(), e6(7));
    s = await incomeStatus(ethers, { distributor: d, assetId: ASSET, account: alice.address });
    expect(s.buyout).to.deep.equal({ token: await usdc.getAddress(), proceeds: e6(7), remaining: e6(7) });
  });

  it("reads and validates environment variables", async function () {
    process.env.INCOME_TEST_ADDR = "eth";
    expect(envAddress(ethers, "INCOME_TEST_ADDR", true)).to.equal(ETH_TOKEN);
    expect(() => envAddress(ethers, "INCOME_TEST_ADDR")).to.throw(UserError, /not an address/);
    process.env.INCOME_TEST_UINT = "-3";
    expect(() => envUint("INCOME_TEST_UINT")).to.throw(UserError, /not a non-negative integer/);
    delete process.env.INCOME_TEST_UINT;
    expect(() => envUint("INCOME_TEST_UINT")).to.throw(UserError, /is required/);
    delete process.env.INCOME_TEST_ADDR;
  });
});
