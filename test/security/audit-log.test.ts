// The tenant audit log (issue 3 "Audit logs"; security catalogue §2.11, T-LOG-01/02): after a full
// flow no stored event holds a secret, a token, JWT-shaped text or an Authorization value (every
// row of the logs table is scanned); recording never waits on the database; a write that fails
// keeps the events, in order, until the database is back; the queue bound drops the oldest and says
// so; old entries are pruned (retention); closing flushes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { localBus } from '../../src/cache/bus.ts';
import { createEnvelope } from '../../src/crypto/envelope.ts';
import { ensureDefaultTenant } from '../../src/provisioning/default-tenant.ts';
import { createLogger } from '../../src/http/logger.ts';
import { createRuntime } from '../../src/runtime.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { LogRecord, LogStore, Storage } from '../../src/storage/ports.ts';
import { frozenClock } from '../helpers/clock.ts';
import { globalClient, legacyClaims, operatorToken, setLegacy, signLegacy } from '../helpers/legacy.ts';
import { seedM2M } from '../helpers/fixtures.ts';
import { mgmt, requestToken } from '../helpers/mgmt-http.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { tamper } from '../helpers/tamper.ts';

const JWT_SHAPED = /eyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\./;
const AUD = 'https://tenant-a.test/api/v2/';
const ADMIN = ['read:clients', 'create:clients', 'update:clients', 'read:client_keys', 'update:client_keys', 'create:resource_servers', 'update:resource_servers', 'read:resource_servers', 'blacklist:tokens'];

/** Every stored row of every tenant, whole (columns and event), as text. */
async function allRows(storage: Storage): Promise<string[]> {
  const rows: LogRecord[] = [];
  for (const t of await storage.tenants.list()) rows.push(...(await storage.logs.list(t.id, undefined, { offset: 0, limit: 100_000, withTotal: false, ascending: true })).items);
  return rows.map((r) => JSON.stringify(r));
}

