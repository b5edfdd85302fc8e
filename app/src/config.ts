/**
 * What the page was opened with (URL parameters), so a link selects the chain, the account and the data source:
 *
 * - `rpc`: JSON-RPC URL of the chain to read (default http://127.0.0.1:8545, the local node);
 * - `indexer`: the Plinth indexer's URL (default http://127.0.0.1:42069); `source=chain` reads lists
 *   from the chain's logs instead (slow on long chains, but needs no indexer);
 * - `wallet=injected`: the browser's EIP-1193 wallet (testnets); otherwise, on a local chain (31337),
 *   a local development account of the node's default mnemonic, `as=<index>` (also the header's picker);
 * - the screen is the hash: `#operator`, `#investor`, `#renter`, `#maintenance`.
 */
export const SCREENS = ["operator", "investor", "renter", "maintenance"] as const;
export type Screen = (typeof SCREENS)[number];

const params = new URLSearchParams(window.location.search);

export const config = {
  rpc: params.get("rpc") ?? "http://127.0.0.1:8545",
  indexer: (params.get("indexer") ?? "http://127.0.0.1:42069").replace(/\/$/, ""),
  source: params.get("source") === "chain" ? ("chain" as const) : ("indexer" as const),
  wallet: params.get("wallet") === "injected" ? ("injected" as const) : ("local" as const),
  /** Poll interval of every list and balance, ms. */
  poll: Number(params.get("poll") ?? 2000),
};

/** Local development accounts: Hardhat's and anvil's default mnemonic (public, test only). */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** Who each default account is in the local deployment (deploy/parameters/localhost.json). */
export const DEV_ROLES: Record<number, string> = {
  0: "deployer",
  1: "governance",
  2: "KYC agent",
  3: "fee recipient",
  4: "manufacturer",
  5: "manufacturer signer",
  6: "operator (asset agent)",
  7: "arbiter",
  8: "investor A",
  9: "investor B",
  10: "renter",
  11: "maintenance provider",
  12: "not onboarded",
};

/** The account a screen opens with on a local chain, unless `as=` says otherwise. */
export const DEFAULT_ACCOUNT: Record<Screen, number> = { operator: 6, investor: 8, renter: 10, maintenance: 11 };

export function accountParam(): number | undefined {
  const v = params.get("as");
  return v === null || v === "" ? undefined : Number(v);
}

export function screenOf(hash: string): Screen {
  const name = hash.replace(/^#\/?/, "");
  return (SCREENS as readonly string[]).includes(name) ? (name as Screen) : "operator";
}
