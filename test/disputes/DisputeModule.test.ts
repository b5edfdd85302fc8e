/**
 * DisputeModule (contracts/disputes): opening a dispute, its refusals, and the one deadline rule.
 * The flows through an arbitrable (rulings reaching the maintenance escrow, timeouts, moot
 * disputes) are in test/maintenance/Maintenance.test.ts and
 * test/attacks/deadlines-bind-every-party.test.ts.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Ruling } from "../../client/src/eip712/maintenance.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const DAY = 86_400;
const KEY = ethers.id("claim-1");

async function deploy() {
  const [opener, arbiter, stranger] = await ethers.getSigners();
  const disputes = await ethers.deployContract("DisputeModule");
  return { disputes, opener, arbiter, stranger };
}

describe("DisputeModule", function () {
  it("opens a dispute whose id derives from the opener and its key, so no opener can take another's id", async function () {
    const { disputes, opener, arbiter, stranger } = await loadFixture(deploy);
    const id = await disputes.disputeIdOf(opener.address, KEY);
    const coder = ethers.AbiCoder.defaultAbiCoder();
    expect(id).to.equal(BigInt(ethers.keccak256(coder.encode(["address", "bytes32"], [opener.address, KEY]))));
    const at = (await time.latest()) + 5;
    await time.setNextBlockTimestamp(at);
    await expect(disputes.connect(opener).createDispute(KEY, arbiter.address, DAY, Ruling.Payer))
      .to.emit(disputes, "DisputeCreated")
      .withArgs(id, opener.address, arbiter.address, at + DAY, Ruling.Payer);
    const d = await disputes.getDispute(id);
    expect([d.arbitrable, d.deadline, d.defaultRuling, d.resolved, d.arbiter]).to.deep.equal([
      opener.address,
      BigInt(at + DAY),
      BigInt(Ruling.Payer),
      false,
      arbiter.address,
    ]);
    await expect(disputes.connect(opener).createDispute(KEY, arbiter.address, DAY, Ruling.Payer))
      .to.be.revertedWithCustomError(disputes, "DisputeExists")
      .withArgs(id);
    // The same key from another opener is another dispute.
    const other = await disputes.disputeIdOf(stranger.address, KEY);
    expect(other).to.not.equal(id);
    await disputes.connect(stranger).createDispute(KEY, arbiter.address, DAY, Ruling.Provider);
    expect((await disputes.getDispute(other)).arbitrable).to.equal(stranger.address);
    expect((await disputes.getDispute(id)).arbitrable).to.equal(opener.address);
  });

  it("refuses a dispute without an arbiter, a timeout or a valid default ruling, and changes nothing", async function () {
    const { disputes, opener, arbiter } = await loadFixture(deploy);
    await expect(disputes.createDispute(KEY, ethers.ZeroAddress, DAY, Ruling.Payer)).to.be.revertedWithCustomError(
      disputes,
      "ZeroAddress",
    );
    await expect(disputes.createDispute(KEY, arbiter.address, 0, Ruling.Payer))
      .to.be.revertedWithCustomError(disputes, "BadDisputeTerms")
      .withArgs(0, Ruling.Payer);
    for (const ruling of [Ruling.Refused, 3]) {
      await expect(disputes.createDispute(KEY, arbiter.address, DAY, ruling))
        .to.be.revertedWithCustomError(disputes, "BadDisputeTerms")
        .withArgs(DAY, ruling);
    }
    expect((await disputes.getDispute(await disputes.disputeIdOf(opener.address, KEY))).arbitrable).to.equal(
      ethers.ZeroAddress,
    );
  });

  it("refuses rulings and timeouts on unknown disputes, and binds the arbiter to the deadline", async function () {
    const { disputes, opener, arbiter, stranger } = await loadFixture(deploy);
    await expect(disputes.connect(arbiter).rule(1n, Ruling.Provider))
      .to.be.revertedWithCustomError(disputes, "UnknownDispute")
      .withArgs(1n);
    await expect(disputes.resolveByTimeout(1n)).to.be.revertedWithCustomError(disputes, "UnknownDispute").withArgs(1n);
    const id = await disputes.disputeIdOf(opener.address, KEY);
    await disputes.connect(opener).createDispute(KEY, arbiter.address, DAY, Ruling.Payer);
    const { deadline } = await disputes.getDispute(id);
    await expect(disputes.connect(stranger).rule(id, Ruling.Provider))
      .to.be.revertedWithCustomError(disputes, "NotArbiter")
      .withArgs(stranger.address);
    await expect(disputes.connect(arbiter).rule(id, 3))
      .to.be.revertedWithCustomError(disputes, "BadRuling")
      .withArgs(3);
    await expect(disputes.resolveByTimeout(id))
      .to.be.revertedWithCustomError(disputes, "DeadlineNotPassed")
      .withArgs(deadline);
    await time.setNextBlockTimestamp(deadline);
    await expect(disputes.connect(arbiter).rule(id, Ruling.Provider))
      .to.be.revertedWithCustomError(disputes, "DeadlinePassed")
      .withArgs(deadline);
    expect((await disputes.getDispute(id)).resolved).to.equal(false);
  });
});
