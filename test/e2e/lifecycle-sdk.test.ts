// Issue 3 end to end with the official SDKs against the real server: tenant settings (auth0 v7
// `tenants.settings`, v4 `tenants.getSettings/updateSettings`), the tenant log (v7 `logs.list` and
// its page iteration, v4 `logs.getAll({q})`), signing keys (v7 `keys.signing` list, rotate, revoke,
// after which a token signed by the revoked key is refused), and a SIGTERM with tenant-log events
// still queued: after the restart they are in GET /logs (shutdown flushes).
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { ManagementClient, type Management } from 'auth0';
import { ManagementClient as LegacyManagementClient } from 'auth0/legacy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientCredentialsToken, postToken } from '../helpers/oauth-http.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';
import { settingsView as shown } from '../../src/management/tenant-settings-shape.ts';

let server: RealServer;

beforeAll(async () => {
  server = await startRealServer();
});
afterAll(async () => {
  await server?.cleanup();
});

/** A v7 client as a user configures it; it fetches (and caches) its own token. */
const v7 = () => new ManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });

/** A fresh M2M application with a Management API grant, and a way to get tokens for it. */
async function application(mgmt: ManagementClient, name: string) {
  const app = await mgmt.clients.create({ name, app_type: 'non_interactive', grant_types: ['client_credentials'] });
  await mgmt.clientGrants.create({ client_id: app.client_id!, audience: server.init.audience, scope: ['read:clients'] });
  const token = async () => {
    const { status, body } = await postToken(server.baseUrl, { grant_type: 'client_credentials', client_id: app.client_id!, client_secret: app.client_secret!, audience: server.init.audience });
    expect(status, JSON.stringify(body)).toBe(200);
    return body.access_token as string;
  };
  return { clientId: app.client_id!, token };
}

/** `n` tokens for `app`, ten requests at a time; returns their jti values. */
async function tokens(app: { token(): Promise<string> }, n: number): Promise<string[]> {
  const jtis: string[] = [];
  for (let i = 0; i < n; i += 10) jtis.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, async () => decodeJwt(await app.token()).jti!))));
  return jtis;
}

const api = (token: string, path: string) => fetch(`${server.baseUrl}/api/v2${path}`, { headers: { authorization: `Bearer ${token}` } });

describe('tenant settings (spec §3.5.7) through the SDKs', () => {
  it('v7 tenants.settings.get() and update({friendly_name, support_email, default_audience}); the default audience then serves /oauth/token', async () => {
    const mgmt = v7();
    // Issue 12 (E4): answers show the stored settings over Auth0's defaults.
    expect(await mgmt.tenants.settings.get()).toStrictEqual(shown({ friendly_name: 'default' }));
    const update = { friendly_name: 'E2E Tenant', support_email: 'help@e2e.test', default_audience: server.init.audience };
    expect(await mgmt.tenants.settings.update(update)).toStrictEqual(shown(update));
    expect(await mgmt.tenants.settings.get({ fields: 'friendly_name,support_email', include_fields: true })).toStrictEqual({ friendly_name: 'E2E Tenant', support_email: 'help@e2e.test' });

    const { status, body } = await postToken(server.baseUrl, { grant_type: 'client_credentials', client_id: server.init.client_id, client_secret: server.init.client_secret });
    expect(status).toBe(200);
    expect(decodeJwt(body.access_token as string).aud).toBe(server.init.audience);
  });

  it('v7: an unknown key is a BadRequestError carrying Auth0\'s invalid_body', async () => {
    const error = await v7()
      .tenants.settings.update({ colour: 'blue' } as Management.UpdateTenantSettingsRequestContent)
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as { statusCode: number; body: unknown }).statusCode).toBe(400);
    expect((error as { body: unknown }).body).toStrictEqual({ statusCode: 400, error: 'Bad Request', message: "Payload validation error: 'Additional properties not allowed: colour'.", errorCode: 'invalid_body' });
  });

  it('v4 (auth0/legacy) tenants.getSettings() and updateSettings() merge and answer the full object', async () => {
    const legacy = new LegacyManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
    const before = (await legacy.tenants.getSettings()).data;
    expect(before).toMatchObject({ friendly_name: 'E2E Tenant', support_email: 'help@e2e.test' });
    const { status, data } = await legacy.tenants.updateSettings({ support_url: 'https://help.e2e.test/', flags: { enable_sso: true } });
    expect([status, data]).toStrictEqual([200, { ...before, support_url: 'https://help.e2e.test/', flags: { ...before.flags, enable_sso: true } }]);
    expect((await legacy.tenants.getSettings()).data).toStrictEqual(data);
  });
});

