// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IPlinthErrors} from "../common/IPlinthErrors.sol";
import {IAssetRegistry} from "./IAssetRegistry.sol";

/// @title IShareFactory
/// @notice Creates each asset's share token: a minimal clone (ERC-1167 with immutable arguments) of one AssetShares
///         implementation at a CREATE2 address (salt = asset id), initialized and recorded in the asset registry in
///         the creating transaction. Declares every external function of `ShareFactory` (with `IAccessControl`
///         and `IERC165`), and the part's events and errors.
interface IShareFactory is IPlinthErrors {
    /// @notice Shares of `assetId` created at `shares`.
    event SharesCreated(
        uint256 indexed assetId,
        address indexed shares,
        string name,
        string symbol,
        uint8 decimals,
        address incomeHooks
    );
    /// @notice Governance changed the income distributor for tokens created from now on.
    event IncomeHooksSet(address incomeHooks);

    /// @notice The asset already has shares.
    error SharesExist(uint256 assetId, address shares);
    /// @notice Decimals above `MAX_DECIMALS`.
    error DecimalsTooHigh(uint8 decimals);
    /// @notice The implementation holds no code.
    error InvalidImplementation(address implementation);

    /// @notice Highest decimals an issuer may choose.
    /// @return 18.
    function MAX_DECIMALS() external view returns (uint8);

    /// @notice The AssetShares implementation every share token is a clone of (a SharesBlueprint).
    /// @return The implementation.
    function sharesImplementation() external view returns (address);

    /// @notice The asset registry (agents, status; records each token).
    /// @return The registry.
    function registry() external view returns (IAssetRegistry);

    /// @notice The identity registry new tokens use.
    /// @return The identity registry.
    function identityRegistry() external view returns (address);

    /// @notice The income distributor new tokens notify (fixed in each token at creation; zero: none).
    /// @return The distributor.
    function incomeHooks() external view returns (address);

    /// @notice Sets the income distributor for tokens created from now on. Governance only.
    /// @param hooks The distributor (zero: none).
    function setIncomeHooks(address hooks) external;

    /// @notice The address the shares of `assetId` have (or will have).
    /// @param assetId The asset.
    /// @return The CREATE2 address of the clone.
    function predictShares(uint256 assetId) external view returns (address);

    /// @notice Creates the asset's share token (no supply: the agent mints). Only the asset's agent
    ///         (`NotAgent`), while the asset is Active (`AssetNotActive`; the status is the registry's `statusOf`).
    /// @param assetId The asset.
    /// @param name ERC-20 name (also the EIP-712 domain name of permits).
    /// @param symbol ERC-20 symbol.
    /// @param decimals_ 0..18, chosen by the issuer (0 for indivisible shares, 18 for fine fractions).
    /// @return shares The token's address (== predictShares(assetId)).
    function createShares(
        uint256 assetId,
        string calldata name,
        string calldata symbol,
        uint8 decimals_
    ) external returns (address shares);
}
