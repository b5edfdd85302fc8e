// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

// Whole-suite invariant test. Effort comes from hardhat.config.ts: 64 runs x depth 32 in the normal
// profile (CI, `npx hardhat test solidity`), 512 runs x depth 128 with `npm run test:deep`.
// Measured on the 2-core dev machine: about 5 s for this file in the normal profile, about 2 min deep.
// One asset (3 KYC'd holders), one bound secp256k1 device, one 6-decimal payout token; at most 10
// agreements and 10 work orders per run keep the end-of-run sweeps bounded.
// Every contract is the real one (no mocks except the 6-decimal payout token): DeviceRegistry,
// AssetRegistry, IdentityRegistry, ShareFactory + SharesBlueprint + AssetShares, IncomeDistributor,
// RentalMarket + RentalEscrow (+ RentalCustody, RentalClaims, RentalMeter), MaintenanceOrders + MaintenanceEvidence + MaintenanceCustody (per-asset vault).

import {PlinthTest} from "../utils/Vm.sol";
import {AssetRegistry} from "../../contracts/assets/AssetRegistry.sol";
import {IdentityRegistry} from "../../contracts/assets/IdentityRegistry.sol";
import {AssetShares} from "../../contracts/assets/AssetShares.sol";
import {ShareFactory} from "../../contracts/assets/ShareFactory.sol";
import {SharesBlueprint} from "../../contracts/assets/SharesBlueprint.sol";
import {DeviceRegistry} from "../../contracts/devices/DeviceRegistry.sol";
import {IDeviceRegistry} from "../../contracts/interfaces/IDeviceRegistry.sol";
import {IAssetRegistry} from "../../contracts/interfaces/IAssetRegistry.sol";
import {IIncomeDistributor} from "../../contracts/interfaces/IIncomeDistributor.sol";
import {IncomeDistributor} from "../../contracts/income/IncomeDistributor.sol";
import {IRentalCustody} from "../../contracts/rental/IRentalCustody.sol";
import {IRentalEscrow} from "../../contracts/rental/IRentalEscrow.sol";
import {IRentalTypes} from "../../contracts/rental/IRentalTypes.sol";
import {RentalEscrow} from "../../contracts/rental/RentalEscrow.sol";
import {RentalClaims} from "../../contracts/rental/RentalClaims.sol";
import {RentalMarket} from "../../contracts/rental/RentalMarket.sol";
import {DisputeModule} from "../../contracts/disputes/DisputeModule.sol";
import {IMaintenance} from "../../contracts/maintenance/IMaintenance.sol";
import {MaintenanceCustody} from "../../contracts/maintenance/MaintenanceCustody.sol";
import {MaintenanceEvidence} from "../../contracts/maintenance/MaintenanceEvidence.sol";
import {MaintenanceOrders} from "../../contracts/maintenance/MaintenanceOrders.sol";
import {MockPayoutToken} from "../../contracts/test/doubles/Tokens.sol";
import {Suite, SuiteHandler} from "./SuiteHandler.sol";
import {IAssetRecords} from "../../contracts/interfaces/IAssetRecords.sol";

