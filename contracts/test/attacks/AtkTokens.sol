// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title IAtkTokenReceiver
/// @notice Callback of {AtkHookToken}, in the style of ERC-777 `tokensReceived` / ERC-1363
///         `onTransferReceived`: the receiver runs code in the middle of the sender's transfer.
interface IAtkTokenReceiver {
    /// @notice Called on the receiver after its balance increased.
    /// @param from The sender.
    /// @param amount The amount received.
    function onAtkTokenReceived(address from, uint256 amount) external;
}

/// @title AtkHookToken
/// @notice ERC-20 that calls every receiving contract that opted in (ERC-777/ERC-1363-like hook), so a
///         malicious receiver can re-enter whoever is paying it. Test-only attack token.
contract AtkHookToken is ERC20 {
    /// @notice Contracts that asked for the callback.
    mapping(address => bool) public hooked;

    /// @notice Creates the token.
    constructor() ERC20("Hook Token", "HOOK") {}

    /// @notice Mints `amount` to `to` (anyone, tests only).
    /// @param to Receiver.
    /// @param amount Amount.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Opts the caller in or out of the receive callback (like registering an ERC-1820 hook).
    /// @param on Whether to call it.
    function setHooked(bool on) external {
        hooked[msg.sender] = on;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from != address(0) && hooked[to]) IAtkTokenReceiver(to).onAtkTokenReceived(from, value);
    }
}

/// @title AtkReentrantParty
/// @notice A contract party (share holder, payer, provider) that, when paid in {AtkHookToken} or ETH,
///         runs one armed call: typically re-entering the contract that is paying it. It records whether
///         the nested call succeeded and its revert selector. Test-only attacker.
contract AtkReentrantParty is IAtkTokenReceiver {
    /// @notice Target of the armed call.
    address public armedTarget;
    /// @notice Calldata of the armed call.
    bytes public armedPayload;
    /// @notice Number of nested calls attempted.
    uint256 public attempts;
    /// @notice Number of nested calls that succeeded.
    uint256 public successes;
    /// @notice Revert selector of the last failed nested call.
    bytes4 public lastError;
    /// @notice When true, the nested call's failure is re-thrown (to make the outer payment revert).
    bool public bubble;

    /// @notice Runs any call as this contract (set up approvals, act as a party).
    /// @param to Call target.
    /// @param data Calldata.
    /// @return result Its return data.
    function exec(address to, bytes calldata data) external payable returns (bytes memory result) {
        bool ok;
        (ok, result) = to.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }

    /// @notice Arms the one call to run on the next payment received.
    /// @param target_ Call target.
    /// @param payload_ Calldata.
    /// @param bubble_ Whether a failure of the nested call reverts the payment.
    function arm(address target_, bytes calldata payload_, bool bubble_) external {
        armedTarget = target_;
        armedPayload = payload_;
        bubble = bubble_;
    }

    /// @inheritdoc IAtkTokenReceiver
    function onAtkTokenReceived(address, uint256) external {
        _fire();
    }

    /// @notice ETH payments trigger the armed call too.
    receive() external payable {
        _fire();
    }

    function _fire() private {
        address t = armedTarget;
        if (t == address(0)) return;
        armedTarget = address(0); // once
        ++attempts;
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = t.call(armedPayload);
        if (ok) {
            ++successes;
        } else {
            if (bubble) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
            lastError = ret.length >= 4 ? bytes4(ret) : bytes4(0);
        }
    }
}
