import type { Paging } from "../paging";

interface PagerProps {
  paging: Paging;
  /** The page's pageInfo, once read. */
  pageInfo: { hasNextPage: boolean; endCursor: string | null } | undefined;
  label: string;
}

/** Previous / next over a cursor-paged list. */
export function Pager({ paging, pageInfo, label }: PagerProps) {
  const hasNext = pageInfo?.hasNextPage ?? false;
  if (paging.page === 0 && !hasNext) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" onClick={paging.previous} disabled={paging.page === 0}>
        Previous page
      </button>
      <span>Page {paging.page + 1}</span>
      <button type="button" onClick={() => paging.next(pageInfo?.endCursor)} disabled={!hasNext}>
        Next page
      </button>
    </nav>
  );
}
