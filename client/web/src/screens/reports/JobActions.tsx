import { useMutation } from "@apollo/client/react";
import { useEffect, useRef, useState } from "react";

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
  const group = useRef<HTMLDivElement>(null);
  const detailsButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);

  // The confirm step takes focus on "Delete for good"; "Keep" gives it back to "Delete".
  const wasConfirming = useRef(false);
  useEffect(() => {
    if (confirmingDelete) confirmButton.current?.focus();
    else if (wasConfirming.current) deleteButton.current?.focus();
    wasConfirming.current = confirmingDelete;
  }, [confirmingDelete]);

  // While busy the buttons are aria-disabled, not disabled: the one pressed keeps focus.
  const run = async (action: () => Promise<unknown>, done: string, thenFocusDetails = false) => {
    if (busy) return;
    setError("");
    try {
      await action();
      announce(done);
      if (thenFocusDetails) {
        // The button pressed goes with the old status: focus moves to "Details", unless
        // it has already gone somewhere else than this row's actions.
        const focused = document.activeElement;
        if (!focused || focused === document.body || group.current?.contains(focused)) {
          detailsButton.current?.focus();
        }
      }
    } catch (caught) {
      setError(describeError(caught).message || "That did not work.");
    }
  };

  return (
    <div className="row-actions" ref={group}>
      {job.status === "COMPLETED" && job.downloadUrl ? (
        <a href={job.downloadUrl} download>
          Download
        </a>
      ) : null}
      {CANCELLABLE.includes(job.status) ? (
        <button
          type="button"
          aria-disabled={busy || undefined}
          onClick={() =>
            void run(() => cancel({ variables: { id: job.id } }), `${name}: cancelling.`, true)
          }
        >
          Cancel
        </button>
      ) : null}
      {RETRYABLE.includes(job.status) ? (
        <button
          type="button"
          aria-label={`Retry ${name}`}
          aria-disabled={busy || undefined}
          onClick={() =>
            void run(() => retry({ variables: { id: job.id } }), `${name}: retrying.`, true)
          }
        >
          Retry
        </button>
      ) : null}
      <button
        type="button"
        aria-label={`Regenerate ${name}`}
        aria-disabled={busy || undefined}
        onClick={() =>
          void run(async () => {
            const { data } = await regenerate({ variables: { id: job.id } });
            if (data) onCreated(data.regenerateReport);
          }, `${name}: a new copy was requested.`)
        }
      >
        Regenerate
      </button>
      <button
        type="button"
        ref={detailsButton}
        aria-label={`Details of ${name}`}
        onClick={() => onOpen(job.id)}
      >
        Details
      </button>
      {confirmingDelete ? (
        <>
          <button
            type="button"
            className="danger"
            ref={confirmButton}
            aria-disabled={busy || undefined}
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
          ref={deleteButton}
          aria-label={`Delete ${name}`}
          aria-disabled={busy || undefined}
          onClick={() => {
            if (!busy) setConfirmingDelete(true);
          }}
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
