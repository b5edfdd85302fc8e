import { expect } from "chai";
import { network } from "hardhat";
import {
  Comparator,
  OrderState,
  Ruling,
  SlashTo,
  buildBid,
  buildInspection,
  bidDomain,
  inspectionDomain,
  signBid,
  signInspection,
} from "../../client/src/eip712/maintenance.js";
import {
  ASSET,
  BOND,
  BUDGET,
  DAY,
  DEVICE,
  HOUR,
  KIND_SELFTEST,
  OTHER_ASSET,
  OTHER_DEVICE,
  RESERVE,
  UNDER_COVERAGE,
  deployMaintenance,
  createOrderOn,
  orderArgs,
  policy,
  type OrderArgs,
  type Signer,
} from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;
const ZERO = ethers.ZeroAddress;

async function fixture() {
  return deployMaintenance(ethers);
}
type F = Awaited<ReturnType<typeof fixture>>;

const create = createOrderOn;

async function createAccepted(f: F, overrides: Partial<OrderArgs> = {}, from: Signer = f.payer) {
  const o = await create(f, overrides, from);
  await f.escrow.connect(f.provider).accept(o.id);
  return o;
}

/** Stores a reading in the device registry double, as the real registry does after verifying it. */
async function attest(f: F, counter: number, value = 0n, device = DEVICE, kind = KIND_SELFTEST, timestamp?: number) {
  const ts = timestamp ?? (await time.latest()) + 1;
  await f.devices.setReading(device, kind, counter, ts, value);
}

/** Everything a refused call must leave unchanged. */
async function snapshot(f: F, id: string) {
  const token = await f.token.getAddress();
  const parties = [f.payer, f.provider, f.provider2, f.agent, f.stranger];
  const order = await f.escrow.getOrder(id);
  const milestones = [];
  for (let i = 0; i < Number(order.milestoneCount); i++)
    milestones.push((await f.evidence.getMilestone(id, i)).toString());
  return {
    order: order.toString(),
    milestones,
    escrowBalance: await f.token.balanceOf(await f.custody.vaultOf(ASSET)),
    balances: await Promise.all(parties.map((p) => f.token.balanceOf(p.address))),
    claimable: await Promise.all(parties.map((p) => f.custody.claimable(p.address, ASSET, token))),
    reserveCredit: await f.custody.reserveCredit(ASSET, token),
    reserve: await f.distributor.reserveOf(ASSET, token),
  };
}

async function inspection(f: F, id: string, signer: Signer, milestone = 0, passed = true, inspector?: string) {
  const deadline = BigInt((await time.latest()) + DAY);
  const ins = buildInspection(
    id,
    milestone,
    passed,
    inspector ?? signer.address,
    BigInt((await time.latest()) + 1),
    deadline,
  );
  return { ins, sig: await signInspection(signer, f.domain, ins) };
}

function inspectorsPolicy(f: F, k = 2) {
  return {
    inspectors: [f.inspector1.address, f.inspector2.address, f.wallet.target as string],
    policy: policy({ useDevice: false, cmp: Comparator.None, k }),
  };
}

function optimisticPolicy(f: F, defaultRuling: number = Ruling.Provider) {
  return policy({
    useDevice: false,
    cmp: Comparator.None,
    optimistic: true,
    arbiter: f.arbiter.address,
    challengeWindow: DAY,
    disputeTimeout: 3 * DAY,
    defaultRuling,
  });
}

