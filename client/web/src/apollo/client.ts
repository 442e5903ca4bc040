import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { CombinedGraphQLErrors } from "@apollo/client/errors";
import { SetContextLink } from "@apollo/client/link/context";
import { ErrorLink } from "@apollo/client/link/error";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import { createClient, type Client } from "graphql-ws";

import { currentToken, setToken } from "../session";
import { setConnectionState } from "./connection";

// Close codes the API uses for a refusal that retrying cannot fix
// (schema/http/refusals.py): no or bad token, signed out; too many connections.
const UNAUTHENTICATED_CLOSE_CODE = 4401;
const RATE_LIMITED_CLOSE_CODE = 4429;
const MAX_RETRY_WAIT_MS = 10_000;

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

export interface ReportsApollo {
  apollo: ApolloClient;
  socket: Client;
}

/** One Apollo client and one WebSocket per tab, both carrying the session's token. */
export function createApollo(): ReportsApollo {
  let droppedSinceConnect = false;
  let apollo: ApolloClient | null = null;

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
    // A ping every 10 s notices a silently dead network within seconds; pings are
    // WebSocket frames, not HTTP requests.
    keepAlive: 10_000,
    on: {
      connected: () => {
        setConnectionState("live");
        if (droppedSinceConnect) {
          droppedSinceConnect = false;
          // Whatever changed while the socket was down was not pushed to us:
          // re-read everything on screen.
          void apollo?.refetchObservableQueries();
        }
      },
      closed: (event) => {
        const code = closeCode(event);
        if (code === UNAUTHENTICATED_CLOSE_CODE) {
          // After Sign out the token is gone already: that is no news to the person.
          if (currentToken() !== null) {
            setConnectionState("signed-out", "Your session ended; sign in again.");
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
      setConnectionState("signed-out", "Your session ended; sign in again.");
      setToken(null);
    }
  });
  const http = ApolloLink.from([signedOut, auth, new HttpLink({ uri: graphqlUrl("http") })]);
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
  return { apollo, socket };
}
