// S6 / T-OUT-06 (issue 9): every endpoint that authenticates a client goes through the one
// failed-client-authentication brake. /oauth/revoke used to check secrets with no brake at all (40
// wrong secrets, ~19 ms each, no slow-down, and an answer for the right one from an address that
// /oauth/token had blocked). The brake now lives in client authentication itself, so each grant of
// /oauth/token and /oauth/revoke slow and refuse wrong secrets alike, and share one count per
// (tenant, address, client): failures at one endpoint brake the others.
import { performance } from 'node:perf_hooks';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { expectTokenError, expectUnauthorized } from '../helpers/token-contract.ts';
import { startTestServer, UNLIMITED, type TestServer } from '../helpers/test-server.ts';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const BRAKE = { slow_after: 2, block_after: 4, window_seconds: 900 };
const BLOCKED = 'Too many failed authentication attempts for this client from your address; retry in 900 seconds';

type Kind = 'client_credentials' | 'authorization_code' | 'refresh_token' | 'revoke';
const KINDS: Kind[] = ['client_credentials', 'authorization_code', 'refresh_token', 'revoke'];

interface Attempt {
  res: LightMyRequestResponse;
  ms: number;
}

/** One client-authenticating request of `kind`; `secret` is the client secret it presents. */
async function send(s: TestServer, kind: Kind, m2m: M2M, secret: string, ip: string): Promise<Attempt> {
  const credentials = { client_id: m2m.clientId, client_secret: secret };
  const body: Record<string, string> =
    kind === 'revoke'
      ? { ...credentials, token: 'not-a-refresh-token' }
      : kind === 'client_credentials'
        ? { ...credentials, grant_type: kind, audience: s.tenant.managementAudience }
        : kind === 'authorization_code'
          ? { ...credentials, grant_type: kind, code: 'not-a-code', redirect_uri: 'https://app.example/cb' }
          : { ...credentials, grant_type: kind, refresh_token: 'not-a-refresh-token' };
  const started = performance.now();
  const res = await s.inject({
    method: 'POST',
    url: kind === 'revoke' ? '/oauth/revoke' : '/oauth/token',
    remoteAddress: ip,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(body).toString(),
  });
  expect(res.body.includes(m2m.clientSecret)).toBe(false);
  return { res, ms: performance.now() - started };
}

/** What the right secret gets for each kind: past authentication, each fails only on its bogus code or token. */
function expectAuthenticated(kind: Kind, a: Attempt): void {
  if (kind === 'revoke' || kind === 'client_credentials') expect(a.res.statusCode, a.res.body).toBe(200);
  else expect(a.res.statusCode, a.res.body).toBe(403); // unauthorized_client / invalid_grant: the client authenticated
}

describe('T-OUT-06 (S6): every endpoint that authenticates a client uses the same brake', () => {
  let s: TestServer;
  let m2m: M2M;

  beforeAll(async () => {
    s = await startTestServer({ rateLimits: { ...UNLIMITED, failed_client_authentication: BRAKE } });
    s.clock.set(T0);
    m2m = await seedM2M(s, ['read:clients']);
  });
  afterAll(() => s.close());

  it.each(KINDS.map((kind, i) => [kind, i] as const))('%s: wrong secrets are slowed, then refused; the count is shared with every other endpoint', async (kind, i) => {
    const ip = `203.0.113.${100 + i}`;
    const wrong = `wrong-${m2m.clientSecret}`;
    const failures: Attempt[] = [];
    for (let n = 0; n < BRAKE.block_after; n++) failures.push(await send(s, kind, m2m, wrong, ip));
    for (const a of failures) expectUnauthorized(a.res);
    expect(failures[2]!.ms).toBeGreaterThanOrEqual(245);
    expect(failures[3]!.ms).toBeGreaterThanOrEqual(495);

    const refused = await send(s, kind, m2m, wrong, ip);
    expectTokenError(refused.res, 429, 'too_many_requests', BLOCKED);
    expect(refused.res.headers['retry-after']).toBe('900');
    expect(refused.ms).toBeGreaterThanOrEqual(745);
    // Every other endpoint now refuses a wrong secret of this client from this address too.
    const others = await Promise.all(KINDS.filter((k) => k !== kind).map((other) => send(s, other, m2m, wrong, ip)));
    for (const a of others) expectTokenError(a.res, 429, 'too_many_requests', BLOCKED);
    // The right secret still authenticates at this endpoint, at once (S5: the brake slows wrong secrets only).
    const right = await send(s, kind, m2m, m2m.clientSecret, ip);
    expectAuthenticated(kind, right);
    expect(right.ms).toBeLessThan(745);
    // Another address is not affected.
    expectUnauthorized((await send(s, kind, m2m, wrong, `203.0.113.${200 + i}`)).res);
  }, 60_000);
});
