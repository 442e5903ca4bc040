import { JOB_STATUSES, PRIORITIES_HIGH_FIRST } from "../../enums";
import { formatSeconds, humanize } from "../../format";
import type { ReportStatsQuery } from "../../gql/graphql";

type Stats = ReportStatsQuery["reportStats"];

// Every status and priority is shown, a missing one as 0, so figures keep their place.
export function StatsFigures({ stats }: { stats: Stats }) {
  return (
    <>
      <h2>Your jobs</h2>
      <dl className="stats">
        {JOB_STATUSES.map((status) => (
          <Figure
            key={status}
            label={humanize(status)}
            value={stats.jobsByStatus.find((row) => row.status === status)?.count ?? 0}
          />
        ))}
        <Figure label="Completed in the last hour" value={stats.completedLastHour} />
        <Figure
          label="Mean duration (last hour)"
          value={formatSeconds(stats.meanDurationSeconds)}
        />
        <Figure
          label="95th percentile duration (last hour)"
          value={formatSeconds(stats.p95DurationSeconds)}
        />
      </dl>
      <h2>The service</h2>
      <dl className="stats">
        <Figure label="Jobs running" value={stats.jobsRunning} />
        <Figure label="Workers alive" value={stats.workersAlive ?? "unknown"} />
      </dl>
      <div className="stats stat-tables">
        <PriorityTable caption="Queue: due, waiting to start" rows={stats.queueDepth} />
        <PriorityTable caption="Delayed: waiting for a later time" rows={stats.delayedDepth} />
      </div>
    </>
  );
}

function Figure({ label, value }: { label: string; value: string | number }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

interface PriorityTableProps {
  caption: string;
  rows: Stats["queueDepth"];
}

function PriorityTable({ caption, rows }: PriorityTableProps) {
  const total = rows.reduce((sum, row) => sum + row.count, 0);
  return (
    <table className="data stat">
      <caption className="stat-caption">
        {caption} ({total})
      </caption>
      <thead>
        <tr>
          <th scope="col">Priority</th>
          <th scope="col" className="number">
            Jobs
          </th>
        </tr>
      </thead>
      <tbody>
        {PRIORITIES_HIGH_FIRST.map((priority) => (
          <tr key={priority}>
            <td data-label="Priority">{humanize(priority)}</td>
            <td data-label="Jobs" className="number">
              {rows.find((row) => row.priority === priority)?.count ?? 0}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
