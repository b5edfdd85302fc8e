/**
 * `npx hardhat rental <action>`: the RentalEscrow for owners and renters (scripts/operator/tasks.ts
 * lists the options). Reuses scripts/operator/rental/lib.ts; every change is printed from the escrow's events
 * in token units (describeChanges), states by name.
 */
import { writeFileSync } from "node:fs";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { ZeroAddress, type ContractTransactionReceipt } from "ethers";
import type { RentalEscrow } from "../../../types/ethers-contracts/index.js";
import { RENTAL_STATES, requireChainId } from "../../lib/cli.js";
import { RentalClaimStatusNames } from "../../../client/src/enums.js";
import { formatWith, tokenInfo } from "../../lib/units.js";
import * as rental from "./lib.js";
import {
  bytes32Arg,
  addressArg,
  openContext,
  operatorTask,
  now,
  readInput,
  required,
  uint,
  UserError,
  type CommonArgs,
  amountArg,
} from "../kernel.js";

interface Args extends CommonArgs {
  escrow: string;
  terms: string;
  offer: string;
  duration: string;
  prepay: string;
  agreement: string;
  seconds: string;
  amount: string;
  token: string;
  asset: string;
  out: string;
  file: string;
  expiry: string;
  nonce: string;
  renter: string;
  evidence: string;
  ruling: string;
  toOwner: string;
  to: string;
}

async function open(hre: HardhatRuntimeEnvironment, args: Args, readOnly = false) {
  const ctx = await openContext(hre, args, { readOnly });
  const escrow = await ctx.contract<RentalEscrow>("RentalEscrow", args.escrow, "--escrow");
  return { ctx, escrow, market: await rental.marketOf(escrow) };
}

async function printChanges(
  ctx: { ethers: Parameters<typeof rental.describeChanges>[0] },
  escrow: RentalEscrow,
  receipt: ContractTransactionReceipt,
) {
  const lines = await rental.describeChanges(ctx.ethers, escrow, receipt);
  for (const line of lines) console.log(line);
  if (lines.length === 0) console.log("no change recorded by the escrow");
}

/** Whether rent of an asset rental can flow to the asset's holders (device rentals: always). */
async function takesIncome(
  ethers: Parameters<typeof rental.describeChanges>[0],
  escrow: RentalEscrow,
  kind: bigint | number,
  subjectId: bigint,
  token: string,
): Promise<boolean> {
  if (Number(kind) !== 1) return true;
  const distributor = await ethers.getContractAt("IncomeDistributor", await escrow.distributor());
  return distributor.acceptsIncome(subjectId, token);
}

/** An agreement id that exists on the escrow. */
async function agreementArg(escrow: RentalEscrow, raw: string): Promise<string> {
  const id = bytes32Arg(raw, "--agreement");
  await rental.tokenOf(escrow, id); // refused when it does not exist
  return id;
}

export const offer = operatorTask(async (args: Args, hre) => {
  const text = readInput(args.terms, "--terms");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UserError(`--terms ${args.terms}: not JSON: ${(error as Error).message.split("\n")[0]}`);
  }
  const terms = rental.termsFromJson(raw, args.terms.trim()); // unknown keys refused before connecting
  const { ctx, escrow, market } = await open(hre, args);
  if (!(await market.tokenAllowed(terms.token))) {
    throw new UserError(`token ${terms.token} is not allowed by the rental market (governance allowlist --on rental)`);
  }
  const info = await tokenInfo(ctx.ethers, terms.token);
  const id = await rental.publishTerms(market, ctx.signer, terms);
  console.log(`offer ${id} published`);
  if (!(await takesIncome(ctx.ethers, escrow, BigInt(terms.subjectKind), terms.subjectId, terms.token))) {
    console.log(
      `  warning: asset ${terms.subjectId} does not take income in ${info.symbol} yet; renting is refused until ` +
        `its agent runs income register-token`,
    );
  }
  console.log(
    `  ${terms.subjectKind === 1 ? "asset" : "device"} ${terms.subjectId}, price ${formatWith(info, terms.pricePerSecond)} per second, ` +
      `${formatWith(info, terms.pricePerUnit)} per unit, deposit ${formatWith(info, terms.deposit)}`,
  );
});

/** A terms JSON file (unknown keys refused before connecting). */
function readTerms(file: string) {
  const text = readInput(file, "--terms");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UserError(`--terms ${file}: not JSON: ${(error as Error).message.split("\n")[0]}`);
  }
  return rental.termsFromJson(raw, file.trim());
}

