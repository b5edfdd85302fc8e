/**
 * Signature attacks on the real DeviceRegistry, MaintenanceOrders / MaintenanceEvidence and AssetShares (EIP-2612):
 * - SWC-121 Missing protection against signature replay: across chains (chainId in the domain),
 *   across contracts (verifyingContract in the domain), across devices (deviceId in the struct),
 *   across time (deadlines, attestation freshness) and counters (nonces, monotonic counters).
 *   Fork replay (the domain separator rebuilt when block.chainid changes) is in ForkReplay.t.sol.
 * - SWC-117 Signature malleability: the high-s twin of a valid secp256k1 or P-256 signature is refused.
 * - EIP-712 domain confusion: a message signed under another Plinth contract's domain, another
 *   name or another version is refused.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Signature, Wallet, getBytes, id, randomBytes } from "ethers";
import type { TypedDataDomain } from "ethers";
import type { DeviceRegistry, MaintenanceOrders } from "../../types/ethers-contracts/index.js";
import {
  DEVICE_REGISTRY_NAME,
  DeviceStatus,
  attestationMessage,
  deviceDigest,
  deviceDomain,
  registerDeviceMessage,
  typesFor,
} from "../../client/src/eip712/devices.js";
import {
  BID_DOMAIN_NAME,
  INSPECTION_DOMAIN_NAME,
  buildInspection,
  inspectionDomain,
  signInspection,
} from "../../client/src/eip712/maintenance.js";
import { NobleP256Signer, Secp256k1DeviceSigner, type DeviceSigner } from "../../client/src/signers/devices.js";
import { decodeRS, encodeRS, toHighS } from "../../client/src/signers/p256.js";
import { Comparator } from "../../client/src/eip712/maintenance.js";
import { policy } from "../maintenance/fixture.js";
import { DAY, createOrder, deployWorld, ethTerms, freshAsset, type World } from "./world.js";
import { RENTAL_TYPES, buildOffer, rentalDomain, type RentalOffer } from "../../client/src/eip712/rental.js";
import { asAddress } from "../../client/src/types.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const FOREIGN_CHAIN = 8453n; // Base mainnet

async function world() {
  return deployWorld(ethers);
}

/** The manufacturer's registration of `device` signed under `domain`. */
async function registration(w: World, device: DeviceSigner, domain: TypedDataDomain, serial = "SN-X") {
  const reg = registerDeviceMessage({
    manufacturer: w.manufacturer.address,
    keyType: device.keyType,
    keyA: device.keyA,
    keyB: device.keyB,
    model: id("m"),
    firmwareHash: id("fw"),
    serialHash: id(serial),
  });
  return { reg, sig: await w.mfrSigner.signTypedData(domain, typesFor("RegisterDevice"), reg) };
}

/** An attestation of `device` (counter `counter`, now) signed under `domain`. */
async function attestation(device: DeviceSigner, domain: TypedDataDomain, counter: bigint, deviceId = device.deviceId) {
  const att = attestationMessage({
    deviceId,
    kind: 1,
    value: 10,
    odometer: 10n * counter,
    payloadHash: id("payload"),
    counter,
    timestamp: await time.latest(),
  });
  return { att, sig: await device.signDigest(deviceDigest(domain, "Attestation", att)) };
}

async function nextCounter(w: World, deviceId = w.device.deviceId) {
  return (await w.devices.lastCounter(deviceId)) + 1n;
}

/** A second deployment of a registry, admitting the same manufacturer with the same authority. */
async function secondRegistry(w: World) {
  const other = (await ethers.deployContract("DeviceRegistry", [w.gov.address])) as unknown as DeviceRegistry;
  await other.connect(w.gov).admitManufacturer(w.manufacturer.address, w.mfrSigner.address);
  return other;
}

