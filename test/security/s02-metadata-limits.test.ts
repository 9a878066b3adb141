// S2 / T-OUT-02 (issue 9): a self-registered user PATCHed its own user_metadata with JSON nested
// 1,000 deep (200), and from then on every user search on metadata answered 500 (SQLite's JSON
// depth limit). Now Auth0's metadata rules hold on every write — no `.` or `$` in field names, no
// reserved app_metadata names, at most 64 KiB of JSON each after the merge, at most 32 levels —
// with Auth0's 400 body; and no stored row (written before the limits, or edited by hand) can make
// a search, a listing or a read fail, on SQLite and on PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mgmtToken } from '../helpers/mgmt.ts';
import { seedUser } from '../helpers/fixtures.ts';
import { expectMgmtError, mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { createPgSchema } from '../helpers/pg.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { userToken } from '../helpers/user-token.ts';

const CONNECTION = 'Username-Password-Authentication';
const invalid = (problem: string, field = 'user_metadata') => `Payload validation error: '${problem}' on property ${field}.`;
const TOO_DEEP = 'Metadata must not be nested more than 32 levels deep';

/** `{"a": {"a": … 1}}` with `levels` objects. */
function nested(levels: number): Record<string, unknown> {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value as Record<string, unknown>;
}

/** Metadata `{"x": "…"}` whose JSON is exactly `bytes` long. */
const ofSize = (bytes: number, key = 'x') => ({ [key]: 'v'.repeat(bytes - JSON.stringify({ [key]: '' }).length) });

describe('T-OUT-02: metadata limits on every write', () => {
  let s: TestServer;
  let admin: MgmtCaller;

  beforeAll(async () => {
    s = await startTestServer();
    admin = mgmt(s, await mgmtToken(s, ['read:users', 'create:users', 'update:users']));
  });
  afterAll(() => s.close());

  const newUser = async (email: string) => (await seedUser(s, { email })).userId;
  const patch = (id: string, body: unknown, caller = admin) => caller.patch(`/users/${encodeURIComponent(id)}`, body);

  it("the issue's repro: a current-user token PATCHing its own user_metadata 1,000 levels deep gets 400, nothing stored, and search still answers", async () => {
    const id = await newUser('self@example.com');
    const self = mgmt(s, await userToken(s, id, ['update:current_user_metadata', 'create:current_user_metadata']));
    // So deep that the body's own depth limit (S10, 64 levels) refuses it before the metadata rule reads it.
    const res = await patch(id, { user_metadata: { a: nested(1000) } }, self);
    expectMgmtError(res, 400, 'The request body nests objects and arrays deeper than 64 levels', 'invalid_body');
    // Within the body's limit, the metadata rule answers (Auth0's payload-validation body).
    expectMgmtError(await patch(id, { user_metadata: { a: nested(40) } }, self), 400, invalid(TOO_DEEP), 'invalid_body');
    expect((await s.storage.users.get(s.tenant.id, id))!.userMetadata).toStrictEqual({});
    for (const q of ['user_metadata.a:1', '_exists_:user_metadata.a']) expect((await admin.get(`/users?q=${encodeURIComponent(q)}`)).statusCode).toBe(200);
  });

  it('depth: 32 levels are accepted, 33 refused, arrays counting as levels, on POST and PATCH, in user_metadata and app_metadata', async () => {
    const id = await newUser('deep@example.com');
    expect((await patch(id, { user_metadata: nested(32), app_metadata: { list: [[nested(29)]] } })).statusCode).toBe(200);
    expectMgmtError(await patch(id, { user_metadata: nested(33) }), 400, invalid(TOO_DEEP), 'invalid_body');
    expectMgmtError(await patch(id, { app_metadata: { list: [[nested(30)]] } }), 400, invalid(TOO_DEEP, 'app_metadata'), 'invalid_body');
    const created = { connection: CONNECTION, email: 'deep-new@example.com', password: 'Correct-Horse-7' };
    expectMgmtError(await admin.post('/users', { ...created, user_metadata: nested(33) }), 400, invalid(TOO_DEEP), 'invalid_body');
    expect(await s.storage.users.getByEmail(s.tenant.id, CONNECTION, 'deep-new@example.com')).toBeUndefined();
    expect((await admin.post('/users', { ...created, user_metadata: nested(32) })).statusCode).toBe(201);
  });

  it('field names: no "." or "$" at any depth (values may hold them); app_metadata refuses the names Auth0 reserves, at its top level', async () => {
    const id = await newUser('names@example.com');
    for (const [body, field, name] of [
      [{ user_metadata: { 'preference.color': 'pink' } }, 'user_metadata', 'preference.color'],
      [{ user_metadata: { prefs: { $set: 1 } } }, 'user_metadata', '$set'],
      [{ app_metadata: { roles: [{ 'a.b': 1 }] } }, 'app_metadata', 'a.b'],
    ] as const) {
      expectMgmtError(await patch(id, body), 400, invalid(`The property name "${name}" must not contain "." or "$"`, field), 'invalid_body');
    }
    for (const name of ['blocked', 'email', 'user_id', 'identities', 'clientID', '__tenant', 'metadata']) {
      expectMgmtError(await patch(id, { app_metadata: { [name]: 'x' } }), 400, invalid(`The property name "${name}" is reserved in app_metadata`, 'app_metadata'), 'invalid_body');
    }
    const fine = await patch(id, { user_metadata: { preference: 'light.blue', blocked: true, cost: '$5' }, app_metadata: { nested: { email: 'x' } } });
    expect(fine.statusCode, fine.body).toBe(200);
  });

  it('size: 64 KiB of JSON each, judged after the merge; a full user_metadata never blocks app_metadata', async () => {
    const id = await newUser('size@example.com');
    expect((await patch(id, { user_metadata: ofSize(64 * 1024) })).statusCode).toBe(200);
    expectMgmtError(await patch(id, { user_metadata: { y: 1 } }), 400, invalid(`Metadata must not be larger than 65536 bytes as JSON (it would be ${64 * 1024 + 6})`), 'invalid_body');
    expect((await patch(id, { app_metadata: ofSize(60 * 1024, 'plan') })).statusCode).toBe(200);
    // Growing by merges: each PATCH small enough alone, the stored result not.
    const other = await newUser('grow@example.com');
    expect((await patch(other, { user_metadata: ofSize(40 * 1024, 'a') })).statusCode).toBe(200);
    const grown = await patch(other, { user_metadata: ofSize(40 * 1024, 'b') });
    expect([grown.statusCode, grown.json<{ message: string }>().message]).toEqual([400, expect.stringMatching(/^Payload validation error: 'Metadata must not be larger than 65536 bytes as JSON \(it would be 8\d{4}\)' on property user_metadata\.$/)]);
    expect(Object.keys((await s.storage.users.get(s.tenant.id, other))!.userMetadata)).toEqual(['a']);
    // Removing keys is always possible.
    expect((await patch(other, { user_metadata: { a: null } })).statusCode).toBe(200);
  });
});

interface Raw {
  exec(sql: string, params: unknown[]): Promise<void>;
  close(): Promise<void>;
}

/** A test server on a database the test can also edit by hand, as an operator (or an older version) might. */
const DATABASES: { name: string; open(): Promise<{ server: TestServer; raw: Raw }> }[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-s02-'));
      const file = path.join(dir, 'scopeward.db');
      const server = await startTestServer({ databaseUrl: `sqlite:${file}` });
      const db = new DatabaseSync(file);
      return {
        server,
        raw: {
          exec: async (sql, params) => void db.prepare(sql.replace(/\$\d+/g, '?')).run(...(params as string[])),
          close: async () => {
            db.close();
            rmSync(dir, { recursive: true, force: true });
          },
        },
      };
    },
  },
  {
    name: 'postgres',
    async open() {
      const schema = await createPgSchema();
      const server = await startTestServer({ databaseUrl: schema.url, pgSchema: schema.schema });
      const client = new pg.Client({ connectionString: schema.url, options: `-c search_path=${schema.schema}` });
      await client.connect();
      return {
        server,
        raw: {
          exec: async (sql, params) => void (await client.query(sql, params)),
          close: async () => {
            await client.end();
            await schema.drop();
          },
        },
      };
    },
  },
];

