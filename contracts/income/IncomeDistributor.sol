// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IAssetShares} from "../interfaces/IAssetShares.sol";
import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";
import {IIncomeHooks} from "../interfaces/IIncomeHooks.sol";
import {IIncomeLedger} from "../interfaces/IIncomeLedger.sol";
import {IIncomeSource} from "../interfaces/IIncomeSource.sol";
import {BPS, MAX_FEE_BPS, MAX_RESERVE_CAP_BPS} from "../common/Constants.sol";
import {IAssetVault} from "../interfaces/IAssetVault.sol";
import {AssetVaults, vaultAddress} from "../custody/AssetVaults.sol";
import {IAssetVaults} from "../interfaces/IAssetVaults.sol";

/// @title IncomeDistributor
/// @notice Splits every asset's income among its share holders, pull-based and in O(1) per claim,
///         keeps each asset's maintenance reserve and protocol fee, and pays out buyout proceeds
///         when an asset is sold and retired.
///
/// @dev ## Accounting (ERC-2222 "magnified income per share")
///      Per (asset, payout token) the contract keeps `magnifiedPerShare`, the income per share since
///      the first deposit, scaled by `MAGNITUDE` (2**128). A holder's accrued income is
///      `(magnifiedPerShare * balance + correction) / MAGNITUDE`, minus what it already withdrew.
///      The share token calls {onSharesTransfer} BEFORE every balance change; the hook moves
///      `magnifiedPerShare * amount` between the two holders' signed corrections, so what each
///      holder accrued before the move is unchanged by it (mints and burns are moves from/to 0).
///
///      ## Where every wei goes (per asset and token)
///      `received = reserve + fee + toHolders` exactly (carve-outs in whole units of their running
///      totals, each carrying its part below one unit to the next deposit ({carriedOf}), so how
///      deposits are split changes neither; the remainder to holders). `reserve` accumulates in
///      {reserveOf} and only leaves via {withdrawReserve}; `fee` accumulates in {feesOf} and only
///      leaves via {claimFees}. `toHolders` is added to
///      `distributed`; magnified, it is divided by the current supply: the quotient raises
///      `magnifiedPerShare`, the remainder (< supply, i.e. < supply / 2**128 wei) is added to
///      `remainder` and never distributed. Hence the sum over all holders of their magnified
///      entitlement is exactly `distributed * MAGNITUDE - remainder`, and each holder's magnified
///      entitlement is at most its exact rational share of the deposits made while it held shares
///      (no carry-over can favour a later holder). Each entitlement is rounded down to whole wei,
///      so `distributed = claimed + sum(claimable) + dust`, `dust` being below one wei per holder
///      account that ever held shares plus `remainder / MAGNITUDE`; a holder is short of its exact
///      share by at most 1 wei. Nothing ever pays out more than was deposited.
///      {incomeAccountingOf} exposes `distributed`, `claimed` and `remainder`.
///
///      ## Several payout tokens: bounded correction loop
///      Each asset accepts at most `MAX_PAYOUT_TOKENS` (4) distinct payout tokens (ETH counts as one),
///      registered for that asset and never removed. The transfer hook updates the corrections of
///      each registered token: at most 4 x 2 storage writes, so a share transfer costs a bounded
///      amount of gas, while a claim reads one token's slots only (O(1), independent of the number
///      of holders). A per-holder lazy checkpoint would cost the same writes per token on transfer,
///      so the simpler bounded list is used.
///      Only the asset's agent registers a payout token: explicitly ({registerPayoutToken}) or by
///      making the first deposit in it. Anyone may deposit in a registered token; a third party's
///      deposit in an unregistered one is refused ({TokenNotRegistered}). Otherwise anyone could
///      fill an asset's four slots with 1-wei deposits of other allowlisted tokens and lock the
///      asset out of the token its rent is actually paid in.
///
///      ## Magnitude bounds
///      A deposit is refused ({DepositTooLarge}) if its holders' part is 2**128 or more, or if
///      `magnifiedPerShare * totalSupply * 2**SUPPLY_HEADROOM_BITS` would no longer fit an int256
///      (at constant supply: more than 2**95 wei, 4e10 tokens of 18 decimals, of cumulative income
///      per asset and token). So `magnifiedPerShare * amount` in the hook and in claims cannot
///      overflow unless the share supply later grows more than 2**32 times above its size at the
///      last deposit; past that, the hook or claim involving such amounts reverts (SafeCast) rather
///      than mis-account. Within the bounds, deposits fail loudly instead of share transfers failing
///      later.
///
///      ## Refusals and choices
///      - Money for an asset (income {deposit}, {depositBuyout}) is accepted only if the asset's
///        share token reports this contract as its income hook (`IAssetShares.incomeHooks()`),
///        else refused ({SharesNotHooked}): shares created while the factory had no hook (or
///        another one) never call {onSharesTransfer}, so holders' corrections would not move with
///        the shares (a holder could claim, move the shares and claim again) and `redeemFor` could
///        never be called (buyout proceeds locked). The hook is read with a staticcall that copies
///        at most one word: a token that reverts, has no code, or returns anything but exactly
///        this address is refused. Deposits check it once per asset, when the share token is first cached
///        (first deposit; the registry records an asset's shares once and AssetShares fixes its
///        hook at creation), a buyout checks it in its own call.
///      - A deposit while the asset has no shares (`totalSupply == 0`) is refused ({NoShares}):
///        there is nobody to accrue to, and holding it would favour the first minter.
///      - A deposit for a retired asset is refused ({AssetIsRetired}): shares are being redeemed, so
///        the supply no longer represents the holders.
///      - Fee-on-transfer tokens are refused ({FeeOnTransferToken}): a pull is credited only when
///        exactly its amount arrived in the asset's vault, which the custodies share (a balance
///        difference could count another controller's money). Rebasing tokens cannot
///        be detected: a positive rebase stays unallocated in the vault, a negative rebase would
///        leave the last claimers short. Allowlisting only plain tokens is governance's responsibility.
///      - Buyout proceeds bear no carve-outs: they are the holders' capital, not income.
///      - Buyout dust (`proceeds - paid`, below one wei per redeemer) is swept only by governance
///        (DEFAULT_ADMIN_ROLE), only after every share counted at retirement was redeemed.
///      - Share-token recovery must call {onRecovery} and then move the balance through the normal
///        path that calls {onSharesTransfer}: the first moves the whole-wei unclaimed income, the
///        second the balance (and with it all future income).
///
///      ## Known properties
///      - Income accrues to whoever holds shares at the moment of a deposit (as in ERC-2222): a
///        share bought just before a deposit earns it.
///      - Income rounding dust (below one wei per holder account) stays in the asset's vault, and
///        tokens sent to this contract or to a vault outside {deposit} stay there: sweeping them
///        would need a ledger of every asset's obligations in each vault, which is kept but never
///        compared against the vault's balance on chain (rebasing, donations); left out for
///        simplicity.
///      - The reserve and unclaimed fees of a retired asset stay withdrawable/claimable as before.
///
///      ## Custody per asset and parallel execution
///      All state written by deposits, claims, hooks, reserve withdrawals and redemptions is keyed
///      by asset (and token, holder). The funds are held per asset too: each asset has its own
///      {AssetVault}, a minimal clone deployed by this contract's {AssetVaults} at a CREATE2 address
///      (salt = assetId, {vaultOf}) with the asset's first money, in any part ({VaultCreated}). The
///      vault is shared with the maintenance and rental custodies named once by governance
///      ({setCustodians}); each keeps its own accounting, and money moving between them is
///      accounting only ({depositHeld}; {withdrawReserve} into the vault). Every pull goes into the
///      asset's vault (ERC-20 `transferFrom` straight to it, refused unless exactly the amount
///      arrives; ETH arrives with msg.value and is forwarded to it in the same call) and every
///      payout leaves from it. So operations on
///      different assets never write the same storage slot, here or in a payout token (distinct
///      `_balances[vault]` slots). ETH deposits still pass through this contract's ETH balance
///      within the transaction (credited by msg.value, debited by the forward: net unchanged);
///      ETH payouts leave from the vault's balance.
contract IncomeDistributor is IIncomeDistributor, IIncomeHooks, IIncomeLedger, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @inheritdoc IIncomeLedger
    bytes32 public constant RESERVE_SPENDER_ROLE = keccak256("RESERVE_SPENDER_ROLE");
    /// @inheritdoc IIncomeLedger
    uint256 public constant MAGNITUDE = 2 ** 128;
    /// @inheritdoc IIncomeLedger
    uint256 public constant MAX_PAYOUT_TOKENS = 4;
    /// @inheritdoc IIncomeLedger
    uint256 public constant SUPPLY_HEADROOM_BITS = 32;

    /// @notice Income state of one (asset, payout token). The token's income per share and its holders'
    ///         positions are kept by the token's position in the asset's list (`AssetState`), so the
    ///         transfer hook never reads the token's address.
    /// @param position 1 + the token's index in the asset's `payoutTokens`; 0 = not registered.
    /// @param claimed Total paid to holders (claims and redemptions); beside `position`, which every
    ///        claim reads, so a claim reads one slot for both. At most `distributed`, checked to 248
    ///        bits on every write (SafeCast).
    /// @param remainder Sum over deposits of the magnified remainder `toHolders * MAGNITUDE % supply`,
    ///        never distributed (each is < supply / MAGNITUDE wei).
    /// @param distributed Total credited to holders (net of carve-outs).
    /// @param reserve Maintenance reserve held.
    /// @param reserveCarried The reserve's part below one token unit, in 1/BPS of a unit, carried to the next
    ///        deposit: `reserve * BPS + reserveCarried` is exactly the sum of `received * rate` over deposits, so
    ///        however deposits are split (a rental's rent arrives at each `collect`, which anyone may call) the
    ///        reserve is the same.
    /// @param fees Protocol fee held for the fee recipient.
    /// @param feeCarried The fee's part not yet taken, in 1/BPS of a unit, carried likewise (it may exceed one
    ///        unit after a deposit too small to pay both its reserve and its fee: the fee waits for the next).
    struct TokenState {
        uint8 position;
        uint248 claimed;
        uint256 remainder;
        uint256 distributed;
        uint224 reserve;
        uint32 reserveCarried;
        uint224 fees;
        uint32 feeCarried;
    }

    /// @notice One holder's account in one (asset, payout token).
    struct HolderState {
        int256 correction;
        uint256 withdrawn;
    }

    /// @notice Per-asset configuration, cached share token and the per-token accounting the transfer
    ///         hook reads, all keyed by the payout token's index `i` in `payoutTokens` (fixed once
    ///         registered: tokens are never removed). The share token, the reserve rate and the number of
    ///         payout tokens share one slot, so the hook reads the caller check and the token count in one
    ///         cold read; then, per token, `magnifiedPerShare[i]` and the two holders' `holders[h][i]`.
    /// @param magnifiedPerShare Cumulative income per share of token `i`, times MAGNITUDE.
    /// @param holders Each holder's account in token `i`.
    struct AssetState {
        address shares;
        uint16 reserveBps;
        uint8 payoutTokenCount;
        address[MAX_PAYOUT_TOKENS] payoutTokens;
        uint256[MAX_PAYOUT_TOKENS] magnifiedPerShare;
        mapping(address holder => HolderState[MAX_PAYOUT_TOKENS]) holders;
    }

    /// @inheritdoc IIncomeLedger
    IAssetRegistry public immutable registry;
    /// @inheritdoc IIncomeLedger
    IAssetVaults public immutable vaults;

    /// @inheritdoc IIncomeLedger
    address public feeRecipient;
    /// @inheritdoc IIncomeLedger
    uint16 public protocolFeeBps;
    /// @inheritdoc IIncomeLedger
    uint16 public maxReserveBps;

    /// @inheritdoc IIncomeLedger
    mapping(address token => bool) public isPayoutToken;

    mapping(uint256 assetId => AssetState) private _assets;
    mapping(uint256 assetId => mapping(address token => TokenState)) private _tokens;
    mapping(uint256 assetId => Buyout) private _buyouts;

    /// @notice Sets the registry, governance and the initial fee settings.
    /// @param registry_ The asset registry (must grant this contract BUYOUT_ROLE for buyouts).
    /// @param governance Holder of DEFAULT_ADMIN_ROLE.
    /// @param feeRecipient_ Receiver of protocol fees.
    /// @param protocolFeeBps_ Initial protocol fee (<= MAX_FEE_BPS, common/Constants.sol).
    /// @param maxReserveBps_ Initial reserve cap (<= MAX_RESERVE_CAP_BPS).
    constructor(
        IAssetRegistry registry_,
        address governance,
        address feeRecipient_,
        uint16 protocolFeeBps_,
        uint16 maxReserveBps_
    ) {
        if (address(registry_) == address(0) || governance == address(0) || feeRecipient_ == address(0)) {
            revert ZeroAddress();
        }
        if (protocolFeeBps_ > MAX_FEE_BPS) revert FeeAboveCap(protocolFeeBps_, uint16(MAX_FEE_BPS));
        if (maxReserveBps_ > MAX_RESERVE_CAP_BPS)
            revert ReserveCapAboveCeiling(maxReserveBps_, uint16(MAX_RESERVE_CAP_BPS));
        registry = registry_;
        // First creation (nonce 1): the custodies and the escrow derive the vaults from this contract's address.
        vaults = new AssetVaults();
        feeRecipient = feeRecipient_;
        protocolFeeBps = protocolFeeBps_;
        maxReserveBps = maxReserveBps_;
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        emit FeeRecipientSet(address(0), feeRecipient_);
        emit ProtocolFeeSet(0, protocolFeeBps_);
        emit MaxReserveSet(0, maxReserveBps_);
    }

    // ------------------------------------------------------------------------------------------
    // Governance
    // ------------------------------------------------------------------------------------------

    /// @inheritdoc IIncomeLedger
    function setPayoutToken(address token, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (token == address(0)) revert ZeroAddress();
        isPayoutToken[token] = allowed;
        emit PayoutTokenSet(token, allowed);
    }

    /// @inheritdoc IIncomeLedger
    function setProtocolFee(uint16 bps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (bps > MAX_FEE_BPS) revert FeeAboveCap(bps, uint16(MAX_FEE_BPS));
        emit ProtocolFeeSet(protocolFeeBps, bps);
        protocolFeeBps = bps;
    }

    /// @inheritdoc IIncomeLedger
    function setMaxReserve(uint16 bps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (bps > MAX_RESERVE_CAP_BPS) revert ReserveCapAboveCeiling(bps, uint16(MAX_RESERVE_CAP_BPS));
        emit MaxReserveSet(maxReserveBps, bps);
        maxReserveBps = bps;
    }

    /// @inheritdoc IIncomeLedger
    function setFeeRecipient(address recipient) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (recipient == address(0)) revert ZeroAddress();
        emit FeeRecipientSet(feeRecipient, recipient);
        feeRecipient = recipient;
    }

    /// @inheritdoc IIncomeLedger
    function sweepBuyoutDust(
        uint256 assetId,
        address to
    ) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        Buyout storage b = _buyouts[assetId];
        if (b.supplyAtRetire == 0) revert NotRetired(assetId);
        if (b.redeemedShares < b.supplyAtRetire) revert SharesOutstanding(assetId, b.supplyAtRetire - b.redeemedShares);
        amount = b.proceeds - b.paid;
        if (amount == 0) revert NoDust(assetId);
        b.paid = b.proceeds;
        emit BuyoutDustSwept(assetId, b.token, to, amount);
        _pay(vaultOf(assetId), b.token, to, amount);
    }

    // ------------------------------------------------------------------------------------------
    // Agent
    // ------------------------------------------------------------------------------------------

    /// @inheritdoc IIncomeLedger
    function setReserveRate(uint256 assetId, uint16 bps) external {
        _onlyAgent(assetId);
        if (bps > maxReserveBps) revert ReserveAboveCap(bps, maxReserveBps);
        _assets[assetId].reserveBps = bps;
        emit ReserveRateSet(assetId, bps);
    }

    /// @inheritdoc IIncomeLedger
    function registerPayoutToken(uint256 assetId, address token) external {
        _onlyAgent(assetId);
        if (token != address(0) && !isPayoutToken[token]) revert TokenNotAllowed(token);
        if (_tokens[assetId][token].position != 0) revert AlreadyRegistered(assetId, token);
        _register(assetId, token);
    }

    /// @inheritdoc IIncomeLedger
    function depositBuyout(uint256 assetId, address token, uint256 proceeds) external payable nonReentrant {
        _onlyAgent(assetId);
        if (proceeds == 0) revert ZeroAmount();
        IAssetRegistry.AssetStatus status = registry.statusOf(assetId);
        if (status == IAssetRegistry.AssetStatus.Retired) revert AssetIsRetired(assetId);
        if (token != address(0) && !isPayoutToken[token]) revert TokenNotAllowed(token);
        address shares = _hookedSharesOf(assetId);
        uint256 supply = IERC20(shares).totalSupply();
        if (supply == 0) revert NoShares(assetId);
        address vault = vaultOf(assetId);
        // The buyout may be the asset's first pull (no income deposit ever).
        if (vault.code.length == 0) vaults.createVault(assetId);
        uint256 received = _pull(vault, token, proceeds);
        _buyouts[assetId] = Buyout({
            token: token,
            proceeds: received,
            supplyAtRetire: supply,
            redeemedShares: 0,
            paid: 0
        });
        emit BuyoutDeposited(assetId, token, msg.sender, proceeds, received, supply);
        registry.retire(assetId);
    }

    // ------------------------------------------------------------------------------------------
    // Income
    // ------------------------------------------------------------------------------------------

    /// @inheritdoc IIncomeDistributor
    /// @dev Anyone may deposit in the asset's registered payout tokens; the agent's first deposit
    ///      in a new accepted token registers it. Refused: zero amount, unknown or retired asset, no
    ///      share token or one whose income hook is not this contract, no shares, token not accepted
    ///      or not registered, a fifth payout token, ETH amount mismatch,
    ///      ETH with an ERC-20 deposit, nothing received, magnitude bounds exceeded.
    function deposit(
        uint256 assetId,
        address token,
        uint256 amount
    ) external payable nonReentrant returns (uint256 toHolders) {
        (uint256 i, uint256 supply) = _admit(assetId, token, amount);
        toHolders = _credit(assetId, token, i, amount, _pull(vaultOf(assetId), token, amount), supply);
    }

    /// @inheritdoc IIncomeDistributor
    /// @dev Refused as `deposit` (the source, as `msg.sender`, registers a new token only if it is the agent), and
    ///      ETH. The callback runs under this contract's re-entrancy guard, so the source cannot re-enter it; what
    ///      must arrive is exactly `amount` (the vault's balance difference across the callback; anything else is
    ///      refused with `FeeOnTransferToken`).
    function depositFromSource(
        uint256 assetId,
        address token,
        uint256 amount
    ) external nonReentrant returns (uint256 toHolders) {
        if (token == address(0)) revert TokenNotAllowed(token);
        (uint256 i, uint256 supply) = _admit(assetId, token, amount);
        address vault = vaultOf(assetId);
        uint256 before = IERC20(token).balanceOf(vault);
        IIncomeSource(msg.sender).payIncome(assetId, token, amount, vault);
        toHolders = _credit(assetId, token, i, amount, _arrived(vault, token, before, amount), supply);
    }

    /// @inheritdoc IIncomeDistributor
    /// @dev Refused as `deposit` (a custodian registers no token), and from anyone but a custodian.
    function depositHeld(
        uint256 assetId,
        address token,
        uint256 amount
    ) external nonReentrant returns (uint256 toHolders) {
        if (!vaults.isCustodian(msg.sender)) revert NotController(msg.sender);
        (uint256 i, uint256 supply) = _admit(assetId, token, amount);
        toHolders = _credit(assetId, token, i, amount, amount, supply);
    }

    /// @inheritdoc IIncomeLedger
    function setCustodians(address maintenance, address rental) external onlyRole(DEFAULT_ADMIN_ROLE) {
        vaults.setCustodians(maintenance, rental);
    }

    /// @dev The checks of an income deposit of `amount` in `token` for `assetId`: amount, asset status, token
    ///      allowlist, hooked share token (cached, and the asset's vault deployed, on the first deposit), supply, and
    ///      the token's registration (the agent's deposit registers it). Returns the token's index and the supply.
    function _admit(uint256 assetId, address token, uint256 amount) private returns (uint256 i, uint256 supply) {
        if (amount == 0) revert ZeroAmount();
        IAssetRegistry.AssetStatus status = registry.statusOf(assetId);
        if (status == IAssetRegistry.AssetStatus.None) revert UnknownAsset(assetId);
        if (status == IAssetRegistry.AssetStatus.Retired) revert AssetIsRetired(assetId);
        if (token != address(0) && !isPayoutToken[token]) revert TokenNotAllowed(token);
        AssetState storage a = _assets[assetId];
        address shares = a.shares;
        if (shares == address(0)) {
            // First deposit of the asset: check and cache its share token and deploy its vault
            // (unless a buyout did; then the asset is retired and was refused above).
            shares = _hookedSharesOf(assetId);
            a.shares = shares;
            if (vaultOf(assetId).code.length == 0) vaults.createVault(assetId);
        }
        supply = IERC20(shares).totalSupply();
        if (supply == 0) revert NoShares(assetId);
        uint256 position = _tokens[assetId][token].position;
        if (position == 0) {
            if (msg.sender != registry.agentOf(assetId)) revert TokenNotRegistered(assetId, token);
            position = _register(assetId, token);
        }
        i = position - 1;
    }

    /// @dev Splits `received` at the rates in force now and spreads the holders' part over `supply`, recording the
    ///      magnified rounding remainder.
    function _credit(
        uint256 assetId,
        address token,
        uint256 i,
        uint256 amount,
        uint256 received,
        uint256 supply
    ) private returns (uint256 toHolders) {
        AssetState storage a = _assets[assetId];
        TokenState storage t = _tokens[assetId][token];
        (uint256 reserve, uint256 fee) = _carveOut(t, received, Math.min(a.reserveBps, maxReserveBps));
        toHolders = received - reserve - fee;
        if (toHolders >= MAGNITUDE) revert DepositTooLarge(assetId, token);
        uint256 magnified = toHolders * MAGNITUDE;
        uint256 perShare = a.magnifiedPerShare[i] + magnified / supply;
        if (perShare > (uint256(type(int256).max) / supply) >> SUPPLY_HEADROOM_BITS) {
            revert DepositTooLarge(assetId, token);
        }
        a.magnifiedPerShare[i] = perShare;
        t.remainder += magnified % supply;
        t.distributed += toHolders;

        emit IncomeDeposited(assetId, token, msg.sender, amount, received, reserve, fee, toHolders);
    }

    /// @dev Takes the reserve (at `reserveBps`) and the protocol fee out of `received`, as whole units of their
    ///      running totals: what each carries below one unit goes into the next deposit's split, so splitting a
    ///      deposit in many changes neither; holders get the rest. The reserve is at most half of `received` plus a
    ///      carry below one unit, so it never exceeds `received`; the fee takes at most what the reserve leaves and
    ///      carries the rest to the next deposit.
    function _carveOut(
        TokenState storage t,
        uint256 received,
        uint256 reserveBps
    ) private returns (uint256 reserve, uint256 fee) {
        uint256 scaled = received * reserveBps + t.reserveCarried;
        reserve = scaled / BPS;
        t.reserveCarried = uint32(scaled % BPS);
        scaled = received * protocolFeeBps + t.feeCarried;
        fee = Math.min(scaled / BPS, received - reserve);
        t.feeCarried = (scaled - fee * BPS).toUint32();
        // reserve + fee <= received, which the caller's MAGNITUDE check keeps below 2^130: far below 2^224.
        t.reserve += uint224(reserve);
        t.fees += uint224(fee);
    }

    /// @inheritdoc IIncomeLedger
    function claim(uint256 assetId, address token, address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        uint256 position = _tokens[assetId][token].position; // 0: not registered, nothing to claim
        if (position != 0) {
            amount = _settle(assetId, token, position - 1, msg.sender, _balanceOf(assetId, msg.sender), to);
        }
        if (amount == 0) revert NothingToClaim(assetId, token, msg.sender);
        _pay(vaultOf(assetId), token, to, amount);
    }

    /// @inheritdoc IIncomeLedger
    function claimFees(uint256 assetId, address token, address to) external nonReentrant returns (uint256 amount) {
        if (msg.sender != feeRecipient) revert NotFeeRecipient(msg.sender);
        if (to == address(0)) revert ZeroAddress();
        TokenState storage t = _tokens[assetId][token];
        amount = t.fees;
        if (amount == 0) revert NothingToClaim(assetId, token, msg.sender);
        t.fees = 0;
        emit FeesClaimed(assetId, token, to, amount);
        _pay(vaultOf(assetId), token, to, amount);
    }

    /// @inheritdoc IIncomeDistributor
    /// @dev RESERVE_SPENDER_ROLE only.
    function withdrawReserve(
        uint256 assetId,
        address token,
        uint256 amount,
        address to
    ) external onlyRole(RESERVE_SPENDER_ROLE) nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        TokenState storage t = _tokens[assetId][token];
        uint256 available = t.reserve;
        if (amount > available) revert InsufficientReserve(assetId, token, amount, available);
        t.reserve = uint224(available - amount);
        emit ReserveWithdrawn(assetId, token, msg.sender, to, amount);
        address vault = vaultOf(assetId);
        // Into the shared vault itself: the money stays, the custodian calling counts it from now on.
        if (to != vault) _pay(vault, token, to, amount);
        else if (!vaults.isCustodian(msg.sender)) revert NotController(msg.sender);
    }

    // ------------------------------------------------------------------------------------------
    // Redemption
    // ------------------------------------------------------------------------------------------

    /// @inheritdoc IIncomeLedger
    function redeem(uint256 assetId, address to) external nonReentrant returns (uint256 proceeds) {
        if (to == address(0)) revert ZeroAddress();
        Buyout storage b = _buyouts[assetId];
        if (b.supplyAtRetire == 0) revert NotRetired(assetId);
        address shares = _sharesOf(assetId);
        uint256 balance = IERC20(shares).balanceOf(msg.sender);
        if (balance == 0) revert NothingToRedeem(assetId, msg.sender);
        uint256 redeemed = b.redeemedShares + balance;
        if (redeemed > b.supplyAtRetire) revert RedeemExceedsSnapshot(assetId);

        // Effects: proceeds, then income in every payout token (settled at the pre-burn balance;
        // the burn hook keeps accrual unchanged).
        proceeds = Math.mulDiv(b.proceeds, balance, b.supplyAtRetire);
        b.redeemedShares = redeemed;
        b.paid += proceeds;
        emit Redeemed(assetId, msg.sender, to, balance, proceeds);
        AssetState storage a = _assets[assetId];
        uint256 n = a.payoutTokenCount;
        uint256[] memory income = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            income[i] = _settle(assetId, a.payoutTokens[i], i, msg.sender, balance, to);
        }

        // Interactions: burn through the share token (trusted, from the registry), then pay.
        uint256 burned = IAssetShares(shares).redeemFor(msg.sender);
        if (burned != balance) revert RedeemMismatch(balance, burned);
        _payRedemption(assetId, b.token, to, proceeds, income);
    }

    /// @dev Pays a redemption from the asset's vault: income in the proceeds' token together with
    ///      the proceeds (one transfer), income in each other payout token separately.
    function _payRedemption(
        uint256 assetId,
        address proceedsToken,
        address to,
        uint256 proceeds,
        uint256[] memory income
    ) private {
        address[MAX_PAYOUT_TOKENS] storage tokens = _assets[assetId].payoutTokens;
        address vault = vaultOf(assetId);
        uint256 withProceeds = proceeds;
        for (uint256 i = 0; i < income.length; ++i) {
            if (income[i] == 0) continue;
            if (tokens[i] == proceedsToken) withProceeds += income[i];
            else _pay(vault, tokens[i], to, income[i]);
        }
        if (withProceeds != 0) _pay(vault, proceedsToken, to, withProceeds);
    }

    // ------------------------------------------------------------------------------------------
    // Hooks (share token only)
    // ------------------------------------------------------------------------------------------

    /// @inheritdoc IIncomeHooks
    /// @dev Moves `magnifiedPerShare * amount` between the signed corrections of `from` and `to`
    ///      for each of the asset's payout tokens (<= MAX_PAYOUT_TOKENS): accrual of both is
    ///      unchanged. The share token's Transfer event records the move; no extra event here.
    ///      Reads, per token, only the slots keyed by its index (never the token's address).
    function onSharesTransfer(uint256 assetId, address from, address to, uint256 amount) external {
        AssetState storage a = _assets[assetId];
        address cached = a.shares;
        uint256 n = a.payoutTokenCount; // same slot as the cached share token
        if (msg.sender != cached || cached == address(0)) _onlyShares(assetId);
        if (amount == 0 || from == to) return;
        HolderState[MAX_PAYOUT_TOKENS] storage sender = a.holders[from];
        HolderState[MAX_PAYOUT_TOKENS] storage recipient = a.holders[to];
        for (uint256 i = 0; i < n; ++i) {
            int256 delta = (a.magnifiedPerShare[i] * amount).toInt256();
            if (from != address(0)) sender[i].correction += delta;
            if (to != address(0)) recipient[i].correction -= delta;
        }
    }

    /// @inheritdoc IIncomeHooks
    /// @dev Moves exactly the accrued, unclaimed income of `lost` (each payout token) to
    ///      `replacement` by shifting whole-wei multiples of MAGNITUDE between their corrections.
    ///      The share balance itself moves afterwards through {onSharesTransfer}.
    function onRecovery(uint256 assetId, address lost, address replacement) external {
        _onlyShares(assetId);
        if (replacement == address(0)) revert ZeroAddress();
        if (lost == replacement) return;
        AssetState storage a = _assets[assetId];
        uint256 n = a.payoutTokenCount;
        uint256 balance = _balanceOf(assetId, lost);
        for (uint256 i = 0; i < n; ++i) {
            uint256 owed = _claimable(assetId, i, lost, balance);
            if (owed == 0) continue;
            int256 delta = (owed * MAGNITUDE).toInt256();
            a.holders[lost][i].correction -= delta;
            a.holders[replacement][i].correction += delta;
            emit EntitlementMoved(assetId, a.payoutTokens[i], lost, replacement, owed);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------

    /// @inheritdoc IIncomeDistributor
    function reserveOf(uint256 assetId, address token) external view returns (uint256) {
        return _tokens[assetId][token].reserve;
    }

    /// @inheritdoc IIncomeLedger
    function feesOf(uint256 assetId, address token) external view returns (uint256) {
        return _tokens[assetId][token].fees;
    }

    /// @inheritdoc IIncomeLedger
    function carriedOf(uint256 assetId, address token) external view returns (uint256 reserve, uint256 fee) {
        TokenState storage t = _tokens[assetId][token];
        return (t.reserveCarried, t.feeCarried);
    }

    /// @inheritdoc IIncomeLedger
    function claimableOf(uint256 assetId, address token, address holder) external view returns (uint256) {
        uint256 position = _tokens[assetId][token].position;
        if (position == 0) return 0;
        return _claimable(assetId, position - 1, holder, _balanceOf(assetId, holder));
    }

    /// @inheritdoc IIncomeLedger
    function withdrawnOf(uint256 assetId, address token, address holder) external view returns (uint256) {
        uint256 position = _tokens[assetId][token].position;
        if (position == 0) return 0;
        return _assets[assetId].holders[holder][position - 1].withdrawn;
    }

    /// @inheritdoc IIncomeLedger
    function incomeAccountingOf(
        uint256 assetId,
        address token
    ) external view returns (uint256 magnifiedPerShare, uint256 distributed, uint256 claimed, uint256 remainder) {
        TokenState storage t = _tokens[assetId][token];
        if (t.position != 0) magnifiedPerShare = _assets[assetId].magnifiedPerShare[t.position - 1];
        return (magnifiedPerShare, t.distributed, t.claimed, t.remainder);
    }

    /// @inheritdoc IIncomeDistributor
    /// @dev Also false once the asset's share token exists and does not report this contract as its
    ///      income hook ({SharesNotHooked}: such an asset can never take income).
    function acceptsIncome(uint256 assetId, address token) external view returns (bool) {
        return
            registry.statusOf(assetId) != IAssetRegistry.AssetStatus.None &&
            (token == address(0) || isPayoutToken[token]) &&
            _tokens[assetId][token].position != 0 &&
            !incomeClosed(assetId);
    }

    /// @inheritdoc IIncomeDistributor
    function incomeClosed(uint256 assetId) public view returns (bool) {
        if (registry.statusOf(assetId) == IAssetRegistry.AssetStatus.Retired) return true;
        address shares = registry.sharesOf(assetId);
        return shares != address(0) && !_hooked(shares);
    }

    /// @inheritdoc IIncomeLedger
    function payoutTokensOf(uint256 assetId) external view returns (address[] memory tokens) {
        AssetState storage a = _assets[assetId];
        tokens = new address[](a.payoutTokenCount);
        for (uint256 i = 0; i < tokens.length; ++i) tokens[i] = a.payoutTokens[i];
    }

    /// @inheritdoc IIncomeLedger
    function reserveRateOf(uint256 assetId) external view returns (uint16) {
        return _assets[assetId].reserveBps;
    }

    /// @inheritdoc IIncomeLedger
    function buyoutOf(uint256 assetId) external view returns (Buyout memory) {
        return _buyouts[assetId];
    }

    /// @inheritdoc IIncomeLedger
    function buyoutRemainingOf(uint256 assetId) external view returns (uint256) {
        Buyout storage b = _buyouts[assetId];
        return b.proceeds - b.paid;
    }

    // ------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------

    /// @dev Marks `holder`'s claimable income in `token` (index `i` of the asset's payout tokens) as
    ///      withdrawn and returns it (0 if none).
    function _settle(
        uint256 assetId,
        address token,
        uint256 i,
        address holder,
        uint256 balance,
        address to
    ) private returns (uint256 amount) {
        amount = _claimable(assetId, i, holder, balance);
        if (amount == 0) return 0;
        _assets[assetId].holders[holder][i].withdrawn += amount;
        TokenState storage t = _tokens[assetId][token];
        t.claimed = (t.claimed + amount).toUint248();
        emit IncomeClaimed(assetId, token, holder, to, amount);
    }

    /// @dev What `holder` (holding `balance` shares) can claim in payout token number `i` of the asset.
    function _claimable(uint256 assetId, uint256 i, address holder, uint256 balance) private view returns (uint256) {
        AssetState storage a = _assets[assetId];
        HolderState storage h = a.holders[holder][i];
        int256 magnified = (a.magnifiedPerShare[i] * balance).toInt256() + h.correction;
        // `magnified` is never negative: corrections only remove what the holder accrued.
        uint256 accrued = SafeCast.toUint256(magnified) / MAGNITUDE;
        return accrued - h.withdrawn;
    }

    function _balanceOf(uint256 assetId, address holder) private view returns (uint256) {
        address shares = _assets[assetId].shares;
        // No deposit yet: nothing accrued whatever the balance.
        if (shares == address(0)) return 0;
        return IERC20(shares).balanceOf(holder);
    }

    /// @dev Adds `token` to the asset's payout tokens and returns its position (1 + its index).
    function _register(uint256 assetId, address token) private returns (uint256 position) {
        AssetState storage a = _assets[assetId];
        uint256 n = a.payoutTokenCount;
        if (n >= MAX_PAYOUT_TOKENS) revert TooManyPayoutTokens(assetId, token);
        a.payoutTokens[n] = token;
        position = n + 1;
        a.payoutTokenCount = uint8(position);
        _tokens[assetId][token].position = uint8(position);
        emit PayoutTokenRegistered(assetId, token);
    }

    /// @dev Pulls `amount` from the caller into the asset's `vault` (ETH: msg.value, forwarded);
    ///      returns the amount, which arrived exactly (the vault's balance difference, checked).
    function _pull(address vault, address token, uint256 amount) private returns (uint256 received) {
        if (token == address(0)) {
            if (msg.value != amount) revert EthAmountMismatch(amount, msg.value);
            Address.sendValue(payable(vault), amount);
            return amount;
        }
        if (msg.value != 0) revert UnexpectedEth(msg.value);
        uint256 before = IERC20(token).balanceOf(vault);
        IERC20(token).safeTransferFrom(msg.sender, vault, amount);
        return _arrived(vault, token, before, amount);
    }

    /// @dev Checks that exactly `amount` of the ERC-20 `token` arrived in `vault` since its balance was `before`.
    ///      The vault is shared with the custodies: a difference (a fee-on-transfer token, or a token hook making
    ///      another controller pull into the same vault meanwhile) is refused rather than credited.
    ///      A vault another controller paid out of meanwhile reports what it gained, or 0.
    function _arrived(address vault, address token, uint256 before, uint256 amount) private view returns (uint256) {
        uint256 balance = IERC20(token).balanceOf(vault);
        if (balance != before + amount) revert FeeOnTransferToken(amount, balance > before ? balance - before : 0);
        return amount;
    }

    /// @dev Pays `amount` of `token` to `to` from the asset's `vault`. A failed ETH payment reverts
    ///      with the vault's `EthTransferFailed(to, amount)`, same selector as this contract's.
    function _pay(address vault, address token, address to, uint256 amount) private {
        IAssetVault(vault).pay(token, to, amount);
    }

    function _sharesOf(uint256 assetId) private view returns (address shares) {
        shares = registry.sharesOf(assetId);
        if (shares == address(0)) revert NoShareToken(assetId);
    }

    /// @dev The asset's share token, refused ({SharesNotHooked}) unless it reports this contract as
    ///      its income hook. One staticcall of `incomeHooks()`; at most 32 bytes of return data are
    ///      copied. Accepted only when the call succeeded and returned exactly one word equal to this
    ///      address: a reverting token, an account without code, a short, long or dirty answer, or
    ///      any other address is refused.
    function _hookedSharesOf(uint256 assetId) private view returns (address shares) {
        shares = _sharesOf(assetId);
        if (!_hooked(shares)) revert SharesNotHooked(assetId, shares);
    }

    /// @dev Whether `shares` answers `incomeHooks()` with exactly this contract's address.
    function _hooked(address shares) private view returns (bool hooked) {
        bytes4 selector = IAssetShares.incomeHooks.selector;
        assembly ("memory-safe") {
            mstore(0x00, selector)
            let ok := staticcall(gas(), shares, 0x00, 0x04, 0x00, 0x20)
            hooked := and(and(ok, eq(returndatasize(), 0x20)), eq(mload(0x00), address()))
        }
    }

    function _onlyAgent(uint256 assetId) private view {
        if (msg.sender != registry.agentOf(assetId)) revert NotAgent(assetId, msg.sender);
    }

    function _onlyShares(uint256 assetId) private view {
        address cached = _assets[assetId].shares;
        if (msg.sender == cached && cached != address(0)) return;
        if (msg.sender != registry.sharesOf(assetId) || msg.sender == address(0)) {
            revert NotShareToken(assetId, msg.sender);
        }
    }

    /// @inheritdoc IIncomeLedger
    function vaultOf(uint256 assetId) public view returns (address) {
        return vaultAddress(address(this), assetId);
    }

    /// @notice ERC-165: IIncomeDistributor, IIncomeHooks, IIncomeLedger, IAccessControl and IERC165.
    /// @param interfaceId The interface id.
    /// @return True when supported.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return
            interfaceId == type(IIncomeDistributor).interfaceId ||
            interfaceId == type(IIncomeHooks).interfaceId ||
            interfaceId == type(IIncomeLedger).interfaceId ||
            super.supportsInterface(interfaceId);
    }
}
