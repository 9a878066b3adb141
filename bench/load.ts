// The load generator, run as its own process (pinned by the orchestrator to a core the server does
// not use): one autocannon run with the spec given as JSON in BENCH_SPEC (the environment rather
// than argv, so the secret or token in it stays out of process listings); prints one JSON line.
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  /** Seconds. */
  duration: number;
}

export interface LoadResult {
  /** Mean of autocannon's per-second request counts (what autocannon prints as Req/Sec Avg). */
  rps: number;
  /** Latency percentiles in milliseconds (autocannon's histogram has 1 ms resolution). */
  p50: number;
  p99: number;
  mean: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  seconds: number;
}

const spec = JSON.parse(process.env.BENCH_SPEC ?? '') as LoadSpec;
const url = new URL(spec.url);
if (url.hostname !== '127.0.0.1') throw new Error(`the bench only loads 127.0.0.1, not ${url.hostname}`);

const r = await autocannon({
  url: spec.url,
  method: spec.method,
  headers: spec.headers,
  ...(spec.body !== undefined ? { body: spec.body } : {}),
  connections: spec.connections,
  duration: spec.duration,
  pipelining: 1,
  timeout: 10,
  // SNI as a client that was given https://localhost:PORT would send it.
  servername: 'localhost',
});

const result: LoadResult = {
  rps: r.requests.average,
  p50: r.latency.p50,
  p99: r.latency.p99,
  mean: r.latency.mean,
  ok: r['2xx'],
  non2xx: r.non2xx,
  errors: r.errors,
  timeouts: r.timeouts,
  statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, s]) => [code, s.count])),
  seconds: r.duration,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
