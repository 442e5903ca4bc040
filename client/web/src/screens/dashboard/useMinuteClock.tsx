import { useEffect, useState } from "react";

const MINUTE_MS = 60_000;

/**
 * The time now, moved on at each minute boundary, so a per-minute chart slides its
 * window. A local re-render only: nothing is fetched.
 */
export function useMinuteClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const waitForNextMinute = () => {
      // Re-aimed each time, so timer drift never accumulates.
      timer = setTimeout(
        () => {
          setNow(Date.now());
          waitForNextMinute();
        },
        MINUTE_MS - (Date.now() % MINUTE_MS) + 50,
      );
    };
    waitForNextMinute();
    return () => clearTimeout(timer);
  }, []);
  return now;
}
