/**
 * `npm run operator:story` (`node scripts/operator/story.ts`): the operator's whole story, from a clean
 * shell, on a fresh node, through the operator commands only.
 *
 *  1. starts its own `hardhat node` on 127.0.0.1 on a free port (never a port another run may use) and
 *     deploys the suite with the operator's command (`npm run deploy -- --network localhost`,
 *     LOCALHOST_RPC_URL pointing at the node);
 *  2. runs every step as a child process `hardhat <part> <action> --network localhost` (the binary
 *     `npx hardhat` runs, node_modules/.bin/hardhat, found on PATH; STORY_NPX=1 spawns npx) with a clean
 *     environment: PATH, HOME, LOCALHOST_RPC_URL and, where a role signs, its PLINTH_<ROLE>_KEY (the
 *     node's well-known development keys). Device keys are generated with node:crypto (a secp256k1 key
 *     given as SEC1 compressed hex, a P-256 key as SPKI PEM); the digests the tasks print are signed
 *     with the client's device signers (client/src/signers/devices.ts, loaded through tsx);
 *  3. asserts each step's exit code and printed output (token units, named states), then runs the
 *     error paths (each must exit non-zero with exactly one `error: ` line and no stack trace);
 *  4. prints `step n/N` progress and a final PASS or FAIL line (exit code 0 or 1), and always stops
 *     the node (also on failure or Ctrl-C). STORY_VERBOSE=1 echoes every command's output.
 *
 * Plain Node (type stripping); the node's log is in reports/tmp/story-node.log, every command with its
 * whole output in reports/tmp/story-transcript.log.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { HDNodeWallet, getBytes } from "ethers";
import { freePort, rpc as rpcAt } from "../lib/local-node.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(root, "node_modules", ".bin");
const VERBOSE = process.env.STORY_VERBOSE === "1";
/**
 * `npx hardhat` resolves to node_modules/.bin/hardhat; the story runs that same binary through PATH
 * (node_modules/.bin first), which halves each command's start-up on a loaded machine. STORY_NPX=1
 * spawns `npx hardhat` literally.
 */
const NPX = process.env.STORY_NPX === "1";
const started = Date.now();

class StoryError extends Error {}

const PORT = await freePort();
const RPC = `http://127.0.0.1:${PORT}`;
/** The clean environment of every command: the pinned Node first on PATH, HOME, the node's URL. */
const BASE_ENV: Record<string, string> = {
  PATH: [bin, dirname(process.execPath), process.env.PATH ?? ""].join(delimiter),
  HOME: process.env.HOME ?? tmpdir(),
  LOCALHOST_RPC_URL: RPC,
};

