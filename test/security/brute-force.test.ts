// The failed-client-authentication brake (security catalogue §4.11 T-RL-06, T-RL-08; decision
// 0004): per (tenant, IP, client), answers are held 250 ms more per failure past `slow_after`, then
// the pair's wrong secrets are refused with 429 until its window ends (its right secret never is:
// S5, test/security/s05-brake-correct-secret.test.ts); other clients and other addresses are never
// affected; `feccft` entries name the client. T-RL-08: the address is the real peer unless the peer
// is a configured proxy, and IPv6 peers of one /64 share the count.
import { performance } from 'node:perf_hooks';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { mgmt } from '../helpers/mgmt-http.ts';
import { assertTokenContract, expectTokenError, expectUnauthorized } from '../helpers/token-contract.ts';
import { startTestServer, UNLIMITED, type TestServer } from '../helpers/test-server.ts';

// Every hold the token endpoint asks for, recorded on its way to the real timer: "not held" is
// then a fact about the request, not a wall-clock bound that a loaded machine can break.
const holds = vi.hoisted(() => [] as number[]);
vi.mock('node:timers/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:timers/promises')>();
  return {
    ...real,
    setTimeout: (ms?: number, ...rest: unknown[]) => {
      holds.push(ms ?? 0);
      return real.setTimeout(ms, ...(rest as []));
    },
  };
});

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
/** slow after 2 failures, refuse after 4, for a 60 s window. */
const BRAKE = { slow_after: 2, block_after: 4, window_seconds: 60 };
const LIMITS = { ...UNLIMITED, failed_client_authentication: BRAKE };
const blocked = (seconds: number) => `Too many failed authentication attempts for this client from your address; retry in ${seconds} seconds`;

interface Attempt {
  res: LightMyRequestResponse;
  ms: number;
  /** The holds the endpoint asked for while answering this request. */
  held: number[];
}

function attempt(s: TestServer, m2m: M2M, options: { ip?: string; wrong?: boolean; xff?: string } = {}): Promise<Attempt> {
  const started = performance.now();
  const from = holds.length;
  return s
    .inject({
      method: 'POST',
      url: '/oauth/token',
      remoteAddress: options.ip ?? '203.0.113.10',
      headers: options.xff === undefined ? {} : { 'x-forwarded-for': options.xff },
      payload: {
        grant_type: 'client_credentials',
        client_id: m2m.clientId,
        client_secret: options.wrong ? `wrong-${m2m.clientSecret}` : m2m.clientSecret,
        audience: s.tenant.managementAudience,
      },
    })
    .then((res) => {
      assertTokenContract(res, [m2m.clientSecret]);
      return { res, ms: performance.now() - started, held: holds.slice(from) };
    });
}

function expectBlocked(a: Attempt, seconds: number): void {
  expectTokenError(a.res, 429, 'too_many_requests', blocked(seconds));
  expect(a.res.headers['retry-after']).toBe(String(seconds));
}

/** Four wrong secrets from `ip` (the block threshold). */
async function failFourTimes(s: TestServer, m2m: M2M, options: { ip?: string; xff?: string } = {}): Promise<void> {
  for (let i = 0; i < BRAKE.block_after; i++) expectUnauthorized((await attempt(s, m2m, { ...options, wrong: true })).res);
}

