// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Vm} from "../../../test/utils/Vm.sol";
import {DeviceRegistry} from "../../devices/DeviceRegistry.sol";
import {IDeviceRegistry} from "../../interfaces/IDeviceRegistry.sol";

/// @notice Shared setup of the device registry's Solidity tests: a registry, a manufacturer, and four
///         claimed devices (two secp256k1, two P-256) whose private keys the tests sign with.
abstract contract DeviceTestBase {
    Vm internal constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 internal constant P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551;
    uint256 internal constant K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    DeviceRegistry internal registry;
    address internal governance = address(0x60);
    address internal manufacturer = address(0x3A);
    uint256 internal constant MFR_PK = 0xA11CE;
    address internal operator = address(0x0B);

    /// Devices 0, 1: secp256k1 keys 0xD1, 0xD2; devices 2, 3: P-256 keys 2, 3 (public keys k*G hard-coded).
    uint256[4] internal ids;

    function _setUpRegistry() internal {
        registry = new DeviceRegistry(governance);
        VM.prank(governance);
        registry.admitManufacturer(manufacturer, VM.addr(MFR_PK));
        _registerAndClaim(0, IDeviceRegistry.KeyType.Secp256k1, bytes32(uint256(uint160(VM.addr(0xD1)))), 0);
        _registerAndClaim(1, IDeviceRegistry.KeyType.Secp256k1, bytes32(uint256(uint160(VM.addr(0xD2)))), 0);
        _registerAndClaim(
            2,
            IDeviceRegistry.KeyType.P256,
            0x7cf27b188d034f7e8a52380304b51ac3c08969e277f21b35a60b48fc47669978,
            0x07775510db8ed040293d9ac69f7430dbba7dade63ce982299e04b79d227873d1
        );
        _registerAndClaim(
            3,
            IDeviceRegistry.KeyType.P256,
            0x5ecbe4d1a6330a44c8f7ef951d4bf165e6c6b721efada985fb41661bc6e7fd6c,
            0x8734640c4998ff7e374b06ce1a64a2ecd82ab036384fb83d9a79b127a27d5032
        );
    }

    function _domainSeparator() internal view returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                    keccak256("Plinth DeviceRegistry"),
                    keccak256("1"),
                    block.chainid,
                    address(registry)
                )
            );
    }

    function _typed(bytes32 structHash) internal view returns (bytes32) {
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(), structHash));
    }

    function _registerAndClaim(uint256 i, IDeviceRegistry.KeyType kt, bytes32 a, bytes32 b) private {
        IDeviceRegistry.DeviceRegistration memory reg = IDeviceRegistry.DeviceRegistration({
            manufacturer: manufacturer,
            keyType: kt,
            keyA: a,
            keyB: b,
            model: bytes32("model"),
            firmwareHash: bytes32("fw"),
            serialHash: keccak256(abi.encode(i))
        });
        bytes32 d = _typed(
            keccak256(
                abi.encode(
                    registry.REGISTER_DEVICE_TYPEHASH(),
                    manufacturer,
                    kt,
                    a,
                    b,
                    reg.model,
                    reg.firmwareHash,
                    reg.serialHash
                )
            )
        );
        ids[i] = registry.registerDevice(reg, _mfrSign(d));
        _claim(i);
    }

    function _mfrSign(bytes32 d) private pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(MFR_PK, d);
        return abi.encodePacked(r, s, v);
    }

    function _claim(uint256 i) private {
        uint64 deadline = uint64(block.timestamp + 1 hours);
        bytes32 c = _typed(keccak256(abi.encode(registry.CLAIM_TYPEHASH(), ids[i], operator, uint32(0), deadline)));
        registry.claim(ids[i], operator, deadline, _signDigest(i, c));
    }

    /// @dev The registry's signature encoding for device `i` over EIP-712 digest `d`, low s.
    function _signDigest(uint256 i, bytes32 d) internal pure returns (bytes memory) {
        if (i < 2) {
            (uint8 v, bytes32 r, bytes32 s) = VM.sign(_k1(i), d);
            if (uint256(s) > K1_N / 2) {
                s = bytes32(K1_N - uint256(s));
                v = v == 27 ? 28 : 27;
            }
            return abi.encodePacked(r, s, v);
        }
        (bytes32 pr, bytes32 ps) = VM.signP256(_r1(i), sha256(abi.encodePacked(d)));
        if (uint256(ps) > P256_N / 2) ps = bytes32(P256_N - uint256(ps));
        return abi.encodePacked(pr, ps);
    }

    function _k1(uint256 i) private pure returns (uint256) {
        return i == 0 ? 0xD1 : 0xD2;
    }

    function _r1(uint256 i) private pure returns (uint256) {
        return i == 2 ? 2 : 3;
    }

    /// @dev A reading whose odometer equals its value (readings of a fresh meter).
    function _att(
        uint256 i,
        uint32 kind,
        uint64 value,
        uint64 counter,
        uint64 ts
    ) internal view returns (IDeviceRegistry.Attestation memory a, bytes memory sig) {
        return _att(i, kind, value, value, counter, ts);
    }

    function _att(
        uint256 i,
        uint32 kind,
        uint64 value,
        uint64 odometer,
        uint64 counter,
        uint64 ts
    ) internal view returns (IDeviceRegistry.Attestation memory a, bytes memory sig) {
        a = IDeviceRegistry.Attestation({
            deviceId: ids[i],
            kind: kind,
            value: value,
            odometer: odometer,
            payloadHash: keccak256(abi.encode(counter)),
            counter: counter,
            timestamp: ts
        });
        sig = _signDigest(i, registry.attestationDigest(a));
    }

    function _stateOf(uint256 deviceId, uint32 kind) internal view returns (bytes32) {
        IDeviceRegistry.Reading memory r = registry.latestReading(deviceId, kind);
        return
            keccak256(
                abi.encode(
                    registry.lastCounter(deviceId),
                    registry.statusOf(deviceId),
                    r.counter,
                    r.timestamp,
                    r.value,
                    r.odometer
                )
            );
    }
}
