// T-OPS-01 (R1), T-OPS-02 (R2), T-OPS-03 (R3) end to end: two real server processes on a private
// PostgreSQL cluster (test/helpers/pg-cluster.ts; the shared one on 5432 is never touched),
// instance B with two cluster workers. Under concurrent client+grant writes and token requests,
// PostgreSQL is restarted (`pg_ctl restart -m fast`) and then stopped for a few seconds and
// started again. Proven: no process and no worker ends; every request that needs the database
// answers Auth0's 503 body, /readyz says 503 with what is missing; applications no change touched
// get tokens from memory the whole time, while one whose entry a change dropped gets 503 (fail
// closed); writes succeed again and a grant deletion or a denylisted token on A reaches B within
// 1 s, measured from 2 s after the database's return. The figures are printed at the end.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostCaller, type HostCaller, type HostResponse } from '../helpers/host-http.ts';
import { startPgCluster, type PgCluster } from '../helpers/pg-cluster.ts';
import { freePort, startRealServer, type RealServer } from '../helpers/real-server.ts';

const API = 'https://api.reliability.test/';
const UNAVAILABLE_OAUTH = { error: 'temporarily_unavailable', error_description: 'The service is temporarily unavailable. Please retry.' };
const UNAVAILABLE_MGMT = { statusCode: 503, error: 'Service Unavailable', message: 'The service is temporarily unavailable. Please retry.' };
const READY = { status: 'ready', checks: { database: 'ok', notifications: 'listening' } };
const DOWN = { status: 'unavailable', checks: { database: 'unavailable', notifications: 'reconnecting' } };
/** R2's targets: notifications back within 2 s of the database, then propagation within 1 s (D5). */
const RETURN_MS = 2000;
const PROPAGATION_MS = 1000;
const HIGH = { limit: 100_000, window_seconds: 1 };

type Instance = 'A' | 'B';
interface Sample {
  at: number;
  instance: Instance;
  op: 'write' | 'token' | 'ready';
  status: number;
  body: Record<string, unknown>;
}
interface App {
  clientId: string;
  secret: string;
  grantId: string;
}
/** An application the load asks tokens for, each instance over one kept-alive connection: with
 * B's two workers, the worker that loaded it (warmSteady) is the one asked during the outage. */
interface Steady extends App {
  via: Record<Instance, HostCaller>;
}

let pgc: PgCluster;
let a: RealServer;
let b: RealServer;
const call: Record<Instance, HostCaller> = {} as Record<Instance, HostCaller>;
let admin: string;
const figures: Record<string, unknown> = {};

const jsonOf = (r: HostResponse) => r.body;
async function ok(r: Promise<HostResponse>, status: number): Promise<Record<string, unknown>> {
  const res = await r;
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  return jsonOf(res);
}

async function newApp(on: Instance, name: string, audience = API, scope = ['read:data']): Promise<App> {
  const c = await ok(call[on].request('POST', '/api/v2/clients', { json: { name, app_type: 'non_interactive' }, token: admin }), 201);
  const g = await ok(call[on].request('POST', '/api/v2/client-grants', { json: { client_id: c.client_id, audience, scope }, token: admin }), 201);
  return { clientId: String(c.client_id), secret: String(c.client_secret), grantId: String(g.id) };
}

/** Loads `app` into the caches of both instances (B's workers take fresh connections roughly in turn). */
async function warm(app: App, audience = API): Promise<void> {
  const fresh = [hostCaller(a.port, a.domain, { fresh: true }), hostCaller(b.port, a.domain, { fresh: true })];
  for (const caller of fresh) for (let i = 0; i < 4; i++) await ok(caller.token(app.clientId, app.secret, audience), 200);
  for (const caller of fresh) caller.close();
}

async function steadyApps(count: number): Promise<Steady[]> {
  const apps = await Promise.all(Array.from({ length: count }, (_, i) => newApp('A', `steady ${i}`)));
  return Promise.all(
    apps.map(async (app) => {
      const via = { A: hostCaller(a.port, a.domain, { pinned: true }), B: hostCaller(b.port, a.domain, { pinned: true }) };
      for (const on of ['A', 'B'] as const) await ok(via[on].token(app.clientId, app.secret, API), 200);
      return { ...app, via };
    }),
  );
}

