/**
 * Gas of the rental escrow's main operations, on the test doubles of the registries and the income
 * distributor (contracts/test/doubles/): the real-suite figures are in scripts/tooling/bench/suite.ts (suite.rental.*), with
 * the real DeviceRegistry / AssetRegistry / IncomeDistributor (their setLease, latestReading and
 * deposit cost more than the mocks').
 */
import { custodyOf, deployRentalEscrow } from "../../operator/rental/lib.js";
import type { AreaBench } from "./types.js";
import { buildOffer, buildTerms, signOffer, SubjectKind } from "../../../client/src/eip712/rental.js";
import { asAddress } from "../../../client/src/types.js";

export const bench: AreaBench = async (connection) => {
  const { ethers, networkHelpers } = connection;
  const { time } = networkHelpers;
  const [governance, agent, renter, feeRecipient, arbiter] = await ethers.getSigners();
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
    feeBps: 250,
  });
  const escrowAddress = await escrow.getAddress();
  const claims = await ethers.getContractAt("RentalClaims", await escrow.claims());
  await assets.setLeaseManager(escrowAddress);
  await devices.setLeaseManager(escrowAddress);
  const token = await ethers.deployContract("MockPayoutToken", ["USD", "USD", 18]);
  const tokenAddress = await token.getAddress();
  await market.connect(governance).setTokenAllowed(tokenAddress, true);
  await token.mint(renter.address, 10n ** 30n);
  await token.connect(renter).approve(escrowAddress, ethers.MaxUint256);
  const chainId = (await ethers.provider.getNetwork()).chainId;
  const gasOf = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) =>
    Number((await (await tx).wait())!.gasUsed);

  const DAY = 86_400n;
  const PRICE = 10n ** 12n;
  // Asset 1: on-chain offer, metered by device 11 bound to it. Asset 2: signed offer.
  await assets.setAsset(1, agent.address, 1, ethers.ZeroAddress);
  await assets.setAsset(2, agent.address, 1, ethers.ZeroAddress);
  await devices.setDevice(11, agent.address, 1, 1);
  await devices.pushReading(11, 1, 1, 5);
  const metered = buildTerms({
    subjectKind: SubjectKind.Asset,
    subjectId: 1n,
    token: asAddress(tokenAddress),
    pricePerSecond: PRICE,
    deposit: 10n ** 18n,
    pricePerUnit: 10n ** 15n,
    meterDeviceId: 11n,
    meterKind: 1,
    meterPeriod: 3600,
    maxUnitsPerPeriod: 1000n,
  });
  const publishTx = await market.connect(agent).publishOffer(metered);
  const publishReceipt = (await publishTx.wait())!;
  const offerId = market.interface.parseLog(publishReceipt.logs[publishReceipt.logs.length - 1])!.args
    .offerId as string;

  const gas: Record<string, number> = {};
  gas["rental.publishOffer"] = Number(publishReceipt.gasUsed);
  gas["rental.open"] = await gasOf(market.connect(renter).rent(offerId, 7n * DAY, DAY * PRICE));
  const id = await escrow.agreementId(SubjectKind.Asset, 1, 0);
  await time.increase(3600);
  gas["rental.payPeriod"] = await gasOf(escrow.connect(renter).payPeriod(id, DAY));
  await devices.pushReading(11, 1, 2, 40);
  await time.increase(3600);
  gas["rental.settleMetered"] = await gasOf(escrow.connect(agent).settleMetered(id));
  gas["rental.collect"] = await gasOf(escrow.connect(agent).collect(id));
  gas["rental.terminateEarly"] = await gasOf(escrow.connect(renter).terminateEarly(id));
  await time.increase(DAY + 1n);
  gas["rental.close"] = await gasOf(claims.finalize(id));
  gas["rental.withdraw"] = await gasOf((await custodyOf(escrow)).connect(renter).withdraw(1, tokenAddress));

  // Signed offer (the first fill also stores the terms; later fills reuse them).
  const plain = buildTerms({
    subjectKind: SubjectKind.Asset,
    subjectId: 2n,
    token: asAddress(tokenAddress),
    pricePerSecond: PRICE,
  });
  const offer = buildOffer(plain, agent.address, { expiry: BigInt(await time.latest()) + 30n * DAY });
  const sig = await signOffer(agent, chainId, await market.getAddress(), offer);
  gas["rental.open.signedOffer"] = await gasOf(market.connect(renter).rentWithSignature(offer, sig, DAY, DAY * PRICE));
  const id2 = await escrow.agreementId(SubjectKind.Asset, 2, 0);
  await time.increase(DAY);
  gas["rental.settle"] = await gasOf(escrow.settle(id2));
  await time.increase(DAY + 1n);
  await claims.finalize(id2);
  // A signed offer opens one agreement (its nonce is spent): the repeat is a new offer (nonce 1) for
  // the same terms, which are already stored.
  const again = buildOffer(plain, agent.address, { nonce: 1n, expiry: offer.expiry });
  const sig2 = await signOffer(agent, chainId, await market.getAddress(), again);
  gas["rental.open.signedOffer.repeat"] = await gasOf(
    market.connect(renter).rentWithSignature(again, sig2, DAY, DAY * PRICE),
  );

  return {
    gas,
    notes: [
      "Measured on the test doubles of the asset/device registries and the income distributor (mocks); the same money path on the real suite (real registries and IncomeDistributor) is under the suite.rental.* keys.",
      `rental.open (${gas["rental.open"]}) is above Sablier's create (115k-164k): it also checks the agent and status in the asset registry, sets its lease, snapshots the meter and pulls deposit + credit in one transfer (the mock registries' lease writes are included).`,
      `rental.payPeriod (${gas["rental.payPeriod"]}) and rental.settleMetered (${gas["rental.settleMetered"]}) compare with Sablier's withdraw (19k-30k): both sit above it: a top-up is a 21k transaction plus one ERC-20 pull (accrual is lazy, only in arrears), metering reads the device registry and writes the first earned rent of the agreement.`,
      `rental.close (${gas["rental.close"]}, finalize of the claim window) and rental.settle (${gas["rental.settle"]}, final accounting + distributor deposit + lease release) are both below rental.open: closing never loops.`,
      "Issue 12 costs: a metered rental.open also reserves its meter (one storage slot per device and kind, zero to nonzero: one meter bills one live agreement) and asks the distributor whether the income asset takes the token (acceptsIncome: every amount has an exit); rental.settleMetered keeps the cumulative measured and billed units (its first charge writes the meter's billed units from zero) so that cadence and order cannot change the bill; Custody per asset: rental.open is the asset's first agreement, so it also deploys the asset's rental AssetVault clone (CREATE2) and pulls into it; every payout is paid by the vault (one more call). Against the single escrow balance (before custody per asset): open +~47k (the clone deployment, ~41k, and the vault's cold account); payPeriod and topUp +~4.9k (the agreement's custody is read, one cold slot, and the pull goes to the vault, a cold account); withdraw and close +~5-7k (the vault pays: one more call to a cold account); collect, settle and terminateEarly +~17-28k (an income deposit passes vault -> custody -> distributor: one more token transfer, and the custody's token balance goes 0 -> x -> 0, whose refund the 20 % cap limits). The price of rentals on distinct assets never conflicting (reports/parallel.md).",
      "Issue 15 split (RentalCustody and RentalClaims out of the escrow, each its own contract), against the escrow with both inside: close +~9.9k (finalize now runs on RentalClaims, which calls the escrow's closeSettlement, which credits the renter on the custody: two cold accounts where there were none); open +~3.6k and settle, terminateEarly +~2.6-4.7k on the mocks (the custody is called cold to create the vault, to credit refunds and to deposit income); withdraw -3.4k (a direct call to the small custody instead of a delegatecall through the escrow); collect -11k on the mocks and suite.rental.terminateEarly -12k (the Agreement lost its three claim fields, so fewer slots are read and cleared). The damage claim itself moved to RentalClaims (one packed slot per claim), its dispute to the suite's DisputeModule. The market (RentalMarket: offers, signed offers, configuration) is out too: every opening crosses market -> escrow (a cold account, the terms or their hash passed along, and the market's escrow link read from storage, set once by governance), and the escrow reads the token allowlist and the fee back from the market: publishOffer +~8k, open +~8k, signedOffer.repeat +~18k (it also re-validates its terms and asks the escrow to store them, a no-op the second time).",
      "Issue 15, one escrow and its meter: the escrow no longer delegatecalls a settlement module (RentalSettlement is gone; RentalEscrow compiles with 200 optimizer runs), and the meters (which agreement bills each meter, each agreement's mark and its measured and billed units) moved out of the Agreement into RentalMeter, the escrow's third creation. Against the escrow with its module: the operations that delegatecalled it get cheaper by about the module's cold account: payPeriod, close, collect and settle -~2.2-2.6k; settleMetered +~2.3k (+2.0%: the cold module is replaced by a call to the cold RentalMeter, which now reads the registry, keeps the mark and returns the bill to the escrow, which charges it and emits MeterSettled); a metered open +~4.4k on the mocks and +~0.8k on the suite (the meter's hold is a call to RentalMeter, a cold account); terminateEarly +~3.1-3.9k (it settles and releases the meter: calls to RentalMeter).",
      "rental.open.signedOffer includes storing the terms on first fill (8 slots); .repeat fills a second signed offer (new nonce) of the same, already stored terms (a signed offer opens one agreement).",
      "Issue 15, protocol fees credited at payout: the fee of each payout is credited at once to the market's fee recipient of that moment, as its claimable balance in the agreement's custody (one slot per custody, token and recipient), instead of accumulating in the agreement until someone swept it with a list of agreement ids (`sweepFees` is gone, and so is Agreement.protocolFee). Each payout now reads feeRecipient from the market (a cold account and slot, ~4.7k) and credits it on the custody (a call and a Credited event). These keys are each agreement's first payout on a custody whose fee balance was zero, so that balance is written from zero: collect +~23.5k on the mocks (it replaced a write to a slot settleMetered had just made nonzero), settle and terminateEarly +~8-10k (they replaced a zero-to-nonzero write of the agreement's own fee slot). A later payout on the same custody, of this or any other agreement, writes a nonzero balance (~2.9k instead of ~22k), and no sweep transaction is needed any more: the fee recipient withdraws like any party.",
    ],
  };
};
