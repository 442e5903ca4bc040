import { useRef, useState } from "react";

import type { ScheduleFieldsFragment } from "../gql/graphql";
import { ScheduleForm } from "./schedules/ScheduleForm";
import { ScheduleRuns } from "./schedules/ScheduleRuns";
import { ScheduleTable } from "./schedules/ScheduleTable";

/** Reports made on a calendar: the list, one schedule's runs, and the form. */
export function Schedules() {
  const [editing, setEditing] = useState<ScheduleFieldsFragment | null>(null);
  const [history, setHistory] = useState<ScheduleFieldsFragment | null>(null);
  // The row button that opened the form or the history, for focus to go back to.
  const editOpener = useRef<HTMLButtonElement | null>(null);
  const historyOpener = useRef<HTMLButtonElement | null>(null);

  const returnFocus = (opener: HTMLButtonElement | null) => {
    if (opener?.isConnected) opener.focus();
  };
  const stopEditing = (giveFocusBack: boolean) => {
    setEditing(null);
    if (giveFocusBack) returnFocus(editOpener.current);
  };
  const closeHistory = () => {
    setHistory(null);
    returnFocus(historyOpener.current);
  };
  const forget = (id: string) => {
    if (editing?.id === id) setEditing(null);
    if (history?.id === id) setHistory(null);
  };

  return (
    <>
      <section aria-labelledby="schedules-heading">
        <h1 id="schedules-heading">Schedules</h1>
        <p className="muted">
          Each schedule asks for a report on its own calendar and sends it where you say. Next and
          last runs are shown in your browser's time zone.
        </p>
        <ScheduleTable
          onEdit={(schedule, opener) => {
            editOpener.current = opener;
            setEditing(schedule);
          }}
          onHistory={(schedule, opener) => {
            historyOpener.current = opener;
            setHistory(schedule);
          }}
          onDeleted={forget}
        />
      </section>
      {history ? <ScheduleRuns key={history.id} schedule={history} onClose={closeHistory} /> : null}
      <ScheduleForm
        schedule={editing}
        onSaved={() => stopEditing(editing !== null)}
        onCancel={() => stopEditing(true)}
      />
    </>
  );
}
