// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {IIncomeDistributor} from "../interfaces/IIncomeDistributor.sol";
import {IMaintenanceEscrow} from "./IMaintenanceEscrow.sol";
import {IPlinthErrors} from "../common/IPlinthErrors.sol";
import {BPS} from "../common/Constants.sol";

/// @title MaintenanceTerms
/// @notice Externally linked library of MaintenanceEscrow: validates and stores a work order's
///         terms (policy, inspectors, milestones) at creation, and copies them on re-issue. It runs
///         by DELEGATECALL in the escrow's storage (its events and errors are the escrow's); it
///         keeps the escrow under the 24,576-byte code size limit.
library MaintenanceTerms {
    using SafeERC20 for IERC20;
    /// @notice Per-order storage of the escrow.
    struct Book {
        mapping(bytes32 orderId => IMaintenanceEscrow.Order) orders;
        mapping(bytes32 orderId => IMaintenanceEscrow.Policy) policies;
        mapping(bytes32 orderId => mapping(uint256 index => address)) inspectors;
        mapping(bytes32 orderId => mapping(uint256 index => IMaintenanceEscrow.Milestone)) milestones;
        mapping(uint256 disputeId => IMaintenanceEscrow.Dispute) disputes;
        mapping(bytes32 orderId => mapping(uint256 milestone => uint40[5])) verdictAt /* MAX_INSPECTORS */;
        mapping(bytes32 orderId => mapping(address provider => uint256)) bidsWithdrawnBefore;
    }

    uint256 internal constant MAX_INSPECTORS = 5;
    uint256 internal constant MAX_MILESTONES = 8;
    /// @dev How far ahead of the recording block a verdict's `issuedAt` may be (signers' clock skew).
    uint256 internal constant MAX_VERDICT_SKEW = 300;

    /// @notice Validates the policy, inspectors and milestones of `p` and stores the new Open order.
    /// @param b The escrow's order book.
    /// @param orderId The new order's id.
    /// @param payer The creator.
    /// @param p The terms (deadlines, amounts, token and asset were checked by the escrow).
    function store(Book storage b, bytes32 orderId, address payer, IMaintenanceEscrow.OrderParams calldata p) external {
        _storePolicy(b, orderId, p.policy, p.deviceId, p.inspectors);
        uint256 count = _storeMilestones(b, orderId, p.milestoneBps);
        IMaintenanceEscrow.Order storage o = b.orders[orderId];
        o.payer = payer;
        o.acceptBy = p.acceptBy;
        o.completeBy = p.completeBy;
        o.state = IMaintenanceEscrow.State.Open;
        o.fromReserve = p.fromReserve;
        o.token = p.token;
        o.milestoneCount = uint8(count);
        o.slashTo = p.slashTo;
        o.inspectorCount = uint8(p.inspectors.length);
        o.provider = p.provider;
        o.budget = uint128(p.budget);
        o.bond = uint128(p.bond);
        o.assetId = p.assetId;
        o.deviceId = p.deviceId;
        emit IMaintenanceEscrow.OrderCreated(
            orderId,
            p.assetId,
            p.deviceId,
            payer,
            p.token,
            p.budget,
            p.provider,
            p.acceptBy,
            p.completeBy,
            p.fromReserve
        );
    }

    /// @notice Stores `newId` as an Open copy of `oldId`'s terms with new deadlines and provider.
    /// @param b The escrow's order book.
    /// @param oldId The finished order.
    /// @param newId The new order's id.
    /// @param payer The new order's creator.
    /// @param provider The new named provider (address(0): open to bids).
    /// @param acceptBy The new accept-by deadline.
    /// @param completeBy The new complete-by deadline.
    function copy(
        Book storage b,
        bytes32 oldId,
        bytes32 newId,
        address payer,
        address provider,
        uint40 acceptBy,
        uint40 completeBy
    ) external {
        IMaintenanceEscrow.Order storage old = b.orders[oldId];
        IMaintenanceEscrow.Order storage o = b.orders[newId];
        o.payer = payer;
        o.acceptBy = acceptBy;
        o.completeBy = completeBy;
        o.state = IMaintenanceEscrow.State.Open;
        o.fromReserve = old.fromReserve;
        o.token = old.token;
        o.milestoneCount = old.milestoneCount;
        o.slashTo = old.slashTo;
        o.inspectorCount = old.inspectorCount;
        o.provider = provider;
        o.budget = old.budget;
        o.bond = old.bond;
        o.assetId = old.assetId;
        o.deviceId = old.deviceId;
        b.policies[newId] = b.policies[oldId];
        for (uint256 i = 0; i < old.inspectorCount; ++i) {
            b.inspectors[newId][i] = b.inspectors[oldId][i];
        }
        for (uint256 i = 0; i < old.milestoneCount; ++i) {
            IMaintenanceEscrow.Milestone storage m = b.milestones[newId][i];
            m.startBps = b.milestones[oldId][i].startBps;
            m.endBps = b.milestones[oldId][i].endBps;
        }
        emit IMaintenanceEscrow.OrderCreated(
            newId,
            o.assetId,
            o.deviceId,
            payer,
            o.token,
            o.budget,
            provider,
            acceptBy,
            completeBy,
            o.fromReserve
        );
        emit IMaintenanceEscrow.OrderReissued(oldId, newId);
    }

    /// @notice Moves `amount` of `token` into `assetId`'s vault (deploying the vault clone on the
    ///         asset's first order): from the asset's maintenance reserve through the distributor,
    ///         or from `from` by transferFrom. The vault must receive exactly `amount`
    ///         (fee-on-transfer tokens are refused).
    /// @param implementation The vault implementation.
    /// @param distributor The income distributor.
    /// @param assetId The asset.
    /// @param token The ERC-20.
    /// @param from The payer (ignored when `fromReserve`).
    /// @param amount The amount.
    /// @param fromReserve Whether to pull from the asset's maintenance reserve.
    function pull(
        address implementation,
        address distributor,
        uint256 assetId,
        address token,
        address from,
        uint256 amount,
        bool fromReserve
    ) external {
        address vault = Clones.predictDeterministicAddress(implementation, bytes32(assetId));
        if (vault.code.length == 0) {
            Clones.cloneDeterministic(implementation, bytes32(assetId));
            emit IMaintenanceEscrow.VaultCreated(assetId, vault);
        }
        IERC20 t = IERC20(token);
        uint256 before = t.balanceOf(vault);
        if (fromReserve) IIncomeDistributor(distributor).withdrawReserve(assetId, token, amount, vault);
        else t.safeTransferFrom(from, vault, amount);
        uint256 received = t.balanceOf(vault) - before;
        if (received != amount) revert IMaintenanceEscrow.FundingShortfall(amount, received);
    }

    /// @notice Checks the parties of new terms: the asset is Active, the device (if any) is bound to
    ///         it, and a reserve-funded order is created by the asset's agent.
    /// @param assets The asset registry.
    /// @param devices The device registry.
    /// @param assetId The asset.
    /// @param deviceId The device (0: none).
    /// @param fromReserve Whether the order is funded from the asset's reserve.
    /// @param caller The creator.
    function checkParties(
        address assets,
        address devices,
        uint256 assetId,
        uint256 deviceId,
        bool fromReserve,
        address caller
    ) external view {
        if (IAssetRegistry(assets).statusOf(assetId) != IAssetRegistry.AssetStatus.Active) {
            revert IPlinthErrors.AssetNotActive(assetId);
        }
        if (deviceId != 0 && IDeviceRegistry(devices).assetOf(deviceId) != assetId) {
            revert IMaintenanceEscrow.DeviceNotOnAsset(deviceId, assetId);
        }
        if (fromReserve && IAssetRegistry(assets).agentOf(assetId) != caller)
            revert IPlinthErrors.NotAgent(assetId, caller);
    }

    /// @notice Checks a provider's bid on an open order: the order names no provider, the bid is
    ///         for this order, unexpired, not withdrawn (issued at or after the provider's
    ///         `withdrawBids` floor for the order), priced in (0, budget], with at least the minimum
    ///         bond, and signed by the provider over `digest` (EOA or ERC-1271). It is single-use:
    ///         awarding it makes the order Active, and no other order accepts it (the order id is signed).
    /// @param b The escrow's order book.
    /// @param orderId The order.
    /// @param bid The bid.
    /// @param digest The bid's EIP-712 digest under the escrow's domain.
    /// @param signature The provider's signature.
    function checkBid(
        Book storage b,
        bytes32 orderId,
        IMaintenanceEscrow.Bid calldata bid,
        bytes32 digest,
        bytes calldata signature
    ) external view {
        IMaintenanceEscrow.Order storage o = b.orders[orderId];
        if (o.provider != address(0)) revert IMaintenanceEscrow.NotOpenForBids(orderId);
        if (block.timestamp > bid.deadline) revert IPlinthErrors.DeadlinePassed(bid.deadline);
        uint256 floor = b.bidsWithdrawnBefore[orderId][bid.provider];
        if (bid.issuedAt < floor) revert IMaintenanceEscrow.BidWithdrawn(bid.provider, bid.issuedAt, floor);
        if (
            bid.orderId != orderId ||
            bid.provider == address(0) ||
            bid.price == 0 ||
            bid.price > o.budget ||
            bid.bond < o.bond ||
            bid.bond > type(uint128).max
        ) revert IMaintenanceEscrow.BadBid();
        if (!SignatureChecker.isValidSignatureNowCalldata(bid.provider, digest, signature)) {
            revert IMaintenanceEscrow.InvalidSignature(bid.provider);
        }
    }

    /// @notice The caller (a provider) withdraws every bid it issued for `orderId` before
    ///         `issuedBefore`: the controller can no longer award them, bids issued later stay valid.
    ///         The floor only rises (otherwise `BadBid`).
    /// @param b The escrow's order book.
    /// @param orderId The order (any id: a bid can be withdrawn before the order exists).
    /// @param issuedBefore Bids with `issuedAt` below this are withdrawn.
    function withdrawBids(Book storage b, bytes32 orderId, uint256 issuedBefore) external {
        mapping(address => uint256) storage floors = b.bidsWithdrawnBefore[orderId];
        if (issuedBefore <= floors[msg.sender]) revert IMaintenanceEscrow.BadBid();
        floors[msg.sender] = issuedBefore;
        emit IMaintenanceEscrow.BidsWithdrawn(orderId, msg.sender, issuedBefore);
    }

    /// @notice Freezes the device evidence rules of an order being accepted: when the policy uses the
    ///         device, it must be Active and bound to the order's asset now, and the counter of its
    ///         latest reading of the policy's kind becomes the baseline. From then on nothing the
    ///         payer, the asset's agent or the device's owner does to the device (unbind, rebind,
    ///         decommission) or a suspension can refuse a reading the registry accepted.
    /// @param b The escrow's order book.
    /// @param registry The device registry.
    /// @param orderId The order being accepted.
    /// @return base The baseline counter (0 when the policy does not use the device).
    function freezeDevice(
        Book storage b,
        IDeviceRegistry registry,
        bytes32 orderId
    ) external view returns (uint64 base) {
        IMaintenanceEscrow.Policy storage pol = b.policies[orderId];
        if (!pol.useDevice) return 0;
        IMaintenanceEscrow.Order storage o = b.orders[orderId];
        uint256 deviceId = o.deviceId;
        if (registry.statusOf(deviceId) != IDeviceRegistry.DeviceStatus.Active) {
            revert IMaintenanceEscrow.DeviceNotActive(deviceId);
        }
        if (registry.assetOf(deviceId) != o.assetId) revert IMaintenanceEscrow.DeviceNotOnAsset(deviceId, o.assetId);
        return registry.latestReading(deviceId, pol.kind).counter;
    }

    /// @notice Checks the device evidence source of an Active order against the rules frozen at
    ///         acceptance: the policy uses it, `deviceId` is the order's device, and its latest
    ///         reading of the policy's kind (verified by the registry when it was attested) has a
    ///         counter above every counter used so far (the baseline at acceptance, then each used
    ///         reading), was signed after acceptance and no later than `completeBy`, and meets the
    ///         value condition. The device's current binding and status are deliberately not read:
    ///         the other side cannot remove the provider's way to get paid.
    /// @param b The escrow's order book.
    /// @param registry The device registry.
    /// @param orderId The order.
    /// @param deviceId The device whose reading is submitted.
    /// @return counter The reading's counter (the order's new used counter).
    function checkReading(
        Book storage b,
        IDeviceRegistry registry,
        bytes32 orderId,
        uint256 deviceId
    ) external view returns (uint64 counter) {
        IMaintenanceEscrow.Order storage o = b.orders[orderId];
        IMaintenanceEscrow.Policy storage pol = b.policies[orderId];
        if (!pol.useDevice) revert IMaintenanceEscrow.SourceNotEnabled();
        if (deviceId != o.deviceId) revert IMaintenanceEscrow.WrongDevice(o.deviceId, deviceId);
        IDeviceRegistry.Reading memory r = registry.latestReading(deviceId, pol.kind);
        if (r.counter <= o.usedCounter) revert IMaintenanceEscrow.StaleAttestation(r.counter, o.usedCounter);
        if (r.timestamp <= o.acceptedAt)
            revert IMaintenanceEscrow.AttestationBeforeAcceptance(r.timestamp, o.acceptedAt);
        if (r.timestamp > o.completeBy) revert IMaintenanceEscrow.AttestationAfterDeadline(r.timestamp, o.completeBy);
        IMaintenanceEscrow.Comparator cmp = pol.cmp;
        uint64 threshold = pol.threshold;
        if (
            (cmp == IMaintenanceEscrow.Comparator.EQ && r.value != threshold) ||
            (cmp == IMaintenanceEscrow.Comparator.GTE && r.value < threshold) ||
            (cmp == IMaintenanceEscrow.Comparator.LTE && r.value > threshold)
        ) revert IMaintenanceEscrow.ValueConditionFailed(r.value, threshold);
        return r.counter;
    }

    /// @notice Whether a defaulting order's provider was left without enough evidence sources
    ///         through no act of its own: the policy needs the device (k exceeds the other
    ///         sources) and the device was decommissioned after acceptance (it was Active then),
    ///         so it can never attest again. The bond is then returned instead of slashed.
    /// @param b The escrow's order book.
    /// @param registry The device registry.
    /// @param orderId The defaulting order.
    /// @return Whether the device the order needs is gone.
    function deviceGone(Book storage b, IDeviceRegistry registry, bytes32 orderId) external view returns (bool) {
        IMaintenanceEscrow.Policy storage pol = b.policies[orderId];
        IMaintenanceEscrow.Order storage o = b.orders[orderId];
        if (!pol.useDevice || pol.k <= uint256(o.inspectorCount) + (pol.optimistic ? 1 : 0)) return false;
        return registry.statusOf(o.deviceId) == IDeviceRegistry.DeviceStatus.Decommissioned;
    }

    /// @notice Checks and records an inspector's verdict on an unreleased milestone of an Active
    ///         order (the escrow checked the order, the milestone and completeBy). The verdict must be
    ///         unexpired, issued after the order's acceptance and at most MAX_VERDICT_SKEW seconds
    ///         ahead of this block, by an inspector named on the order, issued after that inspector's
    ///         verdict on record for the milestone (older verdicts, and the same one again, are
    ///         refused), and validly signed over `digest`. It then replaces the one on record: a fail
    ///         withdraws the inspector's pass (`EvidenceWithdrawn`) and emits `InspectionFailed`; a
    ///         pass is counted by the escrow.
    /// @param b The escrow's order book.
    /// @param ins The verdict.
    /// @param digest The verdict's EIP-712 digest under the escrow's domain.
    /// @param signature The inspector's signature (EOA or ERC-1271).
    /// @return source The inspector's evidence source (2 + its index on the order).
    function recordInspection(
        Book storage b,
        IMaintenanceEscrow.Inspection calldata ins,
        bytes32 digest,
        bytes calldata signature
    ) external returns (uint8 source) {
        if (block.timestamp > ins.deadline) revert IMaintenanceEscrow.InspectionExpired(ins.deadline);
        IMaintenanceEscrow.Order storage o = b.orders[ins.orderId];
        uint256 issuedAt = ins.issuedAt;
        if (issuedAt <= o.acceptedAt) revert IMaintenanceEscrow.InspectionBeforeAcceptance(issuedAt, o.acceptedAt);
        uint256 latestAllowed = block.timestamp + MAX_VERDICT_SKEW;
        if (issuedAt > latestAllowed) revert IMaintenanceEscrow.InspectionFromFuture(issuedAt, latestAllowed);
        uint256 n = o.inspectorCount;
        uint256 index = n;
        for (uint256 i = 0; i < n; ++i) {
            if (b.inspectors[ins.orderId][i] == ins.inspector) {
                index = i;
                break;
            }
        }
        if (index == n) revert IMaintenanceEscrow.InspectorNotOnOrder(ins.inspector);
        uint40[MAX_INSPECTORS] storage verdictAt = b.verdictAt[ins.orderId][ins.milestone];
        uint40 latest = verdictAt[index];
        if (issuedAt <= latest)
            revert IMaintenanceEscrow.StaleInspection(ins.inspector, ins.milestone, issuedAt, latest);
        if (!SignatureChecker.isValidSignatureNowCalldata(ins.inspector, digest, signature)) {
            revert IMaintenanceEscrow.InvalidSignature(ins.inspector);
        }
        verdictAt[index] = uint40(issuedAt); // <= block.timestamp + MAX_VERDICT_SKEW: fits
        source = uint8(index + 2);
        _recordVerdict(b.milestones[ins.orderId][ins.milestone], ins, source);
    }

    /// @dev Makes `ins` the verdict on record of inspector `source - 2`: a fail withdraws its pass.
    function _recordVerdict(
        IMaintenanceEscrow.Milestone storage m,
        IMaintenanceEscrow.Inspection calldata ins,
        uint8 source
    ) private {
        uint16 bit = uint16(1 << source);
        m.votedBits |= bit;
        if (ins.passed) return;
        emit IMaintenanceEscrow.InspectionFailed(ins.orderId, ins.milestone, ins.inspector);
        uint16 bits = m.passBits;
        if (bits & bit == 0) return;
        bits &= ~bit;
        m.passBits = bits;
        uint8 agreeing = 0;
        for (; bits != 0; bits &= bits - 1) ++agreeing;
        emit IMaintenanceEscrow.EvidenceWithdrawn(ins.orderId, ins.milestone, source, agreeing);
    }

    function _storePolicy(
        Book storage b,
        bytes32 orderId,
        IMaintenanceEscrow.Policy calldata pol,
        uint256 deviceId,
        address[] calldata inspectors
    ) private {
        uint256 n = inspectors.length;
        if (n > MAX_INSPECTORS) revert IMaintenanceEscrow.BadInspectors();
        for (uint256 i = 0; i < n; ++i) {
            address a = inspectors[i];
            if (a == address(0)) revert IMaintenanceEscrow.BadInspectors();
            for (uint256 j = 0; j < i; ++j) {
                if (inspectors[j] == a) revert IMaintenanceEscrow.BadInspectors();
            }
            b.inspectors[orderId][i] = a;
        }
        uint256 sources = n + (pol.useDevice ? 1 : 0) + (pol.optimistic ? 1 : 0);
        if (pol.k == 0 || pol.k > sources) revert IMaintenanceEscrow.BadPolicy();
        if (pol.useDevice && deviceId == 0) revert IMaintenanceEscrow.BadPolicy();
        if (!pol.useDevice && pol.cmp != IMaintenanceEscrow.Comparator.None) revert IMaintenanceEscrow.BadPolicy();
        if (
            pol.optimistic &&
            (pol.arbiter == address(0) ||
                pol.challengeWindow == 0 ||
                pol.disputeTimeout == 0 ||
                (pol.defaultRuling != 1 && pol.defaultRuling != 2))
        ) revert IMaintenanceEscrow.BadPolicy();
        b.policies[orderId] = pol;
    }

    function _storeMilestones(Book storage b, bytes32 orderId, uint16[] calldata bps) private returns (uint256 n) {
        n = bps.length;
        if (n == 0) {
            b.milestones[orderId][0].endBps = uint16(BPS);
            return 1;
        }
        if (n > MAX_MILESTONES) revert IMaintenanceEscrow.BadMilestones();
        uint256 cum = 0;
        for (uint256 i = 0; i < n; ++i) {
            if (bps[i] == 0) revert IMaintenanceEscrow.BadMilestones();
            uint256 next = cum + bps[i];
            if (next > BPS) revert IMaintenanceEscrow.BadMilestones();
            IMaintenanceEscrow.Milestone storage m = b.milestones[orderId][i];
            m.startBps = uint16(cum);
            m.endBps = uint16(next);
            cum = next;
        }
        if (cum != BPS) revert IMaintenanceEscrow.BadMilestones();
    }
}
