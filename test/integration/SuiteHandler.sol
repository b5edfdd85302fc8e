// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Vm} from "../utils/Vm.sol";
import {AssetShares} from "../../contracts/assets/AssetShares.sol";
import {DeviceRegistry} from "../../contracts/devices/DeviceRegistry.sol";
import {IDeviceRegistry} from "../../contracts/interfaces/IDeviceRegistry.sol";
import {IncomeDistributor} from "../../contracts/income/IncomeDistributor.sol";
import {IRentalCustody} from "../../contracts/rental/IRentalCustody.sol";
import {IRentalEscrow} from "../../contracts/rental/IRentalEscrow.sol";
import {IRentalTypes} from "../../contracts/rental/IRentalTypes.sol";
import {RentalEscrow} from "../../contracts/rental/RentalEscrow.sol";
import {RentalClaims} from "../../contracts/rental/RentalClaims.sol";
import {IDisputeModule} from "../../contracts/disputes/IDisputeModule.sol";
import {IRentalMarket} from "../../contracts/rental/IRentalMarket.sol";
import {IMaintenance} from "../../contracts/maintenance/IMaintenance.sol";
import {MaintenanceCustody} from "../../contracts/maintenance/MaintenanceCustody.sol";
import {MaintenanceEvidence} from "../../contracts/maintenance/MaintenanceEvidence.sol";
import {MaintenanceOrders} from "../../contracts/maintenance/MaintenanceOrders.sol";
import {MockPayoutToken} from "../../contracts/test/doubles/Tokens.sol";

/// @notice The wiring the handler acts on (all real contracts), passed in one struct.
struct Suite {
    DeviceRegistry devices;
    IncomeDistributor distributor;
    AssetShares shares;
    RentalEscrow rental;
    MaintenanceOrders maintenance;
    MockPayoutToken usd;
    uint256 assetId;
    uint256 deviceId;
    bytes32 offerId;
    bytes32 reservedOfferId;
}

