/**
 * The operator scripts' shared safety rails (scripts/lib/cli.ts), each checked by running the real
 * script in-process (./harness.ts) on the shared in-process chain.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { runOperator, UserError } from "../../scripts/lib/cli.js";
import { UserError as AssetsUserError } from "../../scripts/assets/lib.js";
import { UsageError } from "../../scripts/devices/lib.js";
import { RentalScriptError } from "../../scripts/rental/lib.js";
import { runScript } from "./harness.js";

const { ethers } = await network.getOrCreate();
const signers = await ethers.getSigners();

async function deployedRegistryGovernance(stdout: string): Promise<string> {
  const m = /deployed DeviceRegistry at (0x[0-9a-fA-F]{40})/.exec(stdout);
  expect(m, stdout).to.not.equal(null);
  const registry = await ethers.getContractAt("DeviceRegistry", m![1]);
  const admin = await registry.DEFAULT_ADMIN_ROLE();
  return (
    await Promise.all(
      signers.slice(0, 4).map(async (s) => ((await registry.hasRole(admin, s.address)) ? s.address : "")),
    )
  )
    .filter((a) => a !== "")
    .join(",");
}

describe("operator scripts: shared safety rails (scripts/lib/cli.ts)", function () {
  it("SIGNER picks the signing account by index or address and the script prints it", async function () {
    const byIndex = await runScript("scripts/devices/register-manufacturer.ts", {
      DEPLOY: "1",
      SIGNER: "2",
      MANUFACTURER: signers[5].address,
    });
    expect(byIndex.exitCode, byIndex.stderr).to.equal(0);
    expect(byIndex.stderr).to.contain(`signing as ${signers[2].address} (account 2)`);
    expect(await deployedRegistryGovernance(byIndex.stdout)).to.equal(signers[2].address);

    const byAddress = await runScript("scripts/devices/register-manufacturer.ts", {
      DEPLOY: "1",
      SIGNER: signers[3].address.toLowerCase(),
      MANUFACTURER: signers[5].address,
    });
    expect(byAddress.exitCode, byAddress.stderr).to.equal(0);
    expect(await deployedRegistryGovernance(byAddress.stdout)).to.equal(signers[3].address);
  });

  it("SIGNER_INDEX and ACCOUNT still work, with a deprecation warning; a bad SIGNER is a user error", async function () {
    const alias = await runScript("scripts/devices/register-manufacturer.ts", {
      DEPLOY: "1",
      SIGNER_INDEX: "1",
      MANUFACTURER: signers[5].address,
    });
    expect(alias.exitCode, alias.stderr).to.equal(0);
    expect(alias.stderr).to.contain("SIGNER_INDEX is deprecated");
    expect(await deployedRegistryGovernance(alias.stdout)).to.equal(signers[1].address);

    const outOfRange = await runScript("scripts/devices/register-manufacturer.ts", { DEPLOY: "1", SIGNER: "999" });
    expect(outOfRange.exitCode).to.equal(1);
    expect(outOfRange.stderr).to.match(/^error: SIGNER=999: the network has \d+ accounts/m);
    const stranger = await runScript("scripts/devices/register-manufacturer.ts", {
      DEPLOY: "1",
      SIGNER: "0x000000000000000000000000000000000000dEaD",
    });
    expect(stranger.stderr).to.match(/is not one of the network's accounts/);
  });

  it("state-changing scripts refuse the in-process chain unless ALLOW_IN_PROCESS is set", async function () {
    for (const script of [
      "scripts/assets/deploy.ts",
      "scripts/income/deposit.ts",
      "scripts/rental/rental.ts",
      "scripts/maintenance/maintenance.ts",
      "scripts/devices/register-manufacturer.ts",
    ]) {
      const r = await runScript(script, { ALLOW_IN_PROCESS: undefined, DEPLOY: "1", ACTION: "create" });
      expect(r.exitCode, script).to.equal(1);
      expect(r.stderr, script).to.match(/^error: no network chosen: pass --network <name>/);
      expect(r.stderr.split("\n"), script).to.have.length(1);
    }
  });

  it("user errors print one line without a stack trace; unexpected errors keep their stack", async function () {
    const r = await runScript("scripts/rental/rental.ts", {});
    expect(r.exitCode).to.equal(1);
    expect(r.stderr).to.equal("error: set ESCROW (see the header of this script)");

    expect(new AssetsUserError("x")).to.be.instanceOf(UserError);
    expect(new UsageError("x")).to.be.instanceOf(UserError);
    expect(new RentalScriptError("x")).to.be.instanceOf(UserError);
    const errors: string[] = [];
    const saved = console.error;
    const savedExit = process.exitCode;
    console.error = (m: unknown) => void errors.push(String(m));
    try {
      await runOperator(async () => {
        throw new Error("boom");
      });
      expect(process.exitCode).to.equal(1);
    } finally {
      console.error = saved;
      process.exitCode = savedExit;
    }
    expect(errors[0]).to.match(/^Error: boom\n\s+at /);
  });

  it("a contract address without code is refused before anything is sent", async function () {
    const eoa = signers[9].address;
    const cases: [string, Record<string, string>, string][] = [
      ["scripts/assets/mint-shares.ts", { SHARES: eoa, MINT_TO: eoa, MINT_AMOUNT: "1" }, "SHARES"],
      [
        "scripts/assets/create-shares.ts",
        { FACTORY: eoa, ASSET_ID: "1", SHARES_NAME: "A", SHARES_SYMBOL: "A" },
        "FACTORY",
      ],
      ["scripts/income/deposit.ts", { DISTRIBUTOR: eoa, ASSET_ID: "1", TOKEN: "ETH", AMOUNT: "1" }, "DISTRIBUTOR"],
      ["scripts/rental/rental.ts", { ESCROW: eoa, ACTION: "withdraw" }, "ESCROW"],
      ["scripts/maintenance/maintenance.ts", { ESCROW: eoa, ACTION: "expire", ORDER_ID: "1" }, "ESCROW"],
    ];
    for (const [script, env, label] of cases) {
      const nonce = await ethers.provider.getTransactionCount(signers[0].address);
      const r = await runScript(script, env);
      expect(r.exitCode, script).to.equal(1);
      expect(r.stderr, script).to.contain(`error: no contract code at ${eoa} (${label}) (an EOA or wrong network?)`);
      expect(await ethers.provider.getTransactionCount(signers[0].address), script).to.equal(nonce);
    }
  });

  it("a signed offer file for another chain is refused before anything is sent", async function () {
    const { mkdtemp, writeFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const escrow = await ethers.deployContract("DeviceRegistry", [signers[0].address]); // any contract with code
    const file = join(await mkdtemp(join(tmpdir(), "plinth-ops-")), "offer.json");
    await writeFile(file, JSON.stringify({ chainId: "11155111", offer: {}, signature: "0x" }));
    const r = await runScript("scripts/rental/rental.ts", {
      ESCROW: await escrow.getAddress(),
      ACTION: "rent-signed",
      OFFER_FILE: file,
    });
    expect(r.exitCode).to.equal(1);
    expect(r.stderr).to.contain(`error: OFFER_FILE ${file} is for chain 11155111 but the network is chain 31337`);
  });
});
