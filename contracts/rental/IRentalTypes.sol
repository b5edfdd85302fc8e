// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IRentalMeterErrors} from "./IRentalMeter.sol";

/// @title IRentalTypes
/// @notice The rental part's vocabulary: its types, the escrow's events and the errors (the suite's shared errors, such as
///         `ZeroAddress`, `TokenNotAllowed`, `NotArbiter`, `DeadlinePassed` and `DeadlineNotPassed`, come from
///         IPlinthErrors; the meter's, which the escrow passes on, from IRentalMeterErrors). IRentalMarket and
///         IRentalEscrow declare the functions (the market's own events are in IRentalMarket).
interface IRentalTypes is IRentalMeterErrors {
    /// @notice What is rented: a real asset (IAssetRegistry) or a device (IDeviceRegistry).
    enum SubjectKind {
        None,
        Asset,
        Device
    }

    /// @notice Stored state of an agreement. `Ended` is not stored: an Active agreement whose end has
    ///         passed is reported as Ended by `stateOf` until someone calls `settle`.
    enum State {
        None,
        Reserved,
        Active,
        TerminatedEarly,
        Settling,
        Closed,
        Ended
    }

    /// @notice Why the use period ended (recorded by `settle`/`cancelReservation`/`decline`).
    enum EndReason {
        None,
        Ended,
        TerminatedEarly,
        Defaulted,
        ReservationExpired,
        Declined
    }

    /// @notice Status of the damage claim of an agreement in Settling (kept by RentalClaims).
    enum ClaimStatus {
        None,
        Pending,
        Disputed,
        Ruled // the dispute was ruled but enforcing it reverted: `finalize` retries (see `RulingDeferred`)
    }

    /// @notice Reasons an offer's terms are refused.
    enum TermsError {
        Subject,
        Duration,
        Windows,
        Meter,
        Bps,
        Amounts
    }

    /// @notice Rental terms, immutable once stored (agreements point to them by hash: the snapshot).
    ///         Field order is the EIP-712 `Terms` type order and packs into 8 storage slots.
    /// @dev All fields are static, so `abi.encode(TERMS_TYPEHASH, terms)` is the EIP-712 encoding.
    struct Terms {
        uint256 subjectId;
        uint256 meterDeviceId;
        address token;
        uint8 subjectKind;
        uint32 meterKind;
        uint32 meterPeriod;
        uint128 pricePerSecond;
        uint128 pricePerUnit;
        uint128 deposit;
        uint128 lateFeePerSecond;
        uint128 lateFeeCap;
        uint64 maxUnitsPerPeriod;
        uint32 minDuration;
        uint32 maxDuration;
        uint32 gracePeriod;
        uint32 noticePeriod;
        uint32 activationWindow;
        uint16 refundBps;
        address arbiter;
        uint32 claimWindow;
        uint32 responseWindow;
        uint32 arbiterTimeout;
    }

    /// @notice An owner's EIP-712 signed rental intent, fillable by `renter` (or anyone if zero)
    ///         until `expiry`, unless the owner cancels `nonce`.
    struct SignedOffer {
        Terms terms;
        address owner;
        address renter;
        uint256 nonce;
        uint64 expiry;
    }

    /// @notice One rental. Storage of one agreement only (parallel-EVM friendly).
    struct Agreement {
        // slot 0
        address renter;
        uint40 end; // end of use (moved by early termination or default)
        uint40 termEnd; // end of the contracted term
        State state;
        EndReason endReason;
        // slot 1
        address owner; // the agent / device owner who offered (activates, claims damages)
        uint40 start;
        uint40 accruedUntil; // time rent is charged up to here
        uint16 feeBps; // protocol fee snapshotted at opening
        // slot 2 (the only money slot an opening writes)
        uint128 credit; // renter's prepaid balance not yet earned
        uint128 depositHeld;
        // slot 3
        uint128 debt; // charges the credit could not cover
        uint112 earned; // charged, not yet paid out to the owner side (< 2^99: terms bound each charge total by 2^96)
        uint16 feeRemainder; // protocol fee below one token unit (in 1/BPS of a unit), carried to the next payout
        // slot 4
        uint128 lateFee; // late fee materialised so far (<= terms.lateFeeCap)
        uint40 arrearsSince; // set while debt > 0
        uint40 deadline; // the deadline of the current phase (activation; in Settling: the claim window)
        // slot 5
        bytes32 termsHash;
        // slot 6
        uint256 incomeAssetId; // device rentals: asset the device was bound to at opening (0: owner's balance)
    }

    /// @notice The damage claim on an agreement's held deposit (RentalClaims; one slot). Deleted when the claim
    ///         closes the agreement.
    /// @param amount Claimed amount (<= the deposit held).
    /// @param deadline Pending: the renter's response deadline (claimed + responseWindow); Disputed: the
    ///        dispute module's deadline (disputed + arbiterTimeout), for reference (the module enforces it).
    ///        Ruled: `amount` is what the ruling awards the owner (0 when the renter won).
    /// @param status Pending, Disputed or Ruled (None: no claim).
    struct Claim {
        uint128 amount;
        uint40 deadline;
        ClaimStatus status;
    }

    /// @notice On-chain offer record.
    struct Offer {
        address owner;
        bool active;
        bytes32 termsHash;
    }

