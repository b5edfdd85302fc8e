/**
 * Runs an operator task (scripts/operator/tasks.ts) in-process, as `npx hardhat <part> <action>` would
 * on the in-process chain: ALLOW_IN_PROCESS=1 is set for the run unless `inProcess: false` (the tasks
 * refuse the in-process chain otherwise), extra environment variables are set for the run only, and
 * the console output and the task's Result are captured. The tasks connect with
 * `network.getOrCreate()`, so the test's own connection sees their transactions.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import hre from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { freshSuite, type DeployedSuite } from "../../scripts/lib/fixture.js";

/** The suite the task tests run on (scripts/lib/fixture.ts). */
export type Suite = DeployedSuite;

export interface TaskRun {
  ok: boolean;
  stdout: string;
  stderr: string;
}

export async function runTask(
  id: string[],
  args: Record<string, string | boolean | undefined>,
  opts: { env?: Record<string, string | undefined>; inProcess?: boolean } = {},
): Promise<TaskRun> {
  const saved = { ...process.env };
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  const env: Record<string, string | undefined> = {
    ALLOW_IN_PROCESS: opts.inProcess === false ? undefined : "1",
    ...opts.env,
  };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  console.log = (...a: unknown[]) => void out.push(a.map(String).join(" "));
  console.error = (...a: unknown[]) => void err.push(a.map(String).join(" "));
  try {
    const result = (await hre.tasks.getTask(id).run(args)) as { success?: boolean } | undefined;
    return { ok: result?.success === true, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/** `npx hardhat <args>` as a child process (the real command line: help, exit code). */
export function hardhatCli(args: string[], env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, ["node_modules/hardhat/dist/src/cli.js", ...args], {
    encoding: "utf8",
    env: { ...process.env, ALLOW_IN_PROCESS: undefined, ...env },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The production suite (scripts/lib/fixture.ts `freshSuite`: the Ignition modules, CREATE2, the
 * chain reverted to the suite as deployed) with the roles of deploy/parameters/localhost.json: account
 * 1 governance, 2 KYC agent, 3 fee recipient, 6 issuer, 7 default arbiter; the manufacturer, account 4,
 * is its own signing authority here (the tests register devices as account 4). And a deployment record
 * of it in a temporary folder (the tasks' `--deployment`).
 */
export async function suiteWithRecord(
  connection: NetworkConnection<string>,
): Promise<{ suite: Suite; dir: string; record: string }> {
  const s = await connection.ethers.getSigners();
  const suite = await freshSuite(connection, {
    parameters: { manufacturers: [{ manufacturer: s[4].address, signer: s[4].address }] },
  });
  const dir = await mkdtemp(join(tmpdir(), "plinth-tasks-"));
  const record = join(dir, "31337.json");
  const at = async (c: { getAddress(): Promise<string> }) => ({ address: await c.getAddress() });
  await writeFile(
    record,
    JSON.stringify({
      chainId: 31337,
      contracts: {
        DeviceRegistry: await at(suite.devices),
        AssetRegistry: await at(suite.assets),
        IdentityRegistry: await at(suite.identity),
        ShareFactory: await at(suite.factory),
        IncomeDistributor: await at(suite.distributor),
        RentalMarket: await at(suite.rentalMarket),
        RentalEscrow: await at(suite.rental),
        DisputeModule: await at(suite.disputes),
        MaintenanceOrders: await at(suite.escrow),
        MaintenanceEvidence: await at(suite.maintenanceEvidence),
        MaintenanceCustody: await at(suite.maintenanceCustody),
      },
    }),
  );
  return { suite, dir, record };
}

/** What the rental helpers of `rentalKit` read once the suite exists (set in the test's `before`). */
export interface RentalKitContext {
  record: string;
  dir: string;
  assetId: string;
  usdc: string;
  arbiter: string;
}

/**
 * The task helpers the flow tests share: `run` (a task that must succeed, its stdout), `refused` (one
 * error line, no stack trace), `termsFile` (a
 * terms file: 0.001 USDC per second, 100 USDC deposit, the test's arbiter; each file its own terms),
 * `offered` (an on-chain offer of the issuer, account 6) and `rented` (rented by account 8 for an hour,
 * 3.6 USDC prepaid). `prefix` names the files; `ctx` is read when a helper runs.
 */
export function rentalKit(prefix: string, ctx: () => RentalKitContext) {
  let n = 0;
  const run = async (id: string[], args: Record<string, string | boolean | undefined>) => {
    const r = await runTask(id, { deployment: ctx().record, ...args });
    expect(r.ok, `${id.join(" ")}: ${r.stderr}`).to.equal(true);
    return r.stdout;
  };
  /** A refusal: the task fails with exactly one `error: ` line and no stack trace; the line is returned. */
  const refused = async (id: string[], args: Record<string, string | boolean | undefined>) => {
    const r = await runTask(id, { deployment: ctx().record, ...args });
    expect(r.ok, `${id.join(" ")} should be refused: ${r.stdout}`).to.equal(false);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error: "));
    expect(errors, r.stderr).to.have.length(1);
    expect(r.stderr).to.not.match(/\n\s+at /);
    return errors[0]!;
  };
  const termsFile = async (extra: Record<string, string | number> = {}) => {
    const { dir, assetId, usdc, arbiter } = ctx();
    const file = join(dir, `${prefix}-terms-${n++}.json`);
    await writeFile(
      file,
      JSON.stringify({
        subjectKind: 1,
        subjectId: assetId,
        token: usdc,
        pricePerSecond: "1000",
        deposit: "100000000",
        minDuration: 3600,
        maxDuration: 30 * 86400 - n, // each file its own terms (an offer of the same terms exists once)
        arbiter,
        ...extra,
      }),
    );
    return file;
  };
  const offered = async (extra: Record<string, string | number> = {}) =>
    /offer (0x[0-9a-f]{64})/.exec(await run(["rental", "offer"], { terms: await termsFile(extra), signer: "6" }))![1]!;
  const rented = async (extra: Record<string, string | number> = {}, prepay = "3.6", duration = "3600") => {
    const out = await run(["rental", "rent"], { offer: await offered(extra), duration, prepay, signer: "8" });
    return /agreement (0x[0-9a-f]{64}) opened/.exec(out)![1]!;
  };
  return { run, refused, termsFile, offered, rented };
}
