// The permissions of one client grant: the API's scopes as checkboxes (filter, select all/none),
// saved with one PATCH that replaces the grant's whole scope list (Auth0 semantics).
import { useCallback, useState } from 'react';
import { seg } from '../../lib/api.ts';
import { useSession } from '../../lib/session.tsx';
import { Button, ErrorBanner, Notice } from '../../components/ui.tsx';
import type { ClientGrant, ResourceServer, Scope } from '../wire.ts';
import { ScopeChecklist } from './ScopeChecklist.tsx';

export function ScopePicker({ rs, grant, onSaved }: { rs: ResourceServer; grant: ClientGrant; onSaved: (g: ClientGrant) => void }) {
  const { api } = useSession();
  const [selected, setSelected] = useState(() => new Set(grant.scope));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const clearNotice = useCallback(() => setNotice(undefined), []);
  const defined = rs.scopes ?? [];
  // Scopes granted earlier but since removed from the API stay listed, so they can be unticked.
  const stale: Scope[] = grant.scope.filter((s) => !defined.some((d) => d.value === s)).map((value) => ({ value, description: 'No longer defined by this API' }));
  const all = [...defined, ...stale];
  const changed = selected.size !== grant.scope.length || grant.scope.some((s) => !selected.has(s));

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
      <ScopeChecklist scopes={all} selected={selected} onChange={setSelected} />
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
