/**
 * DeviceKeys, the registry's sibling for keys it does not verify inline: the registry's public EIP-712
 * type hashes against the client's types, the pure-Solidity P-256 fallback on a chain without the
 * precompile (prague), and the contract's wiring.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { TypedDataEncoder, getBytes, keccak256, toUtf8Bytes } from "ethers";
import { p256 } from "@noble/curves/nist.js";
import { deviceDigest, deviceTypes, p256SignedHash } from "../../client/src/eip712/devices.js";
import { deterministicDeviceSigner } from "../../client/src/signers/devices.js";
import { decodeRS, encodeRS } from "../../client/src/signers/p256.js";
import type { DeviceKeys } from "../../types/ethers-contracts/index.js";
import { deployRegistry, deviceState, registerAndClaim, signedAttestation } from "./helpers.js";

const osaka = await network.create();
const prague = await network.create({ network: "pragueSim" });

const keysOf = async (ctx: Awaited<ReturnType<typeof deployRegistry>>) =>
  (await ctx.ethers.getContractAt("DeviceKeys", await ctx.registry.deviceKeys())) as unknown as DeviceKeys;

describe("DeviceRegistry: public type hashes and its DeviceKeys sibling", function () {
  it("every EIP-712 type hash is public and equals the client's type (one source for tests)", async function () {
    const { registry } = await deployRegistry(osaka.ethers);
    const hashOf = (t: keyof typeof deviceTypes) =>
      keccak256(toUtf8Bytes(TypedDataEncoder.from({ [t]: [...deviceTypes[t]] }).encodeType(t)));
    expect(await registry.REGISTER_DEVICE_TYPEHASH()).to.equal(hashOf("RegisterDevice"));
    expect(await registry.CLAIM_TYPEHASH()).to.equal(hashOf("Claim"));
    expect(await registry.ROTATE_KEY_TYPEHASH()).to.equal(hashOf("RotateKey"));
    expect(await registry.ATTESTATION_TYPEHASH()).to.equal(hashOf("Attestation"));
  });

  it("the registry creates its DeviceKeys, which answers to the registry's governance only", async function () {
    const ctx = await deployRegistry(osaka.ethers);
    const keys = await keysOf(ctx);
    expect(await keys.registry()).to.equal(await ctx.registry.getAddress());
    await expect(keys.connect(ctx.other).setVerifier(ctx.other.address, 1))
      .to.be.revertedWithCustomError(keys, "NotGovernance")
      .withArgs(ctx.other.address);
    await expect(keys.connect(ctx.governance).setVerifier(osaka.ethers.ZeroAddress, 1)).to.be.revertedWithCustomError(
      keys,
      "ZeroAddress",
    );
  });

  describe("P-256 on a chain without the P-256 precompile (prague): DeviceKeys.verifyP256", function () {
    const device = deterministicDeviceSigner("0x" + "42".repeat(32), 0, "p256");

    it("accepts a valid attestation and refuses a forged one, the fallback deciding (and changing nothing)", async function () {
      const ctx = await deployRegistry(prague.ethers);
      await registerAndClaim(ctx, device);
      const good = await signedAttestation(ctx, device, { counter: 1 });
      const tx = await ctx.registry.attest(good.att, good.sig);
      const receipt = (await tx.wait())!;
      await expect(tx)
        .to.emit(ctx.registry, "AttestationAccepted")
        .withArgs(device.deviceId, 1, 1, 100, good.att.odometer);
      // Well above the precompile's ~56,000: the Solidity verification ran in DeviceKeys.
      expect(receipt.gasUsed).to.be.greaterThan(200_000n);
      const bad = await signedAttestation(ctx, device, { counter: 2 });
      const { r, s } = decodeRS(getBytes(bad.sig));
      const forged = encodeRS(r, s ^ 1n);
      const before = await deviceState(ctx, device.deviceId);
      await expect(ctx.registry.attest(bad.att, forged))
        .to.be.revertedWithCustomError(ctx.registry, "InvalidDeviceSignature")
        .withArgs(device.deviceId);
      expect(await deviceState(ctx, device.deviceId)).to.deep.equal(before);
    });

    it("verifyP256 agrees with @noble/curves on valid and invalid signatures", async function () {
      const ctx = await deployRegistry(prague.ethers);
      const keys = await keysOf(ctx);
      const digest = deviceDigest(ctx.domain, "Claim", {
        deviceId: 1n,
        owner: ctx.operator.address as `0x${string}`,
        nonce: 0n,
        deadline: 1n,
      });
      const sig = await device.signDigest(digest);
      const { r, s } = decodeRS(getBytes(sig));
      const h = p256SignedHash(digest);
      const rb = "0x" + r.toString(16).padStart(64, "0");
      const sb = "0x" + s.toString(16).padStart(64, "0");
      const point = getBytes("0x04" + device.keyA.slice(2) + device.keyB.slice(2));
      expect(p256.verify(getBytes(sig), getBytes(h), point, { prehash: false })).to.be.true;
      expect(await keys.verifyP256(h, rb, sb, device.keyA, device.keyB)).to.be.true;
      expect(await keys.verifyP256(keccak256(h), rb, sb, device.keyA, device.keyB)).to.be.false;
    });
  });
});
