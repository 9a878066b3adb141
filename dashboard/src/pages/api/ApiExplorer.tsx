// The "API Explorer" tab, as Auth0 describes it for the Management API: "Create & Authorize Test
// Application" (an M2M app named "<API> (Test Application)" granted every scope of the API), then
// its token, "Token Expiration (Seconds)" and "Update & Regenerate Token". The token is a real
// client-credentials token minted by POST /api/v2/scopeward/test-tokens; beyond Auth0 every such
// token is listed below and can be revoked. Also offered for custom APIs.
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { seg } from '../../lib/api.ts';
import { Link } from '../../lib/router.tsx';
import { apiPath } from '../../lib/api-paths.ts';
import { useSession } from '../../lib/session.tsx';
import { useAsync } from '../../lib/use-async.ts';
import { Button, CopyButton, ErrorBanner, Field, Loading, Notice } from '../../components/ui.tsx';
import { formatDate } from '../../lib/format.ts';
import { listAll, TEST_APP_KEY, type Client, type ClientGrant, type ResourceServer, type TestToken } from '../wire.ts';
import { TestTokens } from './TestTokens.tsx';

const DEFAULT_EXPIRATION = 86400;
const MIN_EXPIRATION = 60;
const MAX_EXPIRATION = 31536000;

/**
 * The expiration last chosen per API, in memory only, so that the token made on each visit lasts
 * as long as the one made by hand before. Tokens themselves are never kept: each visit to the tab
 * mints a fresh one (Auth0: "A token is automatically generated and displayed there"), and none is
 * written to storage (a bearer token in localStorage outlives the session).
 */
const lastExpiration = new Map<string, number>();

function scopeCount(scope: string): string {
  const n = scope ? scope.split(' ').length : 0;
  return `${n} ${n === 1 ? 'scope' : 'scopes'}`;
}

/** client_metadata values hold 255 characters: longer identifiers are marked by the API's id. */
const testAppMarker = (rs: ResourceServer): string => (rs.identifier.length <= 255 ? rs.identifier : rs.id);

interface TestApp {
  client: Client;
  grant: ClientGrant | undefined;
}

async function findTestApp(api: ReturnType<typeof useSession>['api'], rs: ResourceServer): Promise<TestApp | undefined> {
  const clients = await listAll<Client>(api, '/clients', { fields: 'client_id,name,app_type,client_metadata', include_fields: true, app_type: 'non_interactive' });
  const client = clients.find((c) => c.client_metadata?.[TEST_APP_KEY] === testAppMarker(rs));
  if (!client) return undefined;
  const grants = await api.get<ClientGrant[]>('/client-grants', { client_id: client.client_id, audience: rs.identifier });
  return { client, grant: grants[0] };
}

