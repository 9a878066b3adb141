// The Management API reads the scale bench times: each one a group of pages (first, middle or
// deep, last), each page requested N times in a row, one request at a time, so its p99 is a single
// request's latency and not a queue's. "No page > 2x its first" compares each page's median with
// the first page's median of the same query.
import { performance } from 'node:perf_hooks';
import { encodeCursor } from '../../src/management/pagination.ts';
import { request, type Endpoint } from '../lib/http.ts';
import { seededTeam, seededUserEmail, type SeedInfo } from './seed.ts';

export interface PageSpec {
  /** first, middle, deep, last … */
  label: string;
  path: string;
}

export interface QuerySpec {
  key: string;
  label: string;
  pages: PageSpec[];
}

export interface PageResult {
  label: string;
  path: string;
  p50: number;
  p99: number;
  /** This page's median over the first page's. */
  ratio: number;
  /** Items in the answer (entries of the array or of the list property). */
  items: number;
}

export interface QueryResult {
  key: string;
  label: string;
  pages: PageResult[];
}

const PER_PAGE = 50;
const WINDOW_LAST_PAGE = 1000 / PER_PAGE - 1;

/** The reads the issue lists, sized to what was seeded (`totalClients` counts the system applications too). */
export function querySpecs(seed: SeedInfo, totalClients: number): QuerySpec[] {
  const q = (s: string): string => encodeURIComponent(s);
  const lastPage = Math.max(0, Math.ceil(totalClients / PER_PAGE) - 1);
  const keys = seed.clientKeys;
  const cursorAt = (i: number): string => {
    const [createdAt, id] = keys[Math.max(0, Math.min(keys.length - 1, i))]!;
    return encodeCursor({ createdAt, id });
  };
  const users = seed.sizes.users;
  const deepUsers = (query: string): PageSpec[] => [
    { label: 'first', path: `/api/v2/users?${query}&page=0&per_page=${PER_PAGE}` },
    { label: 'page 10', path: `/api/v2/users?${query}&page=10&per_page=${PER_PAGE}` },
    { label: `page ${WINDOW_LAST_PAGE} (window end)`, path: `/api/v2/users?${query}&page=${WINDOW_LAST_PAGE}&per_page=${PER_PAGE}` },
  ];
  const deepLogs = (query: string): PageSpec[] => [
    { label: 'first', path: `/api/v2/logs?${query}page=0&per_page=${PER_PAGE}` },
    { label: 'page 10', path: `/api/v2/logs?${query}page=10&per_page=${PER_PAGE}` },
    { label: `page ${WINDOW_LAST_PAGE} (window end)`, path: `/api/v2/logs?${query}page=${WINDOW_LAST_PAGE}&per_page=${PER_PAGE}` },
  ];
  // A date range over the middle fifth of the seeded log (about 2 million events at full size).
  const from = Date.parse(seed.logDates.first);
  const span = Date.parse(seed.logDates.last) - from;
  const range = `date:[${new Date(from + span * 0.4).toISOString()} TO ${new Date(from + span * 0.6).toISOString()}]`;
  const tenth = (i: number): string => seed.logIdAtTenth[Math.min(i, seed.logIdAtTenth.length - 1)]!;
  return [
    {
      key: 'clients-page',
      label: 'GET /api/v2/clients page/per_page',
      pages: [
        { label: 'first', path: `/api/v2/clients?page=0&per_page=${PER_PAGE}` },
        { label: 'middle', path: `/api/v2/clients?page=${Math.floor(lastPage / 2)}&per_page=${PER_PAGE}` },
        { label: 'last', path: `/api/v2/clients?page=${lastPage}&per_page=${PER_PAGE}` },
      ],
    },
    {
      key: 'clients-take',
      label: 'GET /api/v2/clients from/take',
      pages: [
        { label: 'first', path: `/api/v2/clients?take=${PER_PAGE}` },
        { label: 'middle', path: `/api/v2/clients?take=${PER_PAGE}&from=${cursorAt(Math.floor(keys.length / 2))}` },
        { label: 'last', path: `/api/v2/clients?take=${PER_PAGE}&from=${cursorAt(keys.length - PER_PAGE)}` },
      ],
    },
    {
      key: 'users-email',
      label: 'users: exact email',
      pages: [{ label: 'first', path: `/api/v2/users?search_engine=v3&q=${q(`email:"${seededUserEmail(Math.floor(users / 2))}"`)}` }],
    },
    { key: 'users-name-prefix', label: 'users: name prefix (name:jo*)', pages: deepUsers(`search_engine=v3&q=${q('name:jo*')}`) },
    { key: 'users-metadata', label: 'users: user_metadata field', pages: deepUsers(`search_engine=v3&q=${q(`user_metadata.team:"${seededTeam(7)}"`)}`) },
    { key: 'users-sorted', label: 'users: all, sort=email:1', pages: deepUsers(`search_engine=v3&sort=${q('email:1')}`) },
    { key: 'users-prefix-sorted', label: 'users: name:jo*, sort=email:1', pages: deepUsers(`search_engine=v3&q=${q('name:jo*')}&sort=${q('email:1')}`) },
    {
      key: 'totals',
      label: 'include_totals=true (counts every match)',
      pages: [
        { label: 'first: users name:jo*', path: `/api/v2/users?search_engine=v3&q=${q('name:jo*')}&include_totals=true&per_page=${PER_PAGE}` },
        { label: 'logs type:seccft', path: `/api/v2/logs?q=${q('type:seccft')}&include_totals=true&per_page=${PER_PAGE}` },
      ],
    },
    { key: 'logs-all', label: 'logs: all, newest first', pages: deepLogs('') },
    { key: 'logs-type', label: 'logs: type:seccft', pages: deepLogs(`q=${q('type:seccft')}&`) },
    { key: 'logs-type-rare', label: 'logs: type:fapi (2 %)', pages: deepLogs(`q=${q('type:fapi')}&`) },
    { key: 'logs-date', label: 'logs: date range (middle fifth)', pages: deepLogs(`q=${q(range)}&`) },
    {
      key: 'logs-take',
      label: 'logs: from/take (checkpoints)',
      pages: [
        { label: 'first', path: `/api/v2/logs?take=${PER_PAGE}&from=${tenth(0)}` },
        { label: 'middle', path: `/api/v2/logs?take=${PER_PAGE}&from=${tenth(5)}` },
        { label: 'last tenth', path: `/api/v2/logs?take=${PER_PAGE}&from=${tenth(9)}` },
      ],
    },
    {
      key: 'logs-take-type',
      label: 'logs: from/take, type:fapi',
      pages: [
        { label: 'first', path: `/api/v2/logs?take=${PER_PAGE}&from=${tenth(0)}&q=${q('type:fapi')}` },
        { label: 'middle', path: `/api/v2/logs?take=${PER_PAGE}&from=${tenth(5)}&q=${q('type:fapi')}` },
        { label: 'last tenth', path: `/api/v2/logs?take=${PER_PAGE}&from=${tenth(9)}&q=${q('type:fapi')}` },
      ],
    },
  ];
}

function count(body: string): number {
  const parsed = JSON.parse(body) as unknown;
  if (Array.isArray(parsed)) return parsed.length;
  const list = Object.values(parsed as Record<string, unknown>).find(Array.isArray);
  return Array.isArray(list) ? list.length : 0;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Times one page `n` times (after one unmeasured request that also checks the answer). */
export async function timePage(e: Endpoint, token: string, path: string, n: number): Promise<{ p50: number; p99: number; items: number }> {
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  const first = await request(e, 'GET', path, { headers });
  if (first.status !== 200) throw new Error(`GET ${path} answered ${first.status}: ${first.body.slice(0, 300)}`);
  const items = count(first.body);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await request(e, 'GET', path, { headers });
    times.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}: ${r.body.slice(0, 300)}`);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), items };
}

export async function runQuery(e: Endpoint, token: string, spec: QuerySpec, n: number): Promise<QueryResult> {
  const pages: PageResult[] = [];
  for (const page of spec.pages) {
    const t = await timePage(e, token, page.path, n);
    pages.push({ label: page.label, path: page.path, ...t, ratio: pages[0] ? t.p50 / pages[0].p50 : 1 });
  }
  return { key: spec.key, label: spec.label, pages };
}
