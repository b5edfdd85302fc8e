/**
 * The operator scripts' shared safety rails (scripts/lib/cli.ts), each checked by running the real
 * script in-process (./harness.ts) on the shared in-process chain.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { operatorNetwork, runOperator, UserError } from "../../scripts/lib/cli.js";
import { createServer } from "node:http";
import { UserError as AssetsUserError } from "../../scripts/operator/assets/lib.js";
import { UserError as DevicesUserError } from "../../scripts/operator/devices/lib.js";
import { UserError as RentalUserError } from "../../scripts/operator/rental/lib.js";
import { UserError as DeployUserError } from "../../scripts/operator/deploy/lib.js";
import { runScript } from "./harness.js";
import { createShares, deployAssetStack, registerAsset } from "../../scripts/operator/assets/lib.js";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
    const byIndex = await runScript("scripts/operator/devices/register-manufacturer.ts", {
      DEPLOY: "1",
      SIGNER: "2",
      MANUFACTURER: signers[5].address,
    });
    expect(byIndex.exitCode, byIndex.stderr).to.equal(0);
    expect(byIndex.stderr).to.contain(`signing as ${signers[2].address} (account 2)`);
    expect(await deployedRegistryGovernance(byIndex.stdout)).to.equal(signers[2].address);

    const byAddress = await runScript("scripts/operator/devices/register-manufacturer.ts", {
      DEPLOY: "1",
      SIGNER: signers[3].address.toLowerCase(),
      MANUFACTURER: signers[5].address,
    });
    expect(byAddress.exitCode, byAddress.stderr).to.equal(0);
    expect(await deployedRegistryGovernance(byAddress.stdout)).to.equal(signers[3].address);
  });

  it("SIGNER_INDEX and ACCOUNT still work, with a deprecation warning; a bad SIGNER is a user error", async function () {
    const alias = await runScript("scripts/operator/devices/register-manufacturer.ts", {
      DEPLOY: "1",
      SIGNER_INDEX: "1",
      MANUFACTURER: signers[5].address,
    });
    expect(alias.exitCode, alias.stderr).to.equal(0);
    expect(alias.stderr).to.contain("SIGNER_INDEX is deprecated");
    expect(await deployedRegistryGovernance(alias.stdout)).to.equal(signers[1].address);

    const outOfRange = await runScript("scripts/operator/devices/register-manufacturer.ts", {
      DEPLOY: "1",
      SIGNER: "999",
    });
    expect(outOfRange.exitCode).to.equal(1);
    expect(outOfRange.stderr).to.match(/^error: SIGNER=999: the network has \d+ accounts/m);
    const stranger = await runScript("scripts/operator/devices/register-manufacturer.ts", {
      DEPLOY: "1",
      SIGNER: "0x000000000000000000000000000000000000dEaD",
    });
    expect(stranger.stderr).to.match(/is not one of the network's accounts/);
  });

  it("state-changing scripts refuse the in-process chain unless ALLOW_IN_PROCESS is set", async function () {
    for (const script of [
      "scripts/operator/assets/deploy.ts",
      "scripts/operator/income/deposit.ts",
      "scripts/operator/rental/rental.ts",
      "scripts/operator/maintenance/maintenance.ts",
      "scripts/operator/devices/register-manufacturer.ts",
    ]) {
      const r = await runScript(script, { ALLOW_IN_PROCESS: undefined, DEPLOY: "1", ACTION: "create" });
      expect(r.exitCode, script).to.equal(1);
      expect(r.stderr, script).to.match(/^error: no network chosen: pass --network <name>/);
      expect(r.stderr.split("\n"), script).to.have.length(1);
    }
  });

  it("user errors print one line without a stack trace; unexpected errors keep their stack", async function () {
    const r = await runScript("scripts/operator/rental/rental.ts", {});
    expect(r.exitCode).to.equal(1);
    expect(r.stderr).to.equal("error: set ESCROW (see the header of this script)");

    // One error class: the parts' libraries and the deployment re-export the kernel's.
    for (const other of [AssetsUserError, DevicesUserError, RentalUserError, DeployUserError]) {
      expect(other).to.equal(UserError);
    }
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
      ["scripts/operator/assets/mint-shares.ts", { SHARES: eoa, MINT_TO: eoa, MINT_AMOUNT: "1" }, "SHARES"],
      [
        "scripts/operator/assets/create-shares.ts",
        { FACTORY: eoa, ASSET_ID: "1", SHARES_NAME: "A", SHARES_SYMBOL: "A" },
        "FACTORY",
      ],
      [
        "scripts/operator/income/deposit.ts",
        { DISTRIBUTOR: eoa, ASSET_ID: "1", TOKEN: "ETH", AMOUNT: "1" },
        "DISTRIBUTOR",
      ],
      ["scripts/operator/rental/rental.ts", { ESCROW: eoa, ACTION: "withdraw" }, "ESCROW"],
      ["scripts/operator/maintenance/maintenance.ts", { ESCROW: eoa, ACTION: "expire", ORDER_ID: "1" }, "ESCROW"],
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
    const escrow = await ethers.deployContract("DeviceRegistry", [signers[0].address]); // any contract with code
    const file = join(await mkdtemp(join(tmpdir(), "plinth-ops-")), "offer.json");
    await writeFile(file, JSON.stringify({ chainId: "11155111", offer: {}, signature: "0x" }));
    const r = await runScript("scripts/operator/rental/rental.ts", {
      ESCROW: await escrow.getAddress(),
      ACTION: "rent-signed",
      OFFER_FILE: file,
    });
    expect(r.exitCode).to.equal(1);
    expect(r.stderr).to.contain(`error: OFFER_FILE ${file} is for chain 11155111 but the network is chain 31337`);
  });

  /** An asset stack on the shared chain: governance 0, issuer 1, agent 2, KYC agent 3. */
  async function assetWithShares(salt: string) {
    const [gov, issuer, agent, kyc] = signers;
    const stack = await deployAssetStack(ethers, gov);
    await stack.registry.connect(gov).grantRole(await stack.registry.ISSUER_ROLE(), issuer.address);
    await stack.identity.connect(gov).grantRole(await stack.identity.KYC_AGENT_ROLE(), kyc.address);
    const { assetId } = await registerAsset(ethers, stack.registry, issuer, {
      salt,
      assetClass: "solar",
      jurisdiction: "DE",
      agent,
      metadataURI: "",
      documents: [],
    });
    const shares = await ethers.getContractAt(
      "AssetShares",
      await createShares(stack.factory, agent, assetId, "S", "S", 0),
    );
    const dir = await mkdtemp(join(tmpdir(), "plinth-ops-"));
    return { ...stack, shares, dir };
  }

  it("mint-shares run twice does not mint twice (FORCE=1 does)", async function () {
    const { identity, shares } = await assetWithShares("mint-twice");
    const alice = signers[6].address;
    const far = BigInt((await ethers.provider.getBlock("latest"))!.timestamp) + 10n ** 6n;
    await identity.connect(signers[3]).setIdentities([alice], [276], [far]);
    const env = { SHARES: await shares.getAddress(), MINT_TO: alice, MINT_AMOUNT: "100", SIGNER: "2" };
    const first = await runScript("scripts/operator/assets/mint-shares.ts", env);
    expect(first.exitCode, first.stderr).to.equal(0);
    expect(await shares.balanceOf(alice)).to.equal(100n);
    const second = await runScript("scripts/operator/assets/mint-shares.ts", env);
    expect(second.exitCode).to.equal(1);
    expect(second.stderr).to.match(/already hold at least the amount to mint .*Nothing was sent; FORCE=1/);
    expect(await shares.balanceOf(alice)).to.equal(100n);
    const forced = await runScript("scripts/operator/assets/mint-shares.ts", { ...env, FORCE: "1" });
    expect(forced.exitCode, forced.stderr).to.equal(0);
    expect(await shares.balanceOf(alice)).to.equal(200n);
  });

  it("a CSV with rejected rows exits non-zero and sends nothing unless ALLOW_PARTIAL=1", async function () {
    const { identity, shares, dir } = await assetWithShares("csv");
    const [a, b] = [signers[7].address, signers[8].address];
    const allBad = join(dir, "bad.csv");
    await writeFile(allBad, "wallet,country,expiry\n0x1234,276,2099-01-01\nnope,1,2099-01-01\n");
    const env = { IDENTITY_REGISTRY: await identity.getAddress(), SIGNER: "3" };
    const none = await runScript("scripts/operator/assets/onboard-investors.ts", {
      ...env,
      CSV: allBad,
      ALLOW_PARTIAL: "1",
    });
    expect(none.exitCode).to.equal(1);
    expect(none.stderr).to.contain("error: 0 valid row(s), 2 rejected: nothing to onboard");

    const mixed = join(dir, "mixed.csv");
    await writeFile(mixed, `${a},276,2099-01-01\n0x1234,276,2099-01-01\n${b},276,2099-01-01\n`);
    const strict = await runScript("scripts/operator/assets/onboard-investors.ts", { ...env, CSV: mixed });
    expect(strict.exitCode).to.equal(1);
    expect(strict.stdout).to.contain("rejected line 2");
    expect(strict.stderr).to.contain("2 valid row(s), 1 rejected: nothing was sent");
    expect(await identity.isEligible(a)).to.equal(false);
    const partial = await runScript("scripts/operator/assets/onboard-investors.ts", {
      ...env,
      CSV: mixed,
      ALLOW_PARTIAL: "1",
    });
    expect(partial.exitCode, partial.stderr).to.equal(0);
    expect(await identity.isEligible(a)).to.equal(true);

    // Allocations refused by the token's compliance: a summary, exit code 1 unless ALLOW_PARTIAL=1.
    const allocations = join(dir, "allocations.csv");
    await writeFile(allocations, `${a},5\n${signers[9].address},5\n`);
    const mintEnv = { SHARES: await shares.getAddress(), ALLOCATIONS: allocations, SIGNER: "2" };
    const refused = await runScript("scripts/operator/assets/mint-shares.ts", mintEnv);
    expect(refused.exitCode).to.equal(1);
    expect(refused.stderr).to.contain("error: minted 1 allocation(s), refused 1");
    const c = signers[10].address;
    await writeFile(allocations, `${c},5\n${signers[9].address},5\n`);
    await identity.connect(signers[3]).setIdentities([c], [276], [4_000_000_000n]);
    const ok = await runScript("scripts/operator/assets/mint-shares.ts", { ...mintEnv, ALLOW_PARTIAL: "1" });
    expect(ok.exitCode, ok.stderr).to.equal(0);
    expect(ok.stdout).to.contain("minted 1 allocation(s), refused 1");
  });

  it("a rental terms JSON with an unknown key is refused, naming it and the allowed keys", async function () {
    const escrow = await ethers.deployContract("DeviceRegistry", [signers[0].address]); // any contract with code
    const dir = await mkdtemp(join(tmpdir(), "plinth-ops-"));
    const terms = join(dir, "terms.json");
    await writeFile(terms, JSON.stringify({ subjectKind: 1, subjectId: "1", depossit: "100" }));
    const nonce = await ethers.provider.getTransactionCount(signers[0].address);
    const r = await runScript("scripts/operator/rental/rental.ts", {
      ESCROW: await escrow.getAddress(),
      ACTION: "publish",
      TERMS: terms,
    });
    expect(r.exitCode).to.equal(1);
    expect(r.stderr).to.match(
      /^error: .*terms\.json: unknown key "depossit" \(allowed: subjectKind, subjectId, .*deposit,/m,
    );
    expect(await ethers.provider.getTransactionCount(signers[0].address)).to.equal(nonce);
  });

  it("--network localhost honours LOCALHOST_RPC_URL, as deploy does", async function () {
    const methods: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const { id, method } = JSON.parse(body) as { id: number; method: string };
        methods.push(method);
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ jsonrpc: "2.0", id, result: "0x7a69" }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const connection = await operatorNetwork(
        { network: "localhost" },
        { LOCALHOST_RPC_URL: `http://127.0.0.1:${port}` },
      );
      expect(await connection.provider.request({ method: "eth_chainId" })).to.equal("0x7a69");
      expect(methods).to.include("eth_chainId");
      await connection.close();
    } finally {
      server.close();
    }
  });
});
