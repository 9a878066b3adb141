// The latest `auth0` SDK (v7, Fern) against the real server over HTTPS, configured exactly as a user
// would configure it for Auth0: `{domain, clientId, clientSecret}`; it fetches its own token by
// client credentials. Covers clients, resource servers and client grants, both pagination styles
// the SDK uses (page/per_page/include_totals and checkpoint from/take), and how errors surface.
import { Management, ManagementClient } from 'auth0';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToken } from '../helpers/oauth-http.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

const THINGS = 'https://things.e2e.test/v7';

let server: RealServer;
let mgmt: ManagementClient;

beforeAll(async () => {
  server = await startRealServer();
  mgmt = new ManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
});

afterAll(async () => {
  await server?.cleanup();
});

/** Runs `call`, which must fail, and returns what it threw. */
async function failure(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

async function createM2M(name: string) {
  const app = await mgmt.clients.create({ name, app_type: 'non_interactive' });
  return { clientId: app.client_id!, clientSecret: app.client_secret! };
}

describe('clients (spec §3.5.1) through ManagementClient v7', () => {
  it('§0 row 5: list reads the include_totals object form and finds the global client and the init application', async () => {
    // Runs first: the tenant holds its global client, its dashboard application and the application `scopeward init` made.
    const page = await mgmt.clients.list();
    expect({ ...(page.response as object), clients: undefined }).toEqual({ start: 0, limit: 50, total: 3, clients: undefined });
    expect(page.data.map((c) => [c.name, c.global, c.app_type])).toEqual([
      ['All Applications', true, undefined],
      ['Scopeward Dashboard', false, 'spa'],
      ['Scopeward Management (init)', false, 'non_interactive'],
    ]);
    expect([page.data[2]!.client_id, page.data[2]!.client_secret]).toEqual([server.init.client_id, server.init.client_secret]);
    // Without per_page the SDK asks for page 1 and stops at the empty page it gets (spec §3.4).
    expect(page.hasNextPage()).toBe(true);
    const next = await page.getNextPage();
    expect(next.response).toEqual({ start: 50, limit: 50, total: 3, clients: [] });
    expect(next.hasNextPage()).toBe(false);
  });

  it('§3.4: the async iterator walks every page with per_page=2 and stops after the last one', async () => {
    const before = (await mgmt.clients.list({ per_page: 1 })).response as { total: number };
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await createM2M(`page-iteration-${i}`)).clientId);
    const total = before.total + 5;

    const seen: string[] = [];
    for await (const client of await mgmt.clients.list({ per_page: 2 })) seen.push(client.client_id!);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(seen).toEqual(expect.arrayContaining(created));

    // The same walk page by page: full pages of 2, then the remainder (or an empty page).
    let page = await mgmt.clients.list({ per_page: 2 });
    const sizes = [page.data.length];
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      sizes.push(page.data.length);
    }
    const expected = [...Array<number>(Math.floor(total / 2)).fill(2), total % 2];
    expect(sizes).toEqual(expected);
  });

  it('get returns the client with its secret (read:client_keys)', async () => {
    const client = await mgmt.clients.get(server.init.client_id);
    expect(client.client_id).toBe(server.init.client_id);
    expect(client.client_secret).toBe(server.init.client_secret);
    expect(client.grant_types).toEqual(['client_credentials']);
    expect(client.token_endpoint_auth_method).toBe('client_secret_post');
  });

  it('create answers an M2M application with Auth0 defaults and a secret that gets tokens once granted', async () => {
    const app = await mgmt.clients.create({ name: 'sdk-created', app_type: 'non_interactive', description: 'made by the v7 SDK' });
    expect(app.name).toBe('sdk-created');
    expect(app.description).toBe('made by the v7 SDK');
    expect(app.app_type).toBe('non_interactive');
    expect(app.client_id).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(app.client_secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(app.grant_types).toEqual(['client_credentials']);
    expect(app.jwt_configuration).toEqual({ alg: 'RS256', lifetime_in_seconds: 36000, secret_encoded: false });

    // No grant, no token (spec §2.2).
    const refused = await postToken(server.baseUrl, { grant_type: 'client_credentials', client_id: app.client_id!, client_secret: app.client_secret!, audience: server.init.audience });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('access_denied');
  });

  it('update changes the fields sent and keeps the rest', async () => {
    const { clientId } = await createM2M('before-update');
    const updated = await mgmt.clients.update(clientId, { name: 'after-update', callbacks: ['https://app.e2e.test/callback'] });
    expect(updated.name).toBe('after-update');
    expect(updated.callbacks).toEqual(['https://app.e2e.test/callback']);
    expect(updated.app_type).toBe('non_interactive');
    const fetched = await mgmt.clients.get(clientId);
    expect(fetched.name).toBe('after-update');
    expect(fetched.callbacks).toEqual(['https://app.e2e.test/callback']);
  });

  it('D4 rotate-secret: the old secret is refused at /oauth/token at once, the new one works', async () => {
    const { clientId, clientSecret } = await createM2M('rotating');
    await mgmt.clientGrants.create({ client_id: clientId, audience: server.init.audience, scope: ['read:clients'] });
    const params = { grant_type: 'client_credentials', client_id: clientId, audience: server.init.audience };
    expect((await postToken(server.baseUrl, { ...params, client_secret: clientSecret })).status).toBe(200);

    const rotated = await mgmt.clients.rotateSecret(clientId);
    expect(rotated.client_id).toBe(clientId);
    expect(rotated.client_secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(rotated.client_secret).not.toBe(clientSecret);

    const old = await postToken(server.baseUrl, { ...params, client_secret: clientSecret });
    expect(old).toEqual({ status: 401, body: { error: 'access_denied', error_description: 'Unauthorized' } });
    const fresh = await postToken(server.baseUrl, { ...params, client_secret: rotated.client_secret! });
    expect(fresh.status).toBe(200);
    expect(fresh.body.scope).toBe('read:clients');
  });

  it('delete removes the client: a later get is a 404 NotFoundError with the Auth0 body', async () => {
    const { clientId } = await createM2M('to-delete');
    await mgmt.clients.delete(clientId);
    const error = await failure(() => mgmt.clients.get(clientId));
    expect(error).toBeInstanceOf(Management.NotFoundError);
    const e = error as Management.NotFoundError;
    expect(e.statusCode).toBe(404);
    expect(e.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'The client does not exist', errorCode: 'inexistent_client' });
  });
});

