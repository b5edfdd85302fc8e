// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IAssetRecords} from "../interfaces/IAssetRecords.sol";
import {IAssetShares} from "../interfaces/IAssetShares.sol";

/// @title AssetRegistry
/// @notice The register of real assets (solar plants, batteries, buildings, chargers, sensor fleets):
///         who issued each one, who runs it (its agent), its legal documents (append-only), its
///         jurisdiction, its valuation, its lifecycle status, its lease and its share token.
/// @dev Asset ids are derived from content, never from a counter: `assetId = uint256(keccak256(abi.encode(
///      issuer, salt)))` (see `computeAssetId`). Every write touches only the slots of one asset, so
///      work on different assets never writes the same storage slot.
contract AssetRegistry is IAssetRegistry, IAssetRecords, AccessControl {
    /// @inheritdoc IAssetRecords
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @inheritdoc IAssetRecords
    bytes32 public constant LEASE_MANAGER_ROLE = keccak256("LEASE_MANAGER_ROLE");
    /// @inheritdoc IAssetRecords
    bytes32 public constant BUYOUT_ROLE = keccak256("BUYOUT_ROLE");
    /// @inheritdoc IAssetRecords
    bytes32 public constant SHARE_FACTORY_ROLE = keccak256("SHARE_FACTORY_ROLE");

    mapping(uint256 assetId => Asset) private _assets;
    mapping(uint256 assetId => Document[]) private _documents;
    mapping(uint256 assetId => mapping(uint256 index => uint256 byIndexPlusOne)) private _supersededBy;

    /// @param governance Receives DEFAULT_ADMIN_ROLE (grants the other roles).
    constructor(address governance) {
        if (governance == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
    }

    // ------------------------------------------------------------------ registration

    /// @inheritdoc IAssetRecords
    function computeAssetId(address issuer, bytes32 salt) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(issuer, salt)));
    }

    /// @inheritdoc IAssetRecords
    function registerAsset(
        bytes32 salt,
        AssetClass assetClass,
        bytes2 jurisdiction,
        address agent,
        string calldata metadataURI
    ) external onlyRole(ISSUER_ROLE) returns (uint256 assetId) {
        if (agent == address(0)) revert ZeroAddress();
        assetId = computeAssetId(msg.sender, salt);
        Asset storage a = _assets[assetId];
        if (a.status != AssetStatus.None) revert AssetExists(assetId);
        a.issuer = msg.sender;
        a.assetClass = assetClass;
        a.status = AssetStatus.Active;
        a.jurisdiction = jurisdiction;
        a.agent = agent;
        a.metadataURI = metadataURI;
        emit AssetRegistered(assetId, msg.sender, agent, salt, assetClass, jurisdiction, metadataURI);
        emit StatusChanged(assetId, AssetStatus.None, AssetStatus.Active, msg.sender);
    }

    /// @inheritdoc IAssetRecords
    function proposeAgent(uint256 assetId, address newAgent) external {
        Asset storage a = _existing(assetId);
        if (msg.sender != a.issuer) revert NotIssuer(assetId, msg.sender);
        a.pendingAgent = newAgent;
        emit AgentProposed(assetId, newAgent);
    }

    /// @inheritdoc IAssetRecords
    function acceptAgent(uint256 assetId) external {
        Asset storage a = _existing(assetId);
        if (msg.sender != a.pendingAgent || msg.sender == address(0)) revert NotPendingAgent(assetId, msg.sender);
        address previous = a.agent;
        a.agent = msg.sender;
        a.pendingAgent = address(0);
        emit AgentChanged(assetId, previous, msg.sender);
    }

    /// @inheritdoc IAssetRecords
    function setMetadataURI(uint256 assetId, string calldata metadataURI) external {
        _onlyAgent(assetId);
        _assets[assetId].metadataURI = metadataURI;
        emit MetadataURIChanged(assetId, metadataURI);
    }

    // ------------------------------------------------------------------ documents (append-only)

    /// @inheritdoc IAssetRecords
    function addDocument(uint256 assetId, bytes32 hash, string calldata uri) external returns (uint256 index) {
        _onlyAgent(assetId);
        return _append(assetId, hash, 0, uri);
    }

    /// @inheritdoc IAssetRecords
    function supersedeDocument(
        uint256 assetId,
        uint256 oldIndex,
        bytes32 hash,
        string calldata uri
    ) external returns (uint256 index) {
        _onlyAgent(assetId);
        if (oldIndex >= _documents[assetId].length) revert UnknownDocument(assetId, oldIndex);
        uint256 by = _supersededBy[assetId][oldIndex];
        if (by != 0) revert DocumentAlreadySuperseded(assetId, oldIndex, by - 1);
        index = _append(assetId, hash, uint64(oldIndex) + 1, uri);
        _supersededBy[assetId][oldIndex] = index + 1;
    }

    /// @inheritdoc IAssetRecords
    function documentCount(uint256 assetId) external view returns (uint256) {
        return _documents[assetId].length;
    }

    /// @inheritdoc IAssetRecords
    function documentAt(uint256 assetId, uint256 index) external view returns (Document memory) {
        if (index >= _documents[assetId].length) revert UnknownDocument(assetId, index);
        return _documents[assetId][index];
    }

    /// @inheritdoc IAssetRecords
    function supersededBy(uint256 assetId, uint256 index) external view returns (bool superseded, uint256 by) {
        uint256 v = _supersededBy[assetId][index];
        return v == 0 ? (false, 0) : (true, v - 1);
    }

    // ------------------------------------------------------------------ valuation

    /// @inheritdoc IAssetRecords
    function setValuation(uint256 assetId, uint128 amount, bytes3 currency, address appraiser, uint64 date) external {
        _onlyAgent(assetId);
        if (appraiser == address(0)) revert ZeroAddress();
        Valuation storage v = _assets[assetId].valuation;
        if (date > block.timestamp || date < v.date) revert InvalidValuationDate(date);
        _assets[assetId].valuation = Valuation(amount, currency, appraiser, date);
        emit ValuationUpdated(assetId, amount, currency, appraiser, date);
    }

    // ------------------------------------------------------------------ status and lease

    /// @inheritdoc IAssetRecords
    function freezeAsset(uint256 assetId) external {
        Asset storage a = _existing(assetId);
        bool isGov = _agentOrGovernance(assetId, a);
        if (a.status != AssetStatus.Active) revert InvalidStatus(assetId, a.status);
        a.status = AssetStatus.Frozen;
        a.frozenByGovernance = isGov;
        emit StatusChanged(assetId, AssetStatus.Active, AssetStatus.Frozen, msg.sender);
        _pushStatus(a, AssetStatus.Frozen);
    }

    /// @inheritdoc IAssetRecords
    function unfreezeAsset(uint256 assetId) external {
        Asset storage a = _existing(assetId);
        bool isGov = _agentOrGovernance(assetId, a);
        if (a.status != AssetStatus.Frozen) revert InvalidStatus(assetId, a.status);
        if (a.frozenByGovernance && !isGov) revert FrozenByGovernance(assetId);
        a.status = AssetStatus.Active;
        a.frozenByGovernance = false;
        emit StatusChanged(assetId, AssetStatus.Frozen, AssetStatus.Active, msg.sender);
        _pushStatus(a, AssetStatus.Active);
    }

    /// @inheritdoc IAssetRegistry
    /// @dev LEASE_MANAGER_ROLE. Refused for unknown or retired assets and for an end in the past.
    function setLease(uint256 assetId, uint64 until) external onlyRole(LEASE_MANAGER_ROLE) {
        Asset storage a = _existing(assetId);
        if (a.status == AssetStatus.Retired) revert InvalidStatus(assetId, a.status);
        if (until != 0 && until <= block.timestamp) revert LeaseEndInPast(until);
        a.leasedUntil = until;
        emit LeaseSet(assetId, until);
    }

    /// @inheritdoc IAssetRegistry
    function leasedUntil(uint256 assetId) public view returns (uint64) {
        uint64 until = _assets[assetId].leasedUntil;
        return until > block.timestamp ? until : 0;
    }

    /// @inheritdoc IAssetRegistry
    /// @dev BUYOUT_ROLE. Allowed from Active or Frozen; refused while leased. Final.
    function retire(uint256 assetId) external onlyRole(BUYOUT_ROLE) {
        Asset storage a = _existing(assetId);
        AssetStatus previous = a.status;
        if (previous == AssetStatus.Retired) revert InvalidStatus(assetId, previous);
        uint64 lease = leasedUntil(assetId);
        if (lease != 0) revert AssetLeased(assetId, lease);
        a.status = AssetStatus.Retired;
        a.frozenByGovernance = false;
        emit StatusChanged(assetId, previous, AssetStatus.Retired, msg.sender);
        _pushStatus(a, AssetStatus.Retired);
    }

    /// @dev Tells the asset's share token (when it exists) its new status, in the transaction that changes it:
    ///      the token checks freezes and retirement on every transfer from its own storage (a cold call to
    ///      this registry less per transfer). A token that reverts makes the status change revert.
    function _pushStatus(Asset storage a, AssetStatus status) private {
        address shares = a.shares;
        if (shares != address(0)) IAssetShares(shares).onAssetStatusChanged(status);
    }

    /// @inheritdoc IAssetRecords
    function setShares(uint256 assetId, address shares) external onlyRole(SHARE_FACTORY_ROLE) {
        Asset storage a = _existing(assetId);
        if (shares == address(0)) revert ZeroAddress();
        if (a.shares != address(0)) revert SharesAlreadyRecorded(assetId, a.shares);
        a.shares = shares;
        emit SharesRecorded(assetId, shares);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IAssetRegistry
    function agentOf(uint256 assetId) external view returns (address) {
        return _assets[assetId].agent;
    }

    /// @inheritdoc IAssetRegistry
    function statusOf(uint256 assetId) external view returns (AssetStatus) {
        return _assets[assetId].status;
    }

    /// @inheritdoc IAssetRegistry
    function sharesOf(uint256 assetId) external view returns (address) {
        return _assets[assetId].shares;
    }

    /// @inheritdoc IAssetRecords
    function assetOf(uint256 assetId) external view returns (Asset memory) {
        return _assets[assetId];
    }

    // ------------------------------------------------------------------ internals

    function _existing(uint256 assetId) private view returns (Asset storage a) {
        a = _assets[assetId];
        if (a.status == AssetStatus.None) revert UnknownAsset(assetId);
    }

    function _onlyAgent(uint256 assetId) private view {
        Asset storage a = _existing(assetId);
        if (msg.sender != a.agent) revert NotAgent(assetId, msg.sender);
    }

    function _agentOrGovernance(uint256 assetId, Asset storage a) private view returns (bool isGovernance) {
        isGovernance = hasRole(DEFAULT_ADMIN_ROLE, msg.sender);
        if (!isGovernance && msg.sender != a.agent) revert NotAgentOrGovernance(assetId, msg.sender);
    }

    function _append(uint256 assetId, bytes32 hash, uint64 supersedes, string calldata uri) private returns (uint256) {
        if (hash == bytes32(0)) revert ZeroDocumentHash();
        Document[] storage docs = _documents[assetId];
        docs.push(Document(hash, uint64(block.timestamp), supersedes, uri));
        uint256 index = docs.length - 1;
        emit DocumentAdded(assetId, index, hash, supersedes, uri);
        return index;
    }

    /// @notice ERC-165: IAssetRegistry, IAssetRecords, IAccessControl and IERC165.
    /// @param interfaceId The interface id.
    /// @return True when supported.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return
            interfaceId == type(IAssetRegistry).interfaceId ||
            interfaceId == type(IAssetRecords).interfaceId ||
            super.supportsInterface(interfaceId);
    }
}
