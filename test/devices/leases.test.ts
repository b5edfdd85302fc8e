/**
 * ERC-4907 users of the device token: the one source of truth of device leases (issue 15).
 *
 * The lease of a device is its ERC-4907 user record in DeviceToken (one slot per device); `setUser` is
 * the only lease function and needs the registry's LEASE_MANAGER_ROLE; the registry's `leasedUntil` and
 * its lease guards read `userExpires`. A transfer is refused while a lease is in force and clears the
 * stale record of an ended one. The last test runs the real rental flow: renting a device makes the
 * renter its ERC-4907 user until settlement releases it.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Interface, Wallet, ZeroAddress } from "ethers";
import { SubjectKind } from "../../client/src/eip712/rental.js";
import { Secp256k1DeviceSigner } from "../../client/src/signers/devices.js";
import {
  LEASE_MANAGER_ROLE,
  deployRegistry,
  deviceOnOffer,
  latest,
  register,
  registerAndClaim,
  signedAttestation,
} from "./helpers.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;
const dev = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
const dev2 = Secp256k1DeviceSigner.fromPrivateKey(Wallet.createRandom().privateKey);
const MAX_UINT64 = 2n ** 64n - 1n;

/** ERC-4907 as the EIP publishes it; its ERC-165 id is the XOR of its three selectors. */
const ERC4907 = new Interface([
  "function setUser(uint256 tokenId, address user, uint64 expires)",
  "function userOf(uint256 tokenId) view returns (address)",
  "function userExpires(uint256 tokenId) view returns (uint256)",
]);
const erc4907Id = () => {
  let x = 0n;
  ERC4907.forEachFunction((f) => (x ^= BigInt(f.selector)));
  return ethers.toBeHex(x, 4);
};

async function claimed() {
  const ctx = await deployRegistry(ethers);
  await registerAndClaim(ctx, dev);
  return ctx;
}