describe('resource servers (spec §3.5.3) through ManagementClient v7', () => {
  let apiId = '';

  it('create answers a custom API with its scopes and Auth0 defaults', async () => {
    const api = await mgmt.resourceServers.create({
      name: 'Things',
      identifier: THINGS,
      signing_alg: 'RS256',
      token_lifetime: 3600,
      scopes: [
        { value: 'read:things', description: 'Read things' },
        { value: 'write:things', description: 'Write things' },
      ],
    });
    apiId = api.id!;
    expect(api.id).toMatch(/^[0-9a-f]{24}$/);
    expect(api.identifier).toBe(THINGS);
    expect(api.name).toBe('Things');
    expect(api.signing_alg).toBe('RS256');
    expect(api.token_lifetime).toBe(3600);
    expect(api.token_lifetime_for_web).toBe(3600);
    expect(api.allow_offline_access).toBe(false);
    expect(api.scopes).toEqual([
      { value: 'read:things', description: 'Read things' },
      { value: 'write:things', description: 'Write things' },
    ]);
  });

  it('list includes the system Management API (is_system) and the custom API', async () => {
    const all = [];
    for await (const api of await mgmt.resourceServers.list()) all.push(api);
    const system = all.find((a) => a.identifier === server.init.audience);
    expect(system?.is_system).toBe(true);
    expect(system?.name).toBe('Auth0 Management API');
    expect(system?.token_lifetime).toBe(86400);
    expect(system?.scopes?.map((s) => s.value)).toContain('read:client_grants');
    expect(all.find((a) => a.identifier === THINGS)?.id).toBe(apiId);
  });

  it('get by id returns the custom API', async () => {
    const api = await mgmt.resourceServers.get(apiId);
    expect(api.identifier).toBe(THINGS);
    expect(api.scopes?.map((s) => s.value)).toEqual(['read:things', 'write:things']);
  });

  it('update changes name and lifetimes', async () => {
    const api = await mgmt.resourceServers.update(apiId, { name: 'Things v2', token_lifetime: 7200 });
    expect(api.name).toBe('Things v2');
    expect(api.token_lifetime).toBe(7200);
    expect(api.token_lifetime_for_web).toBe(3600);
    expect(api.identifier).toBe(THINGS);
  });

  it('the system API cannot be patched: 400 BadRequestError', async () => {
    const system = (await mgmt.resourceServers.list()).data.find((a) => a.is_system)!;
    const error = await failure(() => mgmt.resourceServers.update(system.id!, { name: 'mine now' }));
    expect(error).toBeInstanceOf(Management.BadRequestError);
    expect((error as Management.BadRequestError).body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'System resource servers cannot be patched.',
      errorCode: 'operation_not_supported',
    });
  });

  it('delete removes it: a later get is a 404 NotFoundError', async () => {
    const temp = await mgmt.resourceServers.create({ name: 'Temporary', identifier: 'https://temporary.e2e.test/' });
    await mgmt.resourceServers.delete(temp.id!);
    const error = await failure(() => mgmt.resourceServers.get(temp.id!));
    expect(error).toBeInstanceOf(Management.NotFoundError);
    expect((error as Management.NotFoundError).body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'The resource server does not exist',
      errorCode: 'inexistent_resource_server',
    });
  });
});

