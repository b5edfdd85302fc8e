/**
 * `npm run evm:check` (issue 14, "The EVM the networks really run"): the production contracts are
 * compiled once, for `prague` (hardhat.config.ts), and this runner proves that the same bytecode
 * works on each EVM the README's networks run, and which P-256 path it takes there:
 *
 * - `pragueSim`: an L1 simulated chain, hardfork prague: no P-256 precompile, so OpenZeppelin's
 *   `P256.verify` falls back to its Solidity implementation;
 * - `opSim`: Hardhat's OP Stack chain type (isthmus): the RIP-7212 precompile at 0x100;
 * - `default`: the L1 simulated chain the tests run on, hardfork osaka: the EIP-7951 precompile at 0x100.
 *
 * On each chain: the precompile is probed at 0x100 (a direct call with a Wycheproof vector, and
 * OpenZeppelin's P256 through contracts/test/P256Probe.sol); the whole suite is deployed with the
 * production fixture (scripts/lib/fixture.ts, the Ignition modules of deploy/suite.ts); then a
 * device-to-income scenario runs: an asset with shares for two holders, a P-256 device and a
 * secp256k1 device registered by their manufacturer, claimed, bound to the asset, two readings
 * attested by each (events and stored readings checked exactly), a tampered P-256 reading refused,
 * the income of the metered units deposited to the asset's holders and claimed, with exact balances.
 *
 * Which P-256 path an attestation took is read from the transaction itself (callTracer): with a
 * precompile, the registry's one call to 0x100 answers 1; without, 0x100 answers nothing (OpenZeppelin
 * calls it twice: the signature, then a known-valid vector to tell "absent" from "invalid") and the
 * verification runs in Solidity, which the gas shows. The runner fails if the path is not the one
 * expected of that chain, if the deployed DeviceRegistry code differs between chains, or if any
 * check of the scenario fails.
 *
 * Gas figures are whole-transaction gas of the second reading of each device (its slots go
 * nonzero -> nonzero, as `devices.attest.*` of reports/gas.json). Keys are deterministic (client's
 * deterministicDeviceSigner: RFC 6979 signatures) and every signed timestamp and deadline is fixed
 * against a chain started at a fixed date, so the same tree gives the same figures on every run.
 *
 * Prints one line per chain (chain, P-256 path, gas of `devices.attest.p256` and
 * `devices.attest.secp256k1`, PASS/FAIL), writes reports/evm.json and reports/evm.md (rewritten only
 * when their content changes) and exits 1 on any failure.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Interface, id, keccak256, type Log, type TransactionReceipt } from "ethers";
import hre from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { deployedSuite } from "../lib/fixture.js";
import {
  KeyType,
  attestationMessage,
  claimMessage,
  deviceDigest,
  deviceDomain,
  registerDeviceMessage,
  typesFor,
  type Attestation,
} from "../../client/src/eip712/devices.js";
import { deterministicDeviceSigner, type DeviceSigner } from "../../client/src/signers/devices.js";
import type { AssetShares, P256Probe } from "../../types/ethers-contracts/index.js";

const ROOT = hre.config.paths.root;
const P256VERIFY = "0x0000000000000000000000000000000000000100";
/** 2026-01-01T00:00:00Z: every chain starts here; signed timestamps and deadlines are fixed from it. */
const EPOCH = 1_767_225_600;
/** Wycheproof ecdsa_secp256r1_sha256_p1363 vector with small r and s (OpenZeppelin's presence probe). */
const VECTOR = {
  h: "0xbb5a52f42f9c9261ed4361f59422a1e30036e7c32b270c8807a419feca605023",
  r: "0x0000000000000000000000000000000000000000000000000000000000000005",
  s: "0x0000000000000000000000000000000000000000000000000000000000000001",
  x: "0xa71af64de5126a4a4e02b7922d66ce9415ce88a4c9d25514d91082c8725ac957",
  y: "0x5d47723c8fbe580bb369fec9c2665d8e30a435b9932645482e7c9f11e872296b",
} as const;
const TRUE_WORD = "0x" + "00".repeat(31) + "01";
/** One P-256 verification in Solidity costs ~200k gas more than a precompile call: the paths cannot be confused. */
const FALLBACK_MIN_EXTRA_GAS = 100_000;
const USDC = (n: bigint) => n * 10n ** 6n;
/** Reading kind 1 (energy, Wh), tariff in USDC base units per unit. */
const KIND = 1;
const TARIFF = USDC(2n);
const RESERVE_BPS = 1_000n;
const HOLDERS = { alice: 600n, bob: 400n } as const;
const SEED = id("plinth-evm-check");

