// The scale bench's table (Markdown, pasted as-is into bench/README.md) and its targets (issue 13):
// start-up <= 5 s, idle RSS <= 200 MB, tokens/s >= 90 % of the small tenant's, every listed read's
// single-request p99 <= 50 ms, and no page slower than twice its query's first page (medians).
import type { ScenarioResult } from '../lib/report.ts';
import type { QueryResult } from './queries.ts';
import type { ScaleSettings, Sizes } from './settings.ts';

export interface TenantReport {
  sizes: Sizes;
  seedSeconds: Record<string, number>;
  startupMs: number;
  startupRunsMs: number[];
  idleRss: number | undefined;
  afterLoadRss: number | undefined;
  afterQueriesRss: number | undefined;
  tokens: ScenarioResult;
  queries: QueryResult[];
}

export interface DialectReport {
  dialect: string;
  small: TenantReport;
  large: TenantReport;
}

const TARGET = { startupMs: 5000, idleRssMb: 200, tokensShare: 0.9, p99Ms: 50, pageRatio: 2 };

const mb = (b: number | undefined): string => (b === undefined ? '-' : `${Math.round(b / 2 ** 20)} MB`);
const ms = (n: number): string => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const mark = (ok: boolean): string => (ok ? 'yes' : '**NO**');
const n = (x: number): string => x.toLocaleString('en-US');

export function renderScale(s: ScaleSettings, reports: DialectReport[]): string {
  const out: string[] = [];
  for (const { dialect, small, large } of reports) {
    const z = large.sizes;
    out.push(`#### ${dialect}: ${n(z.clients)} applications, ${n(z.grants)} grants, ${n(z.users)} users, ${n(z.logs)} log events (SCALE=${s.scale}) beside a ${small.sizes.clients}-application tenant`);
    out.push('');
    const seed = large.seedSeconds;
    out.push(`Seeding the large tenant took ${seed.total} s (applications ${seed.clients} s, grants ${seed.grants} s, users ${seed.users} s, log events ${seed.logs} s, statistics ${seed.analyze} s).`);
    out.push('');
    out.push('| measure | small tenant | large tenant | target | met |');
    out.push('|---|---:|---:|---|---|');
    out.push(`| start-up to /readyz 200 (median of 3) | ${n(Math.round(small.startupMs))} ms | ${n(Math.round(large.startupMs))} ms | <= 5 s | ${mark(large.startupMs <= TARGET.startupMs)} |`);
    out.push(`| RSS idle | ${mb(small.idleRss)} | ${mb(large.idleRss)} | <= 200 MB | ${mark((large.idleRss ?? Infinity) <= TARGET.idleRssMb * 2 ** 20)} |`);
    out.push(`| RSS after the token load | ${mb(small.afterLoadRss)} | ${mb(large.afterLoadRss)} | | |`);
    out.push(`| RSS after the reads | ${mb(small.afterQueriesRss)} | ${mb(large.afterQueriesRss)} | | |`);
    const share = large.tokens.median.rps / small.tokens.median.rps;
    out.push(`| client credentials tokens/s (median of ${small.tokens.runs.length}) | ${n(Math.round(small.tokens.median.rps))} | ${n(Math.round(large.tokens.median.rps))} (${Math.round(share * 100)} %) | >= 90 % of small | ${mark(share >= TARGET.tokensShare)} |`);
    out.push(`| server CPU per token request | ${n(Math.round(small.tokens.median.cpuUsPerRequest))} µs | ${n(Math.round(large.tokens.median.cpuUsPerRequest))} µs | | |`);
    out.push('');
    out.push('| read (per_page/take 50) | page | small p50 / p99 | large p50 / p99 | large page / first page (p50) | p99 <= 50 ms | page <= 2x first |');
    out.push('|---|---|---:|---:|---:|---|---|');
    for (const q of large.queries) {
      const smallQ = small.queries.find((x) => x.key === q.key);
      q.pages.forEach((p, i) => {
        const sp = smallQ?.pages[i];
        out.push(
          `| ${i === 0 ? q.label : ''} | ${p.label} (${p.items}) | ${sp ? `${ms(sp.p50)} / ${ms(sp.p99)} ms` : '-'} | ${ms(p.p50)} / ${ms(p.p99)} ms | ${i === 0 ? '' : `${p.ratio.toFixed(2)}x`} | ${mark(p.p99 <= TARGET.p99Ms)} | ${i === 0 ? '' : mark(p.ratio <= TARGET.pageRatio)} |`,
        );
      });
    }
    out.push('');
  }
  return out.join('\n');
}
