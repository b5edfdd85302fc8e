import { network } from "hardhat";
/**
 * Integration of the real contracts: DeviceRegistry + AssetRegistry + IdentityRegistry + ShareFactory
 * (SharesBlueprint, AssetShares) + IncomeDistributor, wired as in production (the distributor is the
 * shares' income hook and holds BUYOUT_ROLE; governance points the device registry at the asset
 * registry; the production deployment of deploy/suite.ts through `freshSuite` of
 * scripts/lib/fixture.ts, whose escrows are unused here). One asset's life: registration, shares, investors, devices (secp256k1 and P-256 via
 * WebCrypto) bound in two steps, attestations, income, transfers, recovery, buyout and redemption.
 *
 * Shares have 0 decimals and a supply of 1,000 and every deposit's holders' part is a multiple of
 * 1,000 micro-USDC, so the income per share is exact and every figure below is exact to the unit.
 */
import { expect } from "chai";
import { Wallet, ZeroAddress, id } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type {
  AssetMeter,
  AssetRegistry,
  AssetShares,
  DeviceRegistry,
  DeviceToken,
  IdentityRegistry,
  IncomeDistributor,
  MockPayoutToken,
  ShareFactory,
} from "../../types/ethers-contracts/index.js";
import { freshSuite } from "../../scripts/lib/fixture.js";
import { AttestationStatus, DeviceStatus, deviceDomain } from "../../client/src/eip712/devices.js";
import { Secp256k1DeviceSigner, WebCryptoP256Signer } from "../../client/src/signers/devices.js";
import { signedAttestation, signedClaim, signedRegistration, type Ctx } from "../devices/helpers.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const DE = 276;
const YEAR = 365 * 24 * 3600;
const FEE_BPS = 100n; // 1 % protocol fee
const RESERVE_BPS = 1_000n; // the asset reserves 10 % for maintenance
const USDC = (n: bigint | number) => BigInt(n) * 10n ** 6n;
const AssetStatus = { None: 0n, Active: 1n, Frozen: 2n, Retired: 3n } as const;
const KWH = 1; // reading kind

const k1 = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
const r1 = await WebCryptoP256Signer.generate();

interface World {
  devices: DeviceRegistry;
  deviceToken: DeviceToken;
  assets: AssetRegistry;
  identity: IdentityRegistry;
  factory: ShareFactory;
  distributor: IncomeDistributor;
  usdc: MockPayoutToken;
  meter: AssetMeter;
  ctx: Ctx;
  gov: HardhatEthersSigner;
  issuer: HardhatEthersSigner;
  agent: HardhatEthersSigner;
  kyc: HardhatEthersSigner;
  operatorA: HardhatEthersSigner;
  operatorB: HardhatEthersSigner;
  feeRecipient: HardhatEthersSigner;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  carolNew: HardhatEthersSigner;
  erin: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
}

/** Every contract deployed and wired; nothing registered yet. */
async function deployed(): Promise<World> {
  // The production deployment (deploy/suite.ts, parameters of deploy/parameters/localhost.json):
  // its role accounts are #1..#7; everyone else here holds no role.
  const suite = await freshSuite(connection);
  const { devices, deviceToken, assets, identity, factory, distributor, payoutToken } = suite;
  const {
    governance: gov,
    issuer,
    kycAgent: kyc,
    manufacturer,
    manufacturerSigner: mfrSigner,
    feeRecipient,
  } = suite.roles;
  expect(await distributor.protocolFeeBps()).to.equal(FEE_BPS);
  const [agent, operatorA, operatorB, alice, bob, carol, carolNew, erin, outsider] = (await ethers.getSigners()).slice(
    8,
  );
  const usdc = payoutToken;
  const meter = (await ethers.deployContract("AssetMeter", [await devices.getAddress()])) as unknown as AssetMeter;
  // Governance pointed the device registry at the asset registry, once.
  const pointed = await devices.queryFilter(devices.filters.AssetRegistrySet());
  expect(pointed.map((e) => e.args.assetRegistry)).to.deep.equal([await assets.getAddress()]);
  for (const payer of [agent, outsider]) {
    await usdc.mint(payer.address, USDC(1_000_000));
    await usdc.connect(payer).approve(await distributor.getAddress(), ethers.MaxUint256);
  }

  const { chainId } = await ethers.provider.getNetwork();
  const ctx: Ctx = {
    ethers,
    registry: devices,
    token: deviceToken,
    domain: deviceDomain(chainId, await devices.getAddress()),
    governance: gov,
    manufacturer,
    mfrSigner,
    operator: operatorA,
    other: outsider,
    leaseManager: outsider,
    agent,
  };
  return {
    devices,
    deviceToken,
    assets,
    identity,
    factory,
    distributor,
    usdc,
    meter,
    ctx,
    gov,
    issuer,
    agent,
    kyc,
    operatorA,
    operatorB,
    feeRecipient,
    alice,
    bob,
    carol,
    carolNew,
    erin,
    outsider,
  };
}

