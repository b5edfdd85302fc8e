// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IPlinthErrors} from "../common/IPlinthErrors.sol";
import {IAssetRegistry} from "./IAssetRegistry.sol";
import {IAssetVaults} from "./IAssetVaults.sol";

/// @title IIncomeLedger
/// @notice The income distributor beyond what depositors and escrows call (`IIncomeDistributor`) and what share
///         tokens call (`IIncomeHooks`): governance settings, the agents' payout tokens, reserve rates and buyouts,
///         the holders' claims and redemptions, the fee recipient's claims, and the accounting views; with the part's
///         types, events and errors. Together with those two, `IAccessControl` and `IERC165`, every external
///         function of `IncomeDistributor` is declared here.
interface IIncomeLedger is IPlinthErrors {
    // ---------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------

    /// @notice Buyout of one asset.
    /// @param token Token of the proceeds (address(0) = ETH).
    /// @param proceeds Proceeds credited (what arrived).
    /// @param supplyAtRetire Share supply when the asset was retired.
    /// @param redeemedShares Shares redeemed so far.
    /// @param paid Proceeds paid so far (including swept dust).
    struct Buyout {
        address token;
        uint256 proceeds;
        uint256 supplyAtRetire;
        uint256 redeemedShares;
        uint256 paid;
    }

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice A token was allowed or disallowed as payout token.
    event PayoutTokenSet(address indexed token, bool allowed);
    /// @notice The protocol fee changed (applies to later deposits only).
    event ProtocolFeeSet(uint16 oldBps, uint16 newBps);
    /// @notice The cap on reserve rates changed (applies to later deposits only).
    event MaxReserveSet(uint16 oldBps, uint16 newBps);
    /// @notice The fee recipient changed.
    event FeeRecipientSet(address indexed oldRecipient, address indexed newRecipient);
    /// @notice An asset's agent set its maintenance reserve rate (applies to later deposits only).
    event ReserveRateSet(uint256 indexed assetId, uint16 reserveBps);
    /// @notice `token` became one of the asset's payout tokens (first deposit in it).
    event PayoutTokenRegistered(uint256 indexed assetId, address indexed token);
    /// @notice Income was deposited and split.
    /// @param amount Amount the depositor asked to move.
    /// @param received Amount that arrived (= amount: other amounts are refused) = reserve + fee + toHolders.
    event IncomeDeposited(
        uint256 indexed assetId,
        address indexed token,
        address indexed depositor,
        uint256 amount,
        uint256 received,
        uint256 reserve,
        uint256 fee,
        uint256 toHolders
    );
    /// @notice `holder` claimed `amount` of income, paid to `to`.
    event IncomeClaimed(
        uint256 indexed assetId,
        address indexed token,
        address indexed holder,
        address to,
        uint256 amount
    );
    /// @notice Accrued, unclaimed income of `lost` moved to `replacement` (lost-wallet recovery).
    event EntitlementMoved(
        uint256 indexed assetId,
        address indexed token,
        address indexed lost,
        address replacement,
        uint256 amount
    );
    /// @notice The reserve spender moved part of an asset's reserve.
    event ReserveWithdrawn(
        uint256 indexed assetId,
        address indexed token,
        address indexed spender,
        address to,
        uint256 amount
    );
    /// @notice The fee recipient claimed an asset's accrued protocol fees.
    event FeesClaimed(uint256 indexed assetId, address indexed token, address indexed to, uint256 amount);
    /// @notice The agent deposited buyout proceeds; the asset is retired.
    event BuyoutDeposited(
        uint256 indexed assetId,
        address indexed token,
        address indexed agent,
        uint256 amount,
        uint256 received,
        uint256 supplyAtRetire
    );
    /// @notice `holder` redeemed `shares` for `proceeds`, paid to `to` (income is in IncomeClaimed).
    event Redeemed(uint256 indexed assetId, address indexed holder, address to, uint256 shares, uint256 proceeds);
    /// @notice Governance swept the buyout's rounding dust after every share was redeemed.
    event BuyoutDustSwept(uint256 indexed assetId, address indexed token, address to, uint256 amount);

    // ---------------------------------------------------------------------------------------------
    // Errors (shared ones: IPlinthErrors)
    // ---------------------------------------------------------------------------------------------

