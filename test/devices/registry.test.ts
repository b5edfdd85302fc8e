import { expect } from "chai";
import { network } from "hardhat";
import { Wallet, ZeroAddress, zeroPadValue } from "ethers";
import {
  DeviceStatus,
  KeyType,
  deviceDigest,
  deviceIdOf,
  rotateKeyMessage,
  typesFor,
} from "../../client/src/eip712/devices.js";
import { NobleP256Signer, Secp256k1DeviceSigner, WebCryptoP256Signer } from "../../client/src/signers/devices.js";
import type { DeviceSigner } from "../../client/src/signers/devices.js";
import {
  DEFAULT_ADMIN_ROLE,
  LEASE_MANAGER_ROLE,
  deployRegistry,
  latest,
  register,
  registerAndClaim,
  signedAttestation,
  signedClaim,
  signedRegistration,
  type Ctx,
} from "./helpers.js";
import { asHex } from "../../client/src/types.js";

const { ethers, networkHelpers } = await network.create();
const newK1 = () => Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
const dev = newK1();
const devR1 = await WebCryptoP256Signer.generate();
const P256_GX = "0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
const P256_GY = "0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";

async function fixture() {
  return deployRegistry(ethers);
}
async function claimed() {
  const ctx = await deployRegistry(ethers);
  await registerAndClaim(ctx, dev);
  await registerAndClaim(ctx, devR1);
  return ctx;
}
async function withAssets() {
  const ctx = await claimed();
  const assets = await ethers.deployContract("MockAssetRegistry", [ethers.ZeroAddress]);
  await assets.setAsset(1, ctx.agent.address, 1, ethers.ZeroAddress);
  await assets.setAsset(2, ctx.operator.address, 1, ethers.ZeroAddress);
  await assets.setAsset(3, ctx.agent.address, 2, ethers.ZeroAddress); // Frozen
  await ctx.registry.connect(ctx.governance).setAssetRegistry(await assets.getAddress());
  return { ...ctx, assets };
}

async function signedRotation(ctx: Ctx, current: DeviceSigner, deviceId: bigint, next: DeviceSigner, nonce: bigint) {
  const deadline = BigInt(await latest(ctx)) + 3600n;
  const msg = rotateKeyMessage({
    deviceId,
    newKeyType: next.keyType,
    newKeyA: next.keyA,
    newKeyB: next.keyB,
    nonce,
    deadline,
  });
  const sig = await current.signDigest(deviceDigest(ctx.domain, "RotateKey", msg));
  return { msg, sig };
}

