// The seed document's table of endpoints and current-user scopes (003, "Get a token from the
// frontend"; spec §4.2), row by row and both ways: each row's scope admits the call on the
// token's own user, is refused on another user (who is left untouched), and without the scope the
// call is refused even on the own user. Then a confined PATCH of user_metadata, key by key.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_USER_SCOPES } from '../../src/domain/scopes.ts';
import type { UserRecord } from '../../src/storage/ports.ts';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedApp, seedM2M, seedUser } from '../helpers/fixtures.ts';
import { expectMgmtError, expectNoContent, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { idTokenFor, userToken } from '../helpers/user-token.ts';

const MISMATCH = 'User to be acted on does not match subject in bearer token.';
let s: TestServer;
let spa: string;

beforeAll(async () => {
  s = await startTestServer();
  spa = (await seedApp(s)).clientId;
});
afterAll(() => s.close());

const as = async (userId: string, scopes: readonly string[]) => mgmt(s, await userToken(s, userId, scopes, { clientId: spa }));
const everythingBut = (...except: string[]) => CURRENT_USER_SCOPES.filter((x) => !except.includes(x));

/** Fixtures a seed-table row acts on: the token's own user and another one, each freshly made. */
interface Pair {
  own: UserRecord;
  other: UserRecord;
}

interface Row {
  endpoint: string;
  scope: string;
  /** The call on the own user (or own object); must succeed with `status`. */
  own(api: MgmtCaller, p: Pair): Promise<LightMyRequestResponse>;
  status: number;
  /** The same call aimed at the other user (or its object). */
  other(api: MgmtCaller, p: Pair): Promise<LightMyRequestResponse>;
  /** What must hold of the other user after the refused call. */
  untouched(p: Pair): Promise<void>;
  /** The 403 text for a token holding every current-user scope but those admitting the route. */
  without: string;
}

const enc = encodeURIComponent;
let n = 0;
async function pair(extra: Partial<UserRecord> = {}): Promise<Pair> {
  n++;
  const own = await seedUser(s, { email: `own${n}@example.com`, userMetadata: { theme: 'dark' }, ...extra });
  const other = await seedUser(s, { email: `other${n}@example.com`, userMetadata: { theme: 'dark' }, ...extra });
  return { own, other };
}
async function linked(to: UserRecord): Promise<UserRecord> {
  n++;
  const secondary = await seedUser(s, { email: `linked${n}@example.com` });
  const identity = { connection: 'Username-Password-Authentication', user_id: secondary.userId.slice(6), provider: 'auth0', isSocial: false };
  await s.storage.users.remove(s.tenant.id, secondary.userId);
  await s.storage.users.update(s.tenant.id, to.userId, { linkedIdentities: [identity] });
  return secondary;
}
async function key(user: UserRecord): Promise<string> {
  n++;
  const id = `dcr_seedtable${String(n).padStart(4, '0')}`;
  await s.storage.deviceCredentials.create({ tenantId: s.tenant.id, id, userId: user.userId, clientId: spa, deviceName: 'phone', deviceId: 'abcd', type: 'public_key', value: 'AAAA', createdAt: new Date(s.clock.now()).toISOString() });
  return id;
}
const metadataOf = async (u: UserRecord) => (await s.storage.users.get(s.tenant.id, u.userId))?.userMetadata;
const exists = async (u: UserRecord) => expect(await s.storage.users.get(s.tenant.id, u.userId)).toBeDefined();

/** The seed document's table (003, "Get a token from the frontend"), plus delete:current_user (spec §4.2). */
const SEED_TABLE: Row[] = [
  {
    endpoint: 'GET /users/{id}',
    scope: 'read:current_user',
    own: (api, p) => api.get(`/users/${enc(p.own.userId)}`),
    status: 200,
    other: (api, p) => api.get(`/users/${enc(p.other.userId)}`),
    untouched: async (p) => exists(p.other),
    without: 'Insufficient scope, expected any of: read:users,read:user_idp_tokens,read:current_user',
  },
  {
    endpoint: 'GET /users/{id}/enrollments',
    scope: 'read:current_user',
    own: (api, p) => api.get(`/users/${enc(p.own.userId)}/enrollments`),
    status: 200,
    other: (api, p) => api.get(`/users/${enc(p.other.userId)}/enrollments`),
    untouched: async (p) => exists(p.other),
    without: 'Insufficient scope, expected any of: read:users,read:current_user',
  },
  {
    endpoint: 'POST /users/{id}/identities',
    scope: 'update:current_user_identities',
    own: async (api, p) => api.post(`/users/${enc(p.own.userId)}/identities`, { link_with: await idTokenFor(s, (await seedUser(s, { email: `third${++n}@example.com` })).userId, spa) }),
    status: 201,
    other: async (api, p) => api.post(`/users/${enc(p.other.userId)}/identities`, { link_with: await idTokenFor(s, p.own.userId, spa) }),
    untouched: async (p) => {
      expect((await s.storage.users.get(s.tenant.id, p.other.userId))!.linkedIdentities).toStrictEqual([]);
      await exists(p.own);
    },
    without: 'Insufficient scope, expected any of: update:users,update:current_user_identities',
  },
  {
    endpoint: 'DELETE /users/{id}/identities/{provider}/{user_id}',
    scope: 'update:current_user_identities',
    own: async (api, p) => api.del(`/users/${enc(p.own.userId)}/identities/auth0/${(await linked(p.own)).userId.slice(6)}`),
    status: 200,
    other: async (api, p) => api.del(`/users/${enc(p.other.userId)}/identities/auth0/${(await linked(p.other)).userId.slice(6)}`),
    untouched: async (p) => expect((await s.storage.users.get(s.tenant.id, p.other.userId))!.linkedIdentities).toHaveLength(1),
    without: 'Insufficient scope, expected any of: update:users,update:current_user_identities',
  },
  {
    endpoint: 'PATCH /users/{id}',
    scope: 'update:current_user_metadata',
    own: (api, p) => api.patch(`/users/${enc(p.own.userId)}`, { user_metadata: { theme: 'light' } }),
    status: 200,
    other: (api, p) => api.patch(`/users/${enc(p.other.userId)}`, { user_metadata: { theme: 'light' } }),
    untouched: async (p) => expect(await metadataOf(p.other)).toStrictEqual({ theme: 'dark' }),
    without: 'Insufficient scope, expected any of: update:users,update:users_app_metadata,update:current_user_metadata,create:current_user_metadata,delete:current_user_metadata',
  },
  {
    endpoint: 'PATCH /users/{id}',
    scope: 'create:current_user_metadata',
    own: (api, p) => api.patch(`/users/${enc(p.own.userId)}`, { user_metadata: { language: 'fr' } }),
    status: 200,
    other: (api, p) => api.patch(`/users/${enc(p.other.userId)}`, { user_metadata: { language: 'fr' } }),
    untouched: async (p) => expect(await metadataOf(p.other)).toStrictEqual({ theme: 'dark' }),
    without: 'Insufficient scope, expected any of: update:users,update:users_app_metadata,update:current_user_metadata,create:current_user_metadata,delete:current_user_metadata',
  },
  {
    endpoint: 'DELETE /users/{id}/multifactor/{provider}',
    scope: 'delete:current_user_metadata',
    own: (api, p) => api.del(`/users/${enc(p.own.userId)}/multifactor/google-authenticator`),
    status: 204,
    other: (api, p) => api.del(`/users/${enc(p.other.userId)}/multifactor/google-authenticator`),
    untouched: async (p) => exists(p.other),
    without: 'Insufficient scope, expected any of: update:users,delete:current_user_metadata',
  },
  {
    endpoint: 'POST /device-credentials',
    scope: 'create:current_user_device_credentials',
    own: (api) => api.post('/device-credentials', { device_name: 'phone', type: 'public_key', value: 'AAAA', device_id: 'a1' }),
    status: 201,
    other: (api, p) => api.post('/device-credentials', { device_name: 'phone', type: 'public_key', value: 'AAAA', device_id: 'a1', user_id: p.other.userId }),
    untouched: async (p) => expect((await s.storage.deviceCredentials.list(s.tenant.id, { userId: p.other.userId }, { offset: 0, limit: 5, withTotal: false })).items).toStrictEqual([]),
    without: 'Insufficient scope, expected any of: create:device_credentials,create:current_user_device_credentials',
  },
  {
    endpoint: 'DELETE /device-credentials/{id}',
    scope: 'delete:current_user_device_credentials',
    own: async (api, p) => api.del(`/device-credentials/${await key(p.own)}`),
    status: 204,
    other: async (api, p) => api.del(`/device-credentials/${await key(p.other)}`),
    untouched: async (p) => expect((await s.storage.deviceCredentials.list(s.tenant.id, { userId: p.other.userId }, { offset: 0, limit: 5, withTotal: false })).items).toHaveLength(1),
    without: 'Insufficient scope, expected any of: delete:device_credentials,delete:current_user_device_credentials',
  },
  {
    endpoint: 'DELETE /users/{id}',
    scope: 'delete:current_user',
    own: (api, p) => api.del(`/users/${enc(p.own.userId)}`),
    status: 204,
    other: (api, p) => api.del(`/users/${enc(p.other.userId)}`),
    untouched: async (p) => exists(p.other),
    without: 'Insufficient scope, expected any of: delete:users,delete:current_user',
  },
];

/** Current-user scopes that admit the same endpoint (PATCH is admitted by three). */
const admitting = (row: Row) => SEED_TABLE.filter((r) => r.endpoint === row.endpoint).map((r) => r.scope).concat(row.endpoint === 'PATCH /users/{id}' ? ['delete:current_user_metadata'] : []);

describe('the seed table of endpoints and current-user scopes, row by row, both ways', () => {
  it.each(SEED_TABLE.map((r) => [`${r.endpoint} ↔ ${r.scope}`, r] as const))('%s: allowed on the own user', async (_name, row) => {
    const p = await pair();
    const res = await row.own(await as(p.own.userId, [row.scope]), p);
    expect(res.statusCode, res.body).toBe(row.status);
  });

  it.each(SEED_TABLE.map((r) => [`${r.endpoint} ↔ ${r.scope}`, r] as const))('%s: refused on another user (403), who is untouched', async (_name, row) => {
    const p = await pair();
    expectMgmtError(await row.other(await as(p.own.userId, [row.scope]), p), 403, MISMATCH);
    await row.untouched(p);
  });

  it.each(SEED_TABLE.map((r) => [`${r.endpoint} ↔ ${r.scope}`, r] as const))('%s: refused without the scope, even on the own user', async (_name, row) => {
    const p = await pair();
    const res = await row.own(await as(p.own.userId, everythingBut(...admitting(row))), p);
    expectMgmtError(res, 403, row.without, 'insufficient_scope');
  });
});

describe('a confined PATCH of user_metadata, key by key', () => {
  const patch = async (scopes: string[], body: unknown) => {
    const p = await pair({ userMetadata: { theme: 'dark', color: 'blue' } });
    const res = await (await as(p.own.userId, scopes)).patch(`/users/${enc(p.own.userId)}`, body);
    return { res, stored: await metadataOf(p.own) };
  };
  const refused = (detail: string) => `Some fields cannot be updated with the permissions granted by the bearer token scopes: ${detail}.`;

  it('update:current_user_metadata changes, adds (as Auth0 SPA guides rely on) and removes keys', async () => {
    const { res, stored } = await patch(['update:current_user_metadata'], { user_metadata: { theme: 'light', color: null, added: 1 } });
    expect(res.statusCode).toBe(200);
    expect(stored).toStrictEqual({ theme: 'light', added: 1 });
  });

  it('create:current_user_metadata adds keys only', async () => {
    expect((await patch(['create:current_user_metadata'], { user_metadata: { added: true } })).stored).toStrictEqual({ theme: 'dark', color: 'blue', added: true });
    const change = await patch(['create:current_user_metadata'], { user_metadata: { theme: 'light' } });
    expectMgmtError(change.res, 403, refused('user_metadata.theme (changing needs update:current_user_metadata)'), 'insufficient_scope');
    expect(change.stored).toStrictEqual({ theme: 'dark', color: 'blue' });
    const remove = await patch(['create:current_user_metadata'], { user_metadata: { color: null, added: 1 } });
    expectMgmtError(remove.res, 403, refused('user_metadata.color (removing needs delete:current_user_metadata or update:current_user_metadata)'), 'insufficient_scope');
    expect(remove.stored).toStrictEqual({ theme: 'dark', color: 'blue' });
  });

  it('delete:current_user_metadata removes keys (null, or {} for all) and nothing else', async () => {
    expect((await patch(['delete:current_user_metadata'], { user_metadata: { color: null } })).stored).toStrictEqual({ theme: 'dark' });
    expect((await patch(['delete:current_user_metadata'], { user_metadata: {} })).stored).toStrictEqual({});
    const add = await patch(['delete:current_user_metadata'], { user_metadata: { added: 1, color: null } });
    expectMgmtError(add.res, 403, refused('user_metadata.added (adding needs create:current_user_metadata or update:current_user_metadata)'), 'insufficient_scope');
    expect(add.stored).toStrictEqual({ theme: 'dark', color: 'blue' });
  });

  it('clearing with {} or null needs a scope that removes', async () => {
    const clear = await patch(['create:current_user_metadata'], { user_metadata: null });
    expectMgmtError(
      clear.res,
      403,
      refused('user_metadata.theme (removing needs delete:current_user_metadata or update:current_user_metadata), user_metadata.color (removing needs delete:current_user_metadata or update:current_user_metadata)'),
      'insufficient_scope',
    );
    expect(clear.stored).toStrictEqual({ theme: 'dark', color: 'blue' });
  });

  it('the same PATCH by an administrator (update:users) is not confined', async () => {
    const p = await pair();
    const admin = mgmt(s, await tokenFor(s, await seedM2M(s, ['update:users'])));
    const res = await admin.patch(`/users/${enc(p.other.userId)}`, { user_metadata: { theme: null }, app_metadata: { plan: 'pro' } });
    expect(res.statusCode).toBe(200);
    expect(await metadataOf(p.other)).toStrictEqual({});
    expectNoContent(await admin.del(`/users/${enc(p.other.userId)}/multifactor/duo`));
  });
});
