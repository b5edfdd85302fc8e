// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";
import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {AssetRegistry} from "./AssetRegistry.sol";
import {IShareDeployer} from "./IShareDeployer.sol";

/// @title ShareFactory
/// @notice Creates each asset's share token at `predictShares(assetId)`: CREATE2 from this factory with
///         salt = bytes32(assetId) and the argument-free creation code of AssetShares (copied from the
///         SharesBlueprint; the token reads its parameters back from `shareParameters()`), so the
///         address depends on the asset id only. Records the token in the registry (the factory holds
///         the registry's SHARE_FACTORY_ROLE).
contract ShareFactory is IShareDeployer, AccessControl {
    /// @notice Highest decimals an issuer may choose.
    uint8 public constant MAX_DECIMALS = 18;

    /// @notice keccak256 of AssetShares' creation code (the CREATE2 init code hash).
    bytes32 public immutable SHARES_INIT_CODE_HASH;
    /// @notice The SharesBlueprint holding AssetShares' creation code (after a 0xFE byte).
    address public immutable sharesBlueprint;
    /// @notice The asset registry.
    AssetRegistry public immutable registry;
    /// @notice The identity registry new tokens use.
    address public immutable identityRegistry;
    /// @notice The income distributor new tokens notify (fixed in each token at creation; zero: none).
    address public incomeHooks;

    ShareParameters private _pending;

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
    /// @notice The blueprint holds no code or does not start with 0xFE.
    error InvalidBlueprint(address blueprint);

    /// @param governance Receives DEFAULT_ADMIN_ROLE (sets the income distributor).
    /// @param registry_ The asset registry.
    /// @param identityRegistry_ The identity registry.
    /// @param incomeHooks_ The income distributor (zero: none yet).
    /// @param blueprint A SharesBlueprint.
    constructor(
        address governance,
        AssetRegistry registry_,
        address identityRegistry_,
        address incomeHooks_,
        address blueprint
    ) {
        if (governance == address(0) || address(registry_) == address(0) || identityRegistry_ == address(0)) {
            revert ZeroAddress();
        }
        bytes memory code = blueprint.code;
        if (code.length < 2 || code[0] != 0xfe) revert InvalidBlueprint(blueprint);
        sharesBlueprint = blueprint;
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
        registry = registry_;
        identityRegistry = identityRegistry_;
        incomeHooks = incomeHooks_;
        SHARES_INIT_CODE_HASH = keccak256(_initCode(blueprint));
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
    /// @return The CREATE2 address.
    function predictShares(uint256 assetId) public view returns (address) {
        return Create2.computeAddress(bytes32(assetId), SHARES_INIT_CODE_HASH);
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
        _pending = ShareParameters(assetId, address(registry), identityRegistry, hooks, decimals_, name, symbol);
        shares = Create2.deploy(0, bytes32(assetId), _initCode(sharesBlueprint));
        delete _pending;
        registry.setShares(assetId, shares);
        emit SharesCreated(assetId, shares, name, symbol, decimals_, hooks);
    }

    /// @dev The blueprint's code without its leading 0xFE byte: AssetShares' creation code.
    function _initCode(address blueprint) private view returns (bytes memory code) {
        uint256 size = blueprint.code.length - 1;
        code = new bytes(size);
        assembly ("memory-safe") {
            extcodecopy(blueprint, add(code, 0x20), 1, size)
        }
    }

    /// @inheritdoc IShareDeployer
    function shareParameters() external view returns (ShareParameters memory) {
        return _pending;
    }
}