describe('T-LOG-01 (§2.11): no secret, token or Authorization value in any stored log event', () => {
  let s: TestServer;
  let rows: string[];
  const secrets: string[] = [];
  const tokens: string[] = [];
  const authorizations: string[] = [];

  beforeAll(async () => {
    s = await startTestServer();
    const admin = await seedM2M(s, ADMIN);
    secrets.push(admin.clientSecret);
    const basic = `Basic ${Buffer.from(`${admin.clientId}:${admin.clientSecret}`).toString('base64')}`;
    authorizations.push(basic);
    const token = async (payload: Record<string, string>, headers: Record<string, string> = {}) => {
      const res = await s.inject({ method: 'POST', url: '/oauth/token', headers, payload });
      const body = res.json<{ access_token?: string }>();
      if (body.access_token) tokens.push(body.access_token);
      return res.statusCode;
    };
    expect(await token({ grant_type: 'client_credentials', client_id: admin.clientId, client_secret: admin.clientSecret, audience: AUD })).toBe(200);
    expect(await token({ grant_type: 'client_credentials', audience: AUD }, { authorization: basic })).toBe(200);
    const bearer = tokens[0]!;
    authorizations.push(`Bearer ${bearer}`);
    // Failures that carry secrets or tokens where a careless log would keep them: a wrong secret,
    // id and secret swapped, a token pasted as the audience or in the user agent, a secret in the query.
    expect(await token({ grant_type: 'client_credentials', client_id: admin.clientId, client_secret: `${admin.clientSecret}-wrong`, audience: AUD })).toBe(401);
    secrets.push(`${admin.clientSecret}-wrong`);
    expect(await token({ grant_type: 'client_credentials', client_id: admin.clientSecret, client_secret: admin.clientId, audience: AUD })).toBe(401);
    expect(await token({ grant_type: 'client_credentials', client_id: admin.clientId, client_secret: admin.clientSecret, audience: bearer })).toBe(403);
    expect(await token({ grant_type: 'client_credentials', client_id: admin.clientId, client_secret: admin.clientSecret, audience: AUD }, { 'user-agent': `cli/1.0 (Bearer ${bearer})` })).toBe(200);
    const inQuery = await s.inject({ method: 'POST', url: `/oauth/token?client_secret=${admin.clientSecret}`, payload: { grant_type: 'client_credentials', client_id: admin.clientId, audience: AUD } });
    expect(inQuery.statusCode).toBe(401);

    const api = mgmt(s, bearer);
    const created = (await api.post('/clients', { name: 'audited app', app_type: 'non_interactive' })).json<{ client_id: string; client_secret: string }>();
    secrets.push(created.client_secret);
    const rotated = (await api.post(`/clients/${created.client_id}/rotate-secret`)).json<{ client_secret: string }>();
    secrets.push(rotated.client_secret);
    const chosen = 'chosen-secret-for-audit-0123456789-abcdef';
    secrets.push(chosen);
    expect((await api.patch(`/clients/${created.client_id}`, { client_secret: chosen })).statusCode).toBe(200);
    // A token and a secret pasted into the query of a write, and a token in its user agent.
    const pasted = await api.patch(`/clients/${created.client_id}?note=${bearer}&client_secret=${chosen}`, { description: 'noted' }, { 'user-agent': `script (${bearer})` });
    expect(pasted.statusCode).toBe(200);
    const hs = (await api.post('/resource-servers', { identifier: 'https://hs.audit.example/', signing_alg: 'HS256', signing_secret: 'hs256-signing-secret-0123456789' })).json<{ id: string; signing_secret: string }>();
    secrets.push(hs.signing_secret);
    expect((await api.patch(`/resource-servers/${hs.id}`, { signing_secret: 'hs256-signing-secret-rotated-0123456789' })).statusCode).toBe(200);
    secrets.push('hs256-signing-secret-rotated-0123456789');
    expect((await api.get('/clients?fields=client_id,client_secret')).statusCode).toBe(200);
    expect((await api.get('/resource-servers')).statusCode).toBe(200);
    expect((await api.post('/blacklists/tokens', { jti: 'audited-jti', aud: created.client_id })).statusCode).toBe(204);

    // The Global Client Secret, and a legacy token signed with it used for a write.
    const operator = await operatorToken(s);
    tokens.push(operator);
    await setLegacy(s, operator, true);
    const global = await globalClient(s, operator);
    secrets.push(global.clientSecret);
    const legacy = signLegacy(legacyClaims(s, global, { scope: 'update:clients', jti: 'legacy-audit' }), global.clientSecret);
    tokens.push(legacy);
    authorizations.push(`Bearer ${legacy}`);
    expect((await mgmt(s, legacy).patch(`/clients/${created.client_id}`, { description: 'by legacy token' })).statusCode).toBe(200);

    // Refused calls: a tampered token, Basic credentials at the Management API.
    const tampered = tamper(bearer);
    authorizations.push(`Bearer ${tampered}`);
    expect((await mgmt(s, tampered).get('/clients')).statusCode).toBe(401);
    expect((await s.inject({ method: 'GET', url: '/api/v2/clients', headers: { authorization: basic } })).statusCode).toBe(401);

    await s.audit.flush();
    rows = await allRows(s.storage);
  });
  afterAll(() => s.close());

  it('T-LOG-02: the flow was recorded (every kind of event it makes)', () => {
    const types = rows.map((r) => (JSON.parse(r) as LogRecord).type);
    expect([...new Set(types)].sort()).toStrictEqual(['depnote', 'fapi', 'feccft', 'mgmt_api_read', 'sapi', 'seccft']);
    expect(types.length).toBeGreaterThanOrEqual(20);
  });

  it('no client secret, HS256 signing secret or Global Client Secret appears in any row', () => {
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    expect(secrets.flatMap((secret) => rows.filter((r) => r.includes(secret)).map((r) => `${secret.slice(0, 6)}…: ${r}`))).toStrictEqual([]);
  });

  it('no access token (whole or its signature), and nothing JWT-shaped, appears in any row', () => {
    for (const t of tokens) expect(rows.filter((r) => r.includes(t) || r.includes(t.split('.')[2]!))).toStrictEqual([]);
    expect(rows.filter((r) => JWT_SHAPED.test(r))).toStrictEqual([]);
  });

  it('no Authorization value (Basic or Bearer, whole or its credential part) appears in any row', () => {
    for (const a of authorizations) expect(rows.filter((r) => r.includes(a) || r.includes(a.split(' ')[1]!))).toStrictEqual([]);
  });
});