describe('the tenant log (spec §3.5.9) through the SDKs', () => {
  let app: Awaited<ReturnType<typeof application>>;
  let jtis: string[];

  beforeAll(async () => {
    const mgmt = v7();
    // 60 token requests from one client exceed the default 50 a second: raise it first.
    const limits = { rate_limits: { token_endpoint: { limit: 1000, window_seconds: 1 } } } as Management.UpdateTenantSettingsRequestContent;
    expect(await mgmt.tenants.settings.update(limits)).toMatchObject(limits);
    app = await application(mgmt, 'log iteration');
    jtis = await tokens(app, 60);
    // Written in batches off the request path (every 250 ms): wait until all are there.
    const total = async () => (await mgmt.logs.list({ search: `type:seccft AND client_id:${app.clientId}`, per_page: 1 })).response.total;
    for (let waited = 0; (await total()) !== 60; waited += 100) {
      if (waited > 10_000) throw new Error(`only ${await total()} of 60 seccft events were written`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('v7 logs.list() reads the include_totals object; its events have the Auth0 shape', async () => {
    const page = await v7().logs.list({ search: `client_id:${app.clientId}`, per_page: 25 });
    const { logs, ...rest } = page.response as { logs: Management.Log[] };
    expect(rest).toStrictEqual({ start: 0, limit: 25, length: 25, total: 60 });
    expect(page.data).toStrictEqual(logs);
    const event = page.data[0]!;
    expect(event).toStrictEqual({
      date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      type: 'seccft',
      description: 'Client Credentials for Access Token',
      connection: null,
      connection_id: '',
      client_id: app.clientId,
      client_name: 'log iteration',
      ip: expect.any(String),
      user_agent: 'node',
      hostname: server.domain,
      user_id: '',
      user_name: '',
      audience: server.init.audience,
      scope: 'read:clients',
      details: { access_token_jti: expect.any(String) },
      log_id: expect.stringMatching(/^\d{56}$/),
      _id: event.log_id,
      isMobile: false,
    });
    expect(jtis).toContain((event.details as { access_token_jti: string }).access_token_jti);
    expect(await v7().logs.get(event.log_id!)).toStrictEqual(event);
  });

  it('v7: iterating the pages yields every event once, newest first, and stops after the last page', async () => {
    const page = await v7().logs.list({ search: `client_id:${app.clientId}`, per_page: 25 });
    const seen: Management.Log[] = [];
    for await (const log of page) seen.push(log);
    expect(seen).toHaveLength(60);
    expect(new Set(seen.map((l) => (l.details as { access_token_jti: string }).access_token_jti))).toStrictEqual(new Set(jtis));
    const ids = seen.map((l) => l.log_id!);
    expect(ids).toStrictEqual([...ids].sort().reverse());
  });

  it('v4 (auth0/legacy) logs.getAll({q: "type:seccft"}) answers only seccft events, as a bare array or with totals', async () => {
    const legacy = new LegacyManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
    const { data } = await legacy.logs.getAll({ q: 'type:seccft', per_page: 100 });
    expect(data.length).toBeGreaterThanOrEqual(61);
    expect(new Set(data.map((l) => l.type))).toStrictEqual(new Set(['seccft']));
    const withTotals = (await legacy.logs.getAll({ q: `type:seccft AND client_id:${app.clientId}`, per_page: 10, page: 5, include_totals: true })).data as unknown as { start: number; limit: number; length: number; total: number };
    expect({ ...withTotals, logs: undefined }).toStrictEqual({ start: 50, limit: 10, length: 10, total: 60, logs: undefined });
  });
});

describe('signing keys (spec §3.5.8) through auth0 v7', () => {
  it('list, rotate (the SDK token holds both scopes), revoke the previous key: its tokens are refused and it leaves the JWKS', async () => {
    const mgmt = v7();
    const before = await mgmt.keys.signing.list();
    const current = before.find((k) => k.current)!;
    const next = before.find((k) => k.next)!;
    expect([current, next].every(Boolean)).toBe(true);
    const oldToken = await clientCredentialsToken(server.baseUrl, server.init.client_id, server.init.client_secret, server.init.audience);
    expect(decodeProtectedHeader(oldToken).kid).toBe(current.kid);

    const rotated = await mgmt.keys.signing.rotate();
    expect(rotated.kid).toBe(next.kid);
    const after = await mgmt.keys.signing.list();
    expect(after.find((k) => k.current)?.kid).toBe(next.kid);
    expect(after.find((k) => k.previous)?.kid).toBe(current.kid);
    expect(after.find((k) => k.next)?.kid).not.toBe(next.kid);
    expect((await api(oldToken, '/clients?per_page=1')).status).toBe(200);

    const revoked = await mgmt.keys.signing.revoke(current.kid);
    expect(revoked).toMatchObject({ kid: current.kid, revoked: true, revoked_at: expect.any(String) });
    const refused = await api(oldToken, '/clients?per_page=1');
    expect(refused.status).toBe(401);
    const jwks = (await (await fetch(`${server.baseUrl}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).not.toContain(current.kid);
    // A new client (its token signed by the new current key) sees the revoked key listed as such.
    expect((await v7().keys.signing.get(current.kid)).revoked).toBe(true);
  });
});

describe('graceful shutdown (issue 3: events are written off the request path)', () => {
  it('SIGTERM right after requests whose events may still be queued: after the restart they are all in GET /logs', async () => {
    const app = await application(v7(), 'queued at shutdown');
    const jtis = await tokens(app, 20);
    await server.restart(); // SIGTERM, then the same data dir again
    const page = await v7().logs.list({ search: `type:seccft AND client_id:${app.clientId}`, per_page: 100 });
    expect(new Set(page.data.map((l) => (l.details as { access_token_jti: string }).access_token_jti))).toStrictEqual(new Set(jtis));
    expect(server.output()).not.toMatch(/audit log write failed|dropped/);
  });
});
