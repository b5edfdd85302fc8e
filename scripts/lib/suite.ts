/**
 * LEGACY, kept only for the operator-task tests (test/tasks/harness.ts and the `Suite` type of
 * test/tasks/*.test.ts): remove it once they run on the suite fixture. Everything else (the
 * integration tests, the attack and event regressions of test/attacks/world.ts, the bench, the
 * parallel report) deploys the suite through scripts/lib/fixture.ts, i.e. the production Ignition
 * modules of deploy/suite.ts; this file is a second, hand-written deployment that can drift from it.
 *
 * The whole Plinth suite with the REAL contracts, deployed by plain `deployContract` calls:
 * DeviceRegistry (+ its DeviceToken), AssetRegistry, IdentityRegistry, IncomeDistributor (income held
 * in one IncomeVault clone per asset, created by the distributor), ShareFactory (SharesBlueprint ->
 * AssetShares, the distributor as the shares' income hook), a mock ERC-20 payout token,
 * MaintenanceEscrow (MaintenanceTerms library, MaintenanceVault clones per asset) and RentalEscrow
 * (+ its RentalSettlement module).
 *
 * Wiring: ISSUER_ROLE, SHARE_FACTORY_ROLE, BUYOUT_ROLE (distributor) and LEASE_MANAGER_ROLE (rental
 * escrow) on the asset registry; KYC_AGENT_ROLE on the identity registry; the payout token accepted by
 * the distributor and both escrows (optionally ETH by the rental escrow); RESERVE_SPENDER_ROLE on the
 * distributor for the maintenance escrow; LEASE_MANAGER_ROLE on the device registry for the rental
 * escrow; one manufacturer admitted; the device registry pointed at the asset registry.
 *
 * Contracts are deployed by the connection's default signer, in a fixed order (addresses are stable
 * across callers); every wiring transaction is sent by `governance`. Nothing is registered, minted or
 * approved: that is each caller's scenario.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { ZeroAddress } from "ethers";
import type {
  AssetRegistry,
  DeviceRegistry,
  DeviceToken,
  IdentityRegistry,
  IncomeDistributor,
  MaintenanceEscrow,
  MaintenanceTerms,
  MockPayoutToken,
  RentalEscrow,
  ShareFactory,
} from "../../types/ethers-contracts/index.js";
import { deployAssetStack } from "../assets/lib.js";
import { deployRentalEscrow } from "../rental/lib.js";

export interface SuiteOptions {
  /** Admin of every contract; sends every wiring transaction. */
  governance: HardhatEthersSigner;
  /** Receives the distributor's and the rental escrow's fees. */
  feeRecipient: string;
  /** Granted ISSUER_ROLE on the asset registry. */
  issuer: string;
  /** Granted KYC_AGENT_ROLE on the identity registry. */
  kycAgent: string;
  /** Admitted manufacturer, and the key that signs its registrations (default: the manufacturer). */
  manufacturer: { account: string; signer?: string };
  /** The distributor's protocol fee (default 100 = 1 %). */
  protocolFeeBps?: number | bigint;
  /** The distributor's cap on an asset's reserve rate (default 2,000 = 20 %). */
  maxReserveBps?: number | bigint;
  /** The rental escrow's fee (default 100 = 1 %). */
  rentalFeeBps?: number | bigint;
  /** The rental escrow's default arbiter (default: governance). */
  defaultArbiter?: string;
  /** Whether the rental escrow also accepts ETH (default false). */
  rentalAcceptsEth?: boolean;
  /** The mock ERC-20 payout token (default USD Coin / USDC / 6 decimals). */
  payoutToken?: { name: string; symbol: string; decimals: number };
}

export interface Suite {
  devices: DeviceRegistry;
  deviceToken: DeviceToken;
  assets: AssetRegistry;
  identity: IdentityRegistry;
  distributor: IncomeDistributor;
  factory: ShareFactory;
  /** The mock ERC-20 accepted by the distributor and both escrows. */
  payoutToken: MockPayoutToken;
  /** The MaintenanceTerms library linked into the maintenance escrow. */
  maintenanceTerms: MaintenanceTerms;
  escrow: MaintenanceEscrow;
  rental: RentalEscrow;
}

