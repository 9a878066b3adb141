// One application: credentials (secret on Reveal only), settings, the APIs it is authorized
// for, and deletion. The global client and the dashboard's own client cannot be deleted or rotated.
import { useEffect, useState } from 'react';
import { seg } from '../lib/api.ts';
import { Link, navigate } from '../lib/router.tsx';
import { apiPath } from '../lib/api-paths.ts';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';
import { Button, EmptyState, ErrorBanner, Loading, Page, TypedDeleteButton } from '../components/ui.tsx';
import { ClientBadges } from './Applications.tsx';
import { Credentials } from './application/Credentials.tsx';
import { PrivateKeyJwt } from './application/PrivateKeyJwt.tsx';
import { SettingsForm } from './application/SettingsForm.tsx';
import { ApplicationTokenQuota } from './application/TokenQuota.tsx';
import { appTypeLabel, CLIENT_FIELDS, isDashboardApp, listAll, type Client, type ClientGrant, type ResourceServer } from './wire.ts';

export function ApplicationPage({ params }: { params: Record<string, string> }) {
  const { api, config } = useSession();
  const clientId = params.id ?? '';
  const loaded = useAsync(() => api.get<Client>(`/clients/${seg(clientId)}`, { fields: CLIENT_FIELDS, include_fields: true }), [api, clientId]);
  const { data, error, loading } = loaded;
  const [client, setClient] = useState<Client>();
  useEffect(() => setClient(data), [data]);

  if (!client) {
    return (
      <Page title="Application">
        <p>
          <Link to="/applications">← Applications</Link>
        </p>
        {loading ? <Loading /> : <ErrorBanner error={error} />}
      </Page>
    );
  }
  const isDashboard = isDashboardApp(client, config.client_id);
  const protectedApp = isDashboard || client.global === true;
  const remove = () => api.delete(`/clients/${seg(client.client_id)}`).then(() => navigate('/applications'));
  return (
    <Page title={client.name}>
      <p className="crumbs">
        <Link to="/applications">← Applications</Link> <span className="badge">{appTypeLabel(client.app_type)}</span>{' '}
        <ClientBadges client={client} dashboardClientId={config.client_id} />
      </p>
      {isDashboard && <p className="warning">This is Scopeward&apos;s own dashboard application. It is managed by the server and cannot be changed or deleted here.</p>}
      {client.global && (
        <p className="warning">
          The global client (Auth0&apos;s <em>All Applications</em>): its id and secret are the tenant&apos;s Global Client Id and Secret, used for legacy HS256 tokens. It
          cannot be deleted.
        </p>
      )}
      <Credentials client={client} protectedApp={protectedApp} secretless={isDashboard} onRotated={() => loaded.reload()} />
      {!protectedApp && client.token_endpoint_auth_method !== 'none' && <PrivateKeyJwt client={client} onChanged={setClient} />}
      <SettingsForm key={`${client.client_id}:${client.token_endpoint_auth_method ?? 'private_key_jwt'}`} client={client} readOnly={isDashboard} onSaved={setClient} />
      {(client.app_type === 'non_interactive' || client.grant_types?.includes('client_credentials')) && !client.global && <AuthorizedApis clientId={client.client_id} />}
      {client.grant_types?.includes('client_credentials') && !client.global && <ApplicationTokenQuota client={client} readOnly={isDashboard} onSaved={setClient} />}
      {!protectedApp && (
        <section className="panel danger-zone" aria-labelledby="danger-h">
          <h2 id="danger-h">Danger Zone</h2>
          <p>Deleting the application removes its credentials and its API authorizations. Services using it stop working.</p>
          <TypedDeleteButton label="Delete application" what="application" name={client.name} onDelete={remove} />
        </section>
      )}
    </Page>
  );
}

/** The APIs this client may get client-credentials tokens for; changed from each API's page. */
function AuthorizedApis({ clientId }: { clientId: string }) {
  const { api, config } = useSession();
  const loaded = useAsync(
    () => Promise.all([listAll<ClientGrant>(api, '/client-grants', { client_id: clientId }), listAll<ResourceServer>(api, '/resource-servers', { fields: 'id,name,identifier', include_fields: true })]),
    [api, clientId],
  );
  const { data, error } = loaded;
  const [grants, apis] = data ?? [[], []];
  const byIdentifier = new Map(apis.map((a) => [a.identifier, a]));
  return (
    <section className="panel" aria-labelledby="apis-h">
      <h2 id="apis-h">Authorized APIs</h2>
      <ErrorBanner error={error} />
      {error !== undefined && <Button onClick={() => loaded.reload()}>Try again</Button>}
      {data && grants.length === 0 && (
        <EmptyState title="Not authorized for any API.">
          <p>
            Open an API&apos;s <em>Machine to Machine Applications</em> tab to authorize this application. <Link to="/apis">Go to APIs</Link>
          </p>
        </EmptyState>
      )}
      {grants.length > 0 && (
        <ul className="plain-list">
          {grants.map((g) => {
            const target = byIdentifier.get(g.audience);
            return (
              <li key={g.id}>
                {target ? <Link to={apiPath(target, config.audience, 'authorized-applications')}>{target.name}</Link> : <code>{g.audience}</code>}{' '}
                <span className="hint">
                  {g.scope.length} {g.scope.length === 1 ? 'scope' : 'scopes'}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
