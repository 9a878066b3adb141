// /api/v2/clients/{id}/credentials (Auth0 "Client Credentials", issue 15): the public keys a client
// signs its Private Key JWT assertions with. Create (201), list, get, update expires_at, delete
// (204). The key itself is never answered. A credential is used only once the client lists it in
// client_authentication_methods.private_key_jwt.credentials (PATCH /clients/{id}).
import { Type } from 'typebox';
import { isoNow } from '../domain/clock.ts';
import { keyThumbprint, newCredentialId, parsePublicKeyPem } from '../domain/client-credentials.ts';
import { ClientCredential, ClientCredentialCreate, ClientCredentialUpdate, CredentialParams } from '../schemas/client-credential.ts';
import { IdParam } from '../schemas/common.ts';
import { UniqueViolation } from '../storage/errors.ts';
import type { ClientCredentialRecord, ClientRecord } from '../storage/ports.ts';
import { badRequest, conflict, ERROR_CODE, notFound, TEXT } from './errors.ts';
import { route, type ManagementDeps } from './route.ts';

const TAG = 'Client Credentials';

/** Auth0: "The current application storage limit is two credentials at one time." */
export const MAX_CREDENTIALS = 2;

/** The fixed texts of this resource (Auth0 documents none of them; ours, kept here). */
export const CREDENTIAL_TEXT = {
  notFound: 'The credential does not exist',
  onlyPublicKey: 'credential_type must be public_key: x509_cert and cert_subject_dn are for mTLS, which Scopeward does not offer',
  badPem: (why: string) => `Payload validation error: '${why}' on property pem.`,
  badDate: 'Payload validation error: \'expires_at must be an ISO 8601 date-time\' on property expires_at.',
  pastDate: 'expires_at must be in the future',
  expiryTwice: 'expires_at and parse_expiry_from_cert cannot be used together',
  expiryNeedsCert: 'parse_expiry_from_cert needs an X.509 certificate in pem',
  tooMany: `A client can have at most ${MAX_CREDENTIALS} credentials; delete one first`,
  duplicate: 'A credential with this kid already exists for the client',
} as const;

export function renderCredential(c: ClientCredentialRecord): Record<string, unknown> {
  return {
    id: c.id,
    credential_type: c.credentialType,
    kid: c.kid,
    alg: c.alg,
    ...(c.name !== null && { name: c.name }),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    ...(c.expiresAt !== null && { expires_at: c.expiresAt }),
  };
}

async function loadClient(deps: ManagementDeps, tenantId: string, clientId: string): Promise<ClientRecord> {
  const record = await deps.storage.clients.get(tenantId, clientId);
  if (!record) throw notFound(TEXT.clientNotFound, ERROR_CODE.inexistentClient);
  return record;
}

/** An ISO 8601 date-time, normalized; refuses anything Date cannot read exactly. */
function dateTime(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) throw badRequest(CREDENTIAL_TEXT.badDate);
  return new Date(value).toISOString();
}

function futureDate(value: string, now: number): string {
  const iso = dateTime(value);
  if (Date.parse(iso) <= now) throw badRequest(CREDENTIAL_TEXT.pastDate);
  return iso;
}

const list = route({
  method: 'GET',
  url: '/clients/:id/credentials',
  summary: 'Get client credentials',
  tag: TAG,
  scopes: ['read:client_credentials'],
  schema: { params: IdParam, response: { 200: Type.Array(ClientCredential) } },
  async handler(ctx) {
    await loadClient(ctx.deps, ctx.tenant.id, ctx.params.id);
    const items = await ctx.deps.storage.clientCredentials.list(ctx.tenant.id, ctx.params.id);
    return { status: 200, body: items.map(renderCredential) };
  },
});

