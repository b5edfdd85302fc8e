/**
 * Deploys the asset stack: AssetRegistry, IdentityRegistry, SharesBlueprint, ShareFactory, and grants
 * the factory SHARE_FACTORY_ROLE. The deploying account is governance for this run (it must sign the
 * grant); hand DEFAULT_ADMIN_ROLE to the real governance afterwards.
 *
 *   npx hardhat run scripts/operator/assets/deploy.ts --network <name>
 *
 * Environment:
 *   SIGNER        optional  the deploying account (governance for this run): index or address (default 0)
 *   INCOME_HOOKS  optional  address of the income distributor new share tokens notify (default: none)
 */
import { operatorNetwork, signerFromEnv } from "../../lib/cli.js";
import { deployAssetStack, runCli, UserError } from "./lib.js";

await runCli(async () => {
  const { ethers } = await operatorNetwork();
  const governance = await signerFromEnv(ethers);
  const hooks = process.env.INCOME_HOOKS?.trim() || ethers.ZeroAddress;
  if (!ethers.isAddress(hooks)) throw new UserError(`INCOME_HOOKS is not an address: "${hooks}"`);
  const { registry, identity, factory } = await deployAssetStack(ethers, governance, hooks);
  console.log(`AssetRegistry     ${await registry.getAddress()}`);
  console.log(`IdentityRegistry  ${await identity.getAddress()}`);
  console.log(`ShareFactory      ${await factory.getAddress()}`);
});
