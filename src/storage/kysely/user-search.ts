// Compiles a UserCondition (GET /api/v2/users?q=, spec §3.5.4) and a UserSort to SQL for SQLite
// and PostgreSQL. Columns and JSON functions come from fixed lists here; every value, LIKE pattern
// and JSON path is a bound parameter. Both dialects must return the same users for any condition:
// text compares by code point (`collate "C"` on PostgreSQL), case folding is done in JS, LIKE
// metacharacters are escaped, and SQLite's ASCII-case-insensitive LIKE is pinned by an exact check.
// No stored row can make a search fail (T-OUT-02): JSON columns are read through a guard — a
// document that is not JSON, or nests deeper than the engine parses (SQLite: 1,000 levels), matches
// no JSON condition (so `NOT` finds it) instead of raising an error for the whole query.
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { METADATA_KEY, USER_SEARCH_FIELDS, type UserCondition, type UserFieldKind, type UserSearchField, type UserSort } from '../ports/users.ts';

export type SearchDialect = 'sqlite' | 'postgres';
type Leaf = Extract<UserCondition, { field: string }>;
type Bool = RawBuilder<SqlBool>;

/** Auth0's normalized fields compare case-insensitively: NFC, then Unicode lower case (JS, not the database). */
export const fold = (value: string): string => value.normalize('NFC').toLowerCase();

/** The column each searchable user field reads (folded fields read their `*_lower` column). */
const COLUMNS: Record<Exclude<UserSearchField, `identities.${string}`>, string> = {
  user_id: 'user_id',
  email: 'email_lower',
  'email.domain': 'email_domain',
  email_verified: 'email_verified',
  username: 'username',
  phone_number: 'phone_number',
  phone_verified: 'phone_verified',
  name: 'name_lower',
  nickname: 'nickname_lower',
  given_name: 'given_name_lower',
  family_name: 'family_name_lower',
  blocked: 'blocked',
  logins_count: 'logins_count',
  created_at: 'created_at',
  updated_at: 'updated_at',
  last_login: 'last_login',
  last_ip: 'last_ip',
  connection: 'connection',
};

/**
 * A JSON column on PostgreSQL as jsonb, or null when it does not parse (migration 0006). On
 * SQLite, JSON functions run only inside `whenValid`.
 */
const pgJson = (column: RawBuilder<unknown>): RawBuilder<unknown> => sql`scopeward_jsonb(${column})`;

/** `expr` where `column` is JSON SQLite can parse, else NULL (CASE evaluates its branch only then). */
const whenValid = (column: RawBuilder<unknown>, expr: Bool): Bool => sql<SqlBool>`(case when json_valid(${column}) then ${expr} end)`;

/** The primary identity's provider: every stored user is a database user (`auth0|…`). */
const PRIMARY_PROVIDER = 'auth0';
const PRIMARY_PREFIX = `${PRIMARY_PROVIDER}|`;

const TRUE: Bool = sql<SqlBool>`1 = 1`;
const FALSE: Bool = sql<SqlBool>`1 = 0`;

const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);
const codePoints = (value: string): number => [...value].length;

function invalid(message: string): Error {
  return new TypeError(`user search: ${message}`);
}

/** `<expr> = v`, or a LIKE for prefix/suffix; `exactCase` adds the check SQLite's LIKE needs to be case-sensitive. */
function textMatch(expr: RawBuilder<unknown>, op: Leaf['op'], value: string, dialect: SearchDialect, exactCase: boolean): Bool {
  if (op === 'eq') return sql<SqlBool>`${expr} = ${value}`;
  if (op !== 'prefix' && op !== 'suffix') throw invalid(`${op} does not apply to text`);
  const pattern = op === 'prefix' ? `${escapeLike(value)}%` : `%${escapeLike(value)}`;
  const like = sql<SqlBool>`${expr} like ${pattern} escape '\\'`;
  if (dialect === 'postgres' || !exactCase) return like;
  const n = codePoints(value);
  const exact = op === 'prefix' ? sql<SqlBool>`substr(${expr}, 1, ${n}) = ${value}` : sql<SqlBool>`substr(${expr}, ${-n}) = ${value}`;
  return sql<SqlBool>`(${like} and ${exact})`;
}

function matchesInJs(actual: string, op: Leaf['op'], value: string): boolean {
  if (op === 'eq') return actual === value;
  if (op === 'prefix') return actual.startsWith(value);
  if (op === 'suffix') return actual.endsWith(value);
  throw invalid(`${op} does not apply to text`);
}

