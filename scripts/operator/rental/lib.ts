/**
 * Core rental operations for owners and renters, shared by the CLI (scripts/operator/rental/rental.ts), the
 * Mocha test of the scripts and the gas bench. Offers and renting take the connected RentalMarket (offers, signed
 * offers; it opens agreements in its escrow), every other function the connected RentalEscrow, and the acting
 * signer; each waits for the transaction and returns what the caller needs next.
 */
import type { ContractTransactionReceipt, ContractTransactionResponse, Signer } from "ethers";
import { ZeroAddress } from "ethers";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type {
  DisputeModule,
  RentalClaims,
  RentalCustody,
  RentalEscrow,
  RentalMarket,
  RentalMeter,
} from "../../../types/ethers-contracts/index.js";
import {
  DisputeModule__factory,
  RentalClaims__factory,
  RentalCustody__factory,
  RentalEscrow__factory,
  RentalMarket__factory,
  RentalMeter__factory,
} from "../../../types/ethers-contracts/index.js";
import { buildTerms, type RentalOffer, type RentalTerms, signOffer } from "../../../client/src/eip712/rental.js";
import { asAddress } from "../../../client/src/types.js";
import { describeRevert, mined as minedOrFailed, RENTAL_STATES, UserError } from "../../lib/cli.js";
import { formatWith, tokenInfo } from "../../lib/units.js";
import { ERC20_ABI } from "../../lib/erc20.js";

/** The kernel's user error (scripts/lib/cli.ts): the CLI prints its message without a stack trace. */
export { UserError };

/** A signed offer as stored in a JSON file between the owner and the renter. */
export interface SignedOfferFile {
  offer: RentalOffer;
  signature: string;
  /** Chain the offer was signed for (written by the CLI's `sign`; `rent-signed` refuses another chain). */
  chainId?: number | string;
}

/**
 * Waits for the transaction; a receipt with status 0 (mined but reverted, as anvil and public chains
 * do with a fixed gas limit) is a TransactionFailedError naming the escrow's custom error.
 */
function mined(tx: Promise<ContractTransactionResponse>, escrow?: RentalEscrow | RentalMarket) {
  return minedOrFailed(tx, { interfaces: escrow === undefined ? [] : [escrow.interface] });
}

/**
 * The escrow's RentalCustody (its first creation): the vaults, the parties' claimable balances
 * (`withdraw`), deferred income (`flushIncome`). Connected with the escrow's runner.
 */
export async function custodyOf(escrow: RentalEscrow): Promise<RentalCustody> {
  return RentalCustody__factory.connect(await escrow.custody(), escrow.runner);
}

function eventArg(
  escrow: RentalEscrow | RentalMarket,
  receipt: ContractTransactionReceipt,
  event: string,
  arg: string,
): string {
  for (const log of receipt.logs) {
    const parsed = escrow.interface.parseLog(log);
    if (parsed?.name === event) return String(parsed.args[arg]);
  }
  throw new UserError(`no ${event} event in ${receipt.hash}`);
}

/** Approves the escrow for `amount` of an ERC-20 payment token if needed (ETH: nothing to do). */
export async function ensureAllowance(escrow: RentalEscrow, signer: Signer, token: string, amount: bigint) {
  if (BigInt(token) === 0n) return;
  const { Contract } = await import("ethers");
  const erc20 = new Contract(token, ERC20_ABI, signer);
  const spender = await escrow.getAddress();
  const allowance = (await erc20.allowance(await signer.getAddress(), spender)) as bigint;
  if (allowance < amount) await mined(erc20.approve(spender, amount) as Promise<never>);
}

/** The escrow the market opens agreements in, connected like the market. */
export async function escrowOf(market: RentalMarket): Promise<RentalEscrow> {
  return RentalEscrow__factory.connect(await market.escrow(), market.runner);
}

/** The market that opens agreements in `escrow` (offers, signed offers, configuration), connected like the escrow. */
export async function marketOf(escrow: RentalEscrow): Promise<RentalMarket> {
  return RentalMarket__factory.connect(await escrow.market(), escrow.runner);
}

/** Owner: publishes terms on-chain; returns the offer id. */
export async function publishTerms(market: RentalMarket, owner: Signer, terms: RentalTerms): Promise<string> {
  const receipt = await mined(market.connect(owner).publishOffer(terms), market);
  return eventArg(market, receipt, "OfferPublished", "offerId");
}

