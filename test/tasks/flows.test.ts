/**
 * Operator tasks of the rental flows beyond on-chain offers, in-process (./harness.ts): an offer signed
 * to a file (`rental sign-offer`) and filled (`rental rent-signed`); the deposit claim after settling
 * (`claim`, `dispute`, `rule` by the arbiter, `accept`, `waive`, `finalize`); `default` and `cancel`;
 * maintenance bids and inspection verdicts signed to files (`bid`, `inspect`) and sent (`award`,
 * `submit-inspections`). Each with exact amounts in the output and at least one refusal.
 */
import { expect } from "chai";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { network } from "hardhat";
import { rentalKit, suiteWithRecord, type Suite } from "./harness.js";

const connection = await network.getOrCreate();
const { ethers } = connection;
const signers = await ethers.getSigners();
const [, , , , , inspector, issuer, arbiter, renter, provider] = signers;

describe("operator tasks: signed rental offers, deposit claims, default, cancel; maintenance bids and inspections", function () {
  let suite: Suite;
  let dir: string;
  let record: string;
  let assetId: string;
  let usdc: string;
  // run, terms files and agreements rented by account 8 from an on-chain offer (./harness.ts)
  const { run, refused, termsFile, rented } = rentalKit("flows", () => ({
    record,
    dir,
    assetId,
    usdc,
    arbiter: arbiter.address,
  }));

  /** An agreement whose use has ended and is settled: Settling, 100 USDC deposit held. */
  const settling = async () => {
    const agreement = await rented();
    await run(["local", "time-travel"], { seconds: "3600" });
    expect(await run(["rental", "settle"], { agreement })).to.contain(": Ended -> Settling");
    return agreement;
  };

  before(async function () {
    ({ suite, dir, record } = await suiteWithRecord(connection));
    usdc = await suite.payoutToken.getAddress();
    const out = await run(["assets", "register"], { salt: "flows", class: "solar", jurisdiction: "ES", signer: "6" });
    assetId = /asset (\d+) registered/.exec(out)![1];
    await run(["assets", "create-shares"], { asset: assetId, name: "Sun", symbol: "SUN", decimals: "0", signer: "6" });
    const investors = join(dir, "flows-investors.csv");
    await writeFile(investors, `${issuer.address},724,4102444800\n`);
    await run(["assets", "onboard"], { investors, signer: "2" });
    await run(["assets", "mint"], { asset: assetId, to: issuer.address, amount: "100", signer: "6" });
    await run(["income", "register-token"], { asset: assetId, token: usdc, signer: "6" });
    for (const who of [renter, issuer, provider]) await suite.payoutToken.mint(who.address, 10_000_000_000n);
  });

  it("rental sign-offer writes a signed offer (nothing sent); rent-signed fills it, refused for another chain", async function () {
    const out = join(dir, "flows-offer.json");
    const blockBefore = await ethers.provider.getBlockNumber();
    const signed = await run(["rental", "sign-offer"], {
      terms: await termsFile(),
      out,
      renter: renter.address,
      nonce: "7",
      expiry: "4102444800",
      signer: "6",
    });
    expect(signed).to.contain(`signed offer written to ${out} (nothing was sent)`);
    expect(signed).to.contain(`owner ${issuer.address}, renter ${renter.address}, nonce 7`);
    expect(signed).to.contain("price 0.001 USDC (1000) per second, 0 USDC (0) per unit, deposit 100 USDC (100000000)");
    expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore);
    const file = JSON.parse(await readFile(out, "utf8")) as { chainId: string; signature: string };
    expect(String(file.chainId)).to.equal("31337");

    const noOut = await refused(["rental", "sign-offer"], { terms: await termsFile(), signer: "6" });
    expect(noOut).to.contain("error: --out is required");

    const filled = await run(["rental", "rent-signed"], { file: out, duration: "3600", prepay: "3.6", signer: "8" });
    expect(filled).to.contain("prepay 3.6 USDC (3600000), deposit 100 USDC (100000000), 3600 s");
    const agreement = /agreement (0x[0-9a-f]{64}) opened: Active/.exec(filled)![1];
    expect((await suite.rental.agreementOf(agreement)).depositHeld).to.equal(100_000_000n);
    await run(["local", "time-travel"], { seconds: "3600" });
    await run(["rental", "settle"], { agreement }); // the asset is free for the next tests

    const other = join(dir, "flows-offer-chain1.json");
    await writeFile(other, JSON.stringify({ ...JSON.parse(await readFile(out, "utf8")), chainId: 1 }));
    const stderr = await refused(["rental", "rent-signed"], { file: other, duration: "3600", signer: "8" });
    expect(stderr).to.contain(`error: --file ${other} is for chain 1 but the network is chain 31337`);
  });

  it("rental claim, dispute and rule: the arbiter rules for the owner on the dispute module: the 40 USDC claim is paid, 60 back", async function () {
    const agreement = await settling();
    const tooMuch = await refused(["rental", "claim"], { agreement, amount: "150", evidence: "dent", signer: "6" });
    expect(tooMuch).to.contain(
      "error: --amount 150 USDC (150000000) is more than the deposit held, 100 USDC (100000000)",
    );

    const claimed = await run(["rental", "claim"], { agreement, amount: "40", evidence: "dent", signer: "6" });
    expect(claimed).to.contain("damage claimed: 40 USDC (40000000)");
    expect((await suite.rentalClaims.claimOf(agreement)).amount).to.equal(40_000_000n);

    const notRenter = await refused(["rental", "dispute"], { agreement, signer: "6" });
    expect(notRenter).to.match(/^error: .*NotRenter/m);
    const disputed = await run(["rental", "dispute"], { agreement, signer: "8" });
    const disputeId = await suite.rentalClaims.disputeIdOf(agreement);
    expect(disputed).to.contain(`claim disputed: dispute ${disputeId}, arbiter ${arbiter.address} rules by`);

    const badRuling = await refused(["rental", "rule"], { agreement, ruling: "maybe", signer: "7" });
    expect(badRuling).to.contain("error: --ruling maybe: one of owner | renter | refused");
    const ruled = await run(["rental", "rule"], { agreement, ruling: "owner", signer: "7" });
    expect(ruled).to.contain(`dispute ${disputeId} ruled: owner, the claim is paid`);
    expect(ruled).to.contain("claim resolved: 40 USDC (40000000) to the owner, 60 USDC (60000000) to the renter");
    expect(ruled).to.contain(`claimable by ${renter.address}: +60 USDC (60000000)`);
    expect(ruled).to.contain(`agreement ${agreement}: Settling -> Closed`);
  });

  it("rental accept: the renter accepts a 30 USDC claim; finalize refunds an unclaimed deposit after the window", async function () {
    const accepted = await settling();
    await run(["rental", "claim"], { agreement: accepted, amount: "30", evidence: "scratch", signer: "6" });
    expect(await refused(["rental", "accept"], { agreement: accepted, signer: "6" })).to.match(/^error: .*NotRenter/m);
    const out = await run(["rental", "accept"], { agreement: accepted, signer: "8" });
    expect(out).to.contain("claim resolved: 30 USDC (30000000) to the owner, 70 USDC (70000000) to the renter");
    expect(out).to.contain("Settling -> Closed");

    const unclaimed = await settling();
    const early = await refused(["rental", "finalize"], { agreement: unclaimed });
    expect(early).to.match(/^error: .*DeadlineNotPassed/m);
    await run(["local", "time-travel"], { seconds: "86401" });
    const finalized = await run(["rental", "finalize"], { agreement: unclaimed });
    expect(finalized).to.contain("claim resolved: 0 USDC (0) to the owner, 100 USDC (100000000) to the renter");
    expect(finalized).to.contain(`agreement ${unclaimed}: Settling -> Closed`);
  });

  it("rental waive: the owner releases the whole deposit (renter refused)", async function () {
    const agreement = await settling();
    expect(await refused(["rental", "waive"], { agreement, signer: "8" })).to.match(/^error: .*NotOwner/m);
    const out = await run(["rental", "waive"], { agreement, signer: "6" });
    expect(out).to.contain("claim resolved: 0 USDC (0) to the owner, 100 USDC (100000000) to the renter");
    expect(out).to.contain(`agreement ${agreement}: Settling -> Closed`);
  });

  it("rental default ends an agreement in arrears past its grace period; refused before", async function () {
    const agreement = await rented({ gracePeriod: 600 }, "3.6", "86400"); // in arrears from 3600 s
    const early = await refused(["rental", "default"], { agreement });
    expect(early).to.match(/^error: .*NotInDefault/m);
    // Arrears from 3600 s; the default's block is one second after the time-travel's: 600 s in arrears.
    await run(["local", "time-travel"], { seconds: "4199" });
    const out = await run(["rental", "default"], { agreement });
    expect(out).to.contain("defaulted: debt 0.6 USDC (600000)");
    expect(out).to.contain("from deposit 0.6 USDC (600000), bad debt 0 USDC (0), deposit held 99.4 USDC (99400000)");
    expect(out).to.contain(`agreement ${agreement}: Active -> Settling`);
  });

  it("rental cancel returns a reservation not activated in time to the renter; refused before its deadline", async function () {
    const agreement = await rented({ activationWindow: 3600 });
    expect(await run(["rental", "status"], { agreement })).to.match(/state: +Reserved/);
    const early = await refused(["rental", "cancel"], { agreement });
    expect(early).to.match(/^error: .*DeadlineNotPassed/m);
    await run(["local", "time-travel"], { seconds: "3601" });
    const out = await run(["rental", "cancel"], { agreement });
    expect(out).to.contain("reservation ended (ReservationExpired): refunded to the renter");
    expect(out).to.contain(`claimable by ${renter.address}: +103.6 USDC (103600000)`);
    expect(out).to.contain(`agreement ${agreement}: Reserved -> Closed`);
  });

  it("maintenance bid, award, inspect and submit-inspections: a 150 USDC bid awarded, passed by the inspector", async function () {
    const created = await run(["maintenance", "order"], {
      asset: assetId,
      token: usdc,
      budget: "200",
      bond: "10",
      inspectors: inspector.address,
      salt: "flows-bid",
      signer: "6",
    });
    const order = /order (0x[0-9a-f]{64}) created/.exec(created)![1];
    expect(created).to.contain("provider:  none yet (open to bids)");

    const bidFile = join(dir, "flows-bid.json");
    const tooHigh = await refused(["maintenance", "bid"], { order, price: "250", out: bidFile, signer: "9" });
    expect(tooHigh).to.contain("error: --price 250 USDC (250000000) exceeds the order's budget, 200 USDC (200000000)");
    const bid = await run(["maintenance", "bid"], { order, price: "150", out: bidFile, signer: "9" });
    expect(bid).to.contain(`signed bid written to ${bidFile}`);
    expect(bid).to.contain(`provider ${provider.address}, price 150 USDC (150000000), bond 10 USDC (10000000)`);

    const stranger = await refused(["maintenance", "award"], { file: bidFile, signer: "8" });
    expect(stranger).to.contain(`error: the contract refused: NotController(${renter.address})`);
    const awarded = await run(["maintenance", "award"], { file: bidFile, signer: "6" });
    expect(awarded).to.contain(`awarded to ${provider.address}: price 150 USDC (150000000), bond 10 USDC (10000000)`);
    expect(awarded).to.match(/state: +Active/);
    expect(awarded).to.contain(`provider:  ${provider.address}`);

    const verdictFile = join(dir, "flows-inspection.json");
    const notInspector = await refused(["maintenance", "inspect"], {
      order,
      verdict: "pass",
      out: verdictFile,
      signer: "8",
    });
    expect(notInspector).to.contain(`error: ${renter.address} is not an inspector of this order`);
    const blockBefore = await ethers.provider.getBlockNumber();
    const inspected = await run(["maintenance", "inspect"], { order, verdict: "pass", out: verdictFile, signer: "5" });
    expect(inspected).to.contain(`signed inspection written to ${verdictFile} (nothing was sent)`);
    expect(inspected).to.contain(`inspector ${inspector.address}: milestone 0 passed`);
    expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore);

    const other = join(dir, "flows-inspection-chain1.json");
    await writeFile(other, JSON.stringify({ ...JSON.parse(await readFile(verdictFile, "utf8")), chainId: 1 }));
    const wrongChain = await refused(["maintenance", "submit-inspections"], { files: other });
    expect(wrongChain).to.contain(`error: --files ${other} is for chain 1 but the network is chain 31337`);
    const submitted = await run(["maintenance", "submit-inspections"], { files: verdictFile });
    expect(submitted).to.contain("submitted 1 inspection(s)");
    expect(submitted).to.contain("milestone 0: 10000 bps, released");
    expect(submitted).to.match(/state: +Completed/);
    const paid = await run(["maintenance", "withdraw"], { asset: assetId, token: usdc, signer: "9" });
    expect(paid).to.contain(`withdrew 160 USDC (160000000) to ${provider.address}`);
  });
});
