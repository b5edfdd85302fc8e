/**
 * Operator tasks that undo, refuse or decide, in-process (./harness.ts): maintenance `cancel`,
 * `withdraw-bids`, `challenge`, `rule` (named rulings) and `resolve-timeout`; rental `decline`,
 * `cancel-reservation`, `resolve-timeout`, `cancel-offer`, `cancel-nonce` (a signed offer then refused by
 * `rent-signed`) and `withdraw-to`. Each asserts the money after it (the escrows' claimable balances,
 * token balances) and a refusal as one line naming the contract's custom error.
 */
import { expect } from "chai";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { network } from "hardhat";
import { rentalKit, suiteWithRecord, type Suite } from "./harness.js";

const connection = await network.getOrCreate();
const { ethers } = connection;
const signers = await ethers.getSigners();
const [, , , , , , issuer, arbiter, renter, provider, stranger] = signers;
const USDC = 1_000_000n;

describe("operator tasks: maintenance cancel, withdraw-bids, challenge, rule, resolve-timeout; rental decline, cancel-reservation, resolve, cancel-offer, cancel-nonce, withdraw-to", function () {
  let suite: Suite;
  let dir: string;
  let record: string;
  let assetId: string;
  let usdc: string;
  let n = 0;
  // run, terms files, offers and agreements rented by account 8 for an hour with 3.6 USDC prepaid
  const { run, refused, termsFile, offered, rented } = rentalKit("disputes", () => ({
    record,
    dir,
    assetId,
    usdc,
    arbiter: arbiter.address,
  }));

  const maintenanceClaimable = (who: { address: string }) =>
    suite.maintenanceCustody.claimable(who.address, assetId, usdc);
  const rentalClaimable = (who: { address: string }) => suite.rentalCustody.claimable(who.address, assetId, usdc);

  /** An order of the issuer (account 6, its payer and controller) for 200 USDC. */
  const order = async (args: Record<string, string | boolean>) => {
    const out = await run(["maintenance", "order"], {
      asset: assetId,
      token: usdc,
      budget: "200",
      salt: `disputes-${n++}`,
      signer: "6",
      ...args,
    });
    return /order (0x[0-9a-f]{64}) created/.exec(out)![1]!;
  };

  before(async function () {
    ({ suite, dir, record } = await suiteWithRecord(connection));
    usdc = await suite.payoutToken.getAddress();
    const out = await run(["assets", "register"], {
      salt: "disputes",
      class: "solar",
      jurisdiction: "PT",
      signer: "6",
    });
    assetId = /asset (\d+) registered/.exec(out)![1]!;
    await run(["assets", "create-shares"], { asset: assetId, name: "Sol", symbol: "SOL", decimals: "0", signer: "6" });
    const investors = join(dir, "disputes-investors.csv");
    await writeFile(investors, `${issuer.address},620,4102444800\n`);
    await run(["assets", "onboard"], { investors, signer: "2" });
    await run(["assets", "mint"], { asset: assetId, to: issuer.address, amount: "100", signer: "6" });
    await run(["income", "register-token"], { asset: assetId, token: usdc, signer: "6" });
    for (const who of [renter, issuer, provider]) await suite.payoutToken.mint(who.address, 10_000_000_000n);
  });

  describe("maintenance", function () {
    it("cancel: the payer takes back the whole budget of an order nobody accepted (a stranger is refused)", async function () {
      const id = await order({ inspectors: signers[5]!.address });
      const before = await maintenanceClaimable(issuer);
      expect(await refused(["maintenance", "cancel"], { order: id, signer: "8" })).to.equal(
        `error: the contract refused: NotController(${renter.address})`,
      );
      const out = await run(["maintenance", "cancel"], { order: id, signer: "6" });
      expect(out).to.contain(
        `order cancelled; the budget, 200 USDC (200000000), is claimable by the payer ${issuer.address}`,
      );
      expect(out).to.match(/state: +Cancelled/);
      expect(await maintenanceClaimable(issuer)).to.equal(before + 200n * USDC);
      const balance = await suite.payoutToken.balanceOf(issuer.address);
      await run(["maintenance", "withdraw"], { asset: assetId, token: usdc, signer: "6" });
      expect(await suite.payoutToken.balanceOf(issuer.address)).to.equal(balance + before + 200n * USDC);
      expect(await refused(["maintenance", "cancel"], { order: id, signer: "6" })).to.equal(
        `error: the contract refused: WrongState(${id}, Cancelled)`,
      );
    });

    it("withdraw-bids: a withdrawn bid can no longer be awarded; a later one is, and the rest of the budget is refunded", async function () {
      const id = await order({ bond: "10", inspectors: signers[5]!.address });
      const oldBid = join(dir, "disputes-old-bid.json");
      await run(["maintenance", "bid"], { order: id, price: "180", out: oldBid, signer: "9" });
      const out = await run(["maintenance", "withdraw-bids"], { order: id, signer: "9" });
      expect(out).to.match(
        new RegExp(`bids of ${provider.address} on order ${id} issued before .* \\(\\d+\\) withdrawn`),
      );
      // The floor only rises: the same withdrawal again is refused.
      const floor = /\((\d+)\) withdrawn/.exec(out)![1]!;
      expect(await refused(["maintenance", "withdraw-bids"], { order: id, issuedBefore: floor, signer: "9" })).to.equal(
        "error: the contract refused: BadBid()",
      );
      const award = await refused(["maintenance", "award"], { file: oldBid, signer: "6" });
      expect(award).to.match(
        new RegExp(`^error: the contract refused: BidWithdrawn\\(${provider.address}, \\d+, ${floor}\\)$`),
      );
      expect((await suite.escrow.getOrder(id)).state).to.equal(1n); // still Open

      await run(["local", "time-travel"], { seconds: "10" });
      const newBid = join(dir, "disputes-new-bid.json");
      await run(["maintenance", "bid"], { order: id, price: "150", out: newBid, signer: "9" });
      const before = await maintenanceClaimable(issuer);
      const awarded = await run(["maintenance", "award"], { file: newBid, signer: "6" });
      expect(awarded).to.contain(`awarded to ${provider.address}: price 150 USDC (150000000), bond 10 USDC (10000000)`);
      expect(await maintenanceClaimable(issuer)).to.equal(before + 50n * USDC);
    });

    it("challenge, rule (payer, then provider) and resolve-timeout: the provider is paid 100 + 100 and its 10 bond back", async function () {
      const id = await order({
        provider: provider.address,
        bond: "10",
        optimistic: true,
        arbiter: arbiter.address,
        challengeWindow: "3600",
        disputeTimeout: "86400",
        defaultRuling: "1",
        milestones: "5000,5000",
      });
      await run(["maintenance", "accept"], { order: id, signer: "9" });
      const paidBefore = await maintenanceClaimable(provider);

      // Milestone 0, round 1: challenged, and the arbiter upholds the challenge.
      await run(["maintenance", "claim"], { order: id, milestone: "0", signer: "9" });
      expect(await refused(["maintenance", "challenge"], { order: id, signer: "8" })).to.equal(
        `error: the contract refused: NotController(${renter.address})`,
      );
      const challenged = await run(["maintenance", "challenge"], { order: id, milestone: "0", signer: "6" });
      const dispute = /dispute (\d+) opened on milestone 0/.exec(challenged)![1]!;
      expect(challenged).to.contain(`arbiter ${arbiter.address} rules by`);
      expect(challenged).to.contain("milestone 0: 5000 bps, not released, 0 agreeing, claim Disputed");
      expect(await refused(["maintenance", "rule"], { dispute, ruling: "provider", signer: "8" })).to.equal(
        `error: the contract refused: NotArbiter(${renter.address})`,
      );
      expect(await refused(["maintenance", "rule"], { dispute, ruling: "maybe", signer: "7" })).to.equal(
        "error: --ruling maybe: one of provider | payer | refused",
      );
      const upheld = await run(["maintenance", "rule"], { dispute, ruling: "payer", signer: "7" });
      expect(upheld).to.contain(`dispute ${dispute} resolved: payer, the challenge stands`);
      expect(upheld).to.contain("milestone 0: 5000 bps, not released, 0 agreeing");
      expect(upheld).to.not.contain("claim Disputed");
      expect(await maintenanceClaimable(provider)).to.equal(paidBefore);

      // Milestone 0, round 2: challenged again; the arbiter (found by --order/--milestone) lets the claim stand.
      await run(["maintenance", "claim"], { order: id, milestone: "0", signer: "9" });
      await run(["maintenance", "challenge"], { order: id, milestone: "0", signer: "6" });
      const stands = await run(["maintenance", "rule"], { order: id, milestone: "0", ruling: "provider", signer: "7" });
      expect(stands).to.match(/dispute \d+ resolved: provider, the claim stands \(milestone 0\)/);
      expect(stands).to.contain("milestone 0: 5000 bps, released");
      expect(await maintenanceClaimable(provider)).to.equal(paidBefore + 100n * USDC);

      // Milestone 1: challenged, the arbiter stays silent; after the timeout anyone applies the default ruling.
      await run(["maintenance", "claim"], { order: id, milestone: "1", signer: "9" });
      const second = await run(["maintenance", "challenge"], { order: id, milestone: "1", signer: "6" });
      const late = /dispute (\d+) opened on milestone 1/.exec(second)![1]!;
      expect(await refused(["maintenance", "resolve-timeout"], { dispute: late })).to.match(
        /^error: the contract refused: DeadlineNotPassed\(\d+\)$/,
      );
      await run(["local", "time-travel"], { seconds: "86401" });
      const timedOut = await run(["maintenance", "resolve-timeout"], { dispute: late, signer: "8" });
      expect(timedOut).to.contain(`dispute ${late} resolved by timeout: provider, the claim stands (milestone 1)`);
      expect(timedOut).to.match(/state: +Completed/);
      expect(await maintenanceClaimable(provider)).to.equal(paidBefore + 210n * USDC);
    });
  });

  describe("rental", function () {
    it("decline: the owner refuses a reservation, the renter gets deposit and prepay back (the renter is refused)", async function () {
      const agreement = await rented({ activationWindow: 3600 });
      const before = await rentalClaimable(renter);
      expect(await refused(["rental", "decline"], { agreement, signer: "8" })).to.equal(
        `error: the contract refused: NotOwner(${renter.address})`,
      );
      const out = await run(["rental", "decline"], { agreement, signer: "6" });
      expect(out).to.contain("reservation ended (Declined): refunded to the renter");
      expect(out).to.contain(`claimable by ${renter.address}: +103.6 USDC (103600000)`);
      expect(out).to.contain(`agreement ${agreement}: Reserved -> Closed`);
      expect(await rentalClaimable(renter)).to.equal(before + 103_600_000n);
      expect(await run(["rental", "status"], { agreement })).to.match(/^ {2}state: +Closed \(Declined\)$/m);
    });

    it("cancel-reservation: anyone, after the activation window; refused before it", async function () {
      const agreement = await rented({ activationWindow: 3600 });
      const before = await rentalClaimable(renter);
      expect(await refused(["rental", "cancel-reservation"], { agreement })).to.match(
        /^error: the contract refused: DeadlineNotPassed\(\d+\)$/,
      );
      await run(["local", "time-travel"], { seconds: "3601" });
      const out = await run(["rental", "cancel-reservation"], { agreement, signer: "10" });
      expect(out).to.contain("reservation ended (ReservationExpired): refunded to the renter");
      expect(out).to.contain(`agreement ${agreement}: Reserved -> Closed`);
      expect(await rentalClaimable(renter)).to.equal(before + 103_600_000n);
    });

    it("resolve-timeout: a disputed 40 USDC claim the arbiter leaves past its deadline goes back to the renter (anyone)", async function () {
      const agreement = await rented();
      await run(["local", "time-travel"], { seconds: "3600" });
      await run(["rental", "settle"], { agreement });
      await run(["rental", "claim"], { agreement, amount: "40", evidence: "dent", signer: "6" });
      await run(["rental", "dispute"], { agreement, signer: "8" });
      const before = await rentalClaimable(renter);
      const early = await refused(["rental", "resolve-timeout"], { agreement, signer: "10" });
      expect(early).to.match(/^error: the contract refused: DeadlineNotPassed\(\d+\)$/);
      await run(["local", "time-travel"], { seconds: "86400" });
      expect(await refused(["rental", "rule"], { agreement, ruling: "owner", signer: "7" })).to.match(
        /^error: the contract refused: DeadlinePassed\(\d+\)$/,
      );
      const out = await run(["rental", "resolve-timeout"], { agreement, signer: "10" });
      expect(out).to.contain("ruled: renter, the deposit goes back");
      expect(out).to.contain("claim resolved: 0 USDC (0) to the owner, 100 USDC (100000000) to the renter");
      expect(out).to.contain(`agreement ${agreement}: Settling -> Closed`);
      expect(await rentalClaimable(renter)).to.equal(before + 100_000_000n);
    });

    it("cancel-offer: the owner withdraws an offer, nobody can rent it (a stranger is refused, and a second cancel)", async function () {
      const offer = await offered();
      expect(await refused(["rental", "cancel-offer"], { offer, signer: "8" })).to.equal(
        `error: the contract refused: NotOwner(${renter.address})`,
      );
      const out = await run(["rental", "cancel-offer"], { offer, signer: "6" });
      expect(out).to.contain(`offer ${offer} cancelled`);
      expect((await suite.rentalMarket.offerOf(offer)).active).to.equal(false);
      expect(await refused(["rental", "cancel-offer"], { offer, signer: "6" })).to.equal(
        `error: the contract refused: OfferNotActive(${offer})`,
      );
      const balance = await suite.payoutToken.balanceOf(renter.address);
      expect(await refused(["rental", "rent"], { offer, duration: "3600", prepay: "3.6", signer: "8" })).to.equal(
        `error: offer ${offer} is not active`,
      );
      expect(await suite.payoutToken.balanceOf(renter.address)).to.equal(balance);
    });

    it("cancel-nonce: a signed offer whose nonce the owner cancelled is refused by rent-signed; nothing is paid", async function () {
      const file = join(dir, "disputes-signed-offer.json");
      await run(["rental", "sign-offer"], { terms: await termsFile(), out: file, nonce: "7", signer: "6" });
      expect(await refused(["rental", "cancel-nonce"], { file, signer: "8" })).to.equal(
        `error: --file ${file} is an offer of ${issuer.address}: only its owner can cancel its nonce`,
      );
      const out = await run(["rental", "cancel-nonce"], { file, signer: "6" });
      expect(out).to.contain(`nonce 7 of ${issuer.address} cancelled`);
      expect(await suite.rentalMarket.nonceCancelled(issuer.address, 7n)).to.equal(true);
      const balance = await suite.payoutToken.balanceOf(renter.address);
      const escrowBalance = await suite.payoutToken.balanceOf(await suite.rental.getAddress());
      expect(await refused(["rental", "rent-signed"], { file, duration: "3600", prepay: "3.6", signer: "8" })).to.equal(
        `error: the contract refused: OfferNonceCancelled(${issuer.address}, 7)`,
      );
      expect(await suite.payoutToken.balanceOf(renter.address)).to.equal(balance);
      expect(await suite.payoutToken.balanceOf(await suite.rental.getAddress())).to.equal(escrowBalance);
      expect(await refused(["rental", "cancel-nonce"], { nonce: "7", signer: "6" })).to.equal(
        `error: the contract refused: OfferNonceCancelled(${issuer.address}, 7)`,
      );
    });

    it("withdraw-to: the renter's whole claimable balance goes to another address (address(0) refused)", async function () {
      const owed = await rentalClaimable(renter);
      expect(owed).to.be.greaterThan(0n);
      expect(
        await refused(["rental", "withdraw-to"], { asset: assetId, token: usdc, to: ethers.ZeroAddress, signer: "8" }),
      ).to.equal("error: the contract refused: ZeroAddress()");
      const before = await suite.payoutToken.balanceOf(stranger.address);
      const renterBefore = await suite.payoutToken.balanceOf(renter.address);
      const out = await run(["rental", "withdraw-to"], {
        asset: assetId,
        token: usdc,
        to: stranger.address,
        signer: "8",
      });
      expect(out).to.contain(`of ${renter.address} to ${stranger.address}`);
      expect(await suite.payoutToken.balanceOf(stranger.address)).to.equal(before + owed);
      expect(await suite.payoutToken.balanceOf(renter.address)).to.equal(renterBefore);
      expect(await rentalClaimable(renter)).to.equal(0n);
      expect(
        await run(["rental", "withdraw-to"], { asset: assetId, token: usdc, to: stranger.address, signer: "8" }),
      ).to.contain("nothing to withdraw in USDC");
    });
  });
});
