/**
 * @plinth/client/node: helpers that need Node (file system). The main entry never imports `node:*`,
 * so it bundles for browsers; import this subpath from Node scripts, servers and tests only.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { suiteAddresses, type SuiteAddresses } from "./suite.js";

/** A deployment record written by `npm run deploy` (deployments/<chainId>.json). */
export interface DeploymentFile {
  chainId: number;
  network: string;
  addresses: SuiteAddresses;
}

/**
 * Reads the suite's addresses from a deployment record: `readDeployment("deployments", 31337)` reads
 * deployments/31337.json (how a local node's addresses reach an app: they are never bundled), and
 * `readDeployment("path/to/10.json")` reads that file. Throws when the record is not a complete deployment.
 */
export function readDeployment(dirOrFile: string, chainId?: number | bigint): DeploymentFile {
  const file =
    chainId !== undefined || (existsSync(dirOrFile) && statSync(dirOrFile).isDirectory())
      ? join(dirOrFile, `${chainId ?? ""}.json`)
      : dirOrFile;
  if (!existsSync(file)) throw new Error(`no deployment record at ${file} (deploy first: npm run deploy)`);
  const record = JSON.parse(readFileSync(file, "utf8")) as {
    chainId: number;
    network?: string;
    contracts: Record<string, { address: string } | string>;
  };
  const flat = Object.fromEntries(
    Object.entries(record.contracts ?? {}).map(([name, v]) => [name, typeof v === "string" ? v : v.address]),
  );
  try {
    return { chainId: Number(record.chainId), network: record.network ?? "", addresses: suiteAddresses(flat) };
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}