describe("DeviceToken: ERC-4907 users are the device leases", function () {
  it("advertises ERC-4907 (0xad092b5c, computed from its selectors), ERC-721, its metadata and ERC-165, nothing else", async function () {
    const ctx = await loadFixture(claimed);
    expect(erc4907Id()).to.equal("0xad092b5c");
    for (const id of ["0xad092b5c", "0x80ac58cd", "0x5b5e139f", "0x01ffc9a7"]) {
      expect(await ctx.token.supportsInterface(id), id).to.equal(true);
    }
    for (const id of ["0x12345678", "0xffffffff", "0x7965db0b"]) {
      expect(await ctx.token.supportsInterface(id), id).to.equal(false);
    }
  });

  it("only the registry's LEASE_MANAGER_ROLE sets a user: not the owner, governance, others, nor a revoked manager", async function () {
    const ctx = await loadFixture(claimed);
    const until = (await latest(ctx)) + 1000;
    for (const who of [ctx.operator, ctx.governance, ctx.other]) {
      await expect(ctx.token.connect(who).setUser(dev.deviceId, who.address, until))
        .to.be.revertedWithCustomError(ctx.token, "AccessControlUnauthorizedAccount")
        .withArgs(who.address, LEASE_MANAGER_ROLE);
    }
    await ctx.registry.connect(ctx.governance).revokeRole(LEASE_MANAGER_ROLE, ctx.leaseManager.address);
    await expect(ctx.token.connect(ctx.leaseManager).setUser(dev.deviceId, ctx.other.address, until))
      .to.be.revertedWithCustomError(ctx.token, "AccessControlUnauthorizedAccount")
      .withArgs(ctx.leaseManager.address, LEASE_MANAGER_ROLE);
    expect(await ctx.token.userOf(dev.deviceId)).to.equal(ZeroAddress);
    expect(await ctx.token.userExpires(dev.deviceId)).to.equal(0n);
    expect(await ctx.registry.leasedUntil(dev.deviceId)).to.equal(0n);
  });

  it("refuses an unminted device, a user without an end and an end without a user", async function () {
    const ctx = await loadFixture(claimed);
    const lm = ctx.token.connect(ctx.leaseManager);
    const until = (await latest(ctx)) + 1000;
    await expect(lm.setUser(42, ctx.other.address, until))
      .to.be.revertedWithCustomError(ctx.token, "ERC721NonexistentToken")
      .withArgs(42);
    await register(ctx, dev2); // registered, not claimed: no token yet
    await expect(lm.setUser(dev2.deviceId, ctx.other.address, until))
      .to.be.revertedWithCustomError(ctx.token, "ERC721NonexistentToken")
      .withArgs(dev2.deviceId);
    await expect(lm.setUser(dev.deviceId, ctx.other.address, 0))
      .to.be.revertedWithCustomError(ctx.token, "InvalidUser")
      .withArgs(ctx.other.address, 0);
    await expect(lm.setUser(dev.deviceId, ZeroAddress, until))
      .to.be.revertedWithCustomError(ctx.token, "InvalidUser")
      .withArgs(ZeroAddress, until);
    expect(await ctx.token.userExpires(dev.deviceId)).to.equal(0n);
  });

  it("sets the user (UpdateUser), answers it until expires and address(0) from then on", async function () {
    const ctx = await loadFixture(claimed);
    const until = BigInt(await latest(ctx)) + 1000n;
    await expect(ctx.token.connect(ctx.leaseManager).setUser(dev.deviceId, ctx.other.address, until))
      .to.emit(ctx.token, "UpdateUser")
      .withArgs(dev.deviceId, ctx.other.address, until);
    expect(await ctx.token.userOf(dev.deviceId)).to.equal(ctx.other.address);
    expect(await ctx.token.userExpires(dev.deviceId)).to.equal(until);
    expect(await ctx.registry.leasedUntil(dev.deviceId)).to.equal(until);
    expect(await ctx.token.ownerOf(dev.deviceId)).to.equal(ctx.operator.address); // owner unchanged
    await time.setNextBlockTimestamp(until - 1n);
    await ethers.provider.send("evm_mine", []);
    expect(await ctx.token.userOf(dev.deviceId)).to.equal(ctx.other.address);
    await time.setNextBlockTimestamp(until);
    await ethers.provider.send("evm_mine", []);
    expect(await ctx.token.userOf(dev.deviceId)).to.equal(ZeroAddress);
    expect(await ctx.token.userExpires(dev.deviceId)).to.equal(until); // the record stays until replaced
  });

  it("leases of distinct devices are independent records", async function () {
    const ctx = await loadFixture(claimed);
    await registerAndClaim(ctx, dev2);
    const until = BigInt(await latest(ctx)) + 1000n;
    await ctx.token.connect(ctx.leaseManager).setUser(dev.deviceId, ctx.other.address, until);
    await ctx.token.connect(ctx.leaseManager).setUser(dev2.deviceId, ctx.agent.address, until + 5n);
    await ctx.token.connect(ctx.leaseManager).setUser(dev.deviceId, ZeroAddress, 0);
    expect(await ctx.token.userOf(dev.deviceId)).to.equal(ZeroAddress);
    expect(await ctx.token.userOf(dev2.deviceId)).to.equal(ctx.agent.address);
    expect(await ctx.registry.leasedUntil(dev2.deviceId)).to.equal(until + 5n);
  });

  it("a lease writes one slot of the device token, its own: leases of distinct devices write disjoint slots", async function () {
    const ctx = await loadFixture(claimed);
    await registerAndClaim(ctx, dev2);
    const token = (await ctx.token.getAddress()).toLowerCase();
    const until = (await latest(ctx)) + 1000;
    /** Every storage slot a transaction wrote, per contract (prestateTracer in diff mode). */
    async function written(hash: string): Promise<Map<string, string[]>> {
      const diff = (await ethers.provider.send("debug_traceTransaction", [
        hash,
        { tracer: "prestateTracer", tracerConfig: { diffMode: true } },
      ])) as { post: Record<string, { storage?: Record<string, string> }> };
      const out = new Map<string, string[]>();
      for (const [account, state] of Object.entries(diff.post)) {
        if (state.storage) out.set(account.toLowerCase(), Object.keys(state.storage).sort());
      }
      return out;
    }
    const lm = ctx.token.connect(ctx.leaseManager);
    const one = await written((await lm.setUser(dev.deviceId, ctx.other.address, until)).hash);
    const two = await written((await lm.setUser(dev2.deviceId, ctx.agent.address, until)).hash);
    for (const w of [one, two]) {
      expect(
        [...w.keys()].filter((a) => a !== token),
        "only the token's storage is written",
      ).to.deep.equal([]);
      expect(w.get(token)).to.have.length(1);
    }
    expect(one.get(token)![0]).to.not.equal(two.get(token)![0]);
  });

  it("a leased device cannot be unbound, rebound, decommissioned or transferred until the lease ends", async function () {
    const ctx = await loadFixture(claimed);
    await ctx.registry.connect(ctx.operator).bindToAsset(dev.deviceId, 7);
    const until = (await latest(ctx)) + 1000;
    await ctx.token.connect(ctx.leaseManager).setUser(dev.deviceId, ctx.other.address, until);
    const leased = [ctx.registry, "DeviceLeased"] as const;
    await expect(ctx.registry.connect(ctx.operator).unbind(dev.deviceId))
      .to.be.revertedWithCustomError(...leased)
      .withArgs(dev.deviceId, until);
    await expect(ctx.registry.connect(ctx.operator).bindToAsset(dev.deviceId, 8))
      .to.be.revertedWithCustomError(...leased)
      .withArgs(dev.deviceId, until);
    await expect(ctx.registry.connect(ctx.operator).decommission(dev.deviceId))
      .to.be.revertedWithCustomError(...leased)
      .withArgs(dev.deviceId, until);
    await expect(ctx.registry.connect(ctx.governance).decommission(dev.deviceId))
      .to.be.revertedWithCustomError(...leased)
      .withArgs(dev.deviceId, until);
    await expect(ctx.token.connect(ctx.operator).transferFrom(ctx.operator.address, ctx.other.address, dev.deviceId))
      .to.be.revertedWithCustomError(...leased)
      .withArgs(dev.deviceId, until);
    expect(await ctx.registry.ownerOf(dev.deviceId)).to.equal(ctx.operator.address);
    expect(await ctx.registry.assetOf(dev.deviceId)).to.equal(7n);
    expect(await ctx.token.userOf(dev.deviceId)).to.equal(ctx.other.address);
    // Attestations still flow while leased.
    const a = await signedAttestation(ctx, dev, { counter: 1 });
    await ctx.registry.attest(a.att, a.sig);
    await time.increaseTo(until);
    await ctx.registry.connect(ctx.operator).unbind(dev.deviceId);
  });

  it("a transfer after the lease ended clears the stale user record (UpdateUser to zero), once", async function () {
    const ctx = await loadFixture(claimed);
    const until = (await latest(ctx)) + 1000;
    await ctx.token.connect(ctx.leaseManager).setUser(dev.deviceId, ctx.other.address, until);
    await time.increaseTo(until);
    await expect(ctx.token.connect(ctx.operator).transferFrom(ctx.operator.address, ctx.agent.address, dev.deviceId))
      .to.emit(ctx.token, "UpdateUser")
      .withArgs(dev.deviceId, ZeroAddress, 0);
    expect(await ctx.token.ownerOf(dev.deviceId)).to.equal(ctx.agent.address);
    expect(await ctx.token.userOf(dev.deviceId)).to.equal(ZeroAddress);
    expect(await ctx.token.userExpires(dev.deviceId)).to.equal(0n);
    expect(await ctx.registry.leasedUntil(dev.deviceId)).to.equal(0n);
    await expect(
      ctx.token.connect(ctx.agent).transferFrom(ctx.agent.address, ctx.operator.address, dev.deviceId),
    ).to.not.emit(ctx.token, "UpdateUser");
  });

  it("the lease manager releases with setUser(id, 0, 0); a decommissioned device can be released, not leased", async function () {
    const ctx = await loadFixture(claimed);
    const lm = ctx.token.connect(ctx.leaseManager);
    await lm.setUser(dev.deviceId, ctx.other.address, (await latest(ctx)) + 1000);
    await expect(lm.setUser(dev.deviceId, ZeroAddress, 0))
      .to.emit(ctx.token, "UpdateUser")
      .withArgs(dev.deviceId, ZeroAddress, 0);
    expect(await ctx.token.userOf(dev.deviceId)).to.equal(ZeroAddress);
    expect(await ctx.registry.leasedUntil(dev.deviceId)).to.equal(0n);
    await ctx.registry.connect(ctx.operator).decommission(dev.deviceId);
    await expect(lm.setUser(dev.deviceId, ctx.other.address, (await latest(ctx)) + 1000))
      .to.be.revertedWithCustomError(ctx.registry, "DeviceDecommissioned")
      .withArgs(dev.deviceId);
    await expect(lm.setUser(dev.deviceId, ZeroAddress, 0))
      .to.emit(ctx.token, "UpdateUser")
      .withArgs(dev.deviceId, ZeroAddress, 0);
  });
});

