import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import hre from "hardhat";
import { Wallet, ZeroHash, getAddress, id } from "ethers";
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
  checkRoles,
  deploySuite,
  predictAddresses,
  safeBatch,
  type DeployResult,
} from "../../scripts/deploy/lib.js";

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
});

describe("deploying when governance is not an account of the network (a multisig)", function () {
  it("deploys the contracts, sends no governance call, and writes them as a Safe batch that completes the roles", async function () {
    const multisig = getAddress(id("plinth.test.multisig").slice(0, 42));
    const parameters = { ...localParameters, governance: multisig };
    const { connection, result } = await deployFresh(parameters);
    expect(result.record.wired).to.equal(false);
    expect(result.pending.map((a) => a.id)).to.deep.equal(actionsOf(parameters, result.record.parts).map((a) => a.id));
    // Until governance acts, the roles check fails only on what governance still has to do.
    const before = (await checkRoles(hre, connection, result.record, result.deployer)).filter((f) => !f.ok);
    expect(before.length).to.equal(result.pending.filter((a) => a.grants !== undefined).length);

    // Governance executes the batch (impersonated here, a Safe on a public chain).
    const batch = safeBatch(result.chainId, result.pending, result.addresses);
    expect(batch.transactions).to.have.length(result.pending.length);
    await connection.networkHelpers.impersonateAccount(multisig);
    await connection.networkHelpers.setBalance(multisig, 10n ** 18n);
    const signer = await connection.ethers.getSigner(multisig);
    for (const tx of batch.transactions) await (await signer.sendTransaction({ to: tx.to, data: tx.data })).wait();

    expect((await checkRoles(hre, connection, result.record, result.deployer)).filter((f) => !f.ok)).to.deep.equal([]);
    const registry = await connection.ethers.getContractAt(
      "DeviceRegistry",
      result.addresses["DeviceRegistry" as ContractName]!,
    );
    expect(await registry.hasRole(ZeroHash, multisig)).to.equal(true);
  });
});

describe("npm run deploy on a network whose configuration is missing", function () {
  it("names each missing configuration variable and parameter, sends nothing and exits with 1", function () {
    const env = { ...process.env };
    for (const name of ["SEPOLIA_RPC_URL", "DEPLOYER_PRIVATE_KEY", "DEPLOY_PARAMETERS"]) delete env[name];
    const hardhat = join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");
    const run = spawnSync(process.execPath, [hardhat, "run", "scripts/deploy/deploy.ts", "--network", "sepolia"], {
      cwd: ROOT,
      env,
      encoding: "utf8",
      timeout: 120_000,
    });
    const output = run.stdout + run.stderr;
    expect(run.status, output).to.equal(1);
    expect(output).to.include("cannot deploy to sepolia; nothing was sent");
    for (const name of ["SEPOLIA_RPC_URL", "DEPLOYER_PRIVATE_KEY", "governance", "feeRecipient", "defaultArbiter"]) {
      expect(output).to.match(new RegExp(`- ${name}[ :]`));
    }
    expect(output).to.not.match(/\n\s+at /); // no stack trace
  });
});
