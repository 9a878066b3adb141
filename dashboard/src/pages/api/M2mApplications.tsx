// The "Machine to Machine Applications" tab: every application that may use client credentials,
// an Authorized switch (a client grant for this API exists or not) and, once authorized, the
// API's permissions as checkboxes saved as the grant's scopes.
import { useId, useState } from 'react';
import { seg } from '../../lib/api.ts';
import { Link } from '../../lib/router.tsx';
import { useSession } from '../../lib/session.tsx';
import { useAsync } from '../../lib/use-async.ts';
import { Button, ConfirmDialog, EmptyState, ErrorBanner, Loading } from '../../components/ui.tsx';
import { appTypeLabel, listAll, type Client, type ClientGrant, type ResourceServer } from '../wire.ts';
import { ScopePicker } from './ScopePicker.tsx';

const FIELDS = 'client_id,name,app_type,grant_types,global';

/** Applications that can get client-credentials tokens (Auth0 lists M2M apps and any with the grant type). */
const canUseClientCredentials = (c: Client) => !c.global && (c.app_type === 'non_interactive' || (c.grant_types ?? []).includes('client_credentials'));

export function M2mApplications({ rs }: { rs: ResourceServer }) {
  const { api } = useSession();
  const loaded = useAsync(
    () => Promise.all([listAll<Client>(api, '/clients', { fields: FIELDS, include_fields: true }), listAll<ClientGrant>(api, '/client-grants', { audience: rs.identifier })]),
    [api, rs.identifier],
  );
  const { data, error, loading } = loaded;
  const [grants, setGrants] = useState<Map<string, ClientGrant>>();
  const current = grants ?? new Map((data?.[1] ?? []).filter((g) => g.subject_type !== 'user').map((g) => [g.client_id, g]));
  const setGrant = (clientId: string, grant: ClientGrant | undefined) => {
    const next = new Map(current);
    if (grant) next.set(clientId, grant);
    else next.delete(clientId);
    setGrants(next);
  };
  if (!data) {
    if (loading) return <Loading />;
    return (
      <>
        <ErrorBanner error={error} />
        <Button onClick={() => loaded.reload()}>Try again</Button>
      </>
    );
  }
  // Authorized first, as loaded: rows do not jump while they are being switched.
  const initially = new Set(data[1].map((g) => g.client_id));
  const apps = data[0].filter(canUseClientCredentials).sort((a, b) => Number(initially.has(b.client_id)) - Number(initially.has(a.client_id)));
  return (
    <>
      <p className="lead">
        Authorize applications to request client-credentials tokens for <strong>{rs.name}</strong>, and choose the permissions their tokens may carry.
      </p>
      {apps.length === 0 ? (
        <EmptyState title="No machine-to-machine applications yet.">
          <p>
            <Link to="/applications">Create a Machine to Machine application</Link>, then come back to authorize it.
          </p>
        </EmptyState>
      ) : (
        <ul className="m2m-list">
          {apps.map((c) => (
            <M2mRow key={c.client_id} client={c} rs={rs} grant={current.get(c.client_id)} onGrant={(g) => setGrant(c.client_id, g)} />
          ))}
        </ul>
      )}
    </>
  );
}

function M2mRow({ client, rs, grant, onGrant }: { client: Client; rs: ResourceServer; grant: ClientGrant | undefined; onGrant: (g: ClientGrant | undefined) => void }) {
  const { api } = useSession();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [confirming, setConfirming] = useState(false);
  const nameId = useId();
  const panelId = useId();
  const authorize = () => {
    setBusy(true);
    setError(undefined);
    // Auth0 authorizes with no permissions; they are picked next and saved with Update.
    api.post<ClientGrant>('/client-grants', { client_id: client.client_id, audience: rs.identifier, scope: [] }).then(
      (g) => {
        setBusy(false);
        onGrant(g);
        setOpen(true);
      },
      (e: unknown) => {
        setBusy(false);
        setError(e);
      },
    );
  };
  const deauthorize = async () => {
    if (grant) await api.delete(`/client-grants/${seg(grant.id)}`);
    onGrant(undefined);
    setOpen(false);
  };
  const total = rs.scopes?.length ?? 0;
  return (
    <li className="m2m-row">
      <section aria-labelledby={nameId}>
        <div className="m2m-head">
          <div className="m2m-name">
            <Link id={nameId} to={`/applications/${seg(client.client_id)}`}>
              {client.name}
            </Link>{' '}
            <span className="badge">{appTypeLabel(client.app_type)}</span>
            <div className="hint">
              <code>{client.client_id}</code>
            </div>
          </div>
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              // Shown on while the grant is being created, so the switch answers the click at once.
              checked={grant !== undefined || busy}
              disabled={busy}
              aria-label={`Authorize ${client.name}`}
              onChange={(e) => (e.target.checked ? authorize() : setConfirming(true))}
            />
            <span aria-hidden="true">{grant ? 'Authorized' : 'Unauthorized'}</span>
          </label>
          {grant && (
            <Button aria-expanded={open} aria-controls={panelId} onClick={() => setOpen(!open)}>
              {open ? 'Hide permissions' : `Permissions (${grant.scope.length}${total ? ` of ${total}` : ''})`}
            </Button>
          )}
        </div>
        <ErrorBanner error={error} />
        {grant && open && (
          <div id={panelId}>
            <ScopePicker rs={rs} grant={grant} onSaved={onGrant} />
          </div>
        )}
      </section>
      <ConfirmDialog
        open={confirming}
        title={`Deauthorize ${client.name}?`}
        confirmLabel="Deauthorize"
        onConfirm={deauthorize}
        onClose={() => setConfirming(false)}
        body={<p>The application can no longer get new tokens for this API. Tokens already issued stay valid until they expire.</p>}
      />
    </li>
  );
}
