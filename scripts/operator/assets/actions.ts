/**
 * `npx hardhat assets <action>`: issuers, asset agents and KYC agents (scripts/operator/tasks.ts lists
 * the options). Reuses scripts/operator/assets/lib.ts: the same checks as the scripts (a repeated mint is
 * refused unless --force; rejected CSV rows fail the run unless --allow-partial).
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { ZeroAddress } from "ethers";
import type {
  AssetRegistry,
  AssetShares,
  IdentityRegistry,
  ShareFactory,
} from "../../../types/ethers-contracts/index.js";
import * as assets from "./lib.js";
import {
  addressArg,
  openContext,
  operatorTask,
  readInput,
  required,
  uint,
  UserError,
  type CommonArgs,
} from "../kernel.js";

interface Args extends CommonArgs {
  assets: string;
  factory: string;
  identity: string;
  asset: string;
  salt: string;
  class: string;
  jurisdiction: string;
  agent: string;
  metadataUri: string;
  documents: string;
  name: string;
  symbol: string;
  decimals: string;
  investors: string;
  batchSize: string;
  allocations: string;
  to: string;
  amount: string;
  force: boolean;
  allowPartial: boolean;
}

const ASSET_STATUS = ["None", "Active", "Frozen", "Retired"];

export const register = operatorTask(async (args: Args, hre) => {
  const ctx = await openContext(hre, args);
  const registry = await ctx.contract<AssetRegistry>("AssetRegistry", args.assets, "--assets");
  const agentAddress = args.agent.trim() === "" ? ctx.signer.address : addressArg(ctx.ethers, args.agent, "--agent");
  const documents = assets.parseDocumentList(args.documents);
  const self = agentAddress.toLowerCase() === ctx.signer.address.toLowerCase();
  if (documents.length > 0 && !self) {
    throw new UserError("--documents are added by the asset's agent: register as the agent, or add them later");
  }
  const agent = self ? ctx.signer : ({ address: agentAddress } as HardhatEthersSigner);
  const assetClass = required(args.class, "--class") as assets.AssetClassName;
  const result = await assets.registerAsset(ctx.ethers, registry, ctx.signer, {
    salt: required(args.salt, "--salt"),
    assetClass,
    jurisdiction: required(args.jurisdiction, "--jurisdiction"),
    agent,
    metadataURI: args.metadataUri,
    documents,
  });
  console.log(`asset ${result.assetId} registered (${assetClass}, ${args.jurisdiction}), agent ${agentAddress}`);
  for (const d of result.documents) console.log(`  document ${d.index}: ${d.hash} ${d.uri}`);
});

export const createShares = operatorTask(async (args: Args, hre) => {
  const ctx = await openContext(hre, args);
  const factory = await ctx.contract<ShareFactory>("ShareFactory", args.factory, "--factory");
  const assetId = uint(args.asset, "--asset");
  const decimals = args.decimals.trim() === "" ? 18 : Number(uint(args.decimals, "--decimals"));
  const at = await assets.createShares(factory, ctx.signer, assetId, args.name.trim(), args.symbol.trim(), decimals);
  console.log(`shares of asset ${assetId}: ${args.name.trim()} (${args.symbol.trim()}, ${decimals} decimals) at ${at}`);
});

export const onboard = operatorTask(async (args: Args, hre) => {
  const text = readInput(args.investors, "--investors");
  const ctx = await openContext(hre, args);
  const identity = await ctx.contract<IdentityRegistry>("IdentityRegistry", args.identity, "--identity");
  const { rows, rejected } = assets.parseInvestorCsv(ctx.ethers, text, BigInt(Math.floor(Date.now() / 1000)));
  for (const r of rejected) console.log(`line ${r.line}: rejected: ${r.reason}`);
  if (rows.length === 0) throw new UserError(`${rejected.length} row(s) rejected, no valid row: nothing was sent`);
  if (rejected.length > 0 && !args.allowPartial) {
    throw new UserError(
      `${rows.length} valid row(s), ${rejected.length} rejected: nothing was sent; fix the rows or pass --allow-partial`,
    );
  }
  const batchSize = args.batchSize.trim() === "" ? 100 : Number(uint(args.batchSize, "--batch-size"));
  const { batches, onboarded } = await assets.onboardInvestors(identity, ctx.signer, rows, { batchSize });
  console.log(`${onboarded} investor(s) onboarded in ${batches} transaction(s), ${rejected.length} rejected`);
});

/** The asset's share token (refused when the asset has none). */
async function sharesOf(ctx: Awaited<ReturnType<typeof openContext>>, registry: AssetRegistry, assetId: bigint) {
  const at = await registry.sharesOf(assetId);
  if (at === ZeroAddress) throw new UserError(`asset ${assetId} has no shares (assets create-shares)`);
  return ctx.contract<AssetShares>("AssetShares", at, "the asset's shares");
}

