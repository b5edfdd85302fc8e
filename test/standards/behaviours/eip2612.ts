/**
 * EIP-2612 (permit) behaviour, with ERC-5267 (`eip712Domain`), written for the standard, not for one token:
 * the shape of OpenZeppelin's test/token/ERC20/extensions/ERC20Permit.test.js, extended to the cases wallets
 * rely on. It knows only the subject below and asserts exact values.
 *
 * Pinned here:
 * - the EIP-712 domain: `DOMAIN_SEPARATOR()` is the hash of {name: the token's name, version, chainId, the
 *   token's address}, and `eip712Domain()` returns exactly those fields (fields bitmap 0x0f, no salt, no
 *   extensions);
 * - nonces start at 0 and each accepted permit increases the owner's nonce by exactly one;
 * - a valid permit, sent by anyone, sets the allowance (overwriting) and emits `Approval`; the spender can
 *   then `transferFrom`;
 * - a replayed permit, a permit for a future nonce, another signer's signature, a tampered value and a
 *   signature for another contract's domain are all refused with `ERC2612InvalidSigner(recovered, owner)`;
 * - the deadline is inclusive: a permit is accepted in a block whose timestamp equals its deadline and refused
 *   one second later with `ERC2612ExpiredSignature(deadline)`.
 */
import { expect } from "chai";
import { MaxUint256, Signature, TypedDataEncoder, ZeroAddress, ZeroHash, verifyTypedData } from "ethers";
import type { BaseContract, TypedDataDomain } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { ERC20PermitControl } from "../../../types/ethers-contracts/index.js";
import { as } from "./erc20.js";

export type PermitToken = BaseContract &
  Pick<
    ERC20PermitControl,
    "name" | "balanceOf" | "allowance" | "transferFrom" | "permit" | "nonces" | "DOMAIN_SEPARATOR" | "eip712Domain"
  >;

export interface PermitState {
  token: PermitToken;
  /** Signs permits; holds `balance`. */
  owner: HardhatEthersSigner;
  spender: HardhatEthersSigner;
  /** Neither owner nor spender: a relayer, or the wrong signer. */
  other: HardhatEthersSigner;
}

/** The clock of the chain the token lives on (the network helpers' `time`). */
export interface Clock {
  latest(): Promise<number>;
  setNextBlockTimestamp(timestamp: number | bigint): Promise<void>;
}

export interface PermitSubject {
  /** The EIP-712 domain version the token signs with. */
  version: string;
  /** The owner's balance. */
  balance: bigint;
  time: Clock;
  load(): Promise<PermitState>;
}

const Permit = [
  { name: "owner", type: "address" },
  { name: "spender", type: "address" },
  { name: "value", type: "uint256" },
  { name: "nonce", type: "uint256" },
  { name: "deadline", type: "uint256" },
];

interface PermitMessage {
  owner: string;
  spender: string;
  value: bigint;
  nonce: bigint;
  deadline: bigint;
}

