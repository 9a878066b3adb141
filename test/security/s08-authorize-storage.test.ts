// S8 / T-OUT-08 (issue 9): /authorize stored anything, for anyone — 1,500 anonymous requests with
// 13 × 1 KB junk parameters left 21 MB of login transactions living ≥ 30 minutes. Now a
// transaction keeps only the parameters the checks read, each bounded (an over-long value is
// refused: on our page before the redirect URI is trusted, through the redirect after); each
// address may start `authorize_per_ip` of them a window (429 page with Retry-After); one that its
// browser never comes back to lives 5 minutes (30 once it does); expired ones are swept every minute.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localBus } from '../../src/cache/bus.ts';
import { createEnvelope } from '../../src/crypto/envelope.ts';
import { createLogger } from '../../src/http/logger.ts';
import { DEFAULT_RATE_LIMITS } from '../../src/ratelimit/limiter.ts';
import { createRuntime } from '../../src/runtime.ts';
import type { TenantRecord } from '../../src/storage/ports.ts';
import { CB, expectErrorPage, loginThrough, mainOf } from '../helpers/authorize-flow.ts';
import { authorizeUrl, loginState, pkcePair, TestBrowser } from '../helpers/browser.ts';
import { seedApp, seedLoginUser, type SeededApp } from '../helpers/fixtures.ts';
import { frozenClock } from '../helpers/clock.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { DIALECTS, forEachDialect } from '../helpers/dialects.ts';
import { startTestServer, UNLIMITED, type TestServer } from '../helpers/test-server.ts';
import { seedTenant } from '../storage/records.ts';

const T0 = Date.UTC(2026, 10, 3, 8, 0, 0);
const { challenge } = pkcePair();
const FAR_FUTURE = '9999-01-01T00:00:00.000Z';
/** Three transactions per address a minute. */
const LIMITS = { ...UNLIMITED, authorize_per_ip: { limit: 3, window_seconds: 60 } };

const code = (app: SeededApp, extra: Record<string, string> = {}) => ({
  client_id: app.clientId,
  response_type: 'code',
  redirect_uri: CB,
  state: 'st',
  scope: 'openid profile',
  code_challenge: challenge,
  code_challenge_method: 'S256',
  ...extra,
});
/** The 13 junk parameters of 1 KB each. */
const JUNK = Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`junk${i}`, randomBytes(384).toString('base64')]));

/** Every stored transaction of the server, removed as it is counted (a far-future prune). */
const drainTransactions = (s: TestServer) => s.storage.loginTransactions.prune(FAR_FUTURE);

function expectErrorRedirect(res: LightMyRequestResponse, description: string): void {
  const expected = `${CB}?${new URLSearchParams({ error: 'invalid_request', error_description: description, state: 'st' }).toString()}`;
  expect({ status: res.statusCode, location: res.headers.location }).toStrictEqual({ status: 302, location: expected });
}