/** A log store whose writes can be held back or made to fail, in front of a real one. */
function controllableLogs(inner: LogStore) {
  let mode: 'open' | 'hold' | 'fail' = 'open';
  let release: () => void = () => undefined;
  let held = Promise.resolve();
  const writes: number[] = [];
  const logs: LogStore = {
    async insertMany(records) {
      writes.push(records.length);
      if (mode === 'fail') throw new Error('database is down');
      if (mode === 'hold') await held;
      return inner.insertMany(records);
    },
    list: (...a) => inner.list(...a),
    listAfter: (...a) => inner.listAfter(...a),
    get: (...a) => inner.get(...a),
    prune: (...a) => inner.prune(...a),
  };
  return {
    logs,
    writes,
    hold() {
      mode = 'hold';
      held = new Promise((r) => (release = r));
    },
    fail: () => void (mode = 'fail'),
    recover() {
      mode = 'open';
      release();
    },
  };
}

describe('recording never waits on the database', () => {
  let s: TestServer;
  let control: ReturnType<typeof controllableLogs>;
  let m2m: { clientId: string; clientSecret: string };
  let raw: Storage;

  beforeAll(async () => {
    raw = await createStorage('sqlite::memory:');
    control = controllableLogs(raw.logs);
    s = await startTestServer({ storage: { ...raw, logs: control.logs } });
    m2m = await seedM2M(s, ['read:clients']);
  });
  afterAll(() => s.close());

  const jtisStored = async () => (await s.storage.logs.list(s.tenant.id, { field: 'type', op: 'eq', value: 'seccft' }, { offset: 0, limit: 100, withTotal: false, ascending: true })).items.map((r) => (r.event.details as { access_token_jti: string }).access_token_jti);
  const issue = async (n: number) => {
    const jtis: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await requestToken(s, m2m.clientId, m2m.clientSecret, AUD);
      expect(res.statusCode).toBe(200);
      jtis.push(JSON.parse(Buffer.from(res.json<{ access_token: string }>().access_token.split('.')[1]!, 'base64url').toString()).jti as string);
    }
    return jtis;
  };

  it('while a write hangs, /oauth/token still answers at once; the events land, in order, when it completes', async () => {
    await s.audit.flush();
    const before = await jtisStored();
    control.hold();
    const first = await issue(2);
    const flushing = s.audit.flush(); // stuck inside insertMany
    // Issuing finishes while the write is still held (checked next); the bound only rules out a wait
    // for some write timeout, with room for a loaded machine (five in-process issues take ~50 ms).
    const started = performance.now();
    const during = await issue(5);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await Promise.race([flushing.then(() => 'flushed'), new Promise((r) => setTimeout(() => r('still waiting'), 50))])).toBe('still waiting');
    control.recover();
    await flushing;
    await s.audit.flush();
    expect(await jtisStored()).toStrictEqual([...before, ...first, ...during]);
    expect(s.audit.pending).toBe(0);
  });

  it('while writes fail, requests still succeed; the batch is kept and written once, in order, when the database is back', async () => {
    const before = await jtisStored();
    control.fail();
    const jtis = await issue(3);
    await s.audit.flush();
    await s.audit.flush();
    expect([s.audit.pending, (await jtisStored()).length]).toStrictEqual([3, before.length]);
    expect(s.logs.filter((l) => l.includes('audit log write failed; keeping the events and retrying'))).toHaveLength(1);
    jtis.push(...(await issue(2)));
    control.recover();
    await s.audit.flush();
    expect(await jtisStored()).toStrictEqual([...before, ...jtis]);
    expect(s.audit.pending).toBe(0);
  });
});

