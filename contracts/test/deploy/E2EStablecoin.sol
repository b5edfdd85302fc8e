// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title E2EStablecoin
/// @notice Test-only 6-decimal stablecoin of the e2e run (scripts/e2e): installed on the local node
///         at a fixed address with `hardhat_setCode`, so its name and symbol are constants (no
///         constructor runs) and anyone may mint. Never deployed anywhere else.
contract E2EStablecoin is ERC20 {
    constructor() ERC20("", "") {}

    /// @notice Mints `amount` to `to` (anyone: a test faucet).
    /// @param to Receiver.
    /// @param amount Base units (6 decimals).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Token name.
    /// @return The constant name.
    function name() public pure override returns (string memory) {
        return "Plinth E2E USD";
    }

    /// @notice Token symbol.
    /// @return The constant symbol.
    function symbol() public pure override returns (string memory) {
        return "eUSD";
    }

    /// @notice Decimals, like USDC.
    /// @return 6.
    function decimals() public pure override returns (uint8) {
        return 6;
    }
}