describe('client grants (spec §3.5.2) through ManagementClient v7', () => {
  const grantIds: string[] = [];

  beforeAll(async () => {
    await mgmt.resourceServers.create({ name: 'Grants API', identifier: `${THINGS}/grants`, scopes: [{ value: 'read:things' }, { value: 'write:things' }] });
  });

  it('create answers the grant with its scope list', async () => {
    const { clientId } = await createM2M('grantee-0');
    const grant = await mgmt.clientGrants.create({ client_id: clientId, audience: `${THINGS}/grants`, scope: ['read:things'] });
    grantIds.push(grant.id!);
    expect(grant.id).toMatch(/^cgr_[A-Za-z0-9]{16}$/);
    expect(grant.client_id).toBe(clientId);
    expect(grant.audience).toBe(`${THINGS}/grants`);
    expect(grant.scope).toEqual(['read:things']);
    expect(grant.subject_type).toBe('client');
  });

  it('§0 row 6: the iterator follows checkpoint `next` with take=2 and stops when it is absent', async () => {
    for (let i = 1; i < 5; i++) {
      const { clientId } = await createM2M(`grantee-${i}`);
      grantIds.push((await mgmt.clientGrants.create({ client_id: clientId, audience: `${THINGS}/grants`, scope: ['read:things'] })).id!);
    }
    const seen: string[] = [];
    for await (const grant of await mgmt.clientGrants.list({ take: 2, audience: `${THINGS}/grants` })) seen.push(grant.id!);
    expect(seen).toEqual(grantIds);

    let page = await mgmt.clientGrants.list({ take: 2, audience: `${THINGS}/grants` });
    const sizes = [page.data.length];
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      sizes.push(page.data.length);
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect((page.response as { next?: string }).next).toBeUndefined();
  });

  it('update replaces the scope list', async () => {
    const grant = await mgmt.clientGrants.update(grantIds[0]!, { scope: ['read:things', 'write:things'] });
    expect(grant.scope).toEqual(['read:things', 'write:things']);
    expect((await mgmt.clientGrants.get(grantIds[0]!)).scope).toEqual(['read:things', 'write:things']);
  });

  it('delete removes it: a later get is a 404 NotFoundError', async () => {
    await mgmt.clientGrants.delete(grantIds[0]!);
    const error = await failure(() => mgmt.clientGrants.get(grantIds[0]!));
    expect(error).toBeInstanceOf(Management.NotFoundError);
    expect((error as Management.NotFoundError).body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'The grant does not exist.',
      errorCode: 'inexistent_client_grant',
    });
  });
});

describe('scope errors (spec §3.1) through ManagementClient v7', () => {
  let limited: ManagementClient;

  beforeAll(async () => {
    const { clientId, clientSecret } = await createM2M('read-clients-only');
    await mgmt.clientGrants.create({ client_id: clientId, audience: server.init.audience, scope: ['read:clients'] });
    limited = new ManagementClient({ domain: server.domain, clientId, clientSecret });
  });

  it('a read:clients token lists clients but sees no secrets (read:client_keys is needed)', async () => {
    const client = await limited.clients.get(server.init.client_id);
    expect(client.client_id).toBe(server.init.client_id);
    expect(client.grant_types).toEqual(['client_credentials']);
    expect(client.client_secret).toBeUndefined();
  });

  it('a missing scope is a 403 ForbiddenError: "Insufficient scope, expected any of: create:clients"', async () => {
    const error = await failure(() => limited.clients.create({ name: 'not allowed' }));
    expect(error).toBeInstanceOf(Management.ForbiddenError);
    const e = error as Management.ForbiddenError;
    expect(e.statusCode).toBe(403);
    expect(e.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'Insufficient scope, expected any of: create:clients', errorCode: 'insufficient_scope' });
    expect(e.message).toContain('Insufficient scope, expected any of: create:clients');
  });

  it('several accepted scopes are comma-joined in the message (PATCH /clients/{id})', async () => {
    const error = await failure(() => limited.clients.update(server.init.client_id, { name: 'not allowed' }));
    expect(error).toBeInstanceOf(Management.ForbiddenError);
    expect((error as Management.ForbiddenError).body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'Insufficient scope, expected any of: update:clients,update:client_keys,update:client_credentials,update:client_token_vault_privileged_access',
      errorCode: 'insufficient_scope',
    });
  });
});
