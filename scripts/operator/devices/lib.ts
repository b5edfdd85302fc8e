/** Helpers shared by the device scripts, the simulator, the bench and the tests. */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { Signer } from "ethers";
import type { DeviceRegistry } from "../../../types/ethers-contracts/index.js";
import {
  type KeyType,
  claimMessage,
  deviceDigest,
  deviceDomain,
  registerDeviceMessage,
  typesFor,
} from "../../../client/src/eip712/devices.js";
import type { DeviceSigner } from "../../../client/src/signers/devices.js";
import { Erc7913RegistrySigner, deterministicDeviceSigner } from "../../../client/src/signers/devices.js";
import { P256_N } from "../../../client/src/signers/p256.js";
import { WebCryptoRsaSigner } from "../../../client/src/signers/rsa.js";
import { DeterministicWebAuthnSigner } from "../../../client/src/signers/webauthn-authenticator.js";
import { KeyImportError, importDeviceKey, type DeviceKey } from "../../../client/src/keys.js";
import { parse } from "csv-parse/sync";
import {
  Contract,
  type ContractTransactionResponse,
  getBytes,
  id,
  keccak256,
  solidityPacked,
  toBeHex,
  type TypedDataDomain,
} from "ethers";
import { checkPrimeSync } from "node:crypto";
import { readFile } from "node:fs/promises";
import { UserError, describeRevert, mined } from "../../lib/cli.js";

/**
 * Key kinds of simulated devices: one kind, `mixed` (even secp256k1, odd P-256) or `all` (index mod 4:
 * secp256k1, P-256, a passkey through WebAuthn, an RSA-2048 key; the last two are ERC-7913 keys).
 */
export type Curve = "secp256k1" | "p256" | "mixed" | "webauthn" | "rsa" | "all";
/** The key kind of one simulated device. */
export type KeyKind = "secp256k1" | "p256" | "webauthn" | "rsa";
const CURVES: readonly Curve[] = ["secp256k1", "p256", "mixed", "webauthn", "rsa", "all"];

/** The ERC-7913 verifiers simulated passkeys and RSA keys name (the suite's WebAuthnVerifier and RsaVerifier). */
export interface Verifiers {
  webauthn: string;
  rsa: string;
}

/** The kernel's user error (scripts/lib/cli.ts): printed without a stack trace. */
export { UserError };

export function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < min) throw new UserError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

export function envCurve(name = "CURVE", fallback: Curve = "mixed"): Curve {
  const raw = (process.env[name] ?? fallback).toLowerCase() as Curve;
  if (!CURVES.includes(raw)) throw new UserError(`${name} must be one of ${CURVES.join(", ")}, got "${raw}"`);
  return raw;
}

export function envAddress(ethers: HardhatEthers, name: string): string | undefined {
  const raw = process.env[name];
  if (!raw) return undefined;
  if (!ethers.isAddress(raw)) throw new UserError(`${name} is not an address: "${raw}"`);
  return ethers.getAddress(raw);
}

/** Key kind of device `index` (mixed: even = secp256k1, odd = P-256; all: index mod 4 in KeyKind order). */
export function curveOf(curve: Curve, index: number): KeyKind {
  if (curve === "mixed") return index % 2 === 0 ? "secp256k1" : "p256";
  if (curve === "all") return (["secp256k1", "p256", "webauthn", "rsa"] as const)[index % 4]!;
  return curve;
}

/** Whether a run of `curve` has ERC-7913 devices (verifiers needed). */
export function usesVerifiers(curve: Curve): boolean {
  return curve === "webauthn" || curve === "rsa" || curve === "all";
}

/**
 * Device `index` of `seed`: the key is derived, never stored (a passkey: a P-256 key from the seed, signing
 * WebAuthn assertions deterministically). RSA keys are not derived here: {@link derivedRsaDevice} derives one (about
 * 70 ms) and {@link simulatedRsaDevice} generates a fresh one.
 */
export function simulatedDevice(seed: string, index: number, curve: Curve, verifiers?: Verifiers): DeviceSigner {
  const kind = curveOf(curve, index);
  if (kind === "secp256k1" || kind === "p256") return deterministicDeviceSigner(seed, index, kind);
  if (verifiers === undefined) throw new UserError(`device ${index} is a ${kind} key: the verifiers are needed`);
  if (kind === "rsa") throw new Error("RSA devices are generated: simulatedRsaDevice");
  for (let j = 0; ; j++) {
    const sk = BigInt(keccak256(solidityPacked(["bytes32", "string", "uint256", "uint256"], [seed, kind, index, j])));
    if (sk !== 0n && sk < P256_N) {
      return new Erc7913RegistrySigner(new DeterministicWebAuthnSigner(verifiers.webauthn, getBytes(toBeHex(sk, 32))));
    }
  }
}

