// management/user-query.ts: the Lucene subset of GET /api/v2/users?q= (spec §3.5.4; Auth0 "User
// search query syntax", v3) parsed to the storage condition tree, and `sort`. Accepted queries
// give exact trees; refused ones throw UserQueryError whose message is the whole 400 text.
import { describe, expect, it } from 'vitest';
import { parseUserQuery, parseUserSort, UserQueryError } from '../../src/management/user-query.ts';
import type { UserCondition } from '../../src/storage/ports.ts';

const BARE = ['email', 'name', 'nickname', 'given_name', 'family_name', 'username', 'user_id'];
const bare = (op: 'eq' | 'prefix' | 'suffix', value: string): UserCondition => ({ or: BARE.map((field) => ({ field, op, value })) });
const day = (field: string, date: string): UserCondition => ({
  and: [
    { field, op: 'gte', value: `${date}T00:00:00.000Z` },
    { field, op: 'lte', value: `${date}T23:59:59.999Z` },
  ],
});

/** The error parseUserQuery throws for `q` (fails the test when it throws none). */
function refusal(parse: () => unknown): UserQueryError {
  try {
    parse();
  } catch (error) {
    if (error instanceof UserQueryError) return error;
    throw error;
  }
  throw new Error('no UserQueryError');
}

describe('parseUserQuery accepts Auth0 v3 syntax (spec §3.5.4)', () => {
  it.each<[string, UserCondition]>([
    ['name:jane', { field: 'name', op: 'eq', value: 'jane' }],
    ['name:"jane smith"', { field: 'name', op: 'eq', value: 'jane smith' }],
    ['email:"Jane@Example.com"', { field: 'email', op: 'eq', value: 'Jane@Example.com' }],
    ['email.domain:"example.com"', { field: 'email.domain', op: 'eq', value: 'example.com' }],
    ['user_id:"auth0|0123456789abcdef01234567"', { field: 'user_id', op: 'eq', value: 'auth0|0123456789abcdef01234567' }],
    ['username:test-user998', { field: 'username', op: 'eq', value: 'test-user998' }],
    ['identities.connection:"google-oauth2"', { field: 'identities.connection', op: 'eq', value: 'google-oauth2' }],
    ['identities.provider:auth0', { field: 'identities.provider', op: 'eq', value: 'auth0' }],
    ['user_metadata.plan:"gold"', { field: 'user_metadata.plan', op: 'eq', value: 'gold' }],
    ['app_metadata.subscription.plan:"gold"', { field: 'app_metadata.subscription.plan', op: 'eq', value: 'gold' }],
    ['user_metadata.prefs.size:13', { field: 'user_metadata.prefs.size', op: 'eq', value: '13' }],
    ['_exists_:email', { exists: 'email' }],
    ['_exists_:user_metadata.fav_color', { exists: 'user_metadata.fav_color' }],
    ['_exists_:app_metadata', { exists: 'app_metadata' }],
    ['logins_count:*', { exists: 'logins_count' }],
    ['name:john*', { field: 'name', op: 'prefix', value: 'john' }],
    ['name:j*', { field: 'name', op: 'prefix', value: 'j' }],
    ['name:*usa', { field: 'name', op: 'suffix', value: 'usa' }],
    ['email.domain:*.org', { field: 'email.domain', op: 'suffix', value: '.org' }],
    ['last_ip:10.0.*', { field: 'last_ip', op: 'prefix', value: '10.0.' }],
    ['email_verified:true', { field: 'email_verified', op: 'eq', value: true }],
    ['blocked:false', { field: 'blocked', op: 'eq', value: false }],
    ['phone_verified:"true"', { field: 'phone_verified', op: 'eq', value: true }],
    ['logins_count:3', { field: 'logins_count', op: 'eq', value: 3 }],
    ['logins_count:[100 TO 200]', { and: [{ field: 'logins_count', op: 'gte', value: 100 }, { field: 'logins_count', op: 'lte', value: 200 }] }],
    ['logins_count:{100 TO 200}', { and: [{ field: 'logins_count', op: 'gt', value: 100 }, { field: 'logins_count', op: 'lt', value: 200 }] }],
    ['logins_count:[100 TO 200}', { and: [{ field: 'logins_count', op: 'gte', value: 100 }, { field: 'logins_count', op: 'lt', value: 200 }] }],
    ['logins_count:[* TO 5]', { field: 'logins_count', op: 'lte', value: 5 }],
    ['logins_count:{5 TO *]', { field: 'logins_count', op: 'gt', value: 5 }],
    ['logins_count:[* TO *]', { exists: 'logins_count' }],
    ['created_at:[2026-01-01 TO 2026-01-31]', { and: [{ field: 'created_at', op: 'gte', value: '2026-01-01T00:00:00.000Z' }, { field: 'created_at', op: 'lte', value: '2026-01-31T23:59:59.999Z' }] }],
    ['created_at:{2026-01-01 TO 2026-01-31}', { and: [{ field: 'created_at', op: 'gt', value: '2026-01-01T23:59:59.999Z' }, { field: 'created_at', op: 'lt', value: '2026-01-31T00:00:00.000Z' }] }],
    ['updated_at:[2026-01-01T10:00:00Z TO *]', { field: 'updated_at', op: 'gte', value: '2026-01-01T10:00:00.000Z' }],
    ['last_login:{* TO "2026-01-01T12:00:00+02:00"}', { field: 'last_login', op: 'lt', value: '2026-01-01T10:00:00.000Z' }],
    ['last_login:2026-03-07', day('last_login', '2026-03-07')],
    ['created_at:"2026-03-07T08:09:10.123Z"', { field: 'created_at', op: 'eq', value: '2026-03-07T08:09:10.123Z' }],
    ['created_at:2026-03-07T08:09', { field: 'created_at', op: 'eq', value: '2026-03-07T08:09:00.000Z' }],
    ['name:a\\*b', { field: 'name', op: 'eq', value: 'a*b' }],
    ['name:"a \\"b\\" \\\\c"', { field: 'name', op: 'eq', value: 'a "b" \\c' }],
    ['name:"john*"', { field: 'name', op: 'eq', value: 'john*' }],
    ['name:a\\ b', { field: 'name', op: 'eq', value: 'a b' }],
    ['user_id:auth0\\|x', { field: 'user_id', op: 'eq', value: 'auth0|x' }],
    ['name:""', { field: 'name', op: 'eq', value: '' }],
  ])('%s', (q, expected) => {
    expect(parseUserQuery(q)).toStrictEqual(expected);
  });

  it('AND, OR, NOT (upper case), implicit AND and parentheses keep Lucene precedence', () => {
    const a: UserCondition = { field: 'name', op: 'eq', value: 'a' };
    const b: UserCondition = { field: 'name', op: 'eq', value: 'b' };
    const c: UserCondition = { field: 'blocked', op: 'eq', value: true };
    expect(parseUserQuery('name:a AND name:b')).toStrictEqual({ and: [a, b] });
    expect(parseUserQuery('name:a name:b')).toStrictEqual({ and: [a, b] });
    expect(parseUserQuery('name:a OR name:b AND blocked:true')).toStrictEqual({ or: [a, { and: [b, c] }] });
    expect(parseUserQuery('(name:a OR name:b) blocked:true')).toStrictEqual({ and: [{ or: [a, b] }, c] });
    expect(parseUserQuery('NOT name:a')).toStrictEqual({ not: a });
    expect(parseUserQuery('NOT (name:a OR NOT name:b)')).toStrictEqual({ not: { or: [a, { not: b }] } });
  });

  it('T-MG-12: lower-case and/or are terms (searched in the default fields), not operators', () => {
    const a: UserCondition = { field: 'name', op: 'eq', value: 'a' };
    const b: UserCondition = { field: 'name', op: 'eq', value: 'b' };
    expect(parseUserQuery('name:a or name:b')).toStrictEqual({ and: [a, bare('eq', 'or'), b] });
    expect(parseUserQuery('name:a and name:b')).toStrictEqual({ and: [a, bare('eq', 'and'), b] });
    expect(parseUserQuery('not name:a')).toStrictEqual({ and: [bare('eq', 'not'), a] });
  });

  it('a term without a field searches email, name, nickname, given_name, family_name, username and user_id', () => {
    expect(parseUserQuery('jane')).toStrictEqual(bare('eq', 'jane'));
    expect(parseUserQuery('"Jane Smith"')).toStrictEqual(bare('eq', 'Jane Smith'));
    expect(parseUserQuery('jan*')).toStrictEqual(bare('prefix', 'jan'));
    expect(parseUserQuery('*smith')).toStrictEqual(bare('suffix', 'smith'));
    expect(parseUserQuery('--')).toStrictEqual(bare('eq', '--'));
  });

  it('an empty query, blank, or a lone * matches every user', () => {
    for (const q of ['', '   ', '*', '(*)']) expect(parseUserQuery(q)).toStrictEqual({ and: [] });
  });

  it('bounds: 4096 characters, 10 levels of nesting, 50 terms are accepted', () => {
    expect(parseUserQuery(`name:${'a'.repeat(4091)}`)).toStrictEqual({ field: 'name', op: 'eq', value: 'a'.repeat(4091) });
    expect(parseUserQuery(`${'('.repeat(10)}name:a${')'.repeat(10)}`)).toStrictEqual({ field: 'name', op: 'eq', value: 'a' });
    expect(parseUserQuery(`${'NOT '.repeat(10)}name:a`)).toHaveProperty('not');
    expect((parseUserQuery(Array.from({ length: 50 }, (_, i) => `name:a${i}`).join(' OR ')) as { or: unknown[] }).or).toHaveLength(50);
  });
});

