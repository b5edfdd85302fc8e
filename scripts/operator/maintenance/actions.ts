/**
 * `npx hardhat maintenance <action>`: maintenance orders for payers / asset agents, providers and
 * anyone (scripts/operator/tasks.ts lists the options). Reuses scripts/operator/maintenance/lib.ts; amounts in
 * token units, order states by name. Signed bids (`bid`, `award`) and inspection verdicts (`inspect`,
 * `submit-inspections`) travel as JSON files that carry the chain id they were signed for.
 */
import { writeFileSync } from "node:fs";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { ZeroAddress } from "ethers";
import type { DisputeModule, MaintenanceOrders } from "../../../types/ethers-contracts/index.js";
import { Comparator, Ruling, SlashTo, type Bid, type Inspection } from "../../../client/src/eip712/maintenance.js";
import { asAddress, asHex } from "../../../client/src/types.js";
import { CLAIM_STATUSES, requireChainId } from "../../lib/cli.js";
import { formatWith, tokenInfo } from "../../lib/units.js";
import * as m from "./lib.js";
import {
  addressArg,
  amountArg,
  bytes32Arg,
  now,
  openContext,
  operatorTask,
  readInput,
  required,
  uint,
  UserError,
  type CommonArgs,
} from "../kernel.js";

interface Args extends CommonArgs {
  escrow: string;
  asset: string;
  token: string;
  budget: string;
  provider: string;
  bond: string;
  device: string;
  acceptIn: string;
  completeIn: string;
  inspectors: string;
  k: string;
  milestones: string;
  salt: string;
  fromReserve: boolean;
  useDevice: boolean;
  optimistic: boolean;
  kind: string;
  cmp: string;
  threshold: string;
  arbiter: string;
  challengeWindow: string;
  disputeTimeout: string;
  defaultRuling: string;
  order: string;
  milestone: string;
  to: string;
  price: string;
  validFor: string;
  out: string;
  file: string;
  files: string;
  verdict: string;
  dispute: string;
  ruling: string;
  issuedBefore: string;
}

async function open(hre: HardhatRuntimeEnvironment, args: Args, readOnly = false) {
  const ctx = await openContext(hre, args, { readOnly });
  const escrow = await ctx.contract<MaintenanceOrders>("MaintenanceOrders", args.escrow, "--escrow");
  const { evidence, custody } = await m.siblingsOf(escrow);
  return { ctx, escrow, evidence, custody };
}

const optUint = (raw: string, option: string, fallback: bigint) => (raw.trim() === "" ? fallback : uint(raw, option));

/** Prints an order's summary in token units. */
async function printOrder(ethers: Parameters<typeof tokenInfo>[0], escrow: MaintenanceOrders, orderId: string) {
  const o = await m.describeOrder(escrow, orderId);
  const info = await tokenInfo(ethers, o.token);
  const f = (n: bigint) => formatWith(info, n);
  console.log(`order ${orderId}`);
  console.log(`  state:     ${o.state}`);
  console.log(`  payer:     ${o.payer}`);
  console.log(`  provider:  ${o.provider === ZeroAddress ? "none yet (open to bids)" : o.provider}`);
  console.log(`  budget:    ${f(o.budget)}, price ${f(o.price)}, bond ${f(o.bond)}, released ${f(o.released)}`);
  console.log(
    `  accept by: ${new Date(o.acceptBy * 1000).toISOString()}, complete by ${new Date(o.completeBy * 1000).toISOString()}`,
  );
  for (const ms of o.milestones) {
    console.log(
      `  milestone ${ms.index}: ${ms.bps} bps, ${ms.released ? "released" : "not released"}, ${ms.agreeing} agreeing` +
        (ms.claim === 0 ? "" : `, claim ${CLAIM_STATUSES[ms.claim] ?? `unknown (${ms.claim})`}`),
    );
  }
}

/** --cmp: the device reading's value condition. */
function comparatorOf(raw: string): (typeof Comparator)[keyof typeof Comparator] {
  const v = raw.trim().toLowerCase();
  const table: Record<string, (typeof Comparator)[keyof typeof Comparator]> = {
    "": Comparator.None,
    none: Comparator.None,
    eq: Comparator.EQ,
    gte: Comparator.GTE,
    lte: Comparator.LTE,
  };
  const c = table[v];
  if (c === undefined) throw new UserError(`--cmp ${raw}: one of none, eq, gte, lte`);
  return c;
}

