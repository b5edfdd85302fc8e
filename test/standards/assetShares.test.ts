/**
 * The standards' behaviour suites (test/standards/behaviours: ERC-20, EIP-2612 with ERC-5267, ERC-7943
 * fungible) run against a real AssetShares with permissive rules, and the ERC-20 and EIP-2612 ones also
 * against OpenZeppelin's own ERC20Permit (contracts/test/standards/ERC20PermitControl.sol) as a control:
 * the same expectations pass on the reference implementation, so they are the standards', not fitted to
 * Plinth.
 *
 * The AssetShares: the production suite (scripts/lib/fixture.ts `freshSuite`, deploy/suite.ts with the
 * parameters of deploy/parameters/localhost.json), one asset registered by the parameters' issuer with
 * `agent` (#8) as its agent, its shares created by the ShareFactory (a clone, 6 decimals, the
 * IncomeDistributor as income hook), then made permissive by the agent: eligibility off (no identity needed,
 * so every account passes canSend/canReceive), and what is off at creation left off: no pause, no lock-up,
 * no mint lock, no holder limit, no investor cap, no blocked country, no external rule. `holder` (#9) holds
 * the whole supply; `recipient` (#10) and `other` (#11) hold nothing.
 *
 * What the standards leave to the token: its account rule is the agent's wallet freeze (`setWalletFrozen`,
 * refused with `WalletFrozen(account)` on either side, the more specific error ERC-7943 allows), and its
 * access control `NotAgent(assetId, caller)`.
 */
import { expect } from "chai";
import { id } from "ethers";
import { network } from "hardhat";
import { freshSuite } from "../../scripts/lib/fixture.js";
import type { AssetShares, ERC20PermitControl } from "../../types/ethers-contracts/index.js";
import { shouldBehaveLikeERC20 } from "./behaviours/erc20.js";
import { shouldBehaveLikeERC2612 } from "./behaviours/eip2612.js";
import { shouldBehaveLikeERC7943Fungible, type ERC7943State } from "./behaviours/erc7943.js";

const NAME = "Standards Solar Park";
const SYMBOL = "SSP";
const DECIMALS = 6n;
const SUPPLY = 1_000_000n * 10n ** DECIMALS;

const connection = await network.create();
const { ethers, networkHelpers } = connection;

/** The asset id of the permissive token (set by its fixture), for the `NotAgent(assetId, caller)` refusal. */
let sharesAssetId = 0n;
async function permissiveShares() {
  const suite = await freshSuite(connection);
  const { assets, factory } = suite;
  const { issuer } = suite.roles;
  const [agent, holder, recipient, other] = (await ethers.getSigners()).slice(8, 12);
  const salt = id("standards-behaviour-suite");
  const assetId = await assets.computeAssetId(issuer.address, salt);
  sharesAssetId = assetId;
  await assets.connect(issuer).registerAsset(salt, 0, "0x4445", agent.address, "ipfs://standards");
  await factory.connect(agent).createShares(assetId, NAME, SYMBOL, DECIMALS);
  const token = (await ethers.getContractAt("AssetShares", await assets.sharesOf(assetId))) as unknown as AssetShares;
  await token.connect(agent).setEligibilityRequired(false);
  await token.connect(agent).mint(holder.address, SUPPLY);
  return { suite, token, agent, holder, recipient, other };
}
const shares = () => networkHelpers.loadFixture(permissiveShares);

/** The control, on its own chain: OpenZeppelin's ERC20Permit, the whole supply minted to `holder`. */
const control = await network.create();
const CONTROL_SUPPLY = 100n;
async function ozToken() {
  const [holder, recipient, other] = await control.ethers.getSigners();
  const token = (await control.ethers.deployContract("ERC20PermitControl", [
    "My Token",
    "MTKN",
  ])) as unknown as ERC20PermitControl;
  await token.mint(holder.address, CONTROL_SUPPLY);
  return { token, holder, recipient, other };
}
const oz = () => control.networkHelpers.loadFixture(ozToken);

