// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IRentalCustody} from "./IRentalCustody.sol";
import {IRentalMeter} from "./IRentalMeter.sol";
import {IRentalState} from "./IRentalState.sol";
import {IRentalMarket} from "./IRentalMarket.sol";

/// @title IRentalEscrow
/// @notice Every external function of the Plinth rental escrow (RentalEscrow implements this interface, so the
///         compiler checks each function against it). Types, events and errors: IRentalTypes; the getters of its stored state and
///         configuration: IRentalState. Offers, signed offers and the configuration: IRentalMarket, the only opener
///         of agreements here. Lifecycle: RentalEscrow and README.md.
interface IRentalEscrow is IRentalState {
    /// @notice Stores terms the market validated, once, under their EIP-712 struct hash (a second store of the same
    ///         terms changes nothing). Only the market (`NotMarket`).
    /// @param t The terms.
    /// @return termsHash Their EIP-712 struct hash (the key of `termsOf`).
    function storeTerms(Terms calldata t) external returns (bytes32 termsHash);

    /// @notice Opens an agreement on stored terms offered by `owner` to `renter`. Only the market (`NotMarket`).
    ///         Refused unless `owner` is still the subject's agent / device owner, the subject is rentable and free,
    ///         the terms' token is allowed by the market now and duration and prepay fit the terms. Pulls deposit +
    ///         `prepay` from `renter` (ERC-20: the renter approves this escrow) or takes it as msg.value (ETH,
    ///         forwarded by the market); snapshots the market's protocol fee.
    /// @param termsHash The stored terms.
    /// @param owner Who offered them (the market checked the offer or its signature).
    /// @param renter Who rents and pays.
    /// @param duration Seconds of use, within the terms' bounds.
    /// @param prepay Initial credit, at least minDuration * pricePerSecond.
    /// @return id The agreement id.
    function open(
        bytes32 termsHash,
        address owner,
        address renter,
        uint256 duration,
        uint256 prepay
    ) external payable returns (bytes32 id);

    /// @notice The owner hands the subject over: use starts now and lasts the reserved duration.
    /// @param id The agreement (Reserved, before its activation deadline).
    function activate(bytes32 id) external;

    /// @notice The owner refuses a reservation: everything goes back to the renter.
    /// @param id The agreement (Reserved).
    function decline(bytes32 id) external;

    /// @notice After an unactivated reservation's deadline, anyone returns everything to the renter.
    /// @param id The agreement (Reserved, deadline passed).
    function cancelReservation(bytes32 id) external;

    /// @notice Adds credit to an agreement (anyone may pay for the renter; refunds go to the renter).
    ///         Pays the debt first; when the debt is fully paid the late fee of the episode is charged.
    /// @param id The agreement (Reserved, Active or TerminatedEarly).
    /// @param amount Amount of the agreement's token (ETH: msg.value must equal it).
    function topUp(bytes32 id, uint256 amount) external payable;

    /// @notice Buys `seconds_` more seconds of time rent (amount = seconds_ * pricePerSecond).
    /// @param id The agreement.
    /// @param seconds_ Seconds to pay for.
    function payPeriod(bytes32 id, uint256 seconds_) external payable;

    /// @notice Charges the metered units of the verified readings since the last settlement.
    /// @param id The agreement (Active or TerminatedEarly, metered terms).
    function settleMetered(bytes32 id) external;

    /// @notice Pays earned rent out to the owner side (anyone may call).
    /// @param id The agreement (Active or TerminatedEarly).
    function collect(bytes32 id) external;

    /// @notice The renter ends early: use ends after the notice period (not before the minimum
    ///         duration); unused prepaid rent of the cut term is refunded at the terms' refundBps.
    /// @param id The agreement (Active, before its end).
    function terminateEarly(bytes32 id) external;

    /// @notice Anyone ends an agreement whose arrears are older than the grace period; the deposit
    ///         covers the debt and late fee, the rest waits for the damage-claim window.
    /// @param id The agreement (Active or TerminatedEarly, in default).
    function markDefault(bytes32 id) external;

    /// @notice Anyone settles an agreement whose use has ended: final rent and meter, late fee and
    ///         debt from the deposit, refunds credited; the rest of the deposit is held for claims.
    /// @param id The agreement (Active or TerminatedEarly, `end` passed).
    function settle(bytes32 id) external;