const COMPARE = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/**
 * The smallest string greater than every string that starts with `prefix` (its last code point
 * plus one, past the surrogate range), or undefined when there is none to give.
 */
function prefixEnd(prefix: string): string | undefined {
  const points = [...prefix];
  const last = points.pop()?.codePointAt(0);
  if (last === undefined || last >= 0x10ffff) return undefined;
  return points.join('') + String.fromCodePoint(last + 1 === 0xd800 ? 0xe000 : last + 1);
}

/**
 * PostgreSQL: a prefix as a code-point range on the column, ANDed to the LIKE (which stays the
 * definition): every string starting with the prefix lies in [prefix, prefixEnd), so the range
 * only lets an index find the candidates. LIKE 'jo%' alone uses no index under a database
 * collation other than C; the range reads the `collate "C"` indexes of migration 0007.
 */
function prefixRange(col: RawBuilder<unknown>, value: string): Bool {
  const end = prefixEnd(value);
  if (value === '' || end === undefined) return TRUE;
  return sql<SqlBool>`(${col} collate "C" >= ${value} and ${col} collate "C" < ${end})`;
}

function columnLeaf(field: keyof typeof COLUMNS, kind: UserFieldKind, c: Leaf, dialect: SearchDialect): Bool {
  const col = sql.ref(`users.${COLUMNS[field]}`);
  switch (kind) {
    case 'text':
    case 'folded': {
      if (typeof c.value !== 'string') throw invalid(`${field} takes a string`);
      const value = kind === 'folded' ? fold(c.value) : c.value;
      const match = textMatch(col, c.op, value, dialect, kind === 'text');
      // SQLite keeps the bare LIKE: without histograms its planner takes any range for selective
      // and sorts every match of a common prefix, where walking the order index stops at the page.
      return c.op === 'prefix' && dialect === 'postgres' ? sql<SqlBool>`(${prefixRange(col, value)} and ${match})` : match;
    }
    case 'boolean': {
      if (typeof c.value !== 'boolean' || c.op !== 'eq') throw invalid(`${field} takes eq with a boolean`);
      return sql<SqlBool>`${col} = ${c.value ? 1 : 0}`;
    }
    case 'integer':
    case 'date': {
      if (kind === 'integer' ? !Number.isSafeInteger(c.value) : typeof c.value !== 'string') throw invalid(`${field} takes ${kind === 'integer' ? 'an integer' : 'an ISO date string'}`);
      const operator = c.op === 'eq' ? '=' : (COMPARE as Record<string, string>)[c.op];
      if (operator === undefined) throw invalid(`${c.op} does not apply to ${field}`);
      const left = kind === 'date' && dialect === 'postgres' ? sql`${col} collate "C"` : col;
      return sql<SqlBool>`${left} ${sql.raw(operator)} ${c.value}`;
    }
  }
}

/** `identities.connection|provider|user_id`: the primary identity, or any linked one (JSON array). */
function identityLeaf(key: 'connection' | 'provider' | 'user_id', c: Leaf, dialect: SearchDialect): Bool {
  if (typeof c.value !== 'string') throw invalid(`identities.${key} takes a string`);
  const value = c.value;
  let primary: Bool;
  if (key === 'provider') {
    primary = matchesInJs(PRIMARY_PROVIDER, c.op, value) ? TRUE : FALSE;
  } else if (key === 'connection') {
    primary = textMatch(sql.ref('users.connection'), c.op, value, dialect, true);
  } else {
    const col = sql.ref('users.user_id');
    if (c.op === 'eq') primary = sql<SqlBool>`${col} = ${PRIMARY_PREFIX + value}`;
    else if (c.op === 'prefix') primary = textMatch(col, 'prefix', PRIMARY_PREFIX + value, dialect, true);
    else if (c.op === 'suffix') primary = sql<SqlBool>`(${textMatch(col, 'prefix', PRIMARY_PREFIX, dialect, true)} and ${textMatch(sql`substr(${col}, ${sql.lit(PRIMARY_PREFIX.length + 1)})`, 'suffix', value, dialect, true)})`;
    else throw invalid(`${c.op} does not apply to identities.user_id`);
  }
  const column = sql.ref('users.linked_identities');
  let linked: Bool;
  if (dialect === 'postgres') {
    const list = sql`(case when jsonb_typeof(${pgJson(column)}) = 'array' then ${pgJson(column)} else '[]'::jsonb end)`;
    linked = sql<SqlBool>`exists (select 1 from jsonb_array_elements(${list}) as li(value) where ${textMatch(sql`(li.value ->> ${key}::text)`, c.op, value, dialect, true)})`;
  } else {
    // An element that is not an object has no fields (json_extract would fail on a bare string).
    const field = sql`(case when li.type = 'object' then cast(json_extract(li.value, ${`$.${key}`}) as text) end)`;
    linked = whenValid(column, sql<SqlBool>`exists (select 1 from json_each(${column}) as li where ${textMatch(field, c.op, value, dialect, true)})`);
  }
  return sql<SqlBool>`(${primary} or ${linked})`;
}

