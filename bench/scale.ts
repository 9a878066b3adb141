// `npm run bench:scale`: does a tenant's cost grow with its size (issue 13)? For each database
// (SQLite, PostgreSQL) it seeds a large tenant through the storage layer (100,000 applications and
// grants, 1,000,000 users, 10,000,000 log events at SCALE=1) and a 10-application one, then
// measures both side by side: start-up to a ready /readyz, idle and after-load RSS, client
// credentials tokens/s (the two servers' load runs interleaved), and single-request p50/p99 of
// the Management API reads that page through the big tables. See bench/README.md, "Scale".
// Knobs: bench/scale/settings.ts (SCALE=0.01 for a quick run).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { configFrom } from '../src/cli/config-options.ts';
import { openStore } from '../src/cli/store.ts';
import { createStorage } from '../src/storage/kysely/index.ts';
import { request, requestJson, type Endpoint } from './lib/http.ts';
import { freePort, installExitCleanup, removeTempDirs, rssBytes, sleep, startNode, stopAll, trackTempDir, type Child } from './lib/proc.ts';
import { machine, writeJson, type ScenarioResult } from './lib/report.ts';
import { processTree, runScenarios, tokenScenario } from './lib/scenarios.ts';
import { initScopeward, seed, type InitResult, type Seeded } from './lib/servers.ts';
import { canPin } from './lib/proc.ts';
import type { Settings } from './lib/settings.ts';
import { querySpecs, runQuery, type QueryResult } from './scale/queries.ts';
import { renderScale, type TenantReport, type DialectReport } from './scale/report.ts';
import { seedTenant, type Dialect, type SeedInfo } from './scale/seed.ts';
import { readScaleSettings, SMALL, type Sizes } from './scale/settings.ts';

const BENCH = import.meta.dirname;
const BIN = path.join(BENCH, '..', 'bin', 'scopeward.js');
const settings = readScaleSettings();
const pinned = canPin();
const t0 = Date.now();
const elapsed = (): string => `[${Math.round((Date.now() - t0) / 1000)} s]`;

interface Tenant {
  name: 'small' | 'large';
  sizes: Sizes;
  dataDir: string;
  url: string;
  port: number;
  init?: InitResult;
  seed?: SeedInfo;
  server?: Child;
  bench?: Seeded;
  adminToken?: string;
  report: Partial<TenantReport>;
  drop?: () => Promise<void>;
}

