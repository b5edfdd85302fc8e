// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAssetRegistry} from "../interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../interfaces/IDeviceRegistry.sol";
import {IMaintenance} from "./IMaintenance.sol";
import {IMaintenanceCustody} from "./IMaintenanceCustody.sol";
import {IMaintenanceEvidence} from "./IMaintenanceEvidence.sol";

/// @title IMaintenanceOrders
/// @notice Work orders for a real asset (or one of its devices): terms funded into custody, accepted by a
///         named provider or awarded to a provider's signed bid, paid milestone by milestone when
///         MaintenanceEvidence releases them, refunded and slashed when deadlines pass, re-issued once.
///         MaintenanceOrders implements it; it holds no money (MaintenanceCustody does).
interface IMaintenanceOrders is IMaintenance {
    /// @notice Governance allowed or refused `token` for new orders.
    event TokenAllowed(address indexed token, bool allowed);
    /// @notice A work order was created and funded.
    event OrderCreated(
        bytes32 indexed orderId,
        uint256 indexed assetId,
        uint256 deviceId,
        address indexed payer,
        address token,
        uint256 budget,
        address provider,
        uint40 acceptBy,
        uint40 completeBy,
        bool fromReserve
    );
    /// @notice `newOrderId` re-issues the terms of the finished `oldOrderId`.
    event OrderReissued(bytes32 indexed oldOrderId, bytes32 indexed newOrderId);
    /// @notice A provider accepted (or was awarded) the order and posted its bond.
    event OrderAccepted(
        bytes32 indexed orderId,
        address indexed provider,
        uint256 price,
        uint256 bond,
        uint64 baseCounter
    );
    /// @notice The controller cancelled an order nobody had accepted.
    event OrderCancelled(bytes32 indexed orderId, uint256 refunded);
    /// @notice Nobody accepted the order by its accept-by deadline.
    event OrderExpired(bytes32 indexed orderId, uint256 refunded);
    /// @notice The provider did not complete by the complete-by deadline: unreleased budget refunded, bond slashed.
    event OrderDefaulted(bytes32 indexed orderId, uint256 refunded, uint256 slashed);
    /// @notice The order defaulted but the device its policy needs was decommissioned after
    ///         acceptance (it can never attest again): the provider's bond was returned, not slashed.
    event BondReturnedDeviceGone(bytes32 indexed orderId, uint256 indexed deviceId, uint256 bond);
    /// @notice Every milestone was released; the bond went back to the provider.
    event OrderCompleted(bytes32 indexed orderId, uint256 bondReturned);
    /// @notice `provider` withdrew every bid it issued for `orderId` at or before `issuedUpTo`.
    event BidsWithdrawn(bytes32 indexed orderId, address indexed provider, uint256 issuedUpTo);
    /// @notice A milestone's share of the price became claimable by the provider.
    event MilestoneReleased(bytes32 indexed orderId, uint8 indexed milestone, uint256 amount);

    // ------------------------------------------------------------------ constants and configuration

    /// @notice EIP-712 typehash of a provider's bid (domain "Plinth MaintenanceOrders", version "1").
    function BID_TYPEHASH() external pure returns (bytes32);
    /// @notice The asset registry (agents, statuses).
    function assetRegistry() external view returns (IAssetRegistry);
    /// @notice The device registry (devices bound to assets).
    function deviceRegistry() external view returns (IDeviceRegistry);
    /// @notice The evidence contract releasing milestones (deployed by this contract).
    function evidence() external view returns (IMaintenanceEvidence);
    /// @notice The custody holding every order's money (deployed by this contract).
    function custody() external view returns (IMaintenanceCustody);
    /// @notice Whether a token may fund new orders.
    function tokenAllowed(address token) external view returns (bool);

    // ------------------------------------------------------------------ functions

    /// @notice Allows or refuses `token` for new orders (existing orders are unaffected).
    /// @param token The ERC-20.
    /// @param allowed Whether new orders may use it.
    function setTokenAllowed(address token, bool allowed) external;