/** A simulated RSA-2048 device: a fresh WebCrypto key pair (not derived from the seed: RSA key generation). */
export async function simulatedRsaDevice(verifiers: Verifiers): Promise<DeviceSigner> {
  return new Erc7913RegistrySigner(await WebCryptoRsaSigner.generate(verifiers.rsa));
}

/** Odd primes below 2,000: candidates divisible by one are skipped before the (native) primality test. */
const SMALL_PRIMES: readonly bigint[] = (() => {
  const out: bigint[] = [];
  for (let n = 3; n < 2_000; n += 2) if (out.every((p) => BigInt(n) % p !== 0n)) out.push(BigInt(n));
  return out;
})();

/** The first prime from a 1024-bit candidate derived from (seed, label): top two bits set, p - 1 prime to 65537. */
function derivedPrime(seed: string, label: string): bigint {
  const words = [0, 1, 2, 3].map((w) =>
    keccak256(solidityPacked(["bytes32", "string", "uint256"], [seed, label, w])).slice(2),
  );
  let x = BigInt(`0x${words.join("")}`) | (3n << 1022n) | 1n;
  for (; ; x += 2n) {
    if (SMALL_PRIMES.some((p) => x % p === 0n) || x % 65_537n === 1n) continue;
    if (checkPrimeSync(x)) return x;
  }
}

/** a^-1 mod m (a and m coprime). */
function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

const b64url = (x: bigint) => Buffer.from(toBeHex(x).slice(2), "hex").toString("base64url");

/**
 * RSA-2048 device `index` of `seed`, derived: two 1024-bit primes searched from seed-derived candidates (node's
 * native primality test, about 35 ms a prime), imported in WebCrypto (PKCS#1 v1.5 signatures are deterministic).
 * The same seed and index give the same key, hence the same signatures and calldata: what the bench needs to
 * write the same gas figures on every run. A test key: its derivation is public.
 */
export async function derivedRsaDevice(seed: string, index: number, verifiers: Verifiers): Promise<DeviceSigner> {
  const p = derivedPrime(seed, `rsa-p-${index}`);
  const q = derivedPrime(seed, `rsa-q-${index}`);
  const e = 65_537n;
  const d = modInverse(e, (p - 1n) * (q - 1n));
  const jwk = { kty: "RSA", n: b64url(p * q), e: b64url(e) };
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  const privateKey = await globalThis.crypto.subtle.importKey(
    "jwk",
    {
      ...jwk,
      d: b64url(d),
      p: b64url(p),
      q: b64url(q),
      dp: b64url(d % (p - 1n)),
      dq: b64url(d % (q - 1n)),
      qi: b64url(modInverse(q, p)),
    },
    algorithm,
    false,
    ["sign"],
  );
  const publicKey = await globalThis.crypto.subtle.importKey("jwk", jwk, algorithm, true, ["verify"]);
  return new Erc7913RegistrySigner(await WebCryptoRsaSigner.fromKeyPair(verifiers.rsa, privateKey, publicKey));
}

/**
 * Deploys the suite's two ERC-7913 verifiers and allowlists them in the registry's DeviceKeys (`governance`
 * must be the registry's governance).
 */
export async function deployVerifiers(
  ethers: HardhatEthers,
  registry: DeviceRegistry,
  governance: HardhatEthersSigner,
): Promise<Verifiers> {
  const keys = await ethers.getContractAt("DeviceKeys", await registry.deviceKeys(), governance);
  const webauthn = await (await ethers.deployContract("WebAuthnVerifier", [], governance)).getAddress();
  const rsa = await (await ethers.deployContract("RsaVerifier", [], governance)).getAddress();
  await mined(keys.setVerifier(webauthn, 1));
  await mined(keys.setVerifier(rsa, 2));
  return { webauthn, rsa };
}

const ADMIT_KEY_ABI = ["function admitKey(address verifier, bytes key) returns (bytes32)"];

/** Admits the key bytes of an ERC-7913 device in DeviceKeys (a no-op for the inline curves). Returns the tx or null. */
export async function sendKeyAdmission(registry: DeviceRegistry, device: DeviceSigner, nonce?: number) {
  if (!(device instanceof Erc7913RegistrySigner)) return null;
  const keys = new Contract(await registry.deviceKeys(), ADMIT_KEY_ABI, registry.runner);
  return (await keys.getFunction("admitKey")(
    device.verifier,
    device.key,
    nonce === undefined ? {} : { nonce },
  )) as ContractTransactionResponse;
}

