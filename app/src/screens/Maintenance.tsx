/**
 * Maintenance provider: my orders (state, price, bond), their evidence policy and milestones, my
 * payouts (what the custody holds claimable for me per asset and token) with a claim button; accept an
 * order (the bond is approved to the custody first).
 */
import { enums, maintenanceCustodyAbi, maintenanceEvidenceAbi, maintenanceOrdersAbi } from "@plinth/client";
import { erc20Abi, type Address, type Hex } from "viem";
import { ActionStatus, useAction } from "../action.tsx";
import { lists, tokenInfo } from "../data.ts";
import { amount, short, time } from "../format.ts";
import { usePoll } from "../poll.ts";
import { useSession, type Session } from "../session.tsx";
import { config } from "../config.ts";

async function readOrders(session: Session, provider: Address) {
  const c = session.publicClient;
  const { MaintenanceOrders, MaintenanceEvidence, MaintenanceCustody } = session.deployment.addresses;
  const ids = await (await lists(session, config.source === "indexer")).ordersOf(provider);
  const orders = await Promise.all(
    ids.map(async (orderId) => {
      const [order, policy, progress] = await Promise.all([
        c.readContract({
          address: MaintenanceOrders,
          abi: maintenanceOrdersAbi,
          functionName: "getOrder",
          args: [orderId],
        }),
        c.readContract({
          address: MaintenanceEvidence,
          abi: maintenanceEvidenceAbi,
          functionName: "getPolicy",
          args: [orderId],
        }),
        c.readContract({
          address: MaintenanceEvidence,
          abi: maintenanceEvidenceAbi,
          functionName: "getProgress",
          args: [orderId],
        }),
      ]);
      return { orderId, order, policy, progress, token: await tokenInfo(session, order.token) };
    }),
  );
  const pairs = new Map<string, { assetId: bigint; token: Address }>();
  for (const { order } of orders)
    pairs.set(`${order.assetId}:${order.token}`, { assetId: order.assetId, token: order.token });
  const payouts = await Promise.all(
    [...pairs.values()].map(async (p) => ({
      ...p,
      ...(await tokenInfo(session, p.token)),
      claimable: await c.readContract({
        address: MaintenanceCustody,
        abi: maintenanceCustodyAbi,
        functionName: "claimable",
        args: [provider, p.assetId, p.token],
      }),
    })),
  );
  return { orders, payouts };
}

export function Maintenance() {
  const session = useSession();
  const me = session.account;
  const data = usePoll(
    () => (me === undefined ? Promise.resolve({ orders: [], payouts: [] }) : readOrders(session, me)),
    [me],
  );
  const accept = useAction(session);
  const claim = useAction(session);
  const { MaintenanceOrders, MaintenanceCustody } = session.deployment.addresses;

  const acceptOrder = (orderId: Hex, token: Address, bond: bigint) =>
    accept.run(`accept order ${short(orderId)}`, async ({ write }) => {
      const allowance = await session.publicClient.readContract({
        address: token,
        abi: erc20Abi,
        functionName: "allowance",
        args: [me!, MaintenanceCustody],
      });
      if (bond > 0n && allowance < bond) {
        await write("approve bond", {
          address: token,
          abi: erc20Abi,
          functionName: "approve",
          args: [MaintenanceCustody, bond],
        });
      }
      await write("accept", {
        address: MaintenanceOrders,
        abi: maintenanceOrdersAbi,
        functionName: "accept",
        args: [orderId],
      });
    });

  const claimPayout = (assetId: bigint, token: Address) =>
    claim.run("claim payout", async ({ write }) => {
      await write("claim", {
        address: MaintenanceCustody,
        abi: maintenanceCustodyAbi,
        functionName: "claim",
        args: [assetId, token, me!],
      });
    });

  return (
    <section>
      <h2>Orders</h2>
      {data.error !== undefined && <p className="error">{data.error}</p>}
      <table data-testid="orders">
        <thead>
          <tr>
            <th>order</th>
            <th>state</th>
            <th>asset / device</th>
            <th>budget</th>
            <th>bond</th>
            <th>released</th>
            <th>evidence</th>
            <th>complete by</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {(data.data?.orders ?? []).map(({ orderId, order, policy, progress, token }) => (
            <tr key={orderId} data-testid="order-row" data-order-id={orderId}>
              <td className="mono">{short(orderId)}</td>
              <td data-field="state" data-value={order.state}>
                {enums.OrderStateNames[order.state]}
              </td>
              <td className="mono">
                {short(order.assetId)} / {short(order.deviceId)}
              </td>
              <td data-field="budget" data-value={order.budget.toString()}>
                {amount(order.budget, token.decimals)} {token.symbol}
              </td>
              <td>
                {amount(order.bond, token.decimals)} {token.symbol}
              </td>
              <td data-field="released" data-value={order.released.toString()}>
                {amount(order.released, token.decimals)} {token.symbol}
              </td>
              <td data-field="evidence">
                {policy.useDevice
                  ? `device ${enums.ComparatorNames[policy.cmp]} ${policy.threshold} (kind ${policy.kind})`
                  : "inspectors"}
                {policy.k > 0 ? `, ${policy.k} inspector(s)` : ""}; milestones {order.releasedCount}/
                {order.milestoneCount}; used counter {progress.usedCounter.toString()}
              </td>
              <td>{time(order.completeBy)}</td>
              <td>
                <button
                  data-testid="accept"
                  onClick={() => acceptOrder(orderId, order.token, order.bond)}
                  disabled={accept.state.busy}
                >
                  accept
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ActionStatus state={accept.state} id="accept" />

      <h2>Payouts</h2>
      <table data-testid="payouts">
        <thead>
          <tr>
            <th>asset</th>
            <th>claimable</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {(data.data?.payouts ?? []).map((p) => (
            <tr key={`${p.assetId}:${p.token}`} data-testid="payout-row" data-value={p.claimable.toString()}>
              <td className="mono">{short(p.assetId)}</td>
              <td>
                {amount(p.claimable, p.decimals)} {p.symbol}
              </td>
              <td>
                <button
                  data-testid="claim-payout"
                  disabled={p.claimable === 0n || claim.state.busy}
                  onClick={() => claimPayout(p.assetId, p.token)}
                >
                  claim
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ActionStatus state={claim.state} id="claim-payout" />
    </section>
  );
}
