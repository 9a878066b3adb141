// Issue 12, E2: POST /api/v2/clients/{id}/rotate-secret ignores its body as Auth0 does (Auth0's
// Python SDK posts {"id": "<client id>"}), while Scopeward's grace-period extension
// ({"previous_secret_grace_seconds": N}) keeps working and stays strictly checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { expectMgmtError, mgmt, requestToken, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let s: TestServer;
let admin: MgmtCaller;

beforeAll(async () => {
  s = await startTestServer();
  admin = mgmt(s, await tokenFor(s, await seedM2M(s, ['read:clients', 'read:client_keys', 'update:client_keys'], { name: 'admin' })));
});
afterAll(() => s.close());

const statusWith = async (app: M2M, secret: string) => (await requestToken(s, app.clientId, secret, s.tenant.managementAudience)).statusCode;

describe('E2: rotate-secret with a body Auth0 ignores', () => {
  it('the Python SDK\'s clients.rotate_secret(id): {"id": "<client id>"} → 200, a new secret, the old one refused at once', async () => {
    const app = await seedM2M(s, ['read:clients'], { name: 'python sdk' });
    const res = await s.inject({
      method: 'POST',
      url: `/api/v2/clients/${app.clientId}/rotate-secret`,
      headers: { authorization: admin.authorization, 'content-type': 'application/json' },
      payload: `{"id": "${app.clientId}"}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    const rotated = res.json<{ client_id: string; client_secret: string; client_secret_rotation?: unknown }>();
    expect(rotated.client_id).toBe(app.clientId);
    expect(rotated.client_secret).not.toBe(app.clientSecret);
    expect(rotated.client_secret_rotation).toBeUndefined();
    expect(await statusWith(app, app.clientSecret)).toBe(401);
    expect(await statusWith(app, rotated.client_secret)).toBe(200);
  });

  it.each([[{}], [{ id: 'someone-else' }], [{ name: 'x', extra: { nested: true } }]])('%j → 200, immediate rotation', async (body) => {
    const app = await seedM2M(s, ['read:clients']);
    const res = await admin.post(`/clients/${app.clientId}/rotate-secret`, body);
    expect(res.statusCode, res.body).toBe(200);
    expect(await statusWith(app, app.clientSecret)).toBe(401);
  });
});

describe('E2: the grace-period extension keeps working', () => {
  it('{"previous_secret_grace_seconds": 60}: both secrets authenticate until the period ends', async () => {
    const app = await seedM2M(s, ['read:clients']);
    const res = await admin.post(`/clients/${app.clientId}/rotate-secret`, { previous_secret_grace_seconds: 60 });
    expect(res.statusCode, res.body).toBe(200);
    const rotated = res.json<{ client_secret: string; client_secret_rotation: { previous_secret_expires_at: string } }>();
    expect(rotated.client_secret_rotation.previous_secret_expires_at).toBe(new Date(s.clock.now() + 60_000).toISOString());
    expect(await statusWith(app, app.clientSecret)).toBe(200);
    expect(await statusWith(app, rotated.client_secret)).toBe(200);
    s.clock.advance(61);
    expect(await statusWith(app, app.clientSecret)).toBe(401);
  });

  it('a body naming the extension is still checked strictly: a companion field is refused, nothing rotated', async () => {
    const app = await seedM2M(s, ['read:clients']);
    expectMgmtError(await admin.post(`/clients/${app.clientId}/rotate-secret`, { previous_secret_grace_seconds: 60, id: app.clientId }), 400, "Payload validation error: 'Additional properties not allowed: id'.", 'invalid_body');
    expect(await statusWith(app, app.clientSecret)).toBe(200);
  });
});
