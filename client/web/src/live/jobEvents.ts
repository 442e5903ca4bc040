import { useSubscription } from "@apollo/client/react";
import { useEffect, useRef } from "react";

import { connectionState, setConnectionState } from "../apollo/connection";
import { announce } from "../components/Announcer";
import { humanize } from "../format";
import type { JobFieldsFragment } from "../gql/graphql";
import { JOB_EVENTS } from "../operations";
import { currentToken, subscribeToken } from "../session";

/** A job as this tab now knows it, and the status it had before, if it knew the job. */
export interface JobEvent {
  job: JobFieldsFragment;
  previousStatus: JobFieldsFragment["status"] | null;
}

type Listener = (event: JobEvent) => void;
const listeners = new Set<Listener>();

// Each job's newest state this tab has seen (from events, mutation answers and
// lists), by its `version`: anything older is old news.
const newest = new Map<string, JobFieldsFragment>();

// Nothing of one account is kept for the next one signed in in this tab.
subscribeToken(() => {
  if (currentToken() === null) newest.clear();
});

// After a live connection is refused for good (too many connections, say), the
// subscription is asked for again after this long.
const RESUBSCRIBE_MS = 10_000;

/** Every job event of this tab, for screens that keep more than the cache does. */
export function useJobEventListener(listener: Listener): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => {
    const forward: Listener = (event) => latest.current(event);
    listeners.add(forward);
    return () => {
      listeners.delete(forward);
    };
  }, []);
}

export function jobName(job: Pick<JobFieldsFragment, "title" | "kind" | "format">): string {
  return job.title ?? `${humanize(job.kind)} ${job.format}`;
}

/** A job as this tab now knows it: from the subscription, or from a mutation's answer
 * (a job just requested shows at once, whatever the socket is doing). */
export function noteJob(job: JobFieldsFragment): void {
  const before = newest.get(job.id);
  if (before !== undefined && job.version <= before.version) return;
  newest.set(job.id, job);
  if (before !== undefined && before.status !== job.status) {
    announce(`${jobName(job)}: ${humanize(job.status)}.`);
  }
  const previousStatus = before?.status ?? null;
  listeners.forEach((listener) => listener({ job, previousStatus }));
}

/** Jobs a screen read from the API: their next change is news, not a new job. */
export function rememberJobs(jobs: readonly JobFieldsFragment[]): void {
  for (const job of jobs) {
    const before = newest.get(job.id);
    if (before === undefined || before.version < job.version) newest.set(job.id, job);
  }
}

/** The job's newest known state, if it is newer than `version`. */
export function newerJob(id: string, version: number): JobFieldsFragment | undefined {
  const known = newest.get(id);
  return known !== undefined && known.version > version ? known : undefined;
}

/**
 * The tab's one live subscription: every change to any of the account's jobs.
 * Apollo writes each into its cache by id, so every table and open job showing it
 * updates; listeners hear it too, and status changes are announced.
 */
export function useJobEvents(): void {
  const retry = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const { restart } = useSubscription(JOB_EVENTS, {
    // The cache carries each job to the screens; the frame need not render per event.
    ignoreResults: true,
    onData: ({ data }) => {
      const job = data.data?.reportJobs;
      if (job) noteJob(job);
    },
    // graphql-ws gives up on a refusal it deems final; the API says to come back
    // later (4429), so ask again then, while signed in.
    onError: () => {
      clearTimeout(retry.current);
      if (currentToken() === null) return;
      if (connectionState() !== "reconnecting") setConnectionState("reconnecting");
      retry.current = setTimeout(() => {
        if (currentToken() !== null) restart();
      }, RESUBSCRIBE_MS);
    },
  });
  useEffect(() => () => clearTimeout(retry.current), []);
}
