import { useState } from "react";

export type Paging = ReturnType<typeof usePaging>;

/** Cursor paging: the cursors of the pages behind the current one. */
export function usePaging() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const page = cursors.length - 1;
  return {
    page,
    after: cursors[page] ?? null,
    next: (endCursor: string | null | undefined) => {
      if (endCursor) setCursors([...cursors, endCursor]);
    },
    previous: () => setCursors(cursors.length > 1 ? cursors.slice(0, -1) : cursors),
    reset: () => setCursors([null]),
  };
}
