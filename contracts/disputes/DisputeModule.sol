// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IArbitrable} from "./IArbitrable.sol";
import {IDisputeModule} from "./IDisputeModule.sol";
import {RULING_CHOICES, RULING_REFUSED} from "../common/Constants.sol";

/// @title DisputeModule
/// @notice Plinth's dispute module (ERC-792 style, appeal-free). Any contract opens disputes on it and
///         receives their rulings; it holds no money. One deadline rule for every party: the arbiter
///         rules strictly before the deadline, and from the deadline on only `resolveByTimeout`
///         (anyone) decides, with the default ruling. Storage is per dispute (ids derive from the
///         opener and its key), so disputes of unrelated work never share a slot.
contract DisputeModule is IDisputeModule, ReentrancyGuardTransient {
    mapping(uint256 disputeId => Dispute) private _disputes;

    /// @inheritdoc IDisputeModule
    function createDispute(
        bytes32 key,
        address arbiter,
        uint32 timeout,
        uint8 defaultRuling
    ) external returns (uint256 disputeId, uint40 deadline) {
        if (arbiter == address(0)) revert ZeroAddress();
        if (timeout == 0 || defaultRuling == RULING_REFUSED || defaultRuling > RULING_CHOICES) {
            revert BadDisputeTerms(timeout, defaultRuling);
        }
        disputeId = disputeIdOf(msg.sender, key);
        if (_disputes[disputeId].arbitrable != address(0)) revert DisputeExists(disputeId);
        deadline = uint40(block.timestamp) + timeout;
        _disputes[disputeId] = Dispute({
            arbitrable: msg.sender,
            deadline: deadline,
            defaultRuling: defaultRuling,
            resolved: false,
            arbiter: arbiter
        });
        emit DisputeCreated(disputeId, msg.sender, arbiter, deadline, defaultRuling);
    }

    /// @inheritdoc IDisputeModule
    function rule(uint256 disputeId, uint256 ruling) external nonReentrant {
        Dispute storage d = _open(disputeId);
        if (msg.sender != d.arbiter) revert NotArbiter(msg.sender);
        if (ruling > RULING_CHOICES) revert BadRuling(ruling);
        if (block.timestamp >= d.deadline) revert DeadlinePassed(d.deadline);
        _resolve(d, disputeId, ruling == RULING_REFUSED ? d.defaultRuling : ruling, false);
    }

    /// @inheritdoc IDisputeModule
    function resolveByTimeout(uint256 disputeId) external nonReentrant {
        Dispute storage d = _open(disputeId);
        if (block.timestamp < d.deadline) revert DeadlineNotPassed(d.deadline);
        _resolve(d, disputeId, d.defaultRuling, true);
    }

    /// @inheritdoc IDisputeModule
    function getDispute(uint256 disputeId) external view returns (Dispute memory) {
        return _disputes[disputeId];
    }

    /// @inheritdoc IDisputeModule
    function disputeIdOf(address arbitrable, bytes32 key) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(arbitrable, key)));
    }

    function _open(uint256 disputeId) private view returns (Dispute storage d) {
        d = _disputes[disputeId];
        if (d.arbitrable == address(0) || d.resolved) revert UnknownDispute(disputeId);
    }

    /// @dev Effects first: the dispute is resolved before the arbitrable is called, so it is ruled once.
    function _resolve(Dispute storage d, uint256 disputeId, uint256 ruling, bool byTimeout) private {
        d.resolved = true;
        emit DisputeResolved(disputeId, ruling, byTimeout);
        IArbitrable(d.arbitrable).rule(disputeId, ruling);
    }
}
