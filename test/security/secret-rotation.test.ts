// Client-secret rotation (security catalogue §4.15 T-SR-01/02, D4, D6): Auth0's immediate rotation
// by default; Scopeward's optional grace period ({"previous_secret_grace_seconds": N}) during which
// both secrets authenticate and the client shows when the old one stops and which secret was last
// used; what a new secret is made of and who may read it. T-SR-04 (ciphertext swap) is in
// secrets-at-rest.test.ts; two rotations racing on two servers (T-MI-07) in secret-rotation-race.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagementClient } from 'auth0';
import { TEXT } from '../../src/management/errors.ts';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedM2M } from '../helpers/fixtures.ts';
import { expectMgmtError, JSON_UTF8, mgmt, requestToken, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { postToken } from '../helpers/oauth-http.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const ADMIN = ['read:clients', 'read:client_keys', 'create:clients', 'create:client_grants', 'update:client_keys'];
const UNAUTHORIZED = { error: 'access_denied', error_description: 'Unauthorized' };
const GRACE = 3600;

interface ClientBody {
  client_id: string;
  client_secret: string;
  client_secret_rotation?: { previous_secret_expires_at?: string; last_used_secret?: string; last_used_at?: string };
  [field: string]: unknown;
}

let s: TestServer;
let admin: MgmtCaller;

beforeAll(async () => {
  s = await startTestServer();
  admin = mgmt(s, await tokenFor(s, await seedM2M(s, ADMIN, { name: 'admin' })));
});
afterAll(() => s.close());

const iso = (ms = s.clock.now()) => new Date(ms).toISOString();

/** A new M2M application (through the API) holding a Management API grant. */
async function newApp(name: string): Promise<ClientBody> {
  const created = await admin.post('/clients', { name, app_type: 'non_interactive' });
  expect(created.statusCode).toBe(201);
  const app = created.json<ClientBody>();
  expect((await admin.post('/client-grants', { client_id: app.client_id, audience: s.tenant.managementAudience, scope: ['read:clients'] })).statusCode).toBe(201);
  return app;
}

/** 200 or the exact 401 of D1, as [status, body-or-'token']. */
async function tokenWith(clientId: string, secret: string): Promise<[number, unknown]> {
  const res = await requestToken(s, clientId, secret, s.tenant.managementAudience);
  return res.statusCode === 200 ? [200, 'token'] : [res.statusCode, res.json()];
}

async function rotate(clientId: string, body?: unknown): Promise<ClientBody> {
  const res = await admin.post(`/clients/${clientId}/rotate-secret`, body);
  expect([res.statusCode, res.headers['content-type']], res.body).toEqual([200, JSON_UTF8]);
  return res.json<ClientBody>();
}

const read = async (clientId: string) => (await admin.get(`/clients/${clientId}`)).json<ClientBody>();

describe('T-SR-01 / D4: without a grace period (Auth0)', () => {
  it('the old secret → 401 at once, the new one → 200; a token issued before keeps working until exp (D6)', async () => {
    const app = await newApp('immediate');
    const issued = (await requestToken(s, app.client_id, app.client_secret, s.tenant.managementAudience)).json<{ access_token: string }>().access_token;
    const rotated = await rotate(app.client_id);
    expect(rotated).toStrictEqual({ ...app, client_secret: rotated.client_secret });
    expect(await tokenWith(app.client_id, app.client_secret)).toEqual([401, UNAUTHORIZED]);
    expect(await tokenWith(app.client_id, rotated.client_secret)).toEqual([200, 'token']);
    const use = async () => (await mgmt(s, issued).get('/clients?fields=client_id')).statusCode;
    expect(await use()).toBe(200);
    const start = s.clock.now();
    try {
      s.clock.advance(86400 + 30); // exp plus the 30 s leeway (D3)
      expect(await use()).toBe(200);
      s.clock.advance(1);
      expect(await use()).toBe(401);
    } finally {
      s.clock.set(start);
    }
  });

  it.each([[{}], [{ previous_secret_grace_seconds: 0 }]])('%j is the same immediate rotation, with no client_secret_rotation shown', async (body) => {
    const app = await newApp('immediate body');
    const rotated = await rotate(app.client_id, body);
    expect(rotated).not.toHaveProperty('client_secret_rotation');
    expect(await tokenWith(app.client_id, app.client_secret)).toEqual([401, UNAUTHORIZED]);
    expect(await tokenWith(app.client_id, rotated.client_secret)).toEqual([200, 'token']);
  });
});

describe('T-SR-01 / D4: with {"previous_secret_grace_seconds": 3600}', () => {
  let app: ClientBody;
  let rotated: ClientBody;
  let rotatedAt: number;
  let start: number;
  beforeAll(async () => {
    start = s.clock.now();
    app = await newApp('graceful');
    rotatedAt = s.clock.now();
    rotated = await rotate(app.client_id, { previous_secret_grace_seconds: GRACE });
  });
  afterAll(() => s.clock.set(start));

  const shown = async () => (await read(app.client_id)).client_secret_rotation;

  it('answers the client with its new secret and when the old one stops; GET /clients/{id} shows it', async () => {
    expect(await shown()).toStrictEqual({ previous_secret_expires_at: iso(rotatedAt + GRACE * 1000) });
    expect(rotated).toStrictEqual({ ...app, client_secret: rotated.client_secret, client_secret_rotation: { previous_secret_expires_at: iso(rotatedAt + GRACE * 1000) } });
    expect(rotated.client_secret).not.toBe(app.client_secret);
  });

  it('both secrets authenticate during the grace period, by body and by Basic', async () => {
    expect(await tokenWith(app.client_id, app.client_secret)).toEqual([200, 'token']);
    expect(await tokenWith(app.client_id, rotated.client_secret)).toEqual([200, 'token']);
    const basic = (secret: string) =>
      s.inject({ method: 'POST', url: '/oauth/token', headers: { authorization: `Basic ${Buffer.from(`${app.client_id}:${secret}`).toString('base64')}` }, payload: { grant_type: 'client_credentials', audience: s.tenant.managementAudience } });
    expect((await basic(app.client_secret)).statusCode).toBe(200);
    expect((await basic(rotated.client_secret)).statusCode).toBe(200);
    expect((await basic(`${app.client_secret}x`)).statusCode).toBe(401);
  });

  it('last_used_secret / last_used_at say which secret authenticated last, and when (after the usage flush)', async () => {
    s.clock.advance(10);
    expect(await tokenWith(app.client_id, app.client_secret)).toEqual([200, 'token']);
    await s.secretUsage.flush();
    const previousAt = iso();
    // The earlier test's uses were at rotatedAt: the later one counts.
    expect(await shown()).toMatchObject({ previous_secret_expires_at: iso(rotatedAt + GRACE * 1000), last_used_secret: 'previous', last_used_at: previousAt, previous_secret_last_used_at: previousAt });
    s.clock.advance(10);
    expect(await tokenWith(app.client_id, rotated.client_secret)).toEqual([200, 'token']);
    await s.secretUsage.flush();
    expect(await shown()).toStrictEqual({
      previous_secret_expires_at: iso(rotatedAt + GRACE * 1000),
      last_used_secret: 'current',
      last_used_at: iso(),
      current_secret_last_used_at: iso(),
      previous_secret_last_used_at: previousAt,
    });
  });

  it('a failed authentication is not a use', async () => {
    const before = (await read(app.client_id)).client_secret_rotation;
    s.clock.advance(10);
    expect((await tokenWith(app.client_id, 'not-the-secret'))[0]).toBe(401);
    await s.secretUsage.flush();
    expect((await read(app.client_id)).client_secret_rotation).toStrictEqual(before);
  });

  it('at the end of the grace period the old secret → 401 and previous_secret_expires_at disappears', async () => {
    s.clock.set(rotatedAt + GRACE * 1000 - 1000);
    expect(await tokenWith(app.client_id, app.client_secret)).toEqual([200, 'token']);
    s.clock.set(rotatedAt + GRACE * 1000);
    expect(await tokenWith(app.client_id, app.client_secret)).toEqual([401, UNAUTHORIZED]);
    expect(await tokenWith(app.client_id, rotated.client_secret)).toEqual([200, 'token']);
    await s.secretUsage.flush();
    expect(await shown()).toStrictEqual({ last_used_secret: 'current', last_used_at: iso(), current_secret_last_used_at: iso() });
  });
});

describe('GET /clients shows client_secret_rotation as GET /clients/{id} does, when `fields` names it', () => {
  // Secret use publishes a `client_usage` change that drops the list caches, and no serialized
  // list view is cached while a grace period runs (the answer changes when it ends). Since issue 12
  // (E3) the list, which configuration-as-code tools write back, shows it only when asked for.
  it('during and after a grace period, with and without read:client_keys', async () => {
    const start = s.clock.now();
    try {
      const app = await newApp('listed');
      const reader = mgmt(s, await tokenFor(s, await seedM2M(s, ['read:clients'], { name: 'list reader' })));
      const inList = async (caller: MgmtCaller) => (await caller.get('/clients?per_page=100&fields=client_id,client_secret_rotation')).json<ClientBody[]>().find((c) => c.client_id === app.client_id)!.client_secret_rotation;
      const views = async () => ({ list: await inList(admin), listWithoutSecrets: await inList(reader) });
      await rotate(app.client_id, { previous_secret_grace_seconds: 60 });
      expect(await views()).toStrictEqual({ list: (await read(app.client_id)).client_secret_rotation, listWithoutSecrets: (await read(app.client_id)).client_secret_rotation });
      s.clock.advance(5);
      expect(await tokenWith(app.client_id, app.client_secret)).toEqual([200, 'token']);
      await s.secretUsage.flush();
      const during = (await read(app.client_id)).client_secret_rotation;
      expect(during).toHaveProperty('last_used_secret', 'previous');
      expect(await views()).toStrictEqual({ list: during, listWithoutSecrets: during });
      s.clock.advance(60);
      const after = (await read(app.client_id)).client_secret_rotation;
      // The old secret's use ends with its grace period; the new one was never used: nothing to show.
      expect(after).toBeUndefined();
      expect(await views()).toStrictEqual({ list: after, listWithoutSecrets: after });
    } finally {
      s.clock.set(start);
    }
  });
});

describe('D4: rotations in a row', () => {
  it('a second graceful rotation keeps only the secret it replaced; the first one stops at once', async () => {
    const app = await newApp('twice graceful');
    const second = await rotate(app.client_id, { previous_secret_grace_seconds: GRACE });
    const third = await rotate(app.client_id, { previous_secret_grace_seconds: 60 });
    expect(third.client_secret_rotation).toStrictEqual({ previous_secret_expires_at: iso(s.clock.now() + 60_000) });
    expect(await tokenWith(app.client_id, app.client_secret)).toEqual([401, UNAUTHORIZED]);
    expect(await tokenWith(app.client_id, second.client_secret)).toEqual([200, 'token']);
    expect(await tokenWith(app.client_id, third.client_secret)).toEqual([200, 'token']);
  });

  it('an immediate rotation during a grace period ends it: both older secrets → 401', async () => {
    const app = await newApp('graceful then immediate');
    const second = await rotate(app.client_id, { previous_secret_grace_seconds: GRACE });
    const third = await rotate(app.client_id);
    expect(third).not.toHaveProperty('client_secret_rotation');
    expect(await tokenWith(app.client_id, app.client_secret)).toEqual([401, UNAUTHORIZED]);
    expect(await tokenWith(app.client_id, second.client_secret)).toEqual([401, UNAUTHORIZED]);
    expect(await tokenWith(app.client_id, third.client_secret)).toEqual([200, 'token']);
  });
});

describe('D4: invalid grace periods → 400 invalid_body, nothing rotated', () => {
  let app: ClientBody;
  beforeAll(async () => {
    app = await newApp('invalid grace');
  });

  it.each([
    [{ previous_secret_grace_seconds: -1 }, "Payload validation error: 'Value -1 is less than minimum 0' on property previous_secret_grace_seconds."],
    [{ previous_secret_grace_seconds: 2_592_001 }, "Payload validation error: 'Value 2592001 is greater than maximum 2592000' on property previous_secret_grace_seconds."],
    [{ previous_secret_grace_seconds: '3600' }, "Payload validation error: 'Expected type integer but found type string' on property previous_secret_grace_seconds."],
    [{ previous_secret_grace_seconds: 1.5 }, "Payload validation error: 'Expected type integer but found type number' on property previous_secret_grace_seconds."],
    [{ previous_secret_grace_seconds: null }, "Payload validation error: 'Expected type integer but found type null' on property previous_secret_grace_seconds."],
    [{ previous_secret_grace_seconds: 60, grace: 60 }, "Payload validation error: 'Additional properties not allowed: grace'."],
  ])('%j', async (body, message) => {
    expectMgmtError(await admin.post(`/clients/${app.client_id}/rotate-secret`, body), 400, message, 'invalid_body');
    expect(await tokenWith(app.client_id, app.client_secret)).toEqual([200, 'token']);
    expect((await read(app.client_id)).client_secret).toBe(app.client_secret);
  });

  it('the largest grace period (30 days) is accepted', async () => {
    const rotated = await rotate(app.client_id, { previous_secret_grace_seconds: 2_592_000 });
    expect(rotated.client_secret_rotation).toStrictEqual({ previous_secret_expires_at: iso(s.clock.now() + 2_592_000_000) });
  });
});

describe('T-SR-02: what a rotated secret is, and who may read it', () => {
  it('≥ 256 bits, never one seen before (10 rotations), returned by the rotation', async () => {
    const app = await newApp('many rotations');
    const seen = [app.client_secret];
    for (let i = 0; i < 10; i++) seen.push((await rotate(app.client_id)).client_secret);
    expect(new Set(seen).size).toBe(11);
    for (const secret of seen) {
      expect(secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
      expect(Buffer.from(secret, 'base64url').length * 8).toBeGreaterThanOrEqual(256);
    }
    expect((await read(app.client_id)).client_secret).toBe(seen.at(-1));
  });

  it('readable later with read:client_keys only; rotating needs update:client_keys', async () => {
    const app = await newApp('who reads');
    const { client_secret: secret } = await rotate(app.client_id);
    for (const scope of ['read:clients', 'read:client_credentials', 'read:client_summary']) {
      const view = (await mgmt(s, await tokenFor(s, await seedM2M(s, [scope]))).get(`/clients/${app.client_id}`)).json<ClientBody>();
      expect(view).not.toHaveProperty('client_secret');
    }
    expect((await mgmt(s, await tokenFor(s, await seedM2M(s, ['read:client_keys']))).get(`/clients/${app.client_id}`)).json<ClientBody>().client_secret).toBe(secret);
    const updater = mgmt(s, await tokenFor(s, await seedM2M(s, ['update:clients', 'read:client_keys'])));
    expectMgmtError(await updater.post(`/clients/${app.client_id}/rotate-secret`), 403, TEXT.insufficientScope(['update:client_keys']), 'insufficient_scope');
    expect((await read(app.client_id)).client_secret).toBe(secret);
  });
});

describe('the auth0 v7 SDK (real server): clients.rotateSecret(id) sends no body and rotates at once', { timeout: 60_000 }, () => {
  let server: RealServer;
  let sdk: ManagementClient;
  beforeAll(async () => {
    server = await startRealServer();
    sdk = new ManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it('after a graceful rotation over HTTP, the SDK rotation ends the grace: every older secret → 401', async () => {
    const app = await sdk.clients.create({ name: 'sdk rotation', app_type: 'non_interactive' });
    await sdk.clientGrants.create({ client_id: app.client_id!, audience: server.init.audience, scope: ['read:clients'] });
    const accessToken = await (async () => {
      const res = await postToken(server.baseUrl, { grant_type: 'client_credentials', client_id: server.init.client_id, client_secret: server.init.client_secret, audience: server.init.audience });
      return String(res.body.access_token);
    })();
    const graceful = await fetch(`${server.baseUrl}/api/v2/clients/${app.client_id!}/rotate-secret`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ previous_secret_grace_seconds: 600 }),
    });
    const second = (await graceful.json()) as ClientBody;
    expect(graceful.status).toBe(200);
    expect(Object.keys(second.client_secret_rotation ?? {})).toEqual(['previous_secret_expires_at']);

    const params = { grant_type: 'client_credentials', client_id: app.client_id!, audience: server.init.audience };
    expect((await postToken(server.baseUrl, { ...params, client_secret: app.client_secret! })).status).toBe(200);

    const third = await sdk.clients.rotateSecret(app.client_id!);
    expect(third.client_id).toBe(app.client_id);
    expect(third.client_secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(third).not.toHaveProperty('client_secret_rotation');
    for (const old of [app.client_secret!, second.client_secret]) {
      expect(await postToken(server.baseUrl, { ...params, client_secret: old })).toEqual({ status: 401, body: UNAUTHORIZED });
    }
    expect((await postToken(server.baseUrl, { ...params, client_secret: third.client_secret! })).status).toBe(200);
  });
});
