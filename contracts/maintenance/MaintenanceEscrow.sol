// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";
import {IMaintenanceEscrow} from "./IMaintenanceEscrow.sol";
import {MaintenanceTerms} from "./MaintenanceTerms.sol";
import {AssetVault} from "../custody/AssetVault.sol";
import {DisputeModule} from "../disputes/DisputeModule.sol";
import {IArbitrable} from "../disputes/IArbitrable.sol";
import {IDisputeModule} from "../disputes/IDisputeModule.sol";
import {BPS, RULING_FOR_CHALLENGER, RULING_FOR_CLAIMANT} from "../common/Constants.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title MaintenanceEscrow
/// @notice Work orders for Plinth assets. A payer (anyone) or the asset's agent (from the asset's
///         maintenance reserve) escrows a budget; a named provider accepts, or the controller
///         awards a provider's signed bid; the provider posts a bond. Each milestone releases when
///         `k` of the order's evidence sources agree:
///         (a) the latest reading of `kind` from the order's device, read from the device registry
///             (the only verifier of device signatures), newer than acceptance in both counter and
///             time, signed by completeBy and meeting the value condition; each reading counts once
///             per order. The device is checked (Active, bound to the asset) once, at acceptance:
///             nothing done to it afterwards removes the provider's way to get paid;
///         (b) EIP-712 `Inspection` signatures of the inspectors named on the order (EOA or
///             ERC-1271), each inspector counted once per milestone; an inspector's verdicts are
///             ordered by `issuedAt` (after acceptance), the latest one on record counts;
///         (c) an optimistic claim by the provider that passes its challenge window; a challenge
///             opens a dispute on the dispute module (contracts/disputes, ERC-792 style), where the
///             order's arbiter rules or, after the dispute timeout, anyone applies the order's
///             default ruling; the module delivers the ruling to this escrow's `rule`.
///
///         Every state has a deadline and a permissionless exit:
///         - Open: `acceptBy`. Exits: `accept`/`awardBid` -> Active; `cancel` (controller) -> Cancelled;
///           after `acceptBy`, `expire` (anyone) -> Expired, full refund.
///         - Active: `completeBy` (last second for evidence and claims). Exits: all milestones
///           released -> Completed (bond returned); after `completeBy` with no claim pending,
///           `expire` (anyone) -> Defaulted (unreleased price refunded, bond slashed).
///         - Milestone claim Pending: `claimEnds` = claim + challengeWindow. Exits: `challenge`
///           (controller, before the end) -> Disputed; after it, `finalizeClaim` (anyone) counts it.
///         - Milestone claim Disputed: `claimEnds` = challenge + disputeTimeout. Exits: the
///           module's `rule` (arbiter, before it); from it on the module's `resolveByTimeout`
///           (anyone) applies the default ruling.
///         Claims can only be made up to `completeBy`, so every order is terminal at the latest at
///         completeBy + challengeWindow + disputeTimeout, after at most three public calls per milestone.
///
///         Money is never pushed: provider payments, returned bonds, refunds and slashed bonds are
///         claimable balances per (party, asset, token), withdrawn with `claim`. Refunds of reserve-funded
///         orders (and bonds slashed "to the reserve") are held per (asset, token) and returned with
///         the permissionless `returnToReserve`, which deposits them through the income distributor
///         (its carve-outs apply, the rest accrues to the asset's holders, the owners of that money).
///         A reserve-funded order (creation or re-issue) spends that held credit first.
///         Tokens are held per asset in an AssetVault clone (CREATE2, salt = assetId), so work
///         on different assets never writes the same storage slot, token balances included.
///         Ids are content-derived (creator + salt), storage is per order, per party or per asset.
contract MaintenanceEscrow is IMaintenanceEscrow, IArbitrable, AccessControl, ReentrancyGuardTransient, EIP712 {
    using SafeERC20 for IERC20;

    /// @inheritdoc IMaintenanceEscrow
    uint256 public constant MAX_INSPECTORS = 5;
    /// @inheritdoc IMaintenanceEscrow
    uint256 public constant MAX_MILESTONES = 8;
    /// @inheritdoc IMaintenanceEscrow
    uint256 public constant RULING_PROVIDER = RULING_FOR_CLAIMANT;
    /// @inheritdoc IMaintenanceEscrow
    uint256 public constant RULING_PAYER = RULING_FOR_CHALLENGER;

    /// @inheritdoc IMaintenanceEscrow
    bytes32 public constant INSPECTION_TYPEHASH = keccak256(
        "Inspection(bytes32 orderId,uint8 milestone,bool passed,address inspector,uint256 issuedAt,uint256 deadline)"
    );
    /// @inheritdoc IMaintenanceEscrow
    bytes32 public constant BID_TYPEHASH = keccak256(
        "Bid(bytes32 orderId,address provider,uint256 price,uint256 bond,uint256 issuedAt,uint256 deadline)"
    );
    /// @inheritdoc IMaintenanceEscrow
    uint256 public constant MAX_VERDICT_SKEW = 300;

    uint16 private constant BIT_DEVICE = 1;
    uint16 private constant BIT_OPTIMISTIC = 2;

    /// @inheritdoc IMaintenanceEscrow
    IAssetRegistry public immutable assetRegistry;
    /// @inheritdoc IMaintenanceEscrow
    IDeviceRegistry public immutable deviceRegistry;
    /// @inheritdoc IMaintenanceEscrow
    IDisputeModule public immutable disputes;
    /// @inheritdoc IMaintenanceEscrow
    IIncomeDistributor public immutable distributor;
    /// @inheritdoc IMaintenanceEscrow
    address public immutable vaultImplementation;

    /// @inheritdoc IMaintenanceEscrow
    mapping(address token => bool) public tokenAllowed;
    /// @inheritdoc IMaintenanceEscrow
    mapping(address party => mapping(uint256 assetId => mapping(address token => uint256))) public claimable;
    /// @inheritdoc IMaintenanceEscrow
    mapping(uint256 assetId => mapping(address token => uint256)) public reserveCredit;

    MaintenanceTerms.Book private _book;

    /// @param admin Governance (DEFAULT_ADMIN_ROLE): allowlists tokens.
    /// @param assetRegistry_ The asset registry.
    /// @param deviceRegistry_ The device registry.
    /// @param distributor_ The income distributor, which must grant this escrow RESERVE_SPENDER_ROLE.
    constructor(
        address admin,
        IAssetRegistry assetRegistry_,
        IDeviceRegistry deviceRegistry_,
        IIncomeDistributor distributor_
    ) EIP712("Plinth MaintenanceEscrow", "1") {
        if (
            admin == address(0) ||
            address(assetRegistry_) == address(0) ||
            address(deviceRegistry_) == address(0) ||
            address(distributor_) == address(0)
        ) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        assetRegistry = assetRegistry_;
        deviceRegistry = deviceRegistry_;
        distributor = distributor_;
        vaultImplementation = address(new AssetVault());
        disputes = new DisputeModule();
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IMaintenanceEscrow
    function setTokenAllowed(address token, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (token == address(0)) revert ZeroAddress();
        tokenAllowed[token] = allowed;
        emit TokenAllowed(token, allowed);
    }

    // ------------------------------------------------------------------ creation

    /// @inheritdoc IMaintenanceEscrow
    function createOrder(OrderParams calldata p) external nonReentrant returns (bytes32 orderId) {
        orderId = keccak256(abi.encode(msg.sender, p.salt));
        if (_book.orders[orderId].state != State.None) revert OrderExists(orderId);
        _checkTerms(p.assetId, p.deviceId, p.token, p.budget, p.bond, p.acceptBy, p.completeBy, p.fromReserve);
        MaintenanceTerms.store(_book, orderId, msg.sender, p);
        _fund(p.assetId, p.token, p.budget, p.fromReserve);
    }

    /// @inheritdoc IMaintenanceEscrow
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
        if (_book.orders[newOrderId].state != State.None) revert AlreadyReissued(orderId);
        _checkTerms(old.assetId, old.deviceId, old.token, old.budget, old.bond, acceptBy, completeBy, old.fromReserve);

        MaintenanceTerms.copy(_book, orderId, newOrderId, msg.sender, provider, acceptBy, completeBy);
        _fund(old.assetId, old.token, old.budget, old.fromReserve);
    }

    // ------------------------------------------------------------------ acceptance

    /// @inheritdoc IMaintenanceEscrow
    function accept(bytes32 orderId) external nonReentrant {
        Order storage o = _order(orderId);
        if (o.state != State.Open) revert WrongState(orderId, o.state);
        if (block.timestamp > o.acceptBy) revert DeadlinePassed(o.acceptBy);
        if (msg.sender != o.provider) revert NotProvider(msg.sender);
        _activate(orderId, o, msg.sender, o.budget, o.bond);
    }

    /// @inheritdoc IMaintenanceEscrow
    function awardBid(bytes32 orderId, Bid calldata bid, bytes calldata signature) external nonReentrant {
        Order storage o = _order(orderId);
        if (o.state != State.Open) revert WrongState(orderId, o.state);
        if (block.timestamp > o.acceptBy) revert DeadlinePassed(o.acceptBy);
        _checkController(o);
        bytes32 digest = _hashTypedDataV4(
            keccak256(
                abi.encode(BID_TYPEHASH, bid.orderId, bid.provider, bid.price, bid.bond, bid.issuedAt, bid.deadline)
            )
        );
        MaintenanceTerms.checkBid(_book, orderId, bid, digest, signature);
        uint256 excess = o.budget - bid.price;
        o.provider = bid.provider;
        if (excess != 0) _refund(o, excess);
        _activate(orderId, o, bid.provider, bid.price, bid.bond);
    }

    /// @inheritdoc IMaintenanceEscrow
    function withdrawBids(bytes32 orderId, uint256 issuedBefore) external {
        MaintenanceTerms.withdrawBids(_book, orderId, issuedBefore);
    }

    /// @inheritdoc IMaintenanceEscrow
    function cancel(bytes32 orderId) external nonReentrant {
        Order storage o = _order(orderId);
        if (o.state != State.Open) revert WrongState(orderId, o.state);
        _checkController(o);
        o.state = State.Cancelled;
        _refund(o, o.budget);
        emit OrderCancelled(orderId, o.budget);
    }

    /// @inheritdoc IMaintenanceEscrow
    function expire(bytes32 orderId) external nonReentrant {
        Order storage o = _order(orderId);
        if (o.state == State.Open) {
            if (block.timestamp <= o.acceptBy) revert DeadlineNotPassed(o.acceptBy);
            o.state = State.Expired;
            _refund(o, o.budget);
            emit OrderExpired(orderId, o.budget);
        } else if (o.state == State.Active) {
            if (block.timestamp <= o.completeBy) revert DeadlineNotPassed(o.completeBy);
            if (o.pendingClaims != 0) revert ClaimsPending(o.pendingClaims);
            o.state = State.Defaulted;
            uint256 unreleased = o.price - o.released;
            uint256 slashed = o.bond;
            if (unreleased != 0) _refund(o, unreleased);
            if (slashed != 0 && MaintenanceTerms.deviceGone(_book, deviceRegistry, orderId)) {
                _credit(o.provider, o.assetId, o.token, slashed);
                emit BondReturnedDeviceGone(orderId, o.deviceId, slashed);
                slashed = 0;
            }
            if (slashed != 0) {
                if (o.slashTo == SlashTo.Reserve) _creditReserve(o.assetId, o.token, slashed);
                else _refund(o, slashed);
            }
            emit OrderDefaulted(orderId, unreleased, slashed);
        } else {
            revert WrongState(orderId, o.state);
        }
    }

    // ------------------------------------------------------------------ evidence

    /// @inheritdoc IMaintenanceEscrow
    function submitDeviceEvidence(bytes32 orderId, uint8 milestone, uint256 deviceId) external nonReentrant {
        (Order storage o, Milestone storage m) = _evidenceTarget(orderId, milestone);
        if (m.passBits & BIT_DEVICE != 0) revert SourceAlreadyCounted(milestone, 0);
        uint64 counter = MaintenanceTerms.checkReading(_book, deviceRegistry, orderId, deviceId);
        o.usedCounter = counter;
        _agree(orderId, o, m, milestone, 0);
    }

    /// @inheritdoc IMaintenanceEscrow
    function submitInspections(
        bytes32 orderId,
        Inspection[] calldata inspections,
        bytes[] calldata signatures
    ) external nonReentrant {
        if (inspections.length != signatures.length || inspections.length > MAX_INSPECTORS) revert BadInspectors();
        for (uint256 i = 0; i < inspections.length; ++i) {
            _inspection(orderId, inspections[i], signatures[i]);
        }
    }

    /// @inheritdoc IMaintenanceEscrow
    function claimMilestone(bytes32 orderId, uint8 milestone) external nonReentrant {
        (Order storage o, Milestone storage m) = _evidenceTarget(orderId, milestone);
        Policy storage pol = _book.policies[orderId];
        if (!pol.optimistic) revert SourceNotEnabled();
        if (msg.sender != o.provider) revert NotProvider(msg.sender);
        if (m.claim != ClaimStatus.None || m.passBits & BIT_OPTIMISTIC != 0) revert WrongClaimStatus(m.claim);
        uint40 ends = uint40(block.timestamp) + pol.challengeWindow;
        m.claim = ClaimStatus.Pending;
        m.claimEnds = ends;
        m.round += 1;
        o.pendingClaims += 1;
        emit MilestoneClaimed(orderId, milestone, ends);
    }

    /// @inheritdoc IMaintenanceEscrow
    function challenge(bytes32 orderId, uint8 milestone) external nonReentrant returns (uint256 disputeId) {
        Order storage o = _order(orderId);
        Milestone storage m = _milestone(orderId, o, milestone);
        _checkController(o);
        if (m.claim != ClaimStatus.Pending) revert WrongClaimStatus(m.claim);
        if (block.timestamp >= m.claimEnds) revert DeadlinePassed(m.claimEnds);
        Policy storage pol = _book.policies[orderId];
        uint16 round = m.round;
        uint40 deadline = uint40(block.timestamp) + pol.disputeTimeout;
        m.claim = ClaimStatus.Disputed;
        m.claimEnds = deadline;
        // The module is this escrow's own (deployed in the constructor) and calls nothing back here.
        (disputeId, ) = disputes.createDispute(
            keccak256(abi.encode(orderId, milestone, round)),
            pol.arbiter,
            pol.disputeTimeout,
            pol.defaultRuling
        );
        _book.disputes[disputeId] = Dispute({orderId: orderId, milestone: milestone, round: round});
        emit ClaimChallenged(orderId, milestone, disputeId, pol.arbiter, deadline);
    }

    /// @inheritdoc IMaintenanceEscrow
    function finalizeClaim(bytes32 orderId, uint8 milestone) external nonReentrant {
        Order storage o = _order(orderId);
        Milestone storage m = _milestone(orderId, o, milestone);
        if (m.claim != ClaimStatus.Pending) revert WrongClaimStatus(m.claim);
        if (block.timestamp < m.claimEnds) revert DeadlineNotPassed(m.claimEnds);
        _closeClaim(o, m);
        _agree(orderId, o, m, milestone, 1);
    }

    /// @notice ERC-792 arbitrable side: the dispute module delivers the final ruling of a dispute
    ///         this escrow opened (`challenge`). 1: the claim stands and counts as a source; 2: it is
    ///         rejected (the provider may claim again until completeBy). A dispute made moot (the
    ///         milestone released by other evidence, or the claim closed) changes nothing.
    /// @param disputeId The dispute.
    /// @param ruling The final ruling (1 or 2: the module applied the default ruling on refusal or timeout).
    function rule(uint256 disputeId, uint256 ruling) external nonReentrant {
        if (msg.sender != address(disputes)) revert NotDisputeModule(msg.sender);
        Dispute storage d = _book.disputes[disputeId];
        bytes32 orderId = d.orderId;
        Order storage o = _book.orders[orderId];
        Milestone storage m = _book.milestones[orderId][d.milestone];
        if (m.claim != ClaimStatus.Disputed || m.round != d.round || m.released) return; // moot
        _closeClaim(o, m);
        if (ruling == RULING_PROVIDER) _agree(orderId, o, m, d.milestone, 1);
    }

    // ------------------------------------------------------------------ money out

    /// @inheritdoc IMaintenanceEscrow
    function claim(uint256 assetId, address token, address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        amount = claimable[msg.sender][assetId][token];
        if (amount == 0) revert NothingToClaim();
        claimable[msg.sender][assetId][token] = 0;
        emit Claimed(msg.sender, assetId, token, to, amount);
        AssetVault(payable(vaultOf(assetId))).pay(token, to, amount);
    }

    /// @inheritdoc IMaintenanceEscrow
    function returnToReserve(uint256 assetId, address token) external nonReentrant returns (uint256 amount) {
        amount = reserveCredit[assetId][token];
        if (amount == 0) revert NothingToClaim();
        reserveCredit[assetId][token] = 0;
        emit ReserveReturned(assetId, token, amount);
        if (assetRegistry.statusOf(assetId) == IAssetRegistry.AssetStatus.Retired) {
            _credit(assetRegistry.agentOf(assetId), assetId, token, amount);
            return amount;
        }
        AssetVault(payable(vaultOf(assetId))).pay(token, address(this), amount);
        IERC20(token).forceApprove(address(distributor), amount);
        distributor.deposit(assetId, token, amount);
        IERC20(token).forceApprove(address(distributor), 0);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IMaintenanceEscrow
    function vaultOf(uint256 assetId) public view returns (address) {
        return Clones.predictDeterministicAddress(vaultImplementation, bytes32(assetId));
    }

    /// @inheritdoc IMaintenanceEscrow
    function getOrder(bytes32 orderId) external view returns (Order memory) {
        return _book.orders[orderId];
    }

    /// @inheritdoc IMaintenanceEscrow
    function getPolicy(bytes32 orderId) external view returns (Policy memory) {
        return _book.policies[orderId];
    }

    /// @inheritdoc IMaintenanceEscrow
    function getInspectors(bytes32 orderId) external view returns (address[] memory list) {
        uint256 n = _book.orders[orderId].inspectorCount;
        list = new address[](n);
        for (uint256 i = 0; i < n; ++i) list[i] = _book.inspectors[orderId][i];
    }

    /// @inheritdoc IMaintenanceEscrow
    function getMilestone(bytes32 orderId, uint8 milestone) external view returns (Milestone memory) {
        return _book.milestones[orderId][milestone];
    }

    /// @inheritdoc IMaintenanceEscrow
    function milestoneAmount(bytes32 orderId, uint8 milestone) public view returns (uint256) {
        Milestone storage m = _book.milestones[orderId][milestone];
        uint256 price = _book.orders[orderId].price;
        // price < 2^128 and bps <= 10,000: the products cannot overflow, so plain floor division is
        // exact; consecutive milestones telescope to exactly `price` over the whole order.
        return (price * m.endBps) / BPS - (price * m.startBps) / BPS;
    }

    /// @inheritdoc IMaintenanceEscrow
    function getDispute(uint256 disputeId) external view returns (Dispute memory) {
        return _book.disputes[disputeId];
    }

    /// @inheritdoc IMaintenanceEscrow
    function inspectionDigest(Inspection calldata i) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        INSPECTION_TYPEHASH,
                        i.orderId,
                        i.milestone,
                        i.passed,
                        i.inspector,
                        i.issuedAt,
                        i.deadline
                    )
                )
            );
    }

    /// @notice ERC-165: this escrow's own interface (IMaintenanceEscrow), IArbitrable and AccessControl's.
    /// @param interfaceId The interface id.
    /// @return Whether this contract implements it.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return
            interfaceId == type(IMaintenanceEscrow).interfaceId ||
            interfaceId == type(IArbitrable).interfaceId ||
            super.supportsInterface(interfaceId);
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
        MaintenanceTerms.checkParties(
            address(assetRegistry),
            address(deviceRegistry),
            assetId,
            deviceId,
            fromReserve,
            msg.sender
        );
    }

    /// @dev Payer-funded: pulls `amount` from the caller. Reserve-funded: uses the asset's reserve
    ///      credit held here first (refunds and slashes not yet returned), then pulls the rest from
    ///      the distributor. Either way the balance received must match exactly.
    function _fund(uint256 assetId, address token, uint256 amount, bool fromReserve) private {
        if (fromReserve) {
            uint256 credit = reserveCredit[assetId][token];
            uint256 used = credit < amount ? credit : amount;
            if (used != 0) {
                reserveCredit[assetId][token] = credit - used;
                emit ReserveCreditUsed(assetId, token, used);
                amount -= used;
                if (amount == 0) return;
            }
        }
        MaintenanceTerms.pull(
            vaultImplementation,
            address(distributor),
            assetId,
            token,
            msg.sender,
            amount,
            fromReserve
        );
    }

    function _activate(bytes32 orderId, Order storage o, address provider, uint256 price, uint256 bond) private {
        uint64 base = MaintenanceTerms.freezeDevice(_book, deviceRegistry, orderId);
        o.state = State.Active;
        o.acceptedAt = uint40(block.timestamp);
        o.usedCounter = base;
        o.price = uint128(price);
        o.bond = uint128(bond);
        emit OrderAccepted(orderId, provider, price, bond, base);
        if (bond != 0) {
            MaintenanceTerms.pull(vaultImplementation, address(distributor), o.assetId, o.token, provider, bond, false);
        }
    }

    function _inspection(bytes32 orderId, Inspection calldata ins, bytes calldata signature) private {
        if (ins.orderId != orderId) revert InspectionForOtherOrder(ins.orderId);
        (Order storage o, Milestone storage m) = _evidenceTarget(orderId, ins.milestone);
        uint8 source = MaintenanceTerms.recordInspection(_book, ins, inspectionDigest(ins), signature);
        if (ins.passed) _agree(orderId, o, m, ins.milestone, source);
    }

    /// @dev Records source `source` as agreeing on milestone `index`; releases it when `k` agree.
    function _agree(bytes32 orderId, Order storage o, Milestone storage m, uint8 index, uint8 source) private {
        uint16 bits = m.passBits | uint16(1 << source);
        m.passBits = bits;
        uint8 agreeing = uint8(_popcount(bits));
        emit EvidenceAccepted(orderId, index, source, agreeing);
        if (agreeing < _book.policies[orderId].k) return;

        m.released = true;
        if (m.claim != ClaimStatus.None) _closeClaim(o, m);
        uint256 amount = milestoneAmount(orderId, index);
        o.released += uint128(amount);
        o.releasedCount += 1;
        emit MilestoneReleased(orderId, index, amount);
        address provider = o.provider;
        _credit(provider, o.assetId, o.token, amount);
        if (o.releasedCount == o.milestoneCount) {
            o.state = State.Completed;
            uint256 bond = o.bond;
            if (bond != 0) _credit(provider, o.assetId, o.token, bond);
            emit OrderCompleted(orderId, bond);
        }
    }

    function _closeClaim(Order storage o, Milestone storage m) private {
        m.claim = ClaimStatus.None;
        m.claimEnds = 0;
        o.pendingClaims -= 1;
    }

    function _refund(Order storage o, uint256 amount) private {
        if (o.fromReserve) _creditReserve(o.assetId, o.token, amount);
        else _credit(o.payer, o.assetId, o.token, amount);
    }

    function _credit(address party, uint256 assetId, address token, uint256 amount) private {
        claimable[party][assetId][token] += amount;
        emit Credited(party, assetId, token, amount);
    }

    function _creditReserve(uint256 assetId, address token, uint256 amount) private {
        reserveCredit[assetId][token] += amount;
        emit ReserveCredited(assetId, token, amount);
    }

    function _order(bytes32 orderId) private view returns (Order storage o) {
        o = _book.orders[orderId];
        if (o.state == State.None) revert UnknownOrder(orderId);
    }

    function _milestone(bytes32 orderId, Order storage o, uint8 index) private view returns (Milestone storage) {
        if (index >= o.milestoneCount) revert BadMilestone(index);
        return _book.milestones[orderId][index];
    }

    /// @dev An Active order before its complete-by deadline, and an unreleased milestone of it.
    function _evidenceTarget(bytes32 orderId, uint8 index) private view returns (Order storage o, Milestone storage m) {
        o = _order(orderId);
        if (o.state != State.Active) revert WrongState(orderId, o.state);
        if (block.timestamp > o.completeBy) revert DeadlinePassed(o.completeBy);
        m = _milestone(orderId, o, index);
        if (m.released) revert AlreadyReleased(orderId, index);
    }

    /// @dev The controller: the asset's current agent for reserve-funded orders, else the payer.
    function _checkController(Order storage o) private view {
        address controller = o.fromReserve ? assetRegistry.agentOf(o.assetId) : o.payer;
        if (msg.sender != controller) revert NotController(msg.sender);
    }

    function _popcount(uint16 x) private pure returns (uint256 c) {
        while (x != 0) {
            x &= x - 1;
            ++c;
        }
    }
}
