import { useQuery } from "@apollo/client/react";
import { useMemo, useState } from "react";

import { describeError } from "../../errors";
import { useJobEventListener } from "../../live/jobEvents";
import { FINISHED_JOBS } from "../../operations";

const LOADED_JOBS = 200;

export interface FinishedTimes {
  /** When each job finished (ms), by job id: the ones read at first and those since. */
  times: ReadonlyMap<string, number>;
  loading: boolean;
  failure: string;
  /**
   * When the first read was full (more may have finished before the oldest it
   * holds): that oldest finish. Counts before it may be short.
   */
  completeSince: number | null;
}

/**
 * Finish times of the account's completed jobs: the latest few read once, then
 * every job the tab's live events see reach COMPLETED. No polling.
 */
export function useFinishedTimes(): FinishedTimes {
  const { data, loading, error } = useQuery(FINISHED_JOBS, {
    variables: { first: LOADED_JOBS },
    // Read once on arrival; after that only the cache, which job events keep current.
    fetchPolicy: "network-only",
    nextFetchPolicy: "cache-first",
  });
  const [live, setLive] = useState<ReadonlyMap<string, number>>(() => new Map());

  useJobEventListener(({ job, previousStatus }) => {
    if (job.status !== "COMPLETED" || previousStatus === "COMPLETED" || !job.finishedAt) return;
    const finishedAt = Date.parse(job.finishedAt);
    setLive((current) =>
      current.has(job.id) ? current : new Map(current).set(job.id, finishedAt),
    );
  });

  return useMemo(() => {
    const times = new Map<string, number>();
    const edges = data?.reportJobs.edges ?? [];
    for (const { node } of edges) {
      if (node.status === "COMPLETED" && node.finishedAt) {
        times.set(node.id, Date.parse(node.finishedAt));
      }
    }
    const loaded = [...times.values()];
    // Dedupe by id: a job both read and heard about counts once.
    for (const [id, finishedAt] of live) times.set(id, finishedAt);
    return {
      times,
      loading: loading && !data,
      failure: error ? describeError(error).message : "",
      completeSince: edges.length >= LOADED_JOBS && loaded.length ? Math.min(...loaded) : null,
    };
  }, [data, live, loading, error]);
}
