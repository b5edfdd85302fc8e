/**
 * Issue 14 ("The EVM the networks really run"), the cheap half (`npm run evm:check` deploys the whole
 * suite on each chain): the contracts are compiled for prague and contain no later opcode; the
 * simulated prague chain has no P-256 precompile while osaka and the OP chain have one at 0x100; and a
 * P-256 attestation verifies on the prague chain through OpenZeppelin's Solidity fallback.
 */
import { expect } from "chai";
import { readFile } from "node:fs/promises";
import hre, { network } from "hardhat";
import { KeyType } from "../../client/src/eip712/devices.js";
import { deterministicDeviceSigner } from "../../client/src/signers/devices.js";
import { deployRegistry, registerAndClaim, signedAttestation } from "../devices/helpers.js";

const P256VERIFY = "0x0000000000000000000000000000000000000100";
/** Wycheproof ecdsa_secp256r1_sha256_p1363 vector with small r and s (valid). */
const VECTOR_INPUT =
  "0xbb5a52f42f9c9261ed4361f59422a1e30036e7c32b270c8807a419feca605023" +
  "0000000000000000000000000000000000000000000000000000000000000005" +
  "0000000000000000000000000000000000000000000000000000000000000001" +
  "a71af64de5126a4a4e02b7922d66ce9415ce88a4c9d25514d91082c8725ac957" +
  "5d47723c8fbe580bb369fec9c2665d8e30a435b9932645482e7c9f11e872296b";
const TRUE_WORD = "0x" + "00".repeat(31) + "01";

/** Opcodes introduced after prague (osaka: CLZ). */
const AFTER_PRAGUE: Record<number, string> = { 0x1e: "CLZ" };

/** The opcodes of runtime code (PUSH data skipped), metadata (CBOR, length in the last 2 bytes) excluded. */
function opcodes(hex: string): number[] {
  const code = Buffer.from(hex.slice(2), "hex");
  const end = code.length >= 2 ? code.length - 2 - code.readUInt16BE(code.length - 2) : code.length;
  const ops: number[] = [];
  for (let pc = 0; pc < end; pc++) {
    const op = code[pc]!;
    ops.push(op);
    if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f;
  }
  return ops;
}

interface CallFrame {
  to?: string;
  output?: string;
  calls?: CallFrame[];
}
const callsTo = (f: CallFrame, to: string): CallFrame[] => [
  ...(f.to?.toLowerCase() === to ? [f] : []),
  ...(f.calls ?? []).flatMap((c) => callsTo(c, to)),
];

describe("toolchain: EVM targets (compiled for prague; P-256 by precompile or Solidity fallback)", function () {
  it("compiles every production contract for prague, with no opcode of a later fork", async function () {
    for (const profile of ["default", "production"]) {
      for (const compiler of hre.config.solidity.profiles[profile]!.compilers) {
        expect((compiler.settings as { evmVersion?: string }).evmVersion, `profile ${profile}`).to.equal("prague");
      }
    }
    const production = [...(await hre.artifacts.getAllFullyQualifiedNames())].filter(
      (n) => n.startsWith("contracts/") && !n.startsWith("contracts/test/"),
    );
    expect(production).to.include("contracts/devices/DeviceRegistry.sol:DeviceRegistry");
    const buildInfos = new Set<string>();
    for (const name of production) {
      const artifact = await hre.artifacts.readArtifact(name);
      buildInfos.add(artifact.buildInfoId!);
      const late = opcodes(artifact.deployedBytecode).filter((op) => AFTER_PRAGUE[op] !== undefined);
      expect(
        late.map((op) => AFTER_PRAGUE[op]),
        name,
      ).to.deep.equal([]);
    }
    for (const buildInfoId of buildInfos) {
      const file = await hre.artifacts.getBuildInfoPath(buildInfoId);
      const buildInfo = JSON.parse(await readFile(file!, "utf8")) as { input: { settings: { evmVersion: string } } };
      expect(buildInfo.input.settings.evmVersion, buildInfoId).to.equal("prague");
    }
  });

  it("answers at 0x100 on osaka and the OP chain, not on prague (no code there on any of them)", async function () {
    const expected = { pragueSim: "0x", opSim: TRUE_WORD, default: TRUE_WORD };
    for (const [name, answer] of Object.entries(expected)) {
      const connection = await network.create(name);
      try {
        const { provider } = connection.ethers;
        expect(await provider.getCode(P256VERIFY), name).to.equal("0x");
        expect(await provider.call({ to: P256VERIFY, data: VECTOR_INPUT }), name).to.equal(answer);
      } finally {
        await connection.close();
      }
    }
  });

  it("verifies a P-256 attestation on the prague chain through the Solidity fallback", async function () {
    const connection = await network.create("pragueSim");
    try {
      const ctx = await deployRegistry(connection.ethers);
      const device = deterministicDeviceSigner("0x" + "11".repeat(32), 0, "p256");
      expect(device.keyType).to.equal(KeyType.P256);
      await registerAndClaim(ctx, device);
      const { att, sig } = await signedAttestation(ctx, device, { counter: 1, value: 100, odometer: 100 });

      const tx = await ctx.registry.attest(att, sig);
      await expect(tx)
        .to.emit(ctx.registry, "AttestationAccepted")
        .withArgs(device.deviceId, att.kind, att.counter, att.value, att.odometer);
      const reading = await ctx.registry.latestReading(device.deviceId, att.kind);
      expect([reading.counter, reading.timestamp, reading.value, reading.odometer]).to.deep.equal([
        att.counter,
        att.timestamp,
        att.value,
        att.odometer,
      ]);
      expect(await ctx.registry.lastCounter(device.deviceId)).to.equal(att.counter);

      // The path taken: 0x100 answered nothing (OpenZeppelin asked twice: the signature, then its
      // known-valid vector) and the Solidity verification's ~200k gas shows in the receipt.
      const trace = (await connection.ethers.provider.send("debug_traceTransaction", [
        tx.hash,
        { tracer: "callTracer" },
      ])) as CallFrame;
      expect(callsTo(trace, P256VERIFY).map((f) => f.output ?? "0x")).to.deep.equal(["0x", "0x"]);
      expect((await tx.wait())!.gasUsed).to.be.greaterThan(200_000n);
    } finally {
      await connection.close();
    }
  });
});