interface MetadataPath {
  column: RawBuilder<unknown>;
  segments: string[];
}

function metadataPath(field: string): MetadataPath | undefined {
  const [root, ...segments] = field.split('.');
  if (root !== 'user_metadata' && root !== 'app_metadata') return undefined;
  for (const s of segments) if (!METADATA_KEY.test(s)) throw invalid(`bad metadata key in ${JSON.stringify(field)}`);
  return { column: sql.ref(`users.${root}`), segments };
}

/** SQLite JSON path with every key quoted (METADATA_KEY keeps quotes out of keys). */
const sqlitePath = (segments: string[]): string => `$${segments.map((s) => `."${s}"`).join('')}`;

/** JSON literals a metadata `eq` value matches: the string, and the number or boolean it reads as. */
function metadataCandidates(value: string): { text: string; number: number | undefined; bool: boolean | undefined } {
  const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value) && Number.isFinite(Number(value)) ? Number(value) : undefined;
  const bool = value === 'true' ? true : value === 'false' ? false : undefined;
  return { text: value, number, bool };
}

/**
 * PostgreSQL: documents that can match `path = one of literals`, as containment of the whole
 * document, which the GIN index of migration 0007 on scopeward_jsonb(column) answers. A value at
 * the path matches a literal when it is that literal or an array holding it; the path reaches it
 * through objects only (`#>` would index an array by a numeric segment, which METADATA_KEY
 * refuses, and is not tried here), so such a document contains {path: literal} or
 * {path: [literal]}. The filter never drops a match; the exact condition still decides.
 */
function containmentFilter(path: MetadataPath, literals: unknown[]): Bool {
  if (path.segments.some((s) => /^\s*[+-]?\d+\s*$/.test(s))) return TRUE;
  const nest = (leaf: unknown): string => JSON.stringify(path.segments.reduceRight<unknown>((inner, key) => ({ [key]: inner }), leaf));
  const documents = literals.flatMap((l) => [nest(l), nest([l])]);
  return sql<SqlBool>`(${sql.join(
    documents.map((d) => sql<SqlBool>`${pgJson(path.column)} @> ${d}::jsonb`),
    sql` or `,
  )})`;
}

function metadataEq(path: MetadataPath, raw: string | number | boolean, dialect: SearchDialect): Bool {
  const { text, number, bool } = metadataCandidates(String(raw));
  if (dialect === 'postgres') {
    const at = sql`(${pgJson(path.column)} #> ${path.segments}::text[])`;
    const parts = [sql<SqlBool>`${at} @> ${JSON.stringify(text)}::jsonb`];
    const literals: unknown[] = [text];
    if (number !== undefined) {
      parts.push(sql<SqlBool>`${at} @> ${JSON.stringify(number)}::jsonb`);
      literals.push(number);
    }
    if (bool !== undefined) {
      parts.push(sql<SqlBool>`${at} @> ${String(bool)}::jsonb`);
      literals.push(bool);
    }
    return sql<SqlBool>`(${containmentFilter(path, literals)} and (${sql.join(parts, sql` or `)}))`;
  }
  // json_each over a scalar yields that scalar; over an array, its elements; an object is excluded.
  const p = sqlitePath(path.segments);
  const parts = [sql<SqlBool>`(mv.type = 'text' and mv.value = ${text})`];
  if (number !== undefined) parts.push(sql<SqlBool>`(mv.type in ('integer', 'real') and mv.value = ${number})`);
  if (bool !== undefined) parts.push(sql<SqlBool>`mv.type = ${bool ? 'true' : 'false'}`);
  return whenValid(path.column, sql<SqlBool>`exists (select 1 from json_each(${path.column}, ${p}) as mv where json_type(${path.column}, ${p}) <> 'object' and (${sql.join(parts, sql` or `)}))`);
}

