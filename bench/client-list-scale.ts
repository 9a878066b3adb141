// GET /api/v2/clients and /api/v2/client-grants at 1k / 10k / 100k applications (issue 13):
// start-up time, idle RSS, and the server's own CPU time per list request (first page after a
// change, deep pages, from/take walks). The server's CPU is read from /proc/PID/stat (user +
// system), so the figures hold on a loaded machine where wall time does not.
//
// Usage: node bench/client-list-scale.ts [1000,10000,100000]
//   BENCH_BIN=/path/to/bin/scopeward.js compares another build (default: this checkout's dist/).
// The applications are cloned in SQLite from one made through the Management API (callbacks,
// origins, metadata), one grant each, the way a large tenant would hold them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import { requestJson, type Endpoint } from './lib/http.ts';
import { cpuSeconds, freePort, rssBytes, stopAll } from './lib/proc.ts';
import { initScopeward, seed, startScopeward } from './lib/servers.ts';

const sizes = (process.argv[2] ?? '1000,10000,100000').split(',').map(Number);
const cpuMs = (pid: number): number => cpuSeconds(pid) * 1000;
const rssMb = (pid: number): number => Math.round((rssBytes(pid) ?? 0) / 1024 / 1024);

/** Clones the seeded web application `n` times (and gives each clone a grant on the Management API). */
function grow(dbFile: string, n: number): number {
  const db = new DatabaseSync(dbFile);
  const template = db.prepare("SELECT * FROM clients WHERE app_type = 'spa' AND data NOT LIKE '%scopeward_system%' LIMIT 1").get() as Record<string, unknown>;
  const grant = db.prepare('SELECT * FROM client_grants LIMIT 1').get() as Record<string, unknown>;
  const cols = Object.keys(template);
  const insert = db.prepare(`INSERT INTO clients (${cols.join(',')}) VALUES (${cols.map(() => '?').join(',')})`);
  const gcols = Object.keys(grant);
  const insertGrant = db.prepare(`INSERT INTO client_grants (${gcols.join(',')}) VALUES (${gcols.map(() => '?').join(',')})`);
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  db.exec('BEGIN');
  for (let i = 0; i < n; i++) {
    const clientId = randomBytes(16).toString('base64url').slice(0, 32);
    const data = JSON.parse(template.data as string) as Record<string, unknown>;
    data.client_id = clientId;
    data.name = `Scaled application ${i}`;
    data.app_type = ['spa', 'regular_web', 'native', 'non_interactive'][i % 4];
    const at = new Date(base + i * 1000).toISOString();
    const row = { ...template, client_id: clientId, name: data.name, app_type: data.app_type, data: JSON.stringify(data), created_at: at, updated_at: at, secret_last_used: null };
    insert.run(...cols.map((c) => row[c as keyof typeof row] as string | number | null));
    const g = { ...grant, id: `cgr_${randomBytes(12).toString('hex')}`, client_id: clientId, created_at: at };
    insertGrant.run(...gcols.map((c) => g[c as keyof typeof g] as string | number | null));
  }
  db.exec('COMMIT');
  const { count } = db.prepare('SELECT count(*) AS count FROM clients').get() as { count: number };
  db.close();
  return count;
}

async function timed(pid: number, times: number, request: (i: number) => Promise<unknown>): Promise<{ cpu: number; wall: number; worst: number }> {
  const c0 = cpuMs(pid);
  const t0 = performance.now();
  let worst = 0;
  for (let i = 0; i < times; i++) {
    const s = performance.now();
    await request(i);
    worst = Math.max(worst, performance.now() - s);
  }
  return { cpu: (cpuMs(pid) - c0) / times, wall: (performance.now() - t0) / times, worst };
}

