// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AssetsBase} from "./AssetsBase.t.sol";
import {AssetRegistry} from "../../contracts/assets/AssetRegistry.sol";
import {AssetShares} from "../../contracts/assets/AssetShares.sol";
import {IAssetRecords} from "../../contracts/interfaces/IAssetRecords.sol";

/// @notice Parallel execution: work on two different assets never writes the same storage slot, and a
///         share transfer writes nothing in the registry or the identity registry.
contract StorageIsolationTest is AssetsBase {
    AssetShares internal sharesB;
    uint256 internal assetB;
    address internal constant ALICE = address(0xA11CE);
    address internal constant BOB = address(0xB0B);

    function setUp() public {
        _deployStack(address(this));
        registry.grantRole(registry.LEASE_MANAGER_ROLE(), address(this));
        assetB = registry.registerAsset(bytes32("plant-2"), IAssetRecords.AssetClass.Battery, "FR", address(this), "");
        sharesB = AssetShares(factory.createShares(assetB, "Plant Two", "PL2", 18));
        identity.setIdentity(ALICE, 276, uint64(block.timestamp + 365 days));
        identity.setIdentity(BOB, 276, uint64(block.timestamp + 365 days));
        shares.mint(ALICE, 100);
        sharesB.mint(ALICE, 100);
    }

    function _registryWrites(uint256 id) private returns (bytes32[] memory writes) {
        vm.record();
        registry.addDocument(id, keccak256("deed"), "ipfs://deed");
        registry.supersedeDocument(id, 0, keccak256("deed v2"), "ipfs://deed2");
        registry.setValuation(id, 1e6, "EUR", address(0xA77), uint64(block.timestamp));
        registry.setMetadataURI(id, "ipfs://m2");
        registry.freezeAsset(id);
        registry.unfreezeAsset(id);
        registry.setLease(id, uint64(block.timestamp + 1 days));
        registry.proposeAgent(id, address(0xA6E));
        (, writes) = vm.accesses(address(registry));
    }

    function _assertDisjoint(bytes32[] memory a, bytes32[] memory b, string memory what) private pure {
        for (uint256 i; i < a.length; ++i) {
            for (uint256 j; j < b.length; ++j) {
                assertTrue(a[i] != b[j], what);
            }
        }
    }

    function test_registryWorkOnTwoAssetsWritesDisjointSlots() external {
        bytes32[] memory a = _registryWrites(assetId);
        bytes32[] memory b = _registryWrites(assetB);
        assertGe(a.length, 8, "asset A wrote its slots");
        assertGe(b.length, 8, "asset B wrote its slots");
        _assertDisjoint(a, b, "registry slots shared between assets");
    }

    function test_aShareTransferWritesNeitherRegistryNorIdentityNorAnotherAssetsToken() external {
        vm.record();
        vm.prank(ALICE);
        shares.transfer(BOB, 10);
        (, bytes32[] memory registryWrites) = vm.accesses(address(registry));
        (, bytes32[] memory identityWrites) = vm.accesses(address(identity));
        (, bytes32[] memory otherTokenWrites) = vm.accesses(address(sharesB));
        (, bytes32[] memory tokenWrites) = vm.accesses(address(shares));
        assertEq(registryWrites.length, 0, "registry written by a transfer");
        assertEq(identityWrites.length, 0, "identity registry written by a transfer");
        assertEq(otherTokenWrites.length, 0, "another asset's token written");
        assertGe(tokenWrites.length, 2, "the token wrote both balances");
    }
}