describe('T-RL-06: repeated failed client authentications are slowed, then blocked for the window', () => {
  let s: TestServer;
  let reader: string;

  beforeAll(async () => {
    s = await startTestServer({ rateLimits: LIMITS });
    reader = await tokenFor(s, await seedM2M(s, ['read:logs'], { name: 'log reader' }));
  });
  afterAll(() => s.close());

  it('past slow_after each answer is held 250 ms more; past block_after a wrong secret gets 429 until the window ends', async () => {
    s.clock.set(T0 + 60_000);
    const m2m = await seedM2M(s, ['read:clients']);
    const first = await attempt(s, m2m, { wrong: true });
    const second = await attempt(s, m2m, { wrong: true });
    const third = await attempt(s, m2m, { wrong: true }); // two failures counted: held 250 ms
    const fourth = await attempt(s, m2m, { wrong: true }); // three: held 500 ms
    for (const a of [first, second, third, fourth]) expectUnauthorized(a.res);
    expect([first.held, second.held, third.held, fourth.held]).toEqual([[], [], [250], [500]]);
    expect(third.ms).toBeGreaterThanOrEqual(245);
    expect(fourth.ms).toBeGreaterThanOrEqual(495);

    const refused = await attempt(s, m2m, { wrong: true });
    expectBlocked(refused, 60);
    // S5: a wrong secret past slow_after is held (four failures counted: 750 ms), then refused.
    expect(refused.held).toEqual([750]);
    expect(refused.ms).toBeGreaterThanOrEqual(745);
    s.clock.advance(45);
    expectBlocked(await attempt(s, m2m, { wrong: true }), 15);
    s.clock.set(T0 + 119_999);
    expectBlocked(await attempt(s, m2m, { wrong: true }), 1);

    s.clock.set(T0 + 120_000);
    const after = await attempt(s, m2m);
    expect(after.res.statusCode, after.res.body).toBe(200);
    expect(after.held).toEqual([]); // a new window: nothing held
  });

  it('the block never affects the same client from another IP, nor another client from the same IP', async () => {
    s.clock.set(T0 + 180_000);
    const victim = await seedM2M(s, ['read:clients']);
    const neighbour = await seedM2M(s, ['read:clients']);
    await failFourTimes(s, victim, { ip: '203.0.113.20' });
    expectBlocked(await attempt(s, victim, { ip: '203.0.113.20', wrong: true }), 60);

    const elsewhere = await attempt(s, victim, { ip: '203.0.113.21' });
    expect(elsewhere.res.statusCode, elsewhere.res.body).toBe(200);
    expectUnauthorized((await attempt(s, victim, { ip: '203.0.113.21', wrong: true })).res);
    const sameIp = await attempt(s, neighbour, { ip: '203.0.113.20' });
    expect(sameIp.res.statusCode, sameIp.res.body).toBe(200);
    expectUnauthorized((await attempt(s, neighbour, { ip: '203.0.113.20', wrong: true })).res);
  });

  it('a success clears nothing: the pair keeps its failures, and a success elsewhere does not lift a block', async () => {
    s.clock.set(T0 + 240_000);
    const m2m = await seedM2M(s, ['read:clients']);
    for (let i = 0; i < 3; i++) expectUnauthorized((await attempt(s, m2m, { ip: '203.0.113.30', wrong: true })).res);
    const success = await attempt(s, m2m, { ip: '203.0.113.30' });
    expect(success.res.statusCode, success.res.body).toBe(200);
    expect(success.held).toEqual([]); // answered at once: a right secret is never held (S5)
    // One more failure reaches the threshold: the success in between reset nothing.
    expectUnauthorized((await attempt(s, m2m, { ip: '203.0.113.30', wrong: true })).res);
    expectBlocked(await attempt(s, m2m, { ip: '203.0.113.30', wrong: true }), 60);
    expect((await attempt(s, m2m, { ip: '203.0.113.31' })).res.statusCode).toBe(200);
    expectBlocked(await attempt(s, m2m, { ip: '203.0.113.30', wrong: true }), 60);
  });

  it('failures are counted exactly under concurrency (atomic increments): 10 parallel failures are all counted', async () => {
    const wide = await startTestServer({ rateLimits: { ...UNLIMITED, failed_client_authentication: { slow_after: 10, block_after: 12, window_seconds: 60 } } });
    try {
      const m2m = await seedM2M(wide, ['read:clients']);
      const parallel = await Promise.all(Array.from({ length: 10 }, () => attempt(wide, m2m, { wrong: true })));
      for (const a of parallel) expectUnauthorized(a.res);
      // With all ten counted, a right secret is answered at once (and counts nothing), the next wrong one is held 250 ms, then 500 ms; past twelve failures a wrong secret is refused.
      const eleventh = await attempt(wide, m2m);
      const twelfth = await attempt(wide, m2m, { wrong: true });
      expect(eleventh.res.statusCode).toBe(200);
      expect(eleventh.held).toEqual([]);
      expectUnauthorized(twelfth.res);
      expect(twelfth.held).toEqual([250]);
      expect(twelfth.ms).toBeGreaterThanOrEqual(245);
      expectUnauthorized((await attempt(wide, m2m, { wrong: true })).res);
      expectBlocked(await attempt(wide, m2m, { wrong: true }), 60);
    } finally {
      await wide.close();
    }
  });

  it('feccft entries name the client, for each failure and each refusal', async () => {
    s.clock.set(T0 + 300_000);
    const m2m = await seedM2M(s, ['read:clients'], { name: 'logged' });
    await failFourTimes(s, m2m, { ip: '203.0.113.40' });
    expectBlocked(await attempt(s, m2m, { ip: '203.0.113.40', wrong: true }), 60);
    await s.audit.flush();
    s.clock.advance(1);
    const res = await mgmt(s, reader).get(`/logs?q=client_id:${m2m.clientId}&sort=date:1`);
    expect(res.statusCode, res.body).toBe(200);
    const entries = res.json<Record<string, unknown>[]>();
    expect(entries.map((e) => [e.type, e.client_id, e.ip, e.description, (e.details as { status: number }).status])).toEqual([
      ...Array.from({ length: 4 }, () => ['feccft', m2m.clientId, '203.0.113.40', 'Unauthorized', 401]),
      ['feccft', m2m.clientId, '203.0.113.40', blocked(60), 429],
    ]);
    expect(JSON.stringify(entries).includes(m2m.clientSecret)).toBe(false);
  });
});

