import { useMutation, useQuery } from "@apollo/client/react";
import { useCallback, useEffect, useMemo, useState } from "react";

import { announce } from "../../components/Announcer";
import { Pager } from "../../components/Pager";
import { JOB_STATUSES, REPORT_KINDS } from "../../enums";
import { describeError } from "../../errors";
import { humanize } from "../../format";
import type { JobFieldsFragment, JobStatus, ReportJobsQuery, ReportKind } from "../../gql/graphql";
import { noteJob, rememberJobs, useJobEventListener } from "../../live/jobEvents";
import { useNow } from "../../live/useNow";
import { CANCEL_REPORT, REPORT_JOBS, RETRY_REPORT } from "../../operations";
import { usePaging } from "../../paging";
import { CANCELLABLE, RETRYABLE } from "./JobActions";
import { JobRow } from "./JobRow";

const PAGE_SIZE = 20;
type Edge = ReportJobsQuery["reportJobs"]["edges"][number];

interface JobsTableProps {
  onOpen: (id: string) => void;
}

export function JobsTable({ onOpen }: JobsTableProps) {
  const [status, setStatus] = useState<JobStatus | null>(null);
  const [kind, setKind] = useState<ReportKind | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [bulkMessage, setBulkMessage] = useState("");
  const paging = usePaging();
  const { data, loading, error, updateQuery } = useQuery(REPORT_JOBS, {
    variables: { status, kind, first: PAGE_SIZE, after: paging.after },
    // Read afresh whenever the table is shown: jobs came and went while it was not,
    // and only the table on screen hears of new ones.
    fetchPolicy: "cache-and-network",
    nextFetchPolicy: "cache-first",
  });
  const [cancel] = useMutation(CANCEL_REPORT);
  const [retry] = useMutation(RETRY_REPORT);

  // A job that belongs on the first page (requested here, in another tab, by a
  // schedule or by a script; or one that just reached the status the table shows)
  // joins it in its place, newest first. Jobs already listed update by themselves:
  // the cache holds one copy per id.
  const add = useCallback(
    (job: JobFieldsFragment) => {
      if (paging.page !== 0) return;
      if ((status !== null && job.status !== status) || (kind !== null && job.kind !== kind)) {
        return;
      }
      updateQuery((_, { complete, previousData }) => {
        if (!complete) return;
        const connection = previousData.reportJobs;
        const edges = connection.edges;
        if (edges.some((edge) => edge.node.id === job.id)) return previousData;
        const last = edges[edges.length - 1];
        if (connection.pageInfo.hasNextPage && last && job.createdAt < last.node.createdAt) {
          return previousData;
        }
        const at = edges.findIndex((edge) => edge.node.createdAt < job.createdAt);
        // Apollo writes what it reads back, __typename included.
        const edge = { __typename: "ReportJobEdge", node: job } as Edge;
        return {
          ...previousData,
          reportJobs: {
            ...connection,
            totalCount: connection.totalCount + 1,
            edges: at === -1 ? [...edges, edge] : [...edges.slice(0, at), edge, ...edges.slice(at)],
          },
        };
      });
    },
    [paging.page, status, kind, updateQuery],
  );
  useJobEventListener(({ job, previousStatus }) => {
    if (previousStatus === null || previousStatus !== job.status) add(job);
  });

  const jobs = useMemo(() => data?.reportJobs.edges.map((edge) => edge.node) ?? [], [data]);
  useEffect(() => rememberJobs(jobs), [jobs]);
  const now = useNow(jobs.some((job) => job.status === "RUNNING"));
  const chosen = jobs.filter((job) => selected.has(job.id));

  const select = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };

  const runBulk = async (
    verb: string,
    targets: JobFieldsFragment[],
    action: (id: string) => Promise<unknown>,
  ) => {
    const results = await Promise.allSettled(targets.map((job) => action(job.id)));
    const failures = results.flatMap((result) =>
      result.status === "rejected" ? [describeError(result.reason).message] : [],
    );
    const message =
      failures.length === 0
        ? `${verb} ${targets.length} job(s).`
        : `${verb} ${targets.length - failures.length} of ${targets.length}: ${failures.join(" ")}`;
    setBulkMessage(message);
    announce(message);
    setSelected(new Set());
  };

  const toCancel = chosen.filter((job) => CANCELLABLE.includes(job.status));
  const toRetry = chosen.filter((job) => RETRYABLE.includes(job.status));

  return (
    <section aria-labelledby="jobs-heading">
      <h2 id="jobs-heading">Jobs</h2>
      <div className="filters">
        <div className="field">
          <label htmlFor="jobs-showing">Showing</label>
          <select
            id="jobs-showing"
            value={status ?? ""}
            onChange={(event) => {
              setStatus((event.target.value || null) as JobStatus | null);
              paging.reset();
            }}
          >
            <option value="">Every status</option>
            {JOB_STATUSES.map((value) => (
              <option key={value} value={value}>
                {humanize(value)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="jobs-type">Report type</label>
          <select
            id="jobs-type"
            value={kind ?? ""}
            onChange={(event) => {
              setKind((event.target.value || null) as ReportKind | null);
              paging.reset();
            }}
          >
            <option value="">Every type</option>
            {REPORT_KINDS.map((value) => (
              <option key={value} value={value}>
                {humanize(value)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="bulk">
        <span>{chosen.length} selected</span>
        <button
          type="button"
          disabled={toCancel.length === 0}
          onClick={() => void runBulk("Cancelled", toCancel, (id) => cancel({ variables: { id } }))}
        >
          Cancel selected
        </button>
        <button
          type="button"
          disabled={toRetry.length === 0}
          onClick={() => void runBulk("Retried", toRetry, (id) => retry({ variables: { id } }))}
        >
          Retry selected
        </button>
        {bulkMessage ? <span className="muted">{bulkMessage}</span> : null}
      </div>
      {error ? (
        <p className="alert" role="alert">
          {describeError(error).message}
        </p>
      ) : null}
      {loading && !data ? <p>Loading jobs…</p> : null}
      {data && jobs.length === 0 ? (
        <p className="muted">No jobs here yet. Request a report above and watch it being built.</p>
      ) : null}
      {jobs.length > 0 ? (
        <table className="data">
          <caption className="visually-hidden">
            Report jobs, {data?.reportJobs.totalCount ?? 0} in all, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Select</span>
              </th>
              <th scope="col">Report</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col" className="number">
                Attempts
              </th>
              <th scope="col">Time</th>
              <th scope="col">Requested</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((job) => (
              <JobRow
                key={job.id}
                job={job}
                now={now}
                selected={selected.has(job.id)}
                onSelect={(on) => select(job.id, on)}
                onOpen={onOpen}
                onCreated={noteJob}
              />
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager paging={paging} pageInfo={data?.reportJobs.pageInfo} label="Job pages" />
    </section>
  );
}
