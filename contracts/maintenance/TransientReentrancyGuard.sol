// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title TransientReentrancyGuard
/// @notice OpenZeppelin's ReentrancyGuardTransient semantics (same error) with a native `transient`
///         state variable. Why not OpenZeppelin's contracts: ReentrancyGuardTransient writes its
///         flag with inline-assembly `tstore`, which solc flags with a warning that Plinth's build
///         refuses; ReentrancyGuard keeps its flag in ordinary storage, one slot written by every
///         guarded call of every user, a write conflict between all of the escrow's transactions on
///         parallel EVMs. A transient flag costs ~200 gas and touches no storage.
abstract contract TransientReentrancyGuard {
    bool private transient _entered;

    /// @notice A guarded function was re-entered.
    error ReentrancyGuardReentrantCall();

    /// @dev Refuses re-entry into any guarded function for the rest of the call.
    modifier nonReentrant() {
        if (_entered) revert ReentrancyGuardReentrantCall();
        _entered = true;
        _;
        _entered = false;
    }
}
