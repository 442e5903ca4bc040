import { ProgressBar } from "../../components/ProgressBar";
import { formatDateTime, formatSeconds, humanize } from "../../format";
import type { JobFieldsFragment } from "../../gql/graphql";
import { jobName } from "../../live/jobEvents";
import { JobActions } from "./JobActions";
import { elapsedSeconds, secondsLeft } from "./timing";

interface JobRowProps {
  job: JobFieldsFragment;
  now: number;
  selected: boolean;
  onSelect: (selected: boolean) => void;
  onOpen: (id: string) => void;
  onCreated: (job: JobFieldsFragment) => void;
}

export function JobRow({ job, now, selected, onSelect, onOpen, onCreated }: JobRowProps) {
  const name = jobName(job);
  const left = secondsLeft(job, now);
  return (
    <tr>
      <td data-label="Select">
        <input
          type="checkbox"
          aria-label={`Select ${name}`}
          checked={selected}
          onChange={(event) => onSelect(event.target.checked)}
        />
      </td>
      <td data-label="Report">
        <strong>{name}</strong>
        <span className="stage">
          {humanize(job.kind)} · {job.format} · {humanize(job.priority)}
          {job.schedule ? ` · ${job.schedule.name}` : ""}
        </span>
      </td>
      <td data-label="Status">
        <span className={`status status-${job.status}`}>{humanize(job.status)}</span>
        {job.message && job.message.toLowerCase() !== job.status.toLowerCase() ? (
          <span className="stage">{job.message}</span>
        ) : null}
        {job.status === "PENDING" && job.runAt && Date.parse(job.runAt) > now ? (
          <span className="stage">Runs at {formatDateTime(job.runAt)}</span>
        ) : null}
        {job.error ? <span className="field-error">{job.error}</span> : null}
      </td>
      <td data-label="Progress">
        <ProgressBar value={job.progress} label={`Progress of ${name}`} />
        <span className="stage">{job.progress}%</span>
      </td>
      <td data-label="Attempts" className="number">
        {job.attempts}
      </td>
      <td data-label="Time">
        {formatSeconds(elapsedSeconds(job, now))}
        {left !== null ? <span className="stage">about {formatSeconds(left)} left</span> : null}
      </td>
      <td data-label="Requested">{formatDateTime(job.createdAt)}</td>
      <td data-label="Actions">
        <JobActions job={job} onOpen={onOpen} onCreated={onCreated} />
      </td>
    </tr>
  );
}