    /// @notice Creates and funds a work order. Payer-funded: pulls `budget` from the caller (who approves the
    ///         custody, `custody()`, where the money sits).
    ///         Reserve-funded (`fromReserve`, caller must be the asset's agent): pulls it from the
    ///         asset's maintenance reserve through the income distributor.
    /// @param p The order's terms.
    /// @return orderId keccak256(caller, salt).
    function createOrder(OrderParams calldata p) external returns (bytes32 orderId);

    /// @notice Re-issues a finished (Expired, Defaulted or Cancelled) order: a fresh order with the
    ///         same terms (asset, device, token, budget, bond, policy, inspectors, milestones,
    ///         funding source) and new deadlines, funded again. Only the old order's controller;
    ///         each order can be re-issued once (the new id is keccak256("reissue", oldId)).
    /// @param orderId The finished order.
    /// @param provider The new order's named provider (address(0): open to bids).
    /// @param acceptBy The new accept-by deadline.
    /// @param completeBy The new complete-by deadline.
    /// @return newOrderId The new order's id.
    function reissue(
        bytes32 orderId,
        address provider,
        uint40 acceptBy,
        uint40 completeBy
    ) external returns (bytes32 newOrderId);

    /// @notice The named provider accepts the order at the full budget and posts the bond
    ///         (pulled from the caller). The device's current counter becomes the baseline.
    /// @param orderId The order.
    function accept(bytes32 orderId) external;

    /// @notice The controller awards an open order (no named provider) to a provider's signed bid;
    ///         the bond is pulled from the provider, the budget above the price is refunded.
    /// @param orderId The order.
    /// @param bid The provider's bid (price <= budget, bond >= the order's minimum bond).
    /// @param signature The provider's EIP-712 signature of `bid` (EOA or ERC-1271).
    function awardBid(bytes32 orderId, Bid calldata bid, bytes calldata signature) external;

    /// @notice Withdraws every bid the caller (a provider) issued for `orderId` before
    ///         `issuedBefore` (`issuedAt` below it): the controller can no longer award them. A
    ///         revised bid, issued later, stays valid. The floor only rises (otherwise `BadBid`).
    /// @param orderId The order (it need not exist yet).
    /// @param issuedBefore Bids issued before this time are withdrawn.
    function withdrawBids(bytes32 orderId, uint256 issuedBefore) external;

    /// @notice The controller cancels an order nobody accepted yet; the budget is refunded.
    /// @param orderId The order.
    function cancel(bytes32 orderId) external;

    /// @notice Ends an order whose deadline passed (anyone). Open after `acceptBy`: Expired, full
    ///         refund. Active after `completeBy` with no claim pending: Defaulted, the unreleased
    ///         price is refunded and the bond slashed (to the payer side or the asset's reserve),
    ///         unless the policy cannot complete without the device and the device was
    ///         decommissioned after acceptance: then the bond goes back to the provider.
    /// @param orderId The order.
    function expire(bytes32 orderId) external;

    /// @notice Pays a milestone MaintenanceEvidence released: its share of the price, floor(price *
    ///         endBps / 1e4) - floor(price * startBps / 1e4), becomes claimable by the provider in custody;
    ///         the last one completes the order and returns the bond. Only MaintenanceEvidence (`NotEvidence`).
    /// @param orderId The order (Active).
    /// @param milestone The milestone released.
    /// @param startBps Cumulative bps before it.
    /// @param endBps Cumulative bps including it.
    function release(bytes32 orderId, uint8 milestone, uint16 startBps, uint16 endBps) external;

    /// @notice A work order (all zero when unknown).
    /// @param orderId The order.
    /// @return The stored order.
    function getOrder(bytes32 orderId) external view returns (Order memory);

    /// @notice What evidence is judged against: state, provider, acceptance, deadline and device.
    /// @param orderId The order.
    /// @return The order's evidence window (all zero when unknown).
    function windowOf(bytes32 orderId) external view returns (Window memory);

    /// @notice Who controls an order: the asset's current agent for reserve-funded orders, else the payer.
    /// @param orderId The order.
    /// @return The controller (address(0) when unknown).
    function controllerOf(bytes32 orderId) external view returns (address);

    /// @notice The EIP-712 digest a provider signs for a bid.
    /// @param bid The bid.
    /// @return The digest under this contract's domain.
    function bidDigest(Bid calldata bid) external view returns (bytes32);
}
