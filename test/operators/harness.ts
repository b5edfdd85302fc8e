/**
 * Runs an operator script in-process, as `npx hardhat run <script>` would on the in-process chain:
 * the script's environment is set for the run (ALLOW_IN_PROCESS=1 included: the scripts refuse the
 * in-process chain otherwise), its console output and exit code are captured, and the module is
 * imported afresh each time (a query string defeats the ES module cache). Scripts connect with
 * `network.getOrCreate()`, so a test that uses the same connection sees their transactions.
 */
import { pathToFileURL } from "node:url";
import { join } from "node:path";

export interface ScriptRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

let runs = 0;

export async function runScript(script: string, env: Record<string, string | undefined>): Promise<ScriptRun> {
  const saved = { ...process.env };
  const savedExit = process.exitCode;
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  const warn = console.warn;
  for (const key of ["SIGNER", "SIGNER_INDEX", "ACCOUNT", "FORCE", "ALLOW_PARTIAL"]) delete process.env[key];
  Object.assign(process.env, { ALLOW_IN_PROCESS: "1" });
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  process.exitCode = 0;
  console.log = (...a: unknown[]) => void out.push(a.map(String).join(" "));
  console.error = (...a: unknown[]) => void err.push(a.map(String).join(" "));
  console.warn = console.error;
  try {
    const url = pathToFileURL(join(process.cwd(), script)).href + `?run=${++runs}`;
    await import(url);
    return { exitCode: Number(process.exitCode ?? 0), stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
    console.warn = warn;
    process.exitCode = savedExit;
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}
