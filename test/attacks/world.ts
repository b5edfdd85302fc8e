/**
 * The whole Plinth system with the REAL contracts, deployed as in production, for the attack
 * regressions: the suite fixture (scripts/lib/fixture.ts `freshSuite`: the Ignition modules of
 * deploy/suite.ts with the parameters of deploy/parameters/localhost.json), with the fees and the
 * rent tokens the regressions count on set explicitly: a 1 % protocol fee (FEE_BPS), a 2.5 % rental
 * fee (RENTAL_FEE_BPS; localhost's is 1 %), rent in USDC or ETH; `arbiter` (the parameters' default
 * arbiter) as the rental escrow's default arbiter.
 *
 * Accounts: the parameters' roles (#1 governance `gov`, #2 `kyc`, #3 `feeRecipient`, #4
 * `manufacturer`, #5 `mfrSigner`, #6 `issuer`, #7 `arbiter`); #8 `agent`, #9 `alice`, #10 `bob`,
 * #11 `carol`, #12 `provider`, #13 `outsider`, #14 `operator`.
 *
 * The suite is deployed once per connection (`freshSuite`): a later `deployWorld` on the same
 * connection reverts the chain to right after that deployment (undoing everything sent since, and
 * dropping snapshots taken since) and builds the world again on it.
 *
 * State after `deployWorld`: one asset (agent `agent`) with 0-decimal shares, 600 / 400 to
 * alice / bob; one secp256k1 device registered, claimed by `operator` and bound to the asset;
 * a 6-decimal USDC allowlisted everywhere; no income yet.
 */
import { ReadingKinds } from "../../client/src/enums.js";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { Wallet, id } from "ethers";
import hre from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import type { AssetShares } from "../../types/ethers-contracts/index.js";
import { freshSuite } from "../../scripts/lib/fixture.js";
import { SubjectKind, buildTerms, rentalDomain, type RentalTerms } from "../../client/src/eip712/rental.js";
import { deviceDomain } from "../../client/src/eip712/devices.js";
import { bidDomain, inspectionDomain } from "../../client/src/eip712/maintenance.js";
import { Secp256k1DeviceSigner } from "../../client/src/signers/devices.js";
import { signedClaim, signedRegistration, type Ctx } from "../devices/helpers.js";
import { orderArgs, type OrderArgs } from "../maintenance/fixture.js";

/**
 * The connection each `ethers` belongs to. The callers hold only `ethers` (`deployWorld(ethers)`),
 * but the production deployment runs on the whole connection (Ignition): every connection opened
 * after this module is loaded (a test file's imports load it before its own `network.create()`) is
 * recorded here, keyed by its `ethers`.
 */
const connections = new WeakMap<HardhatEthers, NetworkConnection<string>>();
hre.hooks.registerHandlers("network", {
  newConnection: async (context, next) => {
    const connection = await next(context);
    // Registered dynamically, this handler runs first: `next` has let the plugins add `ethers` and `ignition`.
    connections.set(connection.ethers, connection);
    return connection;
  },
});

function connectionOf(ethers: HardhatEthers): NetworkConnection<string> {
  const connection = connections.get(ethers);
  if (connection === undefined) {
    throw new Error("deployWorld: this ethers belongs to a connection opened before test/attacks/world.ts was loaded");
  }
  return connection;
}

export const DE = 276;
export const YEAR = 365 * 24 * 3600;
export const DAY = 86_400;
export const FEE_BPS = 100n;
/** The rental escrow's fee (localhost's is 1 %). */
export const RENTAL_FEE_BPS = 250;
export const RESERVE_BPS = 1_000n;
export const KIND_SELFTEST = ReadingKinds.SELF_TEST;
export const USDC = (n: bigint | number) => BigInt(n) * 10n ** 6n;
/**
 * How the world's distributor splits an asset's first income in a token (no carried remainder yet): reserve
 * (RESERVE_BPS), protocol fee (FEE_BPS), holders; in the order of `IncomeDeposited`'s last three arguments.
 */
export const incomeSplit = (amount: bigint): [bigint, bigint, bigint] => {
  const reserve = (amount * RESERVE_BPS) / 10_000n;
  const fee = (amount * FEE_BPS) / 10_000n;
  return [reserve, fee, amount - reserve - fee];
};
export const ETH = "0x0000000000000000000000000000000000000000";

