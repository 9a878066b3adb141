// /api/v2/user-blocks/{id}: brute-force blocks (10 failed logins from one address, Auth0's
// threshold) shown as {blocked_for: [{identifier, ip}]} and lifted by DELETE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mgmtToken } from '../helpers/mgmt.ts';
import { seedUser } from '../helpers/fixtures.ts';
import { expectMgmtError, expectNoContent, JSON_UTF8, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let s: TestServer;
let api: MgmtCaller;

beforeAll(async () => {
  s = await startTestServer();
  api = mgmt(s, await mgmtToken(s, ['read:users', 'update:users']));
});
afterAll(() => s.close());

async function fail(userId: string, ip: string, times: number): Promise<void> {
  const at = new Date(s.clock.now()).toISOString();
  for (let i = 0; i < times; i++) await s.storage.loginFailures.recordFailure(s.tenant.id, userId, ip, at, 10);
}

describe('GET /user-blocks/{id}', () => {
  it('lists each blocked address with the login identifier; failures below the threshold are not blocks', async () => {
    const u = await seedUser(s, { email: 'locked@example.com' });
    await fail(u.userId, '203.0.113.1', 10);
    await fail(u.userId, '203.0.113.2', 9);
    await fail(u.userId, '2001:db8::1', 11);
    const res = await api.get(`/user-blocks/${encodeURIComponent(u.userId)}`);
    expect([res.statusCode, res.headers['content-type']]).toEqual([200, JSON_UTF8]);
    const body = res.json<{ blocked_for: { identifier: string; ip: string }[] }>();
    expect(body.blocked_for.sort((a, b) => a.ip.localeCompare(b.ip))).toStrictEqual([
      { identifier: 'locked@example.com', ip: '2001:db8::1' },
      { identifier: 'locked@example.com', ip: '203.0.113.1' },
    ]);
  });

  it('{"blocked_for": []} for a user without blocks; the username names a user without email', async () => {
    const clean = await seedUser(s, { email: 'clean@example.com' });
    expect((await api.get(`/user-blocks/${encodeURIComponent(clean.userId)}`)).json()).toStrictEqual({ blocked_for: [] });
    const named = await seedUser(s, { username: 'only-username' });
    await fail(named.userId, '198.51.100.9', 10);
    expect((await api.get(`/user-blocks/${encodeURIComponent(named.userId)}?consider_brute_force_enablement=true`)).json()).toStrictEqual({ blocked_for: [{ identifier: 'only-username', ip: '198.51.100.9' }] });
  });

  it('404 inexistent_user; read:users required', async () => {
    expectMgmtError(await api.get('/user-blocks/auth0%7Cnobody'), 404, 'The user does not exist.', 'inexistent_user');
    const writer = mgmt(s, await mgmtToken(s, ['update:users']));
    expectMgmtError(await writer.get('/user-blocks/auth0%7Cnobody'), 403, 'Insufficient scope, expected any of: read:users', 'insufficient_scope');
  });
});

describe('DELETE /user-blocks/{id}', () => {
  it('204: every address of the user is unblocked, other users keep theirs; again 204', async () => {
    const u = await seedUser(s, { email: 'unblock@example.com' });
    const other = await seedUser(s, { email: 'still@example.com' });
    await fail(u.userId, '203.0.113.10', 10);
    await fail(u.userId, '203.0.113.11', 10);
    await fail(other.userId, '203.0.113.10', 10);
    expectNoContent(await api.del(`/user-blocks/${encodeURIComponent(u.userId)}`));
    expect((await api.get(`/user-blocks/${encodeURIComponent(u.userId)}`)).json()).toStrictEqual({ blocked_for: [] });
    expect(await s.storage.loginFailures.get(s.tenant.id, u.userId, '203.0.113.10')).toBeUndefined();
    expect((await api.get(`/user-blocks/${encodeURIComponent(other.userId)}`)).json()).toStrictEqual({ blocked_for: [{ identifier: 'still@example.com', ip: '203.0.113.10' }] });
    expectNoContent(await api.del(`/user-blocks/${encodeURIComponent(u.userId)}`));
  });

  it('update:users required', async () => {
    const reader = mgmt(s, await mgmtToken(s, ['read:users']));
    expectMgmtError(await reader.del('/user-blocks/auth0%7Cx'), 403, 'Insufficient scope, expected any of: update:users', 'insufficient_scope');
  });
});