/** An inspector-only order (1 of inspectors [carol]) accepted by the provider. */
async function inspectedOrder(w: World, escrow: MaintenanceOrders = w.escrow, salt = id("inspected")) {
  const args = {
    deviceId: 0n,
    inspectors: [w.carol.address],
    policy: policy({ useDevice: false, cmp: Comparator.None, k: 1 }),
    salt,
  };
  const { orderId } =
    escrow === w.escrow
      ? await createOrder(w, w.alice, args)
      : await (async () => {
          const { orderFor } = await import("./world.js");
          const a = await orderFor(w, args);
          const oid = await escrow.connect(w.alice).createOrder.staticCall(a);
          await escrow.connect(w.alice).createOrder(a);
          return { orderId: oid };
        })();
  await escrow.connect(w.provider).accept(orderId);
  return orderId;
}

describe("Attack class SWC-121 signature replay", function () {
  describe("across chains: the EIP-712 domain binds the chain id", function () {
    it("refuses a manufacturer registration signed for another chain id, and accepts the same one signed for this chain", async function () {
      const w = await loadFixture(world);
      const device = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
      const foreign = await registration(w, device, deviceDomain(FOREIGN_CHAIN, await w.devices.getAddress()));
      await expect(w.devices.registerDevice(foreign.reg, foreign.sig))
        .to.be.revertedWithCustomError(w.devices, "InvalidManufacturerSignature")
        .withArgs(w.manufacturer.address);
      expect(await w.devices.statusOf(device.deviceId)).to.equal(DeviceStatus.None);
      const local = await registration(w, device, w.ctx.domain);
      await expect(w.devices.registerDevice(local.reg, local.sig)).to.emit(w.devices, "DeviceRegistered");
    });

    it("refuses a device attestation signed for another chain id, changing nothing", async function () {
      const w = await loadFixture(world);
      const counter = await nextCounter(w);
      const { att, sig } = await attestation(
        w.device,
        deviceDomain(FOREIGN_CHAIN, await w.devices.getAddress()),
        counter,
      );
      await expect(w.devices.attest(att, sig))
        .to.be.revertedWithCustomError(w.devices, "InvalidDeviceSignature")
        .withArgs(w.device.deviceId);
      expect(await w.devices.lastCounter(w.device.deviceId)).to.equal(counter - 1n);
    });

    it("refuses an inspector's verdict signed for the escrow on another chain id", async function () {
      const w = await loadFixture(world);
      const orderId = await inspectedOrder(w);
      const ins = buildInspection(
        orderId,
        0,
        true,
        w.carol.address,
        BigInt((await time.latest()) + 1),
        BigInt((await time.latest()) + DAY),
      );
      const sig = await signInspection(w.carol, inspectionDomain(FOREIGN_CHAIN, await w.evidence.getAddress()), ins);
      await expect(w.evidence.submitInspections(orderId, [ins], [sig]))
        .to.be.revertedWithCustomError(w.escrow, "InvalidSignature")
        .withArgs(w.carol.address);
      expect((await w.evidence.getMilestone(orderId, 0)).released).to.equal(false);
    });
  });

  describe("across contracts: the EIP-712 domain binds the verifying contract", function () {
    it("a second DeviceRegistry refuses the first one's registration and attestation signatures", async function () {
      const w = await loadFixture(world);
      const other = await secondRegistry(w);
      const device = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
      const firstReg = await registration(w, device, w.ctx.domain);
      await w.devices.registerDevice(firstReg.reg, firstReg.sig);
      await expect(other.registerDevice(firstReg.reg, firstReg.sig))
        .to.be.revertedWithCustomError(other, "InvalidManufacturerSignature")
        .withArgs(w.manufacturer.address);
      // The same device legitimately registered on both: its attestations still do not cross over.
      const otherDomain = deviceDomain(w.chainId, await other.getAddress());
      const secondReg = await registration(w, device, otherDomain);
      await other.registerDevice(secondReg.reg, secondReg.sig);
      const { att, sig } = await attestation(device, w.ctx.domain, 1n);
      await w.devices.attest(att, sig);
      await expect(other.attest(att, sig))
        .to.be.revertedWithCustomError(other, "InvalidDeviceSignature")
        .withArgs(device.deviceId);
      expect(await other.lastCounter(device.deviceId)).to.equal(0n);
    });

    it("a second maintenance deployment refuses the first one's inspector verdict for the same order id (same creator and salt)", async function () {
      const w = await loadFixture(world);
      const other = (await ethers.deployContract("MaintenanceOrders", [
        w.gov.address,
        await w.assets.getAddress(),
        await w.devices.getAddress(),
        await w.distributor.getAddress(),
        await w.disputes.getAddress(),
      ])) as unknown as MaintenanceOrders;
      const otherEvidence = await ethers.getContractAt("MaintenanceEvidence", await other.evidence());
      await other.connect(w.gov).setTokenAllowed(await w.usdc.getAddress(), true);
      for (const s of [w.alice, w.provider]) await w.usdc.connect(s).approve(await other.custody(), ethers.MaxUint256);
      const first = await inspectedOrder(w);
      const second = await inspectedOrder(w, other);
      expect(second).to.equal(first); // ids are keccak(creator, salt): equal on both escrows
      const ins = buildInspection(
        first,
        0,
        true,
        w.carol.address,
        BigInt((await time.latest()) + 1),
        BigInt((await time.latest()) + DAY),
      );
      const sig = await signInspection(w.carol, w.escrowDomain, ins);
      await expect(otherEvidence.submitInspections(second, [ins], [sig]))
        .to.be.revertedWithCustomError(other, "InvalidSignature")
        .withArgs(w.carol.address);
      await expect(w.evidence.submitInspections(first, [ins], [sig])).to.emit(w.escrow, "OrderCompleted");
      expect((await otherEvidence.getMilestone(second, 0)).released).to.equal(false);
    });
  });

  describe("across devices, counters and time", function () {
    it("refuses device A's attestation submitted as device B's (the deviceId is signed)", async function () {
      const w = await loadFixture(world);
      const b = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
      const r = await registration(w, b, w.ctx.domain, "SN-B");
      await w.devices.registerDevice(r.reg, r.sig);
      const { att, sig } = await attestation(w.device, w.ctx.domain, 1n);
      const asB = { ...att, deviceId: b.deviceId };
      await expect(w.devices.attest(asB, sig))
        .to.be.revertedWithCustomError(w.devices, "InvalidDeviceSignature")
        .withArgs(b.deviceId);
      // Device A signing "as B" (its key, B's id in the struct) is refused too.
      const forged = await attestation(w.device, w.ctx.domain, 1n, b.deviceId);
      await expect(w.devices.attest(forged.att, forged.sig))
        .to.be.revertedWithCustomError(w.devices, "InvalidDeviceSignature")
        .withArgs(b.deviceId);
      expect(await w.devices.lastCounter(b.deviceId)).to.equal(0n);
    });

    it("refuses the same attestation twice (monotonic counter), in attest and in attestBatch", async function () {
      const w = await loadFixture(world);
      const { att, sig } = await attestation(w.device, w.ctx.domain, await nextCounter(w));
      await w.devices.attest(att, sig);
      await expect(w.devices.attest(att, sig))
        .to.be.revertedWithCustomError(w.devices, "StaleCounter")
        .withArgs(w.device.deviceId, att.counter, att.counter);
      const statuses = await w.devices.attestBatch.staticCall([att], [sig]);
      expect(statuses[0]).to.equal(5n); // StaleCounter
    });

    it("refuses an attestation older than maxAge or further than maxFutureSkew in the future", async function () {
      const w = await loadFixture(world);
      const maxAge = await w.devices.maxAge();
      const counter = await nextCounter(w);
      const { att, sig } = await attestation(w.device, w.ctx.domain, counter);
      await time.increase(maxAge + 1n);
      await expect(w.devices.attest(att, sig)).to.be.revertedWithCustomError(w.devices, "AttestationExpired");
      const future = attestationMessage({
        deviceId: w.device.deviceId,
        kind: 1,
        value: 1,
        odometer: 10n * counter,
        payloadHash: id("p"),
        counter,
        timestamp: BigInt(await time.latest()) + (await w.devices.maxFutureSkew()) + 60n,
      });
      const fsig = await w.device.signDigest(deviceDigest(w.ctx.domain, "Attestation", future));
      await expect(w.devices.attest(future, fsig)).to.be.revertedWithCustomError(w.devices, "AttestationFromFuture");
    });

    it("refuses a device claim signature once used (nonce) and once its deadline passed", async function () {
      const w = await loadFixture(world);
      const d = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
      const r = await registration(w, d, w.ctx.domain, "SN-C");
      await w.devices.registerDevice(r.reg, r.sig);
      const { signedClaim } = await import("../devices/helpers.js");
      const late = await signedClaim(w.ctx, d, w.operator.address, BigInt(await time.latest()) + 10n);
      await time.increase(20);
      await expect(w.devices.claim(late.msg.deviceId, late.msg.owner, late.msg.deadline, late.sig))
        .to.be.revertedWithCustomError(w.devices, "SignatureExpired")
        .withArgs(late.msg.deadline, (await time.latest()) + 1);
      const c = await signedClaim(w.ctx, d, w.operator.address);
      await w.devices.claim(c.msg.deviceId, c.msg.owner, c.msg.deadline, c.sig);
      // The operator sells the device; the old claim signature cannot take it back.
      await w.deviceToken.connect(w.operator).transferFrom(w.operator.address, w.bob.address, d.deviceId);
      await expect(w.devices.claim(c.msg.deviceId, c.msg.owner, c.msg.deadline, c.sig))
        .to.be.revertedWithCustomError(w.devices, "AlreadyClaimed")
        .withArgs(d.deviceId);
      expect(await w.devices.ownerOf(d.deviceId)).to.equal(w.bob.address);
    });

    it("refuses a key-rotation signature replayed after use (nonce consumed)", async function () {
      const w = await loadFixture(world);
      const info = await w.devices.deviceInfo(w.device.deviceId);
      const next = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
      const deadline = BigInt(await time.latest()) + 3600n;
      const msg = {
        deviceId: w.device.deviceId,
        newKeyType: next.keyType,
        newKeyA: next.keyA,
        newKeyB: next.keyB,
        nonce: info.nonce,
        deadline,
      };
      const sig = await w.device.signDigest(deviceDigest(w.ctx.domain, "RotateKey", msg));
      const rotate = () =>
        w.devices.connect(w.operator).rotateKey(w.device.deviceId, next.keyType, next.keyA, next.keyB, deadline, sig);
      await expect(rotate()).to.emit(w.devices, "DeviceKeyRotated");
      // Replayed: the device nonce it signed is spent (and the key it proves is no longer current).
      await expect(rotate())
        .to.be.revertedWithCustomError(w.devices, "InvalidDeviceSignature")
        .withArgs(w.device.deviceId);
    });

    it("refuses an inspector's verdict after its deadline and the same verdict twice", async function () {
      const w = await loadFixture(world);
      const { orderId } = await createOrder(w, w.alice, {
        deviceId: 0n,
        inspectors: [w.carol.address, w.bob.address],
        policy: policy({ useDevice: false, cmp: Comparator.None, k: 2 }),
      });
      await w.escrow.connect(w.provider).accept(orderId);
      const ins = buildInspection(
        orderId,
        0,
        true,
        w.carol.address,
        BigInt((await time.latest()) + 1),
        BigInt((await time.latest()) + 60),
      );
      const sig = await signInspection(w.carol, w.escrowDomain, ins);
      await w.evidence.submitInspections(orderId, [ins], [sig]);
      await expect(w.evidence.submitInspections(orderId, [ins], [sig]))
        .to.be.revertedWithCustomError(w.escrow, "StaleInspection")
        .withArgs(w.carol.address, 0, ins.issuedAt, ins.issuedAt);
      const bobIns = buildInspection(
        orderId,
        0,
        true,
        w.bob.address,
        BigInt((await time.latest()) + 1),
        BigInt((await time.latest()) + 60),
      );
      const bobSig = await signInspection(w.bob, w.escrowDomain, bobIns);
      await time.increase(120);
      await expect(w.evidence.submitInspections(orderId, [bobIns], [bobSig]))
        .to.be.revertedWithCustomError(w.escrow, "InspectionExpired")
        .withArgs(bobIns.deadline);
    });
  });
});

