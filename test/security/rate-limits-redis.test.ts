// Rate limits shared through Redis (security catalogue §4.11, D11). T-RL-09: two instances on one
// database and one Redis count together, so requests split across them meet one limit. T-RL-10:
// with Redis unreachable at start, or lost mid-run, a server keeps serving and keeps limiting in
// memory, warns once per outage, and shares its counts again when Redis returns.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { mgmt } from '../helpers/mgmt-http.ts';
import { createPgSchema, type PgSchema } from '../helpers/pg.ts';
import { freePort } from '../helpers/real-server.ts';
import { expectTokenError, expectUnauthorized } from '../helpers/token-contract.ts';
import { startTestServer, UNLIMITED, type TestServer } from '../helpers/test-server.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const T0S = T0 / 1000;
const RATE_LIMITED = 'Rate limit exceeded. Please retry after some time.';
const FELL_BACK = 'Redis unavailable: rate limits are counted in this process until it returns';
const CONNECTION_ERROR = 'Redis connection error; rate limits fall back to this process';
const RECOVERED = 'Redis is back: rate limits are shared again';
const LIMITS = {
  ...UNLIMITED,
  token_endpoint: { limit: 4, window_seconds: 10 },
  management_api: { limit: 4, window_seconds: 10 },
  failed_client_authentication: { slow_after: 100, block_after: 4, window_seconds: 60 },
};

const token = (s: TestServer, m2m: M2M, secret = m2m.clientSecret) =>
  s.inject({
    method: 'POST',
    url: '/oauth/token',
    remoteAddress: '203.0.113.70',
    payload: { grant_type: 'client_credentials', client_id: m2m.clientId, client_secret: secret, audience: s.tenant.managementAudience },
  });

const limitOf = (res: LightMyRequestResponse) => [res.statusCode, res.headers['x-ratelimit-remaining'], res.headers['x-ratelimit-reset']];

/** How many captured log lines carry exactly this message. */
const logged = (s: TestServer, msg: string) => s.logs.filter((line) => (JSON.parse(line) as { msg?: string }).msg === msg).length;

