import "viem/window";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createConfig, http, WagmiProvider } from "wagmi";
import { hardhat, sepolia, baseSepolia } from "wagmi/chains";
import { injected } from "wagmi/connectors";
import { App } from "./App.tsx";
import "./styles.css";

/** wagmi holds the injected wallet's connection (testnets); a local chain uses development accounts. */
const wagmiConfig = createConfig({
  chains: [hardhat, sepolia, baseSepolia],
  connectors: [injected()],
  transports: { [hardhat.id]: http(), [sepolia.id]: http(), [baseSepolia.id]: http() },
});
const queryClient = new QueryClient();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <WagmiProvider config={wagmiConfig}>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </WagmiProvider>
  </StrictMode>,
);