/** Polls `probe` every 20 ms until `done`; the milliseconds it took. */
async function until(probe: () => Promise<HostResponse>, done: (r: HostResponse) => boolean): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (done(await probe())) return Math.round(performance.now() - start);
    if (performance.now() - start > 10_000) throw new Error('not seen within 10 s');
    await sleep(20);
  }
}

/** Concurrent writers (client + grant) on both instances, token requests for `steady`, readiness polls. */
function startLoad(steady: Steady[]): { samples: Sample[]; stop(): Promise<void> } {
  const samples: Sample[] = [];
  let running = true;
  const record = (instance: Instance, op: Sample['op'], r: HostResponse): void => void samples.push({ at: Date.now(), instance, op, status: r.status, body: r.body });
  const loop = async (body: () => Promise<void>, pauseMs: number): Promise<void> => {
    while (running) {
      await body();
      await sleep(pauseMs);
    }
  };
  const writer = (on: Instance) =>
    loop(async () => {
      const c = await call[on].request('POST', '/api/v2/clients', { json: { name: 'load', app_type: 'non_interactive' }, token: admin });
      record(on, 'write', c);
      if (c.status !== 201) return;
      record(on, 'write', await call[on].request('POST', '/api/v2/client-grants', { json: { client_id: c.body.client_id, audience: API, scope: ['read:data'] }, token: admin }));
    }, 20);
  const loops = [
    ...(['A', 'A', 'A', 'A', 'A', 'B', 'B', 'B'] as const).map(writer),
    ...steady.map((app, i) => {
      let n = i;
      return loop(async () => {
        const on: Instance = n++ % 2 === 0 ? 'A' : 'B';
        record(on, 'token', await app.via[on].token(app.clientId, app.secret, API));
      }, 15);
    }),
    ...(['A', 'B'] as const).map((on) => loop(async () => record(on, 'ready', await call[on].request('GET', '/readyz')), 50)),
  ];
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(loops);
      for (const app of steady) for (const caller of Object.values(app.via)) caller.close();
    },
  };
}

/** The time of the first sample after `from` that matches. */
const firstAfter = (samples: Sample[], from: number, match: (s: Sample) => boolean): number | undefined => samples.find((s) => s.at >= from && match(s))?.at;

/** pino's JSON lines of a server's output carrying `msg`. */
function logLines(server: RealServer, msg: string): { time: number; downMs?: number }[] {
  return server
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes(msg))
    .map((l) => JSON.parse(l) as { time: number; downMs?: number });
}

/** What every phase asserts about its samples, and the figures it reports. */
function checkSamples(phase: string, samples: Sample[], down: { from: number; to: number }): Record<string, unknown> {
  // No connection error anywhere: no process (and no worker) went away.
  expect(samples.filter((s) => s.status === 0)).toEqual([]);
  // Applications no change touched: a token from memory every time, down or not.
  const tokens = samples.filter((s) => s.op === 'token');
  expect(tokens.filter((s) => s.status !== 200)).toEqual([]);
  // Writes: done, or Auth0's 503 body; nothing else (no 500).
  const writes = samples.filter((s) => s.op === 'write');
  expect(writes.filter((s) => s.status !== 201 && !(s.status === 503 && JSON.stringify(s.body) === JSON.stringify(UNAVAILABLE_MGMT)))).toEqual([]);
  // Readiness: ready, or unavailable naming what is missing.
  const ready = samples.filter((s) => s.op === 'ready');
  for (const s of ready) {
    if (s.status === 200) expect(s.body).toEqual(READY);
    else {
      expect(s.status).toBe(503);
      expect(s.body.status).toBe('unavailable');
    }
  }
  const per = (instance: Instance) => {
    const mine = samples.filter((s) => s.instance === instance);
    const downOnes = mine.filter((s) => s.at >= down.from && s.at <= down.to + 1000);
    const firstWrite = firstAfter(mine, down.to, (s) => s.op === 'write' && s.status === 201);
    const firstReady = firstAfter(mine, down.to, (s) => s.op === 'ready' && s.status === 200);
    return {
      writes201: mine.filter((s) => s.op === 'write' && s.status === 201).length,
      writes503: mine.filter((s) => s.op === 'write' && s.status === 503).length,
      ready503: mine.filter((s) => s.op === 'ready' && s.status === 503).length,
      tokens200WhileDown: downOnes.filter((s) => s.op === 'token' && s.status === 200 && s.at <= down.to).length,
      firstWriteAfterReturnMs: firstWrite === undefined ? undefined : firstWrite - down.to,
      readyAfterReturnMs: firstReady === undefined ? undefined : firstReady - down.to,
    };
  };
  const result = { outageMs: down.to - down.from, tokens: tokens.length, A: per('A'), B: per('B') };
  figures[phase] = result;
  return result;
}

