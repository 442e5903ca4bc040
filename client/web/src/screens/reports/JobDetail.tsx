import { useQuery } from "@apollo/client/react";
import { Fragment, useEffect, useRef } from "react";

import { ProgressBar } from "../../components/ProgressBar";
import { describeError } from "../../errors";
import {
  formatBytes,
  formatDateTime,
  formatSeconds,
  humanize,
  keyWords,
  summaryText,
} from "../../format";
import { jobName, noteJob } from "../../live/jobEvents";
import { useNow } from "../../live/useNow";
import { REPORT_JOB } from "../../operations";
import { JobActions } from "./JobActions";
import { elapsedSeconds, secondsLeft } from "./timing";

interface JobDetailProps {
  id: string;
  onClose: () => void;
}

/** One job in full; it stays live because the tab's job events update the cache. */
export function JobDetail({ id, onClose }: JobDetailProps) {
  const { data, loading, error } = useQuery(REPORT_JOB, { variables: { id } });
  const heading = useRef<HTMLHeadingElement>(null);
  const job = data?.reportJob;
  const now = useNow(job?.status === "RUNNING");

  // The heading takes focus once per job, as soon as it is rendered: at once when the
  // job is in the cache, after the query otherwise. It takes it back if focus was lost
  // (the job deleted from here: its heading becomes "Job not found").
  const shown = !(loading && !data) && !error;
  const found = Boolean(job);
  const focusedFor = useRef<string | null>(null);
  useEffect(() => {
    if (!shown || !heading.current) return;
    const focused = document.activeElement;
    const lost = !focused || focused === document.body;
    if (focusedFor.current === id && !lost) return;
    focusedFor.current = id;
    heading.current.focus();
  }, [id, shown, found]);

  if (loading && !data) return <section aria-busy="true">Loading the job…</section>;
  if (error) {
    return (
      <section>
        <p className="alert" role="alert">
          {describeError(error).message}
        </p>
      </section>
    );
  }
  if (!job) {
    return (
      <section>
        <h2 ref={heading} tabIndex={-1}>
          Job not found
        </h2>
        <p>It may have been deleted.</p>
        <button type="button" onClick={onClose}>
          Close details
        </button>
      </section>
    );
  }
  const name = jobName(job);
  const left = secondsLeft(job, now);
  return (
    <section aria-labelledby="job-heading" className="card">
      <h2 id="job-heading" ref={heading} tabIndex={-1}>
        {name}
      </h2>
      <p>
        <span className={`status status-${job.status}`}>{humanize(job.status)}</span>{" "}
        {job.message ? <span className="muted">{job.message}</span> : null}
      </p>
      <ProgressBar value={job.progress} label={`Progress of ${name}`} />
      <dl className="details">
        <dt>Kind</dt>
        <dd>
          {humanize(job.kind)} · {job.format} · {humanize(job.priority)} priority
        </dd>
        <dt>Dates</dt>
        <dd>
          {job.dateFrom || job.dateTo
            ? `${job.dateFrom ?? "the start"} to ${job.dateTo ?? "now"}`
            : "All time"}
        </dd>
        <dt>Requested</dt>
        <dd>{formatDateTime(job.createdAt)}</dd>
        {job.runAt ? (
          <>
            <dt>Run at</dt>
            <dd>{formatDateTime(job.runAt)}</dd>
          </>
        ) : null}
        <dt>Started</dt>
        <dd>{formatDateTime(job.startedAt)}</dd>
        <dt>Finished</dt>
        <dd>{formatDateTime(job.finishedAt)}</dd>
        <dt>Time</dt>
        <dd>
          {formatSeconds(elapsedSeconds(job, now))}
          {left !== null ? `, about ${formatSeconds(left)} left` : ""}
        </dd>
        <dt>Attempts</dt>
        <dd>{job.attempts}</dd>
        {job.error ? (
          <>
            <dt>Error</dt>
            <dd className="field-error">{job.error}</dd>
          </>
        ) : null}
        <dt>Rows</dt>
        <dd>{job.rowCount ?? "—"}</dd>
        <dt>File</dt>
        <dd>
          {formatBytes(job.fileSize)}
          {job.expiresAt ? `, kept until ${formatDateTime(job.expiresAt)}` : ""}
        </dd>
        {job.schedule ? (
          <>
            <dt>Schedule</dt>
            <dd>{job.schedule.name}</dd>
          </>
        ) : null}
      </dl>
      {job.summary && typeof job.summary === "object" ? (
        <>
          <h3>Summary</h3>
          <dl className="details">
            {Object.entries(job.summary as Record<string, unknown>).map(([key, value]) => (
              <Fragment key={key}>
                <dt>{keyWords(key)}</dt>
                <dd>{summaryText(value)}</dd>
              </Fragment>
            ))}
          </dl>
        </>
      ) : null}
      {job.deliveries.length > 0 ? (
        <>
          <h3>Deliveries</h3>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Channel</th>
                <th scope="col">Target</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Sent</th>
              </tr>
            </thead>
            <tbody>
              {job.deliveries.map((delivery, index) => (
                <tr key={index}>
                  <td data-label="Channel">{humanize(delivery.channel)}</td>
                  <td data-label="Target">{delivery.target}</td>
                  <td data-label="Status">
                    <span className={`status status-${delivery.status}`}>
                      {humanize(delivery.status)}
                    </span>
                    {delivery.error ? <span className="field-error">{delivery.error}</span> : null}
                  </td>
                  <td data-label="Attempts">{delivery.attempts}</td>
                  <td data-label="Sent">{formatDateTime(delivery.sentAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      <div className="actions">
        <JobActions job={job} onOpen={() => heading.current?.focus()} onCreated={noteJob} />
        <button type="button" onClick={onClose}>
          Close details
        </button>
      </div>
    </section>
  );
}
