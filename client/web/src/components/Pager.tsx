import type { Paging } from "../paging";

interface PagerProps {
  paging: Paging;
  /** The page's pageInfo, once read. */
  pageInfo: { hasNextPage: boolean; endCursor: string | null } | undefined;
  label: string;
}

/** Previous / next over a cursor-paged list. The buttons are aria-disabled, not
 * disabled, so that the one pressed keeps focus when it reaches the end. */
export function Pager({ paging, pageInfo, label }: PagerProps) {
  const hasNext = pageInfo?.hasNextPage ?? false;
  if (paging.page === 0 && !hasNext) return null;
  const isFirst = paging.page === 0;
  return (
    <nav className="pager" aria-label={label}>
      <button
        type="button"
        aria-disabled={isFirst ? "true" : undefined}
        onClick={() => {
          if (!isFirst) paging.previous();
        }}
      >
        Previous page
      </button>
      <span>Page {paging.page + 1}</span>
      <button
        type="button"
        aria-disabled={hasNext ? undefined : "true"}
        onClick={() => {
          if (hasNext) paging.next(pageInfo?.endCursor);
        }}
      >
        Next page
      </button>
    </nav>
  );
}