export const order = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow } = await open(hre, args);
  const ethers = ctx.ethers;
  const token = addressArg(ethers, args.token, "--token");
  const info = await tokenInfo(ethers, token);
  const budget = amountArg(info, args.budget, "--budget");
  const bond = args.bond.trim() === "" ? 0n : amountArg(info, args.bond, "--bond");
  const t = Number(await now(ethers));
  const milestoneBps = args.milestones
    .split(",")
    .filter((s) => s.trim() !== "")
    .map((s) => Number(uint(s, "--milestones")));
  const inspectors = args.inspectors
    .split(",")
    .filter((s) => s.trim() !== "")
    .map((s) => addressArg(ethers, s, "--inspectors"));
  const newOrder: m.NewOrder = {
    assetId: uint(args.asset, "--asset"),
    deviceId: optUint(args.device, "--device", 0n),
    token,
    budget,
    bond,
    provider: args.provider.trim() === "" ? ZeroAddress : addressArg(ethers, args.provider, "--provider"),
    acceptBy: t + Number(optUint(args.acceptIn, "--accept-in", 86_400n)),
    completeBy: t + Number(optUint(args.completeIn, "--complete-in", 7n * 86_400n)),
    fromReserve: args.fromReserve,
    slashTo: SlashTo.Payer,
    policy: {
      arbiter: args.arbiter.trim() === "" ? ZeroAddress : addressArg(ethers, args.arbiter, "--arbiter"),
      k: Number(optUint(args.k, "--k", 1n)),
      useDevice: args.useDevice,
      optimistic: args.optimistic,
      cmp: comparatorOf(args.cmp),
      defaultRuling: Number(optUint(args.defaultRuling, "--default-ruling", args.optimistic ? 1n : 0n)),
      kind: Number(optUint(args.kind, "--kind", 0n)),
      threshold: optUint(args.threshold, "--threshold", 0n),
      challengeWindow: Number(optUint(args.challengeWindow, "--challenge-window", args.optimistic ? 86_400n : 0n)),
      disputeTimeout: Number(optUint(args.disputeTimeout, "--dispute-timeout", args.optimistic ? 7n * 86_400n : 0n)),
    },
    inspectors,
    milestoneBps,
    salt: args.salt.trim() === "" ? ethers.hexlify(ethers.randomBytes(32)) : ethers.id(args.salt.trim()),
  };
  console.log(`budget ${formatWith(info, budget)}${args.fromReserve ? " from the asset's maintenance reserve" : ""}`);
  const { orderId } = await m.createAndFund(escrow, ctx.signer, newOrder);
  console.log(`order ${orderId} created and funded`);
  await printOrder(ethers, escrow, orderId);
});

export const accept = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow } = await open(hre, args);
  const id = bytes32Arg(args.order, "--order");
  await m.acceptOrder(escrow, ctx.signer, id);
  console.log("accepted; bond posted");
  await printOrder(ctx.ethers, escrow, id);
});

const toJson = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? x.toString() : x), 2) + "\n";

/** A signed file (bid or inspection) written by this chain's `bid` / `inspect`; another chain's is refused. */
async function readSigned(
  ethers: Parameters<typeof requireChainId>[0],
  file: string,
  option: string,
  key: "bid" | "inspection",
): Promise<{ body: Record<string, string | number | boolean>; signature: string }> {
  let j: { chainId?: string | number; signature?: unknown } & Record<string, unknown>;
  try {
    j = JSON.parse(readInput(file, option)) as typeof j;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${option} ${file}: not JSON: ${(error as Error).message.split("\n")[0]}`);
  }
  if (typeof j?.[key] !== "object" || j[key] === null || typeof j.signature !== "string") {
    throw new UserError(`${option} ${file}: not a signed ${key} file (${key}, signature)`);
  }
  if (j.chainId !== undefined) await requireChainId(ethers, BigInt(j.chainId), `${option} ${file}`);
  return { body: j[key] as Record<string, string | number | boolean>, signature: j.signature };
}

export const bid = operatorTask(async (args: Args, hre) => {
  const out = required(args.out, "--out");
  const { ctx, escrow } = await open(hre, args);
  const id = bytes32Arg(args.order, "--order");
  const o = await escrow.getOrder(id);
  if (o.state === 0n) throw new UserError(`no order ${id} on escrow ${await escrow.getAddress()}`);
  const info = await tokenInfo(ctx.ethers, o.token);
  const price = amountArg(info, args.price, "--price");
  const bond = args.bond.trim() === "" ? o.bond : amountArg(info, args.bond, "--bond");
  if (price > o.budget) {
    throw new UserError(`--price ${formatWith(info, price)} exceeds the order's budget, ${formatWith(info, o.budget)}`);
  }
  if (bond < o.bond) {
    throw new UserError(`--bond ${formatWith(info, bond)} is under the order's minimum, ${formatWith(info, o.bond)}`);
  }
  const validFor = Number(optUint(args.validFor, "--valid-for", 86_400n));
  const signed = await m.signProviderBid(escrow, ctx.signer, id, price, bond, validFor);
  writeFileSync(out, toJson({ chainId: ctx.chainId, ...signed }));
  console.log(`signed bid written to ${out}`);
  console.log(
    `  provider ${signed.bid.provider}, price ${formatWith(info, price)}, bond ${formatWith(info, bond)}, ` +
      `valid until ${new Date(Number(signed.bid.deadline) * 1000).toISOString()} (${signed.bid.deadline})`,
  );
});

