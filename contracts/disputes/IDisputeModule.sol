// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IPlinthErrors} from "../common/IPlinthErrors.sol";

/// @title IDisputeModule
/// @notice Plinth's one dispute module (ERC-792 style, appeal-free): a contract (the arbitrable)
///         opens a dispute naming its arbiter, a timeout and a default ruling; the arbiter rules
///         before the deadline, or from the deadline on anyone applies the default ruling. Either
///         way the module calls the arbitrable's `IArbitrable.rule` once with the final ruling.
///         The same deadline rule binds every party, the arbiter included.
interface IDisputeModule is IPlinthErrors {
    /// @notice A dispute as stored.
    /// @param arbitrable The contract that opened it and receives the ruling.
    /// @param deadline First second at which the arbiter can no longer rule (the default then applies).
    /// @param defaultRuling Ruling applied on refusal (ruling 0) or timeout (1 or 2).
    /// @param resolved Whether the final ruling was given.
    /// @param arbiter The only address that can rule before the deadline.
    struct Dispute {
        address arbitrable;
        uint40 deadline;
        uint8 defaultRuling;
        bool resolved;
        address arbiter;
    }

    /// @notice `arbitrable` opened a dispute for `arbiter` to rule on before `deadline`.
    event DisputeCreated(
        uint256 indexed disputeId,
        address indexed arbitrable,
        address indexed arbiter,
        uint40 deadline,
        uint8 defaultRuling
    );
    /// @notice A dispute was resolved with `ruling` (`byTimeout`: the default ruling applied at the deadline).
    event DisputeResolved(uint256 indexed disputeId, uint256 ruling, bool byTimeout);

    /// @notice The timeout is zero or the default ruling is not 1 or 2.
    error BadDisputeTerms(uint32 timeout, uint8 defaultRuling);
    /// @notice The caller already opened a dispute with this key.
    error DisputeExists(uint256 disputeId);
    /// @notice No unresolved dispute with this id.
    error UnknownDispute(uint256 disputeId);
    /// @notice Rulings are 0 (refused: the default applies), 1 or 2.
    error BadRuling(uint256 ruling);

    /// @notice Opens a dispute; the caller is its arbitrable and will receive the ruling.
    /// @param key The caller's own identifier of what is disputed (unique per caller).
    /// @param arbiter Who rules.
    /// @param timeout Seconds the arbiter has, from now.
    /// @param defaultRuling Ruling applied on refusal or timeout (1 or 2).
    /// @return disputeId keccak256(abi.encode(caller, key)): content-derived, so no caller can take another's id.
    /// @return deadline now + timeout.
    function createDispute(
        bytes32 key,
        address arbiter,
        uint32 timeout,
        uint8 defaultRuling
    ) external returns (uint256 disputeId, uint40 deadline);

    /// @notice The arbiter's ruling, before the deadline: 1 or 2, or 0 to refuse (the default ruling
    ///         applies). Calls the arbitrable's `rule` with the final ruling.
    /// @param disputeId The dispute.
    /// @param ruling 0, 1 or 2.
    function rule(uint256 disputeId, uint256 ruling) external;

    /// @notice Applies the default ruling to a dispute whose deadline passed without a ruling (anyone).
    /// @param disputeId The dispute.
    function resolveByTimeout(uint256 disputeId) external;

    /// @notice A dispute (all zero when unknown).
    /// @param disputeId The dispute.
    /// @return The stored dispute.
    function getDispute(uint256 disputeId) external view returns (Dispute memory);

    /// @notice The id `arbitrable` gets for a dispute opened with `key`.
    /// @param arbitrable The opener.
    /// @param key Its identifier.
    /// @return The dispute id.
    function disputeIdOf(address arbitrable, bytes32 key) external pure returns (uint256);
}