/** Owner: signs an off-chain offer (EIP-712) for any renter, or only `renter`. */
export async function signTerms(
  market: RentalMarket,
  owner: Signer,
  terms: RentalTerms,
  opts: { expiry: bigint; nonce: bigint; renter?: string },
): Promise<SignedOfferFile> {
  const chainId = (await owner.provider!.getNetwork()).chainId;
  const offer: RentalOffer = {
    terms,
    owner: asAddress(await owner.getAddress()),
    renter: asAddress(opts.renter ?? "0x0000000000000000000000000000000000000000"),
    nonce: opts.nonce,
    expiry: opts.expiry,
  };
  return { offer, signature: await signOffer(owner, chainId, await market.getAddress(), offer) };
}

async function payment(escrow: RentalEscrow, renter: Signer, token: string, amount: bigint) {
  await ensureAllowance(escrow, renter, token, amount);
  return BigInt(token) === 0n ? { value: amount } : {};
}

/** Renter: rents from an on-chain offer for `duration` seconds with `prepay` credit; returns the agreement id. */
export async function rentOffer(
  market: RentalMarket,
  renter: Signer,
  offerId: string,
  duration: bigint,
  prepay: bigint,
): Promise<string> {
  const offer = await market.offerOf(offerId);
  if (!offer.active) throw new UserError(`offer ${offerId} is not active`);
  const escrow = await escrowOf(market);
  const terms = await escrow.termsOf(offer.termsHash);
  const overrides = await payment(escrow, renter, terms.token, prepay + terms.deposit);
  const receipt = await mined(market.connect(renter).rent(offerId, duration, prepay, overrides), market);
  return eventArg(escrow, receipt, "AgreementOpened", "id");
}

/** Renter: fills a signed offer; returns the agreement id. */
export async function rentSigned(
  market: RentalMarket,
  renter: Signer,
  signed: SignedOfferFile,
  duration: bigint,
  prepay: bigint,
): Promise<string> {
  if (BigInt(Math.floor(Date.now() / 1000)) > signed.offer.expiry) {
    const latest = await renter.provider!.getBlock("latest");
    if (latest && BigInt(latest.timestamp) > signed.offer.expiry) throw new UserError("the offer has expired");
  }
  const terms = signed.offer.terms;
  const escrow = await escrowOf(market);
  const overrides = await payment(escrow, renter, terms.token, prepay + terms.deposit);
  const receipt = await mined(
    market.connect(renter).rentWithSignature(signed.offer, signed.signature, duration, prepay, overrides),
    market,
  );
  return eventArg(escrow, receipt, "AgreementOpened", "id");
}

/** The payment token of agreement `id` (refused when it does not exist). */
export async function tokenOf(escrow: RentalEscrow, id: string) {
  const a = await escrow.agreementOf(id);
  if (a.state === 0n) throw new UserError(`agreement ${id} does not exist`);
  return (await escrow.termsOf(a.termsHash)).token;
}

/** Anyone: adds `amount` of credit to an agreement. */
export async function topUp(escrow: RentalEscrow, payer: Signer, id: string, amount: bigint) {
  const overrides = await payment(escrow, payer, await tokenOf(escrow, id), amount);
  return mined(escrow.connect(payer).topUp(id, amount, overrides), escrow);
}

/** Anyone: pays `seconds` more of time rent. */
export async function payPeriod(escrow: RentalEscrow, payer: Signer, id: string, seconds: bigint) {
  const a = await escrow.agreementOf(id);
  const terms = await escrow.termsOf(a.termsHash);
  const amount = seconds * terms.pricePerSecond;
  const overrides = await payment(escrow, payer, terms.token, amount);
  return mined(escrow.connect(payer).payPeriod(id, seconds, overrides), escrow);
}

/** Owner: activates a reservation. */
export const activate = (escrow: RentalEscrow, owner: Signer, id: string) =>
  mined(escrow.connect(owner).activate(id), escrow);
/** Anyone: charges the metered units since the last settlement. */
export const settleMetered = (escrow: RentalEscrow, s: Signer, id: string) =>
  mined(escrow.connect(s).settleMetered(id), escrow);
/** Anyone: pays earned rent to the owner side. */
export const collect = (escrow: RentalEscrow, s: Signer, id: string) => mined(escrow.connect(s).collect(id), escrow);
/** Renter: ends early under the terms' notice and refund policy. */
export const terminateEarly = (escrow: RentalEscrow, renter: Signer, id: string) =>
  mined(escrow.connect(renter).terminateEarly(id), escrow);
