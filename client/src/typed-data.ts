/**
 * One signing path for every EIP-712 message of Plinth (rental offers, maintenance bids and
 * inspections, device messages, share permits), for both kinds of signer a dApp holds:
 *
 * - an ethers v6 signer (`Wallet`, `JsonRpcSigner`, Hardhat's signers): `signTypedData(domain, types, value)`;
 * - a viem account or wallet client (`privateKeyToAccount(...)`, `toAccount(...)`,
 *   `createWalletClient({ account, ... })`): `signTypedData({ domain, types, primaryType, message })`.
 *
 * Both produce the same 65-byte signature for the same key and message.
 */
import type { TypedDataDomain, TypedDataField } from "ethers";
import type { Address, Hex } from "./types.js";

/** An EIP-712 domain as Plinth contracts use it: name, version, chain id and verifying contract. */
export interface Eip712Domain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: Address;
}

/** A field of an EIP-712 struct type (the same shape in ethers and viem). */
export interface TypedDataParameter {
  readonly name: string;
  readonly type: string;
}

/** Anything that signs EIP-712 typed data the way ethers v6 signers do. */
export interface EthersTypedDataSigner {
  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

/** The domain viem expects (no nulls, chain id as number or bigint). */
export interface ViemTypedDataDomain {
  name?: string;
  version?: string;
  chainId?: number | bigint;
  verifyingContract?: Address;
  salt?: Hex;
}

/**
 * A viem `LocalAccount` (`privateKeyToAccount`, `mnemonicToAccount`, `toAccount`) or a viem `WalletClient`
 * created with an `account`: anything with viem's object-style `signTypedData` and a `type` tag.
 */
export interface ViemTypedDataSigner {
  /** viem tags accounts ("local") and clients ("walletClient"); ethers signers have no `type`. */
  readonly type: string;
  signTypedData(parameters: {
    domain: ViemTypedDataDomain;
    types: Record<string, readonly TypedDataParameter[]>;
    primaryType: string;
    message: Record<string, unknown>;
  }): Promise<Hex>;
}

/** An ethers v6 signer or a viem account / wallet client. */
export type TypedDataSigner = EthersTypedDataSigner | ViemTypedDataSigner;

/** True for a viem account or wallet client (object-style `signTypedData`). */
export function isViemSigner(signer: TypedDataSigner): signer is ViemTypedDataSigner {
  return typeof (signer as { type?: unknown }).type === "string";
}

/** An ethers (or Plinth) domain as viem takes it. */
export function toViemDomain(domain: TypedDataDomain | Eip712Domain): ViemTypedDataDomain {
  const out: ViemTypedDataDomain = {};
  if (domain.name != null) out.name = domain.name;
  if (domain.version != null) out.version = domain.version;
  if (domain.chainId != null) out.chainId = BigInt(domain.chainId as bigint | number | string);
  if (domain.verifyingContract != null) out.verifyingContract = domain.verifyingContract as Address;
  if ("salt" in domain && domain.salt != null) out.salt = domain.salt as Hex;
  return out;
}

/**
 * Signs `message` of type `primaryType` (declared in `types`, with every struct it nests) under `domain`,
 * with an ethers signer or a viem account / wallet client.
 */
export async function signTypedMessage(
  signer: TypedDataSigner,
  domain: TypedDataDomain | Eip712Domain,
  types: Readonly<Record<string, readonly TypedDataParameter[]>>,
  primaryType: string,
  message: object,
): Promise<Hex> {
  if (isViemSigner(signer)) {
    // A wallet client signs with its own (hoisted) account; a LocalAccount is the account itself.
    return signer.signTypedData({
      domain: toViemDomain(domain),
      types: { ...types },
      primaryType,
      message: message as Record<string, unknown>,
    });
  }
  // ethers derives the primary type from `types` (the one no other type references).
  const ethersTypes = Object.fromEntries(
    Object.entries(types).map(([k, fields]) => [k, fields.map((f) => ({ ...f }))]),
  );
  return (await signer.signTypedData(domain, ethersTypes, { ...message })) as Hex;
}
