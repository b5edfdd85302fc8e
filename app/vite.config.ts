/**
 * Vite config of the Plinth app. The local chain's deployment record (deployments/<chainId>.json at the
 * repository root, written by `npm run deploy`) is served at /deployments/<chainId>.json by the dev and
 * preview servers: a local chain's addresses are never bundled (public chains' come with @plinth/client).
 */
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";

const deployments = join(dirname(fileURLToPath(import.meta.url)), "..", "deployments");

function serveDeployment(req: IncomingMessage, res: ServerResponse, next: () => void) {
  const match = /^\/deployments\/(\d+)\.json$/.exec((req.url ?? "").split("?")[0] ?? "");
  if (match === null) return next();
  const file = join(deployments, `${match[1]}.json`);
  res.setHeader("cache-control", "no-store");
  if (!existsSync(file)) {
    res.statusCode = 404;
    res.end(`no deployments/${match[1]}.json: deploy the suite first (npm run deploy -- --network localhost)`);
    return;
  }
  res.setHeader("content-type", "application/json");
  res.end(readFileSync(file));
}

const localDeployments: Plugin = {
  name: "plinth-local-deployments",
  configureServer: (server) => void server.middlewares.use(serveDeployment),
  configurePreviewServer: (server) => void server.middlewares.use(serveDeployment),
};

export default defineConfig({
  plugins: [react(), localDeployments],
  // The client is a linked package (file:../client): its peers must be the app's single copies.
  resolve: { dedupe: ["ethers", "viem", "react", "react-dom"] },
  build: { chunkSizeWarningLimit: 2000 },
});