describe('T-RL-08: the client address behind proxies, and IPv6 per /64', () => {
  let direct: TestServer;
  let proxied: TestServer;

  beforeAll(async () => {
    direct = await startTestServer({ rateLimits: LIMITS });
    proxied = await startTestServer({ rateLimits: LIMITS, trustProxy: ['10.0.0.0/8'] });
  });
  afterAll(async () => {
    await direct.close();
    await proxied.close();
  });

  it('X-Forwarded-For from an untrusted direct peer is ignored: the block follows the real peer', async () => {
    const m2m = await seedM2M(direct, ['read:clients']);
    // Each failure claims another address; all are counted against the peer that sent them.
    for (let i = 0; i < BRAKE.block_after; i++) {
      expectUnauthorized((await attempt(direct, m2m, { ip: '203.0.113.50', wrong: true, xff: `198.51.100.${i}` })).res);
    }
    expectBlocked(await attempt(direct, m2m, { ip: '203.0.113.50', xff: '198.51.100.200', wrong: true }), 60);
    // Another peer claiming to be the blocked one is not blocked either.
    expectUnauthorized((await attempt(direct, m2m, { ip: '203.0.113.51', xff: '203.0.113.50', wrong: true })).res);
    // A peer in 10/8 is not trusted by this server: its header is ignored too.
    await failFourTimes(direct, m2m, { ip: '10.0.0.5', xff: '198.51.100.77' });
    expectBlocked(await attempt(direct, m2m, { ip: '10.0.0.5', xff: '198.51.100.78', wrong: true }), 60);
  });

  it('X-Forwarded-For from a configured proxy is honoured: the block follows the client it names', async () => {
    const m2m = await seedM2M(proxied, ['read:clients']);
    await failFourTimes(proxied, m2m, { ip: '10.0.0.5', xff: '198.51.100.7' });
    expectBlocked(await attempt(proxied, m2m, { ip: '10.0.0.5', xff: '198.51.100.7', wrong: true }), 60);
    // Through another proxy of the list, the same client is still blocked.
    expectBlocked(await attempt(proxied, m2m, { ip: '10.1.2.3', xff: '198.51.100.7', wrong: true }), 60);
    // A forged left-most entry does not help: the proxy's own append (right-most) is the client.
    expectBlocked(await attempt(proxied, m2m, { ip: '10.0.0.5', xff: '192.0.2.99, 198.51.100.7', wrong: true }), 60);
    // Other clients behind the same proxy are not blocked.
    expectUnauthorized((await attempt(proxied, m2m, { ip: '10.0.0.5', xff: '198.51.100.8', wrong: true })).res);
    // An untrusted peer cannot borrow the header to escape its own block.
    await failFourTimes(proxied, m2m, { ip: '203.0.113.60', xff: '198.51.100.9' });
    expectBlocked(await attempt(proxied, m2m, { ip: '203.0.113.60', xff: '198.51.100.10', wrong: true }), 60);
  });

  it('IPv6 peers in one /64 share a count; the next /64 does not', async () => {
    const m2m = await seedM2M(direct, ['read:clients']);
    const hosts = ['2001:db8:1:2::10', '2001:db8:1:2:ffff::99', '2001:db8:1:2:a:b:c:d', '2001:0db8:0001:0002::1'];
    for (const ip of hosts) expectUnauthorized((await attempt(direct, m2m, { ip, wrong: true })).res);
    expectBlocked(await attempt(direct, m2m, { ip: '2001:db8:1:2::beef', wrong: true }), 60);
    expectUnauthorized((await attempt(direct, m2m, { ip: '2001:db8:1:3::10', wrong: true })).res);
    // IPv4 and its IPv4-mapped IPv6 form are one client.
    await failFourTimes(direct, m2m, { ip: '192.0.2.1' });
    expectBlocked(await attempt(direct, m2m, { ip: '::ffff:192.0.2.1', wrong: true }), 60);
  });
});
