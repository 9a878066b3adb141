// The bench's knobs (environment variables, all optional) and where each process is pinned.
import { canPin } from './proc.ts';
import type { Transport } from './servers.ts';

export interface Settings {
  /** Seconds per measured run (BENCH_DURATION). */
  duration: number;
  /** Measured runs per scenario; medians are reported (BENCH_RUNS). */
  runs: number;
  /** Seconds of unrecorded load per scenario before its first run (BENCH_WARMUP). */
  warmup: number;
  connections: number;
  /** BENCH_TRANSPORTS: `http`, `https` or both, in the order given. */
  transports: Transport[];
  /** BENCH_HTTPS_WORKERS=1 also measures --workers over HTTPS (about a minute more). */
  httpsWorkers: boolean;
  workers: number;
  seedClients: number;
  /** Seconds per run of the bare signing probe. */
  signSeconds: number;
  /** taskset works and CPUs 0 and 1 exist; otherwise nothing is pinned. */
  pinned: boolean;
}

export const CPUS = { server: '0', workers: '0,1', load: '1' } as const;

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not ${raw}`);
  return n;
}

export function readSettings(): Settings {
  const transports = (process.env.BENCH_TRANSPORTS ?? 'http,https').split(',').map((s) => s.trim());
  const bad = transports.filter((t) => t !== 'http' && t !== 'https');
  if (bad.length > 0 || transports.length === 0) throw new Error(`BENCH_TRANSPORTS takes http and/or https, not ${bad.join(', ')}`);
  const duration = envNumber('BENCH_DURATION', 10);
  return {
    duration,
    runs: Math.round(envNumber('BENCH_RUNS', 3)),
    warmup: process.env.BENCH_WARMUP === '0' ? 0 : envNumber('BENCH_WARMUP', 2),
    connections: Math.round(envNumber('BENCH_CONNECTIONS', 50)),
    transports: [...new Set(transports)] as Transport[],
    httpsWorkers: process.env.BENCH_HTTPS_WORKERS === '1',
    workers: 2,
    seedClients: 10,
    signSeconds: Math.min(3, duration),
    pinned: canPin(),
  };
}

/** The CPU list to pin to, or undefined when pinning is unavailable. */
export const pinTo = (s: Settings, set: string): string | undefined => (s.pinned ? set : undefined);
export const cpuLabel = (s: Settings, set: string): string => (s.pinned ? set : 'any');

/** Whether a transport's run includes the --workers scenarios. */
export const measuresWorkers = (s: Settings, t: Transport): boolean => t === 'http' || s.httpsWorkers || !s.transports.includes('http');

/** A rough duration, from the settings and what start-up and process launches cost here. */
export function estimateSeconds(s: Settings): number {
  const scenario = s.warmup + 1 + s.runs * (s.duration + 1);
  // Tokens, oidc-provider, clients, introspection and the ceiling; tokens on two CPUs on the first transport.
  const perTransport = (t: Transport): number => (t === s.transports[0] ? 6 : 5) * scenario + 20 + (measuresWorkers(s, t) ? 2 * scenario + 10 : 0);
  return Math.round(s.runs * (s.signSeconds + 1) + 5 + s.transports.reduce((sum, t) => sum + perTransport(t), 0));
}
