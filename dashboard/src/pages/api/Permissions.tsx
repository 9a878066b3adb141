// An API's permissions (its `scopes`): add value + description, remove. Each change PATCHes the
// whole list, as Auth0 does. The Management API's catalogue is fixed and shown read-only.
import { useCallback, useState, type FormEvent } from 'react';
import { seg } from '../../lib/api.ts';
import { useSession } from '../../lib/session.tsx';
import { Button, ConfirmButton, EmptyState, ErrorBanner, Field, Notice } from '../../components/ui.tsx';
import { withoutSecret, type ResourceServer, type Scope } from '../wire.ts';

/** RFC 6749 §3.3 scope-token: printable ASCII without space, " or \ (the server's rule too). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function Permissions({ rs, onSaved }: { rs: ResourceServer; onSaved: (rs: ResourceServer) => void }) {
  const { api } = useSession();
  const [value, setValue] = useState('');
  const [description, setDescription] = useState('');
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string>();
  const clearNotice = useCallback(() => setNotice(undefined), []);
  const scopes = rs.scopes ?? [];
  const readOnly = rs.is_system === true;

  const save = (next: Scope[], message: string): Promise<void> => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    return api.patch<ResourceServer>(`/resource-servers/${seg(rs.id)}`, { scopes: next }).then(
      (saved) => {
        setBusy(false);
        setNotice(message);
        onSaved({ ...rs, ...withoutSecret(saved) });
      },
      (err: unknown) => {
        setBusy(false);
        setError(err);
        throw err;
      },
    );
  };
  const add = (e: FormEvent) => {
    e.preventDefault();
    setNotice(undefined);
    const v = value.trim();
    if (!SCOPE_TOKEN.test(v)) return setError('A permission is one word: no spaces, quotes or backslashes (e.g. read:orders).');
    if (scopes.some((s) => s.value === v)) return setError(`The permission ${v} already exists.`);
    save([...scopes, { value: v, ...(description.trim() && { description: description.trim() }) }], `Added ${v}.`).then(
      () => {
        setValue('');
        setDescription('');
      },
      () => undefined,
    );
  };
  const remove = (v: string) => save(scopes.filter((s) => s.value !== v), `Removed ${v}.`);
  const needle = filter.trim().toLowerCase();
  const shown = needle ? scopes.filter((s) => s.value.toLowerCase().includes(needle) || s.description?.toLowerCase().includes(needle)) : scopes;

  return (
    <>
      {readOnly ? (
        <p className="warning">The Management API&apos;s permissions are the fixed Auth0 catalogue ({scopes.length} scopes).</p>
      ) : (
        <form className="panel" onSubmit={add} aria-label="Add a permission">
          <h2>Add a Permission (Scope)</h2>
          <div className="inline-fields">
            <Field label="Permission">{(id) => <input id={id} value={value} onChange={(e) => setValue(e.target.value)} placeholder="read:orders" maxLength={280} autoComplete="off" spellCheck={false} />}</Field>
            <Field label="Description">{(id) => <input id={id} value={description} onChange={(e) => setDescription(e.target.value)} placeholder="Read orders" maxLength={500} autoComplete="off" />}</Field>
            <Button type="submit" variant="primary" disabled={busy || value.trim() === ''}>
              Add
            </Button>
          </div>
        </form>
      )}
      <ErrorBanner error={error} />
      <Notice text={notice} onDone={clearNotice} />
      {scopes.length === 0 ? (
        <EmptyState title="No permissions defined.">
          <p>Permissions (scopes) let applications ask for limited access to this API.</p>
        </EmptyState>
      ) : (
        <>
          {scopes.length > 10 && (
            <Field label="Filter permissions">{(id) => <input id={id} type="search" value={filter} onChange={(e) => setFilter(e.target.value)} autoComplete="off" />}</Field>
          )}
          <div className="table-wrap">
            <table className="list stack">
              <thead>
                <tr>
                  <th scope="col">Permission</th>
                  <th scope="col">Description</th>
                  {!readOnly && <th scope="col"><span className="sr-only">Actions</span></th>}
                </tr>
              </thead>
              <tbody>
                {shown.map((s) => (
                  <tr key={s.value}>
                    <td>
                      <code>{s.value}</code>
                    </td>
                    <td data-label="Description">{s.description}</td>
                    {!readOnly && (
                      <td className="actions-cell">
                        <ConfirmButton
                          label="Remove"
                          title={`Remove the permission ${s.value}?`}
                          confirmLabel="Remove"
                          disabled={busy}
                          onConfirm={() => remove(s.value)}
                          body={<p>Applications can no longer be granted it. Grants that already list it keep it until they are edited.</p>}
                        />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {shown.length === 0 && <EmptyState title="No permission matches the filter." />}
        </>
      )}
    </>
  );
}
