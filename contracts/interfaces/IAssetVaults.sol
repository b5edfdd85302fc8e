// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IPlinthErrors} from "../common/IPlinthErrors.sol";

/// @title IAssetVaults
/// @notice Custody per asset: one AssetVault clone per asset (CREATE2, salt = assetId), shared by the income
///         distributor, which created this contract, and the two custodies it names once, the MaintenanceCustody and
///         the RentalCustody. Each of the three keeps its own accounting; the vault's balance covers the sum of
///         their obligations. Anyone may deploy an asset's vault; its address is known before (`vaultOf`).
interface IAssetVaults is IPlinthErrors {
    /// @notice The vault holding `assetId`'s funds was deployed (the first money of the asset, in any part).
    event VaultCreated(uint256 indexed assetId, address vault);
    /// @notice Governance named the custodies the vaults trust besides the distributor, once, and the vaults'
    ///         implementation was created.
    event CustodiansSet(address indexed maintenance, address indexed rental, address implementation);

    /// @notice No vault can be deployed before the custodies are named (`setCustodians`).
    error VaultsNotReady();
    /// @notice The custodies are named once.
    error CustodiansAlreadySet();
    /// @notice `custodian` does not name this contract as its income distributor.
    error WrongCustodian(address custodian);

    /// @notice Names the MaintenanceCustody and the RentalCustody (address(0) for a part the suite does not have)
    ///         and creates the vaults' implementation, which trusts exactly them and the distributor. Once, by the
    ///         distributor (on governance's call); each custodian must name the same distributor (`WrongCustodian`).
    /// @param maintenance The MaintenanceCustody, or address(0).
    /// @param rental The RentalCustody, or address(0).
    function setCustodians(address maintenance, address rental) external;

    /// @notice Deploys `assetId`'s vault at `vaultOf(assetId)` if it has no code yet (anyone; the controllers call
    ///         it with an asset's first money). Refused before `setCustodians` (`VaultsNotReady`).
    /// @param assetId The asset (a rental's custody id: the rented asset, the asset a rented device is bound to,
    ///        else the device).
    /// @return vault The vault's address.
    function createVault(uint256 assetId) external returns (address vault);

    /// @notice The income distributor, which created this contract and names the custodies.
    /// @return The distributor.
    function distributor() external view returns (address);

    /// @notice The vaults' implementation: this contract's first creation (CREATE nonce 1), made by
    ///         `setCustodians`; it has no code before.
    /// @return The implementation's address.
    function vaultImplementation() external view returns (address);

    /// @notice Whether the custodies are named and vaults can be deployed.
    /// @return Whether `setCustodians` was called.
    function vaultsReady() external view returns (bool);

    /// @notice Whether `account` is one of the custodies the vaults trust besides the distributor.
    /// @param account The account.
    /// @return Whether it is the MaintenanceCustody or the RentalCustody named by `setCustodians`.
    function isCustodian(address account) external view returns (bool);

    /// @notice The vault holding `assetId`'s funds for the three controllers.
    /// @param assetId The asset.
    /// @return The vault's CREATE2 address (salt = assetId, deployer = this contract; `vaultAddress`).
    function vaultOf(uint256 assetId) external view returns (address);
}
