import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { CombinedGraphQLErrors } from "@apollo/client/errors";
import { SetContextLink } from "@apollo/client/link/context";
import { ErrorLink } from "@apollo/client/link/error";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import { createClient } from "graphql-ws";
import { tap } from "rxjs";

import { withNewestJobs } from "../live/newerJobs";
import { currentToken, setToken, subscribeToken } from "../session";
import { setConnectionState } from "./connection";

// Close codes the API uses for a refusal that retrying cannot fix
// (schema/http/refusals.py): no or bad token, signed out; too many connections.
const UNAUTHENTICATED_CLOSE_CODE = 4401;
const RATE_LIMITED_CLOSE_CODE = 4429;
const MAX_RETRY_WAIT_MS = 10_000;
// A ping every 10 s, and a socket whose pong is this late is taken for dead (a laptop
// woken from sleep, a network gone quiet): graphql-ws itself only sends pings.
const PING_EVERY_MS = 10_000;
const PONG_WITHIN_MS = 5_000;
// graphql-transport-ws's "timed out"; graphql-ws reconnects after it.
const TIMED_OUT_CLOSE_CODE = 4408;
const SESSION_ENDED = "Your session ended; sign in again.";

function graphqlUrl(protocol: "http" | "ws"): string {
  const url = new URL("/graphql", window.location.href);
  if (protocol === "ws") url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

function closeCode(event: unknown): number | undefined {
  return typeof event === "object" && event !== null && "code" in event
    ? Number((event as { code: unknown }).code)
    : undefined;
}

/** One Apollo client and one WebSocket per tab, both carrying the session's token. */
export function createApollo(): ApolloClient {
  let droppedSinceConnect = false;
  let apollo: ApolloClient | null = null;
  let openSocket: WebSocket | null = null;
  let pongDue: ReturnType<typeof setTimeout> | undefined;

  const socket = createClient({
    url: graphqlUrl("ws"),
    connectionParams: () => {
      const token = currentToken();
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
    retryAttempts: Infinity,
    // Randomised exponential backoff, capped, so a fleet of tabs does not reconnect
    // in step after an API restart.
    retryWait: async (retries) => {
      const wait = Math.min(MAX_RETRY_WAIT_MS, 500 * 2 ** retries) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, wait));
    },
    shouldRetry: (event) => {
      const code = closeCode(event);
      return code !== UNAUTHENTICATED_CLOSE_CODE && code !== RATE_LIMITED_CLOSE_CODE;
    },
    // Pings are WebSocket frames, not HTTP requests.
    keepAlive: PING_EVERY_MS,
    on: {
      ping: (received) => {
        if (received) return;
        pongDue = setTimeout(() => {
          if (openSocket?.readyState === WebSocket.OPEN) {
            openSocket.close(TIMED_OUT_CLOSE_CODE, "No pong");
          }
        }, PONG_WITHIN_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongDue);
      },
      connected: (socket) => {
        openSocket = socket as WebSocket;
        setConnectionState("live");
        if (droppedSinceConnect) {
          droppedSinceConnect = false;
          // Whatever changed while the socket was down was not pushed to us:
          // re-read everything on screen.
          void apollo?.refetchObservableQueries();
        }
      },
      closed: (event) => {
        openSocket = null;
        clearTimeout(pongDue);
        const code = closeCode(event);
        if (code === UNAUTHENTICATED_CLOSE_CODE) {
          // After Sign out the token is gone already: that is no news to the person.
          if (currentToken() !== null) {
            setConnectionState("signed-out", SESSION_ENDED);
            setToken(null);
          }
          return;
        }
        if (code === RATE_LIMITED_CLOSE_CODE) {
          setConnectionState("reconnecting", "Too many live connections from here.");
          return;
        }
        if (currentToken() !== null) {
          droppedSinceConnect = true;
          setConnectionState("reconnecting");
        }
      },
    },
  });

  const auth = new SetContextLink((prevContext) => {
    const token = currentToken();
    return token ? { headers: { ...prevContext.headers, Authorization: `Bearer ${token}` } } : {};
  });
  // A token the API no longer takes (expired, revoked elsewhere) signs the tab out
  // instead of leaving every screen showing errors.
  const signedOut = new ErrorLink(({ error }) => {
    const unauthenticated =
      CombinedGraphQLErrors.is(error) &&
      error.errors.some((item) => item.extensions?.code === "UNAUTHENTICATED");
    if (unauthenticated && currentToken() !== null) {
      setConnectionState("signed-out", SESSION_ENDED);
      setToken(null);
    }
  });
  const newestJobs = new ApolloLink((operation, forward) =>
    forward(operation).pipe(tap((result) => withNewestJobs(result.data))),
  );
  const http = ApolloLink.from([
    signedOut,
    newestJobs,
    auth,
    new HttpLink({ uri: graphqlUrl("http") }),
  ]);
  const live = new GraphQLWsLink(socket);
  const link = ApolloLink.split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === "OperationDefinition" && definition.operation === "subscription";
    },
    live,
    http,
  );

  apollo = new ApolloClient({
    link,
    cache: new InMemoryCache({
      typePolicies: {
        // Lines have no id: they belong to their order.
        OrderItem: { keyFields: false },
        ReportStats: { keyFields: [], merge: true },
        Query: {
          fields: {
            reportJobs: { keyArgs: ["status", "kind", "first", "after"] },
          },
        },
      },
    }),
  });
  // Nothing of one account is kept for the next one signed in in this tab.
  subscribeToken(() => {
    if (currentToken() === null) void apollo?.clearStore();
  });
  return apollo;
}
