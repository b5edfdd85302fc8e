// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IAssetRegistry} from "./IAssetRegistry.sol";

/// @title IAssetShares
/// @notice The ERC-20 shares of one real asset, as the income distributor and escrows see them.
interface IAssetShares is IERC20 {
    /// @notice The asset these shares represent.
    function assetId() external view returns (uint256);

    /// @notice The income distributor this token notifies of every balance move (fixed at creation;
    ///         zero: none). The distributor accepts money for the asset only when this is itself.
    function incomeHooks() external view returns (address);

    /// @notice After the asset is retired by a buyout: burns the whole balance of `holder` and
    ///         returns it. Only the income distributor (which pays the holder's pro-rata proceeds).
    function redeemFor(address holder) external returns (uint256 burned);

    /// @notice The registry tells the token the asset's new status (Frozen, Active again, Retired) in the
    ///         transaction that changes it, so transfers read the status from the token's own storage
    ///         instead of calling the registry. Only the asset registry.
    function onAssetStatusChanged(IAssetRegistry.AssetStatus status) external;
}
