// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {createdAt} from "../common/Created.sol";
import {IAssetVaults} from "../interfaces/IAssetVaults.sol";
import {AssetVault} from "./AssetVault.sol";
import {IAssetVault} from "../interfaces/IAssetVault.sol";

/// @notice The vault of `assetId` for the suite of the income distributor `distributor`: a minimal clone, at CREATE2
///         salt = assetId, deployed by the distributor's AssetVaults (its first creation) of that contract's own
///         first creation, the implementation. Derived without a call, so the custodies and the escrow compute the
///         address the distributor does.
/// @param distributor The income distributor.
/// @param assetId The asset (or rental custody id).
/// @return The vault's address.
function vaultAddress(address distributor, uint256 assetId) pure returns (address) {
    address vaults = address(assetVaultsOf(distributor));
    return Clones.predictDeterministicAddress(createdAt(vaults, 0x01), bytes32(assetId), vaults);
}

/// @notice The AssetVaults of the income distributor `distributor`: its first creation (CREATE, nonce 1).
/// @param distributor The income distributor.
/// @return The AssetVaults deploying its vaults.
function assetVaultsOf(address distributor) pure returns (IAssetVaults) {
    return IAssetVaults(createdAt(distributor, 0x01));
}

/// @title AssetVaults
/// @notice Custody per asset: deploys one AssetVault clone per asset (CREATE2, salt = assetId), shared by the income
///         distributor (this contract's creator, its first creation) and the two custodies it names once
///         (`setCustodians`, on governance's call). The vaults' implementation is this contract's first creation,
///         so every party derives a vault's address without a call (`vaultAddress`). Holds no money and no
///         accounting: each controller keeps its own.
contract AssetVaults is IAssetVaults {
    /// @inheritdoc IAssetVaults
    address public immutable distributor;
    /// @inheritdoc IAssetVaults
    address public immutable vaultImplementation;

    /// @dev Created by the income distributor's constructor (its first creation).
    constructor() {
        distributor = msg.sender;
        vaultImplementation = createdAt(address(this), 0x01);
    }

    /// @inheritdoc IAssetVaults
    function setCustodians(address maintenance, address rental) external {
        if (msg.sender != distributor) revert NotController(msg.sender);
        if (vaultsReady()) revert CustodiansAlreadySet();
        _checkCustodian(maintenance);
        _checkCustodian(rental);
        address implementation = address(new AssetVault(distributor, maintenance, rental));
        emit CustodiansSet(maintenance, rental, implementation);
    }

    /// @inheritdoc IAssetVaults
    function createVault(uint256 assetId) external returns (address vault) {
        vault = vaultOf(assetId);
        if (vault.code.length != 0) return vault;
        if (!vaultsReady()) revert VaultsNotReady();
        Clones.cloneDeterministic(vaultImplementation, bytes32(assetId));
        emit VaultCreated(assetId, vault);
    }

    /// @inheritdoc IAssetVaults
    function vaultsReady() public view returns (bool) {
        return vaultImplementation.code.length != 0;
    }

    /// @inheritdoc IAssetVaults
    function isCustodian(address account) external view returns (bool) {
        if (account == distributor || !vaultsReady()) return false;
        return IAssetVault(vaultImplementation).isController(account);
    }

    /// @inheritdoc IAssetVaults
    function vaultOf(uint256 assetId) public view returns (address) {
        return Clones.predictDeterministicAddress(vaultImplementation, bytes32(assetId));
    }

    /// @dev A custodian must name the same distributor (`distributor()`); address(0) stands for a missing part.
    function _checkCustodian(address custodian) private view {
        if (custodian == address(0)) return;
        if (custodian.code.length != 0) {
            try ICustodian(custodian).distributor() returns (address named) {
                if (named == distributor) return;
            } catch {} // solhint-disable-line no-empty-blocks
        }
        revert WrongCustodian(custodian);
    }
}

/// @title ICustodian
/// @notice What `AssetVaults.setCustodians` reads of a custodian (the maintenance and rental custodies declare it
///         in their own interfaces): the income distributor it deposits income with.
interface ICustodian {
    /// @notice The income distributor this custodian works with.
    /// @return The distributor.
    function distributor() external view returns (address);
}
