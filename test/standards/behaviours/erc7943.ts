/**
 * ERC-7943 (uRWA), fungible interface, behaviour: written for the standard (ERC-7943's specification text),
 * not for one token, in the shape of OpenZeppelin's ERC20.behavior.js. It knows only the subject below: a
 * token, an account authorized for the enforcement functions, a holder, two accounts holding nothing, and
 * how to make an account fail the token's account rules (the standard leaves that mechanism, and the errors
 * a token then reverts with, to the implementation: the subject names them).
 *
 * Pinned here, every function and event of the interface:
 * - ERC-165: `0x3edbb4c4` (the XOR of the six selectors) and ERC-165 itself are claimed, other ids are not;
 * - `canSend`/`canReceive`: account rules only, no quantitative rule (a zero balance or a fully frozen one
 *   does not make them false); they never revert;
 * - `canTransfer`: false when the sender cannot send or the recipient cannot receive, false above the
 *   unfrozen balance; NOT false for a balance shortfall (the base ERC-20 answers that); never reverts;
 * - public transfers fail whenever `canSend`/`canReceive`/`canTransfer` would say no;
 * - `setFrozenTokens`: restricted, returns true, overwrites the absolute amount (which may exceed the balance
 *   and then withholds future receipts), emits `Frozen(account, amount)`; `getFrozenTokens` reads it back;
 *   a transfer within the balance but above the unfrozen part reverts with
 *   `ERC7943InsufficientUnfrozenBalance(account, amount, unfrozen)`, beyond the balance with the ERC-20 error;
 * - `forcedTransfer`: restricted, returns true, moves exactly `amount`, emits `Transfer` and
 *   `ForcedTransfer(from, to, amount)`; it checks the balance and the recipient's `canReceive`; when it takes
 *   frozen tokens it first releases exactly that part, emitting `Frozen(from, newAmount)` before `Transfer`.
 */
