/**
 * Parallel execution with the real contracts (small version of `npm run parallel`): work on distinct
 * devices and distinct assets writes no storage slot another transaction of the block touches,
 * while the contrast workloads do conflict, on the slots expected (so the tool can fail).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { analyse, type TxAccess } from "../../scripts/tooling/parallel/conflicts.js";
import { loadLayouts, slotNamer } from "../../scripts/tooling/parallel/slots.js";
import {
  buildWorld,
  mineAndTrace,
  planAttestations,
  planClaims,
  planDeposits,
  planRentals,
  planRentPayments,
  planSameAsset,
  planSameDevice,
  planTransfers,
  type World,
} from "../../scripts/tooling/parallel/workloads.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

const SIZES = { devices: 6, assets: 4, sameDevice: 3, sameAsset: 3 };

async function world(): Promise<World> {
  return buildWorld(connection, SIZES);
}

let layouts: ReturnType<typeof loadLayouts> | undefined;
async function namer(w: World) {
  layouts ??= loadLayouts();
  return slotNamer(await layouts, w.naming);
}

describe("Parallel execution: conflict analysis", function () {
  const tx = (label: string, reads: string[], writes: string[]): TxAccess => ({
    hash: label,
    label,
    reads: new Set([...reads, ...writes]),
    writes: new Set(writes),
  });

  it("counts slots only read by several transactions as no conflict", function () {
    const report = analyse([tx("a", ["c:1"], ["c:2"]), tx("b", ["c:1"], ["c:3"])]);
    expect(report.parallelShare).to.equal(1);
    expect(report.hotSlots).to.deep.equal([]);
  });

  it("counts a slot written by one transaction and read by another as a conflict of both, naming the writer", function () {
    const report = analyse([tx("writer", [], ["c:1"]), tx("reader", ["c:1"], []), tx("other", ["c:9"], ["c:8"])]);
    expect(report.conflictFree).to.equal(1);
    expect(report.parallelShare).to.equal(1 / 3);
    expect(report.hotSlots).to.deep.equal([
      { slot: "c:1", name: "c:1", writers: ["writer"], readers: ["reader"], txs: 2 },
    ]);
  });
});

describe("Parallel execution: conflict graph of real blocks", function () {
  it("attestations from distinct devices (both curves) never conflict", async function () {
    const w = await networkHelpers.loadFixture(world);
    const txs = await mineAndTrace(w, await planAttestations(w, [0, 1, 2, 3, 4, 5]));
    const blocks = new Set(
      await Promise.all(txs.map(async (t) => (await ethers.provider.getTransactionReceipt(t.hash))!.blockNumber)),
    );
    expect(blocks.size).to.equal(1);
    // Each attestation wrote device storage (so "no conflict" is not vacuous).
    const registry = (await w.devices.getAddress()).toLowerCase();
    for (const t of txs) expect([...t.writes].some((s) => s.startsWith(registry))).to.equal(true);
    const report = analyse(txs);
    expect(report.hotSlots).to.deep.equal([]);
    expect(report.parallelShare).to.equal(1);
  });

  it("attestations from one device all conflict on that device's counter", async function () {
    const w = await networkHelpers.loadFixture(world);
    const txs = await mineAndTrace(w, await planSameDevice(w, 0, SIZES.sameDevice));
    const report = analyse(txs, await namer(w));
    expect(report.parallelShare).to.equal(0);
    const names = report.hotSlots.map((h) => h.name);
    expect(names).to.include("DeviceRegistry._core[device0].{key,lastCounter,keyType,status,suspendedByGovernance}");
    expect(report.hotSlots.every((h) => h.writers.join() === "DeviceRegistry.attest")).to.equal(true);
  });

  it("compliant share transfers in distinct assets, with the income hook, never conflict", async function () {
    const w = await networkHelpers.loadFixture(world);
    const txs = await mineAndTrace(w, planTransfers(w, w.assetList));
    // The hook ran: each transfer wrote the distributor's per-holder state.
    const distributor = (await w.distributor.getAddress()).toLowerCase();
    for (const t of txs) expect([...t.writes].some((s) => s.startsWith(distributor))).to.equal(true);
    const report = analyse(txs);
    expect(report.hotSlots).to.deep.equal([]);
    expect(report.parallelShare).to.equal(1);
  });

  it("transfers to new buyers of one asset conflict on its holder count", async function () {
    const w = await networkHelpers.loadFixture(world);
    const txs = await mineAndTrace(w, planSameAsset(w, SIZES.sameAsset, true));
    const report = analyse(txs, await namer(w));
    expect(report.parallelShare).to.equal(0);
    expect(report.hotSlots.map((h) => h.name)).to.deep.equal(["AssetShares(asset0).holderCount"]);
  });

  it("income deposits and claims in distinct assets never conflict: each asset's income vault holds its funds", async function () {
    const w = await networkHelpers.loadFixture(world);
    const usdc = (await w.usdc.getAddress()).toLowerCase();
    const distributor = (await w.distributor.getAddress()).toLowerCase();
    for (const plan of [planDeposits, planClaims]) {
      const txs: TxAccess[] = await mineAndTrace(w, await plan(w, w.assetList));
      // Each one moved USDC (wrote the token's storage) and the distributor's accounting, so
      // "no conflict" is not vacuous; the vaults' balance slots are distinct per asset.
      for (const t of txs) {
        expect([...t.writes].some((k) => k.startsWith(usdc))).to.equal(true);
        expect([...t.writes].some((k) => k.startsWith(distributor))).to.equal(true);
      }
      const report = analyse(txs, await namer(w));
      expect(report.hotSlots).to.deep.equal([]);
      expect(report.parallelShare).to.equal(1);
    }
  });

  it("rentals and rent payments on distinct assets never conflict: each asset's rental vault holds its money", async function () {
    const w = await networkHelpers.loadFixture(world);
    const usdc = (await w.usdc.getAddress()).toLowerCase();
    const rental = (await w.rental.getAddress()).toLowerCase();
    for (const plan of [async (x: World) => planRentals(x, x.assetList), planRentPayments]) {
      const txs: TxAccess[] = await mineAndTrace(w, await plan(w, w.assetList));
      // Each one moved USDC into a vault and wrote the escrow's agreement storage: "no conflict" is not vacuous.
      for (const t of txs) {
        expect([...t.writes].some((k) => k.startsWith(usdc))).to.equal(true);
        expect([...t.writes].some((k) => k.startsWith(rental))).to.equal(true);
      }
      const report = analyse(txs, await namer(w));
      expect(report.hotSlots).to.deep.equal([]);
      expect(report.parallelShare).to.equal(1);
    }
  });
});