// Hardhat's default mnemonic: the accounts of deploy/parameters/localhost.json, and a few more.
const MNEMONIC = "test test test test test test test test test test test junk";
const account = (i: number) => HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`);
const GOVERNANCE = account(1);
const KYC = account(2);
const ISSUER = account(6);
const ARBITER = account(7);
const RENTER = account(8);
const PROVIDER = account(9);
const MANUFACTURER = account(10);
const INVESTOR = account(11);
const DEVICE_OWNER = account(12);
const KEYS = {
  PLINTH_GOVERNANCE_KEY: GOVERNANCE.privateKey,
  PLINTH_KYC_AGENT_KEY: KYC.privateKey,
  PLINTH_ISSUER_KEY: ISSUER.privateKey,
  PLINTH_MANUFACTURER_KEY: MANUFACTURER.privateKey,
};
type Role = "governance" | "kyc-agent" | "issuer" | "manufacturer";
const KEY_OF: Record<Role, keyof typeof KEYS> = {
  governance: "PLINTH_GOVERNANCE_KEY",
  "kyc-agent": "PLINTH_KYC_AGENT_KEY",
  issuer: "PLINTH_ISSUER_KEY",
  manufacturer: "PLINTH_MANUFACTURER_KEY",
};

let node: ChildProcess | undefined;
mkdirSync(join(root, "reports", "tmp"), { recursive: true });
/** Every command and its whole output: reports/tmp/story-transcript.log. */
const transcript = createWriteStream(join(root, "reports", "tmp", "story-transcript.log"));
let commands = 0;
/** Commands running now (stopped with the node on Ctrl-C). */
const running = new Set<ChildProcess>();

function log(message: string) {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`[story ${t}s] ${message}`);
}

interface Run {
  code: number | null;
  out: string;
  err: string;
  all: string;
}

/** Runs a command with the clean environment (plus `extra`), capturing its output. */
function exec(command: string, args: string[], extra: Record<string, string> = {}): Promise<Run> {
  commands++;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...BASE_ENV, ...extra },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    let out = "";
    let err = "";
    let all = "";
    child.stdout.on("data", (c: Buffer) => ((out += c.toString()), (all += c.toString())));
    child.stderr.on("data", (c: Buffer) => ((err += c.toString()), (all += c.toString())));
    child.on("error", (e) => reject(new StoryError(`cannot start ${command}: ${e.message}`)));
    child.on("exit", (code) => {
      running.delete(child);
      transcript.write(`$ ${command} ${args.join(" ")}\n${all}[exit ${code}]\n\n`);
      if (VERBOSE) process.stdout.write(all.replace(/^(?=.)/gm, "    │ "));
      resolve({ code, out, err, all });
    });
  });
}

const show = (args: string[]) =>
  args.map((a) => (a.includes("\n") ? "<...>" : a.length > 70 ? `${a.slice(0, 20)}…${a.slice(-8)}` : a)).join(" ");

/** `npx hardhat <args> --network localhost`, signed by a role's key or an account index. */
async function hh(args: string[], signer?: Role | number, opts: { network?: boolean } = {}): Promise<Run> {
  const extra: Record<string, string> = {};
  const full = ["hardhat", ...args];
  if (signer !== undefined) {
    full.push("--signer", String(signer));
    if (typeof signer === "string") extra[KEY_OF[signer]] = KEYS[KEY_OF[signer]];
  }
  if (opts.network !== false) full.push("--network", "localhost");
  log(`  $ ${NPX ? "npx " : ""}${show(full)}`);
  return NPX ? exec("npx", full, extra) : exec("hardhat", full.slice(1), extra);
}

/** A step's command that must succeed; returns its stdout. */
async function ok(args: string[], signer?: Role | number): Promise<string> {
  const r = await hh(args, signer);
  if (r.code !== 0) throw new StoryError(`${args.slice(0, 2).join(" ")} exited ${r.code}:\n${r.all.trim()}`);
  if (/^ {4}at /m.test(r.all)) throw new StoryError(`${args.slice(0, 2).join(" ")} printed a stack trace:\n${r.all}`);
  return r.out;
}

function expectIn(text: string, wanted: string | RegExp, what: string): void {
  const found = typeof wanted === "string" ? text.includes(wanted) : wanted.test(text);
  if (!found) throw new StoryError(`${what}: expected ${String(wanted)} in:\n${text.trim()}`);
}

function capture(text: string, re: RegExp, what: string): string {
  const m = re.exec(text);
  if (m === null || m[1] === undefined) throw new StoryError(`${what}: no match for ${String(re)} in:\n${text.trim()}`);
  return m[1];
}

function rpc<T>(method: string, params: unknown[] = []): Promise<T> {
  return rpcAt<T>(RPC, method, params);
}

async function answering(): Promise<boolean> {
  try {
    await rpc("eth_chainId");
    return true;
  } catch {
    return false;
  }
}

async function latestTimestamp(): Promise<number> {
  return Number((await rpc<{ timestamp: string }>("eth_getBlockByNumber", ["latest", false])).timestamp);
}

async function startNode(): Promise<void> {
  if (await answering()) throw new StoryError(`something already answers on ${RPC}`);
  mkdirSync(join(root, "reports", "tmp"), { recursive: true });
  const logFile = join(root, "reports", "tmp", "story-node.log");
  const out = createWriteStream(logFile);
  log(`starting hardhat node on ${RPC} (log: reports/tmp/story-node.log)`);
  // Own process group: stopping it stops the node and anything it spawned.
  node = spawn("npx", ["hardhat", "node", "--hostname", "127.0.0.1", "--port", String(PORT)], {
    cwd: root,
    env: BASE_ENV,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  node.stdout?.pipe(out);
  node.stderr?.pipe(out);
  let exited: string | undefined;
  node.on("exit", (code, signal) => (exited = signal ?? `exit code ${code}`));
  const deadline = Date.now() + 90_000;
  while (!(await answering())) {
    if (exited !== undefined) throw new StoryError(`the node stopped (${exited}):\n${readFileSync(logFile, "utf8")}`);
    if (Date.now() > deadline) throw new StoryError("the node did not answer within 90 s");
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`node answers (pid ${node.pid}, chain ${Number(await rpc<string>("eth_chainId"))})`);
}

/** Stops the node's process group: SIGTERM, then SIGKILL after 2 s; resolves when it is gone. */
function stopNode(): Promise<void> {
  const n = node;
  if (n === undefined || n.pid === undefined || n.exitCode !== null || n.signalCode !== null) {
    return Promise.resolve();
  }
  const pid = n.pid;
  const gone = new Promise<void>((resolve) => n.once("exit", () => resolve()));
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    /* already gone */
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      /* stopped */
    }
  }, 2_000);
  return Promise.race([gone, new Promise<void>((r) => setTimeout(r, 3_000))]).finally(() => clearTimeout(timer));
}

// ------------------------------------------------------------------------------------ device keys

interface DeviceSignerLike {
  signDigest(digest: string): Promise<string>;
}
interface SignersModule {
  Secp256k1DeviceSigner: { fromPrivateKey(key: string): DeviceSignerLike };
  NobleP256Signer: new (secret: Uint8Array) => DeviceSignerLike;
}

/** The client's device signers (TypeScript sources, loaded through tsx). */
async function clientSigners(): Promise<SignersModule> {
  const { tsImport } = (await import("tsx/esm/api")) as unknown as {
    tsImport: (specifier: string, parent: string) => Promise<unknown>;
  };
  const url = pathToFileURL(join(root, "client", "src", "signers", "devices.ts")).href;
  return (await tsImport(url, import.meta.url)) as SignersModule;
}

const dir = mkdtempSync(join(tmpdir(), "plinth-story-"));

/** A secp256k1 key (the CSV gives its SEC1 compressed public key) and a P-256 key (SPKI PEM). */
function deviceKeys() {
  const k1 = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
  const jwk1 = k1.privateKey.export({ format: "jwk" }) as { d: string; x: string; y: string };
  const y = Buffer.from(jwk1.y, "base64url");
  const x = Buffer.from(jwk1.x, "base64url");
  const sec1 = `0x${(y[31]! & 1) === 1 ? "03" : "02"}${x.toString("hex")}`;
  const r1 = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const pem = String(r1.publicKey.export({ type: "spki", format: "pem" })).trim();
  const jwkR1 = r1.privateKey.export({ format: "jwk" }) as { d: string };
  writeFileSync(join(dir, "meter.key.pem"), String(k1.privateKey.export({ type: "pkcs8", format: "pem" })));
  writeFileSync(join(dir, "gateway.key.pem"), String(r1.privateKey.export({ type: "pkcs8", format: "pem" })));
  return {
    sec1,
    pem,
    k1Secret: `0x${Buffer.from(jwk1.d, "base64url").toString("hex")}`,
    r1Secret: Buffer.from(jwkR1.d, "base64url"),
  };
}

// ------------------------------------------------------------------------------------------ story

interface State {
  token: string;
  meter: string; // device id (decimal), secp256k1
  gateway: string; // device id (decimal), P-256
  asset: string;
  agreement: string;
  order: string;
  signers: SignersModule;
  meterSigner: DeviceSignerLike;
  gatewaySigner: DeviceSignerLike;
  keysCsv: string;
  allocations: string;
}
const s = {} as State;

/** Claims a device for `owner`: the task prints the digest, the device signs it, the claim is sent. */
async function claimDevice(deviceId: string, owner: string, device: DeviceSignerLike, sender: Role | number) {
  const deadline = String((await latestTimestamp()) + 3600);
  const claim = ["devices", "claim", "--device", deviceId, "--owner", owner, "--deadline", deadline];
  const printed = await ok(claim, sender);
  expectIn(printed, "nothing was sent", "devices claim without a signature");
  const digest = capture(printed, /^(0x[0-9a-f]{64})$/m, "the claim digest");
  const signature = await device.signDigest(digest);
  const out = await ok([...claim, "--signature", signature], sender);
  expectIn(out, `its token now belongs to ${owner}`, "devices claim");
}

/** A reading of the meter: the task prints the digest (and the values), the device signs, it is relayed. */
async function attest(deviceId: string, device: DeviceSignerLike, fields: Record<string, string>) {
  const args = ["devices", "attest", "--device", deviceId];
  for (const [k, v] of Object.entries(fields)) args.push(`--${k}`, v);
  const printed = await ok(args, 0);
  expectIn(printed, "nothing was sent", "devices attest without a signature");
  const digest = capture(printed, /^(0x[0-9a-f]{64})$/m, "the attestation digest");
  const again = capture(printed, /^then: npx hardhat (devices attest .*) --signature 0x\.\.\.$/m, "the re-run line");
  const rerun = again.split(" ").slice(2);
  const out = await ok(["devices", "attest", ...rerun, "--signature", await device.signDigest(digest)], 0);
  expectIn(out, "reading accepted", "devices attest");
  return out;
}

type Step = [title: string, run: () => Promise<void>];

const steps: Step[] = [
  [
    "deploy the suite (npm run deploy -- --network localhost)",
    async () => {
      const r = await exec("npm", ["run", "--silent", "deploy", "--", "--network", "localhost"]);
      if (r.code !== 0) throw new StoryError(`deploy exited ${r.code}:\n${r.all}`);
    },
  ],
  [
    "governance: roles check, fees",
    async () => {
      // Read only: side by side.
      const issuerRole = ["--contract", "AssetRegistry", "--role", "ISSUER_ROLE", "--account", ISSUER.address];
      const [roles, issuer, fees] = await Promise.all([
        ok(["governance", "role-check", "--contract", "AssetRegistry", "--role", "DEFAULT_ADMIN_ROLE"], "governance"),
        ok(["governance", "role-check", ...issuerRole], 0),
        ok(["governance", "fees"]),
      ]);
      expectIn(roles, `${GOVERNANCE.address} holds DEFAULT_ADMIN_ROLE on AssetRegistry`, "role-check");
      expectIn(issuer, `${ISSUER.address} holds ISSUER_ROLE`, "role-check issuer");
      expectIn(fees, "IncomeDistributor protocol fee: 100 bps (1 %)", "fees");
      expectIn(fees, "RentalMarket protocol fee: 100 bps (1 %)", "fees");
    },
  ],
  [
    "local: a test stablecoin (6 decimals), minted to the payers",
    async () => {
      const out = await ok(["local", "stablecoin", "--symbol", "tUSD", "--decimals", "6", "--amount", "1000"], 0);
      s.token = capture(out, /deployed at (0x[0-9a-fA-F]{40})/, "local stablecoin");
      expectIn(out, "minted 1000 tUSD (1000000000)", "local stablecoin");
      // Each payer mints to itself (the test token mints to anyone): different senders, side by side.
      const payers: [HDNodeWallet, Role | number][] = [
        [ISSUER, "issuer"],
        [RENTER, 8],
        [PROVIDER, 9],
      ];
      const minted = await Promise.all(
        payers.map(([, who]) => ok(["local", "stablecoin", "--token", s.token, "--amount", "10000"], who)),
      );
      payers.forEach(([w], i) =>
        expectIn(minted[i]!, `minted 10000 tUSD (10000000000) to ${w.address}`, "local stablecoin --token"),
      );
    },
  ],
  [
    "governance: allowlist the stablecoin on the distributor, the rental market and the maintenance escrow",
    async () => {
      const out = await ok(["governance", "allowlist", "--token", s.token], "governance");
      for (const c of ["IncomeDistributor", "RentalMarket", "MaintenanceOrders"]) {
        expectIn(out, `${c}: tUSD (${s.token}, 6 decimals) allowed (was not allowed)`, "allowlist");
      }
    },
  ],
  [
    "governance: admit a manufacturer; the allowlist again sends nothing",
    async () => {
      const [out, again] = await Promise.all([
        ok(["governance", "manufacturer-approve", "--manufacturer", MANUFACTURER.address], "governance"),
        ok(["governance", "allowlist", "--token", s.token], "governance"),
      ]);
      expectIn(again, "already allowed: nothing sent", "allowlist again");
      expectIn(
        out,
        `manufacturer ${MANUFACTURER.address} admitted, signing authority ${MANUFACTURER.address}`,
        "approve",
      );
    },
  ],
  [
    "devices: register a secp256k1 (SEC1) and a P-256 (SPKI PEM) key from a CSV",
    async () => {
      const keys = deviceKeys();
      s.signers = await clientSigners();
      s.meterSigner = s.signers.Secp256k1DeviceSigner.fromPrivateKey(keys.k1Secret);
      s.gatewaySigner = new s.signers.NobleP256Signer(getBytes(`0x${keys.r1Secret.toString("hex")}`));
      s.keysCsv = join(dir, "keys.csv");
      writeFileSync(
        s.keysCsv,
        `key,model,firmwareHash,serialHash\nsecp256k1:${keys.sec1},meter-m1,fw-1.0,SN-0001\n"${keys.pem}",gateway-g1,fw-1.0,SN-0002\n`,
      );
      const out = await ok(["devices", "register", "--keys", s.keysCsv], "manufacturer");
      s.meter = capture(out, /^row 1: 0x[0-9a-f]{64} \((\d+)\) secp256k1 registered$/m, "register row 1");
      s.gateway = capture(out, /^row 2: 0x[0-9a-f]{64} \((\d+)\) p256 registered$/m, "register row 2");
      expectIn(out, "2 registered, 0 already registered, 0 rejected", "register summary");
    },
  ],
  [
    "assets: register an asset (issuer, its agent)",
    async () => {
      const out = await ok(
        [
          "assets",
          "register",
          "--salt",
          "story-farm",
          "--class",
          "solar",
          "--jurisdiction",
          "DE",
          "--metadata-uri",
          "ipfs://story",
        ],
        "issuer",
      );
      s.asset = capture(out, /asset (\d+) registered/, "assets register");
      expectIn(out, `(solar, DE), agent ${ISSUER.address}`, "assets register");
    },
  ],
  [
    "devices: claim both devices (digest printed, signed by the device key), bind and bind/confirm",
    async () => {
      // Each new owner sends its own claim and bind: side by side.
      await Promise.all([
        claimDevice(s.meter, ISSUER.address, s.meterSigner, "issuer"),
        claimDevice(s.gateway, DEVICE_OWNER.address, s.gatewaySigner, 12),
      ]);
      const [bound, requested] = await Promise.all([
        ok(["devices", "bind", "--device", s.meter, "--asset", s.asset], "issuer"),
        ok(["devices", "bind", "--device", s.gateway, "--asset", s.asset], 12),
      ]);
      expectIn(bound, `bound to asset ${s.asset}: Active, asset ${s.asset}`, "bind by the agent");
      expectIn(requested, `bind requested to asset ${s.asset}`, "bind request by the owner");
      const confirmed = await ok(["devices", "confirm", "--device", s.gateway, "--asset", s.asset], "issuer");
      expectIn(confirmed, `bound to asset ${s.asset}: Active, asset ${s.asset}`, "confirm");
    },
  ],
  [
    "devices: status",
    async () => {
      const out = await ok(["devices", "status", "--device", s.gateway]);
      expectIn(out, /status: +Active/, "devices status");
      expectIn(out, `owner:        ${DEVICE_OWNER.address}`, "devices status");
      expectIn(out, `manufacturer: ${MANUFACTURER.address}`, "devices status");
      expectIn(out, /key: +p256 0x/, "devices status");
      expectIn(out, new RegExp(`asset: +${s.asset}`), "devices status");
    },
  ],
  [
    "assets: create shares, onboard investors, mint",
    async () => {
      const shares = await ok(
        ["assets", "create-shares", "--asset", s.asset, "--name", "Story Farm", "--symbol", "SFARM", "--decimals", "0"],
        "issuer",
      );
      expectIn(shares, "Story Farm (SFARM, 0 decimals) at 0x", "create-shares");
      const investors = join(dir, "investors.csv");
      writeFileSync(
        investors,
        `wallet,country,expiry\n${ISSUER.address},276,2100-01-01\n${INVESTOR.address},276,2100-01-01\n`,
      );
      const onboard = await ok(["assets", "onboard", "--investors", investors], "kyc-agent");
      expectIn(onboard, "2 investor(s) onboarded in 1 transaction(s), 0 rejected", "onboard");
      s.allocations = join(dir, "allocations.csv");
      writeFileSync(s.allocations, `${ISSUER.address},600\n${INVESTOR.address},400\n`);
      const mint = await ok(["assets", "mint", "--asset", s.asset, "--allocations", s.allocations], "issuer");
      expectIn(mint, `minted  ${INVESTOR.address} 400 SFARM`, "mint");
      expectIn(mint, "minted 2 allocation(s), refused 0; total supply 1000 SFARM", "mint");
      const status = await ok(["assets", "status", "--asset", s.asset]);
      expectIn(status, /status: +Active/, "assets status");
      expectIn(status, "supply 1000", "assets status");
    },
  ],
  [
    "income: register the token, deposit, claim, status",
    async () => {
      const reg = await ok(["income", "register-token", "--asset", s.asset, "--token", s.token], "issuer");
      expectIn(reg, `asset ${s.asset} now takes income in tUSD`, "register-token");
      const dep = await ok(["income", "deposit", "--asset", s.asset, "--token", s.token, "--amount", "100"], 8);
      expectIn(dep, `deposited 100 tUSD (100000000) for asset ${s.asset}`, "deposit");
      expectIn(dep, "to holders 99 tUSD (99000000), reserve 0 tUSD (0), fee 1 tUSD (1000000)", "deposit");
      const claim = await ok(["income", "claim", "--asset", s.asset, "--token", s.token], 11);
      expectIn(claim, `claimed 39.6 tUSD (39600000) of asset ${s.asset} income, paid to ${INVESTOR.address}`, "claim");
      const status = await ok(["income", "status", "--asset", s.asset, "--account", ISSUER.address]);
      expectIn(status, "claimable 59.4 tUSD (59400000)", "income status");
    },
  ],
  [
    "rental: offer metered terms, hand-over reading, rent",
    async () => {
      const terms = join(dir, "terms.json");
      writeFileSync(
        terms,
        JSON.stringify({
          subjectKind: 1,
          subjectId: s.asset,
          token: s.token,
          meterDeviceId: s.meter,
          meterKind: 1,
          meterPeriod: 3600,
          pricePerSecond: "1000",
          pricePerUnit: "10000",
          maxUnitsPerPeriod: "1000000",
          deposit: "100000000",
          minDuration: 3600,
        }),
      );
      const offer = await ok(["rental", "offer", "--terms", terms], "issuer");
      const offerId = capture(offer, /offer (0x[0-9a-f]{64}) published/, "rental offer");
      expectIn(
        offer,
        "price 0.001 tUSD (1000) per second, 0.01 tUSD (10000) per unit, deposit 100 tUSD (100000000)",
        "offer",
      );
      // The meter's hand-over reading, signed for a time just after the rental starts (within the registry's
      // 5-minute future skew): a baseline older than the start would spread the next interval's units over
      // time partly outside the term, and fewer than the 3,000 measured would be billed.
      await attest(s.meter, s.meterSigner, {
        kind: "1",
        value: "0",
        odometer: "0",
        timestamp: String((await latestTimestamp()) + 240),
      });
      const rent = await ok(["rental", "rent", "--offer", offerId, "--duration", "86400", "--prepay", "500"], 8);
      expectIn(rent, "prepay 500 tUSD (500000000), deposit 100 tUSD (100000000), 86400 s", "rent");
      s.agreement = capture(rent, /agreement (0x[0-9a-f]{64}) opened: Active/, "rent");
    },
  ],
  [
    "rental: an hour later the meter reports 3,000 units; meter, collect, status",
    async () => {
      const travel = await ok(["local", "time-travel", "--seconds", "3600"]);
      expectIn(travel, "+3600 s", "time-travel");
      await attest(s.meter, s.meterSigner, { kind: "1", value: "3000", odometer: "3000" });
      const meter = await ok(["rental", "meter", "--agreement", s.agreement], 8);
      expectIn(meter, "billed 3000 units (carried 0) = 30 tUSD (30000000)", "rental meter");
      const collect = await ok(["rental", "collect", "--agreement", s.agreement]);
      expectIn(collect, /rent paid: [\d.]+ tUSD \(\d+\) to the owner side, fee [\d.]+ tUSD/, "rental collect");
      const status = await ok(["rental", "status", "--agreement", s.agreement]);
      expectIn(status, /state: +Active/, "rental status");
      expectIn(status, "metered:      3000 units measured, 3000 billed", "rental status");
      // The meter (RentalMeter): its mark is the reading just settled.
      expectIn(status, `meter:        device ${s.meter} kind 1, mark reading `, "rental status");
      expectIn(status, /mark reading \d+ \(odometer 3000, signed /, "rental status");
    },
  ],
  [
    "rental: past the end, settle, withdraw, status",
    async () => {
      await ok(["local", "time-travel", "--seconds", "86400"]);
      const ended = await ok(["rental", "status", "--agreement", s.agreement]);
      expectIn(ended, /state: +Ended$/m, "rental status past the end, before settle");
      const settle = await ok(["rental", "settle", "--agreement", s.agreement]);
      expectIn(settle, /settled \(Ended\): refund [\d.]+ tUSD/, "rental settle");
      const withdraw = await ok(["rental", "withdraw", "--asset", s.asset, "--token", s.token], 8);
      expectIn(withdraw, /withdrew [\d.]+ tUSD \(\d+\)/, "rental withdraw");
      const status = await ok(["rental", "status", "--agreement", s.agreement]);
      expectIn(status, /state: +(Settling|Closed) \(Ended\)/, "rental status");
    },
  ],
  [
    "maintenance: order (device evidence or optimistic claim), accept",
    async () => {
      const out = await ok(
        [
          "maintenance",
          "order",
          "--asset",
          s.asset,
          "--token",
          s.token,
          "--budget",
          "200",
          "--bond",
          "10",
          "--provider",
          PROVIDER.address,
          "--device",
          s.meter,
          "--use-device",
          "--kind",
          "7",
          "--cmp",
          "eq",
          "--threshold",
          "1",
          "--optimistic",
          "--arbiter",
          ARBITER.address,
          "--challenge-window",
          "3600",
          "--milestones",
          "5000,5000",
          "--salt",
          "story-repair",
        ],
        "issuer",
      );
      expectIn(out, "budget 200 tUSD (200000000)", "maintenance order");
      s.order = capture(out, /order (0x[0-9a-f]{64}) created and funded/, "maintenance order");
      expectIn(out, /state: +Open/, "maintenance order");
      const accepted = await ok(["maintenance", "accept", "--order", s.order], 9);
      expectIn(accepted, /state: +Active/, "maintenance accept");
    },
  ],
  [
    "maintenance: device self-test as evidence, a claim challenged and ruled, claimed again and finalized, withdraw",
    async () => {
      await ok(["local", "time-travel", "--seconds", "60"]);
      await attest(s.meter, s.meterSigner, { kind: "7", value: "1" });
      const evidence = await ok(["maintenance", "evidence", "--order", s.order, "--milestone", "0"], 9);
      expectIn(evidence, "milestone 0: 5000 bps, released", "maintenance evidence");
      const claim = await ok(["maintenance", "claim", "--order", s.order, "--milestone", "1"], 9);
      expectIn(claim, "milestone 1 claimed", "maintenance claim");
      // The payer challenges the claim, the arbiter upholds the challenge; the provider claims again.
      const challenged = await ok(["maintenance", "challenge", "--order", s.order, "--milestone", "1"], "issuer");
      const dispute = capture(challenged, /dispute (\d+) opened on milestone 1/, "maintenance challenge");
      expectIn(challenged, "milestone 1: 5000 bps, not released, 0 agreeing, claim Disputed", "maintenance challenge");
      const ruled = await ok(["maintenance", "rule", "--dispute", dispute, "--ruling", "payer"], 7);
      expectIn(ruled, `dispute ${dispute} resolved: payer, the challenge stands`, "maintenance rule");
      const again = await ok(["maintenance", "claim", "--order", s.order, "--milestone", "1"], 9);
      expectIn(again, "milestone 1 claimed", "maintenance claim again");
      await ok(["local", "time-travel", "--seconds", "3601"]);
      const fin = await ok(["maintenance", "finalize", "--order", s.order, "--milestone", "1"]);
      expectIn(fin, /state: +Completed/, "maintenance finalize");
      const w = await ok(["maintenance", "withdraw", "--asset", s.asset, "--token", s.token], 9);
      expectIn(w, `withdrew 210 tUSD (210000000) to ${PROVIDER.address}`, "maintenance withdraw");
      const status = await ok(["maintenance", "status", "--order", s.order]);
      expectIn(status, /state: +Completed/, "maintenance status");
      expectIn(status, "milestone 1: 5000 bps, released", "maintenance status");
    },
  ],
];

steps.push([
  "rental: the owner cancels a signed offer's nonce; the renter's rent-signed is refused, nothing paid",
  async () => {
    const offer = join(dir, "signed-offer.json");
    const signed = await ok(
      ["rental", "sign-offer", "--terms", join(dir, "terms.json"), "--out", offer, "--nonce", "5"],
      "issuer",
    );
    expectIn(signed, "nothing was sent", "rental sign-offer");
    const cancelled = await ok(["rental", "cancel-nonce", "--file", offer], "issuer");
    expectIn(cancelled, `nonce 5 of ${ISSUER.address} cancelled`, "rental cancel-nonce");
    await refused(
      "rent-signed of a cancelled nonce",
      ["rental", "rent-signed", "--file", offer, "--duration", "3600", "--prepay", "5"],
      8,
      new RegExp(`the contract refused: OfferNonceCancelled\\(${ISSUER.address}, 5\\)`),
    );
  },
]);

/** An error path: non-zero exit, exactly one `error: ` line, no stack trace. */
async function refused(
  what: string,
  args: string[],
  signer: Role | number | undefined,
  wanted: RegExp,
  network = true,
) {
  const r = await hh(args, signer, { network });
  const errors = r.all.split("\n").filter((l) => l.startsWith("error: "));
  const problems: string[] = [];
  if (r.code === 0) problems.push("exit code 0");
  if (errors.length !== 1) problems.push(`${errors.length} "error: " lines`);
  if (/^ {4}at /m.test(r.all)) problems.push("a stack trace");
  if (errors.length === 1 && !wanted.test(errors[0]!)) problems.push(`the error does not match ${String(wanted)}`);
  if (problems.length > 0) throw new StoryError(`${what}: ${problems.join(", ")}:\n${r.all.trim()}`);
  log(`  refused as expected (exit ${r.code}): ${errors[0]}`);
}

steps.push([
  "error paths from the clean shell",
  async () => {
    const other = join(dir, "1.json");
    writeFileSync(other, JSON.stringify({ chainId: 1, contracts: {} }));
    const typo = join(dir, "typo.json");
    writeFileSync(typo, JSON.stringify({ subjectKind: 1, subjectId: s.asset, token: s.token, depossit: "5" }));
    const bad = join(dir, "bad-keys.csv");
    const fresh = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" });
    writeFileSync(bad, `"${String(fresh).trim()}",m,fw,SN-0003\nsecp256k1:0x02abcdef,m,fw,SN-0004\n`);
    // Each is refused before anything is sent: they run side by side.
    await Promise.all([
      refused(
        "missing --network",
        ["governance", "allowlist", "--token", s.token],
        undefined,
        /no network chosen: pass --network/,
        false,
      ),
      refused(
        "a bad --signer",
        ["governance", "role-check", "--contract", "AssetRegistry", "--role", "ISSUER_ROLE", "--signer", "auditor"],
        undefined,
        /--signer auditor: set PLINTH_AUDITOR_KEY/,
      ),
      refused(
        "an EOA as a contract address",
        ["devices", "status", "--device", s.meter, "--registry", RENTER.address],
        undefined,
        /no contract code at .* \(--registry\)/,
      ),
      refused(
        "a chain-id mismatch",
        ["devices", "status", "--device", s.meter, "--deployment", other],
        undefined,
        /is for chain 1 but the network is chain 31337/,
      ),
      refused("an unknown JSON key", ["rental", "offer", "--terms", typo], "issuer", /unknown key "depossit"/),
      refused(
        "a repeated mint",
        ["assets", "mint", "--asset", s.asset, "--allocations", s.allocations],
        "issuer",
        /already hold at least the amount to mint/,
      ),
      refused(
        "a rejected CSV row without --allow-partial",
        ["devices", "register", "--keys", bad],
        "manufacturer",
        /1 valid row\(s\), 1 rejected: nothing was sent; fix the rows or pass --allow-partial/,
      ),
    ]);
  },
]);

async function main(): Promise<void> {
  const total = steps.length + 1;
  log(`step 1/${total}: start a fresh node`);
  await startNode();
  for (const [i, [title, run]] of steps.entries()) {
    log(`step ${i + 2}/${total}: ${title}`);
    await run();
  }
}

let stopping = false;
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.error(`\n[story] ${signal}: stopping the running commands and the node`);
    for (const child of running) child.kill("SIGTERM");
    void stopNode().finally(() => process.exit(code));
  });
}

try {
  await main();
  log(
    `PASS: the operator story on a fresh node (${commands} commands, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
} catch (error) {
  // After Ctrl-C the interrupted command's failure is no finding: the signal handler reports and exits.
  if (stopping) await new Promise(() => {});
  console.error(
    `\n[story] FAIL: ${error instanceof StoryError ? error.message : String((error as Error).stack ?? error)}`,
  );
  process.exitCode = 1;
} finally {
  await stopNode();
  rmSync(dir, { recursive: true, force: true });
  log(`node stopped; ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
  await new Promise<void>((resolve) => transcript.end(() => resolve()));
}
// Nothing of the story may keep the process alive (the node's log stream, tsx's loader).
process.exit(process.exitCode ?? 0);
