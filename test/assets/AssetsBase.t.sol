// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PlinthTest} from "../utils/Vm.sol";
import {AssetRegistry} from "../../contracts/assets/AssetRegistry.sol";
import {IdentityRegistry} from "../../contracts/assets/IdentityRegistry.sol";
import {AssetShares} from "../../contracts/assets/AssetShares.sol";
import {ShareFactory} from "../../contracts/assets/ShareFactory.sol";
import {SharesBlueprint} from "../../contracts/assets/SharesBlueprint.sol";
import {MockIncomeHooks} from "../../contracts/test/assets/MockIncomeHooks.sol";
import {MockTransferRule} from "../../contracts/test/assets/MockTransferRule.sol";
import {IAssetRecords} from "../../contracts/interfaces/IAssetRecords.sol";

/// @notice Deploys the asset stack with this contract as governance, issuer, KYC agent and asset agent.
abstract contract AssetsBase is PlinthTest {
    AssetRegistry internal registry;
    IdentityRegistry internal identity;
    ShareFactory internal factory;
    MockIncomeHooks internal hooks;
    MockTransferRule internal rule;
    AssetShares internal shares;
    uint256 internal assetId;

    function _deployStack(address agent) internal {
        registry = new AssetRegistry(address(this));
        identity = new IdentityRegistry(address(this));
        hooks = new MockIncomeHooks();
        rule = new MockTransferRule();
        factory = new ShareFactory(
            address(this),
            registry,
            address(identity),
            address(hooks),
            address(new SharesBlueprint())
        );
        registry.grantRole(registry.ISSUER_ROLE(), address(this));
        registry.grantRole(registry.SHARE_FACTORY_ROLE(), address(factory));
        registry.grantRole(registry.BUYOUT_ROLE(), address(this));
        identity.grantRole(identity.KYC_AGENT_ROLE(), address(this));
        assetId = registry.registerAsset(bytes32("plant-1"), IAssetRecords.AssetClass.Solar, "DE", agent, "ipfs://m");
        vm.prank(agent);
        shares = AssetShares(factory.createShares(assetId, "Plant One", "PL1", 18));
    }
}
