// An application's authentication method and its Private Key JWT credentials (issue 15), as in
// Auth0's Credentials tab: switch between the client secret and Private Key JWT, add a public key
// (PEM, name, algorithm, optional expiry), list, set or clear an expiry, delete. Credentials are
// enabled for Private Key JWT as they are added while the method is on.
import { useCallback, useId, useState, type FormEvent } from 'react';
import { seg } from '../../lib/api.ts';
import { formatDate } from '../../lib/format.ts';
import { useSession } from '../../lib/session.tsx';
import { useAsync } from '../../lib/use-async.ts';
import { Button, ConfirmButton, EmptyState, ErrorBanner, Field, Notice } from '../../components/ui.tsx';
import { CLIENT_FIELDS, withoutSecret, type Client } from '../wire.ts';

export interface ClientCredential {
  id: string;
  name?: string;
  kid: string;
  alg: 'RS256' | 'RS384' | 'PS256';
  credential_type: string;
  created_at: string;
  updated_at: string;
  expires_at?: string;
}

type Method = 'client_secret_post' | 'client_secret_basic' | 'private_key_jwt';
const METHOD_LABELS: Record<Method, string> = {
  client_secret_post: 'Client Secret (Post)',
  client_secret_basic: 'Client Secret (Basic)',
  private_key_jwt: 'Private Key JWT',
};

const methodOf = (client: Client): Method =>
  client.client_authentication_methods?.private_key_jwt ? 'private_key_jwt' : client.token_endpoint_auth_method === 'client_secret_basic' ? 'client_secret_basic' : 'client_secret_post';

/** The PATCH body that puts `client` on `method`, enabling `ids` for Private Key JWT. */
const methodBody = (method: Method, ids: string[]) =>
  method === 'private_key_jwt'
    ? { token_endpoint_auth_method: null, client_authentication_methods: { private_key_jwt: { credentials: ids.map((id) => ({ id })) } } }
    : { token_endpoint_auth_method: method, client_authentication_methods: null };

export function PrivateKeyJwt({ client, onChanged }: { client: Client; onChanged: (client: Client) => void }) {
  const { api } = useSession();
  const id = seg(client.client_id);
  const loaded = useAsync(() => api.get<ClientCredential[]>(`/clients/${id}/credentials`), [api, id]);
  const credentials = loaded.data ?? [];
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<unknown>();
  const clearNotice = useCallback(() => setNotice(undefined), []);
  const headingId = useId();
  const current = methodOf(client);
  const [method, setMethod] = useState<Method>(current);
  const enabled = new Set((client.client_authentication_methods?.private_key_jwt?.credentials ?? []).map((c) => c.id));

  const act = async (work: () => Promise<unknown>, done: string) => {
    setError(undefined);
    try {
      await work();
      setNotice(done);
    } catch (e) {
      setError(e);
    }
  };
  // PATCH answers with the secret when the token may read it; it stays out of the page until Reveal.
  const patchClient = async (body: unknown) => onChanged(withoutSecret(await api.patch<Client & { client_secret?: string }>(`/clients/${id}`, body)));

  const saveMethod = () =>
    act(async () => {
      if (method === 'private_key_jwt' && credentials.length === 0) throw new Error('Add a credential before switching to Private Key JWT.');
      await patchClient(methodBody(method, credentials.map((c) => c.id)));
    }, `Authentication method: ${METHOD_LABELS[method]}.`);

  const add = (created: () => Promise<ClientCredential>) =>
    act(async () => {
      const credential = await created();
      if (current === 'private_key_jwt') await patchClient(methodBody('private_key_jwt', [...enabled, credential.id]));
      loaded.reload();
    }, 'Credential added.');

  const remove = (credential: ClientCredential) =>
    act(async () => {
      await api.delete(`/clients/${id}/credentials/${seg(credential.id)}`);
      onChanged(await api.get<Client>(`/clients/${id}`, { fields: CLIENT_FIELDS, include_fields: true }));
      loaded.reload();
    }, 'Credential deleted.');

  const setExpiry = (credential: ClientCredential, expiresAt: string | null) =>
    act(async () => {
      await api.patch(`/clients/${id}/credentials/${seg(credential.id)}`, { expires_at: expiresAt });
      loaded.reload();
    }, expiresAt === null ? 'Expiry cleared.' : 'Expiry set.');

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>Authentication method</h2>
      <fieldset className="field">
        <legend>How the application authenticates at /oauth/token</legend>
        {(Object.keys(METHOD_LABELS) as Method[]).map((m) => (
          <label key={m} className="radio">
            <input type="radio" name={`${headingId}-method`} value={m} checked={method === m} onChange={() => setMethod(m)} /> {METHOD_LABELS[m]}
          </label>
        ))}
        <p className="hint">
          Current: <strong data-testid="auth-method">{METHOD_LABELS[current]}</strong>. With Private Key JWT the application signs an assertion with its private key
          (the auth0 SDK&apos;s <code>clientAssertionSigningKey</code>) and its secret is refused.
        </p>
      </fieldset>
      <Button variant="primary" disabled={method === current} onClick={() => void saveMethod()}>
        Save method
      </Button>

      <h3>Credentials</h3>
      <ErrorBanner error={loaded.error ?? error} />
      {loaded.data && credentials.length === 0 && <EmptyState title="No credentials yet." />}
      {credentials.length > 0 && (
        <table className="table" aria-label="Credentials">
          <thead>
            <tr>
              <th>Name</th>
              <th>Key ID</th>
              <th>Algorithm</th>
              <th>Expires</th>
              <th>Private Key JWT</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {credentials.map((c) => (
              <CredentialRow key={c.id} credential={c} enabled={enabled.has(c.id)} onExpiry={(at) => void setExpiry(c, at)} onDelete={() => remove(c)} />
            ))}
          </tbody>
        </table>
      )}
      {credentials.length < 2 ? <AddCredential onAdd={(body) => add(() => api.post<ClientCredential>(`/clients/${id}/credentials`, body))} /> : <p className="hint">An application keeps at most two credentials (as in Auth0); delete one to add another.</p>}
      <Notice text={notice} onDone={clearNotice} />
    </section>
  );
}