/** Anyone: settles an agreement whose use has ended. */
export const settle = (escrow: RentalEscrow, s: Signer, id: string) => mined(escrow.connect(s).settle(id), escrow);
/** Anyone: ends an agreement in default. */
export const markDefault = (escrow: RentalEscrow, s: Signer, id: string) =>
  mined(escrow.connect(s).markDefault(id), escrow);
/** Final rulings as the dispute module delivers them. */
const RULING_NAMES: Record<number, string> = { 1: "owner, the claim is paid", 2: "renter, the deposit goes back" };

/** The escrow's RentalClaims (damage claims and their disputes), connected like the escrow. */
export async function claimsOf(escrow: RentalEscrow): Promise<RentalClaims> {
  return RentalClaims__factory.connect(await escrow.claims(), escrow.runner);
}
/**
 * The escrow's RentalMeter (its third creation): which agreement bills each meter (`holderOf`) and each agreement's
 * mark and units measured and billed (`meterOf`). Connected like the escrow.
 */
export async function meterOf(escrow: RentalEscrow): Promise<RentalMeter> {
  return RentalMeter__factory.connect(await escrow.meter(), escrow.runner);
}
/** The dispute module deciding the escrow's disputed claims. */
export async function disputesOf(escrow: RentalEscrow): Promise<DisputeModule> {
  return DisputeModule__factory.connect(await (await claimsOf(escrow)).disputes(), escrow.runner);
}
function minedClaims(tx: Promise<ContractTransactionResponse>, escrow: RentalEscrow) {
  const interfaces = [
    escrow.interface,
    RentalClaims__factory.createInterface(),
    DisputeModule__factory.createInterface(),
  ];
  return minedOrFailed(tx, { interfaces });
}
/** Owner: claims damages from the deposit. */
export const claimDamage = async (escrow: RentalEscrow, owner: Signer, id: string, amount: bigint, evidence: string) =>
  minedClaims((await claimsOf(escrow)).connect(owner).claimDamage(id, amount, evidence), escrow);
/** Renter: accepts the pending claim. */
export const acceptClaim = async (escrow: RentalEscrow, renter: Signer, id: string) =>
  minedClaims((await claimsOf(escrow)).connect(renter).acceptClaim(id), escrow);
/** Renter: disputes the pending claim (opens a dispute on the dispute module). */
export const disputeClaim = async (escrow: RentalEscrow, renter: Signer, id: string) =>
  minedClaims((await claimsOf(escrow)).connect(renter).disputeClaim(id), escrow);
/** Owner side: releases the deposit without (further) claim. */
export const waiveClaim = async (escrow: RentalEscrow, owner: Signer, id: string) =>
  minedClaims((await claimsOf(escrow)).connect(owner).waiveClaim(id), escrow);
/**
 * The dispute's arbiter rules on the dispute module: 1 (owner: the claim is paid), 2 (renter: the deposit goes back)
 * or 0 (refused: the default, for the renter).
 */
export const rule = async (escrow: RentalEscrow, arbiter: Signer, id: string, ruling: bigint) => {
  const claims = await claimsOf(escrow);
  const disputes = await disputesOf(escrow);
  return minedClaims(disputes.connect(arbiter).rule(await claims.disputeIdOf(id), ruling), escrow);
};
/** Anyone, from the dispute's deadline on: applies the default ruling (for the renter) on the dispute module. */
export const resolveByTimeout = async (escrow: RentalEscrow, s: Signer, id: string) => {
  const claims = await claimsOf(escrow);
  const disputes = await disputesOf(escrow);
  return minedClaims(disputes.connect(s).resolveByTimeout(await claims.disputeIdOf(id)), escrow);
};
/** Owner side: declines a reservation (everything goes back to the renter). */
export const decline = (escrow: RentalEscrow, owner: Signer, id: string) =>
  mined(escrow.connect(owner).decline(id), escrow);
/** Owner: withdraws an on-chain offer. */
export const cancelOffer = (market: RentalMarket, owner: Signer, offerId: string) =>
  mined(market.connect(owner).cancelOffer(offerId), market);
