// The picture of the Grafana dashboard in the docs (issue 13), made from a real run. Grafana is not
// in Debian, so this renders the dashboard's own panels and PromQL queries (read from
// docs/metrics/grafana-dashboard.json) from a real Prometheus's query_range API into SVG charts,
// and screenshots that page with Debian's Chromium: what the dashboard shows, not Grafana itself.
//
// `node bench/dashboard-picture.ts` (needs the built dist/, PostgreSQL at DATABASE_URL, and the
// prometheus and chromium packages): two `scopeward serve` instances on a temporary database of
// their own (so the pool and change-notification panels have something to show), each with
// --metrics-port, one Prometheus scraping both every second, ~2 minutes of bounded loopback traffic
// (tokens, wrong secrets until the brake refuses them, unknown audiences, Management API reads and
// writes, bursts past a lowered token limit), then docs/metrics/dashboard.png. Not a test.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { findPrometheus, startPrometheus, type RangeSeries } from '../test/helpers/prometheus.ts';
import { freePort, installExitCleanup, NODE, removeTempDirs, sleep, startNode, stopAll, trackTempDir, waitForOutput } from './lib/proc.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'scopeward.js');
const DASHBOARD = path.join(ROOT, 'docs', 'metrics', 'grafana-dashboard.json');
const OUT = path.join(ROOT, 'docs', 'metrics', 'dashboard.png');
const TRAFFIC_SECONDS = Number(process.env.PICTURE_SECONDS ?? 120);
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Panel {
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  fieldConfig: { defaults: { unit: string } };
  targets: { expr: string; legendFormat: string }[];
}