export async function deployWorld(ethers: HardhatEthers) {
  const signers = await ethers.getSigners();
  // As localhost, but with the fees and the ETH rent the regressions count on stated here.
  const suite = await freshSuite(connectionOf(ethers), {
    parameters: { protocolFeeBps: Number(FEE_BPS), rentalFeeBps: RENTAL_FEE_BPS, ethForRent: true },
  });
  const { governance: gov, kycAgent: kyc, feeRecipient, manufacturer, issuer, arbiter } = suite.roles;
  const mfrSigner = suite.roles.manufacturerSigner;
  const [agent, alice, bob, carol, provider, outsider, operator] = signers.slice(8, 15);
  const { devices, deviceToken, assets, identity, distributor, factory, escrow, rental } = suite;
  const evidence = suite.maintenanceEvidence;
  const custody = suite.maintenanceCustody;
  const usdc = suite.payoutToken;
  const u = await usdc.getAddress();

  // The asset, its shares, two investors.
  const salt = id("attack-regressions-asset");
  const assetId = await assets.computeAssetId(issuer.address, salt);
  await assets.connect(issuer).registerAsset(salt, 0, "0x4445", agent.address, "ipfs://asset");
  const sharesAddress = await factory.predictShares(assetId);
  await factory.connect(agent).createShares(assetId, "Attack Park", "ATK", 0);
  const shares = (await ethers.getContractAt("AssetShares", sharesAddress)) as unknown as AssetShares;
  const { timestamp } = (await ethers.provider.getBlock("latest"))!;
  const expiry = BigInt(timestamp + YEAR);
  const investors = [alice, bob, carol].map((s) => s.address);
  await identity.connect(kyc).setIdentities(investors, [DE, DE, DE], [expiry, expiry, expiry]);
  await shares.connect(agent).mint(alice.address, 600);
  await shares.connect(agent).mint(bob.address, 400);
  await distributor.connect(agent).setReserveRate(assetId, RESERVE_BPS);
  await distributor.connect(agent).registerPayoutToken(assetId, u);
  await distributor.connect(agent).registerPayoutToken(assetId, ETH);

  // The device: registered by its manufacturer, claimed by its operator, bound to the asset.
  const { chainId } = await ethers.provider.getNetwork();
  const ctx: Ctx = {
    ethers,
    registry: devices,
    token: deviceToken,
    domain: deviceDomain(chainId, await devices.getAddress()),
    governance: gov,
    manufacturer,
    mfrSigner,
    operator,
    other: outsider,
    leaseManager: outsider,
    agent,
  };
  const device = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
  const { reg, sig } = await signedRegistration(ctx, device, mfrSigner, "SN-ATK-1");
  await devices.connect(outsider).registerDevice(reg, sig);
  const c = await signedClaim(ctx, device, operator.address);
  await devices.connect(outsider).claim(c.msg.deviceId, c.msg.owner, c.msg.deadline, c.sig);
  await devices.connect(operator).bindToAsset(device.deviceId, assetId);
  await devices.connect(agent).confirmBind(device.deviceId, assetId);

  for (const s of [agent, alice, bob, provider, outsider, carol]) {
    await usdc.mint(s.address, USDC(10_000_000));
    await usdc.connect(s).approve(await distributor.getAddress(), ethers.MaxUint256);
    await usdc.connect(s).approve(await custody.getAddress(), ethers.MaxUint256);
    await usdc.connect(s).approve(await rental.getAddress(), ethers.MaxUint256);
  }

  return {
    ethers,
    chainId,
    devices,
    deviceToken,
    assets,
    identity,
    factory,
    distributor,
    escrow,
    evidence,
    custody,
    disputes: suite.disputes,
    rental,
    rentalCustody: suite.rentalCustody,
    rentalClaims: suite.rentalClaims,
    rentalMeter: suite.rentalMeter,
    rentalMarket: suite.rentalMarket,
    rentalDomain: rentalDomain(chainId, await suite.rentalMarket.getAddress()),
    usdc,
    shares,
    assetId,
    device,
    ctx,
    /** Inspectors sign under MaintenanceEvidence's domain. */
    escrowDomain: inspectionDomain(chainId, await evidence.getAddress()),
    /** Providers sign bids under MaintenanceOrders' domain. */
    bidDomain: bidDomain(chainId, await escrow.getAddress()),
    gov,
    issuer,
    agent,
    kyc,
    manufacturer,
    mfrSigner,
    operator,
    feeRecipient,
    alice,
    bob,
    carol,
    provider,
    outsider,
    arbiter,
  };
}

