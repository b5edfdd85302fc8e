/**
 * The one suite fixture: the PRODUCTION deployment (the Ignition modules of deploy/suite.ts, through
 * scripts/operator/deploy/lib.ts `deploySuite`: CREATE2 through CreateX, governance's wiring calls) executed
 * on a Hardhat connection (the in-process chain for tests, the bench and the parallel report), with
 * the typed contracts and the role accounts of the parameters.
 *
 * Parameters: deploy/parameters/localhost.json (accounts of Hardhat's default mnemonic: #0 deploys
 * and holds no role, #1 governance, #2 KYC agent, #3 fee recipient, #4 manufacturer, #5 its signing
 * authority, #6 issuer, #7 default arbiter), except the accepted token: a MockPayoutToken the fixture
 * deploys first (from #0) and names in `acceptedTokens`. `parameters` overrides any entry.
 *
 * Nothing is registered, minted or approved: that is each caller's scenario.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";
import { loadParameters, type PlinthParameters } from "../../deploy/config.js";
import type {
  AssetRegistry,
  DeviceRegistry,
  DeviceToken,
  IdentityRegistry,
  IncomeDistributor,
  AssetVaults,
  DisputeModule,
  MaintenanceCustody,
  MaintenanceEvidence,
  MaintenanceOrders,
  MockPayoutToken,
  RentalCustody,
  RentalClaims,
  RentalEscrow,
  RentalMarket,
  RentalMeter,
  ShareFactory,
} from "../../types/ethers-contracts/index.js";
import type { DeployResult } from "../operator/deploy/lib.js";

/** The accounts the parameters give roles to (and the deployer, which holds none). */
export interface SuiteRoles {
  deployer: HardhatEthersSigner;
  governance: HardhatEthersSigner;
  kycAgent: HardhatEthersSigner;
  feeRecipient: HardhatEthersSigner;
  manufacturer: HardhatEthersSigner;
  /** The manufacturer's registration-signing authority. */
  manufacturerSigner: HardhatEthersSigner;
  issuer: HardhatEthersSigner;
  arbiter: HardhatEthersSigner;
}

export interface DeployedSuite {
  devices: DeviceRegistry;
  deviceToken: DeviceToken;
  assets: AssetRegistry;
  identity: IdentityRegistry;
  distributor: IncomeDistributor;
  /** The per-asset vaults the distributor shares with the maintenance and rental custodies (created by it). */
  assetVaults: AssetVaults;
  factory: ShareFactory;
  /** The mock ERC-20 accepted by the distributor and both escrows (the parameters' accepted token). */
  payoutToken: MockPayoutToken;
  /** Maintenance work orders (the maintenance part's entry point). */
  escrow: MaintenanceOrders;
  /** Release of maintenance milestones by evidence (created by `escrow`). */
  maintenanceEvidence: MaintenanceEvidence;
  /** Custody and payouts of maintenance money (created by `escrow`). */
  maintenanceCustody: MaintenanceCustody;
  /** The dispute module deciding challenged maintenance claims. */
  disputes: DisputeModule;
  /** Rental offers, signed offers and configuration (governance); creates `rental`. */
  rentalMarket: RentalMarket;
  /** Rental agreements (opened by `rentalMarket` only). */
  rental: RentalEscrow;
  rentalCustody: RentalCustody;
  /** Damage claims on rental deposits and their disputes (created by `rental`). */
  rentalClaims: RentalClaims;
  /** The meters of metered agreements (created by `rental`). */
  rentalMeter: RentalMeter;
  roles: SuiteRoles;
  /** The parameters the suite was deployed with. */
  parameters: PlinthParameters;
  /** What the deployment returned (addresses, record). */
  deployment: DeployResult;
}

export interface SuiteFixtureOptions {
  /** The mock payout token (default USD Coin / USDC / 6 decimals). */
  payoutToken?: { name: string; symbol: string; decimals: number };
  /** Parameter entries replacing those of deploy/parameters/localhost.json. */
  parameters?: Partial<PlinthParameters>;
}

