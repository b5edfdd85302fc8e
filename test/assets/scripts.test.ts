import { network } from "hardhat";
import { expect } from "chai";
import { createHash } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AssetShares } from "../../types/ethers-contracts/index.js";
import {
  createShares,
  deployAssetStack,
  hashFile,
  mintShares,
  onboardInvestors,
  parseAllocations,
  parseAssetId,
  parseDocumentList,
  parseInvestorCsv,
  registerAsset,
  rejectedReport,
  UserError,
} from "../../scripts/operator/assets/lib.js";

const { ethers, networkHelpers } = await network.create();

/** Awaits `promise` and asserts it failed with a UserError (a clear message, no stack trace for users). */
async function expectUserError(promise: Promise<unknown>, message: RegExp) {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, "expected a UserError").to.be.instanceOf(UserError);
  expect((error as Error).message).to.match(message);
}
const { loadFixture, time } = networkHelpers;

async function stackFixture() {
  const [gov, issuer, agent, kyc, alice, bob, carol] = await ethers.getSigners();
  const stack = await deployAssetStack(ethers, gov);
  await stack.registry.connect(gov).grantRole(await stack.registry.ISSUER_ROLE(), issuer.address);
  await stack.identity.connect(gov).grantRole(await stack.identity.KYC_AGENT_ROLE(), kyc.address);
  const dir = await mkdtemp(join(tmpdir(), "plinth-assets-"));
  return { ...stack, gov, issuer, agent, kyc, alice, bob, carol, dir };
}

