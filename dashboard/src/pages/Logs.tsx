// Logs: the tenant log, newest first, filtered through `q`, paged; a row opens the full event; the
// live tail polls every 2 s for events after the newest shown (from/take) and puts them on top.
import { useEffect, useRef, useState } from 'react';
import { formatDate } from '../lib/format.ts';
import { describeLogType, EMPTY_FILTER, isDashboardSignIn, newestLogId, prependNewEvents, type LogFilter } from '../lib/log-filter.ts';
import { listAll, type Client } from './wire.ts';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';
import { Button, EmptyState, ErrorBanner, Loading, Page } from '../components/ui.tsx';
import { Pager } from './common/Pager.tsx';
import { LogDetail } from './logs/LogDetail.tsx';
import { LogFilters } from './logs/LogFilters.tsx';
import type { LogEntry, LogPage } from './logs/log-wire.ts';
import { SEARCH_WINDOW } from './users/user-wire.ts';

const PER_PAGE = 50;
const TAIL_EVERY_MS = 2000;

export function LogsPage(_props: { params: Record<string, string> }) {
  const { api, config } = useSession();
  const [showOwn, setShowOwn] = useState(false);
  // Events name their application by id; some (sapi, feccft) carry no name: read the names once.
  const clients = useAsync(() => listAll<Client>(api, '/clients', { fields: 'client_id,name', include_fields: true }), [api]);
  const names = new Map((clients.data ?? []).map((c) => [c.client_id, c.name]));
  const [filter, setFilter] = useState<LogFilter>(EMPTY_FILTER);
  const [q, setQ] = useState<string>();
  const [page, setPage] = useState(0);
  const [tail, setTail] = useState(false);
  const [tailError, setTailError] = useState<unknown>();
  const [open, setOpen] = useState<string>();
  const [rows, setRows] = useState<LogEntry[]>([]);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;

  const logs = useAsync(() => api.get<LogPage>('/logs', { q, page, per_page: PER_PAGE, include_totals: true, sort: 'date:-1' }), [api, q, page]);
  const { data, error, loading } = logs;
  useEffect(() => setRows(data?.logs ?? []), [data]);

  // The tail stops when switched off, when the filter changes (a new one starts) or the page is left.
  useEffect(() => {
    if (!tail) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = () => {
      const from = newestLogId(rowsRef.current) ?? '0';
      api.get<LogEntry[]>('/logs', { from, take: 100, q }).then(
        (incoming) => {
          if (stopped) return;
          setTailError(undefined);
          if (incoming.length > 0) setRows((shown) => prependNewEvents(shown, incoming, 500));
          timer = setTimeout(tick, TAIL_EVERY_MS);
        },
        (e: unknown) => {
          if (stopped) return;
          setTailError(e);
          timer = setTimeout(tick, TAIL_EVERY_MS);
        },
      );
    };
    timer = setTimeout(tick, TAIL_EVERY_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [tail, q, api]);

  const shownRows = showOwn ? rows : rows.filter((e) => !isDashboardSignIn(e, config.client_id));
  const hiddenCount = rows.length - shownRows.length;

  const toggleTail = () => {
    if (!tail) setPage(0);
    setTailError(undefined);
    setTail(!tail);
  };

  return (
    <Page
      title="Logs"
      actions={
        <>
          <Button onClick={() => logs.reload()} disabled={tail}>
            Refresh
          </Button>
          <Button variant={tail ? 'primary' : 'secondary'} onClick={toggleTail} aria-pressed={tail} className="tail-toggle">
            {tail ? 'Stop live tail' : 'Live tail'}
          </Button>
        </>
      }
    >
      <LogFilters
        applied={filter}
        onApply={(f, query) => {
          setFilter(f);
          setQ(query);
          setPage(0);
        }}
      />
      {tail && (
        <p className="tail-status" role="status">
          <span className="live-dot" aria-hidden="true" /> Live: new events appear on top every {TAIL_EVERY_MS / 1000} s.
        </p>
      )}
      <ErrorBanner error={error ?? tailError} />
      {loading && !data && <Loading />}
      {rows.length > 0 && (
        <label className="check log-own-toggle">
          <input type="checkbox" checked={showOwn} onChange={(e) => setShowOwn(e.target.checked)} />
          <span>
            Show the dashboard&apos;s own sign-in (silent authentication and code exchange on each page load)
            {!showOwn && hiddenCount > 0 && <span className="hint"> · {hiddenCount} hidden on this page</span>}
          </span>
        </label>
      )}
      {data && rows.length === 0 && (
        <EmptyState title={q === undefined ? 'No log events yet.' : 'No event matches these filters.'}>
          <p>{q === undefined ? 'Sign-ins, token exchanges and Management API changes are recorded here.' : 'Widen the date range or reset the filters.'}</p>
        </EmptyState>
      )}
      {rows.length > 0 && shownRows.length === 0 && <EmptyState title="Only the dashboard's own sign-in events here." />}
      {shownRows.length > 0 && (
        <div className="table-wrap">
          <table className="list log-table" aria-label="Log events" aria-busy={loading}>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Type</th>
                <th scope="col">Description</th>
                <th scope="col">Client</th>
                <th scope="col">User</th>
                <th scope="col">IP</th>
              </tr>
            </thead>
            <tbody>
              {shownRows.map((e) => (
                <tr key={e.log_id} className={e.type.startsWith('f') ? 'log-failure' : undefined}>
                  <td>
                    <button type="button" className="link-button" onClick={() => setOpen(e.log_id)} aria-label={`Open event of ${formatDate(e.date)}`}>
                      {formatDate(e.date)}
                    </button>
                  </td>
                  <td>
                    <span className="log-type">
                      {describeLogType(e.type)} <span className="badge">{e.type}</span>
                    </span>
                  </td>
                  <td className="log-description">
                    <span className="clamp" title={e.description}>
                      {e.description}
                    </span>
                  </td>
                  <td title={e.client_id}>
                    <span className="clamp log-client">{e.client_name || names.get(e.client_id) || e.client_id || '—'}</span>
                  </td>
                  <td title={e.user_id}>
                    <span className="clamp">{e.user_name || e.user_id || '—'}</span>
                  </td>
                  <td>{e.ip || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && !tail && <Pager label="Log pages" page={page} perPage={PER_PAGE} total={Math.min(data.total, SEARCH_WINDOW)} shown={data.logs.length} onPage={setPage} />}
      {open !== undefined && <LogDetail logId={open} onClose={() => setOpen(undefined)} />}
    </Page>
  );
}
