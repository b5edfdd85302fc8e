// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IPlinthErrors
/// @notice The errors every part of Plinth shares, declared once (as OpenZeppelin's IERC6093 does for tokens).
/// @dev Each part's interface inherits this one and declares only the errors of its own concept. A shared error has
///      one signature everywhere, so one selector decodes it whichever contract reverted.
interface IPlinthErrors {
    /// @notice An address argument that must be set was zero.
    error ZeroAddress();
    /// @notice An amount that must be positive was zero.
    error ZeroAmount();
    /// @notice `caller` is not an agent of asset `assetId` (the asset registry's `agentOf`).
    error NotAgent(uint256 assetId, address caller);
    /// @notice `assetId` is not registered in the asset registry.
    error UnknownAsset(uint256 assetId);
    /// @notice Asset `assetId` is not active in the asset registry.
    error AssetNotActive(uint256 assetId);
    /// @notice `token` is not on this contract's allowlist of payment tokens.
    error TokenNotAllowed(address token);
    /// @notice Sending `amount` wei to `to` failed.
    error EthTransferFailed(address to, uint256 amount);
    /// @notice `caller` is not the controller this contract answers to.
    error NotController(address caller);
    /// @notice `caller` is not the arbiter of the dispute.
    error NotArbiter(address caller);
    /// @notice The deadline `deadline` has passed.
    error DeadlinePassed(uint256 deadline);
    /// @notice The deadline `deadline` has not passed yet.
    error DeadlineNotPassed(uint256 deadline);
    /// @notice msg.value differs from the amount due.
    error WrongEthAmount(uint256 expected, uint256 received);
    /// @notice The caller has no claimable balance in this token.
    error NothingToWithdraw();
    /// @notice `caller` is not the escrow that created this contract, the only caller of this function.
    error NotEscrow(address caller);
    /// @notice Only the contract's dispute module delivers rulings (`IArbitrable.rule`).
    error NotDisputeModule(address caller);
    /// @notice A vault received `received` instead of the `expected` amount pulled into it (a fee-on-transfer or
    ///         rebasing token, or another pull into the same shared vault during this one): refused, so no
    ///         controller is ever credited with money that is not its own.
    error FeeOnTransferToken(uint256 expected, uint256 received);
}
