// /api/v2/resource-servers (spec §3.5.3): the tenant's APIs. The system Management API is listed
// with its full scope catalogue and cannot be patched or deleted.
import { Type } from 'typebox';
import { isoNow } from '../domain/clock.ts';
import { newClientSecret, newResourceServerId } from '../domain/ids.ts';
import { describeScope, MANAGEMENT_SCOPES } from '../domain/scopes.ts';
import { apiSecretLocation } from '../domain/secret-locations.ts';
import { issuerFor, managementAudienceFor } from '../domain/tenant.ts';
import { IdParam, ListOf, PageQuery, FieldsQuery } from '../schemas/common.ts';
import { ResourceServer, ResourceServerCreate, ResourceServerListQuery, ResourceServerUpdate, type ResourceServerData } from '../schemas/resource-server.ts';
import { UniqueViolation } from '../storage/errors.ts';
import type { ResourceServerRecord } from '../storage/ports.ts';
import { badRequest, conflict, ERROR_CODE, notFound, TEXT } from './errors.ts';
import { projection } from './fields.ts';
import { listBody, pageOf } from './pagination.ts';
import { route, type ManagementDeps } from './route.ts';
import type { Envelope } from '../crypto/envelope.ts';
import type { SecretField } from './secret-fields.ts';

const TAG = 'Resource Servers';
const SYSTEM_SCOPES = MANAGEMENT_SCOPES.map((value) => ({ value, description: describeScope(value) }));

/** An API as the wire shows it; `signing_secret` only when the call may see it (secret-fields.ts). */
export function renderApi(r: ResourceServerRecord, envelope: Envelope, secrets: ReadonlySet<SecretField>): Record<string, unknown> {
  const body: Record<string, unknown> = { ...r.data };
  if (r.isSystem) body.scopes = SYSTEM_SCOPES;
  if (secrets.has('signing_secret') && r.data.signing_alg === 'HS256' && r.signingSecretSealed) {
    body.signing_secret = envelope.open(r.signingSecretSealed, apiSecretLocation(r.tenantId, r.id));
  }
  return body;
}

/** GET /resource-servers/{id} takes the id or the URL-encoded identifier (spec §3.5.3). */
async function load(deps: ManagementDeps, tenantId: string, idOrIdentifier: string): Promise<ResourceServerRecord> {
  const record =
    (await deps.storage.resourceServers.get(tenantId, idOrIdentifier)) ?? (await deps.storage.resourceServers.getByIdentifier(tenantId, idOrIdentifier));
  if (!record) throw notFound(TEXT.resourceServerNotFound, ERROR_CODE.inexistentApi);
  return record;
}

/** Also run by `scopeward import` before its first write. */
export function checkLifetimes(data: Pick<ResourceServerData, 'token_lifetime' | 'token_lifetime_for_web'>): void {
  if (data.token_lifetime_for_web > data.token_lifetime) {
    throw badRequest("Payload validation error: 'token_lifetime_for_web must be less than or equal to token_lifetime' on property token_lifetime_for_web.");
  }
}

/**
 * The tenant's own endpoints are reserved: an API named like the Management API or the issuer
 * would make tokens for one acceptable as the other. Also run by `scopeward import`.
 */
export function checkIdentifier(tenantDomain: string, identifier: string): void {
  if (identifier === managementAudienceFor(tenantDomain) || identifier.startsWith(issuerFor(tenantDomain))) throw badRequest(TEXT.apiReserved, ERROR_CODE.invalidBody);
}

const list = route({
  method: 'GET',
  url: '/resource-servers',
  summary: 'Get resource servers',
  tag: TAG,
  scopes: ['read:resource_servers'],
  schema: {
    querystring: Type.Object({ ...PageQuery, ...FieldsQuery, ...ResourceServerListQuery.properties }),
    response: { 200: ListOf('resource_servers', ResourceServer) },
  },
  async handler(ctx) {
    const q = ctx.query;
    const page = pageOf(q);
    const identifiers = q.identifiers === undefined ? undefined : Array.isArray(q.identifiers) ? q.identifiers : [q.identifiers];
    const { items, total } = await ctx.deps.storage.resourceServers.list(ctx.tenant.id, identifiers ? { identifiers } : {}, page);
    const project = projection(q.fields, q.include_fields);
    const apis = items.map((r) => project(renderApi(r, ctx.deps.envelope, ctx.secrets)));
    return { status: 200, body: listBody('resource_servers', apis, page, total) };
  },
});

const get = route({
  method: 'GET',
  url: '/resource-servers/:id',
  summary: 'Get a resource server',
  tag: TAG,
  scopes: ['read:resource_servers'],
  schema: { params: IdParam, querystring: Type.Object(FieldsQuery), response: { 200: ResourceServer } },
  async handler(ctx) {
    const record = await load(ctx.deps, ctx.tenant.id, ctx.params.id);
    return { status: 200, body: projection(ctx.query.fields, ctx.query.include_fields)(renderApi(record, ctx.deps.envelope, ctx.secrets)) };
  },
});

