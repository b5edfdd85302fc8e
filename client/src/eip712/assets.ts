/**
 * EIP-712 typed data of Plinth share tokens (AssetShares): EIP-2612 permits.
 *
 * The domain name is the token's ERC-20 name (fixed at creation), version "1", and the verifying
 * contract is the token (its address is `ShareFactory.predictShares(assetId)`).
 */

/** Domain of an AssetShares token. */
export interface SharesDomain {
  name: string;
  version: "1";
  chainId: bigint;
  verifyingContract: string;
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
  owner: string;
  spender: string;
  value: bigint;
  nonce: bigint;
  deadline: bigint;
}

/** The domain of the share token at `shares` named `name` on `chainId`. */
export function sharesDomain(name: string, chainId: bigint, shares: string): SharesDomain {
  return { name, version: "1", chainId, verifyingContract: shares };
}

/** Everything a wallet's `signTypedData(domain, types, message)` needs for a permit. */
export function buildPermit(domain: SharesDomain, message: PermitMessage) {
  return {
    domain,
    types: { Permit: PERMIT_TYPES.Permit.map((f) => ({ ...f })) },
    message,
  };
}
