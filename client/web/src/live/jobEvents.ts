import { useSubscription } from "@apollo/client/react";
import { useEffect, useRef } from "react";

import { announce } from "../components/Announcer";
import { humanize } from "../format";
import type { JobFieldsFragment } from "../gql/graphql";
import { JOB_EVENTS } from "../operations";

/** A job as the subscription pushed it, and the status it had before, if known. */
export interface JobEvent {
  job: JobFieldsFragment;
  previousStatus: JobFieldsFragment["status"] | null;
}

type Listener = (event: JobEvent) => void;
const listeners = new Set<Listener>();

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

// The last status each job was seen with in this tab, to tell news from repeats.
const seenStatuses = new Map<string, JobFieldsFragment["status"]>();

/** A job as this tab now knows it: from the subscription, or from a mutation's answer
 * (a job just requested shows at once, whatever the socket is doing). */
export function noteJob(job: JobFieldsFragment): void {
  const previousStatus = seenStatuses.get(job.id) ?? null;
  seenStatuses.set(job.id, job.status);
  if (previousStatus !== null && previousStatus !== job.status) {
    announce(`${jobName(job)}: ${humanize(job.status)}.`);
  }
  listeners.forEach((listener) => listener({ job, previousStatus }));
}

/** Jobs a screen read from the API: their next change is news, not a new job. */
export function rememberJobs(jobs: readonly JobFieldsFragment[]): void {
  for (const job of jobs) seenStatuses.set(job.id, job.status);
}

/**
 * The tab's one live subscription: every change to any of the account's jobs.
 * Apollo writes each into its cache by id, so every table and open job showing it
 * updates; listeners hear it too, and status changes are announced.
 */
export function useJobEvents(): void {
  useSubscription(JOB_EVENTS, {
    onData: ({ data }) => {
      const job = data.data?.reportJobs;
      if (job) noteJob(job);
    },
  });
}
