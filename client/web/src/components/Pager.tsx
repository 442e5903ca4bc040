interface PagerProps {
  page: number;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  label: string;
}

/** Previous / next over a cursor-paged list. */
export function Pager({ page, hasNext, onPrevious, onNext, label }: PagerProps) {
  if (page === 0 && !hasNext) return null;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" onClick={onPrevious} disabled={page === 0}>
        Previous page
      </button>
      <span>Page {page + 1}</span>
      <button type="button" onClick={onNext} disabled={!hasNext}>
        Next page
      </button>
    </nav>
  );
}
