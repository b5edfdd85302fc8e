/**
 * ERC-20 behaviour, written for the standard (EIP-20 with OpenZeppelin 5's ERC-6093 custom errors), not for
 * one token: the shape of OpenZeppelin's test/token/ERC20/ERC20.behavior.js. It knows only the subject below
 * (a token, an account holding the whole supply, two accounts holding nothing) and asserts exact values:
 * balances, allowances, every event with its arguments, every revert with its error's arguments.
 *
 * What wallets and exchanges assume, and what is pinned here:
 * - metadata, total supply and balances read back exactly;
 * - `transfer` of the whole balance, of zero, to oneself; more than the balance reverts with
 *   `ERC20InsufficientBalance(sender, balance, needed)`, to the zero address with `ERC20InvalidReceiver(0)`;
 * - `approve` overwrites (also downwards, also above the balance) and emits `Approval`; the zero spender
 *   reverts with `ERC20InvalidSpender(0)`;
 * - `transferFrom` spends exactly the value from the allowance without emitting `Approval` (OpenZeppelin 5:
 *   `_spendAllowance` updates without the event); too little allowance reverts with
 *   `ERC20InsufficientAllowance(spender, allowance, needed)` before the balance is looked at; the infinite
 *   allowance (`type(uint256).max`) is never decreased; from the zero address it reverts with
 *   `ERC20InvalidApprover(0)`, to it with `ERC20InvalidReceiver(0)`.
 */
import { expect } from "chai";
import { MaxUint256, ZeroAddress, type BaseContract, type ContractRunner } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
// The ABI of OpenZeppelin's ERC20Permit (the test-only control compiles it untouched): the standard's functions.
import type { ERC20PermitControl } from "../../../types/ethers-contracts/index.js";

/** The ERC-20 (and metadata) functions the behaviour calls; errors and events come from the token's own ABI. */
export type ERC20Token = BaseContract &
  Pick<
    ERC20PermitControl,
    "name" | "symbol" | "decimals" | "totalSupply" | "balanceOf" | "transfer" | "approve" | "allowance" | "transferFrom"
  >;

/** One fresh state of the token under test (each call starts from the same state). */
export interface ERC20State {
  token: ERC20Token;
  /** Holds the whole supply. */
  holder: HardhatEthersSigner;
  /** Holds nothing; the spender in `transferFrom` tests. */
  recipient: HardhatEthersSigner;
  /** Holds nothing. */
  other: HardhatEthersSigner;
}

export interface ERC20Subject {
  name: string;
  symbol: string;
  decimals: bigint;
  /** The total supply, all of it held by `holder`. */
  initialSupply: bigint;
  /** A fresh state (a fixture: the same state on every call). */
  load(): Promise<ERC20State>;
}

/** The token, as seen by `runner`. */
export function as<T extends BaseContract>(token: T, runner: ContractRunner): T {
  return token.connect(runner) as T;
}

