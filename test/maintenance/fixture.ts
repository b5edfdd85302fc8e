/**
 * Shared deployment for the maintenance tests: MaintenanceOrders (`escrow`, the part's entry point), the
 * MaintenanceEvidence and MaintenanceCustody it creates, and the dispute module, on top of test doubles of
 * the asset registry, the device registry and the income distributor, an allowlisted token, funded
 * parties (who approve the custody) and an ERC-1271 inspector wallet.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import hre from "hardhat";
import { Comparator, SlashTo, bidDomain, inspectionDomain } from "../../client/src/eip712/maintenance.js";
import { ReadingKinds } from "../../client/src/enums.js";
import type { NewOrder } from "../../scripts/operator/maintenance/lib.js";

/**
 * Coverage instrumentation inflates bytecode past 24,576 bytes; Hardhat lifts the limit under
 * `--coverage` by itself, and the size test is skipped there.
 */
export const UNDER_COVERAGE = hre.globalOptions.coverage;

export const ASSET = 1n;
export const OTHER_ASSET = 2n;
export const DEVICE = 7n;
export const OTHER_DEVICE = 8n;
export const KIND_SELFTEST = ReadingKinds.SELF_TEST;
export const BUDGET = 1_000n * 10n ** 18n;
export const BOND = 100n * 10n ** 18n;
export const RESERVE = 10_000n * 10n ** 18n;
export const DAY = 86_400;
export const HOUR = 3_600;

/** Order terms as tests pass them: the same shape the maintenance scripts take. */
export type OrderArgs = NewOrder;
export type PolicyArgs = NewOrder["policy"];

/**
 * Deploys the maintenance part on the given registries and distributor: a DisputeModule, then
 * MaintenanceOrders (`escrow`), which creates its MaintenanceEvidence and MaintenanceCustody, named by the
 * distributor (a MockIncomeDistributor) as the custody its vaults trust.
 */
export async function deployMaintenanceOn(
  ethers: HardhatEthers,
  governance: string,
  assetRegistry: string,
  deviceRegistry: string,
  distributor: string,
) {
  const disputes = await ethers.deployContract("DisputeModule");
  const escrow = await ethers.deployContract("MaintenanceOrders", [
    governance,
    assetRegistry,
    deviceRegistry,
    distributor,
    await disputes.getAddress(),
  ]);
  const evidence = await ethers.getContractAt("MaintenanceEvidence", await escrow.evidence());
  const custody = await ethers.getContractAt("MaintenanceCustody", await escrow.custody());
  // A distributor whose vaults trust no custody yet names this one (governance; anyone for the test double).
  const vaults = await ethers.getContractAt(
    "AssetVaults",
    await (await ethers.getContractAt("IIncomeLedger", distributor)).vaults(),
  );
  if (!(await vaults.vaultsReady())) {
    const ledger = await ethers.getContractAt("IIncomeLedger", distributor, await ethers.getSigner(governance));
    await ledger.setCustodians(await custody.getAddress(), ethers.ZeroAddress);
  }
  return { escrow, evidence, custody, disputes };
}

