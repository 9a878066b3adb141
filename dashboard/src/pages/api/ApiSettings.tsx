// An API's settings: name, token lifetimes, signing algorithm (with the HS256 secret on Reveal),
// and deletion. The system Management API is shown read-only: the server refuses to patch it.
import { useCallback, useState, type FormEvent } from 'react';
import { seg } from '../../lib/api.ts';
import { navigate } from '../../lib/router.tsx';
import { useSession } from '../../lib/session.tsx';
import { Button, ErrorBanner, Field, Notice, Secret, TypedDeleteButton } from '../../components/ui.tsx';
import { withoutSecret, type ResourceServer } from '../wire.ts';
import { SigningAlgorithmField } from './SigningAlgorithm.tsx';
import { LengthHint, LimitedInput } from '../../components/limits.tsx';

const MAX_LIFETIME = 2592000;

export function ApiSettings({ rs, onSaved }: { rs: ResourceServer; onSaved: (rs: ResourceServer) => void }) {
  const { api } = useSession();
  const [name, setName] = useState(rs.name);
  const [lifetime, setLifetime] = useState(String(rs.token_lifetime ?? 86400));
  const [webLifetime, setWebLifetime] = useState(String(rs.token_lifetime_for_web ?? 7200));
  const [alg, setAlg] = useState(rs.signing_alg ?? 'RS256');
  const [offline, setOffline] = useState(rs.allow_offline_access ?? false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const clearNotice = useCallback(() => setNotice(undefined), []);
  const readOnly = rs.is_system === true;
  const path = `/resource-servers/${seg(rs.id)}`;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const body = { name: name.trim(), token_lifetime: Number(lifetime), token_lifetime_for_web: Number(webLifetime), signing_alg: alg, allow_offline_access: offline };
    api.patch<ResourceServer>(path, body).then(
      (saved) => {
        setBusy(false);
        setNotice('Changes saved.');
        // The answer carries signing_secret for HS256 APIs: it stays out of the page until Reveal.
        onSaved({ ...rs, ...withoutSecret(saved) });
      },
      (err: unknown) => {
        setBusy(false);
        setError(err);
      },
    );
  };
  const loadSecret = () => api.get<{ signing_secret?: string }>(path, { fields: 'signing_secret', include_fields: true }).then((r) => r.signing_secret ?? '');
  const remove = () => api.delete(path).then(() => navigate('/apis'));

  return (
    <>
      {readOnly && <p className="warning">This is the built-in Management API. Its settings and permissions are fixed; authorize applications for it in the Machine to Machine Applications tab.</p>}
      <form onSubmit={submit} aria-label="API settings">
        <fieldset className="panel plain" disabled={readOnly}>
          <h2>General Settings</h2>
          <Field label="Name" hint={readOnly ? undefined : <LengthHint value={name} max={200} />}>
            {(id) => <LimitedInput id={id} value={name} onChange={setName} max={200} required autoComplete="off" />}
          </Field>
          <Field label="Token Expiration (Seconds)" hint={`Lifetime of access tokens for this API; at most ${MAX_LIFETIME} (30 days).`}>
            {(id) => <input id={id} type="number" min={1} max={MAX_LIFETIME} value={lifetime} onChange={(e) => setLifetime(e.target.value)} required />}
          </Field>
          <Field label="Token Expiration For Browser Flows (Seconds)" hint="Lifetime of tokens issued through the implicit and hybrid flows; at most the value above.">
            {(id) => <input id={id} type="number" min={1} max={MAX_LIFETIME} value={webLifetime} onChange={(e) => setWebLifetime(e.target.value)} required />}
          </Field>
          <SigningAlgorithmField value={alg} onChange={setAlg} hint="Changing it makes tokens already issued fail verification at APIs that expect the old algorithm." />
          <label className="check">
            <input type="checkbox" checked={offline} onChange={(e) => setOffline(e.target.checked)} /> Allow Offline Access (refresh tokens for this API)
          </label>
        </fieldset>
        <ErrorBanner error={error} />
        <Notice text={notice} onDone={clearNotice} />
        {!readOnly && (
          <div className="form-actions">
            <Button type="submit" variant="primary" disabled={busy}>
              Save
            </Button>
          </div>
        )}
      </form>
      {!readOnly && rs.signing_alg === 'HS256' && (
        <section className="panel" aria-labelledby="signing-secret-h">
          <h2 id="signing-secret-h">Signing Secret</h2>
          <p className="hint">The HS256 key shared with this API to verify its tokens.</p>
          <Secret label="Signing secret" load={loadSecret} />
        </section>
      )}
      {!readOnly && (
        <section className="panel danger-zone" aria-labelledby="api-danger-h">
          <h2 id="api-danger-h">Danger Zone</h2>
          <p>Deleting the API also removes every application&apos;s authorization for it. Tokens already issued stay valid until they expire.</p>
          <TypedDeleteButton label="Delete API" what="API" name={rs.name} onDelete={remove} />
        </section>
      )}
    </>
  );
}
