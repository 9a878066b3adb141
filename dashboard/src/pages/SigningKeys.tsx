// Signing keys (spec §3.5.8): the tenant's RS256 keys with their state and dates, the certificate
// to copy, Rotate (next becomes current) and Revoke (previous keys only), each confirmed first.
import { useCallback, useState } from 'react';
import { seg } from '../lib/api.ts';
import { formatDate } from '../lib/format.ts';
import { decodeJwt } from '../lib/jwt.ts';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';
import { Button, ConfirmButton, CopyButton, EmptyState, ErrorBanner, Loading, Notice, Page } from '../components/ui.tsx';

export interface SigningKey {
  kid: string;
  cert: string;
  pkcs7: string;
  current: boolean;
  next: boolean;
  previous: boolean;
  revoked: boolean;
  current_since?: string;
  current_until?: string;
  revoked_at?: string;
  fingerprint: string;
  thumbprint: string;
}

export function keyState(k: Pick<SigningKey, 'current' | 'next' | 'previous' | 'revoked'>): 'current' | 'next' | 'previous' | 'revoked' {
  return k.revoked ? 'revoked' : k.current ? 'current' : k.next ? 'next' : 'previous';
}

const STATE_CLASS = { current: 'scope-ok', next: '', previous: '', revoked: 'scope-missing' } as const;

export function SigningKeysPage(_props: { params: Record<string, string> }) {
  const { api, token } = useSession();
  // The key that signed the dashboard's own token: revoking it ends this session too.
  const own = useAsync(async () => decodeJwt(await token())?.header.kid, [token]);
  const keys = useAsync(() => api.get<SigningKey[]>('/keys/signing'), [api]);
  const { data, error, loading } = keys;
  const reload = () => keys.reload();
  const [notice, setNotice] = useState<string>();
  const clearNotice = useCallback(() => setNotice(undefined), []);

  const rotate = async () => {
    const current = await api.post<SigningKey>('/keys/signing/rotate');
    setNotice(`Rotated: ${current.kid} is now the current key.`);
    reload();
  };
  const revoke = async (kid: string) => {
    await api.put(`/keys/signing/${seg(kid)}/revoke`);
    // Our token no longer verifies: start again, which signs the admin in with the current key.
    if (kid === own.data) return window.location.reload();
    setNotice(`Key ${kid} revoked.`);
    reload();
  };

  return (
    <Page
      title="Signing keys"
      actions={
        <ConfirmButton
          label="Rotate signing key"
          variant="primary"
          title="Rotate the signing key?"
          body={
            <>
              <p>The next key becomes the current one and signs every new token; the current key becomes a previous key, and a new next key is generated.</p>
              <p>Tokens already signed with the old key keep verifying (it stays in the JWKS) until you revoke it. Applications that cache the JWKS pick up the new key by its kid.</p>
            </>
          }
          confirmLabel="Rotate"
          onConfirm={rotate}
        />
      }
    >
      <p className="hint keys-hint">
        RS256 keys of this tenant, as published at <a href="/.well-known/jwks.json">/.well-known/jwks.json</a> (revoked keys are removed from it).
      </p>
      <Notice text={notice} onDone={clearNotice} />
      <ErrorBanner error={error} />
      {error !== undefined && <Button onClick={reload}>Try again</Button>}
      {loading && !data && <Loading />}
      {data && data.length === 0 && <EmptyState title="No signing keys." />}
      {data && data.length > 0 && (
        <div className="table-wrap">
          <table className="list keys-table" aria-label="Signing keys" aria-busy={loading}>
            <thead>
              <tr>
                <th scope="col">Key id</th>
                <th scope="col">State</th>
                <th scope="col">Dates</th>
                <th scope="col">Thumbprint</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.map((k) => {
                const state = keyState(k);
                return (
                  <tr key={k.kid} data-kid={k.kid} data-state={state}>
                    <td>
                      <code>{k.kid}</code>
                    </td>
                    <td>
                      <span className={`badge ${STATE_CLASS[state]}`}>{state}</span>
                    </td>
                    <td className="key-dates">
                      {k.current_since && <div>Current since {formatDate(k.current_since)}</div>}
                      {k.current_until && <div>Rotated {formatDate(k.current_until)}</div>}
                      {k.revoked_at && <div>Revoked {formatDate(k.revoked_at)}</div>}
                      {!k.current_since && !k.revoked_at && <div className="hint">Not used yet</div>}
                    </td>
                    <td>
                      <code className="thumbprint" title={`SHA-1 fingerprint ${k.fingerprint}`}>
                        {k.thumbprint}
                      </code>
                    </td>
                    <td>
                      <div className="row-actions">
                        <CopyButton value={k.cert} label="Copy certificate" />
                        {state === 'previous' && (
                          <ConfirmButton
                            label="Revoke"
                            title={`Revoke key ${k.kid}?`}
                            body={
                              <>
                                <p>The key leaves the JWKS at once: every token signed with it stops verifying, here and in every API that checks our tokens.</p>
                                {k.kid === own.data && <p className="warning">Your own dashboard session is signed with this key: you will be signed in again.</p>}
                                <p>This cannot be undone.</p>
                              </>
                            }
                            confirmLabel="Revoke key"
                            onConfirm={() => revoke(k.kid)}
                          />
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
