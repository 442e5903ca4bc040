import { useQuery } from "@apollo/client/react";

import { LoadError } from "../components/LoadError";
import { useJobEventListener } from "../live/jobEvents";
import { REPORT_STATS } from "../operations";
import { FinishedChart } from "./dashboard/FinishedChart";
import { StatsFigures } from "./dashboard/StatsFigures";
import { useFinishedTimes } from "./dashboard/useFinishedTimes";
import { useMinuteClock } from "./dashboard/useMinuteClock";
import { useDebouncedCall } from "./useDebouncedCall";

// A burst of status changes (a batch finishing) costs one re-read a second at most.
const REFRESH_DELAY_MS = 1000;

/** How the account's jobs and the service are doing, kept current by the tab's job events. */
export function Dashboard() {
  const stats = useQuery(REPORT_STATS, { fetchPolicy: "cache-and-network" });
  useRefetchOnStatusChange(stats.refetch);
  const finished = useFinishedTimes();
  const now = useMinuteClock();
  const figures = stats.data?.reportStats;

  return (
    <>
      <section aria-labelledby="dashboard-heading">
        <h1 id="dashboard-heading">Dashboard</h1>
        <p className="muted">
          Job counts and durations are about your own jobs; queue, running and worker figures about
          the whole service. They update as your jobs change.
        </p>
        {stats.error ? (
          <LoadError error={stats.error} onRetry={stats.refetch}>
            {figures
              ? "Could not refresh the figures; these are the last read."
              : "Could not load the figures."}
          </LoadError>
        ) : null}
        {figures ? (
          <StatsFigures stats={figures} />
        ) : stats.loading ? (
          <p role="status">Loading the figures…</p>
        ) : null}
      </section>
      <section aria-labelledby="finished-heading">
        <h2 id="finished-heading">Jobs finished per minute, last hour</h2>
        {finished.failure ? (
          <p className="alert" role="alert">
            Could not read the jobs finished before this page opened. {finished.failure} New ones
            are counted as they finish.
          </p>
        ) : null}
        {finished.loading ? (
          <p role="status">Loading the finished jobs…</p>
        ) : (
          <FinishedChart times={finished.times} now={now} completeSince={finished.completeSince} />
        )}
      </section>
    </>
  );
}

/**
 * Re-reads the figures when a job event changes a job's status, at most once a
 * second (a trailing timer, not a poll). Progress-only events change no figure,
 * so they send nothing.
 */
function useRefetchOnStatusChange(refetch: () => Promise<unknown>): void {
  const refresh = useDebouncedCall(() => void refetch().catch(() => undefined), REFRESH_DELAY_MS);
  useJobEventListener(({ job, previousStatus }) => {
    if (previousStatus !== job.status) refresh();
  });
}
