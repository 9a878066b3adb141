// How long `scopeward dev` takes to be usable: from spawning the process to the first successful
// HTTPS request (GET /.well-known/openid-configuration, the certificate checked against the CA it
// printed), median of N runs. Each run also checks that SIGTERM removes its temporary directory.
// The process is started as npx starts it (the bin and its shebang; npx's own start-up is npm's).
// Usage: node bench/dev-startup.ts [runs]   (BENCH_DEV_ARGS adds arguments, e.g. "--http" or "--seed f.yaml")
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'scopeward.js');
const runs = Number(process.argv[2] ?? process.env.BENCH_DEV_RUNS ?? '11');
const extra = (process.env.BENCH_DEV_ARGS ?? '').split(' ').filter(Boolean);

interface Ready {
  url: string;
  ca_cert: string | null;
  temp_dir: string;
}

function get(url: string, ca: string | undefined): Promise<number> {
  return new Promise((resolve) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(`${url}/.well-known/openid-configuration`, { ...(ca && { ca }) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
  });
}

/** CPU time (user + system) a process has used so far, from /proc (Linux), in ms. */
function cpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return undefined;
  }
}

async function once(): Promise<{ readyMs: number; firstRequestMs: number; cpuMs: number | undefined; cleaned: boolean }> {
  const t0 = performance.now();
  // As `npx scopeward dev` starts it: the bin through its shebang, with the pinned node first on PATH.
  const child = spawn(BIN, ['dev', '--port', '0', '--json', ...extra], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PATH: `${path.join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` } });
  const ready = await new Promise<Ready>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(JSON.parse(line) as Ready);
    });
    child.once('exit', (code) => reject(new Error(`scopeward dev exited with ${code}`)));
  });
  const readyMs = performance.now() - t0;
  const ca = ready.ca_cert ? readFileSync(ready.ca_cert, 'utf8') : undefined;
  while ((await get(ready.url, ca)) !== 200) await new Promise((r) => setTimeout(r, 5));
  const firstRequestMs = performance.now() - t0;
  const cpu = cpuMs(child.pid!);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return { readyMs, firstRequestMs, cpuMs: cpu, cleaned: !existsSync(ready.temp_dir) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const built = path.join(ROOT, 'dist', '.built');
const source = existsSync(built) && statSync(built).mtimeMs >= statSync(path.join(ROOT, 'src', 'dev', 'dev-server.ts')).mtimeMs ? 'dist/ (compiled)' : 'src/ (TypeScript, stripped at load: run `npm run build` first for the real figure)';
process.stdout.write(`scopeward dev ${extra.join(' ')} start-up, ${runs} runs, code from ${source}, Node ${process.version}\n`);
await once(); // warm-up: the OS file cache, not measured
const results = [];
for (let i = 0; i < runs; i++) {
  const r = await once();
  results.push(r);
  process.stdout.write(`  run ${i + 1}: ready ${r.readyMs.toFixed(0)} ms, first HTTPS answer ${r.firstRequestMs.toFixed(0)} ms, CPU ${r.cpuMs?.toFixed(0) ?? '?'} ms${r.cleaned ? '' : ', TEMP DIR LEFT BEHIND'}\n`);
}
const first = results.map((r) => r.firstRequestMs);
process.stdout.write(
  `median: spawn to first successful request ${median(first).toFixed(0)} ms (min ${Math.min(...first).toFixed(0)}, max ${Math.max(...first).toFixed(0)}); ` +
    `to the ready line ${median(results.map((r) => r.readyMs)).toFixed(0)} ms; CPU used by then ${median(results.map((r) => r.cpuMs ?? NaN)).toFixed(0)} ms; temporary directory removed on SIGTERM: ${results.every((r) => r.cleaned) ? 'every run' : 'NOT every run'}\n`,
);
