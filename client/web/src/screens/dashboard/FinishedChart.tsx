const MINUTES = 60;
const MINUTE_MS = 60_000;
// Drawing units; the SVG scales to the width it is given.
const WIDTH = 600;
const HEIGHT = 180;
const LEFT = 32;
const RIGHT = 8;
const TOP = 12;
const BOTTOM = 24;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
const PLOT_HEIGHT = HEIGHT - TOP - BOTTOM;
const BAR_SLOT = PLOT_WIDTH / MINUTES;

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

interface Minutes {
  /** The first minute's start (ms); the last minute is the one now under way. */
  start: number;
  counts: number[];
}

function perMinute(times: ReadonlyMap<string, number>, now: number): Minutes {
  const end = Math.floor(now / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const start = end - MINUTES * MINUTE_MS;
  const counts = Array.from({ length: MINUTES }, () => 0);
  for (const finishedAt of times.values()) {
    if (finishedAt < start) continue;
    // A finish stamped a little ahead of this browser's clock belongs to this minute.
    const index = Math.min(MINUTES - 1, Math.floor((finishedAt - start) / MINUTE_MS));
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return { start, counts };
}

function minuteAt(minutes: Minutes, index: number): string {
  return clock.format(new Date(minutes.start + index * MINUTE_MS));
}

function summary(minutes: Minutes): string {
  const total = minutes.counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return "Jobs finished per minute over the last hour: none.";
  const most = Math.max(...minutes.counts);
  const busiest = minutes.counts.indexOf(most);
  return (
    `Jobs finished per minute over the last hour: ${total} in all; ` +
    `the busiest minute, ${minuteAt(minutes, busiest)}, had ${most}.`
  );
}

interface FinishedChartProps {
  /** When each job finished (ms), by job id. */
  times: ReadonlyMap<string, number>;
  now: number;
  /** Set when the first read may have missed older finishes: counts before it may be short. */
  completeSince: number | null;
}

/** A bar a minute for the last hour, with the same figures as a table for screen readers. */
export function FinishedChart({ times, now, completeSince }: FinishedChartProps) {
  const minutes = perMinute(times, now);
  const most = Math.max(1, ...minutes.counts);
  const busyMinutes = minutes.counts.flatMap((count, index) => (count ? [{ count, index }] : []));
  return (
    <>
      <svg
        className="chart"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={summary(minutes)}
      >
        <g className="muted" fill="currentColor" stroke="none" fontSize="13">
          <text x={LEFT - 6} y={TOP + 5} textAnchor="end">
            {most}
          </text>
          <text x={LEFT - 6} y={TOP + PLOT_HEIGHT} textAnchor="end">
            0
          </text>
          <text x={LEFT} y={HEIGHT - 4}>
            {minuteAt(minutes, 0)}
          </text>
          <text x={LEFT + PLOT_WIDTH / 2} y={HEIGHT - 4} textAnchor="middle">
            {minuteAt(minutes, MINUTES / 2)}
          </text>
          <text x={WIDTH - RIGHT} y={HEIGHT - 4} textAnchor="end">
            now
          </text>
        </g>
        <line
          className="muted"
          stroke="currentColor"
          x1={LEFT}
          x2={WIDTH - RIGHT}
          y1={TOP + PLOT_HEIGHT}
          y2={TOP + PLOT_HEIGHT}
        />
        {minutes.counts.map((count, index) => {
          if (!count) return null;
          const height = (count / most) * PLOT_HEIGHT;
          return (
            <rect
              key={index}
              x={LEFT + index * BAR_SLOT + 1}
              y={TOP + PLOT_HEIGHT - height}
              width={BAR_SLOT - 2}
              height={height}
            />
          );
        })}
      </svg>
      {completeSince !== null && completeSince > minutes.start ? (
        <p className="hint">
          More jobs finished lately than were read at first: minutes before{" "}
          {clock.format(new Date(completeSince))} may show fewer than they had.
        </p>
      ) : null}
      {busyMinutes.length === 0 ? (
        <p className="visually-hidden">No jobs finished in the last hour.</p>
      ) : (
        // A table ignores a width smaller than its content: hide a box around it.
        <div className="visually-hidden">
          <table>
            <caption>
              Jobs finished per minute over the last hour; minutes with none left out.
            </caption>
            <thead>
              <tr>
                <th scope="col">Minute</th>
                <th scope="col">Jobs finished</th>
              </tr>
            </thead>
            <tbody>
              {busyMinutes.map(({ count, index }) => (
                <tr key={index}>
                  <td data-label="Minute">{minuteAt(minutes, index)}</td>
                  <td data-label="Jobs finished">{count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
