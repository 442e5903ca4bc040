import { useSyncExternalStore } from "react";

import { connectionReason, connectionState, subscribeConnection } from "../apollo/connection";

/** Says when the live updates are not live: reconnecting after a drop. The live region
 * stays in the page, empty while live, so that filling it is announced. */
export function ConnectionBanner() {
  const state = useSyncExternalStore(subscribeConnection, connectionState);
  const reason = useSyncExternalStore(subscribeConnection, connectionReason);
  const reconnecting = state === "reconnecting";
  return (
    <div className={reconnecting ? "banner banner-warning" : undefined} role="status">
      {reconnecting ? (
        <>
          Live updates paused: reconnecting… {reason} What you see is re-read as soon as the
          connection is back.
        </>
      ) : null}
    </div>
  );
}
