// The v4 API of the `auth0` SDK (`auth0/legacy` = auth0@4.37.1) against the real server: the
// ManagementClient managers (getAll/get/create/update/delete, rotateClientSecret), the
// include_totals object form, and AuthenticationClient.oauth.clientCredentialsGrant.
import { AuthApiError, AuthenticationClient, ManagementApiError, ManagementClient } from 'auth0/legacy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToken } from '../helpers/oauth-http.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

const THINGS = 'https://things.e2e.test/v4';

let server: RealServer;
let management: ManagementClient;

beforeAll(async () => {
  server = await startRealServer();
  management = new ManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
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
  const { data } = await management.clients.create({ name, app_type: 'non_interactive' });
  return { clientId: data.client_id, clientSecret: data.client_secret };
}

describe('clients (spec §3.5.1) through the v4 ManagementClient', () => {
  it('getAll() without parameters answers the bare array', async () => {
    const { status, data } = await management.clients.getAll();
    expect(status).toBe(200);
    expect(Array.isArray(data)).toBe(true);
    expect(data.find((c) => c.client_id === server.init.client_id)?.client_secret).toBe(server.init.client_secret);
  });

  it('§3.4 include_totals: getAll({include_totals, page, per_page}) answers {start, limit, total, clients}', async () => {
    for (let i = 0; i < 3; i++) await createM2M(`v4-page-${i}`);
    const total = (await management.clients.getAll()).data.length;
    const first = await management.clients.getAll({ include_totals: true, page: 0, per_page: 2 });
    expect(first.data.start).toBe(0);
    expect(first.data.limit).toBe(2);
    expect(first.data.total).toBe(total);
    expect(first.data.clients).toHaveLength(2);
    const second = await management.clients.getAll({ include_totals: true, page: 1, per_page: 2 });
    expect(second.data.start).toBe(2);
    expect(second.data.clients).toHaveLength(Math.min(2, total - 2));
    expect(second.data.clients.map((c) => c.client_id)).not.toContain(first.data.clients[0]!.client_id);
    const past = await management.clients.getAll({ include_totals: true, page: 100, per_page: 2 });
    expect(past.data).toEqual({ start: 200, limit: 2, total, clients: [] });
  });

  it('get({client_id}) returns the client', async () => {
    const { data } = await management.clients.get({ client_id: server.init.client_id });
    expect(data.client_id).toBe(server.init.client_id);
    expect(data.app_type).toBe('non_interactive');
    expect(data.grant_types).toEqual(['client_credentials']);
  });

  it('create answers 201 with the new M2M application and its secret', async () => {
    const { status, data } = await management.clients.create({ name: 'v4-created', app_type: 'non_interactive' });
    expect(status).toBe(201);
    expect(data.name).toBe('v4-created');
    expect(data.client_id).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(data.client_secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(data.grant_types).toEqual(['client_credentials']);
  });

  it('update({client_id}, body) answers the updated client', async () => {
    const { clientId } = await createM2M('v4-before');
    const { data } = await management.clients.update({ client_id: clientId }, { name: 'v4-after', description: 'renamed' });
    expect(data.name).toBe('v4-after');
    expect(data.description).toBe('renamed');
    expect((await management.clients.get({ client_id: clientId })).data.name).toBe('v4-after');
  });

  it('D4 rotateClientSecret: the old secret is refused at once, the new one gets tokens', async () => {
    const { clientId, clientSecret } = await createM2M('v4-rotating');
    await management.clientGrants.create({ client_id: clientId, audience: server.init.audience, scope: ['read:clients'] });
    const params = { grant_type: 'client_credentials', client_id: clientId, audience: server.init.audience };
    expect((await postToken(server.baseUrl, { ...params, client_secret: clientSecret })).status).toBe(200);

    const { status, data } = await management.clients.rotateClientSecret({ client_id: clientId });
    expect(status).toBe(200);
    expect(data.client_secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(data.client_secret).not.toBe(clientSecret);
    expect(await postToken(server.baseUrl, { ...params, client_secret: clientSecret })).toEqual({ status: 401, body: { error: 'access_denied', error_description: 'Unauthorized' } });
    expect((await postToken(server.baseUrl, { ...params, client_secret: data.client_secret })).status).toBe(200);
  });

  it('delete answers 204; a later get is a ManagementApiError 404 inexistent_client', async () => {
    const { clientId } = await createM2M('v4-delete');
    const { status } = await management.clients.delete({ client_id: clientId });
    expect(status).toBe(204);
    const error = await failure(() => management.clients.get({ client_id: clientId }));
    expect(error).toBeInstanceOf(ManagementApiError);
    const e = error as ManagementApiError;
    expect([e.statusCode, e.error, e.errorCode, e.message]).toEqual([404, 'Not Found', 'inexistent_client', 'The client does not exist']);
  });
});

describe('resource servers (spec §3.5.3) through the v4 ManagementClient', () => {
  let apiId = '';

  it('create answers 201 with the custom API and its scopes', async () => {
    const { status, data } = await management.resourceServers.create({
      name: 'Things v4',
      identifier: THINGS,
      signing_alg: 'RS256',
      scopes: [{ value: 'read:things', description: 'Read things' }],
    });
    apiId = data.id!;
    expect(status).toBe(201);
    expect(data.identifier).toBe(THINGS);
    expect(data.token_lifetime).toBe(86400);
    expect(data.token_lifetime_for_web).toBe(7200);
    expect(data.scopes).toEqual([{ value: 'read:things', description: 'Read things' }]);
  });

  it('getAll() lists the system Management API (is_system) and the custom API', async () => {
    const { data } = await management.resourceServers.getAll();
    expect(data.find((a) => a.identifier === server.init.audience)?.is_system).toBe(true);
    expect(data.find((a) => a.identifier === THINGS)?.id).toBe(apiId);
    const totals = await management.resourceServers.getAll({ include_totals: true, per_page: 1 });
    expect(totals.data.total).toBe(data.length);
    expect(totals.data.resource_servers).toHaveLength(1);
  });

  it('get({id}) returns it; update({id}, body) changes it', async () => {
    expect((await management.resourceServers.get({ id: apiId })).data.name).toBe('Things v4');
    const { data } = await management.resourceServers.update({ id: apiId }, { name: 'Things v4 renamed', token_lifetime: 10800 });
    expect(data.name).toBe('Things v4 renamed');
    expect(data.token_lifetime).toBe(10800);
    expect(data.token_lifetime_for_web).toBe(7200);
  });

  it('delete answers 204; a later get is a 404 inexistent_resource_server', async () => {
    const { data: temp } = await management.resourceServers.create({ name: 'Temp v4', identifier: 'https://temp-v4.e2e.test/' });
    expect((await management.resourceServers.delete({ id: temp.id })).status).toBe(204);
    const e = (await failure(() => management.resourceServers.get({ id: temp.id }))) as ManagementApiError;
    expect(e).toBeInstanceOf(ManagementApiError);
    expect([e.statusCode, e.errorCode, e.message]).toEqual([404, 'inexistent_resource_server', 'The resource server does not exist']);
  });
});

describe('client grants (spec §3.5.2) through the v4 ManagementClient', () => {
  let grantId = '';
  let clientId = '';

  it('create answers 201 with the grant', async () => {
    clientId = (await createM2M('v4-grantee')).clientId;
    const { status, data } = await management.clientGrants.create({ client_id: clientId, audience: THINGS, scope: ['read:things'] });
    grantId = data.id!;
    expect(status).toBe(201);
    expect(data).toEqual({ id: grantId, client_id: clientId, audience: THINGS, scope: ['read:things'], subject_type: 'client' });
  });

  it('getAll filters by client_id (bare array) and honours include_totals (object form)', async () => {
    const { data } = await management.clientGrants.getAll({ client_id: clientId });
    expect(data).toEqual([{ id: grantId, client_id: clientId, audience: THINGS, scope: ['read:things'], subject_type: 'client' }]);
    const totals = await management.clientGrants.getAll({ include_totals: true, audience: THINGS });
    expect(totals.data).toEqual({ start: 0, limit: 50, total: 1, client_grants: data });
  });

  it('update({id}, {scope}) replaces the scope list', async () => {
    const { data } = await management.clientGrants.update({ id: grantId }, { scope: [] });
    expect(data.scope).toEqual([]);
  });

  it('delete answers 204 and is idempotent (spec §8)', async () => {
    expect((await management.clientGrants.delete({ id: grantId })).status).toBe(204);
    expect((await management.clientGrants.delete({ id: grantId })).status).toBe(204);
    expect((await management.clientGrants.getAll({ client_id: clientId })).data).toEqual([]);
  });
});

describe('AuthenticationClient (spec §2.2) from auth0/legacy', () => {
  it('oauth.clientCredentialsGrant({audience}) answers {access_token, expires_in, token_type, scope}', async () => {
    const auth = new AuthenticationClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
    const { status, data } = await auth.oauth.clientCredentialsGrant({ audience: server.init.audience });
    expect(status).toBe(200);
    expect(Object.keys(data).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(data.token_type).toBe('Bearer');
    expect(data.expires_in).toBe(86400);
    // TokenSet does not declare `scope`; the wire has it, equal to the token's scope claim.
    const { scope } = data as typeof data & { scope: string };
    const claims = JSON.parse(Buffer.from(data.access_token.split('.')[1]!, 'base64url').toString('utf8')) as { scope: string };
    expect(scope).toBe(claims.scope);
    expect(scope.split(' ')).toEqual(expect.arrayContaining(['create:clients', 'read:client_keys', 'update:client_keys']));
    // The token works with the v4 ManagementClient as a plain token.
    const byToken = new ManagementClient({ domain: server.domain, token: data.access_token });
    expect((await byToken.clients.get({ client_id: server.init.client_id })).data.client_id).toBe(server.init.client_id);
  });

  it('D1: a wrong secret is an AuthApiError 401 access_denied "Unauthorized"', async () => {
    const auth = new AuthenticationClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: 'not-the-secret' });
    const error = await failure(() => auth.oauth.clientCredentialsGrant({ audience: server.init.audience }));
    expect(error).toBeInstanceOf(AuthApiError);
    const e = error as AuthApiError;
    expect([e.statusCode, e.error, e.error_description, e.message]).toEqual([401, 'access_denied', 'Unauthorized', 'Unauthorized']);
  });

  it('a missing scope surfaces as ManagementApiError 403 insufficient_scope with the message', async () => {
    const { clientId: id, clientSecret } = await createM2M('v4-read-only');
    await management.clientGrants.create({ client_id: id, audience: server.init.audience, scope: ['read:clients'] });
    const limited = new ManagementClient({ domain: server.domain, clientId: id, clientSecret });
    const e = (await failure(() => limited.clientGrants.getAll())) as ManagementApiError;
    expect(e).toBeInstanceOf(ManagementApiError);
    expect([e.statusCode, e.error, e.errorCode, e.message]).toEqual([403, 'Forbidden', 'insufficient_scope', 'Insufficient scope, expected any of: read:client_grants']);
  });
});