export const signOffer = operatorTask(async (args: Args, hre) => {
  const terms = readTerms(args.terms);
  const out = required(args.out, "--out");
  const { ctx, market } = await open(hre, args, true);
  if (!(await market.tokenAllowed(terms.token))) {
    throw new UserError(`token ${terms.token} is not allowed by the rental market (governance allowlist --on rental)`);
  }
  const expiry = args.expiry.trim() === "" ? (await now(ctx.ethers)) + 7n * 86400n : uint(args.expiry, "--expiry");
  const nonce = args.nonce.trim() === "" ? 0n : uint(args.nonce, "--nonce");
  const renter = args.renter.trim() === "" ? undefined : addressArg(ctx.ethers, args.renter, "--renter");
  const signed = await rental.signTerms(market, ctx.signer, terms, { expiry, nonce, renter });
  writeFileSync(
    out,
    JSON.stringify({ chainId: ctx.chainId, ...signed }, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n",
  );
  const info = await tokenInfo(ctx.ethers, terms.token);
  console.log(`signed offer written to ${out} (nothing was sent)`);
  console.log(
    `  owner ${signed.offer.owner}, renter ${renter ?? "anyone"}, nonce ${nonce}, expires ${new Date(Number(expiry) * 1000).toISOString()} (${expiry})`,
  );
  console.log(
    `  ${terms.subjectKind === 1 ? "asset" : "device"} ${terms.subjectId}, price ${formatWith(info, terms.pricePerSecond)} per second, ` +
      `${formatWith(info, terms.pricePerUnit)} per unit, deposit ${formatWith(info, terms.deposit)}`,
  );
});

export const rentSigned = operatorTask(async (args: Args, hre) => {
  const text = readInput(args.file, "--file");
  let file: rental.SignedOfferFile;
  try {
    file = JSON.parse(text) as rental.SignedOfferFile;
  } catch (error) {
    throw new UserError(`--file ${args.file}: not JSON: ${(error as Error).message.split("\n")[0]}`);
  }
  if (typeof file?.offer !== "object" || typeof file.signature !== "string") {
    throw new UserError(`--file ${args.file}: not a signed offer (offer, signature)`);
  }
  const terms = rental.termsFromJson(file.offer.terms as unknown, `--file ${args.file}`);
  const duration = uint(args.duration, "--duration");
  const { ctx, escrow, market } = await open(hre, args);
  if (file.chainId !== undefined) await requireChainId(ctx.ethers, BigInt(file.chainId), `--file ${args.file}`);
  const offer = { ...file.offer, terms, nonce: BigInt(file.offer.nonce), expiry: BigInt(file.offer.expiry) };
  const info = await tokenInfo(ctx.ethers, terms.token);
  if (!(await takesIncome(ctx.ethers, escrow, BigInt(terms.subjectKind), terms.subjectId, terms.token))) {
    throw new UserError(
      `asset ${terms.subjectId} does not take income in ${info.symbol} (the escrow would refuse with IncomeNotAccepted): ` +
        `its agent runs income register-token --asset ${terms.subjectId} --token ${terms.token}`,
    );
  }
  const prepay = args.prepay.trim() === "" ? 0n : amountArg(info, args.prepay, "--prepay");
  console.log(`prepay ${formatWith(info, prepay)}, deposit ${formatWith(info, terms.deposit)}, ${duration} s`);
  const id = await rental.rentSigned(market, ctx.signer, { offer, signature: file.signature }, duration, prepay);
  console.log(`agreement ${id} opened: ${RENTAL_STATES[Number(await escrow.stateOf(id))]}`);
});

export const rent = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow, market } = await open(hre, args);
  const offerId = bytes32Arg(args.offer, "--offer");
  const o = await market.offerOf(offerId);
  if (!o.active) throw new UserError(`offer ${offerId} is not active`);
  const terms = await escrow.termsOf(o.termsHash);
  const info = await tokenInfo(ctx.ethers, terms.token);
  if (!(await takesIncome(ctx.ethers, escrow, terms.subjectKind, terms.subjectId, terms.token))) {
    throw new UserError(
      `asset ${terms.subjectId} does not take income in ${info.symbol} (the escrow would refuse with IncomeNotAccepted): ` +
        `its agent runs income register-token --asset ${terms.subjectId} --token ${terms.token}`,
    );
  }
  const prepay = args.prepay.trim() === "" ? 0n : amountArg(info, args.prepay, "--prepay");
  const duration = uint(args.duration, "--duration");
  console.log(`prepay ${formatWith(info, prepay)}, deposit ${formatWith(info, terms.deposit)}, ${duration} s`);
  const id = await rental.rentOffer(market, ctx.signer, offerId, duration, prepay);
  console.log(`agreement ${id} opened: ${RENTAL_STATES[Number(await escrow.stateOf(id))]}`);
});

