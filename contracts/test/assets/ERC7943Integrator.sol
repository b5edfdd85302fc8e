// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ERC165Checker} from "@openzeppelin/contracts/utils/introspection/ERC165Checker.sol";
import {IERC7943Fungible} from "../../interfaces/IERC7943.sol";

/// @title ERC7943Integrator
/// @notice Test double: an integrator (a pool that takes deposits, a transfer agent's tool) that knows nothing of
///         Plinth. It finds ERC-7943 tokens through ERC-165 (`ERC165Checker`) and uses only `IERC7943Fungible`
///         and the base standard the fungible interface requires (ERC-20). Made the asset's agent in tests so it
///         can use the enforcement functions too.
contract ERC7943Integrator {
    using SafeERC20 for IERC20;

    /// @notice `token` does not advertise ERC-7943 (fungible) through ERC-165.
    error NotERC7943(address token);

    /// @notice Whether `token` advertises ERC-7943 (fungible, id 0x3edbb4c4) through ERC-165.
    /// @param token Any address.
    /// @return True when it does.
    function isERC7943(address token) public view returns (bool) {
        return ERC165Checker.supportsInterface(token, type(IERC7943Fungible).interfaceId);
    }

    /// @notice Everything the standard lets an integrator ask about a prospective transfer.
    /// @param token An ERC-7943 token.
    /// @param from Sender.
    /// @param to Recipient.
    /// @param amount Amount.
    /// @return send `canSend(from)`.
    /// @return receive_ `canReceive(to)`.
    /// @return transfer_ `canTransfer(from, to, amount)`.
    /// @return frozen `getFrozenTokens(from)`.
    /// @return unfrozen What `from` can move: its balance less the frozen amount (0 when frozen exceeds it).
    function preflight(
        address token,
        address from,
        address to,
        uint256 amount
    ) external view returns (bool send, bool receive_, bool transfer_, uint256 frozen, uint256 unfrozen) {
        IERC7943Fungible t = _token(token);
        send = t.canSend(from);
        receive_ = t.canReceive(to);
        transfer_ = t.canTransfer(from, to, amount);
        frozen = t.getFrozenTokens(from);
        uint256 balance = IERC20(token).balanceOf(from);
        unfrozen = balance > frozen ? balance - frozen : 0;
    }

    /// @notice A pool deposit: checks the token's rules first and reverts with the standard's errors, then pulls.
    /// @param token An ERC-7943 token.
    /// @param amount Amount (the caller approved this contract).
    function deposit(address token, uint256 amount) external {
        IERC7943Fungible t = _token(token);
        if (!t.canSend(msg.sender)) revert IERC7943Fungible.ERC7943CannotSend(msg.sender);
        if (!t.canReceive(address(this))) revert IERC7943Fungible.ERC7943CannotReceive(address(this));
        if (!t.canTransfer(msg.sender, address(this), amount)) {
            revert IERC7943Fungible.ERC7943CannotTransfer(msg.sender, address(this), amount);
        }
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Sets `account`'s absolute frozen amount (this contract must be authorised by the token).
    /// @param token An ERC-7943 token.
    /// @param account Holder.
    /// @param amount Absolute frozen amount (may exceed the balance).
    /// @return The token's result.
    function freeze(address token, address account, uint256 amount) external returns (bool) {
        return _token(token).setFrozenTokens(account, amount);
    }

    /// @notice Forces a transfer (this contract must be authorised by the token).
    /// @param token An ERC-7943 token.
    /// @param from Holder.
    /// @param to Recipient.
    /// @param amount Amount.
    /// @return The token's result.
    function seize(address token, address from, address to, uint256 amount) external returns (bool) {
        return _token(token).forcedTransfer(from, to, amount);
    }

    function _token(address token) private view returns (IERC7943Fungible) {
        if (!isERC7943(token)) revert NotERC7943(token);
        return IERC7943Fungible(token);
    }
}
