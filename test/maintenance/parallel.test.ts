import { expect } from "chai";
import { network } from "hardhat";
import { accessOf, analyse, type TxAccess } from "../../scripts/tooling/parallel/conflicts.js";
import {
  ASSET,
  BOND,
  BUDGET,
  DEVICE,
  KIND_SELFTEST,
  OTHER_ASSET,
  OTHER_DEVICE,
  deployMaintenance,
  orderArgs,
} from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

describe("maintenance (orders, evidence, custody): storage per asset (parallel execution)", function () {
  it("writes no common storage slot for two orders' lifecycles on different assets with different parties", async function () {
    const f = await deployMaintenance(ethers);
    const t = await f.token.getAddress();
    // The second asset's agent is `stranger`; its order is paid by provider2 and done by inspector1
    // acting as provider, so no party is shared with the first order.
    const other = f.inspector1;
    await f.token.mint(other.address, BOND);
    await f.token.connect(other).approve(await f.custody.getAddress(), ethers.MaxUint256);
    const now = await time.latest();
    const a = orderArgs(now, t, f.provider.address);
    const b = orderArgs(now, t, other.address, { assetId: OTHER_ASSET, deviceId: OTHER_DEVICE });
    // Warm-up: each asset's vault exists already (its first order deploys it).
    await f.escrow.connect(f.payer).createOrder({ ...a, salt: ethers.id("warm-a") });
    await f.escrow.connect(f.provider2).createOrder({ ...b, salt: ethers.id("warm-b") });

    const txs: TxAccess[] = [];
    const record = async (label: string, tx: Promise<{ hash: string; wait(): Promise<unknown> }>) => {
      const sent = await tx;
      await sent.wait();
      txs.push(await accessOf(ethers.provider, sent.hash, label));
    };
    const idA = await f.escrow.connect(f.payer).createOrder.staticCall(a);
    const idB = await f.escrow.connect(f.provider2).createOrder.staticCall(b);
    await record("A.create", f.escrow.connect(f.payer).createOrder(a));
    await record("B.create", f.escrow.connect(f.provider2).createOrder(b));
    await record("A.accept", f.escrow.connect(f.provider).accept(idA));
    await record("B.accept", f.escrow.connect(other).accept(idB));
    await f.devices.setReading(DEVICE, KIND_SELFTEST, 6, (await time.latest()) + 1, 0);
    await f.devices.setReading(OTHER_DEVICE, KIND_SELFTEST, 6, (await time.latest()) + 1, 0);
    await record("A.complete", f.evidence.connect(f.payer).submitDeviceEvidence(idA, 0, DEVICE));
    await record("B.complete", f.evidence.connect(f.provider2).submitDeviceEvidence(idB, 0, OTHER_DEVICE));
    await record("A.claim", f.custody.connect(f.provider).claim(ASSET, t, f.provider.address));
    await record("B.claim", f.custody.connect(other).claim(OTHER_ASSET, t, other.address));

    const part = [f.escrow, f.evidence, f.custody];
    const addresses = await Promise.all(part.map(async (c) => (await c.getAddress()).toLowerCase()));
    const aSide = txs.filter((x) => x.label.startsWith("A."));
    const bSide = txs.filter((x) => x.label.startsWith("B."));
    const shared: string[] = [];
    for (const x of aSide) {
      for (const y of bSide) {
        for (const slot of x.writes)
          if (y.reads.has(slot) || y.writes.has(slot)) shared.push(`${x.label}/${y.label} ${slot}`);
        for (const slot of y.writes) if (x.reads.has(slot)) shared.push(`${y.label}/${x.label} ${slot}`);
      }
    }
    expect(shared, shared.join("\n")).to.deep.equal([]);
    // The maintenance contracts were written by every step (so the check above is not vacuous).
    for (const x of txs)
      expect(
        [...x.writes].some((s) => addresses.some((a) => s.startsWith(a))),
        x.label,
      ).to.equal(true);
    const report = analyse([...aSide.slice(0, 1), ...bSide.slice(0, 1)]);
    expect(report.parallelShare).to.equal(1);
  });
});
