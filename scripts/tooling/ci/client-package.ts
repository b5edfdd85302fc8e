/**
 * Proves @plinth/client from the outside, the way an app gets it (`npm run client:check`):
 *
 *   1-2. `npm pack`s client/ into a temporary folder outside the repository; the package's own `prepack`
 *      builds it first (`npm run build:client` at the root), so a tarball never ships a stale dist
 *      (CLIENT_CHECK_SKIP_BUILD=1 packs with --ignore-scripts and reuses client/dist);
 *   3. creates an empty project in os.tmpdir() and `npm install`s the tarball there (its dependencies and
 *      peers come from the registry, as for any app), plus viem (the optional peer the checks use);
 *   4. (a) imports it in Node (ESM): "@plinth/client" and "@plinth/client/node", and uses it for real
 *          (EIP-712 digests, signatures from ethers and viem, P-256 signers, error decoding);
 *      (b) type-checks a strict TypeScript consumer (`strict`, `moduleResolution: bundler`, DOM types)
 *          with viem's `Address`/`Hex`, the README's quick start and its browser block;
 *      (c) bundles a browser entry (ABIs, decodeError, WebCrypto P-256, passkey and RSA signers) with esbuild
 *          (`platform: "browser"`: a `node:*` import fails the bundle), then runs the bundle in a
 *          context without Node's globals (no `process`, `Buffer`, `require`).
 *
 * Exits non-zero at the first failure, saying which step failed and why. The temporary folders are
 * removed unless CLIENT_CHECK_KEEP=1.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const CLIENT = join(ROOT, "client");
const requireFromRoot = createRequire(join(ROOT, "package.json"));
const started = Date.now();

const secs = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const step = (what: string) => console.log(`client:check [${secs()}] ${what}`);
class CheckError extends Error {}
function fail(what: string, detail = ""): never {
  throw new CheckError(`${what}${detail ? `\n${detail.trim()}` : ""}`);
}

/** Runs a command; returns its stdout; fails the check with its output when it exits non-zero. */
function run(what: string, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  if (r.error) fail(`${what}: could not run ${command}: ${r.error.message}`);
  if (r.status !== 0)
    fail(`${what} failed (exit ${r.status}): ${command} ${args.join(" ")}`, `${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const versionOf = (pkg: string) =>
  (JSON.parse(readFileSync(requireFromRoot.resolve(`${pkg}/package.json`), "utf8")) as { version: string }).version;

const work = mkdtempSync(join(tmpdir(), "plinth-client-check-"));
const packDir = join(work, "pack");
const app = join(work, "app");

try {
  // 1-2. build (the package's prepack) and pack
  const skipBuild = process.env.CLIENT_CHECK_SKIP_BUILD === "1";
  step(
    skipBuild
      ? "npm pack --ignore-scripts (CLIENT_CHECK_SKIP_BUILD=1): using client/dist as it is"
      : "npm pack (its prepack builds the client: npm run build:client)",
  );
  mkdirSync(packDir);
  const packArgs = ["pack", "--json", "--pack-destination", packDir, ...(skipBuild ? ["--ignore-scripts"] : [])];
  const packed = JSON.parse(run("npm pack", "npm", packArgs, CLIENT)) as {
    filename: string;
    entryCount: number;
    files: { path: string }[];
  }[];
  const tarball = join(packDir, packed[0]!.filename);
  const files = packed[0]!.files.map((f) => f.path);
  for (const needed of ["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/node.js"]) {
    if (!files.includes(needed)) fail(`npm pack: the tarball has no ${needed}`);
  }
  step(`packed ${packed[0]!.filename} (${packed[0]!.entryCount} files) into ${packDir}`);

  // 3. empty project outside the repository
  mkdirSync(app);
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "plinth-client-consumer", private: true, version: "0.0.0", type: "module" }, null, 2),
  );
  const viem = `viem@${versionOf("viem")}`;
  step(`npm install ${packed[0]!.filename} ${viem} in ${app} (dependencies and peers from the registry)`);
  run("npm install of the tarball", "npm", ["install", "--no-audit", "--no-fund", tarball, viem], app);
  // Node's lookup from the package's folder up (exports may hide package.json from require.resolve).
  const resolved = (pkg: string) => {
    for (let dir = join(app, "node_modules", "@plinth", "client"); dir.startsWith(app); dir = dirname(dir)) {
      try {
        const file = join(dir, "node_modules", pkg, "package.json");
        return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
      } catch {
        // not here: one folder up
      }
    }
    return "missing";
  };
  const seen = { "@noble/curves": resolved("@noble/curves"), ethers: resolved("ethers"), viem: resolved("viem") };
  step(`installed; as @plinth/client resolves them: ${JSON.stringify(seen)}`);
  // 4a. Node (ESM)
  writeFileSync(
    join(app, "node-check.mjs"),
    `import assert from "node:assert/strict";
import { Wallet, recoverAddress, getBytes } from "ethers";
import { privateKeyToAccount } from "viem/accounts";
import * as client from "@plinth/client";
import { readDeployment } from "@plinth/client/node";

const { eip712, signers } = client;
assert.equal(typeof readDeployment, "function");
assert.ok(client.deviceRegistryAbi.some((x) => x.type === "function" && x.name === "hasRole"));
assert.equal(client.supportedChains().includes(31337), false, "a local chain's addresses are bundled");

// EIP-712: a device attestation digest, signed by secp256k1 (ethers and viem) and P-256 (noble, WebCrypto).
const registry = "0x00000000000000000000000000000000000000aa";
const domain = eip712.devices.deviceDomain(1n, registry);
const att = eip712.devices.attestationMessage({ deviceId: 5n, kind: 1, value: 3, odometer: 30, counter: 1, timestamp: 2 });
const digest = eip712.devices.deviceDigest(domain, "Attestation", att);
assert.match(digest, /^0x[0-9a-f]{64}$/);
const key = "0x" + "11".repeat(32);
const k1 = signers.devices.Secp256k1DeviceSigner.fromPrivateKey(key);
const viaViem = signers.devices.viemDeviceSigner(privateKeyToAccount(key));
assert.equal(await viaViem.signDigest(digest), await k1.signDigest(digest));
const noble = signers.devices.deterministicDeviceSigner("0x" + "22".repeat(32), 1, "p256");
assert.equal(getBytes(await noble.signDigest(digest)).length, 64);
const webcrypto = await signers.devices.WebCryptoP256Signer.generate();
assert.equal(webcrypto.extractable, false);
assert.equal(getBytes(await webcrypto.signDigest(digest)).length, 64);

// Rental offer: the same signature from an ethers Wallet and a viem account.
const wallet = new Wallet(key);
const offer = eip712.rental.buildOffer(eip712.rental.buildTerms({ subjectKind: 1, subjectId: 7n }), wallet.address, { expiry: 9n });
const [a, b] = [await eip712.rental.signOffer(wallet, 1n, registry, offer), await eip712.rental.signOffer(privateKeyToAccount(key), 1n, registry, offer)];
assert.equal(a, b);

// Errors: Panic, and a Plinth custom error by its selector.
assert.equal(client.decodeRevertData("0x4e487b71" + "11".padStart(64, "0"))?.message, "Panic 0x11: arithmetic overflow or underflow");
const [selector, signature] = [...client.knownErrors()].find(([, s]) => s.endsWith("()"));
assert.equal(client.decodeError({ error: { data: selector } })?.signature, signature);
console.log("node: " + JSON.stringify({ digest, deviceId: String(noble.deviceId).slice(0, 12) + "...", knownErrors: client.knownErrors().size }));
`,
  );
  step("(a) Node ESM: import @plinth/client and @plinth/client/node, sign and decode");
  console.log(run("(a) the Node import check", process.execPath, ["node-check.mjs"], app).trim());

  if (!seen["@noble/curves"].startsWith("2.")) {
    fail(`@plinth/client resolves @noble/curves ${seen["@noble/curves"]}, but its code uses the 2.x API`);
  }
  if (!seen.ethers.startsWith("6.")) fail(`@plinth/client resolves ethers ${seen.ethers}, but needs ethers 6`);

  // 4b. strict TypeScript consumer
  const readme = readFileSync(join(CLIENT, "README.md"), "utf8");
  const browserBlock = /<!-- browser:begin -->\s*```ts\n([\s\S]*?)```\s*<!-- browser:end -->/.exec(readme);
  if (browserBlock === null)
    fail("client/README.md has no <!-- browser:begin --> ```ts ... ``` <!-- browser:end --> block");
  mkdirSync(join(app, "src"));
  copyFileSync(join(CLIENT, "examples", "quickstart.ts"), join(app, "src", "quickstart.ts"));
  writeFileSync(join(app, "src", "readme-browser.ts"), browserBlock[1]!);
  writeFileSync(
    join(app, "src", "consumer.ts"),
    `import type { Account, Address, Chain, Hex, Transport, WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  connectSuite,
  decodeError,
  eip712,
  getDeployment,
  signers,
  type Suite,
  type SuiteAddresses,
  type DecodedError,
} from "@plinth/client";
import { readDeployment } from "@plinth/client/node";

// Addresses are viem's Address; a complete Suite has no optional member.
export const registry: Address = getDeployment(1).DeviceRegistry;
export function escrowOf(suite: Suite) {
  return suite.RentalEscrow.getAddress();
}
export const local: SuiteAddresses = readDeployment("deployments", 31337).addresses;
export const suite: Suite = connectSuite(local, null);

// Every signed message has a viem path: accounts and wallet clients.
export async function signAll(wallet: WalletClient<Transport, Chain | undefined, Account>) {
  const account = privateKeyToAccount(\`0x\${"11".repeat(32)}\`);
  const me: Address = account.address;
  const offer = eip712.rental.buildOffer(eip712.rental.buildTerms({ subjectKind: 1, subjectId: 1n }), me, { expiry: 1n });
  const bySigner: Hex = await eip712.rental.signOffer(account, 1n, local.RentalMarket, offer);
  const byClient: Hex = await eip712.rental.signOffer(wallet, 1n, local.RentalMarket, offer);
  const bDomain = eip712.maintenance.bidDomain(1n, local.MaintenanceOrders);
  const iDomain = eip712.maintenance.inspectionDomain(1n, local.MaintenanceEvidence);
  const orderId: Hex = \`0x\${"00".repeat(32)}\`;
  const bid: Hex = await eip712.maintenance.signBid(account, bDomain, eip712.maintenance.buildBid(orderId, me, 1n, 1n, 1n, 2n));
  const inspection: Hex = await eip712.maintenance.signInspection(
    wallet,
    iDomain,
    eip712.maintenance.buildInspection(orderId, 0, true, me, 1n, 2n),
  );
  const dDomain = eip712.devices.deviceDomain(1n, local.DeviceRegistry);
  const claim = eip712.devices.claimMessage({ deviceId: 1n, owner: me, deadline: 1n });
  const device: Hex = await eip712.devices.signDeviceMessage(account, dDomain, "Claim", claim);
  const keyA: Hex = signers.devices.viemDeviceSigner(account).keyA;
  return [bySigner, byClient, bid, inspection, device, keyA];
}
export const decoded: DecodedError | undefined = decodeError(new Error("x"));
`,
  );
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          strict: true,
          target: "es2022",
          module: "esnext",
          moduleResolution: "bundler",
          lib: ["es2022", "dom", "dom.iterable"],
          types: [],
          noEmit: true,
          skipLibCheck: true,
          noUncheckedIndexedAccess: true,
        },
        include: ["src/**/*.ts"],
      },
      null,
      2,
    ),
  );
  step(
    "(b) strict TypeScript consumer (moduleResolution bundler, DOM): viem types, README quick start and browser block",
  );
  run(
    "(b) the strict type check",
    process.execPath,
    [requireFromRoot.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"],
    app,
  );
  // The declarations themselves, with the library check on (skipLibCheck hides errors in .d.ts files).
  writeFileSync(
    join(app, "tsconfig.lib.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: "node16",
        moduleResolution: "node16",
        target: "es2022",
        lib: ["es2022", "dom"],
        types: [],
        noEmit: true,
      },
      files: ["node_modules/@plinth/client/dist/index.d.ts"],
    }),
  );
  run(
    "(b) the declaration check (node16, skipLibCheck off)",
    process.execPath,
    [requireFromRoot.resolve("typescript/bin/tsc"), "-p", "tsconfig.lib.json"],
    app,
  );

  // 4c. browser bundle
  writeFileSync(
    join(app, "src", "browser.ts"),
    `import { abis, decodeError, decodeRevertData, eip712, signers, webAuthnKeyFromRegistration } from "@plinth/client";

export async function check() {
  const signer = await signers.devices.WebCryptoP256Signer.generate();
  const domain = eip712.devices.deviceDomain(1n, "0x00000000000000000000000000000000000000aa");
  const message = eip712.devices.attestationMessage({ deviceId: signer.deviceId, kind: 1, value: 1, odometer: 1, counter: 1, timestamp: 1 });
  const signature = await signer.signTypedData(domain, eip712.devices.typesFor("Attestation"), { ...message });
  // ERC-7913 keys: a passkey (through a navigator.credentials stand-in) and a WebCrypto RSA-2048 key.
  const verifier = "0x00000000000000000000000000000000000000bb";
  const passkey = await signers.webauthnAuthenticator.SoftwareAuthenticator.create();
  const registered = webAuthnKeyFromRegistration(verifier, await passkey.register());
  const webauthn = new signers.webauthn.WebAuthnDeviceSigner({
    verifier, publicKey: registered.key, credentialId: registered.credentialId, credentials: passkey.credentials(),
  });
  const assertion = await webauthn.signDigest("0x" + "11".repeat(32));
  const rsa = await signers.rsa.WebCryptoRsaSigner.generate(verifier);
  return {
    abis: Object.keys(abis).length,
    panic: decodeRevertData("0x4e487b71" + "01".padStart(64, "0"))?.name,
    none: decodeError(new Error("no data")) === undefined,
    signatureBytes: (signature.length - 2) / 2,
    webauthnBytes: (assertion.length - 2) / 2,
    rsaBytes: (((await rsa.signDigest("0x" + "22".repeat(32))).length - 2) / 2),
  };
}
`,
  );
  step("(c) esbuild browser bundle of the main entry (platform browser, no node:* allowed)");
  const esbuild = (await import(requireFromRoot.resolve("esbuild"))) as typeof import("esbuild");
  let bundle: string;
  try {
    const result = await esbuild.build({
      absWorkingDir: app,
      entryPoints: [join(app, "src", "browser.ts")],
      bundle: true,
      platform: "browser",
      format: "iife",
      globalName: "plinthCheck",
      target: "es2022",
      write: false,
      logLevel: "silent",
      metafile: true,
    });
    bundle = result.outputFiles[0]!.text;
    const inputs = Object.keys(result.metafile.inputs);
    const nodeInputs = inputs.filter((i) => i.startsWith("node:") || /(^|\/)node_modules\/@types\/node\//.test(i));
    if (nodeInputs.length > 0) fail("(c) the browser bundle pulled Node modules", nodeInputs.join("\n"));
    step(`    bundled ${inputs.length} modules, ${(bundle.length / 1024).toFixed(0)} KiB`);
  } catch (error) {
    if (error instanceof CheckError) throw error;
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number } }[] }).errors ?? [];
    fail(
      "(c) esbuild could not bundle @plinth/client for the browser",
      errors.length > 0
        ? errors.map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ""}${e.text}`).join("\n")
        : String(error),
    );
  }
  // Run it where only browser globals exist (WebCrypto, TextEncoder, ...): no process, Buffer or require.
  const context = vm.createContext({
    crypto: globalThis.crypto,
    TextEncoder,
    TextDecoder,
    console,
    setTimeout,
    clearTimeout,
    queueMicrotask,
    URL,
    atob,
    btoa,
  });
  context.self = context; // the browser's global names (ethers looks its global object up by them)
  context.window = context;
  let result: unknown;
  try {
    vm.runInContext(`${bundle}; globalThis.plinthCheck = plinthCheck;`, context, { filename: "browser-bundle.js" });
    result = await (context.plinthCheck as { check(): Promise<unknown> }).check();
  } catch (error) {
    fail("(c) the browser bundle failed where only browser globals exist", String((error as Error).stack ?? error));
  }
  const r = result as {
    abis: number;
    panic?: string;
    none: boolean;
    signatureBytes: number;
    webauthnBytes: number;
    rsaBytes: number;
  };
  if (!(r.abis > 0 && r.panic === "Panic" && r.none && r.signatureBytes === 64 && r.webauthnBytes > 192)) {
    fail("(c) the browser bundle ran but returned", JSON.stringify(result));
  }
  if (r.rsaBytes !== 256) {
    fail("(c) the browser bundle ran but returned", JSON.stringify(result));
  }
  step(`    ran in a browser-like context: ${JSON.stringify(result)}`);

  console.log(
    `client:check: OK in ${secs()} (tarball ${packed[0]!.filename}; ${readdirSync(app).length} files in the app)`,
  );
} catch (error) {
  console.error(
    `client:check: FAILED after ${secs()}: ${error instanceof CheckError ? error.message : String((error as Error).stack ?? error)}`,
  );
  console.error(
    `client:check: temporary folder: ${work}${process.env.CLIENT_CHECK_KEEP === "1" ? " (kept)" : " (removed; CLIENT_CHECK_KEEP=1 keeps it)"}`,
  );
  process.exitCode = 1;
} finally {
  if (process.env.CLIENT_CHECK_KEEP !== "1") rmSync(work, { recursive: true, force: true });
}
