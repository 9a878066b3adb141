// "Set API Token": the domain and the token the explorer calls with, and what the token says about
// itself (decoded here, unverified): its scopes, audience and expiry, and what is visibly wrong.
import { useEffect, useState, useSyncExternalStore, type FormEvent } from 'react';
import { Button, ErrorBanner, Field } from '../components/ui.tsx';
import { audiencesOf, formatInstant, grantedScopes, relative, tokenProblems } from '../lib/explain.ts';
import { isExpired, normalizeDomain, type ExplorerStore } from './token-store.ts';

/** Where a token can be had: the Management API's API Explorer tab, or the CLI. */
export const TOKEN_SOURCE_PATH = '/dashboard/apis/management/explorer';

function WhereToGetOne() {
  return (
    <>
      Get one on the <a href={TOKEN_SOURCE_PATH}>API Explorer tab of the Management API</a> in the dashboard, or with <code>scopeward token</code> on the command line.
    </>
  );
}

/** Re-renders every `ms` so that "in 3 minutes" stays true. */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

function TokenFacts({ store, now }: { store: ExplorerStore; now: number }) {
  const state = useSyncExternalStore(store.subscribe, store.get);
  if (!state.token)
    return (
      <p className="hint no-token">
        No token set: the explorer shows each endpoint&apos;s scopes, and calls go out without one. <WhereToGetOne />
      </p>
    );
  if (!state.decoded) return <ErrorBanner error="This is not a JWT: the Management API takes JWT access tokens (header.payload.signature)." />;
  const { payload } = state.decoded;
  const scopes = grantedScopes(payload);
  const exp = typeof payload.exp === 'number' ? payload.exp : undefined;
  const expired = isExpired(state, now);
  // The expiry has its own notice below, with where to get a fresh token.
  const problems = tokenProblems(state.decoded, now, store.audience()).filter((p) => !(expired && p.startsWith('The token expired')));
  return (
    <div className="token-facts" data-expired={expired}>
      {expired && (
        <div className="error-banner token-expired" role="alert">
          <p>
            <strong>This token has expired</strong>
            {exp !== undefined && ` (at ${formatInstant(exp, now)}, ${relative(exp, now)})`}: the Management API refuses it with 401, so no endpoint below is shown as
            allowed.
          </p>
          <p>
            <WhereToGetOne />
          </p>
        </div>
      )}
      <dl>
        <dt>Audience</dt>
        <dd>{audiencesOf(payload).join(', ') || 'none'}</dd>
        <dt>Expires</dt>
        <dd>{exp === undefined ? 'never (no exp)' : `${formatInstant(exp, now)} (${relative(exp, now)})`}</dd>
        {typeof payload.sub === 'string' && (
          <>
            <dt>Subject</dt>
            <dd>{payload.sub}</dd>
          </>
        )}
      </dl>
      <p className="granted-label">{expired ? `Scopes of the expired token (${scopes.length})` : `Granted scopes (${scopes.length})`}</p>
      {scopes.length ? (
        <ul className="granted-scopes" aria-label="Granted scopes">
          {scopes.map((s) => (
            <li key={s} className={expired ? 'badge scope-expired' : 'badge scope-ok'}>
              {s}
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint">The token has no scopes: every Management API call will be refused.</p>
      )}
      {problems.map((p) => (
        <p key={p} className="warning" role="alert">
          {p}
        </p>
      ))}
    </div>
  );
}

export function TokenPanel({ store }: { store: ExplorerStore }) {
  const current = store.get();
  const [domain, setDomain] = useState(current.domain);
  const [token, setToken] = useState(current.token);
  const [shown, setShown] = useState(false);
  const [error, setError] = useState<string>();
  const now = useNow(30_000);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const host = normalizeDomain(domain);
    if (!host) return setError('The domain is a host name, with a port if it has one (for example localhost:8443).');
    setError(undefined);
    setDomain(host);
    store.set(host, token);
  };
  const clear = () => {
    setToken('');
    store.set(store.get().domain, '');
  };

  return (
    <section className="panel token-panel" aria-labelledby="set-api-token">
      <h2 id="set-api-token">Set API Token</h2>
      <form onSubmit={submit}>
        <div className="token-inputs">
          <Field label="Domain" hint={`Calls and the token go to https://${normalizeDomain(domain) ?? '…'} only.`}>
            {(id) => <input id={id} value={domain} onChange={(e) => setDomain(e.target.value)} autoComplete="off" spellCheck={false} />}
          </Field>
          <Field label="Token" hint="A Management API access token. Kept in this tab only (sessionStorage).">
            {(id) => (
              <div className="token-input">
                <input id={id} className="mono" type={shown ? 'text' : 'password'} value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" spellCheck={false} placeholder="eyJhbGciOi…" />
                <Button onClick={() => setShown(!shown)} aria-pressed={shown}>
                  {shown ? 'Hide' : 'Show'}
                </Button>
              </div>
            )}
          </Field>
        </div>
        <ErrorBanner error={error} />
        <div className="page-actions">
          <button type="submit" className="btn btn-primary">
            Set API Token
          </button>
          <Button onClick={clear}>Clear token</Button>
        </div>
      </form>
      <TokenFacts store={store} now={now} />
    </section>
  );
}
