import { useApolloClient } from "@apollo/client/react";
import { useState, useSyncExternalStore } from "react";
import { Navigate, Route, Routes } from "react-router";

import { connectionReason, setConnectionState } from "./apollo/connection";
import { Announcer } from "./components/Announcer";
import { LOGOUT } from "./operations";
import { Layout } from "./components/Layout";
import { Dashboard } from "./screens/Dashboard";
import { Orders } from "./screens/Orders";
import { Products } from "./screens/Products";
import { Reports } from "./screens/Reports";
import { Schedules } from "./screens/Schedules";
import { SignIn } from "./screens/SignIn";
import { currentToken, setToken, subscribeToken } from "./session";

export function App() {
  const apollo = useApolloClient();
  const token = useSyncExternalStore(subscribeToken, currentToken);
  const [newAccount, setNewAccount] = useState<string | null>(null);

  const signedIn = (next: string, account: { email: string } | null) => {
    setConnectionState("connecting");
    setNewAccount(account?.email ?? null);
    setToken(next);
  };
  const signOut = async () => {
    const token = currentToken();
    setNewAccount(null);
    // Forgotten first (which also empties the cache), so that the API closing the
    // socket of the session it revokes reads as the sign-out it is, not as a session
    // that ended by itself.
    setToken(null);
    try {
      await apollo.mutate({
        mutation: LOGOUT,
        // keepalive: the revoke is sent even if the tab closes right after.
        context: {
          headers: { Authorization: `Bearer ${token}` },
          fetchOptions: { keepalive: true },
        },
      });
    } catch {
      // Signed out here even if the API could not be told: the token is forgotten.
    }
  };

  return (
    <>
      <Announcer />
      {token === null ? (
        <SignIn reason={connectionReason()} onSignedIn={signedIn} />
      ) : (
        <Layout onSignOut={() => void signOut()}>
          {newAccount ? (
            <p className="banner" role="status">
              Welcome! We sent a confirmation link to {newAccount}. This session works now; to sign
              in again later, open the link and enter the password you just chose.
              <button type="button" className="link" onClick={() => setNewAccount(null)}>
                Dismiss
              </button>
            </p>
          ) : null}
          <Routes>
            <Route path="/" element={<Navigate to="/reports" replace />} />
            <Route path="/reports" element={<Reports />} />
            <Route path="/reports/:id" element={<Reports />} />
            <Route path="/orders" element={<Orders />} />
            <Route path="/products" element={<Products />} />
            <Route path="/schedules" element={<Schedules />} />
            <Route path="/dashboard" element={<Dashboard />} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Layout>
      )}
    </>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Not found</h1>
      <p>There is no page here. Choose a section above.</p>
    </section>
  );
}
