/**
 * A deterministic chain clock for the bench (and the parallel report).
 *
 * Hardhat's simulated chain stamps each block with the wall clock (at least the previous block + 1),
 * so every message that carries a block timestamp (attestations, deadlines, offer expiries) and every
 * signature over such a message changed from run to run. Gas depends on those bytes (a zero calldata
 * byte costs 4, a nonzero one 16), which is where the +-12..36 gas of noise of reports/gas.json came
 * from (the signatures themselves are deterministic: RFC 6979 for secp256k1 and P-256).
 *
 * `useDeterministicClock(connection)` starts the chain at a fixed time and stamps every block that is
 * not given a timestamp explicitly (evm_setNextBlockTimestamp, `networkHelpers.time.increase` /
 * `increaseTo`, `evm_mine [timestamp]`) with the previous block's timestamp + 1 (+ any pending
 * evm_increaseTime), whatever the wall clock says. Same script on the same tree: same blocks, same
 * bytes, same gas.
 */
import { network } from "hardhat";
import type { EIP1193Provider, RequestArguments } from "hardhat/types/providers";

/** 2026-01-01T00:00:00Z: the bench chain's genesis timestamp. */
export const BENCH_EPOCH = 1_767_225_600;

/** A fresh simulated chain starting at BENCH_EPOCH, its blocks stamped by useDeterministicClock. */
export async function createBenchConnection() {
  const connection = await network.create({ override: { initialDate: new Date(BENCH_EPOCH * 1000) } });
  useDeterministicClock(connection);
  return connection;
}

/** Requests that mine a block with automine on (or, for evm_mine / hardhat_mine, always). */
const MINING = new Set(["eth_sendTransaction", "eth_sendRawTransaction", "evm_mine", "hardhat_mine"]);

/**
 * Makes `connection.provider` (and so `connection.ethers` and `connection.networkHelpers`, which send
 * through it) stamp blocks deterministically. Returns the provider for convenience.
 */
export function useDeterministicClock(connection: { provider: EIP1193Provider }): EIP1193Provider {
  const provider = connection.provider;
  const original = provider.request.bind(provider);
  let explicit = false; // the script chose the next block's timestamp itself
  let increase = 0n; // evm_increaseTime not yet consumed by a block

  const latestTimestamp = async (): Promise<bigint> => {
    const block = (await original({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
      timestamp: string;
    };
    return BigInt(block.timestamp);
  };

  const request = async (args: RequestArguments): Promise<unknown> => {
    const { method } = args;
    const params = (args.params ?? []) as unknown[];
    if (method === "evm_setNextBlockTimestamp") {
      const result = await original(args);
      explicit = true;
      increase = 0n;
      return result;
    }
    if (method === "evm_increaseTime") {
      increase += BigInt(params[0] as string | number);
      return original(args);
    }
    const stampsItself = method === "evm_mine" && params.length > 0 && params[0] !== undefined;
    if (MINING.has(method) && !stampsItself) {
      if (!explicit) {
        const next = (await latestTimestamp()) + 1n + increase;
        await original({ method: "evm_setNextBlockTimestamp", params: [`0x${next.toString(16)}`] });
      }
      try {
        return await original(args);
      } finally {
        // A block was mined (also by a transaction that reverted): the timestamp chosen is used up.
        // With automine off a sent transaction mines nothing: the timestamp chosen stays pending.
        const sent = method === "eth_sendTransaction" || method === "eth_sendRawTransaction";
        explicit = sent && !(await automine());
        if (!explicit) increase = 0n;
      }
    }
    if (method === "evm_setAutomine") automineCache = undefined;
    return original(args);
  };

  let automineCache: boolean | undefined;
  const automine = async (): Promise<boolean> =>
    (automineCache ??= (await original({ method: "hardhat_getAutomine" })) as boolean);

  (provider as { request: typeof request }).request = request;
  return provider;
}
