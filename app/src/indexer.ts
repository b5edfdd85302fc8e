/**
 * Lists from the Plinth indexer (indexer/, Ponder GraphQL at `<indexer>/graphql`). Returns undefined
 * when the indexer does not answer, so the app falls back to the chain's logs.
 */
import type { Address, Hex } from "viem";
import { config } from "./config.ts";
import type { Lists } from "./data.ts";
import type { Session } from "./session.tsx";

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${config.indexer}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors !== undefined && body.errors.length > 0) throw new Error(`indexer: ${body.errors[0]!.message}`);
  return body.data as T;
}

export async function indexerLists(session: Session): Promise<Lists | undefined> {
  void session;
  if (config.source !== "indexer") return undefined;
  await gql<unknown>("{ __typename }");
  return undefined; // filled in when the indexer's schema lands
}

export type { Address, Hex };
