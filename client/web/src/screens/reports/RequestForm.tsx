import { useMutation } from "@apollo/client/react";
import { useRef, useState, type FormEvent } from "react";

import { announce } from "../../components/Announcer";
import {
  DeliveryTargetLines,
  invalidLineKey,
  targetInputs,
  type TargetLine,
} from "../../components/DeliveryTargetLines";
import { Field } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { PRIORITIES, REPORT_FORMATS, REPORT_KINDS } from "../../enums";
import { describeError, leftoverMessage, NO_PROBLEM, type Problem } from "../../errors";
import { humanize } from "../../format";
import type { JobFieldsFragment, Priority, ReportFormat, ReportKind } from "../../gql/graphql";
import { jobName } from "../../live/jobEvents";
import { REQUEST_REPORT } from "../../operations";

const SHOWN_FIELDS = [
  "kind",
  "format",
  "priority",
  "title",
  "dateFrom",
  "dateTo",
  "runAt",
  "deliverTo",
];

interface RequestFormProps {
  onRequested: (job: JobFieldsFragment) => void;
}

export function RequestForm({ onRequested }: RequestFormProps) {
  const [kind, setKind] = useState<ReportKind>("SALES");
  const [format, setFormat] = useState<ReportFormat>("PDF");
  const [priority, setPriority] = useState<Priority>("NORMAL");
  const [title, setTitle] = useState("");
  const [dateFrom, setDateFrom] = useState("");
  const [dateTo, setDateTo] = useState("");
  const [runAt, setRunAt] = useState("");
  const [targets, setTargets] = useState<TargetLine[]>([]);
  const [problem, setProblem] = useState<Problem>(NO_PROBLEM);
  const sentKeys = useRef<number[]>([]);
  const [requestReport, { loading }] = useMutation(REQUEST_REPORT);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(NO_PROBLEM);
    const { inputs: deliverTo, sentKeys: sent } = targetInputs(targets);
    sentKeys.current = sent;
    try {
      const { data } = await requestReport({
        variables: {
          input: {
            kind,
            format,
            priority,
            title: title.trim() || null,
            dateFrom: dateFrom || null,
            dateTo: dateTo || null,
            // datetime-local is the browser's local time; the API takes an instant.
            runAt: runAt ? new Date(runAt).toISOString() : null,
            deliverTo: deliverTo.length > 0 ? deliverTo : null,
          },
        },
      });
      if (!data) return;
      const job = data.requestReport;
      announce(`${jobName(job)} requested.`);
      setTitle("");
      setRunAt("");
      onRequested(job);
    } catch (error) {
      setProblem(describeError(error));
    }
  };

  return (
    <section aria-labelledby="request-heading">
      <h2 id="request-heading">Request a report</h2>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <div className="form-grid">
          <Field label="Kind" error={problem.fields.kind}>
            <select value={kind} onChange={(event) => setKind(event.target.value as ReportKind)}>
              {REPORT_KINDS.map((value) => (
                <option key={value} value={value}>
                  {humanize(value)}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Format" error={problem.fields.format}>
            <select
              value={format}
              onChange={(event) => setFormat(event.target.value as ReportFormat)}
            >
              {REPORT_FORMATS.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Priority" error={problem.fields.priority}>
            <select
              value={priority}
              onChange={(event) => setPriority(event.target.value as Priority)}
            >
              {PRIORITIES.map((value) => (
                <option key={value} value={value}>
                  {humanize(value)}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Title" error={problem.fields.title} hint="Optional; names the file.">
            <input
              value={title}
              maxLength={200}
              onChange={(event) => setTitle(event.target.value)}
            />
          </Field>
          <Field
            label="From date"
            error={problem.fields.dateFrom}
            hint="Orders completed on or after."
          >
            <input
              type="date"
              value={dateFrom}
              onChange={(event) => setDateFrom(event.target.value)}
            />
          </Field>
          <Field
            label="To date"
            error={problem.fields.dateTo}
            hint="On or before; empty: up to now."
          >
            <input type="date" value={dateTo} onChange={(event) => setDateTo(event.target.value)} />
          </Field>
          <Field label="Run at" error={problem.fields.runAt} hint="Empty: now. Your local time.">
            <input
              type="datetime-local"
              value={runAt}
              onChange={(event) => setRunAt(event.target.value)}
            />
          </Field>
        </div>
        <DeliveryTargetLines
          lines={targets}
          onChange={setTargets}
          error={problem.fields.deliverTo}
          invalidKey={invalidLineKey(problem.fields.deliverTo, sentKeys.current)}
        />
        <FormAlert message={leftoverMessage(problem, SHOWN_FIELDS)} />
        <div className="actions">
          <button type="submit" className="primary" disabled={loading}>
            Request report
          </button>
        </div>
      </form>
    </section>
  );
}
