/**
 * Investor: holdings per asset, income history (a chart), claimable income per payout token with a
 * claim button, compliance status (identity, whether the shares may be sent and received), a transfer.
 */
import { useState } from "react";
import { assetSharesAbi, identityRegistryAbi, incomeDistributorAbi } from "@plinth/client";
import { isAddress, parseUnits, type Address } from "viem";
import { ActionStatus, useAction } from "../action.tsx";
import { Chart } from "../Chart.tsx";
import { assetInfo, lists, tokenInfo, type AssetInfo, type Deposit, type IncomeClaim } from "../data.ts";
import { amount, short, time } from "../format.ts";
import { usePoll } from "../poll.ts";
import { useSession, type Session } from "../session.tsx";
import { config } from "../config.ts";

interface Holding extends AssetInfo {
  balance: bigint;
  supply: bigint;
  canSend: boolean;
  canReceive: boolean;
  income: { token: Address; symbol: string; decimals: number; claimable: bigint }[];
  deposits: Deposit[];
}

async function readHoldings(session: Session, holder: Address): Promise<Holding[]> {
  const c = session.publicClient;
  const distributor = session.deployment.addresses.IncomeDistributor;
  const source = await lists(session, config.source === "indexer");
  const assets = await source.assets();
  return Promise.all(
    assets.map(async ({ assetId, shares }) => {
      const [info, balance, supply, canSend, canReceive, tokens, deposits] = await Promise.all([
        assetInfo(session, assetId, shares),
        c.readContract({ address: shares, abi: assetSharesAbi, functionName: "balanceOf", args: [holder] }),
        c.readContract({ address: shares, abi: assetSharesAbi, functionName: "totalSupply" }),
        c.readContract({ address: shares, abi: assetSharesAbi, functionName: "canSend", args: [holder] }),
        c.readContract({ address: shares, abi: assetSharesAbi, functionName: "canReceive", args: [holder] }),
        c.readContract({
          address: distributor,
          abi: incomeDistributorAbi,
          functionName: "payoutTokensOf",
          args: [assetId],
        }),
        source.deposits(assetId),
      ]);
      const income = await Promise.all(
        tokens.map(async (token) => ({
          token,
          ...(await tokenInfo(session, token)),
          claimable: await c.readContract({
            address: distributor,
            abi: incomeDistributorAbi,
            functionName: "claimableOf",
            args: [assetId, token, holder],
          }),
        })),
      );
      return { ...info, balance, supply, canSend, canReceive, income, deposits };
    }),
  );
}

async function readIdentity(session: Session, wallet: Address) {
  const c = session.publicClient;
  const registry = session.deployment.addresses.IdentityRegistry;
  const [verified, [country, expiry]] = await Promise.all([
    c.readContract({ address: registry, abi: identityRegistryAbi, functionName: "isVerified", args: [wallet] }),
    c.readContract({ address: registry, abi: identityRegistryAbi, functionName: "identityOf", args: [wallet] }),
  ]);
  return { verified, country, expiry };
}