/** One HTTP call with the Host the tenant answers to (both instances serve the same domain). */
function call(port: number, host: string, method: string, url: string, body?: Record<string, unknown> | string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, method, path: url, headers: { host, ...(payload !== undefined && { 'content-type': typeof body === 'string' ? 'application/x-www-form-urlencoded' : 'application/json' }), ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let json: Record<string, unknown> = {};
        try {
          json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          // Not JSON (a 404 page); the status says enough.
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function main(): Promise<void> {
  installExitCleanup();
  const found = findPrometheus();
  if ('missing' in found) throw new Error(found.missing);
  const database = `scopeward_picture_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${database}`);
  const databaseUrl = new URL(ADMIN_URL);
  databaseUrl.pathname = `/${database}`;
  let prometheus: Awaited<ReturnType<typeof startPrometheus>> | undefined;
  try {
    const [portA, portB, metricsA, metricsB] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const domain = `localhost:${portA}`;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-picture-'));
    trackTempDir(dataDir);
    const env = { ...process.env, DATABASE_URL: databaseUrl.toString(), SCOPEWARD_DATA_DIR: dataDir, SCOPEWARD_DOMAIN: domain, SCOPEWARD_MASTER_KEY: randomBytes(32).toString('base64'), SCOPEWARD_HTTP: 'true' };
    const init = spawnSync(NODE, [BIN, 'init', '--json'], { env, encoding: 'utf8', timeout: 120_000 });
    if (init.status !== 0) throw new Error(`init failed: ${init.stderr}`);
    const creds = JSON.parse(init.stdout) as { client_id: string; client_secret: string; audience: string };
    const a = startNode('scopeward-a', [BIN, 'serve', '--log-level', 'warn', '--port', String(portA), '--metrics-port', String(metricsA)], { env });
    const b = startNode('scopeward-b', [BIN, 'serve', '--log-level', 'warn', '--port', String(portB), '--metrics-port', String(metricsB)], { env });
    await waitForOutput(a, /Scopeward is listening on/, 60_000);
    await waitForOutput(b, /Scopeward is listening on/, 60_000);
    prometheus = await startPrometheus(found.bin, [`127.0.0.1:${metricsA}`, `127.0.0.1:${metricsB}`]);

    const form = (extra: Record<string, string> = {}) => new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.client_id, client_secret: creds.client_secret, audience: creds.audience, ...extra }).toString();
    const first = await call(portA, domain, 'POST', '/oauth/token', form());
    if (first.status !== 200) throw new Error(`token refused: ${first.status} ${JSON.stringify(first.json)}`);
    const bearer = { authorization: `Bearer ${String(first.json.access_token)}` };
    // A lower token limit, so that bursts show rate-limit hits.
    await call(portA, domain, 'PATCH', '/api/v2/tenants/settings', { rate_limits: { token_endpoint: { limit: 15, window_seconds: 1 } } }, bearer);

    const start = Date.now() / 1000;
    const end = start + TRAFFIC_SECONDS;
    let tick = 0;
    const pending = new Set<Promise<unknown>>();
    const fire = (p: Promise<unknown>): void => {
      const tracked = p.catch(() => undefined).finally(() => pending.delete(tracked));
      pending.add(tracked);
    };
    while (Date.now() / 1000 < end) {
      tick++;
      const port = tick % 3 === 0 ? portB : portA;
      fire(call(port, domain, 'POST', '/oauth/token', form()));
      if (tick % 10 === 0) fire(call(portA, domain, 'POST', '/oauth/token', form({ client_secret: 'not-the-secret' })));
      if (tick % 25 === 0) fire(call(portB, domain, 'POST', '/oauth/token', form({ audience: 'https://no-such-api.example/' })));
      if (tick % 40 === 0) fire(call(portA, domain, 'POST', '/oauth/token', form({ scope: 'not:a-scope' })));
      if (tick % 5 === 0) fire(call(port, domain, 'GET', '/api/v2/clients', undefined, bearer));
      if (tick % 7 === 0) fire(call(port, domain, 'GET', `/api/v2/clients/${creds.client_id}`, undefined, bearer));
      // A write on A every ~3 s: B hears it through LISTEN/NOTIFY (the lag panel).
      if (tick % 30 === 0) fire(call(portA, domain, 'PATCH', `/api/v2/clients/${creds.client_id}`, { description: `picture ${tick}` }, bearer));
      if (tick % 150 === 0) for (let i = 0; i < 30; i++) fire(call(portA, domain, 'POST', '/oauth/token', form()));
      if (tick % 50 === 0) fire(call(portA, domain, 'GET', '/api/v2/users', undefined, { authorization: 'Bearer not.a.token' }));
      await sleep(100);
    }
    await Promise.all(pending);
    await sleep(3000);

    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
    const rendered: { panel: Panel; series: { name: string; points: [number, number][] }[] }[] = [];
    for (const panel of dashboard.panels) {
      const series: { name: string; points: [number, number][] }[] = [];
      for (const target of panel.targets) {
        // Grafana's variables as the dashboard's defaults resolve them (all tenants; 1 s scrapes).
        const expr = target.expr.replaceAll('$__rate_interval', '10s').replaceAll('$tenant', '.*');
        const result: RangeSeries[] = await prometheus.queryRange(expr, Math.floor(start), Math.ceil(Date.now() / 1000), 2);
        for (const r of result) {
          const name = target.legendFormat.replace(/\{\{(\w+)\}\}/g, (_m, label: string) => r.metric[label] ?? '');
          series.push({ name: name.trim() || expr, points: r.values.map(([t, v]) => [t, Number(v)]) });
        }
      }
      rendered.push({ panel, series });
    }
    const html = page(rendered, start);
    const htmlFile = path.join(dataDir, 'dashboard.html');
    writeFileSync(htmlFile, html);
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const tab = await browser.newPage({ viewport: { width: 1800, height: 1200 }, deviceScaleFactor: 1 });
      await tab.goto(`file://${htmlFile}`);
      await tab.screenshot({ path: OUT, fullPage: true });
    } finally {
      await browser.close();
    }
    process.stdout.write(`wrote ${path.relative(ROOT, OUT)} (${dashboard.panels.length} panels, ${TRAFFIC_SECONDS} s of traffic)\n`);
  } finally {
    await prometheus?.stop();
    await stopAll();
    removeTempDirs();
    await admin.query(`drop database if exists ${database} with (force)`).catch(() => undefined);
    await admin.end();
  }
}

const COLORS = ['#73bf69', '#f2cc0c', '#5794f2', '#ff780a', '#f2495c', '#b877d9', '#8ab8ff', '#fade2a', '#ca95e5', '#96d98d', '#ffa6b0', '#c0d8ff'];