describe("issuer scripts (scripts/operator/assets/lib.ts)", function () {
  it("deploys the stack from the chosen signer (SIGNER), not from the network's first account", async function () {
    const signers = await ethers.getSigners();
    const chosen = signers[4];
    const stack = await deployAssetStack(ethers, chosen);
    for (const contract of [stack.registry, stack.identity, stack.factory]) {
      expect(contract.deploymentTransaction()?.from).to.equal(chosen.address);
    }
    expect(await stack.registry.hasRole(await stack.registry.DEFAULT_ADMIN_ROLE(), chosen.address)).to.equal(true);
    expect(await stack.registry.hasRole(await stack.registry.DEFAULT_ADMIN_ROLE(), signers[0].address)).to.equal(false);
  });

  it("deploys the stack with the factory allowed to record shares", async function () {
    const { registry, factory } = await loadFixture(stackFixture);
    expect(await registry.hasRole(await registry.SHARE_FACTORY_ROLE(), await factory.getAddress())).to.equal(true);
  });

  it("registers an asset with the SHA-256 of each document file", async function () {
    const { registry, issuer, agent, dir } = await loadFixture(stackFixture);
    const deed = join(dir, "deed.pdf");
    await writeFile(deed, "land deed, parcel 42");
    const permit = join(dir, "permit.pdf");
    await writeFile(permit, "grid connection permit");
    expect(await hashFile(deed)).to.equal("0x" + createHash("sha256").update("land deed, parcel 42").digest("hex"));
    const docs = parseDocumentList(`${deed}|ipfs://deed;${permit}`);
    const result = await registerAsset(ethers, registry, issuer, {
      salt: "plant-berlin-7",
      assetClass: "solar",
      jurisdiction: "DE",
      agent,
      metadataURI: "ipfs://meta",
      documents: docs,
    });
    expect(result.assetId).to.equal(await registry.computeAssetId(issuer.address, ethers.id("plant-berlin-7")));
    expect(await registry.agentOf(result.assetId)).to.equal(agent.address);
    expect((await registry.assetOf(result.assetId)).jurisdiction).to.equal("0x4445");
    expect(await registry.documentCount(result.assetId)).to.equal(2n);
    const d1 = await registry.documentAt(result.assetId, 1);
    expect(d1.hash).to.equal(await hashFile(permit));
    expect(d1.uri).to.equal("permit.pdf");
    expect((await registry.documentAt(result.assetId, 0)).uri).to.equal("ipfs://deed");
  });

  it("reports user errors clearly and sends nothing (missing file, bad class, bad jurisdiction, duplicate)", async function () {
    const { registry, issuer, agent, dir } = await loadFixture(stackFixture);
    const base = { salt: "a", assetClass: "solar" as const, jurisdiction: "DE", agent, metadataURI: "", documents: [] };
    await expectUserError(
      registerAsset(ethers, registry, issuer, { ...base, documents: [{ path: join(dir, "missing.pdf") }] }),
      /cannot read document file/,
    );
    await expectUserError(
      registerAsset(ethers, registry, issuer, { ...base, assetClass: "windmill" as unknown as "solar" }),
      /unknown asset class "windmill"/,
    );
    await expectUserError(
      registerAsset(ethers, registry, issuer, { ...base, jurisdiction: "Germany" }),
      /ISO-3166 alpha-2/,
    );
    await expectUserError(registerAsset(ethers, registry, agent, base), /ISSUER_ROLE/);
    expect(await registry.statusOf(await registry.computeAssetId(issuer.address, ethers.id("a")))).to.equal(0n);
    await registerAsset(ethers, registry, issuer, base);
    await expectUserError(registerAsset(ethers, registry, issuer, base), /already exists/);
    expect(() => parseAssetId("abc")).to.throw(UserError, /not a uint256/);
  });

  it("creates shares at the predicted address, and refuses a second time", async function () {
    const { registry, factory, issuer, agent } = await loadFixture(stackFixture);
    const { assetId } = await registerAsset(ethers, registry, issuer, {
      salt: "s",
      assetClass: "battery",
      jurisdiction: "FR",
      agent,
      metadataURI: "",
      documents: [],
    });
    await expectUserError(createShares(factory, agent, assetId, "B", "B", 19), /0\.\.18/);
    await expectUserError(createShares(factory, issuer, assetId, "B", "B", 0), /not the agent/);
    const shares = await createShares(factory, agent, assetId, "Battery", "BAT", 0);
    expect(shares).to.equal(await factory.predictShares(assetId));
    expect(await registry.sharesOf(assetId)).to.equal(shares);
    await expectUserError(createShares(factory, agent, assetId, "B", "B", 0), /already has shares/);
  });

  it("onboards investors from a CSV, rejecting bad rows with reasons", async function () {
    const { identity, kyc, alice, bob, carol } = await loadFixture(stackFixture);
    const now = BigInt(await time.latest());
    const csv = [
      "wallet,country,expiry",
      `${alice.address},276,${now + 100000n}`,
      `${bob.address},840,2099-12-31`,
      "0x1234,276,4000000000",
      `${carol.address},1000,4000000000`,
      `${alice.address.toLowerCase()},276,4000000000`,
      `${carol.address},250,${now - 1n}`,
      `${carol.address},250`,
      `${ethers.ZeroAddress},250,4000000000`,
      `${carol.address},FR,4000000000`,
      `${carol.address},250,tomorrow-ish`,
      `${carol.address},250,4000000000`,
    ].join("\n");
    const { rows, rejected } = parseInvestorCsv(ethers, csv, now);
    expect(rows.map((r) => r.wallet)).to.deep.equal([alice.address, bob.address, carol.address]);
    expect(rows[1].expiry).to.equal(BigInt(Date.parse("2099-12-31") / 1000));
    expect(rejected.map((r) => [r.line, r.reason])).to.deep.equal([
      [4, 'bad address "0x1234"'],
      [5, 'bad country "1000" (ISO-3166 numeric code 1..999)'],
      [6, "duplicate of line 2"],
      [7, `expiry ${now - 1n} is not in the future`],
      [8, "expected 3 columns (wallet,country,expiry), got 2"],
      [9, "zero address"],
      [10, 'bad country "FR" (ISO-3166 numeric code 1..999)'],
      [11, 'bad expiry "tomorrow-ish" (unix seconds or ISO date)'],
    ]);
    expect(rejectedReport(rejected).split("\n")[1]).to.equal('4,"bad address ""0x1234""","0x1234,276,4000000000"');
    const out = await onboardInvestors(identity, kyc, rows, { batchSize: 2 });
    expect(out).to.deep.equal({ batches: 2, onboarded: 3 });
    expect(await identity.identityOf(bob.address)).to.deep.equal([840n, rows[1].expiry]);
    expect(await identity.isEligible(carol.address)).to.equal(true);
    await expectUserError(onboardInvestors(identity, alice, rows), /KYC_AGENT_ROLE/);
    await expectUserError(onboardInvestors(identity, kyc, rows, { batchSize: 0 }), /batch size/);
  });

  it("mints allocations, reporting the ones compliance refuses without sending them", async function () {
    const { registry, factory, identity, issuer, agent, kyc, alice, bob, carol } = await loadFixture(stackFixture);
    const { assetId } = await registerAsset(ethers, registry, issuer, {
      salt: "m",
      assetClass: "charger",
      jurisdiction: "DE",
      agent,
      metadataURI: "",
      documents: [],
    });
    const address = await createShares(factory, agent, assetId, "Chargers", "CHG", 2);
    const shares = (await ethers.getContractAt("AssetShares", address)) as unknown as AssetShares;
    const far = BigInt(await time.latest()) + 10n ** 6n;
    await identity.connect(kyc).setIdentities([alice.address, bob.address], [276, 276], [far, far]);
    const allocations = parseAllocations(
      ethers,
      `wallet,amount\n${alice.address},12.5\n${carol.address},3\n${bob.address},1`,
      2,
    );
    expect(allocations[0].amount).to.equal(1250n);
    expect(() => parseAllocations(ethers, `${alice.address},1.234`, 2)).to.throw(UserError, /bad amount/);
    expect(() => parseAllocations(ethers, `nope,1`, 2)).to.throw(UserError, /bad address/);
    const results = await mintShares(shares, agent, allocations);
    expect(results).to.deep.equal([
      { to: alice.address, amount: 1250n },
      { to: carol.address, amount: 300n, refused: `RecipientNotEligible(${carol.address})` },
      { to: bob.address, amount: 100n },
    ]);
    expect(await shares.totalSupply()).to.equal(1350n);
    await expectUserError(mintShares(shares, issuer, allocations), /not the asset's agent/);
  });
});
