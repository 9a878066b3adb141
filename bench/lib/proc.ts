// Child processes for the bench: each one is started in its own process group (so a server's
// cluster workers go down with it), optionally pinned to CPUs with `taskset`, tracked, and killed
// as a group when stopped, when the bench ends, or when the bench itself is interrupted.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export const NODE = process.execPath;

export interface Child {
  name: string;
  pid: number;
  /** Everything written to stdout and stderr so far (the last 64 KB). */
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  running(): boolean;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the leader has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<Child>();

/**
 * BENCH_CPU_PROF=DIR: the servers run under `node --cpu-prof` and write their profiles to DIR when
 * they stop (the numbers measured that way are lower: the profiler has a cost).
 */
function profileArgs(name: string): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir || !/^(scopeward|oidc-provider)/.test(name)) return [];
  return ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`];
}
const tempDirs = new Set<string>();

/** True when `taskset` exists and may pin to both CPU 0 and CPU 1. */
export function canPin(): boolean {
  const r = spawnSync('taskset', ['-c', '0,1', 'true'], { stdio: 'ignore' });
  return r.status === 0;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Starts `node ARGS` (under `taskset -c CPUS` when cpus is given) in a new process group. */
export function startNode(name: string, args: string[], options: { cpus?: string; env?: NodeJS.ProcessEnv } = {}): Child {
  const nodeArgs = [...profileArgs(name), ...args];
  const [cmd, argv] = options.cpus ? ['taskset', ['-c', options.cpus, NODE, ...nodeArgs]] : [NODE, nodeArgs];
  const proc: ChildProcess = spawn(cmd, argv, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  if (proc.pid === undefined) throw new Error(`could not start ${name}`);
  const pid = proc.pid;
  let out = '';
  const collect = (d: Buffer): void => {
    out += d.toString();
    if (out.length > 65_536) out = out.slice(-65_536);
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  proc.on('error', (error) => collect(Buffer.from(`\n${name}: ${error.message}\n`)));
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => {
      done = true;
      // The leader is gone; anything it left behind in its group goes too.
      killGroup(pid, 'SIGKILL');
      live.delete(child);
      // 'close' comes once its output is fully read; don't wait forever for a pipe held elsewhere.
      const late = setTimeout(() => resolve(code), 2000);
      proc.once('close', () => {
        clearTimeout(late);
        resolve(code);
      });
    });
  });
  const child: Child = {
    name,
    pid,
    output: () => out,
    exited,
    running: () => !done,
    async stop(graceMs = 5000) {
      if (done) return;
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  live.add(child);
  return child;
}

/** Runs a node script to completion and parses the one JSON document it prints on stdout. */
export async function runNodeJson<T>(name: string, args: string[], options: { cpus?: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<T> {
  const child = startNode(name, args, options);
  const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), options.timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  const out = child.output();
  const line = out.split('\n').reverse().find((l) => l.startsWith('{'));
  if (code !== 0 || !line) throw new Error(`${name} failed (exit ${code}):\n${out.slice(-4000)}`);
  return JSON.parse(line) as T;
}

/** Waits until the child's output matches `ready`; rejects if it exits or the time runs out. */
export async function waitForOutput(child: Child, ready: RegExp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready.test(child.output())) {
    if (!child.running()) throw new Error(`${child.name} exited during start-up:\n${child.output().slice(-4000)}`);
    if (Date.now() > deadline) throw new Error(`${child.name} did not become ready in ${timeoutMs} ms:\n${child.output().slice(-4000)}`);
    await sleep(50);
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((c) => c.stop()));
}

export function trackTempDir(dir: string): void {
  tempDirs.add(dir);
}

export function removeTempDirs(): void {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Last-resort cleanup when the bench is interrupted or exits without reaching its finally. */
export function installExitCleanup(): void {
  const hardStop = (): void => {
    for (const c of live) killGroup(c.pid, 'SIGKILL');
    removeTempDirs();
  };
  process.once('exit', hardStop);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping every child process\n`);
      hardStop();
      process.exit(130);
    });
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Resident set size in bytes (VmRSS of /proc/PID/status), or undefined if the process is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** CPU time (user + system, seconds) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** Direct children of `pid` (cluster workers), found through /proc/N/stat's parent pid. */
export function childPids(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command name: state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}
