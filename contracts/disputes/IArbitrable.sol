// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IArbitrable
/// @notice A contract whose disputes a dispute module decides (ERC-792's arbitrable side): the
///         module calls `rule` once per dispute with the final ruling.
interface IArbitrable {
    /// @notice Enforces the final ruling of a dispute this contract opened. Only its dispute module.
    /// @param disputeId The dispute (as returned by `IDisputeModule.createDispute`).
    /// @param ruling The final ruling: 1 or 2 (common/Constants.sol), never 0 (the module applies the default instead).
    function rule(uint256 disputeId, uint256 ruling) external;
}
