// Users: Lucene search (search_engine=v3), a paged list, and "Create user" for the default
// database connection. The query and page live in the URL, so Back and a reload keep them.
import { useEffect, useState, type FormEvent } from 'react';
import { seg } from '../lib/api.ts';
import { formatDate } from '../lib/format.ts';
import { Link, navigate, useLocation } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { useAsync } from '../lib/use-async.ts';
import { Button, EmptyState, ErrorBanner, Loading, Page } from '../components/ui.tsx';
import { Pager } from './common/Pager.tsx';
import { CreateUser } from './users/CreateUser.tsx';
import { displayName, SEARCH_WINDOW, type UserPage } from './users/user-wire.ts';

const PER_PAGE = 25;

function usersPath(q: string, page: number): string {
  const params = new URLSearchParams();
  if (q !== '') params.set('q', q);
  if (page > 0) params.set('page', String(page));
  const query = params.toString();
  return query === '' ? '/users' : `/users?${query}`;
}

export function UsersPage(_props: { params: Record<string, string> }) {
  const { api } = useSession();
  const { search } = useLocation();
  const q = search.get('q') ?? '';
  const page = Math.max(0, Number.parseInt(search.get('page') ?? '0', 10) || 0);
  const [draft, setDraft] = useState(q);
  const [creating, setCreating] = useState(false);
  useEffect(() => setDraft(q), [q]);

  const users = useAsync(
    () => api.get<UserPage>('/users', { q: q === '' ? undefined : q, search_engine: 'v3', page, per_page: PER_PAGE, include_totals: true }),
    [api, q, page],
  );
  const { data, error, loading } = users;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(usersPath(draft.trim(), 0));
  };

  return (
    <Page
      title="Users"
      actions={
        <Button variant="primary" onClick={() => setCreating(true)} disabled={creating}>
          Create user
        </Button>
      }
    >
      {creating && <CreateUser onCancel={() => setCreating(false)} onCreated={(id) => navigate(`/users/${seg(id)}`)} />}
      <form className="search-form" role="search" onSubmit={submit}>
        <label htmlFor="user-search">Search users</label>
        <div className="search-row">
          <input id="user-search" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder='email:"jane@example.com"' aria-describedby="user-search-hint" autoComplete="off" spellCheck={false} />
          <Button type="submit" variant="primary">
            Search
          </Button>
          {q !== '' && <Button onClick={() => navigate('/users')}>Clear</Button>}
        </div>
        <p className="hint" id="user-search-hint">
          Lucene syntax, as Auth0's search v3: <code>email:"jane@example.com"</code>, <code>name:jane*</code>, <code>user_metadata.plan:"pro"</code>,{' '}
          <code>app_metadata.roles:admin AND logins_count:[5 TO *]</code>, <code>blocked:true</code>.
        </p>
      </form>
      <ErrorBanner error={error} />
      {loading && !data && <Loading />}
      {data && data.users.length === 0 && (
        <EmptyState title={q === '' ? 'No users yet.' : 'No user matches this search.'}>
          {q === '' ? <p>Create the first one with “Create user”, or let people sign up on the login page.</p> : <p>Check the field names and quotes, or clear the search.</p>}
        </EmptyState>
      )}
      {data && data.users.length > 0 && (
        <div className="table-wrap">
          <table className="list users-table" aria-label="Users" aria-busy={loading}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Connection</th>
                <th scope="col">Logins</th>
                <th scope="col">Last login</th>
              </tr>
            </thead>
            <tbody>
              {data.users.map((u) => (
                <tr key={u.user_id}>
                  <td>
                    <Link to={`/users/${seg(u.user_id)}`} className="user-name">
                      {displayName(u)}
                    </Link>
                    {u.blocked && <span className="badge scope-missing">blocked</span>}
                  </td>
                  <td className="user-email">{u.email ?? '—'}</td>
                  <td>{u.identities[0]?.connection ?? '—'}</td>
                  <td>{u.logins_count ?? 0}</td>
                  <td>{formatDate(u.last_login)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && (
        <Pager label="Users pages" page={page} perPage={PER_PAGE} total={Math.min(data.total, SEARCH_WINDOW)} shown={data.users.length} onPage={(p) => navigate(usersPath(q, p))} />
      )}
      {data && data.total > SEARCH_WINDOW && <p className="hint">Only the first {SEARCH_WINDOW} matches can be paged through; narrow the search to see the others.</p>}
      {error !== undefined && (
        <p>
          <Button onClick={() => users.reload()}>Try again</Button>
        </p>
      )}
    </Page>
  );
}
