/**
 * `npm run deploy -- --network <name>`: deploys the whole Plinth suite to a configured network.
 *
 * - Checks first, sends nothing on failure: the network's RPC URL and deployer key (configuration
 *   variables, named when missing) and deploy/parameters/<network>.json (each bad entry named).
 * - Deploys with Hardhat Ignition, strategy create2 (CreateX factory, salt PLINTH_SALT in
 *   deploy/config.ts): the same parameters give the same addresses on every chain.
 * - Resumes after an interruption (Ignition journal in ignition/deployments/chain-<chainId>; commit
 *   it for public chains) and is idempotent: a second run sends nothing and changes no file.
 * - When governance (parameters) is an account of the network, governance's wiring calls (role
 *   grants, manufacturers, payout tokens) are sent as Ignition calls from it; otherwise they are
 *   written as a Safe Transaction Builder batch: deployments/<chainId>.governance-batch.json.
 * - Writes deployments/<chainId>.json (addresses; local chain 31337 is gitignored) and client ABIs
 *   (client/abi/<Contract>.json), then verifies sources when ETHERSCAN_API_KEY is configured.
 *
 * Environment:
 *   DEPLOY_PARAMETERS  another parameter file (default deploy/parameters/<network>.json)
 *   VERIFY=0           skip source verification even when ETHERSCAN_API_KEY is set
 *   DRY_RUN=1          check everything and print the addresses the suite will have; send nothing
 */
import hre from "hardhat";
import {
  availableParts,
  checkChain,
  connect,
  deploySuite,
  etherscanConfigured,
  predictAddresses,
  preflight,
  runOperator,
  selectedNetwork,
  UserError,
} from "./lib.js";

await runOperator(async () => {
  const networkName = selectedNetwork(hre);
  if (networkName === "default") {
    throw new UserError("choose a network: npm run deploy -- --network <name> (the default network is in-process)");
  }
  const parameters = await preflight(hre, networkName);
  const connection = await connect(hre, networkName);
  // The chain id is checked against the network the parameters are for before anything is called ok.
  const chainId = await checkChain(hre, connection, networkName);
  console.log(
    `Plinth deploy to ${networkName} (chain ${chainId}): parameters ok (governance ${parameters.governance})`,
  );

  if (process.env.DRY_RUN === "1") {
    const parts = await availableParts(hre);
    const predicted = await predictAddresses(hre, parameters, parts);
    console.log(`dry run: parts ${parts.join(", ")}; addresses on every chain with these parameters:`);
    for (const [name, address] of Object.entries(predicted)) {
      const deployed = (await connection.ethers.provider.getCode(address)) !== "0x";
      console.log(`  ${name.padEnd(18)} ${address}${deployed ? "  (already deployed)" : ""}`);
    }
    console.log("nothing was sent");
    return;
  }

  const result = await deploySuite(hre, connection, parameters, {
    networkName,
    displayUi: process.stdout.isTTY === true,
  });
  console.log("");
  for (const [name, address] of Object.entries(result.addresses)) console.log(`  ${name.padEnd(18)} ${address}`);
  console.log(
    `\ndeployer ${result.deployer} sent ${result.sentByDeployer} transaction(s); ` +
      `deployments/${chainId}.json ${result.recordChanged ? "written" : "unchanged"}`,
  );
  if (result.pending.length > 0) {
    console.log(
      `governance ${parameters.governance} is not an account of ${networkName}: ` +
        `${result.pending.length} wiring call(s) written to deployments/${chainId}.governance-batch.json ` +
        "(Safe Transaction Builder batch). `npm run roles:check` fails until governance executes them.",
    );
  }

  if (chainId !== 31337 && process.env.VERIFY !== "0") {
    if (await etherscanConfigured(hre)) {
      console.log("\nverifying sources");
      await hre.tasks.getTask(["ignition", "verify"]).run({ deploymentId: result.record.deploymentId });
    } else {
      console.log("\nETHERSCAN_API_KEY is not set: sources not verified (set it and run again to verify)");
    }
  }
});
