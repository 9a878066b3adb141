// The fuzz run: one batch per operation (each Management API operation twice: with a token holding
// its scopes, then with any other token or none), every request checked by the oracle, the server's
// health checked after every batch, fixtures renewed every few batches. Used by the bounded run in
// `npm test` (test/security/s11-openapi-fuzz.test.ts) and the long run (`npm run fuzz`, run.ts).
import fc from 'fast-check';
import { pageRequests, publicRequests, tokenRequests } from './auth-api.ts';
import { managementSpecs, operationsOf } from './management.ts';
import { problems } from './oracle.ts';
import { SchemaValues } from './schema.ts';
import type { Spec } from './spec.ts';
import { unparseable, type FuzzTarget, type Wire } from './target.ts';

export interface Finding {
  op: string;
  problems: string[];
  status: number;
  request: { method: string; url: string; headers: Record<string, string>; body: string | undefined };
  /** fast-check's seed and path: replay with { seed, path, numRuns: 1 } on the same batch. */
  seed: number;
  path: string;
}

export interface OpStats {
  sent: number;
  /** Answers past authentication and the scope check (not 401, 403 or 429). */
  reached: number;
  statuses: Record<number, number>;
}

export interface Report {
  requests: number;
  batches: number;
  seeds: number[];
  ops: Record<string, OpStats>;
  findings: Finding[];
  millis: number;
}

export interface FuzzOptions {
  /** Requests per operation and batch (FC_NUM_RUNS). */
  runs: number;
  seed: number;
  /** Throw at the first finding, so fast-check shrinks it and prints its seed and path (npm test). */
  stopAtFirst: boolean;
  /** Renew fixtures every this many batches (and after any unhealthy batch). */
  repairEvery?: number;
  /** Only operations whose label matches. */
  only?: RegExp;
  log?: (line: string) => void;
}

interface Batch {
  op: string;
  arbitrary: fc.Arbitrary<Spec>;
  runs: number;
}

export function batches(openapi: Record<string, unknown>, runs: number): Batch[] {
  const values = new SchemaValues(openapi);
  const clean = new SchemaValues(openapi, { clean: true });
  const out: Batch[] = [];
  for (const op of operationsOf(openapi)) {
    out.push({ op: `${op.key} (its scopes)`, arbitrary: managementSpecs(values, clean, op, 'route'), runs });
    out.push({ op: `${op.key} (other tokens)`, arbitrary: managementSpecs(values, clean, op, 'mixed'), runs: Math.max(1, Math.ceil(runs / 2)) });
  }
  for (const arbitrary of [...tokenRequests, ...pageRequests, ...publicRequests]) {
    const op = fc.sample(arbitrary, { numRuns: 1, seed: 1 })[0]!.op;
    out.push({ op, arbitrary, runs });
  }
  return out;
}

const text = (body: Buffer | undefined): string | undefined => (body === undefined ? undefined : body.length > 400 ? `${body.subarray(0, 400).toString('utf8')}… (${body.length} bytes)` : body.toString('utf8'));

export async function fuzz(target: FuzzTarget, options: FuzzOptions): Promise<Report> {
  const started = performance.now();
  const report: Report = { requests: 0, batches: 0, seeds: [], ops: {}, findings: [], millis: 0 };
  const crashes: string[] = [];
  const onCrash = (kind: string) => (error: unknown) => crashes.push(`${kind}: ${error instanceof Error ? error.stack : String(error)}`);
  const onRejection = onCrash('unhandledRejection');
  const onException = onCrash('uncaughtExceptionMonitor');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtExceptionMonitor', onException);
  const record = (finding: Finding) => {
    report.findings.push(finding);
    options.log?.(`FINDING ${finding.op}: ${finding.problems.join('; ')}\n  ${finding.request.method} ${finding.request.url.slice(0, 300)} (seed ${finding.seed}, path ${finding.path})`);
    if (options.stopAtFirst) throw new Error(`${finding.op}: ${finding.problems.join('; ')} — ${finding.request.method} ${finding.request.url.slice(0, 500)} ${finding.request.body ?? ''}`.slice(0, 2000));
  };
  try {
    // A batch's seed follows from its place in the full list, so FUZZ_ONLY replays the same requests.
    for (const [index, batch] of batches(target.openapi, options.runs).entries()) {
      if (options.only && !options.only.test(batch.op)) continue;
      const seed = (options.seed + index) | 0;
      report.seeds.push(seed);
      const stats = (report.ops[batch.op] ??= { sent: 0, reached: 0, statuses: {} });
      let run = 0;
      await fc.assert(
        fc.asyncProperty(batch.arbitrary, async (spec) => {
          const path = String(run++);
          const wire: Wire = await target.wire(spec);
          const answer = await target.send(wire).catch((error: unknown) => ({ status: 0, headers: {}, body: `no answer: ${String(error)}` }));
          report.requests++;
          stats.sent++;
          stats.statuses[answer.status] = (stats.statuses[answer.status] ?? 0) + 1;
          if (![401, 403, 429].includes(answer.status)) stats.reached++;
          const found = answer.status === 0 ? [answer.body] : problems(wire.method, wire.url, answer, unparseable(wire));
          if (found.length > 0) record({ op: spec.op, problems: found, status: answer.status, request: { method: wire.method, url: wire.url, headers: wire.headers, body: text(wire.body) }, seed, path });
        }),
        { numRuns: batch.runs, seed },
      );
      report.batches++;
      const afterwards = [...(await target.health()), ...target.errorLogs().map((l) => `logged at error level: ${l.slice(0, 400)}`), ...crashes.splice(0)];
      if (afterwards.length > 0) record({ op: `after ${batch.op}`, problems: afterwards, status: 0, request: { method: '', url: '', headers: {}, body: undefined }, seed, path: '' });
      if (afterwards.length > 0 || report.batches % (options.repairEvery ?? 8) === 0) await target.repair();
    }
  } finally {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtExceptionMonitor', onException);
    report.millis = Math.round(performance.now() - started);
  }
  return report;
}