const DAY = 86_400n;
const GWEI = 1_000_000_000n;

const rented = () => deviceOnOffer(ethers, "47");

describe("DeviceToken: ERC-4907 through the real rental flow", function () {
  it("renting a device makes the renter its user until settlement; the owner cannot move it meanwhile", async function () {
    const f = await loadFixture(rented);
    const baseline = await signedAttestation(f, f.device, {
      counter: 1,
      value: 0,
      timestamp: (await time.latest()) + 5,
    });
    await f.registry.attest(baseline.att, baseline.sig);
    await expect(f.market.connect(f.renter).rent(f.offerId, DAY, 10n ** 15n, { value: 10n ** 15n }))
      .to.emit(f.token, "UpdateUser")
      .withArgs(f.deviceId, f.renter.address, MAX_UINT64);
    const id = await f.escrow.agreementId(SubjectKind.Device, f.deviceId, 0);
    expect(await f.token.userOf(f.deviceId)).to.equal(f.renter.address);
    expect(await f.token.userExpires(f.deviceId)).to.equal(MAX_UINT64);
    expect(await f.registry.leasedUntil(f.deviceId)).to.equal(MAX_UINT64);
    await expect(f.token.connect(f.operator).transferFrom(f.operator.address, f.buyer.address, f.deviceId))
      .to.be.revertedWithCustomError(f.registry, "DeviceLeased")
      .withArgs(f.deviceId, MAX_UINT64);
    // The owner cannot end the renter's use through the token either.
    await expect(f.token.connect(f.operator).setUser(f.deviceId, ZeroAddress, 0))
      .to.be.revertedWithCustomError(f.token, "AccessControlUnauthorizedAccount")
      .withArgs(f.operator.address, LEASE_MANAGER_ROLE);
    await time.increase(3600);
    const { att, sig } = await signedAttestation(f, f.device, { counter: 2, value: 250 });
    await f.registry.attest(att, sig);
    await f.escrow.settleMetered(id);
    expect(await f.token.userOf(f.deviceId)).to.equal(f.renter.address); // still in use
    await time.increase(DAY);
    await expect(f.escrow.settle(id)).to.emit(f.token, "UpdateUser").withArgs(f.deviceId, ZeroAddress, 0);
    expect(await f.token.userOf(f.deviceId)).to.equal(ZeroAddress);
    expect(await f.registry.leasedUntil(f.deviceId)).to.equal(0n);
    expect(await f.custody.claimable(f.operator.address, await f.escrow.custodyOf(id), ethers.ZeroAddress)).to.equal(
      250n * GWEI,
    );
    await f.token.connect(f.operator).transferFrom(f.operator.address, f.buyer.address, f.deviceId);
    expect(await f.registry.ownerOf(f.deviceId)).to.equal(f.buyer.address);
  });
});