export const mint = operatorTask(async (args: Args, hre) => {
  const ctx = await openContext(hre, args);
  const registry = await ctx.contract<AssetRegistry>("AssetRegistry", args.assets, "--assets");
  const assetId = uint(args.asset, "--asset");
  const shares = await sharesOf(ctx, registry, assetId);
  const decimals = Number(await shares.decimals());
  const symbol = await shares.symbol();
  const text =
    args.allocations.trim() !== ""
      ? readInput(args.allocations, "--allocations")
      : `${required(args.to, "--to (or --allocations)")},${required(args.amount, "--amount")}`;
  const allocations = assets.parseAllocations(ctx.ethers, text, decimals);
  const show = (n: bigint) => `${ctx.ethers.formatUnits(n, decimals).replace(/\.0$/, "")} ${symbol}`;
  const held = await assets.alreadyHeld(shares, allocations);
  if (held.length > 0 && !args.force) {
    const list = held.map((h) => `${h.to} holds ${show(h.balance)} >= ${show(h.amount)}`).join("; ");
    throw new UserError(
      `${held.length} recipient(s) already hold at least the amount to mint (already minted?): ${list}. ` +
        "Nothing was sent; --force mints anyway",
    );
  }
  const results = await assets.mintShares(shares, ctx.signer, allocations);
  for (const r of results)
    console.log(
      r.refused ? `  refused ${r.to} ${show(r.amount)}: ${r.refused}` : `  minted  ${r.to} ${show(r.amount)}`,
    );
  const refused = results.filter((r) => r.refused !== undefined).length;
  const summary = `minted ${results.length - refused} allocation(s), refused ${refused}; total supply ${show(await shares.totalSupply())}`;
  if (refused > 0 && (refused === results.length || !args.allowPartial)) {
    throw new UserError(`${summary}${refused < results.length ? "; --allow-partial accepts a partial mint" : ""}`);
  }
  console.log(summary);
});

export const status = operatorTask(async (args: Args, hre) => {
  const ctx = await openContext(hre, args, { readOnly: true });
  const registry = await ctx.contract<AssetRegistry>("AssetRegistry", args.assets, "--assets");
  const assetId = uint(args.asset, "--asset");
  const a = await registry.assetOf(assetId);
  if (Number(a.status) === 0) throw new UserError(`asset ${assetId} is not registered`);
  console.log(`asset ${assetId}`);
  console.log(
    `  status:       ${ASSET_STATUS[Number(a.status)]}${a.frozenByGovernance ? " (frozen by governance)" : ""}`,
  );
  console.log(
    `  class:        ${assets.ASSET_CLASSES[Number(a.assetClass)]}, jurisdiction ${ctx.ethers.toUtf8String(a.jurisdiction)}`,
  );
  console.log(`  issuer:       ${a.issuer}`);
  console.log(`  agent:        ${a.agent}${a.pendingAgent === ZeroAddress ? "" : ` (proposed: ${a.pendingAgent})`}`);
  console.log(`  metadata:     ${a.metadataURI}`);
  console.log(`  documents:    ${await registry.documentCount(assetId)}`);
  console.log(
    `  leased until: ${a.leasedUntil === 0n ? "not leased" : new Date(Number(a.leasedUntil) * 1000).toISOString()}`,
  );
  if (a.shares === ZeroAddress) console.log("  shares:       none");
  else {
    const shares = await ctx.ethers.getContractAt("AssetShares", a.shares);
    const decimals = Number(await shares.decimals());
    const supply = ctx.ethers.formatUnits(await shares.totalSupply(), decimals).replace(/\.0$/, "");
    console.log(`  shares:       ${await shares.symbol()} at ${a.shares}, ${decimals} decimals, supply ${supply}`);
  }
});