export async function deployMaintenance(ethers: HardhatEthers) {
  const [gov, agent, payer, provider, provider2, inspector1, inspector2, walletOwner, arbiter, stranger] =
    await ethers.getSigners();
  const token = await ethers.deployContract("MockPayoutToken", ["Test USD", "TUSD", 18]);
  const assets = await ethers.deployContract("MockAssetRegistry", [ethers.ZeroAddress]);
  const devices = await ethers.deployContract("MockDeviceRegistry");
  const distributor = await ethers.deployContract("MockIncomeDistributor", [gov.address, false]);
  const { escrow, evidence, custody, disputes } = await deployMaintenanceOn(
    ethers,
    gov.address,
    await assets.getAddress(),
    await devices.getAddress(),
    await distributor.getAddress(),
  );
  const escrowAddress = await escrow.getAddress();
  const custodyAddress = await custody.getAddress();
  const wallet = await ethers.deployContract("MockERC1271Wallet", [walletOwner.address]);

  await assets.setAsset(ASSET, agent.address, 1, ethers.ZeroAddress);
  await assets.setAsset(OTHER_ASSET, stranger.address, 1, ethers.ZeroAddress);
  await devices.setDevice(DEVICE, ethers.ZeroAddress, 1, ASSET);
  await devices.setDevice(OTHER_DEVICE, ethers.ZeroAddress, 1, OTHER_ASSET);
  await devices.setReading(DEVICE, KIND_SELFTEST, 5, 1, 1); // history before any order
  await distributor.grantRole(await distributor.RESERVE_SPENDER_ROLE(), custodyAddress);
  await escrow.connect(gov).setTokenAllowed(await token.getAddress(), true);

  for (const s of [payer, provider, provider2, agent, stranger]) {
    await token.mint(s.address, 100_000n * 10n ** 18n);
    await token.connect(s).approve(custodyAddress, ethers.MaxUint256);
  }
  await token.connect(agent).approve(await distributor.getAddress(), ethers.MaxUint256);
  await distributor.connect(agent).fundReserve(ASSET, await token.getAddress(), RESERVE);

  const chainId = (await ethers.provider.getNetwork()).chainId;
  /** Inspectors sign under MaintenanceEvidence's domain, providers' bids under MaintenanceOrders'. */
  const domain = inspectionDomain(chainId, await evidence.getAddress());
  const bidDomainOf = bidDomain(chainId, escrowAddress);
  return {
    gov,
    agent,
    payer,
    provider,
    provider2,
    inspector1,
    inspector2,
    walletOwner,
    arbiter,
    stranger,
    token,
    assets,
    devices,
    distributor,
    escrow,
    evidence,
    custody,
    disputes,
    wallet,
    domain,
    bidDomain: bidDomainOf,
    chainId,
  };
}

export function policy(overrides: Partial<PolicyArgs> = {}): PolicyArgs {
  return {
    arbiter: "0x0000000000000000000000000000000000000000",
    k: 1,
    useDevice: true,
    optimistic: false,
    cmp: Comparator.EQ,
    defaultRuling: 0,
    kind: KIND_SELFTEST,
    threshold: 0n,
    challengeWindow: 0,
    disputeTimeout: 0,
    ...overrides,
  };
}

export function orderArgs(now: number, token: string, provider: string, overrides: Partial<OrderArgs> = {}): OrderArgs {
  return {
    assetId: ASSET,
    deviceId: DEVICE,
    token,
    budget: BUDGET,
    bond: BOND,
    provider,
    acceptBy: now + DAY,
    completeBy: now + 7 * DAY,
    fromReserve: false,
    slashTo: SlashTo.Payer,
    policy: policy(),
    inspectors: [],
    milestoneBps: [],
    salt: "0x" + "11".repeat(32),
    ...overrides,
  };
}

export type Signer = HardhatEthersSigner;

/** The maintenance world of {deployMaintenance}. */
export type MaintenanceWorld = Awaited<ReturnType<typeof deployMaintenance>>;

/**
 * Creates an order from `from` (default the payer) with {orderArgs} as of the latest block, and
 * returns its id (read with staticCall first) and arguments.
 */
export async function createOrderOn(
  f: MaintenanceWorld,
  overrides: Partial<OrderArgs> = {},
  from: Signer = f.payer,
): Promise<{ id: string; args: OrderArgs }> {
  const block = await f.escrow.runner!.provider!.getBlock("latest");
  const args = orderArgs(block!.timestamp, await f.token.getAddress(), f.provider.address, overrides);
  const id = await f.escrow.connect(from).createOrder.staticCall(args);
  await f.escrow.connect(from).createOrder(args);
  return { id, args };
}
