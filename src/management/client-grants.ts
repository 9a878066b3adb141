// /api/v2/client-grants (spec §3.5.2): which client may get tokens for which API, with which scopes.
import { Type } from 'typebox';
import { isoNow } from '../domain/clock.ts';
import { isDashboardClient } from '../domain/dashboard-client.ts';
import { newGrantId } from '../domain/ids.ts';
import { isManagementScope } from '../domain/scopes.ts';
import { ClientGrant, ClientGrantCreate, ClientGrantListQuery, ClientGrantUpdate } from '../schemas/client-grant.ts';
import { CheckpointQuery, IdParam, ListOf, PageQuery } from '../schemas/common.ts';
import { UniqueViolation } from '../storage/errors.ts';
import type { ClientGrantRecord } from '../storage/ports.ts';
import { badRequest, conflict, ERROR_CODE, notFound, TEXT } from './errors.ts';
import { decodeCursor, DEFAULT_PER_PAGE, encodeCursor, listBody, pageOf } from './pagination.ts';
import { route } from './route.ts';

const TAG = 'Client Grants';
const OPTIONAL_FIELDS = ['organization_usage', 'allow_any_organization', 'allow_all_scopes', 'authorization_details_types'] as const;

export function renderGrant(g: ClientGrantRecord): Record<string, unknown> {
  return { id: g.id, client_id: g.clientId, audience: g.audience, scope: g.scope, subject_type: g.subjectType, ...g.extra };
}

/** Scopes granted on the Management API must exist there: a typo would be a silent no-op. Also run by `scopeward import`. */
export function checkManagementScopes(scopes: readonly string[]): void {
  const unknown = scopes.filter((s) => !isManagementScope(s));
  if (unknown.length > 0) {
    throw badRequest(`Payload validation error: 'Unknown Management API scopes: ${unknown.slice(0, 10).join(', ')}' on property scope.`);
  }
}

const list = route({
  method: 'GET',
  url: '/client-grants',
  summary: 'Get client grants',
  tag: TAG,
  scopes: ['read:client_grants'],
  schema: {
    querystring: Type.Object({ ...PageQuery, ...CheckpointQuery, ...ClientGrantListQuery.properties }),
    response: { 200: ListOf('client_grants', ClientGrant) },
  },
  async handler(ctx) {
    const q = ctx.query;
    const filter = {
      ...(q.client_id !== undefined && { clientId: q.client_id }),
      ...(q.audience !== undefined && { audience: q.audience }),
      ...(q.subject_type !== undefined && { subjectType: q.subject_type }),
      ...(q.allow_any_organization !== undefined && { allowAnyOrganization: q.allow_any_organization }),
    };
    if (q.from !== undefined || q.take !== undefined) {
      // Checkpoint pagination (spec §0 row 6): {client_grants, next?}; no next on the last page.
      // One row more than asked tells whether another page exists, so a full last page ends
      // the iteration instead of sending the SDK to fetch an empty one.
      const take = q.take ?? DEFAULT_PER_PAGE;
      const rows = await ctx.deps.storage.grants.listAfter(ctx.tenant.id, filter, q.from ? decodeCursor(q.from) : undefined, take + 1);
      const items = rows.slice(0, take);
      const last = items.at(-1);
      return {
        status: 200,
        body: { client_grants: items.map(renderGrant), ...(rows.length > take && last ? { next: encodeCursor({ createdAt: last.createdAt, id: last.id }) } : {}) },
      };
    }
    // page/per_page by keyset (issue 13): the in-memory order names the row before the page and
    // counts the total; the page is read from there, however deep.
    const page = pageOf(q);
    const plan = await ctx.deps.registry.grantOrder(ctx.tenant.id).page(filter, page.offset, page.limit);
    const items = plan.count > 0 ? await ctx.deps.storage.grants.listAfter(ctx.tenant.id, filter, plan.after, plan.count) : [];
    return { status: 200, body: listBody('client_grants', items.map(renderGrant), page, plan.total) };
  },
});

