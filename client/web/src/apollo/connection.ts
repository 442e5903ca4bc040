// The live connection's state, for the banner and for re-reading after a drop.
export type ConnectionState = "connecting" | "live" | "reconnecting" | "signed-out";

type Listener = () => void;
const listeners = new Set<Listener>();
let state: ConnectionState = "connecting";
let reason = "";

export function connectionState(): ConnectionState {
  return state;
}

export function connectionReason(): string {
  return reason;
}

export function setConnectionState(next: ConnectionState, why = ""): void {
  if (next === state && why === reason) return;
  state = next;
  reason = why;
  listeners.forEach((listener) => listener());
}

export function subscribeConnection(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
