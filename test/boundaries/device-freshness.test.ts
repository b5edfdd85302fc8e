/**
 * Issue 12, class "comparisons at windows never tested on both sides": every comparison of
 * contracts/devices/*.sol, each run at limit-1 / limit / limit+1 from the same state (a snapshot
 * restored between the sides): the freshness window (`ts + maxAge < now` refuses, so a reading of
 * exactly `now - maxAge` is accepted) and the future skew (`ts > now + maxFutureSkew` refuses), the
 * bounds of setFreshness, the per-device counter (equal refused) and the per-kind odometer (equal
 * accepted, lower refused), the claim and rotation deadlines (`now > deadline` refuses), the lease of
 * the device and of its asset (`until > now` refuses), and the low-s checks of both curves
 * (`s > n/2` is malleable). attestBatch has no length limit (each caller pays for its own array,
 * test/attacks/bounds.test.ts), so there is no batch boundary to pin. Runs on the device fixture.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Wallet, concat, toBeHex } from "ethers";
import {
  AttestationStatus,
  KeyType,
  deviceDigest,
  rotateKeyMessage,
  type Attestation,
} from "../../client/src/eip712/devices.js";
import { Secp256k1DeviceSigner, deterministicDeviceSigner } from "../../client/src/signers/devices.js";
import type { DeviceSigner } from "../../client/src/signers/devices.js";
import {
  deployRegistry,
  register,
  registerAndClaim,
  signedAttestation,
  signedClaim,
  type Ctx,
} from "../devices/helpers.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture, takeSnapshot } = networkHelpers;

const k1 = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
const r1 = deterministicDeviceSigner("0x" + "22".repeat(32), 0, "p256");
const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
const P256_HALF_N = 0x7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8n;
const ASSET = 5n;

async function fixture() {
  const ctx = await deployRegistry(ethers);
  for (const d of [k1, r1]) await registerAndClaim(ctx, d);
  return ctx;
}

/** Runs the next transaction at `t`. */
async function at(t: number | bigint) {
  await time.setNextBlockTimestamp(t);
}

/** Attests (counter, timestamp) at block time `now`; returns the attestation and the tx promise. */
async function attestAt(
  ctx: Ctx,
  d: DeviceSigner,
  now: bigint,
  p: { counter: number; timestamp: bigint; odometer?: bigint },
) {
  const { att, sig } = await signedAttestation(ctx, d, p);
  await at(now);
  return { att, tx: ctx.registry.attest(att, sig) };
}

async function expectAccepted(ctx: Ctx, att: Attestation, tx: Promise<unknown>) {
  await expect(tx)
    .to.emit(ctx.registry, "AttestationAccepted")
    .withArgs(att.deviceId, att.kind, att.counter, att.value, att.odometer);
  const r = await ctx.registry.latestReading(att.deviceId, att.kind);
  expect([r.counter, r.timestamp, r.odometer]).to.deep.equal([att.counter, att.timestamp, att.odometer]);
  expect(await ctx.registry.lastCounter(att.deviceId)).to.equal(att.counter);
}

