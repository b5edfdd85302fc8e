import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import hre from "hardhat";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { ZeroHash, Wallet, dataSlice, getAddress, getBytes, recoverAddress } from "ethers";
import type { EIP1193Provider } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { ROOT, loadParameters } from "../../deploy/config.js";
import { CONTRACTS, type ContractName } from "../../deploy/suite.js";
import { deploySuite, type DeployResult } from "../../scripts/operator/deploy/lib.js";

// The client as a dApp gets it: built (npm run build:client minus the compile `hardhat test` did),
// then imported from client/dist. Types come from the sources; values from the built output.
type Client = typeof import("../../client/src/index.js");
type Quickstart = typeof import("../../client/examples/quickstart.js");
type NodeHelpers = typeof import("../../client/src/node.js");

function buildClient(): void {
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const opts = { cwd: ROOT, stdio: "pipe" as const };
  execFileSync(process.execPath, [join(ROOT, "scripts", "tooling", "codegen", "build-client.ts")], opts);
  execFileSync(process.execPath, [tsc, "-p", join(ROOT, "client", "tsconfig.json")], opts);
  execFileSync(process.execPath, [tsc, "-p", join(ROOT, "client", "tsconfig.examples.json")], opts);
}

describe("@plinth/client, imported from its built output", function () {
  const parameters = loadParameters("localhost");
  let client: Client;
  let node: NodeHelpers;
  let addresses: import("../../client/src/suite.js").SuiteAddresses;
  let connection: Awaited<ReturnType<typeof hre.network.create>>;
  let deployed: DeployResult;

  before(async function () {
    this.timeout(180_000);
    buildClient();
    client = (await import(pathToFileURL(join(ROOT, "client", "dist", "index.js")).href)) as Client;
    node = (await import(pathToFileURL(join(ROOT, "client", "dist", "node.js")).href)) as NodeHelpers;
    connection = await hre.network.create();
    deployed = await deploySuite(hre, connection, parameters, { networkName: "default", writeFiles: false });
    addresses = client.suiteAddresses(deployed.addresses);
  });

  it("exports every contract ABI as a const array, and TypeChain factories of the deployed contracts", function () {
    expect(client.deviceRegistryAbi).to.equal(client.abis.DeviceRegistry);
    expect(client.deviceRegistryAbi.some((x) => x.type === "function" && x.name === "hasRole")).to.equal(true);
    // Every deployed contract an app calls (not libraries, the shares blueprint or modules).
    const callable = CONTRACTS.filter((c) => c.library !== true && c.roles !== false && c.admin !== "self").map(
      (c) => c.name,
    );
    for (const name of Object.keys(deployed.addresses).filter((n) => callable.includes(n as ContractName))) {
      expect(client.suiteFactories, name).to.have.property(name);
    }
  });

  it("reads the deployed suite through typed contracts", async function () {
    const suite = client.connectSuite(addresses, connection.ethers.provider);
    const registry = suite.DeviceRegistry;
    expect(await registry.getAddress()).to.equal(deployed.addresses.DeviceRegistry);
    expect(await registry.hasRole(ZeroHash, parameters.governance)).to.equal(true);
    expect(await registry.hasRole(ZeroHash, deployed.deployer)).to.equal(false);
  });

  it("decodes a custom error from a reverted call into { name, args, message }", async function () {
    const [deployer] = await connection.ethers.getSigners();
    const registry = client.connectSuite(addresses, deployer).DeviceRegistry;
    let thrown: unknown;
    try {
      await registry.admitManufacturer(deployer.address, deployer.address);
    } catch (error) {
      thrown = error;
    }
    const decoded = client.decodeError(thrown);
    expect(decoded?.name).to.equal("AccessControlUnauthorizedAccount");
    expect(decoded?.args).to.deep.equal({ account: deployer.address, neededRole: ZeroHash });
    expect(decoded?.message).to.equal(
      `Access control unauthorized account (account: ${deployer.address}, neededRole: ${ZeroHash})`,
    );
  });

  it("decodes the revert behind viem's contract errors: simulateContract's, and a ContractFunctionRevertedError (bytes only under `raw`)", async function () {
    const { ContractFunctionRevertedError, createPublicClient, custom } = await import("viem");
    const [deployer] = await connection.ethers.getSigners();
    const me = deployer.address as `0x${string}`;
    const call = {
      address: addresses.DeviceRegistry,
      abi: client.deviceRegistryAbi,
      functionName: "admitManufacturer" as const,
      args: [me, me] as const,
    };
    const expectUnauthorized = (thrown: unknown) => {
      const decoded = client.decodeError(thrown);
      expect(decoded?.name).to.equal("AccessControlUnauthorizedAccount");
      expect(decoded?.args).to.deep.equal({ account: deployer.address, neededRole: ZeroHash });
    };
    // In-process: viem keeps the provider's error, with the bytes, deep in the cause chain.
    const viemClient = createPublicClient({ transport: custom(connection.provider as unknown as EIP1193Provider) });
    let thrown: unknown;
    try {
      await viemClient.simulateContract({ ...call, account: me });
    } catch (error) {
      thrown = error;
    }
    expect(thrown, "viem refused the call").to.not.equal(undefined);
    expectUnauthorized(thrown);
    // viem's ContractFunctionRevertedError (what viem's docs have apps walk the cause chain to) keeps the revert
    // bytes only as `raw`: its `data` is the decoded object. Built here by viem from the bytes alone.
    const revert = (thrown as { cause: { raw: `0x${string}` } }).cause.raw;
    const fromNode = new ContractFunctionRevertedError({
      abi: client.deviceRegistryAbi,
      data: revert,
      functionName: "admitManufacturer",
    });
    expect(fromNode.raw).to.equal(revert);
    expect(typeof fromNode.data).to.equal("object");
    expectUnauthorized(fromNode);
  });

  it("decodes Error(string) and Panic(uint256), and returns undefined for unknown data", function () {
    const panic = client.decodeRevertData("0x4e487b710000000000000000000000000000000000000000000000000000000000000011");
    expect(panic).to.include({ name: "Panic", message: "Panic 0x11: arithmetic overflow or underflow" });
    expect(panic?.args).to.deep.equal({ code: 0x11n });
    expect(client.decodeRevertData("0xdeadbeef")).to.equal(undefined);
    expect(client.decodeRevertData("0x")).to.equal(undefined);
  });

  it("builds EIP-712 messages and signs them like the deployed registry expects (eip712 and signers namespaces)", async function () {
    const { devices } = client.eip712;
    const registry = client.connectSuite(addresses, connection.ethers.provider).DeviceRegistry;
    const domain = devices.deviceDomain(31337n, addresses.DeviceRegistry);
    for (const curve of ["secp256k1", "p256"] as const) {
      const device = client.signers.devices.deterministicDeviceSigner(ZeroHash, 7, curve);
      const message = devices.attestationMessage({
        deviceId: device.deviceId,
        kind: 1,
        value: 42,
        odometer: 42,
        payloadHash: ZeroHash,
        counter: 1n,
        timestamp: 1_700_000_000n,
      });
      const digest = devices.deviceDigest(domain, "Attestation", message);
      expect(await registry.attestationDigest(message)).to.equal(digest);
      const signature = await device.signDigest(digest);
      if (curve === "secp256k1") {
        expect(recoverAddress(digest, signature)).to.equal(getAddress(dataSlice(device.keyA, 12)));
      } else {
        expect(getBytes(signature).length).to.equal(64); // r || s, checked on chain by P256VERIFY
      }
    }
  });

  it("throws a clear error for a chain without a deployment; local chains are never bundled", function () {
    expect(() => client.getDeployment(999_999_999)).to.throw("Plinth is not deployed on chain 999999999");
    expect(client.supportedChains()).to.not.include(31337);
    expect(() => client.getDeployment(31337)).to.throw("readDeployment from @plinth/client/node");
  });

  it("takes only complete deployments: every suite contract, none optional", function () {
    const suite = client.connectSuite(addresses, connection.ethers.provider);
    expect(Object.keys(suite).sort()).to.deep.equal([...client.SUITE_CONTRACTS].sort());
    const partial: Record<string, string> = { ...addresses };
    delete partial.RentalEscrow;
    expect(() => client.suiteAddresses(partial)).to.throw(
      "not a complete Plinth deployment: no valid address for RentalEscrow",
    );
    expect(() => client.connectSuite(partial as never, null)).to.throw("RentalEscrow");
  });

  it("reads a local deployment record through @plinth/client/node", function () {
    const dir = mkdtempSync(join(tmpdir(), "plinth-client-"));
    try {
      const contracts = Object.fromEntries(Object.entries(deployed.addresses).map(([k, v]) => [k, { address: v }]));
      writeFileSync(join(dir, "31337.json"), JSON.stringify({ chainId: 31337, network: "localhost", contracts }));
      const record = node.readDeployment(dir, 31337);
      expect(record.chainId).to.equal(31337);
      expect(record.addresses).to.deep.equal(addresses);
      expect(() => node.readDeployment(dir, 1)).to.throw("no deployment record");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("signs every message the same with an ethers signer and a viem account", async function () {
    const key = "0x" + "11".repeat(32);
    const wallet = new Wallet(key);
    const account = privateKeyToAccount(key as `0x${string}`);
    const me = client.asAddress(wallet.address);
    const { rental, maintenance, devices, assets } = client.eip712;
    const both = async (sign: (s: import("../../client/src/typed-data.js").TypedDataSigner) => Promise<string>) => {
      const [a, b] = [await sign(wallet), await sign(account)];
      expect(b).to.equal(a);
      return a;
    };
    const offer = rental.buildOffer(rental.buildTerms({ subjectKind: 1, subjectId: 7n }), me, { expiry: 99n });
    await both((s) => rental.signOffer(s, 31337n, addresses.RentalMarket, offer));
    const bDomain = maintenance.bidDomain(31337n, addresses.MaintenanceOrders);
    const iDomain = maintenance.inspectionDomain(31337n, addresses.MaintenanceEvidence);
    const orderId = client.asHex("0x" + "ab".repeat(32));
    await both((s) => maintenance.signBid(s, bDomain, maintenance.buildBid(orderId, me, 5n, 1n, 8n, 9n)));
    await both((s) =>
      maintenance.signInspection(s, iDomain, maintenance.buildInspection(orderId, 1, true, me, 8n, 9n)),
    );
    const dDomain = devices.deviceDomain(31337n, addresses.DeviceRegistry);
    const claim = devices.claimMessage({ deviceId: 5n, owner: me, deadline: 9n });
    const sig = await both((s) => devices.signDeviceMessage(s, dDomain, "Claim", claim));
    expect(recoverAddress(devices.deviceDigest(dDomain, "Claim", claim), sig)).to.equal(wallet.address);
    const permit = { owner: me, spender: me, value: 1n, nonce: 0n, deadline: 9n };
    await both((s) => assets.signPermit(s, assets.sharesDomain("Shares", 31337n, addresses.ShareFactory), permit));
    // A secp256k1 device key held as a viem account signs digests like the ethers device signer.
    const digest = devices.deviceDigest(dDomain, "Claim", claim);
    const viemDevice = client.signers.devices.viemDeviceSigner(account);
    const ethersDevice = client.signers.devices.Secp256k1DeviceSigner.fromPrivateKey(key);
    expect(viemDevice.deviceId).to.equal(ethersDevice.deviceId);
    expect(await viemDevice.signDigest(digest)).to.equal(await ethersDevice.signDigest(digest));
  });

  it("runs the README quick start, which is client/examples/quickstart.ts verbatim", async function () {
    const readme = readFileSync(join(ROOT, "client", "README.md"), "utf8");
    const block = /<!-- quickstart:begin -->\s*```ts\n([\s\S]*?)```\s*<!-- quickstart:end -->/.exec(readme);
    expect(block, "README quick start block").to.not.equal(null);
    expect(block![1]).to.equal(readFileSync(join(ROOT, "client", "examples", "quickstart.ts"), "utf8"));

    // The example imports "@plinth/client" (package self-reference -> client/dist) like a dApp would.
    const example = (await import(pathToFileURL(join(ROOT, "client", "examples", "quickstart.ts")).href)) as Quickstart;
    const [deployer] = await connection.ethers.getSigners();
    const governance = client.asAddress(parameters.governance);
    const viaEthers = await example.readWithEthers(deployer, addresses, governance);
    expect(viaEthers.isGovernance).to.equal(true);
    expect(viaEthers.refusal?.name).to.equal("AccessControlUnauthorizedAccount");
    const viaViem = await example.readWithViem(
      connection.provider as unknown as EIP1193Provider,
      addresses.DeviceRegistry,
      governance,
    );
    expect(viaViem).to.equal(true);
  });
});
