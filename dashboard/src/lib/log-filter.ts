// The Logs page's logic, free of React and the DOM so that it is unit tested: Auth0's log event
// types in words, the filter form compiled to the Lucene subset GET /api/v2/logs accepts
// (src/management/log-query.ts), and the live tail's merging of new events.

/** Auth0's log event type codes (the ones Scopeward records, and the common others). */
export const LOG_TYPES: Readonly<Record<string, string>> = {
  s: 'Success Login',
  f: 'Failed Login',
  fp: 'Failed Login (Incorrect Password)',
  fu: 'Failed Login (Invalid Email/Username)',
  slo: 'Success Logout',
  flo: 'Failed Logout',
  ss: 'Success Signup',
  fs: 'Failed Signup',
  ssa: 'Success Silent Auth',
  fsa: 'Failed Silent Auth',
  seacft: 'Success Exchange (Authorization Code for Access Token)',
  feacft: 'Failed Exchange (Authorization Code for Access Token)',
  seccft: 'Success Exchange (Client Credentials for Access Token)',
  feccft: 'Failed Exchange (Client Credentials for Access Token)',
  sertft: 'Success Exchange (Refresh Token for Access Token)',
  fertft: 'Failed Exchange (Refresh Token for Access Token)',
  sepft: 'Success Exchange (Password for Access Token)',
  fepft: 'Failed Exchange (Password for Access Token)',
  sapi: 'Success API Operation',
  fapi: 'Failed API Operation',
  mgmt_api_read: 'Management API Read Operation',
  scp: 'Success Change Password',
  fcp: 'Failed Change Password',
  scpr: 'Success Change Password Request',
  fcpr: 'Failed Change Password Request',
  sce: 'Success Change Email',
  fce: 'Failed Change Email',
  sv: 'Success Verification Email',
  fv: 'Failed Verification Email',
  du: 'Deleted User',
  fd: 'Failed Delegation',
  sd: 'Success Delegation',
  limit_wc: 'Blocked Account',
  limit_mu: 'Blocked IP Address',
  api_limit: 'Rate Limit on the API',
  depnote: 'Deprecation Notice',
  w: 'Warning',
  cs: 'Code Sent',
  cls: 'Code/Link Sent',
  fn: 'Failed Sending Notification',
  ublkdu: 'User Login Block Released',
  sui: 'Success Users Import',
  fui: 'Failed Users Import',
};

/**
 * The dashboard signing itself in: silent authentication and the code exchange that follows, on
 * every page load. Routine noise next to what an administrator looks for, so hidden by default.
 */
const DASHBOARD_SIGN_IN_TYPES = new Set(['ssa', 'fsa', 'seacft']);

export function isDashboardSignIn(event: { type: string; client_id?: unknown }, dashboardClientId: string): boolean {
  return event.client_id === dashboardClientId && DASHBOARD_SIGN_IN_TYPES.has(event.type);
}

/** "seccft" → "Success Exchange (…)"; an unknown code stays as it is. */
export function describeLogType(type: string): string {
  return LOG_TYPES[type] ?? type;
}

export interface LogFilter {
  /** A type code ("seccft"), or "" for every type. */
  type: string;
  /** A client id, or "". */
  clientId: string;
  /** A user id, or "". */
  userId: string;
  /** Days as an <input type="date"> gives them (YYYY-MM-DD, the admin's local calendar), or "". */
  from: string;
  to: string;
}

export const EMPTY_FILTER: LogFilter = { type: '', clientId: '', userId: '', from: '', to: '' };

export type LogQuery = { ok: true; q: string | undefined } | { ok: false; error: string };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The instant a local calendar day starts (or, for `end`, its last millisecond), as ISO 8601 UTC. */
export function localDayBound(day: string, end: boolean): string | undefined {
  const m = DAY.exec(day);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const date = end ? new Date(y, mo, d, 23, 59, 59, 999) : new Date(y, mo, d, 0, 0, 0, 0);
  // new Date(2026, 1, 31) silently becomes March 3rd: refuse days that do not exist.
  if (date.getFullYear() !== y || date.getMonth() !== mo || date.getDate() !== d) return undefined;
  return date.toISOString();
}

/**
 * A value as a term. The log syntax has no escapes (log-query.ts), so a value holding a quote
 * cannot be written; whitespace needs the quotes.
 */
function value(field: string, raw: string): string | { error: string } {
  const v = raw.trim();
  if (v.includes('"') || v.includes('\\')) return { error: `The ${field} cannot contain quotes or backslashes.` };
  return /[\s()[\]{}:]/.test(v) ? `"${v}"` : v;
}

/** The filter form as `q` (undefined: no filter), or the sentence that says what to fix. */
export function buildLogQuery(filter: LogFilter): LogQuery {
  const terms: string[] = [];
  if (filter.type.trim() !== '') {
    if (!/^[a-z_]+\*?$/.test(filter.type.trim())) return { ok: false, error: 'A log type is a code such as seccft or f.' };
    terms.push(`type:${filter.type.trim()}`);
  }
  for (const [field, label, raw] of [
    ['client_id', 'client id', filter.clientId],
    ['user_id', 'user id', filter.userId],
  ] as const) {
    if (raw.trim() === '') continue;
    const v = value(label, raw);
    if (typeof v !== 'string') return { ok: false, error: v.error };
    terms.push(`${field}:${v}`);
  }
  if (filter.from !== '' || filter.to !== '') {
    const from = filter.from === '' ? '*' : localDayBound(filter.from, false);
    const to = filter.to === '' ? '*' : localDayBound(filter.to, true);
    if (from === undefined) return { ok: false, error: 'The first day is not a date.' };
    if (to === undefined) return { ok: false, error: 'The last day is not a date.' };
    if (from !== '*' && to !== '*' && from > to) return { ok: false, error: 'The first day is after the last day.' };
    terms.push(`date:[${from} TO ${to}]`);
  }
  return { ok: true, q: terms.length === 0 ? undefined : terms.join(' AND ') };
}

export interface LogEvent {
  log_id: string;
  date: string;
  type: string;
  [key: string]: unknown;
}

/** Log ids sort by time as strings of one length (src/audit/log-id.ts); compare numerically anyway. */
export function compareLogIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** The newest log id in a list, for the live tail's `from`. */
export function newestLogId(events: readonly LogEvent[]): string | undefined {
  let newest: string | undefined;
  for (const e of events) if (newest === undefined || compareLogIds(e.log_id, newest) > 0) newest = e.log_id;
  return newest;
}

/**
 * The live tail's list: `incoming` (oldest first, as from/take answers) goes on top, newest first;
 * events already shown are not repeated; at most `max` are kept.
 */
export function prependNewEvents<T extends LogEvent>(shown: readonly T[], incoming: readonly T[], max = 500): T[] {
  const seen = new Set(shown.map((e) => e.log_id));
  const fresh = incoming.filter((e) => !seen.has(e.log_id)).sort((a, b) => compareLogIds(b.log_id, a.log_id));
  return [...fresh, ...shown].slice(0, max);
}
