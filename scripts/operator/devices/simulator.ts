/**
 * The device simulator's engine (see scripts/operator/devices/simulate.ts for the command line).
 *
 * Streams: device keys are derived from a seed when needed (never stored), readings are generated
 * and signed one batch at a time, so memory stays flat for 10,000 devices / 100,000 readings.
 */
import { SingleBar, Presets } from "cli-progress";
import { id } from "ethers";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { DeviceRegistry } from "../../../types/ethers-contracts/index.js";
import { ReadingKinds, attestationMessage, makeDeviceDigester } from "../../../client/src/eip712/devices.js";
import type { DeviceSigner } from "../../../client/src/signers/devices.js";
import {
  type Curve,
  type Verifiers,
  UserError,
  curveOf,
  deployVerifiers,
  deployWithManufacturer,
  registryDomain,
  sendKeyAdmission,
  sendRegistration,
  simulatedDevice,
  simulatedRsaDevice,
  usesVerifiers,
} from "./lib.js";
import { mined } from "../../lib/cli.js";

export interface SimulationOptions {
  ethers: HardhatEthers;
  /** Relayer; also governance + manufacturer when a registry is deployed. */
  relayer: HardhatEthersSigner;
  /** An existing registry where `relayer` is an admitted manufacturer authority, or undefined to deploy one. */
  registryAddress?: string;
  /** Manufacturer account the relayer signs for (default: the relayer). */
  manufacturer?: string;
  devices: number;
  readings: number;
  curve: Curve;
  /**
   * The ERC-7913 verifiers allowlisted in an existing registry's DeviceKeys, for passkey and RSA devices
   * (`curve` webauthn, rsa or all). Deployed and allowlisted when the simulator deploys the registry.
   */
  verifiers?: Verifiers;
  batch: number;
  /** 32-byte hex seed of the device keys. */
  seed: string;
  /** Show a progress bar (default: when stdout is a TTY). */
  progress?: boolean;
  /** Plain progress lines (every ~10%) when no progress bar is shown, e.g. console.error in a log file. */
  log?: (line: string) => void;
  /** Device keys kept in memory at most (default 4,096). */
  cacheSize?: number;
  /**
   * Milliseconds the counters and odometers of this run are based on (default: Date.now(), so re-runs
   * on the same registry always present higher ones). The bench fixes it: the counter and odometer
   * bytes are calldata, so a clock-derived base made its gas figures differ from run to run.
   */
  clockBaseMs?: bigint;
}

export interface SimulationSummary {
  registry: string;
  devices: number;
  registered: number;
  readings: number;
  accepted: number;
  rejected: number;
  batches: number;
  gasUsed: bigint;
  gasPerAttestation: number;
  /** Odometer every device started this run from (clock-derived unless clockBaseMs, so re-runs never go back). */
  odometerBase: bigint;
  seconds: number;
  readingsPerSecond: number;
  registrationSeconds: number;
  /** Peak resident set of the whole process (includes an in-process chain's state). */
  peakRssMB: number;
  /** Peak JavaScript heap: what the simulator itself holds (flat when streaming). */
  peakHeapMB: number;
}

/** Bounded cache of derived device keys (RSA keys, generated, are kept in `rsa` for the whole run). */
class DeviceCache {
  private readonly map = new Map<number, DeviceSigner>();
  readonly rsa = new Map<number, DeviceSigner>();
  constructor(
    private readonly seed: string,
    private readonly curve: Curve,
    private readonly size: number,
    private readonly verifiers?: Verifiers,
  ) {}
  get(index: number): DeviceSigner {
    const generated = this.rsa.get(index);
    if (generated) return generated;
    let d = this.map.get(index);
    if (!d) {
      d = simulatedDevice(this.seed, index, this.curve, this.verifiers);
      if (this.map.size >= this.size) this.map.delete(this.map.keys().next().value!);
      this.map.set(index, d);
    }
    return d;
  }
}

/**
 * The order readings are produced in, streamed: devices are taken in windows of `window` devices (the key
 * cache size) and each window plays all its rounds before the next, so a key is derived about once per
 * run. Device i gets floor(R / N) readings, plus one if i < R mod N; round r of device i carries the
 * counter base + r + 1.
 */
export function* readingPlan(
  devices: number,
  readings: number,
  window: number,
): Generator<{ index: number; round: number }> {
  const base = Math.floor(readings / devices);
  const extra = readings % devices;
  const rounds = base + (extra > 0 ? 1 : 0);
  for (let w0 = 0; w0 < devices; w0 += window) {
    const w1 = Math.min(devices, w0 + window);
    for (let round = 0; round < rounds; round++) {
      for (let index = w0; index < w1; index++) {
        if (round < base || (round === base && index < extra)) yield { index, round };
      }
    }
  }
}