const SALT = id("solar-park-leipzig-3");

/** The asset registered, its shares created, four investors KYC'd, 600 / 300 / 100 shares minted. */
async function withShares() {
  const w = await deployed();
  const assetId = await w.assets.computeAssetId(w.issuer.address, SALT);
  await w.assets.connect(w.issuer).registerAsset(SALT, 0, "0x4445", w.agent.address, "ipfs://leipzig-3");
  const predicted = await w.factory.predictShares(assetId);
  await w.factory.connect(w.agent).createShares(assetId, "Solar Park Leipzig 3", "SPL3", 0);
  const shares = (await ethers.getContractAt("AssetShares", predicted)) as unknown as AssetShares;
  const expiry = BigInt((await networkHelpers.time.latest()) + YEAR);
  const investors = [w.alice, w.bob, w.carol, w.carolNew].map((s) => s.address);
  await w.identity.connect(w.kyc).setIdentities(investors, [DE, DE, DE, DE], [expiry, expiry, expiry, expiry]);
  await shares.connect(w.agent).mint(w.alice.address, 600);
  await shares.connect(w.agent).mint(w.bob.address, 300);
  await shares.connect(w.agent).mint(w.carol.address, 100);
  await w.distributor.connect(w.agent).setReserveRate(assetId, RESERVE_BPS);
  return { ...w, assetId, shares, predicted };
}

/** Both devices registered by the manufacturer and claimed by their operators (unbound). */
async function withDevices() {
  const w = await withShares();
  for (const [device, operator] of [
    [k1, w.operatorA],
    [r1, w.operatorB],
  ] as const) {
    const { reg, sig } = await signedRegistration(w.ctx, device, w.ctx.mfrSigner, `SN-${device.keyType}`);
    await w.devices.connect(w.outsider).registerDevice(reg, sig);
    const c = await signedClaim(w.ctx, device, operator.address);
    await w.devices.connect(w.outsider).claim(c.msg.deviceId, c.msg.owner, c.msg.deadline, c.sig);
  }
  return w;
}

/** Both devices bound to the asset (owner request, agent confirmation). */
async function withBoundDevices() {
  const w = await withDevices();
  await w.devices.connect(w.operatorA).bindToAsset(k1.deviceId, w.assetId);
  await w.devices.connect(w.agent).confirmBind(k1.deviceId, w.assetId);
  await w.devices.connect(w.operatorB).bindToAsset(r1.deviceId, w.assetId);
  await w.devices.connect(w.agent).confirmBind(r1.deviceId, w.assetId);
  return w;
}

type W = Awaited<ReturnType<typeof withShares>>;

/** USDC held for the asset: its income vault's balance (the distributor itself must hold none). */
async function heldByDistributor(w: W) {
  expect(await w.usdc.balanceOf(await w.distributor.getAddress())).to.equal(0n);
  return w.usdc.balanceOf(await w.distributor.vaultOf(w.assetId));
}

async function claimables(w: W, holders: HardhatEthersSigner[]) {
  const u = await w.usdc.getAddress();
  return Promise.all(holders.map((h) => w.distributor.claimableOf(w.assetId, u, h.address)));
}

/** First deposit: 10,000 USDC -> 1,000 reserve, 100 fees, 8,900 to holders (8.9 per share). */
async function withIncome() {
  const w = await withBoundDevices();
  await w.distributor.connect(w.agent).deposit(w.assetId, await w.usdc.getAddress(), USDC(10_000));
  return w;
}