/** Deploys the real suite and wires it as in production (see the module comment). */
export async function deploySuite(ethers: HardhatEthers, o: SuiteOptions): Promise<Suite> {
  const gov = o.governance;
  const devices = (await ethers.deployContract("DeviceRegistry", [gov.address])) as unknown as DeviceRegistry;
  const deviceToken = (await ethers.getContractAt(
    "DeviceToken",
    await devices.deviceToken(),
  )) as unknown as DeviceToken;
  // The distributor needs the registry and the share factory needs the distributor (income hook):
  // the asset stack deploys it in between.
  const income: { distributor?: IncomeDistributor } = {};
  const {
    registry: assets,
    identity,
    factory,
  } = await deployAssetStack(
    ethers,
    gov,
    async (registry) => {
      income.distributor = (await ethers.deployContract("IncomeDistributor", [
        await registry.getAddress(),
        gov.address,
        o.feeRecipient,
        o.protocolFeeBps ?? 100,
        o.maxReserveBps ?? 2_000,
      ])) as unknown as IncomeDistributor;
      return income.distributor.getAddress();
    },
    (await ethers.getSigners())[0], // the connection's default signer deploys, like every contract here
  );
  const distributor = income.distributor;
  if (distributor === undefined) throw new Error("deploySuite: the income distributor was not deployed");
  const t = o.payoutToken ?? { name: "USD Coin", symbol: "USDC", decimals: 6 };
  const payoutToken = (await ethers.deployContract("MockPayoutToken", [
    t.name,
    t.symbol,
    t.decimals,
  ])) as unknown as MockPayoutToken;
  const maintenanceTerms = (await ethers.deployContract("MaintenanceTerms")) as unknown as MaintenanceTerms;
  const escrow = (await ethers.deployContract(
    "MaintenanceEscrow",
    [gov.address, await assets.getAddress(), await devices.getAddress(), await distributor.getAddress()],
    { libraries: { MaintenanceTerms: await maintenanceTerms.getAddress() } },
  )) as unknown as MaintenanceEscrow;
  const rental = await deployRentalEscrow(ethers, {
    governance: gov.address,
    assetRegistry: await assets.getAddress(),
    deviceRegistry: await devices.getAddress(),
    distributor: await distributor.getAddress(),
    feeRecipient: o.feeRecipient,
    defaultArbiter: o.defaultArbiter ?? gov.address,
    feeBps: Number(o.rentalFeeBps ?? 100),
  });

  const token = await payoutToken.getAddress();
  await assets.connect(gov).grantRole(await assets.ISSUER_ROLE(), o.issuer);
  await assets.connect(gov).grantRole(await assets.BUYOUT_ROLE(), await distributor.getAddress());
  await identity.connect(gov).grantRole(await identity.KYC_AGENT_ROLE(), o.kycAgent);
  await distributor.connect(gov).setPayoutToken(token, true);
  await distributor.connect(gov).grantRole(await distributor.RESERVE_SPENDER_ROLE(), await escrow.getAddress());
  await escrow.connect(gov).setTokenAllowed(token, true);
  await rental.connect(gov).setTokenAllowed(token, true);
  if (o.rentalAcceptsEth) await rental.connect(gov).setTokenAllowed(ZeroAddress, true);
  await assets.connect(gov).grantRole(await assets.LEASE_MANAGER_ROLE(), await rental.getAddress());
  await devices.connect(gov).grantRole(await devices.LEASE_MANAGER_ROLE(), await rental.getAddress());
  await devices.connect(gov).admitManufacturer(o.manufacturer.account, o.manufacturer.signer ?? o.manufacturer.account);
  await devices.connect(gov).setAssetRegistry(await assets.getAddress());

  return {
    devices,
    deviceToken,
    assets,
    identity,
    distributor,
    factory,
    payoutToken,
    maintenanceTerms,
    escrow,
    rental,
  };
}
