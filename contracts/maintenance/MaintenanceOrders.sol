// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";
import {IDisputeModule} from "../disputes/IDisputeModule.sol";
import {BPS} from "../common/Constants.sol";
import {IMaintenanceCustody} from "./IMaintenanceCustody.sol";
import {IMaintenanceEvidence} from "./IMaintenanceEvidence.sol";
import {IMaintenanceOrders} from "./IMaintenanceOrders.sol";
import {MaintenanceCustody} from "./MaintenanceCustody.sol";
import {MaintenanceEvidence} from "./MaintenanceEvidence.sol";

/// @title MaintenanceOrders
/// @notice Work orders for Plinth assets: the part's entry point and its one concept, an order's money terms
///         and lifecycle. A payer (anyone) or the asset's agent (from the asset's maintenance reserve)
///         escrows a budget into custody; a named provider accepts, or the controller awards a provider's
///         signed EIP-712 bid; the provider posts a bond. MaintenanceEvidence (deployed here) decides when a
///         milestone is released and calls `release`; MaintenanceCustody (deployed here) holds every token
///         and the claimable balances. This contract holds no money.
///
///         Every state has a deadline and a permissionless exit:
///         - Open: `acceptBy`. Exits: `accept`/`awardBid` -> Active; `cancel` (controller) -> Cancelled;
///           after `acceptBy`, `expire` (anyone) -> Expired, full refund.
///         - Active: `completeBy` (last second for evidence and claims). Exits: all milestones
///           released -> Completed (bond returned); after `completeBy` with no claim pending,
///           `expire` (anyone) -> Defaulted (unreleased price refunded, bond slashed, or returned when
///           the device the policy needs was decommissioned after acceptance).
///         Claims pending on MaintenanceEvidence end at the latest completeBy + challengeWindow +
///         disputeTimeout, so every order is terminal by then through public calls.
///         Ids are content-derived (creator + salt; a re-issue from the old id), storage is per order.
contract MaintenanceOrders is IMaintenanceOrders, AccessControl, ReentrancyGuardTransient, EIP712 {
    /// @inheritdoc IMaintenanceOrders
    bytes32 public constant BID_TYPEHASH = keccak256(
        "Bid(bytes32 orderId,address provider,uint256 price,uint256 bond,uint256 issuedAt,uint256 deadline)"
    );

    /// @inheritdoc IMaintenanceOrders
    IAssetRegistry public immutable assetRegistry;
    /// @inheritdoc IMaintenanceOrders
    IDeviceRegistry public immutable deviceRegistry;
    /// @inheritdoc IMaintenanceOrders
    IMaintenanceEvidence public immutable evidence;
    /// @inheritdoc IMaintenanceOrders
    IMaintenanceCustody public immutable custody;

    /// @inheritdoc IMaintenanceOrders
    mapping(address token => bool) public tokenAllowed;

    mapping(bytes32 orderId => Order) private _orders;
    mapping(bytes32 orderId => mapping(address provider => uint256)) private _bidsWithdrawnBefore;

    /// @notice Deploys the part: this contract, its MaintenanceEvidence and its MaintenanceCustody (with its
    ///         vault implementation); each sibling trusts exactly this contract (no initializer to front-run).
    /// @param admin Governance (DEFAULT_ADMIN_ROLE): allowlists tokens.
    /// @param assetRegistry_ The asset registry.
    /// @param deviceRegistry_ The device registry.
    /// @param distributor_ The income distributor, which must grant `custody()` RESERVE_SPENDER_ROLE.
    /// @param disputes_ The suite's dispute module (challenged claims are decided there).
    constructor(
        address admin,
        IAssetRegistry assetRegistry_,
        IDeviceRegistry deviceRegistry_,
        IIncomeDistributor distributor_,
        IDisputeModule disputes_
    ) EIP712("Plinth MaintenanceOrders", "1") {
        if (
            admin == address(0) ||
            address(assetRegistry_) == address(0) ||
            address(deviceRegistry_) == address(0) ||
            address(distributor_) == address(0) ||
            address(disputes_) == address(0)
        ) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        assetRegistry = assetRegistry_;
        deviceRegistry = deviceRegistry_;
        evidence = new MaintenanceEvidence(deviceRegistry_, disputes_);
        custody = new MaintenanceCustody(assetRegistry_, distributor_);
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IMaintenanceOrders
    function setTokenAllowed(address token, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (token == address(0)) revert ZeroAddress();
        tokenAllowed[token] = allowed;
        emit TokenAllowed(token, allowed);
    }

    // ------------------------------------------------------------------ creation

    /// @inheritdoc IMaintenanceOrders
    function createOrder(OrderParams calldata p) external nonReentrant returns (bytes32 orderId) {
        orderId = keccak256(abi.encode(msg.sender, p.salt));
        if (_orders[orderId].state != State.None) revert OrderExists(orderId);
        _checkTerms(p.assetId, p.deviceId, p.token, p.budget, p.bond, p.acceptBy, p.completeBy, p.fromReserve);
        uint8 milestoneCount = evidence.storeTerms(orderId, p.deviceId, p.policy, p.inspectors, p.milestoneBps);
        Order storage o = _orders[orderId];
        o.payer = msg.sender;
        o.acceptBy = p.acceptBy;
        o.completeBy = p.completeBy;
        o.state = State.Open;
        o.fromReserve = p.fromReserve;
        o.provider = p.provider;
        o.milestoneCount = milestoneCount;
        o.slashTo = p.slashTo;
        o.token = p.token;
        o.budget = uint128(p.budget);
        o.bond = uint128(p.bond);
        o.assetId = p.assetId;
        o.deviceId = p.deviceId;
        emit OrderCreated(
            orderId,
            p.assetId,
            p.deviceId,
            msg.sender,
            p.token,
            p.budget,
            p.provider,
            p.acceptBy,
            p.completeBy,
            p.fromReserve
        );
        custody.fund(p.assetId, p.token, msg.sender, p.budget, p.fromReserve);
    }

    /// @inheritdoc IMaintenanceOrders
    function reissue(
        bytes32 orderId,
        address provider,
        uint40 acceptBy,
        uint40 completeBy
    ) external nonReentrant returns (bytes32 newOrderId) {
        Order storage old = _order(orderId);
        State s = old.state;
        if (s != State.Expired && s != State.Defaulted && s != State.Cancelled) revert WrongState(orderId, s);
        _checkController(old);
        newOrderId = keccak256(abi.encode("reissue", orderId));
        if (_orders[newOrderId].state != State.None) revert AlreadyReissued(orderId);
        _checkTerms(old.assetId, old.deviceId, old.token, old.budget, old.bond, acceptBy, completeBy, old.fromReserve);
        evidence.copyTerms(orderId, newOrderId);
        Order storage o = _orders[newOrderId];
        o.payer = msg.sender;
        o.acceptBy = acceptBy;
        o.completeBy = completeBy;
        o.state = State.Open;
        o.fromReserve = old.fromReserve;
        o.provider = provider;
        o.milestoneCount = old.milestoneCount;
        o.slashTo = old.slashTo;
        o.token = old.token;
        o.budget = old.budget;
        o.bond = old.bond;
        o.assetId = old.assetId;
        o.deviceId = old.deviceId;
        emit OrderCreated(
            newOrderId,
            o.assetId,
            o.deviceId,
            msg.sender,
            o.token,
            o.budget,
            provider,
            acceptBy,
            completeBy,
            o.fromReserve
        );
        emit OrderReissued(orderId, newOrderId);
        custody.fund(o.assetId, o.token, msg.sender, o.budget, o.fromReserve);
    }

    // ------------------------------------------------------------------ acceptance

    /// @inheritdoc IMaintenanceOrders
    function accept(bytes32 orderId) external nonReentrant {
        Order storage o = _order(orderId);
        if (o.state != State.Open) revert WrongState(orderId, o.state);
        if (block.timestamp > o.acceptBy) revert DeadlinePassed(o.acceptBy);
        if (msg.sender != o.provider) revert NotProvider(msg.sender);
        _activate(orderId, o, msg.sender, o.budget, o.bond);
    }

    /// @inheritdoc IMaintenanceOrders
    function awardBid(bytes32 orderId, Bid calldata bid, bytes calldata signature) external nonReentrant {
        Order storage o = _order(orderId);
        if (o.state != State.Open) revert WrongState(orderId, o.state);
        if (block.timestamp > o.acceptBy) revert DeadlinePassed(o.acceptBy);
        _checkController(o);
        if (o.provider != address(0)) revert NotOpenForBids(orderId);
        if (block.timestamp > bid.deadline) revert DeadlinePassed(bid.deadline);
        uint256 floor = _bidsWithdrawnBefore[orderId][bid.provider];
        if (bid.issuedAt < floor) revert BidWithdrawn(bid.provider, bid.issuedAt, floor);
        if (
            bid.orderId != orderId ||
            bid.provider == address(0) ||
            bid.price == 0 ||
            bid.price > o.budget ||
            bid.bond < o.bond ||
            bid.bond > type(uint128).max
        ) revert BadBid();
        if (!SignatureChecker.isValidSignatureNowCalldata(bid.provider, bidDigest(bid), signature)) {
            revert InvalidSignature(bid.provider);
        }
        uint256 excess = o.budget - bid.price;
        o.provider = bid.provider;
        if (excess != 0) _refund(o, excess);
        _activate(orderId, o, bid.provider, bid.price, bid.bond);
    }

    /// @inheritdoc IMaintenanceOrders
    function withdrawBids(bytes32 orderId, uint256 issuedBefore) external {
        mapping(address => uint256) storage floors = _bidsWithdrawnBefore[orderId];
        if (issuedBefore <= floors[msg.sender]) revert BadBid();
        floors[msg.sender] = issuedBefore;
        emit BidsWithdrawn(orderId, msg.sender, issuedBefore);
    }

    /// @inheritdoc IMaintenanceOrders
    function cancel(bytes32 orderId) external nonReentrant {
        Order storage o = _order(orderId);
        if (o.state != State.Open) revert WrongState(orderId, o.state);
        _checkController(o);
        o.state = State.Cancelled;
        emit OrderCancelled(orderId, o.budget);
        _refund(o, o.budget);
    }

    /// @inheritdoc IMaintenanceOrders
    function expire(bytes32 orderId) external nonReentrant {
        Order storage o = _order(orderId);
        if (o.state == State.Open) {
            if (block.timestamp <= o.acceptBy) revert DeadlineNotPassed(o.acceptBy);
            o.state = State.Expired;
            emit OrderExpired(orderId, o.budget);
            _refund(o, o.budget);
        } else if (o.state == State.Active) {
            if (block.timestamp <= o.completeBy) revert DeadlineNotPassed(o.completeBy);
            (uint8 pending, bool deviceGone) = evidence.defaultTerms(orderId, o.deviceId);
            if (pending != 0) revert ClaimsPending(pending);
            o.state = State.Defaulted;
            uint256 unreleased = o.price - o.released;
            uint256 slashed = o.bond;
            if (unreleased != 0) _refund(o, unreleased);
            if (slashed != 0 && deviceGone) {
                custody.credit(o.provider, o.assetId, o.token, slashed);
                emit BondReturnedDeviceGone(orderId, o.deviceId, slashed);
                slashed = 0;
            }
            if (slashed != 0) {
                if (o.slashTo == SlashTo.Reserve) custody.creditReserve(o.assetId, o.token, slashed);
                else _refund(o, slashed);
            }
            emit OrderDefaulted(orderId, unreleased, slashed);
        } else {
            revert WrongState(orderId, o.state);
        }
    }

    // ------------------------------------------------------------------ release (MaintenanceEvidence)

    /// @inheritdoc IMaintenanceOrders
    function release(bytes32 orderId, uint8 milestone, uint16 startBps, uint16 endBps) external nonReentrant {
        if (msg.sender != address(evidence)) revert NotEvidence(msg.sender);
        Order storage o = _orders[orderId];
        if (o.state != State.Active) revert WrongState(orderId, o.state);
        uint256 price = o.price;
        // price < 2^128 and bps <= 10,000: the products cannot overflow, so plain floor division is
        // exact; consecutive milestones telescope to exactly `price` over the whole order.
        uint256 amount = (price * endBps) / BPS - (price * startBps) / BPS;
        o.released += uint128(amount);
        o.releasedCount += 1;
        emit MilestoneReleased(orderId, milestone, amount);
        address provider = o.provider;
        custody.credit(provider, o.assetId, o.token, amount);
        if (o.releasedCount == o.milestoneCount) {
            o.state = State.Completed;
            uint256 bond = o.bond;
            emit OrderCompleted(orderId, bond);
            if (bond != 0) custody.credit(provider, o.assetId, o.token, bond);
        }
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IMaintenanceOrders
    function getOrder(bytes32 orderId) external view returns (Order memory) {
        return _orders[orderId];
    }

    /// @inheritdoc IMaintenanceOrders
    function windowOf(bytes32 orderId) external view returns (Window memory w) {
        Order storage o = _orders[orderId];
        w.state = o.state;
        w.provider = o.provider;
        w.acceptedAt = o.acceptedAt;
        w.completeBy = o.completeBy;
        w.deviceId = o.deviceId;
    }

    /// @inheritdoc IMaintenanceOrders
    function controllerOf(bytes32 orderId) public view returns (address) {
        Order storage o = _orders[orderId];
        return o.fromReserve ? assetRegistry.agentOf(o.assetId) : o.payer;
    }

    /// @inheritdoc IMaintenanceOrders
    function bidDigest(Bid calldata bid) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(BID_TYPEHASH, bid.orderId, bid.provider, bid.price, bid.bond, bid.issuedAt, bid.deadline)
                )
            );
    }

    /// @notice ERC-165: IMaintenanceOrders and AccessControl's interfaces.
    /// @param interfaceId The interface id.
    /// @return Whether this contract implements it.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IMaintenanceOrders).interfaceId || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------ internals

    function _checkTerms(
        uint256 assetId,
        uint256 deviceId,
        address token,
        uint256 budget,
        uint256 bond,
        uint40 acceptBy,
        uint40 completeBy,
        bool fromReserve
    ) private view {
        if (!tokenAllowed[token]) revert TokenNotAllowed(token);
        if (budget == 0 || budget > type(uint128).max) revert BadBudget(budget);
        if (bond > type(uint128).max) revert BadBond(bond);
        if (acceptBy <= block.timestamp || completeBy <= acceptBy) revert BadDeadlines(acceptBy, completeBy);
        if (assetRegistry.statusOf(assetId) != IAssetRegistry.AssetStatus.Active) revert AssetNotActive(assetId);
        if (deviceId != 0 && deviceRegistry.assetOf(deviceId) != assetId) revert DeviceNotOnAsset(deviceId, assetId);
        if (fromReserve && assetRegistry.agentOf(assetId) != msg.sender) revert NotAgent(assetId, msg.sender);
    }

    function _activate(bytes32 orderId, Order storage o, address provider, uint256 price, uint256 bond) private {
        uint64 base = evidence.freezeDevice(orderId, o.assetId, o.deviceId);
        o.state = State.Active;
        o.acceptedAt = uint40(block.timestamp);
        o.price = uint128(price);
        o.bond = uint128(bond);
        emit OrderAccepted(orderId, provider, price, bond, base);
        if (bond != 0) custody.fund(o.assetId, o.token, provider, bond, false);
    }

    /// @dev Refunds go to the asset's reserve credit for reserve-funded orders, else to the payer.
    function _refund(Order storage o, uint256 amount) private {
        if (o.fromReserve) custody.creditReserve(o.assetId, o.token, amount);
        else custody.credit(o.payer, o.assetId, o.token, amount);
    }

    function _order(bytes32 orderId) private view returns (Order storage o) {
        o = _orders[orderId];
        if (o.state == State.None) revert UnknownOrder(orderId);
    }

    /// @dev The controller: the asset's current agent for reserve-funded orders, else the payer.
    function _checkController(Order storage o) private view {
        address controller = o.fromReserve ? assetRegistry.agentOf(o.assetId) : o.payer;
        if (msg.sender != controller) revert NotController(msg.sender);
    }
}
