/**
 * Gas of the rental escrow's money path on the REAL suite (scripts/parallel/workloads.ts builds it:
 * DeviceRegistry, AssetRegistry, AssetShares with the IncomeDistributor as hook, RentalEscrow,
 * MaintenanceEscrow, USDC as payment token). The `rental.*` keys of the rental area are measured on
 * test doubles of the registries and the distributor; these `suite.rental.*` figures include the
 * real registries' lease bookkeeping and the real IncomeDistributor.deposit of the rent.
 */
import type { AreaBench } from "./types.js";
import { buildWorld } from "../parallel/workloads.js";
import { SubjectKind } from "../../client/src/eip712/rental.js";

const DAY = 86_400n;

export const bench: AreaBench = async (connection) => {
  const { ethers, networkHelpers } = connection;
  const world = await buildWorld(ethers, { devices: 1, assets: 1, sameDevice: 1, sameAsset: 1 });
  const [a] = world.assetList;
  const gasOf = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) =>
    Number((await (await tx).wait())!.gasUsed);
  const pricePerSecond = 10n;

  const gas: Record<string, number> = {};
  gas["suite.rental.open"] = await gasOf(world.rental.connect(a.renter).rent(a.offerId, DAY, DAY * pricePerSecond));
  const id = await world.rental.agreementId(SubjectKind.Asset, a.id, 0);
  await networkHelpers.time.increase(3_600);
  gas["suite.rental.payPeriod"] = await gasOf(world.rental.connect(a.renter).payPeriod(id, 3_600));
  await networkHelpers.time.increase(DAY + 3_600n);
  // Settlement deposits the rent (net of the escrow's fee) into the real IncomeDistributor and
  // releases the registry lease.
  gas["suite.rental.settle"] = await gasOf(world.rental.settle(id));
  await networkHelpers.time.increase(30n * DAY);
  gas["suite.rental.close"] = await gasOf(world.rental.finalize(id));
  return {
    gas,
    notes: [
      "suite.rental.*: the rental money path on the real suite (real DeviceRegistry/AssetRegistry leases, real IncomeDistributor receiving the rent, USDC): open = rent from an on-chain offer (one day prepaid), payPeriod = one more hour, settle = end of term (rent net of fee deposited to the distributor, lease released), close = finalize after the damage-claim window.",
    ],
  };
};