export async function registryDomain(registry: DeviceRegistry): Promise<TypedDataDomain> {
  const runner = registry.runner;
  const provider = runner && "provider" in runner ? runner.provider : null;
  if (!provider) throw new Error("registry has no provider");
  const { chainId } = await provider.getNetwork();
  return deviceDomain(chainId, await registry.getAddress());
}

/** Deploys a registry governed by `governance`, which admits `manufacturer` with itself as authority. */
export async function deployWithManufacturer(
  ethers: HardhatEthers,
  governance: HardhatEthersSigner,
  manufacturer: HardhatEthersSigner = governance,
): Promise<DeviceRegistry> {
  const registry = (await ethers.deployContract(
    "DeviceRegistry",
    [governance.address],
    governance,
  )) as unknown as DeviceRegistry;
  await registry.waitForDeployment();
  await mined(registry.connect(governance).admitManufacturer(manufacturer.address, manufacturer.address));
  return registry;
}

/** What a RegisterDevice message says about a device besides its key. */
export interface DeviceFields {
  model: string;
  firmwareHash: string;
  serialHash: string;
}

/** A device key in the registry's form. */
export interface RegistryKey {
  keyType: KeyType;
  keyA: string;
  keyB: string;
}

/**
 * Sends registerDevice for the key `key` with `fields`, the manufacturer authority `authority` signing.
 * Returns the tx. Any key: a simulated device's or a real one's (client/src/keys.ts).
 */
export async function sendKeyRegistration(
  registry: DeviceRegistry,
  domain: TypedDataDomain,
  manufacturer: string,
  authority: Signer,
  key: RegistryKey,
  fields: DeviceFields,
  nonce?: number,
) {
  const reg = registerDeviceMessage({ manufacturer, keyType: key.keyType, keyA: key.keyA, keyB: key.keyB, ...fields });
  const sig = await authority.signTypedData(domain, typesFor("RegisterDevice"), reg);
  return registry.registerDevice(reg, sig, nonce === undefined ? {} : { nonce });
}

/** Sends registerDevice for simulated `device` (model and firmware of the simulator). Returns the tx. */
export async function sendRegistration(
  registry: DeviceRegistry,
  domain: TypedDataDomain,
  manufacturer: string,
  authority: Signer,
  device: DeviceSigner,
  serial: string,
  nonce?: number,
) {
  const fields = { model: id("plinth-sim-meter"), firmwareHash: id("plinth-sim-fw-1"), serialHash: id(serial) };
  return sendKeyRegistration(registry, domain, manufacturer, authority, device, fields, nonce);
}

/** Sends claim for `device` to `owner` (the device signs; the registry's current nonce is read). */
export async function sendClaim(
  registry: DeviceRegistry,
  domain: TypedDataDomain,
  device: DeviceSigner,
  owner: string,
  deadline: bigint,
  nonce?: number,
) {
  const info = await registry.deviceInfo(device.deviceId);
  const msg = claimMessage({ deviceId: device.deviceId, owner, nonce: info.nonce, deadline });
  const sig = await device.signDigest(deviceDigest(domain, "Claim", msg));
  return registry.claim(msg.deviceId, msg.owner, msg.deadline, sig, nonce === undefined ? {} : { nonce });
}

/** A device of a KEYS file: its imported public key and registration fields. */
export interface KeyRow {
  /** 1-based data row (the header not counted). */
  row: number;
  key: DeviceKey;
  fields: DeviceFields;
}

export interface RejectedKeyRow {
  row: number;
  reason: string;
  /** The device id, when the key itself was readable. */
  key?: DeviceKey;
}

/** A bytes32 field of a KEYS row: 32-byte hex as is, other text hashed (keccak256 of its UTF-8). */
function bytes32Field(name: string, raw: string | undefined): string {
  const v = (raw ?? "").trim();
  if (v === "") throw new UserError(`${name} is empty`);
  return /^0x[0-9a-fA-F]{64}$/.test(v) ? v.toLowerCase() : id(v);
}

/**
 * Parses a KEYS file: CSV `key,model,firmwareHash,serialHash` (an optional header line starting with
 * "key" is skipped; a PEM key or JWK JSON in double quotes, JSON's quotes doubled). `key` is any form
 * client/src/keys.ts imports (PEM, DER hex, JWK, `<curve>:<SEC1 hex>`); model, firmwareHash and
 * serialHash are 32-byte hex or text (hashed with keccak256). Bad keys, bad columns and a key already
 * seen earlier in the file are rejected with a reason.
 */
