/**
 * EIP-712 domains and types of Plinth's maintenance part, and builders for what its parties sign:
 * - an inspector's verdict on a milestone (`Inspection`), submitted by anyone with MaintenanceEvidence's
 *   `submitInspections` (domain: `inspectionDomain`, verifying contract MaintenanceEvidence);
 * - a provider's bid on an order open to bids (`Bid`), submitted by the order's controller with
 *   MaintenanceOrders' `awardBid` (domain: `bidDomain`, verifying contract MaintenanceOrders).
 *
 * Both carry `issuedAt`. An inspector's verdicts on one milestone are ordered by it: only a verdict
 * issued after the order's acceptance, at most MAX_VERDICT_SKEW seconds ahead of the chain, and after
 * the inspector's verdict on record counts, and it replaces that one (a later fail withdraws a pass).
 * A provider withdraws its bids on an order issued before a time with `withdrawBids(orderId, time)`.
 *
 * One domain per verifying contract: `{ name: "Plinth MaintenanceEvidence" | "Plinth MaintenanceOrders",
 * version: "1", chainId, verifyingContract }`: a signature made for another chain or another contract is
 * refused (InvalidSignature).
 */
import type { TypedDataDomain, TypedDataField } from "ethers";
import { signTypedMessage, type Eip712Domain, type TypedDataSigner } from "../typed-data.js";
import { asAddress, asHex, type Address, type Hex } from "../types.js";

export type { TypedDataSigner } from "../typed-data.js";

/** Name of MaintenanceEvidence's EIP-712 domain (inspectors' verdicts). */
export const INSPECTION_DOMAIN_NAME = "Plinth MaintenanceEvidence";
/** Name of MaintenanceOrders' EIP-712 domain (providers' bids). */
export const BID_DOMAIN_NAME = "Plinth MaintenanceOrders";
/** Version of both domains. */
export const MAINTENANCE_DOMAIN_VERSION = "1";

/** ERC-792 rulings the arbiter passes to the dispute module's `rule(disputeId, ruling)` (contracts/common/Constants.sol). */
export const Ruling = { Refused: 0, Provider: 1, Payer: 2 } as const;

/** Seconds a verdict's `issuedAt` may be ahead of the block recording it (MaintenanceEvidence.MAX_VERDICT_SKEW). */
export const MAX_VERDICT_SKEW = 300n;

/** Order states, value conditions on a reading, where a bond goes, milestone claims: generated from IMaintenance. */
export { Comparator, MilestoneClaimStatus, OrderState, OrderStateNames, SlashTo } from "../enums.js";

/** The domain inspectors sign verdicts under: MaintenanceEvidence at `evidence` on chain `chainId`. */
export function inspectionDomain(chainId: bigint | number, evidence: string): Eip712Domain {
  return {
    name: INSPECTION_DOMAIN_NAME,
    version: MAINTENANCE_DOMAIN_VERSION,
    chainId: BigInt(chainId),
    verifyingContract: asAddress(evidence),
  };
}

/** The domain providers sign bids under: MaintenanceOrders at `orders` on chain `chainId`. */
export function bidDomain(chainId: bigint | number, orders: string): Eip712Domain {
  return {
    name: BID_DOMAIN_NAME,
    version: MAINTENANCE_DOMAIN_VERSION,
    chainId: BigInt(chainId),
    verifyingContract: asAddress(orders),
  };
}

/** `Inspection(bytes32 orderId,uint8 milestone,bool passed,address inspector,uint256 issuedAt,uint256 deadline)`. */
export const INSPECTION_TYPES: Record<string, TypedDataField[]> = {
  Inspection: [
    { name: "orderId", type: "bytes32" },
    { name: "milestone", type: "uint8" },
    { name: "passed", type: "bool" },
    { name: "inspector", type: "address" },
    { name: "issuedAt", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** `Bid(bytes32 orderId,address provider,uint256 price,uint256 bond,uint256 issuedAt,uint256 deadline)`. */
export const BID_TYPES: Record<string, TypedDataField[]> = {
  Bid: [
    { name: "orderId", type: "bytes32" },
    { name: "provider", type: "address" },
    { name: "price", type: "uint256" },
    { name: "bond", type: "uint256" },
    { name: "issuedAt", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** An inspector's verdict on one milestone of one order. */
export interface Inspection {
  orderId: Hex;
  milestone: number;
  passed: boolean;
  inspector: Address;
  /**
   * Unix seconds the verdict was issued: after the order's acceptance (acceptedAt < issuedAt), at most
   * MAX_VERDICT_SKEW ahead of the recording block, and after the inspector's verdict on record for the
   * milestone (older ones are refused: StaleInspection).
   */
  issuedAt: bigint;
  /** Unix seconds after which MaintenanceEvidence refuses the signature (InspectionExpired). */
  deadline: bigint;
}

/** A provider's offer to do an open order for `price` (<= budget), posting `bond` (>= the order's minimum). */
export interface Bid {
  orderId: Hex;
  provider: Address;
  price: bigint;
  bond: bigint;
  /** Unix seconds the bid was issued; `withdrawBids(orderId, t)` withdraws the provider's bids issued before t. */
  issuedAt: bigint;
  /** Unix seconds after which the bid cannot be awarded. */
  deadline: bigint;
}

/** Builds an Inspection value. */
export function buildInspection(
  orderId: string,
  milestone: number,
  passed: boolean,
  inspector: string,
  issuedAt: bigint,
  deadline: bigint,
): Inspection {
  return { orderId: asHex(orderId), milestone, passed, inspector: asAddress(inspector), issuedAt, deadline };
}

/** Builds a Bid value. */
export function buildBid(
  orderId: string,
  provider: string,
  price: bigint,
  bond: bigint,
  issuedAt: bigint,
  deadline: bigint,
): Bid {
  return { orderId: asHex(orderId), provider: asAddress(provider), price, bond, issuedAt, deadline };
}

/**
 * Signs an inspection with an ethers signer or a viem account / wallet client. For an ERC-1271
 * inspector (a smart wallet), `signer` is the key the wallet accepts and `inspection.inspector` is the
 * wallet's address.
 */
export async function signInspection(
  signer: TypedDataSigner,
  domain: TypedDataDomain | Eip712Domain,
  inspection: Inspection,
): Promise<Hex> {
  return signTypedMessage(signer, domain, INSPECTION_TYPES, "Inspection", inspection);
}

/** Signs a bid (for an ERC-1271 provider, `signer` is the key its wallet accepts). */
export async function signBid(signer: TypedDataSigner, domain: TypedDataDomain | Eip712Domain, bid: Bid): Promise<Hex> {
  return signTypedMessage(signer, domain, BID_TYPES, "Bid", bid);
}
