import { useId, useMemo } from "react";

import { Field } from "../../components/Field";
import {
  formatInZone,
  isTimeZone,
  nextRuns,
  readCron,
  timeZoneNames,
  type CronReading,
} from "../../cron";

const PREVIEW_RUNS = 5;

interface CronFieldsProps {
  cron: string;
  timeZone: string;
  onCron: (cron: string) => void;
  onTimeZone: (timeZone: string) => void;
  errors: { cron?: string | undefined; timeZone?: string | undefined };
}

/**
 * When a schedule runs: the cron expression, its zone, and, as the person types,
 * the expression in words and its next runs in that zone.
 */
export function CronFields({ cron, timeZone, onCron, onTimeZone, errors }: CronFieldsProps) {
  const zonesId = useId();
  const reading = useMemo(() => readCron(cron), [cron]);
  const zones = useMemo(() => timeZoneNames(), []);
  return (
    <>
      <Field label="Cron" error={errors.cron} hint={<CronWords cron={cron} reading={reading} />}>
        <input
          type="text"
          required
          autoComplete="off"
          spellCheck={false}
          placeholder="0 7 * * MON"
          value={cron}
          onChange={(event) => onCron(event.target.value)}
        />
      </Field>
      <Field
        label="Time zone"
        error={errors.timeZone}
        hint="The cron expression and the period are read in this zone."
      >
        <input
          type="text"
          required
          autoComplete="off"
          spellCheck={false}
          list={zonesId}
          value={timeZone}
          onChange={(event) => onTimeZone(event.target.value)}
        />
      </Field>
      <datalist id={zonesId}>
        {zones.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
      <NextRuns reading={reading} timeZone={timeZone.trim()} />
    </>
  );
}

function CronWords({ cron, reading }: { cron: string; reading: CronReading }) {
  if (!cron.trim()) {
    return <>Five fields: minute hour day-of-month month day-of-week, e.g. 0 7 * * MON.</>;
  }
  if (!reading.valid) return <>Not a valid cron expression. {reading.reason}</>;
  return <>{reading.description}.</>;
}

function NextRuns({ reading, timeZone }: { reading: CronReading; timeZone: string }) {
  const headingId = useId();
  const zoneKnown = isTimeZone(timeZone);
  // Recomputed on every keystroke: a few hundred steps at most, from this moment on.
  const runs = useMemo(
    () =>
      reading.valid && zoneKnown
        ? nextRuns(reading.schedule, timeZone, new Date(), PREVIEW_RUNS)
        : [],
    [reading, timeZone, zoneKnown],
  );
  return (
    <div className="field">
      <p id={headingId} className="field-heading">
        Next {PREVIEW_RUNS} runs{zoneKnown ? ` (${timeZone})` : ""}
      </p>
      <RunList
        reading={reading}
        zoneKnown={zoneKnown}
        runs={runs}
        timeZone={timeZone}
        headingId={headingId}
      />
    </div>
  );
}

interface RunListProps {
  reading: CronReading;
  zoneKnown: boolean;
  runs: readonly Date[];
  timeZone: string;
  headingId: string;
}

function RunList({ reading, zoneKnown, runs, timeZone, headingId }: RunListProps) {
  if (!reading.valid) return <p className="hint">Shown once the cron expression is valid.</p>;
  if (!zoneKnown) return <p className="hint">Unknown time zone: choose one from the list.</p>;
  if (runs.length === 0) return <p className="hint">It does not run in the next 50 years.</p>;
  return (
    <ol aria-labelledby={headingId} className="cron-runs">
      {runs.map((run) => (
        <li key={run.getTime()}>
          <time dateTime={run.toISOString()}>{formatInZone(run, timeZone)}</time>
        </li>
      ))}
    </ol>
  );
}