beforeAll(async () => {
  pgc = await startPgCluster();
  const portA = await freePort();
  const domain = `localhost:${portA}`;
  // One tenant domain and one master key for both instances, as in any deployment; resync far
  // away, so every propagation measured below went through notifications.
  const env = { DATABASE_URL: pgc.url, SCOPEWARD_MASTER_KEY: randomBytes(32).toString('base64'), SCOPEWARD_DOMAIN: domain, SCOPEWARD_CACHE_RESYNC_SECONDS: '3600' };
  a = await startRealServer({ port: portA, args: ['--http', '--log-level', 'info'], env });
  b = await startRealServer({ args: ['--http', '--log-level', 'info', '--workers', '2'], env, init: a.init });
  call.A = hostCaller(a.port, domain);
  call.B = hostCaller(b.port, domain);
  admin = String((await ok(call.A.token(a.init.client_id, a.init.client_secret, a.init.audience), 200)).access_token);
  await ok(call.A.request('PATCH', '/api/v2/tenants/settings', { json: { rate_limits: { management_api: HIGH, token_endpoint: HIGH, token_endpoint_per_ip: HIGH } }, token: admin }), 200);
  await ok(call.A.request('POST', '/api/v2/resource-servers', { json: { name: 'reliability', identifier: API, scopes: [{ value: 'read:data', description: 'read' }] }, token: admin }), 201);
  await sleep(300); // B's workers reload the tenant (its new limits) from the notification
}, 180_000);

afterAll(async () => {
  call.A?.close();
  call.B?.close();
  await a?.cleanup();
  await b?.cleanup();
  pgc?.destroy();
  console.info(`T-OPS figures: ${JSON.stringify(figures, null, 2)}`);
});