/** Deploys the suite as production does, on `connection` (see the module comment). */
export async function deployedSuite(
  connection: NetworkConnection<string>,
  options: SuiteFixtureOptions = {},
): Promise<DeployedSuite> {
  // Imported here: this module is imported by scripts that must not load Hardhat's runtime first.
  const { default: hre } = await import("hardhat");
  const { deploySuite } = await import("../operator/deploy/lib.js");
  const { ethers } = connection;
  const [deployer] = await ethers.getSigners();
  const t = options.payoutToken ?? { name: "USD Coin", symbol: "USDC", decimals: 6 };
  const payoutToken = (await ethers.deployContract(
    "MockPayoutToken",
    [t.name, t.symbol, t.decimals],
    deployer,
  )) as unknown as MockPayoutToken;
  await payoutToken.waitForDeployment();
  const parameters: PlinthParameters = {
    ...loadParameters("localhost"),
    acceptedTokens: [await payoutToken.getAddress()],
    ...options.parameters,
  };
  const deployment = await deploySuite(hre, connection, parameters, {
    networkName: connection.networkName,
    writeFiles: false,
  });
  const at = async <T>(name: string, address: string | undefined): Promise<T> => {
    if (address === undefined) throw new Error(`suite fixture: ${name} was not deployed (is it compiled?)`);
    return (await ethers.getContractAt(name, address)) as unknown as T;
  };
  const a = deployment.addresses;
  const devices = await at<DeviceRegistry>("DeviceRegistry", a.DeviceRegistry);
  const signer = (address: string) => ethers.getSigner(address);
  const manufacturer = parameters.manufacturers[0];
  if (manufacturer === undefined) throw new Error("suite fixture: the parameters admit no manufacturer");
  return {
    devices,
    deviceToken: await at<DeviceToken>("DeviceToken", await devices.deviceToken()),
    assets: await at<AssetRegistry>("AssetRegistry", a.AssetRegistry),
    identity: await at<IdentityRegistry>("IdentityRegistry", a.IdentityRegistry),
    distributor: await at<IncomeDistributor>("IncomeDistributor", a.IncomeDistributor),
    assetVaults: await at<AssetVaults>("AssetVaults", a.AssetVaults),
    factory: await at<ShareFactory>("ShareFactory", a.ShareFactory),
    payoutToken,
    escrow: await at<MaintenanceOrders>("MaintenanceOrders", a.MaintenanceOrders),
    maintenanceEvidence: await at<MaintenanceEvidence>("MaintenanceEvidence", a.MaintenanceEvidence),
    maintenanceCustody: await at<MaintenanceCustody>("MaintenanceCustody", a.MaintenanceCustody),
    disputes: await at<DisputeModule>("DisputeModule", a.DisputeModule),
    rentalMarket: await at<RentalMarket>("RentalMarket", a.RentalMarket),
    rental: await at<RentalEscrow>("RentalEscrow", a.RentalEscrow),
    rentalCustody: await at<RentalCustody>("RentalCustody", a.RentalCustody),
    rentalClaims: await at<RentalClaims>("RentalClaims", a.RentalClaims),
    rentalMeter: await at<RentalMeter>("RentalMeter", a.RentalMeter),
    roles: {
      deployer,
      governance: await signer(parameters.governance),
      kycAgent: await signer(parameters.kycAgents[0] ?? parameters.governance),
      feeRecipient: await signer(parameters.feeRecipient),
      manufacturer: await signer(manufacturer.manufacturer),
      manufacturerSigner: await signer(manufacturer.signer),
      issuer: await signer(parameters.issuers[0] ?? parameters.governance),
      arbiter: await signer(parameters.defaultArbiter),
    },
    parameters,
    deployment,
  };
}

const snapshots = new WeakMap<object, { id: string; suite: DeployedSuite }>();

/**
 * The suite as it is right after its deployment, for fixtures that build on one another. The
 * suite's addresses are CREATE2 addresses (the same parameters give the same addresses), so a
 * second `deployedSuite` on the same chain adopts the first suite, with whatever state it reached,
 * instead of deploying a fresh one. This deploys once per connection and takes a snapshot; every
 * later call reverts the chain to that snapshot (everything sent after it is undone) and returns the
 * same contracts. When the snapshot was reverted past, it deploys again. Options count on the first
 * call only.
 */
export async function freshSuite(
  connection: NetworkConnection<string>,
  options: SuiteFixtureOptions = {},
): Promise<DeployedSuite> {
  const saved = snapshots.get(connection);
  if (saved !== undefined) {
    const reverted = (await connection.provider.request({ method: "evm_revert", params: [saved.id] })) as boolean;
    if (reverted) {
      saved.id = (await connection.provider.request({ method: "evm_snapshot" })) as string;
      return saved.suite;
    }
  }
  const suite = await deployedSuite(connection, options);
  snapshots.set(connection, { id: (await connection.provider.request({ method: "evm_snapshot" })) as string, suite });
  return suite;
}
