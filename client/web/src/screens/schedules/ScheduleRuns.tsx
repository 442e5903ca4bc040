import { useQuery } from "@apollo/client/react";
import { useEffect, useRef } from "react";
import { Link } from "react-router";

import { LoadError } from "../../components/LoadError";
import { Pager } from "../../components/Pager";
import { ProgressBar } from "../../components/ProgressBar";
import { formatDateTime, humanize } from "../../format";
import type { JobFieldsFragment, ScheduleRunsQuery } from "../../gql/graphql";
import { jobName, useJobEventListener } from "../../live/jobEvents";
import { SCHEDULE_RUNS } from "../../operations";
import { usePaging } from "../../paging";

const PAGE_SIZE = 10;

interface ScheduleRunsProps {
  schedule: { id: string; name: string };
  onClose: () => void;
}

/**
 * A schedule's runs, newest first. Each run's job is normalised by id, so the job
 * events the tab receives keep its status, progress and deliveries current.
 */
export function ScheduleRuns({ schedule, onClose }: ScheduleRunsProps) {
  const paging = usePaging();
  const heading = useRef<HTMLHeadingElement>(null);
  const { data, previousData, loading, error, refetch } = useQuery(SCHEDULE_RUNS, {
    variables: { id: schedule.id, first: PAGE_SIZE, after: paging.after },
    fetchPolicy: "cache-and-network",
  });
  const found = (data ?? previousData)?.reportSchedule;
  const runs = found?.runs.edges.map((edge) => edge.node) ?? [];

  useEffect(() => {
    heading.current?.focus();
  }, []);

  // A job of this schedule the first page does not show yet is a new run: re-read
  // the page once for it.
  const asked = useRef(new Set<string>());
  useJobEventListener(({ job }) => {
    if (paging.page !== 0 || job.schedule?.id !== schedule.id || !data) return;
    if (runs.some((run) => run.job?.id === job.id) || asked.current.has(job.id)) return;
    asked.current.add(job.id);
    refetch().catch(() => undefined);
  });

  const title = `Run history: ${schedule.name}`;
  return (
    <section aria-labelledby="schedule-runs-heading">
      <div className="actions">
        <h2 id="schedule-runs-heading" ref={heading} tabIndex={-1}>
          {title}
        </h2>
        <button
          type="button"
          aria-label={`Close the run history of ${schedule.name}`}
          onClick={onClose}
        >
          Close
        </button>
      </div>
      <RunsBody
        loaded={found !== undefined}
        missing={found === null}
        runs={runs}
        error={error}
        onRetry={refetch}
        caption={title}
      />
      {loading && !data ? (
        <p className="muted" role="status">
          Loading runs…
        </p>
      ) : null}
      {found ? (
        <Pager
          paging={paging}
          pageInfo={found.runs.pageInfo}
          label={`Pages of ${schedule.name}'s runs`}
        />
      ) : null}
    </section>
  );
}

type Run = NonNullable<ScheduleRunsQuery["reportSchedule"]>["runs"]["edges"][number]["node"];

interface RunsBodyProps {
  loaded: boolean;
  missing: boolean;
  runs: readonly Run[];
  error: unknown;
  onRetry: () => Promise<unknown>;
  caption: string;
}

function RunsBody({ loaded, missing, runs, error, onRetry, caption }: RunsBodyProps) {
  const alert = error ? (
    <LoadError error={error} onRetry={onRetry}>
      Could not load the runs.
    </LoadError>
  ) : null;
  if (!loaded) return alert;
  if (missing) return <p>This schedule no longer exists.</p>;
  if (runs.length === 0) return alert ?? <p>No runs yet.</p>;
  return (
    <>
      {alert}
      <table className="data">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Scheduled for</th>
            <th scope="col">Created</th>
            <th scope="col">Report</th>
            <th scope="col">Deliveries</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id}>
              <td data-label="Scheduled for">{formatDateTime(run.scheduledFor)}</td>
              <td data-label="Created">{formatDateTime(run.createdAt)}</td>
              <td data-label="Report">
                {run.job ? (
                  <JobState job={run.job} />
                ) : (
                  <span className="muted">Report deleted</span>
                )}
              </td>
              <td data-label="Deliveries">{run.job ? <Deliveries job={run.job} /> : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function JobState({ job }: { job: JobFieldsFragment }) {
  const active = job.status === "PENDING" || job.status === "RUNNING";
  return (
    <div className="stack">
      <span>
        <span className={`status status-${job.status}`}>{humanize(job.status)}</span>{" "}
        <Link to={`/reports/${job.id}`}>{jobName(job)}</Link>
      </span>
      {active ? (
        <>
          <ProgressBar value={job.progress} label={`Progress of ${jobName(job)}`} />
          <span className="muted">
            {job.progress}%{job.message ? ` · ${job.message}` : ""}
          </span>
        </>
      ) : null}
      {job.error ? <span className="muted">{job.error}</span> : null}
    </div>
  );
}

function Deliveries({ job }: { job: JobFieldsFragment }) {
  if (job.deliveries.length === 0) return <span className="muted">None</span>;
  return (
    <ul className="delivery-list">
      {job.deliveries.map((delivery) => (
        <li key={`${delivery.channel} ${delivery.target}`}>
          {humanize(delivery.channel)} to {delivery.target}:{" "}
          <span className={`status status-${delivery.status}`}>{humanize(delivery.status)}</span>
          {", "}
          {delivery.attempts} {delivery.attempts === 1 ? "attempt" : "attempts"}
          {delivery.error ? <div className="muted">{delivery.error}</div> : null}
        </li>
      ))}
    </ul>
  );
}
