import { useMutation } from "@apollo/client/react";
import { useEffect, useRef, useState, type FormEvent } from "react";

import { announce } from "../../components/Announcer";
import { Field } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { browserTimeZone } from "../../cron";
import { PRIORITIES, REPORT_FORMATS, REPORT_KINDS } from "../../enums";
import { describeError, leftoverMessage, NO_PROBLEM, type Problem } from "../../errors";
import { humanize } from "../../format";
import type {
  Priority,
  ReportFormat,
  ReportKind,
  ReportPeriod,
  ReportScheduleInput,
  ScheduleFieldsFragment,
} from "../../gql/graphql";
import { CREATE_SCHEDULE, UPDATE_SCHEDULE } from "../../operations";
import { CronFields } from "./CronFields";
import {
  DeliveryTargetLines,
  invalidLineKey,
  newLine,
  targetInputs,
  type TargetLine,
} from "../../components/DeliveryTargetLines";

// URGENT is for a person waiting; the API refuses it for a schedule.
const SCHEDULE_PRIORITIES = PRIORITIES.filter((priority) => priority !== "URGENT");
const PERIODS: readonly ReportPeriod[] = [
  "PREVIOUS_DAY",
  "LAST_7_DAYS",
  "PREVIOUS_WEEK",
  "PREVIOUS_MONTH",
  "MONTH_TO_DATE",
  "YEAR_TO_DATE",
];
// The API's names for the inputs shown beside their own control.
const SHOWN_FIELDS = [
  "name",
  "kind",
  "format",
  "priority",
  "title",
  "cron",
  "timeZone",
  "period",
  "enabled",
  "deliverTo",
];
interface Draft {
  name: string;
  kind: ReportKind;
  format: ReportFormat;
  priority: Priority;
  title: string;
  cron: string;
  timeZone: string;
  /** "" stands for no period: all time. */
  period: ReportPeriod | "";
  enabled: boolean;
  targets: TargetLine[];
}

function draftOf(schedule: ScheduleFieldsFragment | null): Draft {
  if (!schedule) {
    return {
      name: "",
      kind: "SALES",
      format: "CSV",
      priority: "NORMAL",
      title: "",
      cron: "0 7 * * MON",
      timeZone: browserTimeZone(),
      period: "",
      enabled: true,
      targets: [],
    };
  }
  return {
    name: schedule.name,
    kind: schedule.kind,
    format: schedule.format,
    priority: schedule.priority,
    title: schedule.title ?? "",
    cron: schedule.cron,
    timeZone: schedule.timeZone,
    period: schedule.period ?? "",
    enabled: schedule.enabled,
    targets: schedule.deliverTo.map((target) => newLine(target.target)),
  };
}

/** The input to send, and which line each sent target came from (blank lines are left out). */
function inputOf(draft: Draft): { input: ReportScheduleInput; sentLines: number[] } {
  const { inputs, sentKeys } = targetInputs(draft.targets);
  return {
    input: {
      name: draft.name,
      kind: draft.kind,
      format: draft.format,
      priority: draft.priority,
      title: draft.title.trim() ? draft.title : null,
      cron: draft.cron,
      timeZone: draft.timeZone.trim(),
      period: draft.period || null,
      enabled: draft.enabled,
      deliverTo: inputs,
    },
    sentLines: sentKeys,
  };
}

function choose<T extends string>(options: readonly T[], value: string, fallback: T): T {
  return options.find((option) => option === value) ?? fallback;
}

interface ScheduleFormProps {
  /** The schedule being edited; null for a new one. */
  schedule: ScheduleFieldsFragment | null;
  onSaved: () => void;
  onCancel: () => void;
}