/// @title SuiteHandler
/// @notice Invariant handler over the whole Plinth suite wired together with the REAL contracts:
///         device attestations (fresh and stale counters), share transfers among three KYC'd holders,
///         income deposits and claims, protocol-fee claims, an on-chain rental offer of the asset
///         (rent, top up, terminate early, default, settle, damage claim, accept/dispute/rule,
///         finalize, withdraw), maintenance orders (payer- or reserve-funded; device-proved or
///         inspector-proved; accept, prove, cancel, expire, claim, return to reserve) and time.
///         Every action either succeeds (and is counted) or changes nothing. A ghost ledger records
///         every token unit entering the suite from outside (`ghostIn`) and every unit paid out to
///         an outside party (`ghostOut`); tokens are minted only to be paid in at once, so outside
///         parties hold exactly what the suite paid them.
contract SuiteHandler {
    // solhint-disable-next-line const-name-snakecase
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint256 public constant HOLDERS = 3;
    uint32 public constant KIND = 3;
    uint256 public constant DEVICE_KEY = 0xD1;
    uint256 public constant INSPECTOR_KEY = 0x1A5;
    uint256 public constant PRICE = 1_000; // 0.001 USD per second (6 decimals)
    uint256 public constant DEPOSIT = 50e6;
    uint256 public constant MAX_AGREEMENTS = 10;
    uint256 public constant MAX_ORDERS = 10;
    uint256 internal constant K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    address public constant AGENT = address(0xA6E);
    address public constant RENTER_0 = address(0xBEEF01);
    address public constant RENTER_1 = address(0xBEEF02);
    address public constant PAYER = address(0xB0);
    address public constant PROVIDER = address(0xC0);
    address public constant ARBITER = address(0xA4B);
    address public constant DIST_FEES = address(0xFEE1);
    address public constant RENT_FEES = address(0xFEE2);
    /// @notice Where tokens minted for a refused payment go (they never entered the suite).
    address public constant DISCARD = address(0xD15C);
    address public immutable inspector;

    DeviceRegistry public immutable devices;
    IncomeDistributor public immutable distributor;
    AssetShares public immutable shares;
    RentalEscrow public immutable rental;
    IRentalCustody public immutable rentalCustody;
    RentalClaims public immutable rentalClaims;
    IDisputeModule public immutable disputes;
    IRentalMarket public immutable market;
    MaintenanceOrders public immutable maintenance;
    MaintenanceEvidence public immutable maintenanceEvidence;
    MaintenanceCustody public immutable maintenanceCustody;
    MockPayoutToken public immutable usd;
    uint256 public immutable assetId;
    uint256 public immutable deviceId;
    bytes32 public immutable offerId;
    /// @notice Same terms, but the agent must activate within a day (Reserved state first).
    bytes32 public immutable reservedOfferId;

    address[HOLDERS] public holders = [address(0x2001), address(0x2002), address(0x2003)];

    /// @notice Token units paid into the suite from outside, and paid out of it to outside parties.
    uint256 public ghostIn;
    uint256 public ghostOut;
    /// @notice The device's last accepted counter as the handler saw it.
    uint64 public ghostLastCounter;
    /// @notice Set if an accepted attestation did not raise the counter, or a refused one left a trace.
    bool public counterWentBack;
    bool public rejectedLeftTrace;

    bytes32[] public agreements;
    bytes32[] public orders;
    uint256 internal salt;

    /// @notice The asset was bought out (retired).
    bool public retired;

    /// @notice Successful actions per kind (non-vacuity).
    mapping(bytes32 action => uint256) public count;

    constructor(Suite memory s) {
        devices = s.devices;
        distributor = s.distributor;
        shares = s.shares;
        rental = s.rental;
        rentalCustody = s.rental.custody();
        rentalClaims = RentalClaims(s.rental.claims());
        disputes = rentalClaims.disputes();
        market = s.rental.market();
        maintenance = s.maintenance;
        maintenanceEvidence = MaintenanceEvidence(address(s.maintenance.evidence()));
        maintenanceCustody = MaintenanceCustody(address(s.maintenance.custody()));
        usd = s.usd;
        assetId = s.assetId;
        deviceId = s.deviceId;
        offerId = s.offerId;
        reservedOfferId = s.reservedOfferId;
        inspector = vm.addr(INSPECTOR_KEY);
        address[5] memory payers = [AGENT, RENTER_0, RENTER_1, PAYER, PROVIDER];
        for (uint256 i = 0; i < payers.length; ++i) {
            vm.startPrank(payers[i]);
            s.usd.approve(address(s.distributor), type(uint256).max);
            s.usd.approve(address(s.rental), type(uint256).max);
            s.usd.approve(address(s.maintenance.custody()), type(uint256).max);
            vm.stopPrank();
        }
    }

    // ------------------------------------------------------------------ views for the invariants

    /// @notice Number of rental agreements opened.
    function agreementCount() external view returns (uint256) {
        return agreements.length;
    }

    /// @notice Number of maintenance orders created.
    function orderCount() external view returns (uint256) {
        return orders.length;
    }

    /// @notice Every outside party that can receive tokens from the suite.
    function parties() public view returns (address[11] memory p) {
        p = [
            AGENT,
            RENTER_0,
            RENTER_1,
            PAYER,
            PROVIDER,
            ARBITER,
            DIST_FEES,
            RENT_FEES,
            holders[0],
            holders[1],
            holders[2]
        ];
    }

    /// @notice Parties of the rental escrow (owner side, renters, arbiter, fee recipient).
    function rentalParties() public pure returns (address[5] memory) {
        return [AGENT, RENTER_0, RENTER_1, ARBITER, RENT_FEES];
    }

    /// @notice Parties of the maintenance escrow (payers, provider).
    function maintenanceParties() public pure returns (address[3] memory) {
        return [AGENT, PAYER, PROVIDER];
    }

    /// @notice Money the maintenance escrow must still hold for an order.
    function maintenanceHeldFor(bytes32 id) public view returns (uint256) {
        IMaintenance.Order memory o = maintenance.getOrder(id);
        if (o.state == IMaintenance.State.Open) return o.budget;
        if (o.state == IMaintenance.State.Active) return uint256(o.price) - o.released + o.bond;
        return 0;
    }

    /// @notice Hash of everything an attestation may write for the device (its trace).
    function deviceTrace() public view returns (bytes32) {
        IDeviceRegistry.Reading memory r = devices.latestReading(deviceId, KIND);
        return
            keccak256(
                abi.encode(
                    devices.lastCounter(deviceId),
                    devices.statusOf(deviceId),
                    r.counter,
                    r.timestamp,
                    r.value,
                    r.odometer
                )
            );
    }

    // ------------------------------------------------------------------ devices

    /// @notice The device signs a reading; `fresh` picks a counter above the last one, otherwise a
    ///         replayed/stale one (at most the last). Accepted: the counter rose. Refused: no trace.
    function attest(uint256 counterSeed, bool fresh, uint64 value) public {
        uint64 last = devices.lastCounter(deviceId);
        uint64 counter = fresh ? last + 1 + uint64(counterSeed % 1_000) : uint64(counterSeed % (uint256(last) + 1));
        IDeviceRegistry.Attestation memory a = IDeviceRegistry.Attestation({
            deviceId: deviceId,
            kind: KIND,
            value: value % 2,
            odometer: devices.latestReading(deviceId, KIND).odometer + (value % 2),
            payloadHash: keccak256(abi.encode(counter, value)),
            counter: counter,
            timestamp: uint64(block.timestamp)
        });
        bytes memory sig = _sign(devices.attestationDigest(a));
        bytes32 before = deviceTrace();
        try devices.attest(a, sig) {
            if (counter <= ghostLastCounter || devices.lastCounter(deviceId) != counter) counterWentBack = true;
            ghostLastCounter = counter;
            count["attest"]++;
        } catch {
            if (deviceTrace() != before) rejectedLeftTrace = true;
            count["attestRefused"]++;
        }
    }

    function _sign(bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(DEVICE_KEY, digest);
        if (uint256(s) > K1_N / 2) {
            s = bytes32(K1_N - uint256(s));
            v = v == 27 ? 28 : 27;
        }
        return abi.encodePacked(r, s, v);
    }

    // ------------------------------------------------------------------ shares and income

    /// @notice A holder sends shares to another KYC'd holder.
    function transferShares(uint256 fromSeed, uint256 toSeed, uint256 amount) public {
        address from = holders[fromSeed % HOLDERS];
        amount = _bound(amount, 0, shares.balanceOf(from));
        vm.prank(from);
        try shares.transfer(holders[toSeed % HOLDERS], amount) {
            count["transferShares"]++;
        } catch {}
    }

    /// @notice The agent deposits off-chain income (fresh tokens) for the holders.
    function depositIncome(uint256 amount) public {
        amount = _bound(amount, 1, 1_000_000e6);
        usd.mint(AGENT, amount);
        vm.prank(AGENT);
        distributor.deposit(assetId, address(usd), amount);
        ghostIn += amount;
        count["depositIncome"]++;
    }

    /// @notice A holder claims its accrued income to itself.
    function claimIncome(uint256 holderSeed) public {
        address h = holders[holderSeed % HOLDERS];
        if (distributor.claimableOf(assetId, address(usd), h) == 0) return;
        vm.prank(h);
        ghostOut += distributor.claim(assetId, address(usd), h);
        count["claimIncome"]++;
    }

    /// @notice The distributor's fee recipient claims the asset's protocol fees.
    function claimDistributorFees() public {
        if (distributor.feesOf(assetId, address(usd)) == 0) return;
        vm.prank(DIST_FEES);
        ghostOut += distributor.claimFees(assetId, address(usd), DIST_FEES);
        count["claimFees"]++;
    }

    // ------------------------------------------------------------------ buyout and retirement

    /// @notice The agent sells the asset: deposits buyout proceeds (fresh tokens), which retires it.
    ///         Refused while a rental leases the asset (its rent would have nowhere to go) or once retired.
    ///         Only after three rentals, income deposits or work orders, so that most runs live a while first.
    function buyout(uint256 proceeds) public {
        if (retired || count["rent"] + count["depositIncome"] + count["createOrder"] < 3) return;
        proceeds = _bound(proceeds, 1, 1_000_000e6);
        usd.mint(AGENT, proceeds);
        vm.prank(AGENT);
        try distributor.depositBuyout(assetId, address(usd), proceeds) {
            ghostIn += proceeds;
            retired = true;
            count["buyout"]++;
        } catch {
            _discard(AGENT, proceeds);
            count["buyoutRefused"]++;
        }
    }

    /// @notice After the buyout, a holder redeems: its shares are burnt and it receives its part of the
    ///         proceeds plus its unclaimed income, in one call.
    function redeem(uint256 holderSeed) public {
        address h = holders[holderSeed % HOLDERS];
        if (!retired || shares.balanceOf(h) == 0) return;
        uint256 before = usd.balanceOf(h);
        vm.prank(h);
        distributor.redeem(assetId, h);
        ghostOut += usd.balanceOf(h) - before;
        count["redeem"]++;
    }

    // ------------------------------------------------------------------ rental

    function _agreement(uint256 seed) internal view returns (bytes32) {
        if (agreements.length == 0) return bytes32(0);
        return agreements[seed % agreements.length];
    }

    /// @notice A renter rents the asset from one of the agent's on-chain offers (deposit + prepaid
    ///         rent): bit 0 of `renterSeed` picks the renter, bit 1 the offer (instant or reserved).
    function rent(uint256 renterSeed, uint256 durSeed, uint256 prepaySeed) public {
        if (agreements.length >= MAX_AGREEMENTS) return;
        address renter = renterSeed % 2 == 0 ? RENTER_0 : RENTER_1;
        uint256 duration = _bound(durSeed, 1 hours, 10 days);
        uint256 prepay = _bound(prepaySeed, 1 hours * PRICE, duration * PRICE + 1e6);
        usd.mint(renter, prepay + DEPOSIT);
        vm.prank(renter);
        bytes32 offer = (renterSeed >> 1) % 2 == 0 ? offerId : reservedOfferId;
        try market.rent(offer, duration, prepay) returns (bytes32 id) {
            agreements.push(id);
            ghostIn += prepay + DEPOSIT;
            count["rent"]++;
        } catch {
            // Refused (e.g. the asset is still rented): the fresh tokens never entered the suite.
            _discard(renter, prepay + DEPOSIT);
        }
    }

    /// @notice The agent hands the asset over (activates a reservation) or declines it.
    function answerReservation(uint256 idSeed, bool accept) public {
        bytes32 id = _agreement(idSeed);
        if (id == bytes32(0)) return;
        vm.prank(AGENT);
        if (accept) {
            try rental.activate(id) {
                count["activate"]++;
            } catch {}
        } else {
            try rental.decline(id) {
                count["decline"]++;
            } catch {}
        }
    }

    /// @notice Anyone returns everything to the renter once a reservation's activation deadline passed.
    function cancelReservation(uint256 idSeed) public {
        bytes32 id = _agreement(idSeed);
        if (id == bytes32(0)) return;
        try rental.cancelReservation(id) {
            count["cancelReservation"]++;
        } catch {}
    }

    /// @notice The owner waives any damage claim: the deposit goes back to the renter.
    function waiveClaim(uint256 idSeed) public {
        bytes32 id = _agreement(idSeed);
        if (id == bytes32(0)) return;
        vm.prank(AGENT);
        try rentalClaims.waiveClaim(id) {
            count["waiveClaim"]++;
        } catch {}
    }

    /// @notice Anyone tops up an agreement's credit (here, its renter).
    function topUp(uint256 idSeed, uint256 amount) public {
        bytes32 id = _agreement(idSeed);
        if (id == bytes32(0)) return;
        amount = _bound(amount, 1, 1 days * PRICE);
        address renter = rental.agreementOf(id).renter;
        usd.mint(renter, amount);
        vm.prank(renter);
        try rental.topUp(id, amount) {
            ghostIn += amount;
            count["topUp"]++;
        } catch {
            _discard(renter, amount);
        }
    }

    /// @notice The renter ends the use early.
    function terminateEarly(uint256 idSeed) public {
        bytes32 id = _agreement(idSeed);
        if (id == bytes32(0)) return;
        vm.prank(rental.agreementOf(id).renter);
        try rental.terminateEarly(id) {
            count["terminateEarly"]++;
        } catch {}
    }

    /// @notice Anyone marks a renter in arrears past the grace period as defaulted.
    function markDefault(uint256 idSeed) public {
        bytes32 id = _agreement(idSeed);
        if (id == bytes32(0)) return;
        try rental.markDefault(id) {
            count["markDefault"]++;
        } catch {}
    }

    /// @notice Anyone settles an ended agreement (rent paid out, claim window opens).
    function settle(uint256 idSeed) public {
        bytes32 id = _agreement(idSeed);
        if (id == bytes32(0)) return;
        try rental.settle(id) {
            count["settle"]++;
        } catch {}
    }

    /// @notice The owner claims damages from the held deposit.
    function claimDamage(uint256 idSeed, uint256 amount) public {
        bytes32 id = _agreement(idSeed);
        if (id == bytes32(0)) return;
        uint256 held = rental.agreementOf(id).depositHeld;
        vm.prank(AGENT);
        try rentalClaims.claimDamage(id, _bound(amount, 1, held == 0 ? 1 : held), bytes32("photo")) {
            count["claimDamage"]++;
        } catch {}
    }

    /// @notice The renter accepts or disputes the owner's damage claim.
    function answerClaim(uint256 idSeed, bool dispute) public {
        bytes32 id = _agreement(idSeed);
        if (id == bytes32(0)) return;
        vm.prank(rental.agreementOf(id).renter);
        if (dispute) {
            try rentalClaims.disputeClaim(id) {
                count["disputeClaim"]++;
            } catch {}
        } else {
            try rentalClaims.acceptClaim(id) {
                count["acceptClaim"]++;
            } catch {}
        }
    }

    /// @notice The arbiter rules on a disputed claim on the dispute module (0 refused, 1 owner, 2 renter).
    function resolve(uint256 idSeed, uint256 ruling) public {
        bytes32 id = _agreement(idSeed);
        if (id == bytes32(0)) return;
        uint256 disputeId = rentalClaims.disputeIdOf(id);
        vm.prank(ARBITER);
        try disputes.rule(disputeId, ruling % 3) {
            count["resolve"]++;
        } catch {}
    }

    /// @notice Anyone finalizes an agreement whose claim window (or claim deadline) passed.
    function finalize(uint256 idSeed) public {
        bytes32 id = _agreement(idSeed);
        if (id == bytes32(0)) return;
        try rentalClaims.finalize(id) {
            count["finalize"]++;
        } catch {}
    }

    /// @notice A rental party withdraws its claimable balance to itself.
    function withdrawRental(uint256 partySeed) public {
        address party = rentalParties()[partySeed % 5];
        uint256 amount = rentalCustody.claimable(party, assetId, address(usd));
        if (amount == 0) return;
        vm.prank(party);
        rentalCustody.withdraw(assetId, address(usd));
        ghostOut += amount;
        count["withdrawRental"]++;
    }

    // ------------------------------------------------------------------ maintenance

    function _order(uint256 seed) internal view returns (bytes32) {
        if (orders.length == 0) return bytes32(0);
        return orders[seed % orders.length];
    }

    /// @notice Creates a one-milestone work order for the asset's device, proved by the device
    ///         (reading of KIND equal to 0) or by the inspector. `fromReserve`: the agent funds it
    ///         from the asset's maintenance reserve (when it suffices), otherwise the payer pays.
    function createOrder(uint256 budget, uint256 bond, uint32 acceptIn, uint32 workFor, uint8 mode) public {
        if (orders.length >= MAX_ORDERS) return;
        bool byDevice = mode % 2 == 0;
        bool fromReserve = (mode >> 1) % 2 == 1;
        IMaintenance.OrderParams memory p;
        p.assetId = assetId;
        p.deviceId = deviceId;
        p.token = address(usd);
        p.bond = _bound(bond, 0, 1_000e6);
        p.provider = PROVIDER;
        p.acceptBy = uint40(block.timestamp + 1 + (acceptIn % 5 days));
        p.completeBy = p.acceptBy + 1 + uint40(workFor % 10 days);
        p.fromReserve = fromReserve;
        p.slashTo = IMaintenance.SlashTo((mode >> 2) % 2);
        p.policy.k = 1;
        p.policy.kind = KIND;
        if (byDevice) {
            p.policy.useDevice = true;
            p.policy.cmp = IMaintenance.Comparator.EQ;
        } else {
            p.inspectors = new address[](1);
            p.inspectors[0] = inspector;
        }
        p.salt = bytes32(++salt);
        address creator = fromReserve ? AGENT : PAYER;
        if (fromReserve) {
            uint256 available =
                distributor.reserveOf(assetId, address(usd)) + maintenanceCustody.reserveCredit(assetId, address(usd));
            if (available == 0) return;
            p.budget = _bound(budget, 1, available);
        } else {
            p.budget = _bound(budget, 1, 100_000e6);
            usd.mint(PAYER, p.budget);
        }
        vm.prank(creator);
        orders.push(maintenance.createOrder(p));
        if (!fromReserve) ghostIn += p.budget;
        count[fromReserve ? bytes32("createFromReserve") : bytes32("createOrder")]++;
    }

    /// @notice The named provider accepts and posts its bond.
    function acceptOrder(uint256 seed) public {
        bytes32 id = _order(seed);
        if (id == bytes32(0)) return;
        IMaintenance.Order memory o = maintenance.getOrder(id);
        if (o.state != IMaintenance.State.Open || block.timestamp > o.acceptBy) return;
        usd.mint(PROVIDER, o.bond);
        vm.prank(PROVIDER);
        maintenance.accept(id);
        ghostIn += o.bond;
        count["acceptOrder"]++;
    }

    /// @notice One second later the device attests a fresh reading (value 0 or 1), then anyone
    ///         submits it as the order's evidence.
    function proveByDevice(uint256 seed, uint64 value) public {
        bytes32 id = _order(seed);
        if (id == bytes32(0)) return;
        vm.warp(block.timestamp + 1);
        attest(seed, true, value);
        try maintenanceEvidence.submitDeviceEvidence(id, 0, deviceId) {
            count["proveByDevice"]++;
        } catch {}
    }

    /// @notice The inspector signs a verdict (passed or failed) and anyone submits it.
    function inspect(uint256 seed, bool passed) public {
        bytes32 id = _order(seed);
        if (id == bytes32(0)) return;
        vm.warp(block.timestamp + 1); // the verdict is issued after acceptance, and after the last one
        IMaintenance.Inspection[] memory ins = new IMaintenance.Inspection[](1);
        ins[0] = IMaintenance.Inspection({
            orderId: id,
            milestone: 0,
            passed: passed,
            inspector: inspector,
            issuedAt: block.timestamp,
            deadline: block.timestamp + 1 days
        });
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(INSPECTOR_KEY, maintenanceEvidence.inspectionDigest(ins[0]));
        bytes[] memory sigs = new bytes[](1);
        sigs[0] = abi.encodePacked(r, s, v);
        try maintenanceEvidence.submitInspections(id, ins, sigs) {
            count[passed ? bytes32("inspectPassed") : bytes32("inspectFailed")]++;
        } catch {}
    }

    /// @notice The order's controller cancels an order nobody accepted.
    function cancelOrder(uint256 seed) public {
        bytes32 id = _order(seed);
        if (id == bytes32(0)) return;
        vm.prank(maintenance.getOrder(id).payer);
        try maintenance.cancel(id) {
            count["cancelOrder"]++;
        } catch {}
    }

    /// @notice Anyone expires an order past its deadline.
    function expireOrder(uint256 seed) public {
        bytes32 id = _order(seed);
        if (id == bytes32(0)) return;
        try maintenance.expire(id) {
            count["expireOrder"]++;
        } catch {}
    }

    /// @notice A maintenance party claims its balance to itself.
    function claimMaintenance(uint256 partySeed) public {
        address party = maintenanceParties()[partySeed % 3];
        uint256 amount = maintenanceCustody.claimable(party, assetId, address(usd));
        if (amount == 0) return;
        vm.prank(party);
        maintenanceCustody.claim(assetId, address(usd), party);
        ghostOut += amount;
        count["claimMaintenance"]++;
    }

    /// @notice Anyone returns the reserve's refunds and slashes to the distributor.
    function returnToReserve() public {
        if (maintenanceCustody.reserveCredit(assetId, address(usd)) == 0) return;
        maintenanceCustody.returnToReserve(assetId, address(usd));
        count["returnToReserve"]++;
    }

    // ------------------------------------------------------------------ lifecycle shortcuts

    /// @notice Moves the latest agreement up to four steps along its lifecycle, each with the public
    ///         call that fits its state, renting anew once it closed (random calls alone rarely chain
    ///         rent -> settle -> claim -> dispute -> resolve within the depth).
    function advanceRental(uint256 seed) public {
        uint256 steps = 1 + (seed % 4);
        for (uint256 i = 0; i < steps; ++i) _rentalStep(uint256(keccak256(abi.encode(seed, i))));
    }

    function _rentalStep(uint256 seed) internal {
        uint256 n = agreements.length;
        if (n == 0 || rental.stateOf(agreements[n - 1]) == IRentalTypes.State.Closed) {
            rent(seed, seed >> 64, seed >> 128);
            return;
        }
        bytes32 id = agreements[n - 1];
        IRentalTypes.State st = rental.stateOf(id);
        IRentalTypes.Agreement memory a = rental.agreementOf(id);
        if (st == IRentalTypes.State.Reserved) {
            if (seed % 3 == 0) answerReservation(n - 1, false);
            else if (seed % 3 == 1) {
                vm.warp(uint256(a.deadline) + 1);
                cancelReservation(n - 1);
            } else answerReservation(n - 1, true);
        } else if (st == IRentalTypes.State.Active) {
            if (seed % 4 == 0) terminateEarly(n - 1);
            else if (seed % 4 == 1) markDefault(n - 1);
            else vm.warp(a.end);
        } else if (st == IRentalTypes.State.Ended || st == IRentalTypes.State.TerminatedEarly) {
            if (block.timestamp < a.end) vm.warp(a.end);
            settle(n - 1);
        } else if (st == IRentalTypes.State.Settling) {
            IRentalTypes.ClaimStatus claimStatus = rentalClaims.claimOf(id).status;
            if (claimStatus == IRentalTypes.ClaimStatus.None) {
                if (seed % 4 == 0) {
                    vm.warp(uint256(a.deadline) + 1);
                    finalize(n - 1);
                } else if (seed % 4 == 1) waiveClaim(n - 1);
                else claimDamage(n - 1, seed >> 8);
            } else if (claimStatus == IRentalTypes.ClaimStatus.Pending) {
                answerClaim(n - 1, seed % 2 == 0);
            } else {
                resolve(n - 1, seed >> 8);
            }
        }
    }

    /// @notice Moves the latest work order up to three steps: accept it, prove it (device or
    ///         inspector), or let its deadline pass and expire it; once it is finished, the parties
    ///         claim, the reserve credit returns and a new order (payer- or reserve-funded) is created.
    function advanceOrder(uint256 seed) public {
        uint256 steps = 1 + (seed % 3);
        for (uint256 i = 0; i < steps; ++i) _orderStep(uint256(keccak256(abi.encode(seed, i))));
    }

    function _orderStep(uint256 seed) internal {
        uint256 n = orders.length;
        IMaintenance.State st = n == 0 ? IMaintenance.State.None : maintenance.getOrder(orders[n - 1]).state;
        if (st == IMaintenance.State.Open) {
            if (seed % 5 == 0) {
                vm.warp(uint256(maintenance.getOrder(orders[n - 1]).acceptBy) + 1);
                expireOrder(n - 1);
            } else acceptOrder(n - 1);
        } else if (st == IMaintenance.State.Active) {
            bytes32 id = orders[n - 1];
            if (seed % 5 == 0) {
                vm.warp(uint256(maintenance.getOrder(id).completeBy) + 1);
                expireOrder(n - 1);
            } else if (maintenanceEvidence.getPolicy(id).useDevice) proveByDevice(n - 1, uint64(seed % 4 == 0 ? 1 : 0));
            else inspect(n - 1, seed % 4 != 0);
        } else {
            claimMaintenance(seed);
            returnToReserve();
            createOrder(seed >> 8, seed >> 64, uint32(seed >> 96), uint32(seed >> 128), uint8(seed >> 160));
        }
    }

    // ------------------------------------------------------------------ time

    /// @notice Time passes (up to three days).
    function warp(uint256 secs) public {
        vm.warp(block.timestamp + _bound(secs, 1, 3 days));
        count["warp"]++;
    }

    /// @dev Moves tokens minted for a refused payment out of the way (to DISCARD), outside the ledger.
    function _discard(address from, uint256 amount) internal {
        vm.prank(from);
        usd.transfer(DISCARD, amount);
    }

    /// @dev Maps `x` into [lo, hi]; a value already inside is kept (readable fixed sequences).
    function _bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (hi <= lo) return lo;
        if (x >= lo && x <= hi) return x;
        return lo + (x % (hi - lo + 1));
    }
}
