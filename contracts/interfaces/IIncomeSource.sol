// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IIncomeSource
/// @notice Implemented by a contract that holds income in its own custody (its `AssetVault` clone of the asset, e.g.
///         the rental escrow) and deposits it with `IIncomeDistributor.depositFromSource`: the distributor calls back
///         `payIncome` once, during that deposit, and credits what arrived in the distributor's vault of the asset.
///         The income moves once, source vault -> distributor vault, instead of vault -> controller -> distributor.
interface IIncomeSource {
    /// @notice Pays `amount` of `token` (ERC-20) to `to`, the income distributor's vault of `assetId`. Called by the
    ///         distributor only inside the `depositFromSource` this contract made: an implementation must refuse any
    ///         other caller, and should refuse any call it did not ask for.
    /// @param assetId The asset the income is for.
    /// @param token The payout token.
    /// @param amount The amount the source asked to deposit.
    /// @param to The distributor's vault of `assetId` (`vaultOf(assetId)`).
    function payIncome(uint256 assetId, address token, uint256 amount, address to) external;
}