export function ScheduleForm({ schedule, onSaved, onCancel }: ScheduleFormProps) {
  const [draft, setDraft] = useState(() => draftOf(schedule));
  const [problem, setProblem] = useState<Problem>(NO_PROBLEM);
  const [shownId, setShownId] = useState(schedule?.id ?? null);
  const sentLines = useRef<number[]>([]);
  const heading = useRef<HTMLHeadingElement>(null);
  const [create, creating] = useMutation(CREATE_SCHEDULE, { refetchQueries: ["Schedules"] });
  const [update, updating] = useMutation(UPDATE_SCHEDULE, { refetchQueries: ["Schedules"] });
  const busy = creating.loading || updating.loading;

  // Another schedule chosen (or none): start from it. Compared by id, so a cache
  // update of the same schedule does not wipe what is being typed.
  if ((schedule?.id ?? null) !== shownId) {
    setShownId(schedule?.id ?? null);
    setDraft(draftOf(schedule));
    setProblem(NO_PROBLEM);
  }
  useEffect(() => {
    if (shownId === null) return;
    heading.current?.focus();
    heading.current?.scrollIntoView({ block: "start" });
  }, [shownId]);

  const change = <K extends keyof Draft>(key: K, value: Draft[K]) =>
    setDraft((current) => ({ ...current, [key]: value }));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(NO_PROBLEM);
    const { input, sentLines: lines } = inputOf(draft);
    sentLines.current = lines;
    try {
      if (schedule) {
        await update({ variables: { id: schedule.id, input } });
        announce(`Schedule ${input.name} saved.`);
      } else {
        await create({ variables: { input } });
        announce(`Schedule ${input.name} created.`);
        setDraft(draftOf(null));
      }
      onSaved();
    } catch (error) {
      setProblem(describeError(error));
    }
  };

  const targetError = problem.fields.deliverTo;
  const invalidLine = invalidLineKey(targetError, sentLines.current);

  return (
    <section aria-labelledby="schedule-form-heading">
      <h2 id="schedule-form-heading" ref={heading} tabIndex={-1}>
        {schedule ? `Edit schedule: ${schedule.name}` : "New schedule"}
      </h2>
      <form onSubmit={(event) => void save(event)} noValidate>
        <div className="form-grid">
          <Field label="Name" error={problem.fields.name}>
            <input
              type="text"
              required
              maxLength={200}
              value={draft.name}
              onChange={(event) => change("name", event.target.value)}
            />
          </Field>
          <Field label="Title" error={problem.fields.title} hint="Optional: the reports' title.">
            <input
              type="text"
              maxLength={200}
              value={draft.title}
              onChange={(event) => change("title", event.target.value)}
            />
          </Field>
          <Field label="Kind" error={problem.fields.kind}>
            <select
              value={draft.kind}
              onChange={(event) =>
                change("kind", choose(REPORT_KINDS, event.target.value, draft.kind))
              }
            >
              {REPORT_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {humanize(kind)}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Format" error={problem.fields.format}>
            <select
              value={draft.format}
              onChange={(event) =>
                change("format", choose(REPORT_FORMATS, event.target.value, draft.format))
              }
            >
              {REPORT_FORMATS.map((format) => (
                <option key={format} value={format}>
                  {format}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Priority" error={problem.fields.priority}>
            <select
              value={draft.priority}
              onChange={(event) =>
                change("priority", choose(SCHEDULE_PRIORITIES, event.target.value, draft.priority))
              }
            >
              {SCHEDULE_PRIORITIES.map((priority) => (
                <option key={priority} value={priority}>
                  {humanize(priority)}
                </option>
              ))}
            </select>
          </Field>
          <Field
            label="Period"
            error={problem.fields.period}
            hint="The dates each run reports on, read in the schedule's time zone."
          >
            <select
              value={draft.period}
              onChange={(event) =>
                change("period", choose<ReportPeriod | "">(PERIODS, event.target.value, ""))
              }
            >
              <option value="">None (all time)</option>
              {PERIODS.map((period) => (
                <option key={period} value={period}>
                  {humanize(period)}
                </option>
              ))}
            </select>
          </Field>
          <CronFields
            cron={draft.cron}
            timeZone={draft.timeZone}
            onCron={(cron) => change("cron", cron)}
            onTimeZone={(timeZone) => change("timeZone", timeZone)}
            errors={{ cron: problem.fields.cron, timeZone: problem.fields.timeZone }}
          />
          <Field
            label="Enabled"
            error={problem.fields.enabled}
            hint="A disabled schedule makes no runs until enabled again."
          >
            <input
              type="checkbox"
              checked={draft.enabled}
              onChange={(event) => change("enabled", event.target.checked)}
            />
          </Field>
        </div>
        <DeliveryTargetLines
          lines={draft.targets}
          onChange={(targets) => change("targets", targets)}
          error={targetError}
          invalidKey={invalidLine}
        />
        <FormAlert message={leftoverMessage(problem, SHOWN_FIELDS)} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {schedule ? "Save changes" : "Create schedule"}
          </button>
          {schedule ? (
            <button type="button" onClick={onCancel} disabled={busy}>
              Cancel editing
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}
