// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IIncomeDistributor
/// @notice The only place where money is split among an asset's share holders. Rent and buyout
///         proceeds flow in; the maintenance reserve flows out to maintenance orders. Its first creation,
///         `AssetVaults`, deploys the per-asset vaults it shares with the maintenance and rental custodies.
interface IIncomeDistributor {
    /// @notice Deposits income for `assetId`. `token == address(0)` means ETH (msg.value == amount).
    ///         The asset's carve-outs (maintenance reserve, protocol fee) are taken first, at the
    ///         rates in force now; the rest accrues to holders pro rata, claimable in O(1).
    /// @return toHolders The part of `amount` that accrued to holders.
    function deposit(uint256 assetId, address token, uint256 amount) external payable returns (uint256 toHolders);

    /// @notice Deposits income for `assetId` in the ERC-20 `token` that the caller holds in its own custody (an
    ///         `IIncomeSource`, e.g. the rental escrow paying out of its AssetVault clone): the distributor calls back
    ///         `IIncomeSource(msg.sender).payIncome(assetId, token, amount, vaultOf(assetId))` and credits what
    ///         arrived in its vault of the asset, with the same checks, carve-outs and split as `deposit`. ETH is
    ///         refused (`TokenNotAllowed(address(0))`): a vault accepts ETH only from its own controller.
    /// @return toHolders The part of what arrived that accrued to holders.
    function depositFromSource(uint256 assetId, address token, uint256 amount) external returns (uint256 toHolders);

    /// @notice Deposits as income for `assetId` `amount` of `token` (address(0) = ETH) that the caller, a custodian
    ///         (`AssetVaults.isCustodian`), already holds in the asset's shared vault and stops counting as its own: no
    ///         transfer, the same checks, carve-outs and split as `deposit`. Refused from anyone else
    ///         (`NotController`).
    /// @param assetId The asset.
    /// @param token The token (address(0) = ETH).
    /// @param amount The amount, held in `vaultOf(assetId)`.
    /// @return toHolders The part of `amount` that accrued to holders.
    function depositHeld(uint256 assetId, address token, uint256 amount) external returns (uint256 toHolders);

    /// @notice Whether income for `assetId` in `token` is accepted by anyone's deposit now and for as long
    ///         as the asset is not retired: the asset exists, is not retired, and `token` is one of its
    ///         registered payout tokens (registrations are permanent) still accepted by governance.
    function acceptsIncome(uint256 assetId, address token) external view returns (bool);

    /// @notice Whether `assetId` can never take income again, whatever anyone does: it was retired by a
    ///         buyout, or its share token does not report this distributor as its income hook.
    function incomeClosed(uint256 assetId) external view returns (bool);

    /// @notice Maintenance reserve currently held for `assetId` in `token`.
    function reserveOf(uint256 assetId, address token) external view returns (uint256);

    /// @notice Moves `amount` of the asset's maintenance reserve to `to` (the maintenance custody, holding
    ///         RESERVE_SPENDER_ROLE, funding a work order the asset's agent created). When `to` is the asset's
    ///         shared vault the money stays there, now counted by the caller, which must be a custodian
    ///         (`NotController` otherwise).
    function withdrawReserve(uint256 assetId, address token, uint256 amount, address to) external;
}
