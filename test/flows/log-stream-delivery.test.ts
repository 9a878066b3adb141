// Log stream delivery (issue 13) on SQLite and PostgreSQL, against a local receiver: each content
// format's exact wire body and headers; a receiver that fails, hangs and recovers gets every event,
// in log_id order, none lost or skipped; suspension after failing without a break and resumption;
// pause; category filters; startFrom; PII masking; a restart resumes from the outbox; two
// instances on one database never deliver a stream at the same time.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, startLogReceiver, waitUntil, type LogReceiver } from '../helpers/log-receiver.ts';
import { mgmt, type MgmtCaller } from '../helpers/mgmt-http.ts';
import { mgmtToken } from '../helpers/mgmt.ts';
import { createPgSchema } from '../helpers/pg.ts';
import { startTestServer, type TestServer, type TestServerOptions } from '../helpers/test-server.ts';
import type { Dialect } from '../helpers/dialects.ts';

const SCOPES = ['read:log_streams', 'create:log_streams', 'update:log_streams', 'delete:log_streams'];
/** Small waits so that tests take seconds; the receiver's hang outlasts the timeout. */
const FAST = { pollMs: 30, retryBaseMs: 40, retryMaxMs: 200, timeoutMs: 400, batchSize: 4 } as const;

interface Ctx {
  s: TestServer;
  admin: MgmtCaller;
}

async function start(options: TestServerOptions): Promise<Ctx> {
  const s = await startTestServer({ logStreams: FAST, ...options });
  const admin = mgmt(s, await mgmtToken(s, SCOPES));
  s.audit.start();
  s.logStreams.start();
  return { s, admin };
}

/** Records `n` events of `type` (through the tenant log, as the server does) and writes them now. */
async function record(s: TestServer, n: number, type = 's', extra: Record<string, unknown> = {}): Promise<void> {
  for (let i = 0; i < n; i++) s.audit.record(s.tenant, { ip: '203.0.113.7', userAgent: 'test' }, { type, description: `event ${i}`, ...extra });
  await s.audit.flush();
}

/** Every log id of the tenant after `from`, in order. */
async function idsAfter(s: TestServer, from: string | undefined): Promise<string[]> {
  return (await s.storage.logs.listAfter(s.tenant.id, undefined, from, 1000)).map((r) => r.logId);
}

async function lastLogId(s: TestServer): Promise<string | undefined> {
  await s.audit.flush();
  return (await s.storage.logs.list(s.tenant.id, undefined, { offset: 0, limit: 1, withTotal: false })).items[0]?.logId;
}

async function createStream(admin: MgmtCaller, body: Record<string, unknown>): Promise<string> {
  const res = await admin.post('/log-streams', body);
  if (res.statusCode !== 200) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>().id;
}

