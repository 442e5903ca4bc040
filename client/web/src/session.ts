// The sign-in token lives for the browser tab's session: closing the tab forgets it,
// a reload keeps it.
const TOKEN_KEY = "reports.token";

type Listener = () => void;
const listeners = new Set<Listener>();

export function currentToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
  listeners.forEach((listener) => listener());
}

export function subscribeToken(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