describe.each(DATABASES)('T-OUT-02: no stored row makes a user search fail, on $name', (database) => {
  let s: TestServer;
  let raw: Raw;
  let admin: MgmtCaller;
  /** email -> user_id */
  const ids = new Map<string, string>();

  // Rows as an older version (no limits) or a hand edit could leave them.
  const CORRUPT: [string, string, string][] = [
    ['repro@example.com', 'user_metadata', `{"color":${'{"a":'.repeat(1000)}1${'}'.repeat(1001)}`],
    ['deep@example.com', 'user_metadata', `${'['.repeat(20_000)}${']'.repeat(20_000)}`],
    ['abyss@example.com', 'user_metadata', `{"a":${'['.repeat(300_000)}${']'.repeat(300_000)}}`],
    ['malformed@example.com', 'user_metadata', '{"color": "blue"'],
    ['scalar@example.com', 'user_metadata', '"blue"'],
    ['badapp@example.com', 'app_metadata', '{plan: gold}'],
    ['badlinks@example.com', 'linked_identities', 'not json'],
    ['oddlinks@example.com', 'linked_identities', '[1, "x", {"connection": 5}, null]'],
  ];

  beforeAll(async () => {
    ({ server: s, raw } = await database.open());
    admin = mgmt(s, await mgmtToken(s, ['read:users', 'create:users']));
    const create = async (email: string, extra: Record<string, unknown> = {}) => {
      const res = await admin.post('/users', { connection: CONNECTION, email, password: 'Correct-Horse-7', ...extra });
      expect(res.statusCode, res.body).toBe(201);
      ids.set(email, res.json<{ user_id: string }>().user_id);
    };
    await create('alice@example.com', { user_metadata: { color: 'blue', tags: ['a'] }, app_metadata: { plan: 'gold' } });
    await create('bob@example.com', { user_metadata: { color: 'red' } });
    for (const [email, column, value] of CORRUPT) {
      await create(email);
      await raw.exec(`update users set ${column} = $1 where user_id = $2`, [value, ids.get(email)]);
    }
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    await raw?.close();
  });

  const emails = (res: LightMyRequestResponse): string[] => {
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    return res
      .json<{ email: string }[]>()
      .map((u) => u.email)
      .sort();
  };
  const search = async (q: string) => emails(await admin.get(`/users?per_page=100&q=${encodeURIComponent(q)}`));
  const everyone = () => [...ids.keys()].sort();

  // The repro row nests 1,001 levels: past what SQLite's JSON functions parse, so no JSON condition
  // sees it there; PostgreSQL still reads it. No write can make such a row any more.
  const deepSeen = database.name === 'postgres' ? ['repro@example.com'] : [];

  it('metadata equality and _exists_ match the readable rows only', async () => {
    expect(await search('user_metadata.color:blue')).toEqual(['alice@example.com']);
    expect(await search('user_metadata.tags:a')).toEqual(['alice@example.com']);
    expect(await search('_exists_:user_metadata.color')).toEqual(['alice@example.com', 'bob@example.com', ...deepSeen]);
    expect(await search('user_metadata.color.a:1')).toEqual([]);
    expect(await search('app_metadata.plan:gold')).toEqual(['alice@example.com']);
    expect(await search('_exists_:app_metadata.plan')).toEqual(['alice@example.com']);
  });

  it('NOT finds the rows no JSON condition can read; OR and AND combine as usual', async () => {
    expect(await search('NOT user_metadata.color:blue')).toEqual(everyone().filter((e) => e !== 'alice@example.com'));
    expect(await search('user_metadata.color:red OR email:"malformed@example.com"')).toEqual(['bob@example.com', 'malformed@example.com']);
    expect(await search('_exists_:user_metadata.color AND NOT app_metadata.plan:gold')).toEqual(['bob@example.com', ...deepSeen]);
  });

  it('identity searches read malformed linked identities as none', async () => {
    expect(await search(`identities.connection:"${CONNECTION}"`)).toEqual(everyone());
    expect(await search('identities.provider:google-oauth2')).toEqual([]);
    expect(await search('identities.user_id:nothing-here')).toEqual([]);
  });

  it('listing everyone and reading each corrupt user answer 200, with the unreadable documents left out', async () => {
    expect(emails(await admin.get('/users?per_page=100'))).toEqual(everyone());
    for (const [email, column] of CORRUPT) {
      const res = await admin.get(`/users/${encodeURIComponent(ids.get(email)!)}`);
      expect(res.statusCode, `${email}: ${res.body.slice(0, 200)}`).toBe(200);
      const user = res.json<Record<string, unknown>>();
      if (column !== 'linked_identities') expect(user).not.toHaveProperty(column);
    }
  });
});