function format(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '';
  if (value === 0) return '0';
  if (unit === 'percentunit') return `${(value * 100).toFixed(0)}%`;
  if (unit === 's') return value >= 1 ? `${value.toFixed(1)} s` : value >= 0.001 ? `${(value * 1000).toFixed(value >= 0.01 ? 0 : 1)} ms` : `${(value * 1e6).toFixed(0)} µs`;
  const suffix = unit === 'reqps' ? ' req/s' : unit === 'ops' ? '/s' : '';
  return `${value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value.toFixed(2)}${suffix}`;
}

const escape = (text: string): string => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function chart(series: { name: string; points: [number, number][] }[], unit: string, t0: number, t1: number): string {
  const [w, h, left, bottom] = [560, 230, 64, 22];
  const values = series.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
  const max = values.length ? Math.max(...values) : 1;
  const top = unit === 'percentunit' ? 1 : max > 0 ? max * 1.1 : 1;
  const x = (t: number) => left + ((t - t0) / Math.max(1, t1 - t0)) * (w - left - 8);
  const y = (v: number) => 8 + (1 - v / top) * (h - bottom - 8);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<line x1="${left}" x2="${w - 8}" y1="${y(top * f)}" y2="${y(top * f)}" stroke="#2c3235"/><text x="${left - 6}" y="${y(top * f) + 4}" text-anchor="end">${escape(format(top * f, unit))}</text>`)
    .join('');
  const minutes = [];
  for (let t = Math.ceil(t0 / 30) * 30; t <= t1; t += 30) {
    const d = new Date(t * 1000);
    minutes.push(`<text x="${x(t)}" y="${h - 6}" text-anchor="middle">${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')}</text>`);
  }
  const lines = series
    .map((s, i) => {
      const d = s.points.filter(([, v]) => Number.isFinite(v)).map(([t, v], j) => `${j === 0 ? 'M' : 'L'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join('');
      return `<path d="${d}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5"/>`;
    })
    .join('');
  const empty = series.length === 0 ? `<text x="${w / 2}" y="${h / 2}" text-anchor="middle" class="none">No data</text>` : '';
  return `<svg width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${grid}${minutes.join('')}${lines}${empty}</svg>`;
}

function page(panels: { panel: Panel; series: { name: string; points: [number, number][] }[] }[], t0: number): string {
  const t1 = Date.now() / 1000;
  const cells = panels
    .map(({ panel, series }) => {
      const shown = series.slice(0, 12);
      const legend = shown.map((s, i) => `<span><i style="background:${COLORS[i % COLORS.length]}"></i>${escape(s.name)}</span>`).join('');
      return `<section style="grid-column:${panel.gridPos.x / 8 + 1};grid-row:${panel.gridPos.y / 8 + 1}"><h2>${escape(panel.title)}</h2>${chart(shown, panel.fieldConfig.defaults.unit, t0, t1)}<div class="legend">${legend}</div></section>`;
    })
    .join('');
  return `<!doctype html><meta charset="utf-8"><style>
  body{margin:0;background:#111217;color:#ccccdc;font:12px Inter,Helvetica,Arial,sans-serif}
  header{padding:10px 16px;font-size:16px;color:#fff;border-bottom:1px solid #2c3235}
  header small{color:#8e8e8e;font-size:12px;margin-left:12px}
  main{display:grid;grid-template-columns:repeat(3,1fr);gap:8px;padding:8px}
  section{background:#181b1f;border:1px solid #2c3235;border-radius:2px;padding:6px 8px}
  h2{font-size:13px;font-weight:500;margin:0 0 4px;color:#fff}
  svg text{fill:#8e8e8e;font-size:10px}.none{font-size:14px}
  .legend{display:flex;flex-wrap:wrap;gap:2px 12px;font-size:11px;min-height:30px}
  .legend i{display:inline-block;width:12px;height:3px;margin:0 4px 3px 0;vertical-align:middle}
  </style><header>Scopeward<small>the dashboard's queries (docs/metrics/grafana-dashboard.json) rendered from a real Prometheus run, not Grafana itself · two instances on PostgreSQL · tenant: All</small></header><main>${cells}</main>`;
}

await main();