describe('parseUserQuery refuses with the 400 text (invalid_query_string)', () => {
  it.each([
    ['password:x', 'unsupported field "password"'],
    ['password_hash:*', 'unsupported field "password_hash"'],
    ['email_lower:x', 'unsupported field "email_lower"'],
    ['tenant_id:ten_1', 'unsupported field "tenant_id"'],
    ['linked_identities:x', 'unsupported field "linked_identities"'],
    ['Email:x', 'unsupported field "Email"'],
    ['_exists_:password_hash', 'unsupported field "password_hash"'],
    ['_exists_:', '_exists_ takes a field name'],
    [':x', '":x" has no field name'],
    ['name:', 'no value for name'],
    // T-MG-12: no wildcard or range on metadata; suffix matching needs 3 characters.
    ['user_metadata.plan:gold*', 'wildcard searches are not available on user_metadata fields'],
    ['app_metadata.plan:*gold', 'wildcard searches are not available on app_metadata fields'],
    ['user_metadata.plan:*', 'wildcard searches are not available on user_metadata fields; use _exists_:user_metadata.plan'],
    ['user_metadata.n:[1 TO 5]', 'range searches are not available on user_metadata fields'],
    ['app_metadata.d:{* TO 2026-01-01}', 'range searches are not available on app_metadata fields'],
    ['name:*sa', '"*sa": a leading wildcard needs at least 3 characters after it'],
    ['*ab', '"*ab": a leading wildcard needs at least 3 characters after it'],
    ["email:*'", `"*'": a leading wildcard needs at least 3 characters after it`],
    ['name:*abc*', '"*abc*": a wildcard may only start or end a value, once'],
    ['name:a*c', '"a*c": a wildcard may only start or end a value, once'],
    ['name:a?c', '"a?c": the ? wildcard is not supported'],
    ['name:a"b"', '"a\\"b\\"": quotes must enclose the whole value'],
    ['name:"a"b', '"\\"a\\"b": a quoted value must be the whole value'],
    ['logins_count:3*', 'wildcard searches are not available on logins_count'],
    ['name:[a TO c]', 'range searches are only available on logins_count, created_at, updated_at, last_login'],
    ['logins_count:[1 TO]', '"[1 TO]" is not a range like [a TO b]'],
    ['logins_count:[1* TO 5]', '"[1* TO 5]": a range bound is a value or *'],
    ['logins_count:many', 'logins_count takes an integer, not "many"'],
    ['logins_count:1.5', 'logins_count takes an integer, not "1.5"'],
    ['blocked:yes', 'blocked is true or false, not "yes"'],
    ['created_at:yesterday', '"yesterday" is not a date'],
    ['created_at:2026-02-30', '"2026-02-30" is not a date'],
    ['created_at:[2026-01-01 TO 2026-13-01]', '"2026-13-01" is not a date'],
    ['user_metadata:x', 'user_metadata needs a path, as in user_metadata.plan:"gold"'],
    ['user_metadata.0:x', '"user_metadata.0" is not a metadata path (no empty, all-digit or quoted keys)'],
    ['user_metadata..a:x', '"user_metadata..a" is not a metadata path (no empty, all-digit or quoted keys)'],
    ['name:"jane', 'unterminated quoted value'],
    ['"; DROP TABLE users;--', 'unterminated quoted value'],
    ['logins_count:[1 TO 5', 'unterminated range'],
    ['name:a\\', 'the query ends with a lone backslash'],
    ['name:a AND', 'the query ends where a term was expected'],
    ['(name:a', 'a parenthesis is not closed'],
    ['name:a)', 'unexpected )'],
    ['OR name:a', 'unexpected OR'],
    [`${'('.repeat(11)}name:a${')'.repeat(11)}`, 'the query nests too deeply'],
    [`${'NOT '.repeat(11)}name:a`, 'the query nests too deeply'],
    [`${'('.repeat(2000)}name:a${')'.repeat(2000)}`, 'the query nests too deeply'],
    [Array.from({ length: 51 }, (_, i) => `name:a${i}`).join(' '), 'the query has more than 50 terms'],
    ['x'.repeat(4097), 'the query is longer than 4096 characters'],
    ['name:a\u0000b', 'the query contains a control character'],
    ['name:\u001b[31m', 'the query contains a control character'],
    ['name:\ud800', 'the query is not well-formed Unicode'],
  ])('%s', (q, detail) => {
    const error = refusal(() => parseUserQuery(q));
    expect(error.detail).toBe(detail);
    expect(error.message).toBe(`Query validation error: '${detail}' on property q.`);
  });

  it('a quote or backslash before the colon makes a term fieldless: it never becomes a JSON path key', () => {
    expect(refusal(() => parseUserQuery('user_metadata.a"b":x')).detail).toBe('"user_metadata.a\\"b\\":x": quotes must enclose the whole value');
    expect(parseUserQuery('user_metadata.a\\.b:x')).toStrictEqual(bare('eq', 'user_metadata.a.b:x'));
  });
});