export function ApiExplorer({ rs }: { rs: ResourceServer }) {
  const { api, config } = useSession();
  const loaded = useAsync(() => findTestApp(api, rs), [api, rs.identifier]);
  const { data, error, loading } = loaded;
  const [token, setToken] = useState<TestToken>();
  const [expiration, setExpiration] = useState(String(lastExpiration.get(rs.identifier) ?? DEFAULT_EXPIRATION));
  // One automatic token per visit (a mount of this tab), once the test application and its grant are known.
  const minted = useRef(false);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>();
  const [listVersion, setListVersion] = useState(0);
  const [notice, setNotice] = useState<string>();
  const clearNotice = useCallback(() => setNotice(undefined), []);
  const tokenId = useId();
  const allScopes = (rs.scopes ?? []).map((s) => s.value);
  const isManagementApi = rs.identifier === config.audience;

  const run = (work: () => Promise<void>) => {
    setBusy(true);
    setActionError(undefined);
    setNotice(undefined);
    work().then(
      () => setBusy(false),
      (e: unknown) => {
        setBusy(false);
        setActionError(e);
      },
    );
  };
  const mint = async (clientId: string, seconds: number) => {
    const minted = await api.post<TestToken>('/scopeward/test-tokens', { client_id: clientId, audience: rs.identifier, expires_in: seconds, name: name.trim() || 'API Explorer' });
    lastExpiration.set(rs.identifier, seconds);
    setToken(minted);
    setListVersion((v) => v + 1);
    setNotice(`New token generated; it expires in ${seconds} seconds.`);
  };
  const grantFound = data?.grant !== undefined;
  const testClientId = data?.client.client_id;
  useEffect(() => {
    if (minted.current || !grantFound || !testClientId) return;
    minted.current = true;
    run(() => mint(testClientId, lastExpiration.get(rs.identifier) ?? DEFAULT_EXPIRATION));
    // run and mint are recreated on every render; the guard above makes this once per visit.
  }, [grantFound, testClientId, rs.identifier]);
  const authorize = (clientId: string) => api.post<ClientGrant>('/client-grants', { client_id: clientId, audience: rs.identifier, scope: allScopes });
  const createTestApp = () =>
    run(async () => {
      // The answer carries the new secret (Auth0 wire); only the id is used.
      const created = await api.post<Client>('/clients', {
        name: `${rs.name} (Test Application)`,
        description: 'Created by the API Explorer to mint test tokens.',
        app_type: 'non_interactive',
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_post',
        client_metadata: { [TEST_APP_KEY]: testAppMarker(rs) },
      });
      await authorize(created.client_id);
      minted.current = true;
      await mint(created.client_id, DEFAULT_EXPIRATION);
      loaded.reload();
    });
  const seconds = Number(expiration);
  const expirationValid = Number.isInteger(seconds) && seconds >= MIN_EXPIRATION && seconds <= MAX_EXPIRATION;

  if (!data) {
    if (loading) return <Loading />;
    if (error !== undefined) {
      return (
        <>
          <ErrorBanner error={error} />
          <Button onClick={() => loaded.reload()}>Try again</Button>
        </>
      );
    }
    return (
      <section className="panel explorer-start" aria-labelledby={`${tokenId}-start`}>
        <h2 id={`${tokenId}-start`}>Create & Authorize Test Application</h2>
        <p>
          To call {isManagementApi ? 'the Management API' : 'this API'} you need a token. Scopeward creates a Machine to Machine application,{' '}
          <strong>{rs.name} (Test Application)</strong>, authorizes it for {allScopes.length === 0 ? 'this API' : allScopes.length === 1 ? 'the one scope of this API' : `all ${allScopes.length} scopes of this API`} and
          shows a token for it here.
        </p>
        <ErrorBanner error={actionError} />
        <Button variant="primary" disabled={busy} onClick={createTestApp}>
          Create & Authorize Test Application
        </Button>
      </section>
    );
  }
  const { client, grant } = data;
  const shown = token && token.client_id === client.client_id ? token : undefined;
  return (
    <>
      <section className="panel" aria-labelledby={`${tokenId}-h`}>
        <h2 id={`${tokenId}-h`}>Token</h2>
        <p>
          Test application: <Link to={`/applications/${seg(client.client_id)}`}>{client.name}</Link>
          {grant ? (
            <span className="hint">
              {' '}
              · authorized for {grant.scope.length} {grant.scope.length === 1 ? 'scope' : 'scopes'} (<Link to={apiPath(rs, config.audience, 'authorized-applications')}>change</Link>)
            </span>
          ) : null}
        </p>
        {!grant && (
          <div className="warning">
            <p>The test application is not authorized for this API, so no token can be issued for it.</p>
            <Button disabled={busy} onClick={() => run(() => authorize(client.client_id).then(() => loaded.reload()))}>
              Authorize Test Application
            </Button>
          </div>
        )}
        <div className="field token-field">
          <label htmlFor={tokenId}>Token</label>
          <textarea
            id={tokenId}
            className="mono token-box"
            readOnly
            value={shown?.access_token ?? ''}
            placeholder={busy ? 'Generating a token…' : grant ? 'No token yet: press Update & Regenerate Token.' : 'Authorize the test application to get a token.'}
            spellCheck={false}
            onFocus={(e) => e.currentTarget.select()}
          />
          {shown?.access_token && (
            <div className="token-meta">
              <CopyButton value={shown.access_token} label="Copy token" />
              <p className="hint">
                Expires {formatDate(shown.expires_at)} · {scopeCount(shown.scope)}. Send it as <code>Authorization: Bearer …</code>
                {isManagementApi && (
                  <>
                    {' '}
                    to <code>{config.issuer}api/v2/</code>, or try it in the <a href="/explorer">API explorer</a>
                  </>
                )}
                .
              </p>
            </div>
          )}
        </div>
        <div className="explorer-actions">
          <Field label="Token Expiration (Seconds)">
            {(id) => <input id={id} type="number" min={MIN_EXPIRATION} max={MAX_EXPIRATION} step={1} value={expiration} onChange={(e) => setExpiration(e.target.value)} />}
          </Field>
          <Field label="Token name (optional)">
            {(id) => <input id={id} value={name} onChange={(e) => setName(e.target.value)} placeholder="API Explorer" maxLength={100} autoComplete="off" />}
          </Field>
          <Button variant="primary" disabled={busy || !expirationValid || !grant} onClick={() => run(() => mint(client.client_id, seconds))}>
            Update & Regenerate Token
          </Button>
        </div>
        <p className="hint">
          The expiration is from {MIN_EXPIRATION} seconds to {MAX_EXPIRATION} (a year). Every token is recorded below with its name, scopes and expiry.
        </p>
        {!expirationValid && <p className="error-banner" role="alert">The expiration is a whole number of seconds from {MIN_EXPIRATION} to {MAX_EXPIRATION}.</p>}
        <ErrorBanner error={actionError} />
        <Notice text={notice} onDone={clearNotice} />
      </section>
      <TestTokens audience={rs.identifier} version={listVersion} currentJti={shown?.jti} />
    </>
  );
}
