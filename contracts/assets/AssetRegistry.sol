// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IAssetShares} from "../interfaces/IAssetShares.sol";

/// @title AssetRegistry
/// @notice The register of real assets (solar plants, batteries, buildings, chargers, sensor fleets):
///         who issued each one, who runs it (its agent), its legal documents (append-only), its
///         jurisdiction, its valuation, its lifecycle status, its lease and its share token.
/// @dev Asset ids are derived from content, never from a counter: `assetId = uint256(keccak256(abi.encode(
///      issuer, salt)))` (see `computeAssetId`). Every write touches only the slots of one asset, so
///      work on different assets never writes the same storage slot.
contract AssetRegistry is IAssetRegistry, AccessControl {
    /// @notice Granted by governance to the parties allowed to register assets.
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @notice The rental escrow: marks assets as leased.
    bytes32 public constant LEASE_MANAGER_ROLE = keccak256("LEASE_MANAGER_ROLE");
    /// @notice The income distributor: retires an asset when the buyout proceeds are deposited.
    bytes32 public constant BUYOUT_ROLE = keccak256("BUYOUT_ROLE");
    /// @notice The share factory: records each asset's share token once.
    bytes32 public constant SHARE_FACTORY_ROLE = keccak256("SHARE_FACTORY_ROLE");

    /// @notice Kind of physical asset.
    enum AssetClass {
        Solar,
        Battery,
        Building,
        Charger,
        SensorFleet,
        Other
    }

    /// @notice Latest appraisal. History is in `ValuationUpdated` events.
    struct Valuation {
        uint128 amount; // in the smallest unit of `currency` (e.g. cents)
        bytes3 currency; // ISO-4217 alphabetic code, e.g. "EUR"
        address appraiser;
        uint64 date; // appraisal date (timestamp)
    }

    /// @notice One legal document, never modified once appended.
    struct Document {
        bytes32 hash; // sha256 (or keccak256) of the file, as declared by the agent
        uint64 timestamp; // when it was appended
        uint64 supersedes; // 1 + index of the document it replaces, 0 when none
        string uri; // label or location, e.g. "ipfs://.../deed.pdf"
    }

    /// @notice What the registry keeps per asset.
    struct Asset {
        address issuer;
        AssetClass assetClass;
        AssetStatus status;
        bool frozenByGovernance;
        bytes2 jurisdiction; // ISO-3166-1 alpha-2, e.g. "DE"
        uint64 leasedUntil;
        address agent;
        address pendingAgent;
        address shares;
        Valuation valuation;
        string metadataURI;
    }

    mapping(uint256 assetId => Asset) private _assets;
    mapping(uint256 assetId => Document[]) private _documents;
    mapping(uint256 assetId => mapping(uint256 index => uint256 byIndexPlusOne)) private _supersededBy;

    /// @notice `issuer` registered `assetId` (derived from `issuer` and `salt`), run by `agent`.
    event AssetRegistered(
        uint256 indexed assetId,
        address indexed issuer,
        address indexed agent,
        bytes32 salt,
        AssetClass assetClass,
        bytes2 jurisdiction,
        string metadataURI
    );
    /// @notice The issuer proposed `pendingAgent` as the asset's next agent (zero cancels).
    event AgentProposed(uint256 indexed assetId, address indexed pendingAgent);
    /// @notice `newAgent` accepted and now runs the asset.
    event AgentChanged(uint256 indexed assetId, address indexed previousAgent, address indexed newAgent);
    /// @notice The asset's metadata URI changed.
    event MetadataURIChanged(uint256 indexed assetId, string metadataURI);
    /// @notice Document `index` was appended; `supersedes` is 1 + the index it replaces, or 0.
    event DocumentAdded(uint256 indexed assetId, uint256 indexed index, bytes32 hash, uint256 supersedes, string uri);
    /// @notice A new appraisal.
    event ValuationUpdated(
        uint256 indexed assetId,
        uint128 amount,
        bytes3 currency,
        address indexed appraiser,
        uint64 date
    );
    /// @notice Status changed from `previous` to `current` by `by`.
    event StatusChanged(uint256 indexed assetId, AssetStatus previous, AssetStatus current, address indexed by);
    /// @notice Lease set until `until` (0 = ended).
    event LeaseSet(uint256 indexed assetId, uint64 until);
    /// @notice The asset's share token was recorded.
    event SharesRecorded(uint256 indexed assetId, address indexed shares);

    /// @notice Governance address was zero.
    error ZeroGovernance();
    /// @notice An address argument was zero.
    error ZeroAddress();
    /// @notice `assetId` already exists.
    error AssetExists(uint256 assetId);
    /// @notice `assetId` was never registered.
    error UnknownAsset(uint256 assetId);
    /// @notice Caller is not the asset's agent.
    error NotAgent(uint256 assetId, address caller);
    /// @notice Caller is not the asset's issuer.
    error NotIssuer(uint256 assetId, address caller);
    /// @notice Caller is not the proposed agent.
    error NotPendingAgent(uint256 assetId, address caller);
    /// @notice Caller is neither the asset's agent nor governance.
    error NotAgentOrGovernance(uint256 assetId, address caller);
    /// @notice The asset is not in the status the operation needs.
    error InvalidStatus(uint256 assetId, AssetStatus status);
    /// @notice Only governance may lift a freeze governance imposed.
    error FrozenByGovernance(uint256 assetId);
    /// @notice The asset is leased until `until`.
    error AssetLeased(uint256 assetId, uint64 until);
    /// @notice A lease end must be in the future (or 0 to end the lease).
    error LeaseEndInPast(uint64 until);
    /// @notice A document hash was zero.
    error ZeroDocumentHash();
    /// @notice No document at `index`.
    error UnknownDocument(uint256 assetId, uint256 index);
    /// @notice Document `index` was already superseded by document `by`.
    error DocumentAlreadySuperseded(uint256 assetId, uint256 index, uint256 by);
    /// @notice Appraisal date is in the future or older than the current one.
    error InvalidValuationDate(uint64 date);
    /// @notice Shares were already recorded for the asset.
    error SharesAlreadyRecorded(uint256 assetId, address shares);

    /// @param governance Receives DEFAULT_ADMIN_ROLE (grants the other roles).
    constructor(address governance) {
        if (governance == address(0)) revert ZeroGovernance();
        _grantRole(DEFAULT_ADMIN_ROLE, governance);
    }

    // ------------------------------------------------------------------ registration

    /// @notice The id an asset registered by `issuer` with `salt` gets: `uint256(keccak256(abi.encode(issuer, salt)))`.
    /// @param issuer The registering issuer.
    /// @param salt Any value unique for this issuer (e.g. a hash of the asset's cadastral reference).
    /// @return The asset id.
    function computeAssetId(address issuer, bytes32 salt) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(issuer, salt)));
    }

    /// @notice Registers a new asset, run by `agent`. Status becomes Active.
    /// @param salt Makes the id unique for the caller (see `computeAssetId`).
    /// @param assetClass Kind of asset.
    /// @param jurisdiction ISO-3166-1 alpha-2 code of the country whose law governs it.
    /// @param agent Runs the asset (compliance, documents, rentals); may be the issuer itself.
    /// @param metadataURI Off-chain description (e.g. ipfs://...).
    /// @return assetId The new asset's id.
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

    /// @notice Step 1 of an agent change: the issuer proposes `newAgent` (zero cancels a proposal).
    /// @param assetId The asset.
    /// @param newAgent The proposed agent.
    function proposeAgent(uint256 assetId, address newAgent) external {
        Asset storage a = _existing(assetId);
        if (msg.sender != a.issuer) revert NotIssuer(assetId, msg.sender);
        a.pendingAgent = newAgent;
        emit AgentProposed(assetId, newAgent);
    }

    /// @notice Step 2 of an agent change: the proposed agent accepts.
    /// @param assetId The asset.
    function acceptAgent(uint256 assetId) external {
        Asset storage a = _existing(assetId);
        if (msg.sender != a.pendingAgent || msg.sender == address(0)) revert NotPendingAgent(assetId, msg.sender);
        address previous = a.agent;
        a.agent = msg.sender;
        a.pendingAgent = address(0);
        emit AgentChanged(assetId, previous, msg.sender);
    }

    /// @notice Changes the metadata URI. Only the asset's agent.
    /// @param assetId The asset.
    /// @param metadataURI The new URI.
    function setMetadataURI(uint256 assetId, string calldata metadataURI) external {
        _onlyAgent(assetId);
        _assets[assetId].metadataURI = metadataURI;
        emit MetadataURIChanged(assetId, metadataURI);
    }

    // ------------------------------------------------------------------ documents (append-only)

    /// @notice Appends a legal document. Only the asset's agent.
    /// @param assetId The asset.
    /// @param hash Hash of the file (the issuer scripts use sha256).
    /// @param uri Label or location of the file.
    /// @return index The document's index.
    function addDocument(uint256 assetId, bytes32 hash, string calldata uri) external returns (uint256 index) {
        _onlyAgent(assetId);
        return _append(assetId, hash, 0, uri);
    }

    /// @notice Appends a document that supersedes document `oldIndex` (which stays, unchanged, in the list).
    ///         A document can be superseded once; a later revision supersedes the newest one.
    /// @param assetId The asset.
    /// @param oldIndex Index of the superseded document.
    /// @param hash Hash of the new file.
    /// @param uri Label or location of the new file.
    /// @return index The new document's index.
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

    /// @notice Number of documents of an asset.
    /// @param assetId The asset.
    /// @return The count.
    function documentCount(uint256 assetId) external view returns (uint256) {
        return _documents[assetId].length;
    }

    /// @notice Document `index` of an asset.
    /// @param assetId The asset.
    /// @param index The index.
    /// @return The document.
    function documentAt(uint256 assetId, uint256 index) external view returns (Document memory) {
        if (index >= _documents[assetId].length) revert UnknownDocument(assetId, index);
        return _documents[assetId][index];
    }

    /// @notice Whether document `index` was superseded, and by which one.
    /// @param assetId The asset.
    /// @param index The index.
    /// @return superseded True when a later document replaced it.
    /// @return by Index of the replacing document (0 when not superseded).
    function supersededBy(uint256 assetId, uint256 index) external view returns (bool superseded, uint256 by) {
        uint256 v = _supersededBy[assetId][index];
        return v == 0 ? (false, 0) : (true, v - 1);
    }

    // ------------------------------------------------------------------ valuation

    /// @notice Records a new appraisal. Only the asset's agent. Dates never go backwards.
    /// @param assetId The asset.
    /// @param amount Value in the smallest unit of `currency`.
    /// @param currency ISO-4217 alphabetic code.
    /// @param appraiser Who appraised the asset.
    /// @param date When (not in the future, not before the current appraisal).
    function setValuation(uint256 assetId, uint128 amount, bytes3 currency, address appraiser, uint64 date) external {
        _onlyAgent(assetId);
        if (appraiser == address(0)) revert ZeroAddress();
        Valuation storage v = _assets[assetId].valuation;
        if (date > block.timestamp || date < v.date) revert InvalidValuationDate(date);
        _assets[assetId].valuation = Valuation(amount, currency, appraiser, date);
        emit ValuationUpdated(assetId, amount, currency, appraiser, date);
    }

    // ------------------------------------------------------------------ status and lease

    /// @notice Freezes an asset (share transfers stop). The asset's agent or governance; a freeze by
    ///         governance can only be lifted by governance.
    /// @param assetId The asset (must be Active).
    function freezeAsset(uint256 assetId) external {
        Asset storage a = _existing(assetId);
        bool isGov = _agentOrGovernance(assetId, a);
        if (a.status != AssetStatus.Active) revert InvalidStatus(assetId, a.status);
        a.status = AssetStatus.Frozen;
        a.frozenByGovernance = isGov;
        emit StatusChanged(assetId, AssetStatus.Active, AssetStatus.Frozen, msg.sender);
        _pushStatus(a, AssetStatus.Frozen);
    }

    /// @notice Lifts a freeze. The asset's agent or governance (only governance if governance froze it).
    /// @param assetId The asset (must be Frozen).
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

    /// @notice Records the asset's share token. SHARE_FACTORY_ROLE, once per asset.
    /// @param assetId The asset.
    /// @param shares The share token.
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

    /// @notice Everything stored about an asset (documents apart).
    /// @param assetId The asset.
    /// @return The asset record (all zero when unknown).
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

    /// @notice ERC-165: IAssetRegistry, IAccessControl and IERC165.
    /// @param interfaceId The interface id.
    /// @return True when supported.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IAssetRegistry).interfaceId || super.supportsInterface(interfaceId);
    }
}