export const award = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow } = await open(hre, args);
  const { body, signature } = await readSigned(ctx.ethers, args.file, "--file", "bid");
  let b: Bid;
  try {
    b = {
      orderId: asHex(String(body.orderId)),
      provider: asAddress(String(body.provider)),
      price: BigInt(String(body.price)),
      bond: BigInt(String(body.bond)),
      issuedAt: BigInt(String(body.issuedAt)),
      deadline: BigInt(String(body.deadline)),
    };
  } catch (error) {
    throw new UserError(`--file ${args.file}: not a valid bid: ${(error as Error).message.split("\n")[0]}`);
  }
  const o = await escrow.getOrder(b.orderId);
  if (o.state === 0n) throw new UserError(`no order ${b.orderId} on escrow ${await escrow.getAddress()}`);
  const info = await tokenInfo(ctx.ethers, o.token);
  await m.awardSignedBid(escrow, ctx.signer, b, signature);
  console.log(`awarded to ${b.provider}: price ${formatWith(info, b.price)}, bond ${formatWith(info, b.bond)}`);
  await printOrder(ctx.ethers, escrow, b.orderId);
});

export const inspect = operatorTask(async (args: Args, hre) => {
  const out = required(args.out, "--out");
  const verdict = required(args.verdict, "--verdict").toLowerCase();
  if (verdict !== "pass" && verdict !== "fail") throw new UserError(`--verdict ${args.verdict}: pass or fail`);
  // Nothing is sent: signing a verdict to a file needs no transaction.
  const { ctx, escrow } = await open(hre, args, true);
  const id = bytes32Arg(args.order, "--order");
  if ((await escrow.getOrder(id)).state === 0n) {
    throw new UserError(`no order ${id} on escrow ${await escrow.getAddress()}`);
  }
  const milestone = Number(optUint(args.milestone, "--milestone", 0n));
  const validFor = Number(optUint(args.validFor, "--valid-for", 86_400n));
  const signed = await m.signInspectionVerdict(escrow, ctx.signer, id, milestone, verdict === "pass", validFor);
  writeFileSync(out, toJson({ chainId: ctx.chainId, ...signed }));
  console.log(`signed inspection written to ${out} (nothing was sent)`);
  console.log(
    `  inspector ${signed.inspection.inspector}: milestone ${milestone} ${verdict === "pass" ? "passed" : "failed"}, ` +
      `valid until ${new Date(Number(signed.inspection.deadline) * 1000).toISOString()} (${signed.inspection.deadline})`,
  );
});

export const submitInspections = operatorTask(async (args: Args, hre) => {
  const files = required(args.files, "--files")
    .split(",")
    .map((f) => f.trim())
    .filter((f) => f !== "");
  const { ctx, escrow } = await open(hre, args);
  const items: { inspection: Inspection; signature: string }[] = [];
  for (const file of files) {
    const { body: i, signature } = await readSigned(ctx.ethers, file, "--files", "inspection");
    try {
      items.push({
        inspection: {
          orderId: asHex(String(i.orderId)),
          milestone: Number(i.milestone),
          passed: i.passed === true || i.passed === "true",
          inspector: asAddress(String(i.inspector)),
          issuedAt: BigInt(String(i.issuedAt)),
          deadline: BigInt(String(i.deadline)),
        },
        signature,
      });
    } catch (error) {
      throw new UserError(`--files ${file}: not a valid inspection: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  const orders = new Set(items.map((x) => x.inspection.orderId.toLowerCase()));
  if (orders.size !== 1)
    throw new UserError(`--files: the verdicts are for ${orders.size} orders; submit one order's at a time`);
  await m.submitInspections(escrow, ctx.signer, items);
  console.log(`submitted ${items.length} inspection(s)`);
  await printOrder(ctx.ethers, escrow, items[0].inspection.orderId);
});

export const evidence = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow } = await open(hre, args);
  const id = bytes32Arg(args.order, "--order");
  await m.submitDeviceEvidence(escrow, ctx.signer, id, Number(optUint(args.milestone, "--milestone", 0n)));
  console.log("device evidence counted");
  await printOrder(ctx.ethers, escrow, id);
});

