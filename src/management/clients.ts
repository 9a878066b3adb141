// /api/v2/clients (spec §3.5.1): list, get, create, update, delete, rotate-secret.
import { Type } from 'typebox';
import { isoNow } from '../domain/clock.ts';
import { isDashboardClient } from '../domain/dashboard-client.ts';
import { newClientId, newClientSecret } from '../domain/ids.ts';
import { sealClientSecret } from '../domain/secret-locations.ts';
import { originProblem, redirectUrlProblem } from '../domain/urls.ts';
import { Client, ClientCreate, ClientListQuery, ClientUpdate, type ClientData } from '../schemas/client.ts';
import { FieldsQuery, IdParam, ListOf, PageQuery, CheckpointQuery } from '../schemas/common.ts';
import type { ClientFilter, ClientRecord } from '../storage/ports.ts';
import { applyAuthenticationMethods } from './client-auth-methods.ts';
import { ClientViews } from '../cache/client-views.ts';
import { DEFAULT_REFRESH_TOKEN, newClientData, readVisibility, renderClient, writeVisibility, type Visibility } from './client-view.ts';
import { badRequest, conflict, ERROR_CODE, ManagementError, notFound, TEXT } from './errors.ts';
import { projection } from './fields.ts';
import { decodeCursor, DEFAULT_PER_PAGE, encodeCursor, listBody, pageOf } from './pagination.ts';
import { route, type HandlerContext, type ManagementDeps, type RouteSchemas } from './route.ts';
import { holds } from './unchanged.ts';

const READ_SCOPES = ['read:clients', 'read:client_keys', 'read:client_credentials', 'read:client_summary'];
/** The longest grace period a rotation may give the old secret (30 days). */
const MAX_GRACE_SECONDS = 2_592_000;
const TAG = 'Clients';

/** Fields that only update:client_keys (or update:client_credentials) may change. */
const KEY_FIELDS = new Set(['client_secret']);
/** Fields update:clients or update:client_credentials may change (Private Key JWT, issue 15). */
const CREDENTIAL_FIELDS = new Set(['client_authentication_methods']);

const URL_LISTS = ['callbacks', 'allowed_logout_urls'] as const;
const ORIGIN_LISTS = ['allowed_origins', 'web_origins'] as const;

/** Registration-time URL rules (T-RU-20/21): nothing dangerous is ever stored. Also run by `scopeward import` before its first write. */
export function checkUrls(body: Record<string, unknown>): void {
  const check = (field: string, problem: (v: string) => string | undefined): void => {
    const list = body[field];
    if (!Array.isArray(list)) return;
    list.forEach((value: string, i) => {
      const p = problem(value);
      if (p) throw badRequest(`Payload validation error: 'Invalid URL: ${value.slice(0, 100)} ${p}' on property ${field}[${i}].`);
    });
  };
  for (const f of URL_LISTS) check(f, redirectUrlProblem);
  for (const f of ORIGIN_LISTS) check(f, originProblem);
  for (const f of ['logo_uri', 'initiate_login_uri']) {
    const v = body[f];
    if (typeof v === 'string' && v !== '') {
      const p = redirectUrlProblem(v);
      if (p) throw badRequest(`Payload validation error: 'Invalid URL: ${v.slice(0, 100)} ${p}' on property ${f}.`);
    }
  }
}

type ListQuery = { page?: number; per_page?: number; include_totals?: boolean; from?: string; take?: number; fields?: string; include_fields?: boolean; is_global?: boolean; is_first_party?: boolean; app_type?: string };

