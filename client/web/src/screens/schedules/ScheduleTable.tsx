import { useQuery } from "@apollo/client/react";
import { useEffect } from "react";

import { LoadError } from "../../components/LoadError";
import { Pager } from "../../components/Pager";
import type { ScheduleFieldsFragment } from "../../gql/graphql";
import { useJobEventListener } from "../../live/jobEvents";
import { SCHEDULES } from "../../operations";
import { usePaging } from "../../paging";
import { useDebouncedCall } from "../useDebouncedCall";
import { ScheduleRow } from "./ScheduleRow";

const PAGE_SIZE = 10;
// Schedules firing together send a burst of new jobs: one re-read for the burst.
const REFRESH_DELAY_MS = 1000;

interface ScheduleTableProps {
  onEdit: (schedule: ScheduleFieldsFragment, opener: HTMLButtonElement) => void;
  onHistory: (schedule: ScheduleFieldsFragment, opener: HTMLButtonElement) => void;
  onDeleted: (id: string) => void;
}

/** The account's schedules, newest first, a page at a time. */
export function ScheduleTable({ onEdit, onHistory, onDeleted }: ScheduleTableProps) {
  const paging = usePaging();
  const { data, previousData, loading, error, refetch } = useQuery(SCHEDULES, {
    variables: { first: PAGE_SIZE, after: paging.after },
    // Runs move nextRunAt and lastRunAt without telling this tab: read afresh on arrival.
    fetchPolicy: "cache-and-network",
  });
  const connection = (data ?? previousData)?.reportSchedules;
  const rows = connection?.edges.map((edge) => edge.node) ?? [];

  // A schedule's new job means it ran: its next and last run have moved.
  const refresh = useDebouncedCall(() => void refetch().catch(() => undefined), REFRESH_DELAY_MS);
  useJobEventListener(({ job, previousStatus }) => {
    if (job.schedule && previousStatus === null) refresh();
  });

  // The last schedule of a later page deleted: show the page before.
  const emptyLaterPage = Boolean(data) && rows.length === 0 && paging.page > 0;
  useEffect(() => {
    if (emptyLaterPage) paging.previous();
  }, [emptyLaterPage, paging]);

  if (!connection) {
    if (error) return <LoadFailed error={error} onRetry={refetch} />;
    return <p role="status">Loading schedules…</p>;
  }
  return (
    <>
      {error ? <LoadFailed error={error} onRetry={refetch} /> : null}
      {rows.length === 0 ? (
        <p>No schedules yet. Create one below.</p>
      ) : (
        <table className="data">
          <caption className="visually-hidden">
            Your schedules ({connection.totalCount}); times in your browser's time zone.
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Report</th>
              <th scope="col">Runs</th>
              <th scope="col">Time zone</th>
              <th scope="col">Enabled</th>
              <th scope="col">Next run</th>
              <th scope="col">Last run</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((schedule) => (
              <ScheduleRow
                key={schedule.id}
                schedule={schedule}
                onEdit={onEdit}
                onHistory={onHistory}
                onDeleted={onDeleted}
              />
            ))}
          </tbody>
        </table>
      )}
      {loading && !data ? (
        <p className="muted" role="status">
          Loading the page…
        </p>
      ) : null}
      <Pager paging={paging} pageInfo={connection.pageInfo} label="Schedule pages" />
    </>
  );
}

function LoadFailed({ error, onRetry }: { error: unknown; onRetry: () => Promise<unknown> }) {
  return (
    <LoadError error={error} onRetry={onRetry}>
      Could not load the schedules.
    </LoadError>
  );
}