export function parseKeyCsv(text: string): { rows: KeyRow[]; rejected: RejectedKeyRow[] } {
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true, comment: "#" }) as string[][];
  } catch (e) {
    throw new UserError(`the KEYS file is not valid CSV: ${(e as Error).message}`);
  }
  if (records.length > 0 && records[0]![0]?.toLowerCase() === "key") records = records.slice(1);
  const rows: KeyRow[] = [];
  const rejected: RejectedKeyRow[] = [];
  const seen = new Map<bigint, number>();
  records.forEach((record, i) => {
    const row = i + 1;
    let key: DeviceKey | undefined;
    try {
      if (record.length !== 4) {
        throw new UserError(`expected 4 columns (key,model,firmwareHash,serialHash), got ${record.length}`);
      }
      try {
        key = importDeviceKey(record[0]!);
      } catch (e) {
        throw new UserError(e instanceof KeyImportError ? e.message : `unreadable key: ${(e as Error).message}`);
      }
      const fields = {
        model: bytes32Field("model", record[1]),
        firmwareHash: bytes32Field("firmwareHash", record[2]),
        serialHash: bytes32Field("serialHash", record[3]),
      };
      const earlier = seen.get(key.deviceId);
      if (earlier !== undefined) throw new UserError(`the same key as row ${earlier}`);
      seen.set(key.deviceId, row);
      rows.push({ row, key, fields });
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      rejected.push({ row, reason: e.message, key });
    }
  });
  return { rows, rejected };
}

/** A device id as printed by the scripts: 32-byte hex and decimal. */
export function formatDeviceId(deviceId: bigint): string {
  return `${toBeHex(deviceId, 32)} (${deviceId})`;
}

/**
 * Registers the real devices of a CSV file of public keys (parseKeyCsv), signed by the manufacturer's
 * signing authority: one line per row (device id, curve, registered / already registered / rejected).
 * Rows rejected before sending stop the run before anything is sent, and any rejected row is a
 * UserError, unless `partial` (the valid rows are registered). Used by
 * scripts/operator/devices/register-devices.ts (KEYS mode) and the `devices register` task.
 */
export async function registerKeys(
  registry: DeviceRegistry,
  domain: TypedDataDomain,
  manufacturer: string,
  authority: HardhatEthersSigner | Signer,
  file: string,
  partial: boolean,
  /** How the caller allows a partial run (the script's variable; the task passes its flag). */
  partialHint = "set ALLOW_PARTIAL=1",
): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new UserError(`cannot read KEYS file "${file}"`);
  }
  const { rows, rejected } = parseKeyCsv(text);
  const id = (key?: { deviceId: bigint; curve: string }) =>
    key ? `${formatDeviceId(key.deviceId)} ${key.curve}` : "-";
  for (const r of rejected) console.log(`row ${r.row}: ${id(r.key)} rejected: ${r.reason}`);
  if (rows.length === 0) throw new UserError(`${rejected.length} row(s) rejected, no valid row: nothing was sent`);
  if (rejected.length > 0 && !partial) {
    for (const r of rows) console.log(`row ${r.row}: ${id(r.key)} valid, not sent`);
    throw new UserError(
      `${rows.length} valid row(s), ${rejected.length} rejected: nothing was sent; fix the rows or ${partialHint} to register the valid ones`,
    );
  }
  let registered = 0;
  let already = 0;
  let refused = 0;
  for (const r of rows) {
    let status: string;
    if ((await registry.statusOf(r.key.deviceId)) !== 0n) {
      status = "already registered";
      already++;
    } else {
      try {
        await mined(sendKeyRegistration(registry, domain, manufacturer, authority, r.key, r.fields));
        status = "registered";
        registered++;
      } catch (error) {
        status = `rejected: ${describeRevert(error, [registry.interface])}`;
        refused++;
      }
    }
    console.log(`row ${r.row}: ${id(r.key)} ${status}`);
  }
  const summary =
    `${registered} registered, ${already} already registered, ${rejected.length + refused} rejected ` +
    `(manufacturer ${manufacturer}; not claimed: each device signs its own Claim)`;
  console.log(summary);
  if (refused > 0 && !partial) {
    throw new UserError(`${refused} registration(s) refused (see above); ${partialHint} to accept a partial run`);
  }
}
