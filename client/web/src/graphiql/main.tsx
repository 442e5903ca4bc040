// GraphiQL served by the API itself (/graphql in a browser), built from the npm
// registry's packages: it works with no internet access and under the API's CSP.
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import "./graphiql.css";

const http = new URL("/graphql", window.location.href);
const live = new URL(http);
live.protocol = http.protocol === "https:" ? "wss:" : "ws:";

// Subscriptions go over graphql-transport-ws; the headers pane's Authorization is
// sent in connection_init, where the API reads it for a WebSocket.
const fetcher = createGraphiQLFetcher({
  url: http.toString(),
  subscriptionUrl: live.toString(),
  enableIncrementalDelivery: false,
});

const DEFAULT_HEADERS = JSON.stringify(
  { Authorization: "Bearer <the token that register or login answers>" },
  null,
  2,
);

const DEFAULT_QUERY = `# Sign in (or register), put the token in the Headers pane, then run the others.
mutation SignIn {
  login(email: "you@example.com", password: "your password") {
    token
  }
}

query MyJobs {
  reportJobs(first: 10) {
    edges {
      node { id title kind format status progress downloadUrl }
    }
  }
}

subscription Watch {
  reportJobs { id status progress message }
}
`;

const root = document.getElementById("graphiql");
if (!root) throw new Error("graphiql.html has no #graphiql");

createRoot(root).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={DEFAULT_QUERY}
      defaultHeaders={DEFAULT_HEADERS}
      isHeadersEditorEnabled
      shouldPersistHeaders={false}
    />
  </StrictMode>,
);