function CredentialRow({ credential, enabled, onExpiry, onDelete }: { credential: ClientCredential; enabled: boolean; onExpiry: (at: string | null) => void; onDelete: () => Promise<unknown> }) {
  const [expiry, setExpiry] = useState('');
  const label = credential.name ?? credential.kid;
  return (
    <tr>
      <td>{credential.name ?? <span className="hint">(no name)</span>}</td>
      <td>
        <code>{credential.kid}</code>
      </td>
      <td>{credential.alg}</td>
      <td>{credential.expires_at ? formatDate(credential.expires_at) : 'Never'}</td>
      <td>{enabled ? 'Enabled' : 'Not enabled'}</td>
      <td>
        <input type="datetime-local" aria-label={`New expiry for ${label}`} value={expiry} onChange={(e) => setExpiry(e.target.value)} />{' '}
        <Button disabled={expiry === ''} onClick={() => onExpiry(new Date(expiry).toISOString())}>
          Set expiry
        </Button>{' '}
        {credential.expires_at && <Button onClick={() => onExpiry(null)}>Never expire</Button>}{' '}
        <ConfirmButton
          label={`Delete ${label}`}
          title="Delete the credential?"
          confirmLabel="Delete"
          onConfirm={onDelete}
          body={<p>Assertions signed with this key are refused at once.</p>}
        />
      </td>
    </tr>
  );
}

function AddCredential({ onAdd }: { onAdd: (body: Record<string, unknown>) => Promise<unknown> }) {
  const [name, setName] = useState('');
  const [pem, setPem] = useState('');
  const [alg, setAlg] = useState<ClientCredential['alg']>('RS256');
  const [expires, setExpires] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await onAdd({ credential_type: 'public_key', pem, alg, ...(name !== '' && { name }), ...(expires !== '' && { expires_at: new Date(expires).toISOString() }) });
    setName('');
    setPem('');
    setExpires('');
  };
  return (
    <form className="form" aria-label="Add credential" onSubmit={(e) => void submit(e)}>
      <Field label="Credential name">{(fid) => <input id={fid} value={name} maxLength={128} onChange={(e) => setName(e.target.value)} />}</Field>
      <Field label="Public key (PEM)" hint="An RSA public key (2048 to 4096 bits) or an X.509 certificate, in PEM. Never paste the private key.">
        {(fid) => <textarea id={fid} rows={6} value={pem} spellCheck={false} onChange={(e) => setPem(e.target.value)} />}
      </Field>
      <Field label="Algorithm">
        {(fid) => (
          <select id={fid} value={alg} onChange={(e) => setAlg(e.target.value as ClientCredential['alg'])}>
            <option value="RS256">RS256</option>
            <option value="RS384">RS384</option>
            <option value="PS256">PS256</option>
          </select>
        )}
      </Field>
      <Field label="Expires at (optional)">{(fid) => <input id={fid} type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />}</Field>
      <Button variant="primary" type="submit" disabled={pem.trim() === ''}>
        Add credential
      </Button>
    </form>
  );
}
