// GET /api/v2/users (spec §3.5.4, §3.4): list and search. `q` is the Lucene subset parsed by
// user-query.ts into a condition the storage binds as SQL parameters; results are paged within
// Auth0's window of the first 1000 matches.
import type { UserCondition } from '../storage/ports.ts';
import { UserList, UserListQuery } from '../schemas/user.ts';
import { badRequest, ERROR_CODE, TEXT } from './errors.ts';
import { projection } from './fields.ts';
import { pageOf } from './pagination.ts';
import { route } from './route.ts';
import { renderUser } from './user-view.ts';
import { parseUserQuery, parseUserSort, UserQueryError } from './user-query.ts';

/** Auth0 pages through the first 1000 results of a search, no further. */
export const SEARCH_WINDOW = 1000;

function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UserQueryError) throw badRequest(error.message, ERROR_CODE.invalidQuery);
    throw error;
  }
}

const list = route({
  method: 'GET',
  url: '/users',
  summary: 'List or search users',
  tag: 'Users',
  scopes: ['read:users', 'read:user_idp_tokens'],
  schema: { querystring: UserListQuery, response: { 200: UserList } },
  async handler(ctx) {
    const q = ctx.query;
    const page = pageOf(q);
    if (page.offset + page.limit > SEARCH_WINDOW) throw badRequest(TEXT.searchWindow, ERROR_CODE.invalidQuery);
    const conditions: UserCondition[] = [];
    if (q.q !== undefined && q.q.trim() !== '') conditions.push(parsed(() => parseUserQuery(q.q!)));
    // `connection` is a v1 parameter; v2/v3 callers filter with q=identities.connection:"…".
    if (q.connection !== undefined && q.search_engine === 'v1') conditions.push({ field: 'identities.connection', op: 'eq', value: q.connection });
    const where = conditions.length === 0 ? undefined : conditions.length === 1 ? conditions[0] : { and: conditions };
    const sort = q.sort !== undefined ? parsed(() => parseUserSort(q.sort!)) : undefined;
    const { items, total } = await ctx.deps.storage.users.list(ctx.tenant.id, where, sort, page);
    const project = projection(q.fields, q.include_fields);
    const users = items.map((u) => project(renderUser(u)));
    if (!page.includeTotals) return { status: 200, body: users };
    // Users carry `length` too (spec §3.4).
    return { status: 200, body: { start: page.offset, limit: page.limit, length: users.length, total: total ?? users.length, users } };
  },
});

export const userSearchRoutes = [list];
