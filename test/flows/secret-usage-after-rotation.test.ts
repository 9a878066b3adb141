// Issue 14 (rotation facts): which secret authenticated, and when, is recorded per secret. After a
// token with the old secret and a rotation, the new (current) secret has no use yet; it was shown
// as "last authenticated with the current secret at <the old secret's time>".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedM2M } from '../helpers/fixtures.ts';
import { mgmt, requestToken, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

interface Rotation {
  previous_secret_expires_at?: string;
  last_used_secret?: string;
  last_used_at?: string;
  current_secret_last_used_at?: string;
  previous_secret_last_used_at?: string;
}

let s: TestServer;
let admin: MgmtCaller;

beforeAll(async () => {
  s = await startTestServer();
  admin = mgmt(s, await tokenFor(s, await seedM2M(s, ['read:clients', 'read:client_keys', 'update:client_keys'], { name: 'admin' })));
});
afterAll(() => s.close());

const iso = () => new Date(s.clock.now()).toISOString();
const rotation = async (id: string) => (await admin.get(`/clients/${id}`)).json<{ client_secret_rotation?: Rotation }>().client_secret_rotation;
const rotate = async (id: string, body?: unknown) => {
  const res = await admin.post(`/clients/${id}/rotate-secret`, body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ client_secret: string; client_secret_rotation?: Rotation }>();
};
const token = async (id: string, secret: string) => (await requestToken(s, id, secret, s.tenant.managementAudience)).statusCode;

describe('client_secret_rotation after a rotation', () => {
  it('grace 0: a use of the old secret is not shown as the current one; the first use of the new secret is', async () => {
    const app = await seedM2M(s, ['read:clients'], { name: 'grace 0' });
    expect(await token(app.clientId, app.clientSecret)).toBe(200);
    await s.secretUsage.flush();
    const oldUse = iso();
    expect(await rotation(app.clientId)).toStrictEqual({ last_used_secret: 'current', last_used_at: oldUse, current_secret_last_used_at: oldUse });

    s.clock.advance(60);
    const rotated = await rotate(app.clientId, { previous_secret_grace_seconds: 0 });
    expect(rotated.client_secret_rotation).toBeUndefined();
    expect(await rotation(app.clientId)).toBeUndefined();

    s.clock.advance(60);
    expect(await token(app.clientId, rotated.client_secret)).toBe(200);
    await s.secretUsage.flush();
    expect(await rotation(app.clientId)).toStrictEqual({ last_used_secret: 'current', last_used_at: iso(), current_secret_last_used_at: iso() });
  });

  it('a use noted before the rotation and written after it is not credited to the new secret', async () => {
    const app = await seedM2M(s, ['read:clients'], { name: 'late flush' });
    expect(await token(app.clientId, app.clientSecret)).toBe(200);
    await rotate(app.clientId);
    await s.secretUsage.flush();
    expect(await rotation(app.clientId)).toBeUndefined();
  });

  it('with a grace period: the old secret\'s use moves to previous_secret_last_used_at, the new secret starts with none', async () => {
    const app = await seedM2M(s, ['read:clients'], { name: 'grace 3600' });
    expect(await token(app.clientId, app.clientSecret)).toBe(200);
    await s.secretUsage.flush();
    const oldUse = iso();
    s.clock.advance(60);
    const rotated = await rotate(app.clientId, { previous_secret_grace_seconds: 3600 });
    const expires = new Date(s.clock.now() + 3600_000).toISOString();
    expect(await rotation(app.clientId)).toStrictEqual({ previous_secret_expires_at: expires, last_used_secret: 'previous', last_used_at: oldUse, previous_secret_last_used_at: oldUse });

    s.clock.advance(60);
    expect(await token(app.clientId, rotated.client_secret)).toBe(200);
    await s.secretUsage.flush();
    const newUse = iso();
    expect(await rotation(app.clientId)).toStrictEqual({
      previous_secret_expires_at: expires,
      last_used_secret: 'current',
      last_used_at: newUse,
      current_secret_last_used_at: newUse,
      previous_secret_last_used_at: oldUse,
    });

    // Both in one flush interval: each secret keeps its own time.
    s.clock.advance(1);
    expect(await token(app.clientId, app.clientSecret)).toBe(200);
    const previousUse = iso();
    s.clock.advance(1);
    expect(await token(app.clientId, rotated.client_secret)).toBe(200);
    await s.secretUsage.flush();
    expect(await rotation(app.clientId)).toStrictEqual({
      previous_secret_expires_at: expires,
      last_used_secret: 'current',
      last_used_at: iso(),
      current_secret_last_used_at: iso(),
      previous_secret_last_used_at: previousUse,
    });
  });
});