export type World = Awaited<ReturnType<typeof deployWorld>>;
export type Signer = HardhatEthersSigner;

/**
 * What the income distributor still owes from `assetId`'s vault in `token`: the holders' income not yet claimed
 * (rounding dust included), the reserve, the protocol fees and the buyout proceeds not yet redeemed. The vault is
 * shared with the maintenance and rental custodies; this is the distributor's part of its balance.
 */
export async function distributorOwes(w: World, token: string, assetId: bigint = w.assetId) {
  const [, distributed, claimed] = await w.distributor.incomeAccountingOf(assetId, token);
  const buyout = await w.distributor.buyoutOf(assetId);
  const proceeds = buyout.supplyAtRetire !== 0n && buyout.token === token ? buyout.proceeds - buyout.paid : 0n;
  return (
    distributed -
    claimed +
    (await w.distributor.reserveOf(assetId, token)) +
    (await w.distributor.feesOf(assetId, token)) +
    proceeds
  );
}

export const BUDGET = USDC(1_000);
export const BOND = USDC(100);

/** Maintenance order arguments on the world's asset and device, paid in its USDC. */
export async function orderFor(w: World, overrides: Partial<OrderArgs> = {}): Promise<OrderArgs> {
  const { timestamp } = (await w.ethers.provider.getBlock("latest"))!;
  return orderArgs(timestamp, await w.usdc.getAddress(), w.provider.address, {
    assetId: w.assetId,
    deviceId: w.device.deviceId,
    budget: BUDGET,
    bond: BOND,
    ...overrides,
  });
}

/** Creates an order from `payer` and returns its id. */
export async function createOrder(w: World, payer: Signer, overrides: Partial<OrderArgs> = {}) {
  const args = await orderFor(w, overrides);
  const orderId = await w.escrow.connect(payer).createOrder.staticCall(args);
  await w.escrow.connect(payer).createOrder(args);
  return { orderId, args };
}

/**
 * Registers a fresh asset run by `w.agent`, with ETH and USDC registered as its payout tokens (so it
 * can be rented in them), but no shares: rent income waits in pendingIncome.
 */
export async function freshAsset(w: World, label: string): Promise<bigint> {
  const salt = id(label);
  const assetId = await w.assets.computeAssetId(w.issuer.address, salt);
  await w.assets.connect(w.issuer).registerAsset(salt, 0, "0x4445", w.agent.address, "ipfs://" + label);
  await w.distributor.connect(w.agent).registerPayoutToken(assetId, ETH);
  await w.distributor.connect(w.agent).registerPayoutToken(assetId, await w.usdc.getAddress());
  return assetId;
}

export const GWEI = 10n ** 9n;

/** ETH rental terms of `assetId` (1 gwei/s, deposit 0.01 ETH, 1 h - 30 d, 1 d windows). */
export function ethTerms(assetId: bigint, t: Partial<RentalTerms> = {}): RentalTerms {
  return buildTerms({ subjectKind: SubjectKind.Asset, subjectId: assetId, ...t });
}

/** The agent publishes `terms` and `renter` rents for `duration` prepaying all of it; returns the agreement id. */
export async function rentEth(w: World, renter: Signer, terms: RentalTerms, duration = BigInt(DAY)) {
  const tx = await w.rentalMarket.connect(w.agent).publishOffer(terms);
  const receipt = await tx.wait();
  let offerId = "";
  for (const log of receipt!.logs) {
    const parsed = w.rentalMarket.interface.parseLog(log);
    if (parsed?.name === "OfferPublished") offerId = parsed.args.offerId as string;
  }
  const prepay = duration * terms.pricePerSecond;
  const value = prepay + terms.deposit;
  const agreementId = await w.rentalMarket.connect(renter).rent.staticCall(offerId, duration, prepay, { value });
  await w.rentalMarket.connect(renter).rent(offerId, duration, prepay, { value });
  return { offerId, agreementId, prepay };
}
