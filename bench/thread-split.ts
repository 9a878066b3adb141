// Where one Scopeward process's CPU goes by thread under token load: the event loop, libuv's
// threadpool (RS256 signatures, src/tokens/jws.ts) and V8's helpers (GC, compiler). Starts the built
// server on CPUS (default 0,1), loads POST /oauth/token from autocannon on cpu 1 for SECONDS, and
// prints CPU µs per token for each group of threads, from /proc/PID/task/TID/stat.
//
//   node bench/thread-split.ts [SECONDS] [CPUS]
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LoadResult, LoadSpec } from './load.ts';
import { hostHeader, loopbackUrl, type Endpoint } from './lib/http.ts';
import { freePort, installExitCleanup, removeTempDirs, runNodeJson, stopAll, trackTempDir } from './lib/proc.ts';
import { initScopeward, seed, startScopeward } from './lib/servers.ts';

const seconds = Number(process.argv[2] ?? 6);
const cpus = process.argv[3] ?? '0,1';

/** CPU seconds of each of the process's threads, by thread name. */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  const hz = 100;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const group = tid === String(pid) ? 'event loop' : name.startsWith('libuv-worker') ? 'libuv threadpool' : name.replace(/\d+$/, '');
      out.set(group, (out.get(group) ?? 0) + (Number(f[11]) + Number(f[12])) / hz);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

installExitCleanup();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-split-'));
trackTempDir(dataDir);
try {
  const port = await freePort();
  const init = initScopeward(dataDir, port);
  const server = await startScopeward({ dataDir, port, transport: 'http', workers: 1, cpus });
  const e: Endpoint = { scheme: 'http', port };
  const s = await seed(e, init, 2);
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: s.clientId, client_secret: s.clientSecret, audience: s.audience, scope: s.scope }).toString();
  const spec: LoadSpec = { url: loopbackUrl(e, '/oauth/token'), method: 'POST', headers: { host: hostHeader(e), 'content-type': 'application/x-www-form-urlencoded' }, body: form, connections: 50, duration: seconds };
  const run = () => runNodeJson<LoadResult>('autocannon', [path.join(import.meta.dirname, 'load.ts')], { cpus: '1', env: { ...process.env, BENCH_SPEC: JSON.stringify(spec) }, timeoutMs: seconds * 1000 + 60_000 });
  await run(); // warm-up
  const before = threadCpu(server.pid);
  const r = await run();
  const after = threadCpu(server.pid);
  const answered = r.ok + r.non2xx;
  console.log(`${Math.round(r.rps)} tokens/s on cpus ${cpus}, p50 ${r.p50} ms, p99 ${r.p99} ms, ${answered} answered (${r.non2xx} non-2xx)`);
  for (const [group, cpu] of [...after].sort((a, b) => b[1] - a[1])) {
    const used = cpu - (before.get(group) ?? 0);
    if (used > 0) console.log(`  ${group.padEnd(20)} ${((used * 1e6) / answered).toFixed(0).padStart(5)} µs/token`);
  }
} finally {
  await stopAll();
  removeTempDirs();
}
