// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice The address of the contract `deployer` creates with CREATE at `nonce` (1 to 127: the RLP of
///         [deployer, nonce] is then 0xd6 0x94 deployer nonce). Contracts that create their parts in their constructor
///         derive those parts' addresses with it instead of storing them.
/// @param deployer The creating contract.
/// @param nonce Its nonce at the creation (a contract's first creation is nonce 1).
/// @return The created contract's address.
function createdAt(address deployer, bytes1 nonce) pure returns (address) {
    return address(uint160(uint256(keccak256(abi.encodePacked(bytes2(0xd694), deployer, nonce)))));
}
