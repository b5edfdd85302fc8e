/**
 * RSA device signatures for OpenZeppelin's ERC-7913 RSA verifier (the suite's `RsaVerifier`):
 * RSASSA-PKCS1-v1_5 with SHA-256 over the 32 bytes of the EIP-712 digest, i.e. the signed hash is
 * `sha256(digest)` (the verifier calls `RSA.pkcs1Sha256(abi.encodePacked(digest), …)`). That is
 * WebCrypto's `RSASSA-PKCS1-v1_5` / `SHA-256` and a TPM 2.0 `TPM2_Sign` with `TPM_ALG_RSASSA` / SHA-256
 * over a digest computed by `TPM2_Hash` of the 32 bytes (or `tpm2_sign -g sha256` of the digest bytes as
 * a message). RSA-PSS is not accepted by the verifier. The signature is as long as the modulus.
 * Browser-safe: WebCrypto through `globalThis.crypto`.
 */
import { TypedDataEncoder, getBytes } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";
import { rsaKey, type Erc7913DeviceSigner } from "../keys/erc7913.js";
import { rsaPublicKeyFromSpki, type RsaPublicKey } from "../keys/rsa.js";
import { bytesToHex, type Address, type Hex } from "../types.js";
import { subtle, type WebCryptoKey } from "../webcrypto.js";

const ALGORITHM = { name: "RSASSA-PKCS1-v1_5" } as const;

export class WebCryptoRsaSigner implements Erc7913DeviceSigner {
  readonly scheme = "rsa" as const;
  readonly verifier: Address;
  readonly key: Hex;
  private constructor(
    private readonly privateKey: WebCryptoKey,
    readonly publicKey: RsaPublicKey,
    verifier: string,
  ) {
    const k = rsaKey(verifier, publicKey);
    this.verifier = k.verifier;
    this.key = k.key;
  }

  /** A fresh key pair (exponent 65537) whose private key cannot be exported. */
  static async generate(verifier: string, modulusLength = 2048): Promise<WebCryptoRsaSigner> {
    const { privateKey, publicKey } = await subtle().generateKey(
      { ...ALGORITHM, modulusLength, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    return WebCryptoRsaSigner.fromKeyPair(verifier, privateKey, publicKey);
  }

  /** An existing WebCrypto RSASSA-PKCS1-v1_5 / SHA-256 key pair (the public key must be exportable). */
  static async fromKeyPair(
    verifier: string,
    privateKey: WebCryptoKey,
    publicKey: WebCryptoKey,
  ): Promise<WebCryptoRsaSigner> {
    const algorithm = privateKey.algorithm as { name?: string; hash?: { name?: string } };
    if (algorithm.name !== ALGORITHM.name || algorithm.hash?.name !== "SHA-256") {
      throw new Error("the key pair must be RSASSA-PKCS1-v1_5 with SHA-256 (the verifier takes nothing else)");
    }
    const spki = new Uint8Array(await subtle().exportKey("spki", publicKey));
    return new WebCryptoRsaSigner(privateKey, rsaPublicKeyFromSpki(spki), verifier);
  }

  get extractable(): boolean {
    return this.privateKey.extractable;
  }

  signTypedData(domain: TypedDataDomain, types: Record<string, TypedDataField[]>, value: Record<string, unknown>) {
    return this.signDigest(TypedDataEncoder.hash(domain, types, value));
  }

  async signDigest(digest: string): Promise<Hex> {
    return bytesToHex(new Uint8Array(await subtle().sign(ALGORITHM, this.privateKey, getBytes(digest))));
  }
}
