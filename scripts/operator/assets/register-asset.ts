/**
 * Registers a real asset and appends its legal documents (SHA-256 of each file).
 * SIGNER (account index or address, default the first) signs as issuer (needs ISSUER_ROLE); the agent signs the documents.
 *
 *   REGISTRY=0x... ASSET_SALT=plant-berlin-7 ASSET_CLASS=solar JURISDICTION=DE \
 *   METADATA_URI=ipfs://... DOCUMENTS="deed.pdf|ipfs://Qm.../deed.pdf;permit.pdf" \
 *   npx hardhat run scripts/operator/assets/register-asset.ts --network <name>
 *
 * Environment:
 *   REGISTRY      required  AssetRegistry address
 *   SIGNER        optional  the issuer: account index or address (default 0)
 *   ASSET_SALT    required  any text (hashed) or a bytes32; assetId = keccak256(abi.encode(issuer, salt))
 *   ASSET_CLASS   required  solar | battery | building | charger | sensorFleet | other
 *   JURISDICTION  required  ISO-3166-1 alpha-2 code, e.g. DE
 *   METADATA_URI  optional  off-chain description (default: empty)
 *   AGENT         optional  agent address; must be one of the node's accounts (default: the issuer)
 *   DOCUMENTS     optional  "path|uri;path2|uri2" (uri defaults to the file name)
 */
import { operatorNetwork, requireCode, signerFromEnv } from "../../lib/cli.js";
import type { AssetRegistry } from "../../../types/ethers-contracts/index.js";
import {
  ASSET_CLASSES,
  type AssetClassName,
  parseDocumentList,
  registerAsset,
  requireAddressEnv,
  requireEnv,
  runCli,
  UserError,
} from "./lib.js";

await runCli(async () => {
  const env = process.env;
  const { ethers } = await operatorNetwork();
  const registryAddress = requireAddressEnv(ethers, env, "REGISTRY");
  await requireCode(ethers, registryAddress, "REGISTRY");
  const salt = requireEnv(env, "ASSET_SALT");
  const assetClass = requireEnv(env, "ASSET_CLASS");
  if (!(ASSET_CLASSES as readonly string[]).includes(assetClass))
    throw new UserError(`ASSET_CLASS must be one of ${ASSET_CLASSES.join(", ")}, got "${assetClass}"`);
  const jurisdiction = requireEnv(env, "JURISDICTION");
  const signers = await ethers.getSigners();
  const issuer = await signerFromEnv(ethers);
  let agent = issuer;
  if (env.AGENT) {
    const wanted = requireAddressEnv(ethers, env, "AGENT");
    const found = signers.find((s) => s.address === wanted);
    if (!found)
      throw new UserError(`AGENT ${wanted} is not one of this network's accounts: it must sign the documents`);
    agent = found;
  }
  const registry = (await ethers.getContractAt("AssetRegistry", registryAddress)) as unknown as AssetRegistry;
  const result = await registerAsset(ethers, registry, issuer, {
    salt,
    assetClass: assetClass as AssetClassName,
    jurisdiction,
    agent,
    metadataURI: env.METADATA_URI ?? "",
    documents: parseDocumentList(env.DOCUMENTS),
  });
  console.log(`asset ${result.assetId} registered (agent ${agent.address})`);
  for (const d of result.documents) console.log(`  document #${d.index} ${d.hash} ${d.uri}`);
});