describe('T-OUT-08: what a login transaction stores', () => {
  let s: TestServer;
  let app: SeededApp;

  beforeAll(async () => {
    s = await startTestServer();
    app = await seedApp(s);
  });
  afterAll(() => s.close());

  it('only the parameters the flow reads: junk and SDK telemetry are ignored, never stored', async () => {
    await drainTransactions(s);
    const params = { ...code(app, { nonce: 'n-1', login_hint: 'ada@example.com', prompt: 'login' }), auth0Client: 'eyJuYW1lIjoiYXV0aDAtc3BhLWpzIn0=', ...JUNK };
    const id = loginState(await new TestBrowser(s).get(authorizeUrl(params)));
    const stored = await s.storage.loginTransactions.get(s.tenant.id, id);
    expect(stored!.request).toStrictEqual({ ...code(app), nonce: 'n-1', login_hint: 'ada@example.com', prompt: 'login' });
    expect(JSON.stringify(stored!.request).length).toBeLessThan(400);
  });

  it('before the redirect URI is trusted, an over-long client_id or redirect_uri is refused on our page', async () => {
    const browser = new TestBrowser(s);
    expectErrorPage(await browser.get(authorizeUrl(code(app, { redirect_uri: `${CB}?${'x'.repeat(1100)}` }))), 400, 'Invalid request', 'redirect_uri must not be longer than 1024 characters');
    expectErrorPage(await browser.get(authorizeUrl(code(app, { client_id: 'c'.repeat(300) }))), 400, 'Invalid request', `Unknown client: ${'c'.repeat(200)}...`);
  });

  // Each value is valid but for its length (response_type: `code` and spaces).
  it.each([
    ['nonce', 512, 'n'.repeat(513)],
    ['scope', 8192, 'openid '.repeat(1171).slice(0, 8193)],
    ['prompt', 64, 'login '.repeat(11).slice(0, 65)],
    ['login_hint', 255, 'a'.repeat(256)],
    ['screen_hint', 32, 's'.repeat(33)],
    ['response_type', 64, `code${' '.repeat(61)}`],
    ['state', 4096, 's'.repeat(4097)],
  ])('after it is trusted, an over-long %s (> %i characters) goes back as invalid_request; nothing is stored', async (name, max, value) => {
    await drainTransactions(s);
    expect(value).toHaveLength(max + 1);
    const res = await new TestBrowser(s).get(authorizeUrl(code(app, { [name]: value })));
    const description = `${name} must not be longer than ${max} characters`;
    if (name === 'state') expect(res.headers.location).toBe(`${CB}?${new URLSearchParams({ error: 'invalid_request', error_description: description }).toString()}`);
    else expectErrorRedirect(res, description);
    expect(await drainTransactions(s)).toBe(0);
  });

  it('a value at its bound is accepted (the dashboard asks for every Management API scope: about 6,200 characters)', async () => {
    const res = await new TestBrowser(s).get(authorizeUrl(code(app, { nonce: 'n'.repeat(512), login_hint: 'h'.repeat(255), scope: `openid ${'read:x '.repeat(1169)}`.trim() })));
    expect(String(res.headers.location)).toMatch(/^\/u\/login\?state=/);
  });

  it('an implicit request ignores code_challenge, but not its length', async () => {
    const implicit = { client_id: app.clientId, response_type: 'token', redirect_uri: CB, state: 'st', scope: 'openid', nonce: 'n' };
    const res = await new TestBrowser(s).get(authorizeUrl({ ...implicit, code_challenge: 'c'.repeat(129) }));
    expect(res.headers.location).toBe(`${CB}#${new URLSearchParams({ error: 'invalid_request', error_description: 'code_challenge must not be longer than 128 characters', state: 'st' }).toString()}`);
  });
});

