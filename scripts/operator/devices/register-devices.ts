/**
 * Registers devices (signed by the manufacturer's signing authority = SIGNER). Two modes:
 *
 * - Seed mode (default): simulated devices whose keys are derived from SEED (so the simulator can use
 *   them), then claimed for an owner (each device signs its Claim). Prints each device id.
 *
 *     REGISTRY=0x... COUNT=10 CURVE=mixed OWNER=0x... npx hardhat run scripts/operator/devices/register-devices.ts --network <name>
 *
 * - KEYS mode: real devices from their public keys, read from a CSV file `key,model,firmwareHash,serialHash`
 *   (optional header). `key` is a PEM public key or JWK JSON (inside double quotes, JSON's quotes doubled),
 *   SPKI DER hex, or a SEC1 point with its curve `p256:04...` / `secp256k1:02...`; model, firmwareHash and
 *   serialHash are 32-byte hex or text (hashed with keccak256). Nothing is claimed in this mode: a Claim
 *   must be signed by the device's own key, which this script does not hold (the device signs it and the
 *   owner sends `claim`). One line per row: device id (hex and decimal), curve, and `registered`,
 *   `already registered` or `rejected: <reason>`. Rows rejected before sending (bad key, bad column,
 *   duplicate) stop the run before anything is sent, and any rejected row makes the exit code 1, unless
 *   ALLOW_PARTIAL=1 (the valid rows are registered, exit code 0).
 *
 *     REGISTRY=0x... KEYS=devices.csv npx hardhat run scripts/operator/devices/register-devices.ts --network <name>
 *
 * Environment:
 *   REGISTRY      the DeviceRegistry (required); SIGNER must be the signing authority of MANUFACTURER
 *   SIGNER        the signing account: index or address among the network's accounts (default 0)
 *   MANUFACTURER  manufacturer account (default: SIGNER)
 *   COUNT         devices to register (default 10)       FIRST  index of the first device (default 0)
 *   CURVE         secp256k1 | p256 | mixed (default mixed)
 *   SEED          32-byte hex seed of the device keys (default: the simulator's)
 *   OWNER         who receives the device tokens (default: SIGNER); CLAIM=0 skips claiming
 *   KEYS          CSV file of real device public keys (KEYS mode; COUNT, FIRST, CURVE, SEED, OWNER unused)
 *   ALLOW_PARTIAL=1  KEYS mode: register the valid rows even when some are rejected (exit code 0)
 */
import { envFlag, operatorNetwork, requireCode, runOperator, signerFromEnv, mined } from "../../lib/cli.js";
import { SingleBar, Presets } from "cli-progress";
import type { DeviceRegistry } from "../../../types/ethers-contracts/index.js";
import {
  UserError,
  envAddress,
  envCurve,
  envInt,
  formatDeviceId,
  registerKeys,
  registryDomain,
  sendClaim,
  sendRegistration,
  simulatedDevice,
} from "./lib.js";

await runOperator(async () => {
  const { ethers } = await operatorNetwork();
  const authority = await signerFromEnv(ethers);
  const address = envAddress(ethers, "REGISTRY");
  if (!address) throw new UserError("REGISTRY is required");
  await requireCode(ethers, address, "REGISTRY");
  const registry = (await ethers.getContractAt("DeviceRegistry", address, authority)) as unknown as DeviceRegistry;
  const manufacturer = envAddress(ethers, "MANUFACTURER") ?? authority.address;
  const [active, signer] = await registry.manufacturerOf(manufacturer);
  if (!active) throw new UserError(`${manufacturer} is not an admitted manufacturer (run register-manufacturer.ts)`);
  if (signer !== authority.address) {
    throw new UserError(
      `the signing account ${authority.address} is not the signing authority ${signer} of ${manufacturer}`,
    );
  }
  const domain = await registryDomain(registry);
  const keysFile = process.env.KEYS?.trim();
  if (keysFile) {
    await registerKeys(registry, domain, manufacturer, authority, keysFile, envFlag("ALLOW_PARTIAL"));
    return;
  }
  const count = envInt("COUNT", 10);
  const first = envInt("FIRST", 0, 0);
  const curve = envCurve();
  const seed = process.env.SEED ?? ethers.id("plinth-device-simulator");
  if (!/^0x[0-9a-fA-F]{64}$/.test(seed)) throw new UserError(`SEED must be 32 bytes of hex, got "${seed}"`);
  const owner = envAddress(ethers, "OWNER") ?? authority.address;
  const claim = process.env.CLAIM !== "0";
  const token = await ethers.getContractAt("DeviceToken", await registry.deviceToken());
  const bar = new SingleBar({ format: "devices [{bar}] {value}/{total} | {extra}" }, Presets.shades_classic);
  bar.start(count, 0, { extra: "" });
  let registered = 0;
  let claimed = 0;
  const lines: string[] = [];
  for (let i = first; i < first + count; i++) {
    const d = simulatedDevice(seed, i, curve);
    let status = "already registered";
    if ((await registry.statusOf(d.deviceId)) === 0n) {
      await mined(sendRegistration(registry, domain, manufacturer, authority, d, `${seed}-${i}`));
      registered++;
      status = "registered";
    }
    if (
      claim &&
      (await registry.statusOf(d.deviceId)) === 1n &&
      (await token.ownerOrZero(d.deviceId)) === ethers.ZeroAddress
    ) {
      const deadline = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 3600n;
      await mined(sendClaim(registry, domain, d, owner, deadline));
      claimed++;
      status += ", claimed";
    }
    lines.push(`device ${i}: ${formatDeviceId(d.deviceId)} ${curveName(d.keyType)} ${status}`);
    bar.update(i - first + 1, { extra: `${registered} registered, ${claimed} claimed` });
  }
  bar.stop();
  for (const line of lines) console.log(line);
  console.log(`${registered} devices registered, ${claimed} claimed for ${owner} (seed ${seed}, curve ${curve})`);
});

function curveName(keyType: number | bigint): string {
  return Number(keyType) === 2 ? "p256" : "secp256k1";
}