export function shouldBehaveLikeERC20(subject: ERC20Subject): void {
  const supply = subject.initialSupply;
  let s: ERC20State;
  beforeEach(async function () {
    s = await subject.load();
  });
  const balances = async (...accounts: string[]) => Promise.all(accounts.map((a) => s.token.balanceOf(a)));

  describe("metadata and supply", function () {
    it("name, symbol and decimals are the token's", async function () {
      expect(await s.token.name()).to.equal(subject.name);
      expect(await s.token.symbol()).to.equal(subject.symbol);
      expect(await s.token.decimals()).to.equal(subject.decimals);
    });

    it("totalSupply returns the total token value", async function () {
      expect(await s.token.totalSupply()).to.equal(supply);
    });

    it("balanceOf returns zero for an account without tokens", async function () {
      expect(await s.token.balanceOf(s.other.address)).to.equal(0n);
      expect(await s.token.balanceOf(ZeroAddress)).to.equal(0n);
    });

    it("balanceOf returns the holder's whole balance", async function () {
      expect(await s.token.balanceOf(s.holder.address)).to.equal(supply);
    });
  });

  describe("transfer", function () {
    it("reverts when the sender does not have enough balance: ERC20InsufficientBalance(sender, balance, needed)", async function () {
      await expect(as(s.token, s.holder).transfer(s.recipient.address, supply + 1n))
        .to.be.revertedWithCustomError(s.token, "ERC20InsufficientBalance")
        .withArgs(s.holder.address, supply, supply + 1n);
    });

    it("reverts when a sender without tokens sends one: ERC20InsufficientBalance(sender, 0, 1)", async function () {
      await expect(as(s.token, s.other).transfer(s.recipient.address, 1n))
        .to.be.revertedWithCustomError(s.token, "ERC20InsufficientBalance")
        .withArgs(s.other.address, 0n, 1n);
    });

    it("returns true", async function () {
      expect(await as(s.token, s.holder).transfer.staticCall(s.recipient.address, supply)).to.equal(true);
    });

    it("transfers the whole balance: exact balances and total supply", async function () {
      await as(s.token, s.holder).transfer(s.recipient.address, supply);
      expect(await balances(s.holder.address, s.recipient.address)).to.deep.equal([0n, supply]);
      expect(await s.token.totalSupply()).to.equal(supply);
    });

    it("emits Transfer(from, to, value)", async function () {
      await expect(as(s.token, s.holder).transfer(s.recipient.address, supply))
        .to.emit(s.token, "Transfer")
        .withArgs(s.holder.address, s.recipient.address, supply);
    });

    it("transfers part of the balance: exact balances", async function () {
      await as(s.token, s.holder).transfer(s.recipient.address, 7n);
      expect(await balances(s.holder.address, s.recipient.address)).to.deep.equal([supply - 7n, 7n]);
    });

    it("transfers zero tokens: balances unchanged, Transfer(from, to, 0) emitted", async function () {
      await expect(as(s.token, s.holder).transfer(s.recipient.address, 0n))
        .to.emit(s.token, "Transfer")
        .withArgs(s.holder.address, s.recipient.address, 0n);
      expect(await balances(s.holder.address, s.recipient.address)).to.deep.equal([supply, 0n]);
    });

    it("transfers zero tokens from an account without tokens", async function () {
      await expect(as(s.token, s.other).transfer(s.recipient.address, 0n))
        .to.emit(s.token, "Transfer")
        .withArgs(s.other.address, s.recipient.address, 0n);
    });

    it("transfers to oneself: balance unchanged, Transfer(holder, holder, value) emitted", async function () {
      await expect(as(s.token, s.holder).transfer(s.holder.address, supply))
        .to.emit(s.token, "Transfer")
        .withArgs(s.holder.address, s.holder.address, supply);
      expect(await s.token.balanceOf(s.holder.address)).to.equal(supply);
      expect(await s.token.totalSupply()).to.equal(supply);
    });

    it("reverts when the recipient is the zero address: ERC20InvalidReceiver(0)", async function () {
      await expect(as(s.token, s.holder).transfer(ZeroAddress, supply))
        .to.be.revertedWithCustomError(s.token, "ERC20InvalidReceiver")
        .withArgs(ZeroAddress);
    });
  });

  describe("approve", function () {
    it("returns true", async function () {
      expect(await as(s.token, s.holder).approve.staticCall(s.recipient.address, supply)).to.equal(true);
    });

    it("emits Approval(owner, spender, value)", async function () {
      await expect(as(s.token, s.holder).approve(s.recipient.address, supply))
        .to.emit(s.token, "Approval")
        .withArgs(s.holder.address, s.recipient.address, supply);
    });

    it("approves the requested value when there was none before", async function () {
      expect(await s.token.allowance(s.holder.address, s.recipient.address)).to.equal(0n);
      await as(s.token, s.holder).approve(s.recipient.address, supply);
      expect(await s.token.allowance(s.holder.address, s.recipient.address)).to.equal(supply);
    });

    it("replaces a previous allowance, upwards and downwards (no addition)", async function () {
      const token = as(s.token, s.holder);
      await token.approve(s.recipient.address, 1n);
      await token.approve(s.recipient.address, supply);
      expect(await s.token.allowance(s.holder.address, s.recipient.address)).to.equal(supply);
      await expect(token.approve(s.recipient.address, 5n))
        .to.emit(s.token, "Approval")
        .withArgs(s.holder.address, s.recipient.address, 5n);
      expect(await s.token.allowance(s.holder.address, s.recipient.address)).to.equal(5n);
      await token.approve(s.recipient.address, 0n);
      expect(await s.token.allowance(s.holder.address, s.recipient.address)).to.equal(0n);
    });

    it("approves more than the owner's balance", async function () {
      await expect(as(s.token, s.holder).approve(s.recipient.address, supply + 1n))
        .to.emit(s.token, "Approval")
        .withArgs(s.holder.address, s.recipient.address, supply + 1n);
      expect(await s.token.allowance(s.holder.address, s.recipient.address)).to.equal(supply + 1n);
    });

    it("allowances are per (owner, spender): another pair is untouched", async function () {
      await as(s.token, s.holder).approve(s.recipient.address, 9n);
      expect(await s.token.allowance(s.holder.address, s.other.address)).to.equal(0n);
      expect(await s.token.allowance(s.recipient.address, s.holder.address)).to.equal(0n);
    });

    it("reverts when the spender is the zero address: ERC20InvalidSpender(0)", async function () {
      await expect(as(s.token, s.holder).approve(ZeroAddress, supply))
        .to.be.revertedWithCustomError(s.token, "ERC20InvalidSpender")
        .withArgs(ZeroAddress);
    });
  });

  describe("transferFrom", function () {
    describe("when the spender has enough allowance", function () {
      beforeEach(async function () {
        await as(s.token, s.holder).approve(s.recipient.address, supply);
      });

      it("returns true", async function () {
        expect(
          await as(s.token, s.recipient).transferFrom.staticCall(s.holder.address, s.other.address, supply),
        ).to.equal(true);
      });

      it("transfers the requested value: exact balances", async function () {
        await as(s.token, s.recipient).transferFrom(s.holder.address, s.other.address, supply);
        expect(await balances(s.holder.address, s.other.address, s.recipient.address)).to.deep.equal([0n, supply, 0n]);
      });

      it("decreases the allowance by exactly the value", async function () {
        await as(s.token, s.recipient).transferFrom(s.holder.address, s.other.address, 3n);
        expect(await s.token.allowance(s.holder.address, s.recipient.address)).to.equal(supply - 3n);
        await as(s.token, s.recipient).transferFrom(s.holder.address, s.other.address, supply - 3n);
        expect(await s.token.allowance(s.holder.address, s.recipient.address)).to.equal(0n);
      });

      it("emits Transfer(owner, to, value) and no Approval", async function () {
        const tx = as(s.token, s.recipient).transferFrom(s.holder.address, s.other.address, supply);
        await expect(tx).to.emit(s.token, "Transfer").withArgs(s.holder.address, s.other.address, supply);
        await expect(tx).to.not.emit(s.token, "Approval");
      });

      it("reverts when the owner does not have enough balance: ERC20InsufficientBalance(owner, balance, needed)", async function () {
        await as(s.token, s.holder).transfer(s.other.address, 1n);
        await expect(as(s.token, s.recipient).transferFrom(s.holder.address, s.other.address, supply))
          .to.be.revertedWithCustomError(s.token, "ERC20InsufficientBalance")
          .withArgs(s.holder.address, supply - 1n, supply);
      });

      it("reverts when the recipient is the zero address: ERC20InvalidReceiver(0)", async function () {
        await expect(as(s.token, s.recipient).transferFrom(s.holder.address, ZeroAddress, supply))
          .to.be.revertedWithCustomError(s.token, "ERC20InvalidReceiver")
          .withArgs(ZeroAddress);
      });
    });

    describe("when the spender does not have enough allowance", function () {
      const allowance = supply - 1n;

      beforeEach(async function () {
        await as(s.token, s.holder).approve(s.recipient.address, allowance);
      });

      it("reverts when the owner has enough balance: ERC20InsufficientAllowance(spender, allowance, needed)", async function () {
        await expect(as(s.token, s.recipient).transferFrom(s.holder.address, s.other.address, supply))
          .to.be.revertedWithCustomError(s.token, "ERC20InsufficientAllowance")
          .withArgs(s.recipient.address, allowance, supply);
      });

      it("reverts on the allowance first when the owner's balance is short too", async function () {
        await as(s.token, s.holder).transfer(s.other.address, supply);
        await expect(as(s.token, s.recipient).transferFrom(s.holder.address, s.other.address, supply))
          .to.be.revertedWithCustomError(s.token, "ERC20InsufficientAllowance")
          .withArgs(s.recipient.address, allowance, supply);
      });

      it("reverts on the balance when the allowance suffices: ERC20InsufficientBalance(owner, balance, needed)", async function () {
        await as(s.token, s.holder).transfer(s.other.address, 2n);
        await expect(as(s.token, s.recipient).transferFrom(s.holder.address, s.other.address, allowance))
          .to.be.revertedWithCustomError(s.token, "ERC20InsufficientBalance")
          .withArgs(s.holder.address, supply - 2n, allowance);
      });

      it("a spender without any allowance: ERC20InsufficientAllowance(spender, 0, needed)", async function () {
        await expect(as(s.token, s.other).transferFrom(s.holder.address, s.other.address, 1n))
          .to.be.revertedWithCustomError(s.token, "ERC20InsufficientAllowance")
          .withArgs(s.other.address, 0n, 1n);
      });

      it("the owner itself needs an allowance to use transferFrom", async function () {
        await expect(as(s.token, s.holder).transferFrom(s.holder.address, s.other.address, 1n))
          .to.be.revertedWithCustomError(s.token, "ERC20InsufficientAllowance")
          .withArgs(s.holder.address, 0n, 1n);
      });
    });

    describe("when the spender has the infinite allowance (type(uint256).max)", function () {
      beforeEach(async function () {
        await as(s.token, s.holder).approve(s.recipient.address, MaxUint256);
      });

      it("does not decrease the allowance, and emits Transfer but no Approval", async function () {
        const tx = as(s.token, s.recipient).transferFrom(s.holder.address, s.other.address, 1n);
        await expect(tx).to.emit(s.token, "Transfer").withArgs(s.holder.address, s.other.address, 1n);
        await expect(tx).to.not.emit(s.token, "Approval");
        expect(await s.token.allowance(s.holder.address, s.recipient.address)).to.equal(MaxUint256);
        await as(s.token, s.recipient).transferFrom(s.holder.address, s.other.address, supply - 1n);
        expect(await s.token.allowance(s.holder.address, s.recipient.address)).to.equal(MaxUint256);
        expect(await balances(s.holder.address, s.other.address)).to.deep.equal([0n, supply]);
      });

      it("one less than the infinite allowance is an ordinary allowance: it decreases", async function () {
        await as(s.token, s.holder).approve(s.recipient.address, MaxUint256 - 1n);
        await as(s.token, s.recipient).transferFrom(s.holder.address, s.other.address, 1n);
        expect(await s.token.allowance(s.holder.address, s.recipient.address)).to.equal(MaxUint256 - 2n);
      });
    });

    it("transfers to the owner itself through an allowance: balance unchanged, allowance spent", async function () {
      await as(s.token, s.holder).approve(s.recipient.address, 10n);
      await expect(as(s.token, s.recipient).transferFrom(s.holder.address, s.holder.address, 10n))
        .to.emit(s.token, "Transfer")
        .withArgs(s.holder.address, s.holder.address, 10n);
      expect(await s.token.balanceOf(s.holder.address)).to.equal(supply);
      expect(await s.token.allowance(s.holder.address, s.recipient.address)).to.equal(0n);
    });

    it("reverts when the owner is the zero address: ERC20InvalidApprover(0)", async function () {
      await expect(as(s.token, s.recipient).transferFrom(ZeroAddress, s.recipient.address, 0n))
        .to.be.revertedWithCustomError(s.token, "ERC20InvalidApprover")
        .withArgs(ZeroAddress);
    });
  });
}