/** Owner: cancels every signed offer of the signer carrying `nonce`. */
export const cancelNonce = (market: RentalMarket, owner: Signer, nonce: bigint) =>
  mined(market.connect(owner).cancelNonce(nonce), market);
/** Anyone, after the activation deadline: cancels a reservation (see the escrow's cancelReservation). */
export const cancelReservation = (escrow: RentalEscrow, s: Signer, id: string) =>
  mined(escrow.connect(s).cancelReservation(id), escrow);
/** Anyone: moves a Settling agreement past its phase deadline. */
export const finalize = async (escrow: RentalEscrow, s: Signer, id: string) =>
  minedClaims((await claimsOf(escrow)).connect(s).finalize(id), escrow);

/**
 * Anyone: withdraws the signer's claimable balance of `token` held in custody `custodyId` (an asset id, or
 * a rented device bound to no asset: see the escrow's `custodyOf`); returns the amount (0 if none).
 */
export async function withdraw(escrow: RentalEscrow, party: Signer, custodyId: bigint, token: string): Promise<bigint> {
  const custody = await custodyOf(escrow);
  const amount = await custody.claimable(await party.getAddress(), custodyId, token);
  if (amount === 0n) return 0n;
  await mined(custody.connect(party).withdraw(custodyId, token), escrow);
  return amount;
}

/**
 * Any party: withdraws the signer's claimable balance of `token` to `to`; returns the amount (0 if
 * none, nothing sent).
 */
export async function withdrawTo(
  escrow: RentalEscrow,
  party: Signer,
  custodyId: bigint,
  token: string,
  to: string,
): Promise<bigint> {
  const custody = await custodyOf(escrow);
  const amount = await custody.claimable(await party.getAddress(), custodyId, token);
  if (amount === 0n) return 0n;
  await mined(custody.connect(party).withdrawTo(custodyId, token, to), escrow);
  return amount;
}

/** IRentalEscrow.EndReason by value. */
export const END_REASONS = ["None", "Ended", "TerminatedEarly", "Defaulted", "ReservationExpired", "Declined"];

/**
 * An agreement's state for people: its name once (`TerminatedEarly`, not `TerminatedEarly
 * (TerminatedEarly)`), the end reason after it only when it says more (`Settling (Defaulted)`), and a
 * number only when the name is unknown (`unknown state 9`).
 */
export function stateLine(state: number, endReason: number): string {
  const name = RENTAL_STATES[state] ?? `unknown state ${state}`;
  if (endReason === 0) return name;
  const reason = END_REASONS[endReason] ?? `unknown end reason ${endReason}`;
  return reason === name ? name : `${name} (${reason})`;
}

/**
 * What a transaction changed, one line per event of the escrow or its custody in its receipt, amounts in the
 * agreement's token (`billed 500 units (carried 0) = 0.5 eUSD (500000)`). Other contracts' logs
 * (token transfers, the distributor's own events) are skipped.
 */
