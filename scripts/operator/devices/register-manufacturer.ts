/**
 * Admits a manufacturer in a DeviceRegistry (run by governance: SIGNER, an account index or address, default the
 * first account).
 *
 *   REGISTRY=0x... MANUFACTURER=0x... [SIGNING_AUTHORITY=0x...] npx hardhat run scripts/operator/devices/register-manufacturer.ts --network <name>
 *
 * Environment:
 *   REGISTRY      the DeviceRegistry (required)
 *   MANUFACTURER  the manufacturer's account, which may suspend/resume its devices (required)
 *   SIGNING_AUTHORITY  its signing authority for registrations, an EOA or ERC-1271 wallet (default:
 *                 MANUFACTURER; was SIGNER before SIGNER chose the sending account)
 *   SIGNER        the sending account (governance): index or address among the network's accounts (default 0)
 *   DEPLOY=1      deploy a fresh registry first, governed by SIGNER (then REGISTRY is ignored)
 */
import { operatorNetwork, requireCode, runOperator, signerFromEnv, mined } from "../../lib/cli.js";
import type { DeviceRegistry } from "../../../types/ethers-contracts/index.js";
import { UserError, envAddress } from "./lib.js";

await runOperator(async () => {
  const { ethers } = await operatorNetwork();
  const governance = await signerFromEnv(ethers);
  let registry: DeviceRegistry;
  if (process.env.DEPLOY === "1") {
    registry = (await ethers.deployContract(
      "DeviceRegistry",
      [governance.address],
      governance,
    )) as unknown as DeviceRegistry;
    await registry.waitForDeployment();
    console.log(`deployed DeviceRegistry at ${await registry.getAddress()} (governance ${governance.address})`);
  } else {
    const address = envAddress(ethers, "REGISTRY");
    if (!address) throw new UserError("REGISTRY is required (or DEPLOY=1)");
    await requireCode(ethers, address, "REGISTRY");
    registry = (await ethers.getContractAt("DeviceRegistry", address, governance)) as unknown as DeviceRegistry;
  }
  const manufacturer = envAddress(ethers, "MANUFACTURER");
  if (!manufacturer) throw new UserError("MANUFACTURER is required");
  const signer = envAddress(ethers, "SIGNING_AUTHORITY") ?? manufacturer;
  if (!(await registry.hasRole(await registry.DEFAULT_ADMIN_ROLE(), governance.address))) {
    throw new UserError(`${governance.address} is not governance (DEFAULT_ADMIN_ROLE) of the registry`);
  }
  const [active] = await registry.manufacturerOf(manufacturer);
  if (active) throw new UserError(`${manufacturer} is already an admitted manufacturer`);
  const receipt = await mined(registry.admitManufacturer(manufacturer, signer));
  console.log(`admitted manufacturer ${manufacturer} (signing authority ${signer}) in tx ${receipt?.hash}`);
});
