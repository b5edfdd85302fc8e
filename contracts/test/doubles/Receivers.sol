// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";

/// @notice The slice of the income distributor {RevertingReceiver-claim} uses.
interface IClaimingDistributor {
    /// @notice Pays the caller's income of `assetId` in `token` to `to`.
    function claim(uint256 assetId, address token, address to) external returns (uint256);
}

/// @title RevertingReceiver
/// @notice A contract party (renter, owner, provider, share holder) that refuses what is pushed to it:
///         ETH (`receive`), ERC-721 safe transfers (`onERC721Received`) and any unknown call
///         (`fallback`), each with `NoThanks()`. `setAcceptEth` / `setAcceptNfts` turn one refusal off.
///         It acts as a party through `exec` (bubbling reverts), `approve` and `claim`.
contract RevertingReceiver is IERC721Receiver {
    /// @notice Whether it accepts ETH (default: refuses).
    bool public acceptsEth;
    /// @notice Whether it accepts ERC-721 safe transfers (default: refuses).
    bool public acceptsNfts;

    /// @notice The receiver refuses.
    error NoThanks();

    /// @notice Accepts or refuses ETH (anyone, tests only).
    /// @param on Whether ETH is accepted.
    function setAcceptEth(bool on) external {
        acceptsEth = on;
    }

    /// @notice Accepts or refuses ERC-721 safe transfers (anyone, tests only).
    /// @param on Whether tokens are accepted.
    function setAcceptNfts(bool on) external {
        acceptsNfts = on;
    }

    /// @notice Runs any call as this contract, forwarding `msg.value`, bubbling reverts.
    /// @param target Call target.
    /// @param data Calldata.
    /// @return result Its return data.
    function exec(address target, bytes calldata data) external payable returns (bytes memory result) {
        bool ok;
        // solhint-disable-next-line avoid-low-level-calls
        (ok, result) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }

    /// @notice Approves `spender` for `token` as this contract (so it can pay or post bonds).
    /// @param token The token.
    /// @param spender The spender.
    /// @param amount The allowance.
    function approve(address token, address spender, uint256 amount) external {
        IERC20(token).approve(spender, amount);
    }

    /// @notice Claims income as this contract (a share holder).
    /// @param distributor The income distributor.
    /// @param assetId The asset.
    /// @param token The payout token.
    /// @param to Receiver.
    function claim(IClaimingDistributor distributor, uint256 assetId, address token, address to) external {
        distributor.claim(assetId, token, to);
    }

    /// @inheritdoc IERC721Receiver
    function onERC721Received(address, address, uint256, bytes calldata) external view returns (bytes4) {
        if (!acceptsNfts) revert NoThanks();
        return IERC721Receiver.onERC721Received.selector;
    }

    receive() external payable {
        if (!acceptsEth) revert NoThanks();
    }

    fallback() external payable {
        revert NoThanks();
    }
}
