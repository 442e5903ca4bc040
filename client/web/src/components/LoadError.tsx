import type { ReactNode } from "react";

import { describeError, leftoverMessage } from "../errors";

interface LoadErrorProps {
  /** What could not be loaded, as a sentence; the error's description follows it. */
  children: ReactNode;
  error: unknown;
  /** Reads the data again, such as a query's refetch. */
  onRetry: () => Promise<unknown>;
}

/** Data that could not be loaded: what and why, and a button to read it again. */
export function LoadError({ children, error, onRetry }: LoadErrorProps) {
  return (
    <div className="actions">
      <p className="alert" role="alert">
        {children} {leftoverMessage(describeError(error), [])}
      </p>
      {/* A failed re-read is shown by the query's own error state. */}
      <button type="button" onClick={() => void onRetry().catch(() => undefined)}>
        Try again
      </button>
    </div>
  );
}