describe("boundaries: DeviceRegistry freshness, counters, deadlines and leases, both sides", function () {
  it("maxAge: a reading signed at now-maxAge-1 is AttestationExpired, now-maxAge and now-maxAge+1 accepted", async function () {
    const ctx = await loadFixture(fixture);
    const maxAge = await ctx.registry.maxAge();
    expect(maxAge).to.equal(86_400n);
    const now = BigInt(await time.latest()) + 2n * maxAge;
    const s = await takeSnapshot();
    const stale = await attestAt(ctx, k1, now, { counter: 1, timestamp: now - maxAge - 1n });
    await expect(stale.tx)
      .to.be.revertedWithCustomError(ctx.registry, "AttestationExpired")
      .withArgs(now - maxAge - 1n, now);
    expect(await ctx.registry.lastCounter(k1.deviceId)).to.equal(0n);
    for (const ts of [now - maxAge, now - maxAge + 1n]) {
      await s.restore();
      const ok = await attestAt(ctx, k1, now, { counter: 1, timestamp: ts });
      await expectAccepted(ctx, ok.att, ok.tx);
    }
  });

  it("maxAge after setFreshness(60, 0): now-61 refused, now-60 accepted (the window follows governance)", async function () {
    const ctx = await loadFixture(fixture);
    await ctx.registry.connect(ctx.governance).setFreshness(60, 0);
    const now = BigInt(await time.latest()) + 1_000n;
    const s = await takeSnapshot();
    const stale = await attestAt(ctx, r1, now, { counter: 1, timestamp: now - 61n });
    await expect(stale.tx)
      .to.be.revertedWithCustomError(ctx.registry, "AttestationExpired")
      .withArgs(now - 61n, now);
    await s.restore();
    const ok = await attestAt(ctx, r1, now, { counter: 1, timestamp: now - 60n });
    await expectAccepted(ctx, ok.att, ok.tx);
  });

  it("future skew: now+skew-1 and now+skew accepted, now+skew+1 AttestationFromFuture", async function () {
    const ctx = await loadFixture(fixture);
    const skew = await ctx.registry.maxFutureSkew();
    expect(skew).to.equal(300n);
    const now = BigInt(await time.latest()) + 100n;
    const s = await takeSnapshot();
    const ahead = await attestAt(ctx, k1, now, { counter: 1, timestamp: now + skew + 1n });
    await expect(ahead.tx)
      .to.be.revertedWithCustomError(ctx.registry, "AttestationFromFuture")
      .withArgs(now + skew + 1n, now);
    expect(await ctx.registry.lastCounter(k1.deviceId)).to.equal(0n);
    for (const ts of [now + skew - 1n, now + skew]) {
      await s.restore();
      const ok = await attestAt(ctx, k1, now, { counter: 1, timestamp: ts });
      await expectAccepted(ctx, ok.att, ok.tx);
    }
    // Skew 0: exactly now accepted, now+1 refused.
    await s.restore();
    await ctx.registry.connect(ctx.governance).setFreshness(86_400, 0);
    const s0 = await takeSnapshot();
    const late = await attestAt(ctx, k1, now, { counter: 1, timestamp: now + 1n });
    await expect(late.tx)
      .to.be.revertedWithCustomError(ctx.registry, "AttestationFromFuture")
      .withArgs(now + 1n, now);
    await s0.restore();
    const exact = await attestAt(ctx, k1, now, { counter: 1, timestamp: now });
    await expectAccepted(ctx, exact.att, exact.tx);
  });

  it("the same boundaries judge attestBatch items (statuses Expired / Accepted / FromFuture)", async function () {
    const ctx = await loadFixture(fixture);
    const maxAge = await ctx.registry.maxAge();
    const skew = await ctx.registry.maxFutureSkew();
    const now = BigInt(await time.latest()) + 2n * maxAge;
    const items = [
      await signedAttestation(ctx, k1, { counter: 1, timestamp: now - maxAge - 1n }),
      await signedAttestation(ctx, k1, { counter: 2, timestamp: now - maxAge }),
      await signedAttestation(ctx, k1, { counter: 3, timestamp: now + skew + 1n }),
      await signedAttestation(ctx, k1, { counter: 4, timestamp: now + skew }),
    ];
    await at(now);
    const args = [items.map((i) => i.att), items.map((i) => i.sig)] as const;
    const tx = ctx.registry.attestBatch(...args);
    await expect(tx)
      .to.emit(ctx.registry, "AttestationRejected")
      .withArgs(k1.deviceId, 0, AttestationStatus.Expired)
      .and.to.emit(ctx.registry, "AttestationRejected")
      .withArgs(k1.deviceId, 2, AttestationStatus.FromFuture)
      .and.to.emit(ctx.registry, "AttestationAccepted")
      .withArgs(k1.deviceId, 1, 2, 100, 100);
    expect(await ctx.registry.lastCounter(k1.deviceId)).to.equal(4n);
    expect((await ctx.registry.latestReading(k1.deviceId, 1)).timestamp).to.equal(now + skew);
  });

  it("setFreshness: maxAge 1 and 30 days accepted, 0 and 30 days+1 refused; skew 1 hour accepted, +1 refused", async function () {
    const ctx = await loadFixture(fixture);
    const g = ctx.registry.connect(ctx.governance);
    const MAX_AGE = 30 * 86_400;
    for (const [age, skew] of [
      [1, 0],
      [MAX_AGE - 1, 3_599],
      [MAX_AGE, 3_600],
    ]) {
      await expect(g.setFreshness(age, skew)).to.emit(g, "FreshnessSet").withArgs(age, skew);
      expect([await ctx.registry.maxAge(), await ctx.registry.maxFutureSkew()]).to.deep.equal([
        BigInt(age),
        BigInt(skew),
      ]);
    }
    for (const [age, skew] of [
      [0, 0],
      [MAX_AGE + 1, 0],
      [MAX_AGE, 3_601],
    ]) {
      await expect(g.setFreshness(age, skew)).to.be.revertedWithCustomError(g, "InvalidFreshness").withArgs(age, skew);
    }
    expect(await ctx.registry.maxAge()).to.equal(BigInt(MAX_AGE));
  });

  it("counter: last-1 and last refused (StaleCounter), last+1 accepted", async function () {
    const ctx = await loadFixture(fixture);
    const first = await signedAttestation(ctx, k1, { counter: 10 });
    await ctx.registry.attest(first.att, first.sig);
    for (const c of [9, 10]) {
      const a = await signedAttestation(ctx, k1, { counter: c });
      await expect(ctx.registry.attest(a.att, a.sig))
        .to.be.revertedWithCustomError(ctx.registry, "StaleCounter")
        .withArgs(k1.deviceId, c, 10);
    }
    const next = await signedAttestation(ctx, k1, { counter: 11 });
    await expectAccepted(ctx, next.att, ctx.registry.attest(next.att, next.sig));
  });

  it("odometer: stored-1 refused (OdometerRegressed), stored (equal) and stored+1 accepted", async function () {
    const ctx = await loadFixture(fixture);
    const first = await signedAttestation(ctx, k1, { counter: 1, value: 1_000, odometer: 1_000 });
    await ctx.registry.attest(first.att, first.sig);
    const s = await takeSnapshot();
    const low = await signedAttestation(ctx, k1, { counter: 2, value: 0, odometer: 999 });
    await expect(ctx.registry.attest(low.att, low.sig))
      .to.be.revertedWithCustomError(ctx.registry, "OdometerRegressed")
      .withArgs(k1.deviceId, 1, 999, 1_000);
    for (const odo of [1_000, 1_001]) {
      await s.restore();
      const a = await signedAttestation(ctx, k1, { counter: 2, value: odo - 1_000, odometer: odo });
      await expectAccepted(ctx, a.att, ctx.registry.attest(a.att, a.sig));
    }
  });

  it("claim: accepted at the deadline, SignatureExpired at deadline+1", async function () {
    const ctx = await deployRegistry(ethers);
    const d = deterministicDeviceSigner("0x" + "33".repeat(32), 0, "secp256k1");
    await register(ctx, d);
    const deadline = BigInt(await time.latest()) + 100n;
    const { msg, sig } = await signedClaim(ctx, d, ctx.operator.address, deadline);
    const s = await takeSnapshot();
    await at(deadline + 1n);
    await expect(ctx.registry.claim(d.deviceId, ctx.operator.address, deadline, sig))
      .to.be.revertedWithCustomError(ctx.registry, "SignatureExpired")
      .withArgs(deadline, deadline + 1n);
    await s.restore();
    await at(deadline);
    await expect(ctx.registry.claim(msg.deviceId, msg.owner, deadline, sig))
      .to.emit(ctx.registry, "DeviceClaimed")
      .withArgs(d.deviceId, ctx.operator.address);
    expect(await ctx.token.ownerOrZero(d.deviceId)).to.equal(ctx.operator.address);
    expect((await ctx.registry.deviceInfo(d.deviceId)).nonce).to.equal(1n);
  });

  it("rotateKey: accepted at the deadline, SignatureExpired at deadline+1", async function () {
    const ctx = await loadFixture(fixture);
    const next = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
    const deadline = BigInt(await time.latest()) + 100n;
    const nonce = (await ctx.registry.deviceInfo(k1.deviceId)).nonce;
    const msg = rotateKeyMessage({
      deviceId: k1.deviceId,
      newKeyType: KeyType.Secp256k1,
      newKeyA: next.keyA,
      newKeyB: next.keyB,
      nonce,
      deadline,
    });
    const sig = await k1.signDigest(deviceDigest(ctx.domain, "RotateKey", msg));
    const call = () =>
      ctx.registry.connect(ctx.operator).rotateKey(k1.deviceId, KeyType.Secp256k1, next.keyA, next.keyB, deadline, sig);
    const s = await takeSnapshot();
    await at(deadline + 1n);
    await expect(call())
      .to.be.revertedWithCustomError(ctx.registry, "SignatureExpired")
      .withArgs(deadline, deadline + 1n);
    await s.restore();
    await at(deadline);
    await expect(call())
      .to.emit(ctx.registry, "DeviceKeyRotated")
      .withArgs(k1.deviceId, KeyType.Secp256k1, next.keyA, next.keyB);
    expect((await ctx.registry.deviceInfo(k1.deviceId)).keyA).to.equal(next.keyA);
  });

  it("device lease: unbind refused (DeviceLeased) at until-1, accepted at until and until+1", async function () {
    const ctx = await loadFixture(fixture);
    await ctx.registry.connect(ctx.operator).bindToAsset(k1.deviceId, ASSET);
    const until = BigInt(await time.latest()) + 100n;
    await ctx.token.connect(ctx.leaseManager).setUser(k1.deviceId, ctx.other.address, until);
    const s = await takeSnapshot();
    await at(until - 1n);
    await expect(ctx.registry.connect(ctx.operator).unbind(k1.deviceId))
      .to.be.revertedWithCustomError(ctx.registry, "DeviceLeased")
      .withArgs(k1.deviceId, until);
    expect(await ctx.registry.assetOf(k1.deviceId)).to.equal(ASSET);
    for (const t of [until, until + 1n]) {
      await s.restore();
      await at(t);
      await expect(ctx.registry.connect(ctx.operator).unbind(k1.deviceId))
        .to.emit(ctx.registry, "DeviceUnbound")
        .withArgs(k1.deviceId, ASSET);
      expect(await ctx.registry.assetOf(k1.deviceId)).to.equal(0n);
    }
  });

  it("asset lease: a device bound to an asset leased until `until` cannot be unbound at until-1, can at until", async function () {
    const ctx = await loadFixture(fixture);
    const assets = await ethers.deployContract("MockAssetRegistry", [ethers.ZeroAddress]);
    await assets.setAsset(ASSET, ctx.operator.address, 1, ethers.ZeroAddress); // the owner is the agent: binds at once
    await ctx.registry.connect(ctx.governance).setAssetRegistry(await assets.getAddress());
    await ctx.registry.connect(ctx.operator).bindToAsset(k1.deviceId, ASSET);
    const until = BigInt(await time.latest()) + 100n;
    await assets.setLease(ASSET, until);
    const s = await takeSnapshot();
    await at(until - 1n);
    await expect(ctx.registry.connect(ctx.operator).unbind(k1.deviceId))
      .to.be.revertedWithCustomError(ctx.registry, "DeviceLeased")
      .withArgs(k1.deviceId, until);
    await s.restore();
    await at(until);
    await expect(ctx.registry.connect(ctx.operator).unbind(k1.deviceId))
      .to.emit(ctx.registry, "DeviceUnbound")
      .withArgs(k1.deviceId, ASSET);
    expect(await ctx.registry.assetOf(k1.deviceId)).to.equal(0n);
  });

  it("low s: s = n/2 is judged on the signature (BadSignature), s = n/2+1 is MalleableSignature (both curves)", async function () {
    const ctx = await loadFixture(fixture);
    const a = await signedAttestation(ctx, k1, { counter: 1 });
    const r = a.sig.slice(0, 66);
    const v = "0x" + a.sig.slice(130);
    const k1Sig = (s: bigint) => concat([r, toBeHex(s, 32), v]);
    expect(await ctx.registry.checkAttestation(a.att, k1Sig(SECP256K1_HALF_N))).to.equal(
      AttestationStatus.BadSignature,
    );
    expect(await ctx.registry.checkAttestation(a.att, k1Sig(SECP256K1_HALF_N + 1n))).to.equal(
      AttestationStatus.MalleableSignature,
    );
    await expect(ctx.registry.attest(a.att, k1Sig(SECP256K1_HALF_N + 1n)))
      .to.be.revertedWithCustomError(ctx.registry, "MalleableSignature")
      .withArgs(toBeHex(SECP256K1_HALF_N + 1n, 32));
    const b = await signedAttestation(ctx, r1, { counter: 1 });
    const p256Sig = (s: bigint) => concat([b.sig.slice(0, 66), toBeHex(s, 32)]);
    expect(await ctx.registry.checkAttestation(b.att, p256Sig(P256_HALF_N))).to.equal(AttestationStatus.BadSignature);
    expect(await ctx.registry.checkAttestation(b.att, p256Sig(P256_HALF_N + 1n))).to.equal(
      AttestationStatus.MalleableSignature,
    );
    // The genuine signatures are accepted.
    await expectAccepted(ctx, a.att, ctx.registry.attest(a.att, a.sig));
    await expectAccepted(ctx, b.att, ctx.registry.attest(b.att, b.sig));
  });
});