type Path = "precompile" | "Solidity fallback";

interface Target {
  network: string;
  label: string;
  chainType: string;
  hardfork: string;
  expected: Path;
  /** What answers at 0x100 on that chain. */
  precompile: string;
}

const TARGETS: Target[] = [
  {
    network: "pragueSim",
    label: "prague (L1 before Fusaka)",
    chainType: "l1",
    hardfork: "prague",
    expected: "Solidity fallback",
    precompile: "none",
  },
  {
    network: "opSim",
    label: "OP Stack (isthmus)",
    chainType: "op",
    hardfork: "isthmus",
    expected: "precompile",
    precompile: "RIP-7212",
  },
  {
    network: "default",
    label: "osaka (L1, Fusaka)",
    chainType: "l1",
    hardfork: "osaka",
    expected: "precompile",
    precompile: "EIP-7951",
  },
];

interface ChainResult {
  network: string;
  chain: string;
  chainType: string;
  hardfork: string;
  precompileAt0x100: string;
  p256Path: Path | "unknown";
  gas: {
    "devices.attest.p256": number;
    "devices.attest.secp256k1": number;
    "P256Probe.verify": number;
  };
  /** keccak256 of the DeviceRegistry's deployed code (the same on every chain). */
  deviceRegistryCodeHash: string;
  checks: number;
  failures: string[];
  pass: boolean;
}

interface CallFrame {
  to?: string;
  input?: string;
  output?: string;
  error?: string;
  calls?: CallFrame[];
}

/** Every frame of a callTracer tree that calls `to`. */
function callsTo(frame: CallFrame, to: string): CallFrame[] {
  const own = frame.to?.toLowerCase() === to.toLowerCase() ? [frame] : [];
  return [...own, ...(frame.calls ?? []).flatMap((c) => callsTo(c, to))];
}

class Checks {
  count = 0;
  readonly failures: string[] = [];
  that(ok: boolean, what: string): void {
    this.count++;
    if (!ok) this.failures.push(what);
  }
  equal(actual: unknown, expected: unknown, what: string): void {
    this.that(String(actual) === String(expected), `${what}: expected ${String(expected)}, got ${String(actual)}`);
  }
}

/** The one `name` event of `iface` in `receipt` emitted by `address`, as [arg0, arg1, ...]. */
function eventArgs(receipt: TransactionReceipt, iface: Interface, address: string, name: string): unknown[][] {
  return receipt.logs
    .filter((l: Log) => l.address.toLowerCase() === address.toLowerCase())
    .map((l) => iface.parseLog(l))
    .filter((e) => e?.name === name)
    .map((e) => [...e!.args]);
}

async function runChain(target: Target): Promise<ChainResult> {
  const c = new Checks();
  const result: ChainResult = {
    network: target.network,
    chain: target.label,
    chainType: target.chainType,
    hardfork: target.hardfork,
    precompileAt0x100: target.precompile,
    p256Path: "unknown",
    gas: { "devices.attest.p256": 0, "devices.attest.secp256k1": 0, "P256Probe.verify": 0 },
    deviceRegistryCodeHash: "",
    checks: 0,
    failures: c.failures,
    pass: false,
  };
  const connection: NetworkConnection<string> = await hre.network.create({
    network: target.network,
    override: { initialDate: new Date(EPOCH * 1000) },
  });
  try {
    await scenario(connection, target, c, result);
  } catch (error) {
    c.failures.push(`scenario stopped: ${(error as Error).message.split("\n")[0]}`);
  } finally {
    await connection.close();
  }
  result.checks = c.count;
  result.pass = c.failures.length === 0;
  return result;
}

