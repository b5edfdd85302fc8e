/**
 * Operator tasks the operator story (scripts/operator/story.ts) runs on a real node, in-process
 * (./harness.ts): a device's reading relayed (`devices attest`, digest printed or signed), rental
 * meter, collect, end, settle and withdraw in token units; maintenance device evidence, an optimistic
 * claim finalized after its window, the provider's withdrawal; `local time-travel` moves exactly the
 * seconds asked; a role's key read from Hardhat's (development) keystore, without a password prompt.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { network } from "hardhat";
import { simulatedDevice } from "../../scripts/operator/devices/lib.js";
import type { Secp256k1DeviceSigner } from "../../client/src/signers/devices.js";
import { runTask, suiteWithRecord, type Suite } from "./harness.js";
import { CI_VARIABLES } from "../../scripts/operator/kernel.js";

const connection = await network.getOrCreate();
const { ethers } = connection;
const signers = await ethers.getSigners();
const [, , , , , , issuer, arbiter, renter, provider] = signers;
const SEED = ethers.id("plinth-tasks-money");
const SIM = { seed: SEED, curve: "secp256k1", simIndex: "0" };

describe("operator tasks: readings, rental money and maintenance evidence (scripts/operator)", function () {
  let suite: Suite;
  let dir: string;
  let record: string;
  let assetId: string;
  let usdc: string;
  let meter: string;

  const run = async (id: string[], args: Record<string, string | boolean | undefined>) => {
    const r = await runTask(id, { deployment: record, ...args });
    expect(r.ok, `${id.join(" ")}: ${r.stderr}`).to.equal(true);
    return r.stdout;
  };
  const latest = async () => (await ethers.provider.getBlock("latest"))!.timestamp;

  before(async function () {
    ({ suite, dir, record } = await suiteWithRecord(connection));
    usdc = await suite.payoutToken.getAddress();
    const out = await run(["assets", "register"], { salt: "money", class: "solar", jurisdiction: "ES", signer: "6" });
    assetId = /asset (\d+) registered/.exec(out)![1];
    await run(["assets", "create-shares"], { asset: assetId, name: "Sun", symbol: "SUN", decimals: "0", signer: "6" });
    const investors = join(dir, "money-investors.csv");
    await writeFile(investors, `${issuer.address},724,4102444800\n`);
    await run(["assets", "onboard"], { investors, signer: "2" });
    await run(["assets", "mint"], { asset: assetId, to: issuer.address, amount: "100", signer: "6" });
    await run(["income", "register-token"], { asset: assetId, token: usdc, signer: "6" });

    const device = simulatedDevice(SEED, 0, "secp256k1") as Secp256k1DeviceSigner;
    meter = String(device.deviceId);
    const keys = join(dir, "money-keys.csv");
    await writeFile(keys, `secp256k1:${device.wallet.signingKey.compressedPublicKey},m,fw,money-1\n`);
    await run(["devices", "register"], { keys, signer: "4" });
    await run(["devices", "claim"], { device: meter, owner: issuer.address, ...SIM });
    await run(["devices", "bind"], { device: meter, asset: assetId, signer: "6" });
    for (const who of [renter, provider, issuer]) await suite.payoutToken.mint(who.address, 10_000_000_000n);
  });

  it("devices attest: prints the digest and the exact values without a signature, relays the signed reading", async function () {
    const timestamp = String(await latest());
    const printed = await run(["devices", "attest"], { device: meter, kind: "3", value: "5", timestamp });
    expect(printed).to.contain("nothing was sent");
    const digest = /^(0x[0-9a-f]{64})$/m.exec(printed)![1];
    const rerun = /--counter (\d+) --timestamp (\d+) --payload (0x[0-9a-f]{64})/.exec(printed)!;
    expect(rerun[2]).to.equal(timestamp);
    const signature = await simulatedDevice(SEED, 0, "secp256k1").signDigest(digest);
    const out = await run(["devices", "attest"], {
      device: meter,
      kind: "3",
      value: "5",
      counter: rerun[1],
      timestamp,
      payload: rerun[3],
      signature,
    });
    expect(out).to.contain(`reading accepted: kind 3, value 5, odometer 0, counter ${rerun[1]}`);
    expect((await suite.devices.latestReading(BigInt(meter), 3)).value).to.equal(5n);
    // A lower odometer than the device's last is refused before sending.
    await run(["devices", "attest"], { device: meter, kind: "4", odometer: "10", ...SIM });
    const lower = await runTask(["devices", "attest"], {
      deployment: record,
      device: meter,
      kind: "4",
      odometer: "9",
      ...SIM,
    });
    expect(lower.ok).to.equal(false);
    expect(lower.stderr).to.contain("error: --odometer 9 is below the device's last accepted odometer 10 of kind 4");
  });

  it("devices register --sim-count: the simulator's devices (both curves), registered once, then claimable by index", async function () {
    const seed = ethers.id("plinth-tasks-sim");
    const out = await run(["devices", "register"], { simCount: "3", seed, signer: "4" });
    expect(out).to.contain("3 registered, 0 already registered, 0 rejected");
    expect(out.match(/ secp256k1 registered$/gm)?.length).to.equal(2); // mixed: even indexes
    expect(out).to.contain(`(${simulatedDevice(seed, 1, "mixed").deviceId}) p256 registered`);
    const again = await run(["devices", "register"], { simCount: "3", seed, signer: "4" });
    expect(again).to.contain("0 registered, 3 already registered");
    const claimed = await run(["devices", "claim"], { simIndex: "2", seed, owner: issuer.address });
    expect(claimed).to.contain(`its token now belongs to ${issuer.address}`);
    // A rejected row: the task names its own flag (not the script's ALLOW_PARTIAL variable).
    const bad = join(dir, "money-bad-keys.csv");
    await writeFile(bad, `p256:0x04${"11".repeat(64)},m,fw,bad-1\n`);
    const rejected = await runTask(["devices", "register"], { deployment: record, keys: bad, signer: "4" });
    expect(rejected.ok).to.equal(false);
    expect(rejected.stderr).to.contain("error: 1 row(s) rejected, no valid row: nothing was sent");
    const mixed = join(dir, "money-mixed-keys.csv");
    await writeFile(
      mixed,
      `secp256k1:0x02abcdef,m,fw,bad-2\np256:0x04${simulatedDevice(seed, 5, "p256").keyA.slice(2)}${simulatedDevice(seed, 5, "p256").keyB.slice(2)},m,fw,ok-5\n`,
    );
    const partial = await runTask(["devices", "register"], { deployment: record, keys: mixed, signer: "4" });
    expect(partial.ok).to.equal(false);
    expect(partial.stderr).to.contain(
      "error: 1 valid row(s), 1 rejected: nothing was sent; fix the rows or pass --allow-partial to register the valid ones",
    );
    const both = await runTask(["devices", "register"], {
      deployment: record,
      simCount: "1",
      keys: "x.csv",
      signer: "4",
    });
    expect(both.ok).to.equal(false);
    expect(both.stderr).to.contain("error: give --keys <csv> (real devices) or --sim-count <n>");
  });

  it("local time-travel --seconds N moves the next block exactly N seconds after the latest", async function () {
    const before = await latest();
    await new Promise((r) => setTimeout(r, 1100)); // wall-clock time passes between the blocks
    expect(await run(["local", "time-travel"], { seconds: "600" })).to.contain("+600 s");
    expect(await latest()).to.equal(before + 600);
  });

  it("rental: meter, collect, end, settle and withdraw, each printed in token units", async function () {
    const terms = join(dir, "money-terms.json");
    await writeFile(
      terms,
      JSON.stringify({
        subjectKind: 1,
        subjectId: assetId,
        token: usdc,
        meterDeviceId: meter,
        meterKind: 1,
        meterPeriod: 3600,
        pricePerSecond: "1000",
        pricePerUnit: "10000",
        maxUnitsPerPeriod: "1000000",
        deposit: "100000000",
        minDuration: 3600,
        noticePeriod: 3600,
      }),
    );
    const offerId = /offer (0x[0-9a-f]{64})/.exec(await run(["rental", "offer"], { terms, signer: "6" }))![1];
    await run(["devices", "attest"], {
      device: meter,
      kind: "1",
      odometer: "0",
      timestamp: String((await latest()) + 30),
      ...SIM,
    });
    const rent = await run(["rental", "rent"], { offer: offerId, duration: "86400", prepay: "500", signer: "8" });
    const agreement = /agreement (0x[0-9a-f]{64}) opened: Active/.exec(rent)![1];

    await run(["local", "time-travel"], { seconds: "3600" });
    await run(["devices", "attest"], { device: meter, kind: "1", value: "3000", odometer: "3000", ...SIM });
    const metered = await run(["rental", "meter"], { agreement });
    expect(metered).to.contain("billed 3000 units (carried 0) = 30 USDC (30000000)");
    expect(metered).to.contain(`agreement ${agreement}: Active`);
    const collected = await run(["rental", "collect"], { agreement });
    expect(collected).to.match(/rent paid: [\d.]+ USDC \(\d+\) to the owner side, fee [\d.]+ USDC/);

    const ended = await run(["rental", "end"], { agreement, signer: "8" });
    expect(ended).to.match(/use ends at \d+/);
    expect(ended).to.contain(`agreement ${agreement}: Active -> TerminatedEarly`);
    // The state once: not "TerminatedEarly (TerminatedEarly)" (the end reason only when it says more).
    expect(await run(["rental", "status"], { agreement })).to.match(/^ {2}state: +TerminatedEarly$/m);
    await run(["local", "time-travel"], { seconds: "3700" });
    const settled = await run(["rental", "settle"], { agreement });
    expect(settled).to.match(/settled \(TerminatedEarly\): refund [\d.]+ USDC \(\d+\)/);
    expect(settled).to.match(new RegExp(`agreement ${agreement}: TerminatedEarly -> (Settling|Closed)`));
    const withdrawn = await run(["rental", "withdraw"], { asset: assetId, token: usdc, signer: "8" });
    expect(withdrawn).to.match(/^withdrew [\d.]+ USDC \(\d+\)$/m);
    expect(await suite.rentalCustody.claimable(renter.address, assetId, usdc)).to.equal(0n);
    expect(await run(["rental", "withdraw"], { asset: assetId, token: usdc, signer: "8" })).to.contain(
      "nothing to withdraw in USDC",
    );
  });

  it("rental status: an Active agreement past its end shows Ended until it is settled", async function () {
    const terms = join(dir, "money-short-terms.json");
    await writeFile(
      terms,
      JSON.stringify({
        subjectKind: 1,
        subjectId: assetId,
        token: usdc,
        pricePerSecond: "1",
        deposit: "0",
        minDuration: 60,
      }),
    );
    const offerId = /offer (0x[0-9a-f]{64})/.exec(await run(["rental", "offer"], { terms, signer: "6" }))![1];
    const rent = await run(["rental", "rent"], { offer: offerId, duration: "60", prepay: "1", signer: "8" });
    const agreement = /agreement (0x[0-9a-f]{64}) opened: Active/.exec(rent)![1];
    await run(["local", "time-travel"], { seconds: "120" });
    expect(await run(["rental", "status"], { agreement })).to.match(/state: +Ended$/m);
    expect(await run(["rental", "settle"], { agreement })).to.match(/: Ended -> (Settling|Closed)/);
  });

  it("maintenance: device evidence for one milestone, an optimistic claim finalized for the other, withdraw", async function () {
    const order = await run(["maintenance", "order"], {
      asset: assetId,
      token: usdc,
      budget: "200",
      bond: "10",
      provider: provider.address,
      device: meter,
      useDevice: true,
      kind: "7",
      cmp: "eq",
      threshold: "1",
      optimistic: true,
      arbiter: arbiter.address,
      challengeWindow: "3600",
      milestones: "5000,5000",
      salt: "money-repair",
      signer: "6",
    });
    const orderId = /order (0x[0-9a-f]{64}) created/.exec(order)![1];
    expect(await run(["maintenance", "accept"], { order: orderId, signer: "9" })).to.match(/state: +Active/);
    await run(["local", "time-travel"], { seconds: "60" });
    await run(["devices", "attest"], { device: meter, kind: "7", value: "1", ...SIM });
    const evidence = await run(["maintenance", "evidence"], { order: orderId, milestone: "0", signer: "9" });
    expect(evidence).to.contain("milestone 0: 5000 bps, released");
    expect(evidence).to.contain("milestone 1: 5000 bps, not released");

    const claimed = await run(["maintenance", "claim"], { order: orderId, milestone: "1", signer: "9" });
    expect(claimed).to.match(/milestone 1 claimed; unchallenged, it counts after \d{4}-/);
    const early = await runTask(["maintenance", "finalize"], { deployment: record, order: orderId, milestone: "1" });
    expect(early.ok).to.equal(false);
    expect(early.stderr).to.match(/^error: .*DeadlineNotPassed\(/m);
    await run(["local", "time-travel"], { seconds: "3601" });
    const finalized = await run(["maintenance", "finalize"], { order: orderId, milestone: "1" });
    expect(finalized).to.contain("claim on milestone 1 counted");
    expect(finalized).to.match(/state: +Completed/);
    const paid = await run(["maintenance", "withdraw"], { asset: assetId, token: usdc, signer: "9" });
    expect(paid).to.contain(`withdrew 210 USDC (210000000) to ${provider.address}`);
  });

  it("--signer <role> reads PLINTH_<ROLE>_KEY from Hardhat's development keystore (no password prompt)", async function () {
    // The keystore lives in Hardhat's global config directory: a temporary one (XDG_CONFIG_HOME) keeps
    // the user's own keystore untouched. The development keystore's password is in a file next to it;
    // the production keystore's password prompts are exercised by ./keystore.test.ts.
    const config = await mkdtemp(join(tmpdir(), "plinth-keystore-"));
    const env: Record<string, string | undefined> = {
      ...process.env,
      XDG_CONFIG_HOME: config,
      ALLOW_IN_PROCESS: undefined,
    };
    for (const name of [...CI_VARIABLES, "PLINTH_ISSUER_KEY"]) delete env[name]; // Hardhat skips the keystore in CI
    const cli = (args: string[], input?: string) =>
      spawnSync(process.execPath, ["node_modules/hardhat/dist/src/cli.js", ...args], {
        encoding: "utf8",
        env,
        input,
        timeout: 60_000,
      });
    const key = "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e"; // account 6
    const set = cli(["keystore", "set", "--dev", "PLINTH_ISSUER_KEY"], `${key}\n`);
    expect(set.status, set.stderr + set.stdout).to.equal(0);
    const empty = join(config, "31337.json");
    await writeFile(empty, JSON.stringify({ chainId: 31337, contracts: {} }));
    const r = cli([
      "governance",
      "role-check",
      "--contract",
      "AssetRegistry",
      "--role",
      "ISSUER_ROLE",
      "--signer",
      "issuer",
      "--deployment",
      empty,
    ]);
    expect(r.stderr).to.contain(`signing as ${issuer.address} (issuer, key PLINTH_ISSUER_KEY)`);
    expect(r.status).to.equal(1); // the record names no AssetRegistry
    expect(r.stderr).to.match(/^error: --at is required/m);
  });
});