/** The list body: page/per_page (array or totals object) or from/take ({clients, next?}). */
async function listClients(ctx: HandlerContext<RouteSchemas>, visibility: Visibility, rotationAsked: boolean): Promise<unknown> {
  const q = ctx.query as ListQuery;
  const appTypes = q.app_type?.split(',').map((s) => s.trim()).filter(Boolean);
  const filter: ClientFilter = {
    ...(q.is_global !== undefined && { isGlobal: q.is_global }),
    ...(q.is_first_party !== undefined && { isFirstParty: q.is_first_party }),
    ...(appTypes && { appTypes }),
  };
  const keys = visibility.credentials ? await ctx.deps.registry.keys(ctx.tenant.id) : undefined;
  const project = projection(q.fields, q.include_fields);
  const now = ctx.deps.clock.now();
  // The list is what configuration-as-code tools read and write back (issue 12, E3): Scopeward's
  // client_secret_rotation appears in it only when `fields` asks for it (GET /clients/{id} shows it).
  const view = (r: ClientRecord) => {
    const { client_secret_rotation: rotation, ...client } = renderClient(r, visibility, ctx.deps.envelope, keys, now);
    return project(rotationAsked && rotation !== undefined ? { ...client, client_secret_rotation: rotation } : client);
  };

  if (q.from !== undefined || q.take !== undefined) {
    const take = q.take ?? DEFAULT_PER_PAGE;
    const after = q.from ? decodeCursor(q.from) : undefined;
    // One more than asked tells whether a next page exists (no `next` on the last page).
    const rows = await ctx.deps.storage.clients.listAfter(ctx.tenant.id, filter, after, take + 1);
    const items = rows.slice(0, take);
    const last = items.at(-1);
    return { clients: items.map(view), ...(rows.length > take && last ? { next: encodeCursor({ createdAt: last.createdAt, id: last.clientId }) } : {}) };
  }
  // page/per_page is served by keyset (issue 13): the in-memory order names the row before the
  // page and counts the total; the page itself is read from there, however deep it is.
  const page = pageOf(q);
  const plan = await ctx.deps.registry.clientOrder(ctx.tenant.id).page(filter, page.offset, page.limit);
  const items = plan.count > 0 ? await ctx.deps.storage.clients.listAfter(ctx.tenant.id, filter, plan.after, plan.count) : [];
  return listBody('clients', items.map(view), page, plan.total);
}

async function load(deps: ManagementDeps, tenantId: string, clientId: string): Promise<ClientRecord> {
  const record = await deps.storage.clients.get(tenantId, clientId);
  if (!record) throw notFound(TEXT.clientNotFound, ERROR_CODE.inexistentClient);
  return record;
}

/** The dashboard's application is Scopeward's own: a change could lock every administrator out. */
async function loadWritable(deps: ManagementDeps, tenantId: string, clientId: string): Promise<ClientRecord> {
  const record = await load(deps, tenantId, clientId);
  if (isDashboardClient(record.data)) throw badRequest(TEXT.systemClient, ERROR_CODE.operationNotSupported);
  return record;
}

async function render<S extends RouteSchemas>(ctx: HandlerContext<S>, record: ClientRecord, visibility: Visibility) {
  const keys = visibility.credentials ? await ctx.deps.registry.keys(ctx.tenant.id) : undefined;
  return renderClient(record, visibility, ctx.deps.envelope, keys, ctx.deps.clock.now());
}

const list = route({
  method: 'GET',
  url: '/clients',
  summary: 'Get clients',
  tag: TAG,
  scopes: READ_SCOPES,
  schema: {
    querystring: Type.Object({ ...PageQuery, ...CheckpointQuery, ...FieldsQuery, ...ClientListQuery.properties }),
    response: { 200: ListOf('clients', Client) },
  },
  async handler(ctx) {
    const visibility = readVisibility(ctx.auth, ctx.secrets);
    const q = ctx.query;
    const rotationAsked = q.include_fields !== false && (q.fields ?? '').split(',').some((f) => f.trim() === 'client_secret_rotation');
    // Answers without secrets are kept serialized until the next client or key change; an answer
    // with secrets never is (security catalogue §2.10: no secret in caches). Nor while a rotation
    // grace period runs: the answer changes when it ends, with no change to announce it.
    if (visibility.secret || (await ctx.deps.registry.clientOrder(ctx.tenant.id).graceRunning(ctx.deps.clock.now()))) {
      return { status: 200, body: await listClients(ctx, visibility, rotationAsked) };
    }
    const key = ClientViews.key({ config: visibility.config, credentials: visibility.credentials, showsUsage: rotationAsked, query: q });
    return { status: 200, json: await ctx.deps.registry.clientView(ctx.tenant.id, key, async () => JSON.stringify(await listClients(ctx, visibility, rotationAsked))) };
  },
});

