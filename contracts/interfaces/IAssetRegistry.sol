// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IAssetRegistry
/// @notice What other Plinth contracts read from the real-asset registry.
interface IAssetRegistry {
    /// @notice Lifecycle of a registered asset. Retired is final (after a buyout).
    enum AssetStatus {
        None,
        Active,
        Frozen,
        Retired
    }

    /// @notice The asset's agent (issuer side): offers rentals, orders maintenance, runs compliance.
    function agentOf(uint256 assetId) external view returns (address);

    /// @notice Status of an asset; `None` when it was never registered.
    function statusOf(uint256 assetId) external view returns (AssetStatus);

    /// @notice The asset's share token (ERC-20), address(0) before shares are created.
    function sharesOf(uint256 assetId) external view returns (address);

    /// @notice Marks the asset as leased until `until` (a rental escrow holding LEASE_MANAGER_ROLE):
    ///         while leased it cannot be retired and its devices cannot be rebound. `until = 0` ends it.
    function setLease(uint256 assetId, uint64 until) external;

    /// @notice End of the asset's current lease, 0 when not leased.
    function leasedUntil(uint256 assetId) external view returns (uint64);

    /// @notice Retires the asset for good (buyout): shares stop moving except to be redeemed.
    ///         Only the income distributor (BUYOUT_ROLE), when the agent deposits sale proceeds;
    ///         refused while the asset is leased.
    function retire(uint256 assetId) external;
}
