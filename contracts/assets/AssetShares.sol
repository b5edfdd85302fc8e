// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";
import {ERC20PermitUpgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC20PermitUpgradeable.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IAssetShares} from "../interfaces/IAssetShares.sol";
import {IERC7943Fungible} from "../interfaces/IERC7943.sol";
import {IIdentityRegistry} from "../interfaces/IIdentityRegistry.sol";
import {IIncomeHooks} from "../interfaces/IIncomeHooks.sol";
import {IShareCompliance} from "../interfaces/IShareCompliance.sol";
import {ITransferRule} from "./compliance/ITransferRule.sol";

/// @title AssetShares
/// @notice The ERC-20 shares of one real asset, with permit (EIP-2612), built-in compliance and the
///         asset agent's powers (ERC-3643 style). Each asset's token is a minimal clone (ERC-1167 with
///         immutable arguments) of one implementation, created by the ShareFactory with CREATE2 (salt =
///         asset id) so its address is predictable from the asset id alone.
///
/// Clone. The arguments appended to the clone's code are `abi.encode(assetId, registry, identityRegistry)`,
/// fixed by the factory for every asset, so they do not change the address. Name, symbol, decimals and
/// the income hook are written once by `initialize`, which the factory calls in the creating transaction.
/// The implementation itself can never be initialized. The EIP-712 domain of permits is built from the
/// clone's own name and address (the storage-based EIP712Upgradeable, not an immutable cached at the
/// implementation).
///
/// Compliance. Every balance move goes through `_update`, which asks `refusalOf(op, from, to, amount)`
/// and reverts with exactly the custom error that function returns. `checkTransfer` returns the same
/// answer for an investor transfer without sending, and ERC-7943's `canTransfer` too, except that a balance
/// shortfall is left to the ERC-20: one code path, no duplicated logic. Rules, in order:
///  - Asset status (registry; mirrored here, see Storage): Retired closes everything but `redeemFor`; Frozen
///    stops investor transfers.
///  - Investor transfers only: pause, frozen wallets (either side; the recipient's also in forced transfers, as
///    ERC-7943 requires), balance, unfrozen balance, lock-ups (asset-wide date and per-investor lock from mint
///    time), sender eligibility.
///  - Recipient side (transfers, mints, forced transfers, recoveries): eligibility (identity registry,
///    unexpired), country block list (recipient's country: a holder whose country gets blocked may
///    still sell), maximum number of holders, per-investor cap.
///  - External `ITransferRule`s (at most 8): investor transfers and mints only.
/// The agent's forced transfer and recovery bypass the sender side (freeze, lock-up, pause, sender
/// eligibility; frozen amounts are released as needed) but never the recipient side: like ERC-3643,
/// the recipient must be eligible, and unlike it, the offering's limits (countries, holders, caps) hold.
///
/// Income hooks. Before any balance changes, `IIncomeHooks(incomeHooks).onSharesTransfer(assetId, from,
/// to, amount)` is called (mint: from = 0; burn and redemption: to = 0); a recovery first calls
/// `onRecovery(assetId, lost, replacement)`. A reverting hook reverts the move. When `incomeHooks` is
/// zero (governance configured no distributor in the factory) no hook is called, and `redeemFor` can
/// never be called: such an asset's shares carry no on-chain income, and the IncomeDistributor refuses
/// every deposit and buyout for the asset (it accepts money only for shares whose `incomeHooks` is itself).
///
/// Storage. This contract holds one asset's state only; the identity registry is read, never written, by
/// transfers. The asset's status is mirrored in `_core` by the registry itself, in the transaction that
/// changes it (`onAssetStatusChanged`), so transfers never call the registry. Balances and the supply are
/// kept in this contract's packed words (layout at `Core`), not in OpenZeppelin's ERC-20 storage; the
/// supply is at most `MAX_SUPPLY`. contracts/assets/GAS.md explains a transfer's gas line by line.
contract AssetShares is IAssetShares, IShareCompliance, IERC7943Fungible, ERC20PermitUpgradeable {
    /// @inheritdoc IShareCompliance
    uint256 public constant MAX_RULES = 8;
    /// @inheritdoc IShareCompliance
    uint64 public constant MAX_MINT_LOCK = 3650 days;
    /// @inheritdoc IShareCompliance
    uint256 public constant MAX_SUPPLY = type(uint96).max;

    /// @dev The implementation's own address: it has no clone arguments.
    address private immutable _self;

    /// @dev Storage layout (the clone's own storage; OpenZeppelin's ERC-20 namespace keeps only the name,
    ///      symbol and allowances: balances and the supply live in the packed words below). A compliant
    ///      transfer reads five cold slots here: `_core`, `_limits`, the two wallets' words and one
    ///      `countryBlocked` entry (plus `_moreRules` only with two rules or more, `holderCount` only when
    ///      the recipient is new), and writes the two wallet words.
    ///
    ///      `_core` (every move): the income hook (set once by `initialize`), `flags` (bit 0: eligibility
    ///      required, bit 1: paused, bit 2: asset frozen, bit 3: asset retired; the last two mirror the
    ///      registry's status, which the registry pushes in the transaction that changes it), the number of
    ///      external rules, the asset-wide lock-up, the maximum number of holders and the decimals (set once).
    ///      One `uint256`: bits 0-159 hook, 160-167 flags, 168-175 rule count, 176-215 lock-up, 216-247 maximum
    ///      holders, 248-255 decimals (the layout Solidity gave the struct this word replaced, so existing
    ///      clones read the same). Every function reads the word once and takes or sets its fields with shifts
    ///      (`_hooksIn`, `_flagsIn`, ...).
    ///
    ///      `_limits` (investor transfers and mints): the first external rule and the per-investor cap. One
    ///      `uint256`: bits 0-159 rule, 160-255 cap, read with `_firstRuleIn` and `_capIn`.
    ///
    ///      `_supply` (mints and burns): the total supply and the per-investor lock from mint time.
    struct Supply {
        uint96 totalSupply;
        uint64 mintLockPeriod;
    }
    /// @dev One word per wallet in `_wallets` (read once, written once per move): the balance, the part of it
    ///      the agent froze (may exceed the balance), the lock from mint time and the agent's wallet freeze. Every
    ///      balance is at most the total supply, which mints keep within `MAX_SUPPLY` (2**96 - 1). One `uint256`:
    ///      bits 0-95 balance, 96-191 frozen, 192-231 lock, 232 wallet freeze, read and set with `_balanceIn`,
    ///      `_frozenIn`, `_lockIn`, `_walletFrozenIn` and `_withBalance`, `_withFrozen`, `_withLock`. The word sits
    ///      in a struct so that a move computes its slot once for its read and write.
    struct WalletWord {
        uint256 packed;
    }
    /// @dev The recipient's identity as a move's rules read it (`known` once the registry was asked).
    struct Party {
        bool known;
        uint16 country;
        uint64 expiry;
    }
    /// @dev The clone's immutable arguments.
    struct Args {
        uint256 assetId;
        IAssetRegistry registry;
        IIdentityRegistry identityRegistry;
    }

    uint8 private constant ELIGIBILITY_REQUIRED = 1;
    uint8 private constant PAUSED = 2;
    uint8 private constant ASSET_FROZEN = 4; // mirror of the registry's status (onAssetStatusChanged)
    uint8 private constant ASSET_RETIRED = 8;

    /// @dev The asset's `Core`, packed in one word (see `Core`).
    uint256 private _core;
    /// @dev The asset's `Limits`, packed in one word (see `Limits`).
    uint256 private _limits;
    Supply private _supply;
    /// @inheritdoc IShareCompliance
    uint256 public holderCount;
    /// @inheritdoc IShareCompliance
    mapping(uint16 country => bool) public countryBlocked;
    /// @dev Each wallet's `Wallet`, packed in one word (see `Wallet`).
    mapping(address wallet => WalletWord) private _wallets;
    /// @dev External rules after the first one (which sits in `_limits`), `_core.ruleCount - 1` of them.
    ITransferRule[MAX_RULES - 1] private _moreRules;

    /// @dev The implementation: never initialized, used only through clones.
    constructor() {
        _self = address(this);
        _disableInitializers();
    }

    /// @inheritdoc IShareCompliance
    function initialize(
        string calldata name_,
        string calldata symbol_,
        uint8 decimals_,
        address incomeHooks_
    ) external initializer {
        __ERC20_init(name_, symbol_);
        _core = uint256(uint160(incomeHooks_)) | (uint256(ELIGIBILITY_REQUIRED) << 160) | (uint256(decimals_) << 248);
    }

    modifier onlyAgent() {
        _checkAgent();
        _;
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IAssetShares
    function assetId() external view override returns (uint256) {
        return _args().assetId;
    }

    /// @inheritdoc IShareCompliance
    function registry() external view returns (IAssetRegistry reg) {
        return _args().registry;
    }

    /// @inheritdoc IShareCompliance
    function identityRegistry() external view returns (IIdentityRegistry ids) {
        return _args().identityRegistry;
    }

    /// @inheritdoc IAssetShares
    function incomeHooks() public view override returns (address) {
        return _hooksIn(_core);
    }

    /// @notice Decimals chosen by the issuer at creation (0..18).
    /// @return The decimals.
    function decimals() public view override returns (uint8) {
        return uint8(_core >> 248);
    }

    /// @inheritdoc IShareCompliance
    function paused() external view returns (bool) {
        return _flagsIn(_core) & PAUSED != 0;
    }

    /// @notice Total shares in existence (at most `MAX_SUPPLY`).
    /// @return The supply.
    function totalSupply() public view override(ERC20Upgradeable, IERC20) returns (uint256) {
        return _supply.totalSupply;
    }

    /// @notice Shares held by `account`.
    /// @param account The wallet.
    /// @return The balance.
    function balanceOf(address account) public view override(ERC20Upgradeable, IERC20) returns (uint256) {
        return _balanceIn(_wallets[account].packed);
    }

    /// @notice Moves `value` of the caller's shares to `to` (an investor transfer: every rule applies).
    /// @dev OpenZeppelin's `transfer` without its `_transfer` step: `_refusal` refuses a zero recipient with the
    ///      same `ERC20InvalidReceiver(address(0))`, and the caller is never the zero address.
    /// @param to Recipient.
    /// @param value Shares.
    /// @return True (reverts otherwise).
    function transfer(address to, uint256 value) public override(ERC20Upgradeable, IERC20) returns (bool) {
        _move(Op.Transfer, _msgSender(), to, value);
        return true;
    }

    /// @inheritdoc IShareCompliance
    function config() external view returns (Config memory) {
        return _configView();
    }

    /// @inheritdoc IShareCompliance
    function walletFrozen(address wallet) external view returns (bool) {
        return _walletFrozenIn(_wallets[wallet].packed);
    }

    /// @inheritdoc IERC7943Fungible
    /// @dev May exceed the balance (set with `setFrozenTokens`): only `balance - frozen` (0 if negative) can move.
    function getFrozenTokens(address account) external view returns (uint256 amount) {
        return _frozenIn(_wallets[account].packed);
    }

    /// @inheritdoc IERC7943Fungible
    /// @dev False for the zero address, a frozen wallet, a wallet under lock-up (asset-wide or from mint), and,
    ///      while eligibility is required, a wallet without unexpired identity. Token-wide states (pause, asset
    ///      frozen or retired) are not account rules: `canTransfer` answers for them.
    function canSend(address account) external view returns (bool allowed) {
        uint256 word = _wallets[account].packed;
        uint256 core = _core;
        return
            account != address(0) &&
            !_walletFrozenIn(word) &&
            block.timestamp >= uint40(word >> 192) &&
            block.timestamp >= _lockupIn(core) &&
            (_flagsIn(core) & ELIGIBILITY_REQUIRED == 0 || _args().identityRegistry.isEligible(account));
    }

    /// @inheritdoc IERC7943Fungible
    /// @dev False for the zero address, a frozen wallet, a wallet resident in a blocked country, and, while
    ///      eligibility is required, a wallet without unexpired identity. Holder count and cap are per transfer.
    function canReceive(address account) external view returns (bool allowed) {
        if (account == address(0) || _walletFrozenIn(_wallets[account].packed)) return false;
        (uint16 country, uint64 expiry) = _args().identityRegistry.identityOf(account);
        return (_flagsIn(_core) & ELIGIBILITY_REQUIRED == 0 || expiry > block.timestamp) && !countryBlocked[country];
    }

    /// @inheritdoc IERC165
    /// @dev ERC-165, ERC-7943 (fungible), ERC-20, ERC-20 metadata, EIP-2612 permit (the XOR of its three
    ///      selectors: EIP-2612 defines no id, see the assets README), IAssetShares and IShareCompliance.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return
            interfaceId == type(IERC165).interfaceId ||
            interfaceId == type(IERC7943Fungible).interfaceId ||
            interfaceId == type(IERC20).interfaceId ||
            interfaceId == type(IERC20Metadata).interfaceId ||
            interfaceId == type(IERC20Permit).interfaceId ||
            interfaceId == type(IAssetShares).interfaceId ||
            interfaceId == type(IShareCompliance).interfaceId;
    }

    /// @inheritdoc IShareCompliance
    function lockedUntilOf(address wallet) external view returns (uint64) {
        return _lockIn(_wallets[wallet].packed);
    }

    /// @inheritdoc IShareCompliance
    function rules() external view returns (ITransferRule[] memory list) {
        uint256 n = _ruleCountIn(_core);
        list = new ITransferRule[](n);
        for (uint256 i; i < n; ++i) list[i] = _ruleAt(i);
    }

    /// @inheritdoc IERC7943Fungible
    /// @dev Every rule of an investor transfer (same code path as the enforcement, `refusalOf`) except the
    ///      ERC-20 ones the standard leaves to the base token: a balance shortfall does not make it false (and
    ///      the frozen part is checked only for amounts within the balance), the allowance is not checked.
    function canTransfer(address from, address to, uint256 amount) external view returns (bool allowed) {
        return _refusal(Op.Transfer, from, to, amount, true, _args(), _core).length == 0;
    }

    /// @inheritdoc IShareCompliance
    function checkTransfer(address from, address to, uint256 amount) external view returns (bool ok, bytes4 reason) {
        bytes memory refusal = refusalOf(Op.Transfer, from, to, amount);
        if (refusal.length == 0) return (true, bytes4(0));
        return (false, bytes4(refusal));
    }

    /// @inheritdoc IShareCompliance
    function refusalOf(Op op, address from, address to, uint256 amount) public view returns (bytes memory) {
        return _refusal(op, from, to, amount, false, _args(), _core);
    }

    /// @dev `refusalOf`, optionally ignoring a balance shortfall (ERC-7943 `canTransfer`), given the clone's
    ///      arguments and the `_core` word. Reads each slot once, as a word: the sender's and the
    ///      recipient's words, `_limits` (cap, first rule), the recipient's `countryBlocked` entry, and
    ///      `holderCount` only for a new holder under a maximum. One identity registry call: `transferCheck`
    ///      (both sides) for an investor transfer under eligibility, else `identityOf(to)`. Here and in the
    ///      three helpers below, the named return `none` is never assigned: it is the empty refusal.
    function _refusal(
        Op op,
        address from,
        address to,
        uint256 amount,
        bool ignoreShortfall,
        Args memory a,
        uint256 core
    ) private view returns (bytes memory none) {
        if (op == Op.Redeem) {
            return _flagsIn(core) & ASSET_RETIRED != 0 ? none : abi.encodeWithSelector(AssetNotRetired.selector);
        }
        if (_flagsIn(core) & ASSET_RETIRED != 0) return abi.encodeWithSelector(AssetRetired.selector);

        uint256 sender = _wallets[from].packed; // address(0)'s word is never written: zero for a mint
        uint256 recipient = _wallets[to].packed; // zero for a burn
        if (op == Op.Transfer) {
            if (from == address(0)) return abi.encodeWithSelector(IERC20Errors.ERC20InvalidSender.selector, from);
            if (to == address(0)) return abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, to);
            if (_flagsIn(core) & ASSET_FROZEN != 0) return abi.encodeWithSelector(AssetFrozen.selector);
            if (_flagsIn(core) & PAUSED != 0) return abi.encodeWithSelector(SharesPaused.selector);
            if (_walletFrozenIn(sender)) return abi.encodeWithSelector(WalletFrozen.selector, from);
            if (_walletFrozenIn(recipient)) return abi.encodeWithSelector(WalletFrozen.selector, to);
        } else if (op == Op.Forced && _walletFrozenIn(recipient)) {
            // ERC-7943: a forced transfer reverts when the recipient cannot receive (`canReceive` is false).
            return abi.encodeWithSelector(WalletFrozen.selector, to);
        }
        if (from != address(0) && _balanceIn(sender) < amount && !ignoreShortfall) {
            return abi.encodeWithSelector(ERC20InsufficientBalance.selector, from, _balanceIn(sender), amount);
        }
        Party memory recipientId;
        if (op == Op.Transfer) {
            bytes memory refusal = _senderRefusal(core, sender, a.identityRegistry, from, to, amount, recipientId);
            if (refusal.length != 0) return refusal;
        }
        if (to == address(0)) return none; // burn: nothing more to check
        if (from == address(0)) {
            uint256 supply = _supply.totalSupply;
            if (amount > MAX_SUPPLY - supply) {
                return abi.encodeWithSelector(SupplyCapExceeded.selector, supply, amount, MAX_SUPPLY);
            }
        }
        if (!recipientId.known) (recipientId.country, recipientId.expiry) = a.identityRegistry.identityOf(to);
        uint256 limits = _limits;
        bytes memory rRefusal = _recipientRefusal(from, to, amount, core, sender, recipient, recipientId, limits);
        if (rRefusal.length != 0) return rRefusal;
        if (op == Op.Transfer || op == Op.Mint) {
            return _rulesRefusal(a.assetId, from, to, amount, _ruleCountIn(core), _firstRuleIn(limits));
        }
        return none;
    }

    // ------------------------------------------------------------------ agent: supply and forced moves

    /// @inheritdoc IShareCompliance
    function mint(address to, uint256 amount) external onlyAgent {
        if (to == address(0)) revert ERC20InvalidReceiver(address(0)); // as OpenZeppelin's _mint
        _move(Op.Mint, address(0), to, amount);
        uint64 period = _supply.mintLockPeriod;
        if (period != 0 && amount != 0) {
            uint64 until = uint64(block.timestamp) + period;
            WalletWord storage w = _wallets[to];
            uint256 word = w.packed;
            if (until > _lockIn(word)) {
                w.packed = _withLock(word, SafeCast.toUint40(until));
                emit InvestorLocked(to, until);
            }
        }
    }

    /// @inheritdoc IShareCompliance
    function burn(address from, uint256 amount) external onlyAgent {
        _releaseFrozen(from, amount);
        if (from == address(0)) revert ERC20InvalidSender(address(0)); // as OpenZeppelin's _burn
        _move(Op.Burn, from, address(0), amount);
    }

    /// @inheritdoc IERC7943Fungible
    /// @dev Only the agent. Bypasses the sender-side rules (freeze, lock-up, pause, sender eligibility),
    ///      releasing frozen shares first when needed (`Frozen` before `Transfer`); the recipient rules apply,
    ///      a frozen recipient wallet included (`WalletFrozen(to)`: ERC-7943 reverts when `canReceive` is false).
    function forcedTransfer(address from, address to, uint256 amount) external onlyAgent returns (bool result) {
        _releaseFrozen(from, amount);
        _checkParties(from, to);
        _move(Op.Forced, from, to, amount);
        emit ForcedTransfer(from, to, amount);
        return true;
    }

    /// @inheritdoc IShareCompliance
    function recover(address lost, address replacement) external onlyAgent {
        if (replacement == address(0) || replacement == lost) revert InvalidReplacement(replacement);
        uint256 amount = balanceOf(lost);
        if (amount == 0) revert NothingToRecover(lost);
        address hooks = _hooksIn(_core);
        if (hooks != address(0)) IIncomeHooks(hooks).onRecovery(_args().assetId, lost, replacement);
        // Neither side is zero: `replacement` was checked above, and `lost` holds shares (zero's word is never written).
        _move(Op.Recovery, lost, replacement, amount);

        uint256 old = _wallets[lost].packed;
        delete _wallets[lost]; // its balance is already 0: the whole of it moved above
        WalletWord storage r = _wallets[replacement];
        uint256 word = r.packed;
        uint256 oldFrozen = _frozenIn(old);
        if (oldFrozen != 0) {
            uint256 frozenAfter = _frozenIn(word) + oldFrozen;
            word = _withFrozen(word, SafeCast.toUint96(frozenAfter));
            emit Frozen(lost, 0);
            emit Frozen(replacement, frozenAfter);
        }
        if (_walletFrozenIn(old)) {
            word |= uint256(1) << 232;
            emit WalletFrozenSet(lost, false);
            emit WalletFrozenSet(replacement, true);
        }
        uint64 oldLock = _lockIn(old);
        if (oldLock > _lockIn(word)) {
            word = _withLock(word, oldLock);
            emit InvestorLocked(replacement, oldLock);
        }
        r.packed = word;
        emit Recovered(lost, replacement, amount, oldFrozen);
    }

    /// @inheritdoc IAssetShares
    /// @dev Only `incomeHooks`, only once the asset is retired. Frozen shares are redeemed too.
    function redeemFor(address holder) external returns (uint256 burned) {
        if (msg.sender != _hooksIn(_core) || msg.sender == address(0)) revert NotIncomeHooks(msg.sender);
        WalletWord storage w = _wallets[holder];
        uint256 word = w.packed;
        burned = _balanceIn(word);
        if (_frozenIn(word) != 0) {
            w.packed = _withFrozen(word, 0);
            emit Frozen(holder, 0);
        }
        if (holder == address(0)) revert ERC20InvalidSender(address(0)); // as OpenZeppelin's _burn
        _move(Op.Redeem, holder, address(0), burned);
        emit Redeemed(holder, burned);
    }

    /// @inheritdoc IAssetShares
    /// @dev Only the registry of the clone's arguments (never on the implementation, which has none). The
    ///      token is created only for an Active asset (ShareFactory), which is what zero flags mean.
    function onAssetStatusChanged(IAssetRegistry.AssetStatus status) external {
        if (msg.sender != address(_args().registry)) revert NotRegistry(msg.sender);
        uint256 core = _core & ~(uint256(ASSET_FROZEN | ASSET_RETIRED) << 160);
        if (status == IAssetRegistry.AssetStatus.Frozen) core |= uint256(ASSET_FROZEN) << 160;
        else if (status == IAssetRegistry.AssetStatus.Retired) core |= uint256(ASSET_RETIRED) << 160;
        _core = core;
    }

    // ------------------------------------------------------------------ agent: freezes and pause

    /// @inheritdoc IShareCompliance
    function setWalletFrozen(address wallet, bool frozen) external onlyAgent {
        WalletWord storage w = _wallets[wallet];
        uint256 word = w.packed;
        if (_walletFrozenIn(word) == frozen) revert WalletFreezeUnchanged(wallet, frozen);
        w.packed = word ^ (uint256(1) << 232); // flips the freeze bit to `frozen`
        emit WalletFrozenSet(wallet, frozen);
    }

    /// @inheritdoc IShareCompliance
    function freezePartial(address wallet, uint256 amount) external onlyAgent {
        WalletWord storage w = _wallets[wallet];
        uint256 word = w.packed;
        uint256 balance = _balanceIn(word);
        uint256 after_ = _frozenIn(word) + amount;
        if (after_ > balance) revert FreezeExceedsBalance(wallet, balance, after_);
        w.packed = _withFrozen(word, after_); // <= balance < 2**96
        emit TokensFrozen(wallet, amount);
        emit Frozen(wallet, after_);
    }

    /// @inheritdoc IShareCompliance
    function unfreezePartial(address wallet, uint256 amount) external onlyAgent {
        WalletWord storage w = _wallets[wallet];
        uint256 word = w.packed;
        uint256 frozen = _frozenIn(word);
        if (amount > frozen) revert UnfreezeExceedsFrozen(wallet, frozen, amount);
        w.packed = _withFrozen(word, frozen - amount);
        emit TokensUnfrozen(wallet, amount);
        emit Frozen(wallet, frozen - amount);
    }

    /// @inheritdoc IERC7943Fungible
    /// @dev Only the agent. Sets the absolute frozen amount, which may exceed the balance (it then also holds
    ///      back future receipts). Emits `Frozen`, and the ERC-3643 `TokensFrozen`/`TokensUnfrozen` for the change.
    function setFrozenTokens(address account, uint256 amount) external onlyAgent returns (bool result) {
        WalletWord storage w = _wallets[account];
        uint256 word = w.packed;
        uint256 frozen = _frozenIn(word);
        w.packed = _withFrozen(word, SafeCast.toUint96(amount));
        if (amount > frozen) emit TokensFrozen(account, amount - frozen);
        else if (amount < frozen) emit TokensUnfrozen(account, frozen - amount);
        emit Frozen(account, amount);
        return true;
    }

    /// @inheritdoc IShareCompliance
    function pause() external onlyAgent {
        uint256 core = _core;
        if (_flagsIn(core) & PAUSED != 0) revert EnforcedPause();
        _core = core | (uint256(PAUSED) << 160);
        emit Paused(msg.sender);
    }

    /// @inheritdoc IShareCompliance
    function unpause() external onlyAgent {
        uint256 core = _core;
        if (_flagsIn(core) & PAUSED == 0) revert ExpectedPause();
        _core = core & ~(uint256(PAUSED) << 160);
        emit Unpaused(msg.sender);
    }

    // ------------------------------------------------------------------ agent: compliance configuration

    /// @inheritdoc IShareCompliance
    function setEligibilityRequired(bool required) external onlyAgent {
        uint256 core = _core & ~(uint256(ELIGIBILITY_REQUIRED) << 160);
        _core = required ? core | (uint256(ELIGIBILITY_REQUIRED) << 160) : core;
        emit ConfigChanged(_configView());
    }

    /// @inheritdoc IShareCompliance
    function setCountryBlocked(uint16 country, bool blocked) external onlyAgent {
        countryBlocked[country] = blocked;
        emit CountryBlockedSet(country, blocked);
    }

    /// @inheritdoc IShareCompliance
    function setMaxHolders(uint32 maxHolders) external onlyAgent {
        _core = (_core & ~(uint256(type(uint32).max) << 216)) | (uint256(maxHolders) << 216);
        emit ConfigChanged(_configView());
    }

    /// @inheritdoc IShareCompliance
    function setInvestorCap(uint256 cap) external onlyAgent {
        _limits = uint160(address(_firstRuleIn(_limits))) | (uint256(SafeCast.toUint96(cap)) << 160);
        emit ConfigChanged(_configView());
    }

    /// @inheritdoc IShareCompliance
    function setLockup(uint64 until) external onlyAgent {
        _core = (_core & ~(uint256(type(uint40).max) << 176)) | (uint256(SafeCast.toUint40(until)) << 176);
        emit ConfigChanged(_configView());
    }

    /// @inheritdoc IShareCompliance
    function setMintLockPeriod(uint64 period) external onlyAgent {
        if (period > MAX_MINT_LOCK) revert MintLockTooLong(period, MAX_MINT_LOCK);
        _supply.mintLockPeriod = period;
        emit ConfigChanged(_configView());
    }

    /// @inheritdoc IShareCompliance
    function addRule(ITransferRule rule) external onlyAgent {
        uint256 n = _ruleCountIn(_core);
        if (n >= MAX_RULES) revert TooManyRules(MAX_RULES);
        if (address(rule) == address(0)) revert InvalidRule(address(rule));
        for (uint256 i; i < n; ++i) {
            if (address(_ruleAt(i)) == address(rule)) revert InvalidRule(address(rule));
        }
        _setRuleAt(n, rule);
        _core += uint256(1) << 168; // n + 1 <= MAX_RULES: no carry out of the count's byte
        emit RuleAdded(address(rule));
    }

    /// @inheritdoc IShareCompliance
    function removeRule(ITransferRule rule) external onlyAgent {
        uint256 n = _ruleCountIn(_core);
        for (uint256 i; i < n; ++i) {
            if (address(_ruleAt(i)) == address(rule)) {
                _setRuleAt(i, _ruleAt(n - 1));
                _setRuleAt(n - 1, ITransferRule(address(0)));
                _core -= uint256(1) << 168; // n >= 1: no borrow from the count's byte
                emit RuleRemoved(address(rule));
                return;
            }
        }
        revert RuleNotFound(address(rule));
    }

    // ------------------------------------------------------------------ internals

    /// @dev OpenZeppelin's ERC-20 moves (`transfer`, `transferFrom`) are investor transfers; the agent's and
    ///      the distributor's moves call `_move` with their own kind. So anything an income hook triggers is
    ///      an ordinary transfer.
    function _update(address from, address to, uint256 value) internal override {
        _move(Op.Transfer, from, to, value);
    }

    /// @dev OpenZeppelin's `_transfer` checks, for the agent's forced transfer and recovery.
    function _checkParties(address from, address to) private pure {
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
    }

    /// @dev Every balance move of kind `op`: compliance (reverting with `refusalOf`'s error), then the income
    ///      hook, then the balances, the supply and the holder count, with OpenZeppelin ERC-20's semantics (its
    ///      `ERC20InsufficientBalance` error, its `Transfer` event) on the packed words.
    function _move(Op op, address from, address to, uint256 value) private {
        Args memory a = _args();
        uint256 core = _core;
        bytes memory refusal = _refusal(op, from, to, value, false, a, core);
        if (refusal.length != 0) {
            assembly ("memory-safe") {
                revert(add(refusal, 0x20), mload(refusal))
            }
        }
        // The wallet words are read again below, after the hook: a hook may itself move shares (it is an
        // ordinary transfer then, see ReenteringIncomeHooks), and the words must include such a move.
        address hooks = _hooksIn(core);
        if (hooks != address(0)) IIncomeHooks(hooks).onSharesTransfer(a.assetId, from, to, value);
        bool moves = from != to && value != 0;
        if (from == address(0)) {
            // Within MAX_SUPPLY: `_refusal` checked it (SupplyCapExceeded).
            _supply.totalSupply = uint96(_supply.totalSupply + value);
        } else {
            WalletWord storage sender = _wallets[from];
            uint256 word = sender.packed;
            uint256 fromBalance = _balanceIn(word);
            // `_refusal` refused a shortfall with ERC20InsufficientBalance (a redemption burns exactly the
            // balance), so value <= fromBalance; checked arithmetic would panic otherwise.
            sender.packed = _withBalance(word, fromBalance - value);
            if (moves && fromBalance == value) --holderCount;
        }
        if (to == address(0)) {
            // value <= fromBalance <= totalSupply
            _supply.totalSupply = uint96(_supply.totalSupply - value);
        } else {
            WalletWord storage recipient = _wallets[to];
            uint256 word = recipient.packed;
            uint256 toBalance = _balanceIn(word);
            if (moves && toBalance == 0) ++holderCount;
            // toBalance + value <= totalSupply <= MAX_SUPPLY
            recipient.packed = _withBalance(word, toBalance + value);
        }
        emit Transfer(from, to, value);
    }

    /// @dev Sender-side rules of an investor transfer (after the balance check). Under eligibility, asks the
    ///      identity registry about both sides at once and leaves the recipient's identity in `recipientId`.
    function _senderRefusal(
        uint256 core,
        uint256 sender,
        IIdentityRegistry ids,
        address from,
        address to,
        uint256 amount,
        Party memory recipientId
    ) private view returns (bytes memory none) {
        uint256 fromBalance = _balanceIn(sender);
        uint256 frozen = uint96(sender >> 96);
        uint256 available = fromBalance > frozen ? fromBalance - frozen : 0;
        // Beyond the balance the refusal is the ERC-20 one (or none, for ERC-7943 canTransfer), not the freeze's.
        if (available < amount && amount <= fromBalance) {
            return abi.encodeWithSelector(ERC7943InsufficientUnfrozenBalance.selector, from, amount, available);
        }
        uint64 lock = uint40(sender >> 192);
        uint64 lockup = _lockupIn(core);
        if (lockup > lock) lock = lockup;
        if (block.timestamp < lock) return abi.encodeWithSelector(LockedUntil.selector, lock);
        if (_flagsIn(core) & ELIGIBILITY_REQUIRED != 0) {
            bool fromEligible;
            (fromEligible, recipientId.country, recipientId.expiry) = ids.transferCheck(from, to);
            recipientId.known = true;
            if (!fromEligible) return abi.encodeWithSelector(SenderNotEligible.selector, from);
        }
        return none;
    }

    /// @dev Recipient-side rules: eligibility, country, maximum holders, per-investor cap.
    function _recipientRefusal(
        address from,
        address to,
        uint256 amount,
        uint256 core,
        uint256 sender,
        uint256 recipient,
        Party memory recipientId,
        uint256 limits
    ) private view returns (bytes memory none) {
        if (_flagsIn(core) & ELIGIBILITY_REQUIRED != 0 && recipientId.expiry <= block.timestamp) {
            return abi.encodeWithSelector(RecipientNotEligible.selector, to);
        }
        uint16 country = recipientId.country;
        if (countryBlocked[country]) return abi.encodeWithSelector(CountryBlocked.selector, country);
        if (from != to && amount != 0) {
            uint256 toBalance = _balanceIn(recipient);
            // A new holder joins unless the sender leaves at the same time (whole balance moved).
            bool newHolder = toBalance == 0 && (from == address(0) || _balanceIn(sender) != amount);
            uint256 maxHolders = _maxHoldersIn(core);
            if (maxHolders != 0 && newHolder && holderCount >= maxHolders) {
                return abi.encodeWithSelector(MaxHoldersReached.selector, maxHolders);
            }
            uint256 cap = _capIn(limits);
            if (cap != 0 && toBalance + amount > cap) {
                return abi.encodeWithSelector(InvestorCapExceeded.selector, to, toBalance + amount, cap);
            }
        }
        return none;
    }

    /// @dev The `n` external rules, in order (`first` is `_limits.firstRule`); the first refusal wins.
    function _rulesRefusal(
        uint256 id,
        address from,
        address to,
        uint256 amount,
        uint256 n,
        ITransferRule first
    ) private view returns (bytes memory none) {
        for (uint256 i; i < n; ++i) {
            ITransferRule rule = i == 0 ? first : _moreRules[i - 1];
            // A rule that reverts refuses (reason 0) instead of making canTransfer revert.
            try rule.check(id, from, to, amount) returns (bool ok, bytes4 reason) {
                if (!ok) return abi.encodeWithSelector(RuleRefused.selector, address(rule), reason);
            } catch {
                return abi.encodeWithSelector(RuleRefused.selector, address(rule), bytes4(0));
            }
        }
        return none;
    }

    /// @dev External rule number `i` (< `_core.ruleCount`).
    function _ruleAt(uint256 i) private view returns (ITransferRule) {
        return i == 0 ? _firstRuleIn(_limits) : _moreRules[i - 1];
    }

    /// @dev Sets external rule number `i`.
    function _setRuleAt(uint256 i, ITransferRule rule) private {
        if (i == 0) _limits = (_limits & ~uint256(type(uint160).max)) | uint160(address(rule));
        else _moreRules[i - 1] = rule;
    }

    /// @dev The first external rule field (bits 0-159) of the `_limits` word.
    function _firstRuleIn(uint256 limits) private pure returns (ITransferRule) {
        return ITransferRule(address(uint160(limits)));
    }

    /// @dev The per-investor cap field (bits 160-255) of the `_limits` word.
    function _capIn(uint256 limits) private pure returns (uint256) {
        return limits >> 160;
    }

    /// @dev The income hook field (bits 0-159) of the `_core` word.
    function _hooksIn(uint256 core) private pure returns (address) {
        return address(uint160(core));
    }

    /// @dev The flags field (bits 160-167) of the `_core` word.
    function _flagsIn(uint256 core) private pure returns (uint8) {
        return uint8(core >> 160);
    }

    /// @dev The rule count field (bits 168-175) of the `_core` word.
    function _ruleCountIn(uint256 core) private pure returns (uint8) {
        return uint8(core >> 168);
    }

    /// @dev The asset-wide lock-up field (bits 176-215) of the `_core` word.
    function _lockupIn(uint256 core) private pure returns (uint64) {
        return uint40(core >> 176);
    }

    /// @dev The maximum holders field (bits 216-247) of the `_core` word.
    function _maxHoldersIn(uint256 core) private pure returns (uint256) {
        return uint32(core >> 216);
    }

    /// @dev The wallet-freeze bit (232) of a wallet word.
    function _walletFrozenIn(uint256 word) private pure returns (bool) {
        return (word >> 232) & 1 != 0;
    }

    /// @dev The frozen-amount field (bits 96-191) of a wallet word.
    function _frozenIn(uint256 word) private pure returns (uint256) {
        return uint96(word >> 96);
    }

    /// @dev `word` with its frozen-amount field set to `frozen` (< 2**96: callers check or cast).
    function _withFrozen(uint256 word, uint256 frozen) private pure returns (uint256) {
        return (word & ~(uint256(type(uint96).max) << 96)) | (frozen << 96);
    }

    /// @dev The lock-from-mint field (bits 192-231) of a wallet word.
    function _lockIn(uint256 word) private pure returns (uint64) {
        return uint40(word >> 192);
    }

    /// @dev `word` with its lock-from-mint field set to `until` (< 2**40: callers check or cast).
    function _withLock(uint256 word, uint256 until) private pure returns (uint256) {
        return (word & ~(uint256(type(uint40).max) << 192)) | (until << 192);
    }

    /// @dev The balance field (bits 0-95) of a wallet word.
    function _balanceIn(uint256 word) private pure returns (uint256) {
        return uint96(word);
    }

    /// @dev `word` with its balance field set to `balance` (< 2**96: at most the supply, see `MAX_SUPPLY`).
    function _withBalance(uint256 word, uint256 balance) private pure returns (uint256) {
        return (word & ~uint256(type(uint96).max)) | balance;
    }

    /// @dev Releases what a forced move of `amount` needs beyond the unfrozen balance.
    function _releaseFrozen(address wallet, uint256 amount) private {
        WalletWord storage w = _wallets[wallet];
        uint256 word = w.packed;
        uint256 frozen = _frozenIn(word);
        if (frozen == 0) return;
        uint256 balance = _balanceIn(word);
        uint256 available = balance > frozen ? balance - frozen : 0;
        // When amount > balance nothing is released: the move reverts with ERC20InsufficientBalance.
        if (amount > available && amount <= balance) {
            uint256 release = amount - available; // <= frozen since amount <= balance
            w.packed = _withFrozen(word, frozen - release);
            emit TokensUnfrozen(wallet, release);
            emit Frozen(wallet, frozen - release);
        }
    }

    /// @dev EIP-712 domain name of permits: this clone's own name (not an implementation immutable).
    function _EIP712Name() internal view override returns (string memory) {
        return name();
    }

    /// @dev EIP-712 domain version of permits.
    function _EIP712Version() internal pure override returns (string memory) {
        return "1";
    }

    /// @dev Reverts unless the caller is the asset's agent (read from the registry on every call).
    function _checkAgent() private view {
        Args memory a = _args();
        if (msg.sender != a.registry.agentOf(a.assetId)) revert NotAgent(a.assetId, msg.sender);
    }

    /// @dev The compliance parameters as the `Config` views and events show them.
    function _configView() private view returns (Config memory) {
        uint256 core = _core;
        return
            Config(
                _flagsIn(core) & ELIGIBILITY_REQUIRED != 0,
                uint32(_maxHoldersIn(core)),
                _lockupIn(core),
                _supply.mintLockPeriod,
                _capIn(_limits)
            );
    }

    /// @dev The clone's immutable arguments, `abi.encode(assetId, registry, identityRegistry)` appended to the
    ///      ERC-1167 code (what `Clones.fetchCloneArgs` returns, read in one EXTCODECOPY); zero on the
    ///      implementation, which has none.
    function _args() private view returns (Args memory a) {
        if (address(this) == _self) return a;
        assembly ("memory-safe") {
            extcodecopy(address(), a, 0x2d, 0x60)
        }
    }
}
