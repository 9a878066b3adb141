// A scenario is one kind of request against one running server. Each run is one autocannon
// process on the load generator's CPU; the server's CPU time is read around it, so every run also
// says what a request cost the server, whatever else the machine was doing.
import path from 'node:path';
import type { LoadResult, LoadSpec } from '../load.ts';
import { hostHeader, loopbackUrl, type Endpoint } from './http.ts';
import { childPids, cpuSeconds, runNodeJson, type Child } from './proc.ts';
import { summarize, type RunResult, type ScenarioResult } from './report.ts';
import { CPUS, cpuLabel, pinTo, type Settings } from './settings.ts';
import type { Transport } from './servers.ts';

const LOAD = path.resolve(import.meta.dirname, '..', 'load.ts');

export interface Scenario {
  key: string;
  label: string;
  serverCpus: string;
  /** The server's processes (primary and workers), whose CPU time each run reads. */
  pids: () => number[];
  spec: Omit<LoadSpec, 'connections' | 'duration'>;
}

export type Placement = Pick<Scenario, 'key' | 'label' | 'serverCpus' | 'pids'>;

export const processTree = (c: Child) => (): number[] => [c.pid, ...childPids(c.pid)];

/** POST /oauth/token with a form body (client_secret_post). */
export function tokenScenario(at: Placement, e: Endpoint, fields: Record<string, string>): Scenario {
  const headers = { host: hostHeader(e), 'content-type': 'application/x-www-form-urlencoded' };
  return { ...at, spec: { url: loopbackUrl(e, '/oauth/token'), method: 'POST', headers, body: new URLSearchParams(fields).toString() } };
}

/** GET /api/v2/clients with a bearer token. */
export function clientsScenario(at: Placement, e: Endpoint, token: string): Scenario {
  return { ...at, spec: { url: loopbackUrl(e, '/api/v2/clients'), method: 'GET', headers: { host: hostHeader(e), authorization: `Bearer ${token}` } } };
}

/** POST /oauth/introspect (RFC 7662) about a live token, the client authenticating with client_secret_post. */
export function introspectScenario(at: Placement, e: Endpoint, fields: Record<string, string>): Scenario {
  const headers = { host: hostHeader(e), 'content-type': 'application/x-www-form-urlencoded' };
  return { ...at, spec: { url: loopbackUrl(e, '/oauth/introspect'), method: 'POST', headers, body: new URLSearchParams(fields).toString() } };
}

function load(settings: Settings, s: Scenario, seconds: number): Promise<LoadResult> {
  const spec: LoadSpec = { ...s.spec, connections: settings.connections, duration: seconds };
  const cpus = pinTo(settings, CPUS.load);
  const env = { ...process.env, BENCH_SPEC: JSON.stringify(spec) };
  return runNodeJson<LoadResult>('autocannon', [LOAD], { ...(cpus ? { cpus } : {}), env, timeoutMs: seconds * 1000 + 60_000 });
}

const serverCpuSeconds = (s: Scenario): number => s.pids().reduce((sum, pid) => sum + cpuSeconds(pid), 0);
const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');

/** Warms every scenario up once, then runs them round-robin so drift on the machine hits all alike. */
export async function runScenarios(settings: Settings, transport: Transport, scenarios: Scenario[]): Promise<ScenarioResult[]> {
  if (settings.warmup > 0) for (const s of scenarios) await load(settings, s, settings.warmup);
  const runs = new Map<string, RunResult[]>(scenarios.map((s) => [s.key, []]));
  for (let i = 1; i <= settings.runs; i++) {
    for (const s of scenarios) {
      const cpuBefore = serverCpuSeconds(s);
      const r = await load(settings, s, settings.duration);
      const used = serverCpuSeconds(s) - cpuBefore;
      const answered = r.ok + r.non2xx;
      const run: RunResult = { ...r, serverCpuSeconds: used, cpuUsPerRequest: answered > 0 ? (used * 1e6) / answered : Number.NaN };
      runs.get(s.key)!.push(run);
      const bad = r.non2xx + r.errors + r.timeouts > 0 ? `  (non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}: ${JSON.stringify(r.statusCodes)})` : '';
      console.log(
        `  ${transport.padEnd(5)} ${s.label.padEnd(44)} run ${i}/${settings.runs}: ${fmt(r.rps).padStart(7)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  server CPU ${fmt(run.cpuUsPerRequest)} µs/req${bad}`,
      );
    }
  }
  return scenarios.map((s) => {
    const r = runs.get(s.key)!;
    const clean = r.every((x) => x.non2xx + x.errors + x.timeouts === 0);
    return { key: s.key, label: s.label, transport, serverCpus: cpuLabel(settings, s.serverCpus), loadCpus: cpuLabel(settings, CPUS.load), runs: r, median: summarize(r), clean };
  });
}