/** A schema of our own in DATABASE_URL's database, named so nobody mistakes it for a test's. */
async function createSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `scale_bench_${Math.floor(Date.now() / 1000).toString(36)}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: settings.databaseUrl });
  await client.connect();
  try {
    await client.query(`create schema ${schema}`);
  } finally {
    await client.end();
  }
  const url = new URL(settings.databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      if (settings.keep) return console.log(`  kept PostgreSQL schema ${schema}`);
      const c = new pg.Client({ connectionString: settings.databaseUrl });
      await c.connect();
      try {
        await c.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await c.end();
      }
    },
  };
}

async function prepare(dialect: Dialect, name: Tenant['name'], sizes: Sizes): Promise<Tenant> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `scopeward-scale-${name}-`));
  if (!settings.keep) trackTempDir(dataDir);
  const port = await freePort();
  const tenant: Tenant = { name, sizes, dataDir, port, url: `sqlite:${path.join(dataDir, 'scopeward.db')}`, report: { sizes } };
  if (dialect === 'postgres') {
    const s = await createSchema();
    tenant.url = s.url;
    tenant.drop = s.drop;
  }
  // init and serve read DATABASE_URL from the environment they inherit.
  process.env.DATABASE_URL = tenant.url;
  tenant.init = initScopeward(dataDir, port);
  const store = await openStore(configFrom({ dataDir, databaseUrl: tenant.url, domain: `localhost:${port}`, port }));
  const storage = await createStorage(tenant.url, { pgPoolSize: 2 });
  try {
    const started = Date.now();
    console.log(`${elapsed()} ${dialect}: seeding the ${name} tenant (${sizes.clients} applications, ${sizes.grants} grants, ${sizes.users} users, ${sizes.logs} log events)`);
    tenant.seed = await seedTenant({ url: tenant.url, storage, envelope: store.envelope, tenant: store.defaultTenant, sizes });
    tenant.report.seedSeconds = { ...tenant.seed.seconds, total: Math.round((Date.now() - started) / 100) / 10 };
  } finally {
    await storage.close();
    await store.close();
  }
  return tenant;
}

/** Spawns `scopeward serve` on the seeded database; resolves once GET /readyz answers 200. */
async function start(t: Tenant): Promise<number> {
  process.env.DATABASE_URL = t.url;
  const { NODE_ENV: _ignored, ...env } = process.env;
  const args = ['--max-semi-space-size=4', BIN, 'serve', '--http', '--host', '127.0.0.1', '--port', String(t.port), '--domain', `localhost:${t.port}`, '--data-dir', t.dataDir, '--log-level', 'warn'];
  const e: Endpoint = { scheme: 'http', port: t.port };
  const began = performance.now();
  t.server = startNode(`scopeward (${t.name})`, args, { env, ...(pinned ? { cpus: '0' } : {}) });
  for (;;) {
    if (!t.server.running()) throw new Error(`the ${t.name} server exited during start-up:\n${t.server.output().slice(-4000)}`);
    const r = await request(e, 'GET', '/readyz').catch(() => undefined);
    if (r?.status === 200) return performance.now() - began;
    if (performance.now() - began > 600_000) throw new Error(`the ${t.name} server was not ready in 10 minutes:\n${t.server.output().slice(-4000)}`);
    await sleep(10);
  }
}

async function benchDialect(dialect: Dialect): Promise<DialectReport> {
  console.log(`\n${elapsed()} ${dialect}`);
  const tenants: Tenant[] = [];
  try {
    tenants.push(await prepare(dialect, 'small', SMALL));
    tenants.push(await prepare(dialect, 'large', settings.sizes));
    for (const t of tenants) {
      // Start-up: three times each, the median counts (the first one also warms the OS file cache).
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        times.push(await start(t));
        if (i < 2) await t.server!.stop();
      }
      t.report.startupMs = [...times].sort((a, b) => a - b)[1]!;
      t.report.startupRunsMs = times.map(Math.round);
      console.log(`${elapsed()} ${dialect} ${t.name}: ready in ${times.map((x) => Math.round(x)).join(', ')} ms`);
      const e: Endpoint = { scheme: 'http', port: t.port };
      t.bench = await seed(e, t.init!, 0);
      const admin = await requestJson<{ access_token: string }>(e, 'POST', '/oauth/token', {
        form: { grant_type: 'client_credentials', client_id: t.init!.client_id, client_secret: t.init!.client_secret, audience: t.init!.audience },
      });
      t.adminToken = admin.access_token;
    }
    const fields = (t: Tenant) => ({ grant_type: 'client_credentials', client_id: t.bench!.clientId, client_secret: t.bench!.clientSecret, audience: t.bench!.audience, scope: t.bench!.scope });
    // A few requests of each kind, then two idle seconds, before reading VmRSS.
    for (const t of tenants) {
      const e: Endpoint = { scheme: 'http', port: t.port };
      for (let i = 0; i < 20; i++) {
        await requestJson(e, 'POST', '/oauth/token', { form: fields(t) });
        await requestJson(e, 'GET', '/api/v2/clients?per_page=50', { headers: { authorization: `Bearer ${t.adminToken!}` } });
      }
    }
    await sleep(2000);
    for (const t of tenants) t.report.idleRss = rssBytes(t.server!.pid);

    const loadSettings: Settings = {
      duration: settings.loadSeconds,
      runs: settings.runs,
      warmup: 1,
      connections: settings.connections,
      transports: ['http'],
      httpsWorkers: false,
      workers: 1,
      seedClients: 0,
      signSeconds: 1,
      pinned,
    };
    console.log(`${elapsed()} ${dialect}: client credentials load, ${settings.runs} x ${settings.loadSeconds} s each, small and large interleaved`);
    const scenarios: ScenarioResult[] = await runScenarios(
      loadSettings,
      'http',
      tenants.map((t) => tokenScenario({ key: `${dialect}-${t.name}-token`, label: `${dialect} ${t.name} tenant tokens`, serverCpus: '0', pids: processTree(t.server!) }, { scheme: 'http', port: t.port }, fields(t))),
    );
    tenants.forEach((t, i) => {
      t.report.tokens = scenarios[i]!;
      t.report.afterLoadRss = rssBytes(t.server!.pid);
    });

    console.log(`${elapsed()} ${dialect}: Management API reads, ${settings.requests} sequential requests per page`);
    for (const t of tenants) {
      const e: Endpoint = { scheme: 'http', port: t.port };
      const { total } = await requestJson<{ total: number }>(e, 'GET', '/api/v2/clients?per_page=1&include_totals=true', { headers: { authorization: `Bearer ${t.adminToken!}` } });
      const results: QueryResult[] = [];
      for (const spec of querySpecs(t.seed!, total)) {
        const r = await runQuery(e, t.adminToken!, spec, settings.requests);
        results.push(r);
        console.log(`  ${dialect} ${t.name.padEnd(5)} ${spec.label.padEnd(36)} ${r.pages.map((p) => `${p.label}: p50 ${p.p50.toFixed(1)} p99 ${p.p99.toFixed(1)} ms (${p.items})`).join('; ')}`);
      }
      t.report.queries = results;
      t.report.afterQueriesRss = rssBytes(t.server!.pid);
    }
    return { dialect, small: tenants[0]!.report as TenantReport, large: tenants[1]!.report as TenantReport };
  } finally {
    for (const t of tenants) {
      await t.server?.stop();
      await t.drop?.();
    }
  }
}

async function main(): Promise<void> {
  installExitCleanup();
  const startedAt = new Date();
  const host = machine();
  console.log(`bench:scale at SCALE=${settings.scale}: ${JSON.stringify(settings.sizes)}; databases ${settings.dialects.join(', ')}; ${pinned ? 'servers on cpu 0, load generator on cpu 1' : 'UNPINNED'}`);
  console.log(`machine: ${String(host.cpuModel)}, ${String(host.cpus)} cpus, load average ${JSON.stringify(host.loadAverageAtStart)}`);
  const reports: DialectReport[] = [];
  if (!settings.seedOnly) {
    // Measure the compiled build users run (bin/scopeward.js falls back to the sources when dist/ is stale).
    const build = spawnSync('npm', ['run', 'build'], { cwd: path.join(BENCH, '..'), encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  }
  try {
    if (settings.seedOnly) {
      for (const d of settings.dialects) {
        const t = await prepare(d, 'large', settings.sizes);
        console.log(`${elapsed()} ${d}: seeded ${JSON.stringify(t.report.seedSeconds)}; DATABASE_URL=${t.url} --data-dir ${t.dataDir} --port ${t.port}`);
      }
      return;
    }
    for (const d of settings.dialects) reports.push(await benchDialect(d));
    console.log(`\n${renderScale(settings, reports)}`);
    const file = writeJson(path.join(BENCH, 'results'), startedAt, {
      kind: 'scale',
      startedAt: startedAt.toISOString(),
      seconds: Math.round((Date.now() - t0) / 1000),
      machine: { ...host, loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100) },
      settings,
      reports,
    });
    console.log(`\n${elapsed()} results: ${path.relative(process.cwd(), file)}`);
  } finally {
    await stopAll();
    removeTempDirs();
  }
}

await main();
