/**
 * SWC-128 DoS with block gas limit: every list a contract iterates is bounded by a constant, enforced
 * with its custom error at the boundary (max accepted, max + 1 refused, nothing changed), and the
 * per-holder work never grows with the number of holders (O(1) claims and deposits: no loop over users).
 * Caller-supplied arrays that only the caller pays for (attestBatch) are linear in
 * their own length and touch no shared list.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Wallet, id } from "ethers";
import { attestationMessage, deviceDigest } from "../../client/src/eip712/devices.js";
import { Comparator, buildInspection, signInspection } from "../../client/src/eip712/maintenance.js";
import { policy } from "../maintenance/fixture.js";
import { DAY, DE, USDC, YEAR, deployWorld, orderFor, type World } from "./world.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

async function world() {
  return deployWorld(ethers);
}

const wallets = (n: number) => Array.from({ length: n }, () => Wallet.createRandom().address);

async function gasOf(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) {
  return (await (await tx).wait())!.gasUsed;
}

describe("Attack class SWC-128 DoS with block gas limit: every loop has a bound", function () {
  it("IncomeDistributor: at most MAX_PAYOUT_TOKENS (4) payout tokens per asset, the fifth refused", async function () {
    const w = await loadFixture(world);
    expect(await w.distributor.MAX_PAYOUT_TOKENS()).to.equal(4n);
    const extra = [];
    for (let i = 0; i < 3; i++) {
      const t = await ethers.deployContract("MockPayoutToken", [`T${i}`, `T${i}`, 18]);
      await w.distributor.connect(w.gov).setPayoutToken(await t.getAddress(), true);
      extra.push(await t.getAddress());
    }
    // USDC and ETH are registered: two more fit, the fifth is refused.
    await w.distributor.connect(w.agent).registerPayoutToken(w.assetId, extra[0]);
    await w.distributor.connect(w.agent).registerPayoutToken(w.assetId, extra[1]);
    await expect(w.distributor.connect(w.agent).registerPayoutToken(w.assetId, extra[2]))
      .to.be.revertedWithCustomError(w.distributor, "TooManyPayoutTokens")
      .withArgs(w.assetId, extra[2]);
    expect(await w.distributor.payoutTokensOf(w.assetId)).to.have.length(4);
  });

  it("MaintenanceEscrow: at most 8 milestones and 5 inspectors per order, and at most 5 verdicts per call", async function () {
    const w = await loadFixture(world);
    expect(await w.evidence.MAX_MILESTONES()).to.equal(8n);
    expect(await w.evidence.MAX_INSPECTORS()).to.equal(5n);
    const eight = Array(8).fill(1_250);
    const nine = [...Array(8).fill(1_111), 10_000 - 8 * 1_111];
    await expect(
      w.escrow.connect(w.alice).createOrder(await orderFor(w, { milestoneBps: nine })),
    ).to.be.revertedWithCustomError(w.escrow, "BadMilestones");
    const insPolicy = policy({ useDevice: false, cmp: Comparator.None, k: 1 });
    const signers = (await ethers.getSigners()).slice(14, 20);
    const six = signers.map((s) => s.address);
    await expect(
      w.escrow.connect(w.alice).createOrder(await orderFor(w, { deviceId: 0n, inspectors: six, policy: insPolicy })),
    ).to.be.revertedWithCustomError(w.escrow, "BadInspectors");
    expect(await w.usdc.balanceOf(await w.custody.vaultOf(w.assetId))).to.equal(0n);
    // The maxima are accepted.
    const max = await orderFor(w, {
      deviceId: 0n,
      inspectors: six.slice(0, 5),
      policy: insPolicy,
      milestoneBps: eight,
    });
    const orderId = await w.escrow.connect(w.alice).createOrder.staticCall(max);
    await w.escrow.connect(w.alice).createOrder(max);
    await w.escrow.connect(w.provider).accept(orderId);
    expect(await w.evidence.getInspectors(orderId)).to.have.length(5);
    const deadline = BigInt((await time.latest()) + DAY);
    const verdicts = [];
    const sigs = [];
    for (let i = 0; i < 6; i++) {
      const ins = buildInspection(
        orderId,
        i % 8,
        true,
        signers[i % 5].address,
        BigInt((await time.latest()) + 1),
        deadline,
      );
      verdicts.push(ins);
      sigs.push(await signInspection(signers[i % 5], w.escrowDomain, ins));
    }
    await expect(w.evidence.submitInspections(orderId, verdicts, sigs)).to.be.revertedWithCustomError(
      w.escrow,
      "BadInspectors",
    );
    // Exactly MAX_INSPECTORS verdicts in one call are accepted: five passes release five milestones.
    const receipt = await (await w.evidence.submitInspections(orderId, verdicts.slice(0, 5), sigs.slice(0, 5))).wait();
    const released = receipt!.logs
      .map((log) => w.escrow.interface.parseLog(log))
      .filter((e) => e?.name === "MilestoneReleased")
      .map((e) => Number(e!.args.milestone));
    expect(released).to.deep.equal([0, 1, 2, 3, 4]);
  });

  it("AssetShares: at most MAX_RULES (8) external transfer rules, the ninth refused", async function () {
    const w = await loadFixture(world);
    expect(await w.shares.MAX_RULES()).to.equal(8n);
    for (let i = 0; i < 8; i++) {
      const rule = await ethers.deployContract("MockTransferRule");
      await w.shares.connect(w.agent).addRule(await rule.getAddress());
    }
    const ninth = await ethers.deployContract("MockTransferRule");
    await expect(w.shares.connect(w.agent).addRule(await ninth.getAddress()))
      .to.be.revertedWithCustomError(w.shares, "TooManyRules")
      .withArgs(8);
    // A transfer with 8 rules still goes through.
    await w.shares.connect(w.alice).transfer(w.bob.address, 1);
  });

  it("IdentityRegistry: onboarding batches of at most MAX_BATCH (256), the 257-row batch refused whole", async function () {
    const w = await loadFixture(world);
    expect(await w.identity.MAX_BATCH()).to.equal(256n);
    const expiry = BigInt((await time.latest()) + YEAR);
    const many = wallets(257);
    await expect(w.identity.connect(w.kyc).setIdentities(many, Array(257).fill(DE), Array(257).fill(expiry)))
      .to.be.revertedWithCustomError(w.identity, "BatchTooLarge")
      .withArgs(257, 256);
    await w.identity.connect(w.kyc).setIdentities(many.slice(0, 256), Array(256).fill(DE), Array(256).fill(expiry));
  });

  it("claims and deposits cost the same gas with 2 holders and with 40 holders (no loop over users)", async function () {
    const w = await loadFixture(world);
    const u = await w.usdc.getAddress();
    const measure = async () => {
      const dep = await gasOf(w.distributor.connect(w.outsider).deposit(w.assetId, u, USDC(1_000)));
      const claim = await gasOf(w.distributor.connect(w.alice).claim(w.assetId, u, w.alice.address));
      return { dep, claim };
    };
    // Warm-up so both measurements see the same cold/warm storage pattern.
    await w.distributor.connect(w.outsider).deposit(w.assetId, u, USDC(1_000));
    await w.distributor.connect(w.alice).claim(w.assetId, u, w.alice.address);
    const few = await measure();
    const holders = wallets(38);
    const expiry = BigInt((await time.latest()) + YEAR);
    await w.identity.connect(w.kyc).setIdentities(holders, Array(38).fill(DE), Array(38).fill(expiry));
    // Bob spreads his shares over 38 new holders: same supply (same per-share arithmetic), 40 holders.
    for (const h of holders) await w.shares.connect(w.bob).transfer(h, 10);
    const many = await measure();
    expect(many.dep).to.equal(few.dep);
    expect(many.claim).to.equal(few.claim);
  });

  it("attestBatch is linear in its own length (the caller pays for what it submits; no shared list)", async function () {
    const w = await loadFixture(world);
    const batch = async (n: number) => {
      const base = await w.devices.lastCounter(w.device.deviceId);
      const items = [];
      const sigs = [];
      for (let i = 1; i <= n; i++) {
        const att = attestationMessage({
          deviceId: w.device.deviceId,
          kind: 1,
          value: 1,
          odometer: base + BigInt(i),
          payloadHash: id(`p${i}`),
          counter: base + BigInt(i),
          timestamp: await time.latest(),
        });
        items.push(att);
        sigs.push(await w.device.signDigest(deviceDigest(w.ctx.domain, "Attestation", att)));
      }
      return gasOf(w.devices.attestBatch(items, sigs));
    };
    await batch(1); // warm the device's slots
    const g10 = await batch(10);
    const g20 = await batch(20);
    const perItem = (g20 - g10) / 10n;
    // 10 more items cost 10 x the per-item cost (within 2 %): no super-linear term.
    const g30 = await batch(30);
    const perItem2 = (g30 - g20) / 10n;
    expect(perItem2 > perItem ? perItem2 - perItem : perItem - perItem2).to.be.lte(perItem / 50n);
  });
});

export type { World };
