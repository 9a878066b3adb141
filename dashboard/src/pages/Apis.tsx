// APIs (resource servers): the list, the system Management API marked, and "Create API".
import { useState, type FormEvent } from 'react';
import { seg } from '../lib/api.ts';
import { Link, navigate } from '../lib/router.tsx';
import { apiPath } from '../lib/api-paths.ts';
import { LengthHint, LimitedInput } from '../components/limits.tsx';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';
import { Button, CopyButton, EmptyState, ErrorBanner, Field, Loading, Page } from '../components/ui.tsx';
import { listAll, type ResourceServer } from './wire.ts';
import { SigningAlgorithmField } from './api/SigningAlgorithm.tsx';

/** No signing_secret in the list: an HS256 key is shown on its API page, on Reveal. */
const LIST_FIELDS = 'id,name,identifier,signing_alg,is_system';

export function ApisPage(_props: { params: Record<string, string> }) {
  const { api, config } = useSession();
  const [creating, setCreating] = useState(false);
  const loaded = useAsync(() => listAll<ResourceServer>(api, '/resource-servers', { fields: LIST_FIELDS, include_fields: true }), [api]);
  const { data, error, loading } = loaded;
  return (
    <Page
      title="APIs"
      actions={
        !creating && (
          <Button variant="primary" onClick={() => setCreating(true)}>
            Create API
          </Button>
        )
      }
    >
      <p className="lead">Define the APIs your applications get access tokens for: their identifier is the token&apos;s audience.</p>
      {creating && <CreateApi onCancel={() => setCreating(false)} />}
      <ErrorBanner error={error} />
      {error !== undefined && <Button onClick={() => loaded.reload()}>Try again</Button>}
      {loading && !data && <Loading />}
      {data && data.length === 0 && <EmptyState title="No APIs yet." />}
      {data && data.length > 0 && (
        <div className="table-wrap">
          <table className="list stack">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">API Audience</th>
                <th scope="col">Signing</th>
              </tr>
            </thead>
            <tbody>
              {data.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={apiPath(r, config.audience)} className="clamp" title={r.name}>
                      {r.name}
                    </Link> {r.is_system && <span className="badge">System API</span>}
                  </td>
                  <td data-label="API Audience">
                    <span className="id-cell">
                      <code className="clamp" title={r.identifier}>
                        {r.identifier}
                      </code>
                      <CopyButton value={r.identifier} />
                    </span>
                  </td>
                  <td data-label="Signing">{r.signing_alg}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}

function CreateApi({ onCancel }: { onCancel: () => void }) {
  const { api } = useSession();
  const [name, setName] = useState('');
  const [identifier, setIdentifier] = useState('');
  const [alg, setAlg] = useState<'RS256' | 'HS256'>('RS256');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    api.post<ResourceServer>('/resource-servers', { name: name.trim(), identifier: identifier.trim(), signing_alg: alg }).then(
      (created) => navigate(`/apis/${seg(created.id)}`),
      (err: unknown) => {
        setBusy(false);
        setError(err);
      },
    );
  };
  return (
    <form className="panel" onSubmit={submit} aria-label="Create API">
      <h2>New API</h2>
      <Field label="Name" hint={<LengthHint value={name} max={200} what="A friendly name, e.g. Orders API." />}>
        {(id) => <LimitedInput id={id} value={name} onChange={setName} max={200} required autoFocus autoComplete="off" />}
      </Field>
      <Field label="Identifier" hint={<LengthHint value={identifier} max={600} what="A logical identifier, usually a URL such as https://orders.example.com/. It becomes the token audience and cannot be changed later." />}>
        {(id) => <LimitedInput id={id} value={identifier} onChange={setIdentifier} max={600} required autoComplete="off" spellCheck={false} />}
      </Field>
      <SigningAlgorithmField value={alg} onChange={setAlg} hint="RS256: signed with the tenant's keys (published in the JWKS). HS256: signed with a secret shared with the API." />
      <ErrorBanner error={error} />
      <div className="form-actions">
        <Button type="submit" variant="primary" disabled={busy || name.trim() === '' || identifier.trim() === ''}>
          Create
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