/// @notice Deploys and wires the whole suite once, as governance would.
abstract contract SuiteSetup is PlinthTest {
    uint256 internal constant MFR_PK = 0xA11CE;
    address internal constant MANUFACTURER = address(0x3A);

    MockPayoutToken internal usd;
    DeviceRegistry internal devices;
    AssetRegistry internal assets;
    IdentityRegistry internal identity;
    IncomeDistributor internal distributor;
    AssetShares internal shares;
    RentalMarket internal market;
    RentalEscrow internal rental;
    IRentalCustody internal rentalCustody;
    MaintenanceOrders internal maintenance;
    MaintenanceEvidence internal maintenanceEvidence;
    MaintenanceCustody internal maintenanceCustody;
    SuiteHandler internal handler;
    uint256 internal assetId;
    uint256 internal deviceId;

    function _deploy() internal {
        vm.warp(1_800_000_000);
        usd = new MockPayoutToken("USD Coin", "USDC", 6);
        devices = new DeviceRegistry(address(this));
        assets = new AssetRegistry(address(this));
        identity = new IdentityRegistry(address(this));
        distributor = new IncomeDistributor(assets, address(this), address(0xFEE1), 100, 2_000);
        ShareFactory factory = new ShareFactory(
            address(this),
            assets,
            address(identity),
            address(distributor),
            address(new SharesBlueprint())
        );
        DisputeModule disputeModule = new DisputeModule();
        market = new RentalMarket(
            address(this),
            IAssetRegistry(address(assets)),
            IDeviceRegistry(address(devices)),
            address(0xFEE2),
            address(0xA4B),
            250
        );
        rental = new RentalEscrow(
            market,
            IAssetRegistry(address(assets)),
            IDeviceRegistry(address(devices)),
            IIncomeDistributor(address(distributor)),
            disputeModule
        );
        market.setEscrow(rental);
        maintenance = new MaintenanceOrders(
            address(this),
            IAssetRegistry(address(assets)),
            IDeviceRegistry(address(devices)),
            IIncomeDistributor(address(distributor)),
            disputeModule
        );
        maintenanceEvidence = MaintenanceEvidence(address(maintenance.evidence()));
        maintenanceCustody = MaintenanceCustody(address(maintenance.custody()));
        rentalCustody = rental.custody();

        // Cross roles and allowlists.
        assets.grantRole(assets.ISSUER_ROLE(), address(this));
        assets.grantRole(assets.SHARE_FACTORY_ROLE(), address(factory));
        assets.grantRole(assets.BUYOUT_ROLE(), address(distributor));
        assets.grantRole(assets.LEASE_MANAGER_ROLE(), address(rental));
        devices.grantRole(devices.LEASE_MANAGER_ROLE(), address(rental));
        devices.setAssetRegistry(IAssetRegistry(address(assets)));
        distributor.grantRole(distributor.RESERVE_SPENDER_ROLE(), address(maintenance.custody()));
        distributor.setCustodians(address(maintenance.custody()), address(rental.custody()));
        identity.grantRole(identity.KYC_AGENT_ROLE(), address(this));
        distributor.setPayoutToken(address(usd), true);
        market.setTokenAllowed(address(usd), true);
        maintenance.setTokenAllowed(address(usd), true);

        // One asset, its shares (1, 2 and 3 shares held by three KYC'd holders), payout token, reserve.
        address agent = address(0xA6E);
        assetId = assets.registerAsset(bytes32("suite-1"), IAssetRecords.AssetClass.Solar, "DE", agent, "ipfs://s1");
        vm.prank(agent);
        shares = AssetShares(factory.createShares(assetId, "Suite One", "SU1", 18));
        address[3] memory holders = [address(0x2001), address(0x2002), address(0x2003)];
        for (uint256 i = 0; i < 3; ++i) identity.setIdentity(holders[i], 276, uint64(block.timestamp + 3650 days));
        vm.startPrank(agent);
        for (uint256 i = 0; i < 3; ++i) shares.mint(holders[i], (i + 1) * 1e18);
        distributor.registerPayoutToken(assetId, address(usd));
        distributor.setReserveRate(assetId, 1_000);
        vm.stopPrank();

        // One secp256k1 device: registered by its manufacturer, claimed by the agent, bound to the asset.
        deviceId = _registerAndClaimDevice(0xD1, agent);
        vm.prank(agent);
        devices.bindToAsset(deviceId, assetId);

        // The agent's standing on-chain rental offer for the asset.
        vm.prank(agent);
        bytes32 offerId = market.publishOffer(_terms());
        IRentalTypes.Terms memory reserved = _terms();
        reserved.activationWindow = 1 days;
        vm.prank(agent);
        bytes32 reservedOfferId = market.publishOffer(reserved);

        handler = new SuiteHandler(
            Suite({
                devices: devices,
                distributor: distributor,
                shares: shares,
                rental: rental,
                maintenance: maintenance,
                usd: usd,
                assetId: assetId,
                deviceId: deviceId,
                offerId: offerId,
                reservedOfferId: reservedOfferId
            })
        );
        assertTrue(handler.AGENT() == agent, "agent");
    }

    function _terms() internal view returns (IRentalTypes.Terms memory t) {
        t.subjectId = assetId;
        t.subjectKind = 1;
        t.token = address(usd);
        t.pricePerSecond = 1_000;
        t.deposit = 50e6;
        t.lateFeePerSecond = 10;
        t.lateFeeCap = 1e6;
        t.minDuration = 1 hours;
        t.maxDuration = 10 days;
        t.gracePeriod = 1 hours;
        t.refundBps = 5_000;
        t.claimWindow = 1 days;
        t.responseWindow = 1 days;
        t.arbiterTimeout = 1 days;
    }

    function _registerAndClaimDevice(uint256 key, address owner) internal returns (uint256 id) {
        vm.prank(address(this));
        devices.admitManufacturer(MANUFACTURER, vm.addr(MFR_PK));
        bytes32 keyA = bytes32(uint256(uint160(vm.addr(key))));
        IDeviceRegistry.DeviceRegistration memory reg = IDeviceRegistry.DeviceRegistration({
            manufacturer: MANUFACTURER,
            keyType: IDeviceRegistry.KeyType.Secp256k1,
            keyA: keyA,
            keyB: 0,
            model: bytes32("meter"),
            firmwareHash: bytes32("fw"),
            serialHash: keccak256("serial-1")
        });
        bytes32 d = _typed(
            keccak256(
                abi.encode(
                    devices.REGISTER_DEVICE_TYPEHASH(),
                    MANUFACTURER,
                    reg.keyType,
                    keyA,
                    bytes32(0),
                    reg.model,
                    reg.firmwareHash,
                    reg.serialHash
                )
            )
        );
        id = devices.registerDevice(reg, _sig(MFR_PK, d));
        uint64 deadline = uint64(block.timestamp + 1 hours);
        bytes32 c = _typed(keccak256(abi.encode(devices.CLAIM_TYPEHASH(), id, owner, uint32(0), deadline)));
        devices.claim(id, owner, deadline, _sig(key, c));
    }

    function _typed(bytes32 structHash) internal view returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Plinth DeviceRegistry"),
                keccak256("1"),
                block.chainid,
                address(devices)
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    function _sig(uint256 key, bytes32 d) internal pure returns (bytes memory) {
        uint256 n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, d);
        if (uint256(s) > n / 2) {
            s = bytes32(n - uint256(s));
            v = v == 27 ? 28 : 27;
        }
        return abi.encodePacked(r, s, v);
    }

    // ------------------------------------------------------------------ accounting views

    /// @dev Tokens held by the suite's contracts (distributor, rental escrow and custody, maintenance escrow and
    ///      custody, and the asset's one vault, which the three controllers share).
    function _suiteBalance() internal view returns (uint256) {
        return
            usd.balanceOf(address(distributor)) +
            usd.balanceOf(address(rental)) +
            usd.balanceOf(address(rentalCustody)) +
            usd.balanceOf(address(maintenance)) +
            usd.balanceOf(address(maintenanceCustody)) +
            usd.balanceOf(distributor.vaultOf(assetId));
    }

    /// @dev What the distributor owes in `usd` (claimable, reserve, fees) and its rounding dust.
    function _distributorOwes() internal view returns (uint256 owed, uint256 dust) {
        (, uint256 distributed, uint256 claimed, ) = distributor.incomeAccountingOf(assetId, address(usd));
        uint256 claimable;
        for (uint256 i = 0; i < 3; ++i) claimable += distributor.claimableOf(assetId, address(usd), handler.holders(i));
        assertLe(claimed + claimable, distributed, "holders never get more than was distributed");
        dust = distributed - claimed - claimable;
        owed =
            claimable +
            distributor.reserveOf(assetId, address(usd)) +
            distributor.feesOf(assetId, address(usd)) +
            distributor.buyoutRemainingOf(assetId); // unpaid proceeds (and, once all redeemed, their dust)
    }

    /// @dev What the rental escrow owes: each agreement's held funds, every party's claimable, deferred income.
    function _rentalOwes() internal view returns (uint256 owed) {
        address[5] memory p = handler.rentalParties();
        for (uint256 i = 0; i < p.length; ++i) owed += rentalCustody.claimable(p[i], assetId, address(usd));
        uint256 n = handler.agreementCount();
        for (uint256 i = 0; i < n; ++i) owed += rental.heldFor(handler.agreements(i));
        owed += rentalCustody.pendingIncome(assetId, address(usd));
    }

    /// @dev What the maintenance escrow owes: open budgets, unreleased prices + bonds, claimables, reserve credit.
    function _maintenanceOwes() internal view returns (uint256 owed) {
        address[3] memory p = handler.maintenanceParties();
        for (uint256 i = 0; i < p.length; ++i) owed += maintenanceCustody.claimable(p[i], assetId, address(usd));
        uint256 n = handler.orderCount();
        for (uint256 i = 0; i < n; ++i) owed += handler.maintenanceHeldFor(handler.orders(i));
        owed += maintenanceCustody.reserveCredit(assetId, address(usd));
    }

    function _checkValue() internal view {
        uint256 held = _suiteBalance();
        assertEq(handler.ghostIn(), handler.ghostOut() + held, "external inflow == paid out + held by the suite");
        uint256 outside;
        address[11] memory p = handler.parties();
        for (uint256 i = 0; i < p.length; ++i) outside += usd.balanceOf(p[i]);
        assertEq(outside, handler.ghostOut(), "outside parties hold exactly what the suite paid them");
        assertEq(
            usd.totalSupply(),
            held + outside + usd.balanceOf(handler.DISCARD()),
            "no unit created or lost inside the suite"
        );
        (uint256 owed, uint256 dust) = _distributorOwes();
        assertLe(dust, 3 + 1, "distributor rounding dust below a wei per holder");
        address vault = distributor.vaultOf(assetId);
        assertTrue(rentalCustody.vaultOf(assetId) == vault, "rental counts its money in the asset's one vault");
        assertTrue(
            maintenanceCustody.vaultOf(assetId) == vault,
            "maintenance counts its money in the asset's one vault"
        );
        assertEq(
            usd.balanceOf(vault),
            owed + dust + _rentalOwes() + _maintenanceOwes(),
            "the asset's shared vault holds exactly what its three controllers owe"
        );
        assertEq(usd.balanceOf(address(distributor)), 0, "the distributor itself holds nothing");
        assertEq(usd.balanceOf(address(rental)), 0, "the rental escrow itself holds nothing");
        assertEq(usd.balanceOf(address(rentalCustody)), 0, "the rental custody itself holds nothing");
        assertEq(
            usd.balanceOf(address(maintenance)) + usd.balanceOf(address(maintenanceCustody)),
            0,
            "the maintenance escrow and custody themselves hold nothing"
        );
    }

    // ------------------------------------------------------------------ exits

    /// @dev Past the deadlines, a Settling agreement closes by `finalize`, or by the module's timeout if disputed.
    function _closeSettling(bytes32 id) internal {
        RentalClaims claims = RentalClaims(rental.claims());
        if (claims.claimOf(id).status == IRentalTypes.ClaimStatus.Disputed) {
            claims.disputes().resolveByTimeout(claims.disputeIdOf(id));
        } else {
            claims.finalize(id);
        }
    }

    /// @dev Drives agreement `id` to Closed with public calls after its deadlines; returns the steps.
    function _closeAgreement(bytes32 id) internal returns (uint256 steps) {
        for (steps = 0; steps < 6; ++steps) {
            IRentalTypes.State s = rental.stateOf(id);
            if (s == IRentalTypes.State.Closed) return steps;
            vm.warp(block.timestamp + 100 days);
            if (s == IRentalTypes.State.Reserved) rental.cancelReservation(id);
            else if (s == IRentalTypes.State.Settling) _closeSettling(id);
            else rental.settle(id);
        }
    }

    /// @dev Ends order `id` with a public call after its deadlines (no-op if already terminal).
    function _endOrder(bytes32 id) internal {
        IMaintenance.State s = maintenance.getOrder(id).state;
        if (s == IMaintenance.State.Open || s == IMaintenance.State.Active) maintenance.expire(id);
    }

    /// @dev After every escrow reached a terminal state: every party (the rental fee recipient among them)
    ///      withdraws and the reserve credit returns; the escrows are then empty and the asset's income vault holds
    ///      only its reserve, fees, unclaimed income and dust.
    function _everyoneLeaves() internal {
        if (rentalCustody.pendingIncome(assetId, address(usd)) != 0) rentalCustody.flushIncome(assetId, address(usd));
        address[5] memory rp = handler.rentalParties();
        for (uint256 i = 0; i < rp.length; ++i) {
            if (rentalCustody.claimable(rp[i], assetId, address(usd)) == 0) continue;
            vm.prank(rp[i]);
            rentalCustody.withdraw(assetId, address(usd));
        }
        // First: for a retired asset the reserve credit is credited to its agent, who then claims it.
        if (maintenanceCustody.reserveCredit(assetId, address(usd)) != 0)
            maintenanceCustody.returnToReserve(assetId, address(usd));
        address[3] memory mp = handler.maintenanceParties();
        for (uint256 i = 0; i < mp.length; ++i) {
            if (maintenanceCustody.claimable(mp[i], assetId, address(usd)) == 0) continue;
            vm.prank(mp[i]);
            maintenanceCustody.claim(assetId, address(usd), mp[i]);
        }
        assertEq(_rentalOwes(), 0, "rental owes nothing once everyone left");
        assertEq(_maintenanceOwes(), 0, "maintenance owes nothing once everyone left");
        assertEq(
            usd.balanceOf(address(rental)) +
                usd.balanceOf(address(rentalCustody)) +
                usd.balanceOf(address(maintenance)) +
                usd.balanceOf(address(maintenanceCustody)),
            0,
            "the escrows and custodies themselves hold nothing"
        );
        (uint256 owed, uint256 dust) = _distributorOwes();
        assertEq(usd.balanceOf(distributor.vaultOf(assetId)), owed + dust, "the vault holds only what income owes");
        assertEq(usd.balanceOf(address(distributor)), 0, "the distributor itself holds nothing");
    }

    function _driveEverythingToTheEnd() internal {
        vm.warp(block.timestamp + 30 days);
        uint256 n = handler.agreementCount();
        for (uint256 i = 0; i < n; ++i) {
            bytes32 id = handler.agreements(i);
            uint256 steps = _closeAgreement(id);
            assertTrue(rental.stateOf(id) == IRentalTypes.State.Closed, "every agreement closes");
            assertLe(steps, 3, "in at most three public calls");
            assertEq(rental.heldFor(id), 0, "a closed agreement holds nothing (its fee is the recipient's)");
        }
        assertTrue(rental.liveAgreementOf(1, assetId) == bytes32(0), "the asset is free again");
        n = handler.orderCount();
        for (uint256 i = 0; i < n; ++i) {
            bytes32 id = handler.orders(i);
            _endOrder(id);
            IMaintenance.Order memory o = maintenance.getOrder(id);
            assertTrue(uint256(o.state) >= uint256(IMaintenance.State.Completed), "every order is terminal");
            assertEq(handler.maintenanceHeldFor(id), 0, "a finished order holds nothing");
        }
        _checkValue();
        _everyoneLeaves();
    }
}

