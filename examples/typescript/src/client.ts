// A small typed client: queries and mutations over HTTP (GraphQL-over-HTTP's media type,
// automatic persisted queries), subscriptions over graphql-transport-ws.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print, type GraphQLFormattedError } from "graphql";
import { createClient } from "graphql-ws";

export class GraphQLRequestFailed extends Error {
  constructor(readonly errors: readonly GraphQLFormattedError[]) {
    super(errors.map((error) => error.message).join("; "));
  }
}

export interface GatewayOptions {
  url: string; // e.g. http://127.0.0.1:8000/graphql
  apiKey: string;
  clientName?: string;
  clientVersion?: string;
}

interface Answer<TData> {
  data?: TData | null;
  errors?: GraphQLFormattedError[];
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function gateway(options: GatewayOptions) {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${options.apiKey}`,
    "Content-Type": "application/json",
    Accept: "application/graphql-response+json, application/json;q=0.9",
  };
  if (options.clientName) headers["graphql-client-name"] = options.clientName;
  if (options.clientVersion) headers["graphql-client-version"] = options.clientVersion;

  async function post<TData>(body: object): Promise<Answer<TData>> {
    const response = await fetch(options.url, {
      method: "POST",
      headers,
      body: JSON.stringify(body),
    });
    return (await response.json()) as Answer<TData>;
  }

  return {
    /** Runs a query or mutation: its hash first, the text only if the gateway asks. */
    async request<TData, TVariables>(
      document: TypedDocumentNode<TData, TVariables>,
      variables: TVariables,
    ): Promise<TData> {
      const query = print(document);
      const extensions = {
        persistedQuery: { version: 1, sha256Hash: await sha256(query) },
      };
      let answer = await post<TData>({ variables, extensions });
      if (answer.errors?.some((e) => e.message === "PersistedQueryNotFound")) {
        answer = await post<TData>({ query, variables, extensions });
      }
      if (answer.data == null) throw new GraphQLRequestFailed(answer.errors ?? []);
      return answer.data;
    },

    /** Calls `onData` with each event until the returned function is called. */
    subscribe<TData, TVariables extends Record<string, unknown>>(
      document: TypedDocumentNode<TData, TVariables>,
      variables: TVariables,
      onData: (data: TData) => void,
    ): () => void {
      const client = createClient({
        url: options.url.replace(/^http/, "ws"),
        connectionParams: {
          Authorization: `Bearer ${options.apiKey}`,
          ...(options.clientName ? { "graphql-client-name": options.clientName } : {}),
        },
      });
      const stop = client.subscribe<TData>(
        { query: print(document), variables },
        {
          next: (result) => {
            if (result.data) onData(result.data);
          },
          error: () => stop(),
          complete: () => undefined,
        },
      );
      return () => {
        stop();
        void client.dispose();
      };
    },
  };
}
