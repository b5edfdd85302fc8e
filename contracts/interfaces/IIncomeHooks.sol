// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IIncomeHooks
/// @notice Implemented by the income distributor, called by an asset's share token so that income
///         accrual stays exact whatever moves shares (transfers, mints, burns, forced transfers,
///         recovery). The distributor accepts these calls only from `IAssetRegistry.sharesOf(assetId)`.
interface IIncomeHooks {
    /// @notice Called by the share token BEFORE balances change, for every mint (`from == 0`),
    ///         burn (`to == 0`), transfer and forced transfer of `amount` shares.
    function onSharesTransfer(uint256 assetId, address from, address to, uint256 amount) external;

    /// @notice Called by the share token on lost-wallet recovery, before the balance moves: every
    ///         accrued, unclaimed income entitlement of `lost` moves to `replacement`.
    function onRecovery(uint256 assetId, address lost, address replacement) external;
}