/// @notice Invariants of the whole suite under random interleavings of every part's actions.
contract SuiteInvariantTest is SuiteSetup {
    function setUp() public {
        _deploy();
    }

    function targetContracts() public view returns (address[] memory t) {
        t = new address[](1);
        t[0] = address(handler);
    }

    /// Value is conserved across the suite: every unit that came in from outside was either paid out
    /// to a party or is still held by the distributor, the rental escrow or the maintenance escrow and
    /// vault; and each of those holds exactly what its views say it owes.
    function invariant_ValueIsConservedAndEachContractHoldsWhatItOwes() public view {
        _checkValue();
    }

    /// The device's counter only ever rises (it equals the last accepted counter), and a refused
    /// attestation left no trace.
    function invariant_DeviceCountersNeverGoBack() public view {
        assertEq(devices.lastCounter(deviceId), handler.ghostLastCounter(), "lastCounter == last accepted");
        assertTrue(!handler.counterWentBack(), "an accepted attestation raised the counter");
        assertTrue(!handler.rejectedLeftTrace(), "a refused attestation left no trace");
        IDeviceRegistry.Reading memory r = devices.latestReading(deviceId, handler.KIND());
        assertEq(r.counter, handler.ghostLastCounter(), "latest reading is the last accepted one");
    }

    /// No escrow state lacks an exit: far past every deadline, public calls bring every rental
    /// agreement to Closed and every maintenance order to a terminal state, after which every party
    /// can withdraw and the escrows are empty. (Checked on a snapshot, then reverted.)
    function invariant_EveryEscrowReachesAnEndAfterItsDeadlines() public {
        uint256 snap = vm.snapshotState();
        _driveEverythingToTheEnd();
        vm.revertToState(snap);
    }
}

