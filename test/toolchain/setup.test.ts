import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const env = (overrides: Record<string, string | undefined>) => {
  const e: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete e[k];
    else e[k] = v;
  }
  return e;
};

describe("toolchain: wrong set-up gets a clear message", function () {
  this.timeout(60_000);

  it("a host Node that is too old is told what is needed (preinstall check)", function () {
    // Pretend to be Node 16 by overriding process.versions before the check runs.
    const dir = mkdtempSync(join(tmpdir(), "plinth-host-"));
    const fake = join(dir, "fake-node16.cjs");
    writeFileSync(
      fake,
      'Object.defineProperty(process, "versions", { value: { ...process.versions, node: "16.20.2" } });\n',
    );
    const run = spawnSync(process.execPath, ["-r", fake, "scripts/tooling/setup/check-host.cjs"], { encoding: "utf8" });
    expect(run.status).to.equal(1);
    expect(run.stderr).to.contain("Node 16.20.2");
    expect(run.stderr).to.contain("needs Node >= 18");
    expect(run.stderr).not.to.match(/\n\s+at /); // no stack trace
  });

  it("a supported host passes the preinstall check silently", function () {
    const run = spawnSync(process.execPath, ["scripts/tooling/setup/check-host.cjs"], { encoding: "utf8" });
    expect(run.status).to.equal(0);
    expect(run.stderr).to.equal("");
  });

  it("a testnet without its RPC URL names the missing variable, only when that network is used", function () {
    const missing = spawnSync(
      "npx",
      ["hardhat", "run", "--no-compile", "scripts/tooling/chain-info.ts", "--network", "baseSepolia"],
      {
        encoding: "utf8",
        env: env({ BASE_SEPOLIA_RPC_URL: undefined, DEPLOYER_PRIVATE_KEY: undefined }),
      },
    );
    expect(missing.status).to.not.equal(0);
    expect(missing.stdout + missing.stderr).to.contain('"BASE_SEPOLIA_RPC_URL" not found');

    const noKey = spawnSync(
      "npx",
      ["hardhat", "run", "--no-compile", "scripts/tooling/chain-info.ts", "--network", "sepolia"],
      {
        encoding: "utf8",
        env: env({ SEPOLIA_RPC_URL: "http://127.0.0.1:9", DEPLOYER_PRIVATE_KEY: undefined }),
      },
    );
    expect(noKey.status).to.not.equal(0);
    expect(noKey.stdout + noKey.stderr).to.contain('"DEPLOYER_PRIVATE_KEY" not found');

    // The default network needs none of them.
    const local = spawnSync("npx", ["hardhat", "run", "--no-compile", "scripts/tooling/chain-info.ts"], {
      encoding: "utf8",
      env: env({ SEPOLIA_RPC_URL: undefined, DEPLOYER_PRIVATE_KEY: undefined }),
    });
    expect(local.status, local.stderr).to.equal(0);
    expect(local.stdout).to.contain("chain id 31337");
  });
});