describe('the AuditLog queue', () => {
  const setup = async (options: { maxQueue?: number; flushIntervalMs?: number } = {}) => {
    const storage = await createStorage('sqlite::memory:');
    const clock = frozenClock();
    const tenant = await ensureDefaultTenant(storage, createEnvelope(Buffer.alloc(32, 7)), clock, 'audit.test');
    const lines: string[] = [];
    const logger = createLogger('debug', { write: (l: string) => void lines.push(l) });
    const control = controllableLogs(storage.logs);
    const audit = new AuditLog({ storage: { ...storage, logs: control.logs }, clock, logger, ...options });
    const stored = async () => (await storage.logs.list(tenant.id, undefined, { offset: 0, limit: 1000, withTotal: false, ascending: true })).items.map((r) => r.event.description);
    return { storage, tenant, lines, control, audit, stored, clock };
  };

  it('the bound drops the oldest events, logs that it did (at once and with the count on recovery), and keeps the rest in order', async () => {
    const { storage, tenant, lines, control, audit, stored } = await setup({ maxQueue: 3 });
    control.fail();
    for (const n of ['e1', 'e2', 'e3', 'e4', 'e5']) audit.record(tenant, undefined, { type: 'seccft', description: n });
    expect(audit.pending).toBe(3);
    expect(lines.filter((l) => l.includes('oldest events'))).toHaveLength(1);
    await audit.flush();
    control.recover();
    await audit.flush();
    expect(await stored()).toStrictEqual(['e3', 'e4', 'e5']);
    const errors = lines.map((l) => JSON.parse(l) as { msg: string; dropped?: number; level: number }).filter((l) => l.level >= 50);
    expect(errors.map((l) => [l.msg, l.dropped])).toStrictEqual([
      ['audit log queue is full while the database is unavailable; dropping the oldest events', undefined],
      ['audit log queue overflowed while the database was unavailable; oldest events were dropped', 2],
    ]);
    await storage.close();
  });

  it('a database outage is one warning, then one every 30 s while it lasts, and an info line with its length when writes work again', async () => {
    const { storage, tenant, lines, control, audit, stored, clock } = await setup();
    control.fail();
    audit.record(tenant, undefined, { type: 'seccft', description: 'o1' });
    for (let i = 0; i < 10; i++) {
      await audit.flush(); // the timer's retries, every 250 ms
      clock.advance(0.25);
    }
    clock.advance(30);
    await audit.flush();
    await audit.flush();
    control.recover();
    await audit.flush();
    await audit.flush();
    expect(await stored()).toStrictEqual(['o1']);
    const about = lines.map((l) => JSON.parse(l) as { msg: string; level: number; failures?: number; downMs?: number }).filter((l) => l.msg.startsWith('audit log write'));
    expect(about.map((l) => [l.level, l.msg, l.failures, l.downMs])).toStrictEqual([
      [40, 'audit log write failed; keeping the events and retrying', undefined, undefined],
      [40, 'audit log writes still failing; keeping the events and retrying', 11, 32_500],
      [30, 'audit log writes restored; the kept events are written', 12, 32_500],
    ]);
    await storage.close();
  });

  it('events recorded while a write is in flight are never lost, even when the bound is reached meanwhile', async () => {
    const { storage, tenant, control, audit, stored } = await setup({ maxQueue: 3 });
    for (const n of ['a', 'b', 'c']) audit.record(tenant, undefined, { type: 'sapi', description: n });
    control.hold();
    const flushing = audit.flush(); // a, b, c in flight
    for (const n of ['d', 'e']) audit.record(tenant, undefined, { type: 'sapi', description: n });
    control.recover();
    await flushing;
    await audit.flush();
    expect(await stored()).toStrictEqual(['a', 'b', 'c', 'd', 'e']);
    await storage.close();
  });

  it('the timer retries a failed write by itself; close() writes what is left (graceful shutdown loses nothing)', async () => {
    const { storage, tenant, control, audit, stored } = await setup({ flushIntervalMs: 10 });
    control.fail();
    audit.start();
    audit.record(tenant, undefined, { type: 'seccft', description: 'x1' });
    await expect.poll(() => control.writes.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(await stored()).toStrictEqual([]);
    control.recover();
    await expect.poll(stored, { timeout: 10_000 }).toStrictEqual(['x1']);
    audit.record(tenant, undefined, { type: 'seccft', description: 'x2' });
    audit.record(tenant, undefined, { type: 'seccft', description: 'x3' });
    await audit.close();
    expect([await stored(), audit.pending]).toStrictEqual([['x1', 'x2', 'x3'], 0]);
    await storage.close();
  });
});

describe('retention (issue 3: default 30 days, pruned in the background)', () => {
  it('LogStore.prune removes entries dated before the cut, in every tenant, and nothing else', async () => {
    const s = await startTestServer();
    try {
      const other = await s.addTenant('other', 'tenant-b.test');
      const at = (iso: string, tenantId: string, description: string) => {
        s.clock.set(Date.parse(iso));
        s.audit.record({ id: tenantId, domain: 'retention.test' }, undefined, { type: 'sapi', description });
      };
      at('2026-09-01T00:00:00.000Z', s.tenant.id, 'old-a');
      at('2026-09-01T00:00:00.000Z', other.id, 'old-b');
      at('2026-10-02T11:59:59.999Z', s.tenant.id, 'just-too-old');
      at('2026-10-02T12:00:00.000Z', s.tenant.id, 'exactly-30-days');
      at('2026-11-01T12:00:00.000Z', other.id, 'new-b');
      await s.audit.flush();
      const cut = new Date(s.clock.now() - 30 * 86_400_000).toISOString();
      expect(await s.storage.logs.prune(cut)).toBe(3);
      expect((await allRows(s.storage)).map((r) => (JSON.parse(r) as LogRecord).event.description).sort()).toStrictEqual(['exactly-30-days', 'new-b']);
    } finally {
      await s.close();
    }
  });

  it('src/runtime.ts: start() prunes entries older than logRetentionDays, and close() flushes', async () => {
    const raw = await createStorage('sqlite::memory:');
    const clock = frozenClock();
    const envelope = createEnvelope(Buffer.alloc(32, 9));
    const lines: string[] = [];
    const logger = createLogger('debug', { write: (l: string) => void lines.push(l) });
    const runtime = await createRuntime({ raw, bus: localBus(), envelope, clock, logger, logRetentionDays: 7 });
    const tenant = await ensureDefaultTenant(runtime.storage, envelope, clock, 'retention.test');
    for (const [days, description] of [[8, 'eight days old'], [6, 'six days old']] as const) {
      clock.set(Date.UTC(2026, 10, 1, 12) - days * 86_400_000);
      runtime.audit.record(tenant, undefined, { type: 'sapi', description });
    }
    clock.set(Date.UTC(2026, 10, 1, 12));
    await runtime.audit.flush();
    runtime.start();
    const descriptions = async () => (await raw.logs.list(tenant.id, undefined, { offset: 0, limit: 10, withTotal: false, ascending: true })).items.map((r) => r.event.description);
    await expect.poll(descriptions, { timeout: 10_000 }).toStrictEqual(['six days old']);
    // The line follows the other prunes (denylist, assertion ids, quota windows), after the rows are gone.
    await expect.poll(() => lines.some((l) => l.includes('pruned expired entries') && l.includes('"logs":1')), { timeout: 10_000 }).toBe(true);
    runtime.audit.record(tenant, undefined, { type: 'sapi', description: 'queued at shutdown' });
    await runtime.close();
    expect(await descriptions()).toStrictEqual(['six days old', 'queued at shutdown']);
    await raw.close();
  });
});
