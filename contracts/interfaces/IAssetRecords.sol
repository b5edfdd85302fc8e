// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IPlinthErrors} from "../common/IPlinthErrors.sol";
import {IAssetRegistry} from "./IAssetRegistry.sol";

/// @title IAssetRecords
/// @notice The asset registry's records beyond what other Plinth contracts read (`IAssetRegistry`): registration
///         by issuers, the two-step agent change, append-only legal documents, metadata, valuation, freezes and the
///         share token's record; with the part's types, events and errors. Together with `IAssetRegistry`,
///         `IAccessControl` and `IERC165`, every external function of `AssetRegistry` is declared here.
interface IAssetRecords is IPlinthErrors {
    // ---------------------------------------------------------------------------------------------
    // Types
    // ---------------------------------------------------------------------------------------------

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
        IAssetRegistry.AssetStatus status;
        bool frozenByGovernance;
        bytes2 jurisdiction; // ISO-3166-1 alpha-2, e.g. "DE"
        uint64 leasedUntil;
        address agent;
        address pendingAgent;
        address shares;
        Valuation valuation;
        string metadataURI;
    }

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

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
    event StatusChanged(
        uint256 indexed assetId,
        IAssetRegistry.AssetStatus previous,
        IAssetRegistry.AssetStatus current,
        address indexed by
    );
    /// @notice Lease set until `until` (0 = ended).
    event LeaseSet(uint256 indexed assetId, uint64 until);
    /// @notice The asset's share token was recorded.
    event SharesRecorded(uint256 indexed assetId, address indexed shares);

    // ---------------------------------------------------------------------------------------------
    // Errors (shared ones: IPlinthErrors)
    // ---------------------------------------------------------------------------------------------

    /// @notice `assetId` already exists.
    error AssetExists(uint256 assetId);
    /// @notice Caller is not the asset's issuer.
    error NotIssuer(uint256 assetId, address caller);
    /// @notice Caller is not the proposed agent.
    error NotPendingAgent(uint256 assetId, address caller);
    /// @notice Caller is neither the asset's agent nor governance.
    error NotAgentOrGovernance(uint256 assetId, address caller);
    /// @notice The asset is not in the status the operation needs.
    error InvalidStatus(uint256 assetId, IAssetRegistry.AssetStatus status);
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

    // ---------------------------------------------------------------------------------------------
    // Roles
    // ---------------------------------------------------------------------------------------------

    /// @notice Role of the parties governance allows to register assets.
    /// @return The role id, keccak256("ISSUER_ROLE").
    function ISSUER_ROLE() external view returns (bytes32);

    /// @notice Role of the rental escrow: marks assets as leased (`IAssetRegistry.setLease`).
    /// @return The role id, keccak256("LEASE_MANAGER_ROLE").
    function LEASE_MANAGER_ROLE() external view returns (bytes32);

    /// @notice Role of the income distributor: retires an asset when the buyout proceeds are deposited.
    /// @return The role id, keccak256("BUYOUT_ROLE").
    function BUYOUT_ROLE() external view returns (bytes32);

    /// @notice Role of the share factory: records each asset's share token once.
    /// @return The role id, keccak256("SHARE_FACTORY_ROLE").
    function SHARE_FACTORY_ROLE() external view returns (bytes32);

    // ---------------------------------------------------------------------------------------------
    // Registration and agents
    // ---------------------------------------------------------------------------------------------

    /// @notice The id an asset registered by `issuer` with `salt` gets: `uint256(keccak256(abi.encode(issuer, salt)))`.
    /// @param issuer The registering issuer.
    /// @param salt Any value unique for this issuer (e.g. a hash of the asset's cadastral reference).
    /// @return The asset id.
    function computeAssetId(address issuer, bytes32 salt) external pure returns (uint256);

    /// @notice Registers a new asset, run by `agent`. Status becomes Active. Only ISSUER_ROLE.
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
    ) external returns (uint256 assetId);

    /// @notice Step 1 of an agent change: the issuer proposes `newAgent` (zero cancels a proposal).
    /// @param assetId The asset.
    /// @param newAgent The proposed agent.
    function proposeAgent(uint256 assetId, address newAgent) external;

    /// @notice Step 2 of an agent change: the proposed agent accepts.
    /// @param assetId The asset.
    function acceptAgent(uint256 assetId) external;

    /// @notice Changes the metadata URI. Only the asset's agent.
    /// @param assetId The asset.
    /// @param metadataURI The new URI.
    function setMetadataURI(uint256 assetId, string calldata metadataURI) external;

    // ---------------------------------------------------------------------------------------------
    // Documents (append-only)
    // ---------------------------------------------------------------------------------------------

    /// @notice Appends a legal document. Only the asset's agent.
    /// @param assetId The asset.
    /// @param hash Hash of the file (the issuer scripts use sha256).
    /// @param uri Label or location of the file.
    /// @return index The document's index.
    function addDocument(uint256 assetId, bytes32 hash, string calldata uri) external returns (uint256 index);

    /// @notice Appends a document that supersedes document `oldIndex` (which stays, unchanged, in the list).
    ///         A document can be superseded once; a later revision supersedes the newest one. Only the asset's agent.
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
    ) external returns (uint256 index);

    /// @notice Number of documents of an asset.
    /// @param assetId The asset.
    /// @return The count.
    function documentCount(uint256 assetId) external view returns (uint256);

    /// @notice Document `index` of an asset.
    /// @param assetId The asset.
    /// @param index The index.
    /// @return The document.
    function documentAt(uint256 assetId, uint256 index) external view returns (Document memory);

    /// @notice Whether document `index` was superseded, and by which one.
    /// @param assetId The asset.
    /// @param index The index.
    /// @return superseded True when a later document replaced it.
    /// @return by Index of the replacing document (0 when not superseded).
    function supersededBy(uint256 assetId, uint256 index) external view returns (bool superseded, uint256 by);

    // ---------------------------------------------------------------------------------------------
    // Valuation, status, share token
    // ---------------------------------------------------------------------------------------------

    /// @notice Records a new appraisal. Only the asset's agent. Dates never go backwards.
    /// @param assetId The asset.
    /// @param amount Value in the smallest unit of `currency`.
    /// @param currency ISO-4217 alphabetic code.
    /// @param appraiser Who appraised the asset.
    /// @param date When (not in the future, not before the current appraisal).
    function setValuation(uint256 assetId, uint128 amount, bytes3 currency, address appraiser, uint64 date) external;

    /// @notice Freezes an asset (share transfers stop). The asset's agent or governance; a freeze by
    ///         governance can only be lifted by governance.
    /// @param assetId The asset (must be Active).
    function freezeAsset(uint256 assetId) external;

    /// @notice Lifts a freeze. The asset's agent or governance (only governance if governance froze it).
    /// @param assetId The asset (must be Frozen).
    function unfreezeAsset(uint256 assetId) external;

    /// @notice Records the asset's share token. SHARE_FACTORY_ROLE, once per asset.
    /// @param assetId The asset.
    /// @param shares The share token.
    function setShares(uint256 assetId, address shares) external;

    /// @notice Everything stored about an asset (documents apart).
    /// @param assetId The asset.
    /// @return The asset record (all zero when unknown).
    function assetOf(uint256 assetId) external view returns (Asset memory);
}
