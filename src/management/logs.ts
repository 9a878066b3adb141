// /api/v2/logs (spec §3.5.9): the tenant's audit log. page/per_page/include_totals answer
// {start, limit, length, total, logs}; from/take answer a bare array, oldest first after `from`.
// `q` (v4 SDK) and `search` (v5+) take the Lucene subset of log-query.ts.
import { Type } from 'typebox';
import { CheckpointQuery, FieldsQuery, PageQuery } from '../schemas/common.ts';
import type { LogCondition } from '../storage/ports.ts';
import { badRequest, ERROR_CODE, notFound, TEXT } from './errors.ts';
import { projection } from './fields.ts';
import { LogQueryError, parseLogQuery } from './log-query.ts';
import { DEFAULT_PER_PAGE, pageOf, SEARCH_WINDOW } from './pagination.ts';
import { route } from './route.ts';

const TAG = 'Logs';
const SCOPES = ['read:logs', 'read:logs_users'];

const LogEntry = Type.Object(
  {
    log_id: Type.String(),
    _id: Type.String(),
    date: Type.String(),
    type: Type.String(),
    description: Type.String(),
    client_id: Type.String(),
    client_name: Type.String(),
    ip: Type.String(),
    user_agent: Type.String(),
    hostname: Type.String(),
    user_id: Type.String(),
    user_name: Type.String(),
    audience: Type.Optional(Type.String()),
    scope: Type.Optional(Type.String()),
    details: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  },
  { $id: 'LogEntry', additionalProperties: true },
);

/** The condition of `q` or `search`; a parse error names the parameter the caller sent. */
function condition(query: { q?: string | undefined; search?: string | undefined }): LogCondition | undefined {
  const name = query.q !== undefined ? 'q' : 'search';
  const text = query[name];
  if (text === undefined) return undefined;
  try {
    return parseLogQuery(text);
  } catch (error) {
    if (error instanceof LogQueryError) throw badRequest(`Query validation error: '${error.message}' on property ${name}.`, ERROR_CODE.invalidQuery);
    throw error;
  }
}

const list = route({
  method: 'GET',
  url: '/logs',
  summary: 'Search log events',
  tag: TAG,
  scopes: SCOPES,
  schema: {
    querystring: Type.Object({
      ...PageQuery,
      ...CheckpointQuery,
      sort: Type.Optional(Type.Enum(['date:1', 'date:-1'], { description: 'date:-1 (newest first, the default) or date:1.' })),
      // The checkpoint here is a log_id, not the opaque cursor of clients and client grants.
      from: Type.Optional(Type.String({ maxLength: 64, pattern: '^[0-9]+$', description: 'A log_id: entries after it, oldest first.' })),
      q: Type.Optional(Type.String({ maxLength: 1000, description: 'Lucene: type:, client_id:, user_id:, ip:, log_id:, date:[a TO b].' })),
      search: Type.Optional(Type.String({ maxLength: 1000, description: 'Same as q (v5+ SDKs).' })),
      ...FieldsQuery,
    }),
    response: { 200: Type.Union([Type.Array(LogEntry), Type.Object({ start: Type.Integer(), limit: Type.Integer(), length: Type.Integer(), total: Type.Integer(), logs: Type.Array(LogEntry) })]) },
  },
  async handler(ctx) {
    const q = ctx.query;
    const where = condition(q);
    const project = projection(q.fields, q.include_fields);
    if (q.from !== undefined || q.take !== undefined) {
      const items = await ctx.deps.storage.logs.listAfter(ctx.tenant.id, where, q.from, q.take ?? DEFAULT_PER_PAGE);
      return { status: 200, body: items.map((r) => project(r.event)) };
    }
    // Auth0 pages a log search through its first 1000 results; checkpoints (from/take) read on.
    const page = pageOf(q, { size: SEARCH_WINDOW, message: TEXT.logSearchWindow });
    const { items, total } = await ctx.deps.storage.logs.list(ctx.tenant.id, where, { ...page, ascending: q.sort === 'date:1' });
    const logs = items.map((r) => project(r.event));
    if (!page.includeTotals) return { status: 200, body: logs };
    return { status: 200, body: { start: page.offset, limit: page.limit, length: logs.length, total: total ?? logs.length, logs } };
  },
});

const get = route({
  method: 'GET',
  url: '/logs/:id',
  summary: 'Get a log event by id',
  tag: TAG,
  scopes: SCOPES,
  schema: { params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }), response: { 200: LogEntry } },
  async handler(ctx) {
    const record = await ctx.deps.storage.logs.get(ctx.tenant.id, ctx.params.id);
    if (!record) throw notFound(TEXT.logNotFound, ERROR_CODE.inexistentLog);
    return { status: 200, body: record.event };
  },
});

export const logRoutes = [list, get];
