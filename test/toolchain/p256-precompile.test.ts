import { expect } from "chai";
import { network } from "hardhat";
import { webcrypto } from "node:crypto";

const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P256VERIFY = "0x0000000000000000000000000000000000000100";

const hex = (b: Uint8Array) => "0x" + Buffer.from(b).toString("hex");
const toWord = (n: bigint) => "0x" + n.toString(16).padStart(64, "0");

/** Signs like a secure element: WebCrypto ECDSA P-256/SHA-256, non-extractable key, raw r||s. */
async function secureElementSign(message: Uint8Array) {
  const { privateKey, publicKey } = await webcrypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, [
    "sign",
    "verify",
  ]);
  const raw = new Uint8Array(await webcrypto.subtle.exportKey("raw", publicKey)); // 0x04 || x || y
  const sig = new Uint8Array(await webcrypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, message));
  const digest = new Uint8Array(await webcrypto.subtle.digest("SHA-256", message));
  const r = BigInt(hex(sig.subarray(0, 32)));
  let s = BigInt(hex(sig.subarray(32, 64)));
  if (s > P256_N / 2n) s = P256_N - s; // OpenZeppelin's P256 refuses high s
  return { digest: hex(digest), r: toWord(r), s: toWord(s), x: hex(raw.subarray(1, 33)), y: hex(raw.subarray(33, 65)) };
}

describe("toolchain: P-256 on the default (osaka) network", function () {
  it("verifies a WebCrypto signature through OpenZeppelin P256, answered by the EIP-7951 precompile", async function () {
    const { ethers } = await network.create();
    const probe = await ethers.deployContract("P256Probe");
    const sig = await secureElementSign(new TextEncoder().encode("plinth toolchain"));

    expect(await probe.verify(sig.digest, sig.r, sig.s, sig.x, sig.y)).to.equal(true);
    // A different message must fail.
    expect(await probe.verify(ethers.keccak256("0x01"), sig.r, sig.s, sig.x, sig.y)).to.equal(false);

    // The precompile itself answers at 0x100 with 1 for a valid signature...
    const input = ethers.concat([sig.digest, sig.r, sig.s, sig.x, sig.y]);
    expect(await ethers.provider.call({ to: P256VERIFY, data: input })).to.equal(toWord(1n));

    // ...and the gas proves OpenZeppelin used it: the Solidity fallback costs >200k gas.
    const gas = await probe.verify.estimateGas(sig.digest, sig.r, sig.s, sig.x, sig.y);
    expect(gas).to.be.lessThan(60_000n);
    const fallbackGas = await probe.verifySolidity.estimateGas(sig.digest, sig.r, sig.s, sig.x, sig.y);
    expect(fallbackGas).to.be.greaterThan(150_000n);
  });
});