export const claim = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow, evidence } = await open(hre, args);
  const id = bytes32Arg(args.order, "--order");
  const milestone = Number(optUint(args.milestone, "--milestone", 0n));
  const receipt = await m.sendTx(evidence, () => evidence.connect(ctx.signer).claimMilestone(id, milestone));
  let ends = "";
  for (const log of receipt?.logs ?? []) {
    const parsed = evidence.interface.parseLog(log);
    if (parsed?.name === "MilestoneClaimed") ends = new Date(Number(parsed.args[2]) * 1000).toISOString();
  }
  console.log(`milestone ${milestone} claimed; unchallenged, it counts after ${ends} (maintenance finalize)`);
  await printOrder(ctx.ethers, escrow, id);
});

export const finalize = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow, evidence } = await open(hre, args);
  const id = bytes32Arg(args.order, "--order");
  const milestone = Number(optUint(args.milestone, "--milestone", 0n));
  await m.sendTx(evidence, () => evidence.connect(ctx.signer).finalizeClaim(id, milestone));
  console.log(`claim on milestone ${milestone} counted`);
  await printOrder(ctx.ethers, escrow, id);
});

export const expire = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow } = await open(hre, args);
  const id = bytes32Arg(args.order, "--order");
  await m.expireOrder(escrow, ctx.signer, id);
  console.log("order ended; refunds are claimable (maintenance withdraw)");
  await printOrder(ctx.ethers, escrow, id);
});

export const cancel = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow } = await open(hre, args);
  const id = bytes32Arg(args.order, "--order");
  const o = await escrow.getOrder(id);
  if (o.state === 0n) throw new UserError(`no order ${id} on escrow ${await escrow.getAddress()}`);
  await m.sendTx(escrow, () => escrow.connect(ctx.signer).cancel(id));
  const info = await tokenInfo(ctx.ethers, o.token);
  console.log(
    `order cancelled; the budget, ${formatWith(info, o.budget)}, is ` +
      (o.fromReserve ? "held for the asset's reserve" : `claimable by the payer ${o.payer} (maintenance withdraw)`),
  );
  await printOrder(ctx.ethers, escrow, id);
});

export const withdrawBids = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow } = await open(hre, args);
  const id = bytes32Arg(args.order, "--order");
  const before = args.issuedBefore.trim() === "" ? undefined : uint(args.issuedBefore, "--issued-before");
  const receipt = await m.withdrawProviderBids(escrow, ctx.signer, id, before);
  let upTo = before;
  for (const log of receipt?.logs ?? []) {
    const parsed = escrow.interface.parseLog(log);
    if (parsed?.name === "BidsWithdrawn") upTo = parsed.args[2] as bigint;
  }
  console.log(
    `bids of ${ctx.signer.address} on order ${id} issued before ${new Date(Number(upTo) * 1000).toISOString()} ` +
      `(${upTo}) withdrawn: they can no longer be awarded`,
  );
});

/** The dispute of `--dispute`, or of the live challenge of `--order` / `--milestone`. */
async function disputeArg(escrow: MaintenanceOrders, args: Args): Promise<bigint> {
  if (args.dispute.trim() !== "") {
    if (args.order.trim() !== "") throw new UserError("give --dispute or --order (with --milestone), not both");
    return uint(args.dispute, "--dispute");
  }
  if (args.order.trim() === "") throw new UserError("--dispute is required (or --order with --milestone)");
  const id = bytes32Arg(args.order, "--order");
  if ((await escrow.getOrder(id)).state === 0n) {
    throw new UserError(`no order ${id} on escrow ${await escrow.getAddress()}`);
  }
  const milestone = Number(optUint(args.milestone, "--milestone", 0n));
  const { evidence } = await m.siblingsOf(escrow);
  const ms = await evidence.getMilestone(id, milestone);
  if (Number(ms.claim) !== 2) throw new UserError(`milestone ${milestone} of order ${id} has no claim in dispute`);
  return m.disputeIdOf(await evidence.getAddress(), id, milestone, Number(ms.round));
}

/** The dispute module MaintenanceEvidence opens disputes on: arbiters rule there, anyone applies a default ruling after the deadline. */
async function disputeModule(ethers: Parameters<typeof tokenInfo>[0], escrow: MaintenanceOrders) {
  const { evidence } = await m.siblingsOf(escrow);
  return (await ethers.getContractAt("DisputeModule", await evidence.disputes())) as unknown as DisputeModule;
}