const results: Record<string, unknown>[] = [];
for (const size of sizes) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'scopeward-scale-'));
  try {
    const port = await freePort();
    const init = initScopeward(dataDir, port);
    let server = await startScopeward({ dataDir, port, transport: 'http', workers: 1 });
    const e: Endpoint = { scheme: 'http', port };
    const s = await seed(e, init, 4);
    await server.stop();
    const total = grow(path.join(dataDir, 'scopeward.db'), size);

    const t0 = performance.now();
    server = await startScopeward({ dataDir, port, transport: 'http', workers: 1 });
    const startMs = Math.round(performance.now() - t0);
    const pid = server.pid;
    const startCpuMs = cpuMs(pid);
    const { access_token: token } = await requestJson<{ access_token: string }>(e, 'POST', '/oauth/token', {
      form: { grant_type: 'client_credentials', client_id: s.clientId, client_secret: s.clientSecret, audience: s.audience },
    });
    const { access_token: admin } = await requestJson<{ access_token: string }>(e, 'POST', '/oauth/token', {
      form: { grant_type: 'client_credentials', client_id: init.client_id, client_secret: init.client_secret, audience: init.audience },
    });
    const read = (p: string) => requestJson<unknown>(e, 'GET', p, { headers: { authorization: `Bearer ${token}` } });
    const adminGet = (p: string) => requestJson<unknown>(e, 'GET', p, { headers: { authorization: `Bearer ${admin}` } });
    const touch = (i: number) => requestJson(e, 'PATCH', `/api/v2/clients/${s.clientId}`, { headers: { authorization: `Bearer ${admin}` }, json: { description: `touched ${i}` } });
    const rssIdle = rssMb(pid);
    const lastPage = Math.floor((total - 1) / 50);

    const first = await timed(pid, 1, async () => {
      const { total: listed } = (await read('/api/v2/clients?include_totals=true')) as { total: number };
      if (listed !== total) throw new Error(`include_totals says ${listed} applications, ${total} expected`);
    });
    const warm = await timed(pid, 50, () => read('/api/v2/clients?include_totals=true'));
    const patchOnly = await timed(pid, 20, (i) => touch(i));
    const afterChange = await timed(pid, 20, async (i) => {
      await touch(i);
      await read('/api/v2/clients?include_totals=true');
    });
    const pages = Array.from({ length: 40 }, (_, i) => Math.round((lastPage * (i + 1)) / 40));
    const deep = await timed(pid, pages.length, (i) => read(`/api/v2/clients?include_totals=true&page=${pages[i]}`));
    const filtered = await timed(pid, 20, (i) => read(`/api/v2/clients?app_type=spa,native&page=${Math.round((lastPage / 2) * (i / 20))}`));
    let next: string | undefined;
    const walk = await timed(pid, 40, async () => {
      const body = (await read(`/api/v2/clients?take=50${next ? `&from=${next}` : ''}`)) as { next?: string };
      next = body.next;
    });
    const grantsFirst = await timed(pid, 20, async () => {
      const { total: grants } = (await adminGet('/api/v2/client-grants?include_totals=true')) as { total: number };
      if (grants < size) throw new Error(`include_totals says ${grants} grants, at least ${size} expected`);
    });
    const grantPages = await timed(pid, 40, (i) => adminGet(`/api/v2/client-grants?include_totals=true&page=${pages[i]}`));
    const rssAfter = rssMb(pid);
    const row = {
      applications: total,
      startMs,
      startCpuMs,
      rssIdleMb: rssIdle,
      rssAfterListsMb: rssAfter,
      firstListCpuMs: first.cpu,
      warmPageCpuMs: warm.cpu,
      pageAfterChangeCpuMs: Math.max(0, afterChange.cpu - patchOnly.cpu),
      deepPageCpuMs: deep.cpu,
      deepPageWorstWallMs: Math.round(deep.worst),
      filteredPageCpuMs: filtered.cpu,
      fromTakeCpuMs: walk.cpu,
      grantsFirstPageCpuMs: grantsFirst.cpu,
      grantsDeepPageCpuMs: grantPages.cpu,
      grantsDeepWorstWallMs: Math.round(grantPages.worst),
    };
    results.push(row);
    console.log(JSON.stringify(row));
    await server.stop();
  } finally {
    await stopAll();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
console.table(results);