    /// @notice The asset is retired (bought out).
    error AssetIsRetired(uint256 assetId);
    /// @notice The asset is not retired (no buyout yet).
    error NotRetired(uint256 assetId);
    /// @notice The asset has no share token.
    error NoShareToken(uint256 assetId);
    /// @notice The asset's share token does not report this contract as its income hook (it would not
    ///         notify share moves, so income and buyout proceeds could not be paid exactly).
    error SharesNotHooked(uint256 assetId, address shares);
    /// @notice The asset has no shares outstanding: nobody to accrue to.
    error NoShares(uint256 assetId);
    /// @notice A deposit by someone other than the agent in a token not registered for the asset.
    error TokenNotRegistered(uint256 assetId, address token);
    /// @notice The token is already one of the asset's payout tokens.
    error AlreadyRegistered(uint256 assetId, address token);
    /// @notice The deposit would exceed the magnitude bounds of the per-share accounting.
    error DepositTooLarge(uint256 assetId, address token);
    /// @notice The asset already has MAX_PAYOUT_TOKENS payout tokens.
    error TooManyPayoutTokens(uint256 assetId, address token);
    /// @notice For ETH, msg.value must equal amount.
    error EthAmountMismatch(uint256 amount, uint256 value);
    /// @notice ETH was sent with an ERC-20 deposit.
    error UnexpectedEth(uint256 value);
    /// @notice The caller is not the asset's share token.
    error NotShareToken(uint256 assetId, address caller);
    /// @notice The caller is not the fee recipient.
    error NotFeeRecipient(address caller);
    /// @notice Nothing to claim.
    error NothingToClaim(uint256 assetId, address token, address account);
    /// @notice The holder has no shares to redeem.
    error NothingToRedeem(uint256 assetId, address holder);
    /// @notice The share token burned a different amount than the holder's balance.
    error RedeemMismatch(uint256 expected, uint256 burned);
    /// @notice More shares redeemed than existed at retirement (share token fault).
    error RedeemExceedsSnapshot(uint256 assetId);
    /// @notice The reserve holds less than requested.
    error InsufficientReserve(uint256 assetId, address token, uint256 requested, uint256 available);
    /// @notice Reserve rate above the governance cap.
    error ReserveAboveCap(uint16 bps, uint16 cap);
    /// @notice Protocol fee above `MAX_FEE_BPS` (common/Constants.sol).
    error FeeAboveCap(uint16 bps, uint16 cap);
    /// @notice Reserve cap above `MAX_RESERVE_CAP_BPS` (common/Constants.sol).
    error ReserveCapAboveCeiling(uint16 bps, uint16 ceiling);
    /// @notice Buyout dust can be swept only after every share was redeemed.
    error SharesOutstanding(uint256 assetId, uint256 remaining);
    /// @notice No buyout dust left.
    error NoDust(uint256 assetId);

    // ---------------------------------------------------------------------------------------------
    // Functions
    // ---------------------------------------------------------------------------------------------

    /// @notice Role of the maintenance escrow: may move an asset's reserve to a work order.
    /// @return The role id, keccak256("RESERVE_SPENDER_ROLE").
    function RESERVE_SPENDER_ROLE() external view returns (bytes32);

    /// @notice Scale of `magnifiedPerShare`.
    /// @return 2**128.
    function MAGNITUDE() external view returns (uint256);

    /// @notice Most distinct payout tokens one asset may receive income in (ETH included).
    /// @return 4.
    function MAX_PAYOUT_TOKENS() external view returns (uint256);

    /// @notice Growth of the share supply (log2) after a deposit that the accounting must absorb.
    /// @return 32.
    function SUPPLY_HEADROOM_BITS() external view returns (uint256);

    /// @notice The asset registry (agents, status, share tokens; retire()).
    /// @return The registry.
    function registry() external view returns (IAssetRegistry);

    /// @notice The per-asset vaults this contract shares with the maintenance and rental custodies (its first
    ///         creation).
    /// @return The AssetVaults.
    function vaults() external view returns (IAssetVaults);

