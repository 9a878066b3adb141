// /api/v2/device-credentials (spec §3.5.5): list (public keys, or a user's live refresh tokens as
// Auth0 lists them), create a public key, delete one (a refresh token's id revokes it). Create and
// delete admit a user's own token, confined to that user (spec §4.2, checked by register.ts).
import { Type } from 'typebox';
import { isoNow } from '../domain/clock.ts';
import { newDeviceCredentialId } from '../domain/ids.ts';
import { IdParam, ListOf } from '../schemas/common.ts';
import { DeviceCredential, DeviceCredentialCreate, DeviceCredentialListQuery } from '../schemas/device-credential.ts';
import { UniqueViolation } from '../storage/errors.ts';
import type { DeviceCredentialRecord, RefreshTokenRecord } from '../storage/ports.ts';
import { refuseAdmins } from './admin-guard.ts';
import { badRequest, ManagementError, TEXT } from './errors.ts';
import { projection } from './fields.ts';
import { listBody, pageOf } from './pagination.ts';
import { route, type ConfinedRequest } from './route.ts';

const TAG = 'Device Credentials';

function renderPublicKey(c: DeviceCredentialRecord): Record<string, unknown> {
  return { id: c.id, device_name: c.deviceName, device_id: c.deviceId, type: c.type, user_id: c.userId, client_id: c.clientId };
}

function renderRefreshToken(r: RefreshTokenRecord): Record<string, unknown> {
  return { id: r.id, type: r.rotating ? 'rotating_refresh_token' : 'refresh_token', user_id: r.userId, client_id: r.clientId };
}

const refused = (message: string): ManagementError => new ManagementError(403, message);

const list = route({
  method: 'GET',
  url: '/device-credentials',
  summary: 'Retrieve device credentials',
  tag: TAG,
  scopes: ['read:device_credentials'],
  schema: { querystring: DeviceCredentialListQuery, response: { 200: ListOf('device_credentials', DeviceCredential) } },
  async handler(ctx) {
    const q = ctx.query;
    const { storage, registry } = ctx.deps;
    if (q.user_id !== undefined && !(await storage.users.get(ctx.tenant.id, q.user_id))) throw refused(TEXT.deviceListUser);
    if (q.client_id !== undefined && !(await registry.client(ctx.tenant.id, q.client_id))) throw refused(TEXT.deviceListClient);
    const filter = { ...(q.user_id !== undefined && { userId: q.user_id }), ...(q.client_id !== undefined && { clientId: q.client_id }) };
    const paging = q.page !== undefined || q.per_page !== undefined || q.include_totals !== undefined;
    // Auth0: the type defaults to refresh_token when paging is requested.
    const type = q.type ?? (paging ? 'refresh_token' : undefined);
    const page = pageOf(q);
    const project = projection(q.fields, q.include_fields);
    const tokens = async (rotating: boolean) => (await storage.refreshTokens.list(ctx.tenant.id, filter)).filter((r) => r.rotating === rotating).map(renderRefreshToken);

    if (type === 'public_key') {
      const { items, total } = await storage.deviceCredentials.list(ctx.tenant.id, filter, page);
      return { status: 200, body: listBody('device_credentials', items.map((c) => project(renderPublicKey(c))), page, total) };
    }
    if (type !== undefined) {
      const all = await tokens(type === 'rotating_refresh_token');
      return { status: 200, body: listBody('device_credentials', all.slice(page.offset, page.offset + page.limit).map(project), page, all.length) };
    }
    // No type and no paging: everything the filter matches, public keys first.
    const keys = await storage.deviceCredentials.list(ctx.tenant.id, filter, { offset: 0, limit: 1000, withTotal: false });
    const all = [...keys.items.map(renderPublicKey), ...(await tokens(false)), ...(await tokens(true))];
    return { status: 200, body: all.map(project) };
  },
});

/** Current-user rule: a user's token creates keys for itself and for the application it was issued to. */
async function confinedCreate(request: ConfinedRequest): Promise<void> {
  const body = request.body as { user_id?: string; client_id?: string };
  if (body.user_id !== undefined && body.user_id !== request.confined.userId) throw refused(TEXT.userMismatch);
  if (body.client_id !== undefined && body.client_id !== request.confined.clientId) throw refused(TEXT.deviceCreateClient);
}

const create = route({
  method: 'POST',
  url: '/device-credentials',
  summary: 'Create a device public key credential',
  tag: TAG,
  scopes: ['create:device_credentials'],
  currentUser: { scopes: ['create:current_user_device_credentials'], user: 'self', checkBody: confinedCreate },
  schema: { body: DeviceCredentialCreate, response: { 201: Type.Object({ id: Type.String() }) } },
  async handler(ctx) {
    const b = ctx.body;
    const userId = ctx.confined ? ctx.confined.userId : b.user_id;
    const clientId = b.client_id ?? ctx.confined?.clientId;
    if (userId === undefined) throw badRequest(TEXT.missingProperty('user_id'));
    if (clientId === undefined) throw badRequest(TEXT.missingProperty('client_id'));
    if (!(await ctx.deps.storage.users.get(ctx.tenant.id, userId))) throw refused(TEXT.deviceCreateUser);
    await refuseAdmins(ctx.deps.storage, ctx.tenant.id, [userId]);
    if (!(await ctx.deps.registry.client(ctx.tenant.id, clientId))) throw refused(TEXT.deviceCreateClient);
    const record: DeviceCredentialRecord = {
      tenantId: ctx.tenant.id,
      id: newDeviceCredentialId(),
      userId,
      clientId,
      deviceName: b.device_name,
      deviceId: b.device_id,
      type: 'public_key',
      value: b.value,
      createdAt: isoNow(ctx.deps.clock),
    };
    try {
      await ctx.deps.storage.deviceCredentials.create(record);
    } catch (error) {
      if (error instanceof UniqueViolation) throw new ManagementError(409, TEXT.publicKeyExists);
      throw error;
    }
    return { status: 201, body: { id: record.id } };
  },
});

/** Who owns the credential (a public key, or a live refresh token of the calling user). */
async function ownerOf(request: ConfinedRequest): Promise<string | undefined> {
  const { tenant, deps, params, confined } = request;
  const id = params.id!;
  const key = await deps.storage.deviceCredentials.get(tenant.id, id);
  if (key) return key.userId;
  const tokens = await deps.storage.refreshTokens.list(tenant.id, { userId: confined.userId });
  return tokens.find((t) => t.id === id)?.userId;
}

const remove = route({
  method: 'DELETE',
  url: '/device-credentials/:id',
  summary: 'Delete a device credential',
  tag: TAG,
  scopes: ['delete:device_credentials'],
  currentUser: { scopes: ['delete:current_user_device_credentials'], user: { owner: ownerOf } },
  schema: { params: IdParam },
  async handler(ctx) {
    // A refresh token listed among the credentials is revoked by its id; unknown ids are 204 too.
    const { storage, clock } = ctx.deps;
    // An administrator's public keys stay; revoking its refresh tokens (a safety measure) is allowed.
    const key = await storage.deviceCredentials.get(ctx.tenant.id, ctx.params.id);
    if (key) await refuseAdmins(storage, ctx.tenant.id, [key.userId]);
    if (!(await storage.deviceCredentials.remove(ctx.tenant.id, ctx.params.id))) await storage.refreshTokens.revoke(ctx.tenant.id, ctx.params.id, isoNow(clock));
    return { status: 204, contentType: 'application/json; charset=utf-8' };
  },
});

export const deviceCredentialRoutes = [list, create, remove];
