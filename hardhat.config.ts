import { createRequire } from "node:module";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";
import plinthBranchCoverage from "./scripts/tooling/coverage/plugin.js";
import { operatorTasks } from "./scripts/operator/tasks.js";

const require = createRequire(import.meta.url);

/**
 * The one Solidity version of the project. It is also the version of the npm `solc` package,
 * whose WASM build (soljson.js) compiles offline: Hardhat cannot download compilers here.
 */
const SOLC_VERSION = "0.8.37";
const solcPackageVersion: string = require("solc/package.json").version;
if (solcPackageVersion !== SOLC_VERSION) {
  throw new Error(
    `Plinth pins solc ${SOLC_VERSION} but node_modules/solc is ${solcPackageVersion}: run "npm install".`,
  );
}

/**
 * The EVM the contracts are compiled for: `prague`, which every network of the README runs today.
 * The contracts need Cancun (MCOPY, transient storage) and nothing later; they must not use an
 * osaka opcode (CLZ), or their bytecode would fail on a prague chain. The P-256 precompile is not an
 * opcode: OpenZeppelin's P256.verify probes 0x100 at run time and falls back to Solidity, so the same
 * bytecode runs on osaka (EIP-7951), OP Stack / Arbitrum (RIP-7212) and plain prague chains alike
 * (`npm run evm:check` proves it on all three).
 */
const EVM_VERSION = "prague";

function solc(runs: number) {
  return {
    version: SOLC_VERSION,
    path: require.resolve("solc/soljson.js"),
    settings: {
      optimizer: { enabled: true, runs },
      evmVersion: EVM_VERSION,
      viaIR: false,
      outputSelection: { "*": { "*": ["userdoc", "devdoc"] } },
    },
  };
}

/**
 * The suite's one code-size technique (contracts/README.md, "Code size"): the suite compiles with 10,000 optimizer
 * runs (gas over size), except `RentalEscrow`, whose agreements, payments and settlement are one concept in one
 * contract: it compiles with solc's default of 200 runs, which keeps it within the 22,000-byte goal without a module
 * split by size. The contracts it creates (custody, claims, meter) compile in its job, so with its setting; its
 * artifact is what deployments, the Mocha tests and the benchmarks use. Hardhat picks the setting per root file, so
 * a Solidity test that imports the escrow compiles its own copy at 10,000 runs (same source, larger code, which
 * Solidity tests may deploy; giving those tests the escrow's setting too compiles the suite twice and costs CI
 * minutes). scripts/tooling/ci/contract-sizes.ts checks the deployed artifact.
 */
const SIZE_OPTIMIZED = "contracts/rental/RentalEscrow.sol";
const SIZE_RUNS = 200;

const compiler = {
  compilers: [solc(10_000)],
  overrides: { [SIZE_OPTIMIZED]: solc(SIZE_RUNS) },
};

/**
 * A public testnet: its RPC URL and the deployer key are configuration variables, read from the
 * environment or the encrypted keystore (`npx hardhat keystore set SEPOLIA_RPC_URL`), never from
 * the repository. Hardhat resolves them only when that network is used, and names the missing one.
 */
function testnet(chainId: number, rpcVariable: string) {
  return {
    type: "http" as const,
    chainType: chainId === 11155111 ? ("l1" as const) : ("op" as const),
    chainId,
    url: configVariable(rpcVariable),
    accounts: [configVariable("DEPLOYER_PRIVATE_KEY")],
  };
}

/**
 * Fuzz and invariant effort. `npm test` (and CI's run of it) uses the short profile; `npm run test:deep`
 * sets PLINTH_TEST_PROFILE=deep for the long one. The coverage gate (`npm run coverage`, run in CI after
 * `npm test`) sets PLINTH_TEST_PROFILE=coverage: it measures which lines and branch arms the tests reach on
 * instrumented bytecode, twice as slow, so it runs a quarter of the fuzz and invariant runs; the properties
 * themselves are checked at full effort by `npm test`.
 */
const PROFILE = process.env.PLINTH_TEST_PROFILE;
const fuzz = PROFILE === "deep" ? { runs: 10_000 } : PROFILE === "coverage" ? { runs: 64 } : { runs: 256 };
const invariant =
  PROFILE === "deep"
    ? { runs: 512, depth: 128 }
    : PROFILE === "coverage"
      ? { runs: 16, depth: 32 }
      : { runs: 64, depth: 32 };

export default defineConfig({
  // plinthBranchCoverage adds branch probes to the `--coverage` build only (scripts/tooling/coverage/).
  plugins: [hardhatToolboxMochaEthers, plinthBranchCoverage],
  // Operator commands: `npx hardhat <part> <action> --network <name>` (scripts/operator/tasks.ts).
  tasks: operatorTasks(),
  solidity: {
    profiles: {
      default: compiler,
      production: compiler,
    },
  },
  paths: {
    tests: { mocha: "test", solidity: "test" },
  },
  test: {
    solidity: {
      fuzz: { ...fuzz, seed: process.env.PLINTH_FUZZ_SEED ?? "0x706c696e7468" },
      invariant: { ...invariant, failOnRevert: false },
    },
    mocha: { timeout: 120_000 },
  },
  networks: {
    // The in-process simulated chain every test runs on by default.
    default: {
      type: "edr-simulated",
      chainType: "l1",
      hardfork: "osaka",
      // The EIP-170 size limit applies (Hardhat lifts it by itself under --coverage, whose
      // instrumentation inflates bytecode); real sizes are checked by scripts/tooling/ci/contract-sizes.ts.
    },
    hardhatMainnet: {
      type: "edr-simulated",
      chainType: "l1",
      hardfork: "osaka",
    },
    // `npm run evm:check` (scripts/tooling/evm-check.ts) deploys the suite on the EVMs real networks
    // run. pragueSim: an L1 before Fusaka, without the P-256 precompile (OpenZeppelin's P256 takes
    // its Solidity fallback). opSim: Hardhat's OP Stack chain (isthmus), with RIP-7212 at 0x100.
    pragueSim: {
      type: "edr-simulated",
      chainType: "l1",
      hardfork: "prague",
    },
    opSim: {
      type: "edr-simulated",
      chainType: "op",
      hardfork: "isthmus",
    },
    // A real JSON-RPC node: `npm run node` (hardhat node on 127.0.0.1:8545).
    localhost: {
      type: "http",
      chainType: "l1",
      url: "http://127.0.0.1:8545",
    },
    sepolia: testnet(11155111, "SEPOLIA_RPC_URL"),
    baseSepolia: testnet(84532, "BASE_SEPOLIA_RPC_URL"),
    opSepolia: testnet(11155420, "OP_SEPOLIA_RPC_URL"),
    arbitrumSepolia: { ...testnet(421614, "ARBITRUM_SEPOLIA_RPC_URL"), chainType: "generic" as const },
  },
  verify: {
    etherscan: { apiKey: configVariable("ETHERSCAN_API_KEY") },
  },
});
