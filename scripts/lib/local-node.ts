/**
 * What every script that starts its own local processes needs (the e2e runs, the operator story, the indexer's
 * check and bench, the app's browser test): a free port on 127.0.0.1 and a plain JSON-RPC call.
 *
 * Node built-ins only, erasable TypeScript: plain Node imports it by its `.ts` name (type stripping), tsx too.
 */
import { createServer } from "node:net";

/** A port nobody listens on, picked by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject()));
    });
  });
}

/** A JSON-RPC call to `url`; a JSON-RPC error becomes an Error naming the method. */
export async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}
