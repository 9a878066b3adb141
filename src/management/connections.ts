// /api/v2/connections (list, get, and an update that changes nothing): the tenant's database
// connections. A tenant has few of them, so filtering and paging happen over the whole list.
import { Type } from 'typebox';
import { FieldsQuery, IdParam, ListOf } from '../schemas/common.ts';
import { Connection, ConnectionListQuery } from '../schemas/connection.ts';
import type { ConnectionRecord } from '../storage/ports.ts';
import { badRequest, ERROR_CODE, notFound, TEXT } from './errors.ts';
import { projection } from './fields.ts';
import { listBody, pageOf } from './pagination.ts';
import { route } from './route.ts';
import { holds } from './unchanged.ts';

const TAG = 'Connections';

export function renderConnection(c: ConnectionRecord): Record<string, unknown> {
  return { id: c.id, ...c.data, strategy: c.strategy, name: c.name };
}

const list = route({
  method: 'GET',
  url: '/connections',
  summary: 'Get all connections',
  tag: TAG,
  scopes: ['read:connections'],
  schema: { querystring: ConnectionListQuery, response: { 200: ListOf('connections', Connection) } },
  async handler(ctx) {
    const q = ctx.query;
    const page = pageOf(q);
    const matching = (await ctx.deps.storage.connections.list(ctx.tenant.id)).filter(
      (c) => (q.strategy === undefined || q.strategy.includes(c.strategy)) && (q.name === undefined || c.name === q.name),
    );
    const project = projection(q.fields, q.include_fields);
    const items = matching.slice(page.offset, page.offset + page.limit).map((c) => project(renderConnection(c)));
    return { status: 200, body: listBody('connections', items, page, matching.length) };
  },
});

const get = route({
  method: 'GET',
  url: '/connections/:id',
  summary: 'Get a connection',
  tag: TAG,
  scopes: ['read:connections'],
  schema: { params: IdParam, querystring: Type.Object({ ...FieldsQuery }), response: { 200: Connection } },
  async handler(ctx) {
    const connection = await ctx.deps.storage.connections.get(ctx.tenant.id, ctx.params.id);
    if (!connection) throw notFound(TEXT.connectionNotFound, ERROR_CODE.inexistentConnection);
    return { status: 200, body: projection(ctx.query.fields, ctx.query.include_fields)(renderConnection(connection)) };
  },
});

/**
 * Auth0's value for options a database connection is made without: a tool sending one (the Deploy
 * CLI fills in `disable_self_service_change_password: false`) asks for what already is.
 */
const OPTION_DEFAULTS: Readonly<Record<string, unknown>> = { disable_self_service_change_password: false };

/**
 * Scopeward serves its connections as they are. A write that asks for what already is succeeds
 * (issue 12, E3: the Deploy CLI writes back the connection it exported); a change is refused.
 */
const update = route({
  method: 'PATCH',
  url: '/connections/:id',
  summary: 'Update a connection (only a request that changes nothing is accepted)',
  tag: TAG,
  scopes: ['update:connections'],
  schema: { params: IdParam, body: Type.Object({}, { additionalProperties: true }), response: { 200: Connection } },
  async handler(ctx) {
    const connection = await ctx.deps.storage.connections.get(ctx.tenant.id, ctx.params.id);
    if (!connection) throw notFound(TEXT.connectionNotFound, ERROR_CODE.inexistentConnection);
    const current = renderConnection(connection);
    const withDefaults = { ...current, options: { ...OPTION_DEFAULTS, ...(current.options as object | undefined) } };
    if (!holds(withDefaults, ctx.body ?? {})) throw badRequest(TEXT.connectionUnchangeable, ERROR_CODE.operationNotSupported);
    return { status: 200, body: current };
  },
});

export const connectionRoutes = [list, get, update];
