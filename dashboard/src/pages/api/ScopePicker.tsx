// The permissions of one client grant: the API's scopes as checkboxes (filter, select all/none),
// saved with one PATCH that replaces the grant's whole scope list (Auth0 semantics).
import { useCallback, useId, useState } from 'react';
import { seg } from '../../lib/api.ts';
import { useSession } from '../../lib/session.tsx';
import { Button, ErrorBanner, Notice } from '../../components/ui.tsx';
import type { ClientGrant, ResourceServer, Scope } from '../wire.ts';

export function ScopePicker({ rs, grant, onSaved }: { rs: ResourceServer; grant: ClientGrant; onSaved: (g: ClientGrant) => void }) {
  const { api } = useSession();
  const [selected, setSelected] = useState(() => new Set(grant.scope));
  const [filter, setFilter] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const clearNotice = useCallback(() => setNotice(undefined), []);
  const filterId = useId();
  const defined = rs.scopes ?? [];
  // Scopes granted earlier but since removed from the API stay listed, so they can be unticked.
  const stale: Scope[] = grant.scope.filter((s) => !defined.some((d) => d.value === s)).map((value) => ({ value, description: 'No longer defined by this API' }));
  const all = [...defined, ...stale];
  const needle = filter.trim().toLowerCase();
  const shown = needle ? all.filter((s) => s.value.toLowerCase().includes(needle) || s.description?.toLowerCase().includes(needle)) : all;
  const changed = selected.size !== grant.scope.length || grant.scope.some((s) => !selected.has(s));

  const toggle = (value: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(value);
    else next.delete(value);
    setSelected(next);
  };
  // All/None act on what the filter shows, as Auth0's do.
  const selectShown = (on: boolean) => {
    const next = new Set(selected);
    for (const s of shown) {
      if (on) next.add(s.value);
      else next.delete(s.value);
    }
    setSelected(next);
  };
  const save = () => {
    setBusy(true);
    setError(undefined);
    // Keep the API's order, so the saved list reads like the checkboxes.
    const scope = all.map((s) => s.value).filter((v) => selected.has(v));
    api.patch<ClientGrant>(`/client-grants/${seg(grant.id)}`, { scope }).then(
      (saved) => {
        setBusy(false);
        setNotice(`Saved: ${saved.scope.length} ${saved.scope.length === 1 ? 'permission' : 'permissions'} granted.`);
        onSaved(saved);
      },
      (e: unknown) => {
        setBusy(false);
        setError(e);
      },
    );
  };

  if (all.length === 0) {
    return <p className="hint">This API defines no permissions: its tokens carry no scope. Add some in the Permissions tab.</p>;
  }
  return (
    <div className="scope-picker">
      <div className="scope-tools">
        {all.length > 8 && (
          <span className="scope-filter">
            <label htmlFor={filterId}>Filter permissions</label>
            <input id={filterId} type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="e.g. clients" autoComplete="off" />
          </span>
        )}
        <span className="scope-select" role="group" aria-label="Select">
          Select:{' '}
          <Button className="link-btn" onClick={() => selectShown(true)}>
            All
          </Button>{' '}
          <Button className="link-btn" onClick={() => selectShown(false)}>
            None
          </Button>
        </span>
      </div>
      <ul className="scope-list">
        {shown.map((s) => (
          <li key={s.value}>
            <label className="check">
              {/* Named by the scope alone (exact for tests and screen readers); the description is a description. */}
              <input type="checkbox" aria-label={s.value} aria-describedby={s.description ? `${filterId}-${s.value}` : undefined} checked={selected.has(s.value)} onChange={(e) => toggle(s.value, e.target.checked)} />
              <span>
                <code>{s.value}</code>
                {s.description && (
                  <span className="hint" id={`${filterId}-${s.value}`}>
                    {' '}
                    {s.description}
                  </span>
                )}
              </span>
            </label>
          </li>
        ))}
      </ul>
      {shown.length === 0 && <p className="hint">No permission matches the filter.</p>}
      <ErrorBanner error={error} />
      <Notice text={notice} onDone={clearNotice} />
      <div className="form-actions">
        <Button variant="primary" onClick={save} disabled={busy || !changed}>
          Update
        </Button>
        <span className="hint" aria-live="polite">
          {selected.size} of {all.length} selected{changed ? ' (not saved)' : ''}
        </span>
      </div>
    </div>
  );
}