export function Investor() {
  const session = useSession();
  const me = session.account;
  const holdings = usePoll(() => (me === undefined ? Promise.resolve([]) : readHoldings(session, me)), [me, session]);
  const identity = usePoll(() => (me === undefined ? Promise.resolve(undefined) : readIdentity(session, me)), [me]);
  const claims = usePoll(
    async () => (me === undefined ? [] : (await lists(session, config.source === "indexer")).claimsOf(me)),
    [me],
  );
  const claim = useAction(session);
  const transfer = useAction(session);
  const [to, setTo] = useState("");
  const [shares, setShares] = useState("1");

  const mine = (holdings.data ?? []).filter((h) => h.balance > 0n || h.income.some((i) => i.claimable > 0n));
  const first = mine[0];

  const claimIncome = (h: Holding, token: Address, symbol: string) =>
    claim.run(`claim ${symbol} income of ${h.symbol}`, async ({ write }) => {
      await write("claim", {
        address: session.deployment.addresses.IncomeDistributor,
        abi: incomeDistributorAbi,
        functionName: "claim",
        args: [h.assetId, token, me!],
      });
    });

  const sendShares = (h: Holding) =>
    transfer.run(`transfer ${h.symbol}`, async ({ write }) => {
      if (!isAddress(to)) throw new Error(`not an address: ${to}`);
      await write("transfer", {
        address: h.shares,
        abi: assetSharesAbi,
        functionName: "transfer",
        args: [to, parseUnits(shares, h.decimals)],
      });
    });

  return (
    <section>
      <h2>Compliance</h2>
      <p data-testid="compliance" data-verified={identity.data?.verified ? "1" : "0"}>
        {identity.data === undefined
          ? "reading identity…"
          : identity.data.verified
            ? `verified investor, country ${identity.data.country}, until ${time(identity.data.expiry)}`
            : "not verified: a KYC agent has not onboarded this wallet"}
      </p>

      <h2>Holdings</h2>
      {holdings.error !== undefined && <p className="error">{holdings.error}</p>}
      <table data-testid="holdings">
        <thead>
          <tr>
            <th>asset</th>
            <th>shares</th>
            <th>balance</th>
            <th>of supply</th>
            <th>may send / receive</th>
            <th>claimable income</th>
          </tr>
        </thead>
        <tbody>
          {mine.map((h) => (
            <tr key={h.assetId.toString()} data-testid="holding-row" data-asset-id={h.assetId.toString()}>
              <td className="mono">{short(h.assetId)}</td>
              <td>
                {h.name} ({h.symbol})
              </td>
              <td data-field="balance" data-value={h.balance.toString()}>
                {amount(h.balance, h.decimals)}
              </td>
              <td>{h.supply === 0n ? "—" : `${((Number(h.balance) / Number(h.supply)) * 100).toFixed(2)} %`}</td>
              <td data-field="compliance">
                {h.canSend ? "send ✓" : "send ✗"} / {h.canReceive ? "receive ✓" : "receive ✗"}
              </td>
              <td>
                {h.income.map((i) => (
                  <div key={i.token} data-testid="claimable" data-token={i.token} data-value={i.claimable.toString()}>
                    {amount(i.claimable, i.decimals)} {i.symbol}{" "}
                    <button
                      data-testid="claim"
                      disabled={i.claimable === 0n || claim.state.busy}
                      onClick={() => claimIncome(h, i.token, i.symbol)}
                    >
                      claim
                    </button>
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {holdings.loading && holdings.data === undefined && <p className="progress">reading holdings…</p>}
      {holdings.data !== undefined && mine.length === 0 && <p className="muted">no holdings</p>}
      <ActionStatus state={claim.state} id="claim" />

      <h3>Income to holders of {first?.symbol ?? "—"} over time</h3>
      <Chart
        id="income-chart"
        label="cumulative income to holders"
        unit={first?.income[0]?.symbol ?? ""}
        points={cumulative(first)}
      />

      <h3>My income claims</h3>
      <table data-testid="claims" data-count={claims.data?.length ?? -1}>
        <thead>
          <tr>
            <th>when</th>
            <th>asset</th>
            <th>amount</th>
            <th>transaction</th>
          </tr>
        </thead>
        <tbody>
          {(claims.data ?? []).map((c) => (
            <ClaimRow key={c.tx + c.token} claim={c} />
          ))}
        </tbody>
      </table>

      {first !== undefined && (
        <div className="card">
          <h3>Transfer {first.symbol}</h3>
          <input data-testid="transfer-to" placeholder="to (0x…)" value={to} onChange={(e) => setTo(e.target.value)} />
          <input data-testid="transfer-amount" value={shares} onChange={(e) => setShares(e.target.value)} />
          <button data-testid="transfer" onClick={() => sendShares(first)} disabled={transfer.state.busy}>
            transfer
          </button>
          <ActionStatus state={transfer.state} id="transfer" />
        </div>
      )}
    </section>
  );
}

function ClaimRow({ claim }: { claim: IncomeClaim }) {
  const session = useSession();
  const meta = usePoll(() => tokenInfo(session, claim.token), [claim.token]);
  return (
    <tr data-testid="claim-row">
      <td>{time(claim.time)}</td>
      <td className="mono">{short(claim.assetId)}</td>
      <td>{meta.data === undefined ? "…" : `${amount(claim.amount, meta.data.decimals)} ${meta.data.symbol}`}</td>
      <td className="mono">{short(claim.tx)}</td>
    </tr>
  );
}

function cumulative(h: Holding | undefined) {
  if (h === undefined) return [];
  const decimals = h.income[0]?.decimals ?? 18;
  let total = 0n;
  return [...h.deposits]
    .sort((a, b) => Number(a.block - b.block))
    .map((d) => {
      total += d.toHolders;
      return { x: Number(d.time), y: Number(amount(total, decimals, 2).replace(/,/g, "")) };
    });
}
