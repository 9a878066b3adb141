// An API's scopes as checkboxes, with a filter and All/None acting on what the filter shows (as
// Auth0's do). Holds no grant: ScopePicker saves one, the Create Application form creates one.
import { useId, useState } from 'react';
import { Button } from '../../components/ui.tsx';
import type { Scope } from '../wire.ts';

export function ScopeChecklist({ scopes, selected, onChange }: { scopes: Scope[]; selected: ReadonlySet<string>; onChange: (next: Set<string>) => void }) {
  const [filter, setFilter] = useState('');
  const filterId = useId();
  const needle = filter.trim().toLowerCase();
  const shown = needle ? scopes.filter((s) => s.value.toLowerCase().includes(needle) || s.description?.toLowerCase().includes(needle)) : scopes;
  const toggle = (value: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(value);
    else next.delete(value);
    onChange(next);
  };
  const selectShown = (on: boolean) => {
    const next = new Set(selected);
    for (const s of shown) {
      if (on) next.add(s.value);
      else next.delete(s.value);
    }
    onChange(next);
  };
  return (
    <>
      <div className="scope-tools">
        {scopes.length > 8 && (
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
    </>
  );
}