    /// @notice Closes a Settling agreement's held deposit: `toOwner` of it is paid to the owner side like damages
    ///         (the income asset's distributor, else the device owner's balance; no protocol fee), the rest is
    ///         credited to the renter. Only RentalClaims (`claims()`: `NotClaims`), which decides the split.
    /// @param id The agreement (Settling).
    /// @param toOwner Paid to the owner side, at most the deposit held (`InvalidClaim`).
    function closeSettlement(bytes32 id, uint256 toOwner) external;

    /// @notice Current state of an agreement (Active past its end reads as Ended).
    /// @param id The agreement.
    /// @return The state.
    function stateOf(bytes32 id) external view returns (State);

    /// @notice The stored agreement.
    /// @param id The agreement.
    /// @return The agreement record.
    function agreementOf(bytes32 id) external view returns (Agreement memory);

    /// @notice What RentalClaims reads of an agreement: its state (as `stateOf`), its phase deadline (Settling:
    ///         the end of the claim window), the deposit held, its renter and its terms.
    /// @param id The agreement.
    /// @return state As `stateOf`.
    /// @return deadline The current phase's deadline (0 when none).
    /// @return depositHeld The deposit still held.
    /// @return renter The renter.
    /// @return termsHash Its terms (`termsOf`).
    function settlementOf(
        bytes32 id
    ) external view returns (State state, uint256 deadline, uint256 depositHeld, address renter, bytes32 termsHash);

    /// @notice The RentalClaims this escrow created (CREATE, nonce 2): damage claims and their disputes.
    /// @return Its address.
    function claims() external view returns (address);

    /// @notice Stored terms by hash.
    /// @param termsHash The EIP-712 struct hash of the terms.
    /// @return The terms.
    function termsOf(bytes32 termsHash) external view returns (Terms memory);

    /// @notice Id of the `nonce`-th agreement on a subject: keccak256(abi.encode(kind, subjectId, nonce)).
    /// @param kind Subject kind.
    /// @param subjectId Subject id.
    /// @param nonce Per-subject sequence number.
    /// @return The agreement id.
    function agreementId(uint8 kind, uint256 subjectId, uint64 nonce) external pure returns (bytes32);

    /// @notice The agreement currently holding a subject (zero if none).
    /// @param kind Subject kind.
    /// @param subjectId Subject id.
    /// @return The live agreement id.
    function liveAgreementOf(uint8 kind, uint256 subjectId) external view returns (bytes32);

    /// @notice The current user of a rented asset and until when it may use it: the renter of the asset's live
    ///         agreement while it is in use (Active, or TerminatedEarly during its notice), before its end and not
    ///         in default; else (address(0), 0). Like ERC-4907's `userOf`/`userExpires`, for an asset id (assets
    ///         are not NFTs; devices get ERC-4907 on their DeviceToken through the registry's lease).
    /// @param assetId The asset.
    /// @return user The current user, or address(0).
    /// @return expires The end of its right of use (0 when there is no user).
    function assetUserOf(uint256 assetId) external view returns (address user, uint256 expires);

    /// @notice Whether the agreement's arrears are older than its grace period (default possible).
    /// @param id The agreement.
    /// @return True when `markDefault` would succeed.
    function inDefault(bytes32 id) external view returns (bool);

    /// @notice Funds of `token` the escrow still holds for an agreement (credit, deposit, earned).
    /// @param id The agreement.
    /// @return The amount held.
    function heldFor(bytes32 id) external view returns (uint256);

    /// @notice The RentalMeter keeping the meters of metered agreements (which agreement bills each meter, marks,
    ///         units measured and billed: `meterOf` there): this escrow's third creation (nonce 3).
    /// @return The meter.
    function meter() external view returns (IRentalMeter);

    /// @notice The RentalCustody holding every agreement's money in per-custody vaults, with the parties'
    ///         claimable balances (`withdraw` there) and deferred income: this escrow's first creation (nonce 1).
    /// @return The custody.
    function custody() external view returns (IRentalCustody);

    /// @notice The custody of an agreement's money, fixed at opening: the rented asset; for a device, the asset
    ///         it was bound to at opening, else the device itself. Its vault holds the agreement's credit,
    ///         deposit, earned rent and fee, and the balances its parties are credited.
    /// @param id The agreement.
    /// @return The custody id (0 for an unknown agreement).
    function custodyOf(bytes32 id) external view returns (uint256);

    // ------------------------------------------------------------------ state and configuration

    /// @notice The rental market this escrow was deployed for: the only caller of `storeTerms` and `open`, and the holder
    ///         of the configuration this escrow reads (token allowlist and protocol fee at opening, fee recipient
    ///         when earned rent is paid out, default arbiter when a claim is disputed).
    /// @return The market.
    function market() external view returns (IRentalMarket);
}