function perAgreement(
  run: (
    escrow: RentalEscrow,
    args: Args,
    ctx: Awaited<ReturnType<typeof open>>["ctx"],
    id: string,
  ) => Promise<ContractTransactionReceipt>,
) {
  return operatorTask(async (args: Args, hre) => {
    const { ctx, escrow } = await open(hre, args);
    const id = await agreementArg(escrow, args.agreement);
    const before = Number(await escrow.stateOf(id));
    const receipt = await run(escrow, args, ctx, id);
    await printChanges(ctx, escrow, receipt);
    const after = Number(await escrow.stateOf(id));
    console.log(`agreement ${id}: ${RENTAL_STATES[before]}${after === before ? "" : ` -> ${RENTAL_STATES[after]}`}`);
  });
}

export const activate = perAgreement((e, _a, ctx, id) => rental.activate(e, ctx.signer, id));
export const pay = perAgreement((e, a, ctx, id) => rental.payPeriod(e, ctx.signer, id, uint(a.seconds, "--seconds")));
export const topUp = perAgreement(async (e, a, ctx, id) => {
  const info = await tokenInfo(ctx.ethers, await rental.tokenOf(e, id));
  const amount = amountArg(info, a.amount, "--amount");
  if (amount === 0n) throw new UserError("--amount must be positive");
  return rental.topUp(e, ctx.signer, id, amount);
});
export const meter = perAgreement((e, _a, ctx, id) => rental.settleMetered(e, ctx.signer, id));
export const collect = perAgreement((e, _a, ctx, id) => rental.collect(e, ctx.signer, id));
export const end = perAgreement((e, _a, ctx, id) => rental.terminateEarly(e, ctx.signer, id));
export const settle = perAgreement((e, _a, ctx, id) => rental.settle(e, ctx.signer, id));

export const decline = perAgreement((e, _a, ctx, id) => rental.decline(e, ctx.signer, id));
export const cancelReservation = perAgreement((e, _a, ctx, id) => rental.cancelReservation(e, ctx.signer, id));
/** `rental cancel`: the same as cancel-reservation. */
export const cancel = cancelReservation;
/** `rental default` (tasks.ts loads an action by its camelCase name; `default` is the module's default export). */
const markDefault = perAgreement((e, _a, ctx, id) => rental.markDefault(e, ctx.signer, id));
export { markDefault as default };
export const claim = perAgreement(async (e, a, ctx, id) => {
  const info = await tokenInfo(ctx.ethers, await rental.tokenOf(e, id));
  const amount = amountArg(info, a.amount, "--amount");
  if (amount === 0n) throw new UserError("--amount must be positive");
  const held = (await e.agreementOf(id)).depositHeld;
  if (amount > held) {
    throw new UserError(
      `--amount ${formatWith(info, amount)} is more than the deposit held, ${formatWith(info, held)}`,
    );
  }
  const raw = a.evidence.trim();
  const evidence = /^0x[0-9a-fA-F]{64}$/.test(raw) ? raw : ctx.ethers.id(required(raw, "--evidence"));
  return rental.claimDamage(e, ctx.signer, id, amount, evidence);
});
export const accept = perAgreement((e, _a, ctx, id) => rental.acceptClaim(e, ctx.signer, id));
export const dispute = perAgreement((e, _a, ctx, id) => rental.disputeClaim(e, ctx.signer, id));
export const waive = perAgreement((e, _a, ctx, id) => rental.waiveClaim(e, ctx.signer, id));
const RULINGS: Record<string, bigint> = { refused: 0n, owner: 1n, renter: 2n };
export const rule = perAgreement((e, a, ctx, id) => {
  const raw = required(a.ruling, "--ruling").toLowerCase();
  const ruling = RULINGS[raw];
  if (ruling === undefined) throw new UserError(`--ruling ${raw}: one of owner | renter | refused`);
  return rental.rule(e, ctx.signer, id, ruling);
});
export const resolveTimeout = perAgreement((e, _a, ctx, id) => rental.resolveByTimeout(e, ctx.signer, id));
export const finalize = perAgreement((e, _a, ctx, id) => rental.finalize(e, ctx.signer, id));

export const cancelOffer = operatorTask(async (args: Args, hre) => {
  const { ctx, market } = await open(hre, args);
  const offerId = bytes32Arg(args.offer, "--offer");
  const o = await market.offerOf(offerId);
  if (o.owner === ZeroAddress) throw new UserError(`no offer ${offerId} on rental market ${await market.getAddress()}`);
  await rental.cancelOffer(market, ctx.signer, offerId);
  console.log(`offer ${offerId} cancelled: it can no longer be rented (running agreements keep their terms)`);
});

