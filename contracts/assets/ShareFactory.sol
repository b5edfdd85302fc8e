// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {AssetRegistry} from "./AssetRegistry.sol";
import {AssetShares} from "./AssetShares.sol";

/// @title ShareFactory
/// @notice Creates each asset's share token at `predictShares(assetId)`: a minimal clone (ERC-1167 with
///         immutable arguments, OpenZeppelin `Clones`) of one AssetShares implementation, deployed with
///         CREATE2 from this factory with salt = bytes32(assetId). The clone's arguments are
///         `abi.encode(assetId, registry, identityRegistry)`, fixed for every asset of this factory, so
///         the address depends on the asset id only. The clone is initialized (name, symbol, decimals,
///         income hook) in the same transaction, then recorded in the registry (the factory holds the
///         registry's SHARE_FACTORY_ROLE).
contract ShareFactory is AccessControl {
    /// @notice Highest decimals an issuer may choose.
    uint8 public constant MAX_DECIMALS = 18;

    /// @notice The AssetShares implementation every share token is a clone of (a SharesBlueprint).
    address public immutable sharesImplementation;
    /// @notice The asset registry.
    AssetRegistry public immutable registry;
    /// @notice The identity registry new tokens use.
    address public immutable identityRegistry;
    /// @notice The income distributor new tokens notify (fixed in each token at creation; zero: none).
    address public incomeHooks;

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

    /// @notice An address argument was zero.
    error ZeroAddress();
    /// @notice Caller is not the asset's agent.
    error NotAgent(uint256 assetId, address caller);
    /// @notice The asset is not Active.
    error AssetNotActive(uint256 assetId, IAssetRegistry.AssetStatus status);
    /// @notice The asset already has shares.
    error SharesExist(uint256 assetId, address shares);
    /// @notice Decimals above `MAX_DECIMALS`.
    error DecimalsTooHigh(uint8 decimals);
    /// @notice The implementation holds no code.
    error InvalidImplementation(address implementation);

    /// @param governance Receives DEFAULT_ADMIN_ROLE (sets the income distributor).
    /// @param registry_ The asset registry.
    /// @param identityRegistry_ The identity registry.
    /// @param incomeHooks_ The income distributor (zero: none yet).
    /// @param implementation The AssetShares implementation (a SharesBlueprint).
    constructor(
        address governance,
        AssetRegistry registry_,
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

    /// @notice Sets the income distributor for tokens created from now on. Governance only.
    /// @param hooks The distributor (zero: none).
    function setIncomeHooks(address hooks) external onlyRole(DEFAULT_ADMIN_ROLE) {
        incomeHooks = hooks;
        emit IncomeHooksSet(hooks);
    }

    /// @notice The address the shares of `assetId` have (or will have).
    /// @param assetId The asset.
    /// @return The CREATE2 address of the clone.
    function predictShares(uint256 assetId) external view returns (address) {
        return
            Clones.predictDeterministicAddressWithImmutableArgs(
                sharesImplementation,
                _cloneArgs(assetId),
                bytes32(assetId)
            );
    }

    /// @notice Creates the asset's share token (no supply: the agent mints). Only the asset's agent,
    ///         while the asset is Active.
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
    ) external returns (address shares) {
        if (msg.sender != registry.agentOf(assetId)) revert NotAgent(assetId, msg.sender);
        IAssetRegistry.AssetStatus status = registry.statusOf(assetId);
        if (status != IAssetRegistry.AssetStatus.Active) revert AssetNotActive(assetId, status);
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
        registry.setShares(assetId, shares);
        emit SharesCreated(assetId, shares, name, symbol, decimals_, hooks);
    }

    /// @dev The clone's immutable arguments, read back by AssetShares.
    function _cloneArgs(uint256 assetId) private view returns (bytes memory) {
        return abi.encode(assetId, address(registry), identityRegistry);
    }
}