    /// @notice Names the custodies the asset vaults trust besides this contract, once (`AssetVaults.setCustodians`).
    ///         Only DEFAULT_ADMIN_ROLE.
    /// @param maintenance The MaintenanceCustody, or address(0).
    /// @param rental The RentalCustody, or address(0).
    function setCustodians(address maintenance, address rental) external;

    /// @notice The vault holding `assetId`'s funds for this contract and the custodies (deployed with the asset's
    ///         first money, in any part; the address is fixed before that).
    /// @param assetId The asset.
    /// @return The vault's CREATE2 address (`AssetVaults.vaultOf`).
    function vaultOf(uint256 assetId) external view returns (address);

    /// @notice Receives protocol fees (as claimable balances).
    /// @return The fee recipient.
    function feeRecipient() external view returns (address);

    /// @notice Protocol fee in basis points, taken from every income deposit.
    /// @return The fee in basis points.
    function protocolFeeBps() external view returns (uint16);

    /// @notice Highest reserve rate an agent may set (basis points).
    /// @return The cap in basis points.
    function maxReserveBps() external view returns (uint16);

    /// @notice Whether `token` is accepted as payout token (ETH, address(0), always is).
    /// @param token The token.
    /// @return True when accepted.
    function isPayoutToken(address token) external view returns (bool);

    /// @notice Allows or disallows `token` as payout token (DEFAULT_ADMIN_ROLE). Disallowing stops
    ///         new deposits only; what was deposited stays claimable. Only plain ERC-20 tokens
    ///         (no rebasing, no transfer hooks) should be allowed.
    /// @param token The ERC-20 token (not address(0): ETH is always accepted).
    /// @param allowed Whether deposits in it are accepted.
    function setPayoutToken(address token, bool allowed) external;

    /// @notice Sets the protocol fee for later deposits (DEFAULT_ADMIN_ROLE).
    /// @param bps New fee in basis points (<= `MAX_FEE_BPS`, common/Constants.sol).
    function setProtocolFee(uint16 bps) external;

    /// @notice Sets the cap on agents' reserve rates (DEFAULT_ADMIN_ROLE). An asset whose rate
    ///         is above a lowered cap has its reserve taken at the cap.
    /// @param bps New cap in basis points (<= `MAX_RESERVE_CAP_BPS`, common/Constants.sol).
    function setMaxReserve(uint16 bps) external;

    /// @notice Sets the fee recipient (DEFAULT_ADMIN_ROLE); it may claim all fees accrued so far.
    /// @param recipient The new recipient.
    function setFeeRecipient(address recipient) external;

    /// @notice Pays the buyout's rounding dust to `to` once every share was redeemed
    ///         (DEFAULT_ADMIN_ROLE). Only `proceeds - paid` can move: never a holder's part.
    /// @param assetId The retired asset.
    /// @param to Receiver of the dust.
    /// @return amount The dust paid.
    function sweepBuyoutDust(uint256 assetId, address to) external returns (uint256 amount);

    /// @notice Sets the asset's maintenance reserve rate for later deposits (the asset's agent).
    /// @param assetId The asset.
    /// @param bps Reserve rate in basis points (<= maxReserveBps).
    function setReserveRate(uint256 assetId, uint16 bps) external;

    /// @notice Adds `token` to the asset's payout tokens (the asset's agent), so that anyone may
    ///         deposit income in it. At most MAX_PAYOUT_TOKENS per asset, never removed.
    /// @param assetId The asset.
    /// @param token An accepted payout token (address(0) = ETH).
    function registerPayoutToken(uint256 assetId, address token) external;

    /// @notice Deposits the sale proceeds of the asset and retires it (the asset's agent). The
    ///         share supply is snapshotted; every holder may then {redeem} at any time. Requires
    ///         this contract to hold BUYOUT_ROLE in the registry; refused while the asset is leased,
    ///         and unless the asset's share token reports this contract as its income hook
    ///         ({SharesNotHooked}: redemption burns through that hook).
    /// @param assetId The asset sold.
    /// @param token Token of the proceeds (address(0) = ETH, then msg.value == proceeds).
    /// @param proceeds Amount of proceeds.
    function depositBuyout(uint256 assetId, address token, uint256 proceeds) external payable;