const create = route({
  method: 'POST',
  url: '/clients/:id/credentials',
  summary: 'Create a client credential',
  tag: TAG,
  scopes: ['create:client_credentials'],
  schema: { params: IdParam, body: ClientCredentialCreate, response: { 201: ClientCredential } },
  async handler(ctx) {
    const b = ctx.body;
    const { storage, clock } = ctx.deps;
    if (b.credential_type !== 'public_key') throw badRequest(CREDENTIAL_TEXT.onlyPublicKey);
    if (b.pem === undefined) throw badRequest(TEXT.missingProperty('pem'));
    const parsed = parsePublicKeyPem(b.pem);
    if (typeof parsed === 'string') throw badRequest(CREDENTIAL_TEXT.badPem(parsed));
    const now = clock.now();
    if (b.parse_expiry_from_cert && b.expires_at !== undefined) throw badRequest(CREDENTIAL_TEXT.expiryTwice);
    if (b.parse_expiry_from_cert && !parsed.certificateExpiry) throw badRequest(CREDENTIAL_TEXT.expiryNeedsCert);
    const expiresAt = b.expires_at !== undefined ? futureDate(b.expires_at, now) : b.parse_expiry_from_cert ? parsed.certificateExpiry!.toISOString() : null;
    const client = await loadClient(ctx.deps, ctx.tenant.id, ctx.params.id);
    const existing = await storage.clientCredentials.list(ctx.tenant.id, client.clientId);
    if (existing.length >= MAX_CREDENTIALS) throw badRequest(CREDENTIAL_TEXT.tooMany);
    const at = isoNow(clock);
    const record: ClientCredentialRecord = {
      tenantId: ctx.tenant.id,
      id: newCredentialId(),
      clientId: client.clientId,
      name: b.name ?? null,
      kid: b.kid ?? keyThumbprint(parsed.key),
      alg: b.alg ?? 'RS256',
      credentialType: 'public_key',
      pem: parsed.spki,
      createdAt: at,
      updatedAt: at,
      expiresAt,
    };
    try {
      await storage.clientCredentials.create(record);
    } catch (error) {
      // The same key twice (its thumbprint is the kid) or a kid reused.
      if (error instanceof UniqueViolation) throw conflict(CREDENTIAL_TEXT.duplicate, ERROR_CODE.conflict);
      throw error;
    }
    return { status: 201, body: renderCredential(record) };
  },
});

async function loadCredential(deps: ManagementDeps, tenantId: string, clientId: string, id: string): Promise<ClientCredentialRecord> {
  await loadClient(deps, tenantId, clientId);
  const credential = await deps.storage.clientCredentials.get(tenantId, clientId, id);
  if (!credential) throw notFound(CREDENTIAL_TEXT.notFound, 'inexistent_credential');
  return credential;
}

const get = route({
  method: 'GET',
  url: '/clients/:id/credentials/:credential_id',
  summary: 'Get a client credential',
  tag: TAG,
  scopes: ['read:client_credentials'],
  schema: { params: CredentialParams, response: { 200: ClientCredential } },
  async handler(ctx) {
    return { status: 200, body: renderCredential(await loadCredential(ctx.deps, ctx.tenant.id, ctx.params.id, ctx.params.credential_id)) };
  },
});

const update = route({
  method: 'PATCH',
  url: '/clients/:id/credentials/:credential_id',
  summary: 'Update a client credential',
  tag: TAG,
  scopes: ['update:client_credentials'],
  schema: { params: CredentialParams, body: ClientCredentialUpdate, response: { 200: ClientCredential } },
  async handler(ctx) {
    const credential = await loadCredential(ctx.deps, ctx.tenant.id, ctx.params.id, ctx.params.credential_id);
    const sent = ctx.body.expires_at;
    // Expiring a credential now (or in the past) is how a key is stopped without deleting it.
    const expiresAt = sent === undefined ? credential.expiresAt : sent === null ? null : dateTime(sent);
    const patch = { expiresAt, updatedAt: isoNow(ctx.deps.clock) };
    if (!(await ctx.deps.storage.clientCredentials.update(ctx.tenant.id, credential.clientId, credential.id, patch))) throw notFound(CREDENTIAL_TEXT.notFound, 'inexistent_credential');
    return { status: 200, body: renderCredential({ ...credential, ...patch }) };
  },
});

const remove = route({
  method: 'DELETE',
  url: '/clients/:id/credentials/:credential_id',
  summary: 'Delete a client credential',
  tag: TAG,
  scopes: ['delete:client_credentials'],
  schema: { params: CredentialParams },
  async handler(ctx) {
    const credential = await loadCredential(ctx.deps, ctx.tenant.id, ctx.params.id, ctx.params.credential_id);
    // The credential leaves the client's private_key_jwt list with it, in one transaction.
    await ctx.deps.storage.transaction(async (tx) => {
      const client = await tx.clients.get(ctx.tenant.id, credential.clientId);
      const methods = client?.data.client_authentication_methods;
      const enabled = methods?.private_key_jwt?.credentials;
      if (client && methods && enabled?.some((c) => c.id === credential.id)) {
        const data = { ...client.data, client_authentication_methods: { ...methods, private_key_jwt: { credentials: enabled.filter((c) => c.id !== credential.id) } } };
        await tx.clients.update(ctx.tenant.id, client.clientId, { data, updatedAt: isoNow(ctx.deps.clock) });
      }
      await tx.clientCredentials.remove(ctx.tenant.id, credential.clientId, credential.id);
    });
    return { status: 204 };
  },
});

export const clientCredentialRoutes = [list, create, get, update, remove];
