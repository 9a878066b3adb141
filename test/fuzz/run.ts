// The long fuzz run (`npm run fuzz`): an in-process server on 127.0.0.1 (SQLite in memory, or a
// fresh PostgreSQL schema with FUZZ_DB=postgres), reached over real sockets (FUZZ_TRANSPORT=inject
// to skip them), FC_NUM_RUNS requests per operation and batch, FUZZ_ROUNDS rounds with new seeds.
// Prints requests sent, operations covered and reached, seeds, duration and every finding; exits 1
// when there is one. Loopback only, bounded by its counts. See test/fuzz/README.md.
import { createPgSchema } from '../helpers/pg.ts';
import { fuzz, type Report } from './engine.ts';
import { FuzzTarget } from './target.ts';

const env = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};
const runs = env('FC_NUM_RUNS', 50);
const rounds = env('FUZZ_ROUNDS', 1);
const firstSeed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const transport = process.env.FUZZ_TRANSPORT === 'inject' ? 'inject' : 'http';
const only = process.env.FUZZ_ONLY ? new RegExp(process.env.FUZZ_ONLY) : undefined;

const pg = process.env.FUZZ_DB === 'postgres' ? await createPgSchema() : undefined;
const target = await FuzzTarget.start({ transport, ...(pg && { databaseUrl: pg.url, pgSchema: pg.schema }) });
const total: Report = { requests: 0, batches: 0, seeds: [], ops: {}, findings: [], millis: 0 };
try {
  for (let round = 0; round < rounds; round++) {
    const seed = (firstSeed + round * 100_003) | 0;
    console.log(`round ${round + 1}/${rounds}: seed ${seed}, ${runs} runs per operation and batch, ${pg ? 'PostgreSQL' : 'SQLite'}, ${transport}`);
    const report = await fuzz(target, { runs, seed, stopAtFirst: false, repairEvery: 8, ...(only && { only }), log: (line) => console.log(line) });
    total.requests += report.requests;
    total.batches += report.batches;
    total.seeds.push(...report.seeds);
    total.findings.push(...report.findings);
    total.millis += report.millis;
    for (const [op, s] of Object.entries(report.ops)) {
      const t = (total.ops[op] ??= { sent: 0, reached: 0, statuses: {} });
      t.sent += s.sent;
      t.reached += s.reached;
      for (const [status, n] of Object.entries(s.statuses)) t.statuses[Number(status)] = (t.statuses[Number(status)] ?? 0) + n;
    }
  }
} finally {
  await target.close();
  await pg?.drop();
}

const ops = Object.entries(total.ops).sort(([a], [b]) => a.localeCompare(b));
console.log('\noperation'.padEnd(72), 'sent  reached  statuses');
for (const [op, s] of ops) console.log(op.padEnd(71), String(s.sent).padStart(5), String(s.reached).padStart(8), ' ', Object.entries(s.statuses).map(([k, v]) => `${k}×${v}`).join(' '));
const statuses: Record<string, number> = {};
for (const [, s] of ops) for (const [k, v] of Object.entries(s.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
console.log(`\nrequests ${total.requests} in ${(total.millis / 1000).toFixed(1)} s; batches ${total.batches}; operations covered ${ops.filter(([, s]) => s.sent > 0).length}/${ops.length}, reached past authentication ${ops.filter(([, s]) => s.reached > 0).length}`);
console.log(`statuses ${Object.entries(statuses).map(([k, v]) => `${k}×${v}`).join(' ')}`);
console.log(`seeds ${total.seeds[0]}…${total.seeds.at(-1)} (first seed ${firstSeed}; FUZZ_SEED=${firstSeed} repeats this run)`);
// One line per kind of finding: the batch's token class, log timestamps and request ids set aside.
const kind = (f: (typeof total.findings)[number]) => `${f.op.replace(/^after /, '').replace(/ \((its scopes|other tokens)\)$/, '')} ${(f.problems[0] ?? '').replace(/"time":\d+,"reqId":"[^"]*",/g, '').slice(0, 160)}`;
const distinct = new Map(total.findings.map((f) => [kind(f), f]));
console.log(`findings ${total.findings.length} (${distinct.size} distinct)`);
for (const f of distinct.values()) console.log(`- ${f.op}: ${f.problems.join('; ').slice(0, 300)}\n  ${f.request.method} ${f.request.url.slice(0, 200)} ${f.request.body?.slice(0, 200) ?? ''} [seed ${f.seed} path ${f.path}]`);
process.exitCode = total.findings.length > 0 ? 1 : 0;
