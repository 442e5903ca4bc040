import type { JobFieldsFragment } from "../gql/graphql";
import { newerJob } from "./jobEvents";

const JOB_TYPENAME = "ReportJob";

/**
 * Puts each job's newest known fields over an older copy in an HTTP answer.
 *
 * A query's answer can be older than an event that overtook it (read at version 9,
 * event 10 pushed meanwhile): written last, it would take the job back, and no
 * event would come to set it right. Versions only grow, so the newer copy wins.
 */
export function withNewestJobs(data: unknown): void {
  if (Array.isArray(data)) {
    data.forEach(withNewestJobs);
    return;
  }
  if (typeof data !== "object" || data === null) return;
  const record = data as Record<string, unknown>;
  if (
    record.__typename === JOB_TYPENAME &&
    typeof record.id === "string" &&
    typeof record.version === "number"
  ) {
    const newer = newerJob(record.id, record.version);
    if (newer !== undefined) {
      for (const key of Object.keys(record) as (keyof JobFieldsFragment)[]) {
        if (key in newer) record[key] = newer[key];
      }
    }
  }
  Object.values(record).forEach(withNewestJobs);
}