export async function simulate(o: SimulationOptions): Promise<SimulationSummary> {
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const sampleRss = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const showBar = o.progress ?? process.stdout.isTTY === true;
  const registry = o.registryAddress
    ? ((await o.ethers.getContractAt("DeviceRegistry", o.registryAddress, o.relayer)) as unknown as DeviceRegistry)
    : await deployWithManufacturer(o.ethers, o.relayer);
  const address = await registry.getAddress();
  const domain = await registryDomain(registry);
  const manufacturer = o.manufacturer ?? o.relayer.address;
  const cacheSize = o.cacheSize ?? 4096;
  let verifiers = o.verifiers;
  if (usesVerifiers(o.curve) && verifiers === undefined) {
    if (o.registryAddress) throw new UserError(`CURVE=${o.curve} on an existing registry needs its verifiers`);
    verifiers = await deployVerifiers(o.ethers, registry, o.relayer);
  }
  const cache = new DeviceCache(o.seed, o.curve, cacheSize, verifiers);
  for (let i = 0; i < o.devices; i++) {
    if (curveOf(o.curve, i) === "rsa") cache.rsa.set(i, await simulatedRsaDevice(verifiers!));
  }
  const digest = makeDeviceDigester(domain);

  // 1. Register the devices that are not registered yet, pipelined (explicit nonces, wait per chunk).
  const regStart = Date.now();
  let registered = 0;
  const bar = showBar
    ? new SingleBar({ format: "{phase} [{bar}] {value}/{total} | {extra}", hideCursor: true }, Presets.shades_classic)
    : undefined;
  bar?.start(o.devices, 0, { phase: "register", extra: "" });
  const CHUNK = 64;
  for (let start = 0; start < o.devices; start += CHUNK) {
    const end = Math.min(o.devices, start + CHUNK);
    let nonce = await o.relayer.getNonce("pending");
    const pending = [];
    for (let i = start; i < end; i++) {
      const d = cache.get(i);
      if (o.registryAddress && (await registry.statusOf(d.deviceId)) !== 0n) continue;
      const admission = await sendKeyAdmission(registry, d, nonce);
      if (admission !== null) {
        pending.push(admission);
        nonce++;
      }
      pending.push(await sendRegistration(registry, domain, manufacturer, o.relayer, d, `SIM-${o.seed}-${i}`, nonce++));
      registered++;
    }
    for (const tx of pending) await mined(tx);
    sampleRss();
    bar?.update(end, { phase: "register", extra: `${registered} new` });
    if (!bar && o.log && Math.floor((end * 10) / o.devices) > Math.floor((start * 10) / o.devices)) {
      o.log(`register ${end}/${o.devices} (${registered} new, ${((Date.now() - regStart) / 1000).toFixed(0)} s)`);
    }
  }
  bar?.stop();
  const registrationSeconds = (Date.now() - regStart) / 1000;

  // 2. Stream readings in readingPlan order with counters base + round + 1 (base from the clock, so
  //    re-runs on the same registry always present higher counters; fixed by the bench: clockBaseMs). Signed lazily, one batch at a time.
  const clockBase = o.clockBaseMs ?? BigInt(Date.now());
  const counterBase = clockBase << 20n;
  // Each device keeps its running total (odometer) of kind 1: base + the values it signed this run.
  const odometerBase = clockBase << 16n;
  const odometers = new Map<number, bigint>();
  const odometerOf = (index: number, value: number) => {
    const next = (odometers.get(index) ?? odometerBase) + BigInt(value);
    odometers.set(index, next);
    return next;
  };
  let accepted = 0;
  let rejected = 0;
  let gasUsed = 0n;
  let batches = 0;
  const acceptedTopic = registry.interface.getEvent("AttestationAccepted").topicHash;
  const rejectedTopic = registry.interface.getEvent("AttestationRejected").topicHash;
  const plan = readingPlan(o.devices, o.readings, cacheSize);
  const started = Date.now();
  bar?.start(o.readings, 0, { phase: "attest  ", extra: "" });
  for (let j0 = 0; j0 < o.readings; j0 += o.batch) {
    const n = Math.min(o.batch, o.readings - j0);
    const block = await o.ethers.provider.getBlock("latest");
    const ts = BigInt(block!.timestamp);
    const items = [];
    const sigs: string[] = [];
    for (let j = j0; j < j0 + n; j++) {
      const next = plan.next();
      if (next.done) throw new Error("reading plan ended early");
      const { index } = next.value;
      const round = BigInt(next.value.round);
      const d = cache.get(index);
      const att = attestationMessage({
        deviceId: d.deviceId,
        kind: ReadingKinds.ENERGY_WH,
        value: 1000 + (j % 97),
        odometer: odometerOf(index, 1000 + (j % 97)),
        payloadHash: id(`reading-${j}`),
        counter: counterBase + round + 1n,
        timestamp: ts,
      });
      items.push(att);
      sigs.push(await d.signDigest(digest("Attestation", att)));
    }
    const receipt = await mined(registry.attestBatch(items, sigs));
    if (!receipt) throw new Error("attestBatch: no receipt");
    gasUsed += receipt.gasUsed;
    batches++;
    for (const log of receipt.logs) {
      if (log.topics[0] === acceptedTopic) accepted++;
      else if (log.topics[0] === rejectedTopic) rejected++;
    }
    sampleRss();
    const secs = (Date.now() - started) / 1000;
    if (!bar && o.log && Math.floor(((j0 + n) * 10) / o.readings) > Math.floor((j0 * 10) / o.readings)) {
      o.log(
        `attest ${j0 + n}/${o.readings} (${accepted} ok, ${rejected} refused, ${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
    }
    bar?.update(j0 + n, {
      phase: "attest  ",
      extra: `${accepted} ok, ${rejected} refused, ${(accepted / Math.max(secs, 0.001)).toFixed(0)}/s`,
    });
  }
  bar?.stop();
  const seconds = (Date.now() - started) / 1000;
  return {
    registry: address,
    devices: o.devices,
    registered,
    readings: o.readings,
    accepted,
    rejected,
    batches,
    gasUsed,
    gasPerAttestation: o.readings === 0 ? 0 : Math.round(Number(gasUsed) / o.readings),
    odometerBase,
    seconds,
    readingsPerSecond: seconds === 0 ? 0 : accepted / seconds,
    registrationSeconds,
    peakRssMB: Math.round(peakRss / 1024 / 1024),
    peakHeapMB: Math.round(peakHeap / 1024 / 1024),
  };
}