    /// @notice Pays the caller's accrued income of `assetId` in `token` to `to`.
    /// @param assetId The asset.
    /// @param token The payout token (address(0) = ETH).
    /// @param to Receiver (may differ from the caller, e.g. when the caller is blocklisted).
    /// @return amount The income paid.
    function claim(uint256 assetId, address token, address to) external returns (uint256 amount);

    /// @notice Pays the asset's accrued protocol fees in `token` to `to` (the fee recipient).
    /// @param assetId The asset.
    /// @param token The payout token.
    /// @param to Receiver.
    /// @return amount The fees paid.
    function claimFees(uint256 assetId, address token, address to) external returns (uint256 amount);

    /// @notice After a buyout: burns the caller's whole share balance and pays `to` its pro-rata
    ///         proceeds (`proceeds * shares / supplyAtRetire`, rounded down) plus all its unclaimed
    ///         income in every payout token of the asset, in one call.
    /// @param assetId The retired asset.
    /// @param to Receiver of proceeds and income.
    /// @return proceeds The proceeds paid (income payments are reported by IncomeClaimed).
    function redeem(uint256 assetId, address to) external returns (uint256 proceeds);

    /// @notice Protocol fees held for the fee recipient for `assetId` in `token`.
    /// @param assetId The asset.
    /// @param token The payout token.
    /// @return The claimable fees.
    function feesOf(uint256 assetId, address token) external view returns (uint256);

    /// @notice What the reserve and the fee carry to the next deposit of `assetId` in `token`, in 1/BPS of a token
    ///         unit: `reserveOf * BPS + reserve` is the sum over deposits of what arrived times the reserve rate in
    ///         force, `fee` likewise (taken and withdrawn fees included) with the protocol fee rate, so how deposits
    ///         are split changes neither.
    /// @param assetId The asset.
    /// @param token The payout token.
    /// @return reserve The reserve's carried part (below one unit).
    /// @return fee The fee's carried part (below one unit, unless a deposit too small for both deferred it).
    function carriedOf(uint256 assetId, address token) external view returns (uint256 reserve, uint256 fee);

    /// @notice Income `holder` can claim now for `assetId` in `token`.
    /// @param assetId The asset.
    /// @param token The payout token.
    /// @param holder The holder.
    /// @return The claimable amount.
    function claimableOf(uint256 assetId, address token, address holder) external view returns (uint256);

    /// @notice Total income `holder` withdrew for `assetId` in `token`.
    /// @param assetId The asset.
    /// @param token The payout token.
    /// @param holder The holder.
    /// @return The amount withdrawn so far.
    function withdrawnOf(uint256 assetId, address token, address holder) external view returns (uint256);

    /// @notice Income accounting of `assetId` in `token`.
    /// @param assetId The asset.
    /// @param token The payout token.
    /// @return magnifiedPerShare Cumulative income per share times MAGNITUDE.
    /// @return distributed Total credited to holders net of carve-outs.
    /// @return claimed Total paid to holders.
    /// @return remainder Magnified rounding remainder never distributed (divide by MAGNITUDE for wei).
    function incomeAccountingOf(
        uint256 assetId,
        address token
    ) external view returns (uint256 magnifiedPerShare, uint256 distributed, uint256 claimed, uint256 remainder);

    /// @notice Payout tokens registered for the asset (at most MAX_PAYOUT_TOKENS).
    /// @param assetId The asset.
    /// @return tokens The tokens, in order of first deposit.
    function payoutTokensOf(uint256 assetId) external view returns (address[] memory tokens);

    /// @notice The asset's reserve rate as set by its agent (the applied rate is capped by maxReserveBps).
    /// @param assetId The asset.
    /// @return The reserve rate in basis points.
    function reserveRateOf(uint256 assetId) external view returns (uint16);

    /// @notice The asset's buyout.
    /// @param assetId The asset.
    /// @return The buyout record (all zero before retirement).
    function buyoutOf(uint256 assetId) external view returns (Buyout memory);

    /// @notice Proceeds of the buyout not paid yet: holders' parts while shares are outstanding,
    ///         then only rounding dust (sweepable by governance).
    /// @param assetId The asset.
    /// @return The unpaid proceeds.
    function buyoutRemainingOf(uint256 assetId) external view returns (uint256);
}