describe("Attack class SWC-117 signature malleability", function () {
  it("refuses the high-s secp256k1 twin of a valid attestation signature (r, n - s, flipped v)", async function () {
    const w = await loadFixture(world);
    const { att, sig } = await attestation(w.device, w.ctx.domain, await nextCounter(w));
    const s = Signature.from(sig);
    const highS = SECP256K1_N - BigInt(s.s);
    const twin = ethers.concat([s.r, ethers.toBeHex(highS, 32), s.v === 27 ? "0x1c" : "0x1b"]);
    // (r, n - s, flipped v) is a valid signature of the same digest by the same key (ecrecover accepts
    // it); the registry refuses it before recovering, so one attestation has exactly one encoding.
    await expect(w.devices.attest(att, twin))
      .to.be.revertedWithCustomError(w.devices, "MalleableSignature")
      .withArgs(ethers.toBeHex(highS, 32));
    await expect(w.devices.attest(att, sig)).to.emit(w.devices, "AttestationAccepted");
  });

  it("refuses the high-s P-256 twin of a valid attestation signature and accepts its low-s form", async function () {
    const w = await loadFixture(world);
    const p = new NobleP256Signer(randomBytes(32));
    const r = await registration(w, p, w.ctx.domain, "SN-P256");
    await w.devices.registerDevice(r.reg, r.sig);
    const { att, sig } = await attestation(p, w.ctx.domain, 1n);
    const rs = decodeRS(getBytes(sig));
    const high = toHighS(rs.r, rs.s);
    const twin = encodeRS(high.r, high.s);
    await expect(w.devices.attest(att, twin))
      .to.be.revertedWithCustomError(w.devices, "MalleableSignature")
      .withArgs(ethers.toBeHex(high.s, 32));
    expect(await w.devices.lastCounter(p.deviceId)).to.equal(0n);
    await expect(w.devices.attest(att, sig)).to.emit(w.devices, "AttestationAccepted");
    expect(await w.devices.lastCounter(p.deviceId)).to.equal(1n);
  });

  it("refuses a 64-byte EIP-2098 compact form of a secp256k1 signature (one encoding only)", async function () {
    const w = await loadFixture(world);
    const { att, sig } = await attestation(w.device, w.ctx.domain, await nextCounter(w));
    const compact = Signature.from(sig).compactSerialized;
    await expect(w.devices.attest(att, compact))
      .to.be.revertedWithCustomError(w.devices, "InvalidSignatureLength")
      .withArgs(64, 65);
  });
});