describe('T-OUT-08: login transactions per address', () => {
  let s: TestServer;
  let app: SeededApp;
  let admin: MgmtCaller;

  beforeAll(async () => {
    s = await startTestServer({ rateLimits: LIMITS });
    s.clock.set(T0);
    app = await seedApp(s);
    admin = mgmt(s, await mgmtToken(s, ['read:logs', 'update:tenant_settings']));
  });
  afterAll(() => s.close());

  it('past authorize_per_ip in a window: a 429 page with Retry-After, nothing stored, logged once; other addresses go on', async () => {
    await drainTransactions(s);
    const ip = '203.0.113.80';
    for (let i = 0; i < 3; i++) expect(String((await new TestBrowser(s, ip).get(authorizeUrl({ ...code(app), ...JUNK }))).headers.location)).toMatch(/^\/u\/login\?state=/);
    s.clock.advance(15);
    for (let i = 0; i < 2; i++) {
      const refused = await new TestBrowser(s, ip).get(authorizeUrl(code(app)));
      expectErrorPage(refused, 429, 'Too many requests', 'Too many logins were started from your network. Try again in 45 seconds.');
      expect(refused.headers['retry-after']).toBe('45');
    }
    expect(String((await new TestBrowser(s, '203.0.113.81').get(authorizeUrl(code(app)))).headers.location)).toMatch(/^\/u\/login\?state=/);
    expect(await drainTransactions(s)).toBe(4);
    await s.audit.flush();
    const logs = (await admin.get(`/logs?q=${encodeURIComponent('ip:"203.0.113.80"')}`)).json<{ type: string }[]>();
    expect(logs.map((e) => e.type)).toEqual(['api_limit']);
    s.clock.advance(45);
    expect(String((await new TestBrowser(s, ip).get(authorizeUrl(code(app)))).headers.location)).toMatch(/^\/u\/login\?state=/);
  });

  it('answers from a live session start no transaction and are not counted', async () => {
    const user = await seedLoginUser(s, 'sam@example.com');
    const ip = '203.0.113.85';
    const browser = new TestBrowser(s, ip);
    expect(String((await loginThrough(browser, code(app), user)).headers.location)).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
    for (let i = 0; i < 5; i++) expect(String((await browser.get(authorizeUrl(code(app)))).headers.location)).toMatch(/^https:\/\/app\.example\.com\/cb\?code=/);
    for (let i = 0; i < 2; i++) expect(String((await new TestBrowser(s, ip).get(authorizeUrl(code(app)))).headers.location)).toMatch(/^\/u\/login\?state=/);
    expect((await new TestBrowser(s, ip).get(authorizeUrl(code(app)))).statusCode).toBe(429);
  });

  it('an address on rate_limits.ip_allowlist is exempt', async () => {
    expect((await admin.patch('/tenants/settings', { rate_limits: { ip_allowlist: ['203.0.113.90'] } })).statusCode).toBe(200);
    for (let i = 0; i < 6; i++) expect(String((await new TestBrowser(s, '203.0.113.90').get(authorizeUrl(code(app)))).headers.location)).toMatch(/^\/u\/login\?state=/);
  });
});

describe("T-OUT-08: the issue's flood, with the default limits", () => {
  it('1,500 anonymous requests with 13 × 1 KB junk from one address: 60 stored (under 30 KB, not 21 MB), the rest refused; all gone 5 minutes later', async () => {
    const s = await startTestServer({ rateLimits: { ...UNLIMITED, authorize_per_ip: DEFAULT_RATE_LIMITS.authorize_per_ip } });
    try {
      s.clock.set(T0);
      const app = await seedApp(s);
      const url = authorizeUrl({ ...code(app), ...JUNK });
      const statuses: number[] = [];
      const ids: string[] = [];
      for (let i = 0; i < 1500; i++) {
        const res = await new TestBrowser(s, '198.51.100.200').get(url);
        statuses.push(res.statusCode);
        if (res.statusCode === 302) ids.push(loginState(res));
      }
      expect([statuses.filter((x) => x === 302).length, statuses.filter((x) => x === 429).length]).toEqual([60, 1440]);
      let bytes = 0;
      for (const id of ids) bytes += JSON.stringify((await s.storage.loginTransactions.get(s.tenant.id, id))!.request).length;
      expect(bytes).toBeLessThan(30_000);
      s.clock.advance(5 * 60 + 1);
      expect(await s.storage.loginTransactions.prune(new Date(s.clock.now()).toISOString())).toBe(60);
    } finally {
      await s.close();
    }
  }, 60_000);
});

describe('T-OUT-08: abandoned transactions expire quickly', () => {
  let s: TestServer;
  let app: SeededApp;

  beforeAll(async () => {
    s = await startTestServer();
    s.clock.set(T0);
    app = await seedApp(s);
  });
  afterAll(() => s.close());

  /** Whether the login page still opens for this browser and transaction. */
  const opens = async (browser: TestBrowser, id: string) => {
    const res = await browser.get(`/u/login?state=${encodeURIComponent(id)}`);
    if (res.statusCode === 200) return true;
    expect(mainOf(res.body)).toContain('Your login attempt expired or was started in another browser.');
    return false;
  };

  it('untouched: 5 minutes; once its browser comes back to the login page: 30 minutes from the start', async () => {
    const idle = new TestBrowser(s);
    const active = new TestBrowser(s);
    const abandoned = loginState(await idle.get(authorizeUrl(code(app))));
    const used = loginState(await active.get(authorizeUrl(code(app))));
    expect((await s.storage.loginTransactions.get(s.tenant.id, abandoned))!.expiresAt).toBe(new Date(T0 + 5 * 60_000).toISOString());
    s.clock.advance(60);
    expect(await opens(active, used)).toBe(true);
    expect((await s.storage.loginTransactions.get(s.tenant.id, used))!.expiresAt).toBe(new Date(T0 + 30 * 60_000).toISOString());
    s.clock.advance(4 * 60);
    expect(await opens(idle, abandoned)).toBe(false);
    expect(await opens(active, used)).toBe(true);
    s.clock.set(T0 + 30 * 60_000 - 1);
    expect(await opens(active, used)).toBe(true);
    s.clock.set(T0 + 30 * 60_000);
    expect(await opens(active, used)).toBe(false);
  });
});

