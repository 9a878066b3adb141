// Applications: the list (secrets never requested) and "Create Application" with Auth0's four types.
import { useId, useState, type FormEvent } from 'react';
import { seg } from '../lib/api.ts';
import { Link, navigate } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';
import { Button, CopyButton, EmptyState, ErrorBanner, Field, Loading, Page } from '../components/ui.tsx';
import { APP_TYPES, appTypeLabel, isDashboardApp, listAll, TEST_APP_KEY, type AppType, type Client, type ClientGrant } from './wire.ts';
import { AuthorizeOnCreate, NO_API, type GrantChoice } from './application/AuthorizeOnCreate.tsx';
import { LengthHint, LimitedInput } from '../components/limits.tsx';

/** Auth0's limit for an application name (the Management API refuses longer). */
const NAME_MAX = 255;

/** The list needs these fields only; asking for them keeps client_secret out of the answer. */
const LIST_FIELDS = 'client_id,name,description,app_type,global,client_metadata';

/**
 * What Auth0's dashboard sets per type (public clients have no usable secret). Sent explicitly so
 * the result does not depend on the server's API-create defaults.
 */
const TYPE_DEFAULTS: Record<AppType, { grant_types: string[]; token_endpoint_auth_method: string }> = {
  non_interactive: { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post' },
  spa: { grant_types: ['authorization_code', 'implicit', 'refresh_token'], token_endpoint_auth_method: 'none' },
  native: { grant_types: ['authorization_code', 'implicit', 'refresh_token'], token_endpoint_auth_method: 'none' },
  regular_web: { grant_types: ['authorization_code', 'implicit', 'refresh_token', 'client_credentials'], token_endpoint_auth_method: 'client_secret_post' },
};

/** Badges for the applications Scopeward protects (no delete, no rotate) and for test applications. */
export function ClientBadges({ client, dashboardClientId }: { client: Client; dashboardClientId: string }) {
  return (
    <>
      {client.global && <span className="badge">Global client</span>}
      {isDashboardApp(client, dashboardClientId) && <span className="badge">System</span>}
      {client.client_metadata?.[TEST_APP_KEY] !== undefined && <span className="badge">Test application</span>}
    </>
  );
}

export function ApplicationsPage(_props: { params: Record<string, string> }) {
  const { api, config } = useSession();
  const [creating, setCreating] = useState(false);
  const loaded = useAsync(() => listAll<Client>(api, '/clients', { fields: LIST_FIELDS, include_fields: true }), [api]);
  const { data, error, loading } = loaded;
  return (
    <Page
      title="Applications"
      actions={
        !creating && (
          <Button variant="primary" onClick={() => setCreating(true)}>
            Create Application
          </Button>
        )
      }
    >
      {creating && <CreateApplication onCancel={() => setCreating(false)} />}
      <ErrorBanner error={error} />
      {error !== undefined && <Button onClick={() => loaded.reload()}>Try again</Button>}
      {loading && !data && <Loading />}
      {data && data.length === 0 && (
        <EmptyState title="No applications yet.">
          <p>Create one to get a client id and secret.</p>
        </EmptyState>
      )}
      {data && data.length > 0 && (
        <div className="table-wrap">
          <table className="list stack apps-list">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Client ID</th>
              </tr>
            </thead>
            <tbody>
              {data.map((c) => (
                <tr key={c.client_id}>
                  <td>
                    <Link to={`/applications/${seg(c.client_id)}`} className="clamp" title={c.name}>
                      {c.name}
                    </Link>{' '}
                    <ClientBadges client={c} dashboardClientId={config.client_id} />
                    {c.description && (
                      <div className="hint clamp" title={c.description}>
                        {c.description}
                      </div>
                    )}
                  </td>
                  <td data-label="Type">{appTypeLabel(c.app_type)}</td>
                  <td data-label="Client ID">
                    <span className="id-cell">
                      <code>{c.client_id}</code>
                      <CopyButton value={c.client_id} />
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

function CreateApplication({ onCancel }: { onCancel: () => void }) {
  const { api, config } = useSession();
  const [name, setName] = useState('');
  const [type, setType] = useState<AppType>('non_interactive');
  // Auth0 offers its Management API first; "None for now" leaves the application unauthorized.
  const [grant, setGrant] = useState<GrantChoice>(() => ({ audience: config.audience, scopes: new Set() }));
  const [created, setCreated] = useState<Client>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const legendId = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const authorize = type === 'non_interactive' && grant.audience !== NO_API;
    const work = async () => {
      // The answer carries the new secret (Auth0 wire); only the id is kept, the secret waits for Reveal.
      // A retry after a failed grant reuses the application made the first time.
      const app = created ?? (await api.post<Client>('/clients', { name: name.trim(), app_type: type, ...TYPE_DEFAULTS[type] }));
      setCreated(app);
      if (authorize) await api.post<ClientGrant>('/client-grants', { client_id: app.client_id, audience: grant.audience, scope: [...grant.scopes] });
      navigate(`/applications/${seg(app.client_id)}`);
    };
    work().catch((err: unknown) => {
      setBusy(false);
      setError(err);
    });
  };
  return (
    <form className="panel" onSubmit={submit} aria-label="Create application">
      <h2>Create Application</h2>
      <Field label="Name" hint={<LengthHint value={name} max={NAME_MAX} what="Shown to users on the login page; no < or >." />}>
        {(id) => <LimitedInput id={id} value={name} onChange={setName} max={NAME_MAX} required autoFocus autoComplete="off" disabled={created !== undefined} />}
      </Field>
      <fieldset className="app-types" aria-labelledby={legendId}>
        <legend id={legendId}>Application type</legend>
        {APP_TYPES.map((t) => (
          <label key={t.value} className={`app-type${type === t.value ? ' selected' : ''}`}>
            <input type="radio" name="app_type" value={t.value} checked={type === t.value} onChange={() => setType(t.value)} />
            <span>
              <strong>{t.label}</strong>
              <span className="hint">{t.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {type === 'non_interactive' && <AuthorizeOnCreate choice={grant} onChange={setGrant} />}
      {created && (
        <p className="warning" role="status">
          The application <Link to={`/applications/${seg(created.client_id)}`}>{created.name}</Link> was created, but not authorized for the API: fix the error below and press{' '}
          Create again, or open it and authorize it later.
        </p>
      )}
      <ErrorBanner error={error} />
      <div className="form-actions">
        <Button type="submit" variant="primary" disabled={busy || name.trim() === ''}>
          {type === 'non_interactive' && grant.audience !== NO_API ? 'Create and authorize' : 'Create'}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