describe("Standards behaviour suites", function () {
  describe("AssetShares with permissive rules", function () {
    it("the rules are permissive: eligibility off, no limit, lock-up, pause or rule", async function () {
      const { token, suite } = await shares();
      const c = await token.config();
      expect([c.eligibilityRequired, c.maxHolders, c.lockupUntil, c.mintLockPeriod, c.investorCap]).to.deep.equal([
        false,
        0n,
        0n,
        0n,
        0n,
      ]);
      expect(await token.paused()).to.equal(false);
      expect(await token.rules()).to.deep.equal([]);
      expect(await token.countryBlocked(0)).to.equal(false);
      expect(await token.incomeHooks()).to.equal(await suite.distributor.getAddress());
    });

    describe("ERC-20", function () {
      shouldBehaveLikeERC20({
        name: NAME,
        symbol: SYMBOL,
        decimals: DECIMALS,
        initialSupply: SUPPLY,
        load: async () => {
          const { token, holder, recipient, other } = await shares();
          return { token, holder, recipient, other };
        },
      });
    });

    describe("EIP-2612", function () {
      shouldBehaveLikeERC2612({
        version: "1",
        balance: SUPPLY,
        time: networkHelpers.time,
        load: async () => {
          const { token, holder, recipient, other } = await shares();
          return { token, owner: holder, spender: recipient, other };
        },
      });
    });

    describe("ERC-7943 (fungible)", function () {
      shouldBehaveLikeERC7943Fungible({
        balance: SUPPLY,
        load: async () => {
          const { token, agent, holder, recipient, other } = await shares();
          return { token, agent, holder, recipient, other };
        },
        restrict: async (s: ERC7943State, account: string) => {
          await (s.token as unknown as AssetShares).connect(s.agent).setWalletFrozen(account, true);
        },
        cannotSend: (account) => ({ error: "WalletFrozen", args: [account] }),
        cannotReceive: (account) => ({ error: "WalletFrozen", args: [account] }),
        unauthorized: (caller) => ({ error: "NotAgent", args: [sharesAssetId, caller] }),
      });
    });
  });

  describe("AssetShares where the standards leave the choice to the token", function () {
    it("ERC-3643 read surface: identityRegistry() is the suite's registry, whose isVerified is isEligible", async function () {
      const { token, suite, holder } = await shares();
      expect(await token.identityRegistry()).to.equal(await suite.identity.getAddress());
      expect(await suite.identity.isVerified(holder.address)).to.equal(false);
      const { timestamp } = (await ethers.provider.getBlock("latest"))!;
      await suite.identity.connect(suite.roles.kycAgent).setIdentity(holder.address, 276, BigInt(timestamp + 3600));
      expect(await suite.identity.isVerified(holder.address)).to.equal(true);
      expect(await suite.identity.isEligible(holder.address)).to.equal(true);
    });

    it("the zero address can neither send nor receive (canSend and canReceive false)", async function () {
      const { token } = await shares();
      expect([await token.canSend(ethers.ZeroAddress), await token.canReceive(ethers.ZeroAddress)]).to.deep.equal([
        false,
        false,
      ]);
    });

    it("single-party context: forcedTransfer bypasses the sender's rules (ERC-7943 MAY), not the recipient's", async function () {
      const { token, agent, holder, recipient } = await shares();
      await token.connect(agent).setWalletFrozen(holder.address, true);
      expect(await token.canSend(holder.address)).to.equal(false);
      await expect(token.connect(agent).forcedTransfer(holder.address, recipient.address, 5n))
        .to.emit(token, "ForcedTransfer")
        .withArgs(holder.address, recipient.address, 5n);
      expect(await token.balanceOf(recipient.address)).to.equal(5n);
      // The same move checked before sending: refusalOf(Forced) agrees with the refusal of a frozen recipient.
      await token.connect(agent).setWalletFrozen(recipient.address, true);
      const refusal = await token.refusalOf(3, holder.address, recipient.address, 5n); // Op.Forced
      expect(refusal).to.equal(token.interface.encodeErrorResult("WalletFrozen", [recipient.address]));
    });
  });

  describe("control: OpenZeppelin's ERC20Permit", function () {
    describe("ERC-20", function () {
      shouldBehaveLikeERC20({
        name: "My Token",
        symbol: "MTKN",
        decimals: 18n,
        initialSupply: CONTROL_SUPPLY,
        load: oz,
      });
    });

    describe("EIP-2612", function () {
      shouldBehaveLikeERC2612({
        version: "1",
        balance: CONTROL_SUPPLY,
        time: control.networkHelpers.time,
        load: async () => {
          const { token, holder, recipient, other } = await oz();
          return { token, owner: holder, spender: recipient, other };
        },
      });
    });
  });
});