describe("Integration: devices, assets, shares and income (real contracts)", function () {
  describe("asset, shares and investors", function () {
    it("the issuer registers the asset and its agent creates the shares at the predicted address, hooked to the distributor", async function () {
      const w = await networkHelpers.loadFixture(withShares);
      expect(await w.assets.statusOf(w.assetId)).to.equal(AssetStatus.Active);
      expect(await w.assets.agentOf(w.assetId)).to.equal(w.agent.address);
      expect(await w.assets.sharesOf(w.assetId)).to.equal(w.predicted);
      expect(await w.shares.assetId()).to.equal(w.assetId);
      expect(await w.shares.incomeHooks()).to.equal(await w.distributor.getAddress());
      expect(await w.shares.decimals()).to.equal(0n);
      expect(await w.shares.totalSupply()).to.equal(1_000n);
      expect(await w.shares.holderCount()).to.equal(3n);
    });

    it("shares reach KYC'd investors only", async function () {
      const w = await networkHelpers.loadFixture(withShares);
      await expect(w.shares.connect(w.agent).mint(w.erin.address, 1))
        .to.be.revertedWithCustomError(w.shares, "RecipientNotEligible")
        .withArgs(w.erin.address);
      await expect(w.shares.connect(w.alice).transfer(w.erin.address, 1))
        .to.be.revertedWithCustomError(w.shares, "RecipientNotEligible")
        .withArgs(w.erin.address);
      expect(await w.shares.balanceOf(w.erin.address)).to.equal(0n);
      expect(await w.shares.balanceOf(w.alice.address)).to.equal(600n);
      expect(await w.shares.totalSupply()).to.equal(1_000n);
    });
  });

  describe("devices of the asset", function () {
    it("a secp256k1 and a WebCrypto P-256 device are registered by the manufacturer and claimed by their operators", async function () {
      const w = await networkHelpers.loadFixture(withDevices);
      for (const [device, operator] of [
        [k1, w.operatorA],
        [r1, w.operatorB],
      ] as const) {
        expect(await w.devices.statusOf(device.deviceId)).to.equal(DeviceStatus.Active);
        expect(await w.devices.ownerOf(device.deviceId)).to.equal(operator.address);
        expect(await w.deviceToken.ownerOf(device.deviceId)).to.equal(operator.address);
        expect(await w.devices.assetOf(device.deviceId)).to.equal(0n);
      }
    });

    it("binding is two-step: the owner requests, only the asset's agent confirms", async function () {
      const w = await networkHelpers.loadFixture(withDevices);
      await expect(w.devices.connect(w.operatorA).bindToAsset(k1.deviceId, w.assetId))
        .to.emit(w.devices, "BindRequested")
        .withArgs(k1.deviceId, w.assetId);
      expect(await w.devices.assetOf(k1.deviceId)).to.equal(0n);
      expect(await w.devices.pendingAssetOf(k1.deviceId)).to.equal(w.assetId);
      for (const intruder of [w.operatorA, w.issuer, w.gov]) {
        await expect(w.devices.connect(intruder).confirmBind(k1.deviceId, w.assetId))
          .to.be.revertedWithCustomError(w.devices, "Unauthorized")
          .withArgs(intruder.address, k1.deviceId);
      }
      expect(await w.devices.assetOf(k1.deviceId)).to.equal(0n);
      await expect(w.devices.connect(w.agent).confirmBind(k1.deviceId, w.assetId))
        .to.emit(w.devices, "DeviceBound")
        .withArgs(k1.deviceId, w.assetId);
      expect(await w.devices.assetOf(k1.deviceId)).to.equal(w.assetId);
      expect(await w.devices.pendingAssetOf(k1.deviceId)).to.equal(0n);
    });

    it("a frozen asset takes no binding request and no confirmation; unfrozen, the pending request is confirmed", async function () {
      const w = await networkHelpers.loadFixture(withDevices);
      await w.devices.connect(w.operatorB).bindToAsset(r1.deviceId, w.assetId); // pending while Active
      await w.assets.connect(w.agent).freezeAsset(w.assetId);
      await expect(w.devices.connect(w.operatorA).bindToAsset(k1.deviceId, w.assetId))
        .to.be.revertedWithCustomError(w.devices, "AssetNotActive")
        .withArgs(w.assetId);
      await expect(w.devices.connect(w.agent).confirmBind(r1.deviceId, w.assetId))
        .to.be.revertedWithCustomError(w.devices, "AssetNotActive")
        .withArgs(w.assetId);
      expect(await w.devices.pendingAssetOf(k1.deviceId)).to.equal(0n);
      expect(await w.devices.pendingAssetOf(r1.deviceId)).to.equal(w.assetId);
      expect(await w.devices.assetOf(r1.deviceId)).to.equal(0n);
      // A frozen asset's shares do not move either.
      await expect(w.shares.connect(w.alice).transfer(w.bob.address, 1)).to.be.revertedWithCustomError(
        w.shares,
        "AssetFrozen",
      );
      await w.assets.connect(w.agent).unfreezeAsset(w.assetId);
      await expect(w.devices.connect(w.agent).confirmBind(r1.deviceId, w.assetId))
        .to.emit(w.devices, "DeviceBound")
        .withArgs(r1.deviceId, w.assetId);
    });

    it("devices stream attestations in a batch; a consumer reads the latest reading and the asset's odometer total", async function () {
      const w = await networkHelpers.loadFixture(withBoundDevices);
      const now = await networkHelpers.time.latest();
      const items = [
        await signedAttestation(w.ctx, k1, { counter: 1, kind: KWH, value: 100, odometer: 100, timestamp: now - 30 }),
        await signedAttestation(w.ctx, r1, {
          counter: 1,
          kind: KWH,
          value: 1_000,
          odometer: 1_000,
          timestamp: now - 25,
        }),
        await signedAttestation(w.ctx, k1, { counter: 2, kind: KWH, value: 250, odometer: 350, timestamp: now - 20 }),
        await signedAttestation(w.ctx, k1, { counter: 2, kind: KWH, value: 999, odometer: 1_349, timestamp: now - 15 }), // replay
        await signedAttestation(w.ctx, r1, {
          counter: 2,
          kind: KWH,
          value: 2_000,
          odometer: 3_000,
          timestamp: now - 10,
        }),
        await signedAttestation(w.ctx, k1, { counter: 3, kind: KWH, value: 50, odometer: 400, timestamp: now - 5 }),
      ];
      const atts = items.map((i) => i.att);
      const sigs = items.map((i) => i.sig);
      expect(await w.devices.connect(w.outsider).attestBatch.staticCall(atts, sigs)).to.deep.equal([
        0n,
        0n,
        0n,
        BigInt(AttestationStatus.StaleCounter),
        0n,
        0n,
      ]);
      await expect(w.devices.connect(w.outsider).attestBatch(atts, sigs))
        .to.emit(w.devices, "AttestationRejected")
        .withArgs(k1.deviceId, 3, AttestationStatus.StaleCounter);

      const a = await w.devices.latestReading(k1.deviceId, KWH);
      expect([a.counter, a.timestamp, a.value, a.odometer]).to.deep.equal([3n, BigInt(now - 5), 50n, 400n]);
      const b = await w.devices.latestReading(r1.deviceId, KWH);
      expect([b.counter, b.timestamp, b.value, b.odometer]).to.deep.equal([2n, BigInt(now - 10), 2_000n, 3_000n]);
      expect(await w.devices.lastCounter(k1.deviceId)).to.equal(3n);
      expect(await w.meter.totalOf(w.assetId, [k1.deviceId, r1.deviceId], KWH)).to.deep.equal([
        3_400n,
        BigInt(now - 5),
      ]);
      // The consumer refuses a device that is not the asset's.
      await w.devices.connect(w.operatorB).unbind(r1.deviceId);
      await expect(w.meter.totalOf(w.assetId, [k1.deviceId, r1.deviceId], KWH))
        .to.be.revertedWithCustomError(w.meter, "NotAssetDevice")
        .withArgs(r1.deviceId);
    });
  });

  describe("income", function () {
    it("a deposit splits into reserve, fees and holders' income, claimed pro rata to the unit", async function () {
      const w = await networkHelpers.loadFixture(withIncome);
      const u = await w.usdc.getAddress();
      expect(await w.distributor.reserveOf(w.assetId, u)).to.equal(USDC(1_000));
      expect(await w.distributor.feesOf(w.assetId, u)).to.equal(USDC(100));
      expect(await claimables(w, [w.alice, w.bob, w.carol])).to.deep.equal([USDC(5_340), USDC(2_670), USDC(890)]);
      const [, distributed, , remainder] = await w.distributor.incomeAccountingOf(w.assetId, u);
      expect(distributed).to.equal(USDC(8_900));
      expect(remainder).to.equal(0n);

      await expect(w.distributor.connect(w.alice).claim(w.assetId, u, w.alice.address)).to.changeTokenBalances(
        ethers,
        w.usdc,
        [w.alice, await w.distributor.vaultOf(w.assetId)],
        [USDC(5_340), -USDC(5_340)],
      );
      expect(await claimables(w, [w.alice, w.bob, w.carol])).to.deep.equal([0n, USDC(2_670), USDC(890)]);
      await expect(w.distributor.connect(w.alice).claim(w.assetId, u, w.alice.address))
        .to.be.revertedWithCustomError(w.distributor, "NothingToClaim")
        .withArgs(w.assetId, u, w.alice.address);
    });

    it("a share transfer between deposits keeps accrual exact; a recovery moves unclaimed income with the shares", async function () {
      const w = await networkHelpers.loadFixture(withIncome);
      const u = await w.usdc.getAddress();
      await w.distributor.connect(w.alice).claim(w.assetId, u, w.alice.address); // 5,340

      // Alice sells 200 shares to Bob: past income stays with whom earned it.
      await w.shares.connect(w.alice).transfer(w.bob.address, 200);
      expect(await claimables(w, [w.alice, w.bob, w.carol])).to.deep.equal([0n, USDC(2_670), USDC(890)]);

      // Anyone deposits in a registered token: 5,000 -> 500 reserve, 50 fees, 4,450 = 4.45 per share.
      await w.distributor.connect(w.outsider).deposit(w.assetId, u, USDC(5_000));
      // alice 400 x 4.45, bob 2,670 + 500 x 4.45, carol 890 + 100 x 4.45
      expect(await claimables(w, [w.alice, w.bob, w.carol])).to.deep.equal([USDC(1_780), USDC(4_895), USDC(1_335)]);

      // Carol lost her wallet: the agent recovers shares and unclaimed income to her new KYC'd wallet.
      await expect(w.shares.connect(w.agent).recover(w.carol.address, w.carolNew.address))
        .to.emit(w.distributor, "EntitlementMoved")
        .withArgs(w.assetId, u, w.carol.address, w.carolNew.address, USDC(1_335));
      expect(await w.shares.balanceOf(w.carol.address)).to.equal(0n);
      expect(await w.shares.balanceOf(w.carolNew.address)).to.equal(100n);
      expect(await claimables(w, [w.carol, w.carolNew])).to.deep.equal([0n, USDC(1_335)]);
      await expect(w.distributor.connect(w.carol).claim(w.assetId, u, w.carol.address))
        .to.be.revertedWithCustomError(w.distributor, "NothingToClaim")
        .withArgs(w.assetId, u, w.carol.address);

      await expect(w.distributor.connect(w.bob).claim(w.assetId, u, w.bob.address)).to.changeTokenBalance(
        ethers,
        w.usdc,
        w.bob,
        USDC(4_895),
      );
      // Value conserved: 15,000 in, 5,340 + 4,895 out, the rest is claimable + reserve + fees.
      expect(await heldByDistributor(w)).to.equal(USDC(15_000 - 5_340 - 4_895));
      expect(await heldByDistributor(w)).to.equal(
        USDC(1_780 + 1_335) +
          (await w.distributor.reserveOf(w.assetId, u)) +
          (await w.distributor.feesOf(w.assetId, u)),
      );
      expect(await w.distributor.reserveOf(w.assetId, u)).to.equal(USDC(1_500));
      expect(await w.distributor.feesOf(w.assetId, u)).to.equal(USDC(150));
    });
  });

  describe("buyout", function () {
    /** Income as in the previous test, then the agent deposits 100,000 USDC of sale proceeds. */
    async function boughtOut() {
      const w = await withIncome();
      const u = await w.usdc.getAddress();
      await w.distributor.connect(w.alice).claim(w.assetId, u, w.alice.address);
      await w.shares.connect(w.alice).transfer(w.bob.address, 200);
      await w.distributor.connect(w.outsider).deposit(w.assetId, u, USDC(5_000));
      await w.shares.connect(w.agent).recover(w.carol.address, w.carolNew.address);
      await w.distributor.connect(w.bob).claim(w.assetId, u, w.bob.address);
      await w.devices.connect(w.operatorA).unbind(k1.deviceId);
      await w.distributor.connect(w.agent).depositBuyout(w.assetId, u, USDC(100_000));
      return w;
    }

    it("the agent's proceeds retire the asset: no binding, no transfer, no new income", async function () {
      const w = await networkHelpers.loadFixture(boughtOut);
      const u = await w.usdc.getAddress();
      expect(await w.assets.statusOf(w.assetId)).to.equal(AssetStatus.Retired);
      const b = await w.distributor.buyoutOf(w.assetId);
      expect([b.token, b.proceeds, b.supplyAtRetire, b.redeemedShares, b.paid]).to.deep.equal([
        u,
        USDC(100_000),
        1_000n,
        0n,
        0n,
      ]);

      await expect(w.devices.connect(w.operatorA).bindToAsset(k1.deviceId, w.assetId))
        .to.be.revertedWithCustomError(w.devices, "AssetNotActive")
        .withArgs(w.assetId);
      expect(await w.devices.assetOf(k1.deviceId)).to.equal(0n);
      expect(await w.devices.pendingAssetOf(k1.deviceId)).to.equal(0n);

      await expect(w.shares.connect(w.alice).transfer(w.bob.address, 1)).to.be.revertedWithCustomError(
        w.shares,
        "AssetRetired",
      );
      await expect(
        w.shares.connect(w.agent).forcedTransfer(w.alice.address, w.bob.address, 1),
      ).to.be.revertedWithCustomError(w.shares, "AssetRetired");
      await expect(w.distributor.connect(w.agent).deposit(w.assetId, u, USDC(1)))
        .to.be.revertedWithCustomError(w.distributor, "AssetIsRetired")
        .withArgs(w.assetId);
      expect(await w.shares.balanceOf(w.alice.address)).to.equal(400n);
      expect(await w.shares.balanceOf(w.bob.address)).to.equal(500n);
    });

    it("holders redeem proceeds plus unclaimed income in one payment; reserve and fees stay for their owners", async function () {
      const w = await networkHelpers.loadFixture(boughtOut);
      const u = await w.usdc.getAddress();
      // alice: 400/1,000 of 100,000 + 1,780 unclaimed; bob: 500/1,000 + 0; carolNew: 100/1,000 + 1,335
      for (const [holder, paid] of [
        [w.alice, USDC(40_000 + 1_780)],
        [w.bob, USDC(50_000)],
        [w.carolNew, USDC(10_000 + 1_335)],
      ] as const) {
        await expect(w.distributor.connect(holder).redeem(w.assetId, holder.address)).to.changeTokenBalances(
          ethers,
          w.usdc,
          [holder, await w.distributor.vaultOf(w.assetId)],
          [paid, -paid],
        );
        expect(await w.shares.balanceOf(holder.address)).to.equal(0n);
        expect(await w.distributor.claimableOf(w.assetId, u, holder.address)).to.equal(0n);
        await expect(w.distributor.connect(holder).redeem(w.assetId, holder.address))
          .to.be.revertedWithCustomError(w.distributor, "NothingToRedeem")
          .withArgs(w.assetId, holder.address);
      }
      expect(await w.shares.totalSupply()).to.equal(0n);
      const b = await w.distributor.buyoutOf(w.assetId);
      expect([b.redeemedShares, b.paid]).to.deep.equal([1_000n, USDC(100_000)]);
      expect(await w.distributor.buyoutRemainingOf(w.assetId)).to.equal(0n);
      // What is left is exactly the reserve and the fees.
      expect(await heldByDistributor(w)).to.equal(USDC(1_500 + 150));
      await expect(
        w.distributor.connect(w.feeRecipient).claimFees(w.assetId, u, w.feeRecipient.address),
      ).to.changeTokenBalance(ethers, w.usdc, w.feeRecipient, USDC(150));
      expect(await heldByDistributor(w)).to.equal(USDC(1_500));
    });
  });
});
