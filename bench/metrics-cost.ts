// What metrics cost per token (issue 13, decision 0012). `node bench/metrics-cost.ts`: not a test.
//
// 1. From outside: `scopeward serve --http` with and without --metrics-port, alternated for
//    ROUNDS rounds; each round sends TOKENS client-credentials requests (8 at a time, keep-alive,
//    loopback) and reads the server's CPU time from /proc before and after: CPU µs per token.
// 2. In process: the facade calls one token request makes, in a loop, on and off: ns per token.
// The machine is shared and loaded: read the spread, not one figure.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { NO_METRICS, type Metrics } from '../src/observability/metrics.ts';
import { createPrometheusMetrics } from '../src/observability/prometheus.ts';
import { cpuSeconds, freePort, installExitCleanup, NODE, removeTempDirs, startNode, stopAll, trackTempDir, waitForOutput } from './lib/proc.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'scopeward.js');
const ROUNDS = Number(process.env.COST_ROUNDS ?? 4);
const TOKENS = Number(process.env.COST_TOKENS ?? 3000);
const CONCURRENCY = 8;

async function tokens(port: number, host: string, body: string, n: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/oauth/token', method: 'POST', agent, headers: { host, 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < n) await one();
    }),
  );
  agent.destroy();
}

async function fromOutside(): Promise<{ on: number[]; off: number[] }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-metrics-cost-'));
  trackTempDir(dataDir);
  const port = await freePort();
  const host = `localhost:${port}`;
  const env = { ...process.env, SCOPEWARD_DATA_DIR: dataDir, SCOPEWARD_DOMAIN: host, DATABASE_URL: `sqlite:${path.join(dataDir, 'db.sqlite')}`, SCOPEWARD_MASTER_KEY: randomBytes(32).toString('base64'), SCOPEWARD_HTTP: 'true' };
  const init = spawnSync(NODE, [BIN, 'init', '--json'], { env, encoding: 'utf8', timeout: 120_000 });
  if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);
  const c = JSON.parse(init.stdout) as { client_id: string; client_secret: string; audience: string };
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret, audience: c.audience }).toString();
  const result = { on: [] as number[], off: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const metricsArgs = mode === 'on' ? ['--metrics-port', String(await freePort())] : [];
      const server = startNode(`scopeward-${mode}`, [BIN, 'serve', '--log-level', 'warn', '--port', String(port), ...metricsArgs], { env });
      await waitForOutput(server, /Scopeward is listening on/, 60_000);
      await raiseLimits(port, host, c);
      await tokens(port, host, body, 300); // warm-up
      const before = cpuSeconds(server.pid);
      await tokens(port, host, body, TOKENS);
      const used = cpuSeconds(server.pid) - before;
      result[mode].push((used / TOKENS) * 1e6);
      await server.stop();
    }
  }
  return result;
}

/** Lifts the tenant's token limits so that a round is all 200s. */
async function raiseLimits(port: number, host: string, c: { client_id: string; client_secret: string; audience: string }): Promise<void> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret, audience: c.audience }).toString();
  const token = await new Promise<string>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/oauth/token', method: 'POST', headers: { host, 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve((JSON.parse(text) as { access_token: string }).access_token));
    });
    req.on('error', reject);
    req.end(body);
  });
  const settings = JSON.stringify({ rate_limits: { token_endpoint: { limit: 1_000_000, window_seconds: 1 }, token_endpoint_per_ip: { limit: 1_000_000, window_seconds: 1 } } });
  await new Promise<void>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/v2/tenants/settings', method: 'PATCH', headers: { host, authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`settings: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(settings);
  });
}

/** The facade calls of one warm client-credentials token, N times: ns per token. */
function inProcess(metrics: Metrics, n: number): number {
  const clients = metrics.cache('clients');
  const grants = metrics.cache('grants');
  const apis = metrics.cache('apis');
  const keys = metrics.cache('keys');
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    clients.hit();
    grants.hit();
    apis.hit();
    keys.hit();
    metrics.tokenIssued('ten_abcdefghijklmnopqrst', 'client_credentials', 'https://localhost:8443/api/v2/', 'client');
    metrics.request('/oauth/token', 'POST', 200, 0.0012);
  }
  return Number(process.hrtime.bigint() - start) / n;
}

installExitCleanup();
try {
  const on = createPrometheusMetrics();
  const facade = { off: [] as number[], on: [] as number[] };
  for (let i = 0; i < 5; i++) {
    facade.off.push(inProcess(NO_METRICS, 1_000_000));
    facade.on.push(inProcess(on, 1_000_000));
  }
  const outside = ROUNDS > 0 ? await fromOutside() : { on: [0], off: [0] };
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  process.stdout.write(
    [
      `facade calls of one token, ns: off ${fmt(facade.off)} (median ${median(facade.off).toFixed(0)}); on ${fmt(facade.on)} (median ${median(facade.on).toFixed(0)})`,
      `server CPU per token, µs (${ROUNDS} rounds of ${TOKENS}, alternated): off ${fmt(outside.off)} (median ${median(outside.off).toFixed(0)}); on ${fmt(outside.on)} (median ${median(outside.on).toFixed(0)})`,
      '',
    ].join('\n'),
  );
} finally {
  await stopAll();
  removeTempDirs();
}
