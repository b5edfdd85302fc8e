// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PlinthTest} from "../utils/Vm.sol";
import {DeviceRegistry} from "../../contracts/devices/DeviceRegistry.sol";
import {IDeviceRegistry} from "../../contracts/interfaces/IDeviceRegistry.sol";
import {DeviceTestBase} from "../../contracts/test/devices/DeviceTestBase.sol";

/// Fuzz tests of the attestation rules.
contract DeviceRegistryFuzzTest is PlinthTest, DeviceTestBase {
    uint256 internal constant T0 = 1_800_000_000;

    function setUp() public {
        vm.warp(T0);
        _setUpRegistry();
    }

    /// vm.signP256 may return a high s; the test normalises it, and the high form is refused.
    function test_P256HighSIsRefusedAndItsLowSFormAccepted() public {
        (IDeviceRegistry.Attestation memory a, bytes memory sig) = _att(2, 1, 10, 1, uint64(T0));
        (bytes32 r, bytes32 s) = abi.decode(sig, (bytes32, bytes32));
        bytes memory high = abi.encodePacked(r, bytes32(P256_N - uint256(s)));
        bytes32 before = _stateOf(ids[2], 1);
        vm.expectRevert(
            abi.encodeWithSelector(IDeviceRegistry.MalleableSignature.selector, bytes32(P256_N - uint256(s)))
        );
        registry.attest(a, high);
        assertTrue(_stateOf(ids[2], 1) == before, "refusal changed state");
        registry.attest(a, sig);
        assertEq(registry.lastCounter(ids[2]), 1, "low-s accepted");
    }

    /// A random (x, y) is practically never a P-256 point: registration refuses it and stores nothing.
    function testFuzz_RandomP256KeysAreRefused(bytes32 x, bytes32 y) public {
        IDeviceRegistry.DeviceRegistration memory reg = IDeviceRegistry.DeviceRegistration({
            manufacturer: manufacturer,
            keyType: IDeviceRegistry.KeyType.P256,
            keyA: x,
            keyB: y,
            model: 0,
            firmwareHash: 0,
            serialHash: 0
        });
        bytes32 d = _typed(
            keccak256(
                abi.encode(
                    registry.REGISTER_DEVICE_TYPEHASH(),
                    manufacturer,
                    reg.keyType,
                    x,
                    y,
                    bytes32(0),
                    bytes32(0),
                    bytes32(0)
                )
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(MFR_PK, d);
        vm.expectRevert(
            abi.encodeWithSelector(IDeviceRegistry.InvalidDeviceKey.selector, IDeviceRegistry.KeyType.P256, x, y)
        );
        registry.registerDevice(reg, abi.encodePacked(r, s, v));
        assertEq(uint8(registry.statusOf(registry.deviceIdOf(IDeviceRegistry.KeyType.P256, x, y))), 0, "stored");
    }

    /// A counter is accepted iff it is strictly above the last one, whatever the values.
    function testFuzz_CounterMustStrictlyIncrease(uint64 first, uint64 second, uint8 device) public {
        uint256 i = device % 4;
        vm.assume(first > 0);
        (IDeviceRegistry.Attestation memory a, bytes memory sig) = _att(i, 1, 1, first, uint64(T0));
        registry.attest(a, sig);
        (IDeviceRegistry.Attestation memory b, bytes memory sig2) = _att(i, 7, 1, second, uint64(T0));
        bytes32 before = _stateOf(ids[i], 7);
        IDeviceRegistry.AttestationStatus st = registry.checkAttestation(b, sig2);
        if (second > first) {
            assertEq(uint8(st), uint8(IDeviceRegistry.AttestationStatus.Accepted), "higher counter accepted");
            registry.attest(b, sig2);
            assertEq(registry.lastCounter(ids[i]), second, "counter advanced");
        } else {
            assertEq(uint8(st), uint8(IDeviceRegistry.AttestationStatus.StaleCounter), "stale");
            vm.expectRevert(abi.encodeWithSelector(IDeviceRegistry.StaleCounter.selector, ids[i], second, first));
            registry.attest(b, sig2);
            assertTrue(_stateOf(ids[i], 7) == before, "refusal changed state");
        }
    }

    /// A timestamp is accepted iff now - maxAge <= ts <= now + maxFutureSkew.
    function testFuzz_TimestampWindow(uint64 ts, uint8 device) public {
        uint256 i = device % 4;
        (IDeviceRegistry.Attestation memory a, bytes memory sig) = _att(i, 1, 5, 1, ts);
        IDeviceRegistry.AttestationStatus st = registry.checkAttestation(a, sig);
        IDeviceRegistry.AttestationStatus want =
            ts > T0 + 5 minutes
                ? IDeviceRegistry.AttestationStatus.FromFuture
                : (
                    uint256(ts) + 1 days < T0
                        ? IDeviceRegistry.AttestationStatus.Expired
                        : IDeviceRegistry.AttestationStatus.Accepted
                );
        assertEq(uint8(st), uint8(want), "window");
        IDeviceRegistry.Attestation[] memory items = new IDeviceRegistry.Attestation[](1);
        bytes[] memory sigs = new bytes[](1);
        (items[0], sigs[0]) = (a, sig);
        bytes32 before = _stateOf(ids[i], 1);
        IDeviceRegistry.AttestationStatus[] memory out = registry.attestBatch(items, sigs);
        assertEq(uint8(out[0]), uint8(want), "batch agrees with attest");
        if (want != IDeviceRegistry.AttestationStatus.Accepted) assertTrue(_stateOf(ids[i], 1) == before, "no trace");
        else assertEq(registry.latestReading(ids[i], 1).timestamp, ts, "timestamp stored");
    }

    /// A batch of random items: each status is what checkAttestation said just before it, refused
    /// items leave no trace, accepted ones are stored, and odometers never go back.
    function testFuzz_BatchMatchesItemByItemJudgement(uint256 seed) public {
        uint256 n = 8;
        IDeviceRegistry.Attestation[] memory items = new IDeviceRegistry.Attestation[](n);
        bytes[] memory sigs = new bytes[](n);
        for (uint256 k; k < n; ++k) {
            uint256 rnd = uint256(keccak256(abi.encode(seed, k)));
            uint256 i = rnd % 4;
            uint64 counter = uint64((rnd >> 8) % 12);
            uint64 ts = uint64(T0 - 2 days + ((rnd >> 16) % 3 days));
            (items[k], sigs[k]) = _att(i, uint32((rnd >> 40) % 2), uint64(rnd >> 48) % 1000, counter, ts);
            if ((rnd >> 100) % 5 == 0) sigs[k] = _signDigest((i + 1) % 4, keccak256(abi.encode(rnd))); // forged
        }
        // Expected outcome: replay the batch item by item on a snapshot.
        uint256 snap = vm.snapshotState();
        IDeviceRegistry.AttestationStatus[] memory want = new IDeviceRegistry.AttestationStatus[](n);
        for (uint256 k; k < n; ++k) {
            want[k] = registry.checkAttestation(items[k], sigs[k]);
            if (want[k] == IDeviceRegistry.AttestationStatus.Accepted) registry.attest(items[k], sigs[k]);
        }
        bytes32[4] memory expected;
        for (uint256 i; i < 4; ++i) expected[i] = keccak256(abi.encode(_stateOf(ids[i], 0), _stateOf(ids[i], 1)));
        vm.revertToState(snap);
        IDeviceRegistry.AttestationStatus[] memory got = registry.attestBatch(items, sigs);
        for (uint256 k; k < n; ++k) assertEq(uint8(got[k]), uint8(want[k]), "status");
        for (uint256 i; i < 4; ++i) {
            assertTrue(keccak256(abi.encode(_stateOf(ids[i], 0), _stateOf(ids[i], 1))) == expected[i], "state");
        }
    }

    /// Writes of one accepted attestation: exactly two slots (device core, reading), none shared by devices.
    function testFuzz_AcceptedAttestationWritesTwoDisjointSlots(uint64 value, uint32 kind) public {
        bytes32[] memory w0;
        bytes32[] memory w1;
        (IDeviceRegistry.Attestation memory a, bytes memory sa) = _att(0, kind, value, 1, uint64(T0));
        (IDeviceRegistry.Attestation memory b, bytes memory sb) = _att(2, kind, value, 1, uint64(T0));
        vm.record();
        registry.attest(a, sa);
        (, w0) = vm.accesses(address(registry));
        vm.record();
        registry.attest(b, sb);
        (, w1) = vm.accesses(address(registry));
        assertLe(_unique(w0), 2, "device 0 writes");
        assertLe(_unique(w1), 2, "device 2 writes");
        for (uint256 x; x < w0.length; ++x) {
            for (uint256 y; y < w1.length; ++y) assertTrue(w0[x] != w1[y], "shared slot");
        }
    }

    function _unique(bytes32[] memory w) private pure returns (uint256 count) {
        for (uint256 x; x < w.length; ++x) {
            bool seen;
            for (uint256 y; y < x; ++y) if (w[y] == w[x]) seen = true;
            if (!seen) ++count;
        }
    }
}

/// Handler of the invariant test: attests with random counters, timestamps and valid or bad signatures,
/// and records any refusal that left a trace or any acceptance that did not advance the counter.
contract AttestationHandler is DeviceTestBase {
    uint64[4] public ghostLastCounter;
    uint256 public violations;
    uint256 public accepted;
    uint256 public refused;

    constructor() {
        VM.warp(1_800_000_000);
        _setUpRegistry();
    }

    function registryAddress() external view returns (address) {
        return address(registry);
    }

    function deviceId(uint256 i) external view returns (uint256) {
        return ids[i];
    }

    function attest(uint8 device, uint64 counterSeed, uint32 tsJitter, uint8 mode, uint64 value, bool batch) external {
        uint256 i = device % 4;
        uint64 counter = counterSeed % 4 == 0 ? counterSeed : ghostLastCounter[i] + (counterSeed % 3); // often stale-ish
        uint64 ts = uint64(block.timestamp - 1 days - 100 + (tsJitter % (1 days + 500)));
        uint32 kind = uint32(mode % 3);
        uint64 odoBefore = registry.latestReading(ids[i], kind).odometer;
        // Usually the odometer advances by the value; sometimes the device signs a lower one (refused).
        uint64 odometer = mode % 5 == 2 && odoBefore != 0 ? odoBefore - 1 : odoBefore + (value % 1e12);
        (IDeviceRegistry.Attestation memory a, bytes memory sig) = _att(i, kind, value % 1e12, odometer, counter, ts);
        if (mode % 4 == 1) sig = _signDigest((i + 2) % 4, keccak256(abi.encode(counterSeed))); // wrong key/message
        if (mode % 7 == 3) a.value += 1; // tampered after signing
        bytes32 before = _stateOf(ids[i], kind);
        bool ok;
        if (batch) {
            IDeviceRegistry.Attestation[] memory items = new IDeviceRegistry.Attestation[](1);
            bytes[] memory sigs = new bytes[](1);
            (items[0], sigs[0]) = (a, sig);
            ok = registry.attestBatch(items, sigs)[0] == IDeviceRegistry.AttestationStatus.Accepted;
        } else {
            try registry.attest(a, sig) {
                ok = true;
            } catch {}
        }
        if (ok) {
            ++accepted;
            if (counter <= ghostLastCounter[i] || registry.lastCounter(ids[i]) != counter) ++violations;
            if (registry.latestReading(ids[i], kind).odometer != odometer || odometer < odoBefore) ++violations;
            ghostLastCounter[i] = counter;
        } else {
            ++refused;
            if (_stateOf(ids[i], kind) != before) ++violations;
        }
    }

    /// Suspends or resumes a device as its manufacturer (refusals while suspended must leave no trace).
    function toggleSuspension(uint8 device) external {
        uint256 i = device % 4;
        bool active = registry.statusOf(ids[i]) == IDeviceRegistry.DeviceStatus.Active;
        VM.prank(manufacturer); // applies to the next call only
        if (active) registry.suspend(ids[i]);
        else registry.resume(ids[i]);
    }

    function warp(uint32 dt) external {
        VM.warp(block.timestamp + (dt % 2 hours));
    }
}

/// Invariants: a device's counter never decreases and equals the ghost; refused items leave no trace.
contract DeviceRegistryInvariantTest is PlinthTest {
    AttestationHandler internal handler;

    function setUp() public {
        handler = new AttestationHandler();
    }

    function targetContracts() public view returns (address[] memory t) {
        t = new address[](1);
        t[0] = address(handler);
    }

    /// The handler is not vacuous: well-formed calls are accepted, forged or suspended ones refused.
    function test_HandlerAcceptsGoodAndRefusesForgedItems() public {
        handler.attest(0, 1, 1 days + 100, 0, 5, false); // counter 1, fresh, valid signature
        handler.attest(2, 2, 1 days + 100, 2, 5, true); // mode 2: valid P-256 signature, batch path
        handler.attest(1, 1, 1 days + 100, 1, 5, false); // mode 1: signed by another key
        handler.toggleSuspension(0);
        handler.attest(0, 2, 1 days + 100, 0, 5, false); // valid, but the device is suspended
        assertEq(handler.accepted(), 2, "accepted");
        assertEq(handler.refused(), 2, "refused");
        assertEq(handler.violations(), 0, "violations");
    }

    function invariant_CounterNeverDecreasesAndRefusalsLeaveNoTrace() public view {
        assertEq(handler.violations(), 0, "violations");
        DeviceRegistry registry = DeviceRegistry(handler.registryAddress());
        for (uint256 i; i < 4; ++i) {
            assertEq(registry.lastCounter(handler.deviceId(i)), handler.ghostLastCounter(i), "counter == ghost");
        }
    }
}
