// One user: profile facts, identities, user_metadata and app_metadata as JSON, block/unblock and
// delete (each confirmed). Scopeward admins are read-only through the API: the server refuses
// changes to them and its message appears where the change was asked for.
import { useCallback, useEffect, useState } from 'react';
import { ApiError, seg } from '../lib/api.ts';
import { formatDate } from '../lib/format.ts';
import { formatJson } from '../lib/json-edit.ts';
import { Link, navigate } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';
import { Button, ConfirmButton, CopyButton, EmptyState, ErrorBanner, Loading, Notice, Page } from '../components/ui.tsx';
import { MetadataEditor } from './users/MetadataEditor.tsx';
import { displayName, type User } from './users/user-wire.ts';

export function UserPage({ params }: { params: Record<string, string> }) {
  const { api } = useSession();
  const id = params.id ?? '';
  const path = `/users/${seg(id)}`;
  const state = useAsync(() => api.get<User>(path), [api, path]);
  const { data: loaded, error, loading } = state;
  // The answer to a PATCH is the user as saved: shown without another round trip.
  const [saved, setSaved] = useState<User>();
  useEffect(() => setSaved(undefined), [loaded]);
  const user = saved ?? loaded;
  const [notice, setNotice] = useState<string>();
  const clearNotice = useCallback(() => setNotice(undefined), []);

  if (loading && !user) return <Page title="User"><Loading /></Page>;
  if (!user) {
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <Page title="User">
        {missing ? <EmptyState title="This user does not exist (any more).">{<Link to="/users">Back to Users</Link>}</EmptyState> : <ErrorBanner error={error} />}
        {!missing && <Button onClick={() => state.reload()}>Try again</Button>}
      </Page>
    );
  }

  const patch = async (body: Record<string, unknown>) => setSaved(await api.patch<User>(path, body));
  const blocked = user.blocked === true;

  return (
    <Page
      title={<span className="user-title">{displayName(user)}</span>}
      actions={
        <>
          <ConfirmButton
            label={blocked ? 'Unblock' : 'Block'}
            variant={blocked ? 'secondary' : 'danger'}
            title={blocked ? 'Unblock this user?' : 'Block this user?'}
            body={blocked ? <p>They will be able to sign in again.</p> : <p>They will not be able to sign in until unblocked. Tokens already issued stay valid until they expire.</p>}
            confirmLabel={blocked ? 'Unblock' : 'Block'}
            onConfirm={async () => {
              await patch({ blocked: !blocked });
              setNotice(blocked ? 'User unblocked.' : 'User blocked.');
            }}
          />
          <ConfirmButton
            label="Delete"
            title="Delete this user?"
            body={
              <p>
                <strong className="user-name">{displayName(user)}</strong> and their sessions, refresh tokens and device credentials are deleted. This cannot be undone.
              </p>
            }
            confirmLabel="Delete user"
            onConfirm={async () => {
              await api.delete(path);
              navigate('/users');
            }}
          />
        </>
      }
    >
      <p>
        <Link to="/users">← Users</Link>
      </p>
      <Notice text={notice} onDone={clearNotice} />
      <section className="panel" aria-labelledby="profile-title">
        <h2 id="profile-title">Profile</h2>
        <dl className="facts">
          <dt>User id</dt>
          <dd>
            <code className="user-id">{user.user_id}</code> <CopyButton value={user.user_id} label="Copy user id" />
          </dd>
          <dt>Email</dt>
          <dd className="user-email">
            {user.email ?? '—'} {user.email !== undefined && <span className={`badge ${user.email_verified ? 'scope-ok' : ''}`}>{user.email_verified ? 'verified' : 'not verified'}</span>}
          </dd>
          {user.username !== undefined && (
            <>
              <dt>Username</dt>
              <dd>{user.username}</dd>
            </>
          )}
          {user.nickname !== undefined && (
            <>
              <dt>Nickname</dt>
              <dd className="user-nickname">{user.nickname}</dd>
            </>
          )}
          <dt>Status</dt>
          <dd>{blocked ? <span className="badge scope-missing">blocked</span> : <span className="badge scope-ok">active</span>}</dd>
          <dt>Created</dt>
          <dd>{formatDate(user.created_at)}</dd>
          <dt>Updated</dt>
          <dd>{formatDate(user.updated_at)}</dd>
          <dt>Last login</dt>
          <dd>{formatDate(user.last_login)}</dd>
          <dt>Logins</dt>
          <dd>{user.logins_count ?? 0}</dd>
          <dt>Last IP</dt>
          <dd>{user.last_ip ?? '—'}</dd>
        </dl>
      </section>
      <section className="panel" aria-labelledby="identities-title">
        <h2 id="identities-title">Identities</h2>
        <div className="table-wrap">
          <table className="list identities-table" aria-label="Identities">
            <thead>
              <tr>
                <th scope="col">Connection</th>
                <th scope="col">Provider</th>
                <th scope="col">User id</th>
              </tr>
            </thead>
            <tbody>
              {user.identities.map((i) => (
                <tr key={`${i.provider}|${i.user_id}`}>
                  <td>{i.connection}</td>
                  <td>{i.provider}</td>
                  <td>
                    <code>{i.user_id}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <MetadataEditor
        field="user_metadata"
        value={user.user_metadata}
        description="Data the user may read and, through their own token, edit (preferences, profile extras)."
        onSave={(m) => patch({ user_metadata: m })}
      />
      <MetadataEditor
        field="app_metadata"
        value={user.app_metadata}
        description="Data only applications and admins change (plans, roles, flags); the user cannot edit it."
        onSave={(m) => patch({ app_metadata: m })}
      />
      <details className="panel">
        <summary>Raw JSON</summary>
        <pre className="raw-json">{formatJson(user)}</pre>
      </details>
    </Page>
  );
}