/** Prints the DisputeResolved of a receipt (emitted by the dispute module) and the order after it. */
async function printResolved(
  ethers: Parameters<typeof tokenInfo>[0],
  escrow: MaintenanceOrders,
  disputes: DisputeModule,
  receipt: Awaited<ReturnType<typeof m.sendTx>>,
  disputeId: bigint,
) {
  const { evidence } = await m.siblingsOf(escrow);
  const d = await evidence.getDispute(disputeId);
  for (const log of receipt?.logs ?? []) {
    const parsed = disputes.interface.parseLog(log);
    if (parsed?.name !== "DisputeResolved") continue;
    const ruling = Number(parsed.args[1]);
    console.log(
      `dispute ${disputeId} resolved${parsed.args[2] === true ? " by timeout" : ""}: ` +
        `${RULING_NAMES[ruling] ?? `unknown (${ruling})`} (milestone ${d.milestone})`,
    );
  }
  await printOrder(ethers, escrow, d.orderId);
}

/** Rulings by name (client/src/eip712/maintenance.ts Ruling) and what each means here. */
const RULINGS: Record<string, number> = {
  provider: Ruling.Provider,
  payer: Ruling.Payer,
  refused: Ruling.Refused,
};
const RULING_NAMES: Record<number, string> = {
  [Ruling.Provider]: "provider, the claim stands",
  [Ruling.Payer]: "payer, the challenge stands (the provider may claim again)",
  [Ruling.Refused]: "refused",
};

export const challenge = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow, evidence } = await open(hre, args);
  const id = bytes32Arg(args.order, "--order");
  if ((await escrow.getOrder(id)).state === 0n) {
    throw new UserError(`no order ${id} on escrow ${await escrow.getAddress()}`);
  }
  const milestone = Number(optUint(args.milestone, "--milestone", 0n));
  const receipt = await m.sendTx(evidence, () => evidence.connect(ctx.signer).challenge(id, milestone));
  for (const log of receipt?.logs ?? []) {
    const parsed = evidence.interface.parseLog(log);
    if (parsed?.name !== "ClaimChallenged") continue;
    const [, , disputeId, arbiter, deadline] = parsed.args as unknown as [string, bigint, bigint, string, bigint];
    console.log(`dispute ${disputeId} opened on milestone ${milestone}`);
    console.log(
      `  arbiter ${arbiter} rules by ${new Date(Number(deadline) * 1000).toISOString()} (${deadline}) ` +
        "(maintenance rule); after that anyone applies the order's default ruling (maintenance resolve-timeout)",
    );
  }
  await printOrder(ctx.ethers, escrow, id);
});

export const rule = operatorTask(async (args: Args, hre) => {
  const raw = required(args.ruling, "--ruling").toLowerCase();
  const ruling = RULINGS[raw];
  if (ruling === undefined) throw new UserError(`--ruling ${args.ruling}: one of provider | payer | refused`);
  const { ctx, escrow } = await open(hre, args);
  const disputeId = await disputeArg(escrow, args);
  const disputes = await disputeModule(ctx.ethers, escrow);
  const receipt = await m.sendTx(disputes, () => disputes.connect(ctx.signer).rule(disputeId, ruling));
  await printResolved(ctx.ethers, escrow, disputes, receipt, disputeId);
});

export const resolveTimeout = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow } = await open(hre, args);
  const disputeId = await disputeArg(escrow, args);
  const disputes = await disputeModule(ctx.ethers, escrow);
  const receipt = await m.sendTx(disputes, () => disputes.connect(ctx.signer).resolveByTimeout(disputeId));
  await printResolved(ctx.ethers, escrow, disputes, receipt, disputeId);
});

export const withdraw = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow } = await open(hre, args);
  const assetId = uint(args.asset, "--asset");
  const token = addressArg(ctx.ethers, args.token, "--token");
  const to = args.to.trim() === "" ? undefined : addressArg(ctx.ethers, args.to, "--to");
  const amount = await m.claimBalance(escrow, ctx.signer, assetId, token, to);
  console.log(`withdrew ${formatWith(await tokenInfo(ctx.ethers, token), amount)} to ${to ?? ctx.signer.address}`);
});

export const status = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow } = await open(hre, args, true);
  const id = bytes32Arg(args.order, "--order");
  if ((await escrow.getOrder(id)).state === 0n)
    throw new UserError(`no order ${id} on escrow ${await escrow.getAddress()}`);
  await printOrder(ctx.ethers, escrow, id);
});
