import { useSyncExternalStore } from "react";

import { connectionReason, connectionState, subscribeConnection } from "../apollo/connection";

/** Says when the live updates are not live: reconnecting after a drop. */
export function ConnectionBanner() {
  const state = useSyncExternalStore(subscribeConnection, connectionState);
  const reason = useSyncExternalStore(subscribeConnection, connectionReason);
  if (state !== "reconnecting") return null;
  return (
    <p className="banner banner-warning" role="status">
      Live updates paused: reconnecting… {reason} What you see is re-read as soon as the connection
      is back.
    </p>
  );
}