describe('T-OPS-01/02/03: PostgreSQL goes away under load; two instances (B with 2 workers)', () => {
  it('T-OPS-01/02/03: `pg_ctl restart -m fast` under writes and token requests: all stay up, 503 or success only, tokens for untouched clients throughout, propagation back', async () => {
    const steady = await steadyApps(4);
    const probe = await newApp('A', 'probe restart');
    await warm(probe);

    const load = startLoad(steady);
    await sleep(800);
    const from = Date.now();
    await pgc.restart('fast');
    const to = Date.now();
    await sleep(RETURN_MS);
    // R2: 2 s after the database's return, a grant deleted on A stops tokens on B within 1 s.
    await ok(call.A.request('DELETE', `/api/v2/client-grants/${probe.grantId}`, { token: admin }), 204);
    const grantMs = await until(() => call.B.token(probe.clientId, probe.secret, API), (r) => r.status === 403);
    await load.stop();

    const result = checkSamples('restart', load.samples, { from, to });
    figures.restart = { ...result, grantDeletionPropagationMs: grantMs };
    expect(grantMs).toBeLessThanOrEqual(PROPAGATION_MS);
    // Writes were cut (503) and then succeeded again on both instances, without a restart.
    expect((result.A as { firstWriteAfterReturnMs?: number }).firstWriteAfterReturnMs).toBeDefined();
    expect((result.B as { firstWriteAfterReturnMs?: number }).firstWriteAfterReturnMs).toBeDefined();
    for (const server of [a, b]) {
      expect(server.output()).not.toContain("Emitted 'error' event");
      expect(server.output()).not.toContain('worker exited');
    }
  }, 120_000);

  it('T-OPS-01/02/03: `pg_ctl stop -m fast`, ~3 s down, start: 503 bodies, /readyz 503, untouched clients served from memory, a just-rotated client fails closed, recovery and ≤ 1 s propagation', async () => {
    const steady = await steadyApps(4);
    const touched = await newApp('A', 'touched');
    const probe = await newApp('A', 'probe stop');
    const reader = await newApp('A', 'denylisted reader', a.init.audience, ['read:clients']);
    for (const app of [touched, probe]) await warm(app);
    const readerToken = String((await ok(call.A.token(reader.clientId, reader.secret, a.init.audience), 200)).access_token);
    for (let i = 0; i < 4; i++) await ok(hostCaller(b.port, a.domain, { fresh: true }).request('GET', '/api/v2/clients?per_page=1', { token: readerToken }), 200);

    const load = startLoad(steady);
    await sleep(500);
    // R3: a committed write just before the outage (a secret rotation on A). Once B has heard it
    // (D5: 1 s), only this client's entry is gone, everywhere.
    const rotated = String((await ok(call.A.request('POST', `/api/v2/clients/${touched.clientId}/rotate-secret`, { token: admin }), 200)).client_secret);
    await sleep(PROPAGATION_MS);

    const from = Date.now();
    await pgc.stop('fast');
    await sleep(300);
    const during: Record<string, HostResponse> = {};
    for (const on of ['A', 'B'] as const) {
      during[`${on} touched, new secret`] = await call[on].token(touched.clientId, rotated, API);
      during[`${on} touched, old secret`] = await call[on].token(touched.clientId, touched.secret, API);
      during[`${on} uncached read`] = await call[on].request('GET', `/api/v2/client-grants?client_id=${touched.clientId}`, { token: admin });
      during[`${on} readyz`] = await call[on].request('GET', '/readyz');
    }
    await sleep(2400);
    await pgc.start();
    const to = Date.now();
    await sleep(RETURN_MS);
    // R2: propagation is back: a denylisted token and a deleted grant, from A to B.
    const jti = String((JSON.parse(Buffer.from(readerToken.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti);
    await ok(call.A.request('POST', '/api/v2/blacklists/tokens', { json: { jti }, token: admin }), 204);
    const denylistMs = await until(() => call.B.request('GET', '/api/v2/clients?per_page=1', { token: readerToken }), (r) => r.status === 401);
    await ok(call.A.request('DELETE', `/api/v2/client-grants/${probe.grantId}`, { token: admin }), 204);
    const grantMs = await until(() => call.B.token(probe.clientId, probe.secret, API), (r) => r.status === 403);
    await load.stop();

    // Fail closed: the rotated client is refused with 503 (never a token, never a 401 from its
    // outdated entry); uncached reads 503; readiness names both missing parts.
    for (const on of ['A', 'B'] as const) {
      for (const which of ['new', 'old']) {
        expect(during[`${on} touched, ${which} secret`]!.status).toBe(503);
        expect(during[`${on} touched, ${which} secret`]!.body).toEqual(UNAVAILABLE_OAUTH);
      }
      expect(during[`${on} uncached read`]!.status).toBe(503);
      expect(during[`${on} uncached read`]!.body).toEqual(UNAVAILABLE_MGMT);
      expect(during[`${on} readyz`]!.status).toBe(503);
      expect(during[`${on} readyz`]!.body).toEqual(DOWN);
      // After the return: the new secret works, the old one is refused.
      expect((await call[on].token(touched.clientId, rotated, API)).status).toBe(200);
      expect((await call[on].token(touched.clientId, touched.secret, API)).status).toBe(401);
    }

    const result = checkSamples('stop/start', load.samples, { from, to });
    const restored = { A: logLines(a, 'change notifications restored'), B: logLines(b, 'change notifications restored') };
    const listeningAfterReturnMs = Object.fromEntries(
      Object.entries(restored).map(([k, lines]) => [k, lines.filter((l) => l.time >= from).map((l) => l.time - to)]),
    );
    figures['stop/start'] = { ...result, denylistPropagationMs: denylistMs, grantDeletionPropagationMs: grantMs, listeningAfterReturnMs };
    for (const on of ['A', 'B'] as const) {
      const r = result[on] as { writes503: number; ready503: number; tokens200WhileDown: number };
      expect(r.writes503).toBeGreaterThan(0);
      expect(r.ready503).toBeGreaterThan(0);
      expect(r.tokens200WhileDown).toBeGreaterThan(0);
    }
    // The channel came back on A and on both of B's workers within 2 s, and each said so.
    expect(listeningAfterReturnMs.A).toHaveLength(1);
    expect(listeningAfterReturnMs.B).toHaveLength(2);
    for (const ms of [...listeningAfterReturnMs.A!, ...listeningAfterReturnMs.B!]) expect(ms).toBeLessThanOrEqual(RETURN_MS);
    expect(logLines(a, 'change notifications lost').filter((l) => l.time >= from)).toHaveLength(1);
    expect(denylistMs).toBeLessThanOrEqual(PROPAGATION_MS);
    expect(grantMs).toBeLessThanOrEqual(PROPAGATION_MS);
    for (const server of [a, b]) expect(server.output()).not.toContain('worker exited');
  }, 120_000);
});
