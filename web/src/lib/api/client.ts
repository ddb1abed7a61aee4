/**
 * The transport: queries and mutations over HTTP POST /graphql, subscriptions over one
 * graphql-ws (graphql-transport-ws) socket at /graphql.
 *
 * The socket is created lazily and never retried by graphql-ws itself: an automatic
 * re-subscribe would repeat the original `afterSeq`, so resuming is left to the caller
 * (see executions/stream.ts), which knows the last seq it has seen. The server closes a
 * socket with 4403 when its token is refused (expired, revoked): the accounts layer hears of
 * it (`onTokenRefused`) and refreshes the token before the streams reconnect.
 */
import { createClient, type Client } from "graphql-ws";
import type { TypedDocumentString } from "../generated/graphql";

export class GraphQLRequestError extends Error {}

/** The bearer token for the next request, if any (the accounts layer provides it). */
let authorization: () => Promise<string | null> = async () => null;

export function setAuthorization(provider: () => Promise<string | null>): void {
  authorization = provider;
}

/** The close code of a socket whose token the server no longer accepts. */
const TOKEN_REFUSED = 4403;

/** Told of a token the server refused sooner than its expiry said (see `subscriptions`). */
let tokenRefused: (token: string) => void = () => undefined;

export function onTokenRefused(listener: (token: string) => void): void {
  tokenRefused = listener;
}

export async function request<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  { authenticated = true } = {},
): Promise<TResult> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json",
  };
  const token = authenticated ? await authorization() : null;
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query: document.toString(), variables }),
    });
  } catch (error) {
    throw new GraphQLRequestError(`cannot reach the server: ${String(error)}`);
  }
  const body = (await response.json().catch(() => null)) as {
    data?: TResult;
    errors?: { message: string }[];
  } | null;
  if (body?.errors?.length) {
    throw new GraphQLRequestError(body.errors.map((e) => e.message).join("; "));
  }
  if (!response.ok || !body?.data) {
    throw new GraphQLRequestError(`the server answered HTTP ${response.status}`);
  }
  return body.data;
}

/** A file's bytes from its `url`, with the same credentials as the API (never a link that
 * works for whoever holds it). */
export async function download(url: string): Promise<Blob> {
  const token = await authorization();
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw new GraphQLRequestError(`the server answered HTTP ${response.status}`);
  return await response.blob();
}

export type SocketState = "idle" | "connecting" | "connected" | "closed";

type SocketListener = (state: SocketState) => void;
const listeners = new Set<SocketListener>();
let socketState: SocketState = "idle";

function announce(state: SocketState): void {
  socketState = state;
  for (const listener of listeners) listener(state);
}

/** Follow the socket's state (for the "live / reconnecting" indicator). */
export function onSocketState(listener: SocketListener): () => void {
  listeners.add(listener);
  listener(socketState);
  return () => listeners.delete(listener);
}

export function socketConnected(): boolean {
  return socketState === "connected";
}

function socketUrl(): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/graphql`;
}

let client: Client | null = null;
/** The token the open socket authenticated with (the server checks it on each subscribe). */
let socketToken: string | null = null;

export function subscriptions(): Client {
  client ??= createClient({
    url: socketUrl(),
    lazy: true,
    retryAttempts: 0,
    connectionParams: async () => {
      const token = await authorization();
      socketToken = token;
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    on: {
      connecting: () => announce("connecting"),
      connected: () => announce("connected"),
      closed: (event) => {
        const token = socketToken;
        socketToken = null;
        if (token && closeCode(event) === TOKEN_REFUSED) tokenRefused(token);
        announce("closed");
      },
    },
  });
  return client;
}

function closeCode(event: unknown): number | undefined {
  const code = typeof event === "object" && event !== null ? Reflect.get(event, "code") : null;
  return typeof code === "number" ? code : undefined;
}

/**
 * Start over with a new socket (after logging in or out: a socket is authenticated once,
 * when it opens). Live streams resume on the new one from where they were.
 */
export function resetSocket(): void {
  const old = client;
  client = null;
  old?.dispose();
}

/** A token was replaced: a socket opened with it reconnects with the new one. */
export function retireToken(token: string): void {
  if (socketToken === token) resetSocket();
}

/**
 * Drop the socket abruptly, as a network failure would. Only for tests and the
 * "reconnect" check in the README: subscriptions must resume without loss or repeats.
 */
export function dropSocket(): void {
  client?.terminate();
}
