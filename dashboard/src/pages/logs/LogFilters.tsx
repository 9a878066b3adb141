// The Logs filter form: type, client id, user id and a range of days (the admin's local calendar),
// compiled to `q` by log-filter.ts; a filter it cannot express is explained, not sent.
import { useState, type FormEvent } from 'react';
import { buildLogQuery, EMPTY_FILTER, LOG_TYPES, type LogFilter } from '../../lib/log-filter.ts';
import { Button } from '../../components/ui.tsx';

export function LogFilters({ applied, onApply }: { applied: LogFilter; onApply: (filter: LogFilter, q: string | undefined) => void }) {
  const [draft, setDraft] = useState<LogFilter>(applied);
  const [problem, setProblem] = useState<string>();
  const set = (key: keyof LogFilter) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: e.target.value }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const result = buildLogQuery(draft);
    if (!result.ok) return setProblem(result.error);
    setProblem(undefined);
    onApply(draft, result.q);
  };
  const reset = () => {
    setDraft(EMPTY_FILTER);
    setProblem(undefined);
    onApply(EMPTY_FILTER, undefined);
  };
  const preview = buildLogQuery(draft);

  return (
    <form className="panel log-filters" onSubmit={submit} aria-label="Filter logs">
      <div className="filter-grid">
        <div className="field">
          <label htmlFor="log-type">Type</label>
          <select id="log-type" value={draft.type} onChange={set('type')}>
            <option value="">Any type</option>
            {Object.entries(LOG_TYPES).map(([code, text]) => (
              <option key={code} value={code}>
                {code} — {text}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="log-client">Client id</label>
          <input id="log-client" value={draft.clientId} onChange={set('clientId')} spellCheck={false} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="log-user">User id</label>
          <input id="log-user" value={draft.userId} onChange={set('userId')} spellCheck={false} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="log-from">From (day)</label>
          <input id="log-from" type="date" value={draft.from} onChange={set('from')} />
        </div>
        <div className="field">
          <label htmlFor="log-to">To (day, included)</label>
          <input id="log-to" type="date" value={draft.to} onChange={set('to')} />
        </div>
      </div>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      {preview.ok && preview.q !== undefined && (
        <p className="hint">
          Query: <code className="log-query">{preview.q}</code>
        </p>
      )}
      <div className="form-actions">
        <Button type="submit" variant="primary">
          Apply filters
        </Button>
        <Button onClick={reset}>Reset</Button>
      </div>
    </form>
  );
}