export function shouldBehaveLikeERC2612(subject: PermitSubject): void {
  let s: PermitState;
  let domain: TypedDataDomain;
  beforeEach(async function () {
    s = await subject.load();
    const { chainId } = await s.owner.provider!.getNetwork();
    domain = {
      name: await s.token.name(),
      version: subject.version,
      chainId,
      verifyingContract: await s.token.getAddress(),
    };
  });

  const message = (over: Partial<PermitMessage> = {}): PermitMessage => ({
    owner: s.owner.address,
    spender: s.spender.address,
    value: 42n,
    nonce: 0n,
    deadline: MaxUint256,
    ...over,
  });
  const sign = async (m: PermitMessage, signer = s.owner, d = domain) =>
    Signature.from(await signer.signTypedData(d, { Permit }, m));
  /** Submits `m` with signature `sig`, from `sender` (a relayer by default). */
  const submit = (m: PermitMessage, sig: Signature, sender = s.other) =>
    as(s.token, sender).permit(m.owner, m.spender, m.value, m.deadline, sig.v, sig.r, sig.s);
  /** The address the token recovers from `sig` over the message it actually hashes. */
  const recovered = (m: PermitMessage, sig: Signature) => verifyTypedData(domain, { Permit }, m, sig);

  describe("EIP-712 domain", function () {
    it("DOMAIN_SEPARATOR is the hash of {name, version, chainId, verifyingContract: the token}", async function () {
      expect(await s.token.DOMAIN_SEPARATOR()).to.equal(TypedDataEncoder.hashDomain(domain));
    });

    it("eip712Domain (ERC-5267) returns exactly those fields", async function () {
      const d = await s.token.eip712Domain();
      expect(d.fields).to.equal("0x0f");
      expect(d.name).to.equal(domain.name);
      expect(d.version).to.equal(subject.version);
      expect(d.chainId).to.equal(domain.chainId);
      expect(d.verifyingContract).to.equal(domain.verifyingContract);
      expect(d.salt).to.equal(ZeroHash);
      expect([...d.extensions]).to.deep.equal([]);
    });
  });

  describe("nonces", function () {
    it("start at 0", async function () {
      expect(await s.token.nonces(s.owner.address)).to.equal(0n);
      expect(await s.token.nonces(s.other.address)).to.equal(0n);
    });

    it("increase by one per accepted permit, for the owner only", async function () {
      const first = message();
      await submit(first, await sign(first));
      expect(await s.token.nonces(s.owner.address)).to.equal(1n);
      const second = message({ nonce: 1n, value: 7n });
      await submit(second, await sign(second));
      expect(await s.token.nonces(s.owner.address)).to.equal(2n);
      expect(await s.token.nonces(s.spender.address)).to.equal(0n);
      expect(await s.token.nonces(s.other.address)).to.equal(0n);
      expect(await s.token.allowance(s.owner.address, s.spender.address)).to.equal(7n);
    });
  });

  describe("permit", function () {
    it("accepts the owner's signature, sent by anyone: sets the allowance, emits Approval(owner, spender, value)", async function () {
      const m = message();
      await expect(submit(m, await sign(m)))
        .to.emit(s.token, "Approval")
        .withArgs(s.owner.address, s.spender.address, m.value);
      expect(await s.token.allowance(s.owner.address, s.spender.address)).to.equal(m.value);
    });

    it("overwrites an existing allowance (like approve)", async function () {
      const first = message({ value: 1000n });
      await submit(first, await sign(first));
      const second = message({ nonce: 1n, value: 3n });
      await submit(second, await sign(second));
      expect(await s.token.allowance(s.owner.address, s.spender.address)).to.equal(3n);
    });

    it("sets the infinite allowance, which transferFrom does not decrease", async function () {
      const m = message({ value: MaxUint256 });
      await submit(m, await sign(m));
      await as(s.token, s.spender).transferFrom(s.owner.address, s.spender.address, 1n);
      expect(await s.token.allowance(s.owner.address, s.spender.address)).to.equal(MaxUint256);
    });

    it("then the spender transfers with transferFrom: exact balances and remaining allowance", async function () {
      const m = message({ value: subject.balance });
      await submit(m, await sign(m));
      await expect(as(s.token, s.spender).transferFrom(s.owner.address, s.other.address, subject.balance - 1n))
        .to.emit(s.token, "Transfer")
        .withArgs(s.owner.address, s.other.address, subject.balance - 1n);
      expect(await s.token.balanceOf(s.owner.address)).to.equal(1n);
      expect(await s.token.balanceOf(s.other.address)).to.equal(subject.balance - 1n);
      expect(await s.token.allowance(s.owner.address, s.spender.address)).to.equal(1n);
    });

    it("refuses a replayed signature: ERC2612InvalidSigner(recovered, owner)", async function () {
      const m = message();
      const sig = await sign(m);
      await submit(m, sig);
      // The token now hashes nonce 1: the same signature recovers another address.
      const signer = recovered({ ...m, nonce: 1n }, sig);
      expect(signer).to.not.equal(s.owner.address);
      await expect(submit(m, sig))
        .to.be.revertedWithCustomError(s.token, "ERC2612InvalidSigner")
        .withArgs(signer, s.owner.address);
    });

    it("refuses a signature over a future nonce: ERC2612InvalidSigner(recovered, owner)", async function () {
      const m = message({ nonce: 1n });
      const sig = await sign(m);
      await expect(submit(m, sig))
        .to.be.revertedWithCustomError(s.token, "ERC2612InvalidSigner")
        .withArgs(recovered({ ...m, nonce: 0n }, sig), s.owner.address);
      expect(await s.token.nonces(s.owner.address)).to.equal(0n);
    });

    it("refuses another account's signature: ERC2612InvalidSigner(signer, owner)", async function () {
      const m = message();
      await expect(submit(m, await sign(m, s.other)))
        .to.be.revertedWithCustomError(s.token, "ERC2612InvalidSigner")
        .withArgs(s.other.address, s.owner.address);
      expect(await s.token.allowance(s.owner.address, s.spender.address)).to.equal(0n);
    });

    it("refuses a tampered value: ERC2612InvalidSigner(recovered, owner)", async function () {
      const m = message();
      const sig = await sign(m);
      const tampered = { ...m, value: m.value + 1n };
      await expect(submit(tampered, sig))
        .to.be.revertedWithCustomError(s.token, "ERC2612InvalidSigner")
        .withArgs(recovered(tampered, sig), s.owner.address);
    });

    it("refuses a signature for another contract's domain: ERC2612InvalidSigner(recovered, owner)", async function () {
      const m = message();
      const sig = await sign(m, s.owner, { ...domain, verifyingContract: s.other.address });
      await expect(submit(m, sig))
        .to.be.revertedWithCustomError(s.token, "ERC2612InvalidSigner")
        .withArgs(recovered(m, sig), s.owner.address);
    });

    it("refuses the zero spender: ERC20InvalidSpender(0)", async function () {
      const m = message({ spender: ZeroAddress });
      await expect(submit(m, await sign(m)))
        .to.be.revertedWithCustomError(s.token, "ERC20InvalidSpender")
        .withArgs(ZeroAddress);
    });

    it("accepts a permit in the block whose timestamp equals its deadline", async function () {
      const deadline = BigInt(await subject.time.latest()) + 100n;
      const m = message({ deadline });
      const sig = await sign(m);
      await subject.time.setNextBlockTimestamp(deadline);
      await expect(submit(m, sig)).to.emit(s.token, "Approval").withArgs(s.owner.address, s.spender.address, m.value);
      expect(await s.token.nonces(s.owner.address)).to.equal(1n);
    });

    it("refuses it one second after its deadline: ERC2612ExpiredSignature(deadline)", async function () {
      const deadline = BigInt(await subject.time.latest()) + 100n;
      const m = message({ deadline });
      const sig = await sign(m);
      await subject.time.setNextBlockTimestamp(deadline + 1n);
      await expect(submit(m, sig)).to.be.revertedWithCustomError(s.token, "ERC2612ExpiredSignature").withArgs(deadline);
      expect(await s.token.nonces(s.owner.address)).to.equal(0n);
    });

    it("refuses a deadline already in the past: ERC2612ExpiredSignature(deadline)", async function () {
      const deadline = BigInt(await subject.time.latest()) - 7n * 86_400n;
      const m = message({ deadline });
      await expect(submit(m, await sign(m)))
        .to.be.revertedWithCustomError(s.token, "ERC2612ExpiredSignature")
        .withArgs(deadline);
    });
  });
}
