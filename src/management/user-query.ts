// The Lucene subset of GET /api/v2/users?q= (spec §3.5.4; Auth0 "User search query syntax", v3),
// compiled to the storage layer's UserCondition (values are always bound parameters there):
//   name:jane   name:"jane smith"   email.domain:"example.com"   identities.connection:"x"
//   user_metadata.plan.tier:"gold"   _exists_:app_metadata.roles   email:jane*   name:*son
//   logins_count:[1 TO 10}   created_at:[2026-01-01 TO *]   last_login:2026-03-07
//   AND / OR / NOT (upper case; lower-case and/or are plain terms), implicit AND, parentheses.
// Rules kept from Auth0: wildcards and ranges are not available on metadata; a leading wildcard
// (suffix match, `*son`) needs at least 3 characters; email, name, given_name, family_name and
// nickname compare case-insensitively (the storage folds them), everything else exactly.
// Ours: ranges apply to logins_count and the dates; a wildcard may start or end a value, not
// both; `field:*` means the field exists. A term without a field matches when email, name,
// nickname, given_name, family_name, username or user_id matches it (same wildcard and case
// rules); a lone `*` matches every user. `\` escapes the next character.
import { METADATA_KEY, USER_SEARCH_FIELDS, USER_SORT_FIELDS, type UserCondition, type UserSearchField, type UserSort, type UserSortField } from '../storage/ports/users.ts';
import { parseBoolean, tokenize } from './lucene.ts';

export const MAX_QUERY_LENGTH = 4096;
const MAX_DEPTH = 10;
const MAX_TERMS = 50;
const SUFFIX_MIN = 3;
const BARE_FIELDS: readonly UserSearchField[] = ['email', 'name', 'nickname', 'given_name', 'family_name', 'username', 'user_id'];
const RANGE_FIELDS = Object.entries(USER_SEARCH_FIELDS).filter(([, kind]) => kind === 'integer' || kind === 'date').map(([f]) => f);

/** A bad `q` or `sort`; `message` is the whole 400 text, `detail` the sentence inside it. */
export class UserQueryError extends Error {
  override name = 'UserQueryError';
  readonly detail: string;
  constructor(detail: string, property: 'q' | 'sort' = 'q') {
    super(`Query validation error: '${detail}' on property ${property}.`);
    this.detail = detail;
  }
}

const fail = (detail: string): UserQueryError => new UserQueryError(detail);
const shown = (text: string): string => JSON.stringify(text.slice(0, 40));

type Target = { kind: 'user'; field: UserSearchField } | { kind: 'metadata'; field: string; root: string };

function target(field: string, forExists: boolean): Target {
  if (field in USER_SEARCH_FIELDS) return { kind: 'user', field: field as UserSearchField };
  const [root, ...keys] = field.split('.');
  if (root === 'user_metadata' || root === 'app_metadata') {
    if (keys.length === 0 && !forExists) throw fail(`${root} needs a path, as in ${root}.plan:"gold"`);
    if (keys.some((k) => !METADATA_KEY.test(k))) throw fail(`${shown(field)} is not a metadata path (no empty, all-digit or quoted keys)`);
    return { kind: 'metadata', field, root };
  }
  throw fail(`unsupported field ${shown(field)}`);
}

interface Value {
  text: string;
  /** `*abc` (suffix match) or `abc*` (prefix match). */
  wildcard: 'leading' | 'trailing' | undefined;
}

