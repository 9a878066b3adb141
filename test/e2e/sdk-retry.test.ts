// The SDKs' retries on 429 against the real server (spec §1.3, §3.3; issue #3 "the SDK's retry on
// 429 honouring our headers"). With a Management API limit of 3 per 5-second window, the `auth0`
// v7 ManagementClient gets every call through: it waits for Retry-After, which lands its retry in
// the next window. Its own backoff (1 s, then 2 s, at most two retries) would stay inside a 5 s
// window and fail, so success shows it read our headers. The v4 client (`auth0/legacy`) ignores
// headers and backs off on its own (500 ms·2^n, three retries); with a 2 s window that suffices.
import { ManagementClient } from 'auth0';
import { ManagementClient as LegacyManagementClient } from 'auth0/legacy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientCredentialsToken } from '../helpers/oauth-http.ts';
import { startRealServer, type RealServer } from '../helpers/real-server.ts';

const WINDOW = 5;
let server: RealServer;
let bearer: string;

beforeAll(async () => {
  server = await startRealServer();
  bearer = await clientCredentialsToken(server.baseUrl, server.init.client_id, server.init.client_secret, server.init.audience);
});

afterAll(async () => {
  await server?.cleanup();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${server.baseUrl}/api/v2${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...init.headers } });

async function setManagementLimit(limit: number, windowSeconds: number): Promise<void> {
  // The limit in force may refuse this call too: wait as a client should, then try again.
  for (;;) {
    const res = await api('/tenants/settings', { method: 'PATCH', body: JSON.stringify({ rate_limits: { management_api: { limit, window_seconds: windowSeconds } } }) });
    if (res.status === 429) {
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after')) * 1000));
      continue;
    }
    expect(res.status, await res.text()).toBe(200);
    return;
  }
}

describe('spec §1.3: SDK retries on 429 honour x-ratelimit-* and Retry-After', () => {
  it('a refusal carries what the SDKs read: Retry-After in seconds up to the window end, x-ratelimit-reset in epoch seconds', async () => {
    await setManagementLimit(3, WINDOW);
    // Ten calls: a burst that crosses one window end still has four calls in one window. The server
    // answered the refusal between `before` and `after` (epoch seconds), whatever the machine's load.
    let refused: Response | undefined;
    let before = 0;
    let after = 0;
    for (let i = 0; i < 10 && !refused; i++) {
      before = Date.now() / 1000;
      const res = await api('/clients?per_page=1');
      after = Date.now() / 1000;
      if (res.status === 429) refused = res;
      else expect(res.status).toBe(200);
    }
    expect(refused, 'no 429 within ten calls at a limit of 3').toBeDefined();
    const reset = Number(refused!.headers.get('x-ratelimit-reset'));
    const retryAfter = Number(refused!.headers.get('retry-after'));
    expect(await refused!.json()).toEqual({ statusCode: 429, error: 'Too Many Requests', message: 'Global limit has been reached', errorCode: 'too_many_requests' });
    expect([refused!.headers.get('x-ratelimit-limit'), refused!.headers.get('x-ratelimit-remaining')]).toEqual(['3', '0']);
    expect(reset % WINDOW).toBe(0); // windows are aligned to their length
    // The window the refusal fell in ends after it was answered and at most a window later.
    expect(reset).toBeGreaterThan(before);
    expect(reset).toBeLessThanOrEqual(after + WINDOW);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= WINDOW).toBe(true);
    // Retry-After is the rest of that window rounded up, counted from when the server answered.
    expect(retryAfter).toBeGreaterThanOrEqual(Math.floor(reset - after));
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil(reset - before));
  });

  it('auth0 v7: eight calls back to back all succeed; the SDK waited for the windows; api_limit is logged once per window', async () => {
    await setManagementLimit(3, WINDOW);
    const mgmt = new ManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
    const started = Date.now();
    const seen: unknown[] = [];
    for (let i = 0; i < 8; i++) seen.push(((await mgmt.tenants.settings.get()) as unknown as { rate_limits?: unknown }).rate_limits);
    const elapsed = Date.now() - started;
    expect(seen).toEqual(Array<unknown>(8).fill({ management_api: { limit: 3, window_seconds: WINDOW } }));
    // Eight calls at three a window span at least three windows: two window ends were waited for.
    expect(elapsed).toBeGreaterThanOrEqual(WINDOW * 1000 - 100);

    // The tenant log shows the refusals, one entry per refused window (written within 250 ms).
    let entries: { date: string; description: string }[] = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const res = await api('/logs?q=type:api_limit&per_page=100');
      if (res.status === 429) {
        await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after')) * 1000));
        continue;
      }
      expect(res.status).toBe(200);
      entries = (await res.json()) as typeof entries;
      if (entries.some((e) => Date.parse(e.date) >= started)) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const during = entries.filter((e) => Date.parse(e.date) >= started);
    expect(during.length).toBeGreaterThanOrEqual(1);
    expect(during.every((e) => e.description === 'Global limit has been reached')).toBe(true);
    const windows = during.map((e) => Math.floor(Date.parse(e.date) / (WINDOW * 1000)));
    expect(new Set(windows).size).toBe(windows.length);
  }, 60_000);

  it('auth0/legacy (v4): its own backoff on 429 gets every call through a 3 per 2 s limit', async () => {
    await setManagementLimit(3, 2);
    const legacy = new LegacyManagementClient({ domain: server.domain, clientId: server.init.client_id, clientSecret: server.init.client_secret });
    const statuses: number[] = [];
    const started = Date.now();
    for (let i = 0; i < 7; i++) statuses.push((await legacy.clients.getAll({ per_page: 1 })).status);
    expect(statuses).toEqual(Array<number>(7).fill(200));
    // Seven calls at three a window cross at least two window ends.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000 - 100);
  }, 60_000);
});
