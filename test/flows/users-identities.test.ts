// Account linking (spec §3.5.4; bodies as in GO-REC TestUserManager_Link/Unlink): the secondary
// user is absorbed into the primary's identities[] with its profileData; unlinking makes it a user
// again; link_with (an ID token of the secondary account) is verified like any token we sign.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mgmtToken } from '../helpers/mgmt.ts';
import { seedApp, seedUser } from '../helpers/fixtures.ts';
import { expectMgmtError, JSON_UTF8, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { idTokenFor, userToken } from '../helpers/user-token.ts';
import type { UserRecord } from '../../src/storage/ports.ts';

const DB = 'Username-Password-Authentication';
let s: TestServer;
let api: MgmtCaller;

beforeAll(async () => {
  s = await startTestServer();
  api = mgmt(s, await mgmtToken(s, ['update:users', 'read:users']));
});
afterAll(() => s.close());

const path = (id: string) => `/users/${encodeURIComponent(id)}`;
const tail = (u: UserRecord) => u.userId.slice('auth0|'.length);

async function chuck(n: number): Promise<UserRecord> {
  return seedUser(s, {
    email: `chuck${n}@example.com`,
    emailVerified: true,
    givenName: 'Chuck',
    familyName: 'Sanchez',
    nickname: 'Chucky',
    name: `chuck${n}@example.com`,
    picture: 'https://example-picture-url.jpg',
  });
}

const profile = (n: number) => ({
  email: `chuck${n}@example.com`,
  given_name: 'Chuck',
  family_name: 'Sanchez',
  nickname: 'Chucky',
  picture: 'https://example-picture-url.jpg',
  email_verified: true,
});

describe('POST /users/{id}/identities with provider + user_id (update:users)', () => {
  it('201: identities array, primary first, both with profileData; the secondary user is gone', async () => {
    const primary = await chuck(249);
    const secondary = await chuck(203);
    // As go-auth0 sends it: the full secondary id and a connection_id.
    const conn = await s.storage.connections.getByName(s.tenant.id, DB);
    const res = await api.post(`${path(primary.userId)}/identities`, { connection_id: conn!.id, user_id: secondary.userId, provider: 'auth0' });
    expect([res.statusCode, res.headers['content-type']]).toEqual([201, JSON_UTF8]);
    expect(res.json()).toStrictEqual([
      { profileData: profile(249), connection: DB, user_id: tail(primary), provider: 'auth0', isSocial: false },
      { profileData: profile(203), connection: DB, user_id: tail(secondary), provider: 'auth0', isSocial: false },
    ]);
    expectMgmtError(await api.get(path(secondary.userId)), 404, 'The user does not exist.', 'inexistent_user');
    // GET shows the primary identity without profileData, the linked one with it.
    expect((await api.get(path(primary.userId))).json<{ identities: unknown }>().identities).toStrictEqual([
      { connection: DB, user_id: tail(primary), provider: 'auth0', isSocial: false },
      { profileData: profile(203), connection: DB, user_id: tail(secondary), provider: 'auth0', isSocial: false },
    ]);
  });

  it('the id after "auth0|" alone is accepted too', async () => {
    const [primary, secondary] = [await chuck(1), await chuck(2)];
    const res = await api.post(`${path(primary.userId)}/identities`, { provider: 'auth0', user_id: tail(secondary) });
    expect(res.json<unknown[]>()).toHaveLength(2);
  });

  it('400 "Main identity and the new one are the same."; 409 when already linked; 400 for unknown accounts and providers', async () => {
    const [primary, secondary] = [await chuck(3), await chuck(4)];
    const link = (body: unknown) => api.post(`${path(primary.userId)}/identities`, body);
    expectMgmtError(await link({ provider: 'auth0', user_id: primary.userId }), 400, 'Main identity and the new one are the same.', 'invalid_body');
    expect((await link({ provider: 'auth0', user_id: secondary.userId })).statusCode).toBe(201);
    expectMgmtError(await link({ provider: 'auth0', user_id: secondary.userId }), 409, 'Specified identity already exists.', 'conflict');
    expectMgmtError(await link({ provider: 'auth0', user_id: 'auth0|nobody' }), 400, 'Provided secondary account not found.', 'invalid_body');
    expectMgmtError(await link({ provider: 'google-oauth2', user_id: '1234' }), 400, 'The provider/connection is not configured.', 'invalid_body');
    expectMgmtError(await link({ provider: 'auth0', user_id: 'x', connection_id: 'con_nope' }), 400, 'The provider/connection is not configured.', 'invalid_body');
    expectMgmtError(await link({ provider: 'auth0' }), 400, 'Send either link_with, or provider and user_id.', 'invalid_body');
  });

  it('a primary holding linked accounts cannot itself be linked; 404 for a missing primary', async () => {
    const [a, b, c] = [await chuck(5), await chuck(6), await chuck(7)];
    await api.post(`${path(a.userId)}/identities`, { provider: 'auth0', user_id: b.userId });
    expectMgmtError(await api.post(`${path(c.userId)}/identities`, { provider: 'auth0', user_id: a.userId }), 400, 'Unable to link with the secondary account.', 'invalid_body');
    expectMgmtError(await api.post('/users/auth0%7Cghost/identities', { provider: 'auth0', user_id: c.userId }), 404, 'The user does not exist.', 'inexistent_user');
    expect(await s.storage.users.get(s.tenant.id, c.userId)).toBeDefined();
  });
});

describe('DELETE /users/{id}/identities/{provider}/{user_id}', () => {
  it('200 remaining identities (primary with profileData); the identity is a user of its own again', async () => {
    const [primary, secondary] = [await chuck(152), await chuck(718)];
    await api.post(`${path(primary.userId)}/identities`, { provider: 'auth0', user_id: secondary.userId });
    s.clock.advance(10);
    const res = await api.del(`${path(primary.userId)}/identities/auth0/${tail(secondary)}`);
    expect([res.statusCode, res.json()]).toStrictEqual([200, [{ profileData: profile(152), connection: DB, user_id: tail(primary), provider: 'auth0', isSocial: false }]]);
    const back = (await api.get(path(secondary.userId))).json<Record<string, unknown>>();
    expect(back).toMatchObject({ user_id: secondary.userId, email: 'chuck718@example.com', email_verified: true, given_name: 'Chuck', nickname: 'Chucky', identities: [{ connection: DB, user_id: tail(secondary), provider: 'auth0', isSocial: false }] });
    expect((await api.get(path(primary.userId))).json<{ identities: unknown[] }>().identities).toHaveLength(1);
  });

  it('400 "Main identity cannot be removed."; an identity not linked changes nothing (200)', async () => {
    const primary = await chuck(8);
    expectMgmtError(await api.del(`${path(primary.userId)}/identities/auth0/${tail(primary)}`), 400, 'Main identity cannot be removed.', 'invalid_body');
    const res = await api.del(`${path(primary.userId)}/identities/auth0/not-linked`);
    expect([res.statusCode, res.json<unknown[]>().length]).toEqual([200, 1]);
  });
});

describe('link_with: an ID token of the secondary account, for the calling app', () => {
  it('the primary user links an account it logged into (update:current_user_identities)', async () => {
    const spa = (await seedApp(s)).clientId;
    const [primary, secondary] = [await chuck(20), await chuck(21)];
    const own = mgmt(s, await userToken(s, primary.userId, ['update:current_user_identities'], { clientId: spa }));
    const idToken = await idTokenFor(s, secondary.userId, spa);
    const res = await own.post(`${path(primary.userId)}/identities`, { link_with: idToken });
    expect(res.statusCode).toBe(201);
    expect(res.json<{ user_id: string }[]>().map((i) => i.user_id)).toEqual([tail(primary), tail(secondary)]);
    expect(await s.storage.users.get(s.tenant.id, secondary.userId)).toBeUndefined();
    // The tenant log records the call (sapi) with the ID token masked, and nowhere else.
    await s.audit.flush();
    const { items } = await s.storage.logs.list(s.tenant.id, { field: 'type', op: 'eq', value: 'sapi' }, { offset: 0, limit: 100, withTotal: false });
    const entry = items.find((l) => JSON.stringify(l.event).includes('/identities'));
    expect((entry!.event.details as { request: { body: unknown } }).request.body).toStrictEqual({ link_with: '[redacted]' });
    expect(JSON.stringify(items)).not.toContain(idToken.split('.')[2]);
    expect(s.logs.join('')).not.toContain(idToken.split('.')[2]);
  });

  it('refuses tokens not signed by us, for another app, from another issuer, of another alg, expired, or naming a client', async () => {
    const spa = (await seedApp(s)).clientId;
    const other = (await seedApp(s, { name: 'other app' })).clientId;
    const [primary, secondary] = [await chuck(22), await chuck(23)];
    const own = mgmt(s, await userToken(s, primary.userId, ['update:current_user_identities'], { clientId: spa }));
    const linkWith = (token: string) => own.post(`${path(primary.userId)}/identities`, { link_with: token });
    const good = await idTokenFor(s, secondary.userId, spa);
    const [h, p] = good.split('.');
    expectMgmtError(await linkWith(`${h}.${p}.${'A'.repeat(342)}`), 400, 'Invalid token (link_with).', 'invalid_body');
    expectMgmtError(await linkWith('not-a-jwt'), 400, 'Invalid token (link_with).', 'invalid_body');
    expectMgmtError(await linkWith(await idTokenFor(s, secondary.userId, other)), 400, "JWT (link_with) must have an aud claim that matches that of the calling token's azp.", 'invalid_body');
    expectMgmtError(await linkWith(await idTokenFor(s, secondary.userId, spa, { iss: 'https://evil.example/' })), 400, 'JWT (link_with) must have the same issuer as the calling user.', 'invalid_body');
    expectMgmtError(await linkWith(await idTokenFor(s, secondary.userId, spa, {}, { alg: 'HS256' })), 400, 'JWT (link_with) must have an alg of RS256.', 'invalid_body');
    expectMgmtError(await linkWith(await idTokenFor(s, secondary.userId, spa, { exp: Math.floor(s.clock.now() / 1000) - 31 })), 400, 'Invalid token (link_with).', 'invalid_body');
    expectMgmtError(await linkWith(await idTokenFor(s, secondary.userId, spa, { sub: undefined })), 400, 'JWT (link_with) must contains sub claim.', 'invalid_body');
    expectMgmtError(await linkWith(await idTokenFor(s, `${spa}@clients`, spa)), 400, 'JWT (link_with) contains an invalid sub claim.', 'invalid_body');
    expect(await s.storage.users.get(s.tenant.id, secondary.userId)).toBeDefined();
    expect((await s.storage.users.get(s.tenant.id, primary.userId))!.linkedIdentities).toStrictEqual([]);
  });
});
