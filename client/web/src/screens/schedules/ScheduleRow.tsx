import { useMutation } from "@apollo/client/react";
import { useEffect, useRef, useState } from "react";

import { announce } from "../../components/Announcer";
import { describeCron } from "../../cron";
import { describeError, leftoverMessage } from "../../errors";
import { formatDateTime, humanize } from "../../format";
import type { ScheduleFieldsFragment } from "../../gql/graphql";
import { DELETE_SCHEDULE, RUN_SCHEDULE_NOW, SET_SCHEDULE_ENABLED } from "../../operations";

interface ScheduleRowProps {
  schedule: ScheduleFieldsFragment;
  /** `opener` is the button pressed, for focus to return to. */
  onEdit: (schedule: ScheduleFieldsFragment, opener: HTMLButtonElement) => void;
  onHistory: (schedule: ScheduleFieldsFragment, opener: HTMLButtonElement) => void;
  onDeleted: (id: string) => void;
}

export function ScheduleRow({ schedule, onEdit, onHistory, onDeleted }: ScheduleRowProps) {
  const { id, name } = schedule;
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState("");
  const deleteButton = useRef<HTMLButtonElement>(null);
  const keepButton = useRef<HTMLButtonElement>(null);
  // Enabling answers the schedule itself: the cache updates the row by id.
  const [setEnabled, enabling] = useMutation(SET_SCHEDULE_ENABLED);
  // A run now moves lastRunAt, and adds a run to the history if it is open.
  const [runNow, running] = useMutation(RUN_SCHEDULE_NOW, {
    refetchQueries: ["Schedules", "ScheduleRuns"],
  });
  const [remove, removing] = useMutation(DELETE_SCHEDULE, { refetchQueries: ["Schedules"] });
  const busy = enabling.loading || running.loading || removing.loading;

  // The confirm step takes focus on its safe choice; leaving it gives focus back.
  const wasConfirming = useRef(false);
  useEffect(() => {
    if (confirming) keepButton.current?.focus();
    else if (wasConfirming.current) deleteButton.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  const act = async (what: string, action: () => Promise<void>) => {
    setFailure("");
    try {
      await action();
    } catch (error) {
      setFailure(`Could not ${what}: ${leftoverMessage(describeError(error), [])}`);
    }
  };

  const toggle = () =>
    act(schedule.enabled ? `disable ${name}` : `enable ${name}`, async () => {
      await setEnabled({ variables: { id, enabled: !schedule.enabled } });
      announce(`${name} ${schedule.enabled ? "disabled" : "enabled"}.`);
    });
  const run = () =>
    act(`run ${name} now`, async () => {
      await runNow({ variables: { id } });
      announce(`${name}: a run was requested now; its report is queued.`);
    });
  const confirmDelete = () =>
    act(`delete ${name}`, async () => {
      await remove({ variables: { id } });
      announce(`Schedule ${name} deleted.`);
      onDeleted(id);
    });

  return (
    <tr>
      <td data-label="Name">
        <strong>{name}</strong>
        {schedule.title ? <div className="muted">{schedule.title}</div> : null}
      </td>
      <td data-label="Report">
        {humanize(schedule.kind)} · {schedule.format}
        <div className="muted">
          {humanize(schedule.priority)} priority,{" "}
          {schedule.period ? humanize(schedule.period).toLowerCase() : "all time"}
        </div>
      </td>
      <td data-label="Runs">
        {describeCron(schedule.cron)}
        <div className="muted">
          <code>{schedule.cron}</code>
        </div>
      </td>
      <td data-label="Time zone">{schedule.timeZone}</td>
      <td data-label="Enabled">{schedule.enabled ? "Yes" : "No"}</td>
      <td data-label="Next run">
        {schedule.nextRunAt ? (
          formatDateTime(schedule.nextRunAt)
        ) : (
          <span className="muted">None while disabled</span>
        )}
      </td>
      <td data-label="Last run">
        {schedule.lastRunAt ? (
          formatDateTime(schedule.lastRunAt)
        ) : (
          <span className="muted">Never</span>
        )}
      </td>
      <td data-label="Actions">
        {confirming ? (
          <div className="actions">
            <span>Delete {name}? Its reports stay.</span>
            <button
              type="button"
              className="danger"
              aria-label={`Confirm: delete ${name}`}
              disabled={busy}
              onClick={() => void confirmDelete()}
            >
              Delete
            </button>
            <button
              type="button"
              ref={keepButton}
              aria-label={`Keep ${name}`}
              disabled={busy}
              onClick={() => setConfirming(false)}
            >
              Keep
            </button>
          </div>
        ) : (
          <div className="actions">
            <button
              type="button"
              aria-label={`Edit ${name}`}
              onClick={(event) => onEdit(schedule, event.currentTarget)}
            >
              Edit
            </button>
            <button
              type="button"
              aria-label={`${schedule.enabled ? "Disable" : "Enable"} ${name}`}
              disabled={busy}
              onClick={() => void toggle()}
            >
              {schedule.enabled ? "Disable" : "Enable"}
            </button>
            <button
              type="button"
              aria-label={`Run ${name} now`}
              disabled={busy}
              onClick={() => void run()}
            >
              Run now
            </button>
            <button
              type="button"
              aria-label={`History of ${name}`}
              onClick={(event) => onHistory(schedule, event.currentTarget)}
            >
              History
            </button>
            <button
              type="button"
              className="danger"
              ref={deleteButton}
              aria-label={`Delete ${name}`}
              disabled={busy}
              onClick={() => setConfirming(true)}
            >
              Delete
            </button>
          </div>
        )}
        {failure ? (
          <p className="alert" role="alert">
            {failure}
          </p>
        ) : null}
      </td>
    </tr>
  );
}