const get = route({
  method: 'GET',
  url: '/client-grants/:id',
  summary: 'Get a client grant',
  tag: TAG,
  scopes: ['read:client_grants'],
  schema: { params: IdParam, response: { 200: ClientGrant } },
  async handler(ctx) {
    const grant = await ctx.deps.storage.grants.get(ctx.tenant.id, ctx.params.id);
    if (!grant) throw notFound(TEXT.grantNotFound, ERROR_CODE.inexistentGrant);
    return { status: 200, body: renderGrant(grant) };
  },
});

const create = route({
  method: 'POST',
  url: '/client-grants',
  summary: 'Create a client grant',
  tag: TAG,
  scopes: ['create:client_grants'],
  schema: { body: ClientGrantCreate, response: { 201: ClientGrant } },
  async handler(ctx) {
    const { client_id: clientId, audience, scope = [], subject_type: subjectType = 'client', ...rest } = ctx.body;
    const [client, api] = await Promise.all([
      ctx.deps.storage.clients.get(ctx.tenant.id, clientId),
      ctx.deps.storage.resourceServers.getByIdentifier(ctx.tenant.id, audience),
    ]);
    if (!client) throw notFound(TEXT.grantClientNotFound, ERROR_CODE.inexistentClient);
    if (!api) throw notFound(TEXT.grantApiNotFound, ERROR_CODE.inexistentApi);
    // Decision 0006: no dormant privilege on the application that signs administrators in.
    if (isDashboardClient(client.data)) throw badRequest(TEXT.systemClientGrant, ERROR_CODE.operationNotSupported);
    if (api.isSystem) checkManagementScopes(scope);
    const extra: Record<string, unknown> = {};
    for (const k of OPTIONAL_FIELDS) if (rest[k] !== undefined) extra[k] = rest[k];
    const record: ClientGrantRecord = {
      tenantId: ctx.tenant.id,
      id: newGrantId(),
      clientId,
      audience,
      subjectType,
      scope: [...new Set(scope)],
      extra,
      createdAt: isoNow(ctx.deps.clock),
    };
    try {
      await ctx.deps.storage.grants.create(record);
    } catch (error) {
      if (error instanceof UniqueViolation) throw conflict(TEXT.grantConflict(clientId, audience), ERROR_CODE.conflict);
      throw error;
    }
    return { status: 201, body: renderGrant(record) };
  },
});

const update = route({
  method: 'PATCH',
  url: '/client-grants/:id',
  summary: 'Update a client grant',
  tag: TAG,
  scopes: ['update:client_grants'],
  schema: { params: IdParam, body: ClientGrantUpdate, response: { 200: ClientGrant } },
  async handler(ctx) {
    const grant = await ctx.deps.storage.grants.get(ctx.tenant.id, ctx.params.id);
    if (!grant) throw notFound(TEXT.grantUpdateNotFound, ERROR_CODE.inexistentGrant);
    const body = (ctx.body ?? {}) as Record<string, unknown>;
    const scope = Array.isArray(body.scope) ? [...new Set(body.scope as string[])] : body.scope === null ? [] : grant.scope;
    if (grant.audience === ctx.tenant.managementAudience) checkManagementScopes(scope);
    const extra = { ...grant.extra };
    for (const k of OPTIONAL_FIELDS) {
      if (body[k] === null) delete extra[k];
      else if (body[k] !== undefined) extra[k] = body[k];
    }
    await ctx.deps.storage.grants.update(ctx.tenant.id, grant.id, { scope, extra });
    return { status: 200, body: renderGrant({ ...grant, scope, extra }) };
  },
});

const remove = route({
  method: 'DELETE',
  url: '/client-grants/:id',
  summary: 'Delete a client grant',
  tag: TAG,
  scopes: ['delete:client_grants'],
  schema: { params: IdParam },
  async handler(ctx) {
    // Idempotent: deleting a grant that is already gone is still 204 (spec §8).
    await ctx.deps.storage.grants.remove(ctx.tenant.id, ctx.params.id);
    return { status: 204 };
  },
});

export const clientGrantRoutes = [list, get, create, update, remove];