/** `"quoted"` (literal) or a bare value with `\` escapes and at most one `*` at either end. */
function value(raw: string): Value {
  if (raw.startsWith('"')) {
    let text = '';
    let i = 1;
    for (; i < raw.length && raw[i] !== '"'; i++) text += raw[i] === '\\' ? (raw[++i] ?? '') : raw[i];
    if (i !== raw.length - 1) throw fail(`${shown(raw)}: a quoted value must be the whole value`);
    return { text, wildcard: undefined };
  }
  const chars = [...raw];
  let text = '';
  let wildcard: Value['wildcard'];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\') {
      text += chars[++i] ?? '';
    } else if (c === '*') {
      if (wildcard !== undefined || (i !== 0 && i !== chars.length - 1)) throw fail(`${shown(raw)}: a wildcard may only start or end a value, once`);
      wildcard = i === 0 ? 'leading' : 'trailing';
    } else if (c === '?') {
      throw fail(`${shown(raw)}: the ? wildcard is not supported`);
    } else if (c === '"') {
      throw fail(`${shown(raw)}: quotes must enclose the whole value`);
    } else {
      text += c;
    }
  }
  if (wildcard === 'leading' && [...text].length < SUFFIX_MIN) throw fail(`${shown(raw)}: a leading wildcard needs at least ${SUFFIX_MIN} characters after it`);
  return { text, wildcard };
}

const textOp = (v: Value): 'eq' | 'prefix' | 'suffix' => (v.wildcard === 'leading' ? 'suffix' : v.wildcard === 'trailing' ? 'prefix' : 'eq');

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:\d{2})?$/;

/** An ISO instant; a date alone is a whole UTC day: its first millisecond, or its last when `upper`. */
function instant(text: string, upper: boolean): string {
  if (DAY.test(text)) {
    const start = new Date(`${text}T00:00:00.000Z`);
    if (Number.isNaN(start.getTime()) || start.toISOString().slice(0, 10) !== text) throw fail(`${shown(text)} is not a date`);
    return upper ? `${text}T23:59:59.999Z` : start.toISOString();
  }
  const m = INSTANT.exec(text);
  const d = m ? new Date(`${m[1]}${m[2] ?? 'Z'}`) : undefined;
  if (!d || Number.isNaN(d.getTime()) || d.getUTCFullYear() > 9999) throw fail(`${shown(text)} is not a date`);
  return d.toISOString();
}

function integer(field: string, text: string): number {
  const n = /^-?\d{1,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) throw fail(`${field} takes an integer, not ${shown(text)}`);
  return n;
}

