// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title ITransferRule
/// @notice An extra, asset-specific transfer rule a share token's agent can plug in (at most
///         `IShareCompliance.MAX_RULES` per token). Rules are views: they cannot keep state in step with
///         transfers, which is what keeps every asset's storage separate and `checkTransfer` exact.
interface ITransferRule {
    /// @notice Whether shares of `assetId` may move. Called by the share token (so `msg.sender` is it)
    ///         for investor transfers and mints (`from == 0`), never for the agent's forced transfers,
    ///         recoveries, burns or redemptions.
    /// @param assetId The asset.
    /// @param from Sender (0 for a mint).
    /// @param to Recipient.
    /// @param amount Shares moved.
    /// @return ok True when allowed.
    /// @return reason When refused: a selector naming the reason (e.g. of a custom error of the rule).
    function check(
        uint256 assetId,
        address from,
        address to,
        uint256 amount
    ) external view returns (bool ok, bytes4 reason);
}
