/**
 * Writes with progress and decoded refusals. An action is a list of steps; each contract write is
 * simulated first (a refusal is caught before anything is signed), sent through the session's wallet
 * and awaited. Any revert is shown decoded by the client's `decodeError` (name and arguments).
 */
import { useState } from "react";
import { decodeError, type DecodedError } from "@plinth/client";
import type { Abi, Address, ContractFunctionArgs, ContractFunctionName, Hash } from "viem";
import type { Session } from "./session.tsx";
import { refresh } from "./poll.ts";

export interface ActionState {
  busy: boolean;
  progress: string[];
  error?: { decoded?: DecodedError; text: string };
  done?: string;
}

type Write<A extends Abi, F extends ContractFunctionName<A, "nonpayable" | "payable">> = {
  address: Address;
  abi: A;
  functionName: F;
  args: ContractFunctionArgs<A, "nonpayable" | "payable", F>;
};

/** The client's decoder reads viem's errors too (the revert bytes anywhere in the cause chain, or `raw`). */
function decode(error: unknown): DecodedError | undefined {
  return decodeError(error);
}

export function useAction(session: Session) {
  const [state, setState] = useState<ActionState>({ busy: false, progress: [] });
  const say = (line: string) => setState((s) => ({ ...s, progress: [...s.progress, line] }));

  /** Simulates, sends and awaits one contract write; returns the simulated result. */
  async function write<const A extends Abi, F extends ContractFunctionName<A, "nonpayable" | "payable">>(
    what: string,
    call: Write<A, F>,
  ): Promise<{ hash: Hash; result: unknown }> {
    const wallet = session.wallet;
    if (wallet === undefined) throw new Error("connect a wallet first");
    say(`${what}: checking…`);
    const { request, result } = await session.publicClient.simulateContract({
      ...(call as Write<Abi, string>),
      account: wallet.account,
    } as never);
    say(`${what}: signing and sending…`);
    const hash = await wallet.writeContract(request as never);
    say(`${what}: waiting for the block (${hash.slice(0, 10)}…)`);
    const receipt = await session.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${what}: reverted in block ${receipt.blockNumber}`);
    say(`${what}: confirmed in block ${receipt.blockNumber}`);
    return { hash, result: result as unknown };
  }

  async function run(label: string, body: (step: { write: typeof write; say: typeof say }) => Promise<string | void>) {
    setState({ busy: true, progress: [`${label}…`] });
    try {
      const done = await body({ write, say });
      setState((s) => ({ ...s, busy: false, done: done ?? `${label}: done` }));
    } catch (error) {
      const decoded = decode(error);
      const text = decoded !== undefined ? `${decoded.name}: ${decoded.message}` : shortError(error);
      setState((s) => ({ ...s, busy: false, error: { decoded, text } }));
    } finally {
      refresh();
    }
  }

  return { state, run };
}

function shortError(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string };
  return e.shortMessage ?? e.message ?? String(error);
}

/** Progress of the last action, its outcome, or its refusal decoded. */
export function ActionStatus({ state, id }: { state: ActionState; id: string }) {
  if (state.progress.length === 0) return null;
  return (
    <div className="action" data-testid={`${id}-status`} data-busy={state.busy ? "1" : "0"}>
      <ol className="progress">
        {state.progress.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
        {state.busy && <li className="spinner">working…</li>}
      </ol>
      {state.done !== undefined && (
        <p className="ok" data-testid={`${id}-done`}>
          {state.done}
        </p>
      )}
      {state.error !== undefined && (
        <p className="error" data-testid={`${id}-error`} data-error-name={state.error.decoded?.name ?? ""}>
          refused: {state.error.text}
        </p>
      )}
    </div>
  );
}