describe("maintenance: MaintenanceOrders, MaintenanceEvidence, MaintenanceCustody", function () {
  describe("deployment and governance", function () {
    it("refuses a zero address for governance or any dependency", async function () {
      const f = await loadFixture(fixture);
      const a = await f.assets.getAddress();
      const d = await f.devices.getAddress();
      const i = await f.distributor.getAddress();
      const m = await f.disputes.getAddress();
      const factory = await ethers.getContractFactory("MaintenanceOrders");
      for (const args of [
        [ZERO, a, d, i, m],
        [f.gov.address, ZERO, d, i, m],
        [f.gov.address, a, ZERO, i, m],
        [f.gov.address, a, d, ZERO, m],
        [f.gov.address, a, d, i, ZERO],
      ]) {
        await expect(
          factory.deploy(...(args as [string, string, string, string, string])),
        ).to.be.revertedWithCustomError(f.escrow, "ZeroAddress");
      }
    });

    it("fits each of the three contracts under the suite's 22,000-byte goal (10% below EIP-170)", async function () {
      if (UNDER_COVERAGE) this.skip(); // instrumented bytecode is larger by design
      const f = await loadFixture(fixture);
      for (const c of [f.escrow, f.evidence, f.custody]) {
        const code = await ethers.provider.getCode(await c.getAddress());
        expect((code.length - 2) / 2).to.be.lessThanOrEqual(22_000);
      }
    });

    it("wires the three contracts to each other at deployment, with no initializer to front-run", async function () {
      const f = await loadFixture(fixture);
      const orders = await f.escrow.getAddress();
      expect(await f.evidence.orders()).to.equal(orders);
      expect(await f.custody.orders()).to.equal(orders);
      // Created by the orders' constructor, at its first two CREATE nonces.
      expect(await f.escrow.evidence()).to.equal(ethers.getCreateAddress({ from: orders, nonce: 1 }));
      expect(await f.escrow.custody()).to.equal(ethers.getCreateAddress({ from: orders, nonce: 2 }));
      expect(await f.evidence.disputes()).to.equal(await f.disputes.getAddress());
      expect(await f.evidence.deviceRegistry()).to.equal(await f.devices.getAddress());
      expect(await f.custody.assetRegistry()).to.equal(await f.assets.getAddress());
      expect(await f.custody.distributor()).to.equal(await f.distributor.getAddress());
    });

    it("refuses every sibling entry to anyone but its one sibling (NotOrders, NotEvidence), changing nothing", async function () {
      const f = await loadFixture(fixture);
      const { id } = await createOrderOn(f);
      const t = await f.token.getAddress();
      const pol = policy();
      for (const who of [f.stranger, f.gov, f.payer]) {
        const e = f.evidence.connect(who);
        const c = f.custody.connect(who);
        await expect(e.storeTerms(id, DEVICE, pol, [], []))
          .to.be.revertedWithCustomError(f.evidence, "NotOrders")
          .withArgs(who.address);
        await expect(e.copyTerms(id, ethers.id("x")))
          .to.be.revertedWithCustomError(f.evidence, "NotOrders")
          .withArgs(who.address);
        await expect(e.freezeDevice(id, ASSET, DEVICE))
          .to.be.revertedWithCustomError(f.evidence, "NotOrders")
          .withArgs(who.address);
        await expect(c.fund(ASSET, t, f.payer.address, 1n, false))
          .to.be.revertedWithCustomError(f.custody, "NotOrders")
          .withArgs(who.address);
        await expect(c.credit(who.address, ASSET, t, BUDGET))
          .to.be.revertedWithCustomError(f.custody, "NotOrders")
          .withArgs(who.address);
        await expect(c.creditReserve(ASSET, t, BUDGET))
          .to.be.revertedWithCustomError(f.custody, "NotOrders")
          .withArgs(who.address);
        await expect(f.escrow.connect(who).release(id, 0, 0, 10_000))
          .to.be.revertedWithCustomError(f.escrow, "NotEvidence")
          .withArgs(who.address);
      }
      // Nothing moved: the budget is still held for the open order, nobody can claim anything.
      expect(await f.token.balanceOf(await f.custody.vaultOf(ASSET))).to.equal(BUDGET);
      for (const who of [f.stranger, f.gov, f.payer])
        expect(await f.custody.claimable(who.address, ASSET, t)).to.equal(0n);
      expect(await f.custody.reserveCredit(ASSET, t)).to.equal(0n);
      expect((await f.escrow.getOrder(id)).state).to.equal(OrderState.Open);
    });

    it("refuses evidence entries on an unknown order, and a release of an order that is not Active", async function () {
      const f = await loadFixture(fixture);
      const nope = ethers.id("nope");
      for (const call of [
        f.evidence.connect(f.provider).claimMilestone(nope, 0),
        f.evidence.connect(f.payer).challenge(nope, 0),
        f.evidence.finalizeClaim(nope, 0),
        f.evidence.submitDeviceEvidence(nope, 0, DEVICE),
      ]) {
        await expect(call).to.be.revertedWithCustomError(f.evidence, "UnknownOrder").withArgs(nope);
      }
      // Even its one caller cannot release a milestone of an order that is no longer Active (defence in depth:
      // MaintenanceEvidence checks the order's window first). The custody's balances stay as they were.
      const { id } = await create(f);
      await f.escrow.connect(f.payer).cancel(id);
      const evidence = await f.evidence.getAddress();
      await ethers.provider.send("hardhat_impersonateAccount", [evidence]);
      await ethers.provider.send("hardhat_setBalance", [evidence, "0xde0b6b3a7640000"]);
      const asEvidence = await ethers.getSigner(evidence);
      await expect(f.escrow.connect(asEvidence).release(id, 0, 0, 10_000))
        .to.be.revertedWithCustomError(f.escrow, "WrongState")
        .withArgs(id, OrderState.Cancelled);
      await ethers.provider.send("hardhat_stopImpersonatingAccount", [evidence]);
      const t = await f.token.getAddress();
      expect(await f.custody.claimable(f.payer.address, ASSET, t)).to.equal(BUDGET);
      expect(await f.custody.claimable(f.provider.address, ASSET, t)).to.equal(0n);
      // Who the evidence contract asks about challenges: the payer, or the asset's current agent.
      expect(await f.escrow.controllerOf(id)).to.equal(f.payer.address);
      const reserve = await create(f, { fromReserve: true, salt: ethers.id("reserve") }, f.agent);
      expect(await f.escrow.controllerOf(reserve.id)).to.equal(f.agent.address);
      await f.assets.setAsset(ASSET, f.stranger.address, 1, ethers.ZeroAddress); // the agent changes
      expect(await f.escrow.controllerOf(reserve.id)).to.equal(f.stranger.address);
    });

    it("gives governance (and not the deployer implicitly) the admin role", async function () {
      const f = await loadFixture(fixture);
      expect(await f.escrow.hasRole(await f.escrow.DEFAULT_ADMIN_ROLE(), f.gov.address)).to.equal(true);
      expect(await f.escrow.assetRegistry()).to.equal(await f.assets.getAddress());
      expect(await f.escrow.deviceRegistry()).to.equal(await f.devices.getAddress());
    });

    it("lets only governance allowlist tokens, and refuses the zero token", async function () {
      const f = await loadFixture(fixture);
      const t = await f.token.getAddress();
      await expect(f.escrow.connect(f.stranger).setTokenAllowed(t, false))
        .to.be.revertedWithCustomError(f.escrow, "AccessControlUnauthorizedAccount")
        .withArgs(f.stranger.address, await f.escrow.DEFAULT_ADMIN_ROLE());
      expect(await f.escrow.tokenAllowed(t)).to.equal(true);
      await expect(f.escrow.connect(f.gov).setTokenAllowed(ZERO, true)).to.be.revertedWithCustomError(
        f.escrow,
        "ZeroAddress",
      );
      await expect(f.escrow.connect(f.gov).setTokenAllowed(t, false))
        .to.emit(f.escrow, "TokenAllowed")
        .withArgs(t, false);
      expect(await f.escrow.tokenAllowed(t)).to.equal(false);
    });
  });

  describe("creating and funding an order", function () {
    it("lets any payer create an order funded by transferFrom, with a content-derived id", async function () {
      const f = await loadFixture(fixture);
      const now = await time.latest();
      const args = orderArgs(now, await f.token.getAddress(), f.provider.address);
      const expectedId = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [f.payer.address, args.salt]),
      );
      const before = await f.token.balanceOf(f.payer.address);
      await expect(f.escrow.connect(f.payer).createOrder(args))
        .to.emit(f.escrow, "OrderCreated")
        .withArgs(
          expectedId,
          ASSET,
          DEVICE,
          f.payer.address,
          await f.token.getAddress(),
          BUDGET,
          f.provider.address,
          args.acceptBy,
          args.completeBy,
          false,
        );
      expect(await f.token.balanceOf(f.payer.address)).to.equal(before - BUDGET);
      expect(await f.token.balanceOf(await f.custody.vaultOf(ASSET))).to.equal(BUDGET);
      const o = await f.escrow.getOrder(expectedId);
      expect(o.state).to.equal(OrderState.Open);
      expect(o.budget).to.equal(BUDGET);
      expect(o.milestoneCount).to.equal(1);
      const m = await f.evidence.getMilestone(expectedId, 0);
      expect(m.startBps).to.equal(0);
      expect(m.endBps).to.equal(10_000);
      expect((await f.evidence.getPolicy(expectedId)).k).to.equal(1);
    });

    it("lets the asset's agent fund an order from the asset's maintenance reserve", async function () {
      const f = await loadFixture(fixture);
      const { id } = await create(f, { fromReserve: true }, f.agent);
      expect(await f.distributor.reserveOf(ASSET, await f.token.getAddress())).to.equal(RESERVE - BUDGET);
      expect(await f.token.balanceOf(await f.custody.vaultOf(ASSET))).to.equal(BUDGET);
      expect((await f.escrow.getOrder(id)).fromReserve).to.equal(true);
    });

    it("refuses reserve funding by anyone but the asset's agent, changing nothing", async function () {
      const f = await loadFixture(fixture);
      const args = orderArgs(await time.latest(), await f.token.getAddress(), f.provider.address, {
        fromReserve: true,
      });
      await expect(f.escrow.connect(f.payer).createOrder(args))
        .to.be.revertedWithCustomError(f.escrow, "NotAgent")
        .withArgs(ASSET, f.payer.address);
      expect(await f.distributor.reserveOf(ASSET, await f.token.getAddress())).to.equal(RESERVE);
    });

    it("refuses a token governance did not allowlist", async function () {
      const f = await loadFixture(fixture);
      const other = await ethers.deployContract("MockPayoutToken", ["Other", "OTH", 18]);
      await other.mint(f.payer.address, BUDGET);
      await other.connect(f.payer).approve(await f.custody.getAddress(), BUDGET);
      const args = orderArgs(await time.latest(), await other.getAddress(), f.provider.address);
      await expect(f.escrow.connect(f.payer).createOrder(args))
        .to.be.revertedWithCustomError(f.escrow, "TokenNotAllowed")
        .withArgs(await other.getAddress());
      expect(await other.balanceOf(f.payer.address)).to.equal(BUDGET);
    });

    it("refuses a fee-on-transfer token by checking the balance received", async function () {
      const f = await loadFixture(fixture);
      const fee = await ethers.deployContract("FeeOnTransferToken");
      await f.escrow.connect(f.gov).setTokenAllowed(await fee.getAddress(), true);
      await fee.mint(f.payer.address, BUDGET);
      await fee.connect(f.payer).approve(await f.custody.getAddress(), BUDGET);
      const args = orderArgs(await time.latest(), await fee.getAddress(), f.provider.address);
      await expect(f.escrow.connect(f.payer).createOrder(args))
        .to.be.revertedWithCustomError(f.escrow, "FundingShortfall")
        .withArgs(BUDGET, BUDGET - BUDGET / 100n);
      expect(await fee.balanceOf(f.payer.address)).to.equal(BUDGET);
    });

    it("refuses to create the same order id twice", async function () {
      const f = await loadFixture(fixture);
      const { id, args } = await create(f);
      const s = await snapshot(f, id);
      await expect(f.escrow.connect(f.payer).createOrder(args))
        .to.be.revertedWithCustomError(f.escrow, "OrderExists")
        .withArgs(id);
      expect(await snapshot(f, id)).to.deep.equal(s);
    });

    it("refuses bad amounts, deadlines, assets and devices", async function () {
      const f = await loadFixture(fixture);
      const now = await time.latest();
      const t = await f.token.getAddress();
      const p = f.provider.address;
      const cases: [Partial<OrderArgs>, string][] = [
        [{ budget: 0n }, "BadBudget"],
        [{ budget: 2n ** 128n }, "BadBudget"],
        [{ bond: 2n ** 128n }, "BadBond"],
        [{ acceptBy: now }, "BadDeadlines"],
        [{ completeBy: now + DAY }, "BadDeadlines"],
        [{ assetId: 99n, deviceId: 0n, policy: policy({ useDevice: false, cmp: 0 }) }, "AssetNotActive"],
        [{ deviceId: OTHER_DEVICE }, "DeviceNotOnAsset"],
      ];
      for (const [o, err] of cases) {
        await expect(f.escrow.connect(f.payer).createOrder(orderArgs(now, t, p, o))).to.be.revertedWithCustomError(
          f.escrow,
          err,
        );
      }
      await f.assets.setAsset(ASSET, f.agent.address, 2, ethers.ZeroAddress); // Frozen
      await expect(f.escrow.connect(f.payer).createOrder(orderArgs(now, t, p)))
        .to.be.revertedWithCustomError(f.escrow, "AssetNotActive")
        .withArgs(ASSET);
      expect(await f.token.balanceOf(await f.custody.vaultOf(ASSET))).to.equal(0n);
    });

    it("refuses inconsistent completion policies", async function () {
      const f = await loadFixture(fixture);
      const now = await time.latest();
      const t = await f.token.getAddress();
      const p = f.provider.address;
      const opt = optimisticPolicy(f);
      const cases: Partial<OrderArgs>[] = [
        { policy: policy({ k: 0 }) },
        { policy: policy({ k: 2 }) }, // only one source
        { deviceId: 0n }, // device source without a device
        { inspectors: [f.inspector1.address], policy: policy({ useDevice: false }) }, // value condition, no device source
        { policy: { ...opt, arbiter: ZERO } },
        { policy: { ...opt, challengeWindow: 0 } },
        { policy: { ...opt, disputeTimeout: 0 } },
        { policy: { ...opt, defaultRuling: 0 } },
        { policy: { ...opt, defaultRuling: 3 } },
      ];
      for (const o of cases) {
        await expect(f.escrow.connect(f.payer).createOrder(orderArgs(now, t, p, o))).to.be.revertedWithCustomError(
          f.escrow,
          "BadPolicy",
        );
      }
    });

    it("refuses zero, duplicate or too many inspectors, and bad milestone shares", async function () {
      const f = await loadFixture(fixture);
      const now = await time.latest();
      const t = await f.token.getAddress();
      const p = f.provider.address;
      const i1 = f.inspector1.address;
      const six = Array.from({ length: 6 }, (_, i) => ethers.getAddress("0x" + (i + 1).toString(16).padStart(40, "0")));
      for (const inspectors of [[ZERO], [i1, i1], six]) {
        await expect(
          f.escrow.connect(f.payer).createOrder(orderArgs(now, t, p, { inspectors })),
        ).to.be.revertedWithCustomError(f.escrow, "BadInspectors");
      }
      for (const milestoneBps of [[5_000, 4_000], [10_000, 0], [6_000, 6_000], Array(9).fill(1_000) as number[]]) {
        await expect(
          f.escrow.connect(f.payer).createOrder(orderArgs(now, t, p, { milestoneBps })),
        ).to.be.revertedWithCustomError(f.escrow, "BadMilestones");
      }
    });
  });

  describe("acceptance and bids", function () {
    it("lets the named provider accept, posting the bond and fixing the device counter baseline", async function () {
      const f = await loadFixture(fixture);
      const { id } = await create(f);
      await expect(f.escrow.connect(f.provider).accept(id))
        .to.emit(f.escrow, "OrderAccepted")
        .withArgs(id, f.provider.address, BUDGET, BOND, 5);
      const o = await f.escrow.getOrder(id);
      expect(o.state).to.equal(OrderState.Active);
      expect((await f.evidence.getProgress(id)).usedCounter).to.equal(5);
      expect(o.acceptedAt).to.equal(await time.latest());
      expect(await f.token.balanceOf(await f.custody.vaultOf(ASSET))).to.equal(BUDGET + BOND);
    });

    it("refuses acceptance by anyone else, after accept-by, or twice", async function () {
      const f = await loadFixture(fixture);
      const { id, args } = await create(f);
      const s = await snapshot(f, id);
      await expect(f.escrow.connect(f.provider2).accept(id))
        .to.be.revertedWithCustomError(f.escrow, "NotProvider")
        .withArgs(f.provider2.address);
      expect(await snapshot(f, id)).to.deep.equal(s);
      await time.increaseTo(args.acceptBy + 1);
      await expect(f.escrow.connect(f.provider).accept(id))
        .to.be.revertedWithCustomError(f.escrow, "DeadlinePassed")
        .withArgs(args.acceptBy);
      const { id: id2 } = await createAccepted(f, { salt: ethers.id("second") });
      await expect(f.escrow.connect(f.provider).accept(id2))
        .to.be.revertedWithCustomError(f.escrow, "WrongState")
        .withArgs(id2, OrderState.Active);
      await expect(f.escrow.connect(f.provider).accept(ethers.id("nope")))
        .to.be.revertedWithCustomError(f.escrow, "UnknownOrder")
        .withArgs(ethers.id("nope"));
    });

    it("lets the controller award a provider's signed bid, refunding the budget above the price", async function () {
      const f = await loadFixture(fixture);
      const { id } = await create(f, { provider: ZERO });
      const price = BUDGET - 250n;
      const bid = buildBid(id, f.provider2.address, price, BOND * 2n, 0n, BigInt((await time.latest()) + HOUR));
      const sig = await signBid(f.provider2, f.bidDomain, bid);
      await expect(f.escrow.connect(f.payer).awardBid(id, bid, sig))
        .to.emit(f.escrow, "OrderAccepted")
        .withArgs(id, f.provider2.address, price, BOND * 2n, 5);
      const o = await f.escrow.getOrder(id);
      expect(o.provider).to.equal(f.provider2.address);
      expect(o.price).to.equal(price);
      expect(o.bond).to.equal(BOND * 2n);
      expect(await f.custody.claimable(f.payer.address, ASSET, await f.token.getAddress())).to.equal(250n);
    });

    it("refuses bids that are unsigned, foreign, expired, too expensive, under-bonded, or not the controller's", async function () {
      const f = await loadFixture(fixture);
      const { id } = await create(f, { provider: ZERO });
      const deadline = BigInt((await time.latest()) + HOUR);
      const good = buildBid(id, f.provider2.address, BUDGET, BOND, 0n, deadline);
      const goodSig = await signBid(f.provider2, f.bidDomain, good);
      const s = await snapshot(f, id);
      await expect(f.escrow.connect(f.stranger).awardBid(id, good, goodSig))
        .to.be.revertedWithCustomError(f.escrow, "NotController")
        .withArgs(f.stranger.address);
      await expect(f.escrow.connect(f.payer).awardBid(id, good, await signBid(f.stranger, f.bidDomain, good)))
        .to.be.revertedWithCustomError(f.escrow, "InvalidSignature")
        .withArgs(f.provider2.address);
      const otherDomain = bidDomain(f.chainId, f.distributor.target as string);
      await expect(
        f.escrow.connect(f.payer).awardBid(id, good, await signBid(f.provider2, otherDomain, good)),
      ).to.be.revertedWithCustomError(f.escrow, "InvalidSignature");
      for (const bad of [
        buildBid(id, f.provider2.address, BUDGET + 1n, BOND, 0n, deadline),
        buildBid(id, f.provider2.address, 0n, BOND, 0n, deadline),
        buildBid(id, f.provider2.address, BUDGET, BOND - 1n, 0n, deadline),
        buildBid(id, f.provider2.address, BUDGET, 2n ** 128n, 0n, deadline),
        buildBid(ethers.id("other"), f.provider2.address, BUDGET, BOND, 0n, deadline),
        buildBid(id, ZERO, BUDGET, BOND, 0n, deadline),
      ]) {
        await expect(
          f.escrow.connect(f.payer).awardBid(id, bad, await signBid(f.provider2, f.bidDomain, bad)),
        ).to.be.revertedWithCustomError(f.escrow, "BadBid");
      }
      expect(await snapshot(f, id)).to.deep.equal(s);
      await time.increaseTo(deadline + 1n);
      await expect(f.escrow.connect(f.payer).awardBid(id, good, goodSig))
        .to.be.revertedWithCustomError(f.escrow, "DeadlinePassed")
        .withArgs(deadline);
      // A named-provider order takes no bids.
      const { id: named } = await create(f, { salt: ethers.id("named") });
      const b = buildBid(named, f.provider2.address, BUDGET, BOND, 0n, BigInt((await time.latest()) + HOUR));
      await expect(f.escrow.connect(f.payer).awardBid(named, b, await signBid(f.provider2, f.bidDomain, b)))
        .to.be.revertedWithCustomError(f.escrow, "NotOpenForBids")
        .withArgs(named);
    });

    it("refuses awarding a bid once the order is accepted or past accept-by", async function () {
      const f = await loadFixture(fixture);
      const { id, args } = await create(f, { provider: ZERO });
      const bid = buildBid(id, f.provider2.address, BUDGET, BOND, 0n, BigInt(args.completeBy));
      const sig = await signBid(f.provider2, f.bidDomain, bid);
      await time.increaseTo(args.acceptBy + 1);
      await expect(f.escrow.connect(f.payer).awardBid(id, bid, sig))
        .to.be.revertedWithCustomError(f.escrow, "DeadlinePassed")
        .withArgs(args.acceptBy);
      await f.escrow.expire(id);
      await expect(f.escrow.connect(f.payer).awardBid(id, bid, sig))
        .to.be.revertedWithCustomError(f.escrow, "WrongState")
        .withArgs(id, OrderState.Expired);
    });

    it("refuses a bond that arrives short (a token that started charging a fee)", async function () {
      const f = await loadFixture(fixture);
      const fee = await ethers.deployContract("FeeOnTransferToken");
      const feeAddr = await fee.getAddress();
      await f.escrow.connect(f.gov).setTokenAllowed(feeAddr, true);
      for (const s of [f.payer, f.provider]) {
        await fee.mint(s.address, BUDGET);
        await fee.connect(s).approve(await f.custody.getAddress(), ethers.MaxUint256);
      }
      await fee.setFeeBps(0);
      const { id } = await create(f, { token: feeAddr });
      await fee.setFeeBps(100);
      const s = await snapshot(f, id);
      await expect(f.escrow.connect(f.provider).accept(id))
        .to.be.revertedWithCustomError(f.escrow, "FundingShortfall")
        .withArgs(BOND, BOND - BOND / 100n);
      expect(await snapshot(f, id)).to.deep.equal(s);
      expect(await fee.balanceOf(f.provider.address)).to.equal(BUDGET);
    });

    it("lets the controller cancel an order nobody accepted, and nobody else", async function () {
      const f = await loadFixture(fixture);
      const { id } = await create(f);
      await expect(f.escrow.connect(f.stranger).cancel(id))
        .to.be.revertedWithCustomError(f.escrow, "NotController")
        .withArgs(f.stranger.address);
      await expect(f.escrow.connect(f.payer).cancel(id)).to.emit(f.escrow, "OrderCancelled").withArgs(id, BUDGET);
      expect((await f.escrow.getOrder(id)).state).to.equal(OrderState.Cancelled);
      expect(await f.custody.claimable(f.payer.address, ASSET, await f.token.getAddress())).to.equal(BUDGET);
      const { id: active } = await createAccepted(f, { salt: ethers.id("a") });
      await expect(f.escrow.connect(f.payer).cancel(active))
        .to.be.revertedWithCustomError(f.escrow, "WrongState")
        .withArgs(active, OrderState.Active);
    });
  });

  describe("completion by a device attestation", function () {
    it("releases the order on a self-test reading signed after acceptance with code 0", async function () {
      const f = await loadFixture(fixture);
      const { id } = await createAccepted(f);
      await attest(f, 6, 0n);
      await expect(f.evidence.connect(f.stranger).submitDeviceEvidence(id, 0, DEVICE))
        .to.emit(f.escrow, "MilestoneReleased")
        .withArgs(id, 0, BUDGET)
        .and.to.emit(f.escrow, "OrderCompleted")
        .withArgs(id, BOND);
      const t = await f.token.getAddress();
      expect(await f.custody.claimable(f.provider.address, ASSET, t)).to.equal(BUDGET + BOND);
      const o = await f.escrow.getOrder(id);
      expect(o.state).to.equal(OrderState.Completed);
      expect((await f.evidence.getProgress(id)).usedCounter).to.equal(6);
      expect(o.released).to.equal(BUDGET);
    });

    it("refuses an attestation from another device", async function () {
      const f = await loadFixture(fixture);
      const { id } = await createAccepted(f);
      await attest(f, 6, 0n, OTHER_DEVICE);
      await attest(f, 6, 0n);
      const s = await snapshot(f, id);
      await expect(f.evidence.submitDeviceEvidence(id, 0, OTHER_DEVICE))
        .to.be.revertedWithCustomError(f.escrow, "WrongDevice")
        .withArgs(DEVICE, OTHER_DEVICE);
      expect(await snapshot(f, id)).to.deep.equal(s);
    });

    it("freezes the device at acceptance: a reading counts after the device is moved or suspended", async function () {
      const f = await loadFixture(fixture);
      const { id } = await createAccepted(f);
      await attest(f, 6, 0n);
      await f.devices.setDevice(DEVICE, ethers.ZeroAddress, 2, OTHER_ASSET); // suspended and moved after acceptance
      await expect(f.evidence.submitDeviceEvidence(id, 0, DEVICE))
        .to.emit(f.escrow, "OrderCompleted")
        .withArgs(id, BOND);
      const t = await f.token.getAddress();
      expect(await f.custody.claimable(f.provider.address, ASSET, t)).to.equal(BUDGET + BOND);
      expect(await f.custody.claimable(f.payer.address, ASSET, t)).to.equal(0n);
    });

    it("refuses acceptance while the device is not Active or not bound to the asset (nothing is frozen)", async function () {
      const f = await loadFixture(fixture);
      const { id } = await create(f);
      const s = await snapshot(f, id);
      await f.devices.setDevice(DEVICE, ethers.ZeroAddress, 2, ASSET);
      await expect(f.escrow.connect(f.provider).accept(id))
        .to.be.revertedWithCustomError(f.escrow, "DeviceNotActive")
        .withArgs(DEVICE);
      await f.devices.setDevice(DEVICE, ethers.ZeroAddress, 1, OTHER_ASSET);
      await expect(f.escrow.connect(f.provider).accept(id))
        .to.be.revertedWithCustomError(f.escrow, "DeviceNotOnAsset")
        .withArgs(DEVICE, ASSET);
      expect(await snapshot(f, id)).to.deep.equal(s);
    });

    it("refuses a reading signed after complete-by (the deadline binds the device's clock too)", async function () {
      const f = await loadFixture(fixture);
      const { id, args } = await createAccepted(f);
      await f.devices.setReading(DEVICE, KIND_SELFTEST, 6, args.completeBy + 1, 0);
      const s = await snapshot(f, id);
      await expect(f.evidence.submitDeviceEvidence(id, 0, DEVICE))
        .to.be.revertedWithCustomError(f.escrow, "AttestationAfterDeadline")
        .withArgs(args.completeBy + 1, args.completeBy);
      expect(await snapshot(f, id)).to.deep.equal(s);
      await f.devices.setReading(DEVICE, KIND_SELFTEST, 7, args.completeBy, 0);
      await expect(f.evidence.submitDeviceEvidence(id, 0, DEVICE)).to.emit(f.escrow, "OrderCompleted");
    });

    it("refuses the reading that was already there at acceptance", async function () {
      const f = await loadFixture(fixture);
      const { id } = await createAccepted(f);
      const s = await snapshot(f, id);
      await expect(f.evidence.submitDeviceEvidence(id, 0, DEVICE))
        .to.be.revertedWithCustomError(f.escrow, "StaleAttestation")
        .withArgs(5, 5);
      expect(await snapshot(f, id)).to.deep.equal(s);
    });

    it("refuses a newer counter whose signing time is not after acceptance", async function () {
      const f = await loadFixture(fixture);
      const { id } = await createAccepted(f);
      const acceptedAt = Number((await f.escrow.getOrder(id)).acceptedAt);
      await f.devices.setReading(DEVICE, KIND_SELFTEST, 6, acceptedAt, 0);
      await expect(f.evidence.submitDeviceEvidence(id, 0, DEVICE))
        .to.be.revertedWithCustomError(f.escrow, "AttestationBeforeAcceptance")
        .withArgs(acceptedAt, acceptedAt);
    });

    it("refuses a reading failing the value condition (EQ, GTE, LTE)", async function () {
      const f = await loadFixture(fixture);
      const { id } = await createAccepted(f);
      await attest(f, 6, 3n);
      await expect(f.evidence.submitDeviceEvidence(id, 0, DEVICE))
        .to.be.revertedWithCustomError(f.escrow, "ValueConditionFailed")
        .withArgs(3, 0);
      const gte = await createAccepted(f, {
        salt: ethers.id("gte"),
        policy: policy({ cmp: Comparator.GTE, threshold: 500n }),
      });
      await attest(f, 7, 499n);
      await expect(f.evidence.submitDeviceEvidence(gte.id, 0, DEVICE)).to.be.revertedWithCustomError(
        f.escrow,
        "ValueConditionFailed",
      );
      await attest(f, 8, 500n);
      await expect(f.evidence.submitDeviceEvidence(gte.id, 0, DEVICE)).to.emit(f.escrow, "OrderCompleted");
      const lte = await createAccepted(f, {
        salt: ethers.id("lte"),
        policy: policy({ cmp: Comparator.LTE, threshold: 10n }),
      });
      await attest(f, 9, 11n);
      await expect(f.evidence.submitDeviceEvidence(lte.id, 0, DEVICE)).to.be.revertedWithCustomError(
        f.escrow,
        "ValueConditionFailed",
      );
      await attest(f, 10, 10n);
      await expect(f.evidence.submitDeviceEvidence(lte.id, 0, DEVICE)).to.emit(f.escrow, "OrderCompleted");
      const any = await createAccepted(f, { salt: ethers.id("any"), policy: policy({ cmp: Comparator.None }) });
      await attest(f, 11, 12345n);
      await expect(f.evidence.submitDeviceEvidence(any.id, 0, DEVICE)).to.emit(f.escrow, "OrderCompleted");
    });

    it("refuses replaying a reading already used for another milestone", async function () {
      const f = await loadFixture(fixture);
      const { id } = await createAccepted(f, { milestoneBps: [4_000, 6_000] });
      await attest(f, 6, 0n);
      await expect(f.evidence.submitDeviceEvidence(id, 0, DEVICE))
        .to.emit(f.escrow, "MilestoneReleased")
        .withArgs(id, 0, (BUDGET * 4_000n) / 10_000n);
      const s = await snapshot(f, id);
      await expect(f.evidence.submitDeviceEvidence(id, 1, DEVICE))
        .to.be.revertedWithCustomError(f.escrow, "StaleAttestation")
        .withArgs(6, 6);
      await expect(f.evidence.submitDeviceEvidence(id, 0, DEVICE))
        .to.be.revertedWithCustomError(f.escrow, "AlreadyReleased")
        .withArgs(id, 0);
      expect(await snapshot(f, id)).to.deep.equal(s);
      await attest(f, 7, 0n);
      await expect(f.evidence.submitDeviceEvidence(id, 1, DEVICE)).to.emit(f.escrow, "OrderCompleted");
      await expect(f.evidence.submitDeviceEvidence(id, 1, DEVICE))
        .to.be.revertedWithCustomError(f.escrow, "WrongState")
        .withArgs(id, OrderState.Completed);
    });

    it("counts the device once per milestone and refuses a disabled source, a bad milestone, a late reading", async function () {
      const f = await loadFixture(fixture);
      const both = await createAccepted(f, {
        inspectors: [f.inspector1.address],
        policy: policy({ k: 2 }),
      });
      await attest(f, 6, 0n);
      await f.evidence.submitDeviceEvidence(both.id, 0, DEVICE);
      await attest(f, 7, 0n);
      await expect(f.evidence.submitDeviceEvidence(both.id, 0, DEVICE))
        .to.be.revertedWithCustomError(f.escrow, "SourceAlreadyCounted")
        .withArgs(0, 0);
      await expect(f.evidence.submitDeviceEvidence(both.id, 1, DEVICE))
        .to.be.revertedWithCustomError(f.escrow, "BadMilestone")
        .withArgs(1);
      const insp = await createAccepted(f, { salt: ethers.id("i"), ...inspectorsPolicy(f) });
      await expect(f.evidence.submitDeviceEvidence(insp.id, 0, DEVICE)).to.be.revertedWithCustomError(
        f.escrow,
        "SourceNotEnabled",
      );
      await time.increaseTo(both.args.completeBy + 1);
      await attest(f, 8, 0n);
      await expect(f.evidence.submitDeviceEvidence(both.id, 0, DEVICE))
        .to.be.revertedWithCustomError(f.escrow, "DeadlinePassed")
        .withArgs(both.args.completeBy);
      const open = await create(f, { salt: ethers.id("open") });
      await expect(f.evidence.submitDeviceEvidence(open.id, 0, DEVICE))
        .to.be.revertedWithCustomError(f.escrow, "WrongState")
        .withArgs(open.id, OrderState.Open);
    });
  });

  describe("completion by inspectors (2 of 3, one an ERC-1271 wallet)", function () {
    it("releases when an EOA inspector and a smart-wallet inspector both pass it", async function () {
      const f = await loadFixture(fixture);
      const { id } = await createAccepted(f, inspectorsPolicy(f));
      const a = await inspection(f, id, f.inspector1);
      await expect(f.evidence.connect(f.stranger).submitInspections(id, [a.ins], [a.sig]))
        .to.emit(f.evidence, "EvidenceAccepted")
        .withArgs(id, 0, 2, 1);
      expect((await f.escrow.getOrder(id)).state).to.equal(OrderState.Active);
      const w = await inspection(f, id, f.walletOwner, 0, true, f.wallet.target as string);
      await expect(f.evidence.submitInspections(id, [w.ins], [w.sig]))
        .to.emit(f.escrow, "OrderCompleted")
        .withArgs(id, BOND);
      expect(await f.custody.claimable(f.provider.address, ASSET, await f.token.getAddress())).to.equal(BUDGET + BOND);
      expect((await f.evidence.getInspectors(id)).length).to.equal(3);
    });

    it("accepts two signatures in one call", async function () {
      const f = await loadFixture(fixture);
      const { id } = await createAccepted(f, inspectorsPolicy(f));
      const a = await inspection(f, id, f.inspector1);
      const b = await inspection(f, id, f.inspector2);
      await expect(f.evidence.submitInspections(id, [a.ins, b.ins], [a.sig, b.sig])).to.emit(
        f.escrow,
        "OrderCompleted",
      );
    });

    it("refuses an inspector not on the order, a duplicate, a wrong domain, an expired or foreign verdict", async function () {
      const f = await loadFixture(fixture);
      const { id } = await createAccepted(f, inspectorsPolicy(f));
      const a = await inspection(f, id, f.inspector1);
      await f.evidence.submitInspections(id, [a.ins], [a.sig]);
      const s = await snapshot(f, id);

      const x = await inspection(f, id, f.stranger);
      await expect(f.evidence.submitInspections(id, [x.ins], [x.sig]))
        .to.be.revertedWithCustomError(f.escrow, "InspectorNotOnOrder")
        .withArgs(f.stranger.address);
      await expect(f.evidence.submitInspections(id, [a.ins], [a.sig]))
        .to.be.revertedWithCustomError(f.escrow, "StaleInspection")
        .withArgs(f.inspector1.address, 0, a.ins.issuedAt, a.ins.issuedAt);

      const b = buildInspection(
        id,
        0,
        true,
        f.inspector2.address,
        BigInt((await time.latest()) + 1),
        BigInt((await time.latest()) + DAY),
      );
      for (const dom of [
        inspectionDomain(f.chainId + 1n, f.evidence.target as string),
        inspectionDomain(f.chainId, f.distributor.target as string),
        inspectionDomain(f.chainId, f.escrow.target as string), // the orders' address: not the verifier
        bidDomain(f.chainId, f.evidence.target as string), // the evidence's address under the bid domain name
        { ...f.domain, version: "2" },
      ]) {
        await expect(
          f.evidence.submitInspections(id, [b], [await signInspection(f.inspector2, dom, b)]),
        ).to.be.revertedWithCustomError(f.escrow, "InvalidSignature");
      }
      // Someone else's signature for the inspector, and a wallet signature by a stranger key.
      await expect(f.evidence.submitInspections(id, [b], [await signInspection(f.stranger, f.domain, b)]))
        .to.be.revertedWithCustomError(f.escrow, "InvalidSignature")
        .withArgs(f.inspector2.address);
      const wb = buildInspection(
        id,
        0,
        true,
        f.wallet.target as string,
        BigInt((await time.latest()) + 1),
        BigInt((await time.latest()) + DAY),
      );
      await expect(
        f.evidence.submitInspections(id, [wb], [await signInspection(f.stranger, f.domain, wb)]),
      ).to.be.revertedWithCustomError(f.escrow, "InvalidSignature");

      const expired = buildInspection(
        id,
        0,
        true,
        f.inspector2.address,
        BigInt((await time.latest()) + 1),
        BigInt(await time.latest()),
      );
      const esig = await signInspection(f.inspector2, f.domain, expired);
      await expect(f.evidence.submitInspections(id, [expired], [esig]))
        .to.be.revertedWithCustomError(f.escrow, "InspectionExpired")
        .withArgs(expired.deadline);

      const foreign = buildInspection(
        ethers.id("x"),
        0,
        true,
        f.inspector2.address,
        BigInt((await time.latest()) + 1),
        b.deadline,
      );
      await expect(f.evidence.submitInspections(id, [foreign], [await signInspection(f.inspector2, f.domain, foreign)]))
        .to.be.revertedWithCustomError(f.escrow, "InspectionForOtherOrder")
        .withArgs(ethers.id("x"));
      await expect(f.evidence.submitInspections(id, [b], [])).to.be.revertedWithCustomError(f.escrow, "BadInspectors");
      const bad = buildInspection(id, 1, true, f.inspector2.address, BigInt((await time.latest()) + 1), b.deadline);
      await expect(f.evidence.submitInspections(id, [bad], [await signInspection(f.inspector2, f.domain, bad)]))
        .to.be.revertedWithCustomError(f.escrow, "BadMilestone")
        .withArgs(1);
      expect(await snapshot(f, id)).to.deep.equal(s);
    });

    it("records a failed verdict without releasing; a newer pass of that inspector replaces it", async function () {
      const f = await loadFixture(fixture);
      const { id } = await createAccepted(f, inspectorsPolicy(f));
      const fail = await inspection(f, id, f.inspector1, 0, false);
      await expect(f.evidence.submitInspections(id, [fail.ins], [fail.sig]))
        .to.emit(f.evidence, "InspectionFailed")
        .withArgs(id, 0, f.inspector1.address);
      const m = await f.evidence.getMilestone(id, 0);
      expect(m.passBits).to.equal(0);
      expect(m.votedBits).to.equal(4);
      const pass = await inspection(f, id, f.inspector1, 0, true);
      await expect(f.evidence.submitInspections(id, [pass.ins], [pass.sig]))
        .to.emit(f.evidence, "EvidenceAccepted")
        .withArgs(id, 0, 2, 1);
      expect((await f.evidence.getMilestone(id, 0)).passBits).to.equal(4);
      await expect(f.evidence.submitInspections(id, [fail.ins], [fail.sig]))
        .to.be.revertedWithCustomError(f.escrow, "StaleInspection")
        .withArgs(f.inspector1.address, 0, fail.ins.issuedAt, pass.ins.issuedAt);
    });
  });

  describe("optimistic completion", function () {
    it("releases a claim nobody challenged once its window passed", async function () {
      const f = await loadFixture(fixture);
      const { id } = await createAccepted(f, { deviceId: 0n, policy: optimisticPolicy(f) });
      await expect(f.evidence.connect(f.stranger).claimMilestone(id, 0))
        .to.be.revertedWithCustomError(f.escrow, "NotProvider")
        .withArgs(f.stranger.address);
      await f.evidence.connect(f.provider).claimMilestone(id, 0);
      const ends = (await f.evidence.getMilestone(id, 0)).claimEnds;
      await expect(f.evidence.connect(f.provider).claimMilestone(id, 0))
        .to.be.revertedWithCustomError(f.escrow, "WrongClaimStatus")
        .withArgs(1);
      await expect(f.evidence.finalizeClaim(id, 0))
        .to.be.revertedWithCustomError(f.escrow, "DeadlineNotPassed")
        .withArgs(ends);
      await time.increaseTo(ends);
      await expect(f.evidence.connect(f.payer).challenge(id, 0))
        .to.be.revertedWithCustomError(f.escrow, "DeadlinePassed")
        .withArgs(ends);
      await expect(f.evidence.connect(f.stranger).finalizeClaim(id, 0)).to.emit(f.escrow, "OrderCompleted");
      expect((await f.evidence.getProgress(id)).pendingClaims).to.equal(0);
      await expect(f.evidence.finalizeClaim(id, 0)).to.be.revertedWithCustomError(f.escrow, "WrongClaimStatus");
    });

    it("refuses a claim when the policy has no optimistic source", async function () {
      const f = await loadFixture(fixture);
      const { id } = await createAccepted(f);
      await expect(f.evidence.connect(f.provider).claimMilestone(id, 0)).to.be.revertedWithCustomError(
        f.escrow,
        "SourceNotEnabled",
      );
    });

    it("sends a challenged claim to the arbiter, whose provider ruling releases it", async function () {
      const f = await loadFixture(fixture);
      const { id } = await createAccepted(f, { deviceId: 0n, policy: optimisticPolicy(f, Ruling.Payer) });
      await f.evidence.connect(f.provider).claimMilestone(id, 0);
      await expect(f.evidence.connect(f.stranger).challenge(id, 0))
        .to.be.revertedWithCustomError(f.escrow, "NotController")
        .withArgs(f.stranger.address);
      const disputeId = await f.evidence.connect(f.payer).challenge.staticCall(id, 0);
      const at = (await time.latest()) + 5;
      await time.setNextBlockTimestamp(at);
      await expect(f.evidence.connect(f.payer).challenge(id, 0))
        .to.emit(f.evidence, "ClaimChallenged")
        .withArgs(id, 0, disputeId, f.arbiter.address, at + 3 * DAY)
        .and.to.emit(f.disputes, "DisputeCreated")
        .withArgs(disputeId, await f.evidence.getAddress(), f.arbiter.address, at + 3 * DAY, Ruling.Payer);
      // Only the dispute module delivers rulings to MaintenanceEvidence.
      await expect(f.evidence.connect(f.arbiter).rule(disputeId, Ruling.Provider))
        .to.be.revertedWithCustomError(f.escrow, "NotDisputeModule")
        .withArgs(f.arbiter.address);
      await expect(f.evidence.connect(f.payer).challenge(id, 0))
        .to.be.revertedWithCustomError(f.escrow, "WrongClaimStatus")
        .withArgs(2);
      await expect(f.disputes.connect(f.payer).rule(disputeId, Ruling.Provider))
        .to.be.revertedWithCustomError(f.disputes, "NotArbiter")
        .withArgs(f.payer.address);
      await expect(f.disputes.connect(f.arbiter).rule(disputeId, 3))
        .to.be.revertedWithCustomError(f.disputes, "BadRuling")
        .withArgs(3);
      await expect(f.disputes.resolveByTimeout(disputeId)).to.be.revertedWithCustomError(
        f.disputes,
        "DeadlineNotPassed",
      );
      await expect(f.disputes.connect(f.arbiter).rule(disputeId, Ruling.Provider))
        .to.emit(f.disputes, "DisputeResolved")
        .withArgs(disputeId, Ruling.Provider, false)
        .and.to.emit(f.escrow, "OrderCompleted");
      expect((await f.disputes.getDispute(disputeId)).resolved).to.equal(true);
      await expect(f.disputes.connect(f.arbiter).rule(disputeId, Ruling.Provider))
        .to.be.revertedWithCustomError(f.disputes, "UnknownDispute")
        .withArgs(disputeId);
      await expect(f.disputes.resolveByTimeout(disputeId)).to.be.revertedWithCustomError(f.disputes, "UnknownDispute");
    });

    it("rejects the claim on a payer ruling; the provider may claim again before complete-by", async function () {
      const f = await loadFixture(fixture);
      const { id } = await createAccepted(f, { deviceId: 0n, policy: optimisticPolicy(f) });
      await f.evidence.connect(f.provider).claimMilestone(id, 0);
      const d1 = await f.evidence.connect(f.payer).challenge.staticCall(id, 0);
      await f.evidence.connect(f.payer).challenge(id, 0);
      await f.disputes.connect(f.arbiter).rule(d1, Ruling.Payer);
      const m = await f.evidence.getMilestone(id, 0);
      expect(m.claim).to.equal(0);
      expect(m.released).to.equal(false);
      expect((await f.evidence.getProgress(id)).pendingClaims).to.equal(0);
      await f.evidence.connect(f.provider).claimMilestone(id, 0);
      const d2 = await f.evidence.connect(f.payer).challenge.staticCall(id, 0);
      expect(d2).to.not.equal(d1);
      await f.evidence.connect(f.payer).challenge(id, 0);
      // Refusing to arbitrate (0) applies the order's default ruling (provider here).
      await expect(f.disputes.connect(f.arbiter).rule(d2, Ruling.Refused))
        .to.emit(f.disputes, "DisputeResolved")
        .withArgs(d2, Ruling.Provider, false)
        .and.to.emit(f.escrow, "OrderCompleted");
    });

    it("applies the default ruling when the arbiter does not rule in time", async function () {
      const f = await loadFixture(fixture);
      const { id } = await createAccepted(f, { deviceId: 0n, policy: optimisticPolicy(f, Ruling.Payer) });
      await f.evidence.connect(f.provider).claimMilestone(id, 0);
      const d = await f.evidence.connect(f.payer).challenge.staticCall(id, 0);
      await f.evidence.connect(f.payer).challenge(id, 0);
      await expect(f.disputes.resolveByTimeout(123n)).to.be.revertedWithCustomError(f.disputes, "UnknownDispute");
      await time.increase(3 * DAY);
      await expect(f.disputes.connect(f.stranger).resolveByTimeout(d))
        .to.emit(f.disputes, "DisputeResolved")
        .withArgs(d, Ruling.Payer, true);
      expect((await f.evidence.getMilestone(id, 0)).released).to.equal(false);
    });

    it("keeps an order with a pending claim from defaulting until the claim is settled", async function () {
      const f = await loadFixture(fixture);
      const { id, args } = await createAccepted(f, { deviceId: 0n, policy: optimisticPolicy(f) });
      await time.increaseTo(args.completeBy - 10);
      await f.evidence.connect(f.provider).claimMilestone(id, 0);
      await time.increaseTo(args.completeBy + 1);
      await expect(f.escrow.expire(id)).to.be.revertedWithCustomError(f.escrow, "ClaimsPending").withArgs(1);
      await expect(f.evidence.connect(f.provider).claimMilestone(id, 0)).to.be.revertedWithCustomError(
        f.escrow,
        "DeadlinePassed",
      );
      await time.increase(DAY);
      await expect(f.evidence.finalizeClaim(id, 0)).to.emit(f.escrow, "OrderCompleted");
    });

    it("closes a dispute made moot by other evidence without effect", async function () {
      const f = await loadFixture(fixture);
      const pol = { ...optimisticPolicy(f), useDevice: true, cmp: Comparator.EQ, k: 1 };
      const { id } = await createAccepted(f, { policy: pol });
      await f.evidence.connect(f.provider).claimMilestone(id, 0);
      const d = await f.evidence.connect(f.payer).challenge.staticCall(id, 0);
      await f.evidence.connect(f.payer).challenge(id, 0);
      await attest(f, 6, 0n);
      await expect(f.evidence.submitDeviceEvidence(id, 0, DEVICE)).to.emit(f.escrow, "OrderCompleted");
      expect((await f.evidence.getProgress(id)).pendingClaims).to.equal(0);
      await expect(f.disputes.connect(f.arbiter).rule(d, Ruling.Provider))
        .to.emit(f.disputes, "DisputeResolved")
        .withArgs(d, Ruling.Provider, false)
        .and.not.to.emit(f.escrow, "MilestoneReleased");
    });
  });

  describe("milestones", function () {
    it("releases each milestone's exact share, the shares summing to the price", async function () {
      const f = await loadFixture(fixture);
      const budget = 1_000_003n; // not divisible: floors telescope to the exact total
      const { id } = await createAccepted(f, {
        budget,
        ...inspectorsPolicy(f, 1),
        milestoneBps: [3_333, 3_333, 3_334],
      });
      let total = 0n;
      for (let m = 0; m < 3; m++) {
        const amount = await f.evidence.milestoneAmount(id, m);
        total += amount;
        const a = await inspection(f, id, f.inspector1, m);
        await expect(f.evidence.submitInspections(id, [a.ins], [a.sig]))
          .to.emit(f.escrow, "MilestoneReleased")
          .withArgs(id, m, amount);
      }
      expect(total).to.equal(budget);
      expect((await f.escrow.getOrder(id)).state).to.equal(OrderState.Completed);
      expect(await f.custody.claimable(f.provider.address, ASSET, await f.token.getAddress())).to.equal(budget + BOND);
    });
  });

  describe("deadlines, refunds and slashing", function () {
    it("refunds the payer when nobody accepts by accept-by", async function () {
      const f = await loadFixture(fixture);
      const { id, args } = await create(f);
      await expect(f.escrow.expire(id))
        .to.be.revertedWithCustomError(f.escrow, "DeadlineNotPassed")
        .withArgs(args.acceptBy);
      await time.increaseTo(args.acceptBy + 1);
      await expect(f.escrow.connect(f.stranger).expire(id)).to.emit(f.escrow, "OrderExpired").withArgs(id, BUDGET);
      expect(await f.custody.claimable(f.payer.address, ASSET, await f.token.getAddress())).to.equal(BUDGET);
      await expect(f.escrow.expire(id))
        .to.be.revertedWithCustomError(f.escrow, "WrongState")
        .withArgs(id, OrderState.Expired);
    });

    it("refunds the unreleased budget and slashes the bond to the payer when the work is late", async function () {
      const f = await loadFixture(fixture);
      const { id, args } = await createAccepted(f, { milestoneBps: [2_500, 7_500] });
      await attest(f, 6, 0n);
      await f.evidence.submitDeviceEvidence(id, 0, DEVICE);
      await expect(f.escrow.expire(id)).to.be.revertedWithCustomError(f.escrow, "DeadlineNotPassed");
      await time.increaseTo(args.completeBy + 1);
      const paid = BUDGET / 4n;
      await expect(f.escrow.expire(id))
        .to.emit(f.escrow, "OrderDefaulted")
        .withArgs(id, BUDGET - paid, BOND);
      const t = await f.token.getAddress();
      expect(await f.custody.claimable(f.payer.address, ASSET, t)).to.equal(BUDGET - paid + BOND);
      expect(await f.custody.claimable(f.provider.address, ASSET, t)).to.equal(paid);
      expect((await f.escrow.getOrder(id)).state).to.equal(OrderState.Defaulted);
    });

    it("slashes the bond but refunds nothing when a late order's released milestone already paid the whole price", async function () {
      const f = await loadFixture(fixture);
      // Price 1 over two 50% milestones: floor(1 * 5_000 / 10_000) = 0, so milestone 0 pays 0 and
      // milestone 1 pays the whole price. Milestones release in any order.
      const { id, args } = await createAccepted(f, {
        budget: 1n,
        ...inspectorsPolicy(f, 1),
        milestoneBps: [5_000, 5_000],
      });
      expect(await f.evidence.milestoneAmount(id, 0)).to.equal(0n);
      expect(await f.evidence.milestoneAmount(id, 1)).to.equal(1n);
      const a = await inspection(f, id, f.inspector1, 1);
      await expect(f.evidence.submitInspections(id, [a.ins], [a.sig]))
        .to.emit(f.escrow, "MilestoneReleased")
        .withArgs(id, 1, 1n)
        .and.not.to.emit(f.escrow, "OrderCompleted");
      const before = await f.escrow.getOrder(id);
      expect(before.state).to.equal(OrderState.Active);
      expect(before.released).to.equal(before.price); // nothing left unreleased
      expect(before.releasedCount).to.equal(1);

      await time.increaseTo(args.completeBy + 1);
      const tx = f.escrow.connect(f.stranger).expire(id);
      await expect(tx).to.emit(f.escrow, "OrderDefaulted").withArgs(id, 0n, BOND);
      await expect(tx).not.to.emit(f.custody, "ReserveCredited");
      // The slashed bond is the only credit: no (zero) refund of the unreleased price is credited.
      const t = await f.token.getAddress();
      const credits = (await (await tx).wait())!.logs
        .map((log) => f.custody.interface.parseLog(log))
        .filter((e) => e?.name === "Credited")
        .map((e) => [e!.args.party, e!.args.assetId, e!.args.token, e!.args.amount]);
      expect(credits).to.deep.equal([[f.payer.address, ASSET, t, BOND]]);
      expect(await f.custody.claimable(f.payer.address, ASSET, t)).to.equal(BOND);
      expect(await f.custody.claimable(f.provider.address, ASSET, t)).to.equal(1n);
      expect(await f.custody.reserveCredit(ASSET, t)).to.equal(0n);
      // Everything the vault holds (price + bond) is owed to someone, nothing more.
      expect(await f.token.balanceOf(await f.custody.vaultOf(ASSET))).to.equal(1n + BOND);
      const o = await f.escrow.getOrder(id);
      expect(o.state).to.equal(OrderState.Defaulted);
      expect(o.released).to.equal(1n);
      expect((await f.evidence.getMilestone(id, 0)).released).to.equal(false);
    });

    it("holds a reserve-funded refund and a reserve slash for the asset, returned through the distributor", async function () {
      const f = await loadFixture(fixture);
      const { id, args } = await createAccepted(f, { fromReserve: true, slashTo: SlashTo.Reserve }, f.agent);
      await time.increaseTo(args.completeBy + 1);
      await f.escrow.expire(id);
      const t = await f.token.getAddress();
      expect(await f.custody.reserveCredit(ASSET, t)).to.equal(BUDGET + BOND);
      expect(await f.custody.claimable(f.agent.address, ASSET, t)).to.equal(0n);
      await expect(f.custody.connect(f.stranger).returnToReserve(ASSET, t))
        .to.emit(f.custody, "ReserveReturned")
        .withArgs(ASSET, t, BUDGET + BOND);
      expect(await f.distributor.deposited(ASSET, t)).to.equal(BUDGET + BOND);
      expect(await f.token.allowance(await f.escrow.getAddress(), await f.distributor.getAddress())).to.equal(0n);
      await expect(f.custody.returnToReserve(ASSET, t)).to.be.revertedWithCustomError(f.escrow, "NothingToClaim");
    });

    it("slashes a payer-funded order's bond to the asset's reserve when so configured", async function () {
      const f = await loadFixture(fixture);
      const { id, args } = await createAccepted(f, { slashTo: SlashTo.Reserve });
      await time.increaseTo(args.completeBy + 1);
      await f.escrow.expire(id);
      const t = await f.token.getAddress();
      expect(await f.custody.claimable(f.payer.address, ASSET, t)).to.equal(BUDGET);
      expect(await f.custody.reserveCredit(ASSET, t)).to.equal(BOND);
    });

    it("refuses expiring a completed order", async function () {
      const f = await loadFixture(fixture);
      const { id, args } = await createAccepted(f);
      await attest(f, 6, 0n);
      await f.evidence.submitDeviceEvidence(id, 0, DEVICE);
      await time.increaseTo(args.completeBy + 1);
      await expect(f.escrow.expire(id))
        .to.be.revertedWithCustomError(f.escrow, "WrongState")
        .withArgs(id, OrderState.Completed);
    });

    it("re-issues a defaulted order with the same terms and new deadlines, once, by its controller", async function () {
      const f = await loadFixture(fixture);
      const { id, args } = await createAccepted(f, { ...inspectorsPolicy(f), milestoneBps: [5_000, 5_000] });
      await expect(
        f.escrow.connect(f.payer).reissue(id, f.provider2.address, args.completeBy + DAY, args.completeBy + 2 * DAY),
      )
        .to.be.revertedWithCustomError(f.escrow, "WrongState")
        .withArgs(id, OrderState.Active);
      await time.increaseTo(args.completeBy + 1);
      await f.escrow.expire(id);
      const now = await time.latest();
      await expect(
        f.escrow.connect(f.stranger).reissue(id, f.provider2.address, now + DAY, now + 2 * DAY),
      ).to.be.revertedWithCustomError(f.escrow, "NotController");
      const newId = await f.escrow
        .connect(f.payer)
        .reissue.staticCall(id, f.provider2.address, now + DAY, now + 2 * DAY);
      await expect(f.escrow.connect(f.payer).reissue(id, f.provider2.address, now + DAY, now + 2 * DAY))
        .to.emit(f.escrow, "OrderReissued")
        .withArgs(id, newId);
      const o = await f.escrow.getOrder(newId);
      expect(o.state).to.equal(OrderState.Open);
      expect(o.provider).to.equal(f.provider2.address);
      expect(o.budget).to.equal(BUDGET);
      expect(o.milestoneCount).to.equal(2);
      expect(await f.evidence.getInspectors(newId)).to.deep.equal(await f.evidence.getInspectors(id));
      expect((await f.evidence.getPolicy(newId)).k).to.equal(2);
      expect((await f.evidence.getMilestone(newId, 1)).startBps).to.equal(5_000);
      await expect(
        f.escrow.connect(f.payer).reissue(id, f.provider2.address, now + DAY, now + 2 * DAY),
      ).to.be.revertedWithCustomError(f.escrow, "AlreadyReissued");
      await f.escrow.connect(f.provider2).accept(newId);
      const a = await inspection(f, newId, f.inspector1);
      const b = await inspection(f, newId, f.inspector2);
      await f.evidence.submitInspections(newId, [a.ins, b.ins], [a.sig, b.sig]);
      expect((await f.evidence.getMilestone(newId, 0)).released).to.equal(true);
    });

    it("re-issues a reserve-funded order only for the asset's current agent, from the reserve", async function () {
      const f = await loadFixture(fixture);
      const { id, args } = await create(f, { fromReserve: true }, f.agent);
      await time.increaseTo(args.acceptBy + 1);
      await f.escrow.expire(id);
      const now = await time.latest();
      await expect(f.escrow.connect(f.payer).reissue(id, ZERO, now + DAY, now + 2 * DAY))
        .to.be.revertedWithCustomError(f.escrow, "NotController")
        .withArgs(f.payer.address);
      const t = await f.token.getAddress();
      expect(await f.custody.reserveCredit(ASSET, t)).to.equal(BUDGET);
      // The refund still held for the asset funds the re-issued order: the reserve is not drawn twice.
      await expect(f.escrow.connect(f.agent).reissue(id, ZERO, now + DAY, now + 2 * DAY))
        .to.emit(f.custody, "ReserveCreditUsed")
        .withArgs(ASSET, t, BUDGET);
      expect(await f.custody.reserveCredit(ASSET, t)).to.equal(0n);
      expect(await f.distributor.reserveOf(ASSET, t)).to.equal(RESERVE - BUDGET);
      expect(await f.token.balanceOf(await f.custody.vaultOf(ASSET))).to.equal(BUDGET);
    });

    it("tops a partial reserve credit up from the distributor when funding from the reserve", async function () {
      const f = await loadFixture(fixture);
      const t = await f.token.getAddress();
      const { id, args } = await createAccepted(f, { slashTo: SlashTo.Reserve });
      await time.increaseTo(args.completeBy + 1);
      await f.escrow.expire(id); // BOND credited to the asset's reserve
      await create(f, { fromReserve: true, salt: ethers.id("r") }, f.agent);
      expect(await f.custody.reserveCredit(ASSET, t)).to.equal(0n);
      expect(await f.distributor.reserveOf(ASSET, t)).to.equal(RESERVE - (BUDGET - BOND));
    });
  });

  describe("per-asset vaults and controllers", function () {
    it("deploys one vault per asset on its first order, which only the custody (and the distributor sharing it) can move funds from", async function () {
      const f = await loadFixture(fixture);
      const vaults = await ethers.getContractAt("AssetVaults", await f.distributor.vaults());
      const vaultA = await f.custody.vaultOf(ASSET);
      expect(vaultA).to.equal(await vaults.vaultOf(ASSET));
      expect(vaultA).to.not.equal(await f.custody.vaultOf(OTHER_ASSET));
      expect(await ethers.provider.getCode(vaultA)).to.equal("0x");
      const now = await time.latest();
      const args = orderArgs(now, await f.token.getAddress(), f.provider.address);
      await expect(f.escrow.connect(f.payer).createOrder(args)).to.emit(vaults, "VaultCreated").withArgs(ASSET, vaultA);
      await expect(f.escrow.connect(f.payer).createOrder({ ...args, salt: ethers.id("2") })).not.to.emit(
        vaults,
        "VaultCreated",
      );
      const vault = await ethers.getContractAt("AssetVault", vaultA);
      expect(await vault.controller()).to.equal(await f.distributor.getAddress());
      expect(await vault.maintenance()).to.equal(await f.custody.getAddress());
      expect(await vault.rental()).to.equal(ethers.ZeroAddress);
      // Neither the orders nor the evidence contract can move the vault's funds: only the custody.
      for (const c of [f.escrow, f.evidence]) {
        await ethers.provider.send("hardhat_impersonateAccount", [await c.getAddress()]);
        await ethers.provider.send("hardhat_setBalance", [await c.getAddress(), "0xde0b6b3a7640000"]);
        const as = await ethers.getSigner(await c.getAddress());
        await expect(vault.connect(as).pay(await f.token.getAddress(), as.address, 1n))
          .to.be.revertedWithCustomError(vault, "NotController")
          .withArgs(as.address);
      }
      await expect(vault.connect(f.stranger).pay(await f.token.getAddress(), f.stranger.address, 1n))
        .to.be.revertedWithCustomError(vault, "NotController")
        .withArgs(f.stranger.address);
      expect(await f.token.balanceOf(vaultA)).to.equal(2n * BUDGET);
    });

    it("gives control of a reserve-funded order to the asset's current agent only", async function () {
      const f = await loadFixture(fixture);
      const { id } = await create(f, { fromReserve: true }, f.agent);
      await f.assets.setAsset(ASSET, f.stranger.address, 1, ethers.ZeroAddress); // the agent changes
      await expect(f.escrow.connect(f.agent).cancel(id))
        .to.be.revertedWithCustomError(f.escrow, "NotController")
        .withArgs(f.agent.address);
      await expect(f.escrow.connect(f.stranger).cancel(id)).to.emit(f.escrow, "OrderCancelled");
      expect(await f.custody.reserveCredit(ASSET, await f.token.getAddress())).to.equal(BUDGET);
    });

    it("accepts a bid signed by a smart-wallet provider (ERC-1271)", async function () {
      const f = await loadFixture(fixture);
      const { id } = await create(f, { provider: ZERO, bond: 0n });
      const w = f.wallet.target as string;
      const bid = buildBid(id, w, BUDGET, 0n, 0n, BigInt((await time.latest()) + HOUR));
      await expect(f.escrow.connect(f.payer).awardBid(id, bid, await signBid(f.walletOwner, f.bidDomain, bid)))
        .to.emit(f.escrow, "OrderAccepted")
        .withArgs(id, w, BUDGET, 0n, 5);
      await attest(f, 6, 0n);
      await f.evidence.submitDeviceEvidence(id, 0, DEVICE);
      expect(await f.custody.claimable(w, ASSET, await f.token.getAddress())).to.equal(BUDGET);
    });
  });

  describe("claims and attacks", function () {
    it("pays a claimable balance once, to any recipient the party names", async function () {
      const f = await loadFixture(fixture);
      const { id } = await create(f);
      await f.escrow.connect(f.payer).cancel(id);
      const t = await f.token.getAddress();
      await expect(f.custody.connect(f.payer).claim(ASSET, t, ZERO)).to.be.revertedWithCustomError(
        f.escrow,
        "ZeroAddress",
      );
      const before = await f.token.balanceOf(f.stranger.address);
      await expect(f.custody.connect(f.payer).claim(ASSET, t, f.stranger.address))
        .to.emit(f.custody, "Claimed")
        .withArgs(f.payer.address, ASSET, t, f.stranger.address, BUDGET);
      expect(await f.token.balanceOf(f.stranger.address)).to.equal(before + BUDGET);
      await expect(f.custody.connect(f.payer).claim(ASSET, t, f.payer.address)).to.be.revertedWithCustomError(
        f.escrow,
        "NothingToClaim",
      );
    });

    it("lets a provider blocklisted by the token withdraw to another address", async function () {
      const f = await loadFixture(fixture);
      const blk = await ethers.deployContract("BlocklistToken");
      const b = await blk.getAddress();
      await f.escrow.connect(f.gov).setTokenAllowed(b, true);
      for (const s of [f.payer, f.provider]) {
        await blk.mint(s.address, BUDGET + BOND);
        await blk.connect(s).approve(await f.custody.getAddress(), ethers.MaxUint256);
      }
      const { id } = await createAccepted(f, { token: b });
      await attest(f, 6, 0n);
      await f.evidence.submitDeviceEvidence(id, 0, DEVICE);
      await blk.setBlocked(f.provider.address, true);
      await expect(f.custody.connect(f.provider).claim(ASSET, b, f.provider.address)).to.be.revertedWithCustomError(
        blk,
        "Blocked",
      );
      expect(await f.custody.claimable(f.provider.address, ASSET, b)).to.equal(BUDGET + BOND);
      await f.custody.connect(f.provider).claim(ASSET, b, f.provider2.address);
      expect(await blk.balanceOf(f.provider2.address)).to.equal(BUDGET + BOND);
    });

    it("stops a token re-entering claim during its own transfer", async function () {
      const f = await loadFixture(fixture);
      const rnt = await ethers.deployContract("ReentrantToken");
      const r = await rnt.getAddress();
      const e = await f.escrow.getAddress();
      await f.escrow.connect(f.gov).setTokenAllowed(r, true);
      await rnt.mint(r, BUDGET);
      // The token contract itself is the payer: creates an order, cancels it, has BUDGET claimable.
      await rnt.exec(r, rnt.interface.encodeFunctionData("approve", [await f.custody.getAddress(), BUDGET]));
      const args = orderArgs(await time.latest(), r, f.provider.address);
      await rnt.exec(e, f.escrow.interface.encodeFunctionData("createOrder", [args]));
      const id = ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [r, args.salt]));
      await rnt.exec(e, f.escrow.interface.encodeFunctionData("cancel", [id]));
      expect(await f.custody.claimable(r, ASSET, r)).to.equal(BUDGET);
      const vault = await f.custody.vaultOf(ASSET);
      const c = await f.custody.getAddress();
      await rnt.arm(vault, ethers.ZeroAddress, c, f.custody.interface.encodeFunctionData("claim", [ASSET, r, r]), true);
      await rnt.exec(c, f.custody.interface.encodeFunctionData("claim", [ASSET, r, r]));
      expect(await rnt.lastCallSucceeded()).to.equal(false);
      expect(await rnt.lastRevert()).to.equal(f.escrow.interface.getError("ReentrancyGuardReentrantCall")!.selector);
      expect(await rnt.balanceOf(r)).to.equal(BUDGET);
      expect(await rnt.balanceOf(vault)).to.equal(0n);
      expect(await f.custody.claimable(r, ASSET, r)).to.equal(0n);
    });

    it("stops a token re-entering the escrow while an order is being funded", async function () {
      const f = await loadFixture(fixture);
      const rnt = await ethers.deployContract("ReentrantToken");
      const r = await rnt.getAddress();
      const e = await f.escrow.getAddress();
      await f.escrow.connect(f.gov).setTokenAllowed(r, true);
      await rnt.mint(r, 2n * BUDGET);
      await rnt.exec(r, rnt.interface.encodeFunctionData("approve", [await f.custody.getAddress(), 2n * BUDGET]));
      const first = orderArgs(await time.latest(), r, f.provider.address);
      await rnt.exec(e, f.escrow.interface.encodeFunctionData("createOrder", [first]));
      const firstId = ethers.keccak256(
        ethers.AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [r, first.salt]),
      );
      // While the second order's budget leaves the payer (the token itself), it tries to cancel the first.
      await rnt.arm(r, ethers.ZeroAddress, e, f.escrow.interface.encodeFunctionData("cancel", [firstId]), true);
      const second = { ...first, salt: ethers.id("second") };
      await rnt.exec(e, f.escrow.interface.encodeFunctionData("createOrder", [second]));
      expect(await rnt.lastCallSucceeded()).to.equal(false);
      expect(await rnt.lastRevert()).to.equal(f.escrow.interface.getError("ReentrancyGuardReentrantCall")!.selector);
      expect((await f.escrow.getOrder(firstId)).state).to.equal(OrderState.Open);
      expect(await rnt.balanceOf(await f.custody.vaultOf(ASSET))).to.equal(2n * BUDGET);
    });

    it("releases to a provider contract that reverts on any call, which then pulls its money", async function () {
      const f = await loadFixture(fixture);
      const rr = await ethers.deployContract("RevertingReceiver");
      const addr = await rr.getAddress();
      const t = await f.token.getAddress();
      await f.token.mint(addr, BOND);
      await rr.approve(t, await f.custody.getAddress(), BOND);
      const { id } = await create(f, { provider: addr });
      await rr.exec(await f.escrow.getAddress(), f.escrow.interface.encodeFunctionData("accept", [id]));
      await attest(f, 6, 0n);
      await expect(f.evidence.submitDeviceEvidence(id, 0, DEVICE)).to.emit(f.escrow, "OrderCompleted");
      await rr.exec(await f.custody.getAddress(), f.custody.interface.encodeFunctionData("claim", [ASSET, t, addr]));
      expect(await f.token.balanceOf(addr)).to.equal(BUDGET + BOND);
    });
  });
});
