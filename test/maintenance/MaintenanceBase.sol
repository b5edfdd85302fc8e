// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PlinthTest} from "../utils/Vm.sol";
import {IAssetRegistry} from "../../contracts/interfaces/IAssetRegistry.sol";
import {IDeviceRegistry} from "../../contracts/interfaces/IDeviceRegistry.sol";
import {IIncomeDistributor} from "../../contracts/interfaces/IIncomeDistributor.sol";
import {DisputeModule} from "../../contracts/disputes/DisputeModule.sol";
import {IMaintenance} from "../../contracts/maintenance/IMaintenance.sol";
import {MaintenanceCustody} from "../../contracts/maintenance/MaintenanceCustody.sol";
import {MaintenanceEvidence} from "../../contracts/maintenance/MaintenanceEvidence.sol";
import {MaintenanceOrders} from "../../contracts/maintenance/MaintenanceOrders.sol";
import {MockIncomeDistributor} from "../../contracts/test/doubles/Distributors.sol";
import {MockAssetRegistry, MockDeviceRegistry} from "../../contracts/test/doubles/Registries.sol";
import {MockPayoutToken} from "../../contracts/test/doubles/Tokens.sol";

/// @notice Deployment shared by the maintenance part's (orders, evidence, custody) Solidity fuzz and invariant tests.
abstract contract MaintenanceBase is PlinthTest {
    uint256 internal constant ASSET = 1;
    uint256 internal constant DEVICE = 7;
    uint32 internal constant KIND = 3;

    address internal constant GOV = address(0x60);
    address internal constant AGENT = address(0xA6);
    address internal constant PAYER = address(0xB0);
    address internal constant PROVIDER = address(0xC0);
    address internal constant ARBITER = address(0xD0);

    MockPayoutToken internal token;
    MockAssetRegistry internal assets;
    MockDeviceRegistry internal devices;
    MockIncomeDistributor internal distributor;
    MaintenanceOrders internal escrow;
    MaintenanceEvidence internal evidence;
    MaintenanceCustody internal custody;

    /// @dev Maps `x` into [lo, hi] (uniformly enough for fuzzing; forge-std is not available).
    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (hi <= lo) return lo;
        uint256 span = hi - lo;
        if (span == type(uint256).max) return x;
        return lo + (x % (span + 1));
    }

    function _deploy() internal {
        vm.warp(1_700_000_000);
        token = new MockPayoutToken("Test USD", "TUSD", 18);
        assets = new MockAssetRegistry(address(0));
        devices = new MockDeviceRegistry();
        distributor = new MockIncomeDistributor(GOV, false);
        escrow = new MaintenanceOrders(
            GOV,
            IAssetRegistry(address(assets)),
            IDeviceRegistry(address(devices)),
            IIncomeDistributor(address(distributor)),
            new DisputeModule()
        );
        evidence = MaintenanceEvidence(address(escrow.evidence()));
        custody = MaintenanceCustody(address(escrow.custody()));
        distributor.setCustodians(address(custody), address(0));
        assets.setAsset(ASSET, AGENT, IAssetRegistry.AssetStatus.Active, address(0));
        devices.setDevice(DEVICE, address(0), IDeviceRegistry.DeviceStatus.Active, ASSET);
        devices.setReading(DEVICE, KIND, 5, 1, 0);
        bytes32 spender = distributor.RESERVE_SPENDER_ROLE();
        vm.prank(GOV);
        distributor.grantRole(spender, address(custody));
        vm.prank(GOV);
        escrow.setTokenAllowed(address(token), true);
    }

    function _mintApprove(address who, uint256 amount) internal {
        token.mint(who, amount);
        vm.prank(who);
        token.approve(address(custody), type(uint256).max);
    }

    function _policy(bool useDevice, bool optimistic, uint8 k) internal pure returns (IMaintenance.Policy memory p) {
        p.k = k;
        p.useDevice = useDevice;
        p.kind = KIND;
        if (useDevice) p.cmp = IMaintenance.Comparator.EQ;
        if (optimistic) {
            p.optimistic = true;
            p.arbiter = ARBITER;
            p.challengeWindow = 1 days;
            p.disputeTimeout = 3 days;
            p.defaultRuling = 1;
        }
    }

    function _params(
        uint256 budget,
        uint256 bond,
        uint40 acceptBy,
        uint40 completeBy,
        IMaintenance.Policy memory pol,
        bytes32 salt
    ) internal pure returns (IMaintenance.OrderParams memory p) {
        p.assetId = ASSET;
        p.deviceId = DEVICE;
        p.token = address(0); // set by caller
        p.budget = budget;
        p.bond = bond;
        p.provider = PROVIDER;
        p.acceptBy = acceptBy;
        p.completeBy = completeBy;
        p.policy = pol;
        p.salt = salt;
    }
}