export const cancelNonce = operatorTask(async (args: Args, hre) => {
  const fromFile = args.file.trim() !== "";
  if (fromFile === (args.nonce.trim() !== "")) throw new UserError("give --nonce or --file (a signed offer file)");
  let nonce: bigint;
  let owner: string | undefined;
  if (fromFile) {
    let file: rental.SignedOfferFile;
    try {
      file = JSON.parse(readInput(args.file, "--file")) as rental.SignedOfferFile;
      nonce = BigInt(file.offer.nonce);
      owner = String(file.offer.owner);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`--file ${args.file}: not a signed offer (offer.nonce, offer.owner)`);
    }
  } else nonce = uint(args.nonce, "--nonce");
  const { ctx, market } = await open(hre, args);
  if (owner !== undefined && owner.toLowerCase() !== ctx.signer.address.toLowerCase()) {
    throw new UserError(`--file ${args.file} is an offer of ${owner}: only its owner can cancel its nonce`);
  }
  await rental.cancelNonce(market, ctx.signer, nonce);
  console.log(`nonce ${nonce} of ${ctx.signer.address} cancelled: its signed offers can no longer be rented`);
});

export const withdraw = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow } = await open(hre, args);
  const token =
    args.token.trim() === ""
      ? "0x0000000000000000000000000000000000000000"
      : addressArg(ctx.ethers, args.token, "--token", true);
  const amount = await rental.withdraw(escrow, ctx.signer, uint(args.asset, "--asset"), token);
  const info = await tokenInfo(ctx.ethers, token);
  console.log(amount === 0n ? `nothing to withdraw in ${info.symbol}` : `withdrew ${formatWith(info, amount)}`);
});

export const withdrawTo = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow } = await open(hre, args);
  const token = args.token.trim() === "" ? ZeroAddress : addressArg(ctx.ethers, args.token, "--token", true);
  const to = addressArg(ctx.ethers, args.to, "--to");
  const info = await tokenInfo(ctx.ethers, token);
  const amount = await rental.withdrawTo(escrow, ctx.signer, uint(args.asset, "--asset"), token, to);
  console.log(
    amount === 0n
      ? `nothing to withdraw in ${info.symbol}`
      : `withdrew ${formatWith(info, amount)} of ${ctx.signer.address} to ${to}`,
  );
});

const time = (t: bigint) => (t === 0n ? "-" : `${new Date(Number(t) * 1000).toISOString()} (${t})`);

export const status = operatorTask(async (args: Args, hre) => {
  const { ctx, escrow } = await open(hre, args, true);
  const id = await agreementArg(escrow, args.agreement);
  const a = await escrow.agreementOf(id);
  const terms = await escrow.termsOf(a.termsHash);
  const info = await tokenInfo(ctx.ethers, terms.token);
  const money = (n: bigint) => formatWith(info, n);
  console.log(`agreement ${id}`);
  // stateOf, not the stored state: an Active agreement past its end is Ended until someone settles it.
  console.log(`  state:        ${rental.stateLine(Number(await escrow.stateOf(id)), Number(a.endReason))}`);
  console.log(`  subject:      ${Number(terms.subjectKind) === 1 ? "asset" : "device"} ${terms.subjectId}`);
  console.log(`  renter:       ${a.renter}`);
  console.log(`  owner:        ${a.owner}`);
  console.log(`  term:         ${time(a.start)} to ${time(a.termEnd)}, use ends ${time(a.end)}`);
  console.log(`  price:        ${money(terms.pricePerSecond)} per second, ${money(terms.pricePerUnit)} per unit`);
  console.log(`  credit:       ${money(a.credit)}`);
  console.log(`  deposit held: ${money(a.depositHeld)}`);
  console.log(`  earned:       ${money(a.earned)} (not yet paid to the owner side)`);
  console.log(`  debt:         ${money(a.debt)}, late fee ${money(a.lateFee)}`);
  // The meter lives in the escrow's RentalMeter: its mark (the last reading settled) and the units of the term.
  const m = await (await rental.meterOf(escrow)).meterOf(id);
  console.log(`  metered:      ${m.units} units measured, ${m.billed} billed`);
  if (terms.meterDeviceId !== 0n) {
    const mark =
      m.counter === 0n ? "no reading yet" : `reading ${m.counter} (odometer ${m.odometer}, signed ${time(m.time)})`;
    console.log(`  meter:        device ${terms.meterDeviceId} kind ${terms.meterKind}, mark ${mark}`);
  }
  const claim = await (await rental.claimsOf(escrow)).claimOf(id);
  if (Number(claim.status) !== 0) {
    console.log(`  damage claim: ${money(claim.amount)} (${RentalClaimStatusNames[Number(claim.status)]})`);
  }
  console.log(`  in default:   ${(await escrow.inDefault(id)) ? "yes" : "no"}`);
});
