/**
 * `npm run roles:check -- --network <name>`: reads the chain and checks that roles are exactly
 * what the parameters say (deployments/<chainId>.json holds the parameters used and addresses):
 * governance holds DEFAULT_ADMIN_ROLE everywhere, the suite's contracts hold their wiring roles
 * (LEASE_MANAGER_ROLE, BUYOUT_ROLE, RESERVE_SPENDER_ROLE, KYC agents), the deployer holds no role at
 * all, and no other account holds a role (RoleGranted events since the deployment); and that the
 * wiring that is not a role (the market's escrow link, payment tokens, manufacturers, verifiers) is in
 * effect. Exit code 1 and a list of findings when anything differs.
 *
 * Environment: DEPLOYER=<address> to check another deployer than the network's first account.
 */
import hre from "hardhat";
import { getAddress } from "ethers";
import { checkRoles, connect, deployerOf, readRecord, runOperator, selectedNetwork, UserError } from "./lib.js";

await runOperator(async () => {
  const networkName = selectedNetwork(hre);
  const connection = await connect(hre, networkName);
  const chainId = Number(await connection.provider.request({ method: "eth_chainId" }));
  const record = readRecord(chainId);
  if (record === undefined) {
    throw new UserError(`no deployments/${chainId}.json: deploy first (npm run deploy -- --network ${networkName})`);
  }
  const deployer =
    process.env.DEPLOYER !== undefined && process.env.DEPLOYER !== ""
      ? getAddress(process.env.DEPLOYER)
      : await deployerOf(connection);
  console.log(`roles on ${networkName} (chain ${chainId}), deployer ${deployer}`);
  const findings = await checkRoles(hre, connection, record, deployer);
  for (const f of findings) console.log(`  ${f.ok ? "ok  " : "FAIL"} ${f.message}`);
  const failed = findings.filter((f) => !f.ok);
  if (failed.length > 0) {
    throw new UserError(`${failed.length} finding(s) differ from the parameters (see FAIL above)`);
  }
  console.log(`all ${findings.length} role and wiring checks pass`);
});
