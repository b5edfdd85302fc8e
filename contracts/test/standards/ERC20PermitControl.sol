// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title ERC20PermitControl
/// @notice Test-only: OpenZeppelin's own ERC20 + ERC20Permit, untouched, with an open mint. The standards
///         behaviour suite (test/standards) runs against it as a control, to show its ERC-20 and EIP-2612
///         expectations are the standard's (OpenZeppelin's) and not fitted to AssetShares. Never deployed.
contract ERC20PermitControl is ERC20Permit {
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) ERC20Permit(name_) {}

    /// @notice Mints `amount` to `to` (anyone: a test faucet).
    /// @param to Receiver.
    /// @param amount Base units.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
