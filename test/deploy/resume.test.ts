/**
 * Resuming an interrupted deployment on a chain where some of the suite already exists at its
 * CREATE2 addresses (deployed earlier without this journal: a lost journal, another operator, the
 * same salt on a chain someone else deployed to).
 *
 * Ignition journals only on a real JSON-RPC node, so this test starts `hardhat node` on a free port
 * and deploys into its own journal folder (ignition/deployments/test-resume-<pid>, removed after).
 * The interruption is deterministic: the connection's provider is cut off around the (k+1)-th
 * transaction, as if the operator pressed Ctrl-C after k transactions; the same call is then made
 * again on a new connection. Each case starts from the same chain state (evm_snapshot).
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import hre from "hardhat";
import { ROOT, loadParameters } from "../../deploy/config.js";
import { checkRoles, deploySuite, predictAddresses } from "../../scripts/operator/deploy/lib.js";

const parameters = loadParameters("localhost");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject()));
    });
  });
}

async function answering(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Where the interruption falls, relative to the (k+1)-th transaction:
 * - "between": after the k-th transaction was sent and journalled, every later request fails (Ctrl-C
 *   while Ignition waits for a receipt or prepares the next one);
 * - "before-send": Ignition journalled the next transaction's nonce but it never left;
 * - "after-send": the next transaction reached the node but Ignition never journalled it (Ctrl-C
 *   between the two; Ignition alone then asks for `ignition track-tx`).
 */
type Cut = "between" | "before-send" | "after-send";

/** Interrupts `connection` after `k` transactions, at `cut`. Returns the count of transactions that left. */
function interruptAfter(connection: Awaited<ReturnType<typeof hre.network.create>>, k: number, cut: Cut): () => number {
  const provider = connection.provider;
  const request = provider.request.bind(provider);
  let sent = 0;
  let dead = false;
  provider.request = async (args) => {
    if (dead) throw new Error("interrupted (test): Ctrl-C");
    if (args.method === "eth_sendTransaction" && sent === k) {
      dead = true;
      if (cut === "before-send") throw new Error("interrupted (test): Ctrl-C");
      if (cut === "after-send") {
        await request(args);
        sent++;
        throw new Error("interrupted (test): Ctrl-C");
      }
    }
    const result = await request(args);
    if (args.method === "eth_sendTransaction") sent++;
    if (cut === "between" && sent === k) dead = true;
    return result;
  };
  return () => sent;
}

describe("resuming an interrupted deployment where part of the suite already exists (hardhat node)", function () {
  this.timeout(300_000);
  let node: ChildProcess | undefined;
  let url = "";
  const ids = [`test-resume-pre-${process.pid}`];
  const dirOf = (id: string) => join(ROOT, "ignition", "deployments", id);

  before(async function () {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const hardhat = join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");
    node = spawn(process.execPath, [hardhat, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
      cwd: ROOT,
      stdio: "ignore",
    });
    for (let i = 0; i < 240 && !(await answering(url)); i++) await new Promise((r) => setTimeout(r, 250));
    if (!(await answering(url))) throw new Error(`hardhat node did not answer on ${url}`);
  });

  after(function () {
    if (node?.pid !== undefined) node.kill("SIGTERM");
    for (const id of ids) rmSync(dirOf(id), { recursive: true, force: true });
  });

  const connect = () => hre.network.create({ network: "localhost", override: { url } });
  let pre: Awaited<ReturnType<typeof deploySuite>>;
  let snapshot: string;

  before(async function () {
    // Devices and assets already on chain at their CREATE2 addresses, and their journal lost.
    pre = await deploySuite(hre, await connect(), parameters, {
      networkName: "localhost",
      parts: ["devices", "assets"],
      deploymentId: ids[0],
      writeFiles: false,
    });
    rmSync(dirOf(ids[0]), { recursive: true, force: true });
    snapshot = (await (await connect()).provider.request({ method: "evm_snapshot" })) as string;
  });

  for (const [cut, k] of [
    ["between", 3],
    ["before-send", 4],
    ["after-send", 5],
  ] as const) {
    it(`resumes with the same command after an interruption (${cut}, after ${k} transactions), then sends nothing`, async function () {
      const id = `test-resume-${cut}-${process.pid}`;
      ids.push(id);
      const c = await connect();
      await c.provider.request({ method: "evm_revert", params: [snapshot] });
      snapshot = (await c.provider.request({ method: "evm_snapshot" })) as string;

      // The first run adopts the contracts already there and deploys the rest; it is cut off.
      const first = await connect();
      const sent = interruptAfter(first, k, cut);
      let interruption: unknown;
      try {
        await deploySuite(hre, first, parameters, { networkName: "localhost", deploymentId: id, writeFiles: false });
      } catch (error) {
        interruption = error;
      }
      expect(String(interruption)).to.include("interrupted (test)");
      expect(sent()).to.equal(cut === "after-send" ? k + 1 : k);
      expect(existsSync(join(dirOf(id), "journal.jsonl"))).to.equal(true);

      // The same command again resumes (the module's futures are those of the interrupted run).
      const second = await connect();
      const resumed = await deploySuite(hre, second, parameters, {
        networkName: "localhost",
        deploymentId: id,
        writeFiles: false,
      });
      expect(resumed.addresses).to.deep.equal(await predictAddresses(hre, parameters, resumed.record.parts));
      for (const name of ["DeviceRegistry", "IdentityRegistry", "AssetRegistry"] as const) {
        expect(resumed.addresses[name]).to.equal(pre.addresses[name]);
      }
      expect((await checkRoles(hre, second, resumed.record, resumed.deployer)).filter((f) => !f.ok)).to.deep.equal([]);

      // And once more: idempotent, nothing sent.
      const third = await deploySuite(hre, await connect(), parameters, {
        networkName: "localhost",
        deploymentId: id,
        writeFiles: false,
      });
      expect(third.sentByDeployer).to.equal(0);
      expect(third.addresses).to.deep.equal(resumed.addresses);
    });
  }
});
