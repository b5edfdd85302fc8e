/**
 * `npx hardhat maintenance <action>`: maintenance orders for payers / asset agents, providers and
 * anyone (scripts/operator/tasks.ts lists the options). Reuses scripts/maintenance/lib.ts; amounts in
 * token units, order states by name. Signed bids and inspections stay with
 * scripts/maintenance/maintenance.ts (ACTION=bid / award / inspect / submit).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { ZeroAddress } from "ethers";
import type { MaintenanceEscrow } from "../../types/ethers-contracts/index.js";
import { Comparator, SlashTo } from "../../client/src/eip712/maintenance.js";
import { formatWith, tokenInfo } from "../lib/units.js";
import * as m from "../maintenance/lib.js";
import {
  addressArg,
  amountArg,
  bytes32Arg,
  now,
  openContext,
  operatorTask,
  uint,
  UserError,
  type CommonArgs,
} from "./kernel.js";

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
}

async function open(hre: HardhatRuntimeEnvironment, args: Args, readOnly = false) {
  const ctx = await openContext(hre, args, { readOnly });
  const escrow = await ctx.contract<MaintenanceEscrow>("MaintenanceEscrow", args.escrow, "--escrow");
  return { ctx, escrow };
}

const optUint = (raw: string, option: string, fallback: bigint) => (raw.trim() === "" ? fallback : uint(raw, option));

/** Prints an order's summary in token units. */
async function printOrder(ethers: Parameters<typeof tokenInfo>[0], escrow: MaintenanceEscrow, orderId: string) {
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
      `  milestone ${ms.index}: ${ms.bps} bps, ${ms.released ? "released" : "not released"}, ${ms.agreeing} agreeing`,
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

export const evidence = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow } = await open(hre, args);
  const id = bytes32Arg(args.order, "--order");
  await m.submitDeviceEvidence(escrow, ctx.signer, id, Number(optUint(args.milestone, "--milestone", 0n)));
  console.log("device evidence counted");
  await printOrder(ctx.ethers, escrow, id);
});

export const claim = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow } = await open(hre, args);
  const id = bytes32Arg(args.order, "--order");
  const milestone = Number(optUint(args.milestone, "--milestone", 0n));
  const receipt = await m.sendTx(escrow, () => escrow.connect(ctx.signer).claimMilestone(id, milestone));
  let ends = "";
  for (const log of receipt?.logs ?? []) {
    const parsed = escrow.interface.parseLog(log);
    if (parsed?.name === "MilestoneClaimed") ends = new Date(Number(parsed.args[2]) * 1000).toISOString();
  }
  console.log(`milestone ${milestone} claimed; unchallenged, it counts after ${ends} (maintenance finalize)`);
  await printOrder(ctx.ethers, escrow, id);
});

export const finalize = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow } = await open(hre, args);
  const id = bytes32Arg(args.order, "--order");
  const milestone = Number(optUint(args.milestone, "--milestone", 0n));
  await m.sendTx(escrow, () => escrow.connect(ctx.signer).finalizeClaim(id, milestone));
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
