// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AssetShares} from "./AssetShares.sol";

/// @title SharesBlueprint
/// @notice The AssetShares implementation that every asset's share token (a minimal clone created by the
///         ShareFactory) delegates to. It is AssetShares itself under the name the deploy scripts know;
///         its constructor disables initializers, so it never holds state of its own.
contract SharesBlueprint is AssetShares {}
