// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IAssetRecords} from "../interfaces/IAssetRecords.sol";
import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IShareFactory} from "../interfaces/IShareFactory.sol";
import {AssetShares} from "./AssetShares.sol";

/// @title ShareFactory
/// @notice Creates each asset's share token at `predictShares(assetId)`: a minimal clone (ERC-1167 with
///         immutable arguments, OpenZeppelin `Clones`) of one AssetShares implementation, deployed with
///         CREATE2 from this factory with salt = bytes32(assetId). The clone's arguments are
///         `abi.encode(assetId, registry, identityRegistry)`, fixed for every asset of this factory, so
///         the address depends on the asset id only. The clone is initialized (name, symbol, decimals,
///         income hook) in the same transaction, then recorded in the registry (the factory holds the
///         registry's SHARE_FACTORY_ROLE).
contract ShareFactory is IShareFactory, AccessControl {
    /// @inheritdoc IShareFactory
    uint8 public constant MAX_DECIMALS = 18;

    /// @inheritdoc IShareFactory
    address public immutable sharesImplementation;
    /// @inheritdoc IShareFactory
    IAssetRegistry public immutable registry;
    /// @inheritdoc IShareFactory
    address public immutable identityRegistry;
    /// @inheritdoc IShareFactory
    address public incomeHooks;

    /// @param governance Receives DEFAULT_ADMIN_ROLE (sets the income distributor).
    /// @param registry_ The asset registry.
    /// @param identityRegistry_ The identity registry.
    /// @param incomeHooks_ The income distributor (zero: none yet).
    /// @param implementation The AssetShares implementation (a SharesBlueprint).
    constructor(
        address governance,
        IAssetRegistry registry_,
        address identityRegistry_,
        address incomeHooks_,
        address implementation
    ) {
        if (governance == address(0) || address(registry_) == address(0) || identityRegistry_ == address(0)) {
            revert ZeroAddress();
        }
        if (implementation.code.length == 0) revert InvalidImplementation(implementation);
        sharesImplementation = implementation;
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        registry = registry_;
        identityRegistry = identityRegistry_;
        incomeHooks = incomeHooks_;
        emit IncomeHooksSet(incomeHooks_);
    }

    /// @inheritdoc IShareFactory
    function setIncomeHooks(address hooks) external onlyRole(DEFAULT_ADMIN_ROLE) {
        incomeHooks = hooks;
        emit IncomeHooksSet(hooks);
    }

    /// @inheritdoc IShareFactory
    function predictShares(uint256 assetId) external view returns (address) {
        return
            Clones.predictDeterministicAddressWithImmutableArgs(
                sharesImplementation,
                _cloneArgs(assetId),
                bytes32(assetId)
            );
    }

    /// @inheritdoc IShareFactory
    function createShares(
        uint256 assetId,
        string calldata name,
        string calldata symbol,
        uint8 decimals_
    ) external returns (address shares) {
        if (msg.sender != registry.agentOf(assetId)) revert NotAgent(assetId, msg.sender);
        if (registry.statusOf(assetId) != IAssetRegistry.AssetStatus.Active) revert AssetNotActive(assetId);
        address existing = registry.sharesOf(assetId);
        if (existing != address(0)) revert SharesExist(assetId, existing);
        if (decimals_ > MAX_DECIMALS) revert DecimalsTooHigh(decimals_);

        address hooks = incomeHooks;
        shares = Clones.cloneDeterministicWithImmutableArgs(
            sharesImplementation,
            _cloneArgs(assetId),
            bytes32(assetId)
        );
        AssetShares(shares).initialize(name, symbol, decimals_, hooks);
        IAssetRecords(address(registry)).setShares(assetId, shares);
        emit SharesCreated(assetId, shares, name, symbol, decimals_, hooks);
    }

    /// @notice ERC-165: IShareFactory, IAccessControl and IERC165.
    /// @param interfaceId The interface id.
    /// @return True when supported.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IShareFactory).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @dev The clone's immutable arguments, read back by AssetShares.
    function _cloneArgs(uint256 assetId) private view returns (bytes memory) {
        return abi.encode(assetId, address(registry), identityRegistry);
    }
}
