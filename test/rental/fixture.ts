/** Shared deployment of the rental market and its escrow against the test doubles (contracts/test/doubles/). */
import { custodyOf, deployRentalEscrow } from "../../scripts/operator/rental/lib.js";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { buildTerms, SubjectKind, type RentalTerms } from "../../client/src/eip712/rental.js";

export const ASSET_ID = 7n;
export const DEVICE_ID = 101n; // bound to ASSET_ID, meters it
export const FREE_DEVICE_ID = 202n; // unbound device
export const METER_KIND = 1;
export const FEE_BPS = 250;
export const DAY = 86_400n;
export const HOUR = 3_600n;
/** assetTerms' default price per second (ETH). */
export const GWEI = 1_000_000_000n;
/** assetTerms' default deposit: 0.01 ETH. */
export const DEPOSIT = 10n ** 16n;

export async function deployRental(ethers: HardhatEthers) {
  const [governance, agent, renter, other, feeRecipient, arbiter, deviceOwner] = await ethers.getSigners();
  const assets = await ethers.deployContract("MockAssetRegistry", [ethers.ZeroAddress]);
  const devices = await ethers.deployContract("MockDeviceRegistry");
  const distributor = await ethers.deployContract("MockIncomeDistributor", [ethers.ZeroAddress, true]);
  const { market, escrow } = await deployRentalEscrow(ethers, {
    governance: governance.address,
    assetRegistry: await assets.getAddress(),
    deviceRegistry: await devices.getAddress(),
    distributor: await distributor.getAddress(),
    feeRecipient: feeRecipient.address,
    defaultArbiter: arbiter.address,
    feeBps: FEE_BPS,
  });
  const escrowAddress = await escrow.getAddress();
  const custody = await custodyOf(escrow);
  const claims = await ethers.getContractAt("RentalClaims", await escrow.claims());
  const meter = await ethers.getContractAt("RentalMeter", await escrow.meter());
  const disputes = await ethers.getContractAt("DisputeModule", await claims.disputes());
  const marketAddress = await market.getAddress();
  await assets.setLeaseManager(escrowAddress);
  await devices.setLeaseManager(escrowAddress);
  await assets.setAsset(ASSET_ID, agent.address, 1, ethers.ZeroAddress); // Active
  await devices.setDevice(DEVICE_ID, deviceOwner.address, 1, ASSET_ID); // Active
  await devices.setDevice(FREE_DEVICE_ID, deviceOwner.address, 1, 0n);
  const token = await ethers.deployContract("MockPayoutToken", ["USD", "USD", 18]);
  await market.connect(governance).setTokenAllowed(ethers.ZeroAddress, true);
  await market.connect(governance).setTokenAllowed(await token.getAddress(), true);
  for (const s of [renter, other]) {
    await token.mint(s.address, 10n ** 30n);
    await token.connect(s).approve(escrowAddress, ethers.MaxUint256);
  }
  const chainId = (await ethers.provider.getNetwork()).chainId;
  return {
    market,
    marketAddress,
    escrow,
    custody,
    escrowAddress,
    claims,
    meter,
    disputes,
    assets,
    devices,
    distributor,
    token,
    chainId,
    governance,
    agent,
    renter,
    other,
    feeRecipient,
    arbiter,
    deviceOwner,
  };
}

/** ETH asset terms: 1 gwei/s, 1 h - 30 d, deposit 0.01 ETH, grace 1 h. */
export function assetTerms(t: Partial<RentalTerms> = {}): RentalTerms {
  return buildTerms({ subjectKind: SubjectKind.Asset, subjectId: ASSET_ID, ...t });
}

/** Metered asset terms: 1 gwei per unit of DEVICE_ID's METER_KIND readings, at most 100 units per hour. */
export function meterTerms(t: Partial<RentalTerms> = {}): RentalTerms {
  return assetTerms({
    pricePerUnit: 1_000_000_000n,
    meterDeviceId: DEVICE_ID,
    meterKind: METER_KIND,
    meterPeriod: 3600,
    maxUnitsPerPeriod: 100n,
    ...t,
  });
}

/** Publishes `terms` on the market as `owner` and returns the offer id. */
export async function publish(
  market: Awaited<ReturnType<typeof deployRental>>["market"],
  owner: HardhatEthersSigner,
  terms: RentalTerms,
): Promise<string> {
  const tx = await market.connect(owner).publishOffer(terms);
  const receipt = await tx.wait();
  for (const log of receipt!.logs) {
    const parsed = market.interface.parseLog(log);
    if (parsed?.name === "OfferPublished") return parsed.args.offerId as string;
  }
  throw new Error("no OfferPublished event");
}

/** Id of the `nonce`-th agreement on a subject. */
export async function idOf(
  escrow: Awaited<ReturnType<typeof deployRental>>["escrow"],
  kind: number,
  subjectId: bigint,
  nonce: bigint,
): Promise<string> {
  return escrow.agreementId(kind, subjectId, nonce);
}