/** Auth0 indexes no null, empty array or empty object: such a value does not exist for `_exists_`. */
function metadataExists(path: MetadataPath, dialect: SearchDialect): Bool {
  if (dialect === 'postgres') {
    const at = sql`(${pgJson(path.column)} #> ${path.segments}::text[])`;
    return sql<SqlBool>`(jsonb_typeof(${at}) in ('string', 'number', 'boolean') or (jsonb_typeof(${at}) in ('array', 'object') and ${at} not in ('[]'::jsonb, '{}'::jsonb)))`;
  }
  const p = sqlitePath(path.segments);
  const type = sql`json_type(${path.column}, ${p})`;
  return whenValid(path.column, sql<SqlBool>`(${type} in ('text', 'integer', 'real', 'true', 'false') or (${type} in ('array', 'object') and json_extract(${path.column}, ${p}) not in ('[]', '{}')))`);
}

function exists(field: string, dialect: SearchDialect): Bool {
  const meta = metadataPath(field);
  if (meta) return metadataExists(meta, dialect);
  if (field.startsWith('identities.') && field in USER_SEARCH_FIELDS) return TRUE; // the primary identity has all three
  if (field in COLUMNS) return sql<SqlBool>`${sql.ref(`users.${COLUMNS[field as keyof typeof COLUMNS]}`)} is not null`;
  throw invalid(`unknown field ${JSON.stringify(field)}`);
}

function leaf(c: Leaf, dialect: SearchDialect): Bool {
  const meta = metadataPath(c.field);
  if (meta) {
    if (c.op !== 'eq' || meta.segments.length === 0) throw invalid(`only eq on a metadata path, got ${c.op} on ${JSON.stringify(c.field)}`);
    return metadataEq(meta, c.value, dialect);
  }
  if (!(c.field in USER_SEARCH_FIELDS)) throw invalid(`unknown field ${JSON.stringify(c.field)}`);
  const field = c.field as UserSearchField;
  if (field === 'identities.connection' || field === 'identities.provider' || field === 'identities.user_id') {
    return identityLeaf(field.slice('identities.'.length) as 'connection' | 'provider' | 'user_id', c, dialect);
  }
  return columnLeaf(field, USER_SEARCH_FIELDS[field], c, dialect);
}

/**
 * The condition as one boolean SQL expression. A comparison with a missing value is NULL, which
 * a WHERE treats as false; under NOT it is made false first, so `NOT name:x` matches users
 * without a name, as a search index would.
 */
export function compileUserCondition(c: UserCondition, dialect: SearchDialect): Expression<SqlBool> {
  return compile(c, dialect);
}

function compile(c: UserCondition, dialect: SearchDialect): Bool {
  if ('and' in c) return c.and.length === 0 ? TRUE : sql<SqlBool>`(${sql.join(c.and.map((x) => compile(x, dialect)), sql` and `)})`;
  if ('or' in c) return c.or.length === 0 ? FALSE : sql<SqlBool>`(${sql.join(c.or.map((x) => compile(x, dialect)), sql` or `)})`;
  if ('not' in c) return sql<SqlBool>`not coalesce(${compile(c.not, dialect)}, false)`;
  if ('exists' in c) return exists(c.exists, dialect);
  return leaf(c, dialect);
}

/** ORDER BY terms: the sort field (missing values last, code point order for text), then user_id. */
export function compileUserSort(sort: UserSort | undefined, dialect: SearchDialect): RawBuilder<unknown>[] {
  const userId = dialect === 'postgres' ? sql`users.user_id collate "C" asc` : sql`users.user_id asc`;
  if (!sort) return [sql`users.created_at${sql.raw(dialect === 'postgres' ? ' collate "C"' : '')} asc`, userId];
  if (!(sort.field in USER_SEARCH_FIELDS) || sort.field.includes('.')) throw invalid(`cannot sort by ${JSON.stringify(sort.field)}`);
  const kind = USER_SEARCH_FIELDS[sort.field];
  // Sort by what the user sees (email, not its folded copy).
  const column = sort.field;
  const collate = dialect === 'postgres' && (kind === 'text' || kind === 'folded' || kind === 'date') ? ' collate "C"' : '';
  return [sql`${sql.ref(`users.${column}`)}${sql.raw(collate)} ${sql.raw(sort.descending ? 'desc' : 'asc')} nulls last`, userId];
}
