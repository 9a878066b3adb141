// Previous/next paging for lists read with page/per_page/include_totals (spec §3.4), shared by the
// Users and Logs pages.
import { Button } from '../../components/ui.tsx';

export function Pager({ page, perPage, total, shown, onPage, label }: {
  page: number;
  perPage: number;
  total: number | undefined;
  /** Items on this page. */
  shown: number;
  onPage: (page: number) => void;
  label: string;
}) {
  const first = page * perPage + (shown > 0 ? 1 : 0);
  const last = page * perPage + shown;
  const more = total === undefined ? shown === perPage : last < total;
  if (page === 0 && !more) return null;
  return (
    <nav className="pager" aria-label={label}>
      <Button onClick={() => onPage(page - 1)} disabled={page === 0}>
        Previous
      </Button>
      <span aria-live="polite">
        {first}–{last}
        {total !== undefined && ` of ${total}`}
      </span>
      <Button onClick={() => onPage(page + 1)} disabled={!more}>
        Next
      </Button>
    </nav>
  );
}