describe("Attack class EIP-712 domain confusion", function () {
  it("the device registry refuses a registration signed under the escrow's domain, another name or another version", async function () {
    const w = await loadFixture(world);
    const device = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
    const registry = await w.devices.getAddress();
    const domains: TypedDataDomain[] = [
      w.escrowDomain, // the maintenance escrow's domain (name and contract)
      { ...w.escrowDomain, verifyingContract: registry }, // escrow's name, registry's address
      { ...w.ctx.domain, verifyingContract: await w.escrow.getAddress() }, // registry's name, escrow's address
      { ...w.ctx.domain, version: "2" },
      { ...w.ctx.domain, name: "Plinth DeviceRegistry " },
      { name: DEVICE_REGISTRY_NAME, chainId: w.chainId, verifyingContract: registry }, // no version field
    ];
    for (const d of domains) {
      const { reg, sig } = await registration(w, device, d);
      await expect(
        w.devices.registerDevice(reg, sig),
        JSON.stringify(d, (_, v) => String(v)),
      )
        .to.be.revertedWithCustomError(w.devices, "InvalidManufacturerSignature")
        .withArgs(w.manufacturer.address);
    }
    expect(await w.devices.statusOf(device.deviceId)).to.equal(DeviceStatus.None);
  });

  it("the device registry refuses an attestation signed under the escrow's domain", async function () {
    const w = await loadFixture(world);
    const { att, sig } = await attestation(w.device, w.escrowDomain, await nextCounter(w));
    await expect(w.devices.attest(att, sig))
      .to.be.revertedWithCustomError(w.devices, "InvalidDeviceSignature")
      .withArgs(w.device.deviceId);
  });

  it("the maintenance escrow refuses a verdict signed under the device registry's domain, another name or version", async function () {
    const w = await loadFixture(world);
    const orderId = await inspectedOrder(w);
    const ins = buildInspection(
      orderId,
      0,
      true,
      w.carol.address,
      BigInt((await time.latest()) + 1),
      BigInt((await time.latest()) + DAY),
    );
    const evidence = await w.evidence.getAddress();
    const domains: TypedDataDomain[] = [
      w.ctx.domain,
      { ...w.ctx.domain, verifyingContract: evidence },
      { ...w.escrowDomain, version: "2" },
      { ...w.escrowDomain, name: INSPECTION_DOMAIN_NAME.toLowerCase() },
      // The bid domain (MaintenanceOrders' name and address), and the bid domain's name at the evidence's address.
      w.bidDomain,
      { ...w.bidDomain, verifyingContract: evidence },
    ];
    for (const d of domains) {
      const sig = await signInspection(w.carol, d, ins);
      await expect(w.evidence.submitInspections(orderId, [ins], [sig]))
        .to.be.revertedWithCustomError(w.escrow, "InvalidSignature")
        .withArgs(w.carol.address);
    }
    expect((await w.evidence.getMilestone(orderId, 0)).released).to.equal(false);
  });

  it("each contract reports its own EIP-5267 domain (name, version, chain id, address) and they differ", async function () {
    const w = await loadFixture(world);
    const d = await w.devices.eip712Domain();
    const e = await w.evidence.eip712Domain();
    const o = await w.escrow.eip712Domain();
    expect([d.name, d.version, d.chainId, d.verifyingContract]).to.deep.equal([
      DEVICE_REGISTRY_NAME,
      "1",
      w.chainId,
      await w.devices.getAddress(),
    ]);
    expect([e.name, e.version, e.chainId, e.verifyingContract]).to.deep.equal([
      INSPECTION_DOMAIN_NAME,
      "1",
      w.chainId,
      await w.evidence.getAddress(),
    ]);
    expect([o.name, o.version, o.chainId, o.verifyingContract]).to.deep.equal([
      BID_DOMAIN_NAME,
      "1",
      w.chainId,
      await w.escrow.getAddress(),
    ]);
    const r = await w.rentalMarket.eip712Domain();
    expect([r.name, r.version, r.chainId, r.verifyingContract]).to.deep.equal([
      "PlinthRental",
      "1",
      w.chainId,
      await w.rentalMarket.getAddress(),
    ]);
  });
});

