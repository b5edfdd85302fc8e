import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import hre from "hardhat";
import { AbiCoder, Wallet, ZeroAddress, ZeroHash, getAddress, id } from "ethers";
import {
  CREATEX_ADDRESS,
  ROOT,
  PARAMETER_SPEC,
  ParameterError,
  loadParameters,
  validateParameters,
} from "../../deploy/config.js";
import { ROLES, actionsOf, type ContractName } from "../../deploy/suite.js";
import {
  availableParts,
  checkChain,
  checkRoles,
  deploySuite,
  predictAddresses,
  privateKeyProblem,
  rpcUrlProblem,
  safeBatch,
  type DeployResult,
} from "../../scripts/operator/deploy/lib.js";

const localParameters = loadParameters("localhost");

async function deployFresh(parameters = localParameters) {
  const connection = await hre.network.create();
  const result = await deploySuite(hre, connection, parameters, { networkName: "default", writeFiles: false });
  return { connection, result };
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(ParameterError);
    return (error as ParameterError).problems.map((p) => p.name);
  }
  expect.fail("expected a ParameterError");
}

describe("deployment parameters", function () {
  it("accepts the localhost parameter file and checksums its addresses", function () {
    expect(localParameters.governance).to.equal(getAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"));
    expect(localParameters.kycAgents).to.have.length(1);
  });

  it("names every missing parameter of a public network's file before anything is sent", function () {
    expect(problemsOf(() => loadParameters("sepolia"))).to.deep.equal(["governance", "feeRecipient", "defaultArbiter"]);
  });

  it("names a missing parameter file", function () {
    expect(problemsOf(() => loadParameters("nowhere"))).to.deep.equal(["(file)"]);
  });

  it("names each malformed entry: bad address, zero address, fee above its cap, unknown key", function () {
    const raw = {
      ...localParameters,
      governance: "0x1234",
      feeRecipient: "0x0000000000000000000000000000000000000000",
      protocolFeeBps: PARAMETER_SPEC.protocolFeeBps.max! + 1,
      kycAgents: ["not-an-address"],
      manufacturers: [{ manufacturer: localParameters.governance }],
      feeBps: 5,
    };
    expect(problemsOf(() => validateParameters(raw, "test.json"))).to.deep.equal([
      "governance",
      "feeRecipient",
      "protocolFeeBps",
      "kycAgents[0]",
      "manufacturers[0].signer",
      "feeBps",
    ]);
  });
});

describe("deploying the suite (in-process chain, CREATE2 through CreateX)", function () {
  let deployed: DeployResult;
  let connection: Awaited<ReturnType<typeof hre.network.create>>;

  before(async function () {
    ({ connection, result: deployed } = await deployFresh());
  });

  it("deploys every compiled part at the addresses predicted from the parameters alone", async function () {
    const parts = await availableParts(hre);
    expect(parts).to.include("devices");
    expect(deployed.record.parts).to.deep.equal(parts);
    expect(deployed.addresses).to.deep.equal(await predictAddresses(hre, localParameters, parts));
    for (const address of Object.values(deployed.addresses)) {
      expect(await connection.ethers.provider.getCode(address)).to.not.equal("0x");
    }
  });

  it("deploys OpenZeppelin's ERC-7913 WebAuthn and RSA verifiers at the recorded addresses, with their own bytecode", async function () {
    const provider = connection.ethers.provider;
    for (const name of ["WebAuthnVerifier", "RsaVerifier"] as const) {
      const address = deployed.addresses[name];
      expect(address, name).to.be.a("string");
      expect(deployed.record.contracts[name]!.address, name).to.equal(address);
      const artifact = await hre.artifacts.readArtifact(name);
      expect(await provider.getCode(address!), name).to.equal(artifact.deployedBytecode);
      // Stateless: nothing to wire, no roles; an empty signature is refused (0xffffffff), not accepted.
      const verifier = await connection.ethers.getContractAt(name, address!);
      const key =
        name === "RsaVerifier" ? AbiCoder.defaultAbiCoder().encode(["bytes", "bytes"], ["0x03", "0x01"]) : "0x";
      expect(await verifier.verify(key, ZeroHash, "0x"), name).to.equal("0xffffffff");
    }
  });

  it("records DeviceKeys (created by the registry) and allowlists both verifiers in it: passkeys 1, RSA keys 2", async function () {
    const registry = await connection.ethers.getContractAt("DeviceRegistry", deployed.addresses.DeviceRegistry!);
    expect(deployed.addresses.DeviceKeys).to.equal(await registry.deviceKeys());
    const keys = await connection.ethers.getContractAt("DeviceKeys", deployed.addresses.DeviceKeys!);
    expect(await keys.schemeOf(deployed.addresses.WebAuthnVerifier!)).to.equal(1n);
    expect(await keys.schemeOf(deployed.addresses.RsaVerifier!)).to.equal(2n);
    // Nothing else is allowlisted by the deployment.
    expect(await keys.schemeOf(deployed.addresses.DeviceRegistry!)).to.equal(0n);
  });

  it("deploys the escrow naming the market, and governance links it on the market (setEscrow)", async function () {
    const market = await connection.ethers.getContractAt("RentalMarket", deployed.addresses.RentalMarket!);
    const escrow = await connection.ethers.getContractAt("RentalEscrow", deployed.addresses.RentalEscrow!);
    expect(await escrow.market()).to.equal(deployed.addresses.RentalMarket);
    expect(await market.escrow()).to.equal(deployed.addresses.RentalEscrow);
  });

  it("gives the same addresses on another chain (another chain id) with the same parameters", async function () {
    const other = await hre.network.create({ override: { chainId: 4242 } });
    // CreateX lives at the same address on public chains; on this local chain, install it there.
    const createX = await connection.ethers.provider.getCode(CREATEX_ADDRESS);
    await other.networkHelpers.setCode(CREATEX_ADDRESS, createX);
    const again = await deploySuite(hre, other, localParameters, { networkName: "other", writeFiles: false });
    expect(again.chainId).to.equal(4242);
    expect(again.addresses).to.deep.equal(deployed.addresses);
  });

  it("leaves roles exactly as the parameters say, the deployer holding none", async function () {
    const findings = await checkRoles(hre, connection, deployed.record, deployed.deployer);
    expect(findings.filter((f) => !f.ok)).to.deep.equal([]);
    expect(findings.map((f) => f.message)).to.include(
      `DeviceRegistry: DEFAULT_ADMIN_ROLE held by ${localParameters.governance}`,
    );
  });

  it("sends nothing the second time (idempotent) and returns the same record", async function () {
    const again = await deploySuite(hre, connection, localParameters, { networkName: "default", writeFiles: false });
    expect(again.sentByDeployer).to.equal(0);
    expect(again.record).to.deep.equal(deployed.record);
  });

  it("fails the roles check when an account the parameters do not name holds a role", async function () {
    const { connection: c, result } = await deployFresh();
    const stranger = Wallet.createRandom().address;
    const governance = await c.ethers.getSigner(localParameters.governance);
    const registry = await c.ethers.getContractAt("DeviceRegistry", result.addresses.DeviceRegistry!);
    await (await registry.connect(governance).grantRole(ROLES.LEASE_MANAGER_ROLE, stranger)).wait();
    const failed = (await checkRoles(hre, c, result.record, result.deployer)).filter((f) => !f.ok);
    expect(failed.map((f) => f.message)).to.deep.equal([
      `DeviceRegistry: LEASE_MANAGER_ROLE held by ${stranger}, which the parameters do not name`,
    ]);
  });

  it("fails the roles check when the deployer holds a role, and when governance lost its own", async function () {
    const { connection: c, result } = await deployFresh();
    const governance = await c.ethers.getSigner(localParameters.governance);
    const registry = await c.ethers.getContractAt("DeviceRegistry", result.addresses.DeviceRegistry!);
    await (await registry.connect(governance).grantRole(ZeroHash, result.deployer)).wait();
    await (await registry.connect(governance).renounceRole(ZeroHash, localParameters.governance)).wait();
    const failed = (await checkRoles(hre, c, result.record, result.deployer)).map((f) => `${f.ok} ${f.message}`);
    expect(failed).to.include(`false DeviceRegistry: DEFAULT_ADMIN_ROLE NOT held by ${localParameters.governance}`);
    expect(failed).to.include(`false DeviceRegistry: deployer ${result.deployer} still holds DEFAULT_ADMIN_ROLE`);
  });

  it("fails the roles check when wiring that is not a role is undone (a payment token disallowed)", async function () {
    const { connection: c, result } = await deployFresh();
    const governance = await c.ethers.getSigner(localParameters.governance);
    const market = await c.ethers.getContractAt("RentalMarket", result.addresses.RentalMarket!);
    const token = localParameters.acceptedTokens[0]!;
    const findings = await checkRoles(hre, c, result.record, result.deployer);
    expect(findings.map((f) => `${f.ok} ${f.message}`)).to.include.members([
      `true wiring: RentalMarket.setEscrow(${result.addresses.RentalEscrow}) in effect`,
      `true wiring: RentalMarket.setTokenAllowed(${token}, true) in effect`,
    ]);
    await (await market.connect(governance).setTokenAllowed(token, false)).wait();
    const failed = (await checkRoles(hre, c, result.record, result.deployer)).filter((f) => !f.ok);
    expect(failed.map((f) => f.message)).to.deep.equal([
      `wiring: RentalMarket.setTokenAllowed(${token}, true) NOT in effect (governance has to send it)`,
    ]);
  });
});

describe("deploying when governance is not an account of the network (a multisig)", function () {
  it("deploys the contracts, sends no governance call, and writes them as a Safe batch that completes the roles", async function () {
    const multisig = getAddress(id("plinth.test.multisig").slice(0, 42));
    const parameters = { ...localParameters, governance: multisig };
    const { connection, result } = await deployFresh(parameters);
    expect(result.record.wired).to.equal(false);
    expect(result.pending.map((a) => a.id)).to.deep.equal(actionsOf(parameters, result.record.parts).map((a) => a.id));
    // Until governance acts, the roles check fails only on what governance still has to do: each
    // pending action once (a grant as a role not held, any other action as wiring not in effect).
    const before = (await checkRoles(hre, connection, result.record, result.deployer)).filter((f) => !f.ok);
    expect(before.length).to.equal(result.pending.length);
    expect(before.map((f) => f.message)).to.include(
      `wiring: RentalMarket.setEscrow(${result.addresses.RentalEscrow}) NOT in effect (governance has to send it)`,
    );

    const market = await connection.ethers.getContractAt("RentalMarket", result.addresses.RentalMarket!);
    expect(result.pending.map((a) => a.id)).to.include("setEscrow");
    expect(await market.escrow()).to.equal(ZeroAddress);

    // Governance executes the batch (impersonated here, a Safe on a public chain).
    const batch = safeBatch(result.chainId, result.pending, result.addresses);
    expect(batch.transactions).to.have.length(result.pending.length);
    await connection.networkHelpers.impersonateAccount(multisig);
    await connection.networkHelpers.setBalance(multisig, 10n ** 18n);
    const signer = await connection.ethers.getSigner(multisig);
    for (const tx of batch.transactions) await (await signer.sendTransaction({ to: tx.to, data: tx.data })).wait();

    expect((await checkRoles(hre, connection, result.record, result.deployer)).filter((f) => !f.ok)).to.deep.equal([]);
    expect(await market.escrow()).to.equal(result.addresses.RentalEscrow);
    const registry = await connection.ethers.getContractAt(
      "DeviceRegistry",
      result.addresses["DeviceRegistry" as ContractName]!,
    );
    expect(await registry.hasRole(ZeroHash, multisig)).to.equal(true);
  });
});

describe("npm run deploy on a network whose configuration is missing", function () {
  // A whole `hardhat run` in a child process (Hardhat starts afresh): it can take minutes on a loaded 2-core
  // machine, so the child and the test get room beyond the suite's default.
  this.timeout(600_000);
  it("names each missing configuration variable and parameter, sends nothing and exits with 1", function () {
    const env = { ...process.env };
    for (const name of ["SEPOLIA_RPC_URL", "DEPLOYER_PRIVATE_KEY", "DEPLOY_PARAMETERS"]) delete env[name];
    const hardhat = join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");
    const run = spawnSync(
      process.execPath,
      [hardhat, "run", "scripts/operator/deploy/deploy.ts", "--network", "sepolia"],
      {
        cwd: ROOT,
        env,
        encoding: "utf8",
        timeout: 300_000,
      },
    );
    const output = run.stdout + run.stderr;
    expect(run.status, output).to.equal(1);
    expect(output).to.include("cannot deploy to sepolia; nothing was sent");
    for (const name of ["SEPOLIA_RPC_URL", "DEPLOYER_PRIVATE_KEY", "governance", "feeRecipient", "defaultArbiter"]) {
      expect(output).to.match(new RegExp(`- ${name}[ :]`));
    }
    expect(output).to.not.match(/\n\s+at /); // no stack trace
  });
});

describe("npm run deploy with a malformed key or RPC URL", function () {
  this.timeout(600_000);
  const hardhat = join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");
  const deploy = (network: string, vars: Record<string, string>) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DEPLOY_PARAMETERS: join(ROOT, "deploy", "parameters", "localhost.json"),
      DRY_RUN: "1",
    };
    for (const name of ["SEPOLIA_RPC_URL", "DEPLOYER_PRIVATE_KEY", "LOCALHOST_RPC_URL"]) delete env[name];
    const run = spawnSync(
      process.execPath,
      [hardhat, "run", "scripts/operator/deploy/deploy.ts", "--network", network],
      {
        cwd: ROOT,
        env: { ...env, ...vars },
        encoding: "utf8",
        timeout: 300_000,
      },
    );
    return { status: run.status, output: run.stdout + run.stderr };
  };

  it("tells what a private key and an RPC URL must look like, without echoing them", function () {
    expect(privateKeyProblem("0x1234")).to.match(/32 bytes hex .* 4 hex digit/);
    expect(privateKeyProblem("0x" + "zz".repeat(32))).to.match(/non-hex/);
    expect(privateKeyProblem("0x" + "00".repeat(32))).to.match(/not zero/);
    expect(privateKeyProblem("0x" + "ab".repeat(32))).to.equal(undefined);
    expect(rpcUrlProblem("sepolia.example.org")).to.match(/does not parse/);
    expect(rpcUrlProblem("ftp://example.org")).to.match(/http:\/\/, https:\/\//);
    expect(rpcUrlProblem("https://example.org/v3/KEY")).to.equal(undefined);
  });

  it("DRY_RUN=1 with DEPLOYER_PRIVATE_KEY=0x1234 fails on one line naming the variable, before connecting", function () {
    const { status, output } = deploy("sepolia", {
      DEPLOYER_PRIVATE_KEY: "0x1234",
      SEPOLIA_RPC_URL: "http://127.0.0.1:9", // never contacted: the key is refused first
    });
    expect(status, output).to.equal(1);
    const errors = output.split("\n").filter((l) => l.startsWith("error:"));
    expect(errors, output).to.have.length(1);
    expect(errors[0]).to.match(/DEPLOYER_PRIVATE_KEY is malformed: a private key must be 32 bytes hex/);
    expect(output).to.not.include("parameters ok");
    expect(output).to.not.match(/\n\s+at /);
  });

  it("refuses an RPC whose chain is not the one the network's parameters are for", async function () {
    const wrong = await hre.network.create({ override: { chainId: 4242 } });
    let message = "";
    try {
      await checkChain(hre, wrong, "sepolia");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.match(
      /wrong chain; nothing was sent: .* is for network sepolia, chain 11155111, but its RPC answers chain 4242/,
    );
    expect(await checkChain(hre, await hre.network.create(), "default")).to.equal(31337);
  });

  it("DRY_RUN=1 with a malformed RPC URL fails on one line naming the variable", function () {
    const { status, output } = deploy("sepolia", {
      DEPLOYER_PRIVATE_KEY: "0x" + "ab".repeat(32),
      SEPOLIA_RPC_URL: "sepolia.example.org",
    });
    expect(status, output).to.equal(1);
    expect(output).to.match(/error: cannot deploy to sepolia; nothing was sent: SEPOLIA_RPC_URL is malformed/);
    const local = deploy("localhost", { LOCALHOST_RPC_URL: "127.0.0.1:8545" });
    expect(local.status, local.output).to.equal(1);
    expect(local.output).to.match(
      /error: cannot deploy to localhost; nothing was sent: LOCALHOST_RPC_URL is malformed/,
    );
    expect(output + local.output).to.not.match(/\n\s+at /);
  });
});
