/**
 * Gas of the income distributor (issue 4), on a fresh simulated chain with the test doubles of the
 * asset registry and share token (contracts/test/doubles/Registries.sol, contracts/test/income/MockAssetShares.sol).
 *
 * Holders for the O(1) claim figures are created with the test-only `MockAssetShares.batchMint`
 * (300 mints per transaction, before any income is deposited), one asset per holder count; the
 * measured holder is a real account that also holds shares. Run alone:
 *   BENCH_AREAS=income npx hardhat run scripts/tooling/bench/run.ts
 */
import type { AreaBench } from "./types.js";

const ETH = "0x0000000000000000000000000000000000000000";
const e18 = (n: bigint) => n * 10n ** 18n;
const e6 = (n: bigint) => n * 10n ** 6n;
const MINTS_PER_TX = 300;

export const bench: AreaBench = async (connection) => {
  const { ethers } = connection;
  const [governance, feeRecipient, agent, spender, holder, payer] = await ethers.getSigners();
  const registry = await ethers.deployContract("MockAssetRegistry", [governance.address]);
  const distributor = await ethers.deployContract("IncomeDistributor", [
    await registry.getAddress(),
    governance.address,
    feeRecipient.address,
    100,
    2_000,
  ]);
  const d = await distributor.getAddress();
  await registry.grantRole(await registry.BUYOUT_ROLE(), d);
  await distributor.grantRole(await distributor.RESERVE_SPENDER_ROLE(), spender.address);
  await distributor.setCustodians(ethers.ZeroAddress, ethers.ZeroAddress);
  const usdc = await ethers.deployContract("MockPayoutToken", ["USD Coin", "USDC", 6]);
  const u = await usdc.getAddress();
  await distributor.setPayoutToken(u, true);
  await usdc.mint(payer.address, e6(10n ** 12n));
  await usdc.connect(payer).approve(d, ethers.MaxUint256);
  await usdc.mint(agent.address, e6(10n ** 12n));
  await usdc.connect(agent).approve(d, ethers.MaxUint256);

  const gas: Record<string, number> = {};
  const used = async (tx: Promise<{ wait: () => Promise<{ gasUsed: bigint } | null> }>) =>
    Number((await (await tx).wait())!.gasUsed);

  /** Registers asset `id` with `others` batch-minted holders plus `holder`; returns its share token. */
  async function asset(id: bigint, others: number) {
    const shares = await ethers.deployContract("MockAssetShares", [await registry.getAddress(), d, id]);
    await registry.setAsset(id, agent.address, 1, await shares.getAddress());
    await distributor.connect(agent).setReserveRate(id, 1_000);
    await distributor.connect(agent).registerPayoutToken(id, u);
    await distributor.connect(agent).registerPayoutToken(id, ETH);
    await shares.connect(agent).mint(holder.address, e18(1n));
    for (let start = 0; start < others; start += MINTS_PER_TX) {
      const batch: string[] = [];
      for (let i = start; i < Math.min(others, start + MINTS_PER_TX); i++) {
        batch.push(ethers.getAddress("0x" + (BigInt(id) * 2n ** 64n + BigInt(i) + 1n).toString(16).padStart(40, "0")));
      }
      await shares.connect(agent).batchMint(batch, e18(1n));
      if (others >= 3_000 && (start / MINTS_PER_TX) % 10 === 0) process.stdout.write(`[${start}/${others}] `);
    }
    return shares;
  }

  // Deposits: the steady state (token already registered for the asset).
  const a1 = 1n;
  await asset(a1, 9);
  // The asset's first deposit also deploys its AssetVault clone (reported in the notes).
  const firstDeposit = await used(distributor.connect(payer).deposit(a1, u, e6(1_000n)));
  gas["income.deposit"] = await used(distributor.connect(payer).deposit(a1, u, e6(1_000n)));
  await distributor.connect(payer).deposit(a1, ETH, e18(1n), { value: e18(1n) });
  gas["income.deposit.eth"] = await used(distributor.connect(payer).deposit(a1, ETH, e18(1n), { value: e18(1n) }));
  // A controller's deposit of income it holds in its own AssetVault clone (the rental escrow's custody):
  // `depositFromSource` calls it back and its vault pays the distributor's vault directly (one transfer).
  const source = await ethers.deployContract("VaultIncomeSource", [d]);
  await source.createVault(a1);
  await usdc.mint(await source.vaultOf(a1), e6(10n ** 6n));
  gas["income.depositFromSource"] = await used(source.depositIncome(a1, u, e6(1_000n)));
  gas["income.withdrawReserve"] = await used(
    distributor.connect(spender).withdrawReserve(a1, u, e6(50n), spender.address),
  );

  // Claims: same operation with 10, 1,000 and 10,000 holders.
  const claims: Record<number, number> = {};
  const firstClaims: Record<number, number> = {};
  await usdc.mint(holder.address, 1n); // the receiver's token balance slot already exists in every case
  for (const [id, n] of [
    [10n, 10],
    [1_000n, 1_000],
    [10_000n, 10_000],
  ] as const) {
    await asset(id, n - 1);
    await distributor.connect(payer).deposit(id, u, e6(1_000n));
    firstClaims[n] = await used(distributor.connect(holder).claim(id, u, holder.address));
    await distributor.connect(payer).deposit(id, u, e6(1_000n));
    claims[n] = await used(distributor.connect(holder).claim(id, u, holder.address));
    gas[`income.claim.holders${n}`] = claims[n];
  }

  // Redeem: a holder with unclaimed income in one payout token redeems after a buyout.
  const a2 = 2n;
  await asset(a2, 9);
  await distributor.connect(payer).deposit(a2, u, e6(1_000n));
  await distributor.connect(agent).depositBuyout(a2, u, e6(1_000_000n));
  gas["income.redeem"] = await used(distributor.connect(holder).redeem(a2, holder.address));

  // Share transfer through the hook with 0, 1 and 4 payout tokens registered (each with income).
  const extra: string[] = [];
  for (let i = 0; i < 3; i++) {
    const t = await ethers.deployContract("MockPayoutToken", [`T${i}`, `T${i}`, 18]);
    await distributor.setPayoutToken(await t.getAddress(), true);
    await t.mint(payer.address, e18(1_000n));
    await t.connect(payer).approve(d, ethers.MaxUint256);
    extra.push(await t.getAddress());
  }
  for (const [id, count] of [
    [100n, 0],
    [101n, 1],
    [104n, 4],
  ] as const) {
    const shares = await ethers.deployContract("MockAssetShares", [await registry.getAddress(), d, id]);
    await registry.setAsset(id, agent.address, 1, await shares.getAddress());
    await shares.connect(agent).mint(holder.address, e18(10n));
    await shares.connect(agent).mint(payer.address, e18(10n));
    const tokens = [u, ...extra].slice(0, count);
    for (const t of tokens) {
      await distributor.connect(agent).registerPayoutToken(id, t);
      await distributor.connect(payer).deposit(id, t, t === u ? e6(100n) : e18(100n));
    }
    await shares.connect(holder).transfer(payer.address, e18(1n)); // both correction slots exist
    gas[`income.sharesTransfer.tokens${count}`] = await used(shares.connect(holder).transfer(payer.address, e18(1n)));
  }

  const values = Object.values(claims);
  const spread = Math.max(...values) - Math.min(...values);
  return {
    gas,
    notes: [
      `claim is O(1): ${claims[10]} / ${claims[1000]} / ${claims[10000]} gas with 10 / 1,000 / 10,000 holders (spread ${spread} gas, from calldata bytes of the asset id only).`,
      `First claim of a holder on an asset (fresh withdrawn and claimed slots): ${firstClaims[10]} / ${firstClaims[1000]} / ${firstClaims[10000]} gas; the keys are a repeat claim after a further deposit.`,
      "Holders created with the test-only MockAssetShares.batchMint (hook called per mint, 300 mints per tx, before any deposit).",
      "income.deposit and income.deposit.eth are steady-state deposits (payout token already registered for the asset; first deposit of a token adds one array push).",
      "Every deposit carries the reserve's and the fee's fractions below one unit to the next deposit (two more field writes in the reserve and fee slots, and the split's arithmetic: about 1,800 gas, +1.9 % on income.deposit and +2.2 % on income.deposit.eth), so that splitting a deposit, or collecting rent often, shaves neither.",
      `Custody per asset: deposits go to the asset's income AssetVault (ETH is forwarded to it) and every payout is one call to it. The asset's first deposit deploys that clone: ${firstDeposit} gas for the first USDC deposit of an asset (the clone deployment plus the first writes of the asset's share-token cache, accounting slots and the vault's token balance).`,
      "income.depositFromSource is a steady-state deposit by a controller (test double VaultIncomeSource) of income held in its own AssetVault clone of the asset: the distributor calls it back (IIncomeSource.payIncome) and the source's vault pays the distributor's vault directly, one token transfer instead of vault -> controller, approve, then deposit's transferFrom.",
      "income.redeem burns the whole balance through the share token's redeemFor and pays proceeds plus unclaimed income (two payout tokens registered, one with income).",
      "income.sharesTransfer.tokensN: a whole share-token transfer (test-double token) including the distributor hook with N payout tokens registered; the hook adds about 15,500 gas per registered token (token list slot, per-share figure and two correction slots, all cold), bounded by MAX_PAYOUT_TOKENS = 4.",
    ],
  };
};
