// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IShareDeployer
/// @notice What a share token reads from its deployer (the ShareFactory) while it is constructed. The
///         token's creation code takes no constructor arguments, so its CREATE2 address depends on the
///         asset id alone and a dApp can predict it (the pattern of Uniswap v3 pools).
interface IShareDeployer {
    /// @notice The parameters of the share token being deployed.
    struct ShareParameters {
        uint256 assetId;
        address registry;
        address identityRegistry;
        address incomeHooks;
        uint8 decimals;
        string name;
        string symbol;
    }

    /// @notice The parameters of the token under construction (empty outside `createShares`).
    /// @return The parameters.
    function shareParameters() external view returns (ShareParameters memory);
}