describe("DeviceRegistry lifecycle", function () {
  describe("deployment and governance", function () {
    it("refuses a zero governance and never gives the deployer a role", async function () {
      const [deployer] = await ethers.getSigners();
      const f = await ethers.getContractFactory("DeviceRegistry");
      await expect(f.deploy(ZeroAddress)).to.be.revertedWithCustomError(f, "ZeroAddress");
      const ctx = await networkHelpers.loadFixture(fixture);
      expect(await ctx.registry.hasRole(DEFAULT_ADMIN_ROLE, deployer.address)).to.equal(false);
      expect(await ctx.registry.hasRole(DEFAULT_ADMIN_ROLE, ctx.governance.address)).to.equal(true);
      expect(await ctx.token.registry()).to.equal(await ctx.registry.getAddress());
    });

    it("only governance admits, re-signs and removes manufacturers, sets freshness and the asset registry", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const r = ctx.registry.connect(ctx.other);
      const err = [ctx.other.address, DEFAULT_ADMIN_ROLE];
      await expect(r.admitManufacturer(ctx.other.address, ctx.other.address))
        .to.be.revertedWithCustomError(r, "AccessControlUnauthorizedAccount")
        .withArgs(...err);
      await expect(r.setManufacturerSigner(ctx.manufacturer.address, ctx.other.address))
        .to.be.revertedWithCustomError(r, "AccessControlUnauthorizedAccount")
        .withArgs(...err);
      await expect(r.removeManufacturer(ctx.manufacturer.address))
        .to.be.revertedWithCustomError(r, "AccessControlUnauthorizedAccount")
        .withArgs(...err);
      await expect(r.setFreshness(10, 10))
        .to.be.revertedWithCustomError(r, "AccessControlUnauthorizedAccount")
        .withArgs(...err);
      await expect(r.setAssetRegistry(ctx.other.address))
        .to.be.revertedWithCustomError(r, "AccessControlUnauthorizedAccount")
        .withArgs(...err);
      // The manufacturer itself is not governance either.
      await expect(ctx.registry.connect(ctx.manufacturer).removeManufacturer(ctx.manufacturer.address))
        .to.be.revertedWithCustomError(r, "AccessControlUnauthorizedAccount")
        .withArgs(ctx.manufacturer.address, DEFAULT_ADMIN_ROLE);
      expect(await ctx.registry.manufacturerOf(ctx.manufacturer.address)).to.deep.equal([true, ctx.mfrSigner.address]);
      expect(await ctx.registry.maxAge()).to.equal(86_400n);
      expect(await ctx.registry.maxFutureSkew()).to.equal(300n);
    });

    it("governance manages manufacturers with events and refuses duplicates, unknowns and zero addresses", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const g = ctx.registry.connect(ctx.governance);
      await expect(g.admitManufacturer(ctx.other.address, ZeroAddress)).to.be.revertedWithCustomError(g, "ZeroAddress");
      await expect(g.admitManufacturer(ctx.manufacturer.address, ctx.other.address))
        .to.be.revertedWithCustomError(g, "ManufacturerExists")
        .withArgs(ctx.manufacturer.address);
      await expect(g.setManufacturerSigner(ctx.other.address, ctx.other.address))
        .to.be.revertedWithCustomError(g, "UnknownManufacturer")
        .withArgs(ctx.other.address);
      await expect(g.setManufacturerSigner(ctx.manufacturer.address, ctx.other.address))
        .to.emit(g, "ManufacturerSignerChanged")
        .withArgs(ctx.manufacturer.address, ctx.other.address);
      await expect(g.removeManufacturer(ctx.manufacturer.address))
        .to.emit(g, "ManufacturerRemoved")
        .withArgs(ctx.manufacturer.address);
      await expect(g.removeManufacturer(ctx.manufacturer.address))
        .to.be.revertedWithCustomError(g, "UnknownManufacturer")
        .withArgs(ctx.manufacturer.address);
      expect(await ctx.registry.manufacturerOf(ctx.manufacturer.address)).to.deep.equal([false, ZeroAddress]);
    });

    it("freshness is bounded: maxAge in (0, 30 days], future skew <= 1 hour", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const g = ctx.registry.connect(ctx.governance);
      for (const [age, skew] of [
        [0, 0],
        [30 * 86_400 + 1, 0],
        [60, 3601],
      ]) {
        await expect(g.setFreshness(age!, skew!))
          .to.be.revertedWithCustomError(g, "InvalidFreshness")
          .withArgs(age, skew);
      }
      await expect(g.setFreshness(3600, 60)).to.emit(g, "FreshnessSet").withArgs(3600, 60);
      expect(await ctx.registry.maxAge()).to.equal(3600n);
    });
  });

  describe("registration", function () {
    for (const [name, make] of [
      ["secp256k1", async () => newK1()],
      ["P-256", () => WebCryptoP256Signer.generate()],
    ] as const) {
      it(`registers a ${name} device signed by the manufacturer: Active, unclaimed, id derived from the key`, async function () {
        const ctx = await networkHelpers.loadFixture(fixture);
        const d = await make();
        const { reg, sig } = await signedRegistration(ctx, d);
        await expect(ctx.registry.connect(ctx.other).registerDevice(reg, sig))
          .to.emit(ctx.registry, "DeviceRegistered")
          .withArgs(
            d.deviceId,
            ctx.manufacturer.address,
            d.keyType,
            d.keyA,
            d.keyB,
            reg.model,
            reg.firmwareHash,
            reg.serialHash,
          );
        expect(d.deviceId).to.equal(await ctx.registry.deviceIdOf(d.keyType, d.keyA, d.keyB));
        expect(await ctx.registry.statusOf(d.deviceId)).to.equal(DeviceStatus.Active);
        await expect(ctx.registry.ownerOf(d.deviceId))
          .to.be.revertedWithCustomError(ctx.token, "ERC721NonexistentToken")
          .withArgs(d.deviceId);
        const info = await ctx.registry.deviceInfo(d.deviceId);
        expect([info.keyType, info.keyA, info.keyB, info.manufacturer, info.nonce]).to.deep.equal([
          BigInt(d.keyType),
          d.keyA,
          d.keyB,
          ctx.manufacturer.address,
          0n,
        ]);
      });
    }

    it("accepts registrations signed by an ERC-1271 contract wallet authority", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const wallet = await ethers.deployContract("MockERC1271Wallet", [ctx.mfrSigner.address]);
      await ctx.registry.connect(ctx.governance).admitManufacturer(ctx.other.address, await wallet.getAddress());
      const d = newK1();
      const { reg, sig } = await signedRegistration(ctx, d);
      const reg2 = { ...reg, manufacturer: ctx.other.address };
      const sig2 = await ctx.mfrSigner.signTypedData(ctx.domain, typesFor("RegisterDevice"), reg2);
      await expect(ctx.registry.registerDevice(reg2, sig2)).to.emit(ctx.registry, "DeviceRegistered");
      expect(sig).to.not.equal(sig2);
    });

    it("refuses an unknown or removed manufacturer", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const d = newK1();
      const { reg, sig } = await signedRegistration(ctx, d);
      await expect(ctx.registry.registerDevice({ ...reg, manufacturer: ctx.other.address }, sig))
        .to.be.revertedWithCustomError(ctx.registry, "UnknownManufacturer")
        .withArgs(ctx.other.address);
      await ctx.registry.connect(ctx.governance).removeManufacturer(ctx.manufacturer.address);
      await expect(ctx.registry.registerDevice(reg, sig))
        .to.be.revertedWithCustomError(ctx.registry, "UnknownManufacturer")
        .withArgs(ctx.manufacturer.address);
      expect(await ctx.registry.statusOf(d.deviceId)).to.equal(DeviceStatus.None);
    });

    it("refuses a forged, tampered or wrong-domain manufacturer signature", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const d = newK1();
      const forged = await signedRegistration(ctx, d, ctx.other);
      await expect(ctx.registry.registerDevice(forged.reg, forged.sig))
        .to.be.revertedWithCustomError(ctx.registry, "InvalidManufacturerSignature")
        .withArgs(ctx.manufacturer.address);
      const { reg, sig } = await signedRegistration(ctx, d);
      await expect(ctx.registry.registerDevice({ ...reg, firmwareHash: ethers.id("evil") }, sig))
        .to.be.revertedWithCustomError(ctx.registry, "InvalidManufacturerSignature")
        .withArgs(ctx.manufacturer.address);
      const wrongDomain = await ctx.mfrSigner.signTypedData(
        { ...ctx.domain, chainId: 1n },
        typesFor("RegisterDevice"),
        reg,
      );
      await expect(ctx.registry.registerDevice(reg, wrongDomain))
        .to.be.revertedWithCustomError(ctx.registry, "InvalidManufacturerSignature")
        .withArgs(ctx.manufacturer.address);
      expect(await ctx.registry.statusOf(d.deviceId)).to.equal(DeviceStatus.None);
    });

    it("refuses keys that are not keys: P-256 point off the curve, secp256k1 word above 160 bits, type None", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const cases: [KeyType, string, string][] = [
        [KeyType.P256, P256_GX, zeroPadValue("0x01", 32)],
        [KeyType.P256, "0x" + "ff".repeat(32), P256_GY],
        [KeyType.Secp256k1, "0x" + "01".repeat(32), ethers.ZeroHash],
        [KeyType.Secp256k1, zeroPadValue(ctx.other.address, 32), zeroPadValue("0x01", 32)],
        [KeyType.Secp256k1, ethers.ZeroHash, ethers.ZeroHash],
        [KeyType.None, P256_GX, P256_GY],
      ];
      for (const [keyType, keyA, keyB] of cases) {
        const reg = {
          manufacturer: ctx.manufacturer.address,
          keyType,
          keyA,
          keyB,
          model: ethers.ZeroHash,
          firmwareHash: ethers.ZeroHash,
          serialHash: ethers.ZeroHash,
        };
        const sig = await ctx.mfrSigner.signTypedData(ctx.domain, typesFor("RegisterDevice"), reg);
        await expect(ctx.registry.registerDevice(reg, sig))
          .to.be.revertedWithCustomError(ctx.registry, "InvalidDeviceKey")
          .withArgs(keyType, keyA, keyB);
        expect(await ctx.registry.statusOf(deviceIdOf(keyType, keyA, keyB))).to.equal(DeviceStatus.None);
      }
      // The generator itself is a valid point.
      const reg = {
        manufacturer: ctx.manufacturer.address,
        keyType: KeyType.P256,
        keyA: P256_GX,
        keyB: P256_GY,
        model: ethers.ZeroHash,
        firmwareHash: ethers.ZeroHash,
        serialHash: ethers.ZeroHash,
      };
      await ctx.registry.registerDevice(
        reg,
        await ctx.mfrSigner.signTypedData(ctx.domain, typesFor("RegisterDevice"), reg),
      );
    });

    it("refuses registering the same key twice", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const d = newK1();
      const { reg, sig } = await signedRegistration(ctx, d);
      await ctx.registry.registerDevice(reg, sig);
      await expect(ctx.registry.registerDevice(reg, sig))
        .to.be.revertedWithCustomError(ctx.registry, "DeviceExists")
        .withArgs(d.deviceId);
    });
  });

  describe("claim (proof of possession)", function () {
    for (const [name, make] of [
      ["secp256k1", async () => newK1()],
      ["P-256 WebCrypto", () => WebCryptoP256Signer.generate()],
      ["P-256 noble", async () => new NobleP256Signer(ethers.getBytes(ethers.id("noble-claim")))],
    ] as const) {
      it(`mints the token to the owner the ${name} device signed for, relayed by anyone`, async function () {
        const ctx = await networkHelpers.loadFixture(fixture);
        const d = await make();
        await register(ctx, d);
        const { msg, sig } = await signedClaim(ctx, d, ctx.operator.address);
        await expect(ctx.registry.connect(ctx.other).claim(msg.deviceId, msg.owner, msg.deadline, sig))
          .to.emit(ctx.registry, "DeviceClaimed")
          .withArgs(d.deviceId, ctx.operator.address)
          .and.to.emit(ctx.token, "Transfer")
          .withArgs(ZeroAddress, ctx.operator.address, d.deviceId);
        expect(await ctx.registry.ownerOf(d.deviceId)).to.equal(ctx.operator.address);
        expect((await ctx.registry.deviceInfo(d.deviceId)).nonce).to.equal(1n);
        await expect(ctx.registry.claim(msg.deviceId, msg.owner, msg.deadline, sig))
          .to.be.revertedWithCustomError(ctx.registry, "AlreadyClaimed")
          .withArgs(d.deviceId);
      });
    }

    it("refuses a claim not signed by the device, for another owner, expired, or for an unknown device", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const d = newK1();
      await register(ctx, d);
      const impostor = newK1();
      const forged = await signedClaim(ctx, impostor, ctx.other.address);
      await expect(ctx.registry.claim(d.deviceId, ctx.other.address, forged.msg.deadline, forged.sig))
        .to.be.revertedWithCustomError(ctx.registry, "InvalidDeviceSignature")
        .withArgs(d.deviceId);
      const { msg, sig } = await signedClaim(ctx, d, ctx.operator.address);
      await expect(ctx.registry.claim(d.deviceId, ctx.other.address, msg.deadline, sig))
        .to.be.revertedWithCustomError(ctx.registry, "InvalidDeviceSignature")
        .withArgs(d.deviceId);
      await expect(ctx.registry.claim(impostor.deviceId, ctx.operator.address, msg.deadline, sig))
        .to.be.revertedWithCustomError(ctx.registry, "UnknownDevice")
        .withArgs(impostor.deviceId);
      await expect(ctx.registry.claim(d.deviceId, ZeroAddress, msg.deadline, sig)).to.be.revertedWithCustomError(
        ctx.registry,
        "ZeroAddress",
      );
      await networkHelpers.time.setNextBlockTimestamp(msg.deadline + 1n);
      await expect(ctx.registry.claim(d.deviceId, ctx.operator.address, msg.deadline, sig))
        .to.be.revertedWithCustomError(ctx.registry, "SignatureExpired")
        .withArgs(msg.deadline, msg.deadline + 1n);
      expect(await ctx.token.ownerOrZero(d.deviceId)).to.equal(ZeroAddress);
      expect((await ctx.registry.deviceInfo(d.deviceId)).nonce).to.equal(0n);
    });

    it("refuses claiming a suspended device and a claim to a receiver that rejects ERC-721 tokens", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const d = newK1();
      await register(ctx, d);
      const rejecting = await ethers.deployContract("RevertingReceiver");
      const toContract = await signedClaim(ctx, d, await rejecting.getAddress());
      await expect(
        ctx.registry.claim(d.deviceId, toContract.msg.owner, toContract.msg.deadline, toContract.sig),
      ).to.be.revertedWithCustomError(rejecting, "NoThanks");
      await ctx.registry.connect(ctx.manufacturer).suspend(d.deviceId);
      const { msg, sig } = await signedClaim(ctx, d, ctx.operator.address);
      await expect(ctx.registry.claim(d.deviceId, msg.owner, msg.deadline, sig))
        .to.be.revertedWithCustomError(ctx.registry, "DeviceNotActive")
        .withArgs(d.deviceId, DeviceStatus.Suspended);
      expect(await ctx.token.ownerOrZero(d.deviceId)).to.equal(ZeroAddress);
    });

    it("only the registry mints device tokens", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      await expect(ctx.token.connect(ctx.other).mint(ctx.other.address, 1))
        .to.be.revertedWithCustomError(ctx.token, "OnlyRegistry")
        .withArgs(ctx.other.address);
      await expect(ctx.registry.connect(ctx.other).onDeviceTransfer(1, ctx.other.address, ctx.other.address))
        .to.be.revertedWithCustomError(ctx.registry, "Unauthorized")
        .withArgs(ctx.other.address, 1);
    });
  });

  describe("key rotation", function () {
    it("the current key signs and the owner calls: the id, counter and readings stay, the new key attests", async function () {
      const ctx = await networkHelpers.loadFixture(claimed);
      const a = await signedAttestation(ctx, dev, { counter: 3, value: 9 });
      await ctx.registry.attest(a.att, a.sig);
      const next = await WebCryptoP256Signer.generate();
      const { msg, sig } = await signedRotation(ctx, dev, dev.deviceId, next, 1n);
      await expect(
        ctx.registry
          .connect(ctx.operator)
          .rotateKey(dev.deviceId, msg.newKeyType, msg.newKeyA, msg.newKeyB, msg.deadline, sig),
      )
        .to.emit(ctx.registry, "DeviceKeyRotated")
        .withArgs(dev.deviceId, KeyType.P256, next.keyA, next.keyB);
      expect(await ctx.registry.lastCounter(dev.deviceId)).to.equal(3n);
      const info = await ctx.registry.deviceInfo(dev.deviceId);
      expect([info.keyType, info.keyA, info.keyB, info.nonce]).to.deep.equal([2n, next.keyA, next.keyB, 2n]);
      // The old key no longer attests; the new one does, for the ORIGINAL id.
      const old = await signedAttestation(ctx, dev, { counter: 4 });
      await expect(ctx.registry.attest(old.att, old.sig))
        .to.be.revertedWithCustomError(ctx.registry, "InvalidSignatureLength")
        .withArgs(65, 64);
      const fresh = await signedAttestation(ctx, next, { counter: 4, value: 1, deviceId: dev.deviceId });
      await ctx.registry.attest(fresh.att, fresh.sig);
      expect((await ctx.registry.latestReading(dev.deviceId, 1)).odometer).to.equal(10n);
      // Replaying the rotation fails: the old key is gone (and the nonce moved on).
      await expect(
        ctx.registry
          .connect(ctx.operator)
          .rotateKey(dev.deviceId, msg.newKeyType, msg.newKeyA, msg.newKeyB, msg.deadline, sig),
      )
        .to.be.revertedWithCustomError(ctx.registry, "InvalidSignatureLength")
        .withArgs(65, 64);
      // And back to a secp256k1 key, signed by the P-256 key.
      const k1b = newK1();
      const back = await signedRotation(ctx, next, dev.deviceId, k1b, 2n);
      await ctx.registry
        .connect(ctx.operator)
        .rotateKey(dev.deviceId, KeyType.Secp256k1, k1b.keyA, k1b.keyB, back.msg.deadline, back.sig);
      expect((await ctx.registry.deviceInfo(dev.deviceId)).keyA).to.equal(k1b.keyA);
    });

    it("refuses a rotation by a non-owner, without the current key's signature, to an invalid key, or expired", async function () {
      const ctx = await networkHelpers.loadFixture(claimed);
      const next = newK1();
      const { msg, sig } = await signedRotation(ctx, dev, dev.deviceId, next, 1n);
      const call = (who = ctx.operator, s = sig, keyB = msg.newKeyB, deadline = msg.deadline) =>
        ctx.registry.connect(who).rotateKey(dev.deviceId, msg.newKeyType, msg.newKeyA, keyB, deadline, s);
      await expect(call(ctx.other))
        .to.be.revertedWithCustomError(ctx.registry, "Unauthorized")
        .withArgs(ctx.other.address, dev.deviceId);
      const byNewKey = await signedRotation(ctx, next, dev.deviceId, next, 1n);
      await expect(call(ctx.operator, byNewKey.sig))
        .to.be.revertedWithCustomError(ctx.registry, "InvalidDeviceSignature")
        .withArgs(dev.deviceId);
      await expect(call(ctx.operator, sig, asHex(zeroPadValue("0x01", 32))))
        .to.be.revertedWithCustomError(ctx.registry, "InvalidDeviceKey")
        .withArgs(KeyType.Secp256k1, msg.newKeyA, zeroPadValue("0x01", 32));
      await networkHelpers.time.increaseTo(msg.deadline + 1n);
      await expect(call()).to.be.revertedWithCustomError(ctx.registry, "SignatureExpired");
      expect((await ctx.registry.deviceInfo(dev.deviceId)).keyA).to.equal(dev.keyA);
    });
  });

  describe("nonces and access control", function () {
    it("a RotateKey signed with a nonce the claim already consumed is refused", async function () {
      const ctx = await networkHelpers.loadFixture(claimed);
      const next = newK1();
      const stale = await signedRotation(ctx, dev, dev.deviceId, next, 0n);
      await expect(
        ctx.registry
          .connect(ctx.operator)
          .rotateKey(
            dev.deviceId,
            stale.msg.newKeyType,
            stale.msg.newKeyA,
            stale.msg.newKeyB,
            stale.msg.deadline,
            stale.sig,
          ),
      )
        .to.be.revertedWithCustomError(ctx.registry, "InvalidDeviceSignature")
        .withArgs(dev.deviceId);
      expect((await ctx.registry.deviceInfo(dev.deviceId)).nonce).to.equal(1n);
    });

    it("only governance grants and revokes roles", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      await expect(ctx.registry.connect(ctx.leaseManager).grantRole(LEASE_MANAGER_ROLE, ctx.other.address))
        .to.be.revertedWithCustomError(ctx.registry, "AccessControlUnauthorizedAccount")
        .withArgs(ctx.leaseManager.address, DEFAULT_ADMIN_ROLE);
      await expect(ctx.registry.connect(ctx.other).revokeRole(LEASE_MANAGER_ROLE, ctx.leaseManager.address))
        .to.be.revertedWithCustomError(ctx.registry, "AccessControlUnauthorizedAccount")
        .withArgs(ctx.other.address, DEFAULT_ADMIN_ROLE);
      await ctx.registry.connect(ctx.governance).revokeRole(LEASE_MANAGER_ROLE, ctx.leaseManager.address);
      expect(await ctx.registry.hasRole(LEASE_MANAGER_ROLE, ctx.leaseManager.address)).to.equal(false);
    });

    it("only the manufacturer or governance resumes a device", async function () {
      const ctx = await networkHelpers.loadFixture(claimed);
      await ctx.registry.connect(ctx.manufacturer).suspend(dev.deviceId);
      for (const who of [ctx.operator, ctx.other, ctx.leaseManager]) {
        await expect(ctx.registry.connect(who).resume(dev.deviceId))
          .to.be.revertedWithCustomError(ctx.registry, "Unauthorized")
          .withArgs(who.address, dev.deviceId);
      }
      await ctx.registry.connect(ctx.governance).resume(dev.deviceId);
      expect(await ctx.registry.statusOf(dev.deviceId)).to.equal(DeviceStatus.Active);
    });

    it("without an asset registry there is nothing to confirm and no agent may unbind", async function () {
      const ctx = await networkHelpers.loadFixture(claimed);
      await ctx.registry.connect(ctx.operator).bindToAsset(dev.deviceId, 1);
      await expect(ctx.registry.connect(ctx.agent).confirmBind(dev.deviceId, 1))
        .to.be.revertedWithCustomError(ctx.registry, "NoBindRequest")
        .withArgs(dev.deviceId, 1);
      await expect(ctx.registry.connect(ctx.agent).unbind(dev.deviceId))
        .to.be.revertedWithCustomError(ctx.registry, "Unauthorized")
        .withArgs(ctx.agent.address, dev.deviceId);
      expect(await ctx.registry.assetOf(dev.deviceId)).to.equal(1n);
    });

    it("an unclaimed device may already attest (readings need no operator), but cannot be bound", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      const d = newK1();
      await register(ctx, d);
      const a = await signedAttestation(ctx, d, { counter: 1 });
      await expect(ctx.registry.attest(a.att, a.sig)).to.emit(ctx.registry, "AttestationAccepted");
      await expect(ctx.registry.connect(ctx.operator).bindToAsset(d.deviceId, 1))
        .to.be.revertedWithCustomError(ctx.registry, "Unauthorized")
        .withArgs(ctx.operator.address, d.deviceId);
    });
  });

  describe("status", function () {
    it("the manufacturer suspends and resumes its own devices, not others'", async function () {
      const ctx = await networkHelpers.loadFixture(claimed);
      await expect(ctx.registry.connect(ctx.manufacturer).suspend(dev.deviceId))
        .to.emit(ctx.registry, "DeviceStatusChanged")
        .withArgs(dev.deviceId, DeviceStatus.Suspended, ctx.manufacturer.address);
      await expect(ctx.registry.connect(ctx.manufacturer).suspend(dev.deviceId))
        .to.be.revertedWithCustomError(ctx.registry, "DeviceNotActive")
        .withArgs(dev.deviceId, DeviceStatus.Suspended);
      await ctx.registry.connect(ctx.manufacturer).resume(dev.deviceId);
      expect(await ctx.registry.statusOf(dev.deviceId)).to.equal(DeviceStatus.Active);
      for (const who of [ctx.operator, ctx.other, ctx.mfrSigner]) {
        await expect(ctx.registry.connect(who).suspend(dev.deviceId))
          .to.be.revertedWithCustomError(ctx.registry, "Unauthorized")
          .withArgs(who.address, dev.deviceId);
      }
      await expect(ctx.registry.connect(ctx.manufacturer).resume(dev.deviceId))
        .to.be.revertedWithCustomError(ctx.registry, "DeviceNotActive")
        .withArgs(dev.deviceId, DeviceStatus.Active);
    });

    it("a removed manufacturer can no longer suspend; governance still can", async function () {
      const ctx = await networkHelpers.loadFixture(claimed);
      await ctx.registry.connect(ctx.governance).removeManufacturer(ctx.manufacturer.address);
      await expect(ctx.registry.connect(ctx.manufacturer).suspend(dev.deviceId))
        .to.be.revertedWithCustomError(ctx.registry, "Unauthorized")
        .withArgs(ctx.manufacturer.address, dev.deviceId);
      await ctx.registry.connect(ctx.governance).suspend(dev.deviceId);
      expect(await ctx.registry.statusOf(dev.deviceId)).to.equal(DeviceStatus.Suspended);
    });

    it("removing a manufacturer stops new registrations but not the attestations of its devices", async function () {
      const ctx = await networkHelpers.loadFixture(claimed);
      await ctx.registry.connect(ctx.governance).removeManufacturer(ctx.manufacturer.address);
      const a = await signedAttestation(ctx, dev, { counter: 1 });
      await expect(ctx.registry.attest(a.att, a.sig)).to.emit(ctx.registry, "AttestationAccepted");
      const { reg, sig } = await signedRegistration(ctx, newK1());
      await expect(ctx.registry.registerDevice(reg, sig))
        .to.be.revertedWithCustomError(ctx.registry, "UnknownManufacturer")
        .withArgs(ctx.manufacturer.address);
    });

    it("a governance suspension is lifted only by governance", async function () {
      const ctx = await networkHelpers.loadFixture(claimed);
      await ctx.registry.connect(ctx.governance).suspend(dev.deviceId);
      await expect(ctx.registry.connect(ctx.manufacturer).resume(dev.deviceId))
        .to.be.revertedWithCustomError(ctx.registry, "SuspendedByGovernance")
        .withArgs(dev.deviceId);
      await ctx.registry.connect(ctx.governance).resume(dev.deviceId);
      expect(await ctx.registry.statusOf(dev.deviceId)).to.equal(DeviceStatus.Active);
    });

    it("owner or governance decommissions for good; nothing can revive or change it afterwards", async function () {
      const ctx = await networkHelpers.loadFixture(claimed);
      await expect(ctx.registry.connect(ctx.other).decommission(dev.deviceId))
        .to.be.revertedWithCustomError(ctx.registry, "Unauthorized")
        .withArgs(ctx.other.address, dev.deviceId);
      await expect(ctx.registry.connect(ctx.manufacturer).decommission(dev.deviceId))
        .to.be.revertedWithCustomError(ctx.registry, "Unauthorized")
        .withArgs(ctx.manufacturer.address, dev.deviceId);
      await ctx.registry.connect(ctx.operator).bindToAsset(dev.deviceId, 5);
      await expect(ctx.registry.connect(ctx.operator).decommission(dev.deviceId))
        .to.emit(ctx.registry, "DeviceStatusChanged")
        .withArgs(dev.deviceId, DeviceStatus.Decommissioned, ctx.operator.address)
        .and.to.emit(ctx.registry, "DeviceUnbound")
        .withArgs(dev.deviceId, 5);
      expect(await ctx.registry.assetOf(dev.deviceId)).to.equal(0n);
      await expect(ctx.registry.connect(ctx.governance).resume(dev.deviceId))
        .to.be.revertedWithCustomError(ctx.registry, "DeviceNotActive")
        .withArgs(dev.deviceId, DeviceStatus.Decommissioned);
      await expect(ctx.registry.connect(ctx.governance).decommission(dev.deviceId))
        .to.be.revertedWithCustomError(ctx.registry, "DeviceDecommissioned")
        .withArgs(dev.deviceId);
      await expect(ctx.registry.connect(ctx.operator).bindToAsset(dev.deviceId, 6))
        .to.be.revertedWithCustomError(ctx.registry, "DeviceDecommissioned")
        .withArgs(dev.deviceId);
      await ctx.registry.connect(ctx.governance).decommission(devR1.deviceId);
      expect(await ctx.registry.statusOf(devR1.deviceId)).to.equal(DeviceStatus.Decommissioned);
    });

    it("status functions refuse unknown devices", async function () {
      const ctx = await networkHelpers.loadFixture(fixture);
      for (const f of ["suspend", "resume", "decommission"] as const) {
        await expect(ctx.registry.connect(ctx.governance)[f](42))
          .to.be.revertedWithCustomError(ctx.registry, "UnknownDevice")
          .withArgs(42);
      }
    });
  });

  describe("asset binding without an asset registry", function () {
    it("the owner binds, rebinds and unbinds alone; others cannot", async function () {
      const ctx = await networkHelpers.loadFixture(claimed);
      await expect(ctx.registry.connect(ctx.other).bindToAsset(dev.deviceId, 1))
        .to.be.revertedWithCustomError(ctx.registry, "Unauthorized")
        .withArgs(ctx.other.address, dev.deviceId);
      await expect(ctx.registry.connect(ctx.operator).bindToAsset(dev.deviceId, 0))
        .to.be.revertedWithCustomError(ctx.registry, "AssetNotActive")
        .withArgs(0);
      await expect(ctx.registry.connect(ctx.operator).bindToAsset(dev.deviceId, 1))
        .to.emit(ctx.registry, "DeviceBound")
        .withArgs(dev.deviceId, 1);
      await expect(ctx.registry.connect(ctx.operator).bindToAsset(dev.deviceId, 1))
        .to.be.revertedWithCustomError(ctx.registry, "AlreadyBound")
        .withArgs(dev.deviceId, 1);
      await expect(ctx.registry.connect(ctx.operator).bindToAsset(dev.deviceId, 2))
        .to.emit(ctx.registry, "DeviceUnbound")
        .withArgs(dev.deviceId, 1)
        .and.to.emit(ctx.registry, "DeviceBound")
        .withArgs(dev.deviceId, 2);
      await expect(ctx.registry.connect(ctx.other).unbind(dev.deviceId))
        .to.be.revertedWithCustomError(ctx.registry, "Unauthorized")
        .withArgs(ctx.other.address, dev.deviceId);
      await ctx.registry.connect(ctx.operator).unbind(dev.deviceId);
      expect(await ctx.registry.assetOf(dev.deviceId)).to.equal(0n);
      await expect(ctx.registry.connect(ctx.operator).unbind(dev.deviceId))
        .to.be.revertedWithCustomError(ctx.registry, "NotBound")
        .withArgs(dev.deviceId);
    });
  });

  describe("asset binding with an asset registry", function () {
    it("a request by the owner waits for the asset agent's confirmation", async function () {
      const ctx = await networkHelpers.loadFixture(withAssets);
      await expect(ctx.registry.connect(ctx.operator).bindToAsset(dev.deviceId, 1))
        .to.emit(ctx.registry, "BindRequested")
        .withArgs(dev.deviceId, 1);
      expect(await ctx.registry.assetOf(dev.deviceId)).to.equal(0n);
      expect(await ctx.registry.pendingAssetOf(dev.deviceId)).to.equal(1n);
      await expect(ctx.registry.connect(ctx.other).confirmBind(dev.deviceId, 1))
        .to.be.revertedWithCustomError(ctx.registry, "Unauthorized")
        .withArgs(ctx.other.address, dev.deviceId);
      await expect(ctx.registry.connect(ctx.agent).confirmBind(dev.deviceId, 2))
        .to.be.revertedWithCustomError(ctx.registry, "NoBindRequest")
        .withArgs(dev.deviceId, 2);
      await expect(ctx.registry.connect(ctx.agent).confirmBind(dev.deviceId, 1))
        .to.emit(ctx.registry, "DeviceBound")
        .withArgs(dev.deviceId, 1);
      expect(await ctx.registry.pendingAssetOf(dev.deviceId)).to.equal(0n);
      // The agent may unbind.
      await expect(ctx.registry.connect(ctx.agent).unbind(dev.deviceId))
        .to.emit(ctx.registry, "DeviceUnbound")
        .withArgs(dev.deviceId, 1);
    });

    it("an owner who is the asset's agent binds in one step", async function () {
      const ctx = await networkHelpers.loadFixture(withAssets);
      await expect(ctx.registry.connect(ctx.operator).bindToAsset(dev.deviceId, 2))
        .to.emit(ctx.registry, "DeviceBound")
        .withArgs(dev.deviceId, 2);
    });

    it("refuses binding to an unknown or frozen asset", async function () {
      const ctx = await networkHelpers.loadFixture(withAssets);
      for (const asset of [3, 99]) {
        await expect(ctx.registry.connect(ctx.operator).bindToAsset(dev.deviceId, asset))
          .to.be.revertedWithCustomError(ctx.registry, "AssetNotActive")
          .withArgs(asset);
      }
    });

    it("a transfer of the device drops the previous owner's pending request", async function () {
      const ctx = await networkHelpers.loadFixture(withAssets);
      await ctx.registry.connect(ctx.operator).bindToAsset(dev.deviceId, 1);
      await expect(ctx.token.connect(ctx.operator).transferFrom(ctx.operator.address, ctx.other.address, dev.deviceId))
        .to.emit(ctx.registry, "BindRequestCleared")
        .withArgs(dev.deviceId, 1);
      await expect(ctx.registry.connect(ctx.agent).confirmBind(dev.deviceId, 1))
        .to.be.revertedWithCustomError(ctx.registry, "NoBindRequest")
        .withArgs(dev.deviceId, 1);
      expect(await ctx.registry.ownerOf(dev.deviceId)).to.equal(ctx.other.address);
    });

    it("a leased asset keeps its devices: no unbind or rebind", async function () {
      const ctx = await networkHelpers.loadFixture(withAssets);
      await ctx.registry.connect(ctx.operator).bindToAsset(dev.deviceId, 2);
      const until = (await latest(ctx)) + 1000;
      await ctx.assets.setLease(2, until);
      await expect(ctx.registry.connect(ctx.operator).unbind(dev.deviceId))
        .to.be.revertedWithCustomError(ctx.registry, "DeviceLeased")
        .withArgs(dev.deviceId, until);
      await expect(ctx.registry.connect(ctx.operator).bindToAsset(dev.deviceId, 1))
        .to.be.revertedWithCustomError(ctx.registry, "DeviceLeased")
        .withArgs(dev.deviceId, until);
      expect(await ctx.registry.assetOf(dev.deviceId)).to.equal(2n);
    });
  });

  it("supports the IDeviceRegistry and AccessControl interfaces (ERC-165)", async function () {
    const ctx = await networkHelpers.loadFixture(fixture);
    expect(await ctx.registry.supportsInterface("0x7965db0b")).to.equal(true); // IAccessControl
    expect(await ctx.registry.supportsInterface("0x01ffc9a7")).to.equal(true); // IERC165
    expect(await ctx.registry.supportsInterface("0xad092b5c")).to.equal(false); // ERC-4907 is the token's
    expect(await ctx.token.supportsInterface("0x80ac58cd")).to.equal(true); // IERC721
  });
});