async function scenario(
  connection: NetworkConnection<string>,
  target: Target,
  c: Checks,
  result: ChainResult,
): Promise<void> {
  const { ethers } = connection;
  const config = connection.networkConfig as { chainType?: string; hardfork?: string };
  c.equal(config.chainType, target.chainType, "network chain type");
  c.equal(config.hardfork, target.hardfork, "network hardfork");

  // 1. The precompile, probed directly and through OpenZeppelin's P256.
  const hasPrecompile = target.expected === "precompile";
  c.equal(await ethers.provider.getCode(P256VERIFY), "0x", "code at 0x100 (a precompile has none)");
  const direct = await ethers.provider.call({
    to: P256VERIFY,
    data: ethers.concat([VECTOR.h, VECTOR.r, VECTOR.s, VECTOR.x, VECTOR.y]),
  });
  c.equal(direct, hasPrecompile ? TRUE_WORD : "0x", "0x100 on a valid P-256 vector");
  const [deployer] = await ethers.getSigners();
  const probe = (await ethers.deployContract("P256Probe", [], deployer)) as unknown as P256Probe;
  await probe.waitForDeployment();
  c.equal(await probe.verify(VECTOR.h, VECTOR.r, VECTOR.s, VECTOR.x, VECTOR.y), true, "P256.verify(vector)");
  c.equal(await probe.verify(id("other"), VECTOR.r, VECTOR.s, VECTOR.x, VECTOR.y), false, "P256.verify(wrong hash)");
  const probeTx = await deployer!.sendTransaction(
    await probe.verify.populateTransaction(VECTOR.h, VECTOR.r, VECTOR.s, VECTOR.x, VECTOR.y),
  );
  result.gas["P256Probe.verify"] = Number((await probeTx.wait())!.gasUsed);

  // 2. The suite, deployed as in production.
  const suite = await deployedSuite(connection);
  const { devices, assets, identity, distributor, factory, payoutToken: usdc, roles } = suite;
  const signers = await ethers.getSigners();
  const [agent, alice, bob, operator, relayer, payer] = signers.slice(8, 14) as typeof signers;
  const registryAddress = await devices.getAddress();
  result.deviceRegistryCodeHash = keccak256(await ethers.provider.getCode(registryAddress));
  const { chainId } = await ethers.provider.getNetwork();
  const domain = deviceDomain(chainId, registryAddress);

  // 3. An asset with shares for two KYC'd holders; income is paid in the test USDC.
  const salt = id("evm-check-asset");
  const assetId = await assets.computeAssetId(roles.issuer.address, salt);
  await (await assets.connect(roles.issuer).registerAsset(salt, 0, "0x4445", agent!.address, "ipfs://evm")).wait();
  const sharesAddress = await factory.predictShares(assetId);
  await (await factory.connect(agent).createShares(assetId, "EVM Check Plant", "EVM", 0)).wait();
  const shares = (await ethers.getContractAt("AssetShares", sharesAddress)) as unknown as AssetShares;
  const expiry = BigInt(EPOCH + 365 * 86_400);
  await (
    await identity.connect(roles.kycAgent).setIdentities([alice!.address, bob!.address], [276, 276], [expiry, expiry])
  ).wait();
  await (await shares.connect(agent).mint(alice!.address, HOLDERS.alice)).wait();
  await (await shares.connect(agent).mint(bob!.address, HOLDERS.bob)).wait();
  await (await distributor.connect(agent).setReserveRate(assetId, RESERVE_BPS)).wait();
  const u = await usdc.getAddress();
  await (await distributor.connect(agent).registerPayoutToken(assetId, u)).wait();

  // 4. Two devices: registered by the manufacturer's authority, claimed by their operator, bound.
  const fleet: Record<"p256" | "secp256k1", DeviceSigner> = {
    p256: deterministicDeviceSigner(SEED, 0, "p256"),
    secp256k1: deterministicDeviceSigner(SEED, 0, "secp256k1"),
  };
  c.equal(fleet.p256.keyType, KeyType.P256, "P-256 device key type");
  for (const [curve, device] of Object.entries(fleet)) {
    const reg = registerDeviceMessage({
      manufacturer: roles.manufacturer.address,
      keyType: device.keyType,
      keyA: device.keyA,
      keyB: device.keyB,
      model: id("plinth-meter-v1"),
      firmwareHash: id("firmware-1.0.0"),
      serialHash: id(`evm-check-${curve}`),
    });
    const regSig = await roles.manufacturerSigner.signTypedData(domain, typesFor("RegisterDevice"), reg);
    await (await devices.connect(relayer).registerDevice(reg, regSig)).wait();
    const claim = claimMessage({ deviceId: device.deviceId, owner: operator!.address, deadline: EPOCH + 86_400 });
    const claimSig = await device.signDigest(deviceDigest(domain, "Claim", claim));
    await (await devices.connect(relayer).claim(claim.deviceId, claim.owner, claim.deadline, claimSig)).wait();
    c.equal(await devices.ownerOf(device.deviceId), operator!.address, `${curve} device owner after claim`);
    await (await devices.connect(operator).bindToAsset(device.deviceId, assetId)).wait();
    await (await devices.connect(agent).confirmBind(device.deviceId, assetId)).wait();
    c.equal(await devices.assetOf(device.deviceId), assetId, `${curve} device bound to the asset`);
  }

  // 5. Readings: two per device (odometer = the device's running total), relayed by a third party.
  const readings = [
    { counter: 1n, value: 100n, odometer: 100n },
    { counter: 2n, value: 150n, odometer: 250n },
  ];
  const iface = devices.interface;
  for (const [curve, device] of Object.entries(fleet) as ["p256" | "secp256k1", DeviceSigner][]) {
    for (const [i, r] of readings.entries()) {
      const att: Attestation = attestationMessage({
        deviceId: device.deviceId,
        kind: KIND,
        value: r.value,
        odometer: r.odometer,
        payloadHash: id(`evm-check-${curve}-${r.counter}`),
        counter: r.counter,
        timestamp: EPOCH + 60 + Number(r.counter),
      });
      const sig = await device.signDigest(deviceDigest(domain, "Attestation", att));
      if (curve === "p256" && i === 1) {
        // A tampered reading (value changed after signing) is refused on every path.
        const forged = { ...att, value: att.value + 1n };
        let refused = "";
        try {
          await devices.connect(relayer).attest.staticCall(forged, sig);
        } catch (error) {
          const data = (error as { data?: string }).data;
          refused = data ? (iface.parseError(data)?.name ?? "unknown") : "no data";
        }
        c.equal(refused, "InvalidDeviceSignature", "tampered P-256 reading refused");
      }
      const tx = await devices.connect(relayer).attest(att, sig);
      const receipt = (await tx.wait())!;
      c.equal(receipt.status, 1, `${curve} reading ${r.counter} mined`);
      const accepted = eventArgs(receipt, iface, registryAddress, "AttestationAccepted");
      c.equal(
        JSON.stringify(accepted.map((a) => a.map(String))),
        JSON.stringify([[device.deviceId, KIND, r.counter, r.value, r.odometer].map(String)]),
        `${curve} reading ${r.counter}: AttestationAccepted(deviceId, kind, counter, value, odometer)`,
      );
      const stored = await devices.latestReading(device.deviceId, KIND);
      c.equal(
        [stored.counter, stored.timestamp, stored.value, stored.odometer].join(","),
        [att.counter, att.timestamp, att.value, att.odometer].join(","),
        `${curve} reading ${r.counter} stored`,
      );
      if (i === readings.length - 1) {
        result.gas[`devices.attest.${curve}`] = Number(receipt.gasUsed);
        const trace = (await ethers.provider.send("debug_traceTransaction", [
          tx.hash,
          { tracer: "callTracer" },
        ])) as CallFrame;
        const calls = callsTo(trace, P256VERIFY);
        if (curve === "secp256k1") {
          c.equal(calls.length, 0, "secp256k1 attestation calls 0x100");
        } else if (calls.length === 1 && calls[0]!.output === TRUE_WORD) {
          result.p256Path = "precompile";
        } else if (calls.length > 0 && calls.every((f) => (f.output ?? "0x") === "0x" && f.error === undefined)) {
          result.p256Path = "Solidity fallback";
        } else {
          c.that(false, `P-256 attestation: unexpected calls to 0x100: ${JSON.stringify(calls)}`);
        }
      }
    }
  }
  c.equal(result.p256Path, target.expected, "P-256 path of the attestation (callTracer)");
  const extra = result.gas["devices.attest.p256"] - result.gas["devices.attest.secp256k1"];
  c.that(
    target.expected === "Solidity fallback" ? extra > FALLBACK_MIN_EXTRA_GAS : extra < FALLBACK_MIN_EXTRA_GAS,
    `P-256 attestation costs ${extra} gas more than secp256k1: not the ${target.expected}'s cost`,
  );

  // 6. Income: the metered units at the tariff, deposited to the asset's holders and claimed.
  let units = 0n;
  for (const device of Object.values(fleet)) units += (await devices.latestReading(device.deviceId, KIND)).odometer;
  const amount = units * TARIFF;
  c.equal(amount, USDC(1_000n), "income of the metered units");
  await (await usdc.mint(payer!.address, amount)).wait();
  await (await usdc.connect(payer).approve(await distributor.getAddress(), amount)).wait();
  const depositReceipt = (await (await distributor.connect(payer).deposit(assetId, u, amount)).wait())!;
  const fee = (amount * BigInt(suite.parameters.protocolFeeBps)) / 10_000n;
  const reserve = (amount * RESERVE_BPS) / 10_000n;
  const toHolders = amount - fee - reserve;
  c.equal(
    JSON.stringify(
      eventArgs(depositReceipt, distributor.interface, await distributor.getAddress(), "IncomeDeposited").map((a) =>
        a.map(String),
      ),
    ),
    JSON.stringify([[assetId, u, payer!.address, amount, amount, reserve, fee, toHolders].map(String)]),
    "IncomeDeposited(assetId, token, depositor, amount, received, reserve, fee, toHolders)",
  );
  const supply = HOLDERS.alice + HOLDERS.bob;
  for (const [name, holder, held] of [
    ["alice", alice!, HOLDERS.alice],
    ["bob", bob!, HOLDERS.bob],
  ] as const) {
    const due = (toHolders * held) / supply;
    c.equal(await distributor.claimableOf(assetId, u, holder.address), due, `${name}'s claimable income`);
    const before = await usdc.balanceOf(holder.address);
    const claimReceipt = (await (await distributor.connect(holder).claim(assetId, u, holder.address)).wait())!;
    c.equal(
      JSON.stringify(
        eventArgs(claimReceipt, distributor.interface, await distributor.getAddress(), "IncomeClaimed").map((a) =>
          a.map(String),
        ),
      ),
      JSON.stringify([[assetId, u, holder.address, holder.address, due].map(String)]),
      `${name}: IncomeClaimed(assetId, token, holder, to, amount)`,
    );
    c.equal((await usdc.balanceOf(holder.address)) - before, due, `${name}'s USDC received`);
    c.equal(await distributor.claimableOf(assetId, u, holder.address), 0n, `${name}'s claimable after the claim`);
  }
  c.equal(await usdc.balanceOf(await distributor.vaultOf(assetId)), reserve + fee, "asset vault keeps reserve + fee");
}