import { expect } from "chai";
import { MaxUint256, ZeroAddress, id, type BaseContract, type ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { ERC20PermitControl, IERC7943Fungible } from "../../../types/ethers-contracts/index.js";
import { as } from "./erc20.js";

export type ERC7943Token = BaseContract &
  Pick<ERC20PermitControl, "balanceOf" | "transfer" | "approve" | "transferFrom"> &
  Pick<
    IERC7943Fungible,
    | "supportsInterface"
    | "canSend"
    | "canReceive"
    | "canTransfer"
    | "getFrozenTokens"
    | "setFrozenTokens"
    | "forcedTransfer"
  >;

export interface ERC7943State {
  token: ERC7943Token;
  /** Authorized to call `setFrozenTokens` and `forcedTransfer`. */
  agent: HardhatEthersSigner;
  /** Holds the subject's `balance`; nothing frozen. */
  holder: HardhatEthersSigner;
  /** Hold nothing; both pass every account rule. */
  recipient: HardhatEthersSigner;
  other: HardhatEthersSigner;
}

/** A custom error of the token's ABI and its exact arguments. */
export interface Refusal {
  error: string;
  args: unknown[];
}

export interface ERC7943Subject {
  balance: bigint;
  load(): Promise<ERC7943State>;
  /** Makes `account` fail the token's account rules: afterwards it can neither send nor receive. */
  restrict(state: ERC7943State, account: string): Promise<void>;
  /** What a public transfer from `account` reverts with once restricted. */
  cannotSend(account: string): Refusal;
  /** What a transfer to `account` (public or forced) reverts with once restricted. */
  cannotReceive(account: string): Refusal;
  /** What `setFrozenTokens` and `forcedTransfer` revert with for an unauthorized `caller`. */
  unauthorized(caller: string): Refusal;
}

/** The fungible interface's functions; the XOR of their selectors is its ERC-165 id. */
export const ERC7943_FUNGIBLE_FUNCTIONS = [
  "forcedTransfer(address,address,uint256)",
  "setFrozenTokens(address,uint256)",
  "canSend(address)",
  "canReceive(address)",
  "getFrozenTokens(address)",
  "canTransfer(address,address,uint256)",
];

export function shouldBehaveLikeERC7943Fungible(subject: ERC7943Subject): void {
  const B = subject.balance;
  let s: ERC7943State;
  beforeEach(async function () {
    s = await subject.load();
  });

  const refused = async (tx: Promise<unknown>, r: Refusal) =>
    expect(tx)
      .to.be.revertedWithCustomError(s.token, r.error)
      .withArgs(...r.args);
  const freeze = (account: string, amount: bigint) => as(s.token, s.agent).setFrozenTokens(account, amount);
  /** Names of the token's own events in `tx`, in log order. */
  const eventOrder = async (tx: ContractTransactionResponse) => {
    const receipt = await tx.wait();
    const address = await s.token.getAddress();
    return receipt!.logs.filter((l) => l.address === address).map((l) => s.token.interface.parseLog(l)?.name ?? "?");
  };

  describe("ERC-165", function () {
    it("claims 0x3edbb4c4, the XOR of the six selectors of the fungible interface", async function () {
      let x = 0n;
      for (const sig of ERC7943_FUNGIBLE_FUNCTIONS) x ^= BigInt(id(sig).slice(0, 10));
      expect("0x" + x.toString(16).padStart(8, "0")).to.equal("0x3edbb4c4");
      expect(await s.token.supportsInterface("0x3edbb4c4")).to.equal(true);
    });

    it("claims ERC-165 itself, and neither 0xffffffff, a random id nor the other ERC-7943 interfaces", async function () {
      expect(await s.token.supportsInterface("0x01ffc9a7")).to.equal(true);
      expect(await s.token.supportsInterface("0xffffffff")).to.equal(false);
      expect(await s.token.supportsInterface("0xdeadbeef")).to.equal(false);
      expect(await s.token.supportsInterface("0xbf1ef5fe")).to.equal(false); // non-fungible
      expect(await s.token.supportsInterface("0x41c4fbad")).to.equal(false); // multi token
    });
  });

  describe("canSend and canReceive", function () {
    it("are true for accounts that pass the account rules, whatever their balance", async function () {
      for (const a of [s.holder, s.recipient, s.other]) {
        expect([await s.token.canSend(a.address), await s.token.canReceive(a.address)]).to.deep.equal([true, true]);
      }
    });

    it("are false for an account that fails them, and only for it", async function () {
      await subject.restrict(s, s.other.address);
      expect([await s.token.canSend(s.other.address), await s.token.canReceive(s.other.address)]).to.deep.equal([
        false,
        false,
      ]);
      expect([await s.token.canSend(s.holder.address), await s.token.canReceive(s.recipient.address)]).to.deep.equal([
        true,
        true,
      ]);
    });

    it("encode no quantitative rule: a wholly frozen balance leaves canSend true", async function () {
      await freeze(s.holder.address, B * 2n);
      expect(await s.token.canSend(s.holder.address)).to.equal(true);
      expect(await s.token.canReceive(s.holder.address)).to.equal(true);
    });

    it("public transfers fail when the sender cannot send or the recipient cannot receive", async function () {
      await subject.restrict(s, s.other.address);
      await refused(as(s.token, s.holder).transfer(s.other.address, 1n), subject.cannotReceive(s.other.address));
      await as(s.token, s.holder).approve(s.recipient.address, B);
      await refused(
        as(s.token, s.recipient).transferFrom(s.holder.address, s.other.address, 1n),
        subject.cannotReceive(s.other.address),
      );
      await subject.restrict(s, s.holder.address);
      await refused(as(s.token, s.holder).transfer(s.recipient.address, 1n), subject.cannotSend(s.holder.address));
      await refused(
        as(s.token, s.recipient).transferFrom(s.holder.address, s.recipient.address, 1n),
        subject.cannotSend(s.holder.address),
      );
      expect(await s.token.balanceOf(s.holder.address)).to.equal(B);
    });
  });

  describe("canTransfer", function () {
    it("is true for a transfer the rules allow, and that transfer succeeds", async function () {
      expect(await s.token.canTransfer(s.holder.address, s.recipient.address, B)).to.equal(true);
      await expect(as(s.token, s.holder).transfer(s.recipient.address, B))
        .to.emit(s.token, "Transfer")
        .withArgs(s.holder.address, s.recipient.address, B);
    });

    it("performs canSend on the sender and canReceive on the recipient", async function () {
      await subject.restrict(s, s.other.address);
      expect(await s.token.canTransfer(s.holder.address, s.other.address, 1n)).to.equal(false);
      expect(await s.token.canTransfer(s.other.address, s.recipient.address, 0n)).to.equal(false);
      expect(await s.token.canTransfer(s.holder.address, s.recipient.address, 1n)).to.equal(true);
    });

    it("does not return false for a balance shortfall (the base ERC-20 reverts with its own error)", async function () {
      expect(await s.token.canTransfer(s.holder.address, s.recipient.address, B + 1n)).to.equal(true);
      expect(await s.token.canTransfer(s.other.address, s.recipient.address, 1n)).to.equal(true);
      await refused(as(s.token, s.holder).transfer(s.recipient.address, B + 1n), {
        error: "ERC20InsufficientBalance",
        args: [s.holder.address, B, B + 1n],
      });
    });

    it("does not look at allowances", async function () {
      // Nobody approved anybody: a transferFrom would fail on the allowance, canTransfer still says yes.
      expect(await s.token.canTransfer(s.holder.address, s.other.address, B)).to.equal(true);
    });

    it("is false above the unfrozen balance, true up to it", async function () {
      await freeze(s.holder.address, 30n);
      expect(await s.token.canTransfer(s.holder.address, s.recipient.address, B - 30n)).to.equal(true);
      expect(await s.token.canTransfer(s.holder.address, s.recipient.address, B - 29n)).to.equal(false);
      expect(await s.token.canTransfer(s.holder.address, s.recipient.address, B)).to.equal(false);
    });

    it("canSend, canReceive, canTransfer and getFrozenTokens never revert (zero address, maximal amount)", async function () {
      expect(await s.token.canSend(ZeroAddress)).to.be.a("boolean");
      expect(await s.token.canReceive(ZeroAddress)).to.be.a("boolean");
      expect(await s.token.canTransfer(ZeroAddress, ZeroAddress, MaxUint256)).to.be.a("boolean");
      expect(await s.token.canTransfer(s.holder.address, s.recipient.address, MaxUint256)).to.be.a("boolean");
      expect(await s.token.getFrozenTokens(ZeroAddress)).to.equal(0n);
    });
  });

  describe("setFrozenTokens and getFrozenTokens", function () {
    it("nothing is frozen at first", async function () {
      expect(await s.token.getFrozenTokens(s.holder.address)).to.equal(0n);
      expect(await s.token.getFrozenTokens(s.other.address)).to.equal(0n);
    });

    it("returns true, sets the absolute amount and emits Frozen(account, amount)", async function () {
      expect(await as(s.token, s.agent).setFrozenTokens.staticCall(s.holder.address, 10n)).to.equal(true);
      await expect(freeze(s.holder.address, 10n)).to.emit(s.token, "Frozen").withArgs(s.holder.address, 10n);
      expect(await s.token.getFrozenTokens(s.holder.address)).to.equal(10n);
      expect(await s.token.balanceOf(s.holder.address)).to.equal(B);
    });

    it("overwrites the amount (like approve, no addition), down to zero", async function () {
      await freeze(s.holder.address, 10n);
      await expect(freeze(s.holder.address, 4n)).to.emit(s.token, "Frozen").withArgs(s.holder.address, 4n);
      expect(await s.token.getFrozenTokens(s.holder.address)).to.equal(4n);
      await expect(freeze(s.holder.address, 0n)).to.emit(s.token, "Frozen").withArgs(s.holder.address, 0n);
      expect(await s.token.getFrozenTokens(s.holder.address)).to.equal(0n);
      await as(s.token, s.holder).transfer(s.recipient.address, B);
      expect(await s.token.balanceOf(s.recipient.address)).to.equal(B);
    });

    it("may exceed the balance: nothing can then be sent", async function () {
      await expect(freeze(s.holder.address, B * 2n))
        .to.emit(s.token, "Frozen")
        .withArgs(s.holder.address, B * 2n);
      expect(await s.token.getFrozenTokens(s.holder.address)).to.equal(B * 2n);
      expect(await s.token.canTransfer(s.holder.address, s.recipient.address, 1n)).to.equal(false);
      await refused(as(s.token, s.holder).transfer(s.recipient.address, 1n), {
        error: "ERC7943InsufficientUnfrozenBalance",
        args: [s.holder.address, 1n, 0n],
      });
    });

    it("freezing an empty account withholds what it receives later", async function () {
      await expect(freeze(s.other.address, 5n)).to.emit(s.token, "Frozen").withArgs(s.other.address, 5n);
      await as(s.token, s.holder).transfer(s.other.address, 8n);
      await refused(as(s.token, s.other).transfer(s.recipient.address, 4n), {
        error: "ERC7943InsufficientUnfrozenBalance",
        args: [s.other.address, 4n, 3n],
      });
      await as(s.token, s.other).transfer(s.recipient.address, 3n);
      expect(await s.token.balanceOf(s.other.address)).to.equal(5n);
      expect(await s.token.getFrozenTokens(s.other.address)).to.equal(5n);
    });

    it("a transfer within the balance but above the unfrozen part: ERC7943InsufficientUnfrozenBalance(account, amount, unfrozen)", async function () {
      await freeze(s.holder.address, 30n);
      await refused(as(s.token, s.holder).transfer(s.recipient.address, B - 29n), {
        error: "ERC7943InsufficientUnfrozenBalance",
        args: [s.holder.address, B - 29n, B - 30n],
      });
      await as(s.token, s.holder).approve(s.other.address, B);
      await refused(as(s.token, s.other).transferFrom(s.holder.address, s.recipient.address, B), {
        error: "ERC7943InsufficientUnfrozenBalance",
        args: [s.holder.address, B, B - 30n],
      });
    });

    it("the unfrozen part moves; the frozen amount stays", async function () {
      await freeze(s.holder.address, 30n);
      await expect(as(s.token, s.holder).transfer(s.recipient.address, B - 30n))
        .to.emit(s.token, "Transfer")
        .withArgs(s.holder.address, s.recipient.address, B - 30n);
      expect(await s.token.balanceOf(s.holder.address)).to.equal(30n);
      expect(await s.token.getFrozenTokens(s.holder.address)).to.equal(30n);
    });

    it("beyond the whole balance the base ERC-20 error wins: ERC20InsufficientBalance(account, balance, amount)", async function () {
      await freeze(s.holder.address, 30n);
      await refused(as(s.token, s.holder).transfer(s.recipient.address, B + 1n), {
        error: "ERC20InsufficientBalance",
        args: [s.holder.address, B, B + 1n],
      });
    });

    it("is restricted: a holder cannot unfreeze itself, nobody else can freeze", async function () {
      await freeze(s.holder.address, 30n);
      await refused(
        as(s.token, s.holder).setFrozenTokens(s.holder.address, 0n),
        subject.unauthorized(s.holder.address),
      );
      await refused(
        as(s.token, s.other).setFrozenTokens(s.recipient.address, 1n),
        subject.unauthorized(s.other.address),
      );
      expect(await s.token.getFrozenTokens(s.holder.address)).to.equal(30n);
      expect(await s.token.getFrozenTokens(s.recipient.address)).to.equal(0n);
    });
  });

  describe("forcedTransfer", function () {
    it("returns true", async function () {
      expect(await as(s.token, s.agent).forcedTransfer.staticCall(s.holder.address, s.recipient.address, 10n)).to.equal(
        true,
      );
    });

    it("moves exactly the amount and emits Transfer and ForcedTransfer(from, to, amount)", async function () {
      const tx = as(s.token, s.agent).forcedTransfer(s.holder.address, s.recipient.address, 10n);
      await expect(tx).to.emit(s.token, "Transfer").withArgs(s.holder.address, s.recipient.address, 10n);
      await expect(tx).to.emit(s.token, "ForcedTransfer").withArgs(s.holder.address, s.recipient.address, 10n);
      expect(await s.token.balanceOf(s.holder.address)).to.equal(B - 10n);
      expect(await s.token.balanceOf(s.recipient.address)).to.equal(10n);
    });

    it("needs no allowance", async function () {
      await as(s.token, s.agent).forcedTransfer(s.holder.address, s.recipient.address, B);
      expect(await s.token.balanceOf(s.recipient.address)).to.equal(B);
    });

    it("is restricted: ERC-20 holders and spenders cannot force", async function () {
      await refused(
        as(s.token, s.other).forcedTransfer(s.holder.address, s.other.address, 1n),
        subject.unauthorized(s.other.address),
      );
      await refused(
        as(s.token, s.holder).forcedTransfer(s.holder.address, s.other.address, 1n),
        subject.unauthorized(s.holder.address),
      );
      expect(await s.token.balanceOf(s.holder.address)).to.equal(B);
    });

    it("checks the balance: ERC20InsufficientBalance(from, balance, amount), nothing released", async function () {
      await freeze(s.holder.address, 30n);
      await refused(as(s.token, s.agent).forcedTransfer(s.holder.address, s.recipient.address, B + 1n), {
        error: "ERC20InsufficientBalance",
        args: [s.holder.address, B, B + 1n],
      });
      expect(await s.token.getFrozenTokens(s.holder.address)).to.equal(30n);
    });

    it("refuses the zero address as recipient: ERC20InvalidReceiver(0)", async function () {
      await refused(as(s.token, s.agent).forcedTransfer(s.holder.address, ZeroAddress, 1n), {
        error: "ERC20InvalidReceiver",
        args: [ZeroAddress],
      });
    });

    it("reverts when the recipient cannot receive (canReceive false)", async function () {
      await subject.restrict(s, s.other.address);
      expect(await s.token.canReceive(s.other.address)).to.equal(false);
      await refused(
        as(s.token, s.agent).forcedTransfer(s.holder.address, s.other.address, 1n),
        subject.cannotReceive(s.other.address),
      );
      expect(await s.token.balanceOf(s.other.address)).to.equal(0n);
    });

    it("within the unfrozen balance: the frozen amount is untouched and no Frozen is emitted", async function () {
      await freeze(s.holder.address, 30n);
      const tx = as(s.token, s.agent).forcedTransfer(s.holder.address, s.recipient.address, B - 30n);
      await expect(tx)
        .to.emit(s.token, "ForcedTransfer")
        .withArgs(s.holder.address, s.recipient.address, B - 30n);
      await expect(tx).to.not.emit(s.token, "Frozen");
      expect(await s.token.getFrozenTokens(s.holder.address)).to.equal(30n);
    });

    it("taking frozen tokens releases exactly that part first: Frozen(from, newAmount) before Transfer", async function () {
      await freeze(s.holder.address, 30n);
      // B - 30 unfrozen: forcing B - 20 takes 10 frozen tokens, 20 stay frozen.
      const tx = await as(s.token, s.agent).forcedTransfer(s.holder.address, s.recipient.address, B - 20n);
      await expect(tx).to.emit(s.token, "Frozen").withArgs(s.holder.address, 20n);
      await expect(tx)
        .to.emit(s.token, "Transfer")
        .withArgs(s.holder.address, s.recipient.address, B - 20n);
      await expect(tx)
        .to.emit(s.token, "ForcedTransfer")
        .withArgs(s.holder.address, s.recipient.address, B - 20n);
      const order = await eventOrder(tx);
      expect(order.indexOf("Frozen")).to.be.greaterThan(-1);
      expect(order.indexOf("Frozen")).to.be.lessThan(order.indexOf("Transfer"));
      expect(await s.token.getFrozenTokens(s.holder.address)).to.equal(20n);
      expect(await s.token.balanceOf(s.holder.address)).to.equal(20n);
    });

    it("taking the whole of a balance frozen beyond it releases only what was taken", async function () {
      await freeze(s.holder.address, B * 2n);
      const tx = as(s.token, s.agent).forcedTransfer(s.holder.address, s.recipient.address, B);
      await expect(tx).to.emit(s.token, "Frozen").withArgs(s.holder.address, B);
      await expect(tx).to.emit(s.token, "ForcedTransfer").withArgs(s.holder.address, s.recipient.address, B);
      expect(await s.token.getFrozenTokens(s.holder.address)).to.equal(B);
      expect(await s.token.balanceOf(s.holder.address)).to.equal(0n);
      expect(await s.token.balanceOf(s.recipient.address)).to.equal(B);
    });
  });
}
