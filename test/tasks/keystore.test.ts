/**
 * The production keystore as an operator meets it: `npx hardhat keystore set PLINTH_<ROLE>_KEY` asks
 * for a new password and the secret, then a task run with `--signer <role>` asks for the password and
 * signs with that key; a wrong password is one error line and exit code 1, and nothing is sent.
 * Each command is a real child process answering Hardhat's prompts on its stdin, with its own
 * configuration folder (XDG_CONFIG_HOME) so the operator's real keystore is never touched.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CI_VARIABLES } from "../../scripts/operator/kernel.js";

// Hardhat's account 1 of the default mnemonic: the in-process chain funds it, so a deploy can be paid.
const ISSUER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const ISSUER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const PASSWORD = "correct-horse-battery";

interface Run {
  code: number | null;
  output: string;
}

/** Runs `hardhat <args>`, answering each prompt (a regular expression on the output) in order. */
function hardhat(
  args: string[],
  answers: [RegExp, string][],
  home: string,
  env: Record<string, string> = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    // An operator's terminal: not a test run (HH_TEST makes Hardhat skip the production keystore) and
    // not CI (Hardhat never reads the keystore when CI-like variables are set).
    const base = { ...process.env };
    for (const name of [...CI_VARIABLES, "HH_TEST"]) delete base[name];
    const child = spawn(process.execPath, ["node_modules/hardhat/dist/src/cli.js", ...args], {
      env: {
        ...base,
        XDG_CONFIG_HOME: join(home, "config"),
        XDG_DATA_HOME: join(home, "data"),
        ALLOW_IN_PROCESS: "1",
        PLINTH_ISSUER_KEY: undefined,
        ...env,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    let pending = output;
    let next = 0;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`hardhat ${args.join(" ")} did not finish; output so far:\n${output}`));
    }, 90_000);
    const feed = (chunk: Buffer) => {
      output += chunk.toString();
      pending += chunk.toString();
      while (next < answers.length && answers[next]![0].test(pending)) {
        pending = "";
        child.stdin.write(`${answers[next]![1]}\n`);
        next += 1;
        // Hardhat's prompt keeps reading stdin: close it after the last answer, as a terminal user is done.
        if (next === answers.length) child.stdin.end();
      }
    };
    if (answers.length === 0) child.stdin.end();
    child.stdout.on("data", feed);
    child.stderr.on("data", feed);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("operator tasks: --signer <role> from the production keystore (password prompts)", function () {
  this.timeout(300_000);
  const home = mkdtempSync(join(tmpdir(), "plinth-keystore-"));

  before(async function () {
    const set = await hardhat(
      ["keystore", "set", "PLINTH_ISSUER_KEY"],
      [
        [/Enter the password/, PASSWORD],
        [/confirm your password/, PASSWORD],
        [/Enter secret/, ISSUER_KEY],
      ],
      home,
    );
    expect(set.code, set.output).to.equal(0);
    expect(set.output).to.contain('Key "PLINTH_ISSUER_KEY" set in the production keystore');
    // The key is stored encrypted: the secret never appears in the file.
    const file = readFileSync(join(home, "config", "hardhat-nodejs", "keystore.json"), "utf8");
    expect(file).to.not.contain(ISSUER_KEY.slice(2));
  });

  it("the right password: the task signs with the stored key and its transaction is mined", async function () {
    const run = await hardhat(["local", "stablecoin", "--signer", "issuer"], [[/Enter the password/, PASSWORD]], home);
    expect(run.code, run.output).to.equal(0);
    expect(run.output).to.contain(`signing as ${ISSUER} (issuer, key PLINTH_ISSUER_KEY)`);
    expect(run.output).to.match(new RegExp(`minted 1000000 tUSD \\(1000000000000\\) to ${ISSUER}`));
  });

  it("a wrong password: one error line naming the variable, exit code 1, no stack trace, nothing sent", async function () {
    const run = await hardhat(
      ["local", "stablecoin", "--signer", "issuer"],
      [[/Enter the password/, "not-the-password"]],
      home,
    );
    expect(run.code, run.output).to.equal(1);
    expect(run.output).to.contain("error: cannot read PLINTH_ISSUER_KEY from the keystore: HHE50000");
    expect(run.output).to.not.contain("signing as");
    expect(run.output).to.not.contain("deployed at");
    expect(run.output).to.not.match(/\n\s+at /);
  });

  it("an environment variable wins over the keystore: no prompt, its key signs", async function () {
    const account2 = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
    const key2 = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
    const run = await hardhat(["local", "stablecoin", "--signer", "issuer"], [], home, { PLINTH_ISSUER_KEY: key2 });
    expect(run.code, run.output).to.equal(0);
    expect(run.output).to.not.contain("Enter the password");
    expect(run.output).to.contain(`signing as ${account2} (issuer, key PLINTH_ISSUER_KEY)`);
  });

  it("in CI (CI set) Hardhat never reads the keystore: the error says so and names the variable to set", async function () {
    const run = await hardhat(["local", "stablecoin", "--signer", "issuer"], [], home, { CI: "true" });
    expect(run.code, run.output).to.equal(1);
    expect(run.output).to.not.contain("Enter the password");
    expect(run.output).to.contain(
      "error: --signer issuer: CI is set, so Hardhat does not read its keystore: set PLINTH_ISSUER_KEY in the environment",
    );
    expect(run.output).to.not.contain("deployed at");
  });

  it("the kernel's CI variables are exactly those by which Hardhat skips its keystore (hardhat-utils isCi)", async function () {
    const { isCi } = (await import("@nomicfoundation/hardhat-utils/ci")) as { isCi: () => boolean };
    const saved = { ...process.env };
    try {
      for (const name of CI_VARIABLES) delete process.env[name];
      expect(isCi()).to.equal(false);
      for (const name of CI_VARIABLES) {
        process.env[name] = "1";
        expect(isCi(), name).to.equal(true);
        delete process.env[name];
      }
    } finally {
      Object.assign(process.env, saved);
    }
  });
});
