// The official `auth0` SDK (v7) manages users against the real HTTPS server, configured as for
// Auth0 ({domain, clientId, clientSecret}): create, list with a q search and page iteration,
// update metadata, link and unlink, delete, and how Auth0's error bodies surface (spec §3.5.4).
import { createHash } from 'node:crypto';
import { Management, ManagementClient } from 'auth0';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

const DB = 'Username-Password-Authentication';
const PASSWORD = 'Passwords hide their chuck';

let server: RealServer;
let mgmt: ManagementClient;
const created: Management.CreateUserResponseContent[] = [];

beforeAll(async () => {
  server = await startRealServer();
  mgmt = new ManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
  for (let i = 0; i < 5; i++) {
    created.push(await mgmt.users.create({ connection: DB, email: `sdk${i}@sdk.example`, password: PASSWORD, user_metadata: { index: i } }));
  }
  await mgmt.users.create({ connection: DB, email: 'outsider@elsewhere.example', password: PASSWORD });
}, 60_000);

afterAll(async () => {
  await server?.cleanup();
});

async function failure(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('users through ManagementClient v7', () => {
  it('create returns the user with Auth0 defaults (name, nickname, Gravatar picture, identity)', () => {
    const user = created[0]!;
    const hash = createHash('md5').update('sdk0@sdk.example').digest('hex');
    expect(user).toStrictEqual({
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      email: 'sdk0@sdk.example',
      email_verified: false,
      identities: [{ connection: DB, user_id: user.user_id!.slice(6), provider: 'auth0', isSocial: false }],
      name: 'sdk0@sdk.example',
      nickname: 'sdk0',
      picture: `https://s.gravatar.com/avatar/${hash}?s=480&r=pg&d=https%3A%2F%2Fcdn.auth0.com%2Favatars%2Fsd.png`,
      updated_at: user.created_at,
      user_id: expect.stringMatching(/^auth0\|[0-9a-f]{24}$/),
      user_metadata: { index: 0 },
    });
  });

  it('a duplicate email surfaces as ConflictError with the Auth0 body', async () => {
    const error = await failure(() => mgmt.users.create({ connection: DB, email: 'SDK0@sdk.example', password: PASSWORD }));
    expect(error).toBeInstanceOf(Management.ConflictError);
    expect((error as Management.ConflictError).body).toEqual({ statusCode: 409, error: 'Conflict', message: 'The user already exists.', errorCode: 'auth0_idp_error' });
  });

  it('list with q (search_engine v3): the iterator walks every page of 2 and stops; pages are 2, 2, 1', async () => {
    // A fresh request each time: the SDK's iterator advances `page` in the object it was given.
    const request = () => ({ q: 'email.domain:"sdk.example"', search_engine: 'v3' as const, per_page: 2, sort: 'email:1' });
    const seen: string[] = [];
    for await (const user of await mgmt.users.list(request())) seen.push(user.email!);
    expect(seen).toEqual(['sdk0@sdk.example', 'sdk1@sdk.example', 'sdk2@sdk.example', 'sdk3@sdk.example', 'sdk4@sdk.example']);

    let page = await mgmt.users.list(request());
    expect({ ...(page.response as object), users: undefined }).toEqual({ start: 0, limit: 2, length: 2, total: 5, users: undefined });
    const sizes = [page.data.length];
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      sizes.push(page.data.length);
    }
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('a bad q surfaces as BadRequestError with invalid_query_string', async () => {
    const error = await failure(() => mgmt.users.list({ q: 'user_metadata.index:1*', search_engine: 'v3' }));
    expect(error).toBeInstanceOf(Management.BadRequestError);
    expect((error as Management.BadRequestError).body).toMatchObject({ statusCode: 400, error: 'Bad Request', errorCode: 'invalid_query_string' });
  });

  it('update merges user_metadata at the root, null removes a key; get reads it back', async () => {
    const id = created[1]!.user_id!;
    await mgmt.users.update(id, { user_metadata: { theme: 'dark', nested: { a: 1 } } });
    const updated = await mgmt.users.update(id, { user_metadata: { index: null, nested: { b: 2 } }, app_metadata: { plan: 'pro' } });
    expect([updated.user_metadata, updated.app_metadata]).toEqual([{ theme: 'dark', nested: { b: 2 } }, { plan: 'pro' }]);
    const read = await mgmt.users.get(id);
    expect([read.user_metadata, read.app_metadata]).toEqual([{ theme: 'dark', nested: { b: 2 } }, { plan: 'pro' }]);
  });

  it('link absorbs the secondary user; unlink makes it a user again', async () => {
    const [primary, secondary] = [created[2]!, created[3]!];
    const identities = await mgmt.users.identities.link(primary.user_id!, { provider: 'auth0', user_id: secondary.user_id! });
    expect(identities.map((i) => [i.provider, i.user_id, i.profileData?.email])).toEqual([
      ['auth0', primary.user_id!.slice(6), 'sdk2@sdk.example'],
      ['auth0', secondary.user_id!.slice(6), 'sdk3@sdk.example'],
    ]);
    expect(await failure(() => mgmt.users.get(secondary.user_id!))).toBeInstanceOf(Management.NotFoundError);

    const remaining = await mgmt.users.identities.delete(primary.user_id!, 'auth0', secondary.user_id!.slice(6));
    expect(remaining.map((i) => i.user_id)).toEqual([primary.user_id!.slice(6)]);
    expect((await mgmt.users.get(secondary.user_id!)).email).toBe('sdk3@sdk.example');
  });

  it('delete removes the user: a later get is NotFoundError with inexistent_user; deleting again succeeds', async () => {
    const id = created[4]!.user_id!;
    await mgmt.users.delete(id);
    const error = await failure(() => mgmt.users.get(id));
    expect(error).toBeInstanceOf(Management.NotFoundError);
    expect((error as Management.NotFoundError).body).toEqual({ statusCode: 404, error: 'Not Found', message: 'The user does not exist.', errorCode: 'inexistent_user' });
    await mgmt.users.delete(id);
  });
});
