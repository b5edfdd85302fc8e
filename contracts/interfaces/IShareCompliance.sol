// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IPlinthErrors} from "../common/IPlinthErrors.sol";
import {ITransferRule} from "../assets/compliance/ITransferRule.sol";
import {IAssetRegistry} from "./IAssetRegistry.sol";
import {IIdentityRegistry} from "./IIdentityRegistry.sol";

/// @title IShareCompliance
/// @notice The compliance side of one asset's share token (ERC-3643 style): its rules and their parameters, the
///         checks that explain a refusal, and the asset agent's powers (mint, burn, recovery, freezes, pause); with
///         the part's types, events and errors. Together with `IAssetShares`, `IERC7943Fungible`, `IERC20Metadata`,
///         `IERC20Permit`, `IERC5267` and `IERC165`, every external function of `AssetShares` is declared here.
interface IShareCompliance is IPlinthErrors {
    // ---------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------

    /// @notice Kind of balance move, selecting which rules apply.
    enum Op {
        Transfer,
        Mint,
        Burn,
        Forced,
        Recovery,
        Redeem
    }

    /// @notice Agent-set compliance parameters of this asset (0 = no limit).
    struct Config {
        bool eligibilityRequired;
        uint32 maxHolders;
        uint64 lockupUntil;
        uint64 mintLockPeriod;
        uint256 investorCap;
    }

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice The agent paused investor transfers (OpenZeppelin Pausable's event).
    event Paused(address account);
    /// @notice The agent resumed investor transfers (OpenZeppelin Pausable's event).
    event Unpaused(address account);
    /// @notice A compliance parameter changed.
    event ConfigChanged(Config config);
    /// @notice Country `country` blocked (true) or unblocked.
    event CountryBlockedSet(uint16 indexed country, bool blocked);
    /// @notice External rule added.
    event RuleAdded(address indexed rule);
    /// @notice External rule removed.
    event RuleRemoved(address indexed rule);
    /// @notice Wallet frozen (true) or unfrozen by the agent.
    event WalletFrozenSet(address indexed wallet, bool frozen);
    /// @notice `amount` more of `wallet`'s balance frozen (ERC-3643 event; ERC-7943 `Frozen` gives the new total).
    event TokensFrozen(address indexed wallet, uint256 amount);
    /// @notice `amount` of `wallet`'s frozen balance released (ERC-3643 event; `Frozen` gives the new total).
    event TokensUnfrozen(address indexed wallet, uint256 amount);
    /// @notice `wallet` cannot send before `until` (lock from mint time).
    event InvestorLocked(address indexed wallet, uint64 until);
    /// @notice The agent moved the whole position of `lost` (balance, frozen amount, freeze, lock) to `replacement`.
    event Recovered(address indexed lost, address indexed replacement, uint256 amount, uint256 frozenAmount);
    /// @notice The income distributor redeemed `amount` of `holder` after a buyout.
    event Redeemed(address indexed holder, uint256 amount);

    // ---------------------------------------------------------------------------------------------
    // Errors (shared ones: IPlinthErrors)
    // ---------------------------------------------------------------------------------------------

    /// @notice `pause` while paused (OpenZeppelin Pausable's error).
    error EnforcedPause();
    /// @notice `unpause` while not paused (OpenZeppelin Pausable's error).
    error ExpectedPause();
    /// @notice The asset is retired: shares only move through `redeemFor`.
    error AssetRetired();
    /// @notice `redeemFor` before the asset is retired.
    error AssetNotRetired();
    /// @notice The asset is frozen in the registry.
    error AssetFrozen();
    /// @notice The agent paused investor transfers.
    error SharesPaused();
    /// @notice The wallet is frozen.
    error WalletFrozen(address wallet);
    /// @notice Transfers from this wallet are locked until `until`.
    error LockedUntil(uint64 until);
    /// @notice The sender has no unexpired identity.
    error SenderNotEligible(address wallet);
    /// @notice The recipient has no unexpired identity.
    error RecipientNotEligible(address wallet);
    /// @notice The recipient's country is blocked.
    error CountryBlocked(uint16 country);
    /// @notice The asset already has its maximum number of holders.
    error MaxHoldersReached(uint256 maxHolders);
    /// @notice The recipient would hold `balanceAfter` > `cap`.
    error InvestorCapExceeded(address investor, uint256 balanceAfter, uint256 cap);
    /// @notice External rule `rule` refused, with its `reason` (0 when the rule reverted).
    error RuleRefused(address rule, bytes4 reason);
    /// @notice Caller is not the asset registry.
    error NotRegistry(address caller);
    /// @notice Caller is not the income distributor.
    error NotIncomeHooks(address caller);
    /// @notice Recovery of a wallet without shares.
    error NothingToRecover(address lost);
    /// @notice Recovery to the zero address or to the lost wallet itself.
    error InvalidReplacement(address replacement);
    /// @notice Freezing more than the balance.
    error FreezeExceedsBalance(address wallet, uint256 balance, uint256 frozenAfter);
    /// @notice Releasing more than is frozen.
    error UnfreezeExceedsFrozen(address wallet, uint256 frozen, uint256 amount);
    /// @notice Wallet already in the requested freeze state.
    error WalletFreezeUnchanged(address wallet, bool frozen);
    /// @notice More than `MAX_RULES` rules.
    error TooManyRules(uint256 max);
    /// @notice Rule already listed, or zero.
    error InvalidRule(address rule);
    /// @notice Rule not listed.
    error RuleNotFound(address rule);
    /// @notice A mint of `amount` would take the total supply (`supply` now) above `max` (`MAX_SUPPLY`).
    error SupplyCapExceeded(uint256 supply, uint256 amount, uint256 max);
    /// @notice Mint lock longer than `MAX_MINT_LOCK`.
    error MintLockTooLong(uint64 period, uint64 max);

    // ---------------------------------------------------------------------------------------------
    // Limits and state
    // ---------------------------------------------------------------------------------------------

    /// @notice Most external rules a token accepts.
    /// @return 8.
    function MAX_RULES() external view returns (uint256);

    /// @notice Longest per-investor lock from mint time.
    /// @return 3650 days, in seconds.
    function MAX_MINT_LOCK() external view returns (uint64);

    /// @notice Largest total supply (and so balance, frozen amount and investor cap): 2**96 - 1, about
    ///         7.9e28 base units, 79 billion shares of 18 decimals. Balances are packed in 96 bits.
    /// @return 2**96 - 1.
    function MAX_SUPPLY() external view returns (uint256);

    /// @notice Number of wallets with a nonzero balance.
    /// @return The count.
    function holderCount() external view returns (uint256);

    /// @notice Whether the agent blocked recipients resident in this ISO-3166 numeric country.
    /// @param country ISO-3166 numeric code.
    /// @return True when blocked.
    function countryBlocked(uint16 country) external view returns (bool);

    // ---------------------------------------------------------------------------------------------
    // Set-up, views and checks
    // ---------------------------------------------------------------------------------------------

    /// @notice Initializes a clone. Called once, by the ShareFactory, in the transaction that creates the
    ///         clone (so nobody can call it first); reverts with `InvalidInitialization` on a second call
    ///         and on the implementation.
    /// @param name_ ERC-20 name (also the EIP-712 domain name of permits).
    /// @param symbol_ ERC-20 symbol.
    /// @param decimals_ Decimals (the factory checks 0..18).
    /// @param incomeHooks_ The income distributor notified of every balance move (zero: none), fixed forever.
    function initialize(string calldata name_, string calldata symbol_, uint8 decimals_, address incomeHooks_) external;

    /// @notice The asset registry (agent and status of the asset).
    /// @return reg The registry.
    function registry() external view returns (IAssetRegistry reg);

    /// @notice The identity registry (eligible investors).
    /// @return ids The identity registry.
    function identityRegistry() external view returns (IIdentityRegistry ids);

    /// @notice Whether the agent paused investor transfers.
    /// @return True when paused.
    function paused() external view returns (bool);

    /// @notice The compliance parameters.
    /// @return The configuration.
    function config() external view returns (Config memory);

    /// @notice Whether the agent froze this wallet (it can neither send nor receive in transfers).
    /// @param wallet The wallet.
    /// @return True when frozen.
    function walletFrozen(address wallet) external view returns (bool);

    /// @notice Per-investor lock from mint time: the wallet cannot send before this timestamp.
    /// @param wallet The wallet.
    /// @return The timestamp (0 when none).
    function lockedUntilOf(address wallet) external view returns (uint64);

    /// @notice The external rules, in the order they are asked.
    /// @return list The rules.
    function rules() external view returns (ITransferRule[] memory list);

    /// @notice Whether `from` may transfer `amount` to `to` now and, if not, why (investor transfer or
    ///         transferFrom; the allowance is not checked). Same code path as the enforcement, balance included.
    /// @param from Sender.
    /// @param to Recipient.
    /// @param amount Shares.
    /// @return ok True when the transfer would succeed.
    /// @return reason Selector of the custom error the transfer would revert with (0 when ok).
    function checkTransfer(address from, address to, uint256 amount) external view returns (bool ok, bytes4 reason);

    /// @notice The full revert data (custom error with arguments) a move of kind `op` would fail with,
    ///         empty when it would pass compliance. The single source of truth of every rule.
    /// @param op Kind of move.
    /// @param from Sender (0 for a mint).
    /// @param to Recipient (0 for a burn or redemption).
    /// @param amount Shares.
    /// @return The ABI-encoded custom error, or empty.
    function refusalOf(Op op, address from, address to, uint256 amount) external view returns (bytes memory);

    /// @notice Mints `amount` shares to `to` (recipient rules and external rules apply). Only the agent.
    ///         Starts `to`'s lock from mint time when the asset has one.
    /// @param to Recipient.
    /// @param amount Shares.
    function mint(address to, uint256 amount) external;

    /// @notice Burns `amount` of `from`'s shares, releasing frozen shares if needed. Only the agent.
    /// @param from Holder.
    /// @param amount Shares.
    function burn(address from, uint256 amount) external;

    /// @notice Lost-wallet recovery: moves `lost`'s whole balance, frozen amount, wallet freeze and lock
    ///         to `replacement` (which must pass the recipient rules), after telling the income
    ///         distributor (`onRecovery`) to move the unclaimed income. Only the agent.
    /// @param lost The lost wallet.
    /// @param replacement The investor's new wallet.
    function recover(address lost, address replacement) external;

    /// @notice Freezes or unfreezes a wallet. Only the agent.
    /// @param wallet The wallet.
    /// @param frozen New state.
    function setWalletFrozen(address wallet, bool frozen) external;

    /// @notice Freezes `amount` more of `wallet`'s balance (frozen total cannot exceed the balance). Only the agent.
    /// @param wallet The wallet.
    /// @param amount Shares to freeze.
    function freezePartial(address wallet, uint256 amount) external;

    /// @notice Releases `amount` of `wallet`'s frozen balance. Only the agent.
    /// @param wallet The wallet.
    /// @param amount Shares to release.
    function unfreezePartial(address wallet, uint256 amount) external;

    /// @notice Stops investor transfers (agent moves still work). Only the agent.
    function pause() external;

    /// @notice Resumes investor transfers. Only the agent.
    function unpause() external;

    /// @notice Requires (or not) both sides of a transfer to have an unexpired identity. Only the agent.
    /// @param required New setting (true at creation).
    function setEligibilityRequired(bool required) external;

    /// @notice Blocks or unblocks recipients resident in `country`. Only the agent.
    /// @param country ISO-3166 numeric code (0 = wallets without identity).
    /// @param blocked New state.
    function setCountryBlocked(uint16 country, bool blocked) external;

    /// @notice Sets the maximum number of holders (0 = unlimited). Lowering it below the current count
    ///         only stops new holders from joining. Only the agent.
    /// @param maxHolders New maximum.
    function setMaxHolders(uint32 maxHolders) external;

    /// @notice Sets the maximum balance per investor (0 = unlimited); only limits what a wallet receives. Only the agent.
    /// @param cap New cap.
    function setInvestorCap(uint256 cap) external;

    /// @notice Locks every investor transfer until `until` (0 = none). Only the agent.
    /// @param until Timestamp.
    function setLockup(uint64 until) external;

    /// @notice Each mint locks the recipient's whole balance for `period` seconds from then (0 = none).
    ///         Only the agent.
    /// @param period Seconds, at most `MAX_MINT_LOCK`.
    function setMintLockPeriod(uint64 period) external;

    /// @notice Adds an external rule (at most `MAX_RULES`). Only the agent.
    /// @param rule The rule.
    function addRule(ITransferRule rule) external;

    /// @notice Removes an external rule (the last one takes its place). Only the agent.
    /// @param rule The rule.
    function removeRule(ITransferRule rule) external;
}
