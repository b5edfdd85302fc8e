/**
 * Gas of the rental escrow's money path on the REAL suite (scripts/tooling/parallel/workloads.ts builds it from
 * the production deployment, scripts/lib/fixture.ts:
 * DeviceRegistry, AssetRegistry, AssetShares with the IncomeDistributor as hook, RentalEscrow,
 * MaintenanceOrders with its evidence and custody, USDC as payment token). The `rental.*` keys of the rental area are measured on
 * test doubles of the registries and the distributor; these `suite.rental.*` figures include the
 * real registries' lease bookkeeping and the real IncomeDistributor taking the rent (`depositHeld`), and
 * (settleMetered) a meter read from a device attestation verified by the real DeviceRegistry.
 */
import type { AreaBench } from "./types.js";
import { attest, buildWorld } from "../parallel/workloads.js";
import { buildTerms, SubjectKind } from "../../../client/src/eip712/rental.js";
import { asAddress } from "../../../client/src/types.js";

const DAY = 86_400n;

export const bench: AreaBench = async (connection) => {
  const { ethers, networkHelpers } = connection;
  // No warm-up rental: `suite.rental.open` is the asset's first agreement; the asset's vault, shared with income and
  // maintenance, already exists (the world's setup deposits income first).
  const world = await buildWorld(connection, { devices: 1, assets: 1, sameDevice: 1, sameAsset: 1 }, () => {}, false);
  const [a] = world.assetList;
  const gasOf = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) =>
    Number((await (await tx).wait())!.gasUsed);
  const pricePerSecond = 10n;

  const gas: Record<string, number> = {};
  gas["suite.rental.open"] = await gasOf(
    world.rentalMarket.connect(a.renter).rent(a.offerId, DAY, DAY * pricePerSecond),
  );
  const id = await world.rental.agreementId(SubjectKind.Asset, a.id, 0);
  await networkHelpers.time.increase(3_600);
  gas["suite.rental.payPeriod"] = await gasOf(world.rental.connect(a.renter).payPeriod(id, 3_600));
  await networkHelpers.time.increase(DAY + 3_600n);
  // Settlement deposits the rent (net of the escrow's fee) into the real IncomeDistributor and
  // releases the registry lease.
  gas["suite.rental.settle"] = await gasOf(world.rental.settle(id));
  await networkHelpers.time.increase(30n * DAY);
  gas["suite.rental.close"] = await gasOf(world.rentalClaims.finalize(id));

  // A metered agreement on the same asset: its bound device (device0, secp256k1) in the REAL
  // DeviceRegistry is the meter. Rented for a week with one day prepaid; an hour later the device
  // attests a kWh reading (signed by the client's device signer, relayed); an hour after that the
  // agent settles the metered units, then the renter terminates early.
  const usdc = await world.usdc.getAddress();
  const metered = buildTerms({
    subjectKind: SubjectKind.Asset,
    subjectId: a.id,
    token: asAddress(usdc),
    pricePerSecond,
    deposit: 10n * 10n ** 6n,
    pricePerUnit: 1_000n,
    meterDeviceId: a.device.deviceId,
    meterKind: 1,
    meterPeriod: 3_600,
    maxUnitsPerPeriod: 1_000n,
  });
  const offerId = await world.rentalMarket.connect(a.agent).publishOffer.staticCall(metered);
  await (await world.rentalMarket.connect(a.agent).publishOffer(metered)).wait();
  // The hand-over reading: the meter's baseline at activation (a meter without one bills from its first reading).
  await (await attest(world, 0, await world.nextSender("meterRelayer"))).wait();
  const mid = await world.rentalMarket.connect(a.renter).rent.staticCall(offerId, 7n * DAY, DAY * pricePerSecond);
  await (await world.rentalMarket.connect(a.renter).rent(offerId, 7n * DAY, DAY * pricePerSecond)).wait();
  await networkHelpers.time.increase(3_600);
  await (await attest(world, 0, await world.nextSender("meterRelayer"))).wait();
  await networkHelpers.time.increase(3_600);
  const meterTx = await world.rental.connect(a.agent).settleMetered(mid);
  const meterReceipt = (await meterTx.wait())!;
  const meterEvent = meterReceipt.logs
    .map((l) => world.rental.interface.parseLog(l))
    .find((e) => e?.name === "MeterSettled");
  if (!meterEvent || (meterEvent.args.charge as bigint) === 0n) throw new Error("settleMetered billed nothing");
  gas["suite.rental.settleMetered"] = Number(meterReceipt.gasUsed);
  // No notice period and the minimum duration (1 h) passed: the agreement ends and settles at once
  // (unused prepaid rent refunded, rent net of fee deposited to the distributor, lease released).
  const endTx = await world.rental.connect(a.renter).terminateEarly(mid);
  const endReceipt = (await endTx.wait())!;
  const ended = endReceipt.logs.map((l) => world.rental.interface.parseLog(l)?.name);
  if (!ended.includes("TerminatedEarly") || !ended.includes("Settled"))
    throw new Error("terminateEarly did not settle");
  gas["suite.rental.terminateEarly"] = Number(endReceipt.gasUsed);
  // The asset's next agreement, from the first offer: the subject's agreement counter is set, so this is an
  // opening's cost once the asset's rental history exists (what `suite.rental.open` adds is one-time).
  gas["suite.rental.open.again"] = await gasOf(
    world.rentalMarket.connect(a.renter).rent(a.offerId, DAY, DAY * pricePerSecond),
  );
  return {
    gas,
    notes: [
      "suite.rental.*: the rental money path on the real suite (real DeviceRegistry/AssetRegistry leases, real IncomeDistributor receiving the rent, USDC): open = rent from an on-chain offer (one day prepaid; the asset's first agreement; the renter pays straight into the asset's AssetVault, which income, maintenance and rental share and the setup's income deposit created), payPeriod = one more hour, settle = end of term (rent net of fee handed to the distributor in the vault, `depositHeld`: no transfer; lease released), close = finalize after the damage-claim window; open.again = the asset's next opening, once its agreement counter is set (the difference with open is the one-time cost of the counter).",
      "suite.rental.settleMetered / terminateEarly: a metered agreement on the same asset, its bound device in the real DeviceRegistry as the meter (price per kWh, 1,000 units per hour at most; one week rented, one day prepaid): settleMetered = the agent bills the units of a verified attestation (signed by the client's device signer) an hour after it, reading the real registry's latest reading; terminateEarly = the renter ends the agreement two hours in with no notice period, so it settles at once (unused prepaid rent refunded, rent net of fee handed to the real IncomeDistributor in the vault, lease released).",
      "Shared vault (issue 15): rent reaching the holders is accounting in the asset's one vault, so collect, settle and terminateEarly no longer pay a transfer out of the vault, an approval and a transfer back in (rental.collect -27 %, settle -18 %, terminateEarly -16 %); an asset's first rental no longer deploys a vault when the asset already has one (suite.rental.open -21 %). Every payout by a vault checks one of three controllers instead of one (+0.5 to 1.2 % on claims and withdrawals).",
    ],
  };
};