/** field:[a TO b], {a TO b}, mixed, `*` for an open end; on logins_count and dates only. */
function range(t: Target, raw: string): UserCondition {
  if (t.kind === 'metadata') throw fail(`range searches are not available on ${t.root} fields`);
  const kind = USER_SEARCH_FIELDS[t.field];
  if (kind !== 'integer' && kind !== 'date') throw fail(`range searches are only available on ${RANGE_FIELDS.join(', ')}`);
  const m = /^([[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])$/.exec(raw);
  if (!m) throw fail(`${shown(raw)} is not a range like [a TO b]`);
  const [, open, from = '*', to = '*', close] = m;
  const bound = (text: string, upper: boolean): string | number => {
    const v = value(text);
    if (v.wildcard) throw fail(`${shown(raw)}: a range bound is a value or *`);
    return kind === 'integer' ? integer(t.field, v.text) : instant(v.text, upper);
  };
  const parts: UserCondition[] = [];
  if (from !== '*') parts.push({ field: t.field, op: open === '[' ? 'gte' : 'gt', value: bound(from, open === '{') });
  if (to !== '*') parts.push({ field: t.field, op: close === ']' ? 'lte' : 'lt', value: bound(to, close === ']') });
  return parts.length === 0 ? { exists: t.field } : parts.length === 1 ? parts[0]! : { and: parts };
}

function fieldTerm(t: Target, raw: string): UserCondition {
  if (raw === '') throw fail(`no value for ${t.field}`);
  if (raw === '*') {
    if (t.kind === 'metadata') throw fail(`wildcard searches are not available on ${t.root} fields; use _exists_:${t.field.slice(0, 40)}`);
    return { exists: t.field };
  }
  if (raw.startsWith('[') || raw.startsWith('{')) return range(t, raw);
  const v = value(raw);
  if (t.kind === 'metadata') {
    if (v.wildcard) throw fail(`wildcard searches are not available on ${t.root} fields`);
    return { field: t.field, op: 'eq', value: v.text };
  }
  const kind = USER_SEARCH_FIELDS[t.field];
  if (v.wildcard && kind !== 'text' && kind !== 'folded') throw fail(`wildcard searches are not available on ${t.field}`);
  switch (kind) {
    case 'text':
    case 'folded':
      return { field: t.field, op: textOp(v), value: v.text };
    case 'boolean':
      if (v.text !== 'true' && v.text !== 'false') throw fail(`${t.field} is true or false, not ${shown(v.text)}`);
      return { field: t.field, op: 'eq', value: v.text === 'true' };
    case 'integer':
      return { field: t.field, op: 'eq', value: integer(t.field, v.text) };
    case 'date':
      // A date alone is that whole day, as in a range.
      if (DAY.test(v.text)) return { and: [{ field: t.field, op: 'gte', value: instant(v.text, false) }, { field: t.field, op: 'lte', value: instant(v.text, true) }] };
      return { field: t.field, op: 'eq', value: instant(v.text, false) };
  }
}

/** The index of the `:` ending the field name, or -1 for a term without a field. */
function fieldEnd(word: string): number {
  for (let i = 0; i < word.length; i++) {
    const c = word[i];
    if (c === ':') return i;
    if (c === '"' || c === '\\' || c === '[' || c === '{') return -1;
  }
  return -1;
}

function term(word: string): UserCondition {
  const colon = fieldEnd(word);
  if (colon < 0) {
    if (word === '*') return { and: [] };
    const v = value(word);
    return { or: BARE_FIELDS.map((field) => ({ field, op: textOp(v), value: v.text })) };
  }
  const field = word.slice(0, colon);
  const raw = word.slice(colon + 1);
  if (field === '') throw fail(`${shown(word)} has no field name`);
  if (field === '_exists_') {
    const v = value(raw);
    if (raw === '' || v.wildcard) throw fail('_exists_ takes a field name');
    return { exists: target(v.text, true).field };
  }
  return fieldTerm(target(field, false), raw);
}

/** C0 controls other than tab, line feed and carriage return (whitespace here), and DEL. */
function hasControlCharacter(q: string): boolean {
  for (let i = 0; i < q.length; i++) {
    const c = q.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return true;
  }
  return false;
}

/** Parses `q` (an empty query matches every user); throws UserQueryError with the 400 text. */
export function parseUserQuery(q: string): UserCondition {
  if (q.length > MAX_QUERY_LENGTH) throw fail(`the query is longer than ${MAX_QUERY_LENGTH} characters`);
  if (!q.isWellFormed()) throw fail('the query is not well-formed Unicode');
  // Control characters (NUL above all: PostgreSQL text cannot hold it) are refused, not searched.
  if (hasControlCharacter(q)) throw fail('the query contains a control character');
  const tokens = tokenize(q, { escapes: true, fail });
  const parsed = parseBoolean<UserCondition>(tokens, {
    term,
    and: (parts) => ({ and: parts }),
    or: (parts) => ({ or: parts }),
    not: (inner) => ({ not: inner }),
    maxDepth: MAX_DEPTH,
    maxTerms: MAX_TERMS,
    fail,
  });
  return parsed ?? { and: [] };
}

/** `field:1` (ascending) or `field:-1` (descending), on the fields USER_SORT_FIELDS lists. */
export function parseUserSort(sort: string): UserSort {
  const m = /^([^:]*):(1|-1)$/.exec(sort);
  if (!m) throw new UserQueryError(`${shown(sort)} is not field:1 or field:-1`, 'sort');
  const field = m[1]!;
  if (!(USER_SORT_FIELDS as readonly string[]).includes(field)) throw new UserQueryError(`cannot sort by ${shown(field)} (use ${USER_SORT_FIELDS.join(', ')})`, 'sort');
  return { field: field as UserSortField, descending: m[2] === '-1' };
}
