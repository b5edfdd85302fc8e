/**
 * scripts/operator/devices/register-devices.ts, run in-process (./harness.ts): KEYS mode registers real devices
 * from public keys in any exported form and prints their ids; the seed mode prints each device id too.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toBeHex } from "ethers";
import { deployWithManufacturer } from "../../scripts/operator/devices/lib.js";
import { runScript } from "./harness.js";

const { ethers } = await network.getOrCreate();
const signers = await ethers.getSigners();
const SCRIPT = "scripts/operator/devices/register-devices.ts";

const pem = (k: KeyObject) => k.export({ type: "spki", format: "pem" }) as string;
const jwkJson = (k: KeyObject) => JSON.stringify(k.export({ format: "jwk" }));
const sec1 = (k: KeyObject) => {
  const der = k.export({ type: "spki", format: "der" });
  return der.subarray(der.length - 65);
};
const compressed = (k: KeyObject) => {
  const u = sec1(k);
  return "0x" + ((u[64]! & 1) === 1 ? "03" : "02") + u.subarray(1, 33).toString("hex");
};
const csvQuote = (s: string) => `"${s.replace(/"/g, '""')}"`;
const newKey = (curve: "prime256v1" | "secp256k1") => generateKeyPairSync("ec", { namedCurve: curve }).publicKey;

async function csvFile(lines: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "plinth-keys-"));
  const file = join(dir, "devices.csv");
  await writeFile(file, lines.join("\n") + "\n");
  return file;
}

/** Device ids printed as `row N: 0x<64 hex> (<decimal>) <curve> <status>`. */
function printed(stdout: string): { row: number; hex: string; dec: bigint; curve: string; status: string }[] {
  return [...stdout.matchAll(/^row (\d+): (0x[0-9a-f]{64}) \((\d+)\) (p256|secp256k1) (.+)$/gm)].map((m) => ({
    row: Number(m[1]),
    hex: m[2]!,
    dec: BigInt(m[3]!),
    curve: m[4]!,
    status: m[5]!,
  }));
}

describe("operator scripts: register-devices.ts", function () {
  it("KEYS mode registers real devices from PEM, JWK, SPKI DER and SEC1 keys and prints their ids", async function () {
    const manufacturer = signers[6];
    const registry = await deployWithManufacturer(ethers, signers[0], manufacturer);
    const keys = [newKey("prime256v1"), newKey("secp256k1"), newKey("prime256v1"), newKey("secp256k1")];
    const file = await csvFile([
      "key,model,firmwareHash,serialHash",
      `${csvQuote(pem(keys[0]!))},meter-v2,${ethers.id("fw-1")},SN-0001`,
      `${csvQuote(jwkJson(keys[1]!))},meter-v2,${ethers.id("fw-1")},SN-0002`,
      `${keys[2]!.export({ type: "spki", format: "der" }).toString("hex")},meter-v2,fw-1,SN-0003`,
      `secp256k1:${compressed(keys[3]!)},meter-v2,fw-1,SN-0004`,
    ]);
    const env = { REGISTRY: await registry.getAddress(), KEYS: file, SIGNER: manufacturer.address };
    const run = await runScript(SCRIPT, env);
    expect(run.exitCode, run.stderr + run.stdout).to.equal(0);
    const lines = printed(run.stdout);
    expect(lines.map((l) => [l.row, l.curve, l.status])).to.deep.equal([
      [1, "p256", "registered"],
      [2, "secp256k1", "registered"],
      [3, "p256", "registered"],
      [4, "secp256k1", "registered"],
    ]);
    expect(run.stdout).to.contain("not claimed: each device signs its own Claim");

    // The printed ids are the registry's deviceIdOf of the keys, and the registry knows them.
    for (const [i, line] of lines.entries()) {
      expect(line.hex).to.equal(toBeHex(line.dec, 32));
      const k = sec1(keys[i]!);
      const [keyType, keyA, keyB] =
        line.curve === "p256"
          ? [2, "0x" + k.subarray(1, 33).toString("hex"), "0x" + k.subarray(33).toString("hex")]
          : [1, ethers.zeroPadValue(ethers.computeAddress("0x" + k.toString("hex")), 32), ethers.ZeroHash];
      expect(await registry.deviceIdOf(keyType, keyA, keyB)).to.equal(line.dec);
      expect(await registry.statusOf(line.dec)).to.equal(1n);
      const info = await registry.deviceInfo(line.dec);
      expect([info.keyType, info.keyA, info.keyB, info.manufacturer]).to.deep.equal([
        BigInt(keyType),
        keyA.toLowerCase(),
        keyB,
        manufacturer.address,
      ]);
    }

    // Idempotent: a second run registers nothing and says so.
    const again = await runScript(SCRIPT, env);
    expect(again.exitCode, again.stderr).to.equal(0);
    expect(printed(again.stdout).map((l) => l.status)).to.deep.equal(Array(4).fill("already registered"));
  });

  it("KEYS mode: a bad key is rejected with its reason, nothing is sent and the exit code is 1 (ALLOW_PARTIAL=1 registers the rest)", async function () {
    const registry = await deployWithManufacturer(ethers, signers[0]);
    const good = newKey("prime256v1");
    const offCurve = sec1(newKey("prime256v1"));
    offCurve[64] ^= 1;
    const file = await csvFile([
      `${csvQuote(pem(good))},m,f,s1`,
      `p256:0x${offCurve.toString("hex")},m,f,s2`,
      `0x02${"11".repeat(32)},m,f,s3`,
    ]);
    const env = { REGISTRY: await registry.getAddress(), KEYS: file };
    const run = await runScript(SCRIPT, env);
    expect(run.exitCode).to.equal(1);
    expect(run.stdout).to.match(/^row 2: - rejected: the point is not on P-256$/m);
    expect(run.stdout).to.match(/^row 3: - rejected: a bare SEC1 point does not say its curve/m);
    expect(run.stderr).to.match(/^error: 1 valid row\(s\), 2 rejected: nothing was sent/m);
    const [line] = printed(run.stdout);
    expect(line!.status).to.equal("valid, not sent");
    expect(await registry.statusOf(line!.dec)).to.equal(0n);

    const partial = await runScript(SCRIPT, { ...env, ALLOW_PARTIAL: "1" });
    expect(partial.exitCode, partial.stderr).to.equal(0);
    expect(printed(partial.stdout).filter((l) => l.status === "registered")).to.have.length(1);
    expect(await registry.statusOf(line!.dec)).to.equal(1n);
  });

  it("seed mode prints each device id", async function () {
    const registry = await deployWithManufacturer(ethers, signers[0]);
    const run = await runScript(SCRIPT, { REGISTRY: await registry.getAddress(), COUNT: "2", CLAIM: "0" });
    expect(run.exitCode, run.stderr).to.equal(0);
    const ids = [...run.stdout.matchAll(/^device (\d): (0x[0-9a-f]{64}) \((\d+)\) (p256|secp256k1) registered$/gm)];
    expect(ids.map((m) => [m[1], m[4]])).to.deep.equal([
      ["0", "secp256k1"],
      ["1", "p256"],
    ]);
    for (const m of ids) expect(await registry.statusOf(BigInt(m[3]!))).to.equal(1n);
  });
});
