// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IERC4907
/// @notice ERC-4907 (Rental NFT, an extension of ERC-721): a time-limited `user` role beside the owner.
///         ERC-165 id `0xad092b5c` (setUser ^ userOf ^ userExpires).
interface IERC4907 {
    /// @notice Logged when the user of an NFT is changed or its expires is changed; `user` zero means none.
    event UpdateUser(uint256 indexed tokenId, address indexed user, uint64 expires);

    /// @notice Sets the user and expires of an NFT. The zero address indicates there is no user.
    ///         Throws if `tokenId` is not a valid NFT.
    /// @param tokenId The NFT.
    /// @param user The new user of the NFT.
    /// @param expires UNIX timestamp: the new user may use the NFT before it.
    function setUser(uint256 tokenId, address user, uint64 expires) external;

    /// @notice The user of an NFT; the zero address when there is none or the user expired.
    /// @param tokenId The NFT.
    /// @return The user address.
    function userOf(uint256 tokenId) external view returns (address);

    /// @notice The end of the user's right of use of an NFT (0 when none).
    /// @param tokenId The NFT.
    /// @return The expires timestamp.
    function userExpires(uint256 tokenId) external view returns (uint256);
}