const sorted = (ids: string[]) => [...ids].sort();

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe(`log stream delivery on ${dialect}`, () => {
    let c: Ctx;
    const receivers: LogReceiver[] = [];
    const receiver = async () => {
      const r = await startLogReceiver();
      receivers.push(r);
      return r;
    };
    beforeAll(async () => {
      c = await start({ dialect });
    });
    afterEach(async () => {
      for (const r of receivers.splice(0)) await r.close();
      for (const st of await c.s.storage.logStreams.list(c.s.tenant.id)) await c.s.storage.logStreams.remove(c.s.tenant.id, st.id);
    });
    afterAll(() => c.s.close());

    it('each content format on the wire: JSONARRAY one array, JSONLINES one event per line, JSONOBJECT one event per request; Content-Type, Authorization and custom headers sent', async () => {
      const [array, lines, object] = [await receiver(), await receiver(), await receiver()];
      const sink = (url: string, format: string) => ({
        httpEndpoint: url,
        httpContentFormat: format,
        httpContentType: 'application/json; charset=utf-8',
        httpAuthorization: `Bearer token-${format}`,
        httpCustomHeaders: [{ header: 'DD-API-KEY', value: `key-${format}` }],
      });
      // Streams filtered to `s` so that only the events this test records are sent.
      const filters = [{ type: 'category', name: 'auth.login.success' }];
      await createStream(c.admin, { type: 'http', name: 'array', filters, sink: sink(array.url, 'JSONARRAY') });
      await createStream(c.admin, { type: 'http', name: 'lines', filters, sink: sink(lines.url, 'JSONLINES') });
      await createStream(c.admin, { type: 'http', name: 'object', filters, sink: sink(object.url, 'JSONOBJECT') });
      const before = await lastLogId(c.s);
      await record(c.s, 3, 's', { user_name: 'alice@example.com' });
      const expected = (await c.s.storage.logs.listAfter(c.s.tenant.id, { field: 'type', op: 'eq', value: 's' }, before, 10)).map((r) => ({ log_id: r.logId, data: r.event }));
      expect(expected).toHaveLength(3);
      await waitUntil('every receiver has the 3 events', () => [array, lines, object].every((r) => r.acceptedIds().length === 3));

      // JSONARRAY: each request one array of at most 4 events (batchSize; the streams' own creation
      // events, filtered out, share the first batches), together the 3 events in order.
      expect(array.requests.every((r) => r.method === 'POST' && r.path === '/api/logs')).toBe(true);
      expect(array.requests.flatMap((r) => JSON.parse(r.body) as unknown[])).toEqual(expected);
      // JSONLINES: one JSON text per line, no array around them.
      expect(lines.requests.map((r) => r.body).join('\n')).toBe(expected.map((e) => JSON.stringify(e)).join('\n'));
      expect(lines.requests.every((r) => !r.body.startsWith('[') && !r.body.endsWith('\n'))).toBe(true);
      // JSONOBJECT: one request per event, each body one object.
      expect(object.requests.map((r) => JSON.parse(r.body) as unknown)).toEqual(expected);
      for (const [r, format] of [[array, 'JSONARRAY'], [lines, 'JSONLINES'], [object, 'JSONOBJECT']] as const) {
        for (const req of r.requests) {
          expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
          expect(req.headers.authorization).toBe(`Bearer token-${format}`);
          expect(req.headers['dd-api-key']).toBe(`key-${format}`);
        }
      }
      // Each event's data is the event as GET /api/v2/logs shows it.
      const one = await c.admin.get(`/logs/${expected[0]!.log_id}`);
      expect(one.statusCode).toBe(403); // the token has no read:logs; the stored event is the reference
      expect(expected[0]!.data).toMatchObject({ type: 's', description: 'event 0', ip: '203.0.113.7', user_name: 'alice@example.com', log_id: expected[0]!.log_id });
    });

    it('a receiver that fails (500), then hangs past the timeout, then recovers gets every event in log_id order: none lost, none skipped', async () => {
      const r = await receiver();
      r.mode = { kind: 'status', status: 500 };
      const before = await lastLogId(c.s);
      const id = await createStream(c.admin, { type: 'http', name: 'flaky', sink: { httpEndpoint: r.url, httpContentFormat: 'JSONARRAY' } });
      await record(c.s, 6);
      await waitUntil('three failed attempts', () => r.requests.length >= 3);
      r.mode = { kind: 'hang' };
      const hung = r.requests.length;
      await record(c.s, 5);
      await waitUntil('two timed-out attempts', () => r.requests.length >= hung + 2);
      // Attempts are one at a time: failure number hung + 1 is the first request that hung.
      await waitUntil('a timed-out attempt recorded', async () => (await c.s.storage.logStreams.get(c.s.tenant.id, id))!.delivery.failures >= hung + 1);
      const failing = await c.s.storage.logStreams.get(c.s.tenant.id, id);
      expect(failing!.delivery.lastError).toBe('no answer within 400 ms');
      expect(failing!.delivery.failingSince).not.toBeNull();
      expect(failing!.status).toBe('active');
      r.mode = { kind: 'ok' };
      await record(c.s, 7);
      const expected = await idsAfter(c.s, before);
      await waitUntil('every event delivered', async () => r.acceptedIds().length === expected.length && (await c.s.storage.logStreams.backlog(c.s.tenant.id, id)) === 0);
      expect(r.acceptedIds()).toEqual(expected);
      expect(r.acceptedIds()).toEqual(sorted(expected));
      // Batches are taken in order: every accepted request starts after the previous one ended.
      const firsts = r.requests.filter((q) => q.answered === 200).map((q) => eventsOf(q.body));
      for (let i = 1; i < firsts.length; i++) expect(firsts[i]![0]!.log_id > firsts[i - 1]!.at(-1)!.log_id).toBe(true);
      expect(r.maxConcurrent).toBe(1);
      const healed = await c.s.storage.logStreams.get(c.s.tenant.id, id);
      expect(healed!.delivery).toMatchObject({ failures: 0, failingSince: null, lastError: null, lastDeliveredLogId: expected.at(-1) });
    });

    it("Auth0's rule: a stream failing without a break for the suspension period is suspended and no longer tried; set active, it delivers everything kept", async () => {
      const s2 = await start({ dialect, logStreams: { ...FAST, suspendAfterMs: 600 } });
      try {
        const r = await receiver();
        r.mode = { kind: 'status', status: 503 };
        const before = await lastLogId(s2.s);
        const id = await createStream(s2.admin, { type: 'http', name: 'doomed', sink: { httpEndpoint: r.url } });
        await record(s2.s, 3);
        await waitUntil('suspended', async () => (await s2.admin.get(`/log-streams/${id}`)).json<{ status: string }>().status === 'suspended');
        const tried = r.requests.length;
        expect(tried).toBeGreaterThanOrEqual(2);
        await record(s2.s, 2);
        await new Promise((res) => setTimeout(res, 800));
        expect(r.requests.length).toBe(tried);
        r.mode = { kind: 'ok' };
        const resumed = await s2.admin.patch(`/log-streams/${id}`, { status: 'active' });
        expect(resumed.json()).toMatchObject({ status: 'active' });
        const expected = await idsAfter(s2.s, before);
        await waitUntil('everything delivered after resuming', () => r.acceptedIds().length >= expected.length);
        expect(r.acceptedIds().slice(0, expected.length)).toEqual(expected);
      } finally {
        await s2.s.close();
      }
    });

    it('a paused stream sends nothing and keeps its events; set active, it sends them in order', async () => {
      const r = await receiver();
      const id = await createStream(c.admin, { type: 'http', name: 'pausable', filters: [{ type: 'category', name: 'auth.login.fail' }], sink: { httpEndpoint: r.url } });
      expect((await c.admin.patch(`/log-streams/${id}`, { status: 'paused' })).json()).toMatchObject({ status: 'paused' });
      const before = await lastLogId(c.s);
      await record(c.s, 4, 'f');
      await new Promise((res) => setTimeout(res, 500));
      expect(r.requests).toHaveLength(0);
      await c.admin.patch(`/log-streams/${id}`, { status: 'active' });
      const expected = (await c.s.storage.logs.listAfter(c.s.tenant.id, { field: 'type', op: 'eq', value: 'f' }, before, 10)).map((e) => e.logId);
      await waitUntil('the paused events delivered', () => r.acceptedIds().length === 4);
      expect(r.acceptedIds()).toEqual(expected);
    });

    it('category filters: only events of the chosen categories are sent, the others leave the backlog unsent', async () => {
      const r = await receiver();
      const id = await createStream(c.admin, {
        type: 'http',
        name: 'failures',
        filters: [{ type: 'category', name: 'auth.login.fail' }, { type: 'category', name: 'auth.token_exchange.fail' }],
        sink: { httpEndpoint: r.url, httpContentFormat: 'JSONARRAY' },
      });
      const before = await lastLogId(c.s);
      for (const type of ['s', 'f', 'seccft', 'fp', 'feccft', 'sapi', 'slo', 'fu']) await record(c.s, 1, type);
      await waitUntil('backlog drained', async () => (await c.s.storage.logStreams.backlog(c.s.tenant.id, id)) === 0);
      const all = await c.s.storage.logs.listAfter(c.s.tenant.id, undefined, before, 100);
      const wanted = all.filter((e) => ['f', 'fp', 'feccft', 'fu'].includes(e.type)).map((e) => e.logId);
      expect(r.accepted().map((e) => e.data.type)).toEqual(['f', 'fp', 'feccft', 'fu']);
      expect(r.acceptedIds()).toEqual(wanted);
    });

    it('startFrom: the events logged since then are delivered first, then the new ones', async () => {
      await record(c.s, 2, 'w');
      const r = await receiver();
      const since = new Date(c.s.clock.now()).toISOString(); // the frozen clock: every event so far carries this date
      await createStream(c.admin, { type: 'http', name: 'backfill', startFrom: since, filters: [{ type: 'category', name: 'auth.login.notification' }], sink: { httpEndpoint: r.url } });
      await record(c.s, 1, 'w');
      const expected = (await c.s.storage.logs.listAfter(c.s.tenant.id, { field: 'type', op: 'eq', value: 'w' }, undefined, 100)).map((e) => e.logId);
      expect(expected.length).toBeGreaterThanOrEqual(3);
      await waitUntil('the old and the new events', () => r.acceptedIds().length === expected.length);
      expect(r.acceptedIds()).toEqual(expected);
    });

    it('pii_config mask: the named fields are sent as asterisks, the stored event is unchanged', async () => {
      const r = await receiver();
      await createStream(c.admin, {
        type: 'http',
        name: 'masked',
        filters: [{ type: 'category', name: 'user.success' }],
        pii_config: { log_fields: ['email', 'username'], method: 'mask' },
        sink: { httpEndpoint: r.url },
      });
      await record(c.s, 1, 'scp', { user_name: 'carol@example.com', details: { email: 'carol@example.com', other: 'kept' } });
      await waitUntil('delivered', () => r.acceptedIds().length === 1);
      const sent = r.accepted()[0]!;
      expect(sent.data).toMatchObject({ user_name: '*****', details: { email: '*****', other: 'kept' } });
      expect((await c.s.storage.logs.get(c.s.tenant.id, sent.log_id))!.event).toMatchObject({ user_name: 'carol@example.com' });
    });
  });

  describe(`restarts and instances on ${dialect}`, () => {
    let url: string;
    let pgSchema: string | undefined;
    let cleanup: () => Promise<void>;
    const masterKey = randomBytes(32);
    beforeAll(async () => {
      if (dialect === 'postgres') {
        const pg = await createPgSchema();
        url = pg.url;
        pgSchema = pg.schema;
        cleanup = () => pg.drop();
      } else {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-streams-'));
        url = `sqlite:${path.join(dir, 'db.sqlite')}`;
        cleanup = async () => rmSync(dir, { recursive: true, force: true });
      }
    });
    afterAll(() => cleanup());
    const open = () => start({ databaseUrl: url, masterKey, ...(pgSchema && { pgSchema }) });

    it('events left undelivered when a server stops are delivered by the next one on the same database, in order', async () => {
      const r = await startLogReceiver({ kind: 'status', status: 500 });
      try {
        const first = await open();
        const before = await lastLogId(first.s);
        const id = await createStream(first.admin, { type: 'http', name: 'durable', sink: { httpEndpoint: r.url, httpContentFormat: 'JSONLINES' } });
        await record(first.s, 9);
        await waitUntil('a failed attempt', () => r.requests.length >= 1);
        await first.s.close();
        const expected = await (async () => {
          const again = await open();
          r.mode = { kind: 'ok' };
          const ids = await idsAfter(again.s, before);
          await waitUntil('delivered after the restart', async () => (await again.s.storage.logStreams.backlog(again.s.tenant.id, id)) === 0 && r.acceptedIds().length >= ids.length);
          const all = await idsAfter(again.s, before);
          await again.s.close();
          return all;
        })();
        // Every event the first server logged is there, in log_id order (the second server's own events follow).
        expect(r.acceptedIds().slice(0, expected.length)).toEqual(expected);
        expect(expected.length).toBeGreaterThanOrEqual(10);
      } finally {
        await r.close();
      }
    });

    it('two instances on one database: each stream is delivered by one of them at a time, every event once in order', async () => {
      const r = await startLogReceiver();
      const a = await open();
      const b = await open();
      try {
        for (const st of await a.s.storage.logStreams.list(a.s.tenant.id)) await a.s.storage.logStreams.remove(a.s.tenant.id, st.id);
        const before = await lastLogId(a.s);
        const id = await createStream(a.admin, { type: 'http', name: 'shared', filters: [{ type: 'category', name: 'auth.login.success' }], sink: { httpEndpoint: r.url, httpContentFormat: 'JSONARRAY' } });
        for (let i = 0; i < 6; i++) {
          await record(a.s, 2);
          await record(b.s, 2);
        }
        await waitUntil('drained', async () => (await a.s.storage.logStreams.backlog(a.s.tenant.id, id)) === 0);
        const expected = (await a.s.storage.logs.listAfter(a.s.tenant.id, { field: 'type', op: 'eq', value: 's' }, before, 100)).map((e) => e.logId);
        expect(expected).toHaveLength(24);
        expect(sorted(r.acceptedIds())).toEqual(expected);
        expect(r.accepted()).toHaveLength(24); // no event twice: the receiver never failed
        expect(r.maxConcurrent).toBe(1);
      } finally {
        await a.s.close();
        await b.s.close();
        await r.close();
      }
    });
  });
}