const get = route({
  method: 'GET',
  url: '/clients/:id',
  summary: 'Get a client',
  tag: TAG,
  scopes: READ_SCOPES,
  schema: { params: IdParam, querystring: Type.Object(FieldsQuery), response: { 200: Client } },
  async handler(ctx) {
    const record = await load(ctx.deps, ctx.tenant.id, ctx.params.id);
    const body = await render(ctx, record, readVisibility(ctx.auth, ctx.secrets));
    return { status: 200, body: projection(ctx.query.fields, ctx.query.include_fields)(body) };
  },
});

const create = route({
  method: 'POST',
  url: '/clients',
  summary: 'Create a client',
  tag: TAG,
  scopes: ['create:clients'],
  // The creator learns the secret it made (Auth0), whatever its read scopes.
  reveals: ['client_secret'],
  schema: { body: ClientCreate, response: { 201: Client } },
  async handler(ctx) {
    checkUrls(ctx.body);
    const clientId = newClientId();
    const secret = newClientSecret();
    const now = isoNow(ctx.deps.clock);
    const record: ClientRecord = {
      tenantId: ctx.tenant.id,
      clientId,
      data: newClientData(ctx.body, { clientId, tenantName: ctx.tenant.name }),
      ...sealClientSecret(ctx.deps.envelope, ctx.tenant.id, clientId, secret),
      createdAt: now,
      updatedAt: now,
    };
    await ctx.deps.storage.clients.create(record);
    return { status: 201, body: await render(ctx, record, writeVisibility(ctx.secrets)) };
  },
});

const update = route({
  method: 'PATCH',
  url: '/clients/:id',
  summary: 'Update a client',
  tag: TAG,
  scopes: ['update:clients', 'update:client_keys', 'update:client_credentials', 'update:client_token_vault_privileged_access'],
  schema: { params: IdParam, body: ClientUpdate, response: { 200: Client } },
  async handler(ctx) {
    const body = (ctx.body ?? {}) as Record<string, unknown>;
    // Field-level scopes (spec §3.1): secrets need update:client_keys, everything else update:clients.
    const denied: string[] = [];
    for (const field of Object.keys(body)) {
      const needs = KEY_FIELDS.has(field) ? ['update:client_keys', 'update:client_credentials'] : CREDENTIAL_FIELDS.has(field) ? ['update:clients', 'update:client_credentials'] : ['update:clients'];
      if (!needs.some((s) => ctx.auth.has(s))) denied.push(`${field} requires ${needs.join(' or ')}`);
    }
    if (denied.length > 0) throw new ManagementError(403, TEXT.fieldsForbidden(denied.join('; ')), { errorCode: ERROR_CODE.insufficientScope });
    checkUrls(body);

    const record = await load(ctx.deps, ctx.tenant.id, ctx.params.id);
    const { client_secret: secret, ...settings } = body;
    // The dashboard application takes a write that changes nothing (issue 12, E3: the Deploy CLI
    // writes back what it read) and answers it unchanged; any real change stays refused. The global
    // client takes any write but a secret, even its current one (T-LEG-09: no secret oracle).
    if (isDashboardClient(record.data)) {
      if (secret === undefined && holds(record.data, settings)) return { status: 200, body: await render(ctx, record, writeVisibility(ctx.secrets)) };
      throw badRequest(TEXT.systemClient, ERROR_CODE.operationNotSupported);
    }
    if (record.data.global && secret !== undefined) throw badRequest(TEXT.globalSecretNotSettable, ERROR_CODE.operationNotSupported);
    const data = await applyAuthenticationMethods(ctx.deps.storage, ctx.tenant.id, record.clientId, settings, { ...record.data, ...settings });
    // secret_encoded is set at creation (Auth0 refuses it in an update, so the Deploy CLI strips
    // it): a jwt_configuration sent without it keeps the stored one (issue 12, E3).
    const sentJwt = settings.jwt_configuration as ClientData['jwt_configuration'];
    const encoded = record.data.jwt_configuration?.secret_encoded;
    if (sentJwt && sentJwt.secret_encoded === undefined && encoded !== undefined) data.jwt_configuration = { ...sentJwt, secret_encoded: encoded };
    if (settings.refresh_token === null) data.refresh_token = { ...DEFAULT_REFRESH_TOKEN };
    if (settings.token_quota === null) delete data.token_quota;
    const patch: Parameters<ManagementDeps['storage']['clients']['update']>[2] = { data, updatedAt: isoNow(ctx.deps.clock) };
    if (typeof secret === 'string') Object.assign(patch, sealClientSecret(ctx.deps.envelope, ctx.tenant.id, record.clientId, secret));
    // A new secret replaces the one read, or nothing: two concurrent changes cannot both "win".
    if (!(await ctx.deps.storage.clients.update(ctx.tenant.id, record.clientId, patch, typeof secret === 'string' ? record.secretMac : undefined))) {
      throw conflict(TEXT.secretChanged, ERROR_CODE.conflict);
    }
    return { status: 200, body: await render(ctx, { ...record, ...patch, data }, writeVisibility(ctx.secrets)) };
  },
});

