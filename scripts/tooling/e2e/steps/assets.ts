/** Assets: tokenization and investor onboarding (scripts/operator/assets). */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { parseUnits } from "ethers";
import {
  createShares,
  mintShares,
  onboardInvestors,
  parseInvestorCsv,
  registerAsset,
} from "../../../operator/assets/lib.js";
import { contract, latestTimestamp, signer, state, type Step } from "./context.js";

/** An issuer registers a solar farm with its title deed; its agent creates the shares. */
export const tokenizeAsset: Step = {
  title: "tokenize an asset: register it with a document, create its shares",
  needs: ["AssetRegistry", "ShareFactory"],
  run: async (ctx) => {
    const { ethers } = ctx.connection;
    const agent = signer(ctx, "agent");
    const dir = mkdtempSync(join(tmpdir(), "plinth-e2e-"));
    const deed = join(dir, "title-deed.txt");
    writeFileSync(deed, "Solar farm DE-1, parcel 42, 1.2 MWp\n");
    const registry = await contract<import("../../../../types/ethers-contracts/index.js").AssetRegistry>(
      ctx,
      "AssetRegistry",
    );
    const { assetId, documents } = await registerAsset(ethers, registry, agent, {
      salt: "e2e-solar-farm-de-1",
      assetClass: "solar",
      jurisdiction: "DE",
      agent,
      metadataURI: "ipfs://plinth-e2e/solar-farm-de-1.json",
      documents: [{ path: deed, uri: "ipfs://plinth-e2e/title-deed.txt" }],
    });
    const factory = await contract<import("../../../../types/ethers-contracts/index.js").ShareFactory>(
      ctx,
      "ShareFactory",
    );
    const shares = await createShares(factory, agent, assetId, "Solar Farm DE-1", "SFDE1", 18);
    expect(await registry.statusOf(assetId)).to.equal(1n); // Active
    expect(await registry.sharesOf(assetId)).to.equal(shares);
    ctx.state.assetId = assetId;
    ctx.state.shares = shares;
    ctx.log(`asset ${assetId.toString().slice(0, 12)}… registered with ${documents.length} document; shares ${shares}`);
  },
};

/** A KYC agent onboards two investors from a CSV; the agent mints their shares. */
export const onboardAndMint: Step = {
  title: "onboard investors (KYC CSV) and mint their shares",
  needs: ["IdentityRegistry", "AssetRegistry", "ShareFactory"],
  run: async (ctx) => {
    const { ethers } = ctx.connection;
    const a = signer(ctx, "investorA").address;
    const b = signer(ctx, "investorB").address;
    const now = await latestTimestamp(ctx);
    const csv = `wallet,country,expiry\n${a},276,${now + 365n * 86400n}\n${b},250,${now + 365n * 86400n}\n`;
    const { rows, rejected } = parseInvestorCsv(ethers, csv, now);
    expect(rejected).to.deep.equal([]);
    const identity = await contract<import("../../../../types/ethers-contracts/index.js").IdentityRegistry>(
      ctx,
      "IdentityRegistry",
    );
    const onboarded = await onboardInvestors(identity, signer(ctx, "kycAgent"), rows);
    const shares = await ethers.getContractAt("AssetShares", state<string>(ctx, "shares"));
    const results = await mintShares(shares as never, signer(ctx, "agent"), [
      { to: a, amount: parseUnits("600", 18) },
      { to: b, amount: parseUnits("400", 18) },
    ]);
    expect(results.filter((r) => r.refused !== undefined)).to.deep.equal([]);
    expect(await shares.balanceOf(a)).to.equal(parseUnits("600", 18));
    expect(await shares.balanceOf(b)).to.equal(parseUnits("400", 18));
    ctx.log(`${onboarded.onboarded} investors onboarded; minted 600 and 400 shares`);
  },
};