export async function describeChanges(
  ethers: HardhatEthers,
  escrow: RentalEscrow,
  receipt: ContractTransactionReceipt,
): Promise<string[]> {
  // The escrow's events, its RentalCustody's (credits, vaults, income) and its RentalClaims' (claims, disputes, rulings).
  const custody = await custodyOf(escrow);
  const escrowAddress = (await escrow.getAddress()).toLowerCase();
  const custodyAddress = (await custody.getAddress()).toLowerCase();
  const claimsAddress = (await escrow.claims()).toLowerCase();
  const claimsInterface = RentalClaims__factory.createInterface();
  const tokens = new Map<string, Promise<string>>();
  const agreementToken = (id: string) => {
    let t = tokens.get(id);
    if (t === undefined) tokens.set(id, (t = tokenOf(escrow, id).then(String)));
    return t;
  };
  const lines: string[] = [];
  for (const log of receipt.logs) {
    const from = log.address.toLowerCase();
    if (from !== escrowAddress && from !== custodyAddress && from !== claimsAddress) continue;
    const parsed = (
      from === escrowAddress ? escrow.interface : from === custodyAddress ? custody.interface : claimsInterface
    ).parseLog(log);
    if (parsed === null) continue;
    const a = parsed.args as unknown as Record<string, bigint & string>;
    const money = async (amount: bigint, token?: string) =>
      formatWith(await tokenInfo(ethers, token ?? (await agreementToken(String(a.id)))), amount);
    switch (parsed.name) {
      case "MeterSettled":
        lines.push(
          `billed ${a.billedUnits} units (carried ${a.carriedUnits}) = ${await money(a.charge)}; ` +
            `reading ${a.counter} (odometer ${a.odometer}), ${a.units} units measured`,
        );
        break;
      case "Settled":
        lines.push(
          `settled (${END_REASONS[Number(a.reason)] ?? a.reason}): refund ${await money(a.refund)}, ` +
            `from deposit ${await money(a.fromDeposit)}, bad debt ${await money(a.badDebt)}, ` +
            `deposit held ${await money(a.depositHeld)}`,
        );
        break;
      case "RentPaid":
        lines.push(`rent paid: ${await money(a.net)} to the owner side, fee ${await money(a.fee)}`);
        break;
      case "ToppedUp":
        lines.push(
          `topped up ${await money(a.amount)} (debt paid ${await money(a.debtPaid)}, late fee ${await money(a.lateFee)})`,
        );
        break;
      case "Activated":
        lines.push(`active from ${a.start} to ${a.end}`);
        break;
      case "TerminatedEarly":
        lines.push(`use ends at ${a.end}`);
        break;
      case "Defaulted":
        lines.push(`defaulted: debt ${await money(a.debt)} (in arrears since ${a.arrearsSince})`);
        break;
      case "ReservationEnded":
        lines.push(`reservation ended (${END_REASONS[Number(a.reason)] ?? a.reason}): refunded to the renter`);
        break;
      case "DamageClaimed":
        lines.push(`damage claimed: ${await money(a.amount)}`);
        break;
      case "ClaimDisputed":
        lines.push(`claim disputed: dispute ${a.disputeId}, arbiter ${a.arbiter} rules by ${a.deadline}`);
        break;
      case "Ruling":
        lines.push(`dispute ${a.disputeId} ruled: ${RULING_NAMES[Number(a.ruling)] ?? a.ruling}`);
        break;
      case "RulingDeferred":
        lines.push(`dispute ${a.disputeId} ruled, payout deferred: finalize the agreement to enforce it`);
        break;
      case "ClaimResolved":
        lines.push(`claim resolved: ${await money(a.toOwner)} to the owner, ${await money(a.toRenter)} to the renter`);
        break;
      case "Closed":
        lines.push(`agreement ${a.id} closed`);
        break;
      case "IncomeDeposited":
        lines.push(`income deposited for asset ${a.assetId}: ${await money(a.amount, a.token)}`);
        break;
      case "IncomeDeferred":
        lines.push(
          `income deferred for asset ${a.assetId}: ${await money(a.amount, a.token)} (the distributor refused it)`,
        );
        break;
      case "IncomeRedirected":
        lines.push(`income for asset ${a.assetId} credited to its agent ${a.agent}: ${await money(a.amount, a.token)}`);
        break;
      case "Credited":
        lines.push(`claimable by ${a.party}: +${await money(a.amount, a.token)}`);
        break;
      case "Withdrawn":
        lines.push(`withdrawn by ${a.party} to ${a.to}: ${await money(a.amount, a.token)}`);
        break;
      default:
        break;
    }
  }
  return lines;
}

/** Turns a revert of the escrow into a one-line message naming the custom error. */
export function explain(escrow: RentalEscrow, err: unknown): string {
  return describeRevert(err, [escrow.interface]);
}

/** Addresses and settings of a new rental market and its escrow. */
export interface EscrowDeployment {
  governance: string;
  assetRegistry: string;
  deviceRegistry: string;
  distributor: string;
  feeRecipient: string;
  defaultArbiter: string;
  feeBps: number | bigint;
  /** The suite's dispute module (deciding disputed damage claims); default: a new DisputeModule. */
  disputes?: string;
  /** Sends the deployments (default: the connection's first account). */
  deployer?: HardhatEthersSigner;
  /** Sends governance's `setEscrow` (default: the connection's signer for `governance`). */
  governanceSigner?: HardhatEthersSigner;
}

/**
 * Deploys the rental market, then the escrow naming the market (it creates its RentalCustody, RentalClaims and
 * RentalMeter; separate transactions, as the escrow's init code with the market's would pass the EIP-3860 limit), and has governance link the escrow on the market (`setEscrow`, once). Without
 * `disputes`, first deploys a DisputeModule for the claims. Returns the market (governance's contract: tokens, fee,
 * offers) and its escrow (agreements; ERC-20 renters approve it). When the distributor's vaults trust no custody yet,
 * governance names the escrow's custody (`setCustodians(0, custody)`), as the suite's wiring does.
 */