/// @notice A fixed sequence through every handler action, proving each path works (non-vacuity).
contract SuiteHandlerPathsTest is SuiteSetup {
    function setUp() public {
        _deploy();
    }

    function _n(bytes32 action) internal view returns (uint256) {
        return handler.count(action);
    }

    /// The lifecycle shortcuts alone drive rentals and work orders to their ends again and again.
    function test_LifecycleShortcutsCompleteRentalsAndOrders() public {
        handler.depositIncome(100_000e6); // funds the reserve for reserve-funded orders
        for (uint256 i = 0; i < 60; ++i) {
            handler.advanceRental(uint256(keccak256(abi.encode("rental", i))));
            handler.advanceOrder(uint256(keccak256(abi.encode("order", i))));
            _checkValue();
        }
        assertGe(_n("rent"), 3, "several rentals opened");
        assertGe(_n("settle") + _n("cancelReservation") + _n("decline"), 2, "several ended");
        assertGe(_n("createOrder") + _n("createFromReserve"), 3, "several orders created");
        assertGe(_n("acceptOrder"), 2, "several orders accepted");
        _driveEverythingToTheEnd();
    }

    /// Retirement: a buyout is refused while a rental leases the asset; once the rental is settled the
    /// agent's buyout retires it, every holder redeems its part of the proceeds and its income, and
    /// value stays conserved throughout, with every escrow still reaching its end.
    function test_BuyoutRetiresTheAssetAndHoldersRedeem() public {
        handler.depositIncome(10_000e6);
        handler.depositIncome(5_000e6);
        handler.rent(0, 1 days, 1 days * 1_000);
        handler.buyout(300_000e6);
        assertEq(_n("buyoutRefused"), 1, "refused while leased");
        handler.warp(1 days);
        handler.settle(0);
        handler.finalize(0); // too early: the claim window is open
        handler.waiveClaim(0);
        _checkValue();
        handler.claimIncome(1);
        handler.buyout(300_000e6);
        assertEq(_n("buyout"), 1, "the buyout retired the asset");
        _checkValue();
        handler.rent(1, 1 days, 1 days * 1_000); // refused: a retired asset takes no income
        assertEq(_n("rent"), 1, "no rental of a retired asset");
        for (uint256 i = 0; i < 3; ++i) {
            handler.redeem(i);
            _checkValue();
        }
        assertEq(_n("redeem"), 3, "every holder redeemed");
        assertEq(shares.totalSupply(), 0, "every share burnt");
        assertLe(distributor.buyoutRemainingOf(assetId), 3, "only rounding dust of the proceeds is left");
        _driveEverythingToTheEnd();
    }

    /// Every handler action succeeds at least once on a hand-written sequence, the invariants hold
    /// after each phase, and the final drive to the end empties both escrows.
    function test_EveryHandlerActionPathWorksAndTheInvariantsHold() public {
        // Devices: a fresh counter accepted, a replayed one refused without trace.
        handler.attest(5, true, 0);
        handler.attest(0, false, 0);
        // Shares and income.
        handler.depositIncome(10_000e6);
        handler.transferShares(2, 0, 1e18);
        handler.claimIncome(0);
        handler.claimDistributorFees();
        _checkValue();

        // Rental 0: full term, settled, damage claimed, disputed, ruled by the arbiter on the dispute module.
        handler.rent(0, 2 days, 2 days * 1_000);
        handler.topUp(0, 1_000);
        handler.warp(2 days + 1);
        handler.settle(0);
        handler.claimDamage(0, 10e6);
        handler.answerClaim(0, true);
        handler.resolve(0, 1); // for the owner: the 10e6 claim is paid
        for (uint256 p = 0; p < 5; ++p) handler.withdrawRental(p);
        _checkValue();

        // Rental 1: terminated early, settled, claim accepted.
        handler.rent(1, 5 days, 5 days * 1_000);
        handler.warp(1 days);
        handler.terminateEarly(1); // no notice period: use ends now and it settles at once
        handler.settle(1); // no-op here (already Settling)
        handler.claimDamage(1, 1e6);
        handler.answerClaim(1, false);
        _checkValue();

        // Rental 2: one hour prepaid on ten days, defaults, settles, finalized after the claim window.
        handler.rent(0, 10 days, 1 hours * 1_000);
        handler.warp(3 hours);
        handler.markDefault(2);
        handler.settle(2);
        handler.warp(2 days);
        handler.finalize(2);
        for (uint256 p = 0; p < 5; ++p) handler.withdrawRental(p);
        _checkValue();

        // Reservations (second offer): one activated then waived at settlement, one declined, one
        // left to expire and cancelled by anyone.
        handler.rent(2, 1 days, 1 days * 1_000);
        handler.answerReservation(3, true);
        handler.warp(1 days);
        handler.settle(3);
        handler.waiveClaim(3);
        handler.rent(3, 1 days, 1 days * 1_000);
        handler.answerReservation(4, false);
        handler.rent(2, 1 days, 1 days * 1_000);
        handler.warp(1 days + 1);
        handler.cancelReservation(5);
        for (uint256 p = 0; p < 5; ++p) handler.withdrawRental(p);
        _checkValue();

        // Maintenance 0: payer-funded, device-proved, completed; provider claims.
        handler.createOrder(1_000e6, 100e6, 1 days, 2 days, 0);
        handler.acceptOrder(0);
        handler.proveByDevice(0, 0);
        handler.claimMaintenance(2);
        // Maintenance 1: payer-funded, inspector fails it, deadline passes, bond slashed to the reserve.
        handler.createOrder(500e6, 50e6, 1 days, 1 days, 5);
        handler.acceptOrder(1);
        handler.inspect(1, false);
        // Maintenance 2: reserve-funded, device-proved, cancelled (budget back to the reserve credit).
        handler.createOrder(100e6, 0, 1 days, 1 days, 2);
        handler.cancelOrder(2);
        // Maintenance 3: reserve-funded, inspector passes it.
        handler.createOrder(50e6, 10e6, 1 days, 1 days, 3);
        handler.acceptOrder(3);
        handler.inspect(3, true);
        // Maintenance 4: nobody accepts; it expires.
        handler.createOrder(10e6, 0, 1 hours, 1 days, 0);
        _checkValue();
        handler.warp(3 days);
        handler.expireOrder(1);
        handler.expireOrder(4);
        for (uint256 p = 0; p < 3; ++p) handler.claimMaintenance(p);
        handler.returnToReserve();
        _checkValue();

        bytes32[30] memory actions = [
            bytes32("attest"),
            "attestRefused",
            "depositIncome",
            "transferShares",
            "claimIncome",
            "claimFees",
            "rent",
            "topUp",
            "settle",
            "claimDamage",
            "disputeClaim",
            "resolve",
            "withdrawRental",
            "terminateEarly",
            "acceptClaim",
            "markDefault",
            "finalize",
            "createOrder",
            "createFromReserve",
            "acceptOrder",
            "proveByDevice",
            "inspectFailed",
            "inspectPassed",
            "cancelOrder",
            "expireOrder",
            "returnToReserve",
            "activate",
            "decline",
            "cancelReservation",
            "waiveClaim"
        ];
        for (uint256 i = 0; i < actions.length; ++i) assertGe(_n(actions[i]), 1, string(abi.encode(actions[i])));
        assertGe(_n("claimMaintenance"), 1, "claimMaintenance");
        assertEq(uint256(maintenance.getOrder(handler.orders(0)).state), 3, "device-proved order completed");
        assertEq(uint256(maintenance.getOrder(handler.orders(1)).state), 6, "failed order defaulted");
        assertEq(uint256(maintenance.getOrder(handler.orders(3)).state), 3, "inspected order completed");
        assertEq(uint256(maintenance.getOrder(handler.orders(4)).state), 5, "unaccepted order expired");

        // Finally, from a state with live escrows, everything still reaches its end.
        handler.rent(1, 3 days, 1 days * 1_000);
        handler.createOrder(20e6, 5e6, 1 days, 1 days, 1);
        handler.acceptOrder(5);
        _driveEverythingToTheEnd();
    }
}
