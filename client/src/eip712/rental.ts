/**
 * EIP-712 domain and types of Plinth rental offers (contracts/rental/RentalTerms.sol), with builders
 * shared by tests, scripts and the client. An owner (asset agent or device owner, EOA or ERC-1271
 * wallet) signs an `Offer` for the RentalMarket; any renter (or the named one) fills it with the market's
 * `rentWithSignature`.
 */
import type { TypedDataField } from "ethers";
import { signTypedMessage, type Eip712Domain, type TypedDataSigner } from "../typed-data.js";
import type { SubjectKind } from "../enums.js";
import { asAddress, type Address, type Hex } from "../types.js";

export type { TypedDataSigner } from "../typed-data.js";

/** What is rented, agreement states and end reasons: generated from IRentalEscrow's enums. */
export {
  RentalClaimStatus,
  RentalEndReason,
  RentalState,
  RentalStateNames,
  RentalTermsError,
  SubjectKind,
  SubjectKindNames,
} from "../enums.js";
/** A value of IRentalEscrow.SubjectKind. */
export type SubjectKindValue = SubjectKind;

/** Rental terms; field order is the EIP-712 type order. */
export interface RentalTerms {
  subjectId: bigint;
  meterDeviceId: bigint;
  token: Address;
  subjectKind: number;
  meterKind: number;
  meterPeriod: number;
  pricePerSecond: bigint;
  pricePerUnit: bigint;
  deposit: bigint;
  lateFeePerSecond: bigint;
  lateFeeCap: bigint;
  maxUnitsPerPeriod: bigint;
  minDuration: number;
  maxDuration: number;
  gracePeriod: number;
  noticePeriod: number;
  activationWindow: number;
  refundBps: number;
  arbiter: Address;
  claimWindow: number;
  responseWindow: number;
  arbiterTimeout: number;
}

/** A signed-offer message: the terms plus who signs, who may fill (zero = anyone), nonce, expiry. */
export interface RentalOffer {
  terms: RentalTerms;
  owner: Address;
  renter: Address;
  nonce: bigint;
  expiry: bigint;
}

export const ZERO_ADDRESS: Address = "0x0000000000000000000000000000000000000000";

export const RENTAL_TYPES: Record<string, TypedDataField[]> = {
  Offer: [
    { name: "terms", type: "Terms" },
    { name: "owner", type: "address" },
    { name: "renter", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "expiry", type: "uint64" },
  ],
  Terms: [
    { name: "subjectId", type: "uint256" },
    { name: "meterDeviceId", type: "uint256" },
    { name: "token", type: "address" },
    { name: "subjectKind", type: "uint8" },
    { name: "meterKind", type: "uint32" },
    { name: "meterPeriod", type: "uint32" },
    { name: "pricePerSecond", type: "uint128" },
    { name: "pricePerUnit", type: "uint128" },
    { name: "deposit", type: "uint128" },
    { name: "lateFeePerSecond", type: "uint128" },
    { name: "lateFeeCap", type: "uint128" },
    { name: "maxUnitsPerPeriod", type: "uint64" },
    { name: "minDuration", type: "uint32" },
    { name: "maxDuration", type: "uint32" },
    { name: "gracePeriod", type: "uint32" },
    { name: "noticePeriod", type: "uint32" },
    { name: "activationWindow", type: "uint32" },
    { name: "refundBps", type: "uint16" },
    { name: "arbiter", type: "address" },
    { name: "claimWindow", type: "uint32" },
    { name: "responseWindow", type: "uint32" },
    { name: "arbiterTimeout", type: "uint32" },
  ],
};

/** The rental market's EIP-712 domain (the market verifies signed offers; the escrow only runs agreements). */
export function rentalDomain(chainId: bigint | number, market: string): Eip712Domain {
  return { name: "PlinthRental", version: "1", chainId: BigInt(chainId), verifyingContract: asAddress(market) };
}

/** Terms with sensible defaults (1 h - 30 d, 1 d windows, no meter, ETH), overridden by `t`. */
export function buildTerms(t: Partial<RentalTerms> & Pick<RentalTerms, "subjectKind" | "subjectId">): RentalTerms {
  return {
    meterDeviceId: 0n,
    token: ZERO_ADDRESS,
    meterKind: 0,
    meterPeriod: 0,
    pricePerSecond: 1_000_000_000n,
    pricePerUnit: 0n,
    deposit: 10n ** 16n,
    lateFeePerSecond: 0n,
    lateFeeCap: 0n,
    maxUnitsPerPeriod: 0n,
    minDuration: 3600,
    maxDuration: 30 * 86400,
    gracePeriod: 3600,
    noticePeriod: 0,
    activationWindow: 0,
    refundBps: 10_000,
    arbiter: ZERO_ADDRESS,
    claimWindow: 86400,
    responseWindow: 86400,
    arbiterTimeout: 86400,
    ...t,
  };
}

/** A signed-offer message for `terms`, fillable by anyone unless `renter` is given. */
export function buildOffer(
  terms: RentalTerms,
  owner: string,
  opts: { renter?: string; nonce?: bigint; expiry: bigint },
): RentalOffer {
  return {
    terms,
    owner: asAddress(owner),
    renter: asAddress(opts.renter ?? ZERO_ADDRESS),
    nonce: opts.nonce ?? 0n,
    expiry: opts.expiry,
  };
}

/**
 * Signs `offer` for the rental market at `market` on `chainId`, with an ethers signer or a viem account /
 * wallet client (the owner's key; for an ERC-1271 owner, the key its wallet accepts).
 */
export async function signOffer(
  signer: TypedDataSigner,
  chainId: bigint | number,
  market: string,
  offer: RentalOffer,
): Promise<Hex> {
  return signTypedMessage(signer, rentalDomain(chainId, market), RENTAL_TYPES, "Offer", offer);
}