async function forgetTenant(tenantId: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  await redis.connect();
  const keys = await redis.keys(`scopeward:rl:${tenantId}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}

describe('T-RL-09: two instances on one PostgreSQL schema and one Redis share their counts', () => {
  let pg: PgSchema;
  let one: TestServer;
  let two: TestServer;

  beforeAll(async () => {
    pg = await createPgSchema();
    one = await startTestServer({ databaseUrl: pg.url, pgSchema: pg.schema, redisUrl: REDIS_URL, rateLimits: LIMITS });
    two = await startTestServer({ databaseUrl: pg.url, pgSchema: pg.schema, redisUrl: REDIS_URL, rateLimits: LIMITS, masterKey: one.masterKey, clock: one.clock });
  });
  afterAll(async () => {
    await forgetTenant(one.tenant.id);
    await two?.close();
    await one?.close();
    await pg?.drop();
  });

  it('both instances serve the same tenant', () => {
    expect(two.tenant.id).toBe(one.tenant.id);
  });

  it('token requests of one client split across the instances meet one limit', async () => {
    one.clock.set(T0 + 60_000);
    const m2m = await seedM2M(one, ['read:clients']);
    const answers = [];
    for (const s of [one, two, one, two, two, one]) answers.push(limitOf(await token(s, m2m)));
    const reset = String(T0S + 70);
    expect(answers).toEqual([
      [200, '3', reset],
      [200, '2', reset],
      [200, '1', reset],
      [200, '0', reset],
      [429, '0', reset],
      [429, '0', reset],
    ]);
    expectTokenError(await token(two, m2m), 429, 'too_many_requests', RATE_LIMITED);
  });

  it('Management API calls of the tenant split across the instances meet one limit', async () => {
    one.clock.set(T0 + 120_000);
    const bearer = await tokenFor(one, await seedM2M(one, ['read:clients']));
    const answers = [];
    for (const s of [two, one, two, one, one]) answers.push(limitOf(await mgmt(s, bearer).get('/clients')));
    const reset = String(T0S + 130);
    expect(answers).toEqual([
      [200, '3', reset],
      [200, '2', reset],
      [200, '1', reset],
      [200, '0', reset],
      [429, '0', reset],
    ]);
  });

  it('failed authentications split across the instances block the pair after N in total', async () => {
    one.clock.set(T0 + 180_000);
    const m2m = await seedM2M(one, ['read:clients']);
    for (const s of [one, two, one, two]) {
      expectUnauthorized(await token(s, m2m, 'wrong'));
      one.clock.advance(10); // a new token-bucket window each time, the same brake window
    }
    for (const s of [one, two]) {
      const res = await token(s, m2m, 'wrong');
      expectTokenError(res, 429, 'too_many_requests', 'Too many failed authentication attempts for this client from your address; retry in 20 seconds');
      // The right secret is never refused by the brake (S5).
      expect((await token(s, m2m)).statusCode).toBe(200);
    }
  });
});

describe('T-RL-10: Redis unreachable from the start', () => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startTestServer({ redisUrl: 'redis://127.0.0.1:1', rateLimits: LIMITS });
  });
  afterAll(() => s.close());

  it('the server serves and limits in memory, and warns once, however many requests come', async () => {
    s.clock.set(T0 + 60_000);
    const m2m = await seedM2M(s, ['read:clients']);
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(limitOf(await token(s, m2m)));
    const reset = String(T0S + 70);
    expect(answers).toEqual([
      [200, '3', reset],
      [200, '2', reset],
      [200, '1', reset],
      [200, '0', reset],
      [429, '0', reset],
      [429, '0', reset],
    ]);
    const bearer = await tokenFor(s, await seedM2M(s, ['read:clients']));
    for (let i = 0; i < 5; i++) await mgmt(s, bearer).get('/clients');
    expect((await mgmt(s, bearer).get('/clients')).statusCode).toBe(429);
    expect(logged(s, FELL_BACK)).toBe(1);
    expect(logged(s, CONNECTION_ERROR)).toBeLessThanOrEqual(1);
    expect((await s.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});

/** A TCP relay to the real Redis that the test can cut and restore on the same port. */
class Relay {
  readonly port: number;
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();

  constructor(port: number) {
    this.port = port;
  }

  async start(): Promise<void> {
    const target = new URL(REDIS_URL);
    this.#server = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('error', () => socket.destroy());
        socket.on('close', () => {
          this.#sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.#server!.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server!.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }
}

describe('T-RL-10: Redis lost mid-run, then back', () => {
  let relay: Relay;
  let s: TestServer;

  beforeAll(async () => {
    relay = new Relay(await freePort());
    await relay.start();
    // A minute-long window: the Redis key (which expires in real time) outlives the outage.
    s = await startTestServer({ redisUrl: `redis://127.0.0.1:${relay.port}`, rateLimits: { ...LIMITS, token_endpoint: { limit: 4, window_seconds: 60 } } });
  });
  afterAll(async () => {
    await forgetTenant(s.tenant.id);
    await s.close();
    await relay.stop().catch(() => undefined);
  });

  it('keeps serving and limiting in memory during the outage, warns once, and shares counts again afterwards', async () => {
    s.clock.set(T0 + 60_000);
    const reset = String(T0S + 120);
    const m2m = await seedM2M(s, ['read:clients']);
    expect([limitOf(await token(s, m2m)), limitOf(await token(s, m2m))]).toEqual([
      [200, '3', reset],
      [200, '2', reset],
    ]);
    expect(logged(s, FELL_BACK)).toBe(0);

    await relay.stop();
    // In memory the window starts again from nothing, and its limit still holds.
    const during = [];
    for (let i = 0; i < 6; i++) during.push(limitOf(await token(s, m2m)));
    expect(during).toEqual([
      [200, '3', reset],
      [200, '2', reset],
      [200, '1', reset],
      [200, '0', reset],
      [429, '0', reset],
      [429, '0', reset],
    ]);
    expect(logged(s, FELL_BACK)).toBe(1);

    await relay.start();
    // Redis is tried again once the pause after a failure (5 s) is over; its count resumes at 2.
    const deadline = Date.now() + 20_000;
    let back: unknown[] = [];
    while (Date.now() < deadline) {
      back = limitOf(await token(s, m2m));
      if (logged(s, RECOVERED) > 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(logged(s, RECOVERED)).toBe(1);
    expect(back).toEqual([200, '1', reset]);
    expect(logged(s, FELL_BACK)).toBe(1);
  }, 40_000);
});