const remove = route({
  method: 'DELETE',
  url: '/clients/:id',
  summary: 'Delete a client',
  tag: TAG,
  scopes: ['delete:clients'],
  schema: { params: IdParam },
  async handler(ctx) {
    const record = await loadWritable(ctx.deps, ctx.tenant.id, ctx.params.id);
    if (record.data.global) throw badRequest(TEXT.globalClientDelete, ERROR_CODE.operationNotSupported);
    // Its grants go with it (the foreign key cascades; the explicit delete keeps both dialects alike).
    await ctx.deps.storage.transaction(async (tx) => {
      await tx.grants.removeForClient(ctx.tenant.id, record.clientId);
      await tx.clients.remove(ctx.tenant.id, record.clientId);
    });
    return { status: 204 };
  },
});

const rotateSecret = route({
  method: 'POST',
  url: '/clients/:id/rotate-secret',
  summary: "Rotate a client's secret",
  tag: TAG,
  scopes: ['update:client_keys'],
  // The rotator must learn the new secret (Auth0), whatever its read scopes.
  reveals: ['client_secret'],
  // Most SDKs send no body; Auth0 ignores one, and the Python SDK sends {"id": "<client id>"}
  // (issue 12, E2), so other fields are ignored. Scopeward also takes
  // {"previous_secret_grace_seconds": N} (beyond Auth0); a body that names it is checked strictly,
  // so a misspelt companion field is refused rather than ignored.
  bodyOptional: true,
  schema: {
    params: IdParam,
    body: Type.Object(
      {
        previous_secret_grace_seconds: Type.Optional(
          Type.Integer({ minimum: 0, maximum: MAX_GRACE_SECONDS, description: 'Keep accepting the old secret this long (default 0: it stops at once, as in Auth0).' }),
        ),
      },
      {
        additionalProperties: true,
        if: { properties: { previous_secret_grace_seconds: {} }, required: ['previous_secret_grace_seconds'] },
        then: { additionalProperties: false, properties: { previous_secret_grace_seconds: {} } },
      },
    ),
    response: { 200: Client },
  },
  async handler(ctx) {
    const record = await loadWritable(ctx.deps, ctx.tenant.id, ctx.params.id);
    const grace = ctx.body?.previous_secret_grace_seconds ?? 0;
    const now = ctx.deps.clock.now();
    const patch = {
      ...sealClientSecret(ctx.deps.envelope, ctx.tenant.id, record.clientId, newClientSecret()),
      // D4: without a grace period the old secret is refused at once; with one, its (row-bound)
      // MAC is kept until the period ends.
      previousSecretMac: grace > 0 ? record.secretMac : null,
      previousSecretExpiresAt: grace > 0 ? new Date(now + grace * 1000).toISOString() : null,
      updatedAt: new Date(now).toISOString(),
    };
    if (!(await ctx.deps.storage.clients.update(ctx.tenant.id, record.clientId, patch, record.secretMac))) {
      throw conflict(TEXT.secretChanged, ERROR_CODE.conflict);
    }
    return { status: 200, body: await render(ctx, { ...record, ...patch }, writeVisibility(ctx.secrets)) };
  },
});

export const clientRoutes = [list, get, create, update, remove, rotateSecret];
