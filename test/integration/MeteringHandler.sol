// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Vm} from "../utils/Vm.sol";
import {DeviceRegistry} from "../../contracts/devices/DeviceRegistry.sol";
import {IDeviceRegistry} from "../../contracts/interfaces/IDeviceRegistry.sol";
import {IRentalEscrow} from "../../contracts/rental/IRentalEscrow.sol";
import {IRentalTypes} from "../../contracts/rental/IRentalTypes.sol";
import {RentalEscrow} from "../../contracts/rental/RentalEscrow.sol";

/// @title MeteringHandler
/// @notice Invariant handler over ONE metered rental of an asset whose bound secp256k1 device is the
///         meter (real DeviceRegistry and RentalEscrow). The device signs readings with rising counters,
///         signed now (always within the term) with its odometer raised by random units; the handler
///         keeps the signed-not-relayed readings in a pool. Actions relay any subset of the pool in any
///         order, singly or in one batch (older ones are refused as stale: that is fine), settle the
///         meter at any time, warp time, and settle the agreement after its end.
///         Ghosts: the newest reading the registry accepted (its odometer and signing time), and
///         whether a settleMetered call succeeded or reverted exactly when the rule says it must.
contract MeteringHandler {
    // solhint-disable-next-line const-name-snakecase
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint256 internal constant K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    uint256 public constant POOL_MAX = 8;
    uint64 public constant MAX_UNITS_PER_READING = 3_000;

    DeviceRegistry public immutable devices;
    RentalEscrow public immutable rental;
    uint256 public immutable deviceKey;
    uint256 public immutable deviceId;
    uint32 public immutable kind;

    bytes32 public id;
    uint40 public start;
    uint40 public end;
    uint64 public baselineOdometer;

    /// @notice The device's own state: last signed counter and running total.
    uint64 public signedCounter;
    uint64 public odometer;

    /// @notice The newest reading the registry accepted (all of them are signed within the term).
    uint64 public ghostAcceptedCounter;
    uint64 public ghostAcceptedOdometer;
    uint40 public ghostAcceptedTime;
    /// @notice Set if settleMetered succeeded with nothing new, or reverted with something new.
    bool public settleMisbehaved;
    bool public finalSettled;
    /// @notice The newest accepted reading when the agreement was settled (readings relayed later are
    ///         accepted by the registry but bill nothing: the agreement is closed).
    uint64 public finalAcceptedCounter;
    uint64 public finalAcceptedOdometer;
    uint40 public finalAcceptedTime;

    IDeviceRegistry.Attestation[] internal _pool;
    bytes[] internal _sigs;

    mapping(bytes32 action => uint256) public count;

    constructor(DeviceRegistry devices_, RentalEscrow rental_, uint256 deviceKey_, uint256 deviceId_, uint32 kind_) {
        (devices, rental, deviceKey, deviceId, kind) = (devices_, rental_, deviceKey_, deviceId_, kind_);
        signedCounter = devices_.lastCounter(deviceId_);
        odometer = devices_.latestReading(deviceId_, kind_).odometer;
    }

    /// @notice Signs and relays the baseline reading now (the agreement opens in the same second).
    function signBaseline(uint64 initialOdometer) external {
        if (id != 0) return; // setup only
        odometer = initialOdometer;
        (IDeviceRegistry.Attestation memory a, bytes memory sig) = _signNow();
        devices.attest(a, sig);
        _accepted(a);
    }

    /// @notice Records the agreement the invariants follow (opened by the test at the baseline's time).
    function follow(bytes32 id_) external {
        if (id != 0) return; // setup only
        id = id_;
        IRentalTypes.Agreement memory ag = rental.agreementOf(id_);
        (start, end, baselineOdometer) = (ag.start, ag.end, rental.meter().meterOf(id_).odometer);
    }

    function poolSize() external view returns (uint256) {
        return _pool.length;
    }

    // ------------------------------------------------------------------ actions

    /// @notice The device measures `units` more and signs a reading now (only within the term).
    function sign(uint64 units) public {
        if (block.timestamp > end || _pool.length >= POOL_MAX) return;
        odometer += units % (MAX_UNITS_PER_READING + 1);
        (IDeviceRegistry.Attestation memory a, bytes memory sig) = _signNow();
        _pool.push(a);
        _sigs.push(sig);
        count["sign"]++;
    }

    /// @notice Relays the pool readings picked by `mask`, in an order shuffled by `orderSeed`, in one
    ///         batch or one by one; relayed readings leave the pool (a refused one can never be accepted
    ///         later: the counter only rises).
    function relay(uint256 mask, uint256 orderSeed, bool batch) public {
        uint256 n = _pool.length;
        if (n == 0) return;
        uint256[] memory pick = new uint256[](n);
        uint256 k;
        for (uint256 i = 0; i < n; ++i) if ((mask >> i) & 1 == 1) pick[k++] = i;
        if (k == 0) pick[k++] = mask % n;
        for (uint256 i = k; i > 1; --i) {
            uint256 j = uint256(keccak256(abi.encode(orderSeed, i))) % i;
            (pick[i - 1], pick[j]) = (pick[j], pick[i - 1]);
        }
        IDeviceRegistry.Attestation[] memory items = new IDeviceRegistry.Attestation[](k);
        bytes[] memory sigs = new bytes[](k);
        for (uint256 i = 0; i < k; ++i) (items[i], sigs[i]) = (_pool[pick[i]], _sigs[pick[i]]);
        if (batch) {
            IDeviceRegistry.AttestationStatus[] memory st = devices.attestBatch(items, sigs);
            for (uint256 i = 0; i < k; ++i)
                if (st[i] == IDeviceRegistry.AttestationStatus.Accepted) _accepted(items[i]);
        } else {
            for (uint256 i = 0; i < k; ++i) {
                try devices.attest(items[i], sigs[i]) {
                    _accepted(items[i]);
                } catch {
                    count["relayRefused"]++;
                }
            }
        }
        _dropRelayed(pick, k);
        count["relay"]++;
    }

    /// @notice Anyone settles the meter now. Must succeed iff the registry holds a reading newer than
    ///         the mark (while the agreement is live).
    function settleMetered() public {
        if (finalSettled) return;
        bool fresh = devices.latestReading(deviceId, kind).counter > rental.meter().meterOf(id).counter;
        try rental.settleMetered(id) {
            if (!fresh) settleMisbehaved = true;
            count["settleMetered"]++;
        } catch {
            if (fresh) settleMisbehaved = true;
            count["settleMeteredNothingNew"]++;
        }
    }

    /// @notice Time passes (1 s to 12 h: most runs reach the end of the one-day term).
    function warp(uint256 secs) public {
        vm.warp(block.timestamp + 1 + (secs % 12 hours));
        count["warp"]++;
    }

    /// @notice After the end, anyone settles the agreement (final meter reading, refund).
    function finalSettle() public {
        if (finalSettled || block.timestamp < end) return;
        rental.settle(id);
        finalSettled = true;
        (finalAcceptedCounter, finalAcceptedOdometer, finalAcceptedTime) = (
            ghostAcceptedCounter,
            ghostAcceptedOdometer,
            ghostAcceptedTime
        );
        count["finalSettle"]++;
    }

    // ------------------------------------------------------------------ internals

    function _signNow() internal returns (IDeviceRegistry.Attestation memory a, bytes memory sig) {
        a = IDeviceRegistry.Attestation({
            deviceId: deviceId,
            kind: kind,
            value: 0,
            odometer: odometer,
            payloadHash: keccak256(abi.encode(signedCounter + 1, odometer)),
            counter: ++signedCounter,
            timestamp: uint64(block.timestamp)
        });
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(deviceKey, devices.attestationDigest(a));
        if (uint256(s) > K1_N / 2) {
            s = bytes32(K1_N - uint256(s));
            v = v == 27 ? 28 : 27;
        }
        sig = abi.encodePacked(r, s, v);
    }

    function _accepted(IDeviceRegistry.Attestation memory a) internal {
        // Accepted readings come in counter order (the registry refuses a lower one).
        ghostAcceptedCounter = a.counter;
        ghostAcceptedOdometer = a.odometer;
        ghostAcceptedTime = uint40(a.timestamp);
        count["accepted"]++;
    }

    /// @dev Removes the picked pool entries (indices `pick[0..k)`, any order) keeping the others' order.
    function _dropRelayed(uint256[] memory pick, uint256 k) internal {
        uint256 n = _pool.length;
        bool[] memory gone = new bool[](n);
        for (uint256 i = 0; i < k; ++i) gone[pick[i]] = true;
        uint256 w;
        for (uint256 r = 0; r < n; ++r) {
            if (gone[r]) continue;
            if (w != r) {
                _pool[w] = _pool[r];
                _sigs[w] = _sigs[r];
            }
            ++w;
        }
        while (_pool.length > w) {
            _pool.pop();
            _sigs.pop();
        }
    }
}
