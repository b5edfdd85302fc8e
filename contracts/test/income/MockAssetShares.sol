// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IAssetRegistry} from "../../interfaces/IAssetRegistry.sol";
import {IAssetShares} from "../../interfaces/IAssetShares.sol";
import {IIncomeHooks} from "../../interfaces/IIncomeHooks.sol";

/// @title MockAssetShares
/// @notice Test double of an asset's share token, faithful to what the income distributor relies
///         on: every balance change (mint, burn, transfer, forced transfer, recovery, redemption)
///         goes through `_update`, which calls `onSharesTransfer` BEFORE the balances change;
///         recovery calls `onRecovery` first, then moves the whole balance through `_update`.
///         After retirement shares only move to be redeemed (`redeemFor`, distributor only).
contract MockAssetShares is ERC20, IAssetShares {
    /// @notice The registry (status, agent).
    IAssetRegistry public immutable registry;
    /// @notice The income distributor (hooks, redeemFor).
    IIncomeHooks public immutable hooks;
    uint256 private immutable _assetId;
    bool private _redeeming;

    /// @notice Only the asset's agent.
    error OnlyAgent(address caller);
    /// @notice Only the distributor.
    error OnlyDistributor(address caller);
    /// @notice Shares of a retired asset only move to be redeemed.
    error Retired();
    /// @notice redeemFor before retirement.
    error NotRetired();
    /// @notice recover() with nothing to move.
    error NothingToRecover();

    /// @notice Creates the share token of `assetId_`.
    /// @param registry_ The asset registry.
    /// @param hooks_ The income distributor.
    /// @param assetId_ The asset.
    constructor(IAssetRegistry registry_, IIncomeHooks hooks_, uint256 assetId_) ERC20("Plinth Share", "PSH") {
        registry = registry_;
        hooks = hooks_;
        _assetId = assetId_;
    }

    modifier onlyAgent() {
        if (msg.sender != registry.agentOf(_assetId)) revert OnlyAgent(msg.sender);
        _;
    }

    /// @inheritdoc IAssetShares
    function assetId() external view returns (uint256) {
        return _assetId;
    }

    /// @inheritdoc IAssetShares
    function incomeHooks() external view returns (address) {
        return address(hooks);
    }

    /// @notice Mints shares (agent).
    /// @param to Receiver.
    /// @param amount Shares.
    function mint(address to, uint256 amount) external onlyAgent {
        _mint(to, amount);
    }

    /// @notice Mints `amount` shares to each of `tos` (agent; test-only helper used by the gas
    ///         bench to create thousands of holders cheaply; still one hook call per holder).
    /// @param tos Receivers.
    /// @param amount Shares each.
    function batchMint(address[] calldata tos, uint256 amount) external onlyAgent {
        for (uint256 i = 0; i < tos.length; ++i) {
            _mint(tos[i], amount);
        }
    }

    /// @notice Burns shares (agent).
    /// @param from Holder.
    /// @param amount Shares.
    function burn(address from, uint256 amount) external onlyAgent {
        _burn(from, amount);
    }

    /// @notice Forced transfer (agent, compliance).
    /// @param from Holder.
    /// @param to Receiver.
    /// @param amount Shares.
    function forcedTransfer(address from, address to, uint256 amount) external onlyAgent {
        _transfer(from, to, amount);
    }

    /// @notice Lost-wallet recovery (agent): entitlements then the whole balance move.
    /// @param lost The lost wallet.
    /// @param replacement The new wallet.
    function recover(address lost, address replacement) external onlyAgent {
        uint256 balance = balanceOf(lost);
        if (balance == 0) revert NothingToRecover();
        hooks.onRecovery(_assetId, lost, replacement);
        _transfer(lost, replacement, balance);
    }

    /// @inheritdoc IAssetShares
    function redeemFor(address holder) external returns (uint256 burned) {
        if (msg.sender != address(hooks)) revert OnlyDistributor(msg.sender);
        if (registry.statusOf(_assetId) != IAssetRegistry.AssetStatus.Retired) revert NotRetired();
        burned = balanceOf(holder);
        _redeeming = true;
        _burn(holder, burned);
        _redeeming = false;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (!_redeeming && registry.statusOf(_assetId) == IAssetRegistry.AssetStatus.Retired) revert Retired();
        hooks.onSharesTransfer(_assetId, from, to, value);
        super._update(from, to, value);
    }

    /// @inheritdoc IAssetShares
    /// @dev The double reads the status from the registry on every move: nothing to mirror.
    function onAssetStatusChanged(IAssetRegistry.AssetStatus) external pure {}
}

/// @title FaultyAssetShares
/// @notice A broken share token (tests only): mints at any time, even after retirement, and in
///         `burnHalf` mode its redeemFor burns only half the balance. Shows that the distributor
///         refuses to pay for what a faulty token did not burn, or beyond the retirement snapshot.
contract FaultyAssetShares is ERC20, IAssetShares {
    IIncomeHooks public immutable hooks;
    uint256 private immutable _assetId;
    /// @notice When set, redeemFor burns half the balance.
    bool public burnHalf;

    /// @notice Creates the token.
    /// @param hooks_ The income distributor.
    /// @param assetId_ The asset.
    constructor(IIncomeHooks hooks_, uint256 assetId_) ERC20("Faulty Share", "FSH") {
        hooks = hooks_;
        _assetId = assetId_;
    }

    /// @inheritdoc IAssetShares
    function assetId() external view returns (uint256) {
        return _assetId;
    }

    /// @inheritdoc IAssetShares
    function incomeHooks() external view returns (address) {
        return address(hooks);
    }

    /// @notice Mints (anyone, any time: the fault).
    /// @param to Receiver.
    /// @param amount Shares.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Switches the half-burn fault.
    /// @param on Whether redeemFor burns only half.
    function setBurnHalf(bool on) external {
        burnHalf = on;
    }

    /// @inheritdoc IAssetShares
    function redeemFor(address holder) external returns (uint256 burned) {
        burned = burnHalf ? balanceOf(holder) / 2 : balanceOf(holder);
        _burn(holder, burned);
    }

    function _update(address from, address to, uint256 value) internal override {
        hooks.onSharesTransfer(_assetId, from, to, value);
        super._update(from, to, value);
    }

    /// @inheritdoc IAssetShares
    /// @dev The double reads the status from the registry on every move: nothing to mirror.
    function onAssetStatusChanged(IAssetRegistry.AssetStatus) external pure {}
}
