// A real Prometheus (Debian's `prometheus` package) for the metrics tests and the dashboard
// picture: found on PATH or at /usr/bin/prometheus, installed with apt-get when missing and we are
// root, started with a config of its own, a temporary TSDB and a free loopback port, scraping one
// target every second. Queried through its HTTP API (/api/v1/query, /api/v1/query_range).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, type Launched } from './processes.ts';
import { freePort } from './real-server.ts';

const CANDIDATES = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'];

function onPath(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' });
  const found = which.status === 0 ? which.stdout.trim() : '';
  return found || CANDIDATES.find((p) => existsSync(p));
}

/** The prometheus binary, installing Debian's package if it is missing; or why it cannot be had. */
export function findPrometheus(): { bin: string } | { missing: string } {
  const found = onPath();
  if (found) return { bin: found };
  if (process.getuid?.() !== 0) return { missing: 'prometheus is not installed and this test is not root: apt-get install prometheus' };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = spawnSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus'], { env, encoding: 'utf8', timeout: 540_000 });
  const installed = onPath();
  if (installed) return { bin: installed };
  return { missing: `apt-get install prometheus failed (${install.status}): ${install.stderr.slice(-500)}` };
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RangeSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

export interface RunningPrometheus {
  url: string;
  process: Launched;
  /** An instant query; the result vector. */
  query(expr: string): Promise<Sample[]>;
  queryRange(expr: string, start: number, end: number, step: number): Promise<RangeSeries[]>;
  /** Polls `expr` until `done` holds for its result (or throws after `ms`). */
  until(expr: string, done: (samples: Sample[]) => boolean, ms?: number): Promise<Sample[]>;
  stop(): Promise<void>;
}

async function api<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const body = (await res.json()) as { status: string; data: { result: T }; error?: string };
  if (body.status !== 'success') throw new Error(`prometheus: ${body.error ?? res.status}`);
  return body.data.result;
}

/** Starts Prometheus scraping `targets` (host:port, path /metrics) every second. */
export async function startPrometheus(bin: string, targets: string[], job = 'scopeward'): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-prometheus-'));
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    ['global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'scrape_configs:', `  - job_name: ${job}`, '    scrape_interval: 1s', '    static_configs:', `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`, ''].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const process = launch(bin, [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { env: { PATH: globalThis.process.env.PATH ?? '/usr/bin:/bin' }, cwd: dir });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await process.stop('SIGKILL');
      throw new Error(`prometheus did not become ready:\n${process.output()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const query = (expr: string) => api<Sample[]>(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return {
    url,
    process,
    query,
    queryRange: (expr, start, end, step) => api<RangeSeries[]>(`${url}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${start}&end=${end}&step=${step}`),
    async until(expr, done, ms = 60_000) {
      const end = Date.now() + ms;
      for (;;) {
        const samples = await query(expr);
        if (done(samples)) return samples;
        if (Date.now() > end) throw new Error(`prometheus: ${expr} never met the condition; last answer ${JSON.stringify(samples)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    async stop() {
      await process.stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