forEachDialect('T-OUT-08: the login transaction store and its background sweep', (storage) => {
  let tenant: TenantRecord;

  beforeEach(async () => {
    tenant = await seedTenant(storage);
  });

  const transaction = (id: string, expiresAt: string) => ({ tenantId: tenant.id, id, browserHash: 'h', request: { client_id: 'c' }, createdAt: new Date(T0).toISOString(), expiresAt });

  it('touch sets the expiry; prune deletes what expired before the given instant', async () => {
    await storage.loginTransactions.create(transaction('a', new Date(T0 + 1000).toISOString()));
    await storage.loginTransactions.create(transaction('b', new Date(T0 + 1000).toISOString()));
    await storage.loginTransactions.touch(tenant.id, 'b', new Date(T0 + 9000).toISOString());
    expect((await storage.loginTransactions.get(tenant.id, 'b'))!.expiresAt).toBe(new Date(T0 + 9000).toISOString());
    expect(await storage.loginTransactions.prune(new Date(T0 + 5000).toISOString())).toBe(1);
    expect(await storage.loginTransactions.get(tenant.id, 'a')).toBeUndefined();
    expect(await storage.loginTransactions.get(tenant.id, 'b')).toBeDefined();
  });

  it('a started runtime sweeps expired transactions on its own, on its timer', async () => {
    const clock = frozenClock(T0);
    const logger = createLogger('warn', new Writable({ write: (_c, _e, done) => done() }));
    const runtime = await createRuntime({ raw: storage, bus: localBus(), envelope: createEnvelope(randomBytes(32)), clock, logger, transactionSweepMs: 20 });
    try {
      await storage.loginTransactions.create(transaction('old', new Date(T0 - 1).toISOString()));
      await storage.loginTransactions.create(transaction('live', new Date(T0 + 60_000).toISOString()));
      runtime.start();
      for (let i = 0; i < 200 && (await storage.loginTransactions.get(tenant.id, 'old')); i++) await new Promise((r) => setTimeout(r, 20));
      expect(await storage.loginTransactions.get(tenant.id, 'old')).toBeUndefined();
      expect(await storage.loginTransactions.get(tenant.id, 'live')).toBeDefined();
      expect(await runtime.sweepTransactions()).toBe(0);
    } finally {
      await runtime.close();
    }
  });
});

describe('T-OUT-08: a state that is not one of our transaction ids never reaches the database', () => {
  it.each(DIALECTS)('on $name, GET and POST /u/login with a NUL in state answer the expired-login page, not a 500', async (dialect) => {
    const opened = await dialect.open();
    const s = await startTestServer({ storage: opened.storage });
    try {
      const browser = new TestBrowser(s);
      const app = await seedApp(s);
      loginState(await browser.get(authorizeUrl(code(app)))); // the browser holds a real login cookie
      for (const res of [
        await browser.get('/u/login?state=a%00b'),
        await browser.post('/u/login?state=a%00b', { state: 'a\u0000b', username: 'x@example.com', password: 'y' }),
      ]) {
        expect(res.statusCode, res.body).toBeLessThan(500);
        expect(mainOf(res.body)).toContain('Your login attempt expired or was started in another browser.');
      }
    } finally {
      await s.close();
      await opened.close();
    }
  });
});