    /// @notice Terms stored under their EIP-712 struct hash.
    event TermsStored(bytes32 indexed termsHash, uint8 subjectKind, uint256 indexed subjectId);
    /// @notice An agreement was opened (Reserved or directly Active).
    event AgreementOpened(
        bytes32 indexed id,
        bytes32 indexed termsHash,
        address indexed renter,
        address owner,
        uint256 duration,
        uint256 credit,
        uint256 deposit
    );
    /// @notice The owner handed over the subject: use starts.
    event Activated(bytes32 indexed id, uint256 start, uint256 end);
    /// @notice A reservation ended without use; everything refunded to the renter.
    event ReservationEnded(bytes32 indexed id, EndReason reason);
    /// @notice Credit added to an agreement (part of it may have cured a debt).
    event ToppedUp(bytes32 indexed id, address indexed payer, uint256 amount, uint256 debtPaid, uint256 lateFee);
    /// @notice Metered units were charged.
    /// @param counter Counter of the settled reading (the new mark).
    /// @param odometer Its odometer.
    /// @param units Units of the interval since the previous mark measured within the term.
    /// @param billedUnits Units billed by this settlement (carried units the cap now allows included).
    /// @param carriedUnits Units measured within the term and not yet billed (above the cap so far).
    /// @param charge billedUnits times the price per unit.
    event MeterSettled(
        bytes32 indexed id,
        uint64 counter,
        uint64 odometer,
        uint256 units,
        uint256 billedUnits,
        uint256 carriedUnits,
        uint256 charge
    );
    /// @notice The renter gave notice; use ends at `end`.
    event TerminatedEarly(bytes32 indexed id, uint256 end);
    /// @notice The renter's arrears passed the grace period; use ended.
    event Defaulted(bytes32 indexed id, uint256 arrearsSince, uint256 debt);
    /// @notice Final accounting done: refunds credited, deposit held for the claim window.
    event Settled(
        bytes32 indexed id,
        EndReason reason,
        uint256 refund,
        uint256 fromDeposit,
        uint256 badDebt,
        uint256 depositHeld
    );
    /// @notice Earned rent paid out: `fee` credited to the market's fee recipient (claimable in the agreement's
    ///         custody), `net` to the owner side.
    event RentPaid(bytes32 indexed id, uint256 fee, uint256 net);
    /// @notice The deposit held was released: `toOwner` paid to the owner side, `toRenter` credited to the renter.
    event ClaimResolved(bytes32 indexed id, uint256 toOwner, uint256 toRenter);
    /// @notice The agreement is closed; everything is in claimable balances.
    event Closed(bytes32 indexed id);
    /// @notice Releasing a registry lease failed (the agreement still moved on).
    event LeaseReleaseFailed(uint8 subjectKind, uint256 indexed subjectId);

    /// @notice The offered terms break a rule (the reason names which).
    error InvalidTerms(TermsError reason);
    /// @notice The caller is not the asset's agent or the device's owner.
    error NotSubjectOwner(address caller, address owner);
    /// @notice The asset or device is unknown, not active, or otherwise cannot be rented.
    error SubjectNotRentable(uint8 subjectKind, uint256 subjectId);
    /// @notice The income asset's distributor does not take `token` (not a registered payout token of the
    ///         asset, or the asset is retired): the rent would have no way to reach its holders.
    error IncomeNotAccepted(uint256 assetId, address token);
    /// @notice The metering device is not the rented device nor bound to the rented asset.
    error MeterNotOfSubject(uint256 meterDeviceId);
    /// @notice An offer with this id already exists.
    error OfferExists(bytes32 offerId);
    /// @notice The offer was withdrawn or never published.
    error OfferNotActive(bytes32 offerId);
    /// @notice The offer expired at `expiry`.
    error OfferExpired(uint256 expiry);
    /// @notice The owner cancelled this signed-offer nonce.
    error OfferNonceCancelled(address owner, uint256 nonce);
    /// @notice The signed offer names another renter.
    error OfferNotForRenter(address renter);
    /// @notice The offer signature is not the subject owner's (EOA or ERC-1271).
    error InvalidSignature();
    /// @notice A live agreement already holds the subject.
    error SubjectAlreadyRented(uint8 subjectKind, uint256 subjectId, bytes32 liveId);
    /// @notice The requested duration lies outside the offer's minimum and maximum.
    error DurationOutOfRange(uint256 duration, uint256 min, uint256 max);
    /// @notice The prepaid rent does not cover the minimum required.
    error PrepaymentTooSmall(uint256 amount, uint256 min);
    /// @notice The agreement is not in a state that allows this call.
    error WrongState(bytes32 id, State state);
    /// @notice Only the agreement's renter may call this.
    error NotRenter(address caller);
    /// @notice Only the agreement's owner may call this.
    error NotOwner(address caller);
    /// @notice The agreement's arrears have not passed the grace period.
    error NotInDefault(bytes32 id);
    /// @notice The agreement has no metered price.
    error NotMetered(bytes32 id);
    /// @notice The amount is zero or exceeds what is available (the deposit held, or the disputed claim).
    error InvalidClaim(uint256 amount, uint256 available);
    /// @notice The fee exceeds its cap.
    error FeeTooHigh(uint256 bps, uint256 max);
    /// @notice The agreement's damage claim is not in a status that allows this call.
    error WrongClaimStatus(bytes32 id, ClaimStatus status);
    /// @notice Only the escrow's RentalClaims may close a settlement.
    error NotClaims(address caller);
    /// @notice Only the escrow's rental market may store terms and open agreements.
    error NotMarket(address caller);
}
