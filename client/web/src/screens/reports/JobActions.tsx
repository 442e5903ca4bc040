import { useMutation } from "@apollo/client/react";
import { useState } from "react";

import { announce } from "../../components/Announcer";
import { describeError } from "../../errors";
import type { JobFieldsFragment } from "../../gql/graphql";
import { jobName } from "../../live/jobEvents";
import { CANCEL_REPORT, DELETE_REPORT, REGENERATE_REPORT, RETRY_REPORT } from "../../operations";

export const CANCELLABLE: readonly JobFieldsFragment["status"][] = ["PENDING", "RUNNING"];
export const RETRYABLE: readonly JobFieldsFragment["status"][] = ["FAILED", "CANCELLED"];

interface JobActionsProps {
  job: JobFieldsFragment;
  onOpen: (id: string) => void;
  onCreated: (job: JobFieldsFragment) => void;
}

/** What can be done to one job now; "Download" and "Cancel" keep those exact names. */
export function JobActions({ job, onOpen, onCreated }: JobActionsProps) {
  const [error, setError] = useState("");
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [cancel, cancelling] = useMutation(CANCEL_REPORT);
  const [retry, retrying] = useMutation(RETRY_REPORT);
  const [regenerate, regenerating] = useMutation(REGENERATE_REPORT);
  const [remove, removing] = useMutation(DELETE_REPORT, {
    refetchQueries: ["ReportJobs"],
    update: (cache) => {
      cache.evict({ id: cache.identify({ __typename: "ReportJob", id: job.id }) });
      cache.gc();
    },
  });
  const busy = cancelling.loading || retrying.loading || regenerating.loading || removing.loading;
  const name = jobName(job);

  const run = async (action: () => Promise<unknown>, done: string) => {
    setError("");
    try {
      await action();
      announce(done);
    } catch (caught) {
      setError(describeError(caught).message || "That did not work.");
    }
  };

  return (
    <div className="row-actions">
      {job.status === "COMPLETED" && job.downloadUrl ? (
        <a href={job.downloadUrl} download>
          Download
        </a>
      ) : null}
      {CANCELLABLE.includes(job.status) ? (
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            void run(() => cancel({ variables: { id: job.id } }), `${name}: cancelling.`)
          }
        >
          Cancel
        </button>
      ) : null}
      {RETRYABLE.includes(job.status) ? (
        <button
          type="button"
          aria-label={`Retry ${name}`}
          disabled={busy}
          onClick={() => void run(() => retry({ variables: { id: job.id } }), `${name}: retrying.`)}
        >
          Retry
        </button>
      ) : null}
      <button
        type="button"
        aria-label={`Regenerate ${name}`}
        disabled={busy}
        onClick={() =>
          void run(async () => {
            const { data } = await regenerate({ variables: { id: job.id } });
            if (data) onCreated(data.regenerateReport);
          }, `${name}: a new copy was requested.`)
        }
      >
        Regenerate
      </button>
      <button type="button" aria-label={`Details of ${name}`} onClick={() => onOpen(job.id)}>
        Details
      </button>
      {confirmingDelete ? (
        <>
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() =>
              void run(() => remove({ variables: { id: job.id } }), `${name} deleted.`)
            }
          >
            Delete for good
          </button>
          <button type="button" onClick={() => setConfirmingDelete(false)}>
            Keep
          </button>
        </>
      ) : (
        <button
          type="button"
          className="danger"
          aria-label={`Delete ${name}`}
          disabled={busy}
          onClick={() => setConfirmingDelete(true)}
        >
          Delete
        </button>
      )}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
