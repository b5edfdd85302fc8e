import { network } from "hardhat";
import { expect } from "chai";
import { deployFixture, DE, US, YEAR } from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;
const fixture = () => deployFixture(ethers);

describe("IdentityRegistry", function () {
  it("stores a KYC'd wallet's country and expiry, eligible until the expiry", async function () {
    const { identity, kyc, erin } = await loadFixture(fixture);
    const expiry = BigInt(await time.latest()) + 100n;
    await expect(identity.connect(kyc).setIdentity(erin.address, US, expiry))
      .to.emit(identity, "IdentitySet")
      .withArgs(erin.address, US, expiry);
    expect(await identity.identityOf(erin.address)).to.deep.equal([BigInt(US), expiry]);
    expect(await identity.isEligible(erin.address)).to.equal(true);
    expect(await identity.isVerified(erin.address)).to.equal(true); // ERC-3643's name for it
    await time.increaseTo(expiry);
    expect(await identity.isEligible(erin.address)).to.equal(false);
    expect(await identity.isVerified(erin.address)).to.equal(false);
  });

  it("answers a transfer's two questions in one call: the sender's eligibility and the recipient's identity", async function () {
    const { identity, kyc, erin, outsider } = await loadFixture(fixture);
    const now = BigInt(await time.latest());
    await identity.connect(kyc).setIdentity(erin.address, DE, now + 100n);
    await identity.connect(kyc).setIdentity(outsider.address, US, now + 50n);
    expect(await identity.transferCheck(erin.address, outsider.address)).to.deep.equal([true, BigInt(US), now + 50n]);
    expect(await identity.transferCheck(outsider.address, erin.address)).to.deep.equal([true, BigInt(DE), now + 100n]);
    // An unknown recipient: zeros, as identityOf. An expired sender: not eligible, its identity still stored.
    const unknown = ethers.Wallet.createRandom().address;
    expect(await identity.transferCheck(erin.address, unknown)).to.deep.equal([true, 0n, 0n]);
    await time.increaseTo(now + 50n);
    expect(await identity.transferCheck(outsider.address, erin.address)).to.deep.equal([false, BigInt(DE), now + 100n]);
    expect(await identity.transferCheck(unknown, outsider.address)).to.deep.equal([false, BigInt(US), now + 50n]);
  });

  it("onboards a batch all-or-nothing, naming the bad row", async function () {
    const { identity, kyc, erin, outsider } = await loadFixture(fixture);
    const future = BigInt(await time.latest()) + BigInt(YEAR);
    await expect(identity.connect(kyc).setIdentities([erin.address, outsider.address], [DE, 1000], [future, future]))
      .to.be.revertedWithCustomError(identity, "InvalidCountry")
      .withArgs(1n, 1000);
    expect(await identity.isEligible(erin.address)).to.equal(false);
    await expect(identity.connect(kyc).setIdentities([erin.address, ethers.ZeroAddress], [DE, DE], [future, future]))
      .to.be.revertedWithCustomError(identity, "InvalidWallet")
      .withArgs(1n);
    const past = BigInt(await time.latest());
    await expect(identity.connect(kyc).setIdentities([erin.address], [DE], [past]))
      .to.be.revertedWithCustomError(identity, "ExpiryNotInFuture")
      .withArgs(0n, past);
    await expect(identity.connect(kyc).setIdentities([erin.address], [0], [future]))
      .to.be.revertedWithCustomError(identity, "InvalidCountry")
      .withArgs(0n, 0);
    await expect(identity.connect(kyc).setIdentities([erin.address], [DE, DE], [future])).to.be.revertedWithCustomError(
      identity,
      "LengthMismatch",
    );
    const many = Array.from({ length: 257 }, (_, i) =>
      ethers.getAddress("0x" + (i + 1).toString(16).padStart(40, "0")),
    );
    await expect(
      identity.connect(kyc).setIdentities(
        many,
        many.map(() => DE),
        many.map(() => future),
      ),
    )
      .to.be.revertedWithCustomError(identity, "BatchTooLarge")
      .withArgs(257n, 256n);
    await identity.connect(kyc).setIdentities([erin.address, outsider.address], [DE, US], [future, future]);
    expect(await identity.identityOf(outsider.address)).to.deep.equal([BigInt(US), future]);
  });

  it("removes an identity, and refuses to remove an unknown one", async function () {
    const { identity, kyc, alice, erin } = await loadFixture(fixture);
    await expect(identity.connect(kyc).removeIdentity(alice.address))
      .to.emit(identity, "IdentityRemoved")
      .withArgs(alice.address);
    expect(await identity.isEligible(alice.address)).to.equal(false);
    await expect(identity.connect(kyc).removeIdentity(erin.address))
      .to.be.revertedWithCustomError(identity, "UnknownIdentity")
      .withArgs(erin.address);
  });

  it("refuses a zero governance at deployment", async function () {
    const factory = await ethers.getContractFactory("IdentityRegistry");
    await expect(ethers.deployContract("IdentityRegistry", [ethers.ZeroAddress])).to.be.revertedWithCustomError(
      factory,
      "ZeroAddress",
    );
  });

  it("lets only KYC agents write", async function () {
    const { identity, gov, erin, alice } = await loadFixture(fixture);
    const role = await identity.KYC_AGENT_ROLE();
    const future = BigInt(await time.latest()) + 1000n;
    await expect(identity.connect(gov).setIdentity(erin.address, DE, future))
      .to.be.revertedWithCustomError(identity, "AccessControlUnauthorizedAccount")
      .withArgs(gov.address, role);
    await expect(identity.connect(erin).setIdentities([erin.address], [DE], [future]))
      .to.be.revertedWithCustomError(identity, "AccessControlUnauthorizedAccount")
      .withArgs(erin.address, role);
    await expect(identity.connect(erin).removeIdentity(alice.address))
      .to.be.revertedWithCustomError(identity, "AccessControlUnauthorizedAccount")
      .withArgs(erin.address, role);
    expect(await identity.isEligible(erin.address)).to.equal(false);
    expect(await identity.isEligible(alice.address)).to.equal(true);
  });
});
