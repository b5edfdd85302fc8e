/**
 * Gas of the asset registry and share token operations (issue 4, ownership side).
 *
 * The share token's income hook is the real IncomeDistributor with one payout token (USDC, 6
 * decimals) registered and income already deposited, so every figure includes the distributor's
 * correction bookkeeping, as in production.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AreaBench } from "./types.js";
import type {
  AssetRegistry,
  AssetShares,
  IdentityRegistry,
  ShareFactory,
} from "../../../types/ethers-contracts/index.js";

export const bench: AreaBench = async (connection) => {
  const { ethers } = connection;
  const [gov, issuer, agent, kyc, alice, bob, carol, dave, feeRecipient] = await ethers.getSigners();
  const gasOf = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) =>
    Number((await (await tx).wait())!.gasUsed);

  const registry = (await ethers.deployContract("AssetRegistry", [gov.address])) as unknown as AssetRegistry;
  const identity = (await ethers.deployContract("IdentityRegistry", [gov.address])) as unknown as IdentityRegistry;
  const hooks = await ethers.deployContract("IncomeDistributor", [
    await registry.getAddress(),
    gov.address,
    feeRecipient.address,
    100,
    2_000,
  ]);
  const rule = await ethers.deployContract("MockTransferRule");
  const blueprint = await ethers.deployContract("SharesBlueprint");
  const factory = (await ethers.deployContract("ShareFactory", [
    gov.address,
    await registry.getAddress(),
    await identity.getAddress(),
    await hooks.getAddress(),
    await blueprint.getAddress(),
  ])) as unknown as ShareFactory;
  await registry.connect(gov).grantRole(await registry.ISSUER_ROLE(), issuer.address);
  await registry.connect(gov).grantRole(await registry.SHARE_FACTORY_ROLE(), await factory.getAddress());
  await identity.connect(gov).grantRole(await identity.KYC_AGENT_ROLE(), kyc.address);
  await hooks.connect(gov).setCustodians(ethers.ZeroAddress, ethers.ZeroAddress);

  const gas: Record<string, number> = {};
  const salt = ethers.id("bench-plant");
  const assetId = await registry.computeAssetId(issuer.address, salt);
  gas["assets.register"] = await gasOf(
    registry
      .connect(issuer)
      .registerAsset(
        salt,
        0,
        "0x4445",
        agent.address,
        "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
      ),
  );
  gas["assets.document.add"] = await gasOf(
    registry
      .connect(agent)
      .addDocument(
        assetId,
        ethers.id("deed"),
        "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/deed.pdf",
      ),
  );
  gas["shares.create"] = await gasOf(factory.connect(agent).createShares(assetId, "Plant Berlin 7", "PB7", 18));
  const shares = (await ethers.getContractAt(
    "AssetShares",
    await registry.sharesOf(assetId),
  )) as unknown as AssetShares;

  const now = (await ethers.provider.getBlock("latest"))!.timestamp;
  const expiry = BigInt(now + 10 * 365 * 86400);
  const wallets = [alice, bob, carol, dave].map((s) => s.address);
  gas["identity.onboard.batch4"] = await gasOf(
    identity.connect(kyc).setIdentities(wallets, [276, 276, 276, 276], [expiry, expiry, expiry, expiry]),
  );

  // Every rule on: eligibility, a blocked country, maximum holders, investor cap, a past lock-up, a
  // mint lock period (expired by the time of the transfer) and one external rule that passes.
  const s = shares.connect(agent);
  await s.setCountryBlocked(840, true);
  await s.setMaxHolders(1000);
  await s.setInvestorCap(ethers.parseEther("1000000"));
  await s.setLockup(BigInt(now + 10));
  await s.setMintLockPeriod(10);
  await s.addRule(await rule.getAddress());

  gas["shares.mint"] = await gasOf(s.mint(alice.address, ethers.parseEther("1000")));
  await s.mint(bob.address, ethers.parseEther("1000"));
  // Income in one payout token has accrued, so each balance move updates the holders' corrections.
  const usdc = await ethers.deployContract("MockPayoutToken", ["USD Coin", "USDC", 6]);
  await hooks.connect(gov).setPayoutToken(await usdc.getAddress(), true);
  await hooks.connect(agent).registerPayoutToken(assetId, await usdc.getAddress());
  await usdc.mint(agent.address, 1_000_000_000n);
  await usdc.connect(agent).approve(await hooks.getAddress(), 1_000_000_000n);
  await hooks.connect(agent).deposit(assetId, await usdc.getAddress(), 1_000_000_000n);
  await connection.networkHelpers.time.increase(3600);

  // The first move of each holder after income accrued creates its correction slot in the distributor
  // (zero to nonzero: 2 x 17,100 gas more than an update), once per holder and payout token: reported
  // apart. Steady state (the key): both holders already hold shares and have moved shares since the
  // income, as in income.sharesTransfer.tokensN; each transaction is fresh (every slot cold).
  gas["shares.transfer.compliant.firstAfterIncome"] = await gasOf(
    shares.connect(alice).transfer(bob.address, ethers.parseEther("1")),
  );
  gas["shares.transfer.compliant"] = await gasOf(shares.connect(alice).transfer(bob.address, ethers.parseEther("1")));
  gas["shares.transfer.compliant.newHolder"] = await gasOf(
    shares.connect(alice).transfer(carol.address, ethers.parseEther("1")),
  );
  gas["shares.transfer.forced"] = await gasOf(s.forcedTransfer(alice.address, bob.address, ethers.parseEther("1")));
  await s.freezePartial(bob.address, ethers.parseEther("10"));
  gas["shares.recovery"] = await gasOf(s.recover(bob.address, dave.address));

  // The line-by-line account of the compliant transfer (contracts/assets/GAS.md), one level below this area.
  const explanation = readFileSync(join(process.cwd(), "contracts", "assets", "GAS.md"), "utf8").replace(
    /^(#+) /gm,
    "##$1 ",
  );
  if (!explanation.includes(gas["shares.transfer.compliant"]!.toLocaleString("en-US"))) {
    // The account is traced by hand: when the figure moves, say so instead of showing a stale account.
    console.warn(
      `bench shares: contracts/assets/GAS.md does not mention shares.transfer.compliant = ${gas["shares.transfer.compliant"]}; retrace it`,
    );
  }
  return {
    gas,
    explanation,
    notes: [
      "Income hook = the real IncomeDistributor, one payout token (USDC) registered with income accrued: each balance move includes the distributor's per-holder corrections (about 12-15k gas of the transfer figures).",
      "shares.transfer.compliant: between two existing holders, all rules on (eligibility of both sides, country block list, max holders, investor cap, expired lock-up and mint lock, one external rule), both holders' income correction slots already written (steady state); contracts/assets/GAS.md explains the figure line by line (copied below).",
      "shares.transfer.compliant.firstAfterIncome: the same transfer as the first move of both holders after income accrued: the distributor creates their correction slots (2 x 17,100 gas more, once per holder and payout token).",
      "shares.recovery moves a balance with a frozen part to a fresh wallet; shares.mint mints to a new holder with a mint lock period on.",
      "shares.create deploys a minimal clone (ERC-1167 with immutable args, CREATE2) of the SharesBlueprint implementation and initializes it.",
    ],
  };
};
