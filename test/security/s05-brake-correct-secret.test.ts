// S5 / T-OUT-05 (issue 9): the failed-client-authentication brake never refuses a correct secret.
// Twenty wrong secrets from one address used to lock the client out of that address for the rest
// of the window (behind a NAT, anyone who knows a client id could do it). Now the secret is checked
// before the brake decides: a correct one is always accepted, wrong ones are slowed, then refused.
// While a pair is braked its wrong secrets are held, its right one answered at once; an unknown
// client id is braked exactly like a known one (no enumeration); and every failure is counted before it is
// answered, so a burst of parallel guesses gets no more answers than sequential ones.
import { performance } from 'node:perf_hooks';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { assertTokenContract, basicHeader, expectTokenError, expectUnauthorized, issued } from '../helpers/token-contract.ts';
import { startTestServer, UNLIMITED, type TestServer } from '../helpers/test-server.ts';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
/** Held after 2 failures, refused after 4, for a 900 s window (the default window). */
const BRAKE = { slow_after: 2, block_after: 4, window_seconds: 900 };
const blocked = (seconds: number) => `Too many failed authentication attempts for this client from your address; retry in ${seconds} seconds`;

interface Attempt {
  res: LightMyRequestResponse;
  ms: number;
}

async function attempt(s: TestServer, clientId: string, secret: string, ip: string, basic = false): Promise<Attempt> {
  const started = performance.now();
  const form = { grant_type: 'client_credentials', audience: s.tenant.managementAudience, ...(basic ? {} : { client_id: clientId, client_secret: secret }) };
  const res = await s.inject({
    method: 'POST',
    url: '/oauth/token',
    remoteAddress: ip,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(basic && { authorization: basicHeader(clientId, secret) }) },
    payload: new URLSearchParams(form).toString(),
  });
  assertTokenContract(res, [secret]);
  return { res, ms: performance.now() - started };
}

const wrong = (m2m: M2M): string => `wrong-${m2m.clientSecret}`;

function expectBlocked(a: Attempt, seconds: number): void {
  expectTokenError(a.res, 429, 'too_many_requests', blocked(seconds));
  expect(a.res.headers['retry-after']).toBe(String(seconds));
}

describe('T-OUT-05 (S5): a correct client secret is never refused by the brute-force brake', () => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startTestServer({ rateLimits: { ...UNLIMITED, failed_client_authentication: BRAKE } });
  });
  afterAll(() => s.close());

  it('after the block threshold the correct secret from the same address is accepted, for the whole window, by post and by Basic', async () => {
    s.clock.set(T0);
    const m2m = await seedM2M(s, ['read:clients']);
    const ip = '198.51.100.1';
    for (let i = 0; i < BRAKE.block_after + 2; i++) {
      const a = await attempt(s, m2m.clientId, wrong(m2m), ip);
      if (i < BRAKE.block_after) expectUnauthorized(a.res);
      else expectBlocked(a, 900);
    }
    // The lock-out of the old brake: this was 429 for the next 15 minutes.
    expect(issued((await attempt(s, m2m.clientId, m2m.clientSecret, ip)).res).claims.azp).toBe(m2m.clientId);
    s.clock.advance(450);
    expectBlocked(await attempt(s, m2m.clientId, wrong(m2m), ip), 450);
    expect((await attempt(s, m2m.clientId, m2m.clientSecret, ip, true)).res.statusCode).toBe(200);
    s.clock.advance(449);
    expect((await attempt(s, m2m.clientId, m2m.clientSecret, ip)).res.statusCode).toBe(200);
    // A success lifts nothing: the pair stays braked for wrong secrets until its window ends.
    expectBlocked(await attempt(s, m2m.clientId, wrong(m2m), ip), 1);
    s.clock.advance(1);
    expectUnauthorized((await attempt(s, m2m.clientId, wrong(m2m), ip)).res);
  }, 60_000);

  it('while braked, wrong secrets are held and the right secret is answered at once (the brake slows wrong ones only)', async () => {
    s.clock.set(T0 + 1_800_000);
    const m2m = await seedM2M(s, ['read:clients']);
    const ip = '198.51.100.2';
    for (let i = 0; i < BRAKE.block_after; i++) expectUnauthorized((await attempt(s, m2m.clientId, wrong(m2m), ip)).res);
    // Four failures counted: the next wrong secret is held 750 ms (250 ms a failure past slow_after), then refused.
    const refused = await attempt(s, m2m.clientId, wrong(m2m), ip);
    expectBlocked(refused, 900);
    expect(refused.ms).toBeGreaterThanOrEqual(745);
    // The right secret is neither held nor refused, however braked its pair is.
    const right = await attempt(s, m2m.clientId, m2m.clientSecret, ip);
    expect(right.res.statusCode).toBe(200);
    expect(right.ms).toBeLessThan(745);
    // Its success counted nothing: the next wrong secret is held one step more (five failures: 1 s).
    const refusedAgain = await attempt(s, m2m.clientId, wrong(m2m), ip);
    expectBlocked(refusedAgain, 900);
    expect(refusedAgain.ms).toBeGreaterThanOrEqual(995);
  });

  it('an unknown client id is braked exactly like a known one: same answers, same headers, same holds (no enumeration)', async () => {
    s.clock.set(T0 + 3_600_000);
    const m2m = await seedM2M(s, ['read:clients']);
    const known: Attempt[] = [];
    const unknown: Attempt[] = [];
    for (let i = 0; i < BRAKE.block_after + 2; i++) {
      known.push(await attempt(s, m2m.clientId, wrong(m2m), '198.51.100.4'));
      unknown.push(await attempt(s, 'NoSuchClient000000000000000000000', wrong(m2m), '198.51.100.4'));
    }
    const shape = (a: Attempt) => ({ status: a.res.statusCode, body: a.res.body, retryAfter: a.res.headers['retry-after'], auth: a.res.headers['www-authenticate'] });
    expect(unknown.map(shape)).toEqual(known.map(shape));
    expect(known.map((a) => a.res.statusCode)).toEqual([401, 401, 401, 401, 429, 429]);
    // Holds: 0, 0, 250, 500, 750, 1000 ms, whether or not the client exists.
    [0, 0, 250, 500, 750, 1000].forEach((hold, i) => {
      expect(known[i]!.ms).toBeGreaterThanOrEqual(hold - 5);
      expect(unknown[i]!.ms).toBeGreaterThanOrEqual(hold - 5);
    });
  });

  it('a burst of parallel wrong secrets gets no more 401 answers than block_after: each failure is counted before it is answered', async () => {
    s.clock.set(T0 + 5_400_000);
    const m2m = await seedM2M(s, ['read:clients']);
    const burst = await Promise.all(Array.from({ length: 12 }, () => attempt(s, m2m.clientId, wrong(m2m), '198.51.100.5')));
    const statuses = burst.map((a) => a.res.statusCode);
    expect(statuses.filter((c) => c === 401)).toHaveLength(BRAKE.block_after);
    expect(statuses.filter((c) => c === 429)).toHaveLength(12 - BRAKE.block_after);
    // And the right secret still gets through from that address.
    expect((await attempt(s, m2m.clientId, m2m.clientSecret, '198.51.100.5')).res.statusCode).toBe(200);
  }, 60_000);
});
