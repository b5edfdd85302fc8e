// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {AssetVault} from "../../custody/AssetVault.sol";
import {IIncomeDistributor} from "../../interfaces/IIncomeDistributor.sol";
import {IIncomeSource} from "../../interfaces/IIncomeSource.sol";

/// @title VaultIncomeSource
/// @notice Test double of a controller holding income in its own AssetVault clone per asset (as the rental escrow
///         does) and depositing it with `depositFromSource`. `setMode` makes its callback misbehave: pay one unit
///         less, pay nothing, or re-enter the distributor's `deposit` instead of paying.
contract VaultIncomeSource is IIncomeSource {
    /// @notice How `payIncome` behaves.
    enum Mode {
        Pay,
        PayLess,
        PayNothing,
        Reenter
    }

    /// @notice The distributor this source deposits with.
    IIncomeDistributor public immutable distributor;
    /// @notice This source's AssetVault implementation (it is the vaults' controller).
    address public immutable vaultImplementation;
    /// @notice The callback's behaviour.
    Mode public mode;
    bool private _depositing;

    /// @notice A `payIncome` this source did not ask for.
    error UnexpectedPayIncome(address caller);

    /// @param distributor_ The income distributor.
    constructor(IIncomeDistributor distributor_) {
        distributor = distributor_;
        vaultImplementation = address(new AssetVault(address(this), address(0), address(0)));
    }

    /// @notice Sets the callback's behaviour (tests only).
    /// @param m The mode.
    function setMode(Mode m) external {
        mode = m;
    }

    /// @notice This source's vault of `assetId`.
    /// @param assetId The asset.
    /// @return The vault's CREATE2 address.
    function vaultOf(uint256 assetId) public view returns (address) {
        return Clones.predictDeterministicAddress(vaultImplementation, bytes32(assetId));
    }

    /// @notice Deploys this source's vault of `assetId` (tests fund it with plain transfers).
    /// @param assetId The asset.
    function createVault(uint256 assetId) external {
        Clones.cloneDeterministic(vaultImplementation, bytes32(assetId));
    }

    /// @notice Deposits `amount` of `token` held in this source's vault of `assetId` as the asset's income.
    /// @param assetId The asset.
    /// @param token The payout token.
    /// @param amount The amount.
    /// @return toHolders What accrued to holders.
    function depositIncome(uint256 assetId, address token, uint256 amount) external returns (uint256 toHolders) {
        _depositing = true;
        toHolders = distributor.depositFromSource(assetId, token, amount);
        _depositing = false;
    }

    /// @inheritdoc IIncomeSource
    function payIncome(uint256 assetId, address token, uint256 amount, address to) external {
        if (msg.sender != address(distributor) || !_depositing) revert UnexpectedPayIncome(msg.sender);
        if (mode == Mode.PayNothing) return;
        if (mode == Mode.Reenter) {
            distributor.deposit(assetId, token, amount);
            return;
        }
        AssetVault(payable(vaultOf(assetId))).pay(token, to, mode == Mode.PayLess ? amount - 1 : amount);
    }
}
