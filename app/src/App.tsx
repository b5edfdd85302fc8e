/** The shell: header (chain, account, data source), one tab per kind of user, the screen. */
import { useEffect, useState } from "react";
import { accountParam, config, DEFAULT_ACCOUNT, DEV_ROLES, screenOf, SCREENS, type Screen } from "./config.ts";
import { ConnectInjected, isLocal, localAccount, SessionProvider, useSession } from "./session.tsx";
import { lists } from "./data.ts";
import { usePoll } from "./poll.ts";
import { Operator } from "./screens/Operator.tsx";
import { Investor } from "./screens/Investor.tsx";
import { Renter } from "./screens/Renter.tsx";
import { Maintenance } from "./screens/Maintenance.tsx";

const TITLES: Record<Screen, string> = {
  operator: "Operator",
  investor: "Investor",
  renter: "Renter",
  maintenance: "Maintenance",
};

export function App() {
  const [screen, setScreen] = useState<Screen>(screenOf(window.location.hash));
  const [picked, setPicked] = useState<number | undefined>(accountParam());
  useEffect(() => {
    const onHash = () => setScreen(screenOf(window.location.hash));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  const accountIndex = picked ?? DEFAULT_ACCOUNT[screen];

  return (
    <div className="app">
      <header>
        <h1>Plinth</h1>
        <nav>
          {SCREENS.map((s) => (
            <a
              key={s}
              href={`${window.location.search}#${s}`}
              className={s === screen ? "active" : ""}
              data-testid={`tab-${s}`}
            >
              {TITLES[s]}
            </a>
          ))}
        </nav>
        {config.wallet === "local" ? (
          <label>
            account{" "}
            <select data-testid="account" value={accountIndex} onChange={(e) => setPicked(Number(e.target.value))}>
              {Object.entries(DEV_ROLES).map(([i, role]) => (
                <option key={i} value={i}>
                  #{i} {role} {localAccount(Number(i)).address.slice(0, 8)}…
                </option>
              ))}
            </select>
          </label>
        ) : (
          <ConnectInjected />
        )}
      </header>
      <SessionProvider accountIndex={accountIndex}>
        <Status />
        <main data-testid={`screen-${screen}`}>
          <h2 className="screen-title">{TITLES[screen]}</h2>
          {screen === "operator" && <Operator />}
          {screen === "investor" && <Investor />}
          {screen === "renter" && <Renter />}
          {screen === "maintenance" && <Maintenance />}
        </main>
      </SessionProvider>
    </div>
  );
}

function Status() {
  const session = useSession();
  const source = usePoll(async () => (await lists(session, config.source === "indexer")).source, [session]);
  const block = usePoll(() => session.publicClient.getBlockNumber(), [session]);
  return (
    <p className="status" data-testid="status" data-account={session.account ?? ""} data-source={source.data ?? ""}>
      {session.chain.name} (chain {session.chain.id}
      {isLocal(session.chain.id) ? ", local development accounts" : ""}), block {block.data?.toString() ?? "…"}; acting
      as <span className="mono">{session.account ?? "no wallet"}</span>; lists from {source.data ?? "…"}
    </p>
  );
}
