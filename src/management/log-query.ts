// The Lucene subset GET /api/v2/logs accepts in `q` (v4 SDK) or `search` (v5+), compiled to the
// storage layer's condition tree (values are always bound parameters there):
//   type:seccft   type:"seccft"   client_id:abc   ip:1.2.3.4   user_id:"auth0|x"
//   date:[2026-11-01 TO 2026-11-30]   date:{* TO 2026-11-01T12:00:00Z}   type:f*   log_id:900…
//   terms joined by AND (also implicit), OR, NOT, with parentheses.
import type { LogCondition, LogField } from '../storage/ports.ts';
import { parseBoolean, tokenize } from './lucene.ts';

const FIELDS = new Set<LogField>(['type', 'client_id', 'user_id', 'ip', 'date', 'log_id']);
const MAX_LENGTH = 1000;
const MAX_DEPTH = 10;

export class LogQueryError extends Error {
  override name = 'LogQueryError';
}

/**
 * A date-only bound means the whole day: it rounds up (last millisecond of the day) for `>` and
 * `<=`, down (midnight) for `>=` and `<`, as Elasticsearch rounds such bounds for Auth0's search.
 */
function dateBound(value: string, upper: boolean): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return upper ? `${value}T23:59:59.999Z` : `${value}T00:00:00.000Z`;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new LogQueryError(`"${value.slice(0, 40)}" is not a date`);
  return d.toISOString();
}

function unquote(v: string): string {
  return v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1) : v;
}

function term(word: string): LogCondition {
  const colon = word.indexOf(':');
  if (colon <= 0) throw new LogQueryError(`"${word.slice(0, 40)}" is not field:value`);
  const field = word.slice(0, colon) as LogField;
  if (!FIELDS.has(field)) throw new LogQueryError(`unsupported field "${word.slice(0, colon).slice(0, 40)}" (use ${[...FIELDS].join(', ')})`);
  const raw = word.slice(colon + 1);
  const range = /^([[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])$/.exec(raw);
  if (range) {
    const [, open, from = '*', to = '*', close] = range;
    const parts: LogCondition[] = [];
    const norm = (v: string, upper: boolean) => (field === 'date' ? dateBound(unquote(v), upper) : unquote(v));
    if (from !== '*') parts.push({ field, op: open === '[' ? 'gte' : 'gt', value: norm(from, open === '{') });
    if (to !== '*') parts.push({ field, op: close === ']' ? 'lte' : 'lt', value: norm(to, close === ']') });
    return { and: parts };
  }
  const value = unquote(raw);
  if (value === '') throw new LogQueryError(`no value for ${field}`);
  if (!raw.startsWith('"') && value.endsWith('*') && value.length > 1) return { field, op: 'prefix', value: value.slice(0, -1) };
  if (field === 'date') {
    // A bare date matches that whole day.
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return { and: [{ field, op: 'gte', value: dateBound(value, false) }, { field, op: 'lte', value: dateBound(value, true) }] };
    return { field, op: 'eq', value: dateBound(value, false) };
  }
  return { field, op: 'eq', value };
}

/** Parses `q`; throws LogQueryError with a sentence a user can act on. */
export function parseLogQuery(q: string): LogCondition | undefined {
  if (q.length > MAX_LENGTH) throw new LogQueryError(`the query is longer than ${MAX_LENGTH} characters`);
  const fail = (message: string) => new LogQueryError(message);
  return parseBoolean<LogCondition>(tokenize(q, { fail }), {
    term,
    and: (parts) => ({ and: parts }),
    or: (parts) => ({ or: parts }),
    not: (inner) => ({ not: inner }),
    maxDepth: MAX_DEPTH,
    fail,
  });
}
