import type { JobFieldsFragment } from "../../gql/graphql";

type Timed = Pick<JobFieldsFragment, "status" | "progress" | "startedAt" | "finishedAt">;

/** Seconds from start to finish, or to now while running. */
export function elapsedSeconds(job: Timed, now: number): number | null {
  if (!job.startedAt) return null;
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now;
  return Math.max(0, (end - Date.parse(job.startedAt)) / 1000);
}

/** Seconds left at the pace so far: unknown until the job has made some progress. */
export function secondsLeft(job: Timed, now: number): number | null {
  if (job.status !== "RUNNING" || job.progress <= 0 || job.progress >= 100) return null;
  const elapsed = elapsedSeconds(job, now);
  if (elapsed === null) return null;
  return (elapsed * (100 - job.progress)) / job.progress;
}