/** A signed rental offer of a fresh asset by its agent, under `domain` (default: the rental market's). */
async function rentalOffer(w: World, opts: { domain?: TypedDataDomain; renter?: string; nonce?: bigint } = {}) {
  const terms = ethTerms(await freshAsset(w, "rental-" + Math.random()));
  const offer = buildOffer(terms, w.agent.address, {
    renter: opts.renter,
    nonce: opts.nonce,
    expiry: BigInt((await time.latest()) + DAY),
  });
  const sig = await w.agent.signTypedData(
    opts.domain ?? w.rentalDomain,
    RENTAL_TYPES,
    offer as unknown as Record<string, unknown>,
  );
  return { offer, sig, terms };
}

function fill(w: World, who: World["alice"], offer: RentalOffer, sig: string) {
  const prepay = BigInt(DAY) * offer.terms.pricePerSecond;
  return w.rentalMarket
    .connect(who)
    .rentWithSignature(offer, sig, DAY, prepay, { value: prepay + offer.terms.deposit });
}

describe("Attack class SWC-121 / EIP-712 domain confusion on the rental market's signed offers", function () {
  it("refuses an offer signed for another chain, for the maintenance escrow, the device registry, the rental escrow, another name or version", async function () {
    const w = await loadFixture(world);
    const rental = await w.rentalMarket.getAddress();
    for (const domain of [
      rentalDomain(FOREIGN_CHAIN, rental),
      rentalDomain(w.chainId, await w.rental.getAddress()),
      { ...w.escrowDomain },
      { ...w.ctx.domain },
      { ...w.escrowDomain, verifyingContract: rental },
      { ...w.rentalDomain, version: "2" },
      { ...w.rentalDomain, name: "Plinth Rental" },
    ] as TypedDataDomain[]) {
      const { offer, sig } = await rentalOffer(w, { domain });
      await expect(fill(w, w.alice, offer, sig)).to.be.revertedWithCustomError(w.rental, "InvalidSignature");
    }
  });

  it("a second rental market refuses the first one's signed offer", async function () {
    const w = await loadFixture(world);
    const { deployRentalEscrow } = await import("../../scripts/operator/rental/lib.js");
    const { market: other } = await deployRentalEscrow(ethers, {
      governance: w.gov.address,
      assetRegistry: await w.assets.getAddress(),
      deviceRegistry: await w.devices.getAddress(),
      distributor: await w.distributor.getAddress(),
      feeRecipient: w.feeRecipient.address,
      defaultArbiter: w.arbiter.address,
      feeBps: 250,
    });
    await other.connect(w.gov).setTokenAllowed(ethers.ZeroAddress, true);
    const { offer, sig } = await rentalOffer(w);
    const prepay = BigInt(DAY) * offer.terms.pricePerSecond;
    await expect(
      other.connect(w.alice).rentWithSignature(offer, sig, DAY, prepay, { value: prepay + offer.terms.deposit }),
    ).to.be.revertedWithCustomError(other, "InvalidSignature");
  });

  it("the device registry and the maintenance escrow refuse a signature made under the rental market's domain", async function () {
    const w = await loadFixture(world);
    const device = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
    const { reg, sig } = await registration(w, device, {
      ...w.rentalDomain,
      verifyingContract: await w.devices.getAddress(),
    });
    await expect(w.devices.registerDevice(reg, sig)).to.be.revertedWithCustomError(
      w.devices,
      "InvalidManufacturerSignature",
    );
    const orderId = await inspectedOrder(w);
    const ins = buildInspection(
      orderId,
      0,
      true,
      w.carol.address,
      BigInt((await time.latest()) + 1),
      BigInt((await time.latest()) + DAY),
    );
    const isig = await signInspection(w.carol, w.rentalDomain, ins);
    await expect(w.evidence.submitInspections(orderId, [ins], [isig])).to.be.revertedWithCustomError(
      w.escrow,
      "InvalidSignature",
    );
  });

  it("refuses a tampered offer (terms, owner or renter changed after signing), an expired one and a cancelled nonce", async function () {
    const w = await loadFixture(world);
    const { offer, sig } = await rentalOffer(w);
    const cheaper = { ...offer, terms: { ...offer.terms, pricePerSecond: 1n } };
    await expect(fill(w, w.alice, cheaper, sig)).to.be.revertedWithCustomError(w.rental, "InvalidSignature");
    await expect(fill(w, w.alice, { ...offer, renter: asAddress(w.alice.address) }, sig)).to.be.revertedWithCustomError(
      w.rental,
      "InvalidSignature",
    );
    await w.rentalMarket.connect(w.agent).cancelNonce(offer.nonce);
    await expect(fill(w, w.alice, offer, sig))
      .to.be.revertedWithCustomError(w.rental, "OfferNonceCancelled")
      .withArgs(w.agent.address, offer.nonce);
    const late = await rentalOffer(w, { nonce: 1n });
    await time.increase(DAY + 1);
    await expect(fill(w, w.alice, late.offer, late.sig)).to.be.revertedWithCustomError(w.rental, "OfferExpired");
  });
});
