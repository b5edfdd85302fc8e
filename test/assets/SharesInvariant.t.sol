// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AssetsBase} from "./AssetsBase.t.sol";
import {AssetShares} from "../../contracts/assets/AssetShares.sol";
import {Vm} from "../utils/Vm.sol";

/// @notice Random transfers, mints, burns, forced transfers, recoveries and partial freezes, performed
///         by the asset agent (this handler) and by the holders.
contract SharesHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    AssetShares public immutable shares;
    address[8] public actors;

    constructor(AssetShares shares_) {
        shares = shares_;
        for (uint256 i; i < 8; ++i) actors[i] = address(uint160(0xB000 + i));
    }

    function actor(uint256 seed) internal view returns (address) {
        return actors[seed % 8];
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = actor(fromSeed);
        amount = amount % (shares.balanceOf(from) + 1);
        vm.prank(from);
        shares.transfer(actor(toSeed), amount);
    }

    function mint(uint256 toSeed, uint256 amount) external {
        shares.mint(actor(toSeed), amount % 1e24);
    }

    function burn(uint256 fromSeed, uint256 amount) external {
        address from = actor(fromSeed);
        shares.burn(from, amount % (shares.balanceOf(from) + 1));
    }

    function forcedTransfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = actor(fromSeed);
        shares.forcedTransfer(from, actor(toSeed), amount % (shares.balanceOf(from) + 1));
    }

    function recover(uint256 lostSeed, uint256 replacementSeed) external {
        shares.recover(actor(lostSeed), actor(replacementSeed));
    }

    function freezePartial(uint256 seed, uint256 amount) external {
        address who = actor(seed);
        uint256 free = shares.balanceOf(who) - shares.getFrozenTokens(who);
        shares.freezePartial(who, amount % (free + 1));
    }

    function unfreezePartial(uint256 seed, uint256 amount) external {
        address who = actor(seed);
        shares.unfreezePartial(who, amount % (shares.getFrozenTokens(who) + 1));
    }
}

/// @notice Invariants of the share token under random moves.
contract SharesInvariantTest is AssetsBase {
    SharesHandler internal handler;

    function setUp() public {
        _deployStack(address(this));
        handler = new SharesHandler(shares);
        for (uint256 i; i < 8; ++i) identity.setIdentity(handler.actors(i), 276, uint64(block.timestamp + 3650 days));
        // The handler becomes the asset's agent (two steps).
        registry.proposeAgent(assetId, address(handler));
        vm.prank(address(handler));
        registry.acceptAgent(assetId);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_sumOfBalancesIsTotalSupplyAndHolderCountIsExact() external view {
        uint256 sum;
        uint256 holders;
        for (uint256 i; i < 8; ++i) {
            uint256 b = shares.balanceOf(handler.actors(i));
            sum += b;
            if (b != 0) ++holders;
            assertLe(shares.getFrozenTokens(handler.actors(i)), b, "frozen <= balance");
        }
        assertEq(sum, shares.totalSupply(), "sum of balances == totalSupply");
        assertEq(holders, shares.holderCount(), "holderCount == nonzero balances");
    }
}