// ---------------------------------------------------------------------------------------------------

function writeIfChanged(file: string, content: string): boolean {
  if (existsSync(file) && readFileSync(file, "utf8") === content) return false;
  writeFileSync(file, content);
  return true;
}

const fmt = (n: number) => (n === 0 ? "-" : n.toLocaleString("en-US"));

const started = Date.now();
const results: ChainResult[] = [];
for (const target of TARGETS) {
  process.stdout.write(`evm:check ${target.network} (${target.chainType}, ${target.hardfork}) ... `);
  const t0 = Date.now();
  const r = await runChain(target);
  results.push(r);
  console.log(`${r.pass ? "PASS" : "FAIL"} (${r.checks} checks, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  for (const f of r.failures) console.log(`  - ${f}`);
}
// One bytecode: the DeviceRegistry deployed on every chain is the same code.
const hashes = new Set(results.map((r) => r.deviceRegistryCodeHash).filter((h) => h !== ""));
const oneBytecode = hashes.size === 1 && results.every((r) => r.deviceRegistryCodeHash !== "");
if (!oneBytecode) {
  for (const r of results) {
    r.failures.push("the DeviceRegistry code differs between chains (or was not deployed)");
    r.pass = false;
  }
}

const header = ["chain", "network", "P-256 path", "devices.attest.p256", "devices.attest.secp256k1", "result"];
const rows = results.map((r) => [
  `${r.chain}`,
  r.network,
  r.p256Path === "precompile" ? `precompile (${r.precompileAt0x100})` : r.p256Path,
  fmt(r.gas["devices.attest.p256"]),
  fmt(r.gas["devices.attest.secp256k1"]),
  r.pass ? "PASS" : "FAIL",
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) =>
  cells.map((cell, i) => (i >= 3 && i <= 4 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join("  ");
console.log("");
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const row of rows) console.log(line(row));

const evmVersion = (hre.config.solidity.profiles.production?.compilers[0]?.settings as { evmVersion?: string })
  ?.evmVersion;
const report = {
  generatedBy: "npm run evm:check (scripts/tooling/evm-check.ts)",
  compiledFor: { evmVersion, solc: hre.config.solidity.profiles.production?.compilers[0]?.version },
  oneBytecode,
  chains: results.map((r) => ({
    network: r.network,
    chain: r.chain,
    chainType: r.chainType,
    hardfork: r.hardfork,
    precompileAt0x100: r.precompileAt0x100,
    p256Path: r.p256Path,
    gas: r.gas,
    deviceRegistryCodeHash: r.deviceRegistryCodeHash,
    checks: r.checks,
    result: r.pass ? "PASS" : "FAIL",
    failures: r.failures,
  })),
};
const md = [
  "# EVM targets",
  "",
  `Generated by \`npm run evm:check\` (scripts/tooling/evm-check.ts). The production contracts are compiled once, ` +
    `for \`${evmVersion}\` (solc ${report.compiledFor.solc}, optimizer 10,000 runs, RentalEscrow 200), and the same bytecode ` +
    `(DeviceRegistry code hash ${oneBytecode ? "identical on every chain" : "DIFFERS between chains"}) is deployed ` +
    "on three simulated chains with the production fixture, then runs a device-to-income scenario: a P-256 and a " +
    "secp256k1 device registered, claimed, bound to an asset, two readings each, a tampered P-256 reading refused, " +
    "the metered units' income deposited to the asset's two holders and claimed with exact balances.",
  "",
  "| chain | network | chain type, hardfork | P-256 path | `devices.attest.p256` | `devices.attest.secp256k1` | `P256Probe.verify` | checks | result |",
  "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | --- |",
  ...results.map(
    (r) =>
      `| ${r.chain} | \`${r.network}\` | ${r.chainType}, ${r.hardfork} | ${
        r.p256Path === "precompile" ? `precompile (${r.precompileAt0x100} at \`0x100\`)` : r.p256Path
      } | ${fmt(r.gas["devices.attest.p256"])} | ${fmt(r.gas["devices.attest.secp256k1"])} | ${fmt(
        r.gas["P256Probe.verify"],
      )} | ${r.checks} | ${r.pass ? "PASS" : "FAIL"} |`,
  ),
  "",
  "- Gas is whole-transaction gas (`gasUsed`): `devices.attest.*` is a device's second reading (its two slots go " +
    "nonzero -> nonzero, as `devices.attest.*` in reports/gas.json; calldata differs slightly from the bench's); " +
    "`P256Probe.verify` is one `P256.verify` of a valid vector (contracts/test/P256Probe.sol).",
  "- P-256 path: read from the attestation's call trace (callTracer). With a precompile, the registry's one call " +
    "to `0x100` answers 1. Without one, `0x100` answers nothing, OpenZeppelin's `P256.verify` calls it a second time " +
    "with a known-valid vector, still gets nothing, and verifies in Solidity.",
  "- EIP-7951 (osaka) prices P256VERIFY at 6,900 gas, RIP-7212 (OP Stack, Hardhat's `op` chain type) at 3,450: " +
    "hence the OP figure is lower than the osaka one.",
  ...results.flatMap((r) => r.failures.map((f) => `- FAIL on \`${r.network}\`: ${f}`)),
  "",
].join("\n");
const reports = join(ROOT, "reports");
const wrote = [
  writeIfChanged(join(reports, "evm.json"), JSON.stringify(report, null, 2) + "\n"),
  writeIfChanged(join(reports, "evm.md"), md),
].some(Boolean);
const failed = results.filter((r) => !r.pass);
console.log("");
console.log(
  `${wrote ? "wrote" : "unchanged:"} reports/evm.json and reports/evm.md; ` +
    `${failed.length === 0 ? "PASS" : `FAIL (${failed.map((r) => r.network).join(", ")})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
if (failed.length > 0) process.exitCode = 1;
