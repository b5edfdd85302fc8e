// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AssetsBase} from "./AssetsBase.t.sol";
import {ITransferRule} from "../../contracts/assets/compliance/ITransferRule.sol";
import {AssetShares} from "../../contracts/assets/AssetShares.sol";
import {IShareCompliance} from "../../contracts/interfaces/IShareCompliance.sol";

/// @notice Property: `checkTransfer` answers exactly what `transfer` does, for random senders,
///         recipients, amounts and compliance configurations (and the refusal selector is the revert's);
///         ERC-7943 `canTransfer` answers the same except that a balance shortfall is not its concern;
///         `canSend(from)` and `canReceive(to)` are true whenever the transfer succeeds.
contract CanTransferTest is AssetsBase {
    address[6] internal actors;

    function setUp() public {
        _deployStack(address(this));
        for (uint256 i; i < 6; ++i) actors[i] = address(uint160(0xA000 + i));
        uint64 far = uint64(block.timestamp + 365 days);
        // 0,1,2: eligible in country 276; 3: eligible in country 840; 4: expiring soon; 5: no identity.
        identity.setIdentity(actors[0], 276, far);
        identity.setIdentity(actors[1], 276, far);
        identity.setIdentity(actors[2], 276, far);
        identity.setIdentity(actors[3], 840, far);
        identity.setIdentity(actors[4], 276, uint64(block.timestamp + 1 days));
        shares.mint(actors[0], 1000);
        shares.mint(actors[1], 500);
        shares.mint(actors[4], 200);
    }

    function testFuzz_canTransferAgreesWithTheOutcomeOfTransfer(
        uint8 fromIndex,
        uint8 toIndex,
        uint256 amount,
        uint256 seed
    ) external {
        address from = actors[fromIndex % 6];
        address to = actors[toIndex % 6];
        amount = amount % 1600;
        _configure(seed);

        (bool ok, bytes4 reason) = shares.checkTransfer(from, to, amount);
        bool allowed = shares.canTransfer(from, to, amount);
        bool sendOk = shares.canSend(from);
        bool receiveOk = shares.canReceive(to);
        uint256 fromBefore = shares.balanceOf(from);
        uint256 toBefore = shares.balanceOf(to);
        vm.prank(from);
        try shares.transfer(to, amount) {
            assertTrue(ok, "transfer succeeded but checkTransfer refused");
            assertTrue(allowed, "transfer succeeded but canTransfer refused");
            assertTrue(sendOk && receiveOk, "transfer succeeded but canSend or canReceive refused");
            if (from != to) assertEq(shares.balanceOf(to), toBefore + amount, "recipient credited");
        } catch (bytes memory err) {
            assertTrue(!ok, "transfer reverted but checkTransfer allowed");
            assertEq(uint32(bytes4(err)), uint32(reason), "revert selector == checkTransfer reason");
            if (amount <= fromBefore)
                assertTrue(!allowed, "transfer within the balance reverted but canTransfer allowed");
            assertEq(shares.balanceOf(from), fromBefore, "sender unchanged");
            assertEq(shares.balanceOf(to), toBefore, "recipient unchanged");
        }
    }

    /// Same property for the agent's moves: `refusalOf(op, ...)` is exactly the revert data of mint,
    /// burn, forced transfer and recovery (and empty exactly when they succeed).
    function testFuzz_refusalOfAgreesWithTheAgentsMoves(
        uint8 kind,
        uint8 fromIndex,
        uint8 toIndex,
        uint256 amount,
        uint256 seed
    ) external {
        address from = actors[fromIndex % 6];
        address to = actors[toIndex % 6];
        amount = amount % 1600;
        _configure(seed);
        uint256 k = kind % 4;
        IShareCompliance.Op op =
            k == 0
                ? IShareCompliance.Op.Mint
                : k == 1
                    ? IShareCompliance.Op.Burn
                    : k == 2
                        ? IShareCompliance.Op.Forced
                        : IShareCompliance.Op.Recovery;
        if (op == IShareCompliance.Op.Recovery) {
            amount = shares.balanceOf(from);
            vm.assume(amount != 0 && from != to); // the other refusals of recover() are its own arguments checks
        }
        bytes memory expected = shares.refusalOf(
            op,
            op == IShareCompliance.Op.Mint ? address(0) : from,
            op == IShareCompliance.Op.Burn ? address(0) : to,
            amount
        );
        uint256 supply = shares.totalSupply();
        bool ok;
        bytes memory err;
        if (op == IShareCompliance.Op.Mint) {
            try shares.mint(to, amount) {
                ok = true;
            } catch (bytes memory e) {
                err = e;
            }
        } else if (op == IShareCompliance.Op.Burn) {
            try shares.burn(from, amount) {
                ok = true;
            } catch (bytes memory e) {
                err = e;
            }
        } else if (op == IShareCompliance.Op.Forced) {
            try shares.forcedTransfer(from, to, amount) {
                ok = true;
            } catch (bytes memory e) {
                err = e;
            }
        } else {
            try shares.recover(from, to) {
                ok = true;
            } catch (bytes memory e) {
                err = e;
            }
        }
        assertTrue(ok == (expected.length == 0), "outcome == refusalOf verdict");
        if (!ok) {
            assertEq(uint256(keccak256(err)), uint256(keccak256(expected)), "revert data == refusalOf");
            assertEq(shares.totalSupply(), supply, "supply unchanged");
        }
    }

    /// @dev Rule i is switched on when bits [3i, 3i+3) of `seed` are zero (probability 1/8 each), so
    ///      both outcomes (allowed and refused) are frequent.
    function _on(uint256 seed, uint256 i) private pure returns (bool) {
        return (seed >> (3 * i)) & 7 == 0;
    }

    function _configure(uint256 seed) private {
        if (_on(seed, 0)) shares.setEligibilityRequired(false);
        if (_on(seed, 1)) shares.setCountryBlocked(840, true);
        if (_on(seed, 2)) shares.setMaxHolders(uint32(shares.holderCount()));
        if (_on(seed, 3)) shares.setInvestorCap(600);
        if (_on(seed, 4)) shares.setLockup(uint64(block.timestamp + 1 hours));
        if (_on(seed, 5)) shares.setWalletFrozen(actors[(seed >> 200) % 6], true);
        if (_on(seed, 6)) shares.freezePartial(actors[0], 700);
        if (_on(seed, 7)) shares.pause();
        if (_on(seed, 8)) {
            rule.setBlockedRecipient(actors[(seed >> 208) % 6]);
            shares.addRule(ITransferRule(address(rule)));
        }
        if (_on(seed, 9)) registry.freezeAsset(assetId);
        if (_on(seed, 10)) vm.warp(block.timestamp + 2 days); // actor 4's identity expires
        if (_on(seed, 11)) {
            shares.setMintLockPeriod(1 days);
            try shares.mint(actors[1], 1) {} catch {} // may itself be refused by the other rules
        }
        if (_on(seed, 12)) identity.setIdentity(actors[5], 250, uint64(block.timestamp + 30 days));
        if (_on(seed, 13) && _on(seed, 14)) registry.retire(assetId);
    }
}
