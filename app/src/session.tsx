/**
 * The session: the chain (a viem public client), the suite's addresses (from @plinth/client for public
 * chains, from the local node's deployment record on 31337) and the acting account's wallet client.
 *
 * Wallets: on a local chain a local development account (the node's default mnemonic, signed in the
 * page); with `wallet=injected` the browser's EIP-1193 wallet through wagmi (testnets).
 */
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import {
  createPublicClient,
  createWalletClient,
  custom,
  defineChain,
  http,
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { useAccount, useConnect, useWalletClient } from "wagmi";
import { injected } from "wagmi/connectors";
import { deployments, getDeployment, suiteAddresses, type SuiteAddresses } from "@plinth/client";
import { config, DEV_MNEMONIC } from "./config.ts";

export interface Deployment {
  addresses: SuiteAddresses;
  /** First block of the deployment: where log queries start. */
  fromBlock: bigint;
}

export interface Session {
  chain: Chain;
  publicClient: PublicClient;
  deployment: Deployment;
  /** The acting account's wallet client (undefined until a wallet is connected). */
  wallet?: WalletClient<Transport, Chain, Account>;
  account?: Address;
}

const LOCAL_CHAINS = new Set([31337, 1337]);

/** The suite's addresses on `chainId`: a local node's record (served by Vite), else the client's bundle. */
export async function loadDeployment(chainId: number): Promise<Deployment> {
  if (LOCAL_CHAINS.has(chainId)) {
    const response = await fetch(`${import.meta.env.BASE_URL}deployments/${chainId}.json`, { cache: "no-store" });
    if (!response.ok) throw new Error(await response.text());
    const record = (await response.json()) as { fromBlock?: number; contracts: Record<string, { address: string }> };
    const named = Object.fromEntries(Object.entries(record.contracts).map(([k, v]) => [k, v.address]));
    return { addresses: suiteAddresses(named), fromBlock: BigInt(record.fromBlock ?? 0) };
  }
  const bundled = deployments[chainId] as { fromBlock?: number } | undefined;
  return { addresses: getDeployment(chainId), fromBlock: BigInt(bundled?.fromBlock ?? 0) };
}

export const isLocal = (chainId: number) => LOCAL_CHAINS.has(chainId);

export function localAccount(index: number) {
  return mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
}

const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error("useSession outside <SessionProvider>");
  return session;
}

/** Connects to the chain, loads the deployment and the wallet; shows progress and errors while it does. */
export function SessionProvider({ accountIndex, children }: { accountIndex: number; children: ReactNode }) {
  const [base, setBase] = useState<{ chain: Chain; publicClient: PublicClient; deployment: Deployment }>();
  const [error, setError] = useState<string>();
  const injectedWallet = useInjectedWallet();

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const transport =
        config.wallet === "injected" && window.ethereum !== undefined ? custom(window.ethereum) : http(config.rpc);
      const probe = createPublicClient({ transport });
      const chainId = await probe.getChainId();
      const chain = defineChain({
        id: chainId,
        name: isLocal(chainId) ? "Local node" : `Chain ${chainId}`,
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [config.rpc] } },
      });
      const publicClient = createPublicClient({ chain, transport, pollingInterval: 500 }) as PublicClient;
      const deployment = await loadDeployment(chainId);
      if (!cancelled) setBase({ chain, publicClient, deployment });
    })().catch((e: unknown) => !cancelled && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      cancelled = true;
    };
  }, []);

  if (error !== undefined) {
    return (
      <p className="error" data-testid="session-error">
        cannot connect: {error}
      </p>
    );
  }
  if (base === undefined) return <p className="progress">connecting to {config.rpc}…</p>;

  let wallet: Session["wallet"];
  if (config.wallet === "local" && isLocal(base.chain.id)) {
    wallet = createWalletClient({
      account: localAccount(accountIndex),
      chain: base.chain,
      transport: http(config.rpc),
    });
  } else {
    wallet = injectedWallet;
  }
  const session: Session = { ...base, wallet, account: wallet?.account.address };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** The injected wallet through wagmi (undefined until the user connects it). */
function useInjectedWallet(): Session["wallet"] {
  const { data } = useWalletClient();
  return config.wallet === "injected" && data !== undefined ? (data as Session["wallet"]) : undefined;
}

/** A connect button for the injected wallet. */
export function ConnectInjected() {
  const { connect, isPending, error } = useConnect();
  const { address } = useAccount();
  if (address !== undefined) return <span className="mono">{address}</span>;
  return (
    <span>
      <button onClick={() => connect({ connector: injected() })} disabled={isPending}>
        {isPending ? "connecting…" : "connect wallet"}
      </button>
      {error !== null && <span className="error">{error.message}</span>}
    </span>
  );
}
