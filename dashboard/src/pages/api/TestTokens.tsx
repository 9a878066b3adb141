// Beyond Auth0: every token minted from the dashboard for this API (who, when, which scopes, until
// when), each revocable. Revoking denylists the token at once (DELETE /scopeward/test-tokens/{id}).
import { seg } from '../../lib/api.ts';
import { useSession } from '../../lib/session.tsx';
import { useAsync } from '../../lib/use-async.ts';
import { formatDate } from '../../lib/format.ts';
import { Button, ConfirmButton, EmptyState, ErrorBanner, Loading } from '../../components/ui.tsx';
import type { TestToken } from '../wire.ts';

function status(t: TestToken, now: number): 'Revoked' | 'Expired' | 'Active' {
  if (t.revoked_at) return 'Revoked';
  return t.expires_at !== null && Date.parse(t.expires_at) <= now ? 'Expired' : 'Active';
}

export function TestTokens({ audience, version, currentJti }: { audience: string; version: number; currentJti: string | undefined }) {
  const { api } = useSession();
  const loaded = useAsync(() => api.get<TestToken[]>('/scopeward/test-tokens', { audience }), [api, audience, version]);
  const { data, error, loading } = loaded;
  const now = Date.now();
  const revoke = (t: TestToken) => api.delete(`/scopeward/test-tokens/${seg(t.id)}`).then(() => loaded.reload());
  return (
    <section className="panel" aria-labelledby="test-tokens-h">
      <h2 id="test-tokens-h">Tokens minted from the dashboard</h2>
      <p className="hint">Every test token made here is recorded. Revoke one you copied somewhere it should not be: the API refuses it at once.</p>
      <ErrorBanner error={error} />
      {error !== undefined && <Button onClick={() => loaded.reload()}>Try again</Button>}
      {loading && !data && <Loading />}
      {data && data.length === 0 && <EmptyState title="No tokens minted for this API yet." />}
      {data && data.length > 0 && (
        <div className="table-wrap">
          <table className="list stack test-tokens">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scopes</th>
                <th scope="col">Expires</th>
                <th scope="col">Created</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.map((t) => {
                const scopes = t.scope ? t.scope.split(' ') : [];
                const state = status(t, now);
                return (
                  <tr key={t.id} data-token-id={t.id}>
                    <td>
                      {t.name}
                      {t.legacy && <span className="badge">Legacy HS256</span>}
                      {t.jti === currentJti && <span className="badge">shown above</span>}
                      <div className="hint">
                        <code title="Client ID">{t.client_id}</code>
                      </div>
                    </td>
                    <td data-label="Scopes">
                      {scopes.length === 0 ? (
                        <span className="hint">none</span>
                      ) : (
                        <details>
                          <summary>
                            {scopes.length} {scopes.length === 1 ? 'scope' : 'scopes'}
                          </summary>
                          <ul className="plain-list">
                            {scopes.map((s) => (
                              <li key={s}>
                                <code>{s}</code>
                              </li>
                            ))}
                          </ul>
                        </details>
                      )}
                    </td>
                    <td data-label="Expires">
                      {t.expires_at === null ? 'Never' : <time dateTime={t.expires_at}>{formatDate(t.expires_at)}</time>}
                    </td>
                    <td data-label="Created">
                      <time dateTime={t.created_at}>{formatDate(t.created_at)}</time>
                      <div className="hint">by {t.created_by}</div>
                    </td>
                    <td data-label="Status">
                      <span className={`badge ${state === 'Active' ? 'scope-ok' : state === 'Revoked' ? 'scope-missing' : ''}`}>{state}</span>
                      {t.revoked_at && <div className="hint">{formatDate(t.revoked_at)}</div>}
                    </td>
                    <td className="actions-cell">
                      {state === 'Active' && (
                        <ConfirmButton
                          label="Revoke"
                          title={`Revoke the token "${t.name}"?`}
                          confirmLabel="Revoke token"
                          onConfirm={() => revoke(t)}
                          body={<p>Requests made with this token are refused from now on. This cannot be undone.</p>}
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
