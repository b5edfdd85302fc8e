// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PlinthTest} from "../utils/Vm.sol";
import {DeviceRegistry} from "../../contracts/devices/DeviceRegistry.sol";
import {IDeviceRegistry} from "../../contracts/interfaces/IDeviceRegistry.sol";
import {DeviceTestBase} from "../../contracts/test/devices/DeviceTestBase.sol";

/// Attack class SWC-121 (signature replay) across a chain fork, and EIP-712's requirement that the
/// domain separator follow `block.chainid`: OpenZeppelin's EIP712 caches the separator for the
/// deployment chain id and rebuilds it when `block.chainid` differs. After a fork (simulated with
/// vm.chainId) a signature made on one side is refused on the other, in both directions.
contract AtkForkReplayTest is PlinthTest, DeviceTestBase {
    uint256 internal constant T0 = 1_800_000_000;
    uint256 internal constant FORK_CHAIN = 0xF0_4C;
    uint256 internal originalChain;

    function setUp() public {
        vm.warp(T0);
        _setUpRegistry();
        originalChain = block.chainid;
    }

    function _separatorFromEip5267() internal view returns (bytes32) {
        (, string memory name, string memory version, uint256 chainId, address verifying, , ) = registry.eip712Domain();
        return
            keccak256(
                abi.encode(
                    keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                    keccak256(bytes(name)),
                    keccak256(bytes(version)),
                    chainId,
                    verifying
                )
            );
    }

    function _attestation(uint64 counter) internal view returns (IDeviceRegistry.Attestation memory) {
        return
            IDeviceRegistry.Attestation({
                deviceId: ids[0],
                kind: 1,
                value: 7,
                odometer: 7,
                payloadHash: keccak256("fork"),
                counter: counter,
                timestamp: uint64(block.timestamp)
            });
    }

    function test_TheDomainSeparatorIsRebuiltForTheNewChainIdAfterAFork() public {
        IDeviceRegistry.Attestation memory a = _attestation(1);
        bytes32 before = registry.attestationDigest(a);
        assertTrue(before == _typed(keccak256(abi.encode(registry.ATTESTATION_TYPEHASH(), a))), "pre-fork digest");
        vm.chainId(FORK_CHAIN);
        (, , , uint256 reported, , , ) = registry.eip712Domain();
        assertEq(reported, FORK_CHAIN, "EIP-5267 reports the new chain id");
        bytes32 afterFork = registry.attestationDigest(a);
        assertTrue(afterFork != before, "digest changed with the chain id");
        assertTrue(
            afterFork ==
                keccak256(
                    abi.encodePacked(
                        "\x19\x01",
                        _separatorFromEip5267(),
                        keccak256(abi.encode(registry.ATTESTATION_TYPEHASH(), a))
                    )
                ),
            "digest uses the rebuilt separator"
        );
        vm.chainId(originalChain);
        assertTrue(registry.attestationDigest(a) == before, "back on the original chain: the cached separator again");
    }

    function test_AnAttestationSignedBeforeTheForkIsRefusedOnTheForkedChain() public {
        IDeviceRegistry.Attestation memory a = _attestation(1);
        bytes memory sig = _signDigest(0, registry.attestationDigest(a));
        vm.chainId(FORK_CHAIN);
        vm.expectRevert(abi.encodeWithSelector(IDeviceRegistry.InvalidDeviceSignature.selector, ids[0]));
        registry.attest(a, sig);
        assertEq(registry.lastCounter(ids[0]), 0, "nothing stored on the fork");
        // Re-signed for the fork's domain, it is accepted there.
        registry.attest(a, _signDigest(0, registry.attestationDigest(a)));
        assertEq(registry.lastCounter(ids[0]), 1, "fork-signed attestation accepted on the fork");
    }

    function test_AnAttestationSignedOnTheForkIsRefusedOnTheOriginalChain() public {
        vm.chainId(FORK_CHAIN);
        IDeviceRegistry.Attestation memory a = _attestation(1);
        bytes memory forkSig = _signDigest(0, registry.attestationDigest(a));
        vm.chainId(originalChain);
        vm.expectRevert(abi.encodeWithSelector(IDeviceRegistry.InvalidDeviceSignature.selector, ids[0]));
        registry.attest(a, forkSig);
        assertEq(registry.lastCounter(ids[0]), 0, "nothing stored");
    }

    function test_AManufacturerRegistrationSignedBeforeTheForkIsRefusedAfterIt() public {
        address key = VM.addr(0xD9);
        IDeviceRegistry.DeviceRegistration memory reg = IDeviceRegistry.DeviceRegistration({
            manufacturer: manufacturer,
            keyType: IDeviceRegistry.KeyType.Secp256k1,
            keyA: bytes32(uint256(uint160(key))),
            keyB: bytes32(0),
            model: bytes32("model"),
            firmwareHash: bytes32("fw"),
            serialHash: keccak256("fork-serial")
        });
        bytes32 d = _typed(
            keccak256(
                abi.encode(
                    registry.REGISTER_DEVICE_TYPEHASH(),
                    reg.manufacturer,
                    reg.keyType,
                    reg.keyA,
                    reg.keyB,
                    reg.model,
                    reg.firmwareHash,
                    reg.serialHash
                )
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(MFR_PK, d);
        vm.chainId(FORK_CHAIN);
        vm.expectRevert(abi.encodeWithSelector(IDeviceRegistry.InvalidManufacturerSignature.selector, manufacturer));
        registry.registerDevice(reg, abi.encodePacked(r, s, v));
        vm.chainId(originalChain);
        uint256 id = registry.registerDevice(reg, abi.encodePacked(r, s, v));
        assertTrue(registry.statusOf(id) == IDeviceRegistry.DeviceStatus.Active, "accepted on its own chain");
    }
}
