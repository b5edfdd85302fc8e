/**
 * Admits a manufacturer in a DeviceRegistry (run by governance, the first account of the network).
 *
 *   REGISTRY=0x... MANUFACTURER=0x... [SIGNER=0x...] npx hardhat run scripts/devices/register-manufacturer.ts --network <name>
 *
 * Environment:
 *   REGISTRY      the DeviceRegistry (required)
 *   MANUFACTURER  the manufacturer's account, which may suspend/resume its devices (required)
 *   SIGNER        its signing authority for registrations, an EOA or ERC-1271 wallet (default: MANUFACTURER)
 *   DEPLOY=1      deploy a fresh registry first, governed by the first account (then REGISTRY is ignored)
 */
import { network } from "hardhat";
import type { DeviceRegistry } from "../../types/ethers-contracts/index.js";
import { UsageError, envAddress } from "./lib.js";

try {
  const { ethers } = await network.getOrCreate();
  const [governance] = await ethers.getSigners();
  if (!governance) throw new UsageError("the network has no account (governance) to send with");
  let registry: DeviceRegistry;
  if (process.env.DEPLOY === "1") {
    registry = (await ethers.deployContract("DeviceRegistry", [governance.address])) as unknown as DeviceRegistry;
    await registry.waitForDeployment();
    console.log(`deployed DeviceRegistry at ${await registry.getAddress()} (governance ${governance.address})`);
  } else {
    const address = envAddress(ethers, "REGISTRY");
    if (!address) throw new UsageError("REGISTRY is required (or DEPLOY=1)");
    if ((await ethers.provider.getCode(address)) === "0x") throw new UsageError(`no contract at REGISTRY ${address}`);
    registry = (await ethers.getContractAt("DeviceRegistry", address, governance)) as unknown as DeviceRegistry;
  }
  const manufacturer = envAddress(ethers, "MANUFACTURER");
  if (!manufacturer) throw new UsageError("MANUFACTURER is required");
  const signer = envAddress(ethers, "SIGNER") ?? manufacturer;
  if (!(await registry.hasRole(await registry.DEFAULT_ADMIN_ROLE(), governance.address))) {
    throw new UsageError(`${governance.address} is not governance (DEFAULT_ADMIN_ROLE) of the registry`);
  }
  const [active] = await registry.manufacturerOf(manufacturer);
  if (active) throw new UsageError(`${manufacturer} is already an admitted manufacturer`);
  const receipt = await (await registry.admitManufacturer(manufacturer, signer)).wait();
  console.log(`admitted manufacturer ${manufacturer} (signing authority ${signer}) in tx ${receipt?.hash}`);
} catch (e) {
  if (e instanceof UsageError) {
    console.error(`error: ${e.message}`);
    process.exitCode = 1;
  } else throw e;
}
