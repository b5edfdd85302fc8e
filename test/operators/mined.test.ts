/**
 * `mined` and the revert decoders of scripts/lib/cli.ts. Hardhat's in-process chain is created with
 * `throwOnTransactionFailures: false`, so, like anvil and public chains, it mines a reverting
 * transaction sent with a fixed gas limit with status 0 (and charges its gas) instead of failing the
 * send: the helper must then replay the call to get the revert data and name the error.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { AbiCoder, Interface, id } from "ethers";
import {
  describeRevert,
  describeRevertData,
  mined,
  revertDataOf,
  TransactionFailedError,
  UserError,
} from "../../scripts/lib/cli.js";

const { ethers } = await network.create({ override: { throwOnTransactionFailures: false } });
const [gov, stranger] = await ethers.getSigners();
const ADMIN = "0x" + "00".repeat(32);
const unauthorized = new Interface(["error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)"]);

describe("operator scripts: a mined status-0 receipt is a failure with its decoded reason (scripts/lib/cli.ts)", function () {
  it("a reverting transaction sent with a fixed gas limit: mined with status 0, gas paid, reason decoded by replay", async function () {
    const registry = await ethers.deployContract("DeviceRegistry", [gov.address]);
    const nonce = await ethers.provider.getTransactionCount(stranger.address);
    const balance = await ethers.provider.getBalance(stranger.address);
    const error = await mined(registry.connect(stranger).grantRole(ADMIN, stranger.address, { gasLimit: 200_000 }), {
      what: "grant role",
      interfaces: [registry.interface],
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(TransactionFailedError);
    expect(error).to.be.instanceOf(UserError);
    const failed = error as TransactionFailedError;
    // Mined and paid for, as on a public chain.
    expect(failed.receipt.status).to.equal(0);
    expect(await ethers.provider.getTransactionCount(stranger.address)).to.equal(nonce + 1);
    expect(await ethers.provider.getBalance(stranger.address)).to.be.lessThan(balance);
    // The reason comes from the revert data of the replay, decoded with the contract's interface.
    expect(failed.data?.slice(0, 10)).to.equal(unauthorized.getError("AccessControlUnauthorizedAccount")!.selector);
    expect(failed.reason).to.equal(`AccessControlUnauthorizedAccount(${stranger.address}, ${ADMIN})`);
    expect(failed.message).to.match(
      new RegExp(
        `^grant role failed: AccessControlUnauthorizedAccount\\(${stranger.address}, ${ADMIN}\\) ` +
          `\\(transaction 0x[0-9a-f]{64} mined with status 0 in block \\d+, \\d+ of 200000 gas used\\)$`,
      ),
    );
    // The data is where the scripts' own explain functions look for it.
    expect(revertDataOf(failed)).to.equal(failed.data);
    expect(describeRevert(failed, [unauthorized])).to.equal(failed.reason);
  });

  it("a transaction that runs out of gas is a failure named as such", async function () {
    const registry = await ethers.deployContract("DeviceRegistry", [gov.address]);
    const error = await mined(registry.connect(gov).grantRole(id("X"), stranger.address, { gasLimit: 30_000 })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(TransactionFailedError);
    expect((error as TransactionFailedError).reason).to.equal("out of gas (all 30000 gas used)");
    expect((error as Error).message).to.match(/^transaction failed: out of gas/);
  });

  it("a successful transaction returns its receipt", async function () {
    const registry = await ethers.deployContract("DeviceRegistry", [gov.address]);
    const receipt = await mined(registry.connect(gov).grantRole(id("X"), stranger.address, { gasLimit: 200_000 }));
    expect(receipt.status).to.equal(1);
    expect(await registry.hasRole(id("X"), stranger.address)).to.equal(true);
  });

  it("reverts are decoded from revert data alone, whatever the node's wording", function () {
    const data = unauthorized.encodeErrorResult("AccessControlUnauthorizedAccount", [stranger.address, ADMIN]);
    const expected = `AccessControlUnauthorizedAccount(${stranger.address}, ${ADMIN})`;
    // anvil's wording, Hardhat's wording, and a wallet's nested error: same data, same reason.
    const anvil = {
      code: "CALL_EXCEPTION",
      info: { error: { code: 3, message: "execution reverted: custom error 0xe2517d3f", data } },
    };
    const hardhat = { message: "reverted with custom error 'Something()'", error: { data: { data } } };
    for (const error of [anvil, hardhat]) expect(describeRevert(error, [unauthorized])).to.equal(expected);
    // Without revert data, the wording is never parsed: its first line is shown as it is.
    expect(describeRevert(new Error("reverted with custom error 'Nope()'\nstack"))).to.equal(
      "reverted with custom error 'Nope()'",
    );
    const coder = AbiCoder.defaultAbiCoder();
    expect(describeRevertData("0x08c379a0" + coder.encode(["string"], ["no way"]).slice(2))).to.equal(
      'Error("no way")',
    );
    expect(describeRevertData("0x4e487b71" + coder.encode(["uint256"], [0x11]).slice(2))).to.equal(
      "Panic(0x11: arithmetic overflow or underflow)",
    );
    expect(describeRevertData("0xdeadbeef")).to.equal("unknown error 0xdeadbeef");
    expect(describeRevertData(undefined)).to.equal("no revert data");
  });
});
