// The scale bench's knobs (environment variables, all optional).
//   SCALE=1              fraction of the full size: 100,000 applications and grants, 1,000,000
//                        users, 10,000,000 log events (SCALE=0.01 for a quick run)
//   SCALE_DIALECTS       sqlite,postgres (default both); PostgreSQL is DATABASE_URL's database,
//                        in a schema the bench creates and drops (default postgres://postgres@127.0.0.1:5432/test)
//   SCALE_REQUESTS=40    sequential requests per measured query (p99 of that many)
//   SCALE_LOAD_SECONDS=5 seconds of client-credentials load per run (BENCH_RUNS runs, median; default 3)
//   SCALE_KEEP=1         keep the seeded databases (prints where) instead of removing them
//   SCALE_SEED_ONLY=1    only seed the large tenant(s) and keep them (to EXPLAIN queries against)
export interface Sizes {
  clients: number;
  grants: number;
  users: number;
  logs: number;
}

export const FULL: Sizes = { clients: 100_000, grants: 100_000, users: 1_000_000, logs: 10_000_000 };
/** The reference tenant: 10 applications, as `npm run bench` seeds. */
export const SMALL: Sizes = { clients: 10, grants: 10, users: 10, logs: 100 };

export interface ScaleSettings {
  scale: number;
  sizes: Sizes;
  dialects: ('sqlite' | 'postgres')[];
  requests: number;
  loadSeconds: number;
  runs: number;
  connections: number;
  keep: boolean;
  seedOnly: boolean;
  databaseUrl: string;
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not ${raw}`);
  return n;
}

export function readScaleSettings(): ScaleSettings {
  const scale = envNumber('SCALE', 1);
  const dialects = (process.env.SCALE_DIALECTS ?? 'sqlite,postgres').split(',').map((s) => s.trim());
  const bad = dialects.filter((d) => d !== 'sqlite' && d !== 'postgres');
  if (bad.length > 0 || dialects.length === 0) throw new Error(`SCALE_DIALECTS takes sqlite and/or postgres, not ${bad.join(', ')}`);
  const size = (n: number): number => Math.max(10, Math.round(n * scale));
  return {
    scale,
    sizes: { clients: size(FULL.clients), grants: size(FULL.grants), users: size(FULL.users), logs: size(FULL.logs) },
    dialects: [...new Set(dialects)] as ScaleSettings['dialects'],
    requests: Math.round(envNumber('SCALE_REQUESTS', 40)),
    loadSeconds: envNumber('SCALE_LOAD_SECONDS', 5),
    runs: Math.round(envNumber('BENCH_RUNS', 3)),
    connections: Math.round(envNumber('BENCH_CONNECTIONS', 50)),
    keep: process.env.SCALE_KEEP === '1' || process.env.SCALE_SEED_ONLY === '1',
    seedOnly: process.env.SCALE_SEED_ONLY === '1',
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  };
}