const create = route({
  method: 'POST',
  url: '/resource-servers',
  summary: 'Create a resource server',
  tag: TAG,
  scopes: ['create:resource_servers'],
  schema: { body: ResourceServerCreate, response: { 201: ResourceServer } },
  async handler(ctx) {
    const { identifier, signing_secret: givenSecret, ...settings } = ctx.body;
    checkIdentifier(ctx.tenant.domain, identifier);
    const id = newResourceServerId();
    const data: ResourceServerData = {
      id,
      identifier,
      name: settings.name ?? identifier,
      scopes: settings.scopes ?? [],
      signing_alg: settings.signing_alg ?? 'RS256',
      allow_offline_access: settings.allow_offline_access ?? false,
      token_lifetime: settings.token_lifetime ?? 86400,
      token_lifetime_for_web: settings.token_lifetime_for_web ?? Math.min(7200, settings.token_lifetime ?? 86400),
      skip_consent_for_verifiable_first_party_clients: settings.skip_consent_for_verifiable_first_party_clients ?? false,
      ...(settings.enforce_policies !== undefined && { enforce_policies: settings.enforce_policies }),
      token_dialect: settings.token_dialect ?? 'access_token',
      subject_type_authorization: settings.subject_type_authorization ?? { user: { policy: 'allow_all' }, client: { policy: 'require_client_grant' } },
      ...(settings.consent_policy !== undefined && { consent_policy: settings.consent_policy }),
    };
    checkLifetimes(data);
    const secret = givenSecret ?? (data.signing_alg === 'HS256' ? newClientSecret() : undefined);
    const record: ResourceServerRecord = {
      tenantId: ctx.tenant.id,
      id,
      identifier,
      isSystem: false,
      data,
      signingSecretSealed: secret === undefined ? null : ctx.deps.envelope.seal(secret, apiSecretLocation(ctx.tenant.id, id)),
      createdAt: isoNow(ctx.deps.clock),
    };
    try {
      await ctx.deps.storage.resourceServers.create(record);
    } catch (error) {
      if (error instanceof UniqueViolation) throw conflict(TEXT.apiConflict, ERROR_CODE.conflict);
      throw error;
    }
    return { status: 201, body: renderApi(record, ctx.deps.envelope, ctx.secrets) };
  },
});

const update = route({
  method: 'PATCH',
  url: '/resource-servers/:id',
  summary: 'Update a resource server',
  tag: TAG,
  scopes: ['update:resource_servers'],
  schema: { params: IdParam, body: ResourceServerUpdate, response: { 200: ResourceServer } },
  async handler(ctx) {
    const record = await load(ctx.deps, ctx.tenant.id, ctx.params.id);
    if (record.isSystem) throw badRequest(TEXT.systemApiPatch, ERROR_CODE.operationNotSupported);
    const { signing_secret: givenSecret, ...settings } = (ctx.body ?? {}) as Record<string, unknown>;
    const data = { ...record.data, ...settings };
    if (settings.consent_policy === null) delete data.consent_policy;
    // Lowering token_lifetime alone (the SDKs' typed update has no token_lifetime_for_web) brings
    // the browser lifetime down with it instead of refusing a field the caller never sent.
    if (settings.token_lifetime !== undefined && settings.token_lifetime_for_web === undefined) {
      data.token_lifetime_for_web = Math.min(data.token_lifetime_for_web, data.token_lifetime);
    }
    checkLifetimes(data);
    let sealed = record.signingSecretSealed;
    if (typeof givenSecret === 'string') sealed = ctx.deps.envelope.seal(givenSecret, apiSecretLocation(ctx.tenant.id, record.id));
    else if (data.signing_alg === 'HS256' && !sealed) sealed = ctx.deps.envelope.seal(newClientSecret(), apiSecretLocation(ctx.tenant.id, record.id));
    await ctx.deps.storage.resourceServers.update(ctx.tenant.id, record.id, { data, signingSecretSealed: sealed });
    return { status: 200, body: renderApi({ ...record, data, signingSecretSealed: sealed }, ctx.deps.envelope, ctx.secrets) };
  },
});

const remove = route({
  method: 'DELETE',
  url: '/resource-servers/:id',
  summary: 'Delete a resource server',
  tag: TAG,
  scopes: ['delete:resource_servers'],
  schema: { params: IdParam },
  async handler(ctx) {
    const record = await load(ctx.deps, ctx.tenant.id, ctx.params.id);
    if (record.isSystem) throw badRequest(TEXT.systemApiDelete, ERROR_CODE.operationNotSupported);
    // Grants for a deleted API would silently revive if an API with the same identifier came back.
    await ctx.deps.storage.transaction(async (tx) => {
      const { items } = await tx.grants.list(ctx.tenant.id, { audience: record.identifier }, { offset: 0, limit: 100_000, withTotal: false });
      for (const g of items) await tx.grants.remove(ctx.tenant.id, g.id);
      await tx.resourceServers.remove(ctx.tenant.id, record.id);
    });
    return { status: 204 };
  },
});

export const resourceServerRoutes = [list, get, create, update, remove];
