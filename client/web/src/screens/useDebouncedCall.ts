import { useCallback, useEffect, useRef } from "react";

/**
 * A function that calls `call` at most once per `delayMs`: the first request starts a
 * trailing timer, requests while it runs are folded into it, and the call is made when
 * it ends (with the latest `call`). A timer still running at unmount is cancelled.
 */
export function useDebouncedCall(call: () => void, delayMs: number): () => void {
  const latest = useRef(call);
  latest.current = call;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = null;
    },
    [],
  );
  return useCallback(() => {
    if (timer.current !== null) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      latest.current();
    }, delayMs);
  }, [delayMs]);
}
