// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title AtkHookShares
/// @notice A share token (tests only) that never calls any income hook and answers `incomeHooks()`
///         in a hostile way chosen by `mode`, to show that the income distributor accepts money only
///         for a token answering exactly one word equal to the distributor's address. `incomeHooks()`
///         returns raw data from assembly so that any answer can be produced.
contract AtkHookShares is ERC20 {
    /// @notice How `incomeHooks()` answers.
    enum Mode {
        Revert, // reverts with a reason
        Empty, // succeeds with no return data
        Other, // returns another address (32 bytes)
        Dirty, // returns the distributor's address with dirty upper bits (32 bytes)
        Long, // returns the distributor's address followed by a second word (64 bytes)
        Short // returns 20 bytes
    }

    /// @notice The address the answers are built from (the distributor under attack).
    address public immutable distributor;
    /// @notice The current answer mode.
    Mode public mode;

    /// @notice Raised by `incomeHooks()` in Revert mode.
    error NoHook();

    /// @notice Creates the token.
    /// @param distributor_ The distributor whose address the answers use.
    /// @param mode_ The answer mode.
    constructor(address distributor_, Mode mode_) ERC20("Hostile Share", "HSH") {
        distributor = distributor_;
        mode = mode_;
    }

    /// @notice Mints (anyone: tests only; no hook is ever called).
    /// @param to Receiver.
    /// @param amount Shares.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Hostile answer, according to `mode` (built in assembly to return any data).
    /// @return Never decoded as declared: the raw return data depends on `mode`.
    function incomeHooks() external view returns (address) {
        Mode m = mode;
        if (m == Mode.Revert) revert NoHook();
        uint256 word = uint256(uint160(distributor));
        if (m == Mode.Other) word = uint256(uint160(address(this)));
        if (m == Mode.Dirty) word |= uint256(1) << 200;
        uint256 size = m == Mode.Empty ? 0 : (m == Mode.Long ? 64 : (m == Mode.Short ? 20 : 32));
        assembly ("memory-safe") {
            mstore(0x00, word)
            mstore(0x20, word)
            return(0x00, size)
        }
    }
}
