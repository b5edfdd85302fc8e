import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type {
  AssetRegistry,
  AssetShares,
  IdentityRegistry,
  MockIncomeHooks,
  MockTransferRule,
  ShareFactory,
} from "../../types/ethers-contracts/index.js";

export const DE = 276;
export const US = 840;
export const FR = 250;
export const SOLAR = 0;
export const YEAR = 365 * 24 * 3600;

/** Status values of IAssetRegistry.AssetStatus. */
export const Status = { None: 0n, Active: 1n, Frozen: 2n, Retired: 3n } as const;
/** AssetShares.Op */
export const Op = { Transfer: 0, Mint: 1, Burn: 2, Forced: 3, Recovery: 4, Redeem: 5 } as const;

/**
 * The asset stack with distinct parties: governance, issuer (ISSUER_ROLE), agent, KYC agent, lease
 * manager, buyout (BUYOUT_ROLE, stands for the income distributor), investors alice/bob/carol (DE)
 * and dave (US), erin (no identity), outsider. One solar asset is registered, shares created (18
 * decimals) with a recording income hook.
 */
export async function deployFixture(ethers: HardhatEthers) {
  const [gov, issuer, agent, kyc, leaseManager, buyout, alice, bob, carol, dave, erin, outsider] =
    await ethers.getSigners();
  const registry = (await ethers.deployContract("AssetRegistry", [gov.address])) as unknown as AssetRegistry;
  const identity = (await ethers.deployContract("IdentityRegistry", [gov.address])) as unknown as IdentityRegistry;
  const hooks = (await ethers.deployContract("MockIncomeHooks")) as unknown as MockIncomeHooks;
  const rule = (await ethers.deployContract("MockTransferRule")) as unknown as MockTransferRule;
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
  await registry.connect(gov).grantRole(await registry.LEASE_MANAGER_ROLE(), leaseManager.address);
  await registry.connect(gov).grantRole(await registry.BUYOUT_ROLE(), buyout.address);
  await identity.connect(gov).grantRole(await identity.KYC_AGENT_ROLE(), kyc.address);

  const salt = ethers.id("plant-berlin-7");
  const assetId = await registry.computeAssetId(issuer.address, salt);
  await registry.connect(issuer).registerAsset(salt, SOLAR, "0x4445", agent.address, "ipfs://meta");
  await factory.connect(agent).createShares(assetId, "Plant Berlin 7", "PB7", 18);
  const shares = (await ethers.getContractAt(
    "AssetShares",
    await registry.sharesOf(assetId),
  )) as unknown as AssetShares;

  const latest = await ethers.provider.getBlock("latest");
  const expiry = BigInt(latest!.timestamp + YEAR);
  await identity
    .connect(kyc)
    .setIdentities(
      [alice.address, bob.address, carol.address, dave.address],
      [DE, DE, DE, US],
      [expiry, expiry, expiry, expiry],
    );

  return {
    registry,
    identity,
    hooks,
    rule,
    factory,
    shares,
    assetId,
    salt,
    expiry,
    gov,
    issuer,
    agent,
    kyc,
    leaseManager,
    buyout,
    alice,
    bob,
    carol,
    dave,
    erin,
    outsider,
  };
}

/** Fixture plus 1,000 shares minted to alice and 500 to bob. */
export async function fundedFixture(ethers: HardhatEthers) {
  const f = await deployFixture(ethers);
  await f.shares.connect(f.agent).mint(f.alice.address, ethers.parseEther("1000"));
  await f.shares.connect(f.agent).mint(f.bob.address, ethers.parseEther("500"));
  return f;
}
