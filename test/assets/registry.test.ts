import { network } from "hardhat";
import { expect } from "chai";
import { deployFixture, SOLAR, Status } from "./fixture.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;
const fixture = () => deployFixture(ethers);

describe("AssetRegistry", function () {
  describe("registration", function () {
    it("derives the asset id from the issuer and the salt, as keccak256(abi.encode(issuer, salt))", async function () {
      const { registry, issuer, assetId, salt } = await loadFixture(fixture);
      const expected = BigInt(
        ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [issuer.address, salt])),
      );
      expect(assetId).to.equal(expected);
      expect(await registry.computeAssetId(issuer.address, salt)).to.equal(expected);
    });

    it("records issuer, class, jurisdiction, agent, metadata and status Active, with events", async function () {
      const { registry, issuer, agent } = await loadFixture(fixture);
      const salt = ethers.id("battery-1");
      const id = await registry.computeAssetId(issuer.address, salt);
      await expect(registry.connect(issuer).registerAsset(salt, 1, "0x4652", agent.address, "ipfs://b"))
        .to.emit(registry, "AssetRegistered")
        .withArgs(id, issuer.address, agent.address, salt, 1, "0x4652", "ipfs://b")
        .and.to.emit(registry, "StatusChanged")
        .withArgs(id, Status.None, Status.Active, issuer.address);
      const a = await registry.assetOf(id);
      expect(a.issuer).to.equal(issuer.address);
      expect(a.assetClass).to.equal(1n);
      expect(a.jurisdiction).to.equal("0x4652");
      expect(a.agent).to.equal(agent.address);
      expect(a.metadataURI).to.equal("ipfs://b");
      expect(await registry.statusOf(id)).to.equal(Status.Active);
      expect(await registry.agentOf(id)).to.equal(agent.address);
      expect(await registry.sharesOf(id)).to.equal(ethers.ZeroAddress);
    });

    it("refuses registration by an account without ISSUER_ROLE", async function () {
      const { registry, outsider, agent } = await loadFixture(fixture);
      const salt = ethers.id("x");
      await expect(registry.connect(outsider).registerAsset(salt, SOLAR, "0x4445", agent.address, ""))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await registry.ISSUER_ROLE());
      expect(await registry.statusOf(await registry.computeAssetId(outsider.address, salt))).to.equal(Status.None);
    });

    it("refuses the same salt twice from one issuer and leaves the first asset unchanged", async function () {
      const { registry, issuer, outsider, assetId, salt, agent } = await loadFixture(fixture);
      await expect(registry.connect(issuer).registerAsset(salt, 2, "0x4652", outsider.address, "other"))
        .to.be.revertedWithCustomError(registry, "AssetExists")
        .withArgs(assetId);
      const a = await registry.assetOf(assetId);
      expect(a.agent).to.equal(agent.address);
      expect(a.metadataURI).to.equal("ipfs://meta");
    });

    it("gives the same salt from another issuer a different id", async function () {
      const { registry, gov, outsider, salt, agent, assetId } = await loadFixture(fixture);
      await registry.connect(gov).grantRole(await registry.ISSUER_ROLE(), outsider.address);
      await registry.connect(outsider).registerAsset(salt, SOLAR, "0x4445", agent.address, "");
      const other = await registry.computeAssetId(outsider.address, salt);
      expect(other).to.not.equal(assetId);
      expect(await registry.statusOf(other)).to.equal(Status.Active);
    });

    it("refuses a zero agent", async function () {
      const { registry, issuer } = await loadFixture(fixture);
      await expect(
        registry.connect(issuer).registerAsset(ethers.id("z"), SOLAR, "0x4445", ethers.ZeroAddress, ""),
      ).to.be.revertedWithCustomError(registry, "ZeroAddress");
    });

    it("refuses a zero governance at deployment", async function () {
      const factory = await ethers.getContractFactory("AssetRegistry");
      await expect(ethers.deployContract("AssetRegistry", [ethers.ZeroAddress])).to.be.revertedWithCustomError(
        factory,
        "ZeroAddress",
      );
    });
  });

  describe("agent change (two steps)", function () {
    it("lets the issuer propose and the proposed agent accept; the old agent loses its powers", async function () {
      const { registry, issuer, agent, outsider, assetId } = await loadFixture(fixture);
      await expect(registry.connect(issuer).proposeAgent(assetId, outsider.address))
        .to.emit(registry, "AgentProposed")
        .withArgs(assetId, outsider.address);
      expect(await registry.agentOf(assetId)).to.equal(agent.address);
      await expect(registry.connect(outsider).acceptAgent(assetId))
        .to.emit(registry, "AgentChanged")
        .withArgs(assetId, agent.address, outsider.address);
      expect(await registry.agentOf(assetId)).to.equal(outsider.address);
      expect((await registry.assetOf(assetId)).pendingAgent).to.equal(ethers.ZeroAddress);
      await expect(registry.connect(agent).setMetadataURI(assetId, "x"))
        .to.be.revertedWithCustomError(registry, "NotAgent")
        .withArgs(assetId, agent.address);
    });

    it("refuses a proposal by anyone but the issuer (even the agent)", async function () {
      const { registry, agent, outsider, assetId } = await loadFixture(fixture);
      await expect(registry.connect(agent).proposeAgent(assetId, outsider.address))
        .to.be.revertedWithCustomError(registry, "NotIssuer")
        .withArgs(assetId, agent.address);
      expect((await registry.assetOf(assetId)).pendingAgent).to.equal(ethers.ZeroAddress);
    });

    it("refuses acceptance by anyone but the proposed agent, and after a cancellation", async function () {
      const { registry, issuer, agent, outsider, bob, assetId } = await loadFixture(fixture);
      await registry.connect(issuer).proposeAgent(assetId, outsider.address);
      await expect(registry.connect(bob).acceptAgent(assetId))
        .to.be.revertedWithCustomError(registry, "NotPendingAgent")
        .withArgs(assetId, bob.address);
      await registry.connect(issuer).proposeAgent(assetId, ethers.ZeroAddress);
      await expect(registry.connect(outsider).acceptAgent(assetId))
        .to.be.revertedWithCustomError(registry, "NotPendingAgent")
        .withArgs(assetId, outsider.address);
      expect(await registry.agentOf(assetId)).to.equal(agent.address);
    });

    it("refuses to act on an unknown asset", async function () {
      const { registry, issuer } = await loadFixture(fixture);
      await expect(registry.connect(issuer).proposeAgent(42n, issuer.address))
        .to.be.revertedWithCustomError(registry, "UnknownAsset")
        .withArgs(42n);
    });
  });

  describe("metadata", function () {
    it("lets only the agent change the metadata URI", async function () {
      const { registry, agent, issuer, assetId } = await loadFixture(fixture);
      await expect(registry.connect(agent).setMetadataURI(assetId, "ipfs://new"))
        .to.emit(registry, "MetadataURIChanged")
        .withArgs(assetId, "ipfs://new");
      await expect(registry.connect(issuer).setMetadataURI(assetId, "ipfs://evil"))
        .to.be.revertedWithCustomError(registry, "NotAgent")
        .withArgs(assetId, issuer.address);
      expect((await registry.assetOf(assetId)).metadataURI).to.equal("ipfs://new");
    });
  });

  describe("legal documents (append-only)", function () {
    const h1 = ethers.id("deed v1");
    const h2 = ethers.id("deed v2");
    const h3 = ethers.id("deed v3");

    it("appends documents with their hash, timestamp and label", async function () {
      const { registry, agent, assetId } = await loadFixture(fixture);
      await expect(registry.connect(agent).addDocument(assetId, h1, "ipfs://deed"))
        .to.emit(registry, "DocumentAdded")
        .withArgs(assetId, 0n, h1, 0n, "ipfs://deed");
      const d = await registry.documentAt(assetId, 0);
      expect(d.hash).to.equal(h1);
      expect(d.timestamp).to.equal(BigInt(await time.latest()));
      expect(d.supersedes).to.equal(0n);
      expect(d.uri).to.equal("ipfs://deed");
      expect(await registry.documentCount(assetId)).to.equal(1n);
      expect(await registry.supersededBy(assetId, 0)).to.deep.equal([false, 0n]);
    });

    it("supersedes by appending: the old document stays unchanged and names its successor", async function () {
      const { registry, agent, assetId } = await loadFixture(fixture);
      await registry.connect(agent).addDocument(assetId, h1, "deed");
      const before = await registry.documentAt(assetId, 0);
      await time.increase(100);
      await expect(registry.connect(agent).supersedeDocument(assetId, 0, h2, "deed v2"))
        .to.emit(registry, "DocumentAdded")
        .withArgs(assetId, 1n, h2, 1n, "deed v2");
      expect(await registry.documentAt(assetId, 0)).to.deep.equal(before);
      const d = await registry.documentAt(assetId, 1);
      expect(d.supersedes).to.equal(1n); // 1 + index 0
      expect(await registry.supersededBy(assetId, 0)).to.deep.equal([true, 1n]);
      expect(await registry.documentCount(assetId)).to.equal(2n);
      // A later revision supersedes the newest one.
      await registry.connect(agent).supersedeDocument(assetId, 1, h3, "deed v3");
      expect(await registry.supersededBy(assetId, 1)).to.deep.equal([true, 2n]);
    });

    it("refuses to supersede a document twice, or one that does not exist", async function () {
      const { registry, agent, assetId } = await loadFixture(fixture);
      await registry.connect(agent).addDocument(assetId, h1, "deed");
      await registry.connect(agent).supersedeDocument(assetId, 0, h2, "deed v2");
      await expect(registry.connect(agent).supersedeDocument(assetId, 0, h3, "fork"))
        .to.be.revertedWithCustomError(registry, "DocumentAlreadySuperseded")
        .withArgs(assetId, 0n, 1n);
      await expect(registry.connect(agent).supersedeDocument(assetId, 5, h3, "x"))
        .to.be.revertedWithCustomError(registry, "UnknownDocument")
        .withArgs(assetId, 5n);
      await expect(registry.documentAt(assetId, 2))
        .to.be.revertedWithCustomError(registry, "UnknownDocument")
        .withArgs(assetId, 2n);
      expect(await registry.documentCount(assetId)).to.equal(2n);
    });

    it("refuses a zero hash and documents from anyone but the agent", async function () {
      const { registry, agent, issuer, assetId } = await loadFixture(fixture);
      await expect(registry.connect(agent).addDocument(assetId, ethers.ZeroHash, "x")).to.be.revertedWithCustomError(
        registry,
        "ZeroDocumentHash",
      );
      await expect(registry.connect(issuer).addDocument(assetId, h1, "x"))
        .to.be.revertedWithCustomError(registry, "NotAgent")
        .withArgs(assetId, issuer.address);
      await registry.connect(agent).addDocument(assetId, h1, "x");
      await expect(registry.connect(issuer).supersedeDocument(assetId, 0, h2, "x"))
        .to.be.revertedWithCustomError(registry, "NotAgent")
        .withArgs(assetId, issuer.address);
      expect(await registry.documentCount(assetId)).to.equal(1n);
    });
  });

  describe("valuation", function () {
    it("records an appraisal with an event; history lives in events", async function () {
      const { registry, agent, outsider, assetId } = await loadFixture(fixture);
      const date = BigInt(await time.latest());
      await expect(registry.connect(agent).setValuation(assetId, 1_250_000_00n, "0x455552", outsider.address, date))
        .to.emit(registry, "ValuationUpdated")
        .withArgs(assetId, 1_250_000_00n, "0x455552", outsider.address, date);
      const v = (await registry.assetOf(assetId)).valuation;
      expect(v.amount).to.equal(1_250_000_00n);
      expect(v.currency).to.equal("0x455552");
      expect(v.appraiser).to.equal(outsider.address);
      expect(v.date).to.equal(date);
    });

    it("refuses a future date, a date older than the current appraisal, a zero appraiser and non-agents", async function () {
      const { registry, agent, issuer, outsider, assetId } = await loadFixture(fixture);
      const now = BigInt(await time.latest());
      await registry.connect(agent).setValuation(assetId, 100n, "0x455552", outsider.address, now);
      await expect(registry.connect(agent).setValuation(assetId, 1n, "0x455552", outsider.address, now + 1000n))
        .to.be.revertedWithCustomError(registry, "InvalidValuationDate")
        .withArgs(now + 1000n);
      await expect(registry.connect(agent).setValuation(assetId, 1n, "0x455552", outsider.address, now - 1n))
        .to.be.revertedWithCustomError(registry, "InvalidValuationDate")
        .withArgs(now - 1n);
      await expect(
        registry.connect(agent).setValuation(assetId, 1n, "0x455552", ethers.ZeroAddress, now),
      ).to.be.revertedWithCustomError(registry, "ZeroAddress");
      await expect(registry.connect(issuer).setValuation(assetId, 1n, "0x455552", outsider.address, now))
        .to.be.revertedWithCustomError(registry, "NotAgent")
        .withArgs(assetId, issuer.address);
      expect((await registry.assetOf(assetId)).valuation.amount).to.equal(100n);
    });
  });

  describe("status", function () {
    it("lets the agent freeze and unfreeze", async function () {
      const { registry, agent, assetId } = await loadFixture(fixture);
      await expect(registry.connect(agent).freezeAsset(assetId))
        .to.emit(registry, "StatusChanged")
        .withArgs(assetId, Status.Active, Status.Frozen, agent.address);
      expect(await registry.statusOf(assetId)).to.equal(Status.Frozen);
      await expect(registry.connect(agent).unfreezeAsset(assetId))
        .to.emit(registry, "StatusChanged")
        .withArgs(assetId, Status.Frozen, Status.Active, agent.address);
    });

    it("keeps a governance freeze until governance lifts it", async function () {
      const { registry, agent, gov, assetId } = await loadFixture(fixture);
      await registry.connect(gov).freezeAsset(assetId);
      await expect(registry.connect(agent).unfreezeAsset(assetId))
        .to.be.revertedWithCustomError(registry, "FrozenByGovernance")
        .withArgs(assetId);
      expect(await registry.statusOf(assetId)).to.equal(Status.Frozen);
      await registry.connect(gov).unfreezeAsset(assetId);
      expect(await registry.statusOf(assetId)).to.equal(Status.Active);
    });

    it("refuses freezing by others, freezing twice and unfreezing an active asset", async function () {
      const { registry, agent, outsider, assetId } = await loadFixture(fixture);
      await expect(registry.connect(outsider).freezeAsset(assetId))
        .to.be.revertedWithCustomError(registry, "NotAgentOrGovernance")
        .withArgs(assetId, outsider.address);
      await expect(registry.connect(agent).unfreezeAsset(assetId))
        .to.be.revertedWithCustomError(registry, "InvalidStatus")
        .withArgs(assetId, Status.Active);
      await registry.connect(agent).freezeAsset(assetId);
      await expect(registry.connect(agent).freezeAsset(assetId))
        .to.be.revertedWithCustomError(registry, "InvalidStatus")
        .withArgs(assetId, Status.Frozen);
      await expect(registry.connect(outsider).unfreezeAsset(assetId))
        .to.be.revertedWithCustomError(registry, "NotAgentOrGovernance")
        .withArgs(assetId, outsider.address);
      expect(await registry.statusOf(assetId)).to.equal(Status.Frozen);
    });

    it("retires only through BUYOUT_ROLE, for good, from Active or Frozen", async function () {
      const { registry, agent, buyout, gov, assetId } = await loadFixture(fixture);
      await expect(registry.connect(gov).retire(assetId))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(gov.address, await registry.BUYOUT_ROLE());
      await registry.connect(agent).freezeAsset(assetId);
      await expect(registry.connect(buyout).retire(assetId))
        .to.emit(registry, "StatusChanged")
        .withArgs(assetId, Status.Frozen, Status.Retired, buyout.address);
      expect(await registry.statusOf(assetId)).to.equal(Status.Retired);
      await expect(registry.connect(buyout).retire(assetId))
        .to.be.revertedWithCustomError(registry, "InvalidStatus")
        .withArgs(assetId, Status.Retired);
      await expect(registry.connect(agent).unfreezeAsset(assetId))
        .to.be.revertedWithCustomError(registry, "InvalidStatus")
        .withArgs(assetId, Status.Retired);
      await expect(registry.connect(buyout).retire(77n))
        .to.be.revertedWithCustomError(registry, "UnknownAsset")
        .withArgs(77n);
    });
  });

  describe("lease", function () {
    it("lets the lease manager set and end a lease; leasedUntil reads 0 once it is over", async function () {
      const { registry, leaseManager, assetId } = await loadFixture(fixture);
      const until = BigInt(await time.latest()) + 1000n;
      await expect(registry.connect(leaseManager).setLease(assetId, until))
        .to.emit(registry, "LeaseSet")
        .withArgs(assetId, until);
      expect(await registry.leasedUntil(assetId)).to.equal(until);
      await time.increaseTo(until);
      expect(await registry.leasedUntil(assetId)).to.equal(0n);
      await registry.connect(leaseManager).setLease(assetId, until + 500n);
      await registry.connect(leaseManager).setLease(assetId, 0n);
      expect(await registry.leasedUntil(assetId)).to.equal(0n);
    });

    it("refuses a lease by others, an end in the past, and unknown assets", async function () {
      const { registry, leaseManager, agent, assetId } = await loadFixture(fixture);
      const now = BigInt(await time.latest());
      await expect(registry.connect(agent).setLease(assetId, now + 100n))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(agent.address, await registry.LEASE_MANAGER_ROLE());
      await expect(registry.connect(leaseManager).setLease(assetId, now))
        .to.be.revertedWithCustomError(registry, "LeaseEndInPast")
        .withArgs(now);
      await expect(registry.connect(leaseManager).setLease(9n, now + 100n))
        .to.be.revertedWithCustomError(registry, "UnknownAsset")
        .withArgs(9n);
      expect(await registry.leasedUntil(assetId)).to.equal(0n);
    });

    it("refuses to retire a leased asset, and to lease a retired one", async function () {
      const { registry, leaseManager, buyout, assetId } = await loadFixture(fixture);
      const until = BigInt(await time.latest()) + 1000n;
      await registry.connect(leaseManager).setLease(assetId, until);
      await expect(registry.connect(buyout).retire(assetId))
        .to.be.revertedWithCustomError(registry, "AssetLeased")
        .withArgs(assetId, until);
      expect(await registry.statusOf(assetId)).to.equal(Status.Active);
      await time.increaseTo(until);
      await registry.connect(buyout).retire(assetId);
      await expect(registry.connect(leaseManager).setLease(assetId, until + 1000n))
        .to.be.revertedWithCustomError(registry, "InvalidStatus")
        .withArgs(assetId, Status.Retired);
    });
  });

  describe("shares record", function () {
    it("accepts the share token once, only from SHARE_FACTORY_ROLE", async function () {
      const { registry, gov, outsider, issuer, agent } = await loadFixture(fixture);
      await registry.connect(issuer).registerAsset(ethers.id("b"), SOLAR, "0x4445", agent.address, "");
      const id = await registry.computeAssetId(issuer.address, ethers.id("b"));
      await expect(registry.connect(outsider).setShares(id, outsider.address))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await registry.SHARE_FACTORY_ROLE());
      await registry.connect(gov).grantRole(await registry.SHARE_FACTORY_ROLE(), outsider.address);
      await expect(registry.connect(outsider).setShares(id, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        registry,
        "ZeroAddress",
      );
      await expect(registry.connect(outsider).setShares(id, issuer.address))
        .to.emit(registry, "SharesRecorded")
        .withArgs(id, issuer.address);
      await expect(registry.connect(outsider).setShares(id, outsider.address))
        .to.be.revertedWithCustomError(registry, "SharesAlreadyRecorded")
        .withArgs(id, issuer.address);
      expect(await registry.sharesOf(id)).to.equal(issuer.address);
    });
  });
});
