// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PlinthTest} from "../utils/Vm.sol";
import {AssetRegistry} from "../../contracts/assets/AssetRegistry.sol";
import {IAssetRegistry} from "../../contracts/interfaces/IAssetRegistry.sol";
import {IAssetRecords} from "../../contracts/interfaces/IAssetRecords.sol";

/// @notice Properties of the registry for random inputs.
contract RegistryFuzzTest is PlinthTest {
    AssetRegistry internal registry;

    function setUp() public {
        registry = new AssetRegistry(address(this));
        registry.grantRole(registry.ISSUER_ROLE(), address(this));
    }

    /// Any salt gives the id computeAssetId announces, and the same salt cannot be registered twice.
    function testFuzz_registrationUsesTheAnnouncedIdAndRefusesASecondTime(bytes32 salt, address agent) external {
        vm.assume(agent != address(0));
        uint256 expected = uint256(keccak256(abi.encode(address(this), salt)));
        assertEq(registry.computeAssetId(address(this), salt), expected, "computeAssetId");
        uint256 id = registry.registerAsset(salt, IAssetRecords.AssetClass.Other, "PT", agent, "");
        assertEq(id, expected, "registered id");
        assertEq(uint256(registry.statusOf(id)), uint256(IAssetRegistry.AssetStatus.Active), "active");
        vm.expectRevert(abi.encodeWithSelector(IAssetRecords.AssetExists.selector, id));
        registry.registerAsset(salt, IAssetRecords.AssetClass.Solar, "DE", agent, "x");
    }

    /// Whatever sequence of appends and supersessions, earlier documents never change, every
    /// supersession points backwards, and a document is superseded at most once.
    function testFuzz_documentsAreAppendOnly(uint256 ops) external {
        uint256 id = registry.registerAsset(bytes32(ops), IAssetRecords.AssetClass.Building, "DE", address(this), "");
        registry.addDocument(id, keccak256(abi.encode(ops)), "first");
        bytes32 firstHash = keccak256(abi.encode(ops));
        for (uint256 step; step < 12; ++step) {
            uint256 r = uint256(keccak256(abi.encode(ops, step)));
            uint256 count = registry.documentCount(id);
            bytes32 h = keccak256(abi.encode(r));
            if (r % 2 == 0) {
                registry.addDocument(id, h, "append");
            } else {
                uint256 old = (r >> 8) % count;
                (bool superseded, uint256 successor) = registry.supersededBy(id, old);
                if (superseded) {
                    vm.expectRevert(
                        abi.encodeWithSelector(IAssetRecords.DocumentAlreadySuperseded.selector, id, old, successor)
                    );
                    registry.supersedeDocument(id, old, h, "again");
                } else {
                    uint256 index = registry.supersedeDocument(id, old, h, "revision");
                    assertEq(registry.documentAt(id, index).supersedes, old + 1, "names the old index");
                    (bool s2, uint256 by) = registry.supersededBy(id, old);
                    assertTrue(s2 && by == index, "old points to new");
                }
            }
            assertEq(uint256(registry.documentAt(id, 0).hash), uint256(firstHash), "first document unchanged");
        }
        uint256 n = registry.documentCount(id);
        for (uint256 i; i < n; ++i) {
            uint64 sup = registry.documentAt(id, i).supersedes;
            assertTrue(sup == 0 || sup - 1 < i, "supersedes an earlier document");
        }
    }
}
