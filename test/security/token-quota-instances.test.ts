// Issue 15: a token quota is counted across instances, never per process. Two test servers
// (runtime.ts and app.ts, as `scopeward serve` builds them) share one database (a PostgreSQL schema; a SQLite
// file), or one database and Redis: requests alternated between them, and a burst fired at both at
// once, get exactly the quota between them. Where the count lives is checked too: rows in the
// database without Redis, none with it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealClientSecret } from '../../src/domain/secret-locations.ts';
import type { Tenant } from '../../src/domain/tenant.ts';
import { frozenClock } from '../helpers/clock.ts';
import { createPgSchema, type PgSchema } from '../helpers/pg.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { clientData, clientRecord, grantRecord } from '../storage/records.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const QUOTA = 4;
const masterKey = randomBytes(32);

interface Setup {
  name: string;
  /** A database URL (and schema) both instances open, and how to remove it afterwards. */
  open(): Promise<{ url: string; pgSchema?: string; drop(): Promise<void> }>;
  redis: boolean;
}

const SETUPS: Setup[] = [
  {
    name: 'PostgreSQL, no Redis (counted in the database)',
    redis: false,
    async open() {
      const s: PgSchema = await createPgSchema();
      return { url: s.url, pgSchema: s.schema, drop: () => s.drop() };
    },
  },
  {
    name: 'one SQLite file, no Redis (counted in the database)',
    redis: false,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'quota-'));
      return { url: `sqlite:${join(dir, 'db.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL and Redis (counted in Redis)',
    redis: true,
    async open() {
      const s: PgSchema = await createPgSchema();
      return { url: s.url, pgSchema: s.schema, drop: () => s.drop() };
    },
  },
];

describe.each(SETUPS)('issue 15: token quotas across two instances: $name', (setup) => {
  let db: Awaited<ReturnType<Setup['open']>>;
  let a: TestServer;
  let b: TestServer;
  let tenant: Tenant;
  const clock = frozenClock();

  /** One instance on the shared database (and Redis), as `scopeward serve` would run it. */
  const instance = (): Promise<TestServer> =>
    startTestServer({ databaseUrl: db.url, ...(db.pgSchema && { pgSchema: db.pgSchema }), masterKey, clock, ...(setup.redis && { redisUrl: REDIS_URL }) });

  /** A client with a quota of QUOTA tokens an hour and a Management API grant, written before either instance caches anything. */
  const seedClient = async (): Promise<{ id: string; secret: string }> => {
    const c = clientRecord(tenant.id);
    const secret = randomBytes(32).toString('base64url');
    const data = clientData(c.clientId, { token_quota: { client_credentials: { enforce: true, per_hour: QUOTA } } });
    await a.storage.clients.create({ ...c, data, ...sealClientSecret(a.envelope, tenant.id, c.clientId, secret) });
    await a.storage.grants.create(grantRecord(tenant.id, c.clientId, { audience: tenant.managementAudience, scope: ['read:clients'] }));
    return { id: c.clientId, secret };
  };
  const token = (on: TestServer, c: { id: string; secret: string }) =>
    on.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: c.id, client_secret: c.secret, audience: tenant.managementAudience } });
  const remaining = (res: LightMyRequestResponse) => /r=(\d+)/.exec(String(res.headers['auth0-client-quota-limit']))?.[1];

  beforeAll(async () => {
    db = await setup.open();
    a = await instance();
    tenant = a.tenant;
    b = await instance();
  });
  afterAll(async () => {
    for (const i of [a, b]) await i?.close();
    await db?.drop();
  });

  it('requests alternated between A and B count down one quota; the next, on either, is refused', async () => {
    const c = await seedClient();
    const answers = [];
    for (const on of [a, b, a, b]) answers.push(await token(on, c));
    expect(answers.map((r) => [r.statusCode, remaining(r)])).toEqual([
      [200, '3'],
      [200, '2'],
      [200, '1'],
      [200, '0'],
    ]);
    expect([(await token(a, c)).statusCode, (await token(b, c)).statusCode]).toEqual([429, 429]);
  });

  it('a burst of 12 requests at both at once → exactly the quota (4) issued between them', async () => {
    const c = await seedClient();
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => token(i % 2 === 0 ? a : b, c)));
    const statuses = answers.map((r) => r.statusCode);
    expect([statuses.filter((x) => x === 200).length, statuses.filter((x) => x === 429).length]).toEqual([QUOTA, 12 - QUOTA]);
  });

  it(setup.redis ? 'the count lives in Redis: no counter rows in the database' : 'the count lives in the database: one row per client and window', async () => {
    // prune with an instant far in the future deletes (and counts) every counter row.
    const rows = await a.storage.tokenQuotaCounters.prune('9999-12-31T00:00:00.000Z');
    expect(rows).toBe(setup.redis ? 0 : 2);
  });
});