export async function deployRentalEscrow(
  ethers: HardhatEthers,
  d: EscrowDeployment,
): Promise<{ market: RentalMarket; escrow: RentalEscrow }> {
  const market = (await ethers.deployContract(
    "RentalMarket",
    [d.governance, d.assetRegistry, d.deviceRegistry, d.feeRecipient, d.defaultArbiter, d.feeBps],
    d.deployer,
  )) as unknown as RentalMarket;
  const escrow = (await ethers.deployContract(
    "RentalEscrow",
    [
      await market.getAddress(),
      d.assetRegistry,
      d.deviceRegistry,
      d.distributor,
      d.disputes ?? (await (await ethers.deployContract("DisputeModule", [], d.deployer)).getAddress()),
    ],
    d.deployer,
  )) as unknown as RentalEscrow;
  const governance = d.governanceSigner ?? (await ethers.getSigner(d.governance));
  await (await market.connect(governance).setEscrow(await escrow.getAddress())).wait();
  // A distributor whose vaults trust no custody yet is given this escrow's custody (once, by its admin).
  const distributor = await ethers.getContractAt("IIncomeLedger", d.distributor, governance);
  const vaults = await ethers.getContractAt("AssetVaults", await distributor.vaults());
  if (!(await vaults.vaultsReady())) {
    await (await distributor.setCustodians(ZeroAddress, await escrow.custody())).wait();
  }
  return { market, escrow };
}

/** The keys a rental terms JSON may hold (RentalTerms); any other key is refused. */
export const RENTAL_TERMS_KEYS = [
  "subjectKind",
  "subjectId",
  "meterDeviceId",
  "token",
  "meterKind",
  "meterPeriod",
  "pricePerSecond",
  "pricePerUnit",
  "deposit",
  "lateFeePerSecond",
  "lateFeeCap",
  "maxUnitsPerPeriod",
  "minDuration",
  "maxDuration",
  "gracePeriod",
  "noticePeriod",
  "activationWindow",
  "refundBps",
  "arbiter",
  "claimWindow",
  "responseWindow",
  "arbiterTimeout",
] as const satisfies readonly (keyof RentalTerms)[];

const BIG_TERMS = [
  "subjectId",
  "meterDeviceId",
  "pricePerSecond",
  "pricePerUnit",
  "deposit",
  "lateFeePerSecond",
  "lateFeeCap",
  "maxUnitsPerPeriod",
];

/**
 * Rental terms from parsed JSON (numbers may be strings; omitted keys take buildTerms' defaults).
 * Refuses a non-object, an unknown key (naming it and the allowed keys), a missing subject, and a
 * missing price per second or deposit (money defaults depend on the token's decimals).
 */
export function termsFromJson(raw: unknown, source = "terms"): RentalTerms {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new UserError(`${source}: the terms must be a JSON object`);
  }
  const obj = raw as Record<string, string | number>;
  const unknown = Object.keys(obj).filter((k) => !(RENTAL_TERMS_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new UserError(
      `${source}: unknown key${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${k}"`).join(", ")} ` +
        `(allowed: ${RENTAL_TERMS_KEYS.join(", ")})`,
    );
  }
  if (obj.subjectKind === undefined || obj.subjectId === undefined) {
    throw new UserError(`${source}: terms need subjectKind (1 asset, 2 device) and subjectId`);
  }
  // Money has no default that is right for every token: 10^16 base units is 0.01 of an 18-decimal
  // token but 10 billion of a 6-decimal one. The price and the deposit must be written down.
  const money = ["pricePerSecond", "deposit"].filter((k) => obj[k] === undefined);
  if (money.length > 0) {
    throw new UserError(
      `${source}: terms need ${money.join(" and ")} in base units of the token (0 for none); no default fits every token's decimals`,
    );
  }
  const out: Record<string, unknown> = { ...obj };
  for (const k of BIG_TERMS) {
    if (obj[k] === undefined) continue;
    try {
      out[k] = BigInt(obj[k]);
    } catch {
      throw new UserError(`${source}: ${k} must be an integer, got ${JSON.stringify(obj[k])}`);
    }
  }
  return buildTerms(out as Partial<RentalTerms> & Pick<RentalTerms, "subjectKind" | "subjectId">);
}
