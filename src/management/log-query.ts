// The Lucene subset GET /api/v2/logs accepts in `q` (v4 SDK) or `search` (v5+), compiled to the
// storage layer's condition tree (values are always bound parameters there):
//   type:seccft   type:"seccft"   client_id:abc   ip:1.2.3.4   user_id:"auth0|x"
//   date:[2026-11-01 TO 2026-11-30]   date:{* TO 2026-11-01T12:00:00Z}   type:f*   log_id:900…
//   terms joined by AND (also implicit), OR, NOT, with parentheses.
import type { LogCondition, LogField } from '../storage/ports.ts';

const FIELDS = new Set<LogField>(['type', 'client_id', 'user_id', 'ip', 'date', 'log_id']);
const MAX_LENGTH = 1000;
const MAX_DEPTH = 10;

export class LogQueryError extends Error {
  override name = 'LogQueryError';
}

type Token = { kind: 'word' | 'quoted' | 'range'; value: string } | { kind: 'op'; value: 'AND' | 'OR' | 'NOT' | '(' | ')' };

function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: 'op', value: c });
      i++;
    } else {
      // A term runs to whitespace or a parenthesis, except inside quotes and [..] / {..} ranges.
      let j = i;
      let term = '';
      while (j < q.length && !/[\s()]/.test(q[j]!)) {
        const ch = q[j]!;
        if (ch === '"') {
          const end = q.indexOf('"', j + 1);
          if (end < 0) throw new LogQueryError('unterminated quoted value');
          term += q.slice(j, end + 1);
          j = end + 1;
        } else if (ch === '[' || ch === '{') {
          const end = q.slice(j).search(/[\]}]/);
          if (end < 0) throw new LogQueryError('unterminated range');
          term += q.slice(j, j + end + 1);
          j += end + 1;
        } else {
          term += ch;
          j++;
        }
      }
      i = j;
      if (term === 'AND' || term === 'OR' || term === 'NOT') tokens.push({ kind: 'op', value: term });
      else tokens.push({ kind: 'word', value: term });
    }
  }
  return tokens;
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
  const tokens = tokenize(q);
  if (tokens.length === 0) return undefined;
  let pos = 0;
  const peek = () => tokens[pos];

  // or := and ("OR" and)* ; and := unary (["AND"] unary)* ; unary := "NOT" unary | "(" or ")" | term
  const parseOr = (depth: number): LogCondition => {
    if (depth > MAX_DEPTH) throw new LogQueryError('the query nests too deeply');
    const parts = [parseAnd(depth)];
    while (peek()?.kind === 'op' && peek()!.value === 'OR') {
      pos++;
      parts.push(parseAnd(depth));
    }
    return parts.length === 1 ? parts[0]! : { or: parts };
  };
  const parseAnd = (depth: number): LogCondition => {
    const parts = [parseUnary(depth)];
    for (;;) {
      const t = peek();
      if (!t || (t.kind === 'op' && (t.value === 'OR' || t.value === ')'))) break;
      if (t.kind === 'op' && t.value === 'AND') pos++;
      parts.push(parseUnary(depth));
    }
    return parts.length === 1 ? parts[0]! : { and: parts };
  };
  const parseUnary = (depth: number): LogCondition => {
    const t = tokens[pos++];
    if (!t) throw new LogQueryError('the query ends where a term was expected');
    if (t.kind === 'op' && t.value === 'NOT') {
      // A chain of NOTs nests as deeply as parentheses do, so it meets the same bound.
      if (depth + 1 > MAX_DEPTH) throw new LogQueryError('the query nests too deeply');
      return { not: parseUnary(depth + 1) };
    }
    if (t.kind === 'op' && t.value === '(') {
      const inner = parseOr(depth + 1);
      if (tokens[pos++]?.value !== ')') throw new LogQueryError('a parenthesis is not closed');
      return inner;
    }
    if (t.kind === 'op') throw new LogQueryError(`unexpected ${t.value}`);
    return term(t.value);
  };

  const result = parseOr(0);
  if (pos < tokens.length) throw new LogQueryError(`unexpected ${tokens[pos]!.value.slice(0, 40)}`);
  return result;
}
