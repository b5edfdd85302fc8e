/**
 * EIP-712 typed data of Plinth share tokens (AssetShares): EIP-2612 permits.
 *
 * The domain name is the token's ERC-20 name (fixed at creation), version "1", and the verifying
 * contract is the token (its address is `ShareFactory.predictShares(assetId)`).
 */

import { signTypedMessage, type TypedDataSigner } from "../typed-data.js";
import { asAddress, type Address, type Hex } from "../types.js";

/** Domain of an AssetShares token. */
export interface SharesDomain {
  name: string;
  version: "1";
  chainId: bigint;
  verifyingContract: Address;
}

/** EIP-2612 Permit type. */
export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** A permit message. */
export interface PermitMessage {
  owner: Address;
  spender: Address;
  value: bigint;
  nonce: bigint;
  deadline: bigint;
}

/** The domain of the share token at `shares` named `name` on `chainId`. */
export function sharesDomain(name: string, chainId: bigint, shares: string): SharesDomain {
  return { name, version: "1", chainId, verifyingContract: asAddress(shares) };
}

/** Everything a wallet's `signTypedData(domain, types, message)` needs for a permit. */
export function buildPermit(domain: SharesDomain, message: PermitMessage) {
  return {
    domain,
    types: { Permit: PERMIT_TYPES.Permit.map((f) => ({ ...f })) },
    message,
  };
}

/** Signs a permit with an ethers signer or a viem account / wallet client (the owner's key). */
export async function signPermit(signer: TypedDataSigner, domain: SharesDomain, message: PermitMessage): Promise<Hex> {
  return signTypedMessage(signer, domain, PERMIT_TYPES, "Permit", message);
}