describe('parseUserSort', () => {
  it.each([
    ['created_at:1', { field: 'created_at', descending: false }],
    ['created_at:-1', { field: 'created_at', descending: true }],
    ['email:1', { field: 'email', descending: false }],
    ['logins_count:-1', { field: 'logins_count', descending: true }],
    ['last_login:-1', { field: 'last_login', descending: true }],
  ])('%s', (sort, expected) => {
    expect(parseUserSort(sort)).toStrictEqual(expected);
  });

  it.each([
    ['name', '"name" is not field:1 or field:-1'],
    ['name:2', '"name:2" is not field:1 or field:-1'],
    ['name:1 ', '"name:1 " is not field:1 or field:-1'],
    ['password_hash:1', 'cannot sort by "password_hash" (use user_id, email, username, phone_number, name, nickname, given_name, family_name, email_verified, blocked, logins_count, created_at, updated_at, last_login, last_ip)'],
    ['user_metadata.plan:1', 'cannot sort by "user_metadata.plan" (use user_id, email, username, phone_number, name, nickname, given_name, family_name, email_verified, blocked, logins_count, created_at, updated_at, last_login, last_ip)'],
  ])('%s is refused', (sort, detail) => {
    expect(refusal(() => parseUserSort(sort)).message).toBe(`Query validation error: '${detail}' on property sort.`);
  });
});
