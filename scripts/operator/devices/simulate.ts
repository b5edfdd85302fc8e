/**
 * Device simulator: creates N devices and streams signed readings to the registry in batches.
 *
 *   DEVICES=200 READINGS=2000 CURVE=mixed BATCH=100 npx hardhat run scripts/operator/devices/simulate.ts [--network <name>]
 *   (on an existing REGISTRY, the in-process chain needs ALLOW_IN_PROCESS=1)
 *
 * Environment:
 *   DEVICES   number of devices (default 100)           READINGS  number of readings (default 1,000)
 *   CURVE     secp256k1 | p256 | mixed | webauthn | rsa | all (default mixed; all = the four key kinds in turn:
 *             secp256k1, P-256, passkeys through WebAuthn, RSA-2048)     BATCH  readings per attestBatch tx (default 100)
 *   WEBAUTHN_VERIFIER, RSA_VERIFIER  the verifiers allowlisted in an existing REGISTRY's DeviceKeys (CURVE webauthn,
 *             rsa or all); a fresh registry gets both deployed and allowlisted
 *   SEED      32-byte hex seed of the device keys (default a fixed one): keys are derived, never stored
 *   REGISTRY  existing DeviceRegistry (SIGNER must be an admitted manufacturer's authority);
 *             absent: a fresh registry is deployed, SIGNER being governance and manufacturer
 *   MANUFACTURER  manufacturer account SIGNER signs for (default: SIGNER)
 *   SIGNER    the relaying account: index or address among the network's accounts (default 0)
 *   PROGRESS  1 / 0 forces the progress bar on / off (default: on when stdout is a terminal)
 */
import { operatorNetwork, runOperator, signerFromEnv } from "../../lib/cli.js";
import { UserError, envAddress, envCurve, envInt } from "./lib.js";
import { simulate } from "./simulator.js";

function verifiersFromEnv(ethers: Parameters<typeof envAddress>[0]) {
  const webauthn = envAddress(ethers, "WEBAUTHN_VERIFIER");
  const rsa = envAddress(ethers, "RSA_VERIFIER");
  return webauthn && rsa ? { webauthn, rsa } : undefined;
}

await runOperator(async () => {
  const { ethers } = await operatorNetwork({ readOnly: process.env.REGISTRY === undefined });
  const relayer = await signerFromEnv(ethers);
  const seed = process.env.SEED ?? ethers.id("plinth-device-simulator");
  if (!/^0x[0-9a-fA-F]{64}$/.test(seed)) throw new UserError(`SEED must be 32 bytes of hex, got "${seed}"`);
  const s = await simulate({
    ethers,
    relayer,
    registryAddress: envAddress(ethers, "REGISTRY"),
    manufacturer: envAddress(ethers, "MANUFACTURER"),
    devices: envInt("DEVICES", 100),
    readings: envInt("READINGS", 1000, 0),
    curve: envCurve(),
    verifiers: verifiersFromEnv(ethers),
    batch: envInt("BATCH", 100),
    seed,
    progress: process.env.PROGRESS === undefined ? undefined : process.env.PROGRESS === "1",
    log: (line) => console.error(line),
  });
  console.log(
    [
      `registry            ${s.registry}`,
      `devices             ${s.devices} (${s.registered} newly registered in ${s.registrationSeconds.toFixed(1)} s)`,
      `readings            ${s.readings} in ${s.batches} batches`,
      `accepted / rejected ${s.accepted} / ${s.rejected}`,
      `gas per attestation ${s.gasPerAttestation} (whole batch txs / readings)`,
      `throughput          ${s.readingsPerSecond.toFixed(1)} readings signed+accepted per second (${s.seconds.toFixed(1)} s)`,
      `peak RSS            ${s.peakRssMB} MB (whole process, including an in-process chain)`,
      `peak JS heap        ${s.peakHeapMB} MB`,
    ].join("\n"),
  );
});
