// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Vm} from "../../../test/utils/Vm.sol";
import {IRentalTypes} from "../../rental/IRentalTypes.sol";
import {IRentalCustody} from "../../rental/IRentalCustody.sol";
import {RentalEscrow} from "../../rental/RentalEscrow.sol";
import {RentalClaims} from "../../rental/RentalClaims.sol";
import {IDisputeModule} from "../../disputes/IDisputeModule.sol";
import {IRentalMarket} from "../../rental/IRentalMarket.sol";
import {MockIncomeDistributor} from "../doubles/Distributors.sol";
import {MockAssetRegistry} from "../doubles/Registries.sol";

/// @notice Invariant-test handler: random rentals of three ETH-priced assets by two renters, with
///         every public transition, warps and withdrawals. Tracks every agreement id it opened.
contract RentalHandler {
    // solhint-disable-next-line const-name-snakecase
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    RentalEscrow public immutable escrow;
    IRentalCustody public immutable custody;
    RentalClaims public immutable claims;
    IDisputeModule public immutable disputes;
    IRentalMarket public immutable market;
    MockAssetRegistry public immutable assets;
    MockIncomeDistributor public immutable distributor;
    address public immutable agent;
    address public immutable arbiter;
    address public immutable feeRecipient;
    address[2] public renters;
    bytes32[3] public offers;
    bytes32[] public ids;
    uint256 public constant PRICE = 1e9;
    uint256 public constant DEPOSIT = 1e15;

    constructor(
        RentalEscrow escrow_,
        MockAssetRegistry assets_,
        MockIncomeDistributor distributor_,
        address agent_,
        address arbiter_,
        address feeRecipient_
    ) {
        escrow = escrow_;
        custody = escrow_.custody();
        claims = RentalClaims(escrow_.claims());
        disputes = claims.disputes();
        market = escrow_.market();
        assets = assets_;
        distributor = distributor_;
        agent = agent_;
        arbiter = arbiter_;
        feeRecipient = feeRecipient_;
        renters = [address(0xBEEF01), address(0xBEEF02)];
    }

    function setOffer(uint256 i, bytes32 offerId) external {
        offers[i] = offerId;
    }

    function idsLength() external view returns (uint256) {
        return ids.length;
    }

    function parties() public view returns (address[5] memory p) {
        p = [agent, arbiter, feeRecipient, renters[0], renters[1]];
    }

    function _bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        return lo + (x % (hi - lo + 1));
    }

    function _id(uint256 seed) internal view returns (bytes32) {
        if (ids.length == 0) return bytes32(0);
        return ids[seed % ids.length];
    }

    function rent(uint256 assetSeed, uint256 renterSeed, uint256 durSeed, uint256 prepaySeed) external {
        uint256 i = assetSeed % 3;
        address renter = renters[renterSeed % 2];
        uint256 duration = _bound(durSeed, 1 hours, 10 days);
        uint256 prepay = _bound(prepaySeed, 1 hours * PRICE, duration * PRICE + 1e12);
        vm.deal(renter, prepay + DEPOSIT);
        vm.prank(renter);
        bytes32 id = market.rent{value: prepay + DEPOSIT}(offers[i], duration, prepay);
        ids.push(id);
    }

    function topUp(uint256 idSeed, uint256 amountSeed) external {
        uint256 amount = _bound(amountSeed, 1, 1 days * PRICE);
        vm.deal(address(this), amount);
        escrow.topUp{value: amount}(_id(idSeed), amount);
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + _bound(secs, 1, 3 days));
    }

    function activate(uint256 idSeed) external {
        vm.prank(agent);
        escrow.activate(_id(idSeed));
    }

    function cancelReservation(uint256 idSeed) external {
        escrow.cancelReservation(_id(idSeed));
    }

    function settle(uint256 idSeed) external {
        escrow.settle(_id(idSeed));
    }

    function collect(uint256 idSeed) external {
        escrow.collect(_id(idSeed));
    }

    function terminateEarly(uint256 idSeed) external {
        bytes32 id = _id(idSeed);
        vm.prank(escrow.agreementOf(id).renter);
        escrow.terminateEarly(id);
    }

    function markDefault(uint256 idSeed) external {
        escrow.markDefault(_id(idSeed));
    }

    function claimDamage(uint256 idSeed, uint256 amountSeed) external {
        bytes32 id = _id(idSeed);
        uint256 held = escrow.agreementOf(id).depositHeld;
        vm.prank(agent);
        claims.claimDamage(id, _bound(amountSeed, 1, held == 0 ? 1 : held), bytes32(0));
    }

    function acceptClaim(uint256 idSeed) external {
        bytes32 id = _id(idSeed);
        vm.prank(escrow.agreementOf(id).renter);
        claims.acceptClaim(id);
    }

    function disputeClaim(uint256 idSeed) external {
        bytes32 id = _id(idSeed);
        vm.prank(escrow.agreementOf(id).renter);
        claims.disputeClaim(id);
    }

    function waiveClaim(uint256 idSeed) external {
        vm.prank(agent);
        claims.waiveClaim(_id(idSeed));
    }

    /// @notice The arbiter rules on the agreement's dispute (0 refused, 1 owner, 2 renter) on the module.
    function rule(uint256 idSeed, uint256 rulingSeed) external {
        uint256 disputeId = claims.disputeIdOf(_id(idSeed));
        vm.prank(arbiter);
        disputes.rule(disputeId, rulingSeed % 3);
    }

    function resolveByTimeout(uint256 idSeed) external {
        disputes.resolveByTimeout(claims.disputeIdOf(_id(idSeed)));
    }

    function finalize(uint256 idSeed) external {
        claims.finalize(_id(idSeed));
    }

    function withdraw(uint256 partySeed, uint256 assetSeed) external {
        address party = parties()[partySeed % 5];
        vm.prank(party);
        custody.withdraw(1 + (assetSeed % 3), address(0));
    }

    /// @notice Drives agreement `id` to Closed by warping past each deadline and calling the public
    ///         function that moves it on; returns the number of steps (reverts if one fails).
    function driveToClosed(bytes32 id) external returns (uint256 steps) {
        for (steps = 0; steps < 6; ++steps) {
            IRentalTypes.State s = escrow.stateOf(id);
            if (s == IRentalTypes.State.Closed) return steps;
            vm.warp(block.timestamp + 100 days);
            if (s == IRentalTypes.State.Reserved) escrow.cancelReservation(id);
            else if (s == IRentalTypes.State.Settling && claims.claimOf(id).status == IRentalTypes.ClaimStatus.Disputed)
                disputes.resolveByTimeout(claims.disputeIdOf(id));
            else if (s == IRentalTypes.State.Settling) claims.finalize(id);
            else escrow.settle(id);
        }
    }

    receive() external payable {}
}
