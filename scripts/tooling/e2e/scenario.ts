/**
 * The e2e scenario, on the suite deployed by `npm run deploy` (addresses from deployments/<chainId>.json).
 * Run by scripts/tooling/e2e/run.ts: `npx hardhat run scripts/tooling/e2e/scenario.ts --network localhost`.
 *
 * Steps use only the areas' public scripts (their exported functions) and the client's EIP-712
 * modules, the way an operator or a dApp would. Each step names the contracts it needs: a step whose
 * part is not deployed is reported as skipped, so parts plug in as they land. Any failure stops the
 * run with the step's name and a non-zero exit code.
 */
import hre from "hardhat";
import { connect, readRecord, runOperator, selectedNetwork, UserError } from "../../operator/deploy/lib.js";
import { STEPS, type ScenarioContext } from "./steps.js";

await runOperator(async () => {
  const connection = await connect(hre, selectedNetwork(hre));
  const chainId = Number(await connection.provider.request({ method: "eth_chainId" }));
  const record = readRecord(chainId);
  if (record === undefined) throw new UserError(`no deployments/${chainId}.json: deploy the suite first`);
  const addresses = Object.fromEntries(Object.entries(record.contracts).map(([k, v]) => [k, v.address]));
  const ctx: ScenarioContext = {
    hre,
    connection,
    record,
    addresses,
    signers: await connection.ethers.getSigners(),
    state: {},
    log: (message) => console.log(`      ${message}`),
  };

  let ran = 0;
  let skipped = 0;
  for (const [i, step] of STEPS.entries()) {
    const missing = step.needs.filter((name) => addresses[name] === undefined);
    const title = `${String(i + 1).padStart(2)}. ${step.title}`;
    if (missing.length > 0) {
      console.log(`  ${title}: skipped (${missing.join(", ")} not deployed)`);
      skipped++;
      continue;
    }
    const t0 = Date.now();
    console.log(`  ${title}`);
    try {
      await step.run(ctx);
    } catch (error) {
      throw new UserError(`scenario step "${step.title}" failed: ${(error as Error).message}`);
    }
    console.log(`      ok (${Date.now() - t0} ms)`);
    ran++;
  }
  console.log(`scenario: ${ran} step(s) passed, ${skipped} skipped`);
  if (ran === 0) throw new UserError("no scenario step could run: is the suite deployed?");
});
