// User search (GET /api/v2/users?q=, spec §3.5.4) at the storage level, on SQLite and PostgreSQL:
// the parser (management/user-query.ts) and the store's SQL together. T-MG-11: injection attempts
// give literal results or a clean UserQueryError, never a database error and never another
// tenant's users. T-MG-12: Auth0's search rules. Then the field semantics one by one. (HTTP-level
// checks of the same rules live with the routes; T-MG-13 is user-search-differential.test.ts.)
import { beforeAll, describe, expect, it } from 'vitest';
import { parseUserQuery, parseUserSort, UserQueryError } from '../../src/management/user-query.ts';
import type { TenantRecord, UserRecord } from '../../src/storage/ports.ts';
import { forEachDialect } from '../helpers/dialects.ts';
import { at, seedConnection, seedTenant, seedUser } from '../storage/records.ts';

const DB = 'Username-Password-Authentication';

/** Users whose fields hold SQL and LIKE syntax, case and Unicode variants, arrays and nested metadata. */
const PEOPLE: Array<Partial<UserRecord> & { key: string }> = [
  { key: 'quote', name: "x' OR '1'='1", email: 'quote@x.com', username: 'quote' },
  { key: 'a_b', name: 'a_b', email: 'a_b@x.com', username: 'a_b', nickname: 'or' },
  { key: 'axb', name: 'axb', email: 'axb@x.com', username: 'axb' },
  { key: 'pct', name: '%', email: 'pct@Example.ORG', username: 'Pct' },
  { key: 'pct2', name: '%abc', email: 'pct2@example.org', username: 'pct2' },
  { key: 'bslash', name: 'a\\b', email: 'bslash@x.com', username: 'bslash' },
  { key: 'alice', name: 'Alice Smith', givenName: 'Émile', familyName: 'Zola', email: 'Alice@Example.com', username: 'alice' },
  { key: 'bob', name: 'bob', email: null, username: 'Bob', nickname: null, lastLogin: null, phoneNumber: null },
  { key: 'dollar', name: 'dollar', email: 'dollar@x.com', username: 'dollar', appMetadata: { $: { x: '1' } } },
];

forEachDialect('user search', { per: 'suite' }, (storage) => {
  let a: TenantRecord;
  const id: Record<string, string> = {};

  beforeAll(async () => {
    a = await seedTenant(storage);
    const b = await seedTenant(storage);
    for (const t of [a, b]) await seedConnection(storage, t.id, { name: DB });
    await seedConnection(storage, a.id, { name: 'other-db' });
    for (const [i, { key, ...fields }] of PEOPLE.entries()) {
      id[key] = (await seedUser(storage, a.id, DB, { userId: `auth0|${String(i).padStart(24, '0')}`, linkedIdentities: [], loginsCount: i, createdAt: at(i * 3600), ...fields })).userId;
      // Tenant B holds a twin of every user: a leak would show up in any result.
      await seedUser(storage, b.id, DB, { linkedIdentities: [], ...fields });
    }
  });

  /** The ids a query finds in tenant A (every page), or the UserQueryError it is refused with. */
  async function search(q: string, sort?: string): Promise<string[] | UserQueryError> {
    let where;
    try {
      where = parseUserQuery(q);
    } catch (error) {
      if (error instanceof UserQueryError) return error;
      throw error;
    }
    const { items, total } = await storage.users.list(a.id, where, sort ? parseUserSort(sort) : undefined, { offset: 0, limit: 1000, withTotal: true });
    expect(total).toBe(items.length);
    return items.map((u) => u.userId);
  }
  const keys = async (q: string, sort?: string): Promise<string[]> => {
    const result = await search(q, sort);
    if (result instanceof UserQueryError) throw result;
    const byId = Object.fromEntries(Object.entries(id).map(([k, v]) => [v, k]));
    return result.map((u) => byId[u] ?? `foreign ${u}`);
  };
  const refused = async (q: string): Promise<string> => {
    const result = await search(q);
    if (!(result instanceof UserQueryError)) throw new Error(`${q} was accepted: ${result.join()}`);
    return result.detail;
  };

  describe('T-MG-11: injection attempts are literal or refused, never SQL', () => {
    it.each([
      [`name:"x' OR '1'='1"`, ['quote']],
      [`name:x' OR '1'='1`, []],
      ['"; DROP TABLE users;--"', []],
      ['--', []],
      ['name:%', ['pct']],
      ['name:%*', ['pct', 'pct2']],
      ['name:a_b', ['a_b']],
      ['name:a_*', ['a_b']],
      ['name:*a_b', ['a_b']],
      ['name:a\\\\b', ['bslash']],
      ['name:a\\\\*', ['bslash']],
      ['name:"a\\\\b"', ['bslash']],
      ['user_metadata.a[0]:x', []],
      ["user_metadata.x'y:1", []],
      ['app_metadata.$.x:1', ['dollar']],
      ['*', PEOPLE.map((p) => p.key)],
    ])('%s finds %j in this tenant only', async (q, expected) => {
      expect(await keys(q)).toStrictEqual(expected);
    });

    it.each([
      [`email:*' --`, `"*'": a leading wildcard needs at least 3 characters after it`],
      ['"; DROP TABLE users;--', 'unterminated quoted value'],
      ['name:a\u0000b', 'the query contains a control character'],
      ['\u0000', 'the query contains a control character'],
      [`${'('.repeat(10000)}name:a${')'.repeat(10000)}`, 'the query is longer than 4096 characters'],
      [`${'('.repeat(2000)}name:a${')'.repeat(2000)}`, 'the query nests too deeply'],
      [`name:${'x'.repeat(100 * 1024)}`, 'the query is longer than 4096 characters'],
      ['password_hash:*', 'unsupported field "password_hash"'],
      ['password:x', 'unsupported field "password"'],
      ['email_lower:x', 'unsupported field "email_lower"'],
      ['tenant_id:x', 'unsupported field "tenant_id"'],
      ['linked_identities:x', 'unsupported field "linked_identities"'],
      ['_exists_:password_hash', 'unsupported field "password_hash"'],
      ['user_metadata.0:x', '"user_metadata.0" is not a metadata path (no empty, all-digit or quoted keys)'],
    ])('%s is refused: %s', async (q, detail) => {
      expect(await refused(q)).toBe(detail);
    });

    it('the users table is whole after every attempt', async () => {
      expect(await keys('*', 'created_at:1')).toStrictEqual(PEOPLE.map((p) => p.key));
    });
  });

  describe('T-MG-12: Auth0 search rules', () => {
    it('wildcards and ranges on metadata, and suffix matching under 3 characters, are refused', async () => {
      expect(await refused('user_metadata.theme:dar*')).toBe('wildcard searches are not available on user_metadata fields');
      expect(await refused('app_metadata.plan:*old')).toBe('wildcard searches are not available on app_metadata fields');
      expect(await refused('user_metadata.prefs.size:[1 TO 20]')).toBe('range searches are not available on user_metadata fields');
      expect(await refused('name:*ob')).toBe('"*ob": a leading wildcard needs at least 3 characters after it');
      expect(await keys('name:*bob')).toStrictEqual(['bob']);
    });

    it('lower-case and/or are terms: a user nicknamed "or" matches, and `x or y` is not a disjunction', async () => {
      expect(await keys('name:a_b OR name:axb')).toStrictEqual(['a_b', 'axb']);
      expect(await keys('name:a_b or name:axb')).toStrictEqual([]);
      expect(await keys('name:a_b or')).toStrictEqual(['a_b']);
      expect(await keys('name:a_b and name:a_b')).toStrictEqual([]);
    });

    it('email, name, given_name, family_name and nickname ignore case (and Unicode normalization); other fields do not', async () => {
      expect(await keys('name:"ALICE SMITH"')).toStrictEqual(['alice']);
      expect(await keys('email:alice@example.COM')).toStrictEqual(['alice']);
      expect(await keys('given_name:ÉMILE')).toStrictEqual(['alice']);
      expect(await keys('given_name:E\u0301MILE')).toStrictEqual(['alice']);
      expect(await keys('family_name:ZOLA')).toStrictEqual(['alice']);
      expect(await keys('nickname:OR')).toStrictEqual(['a_b']);
      expect(await keys('name:ALI*')).toStrictEqual(['alice']);
      expect(await keys('username:ALICE')).toStrictEqual([]);
      expect(await keys('username:Bob')).toStrictEqual(['bob']);
      expect(await keys('username:bob')).toStrictEqual([]);
      expect(await keys('username:b*')).toStrictEqual(['bslash']);
      expect(await keys('user_metadata.theme:DARK')).toStrictEqual([]);
    });
  });

  describe('fields', () => {
    it('email.domain is the folded part after the @; a user without email has none', async () => {
      expect(await keys('email.domain:example.org')).toStrictEqual(['pct', 'pct2']);
      expect(await keys('email.domain:"EXAMPLE.COM"')).toStrictEqual(['alice']);
      expect(await keys('email.domain:*.org')).toStrictEqual(['pct', 'pct2']);
      expect(await keys('NOT _exists_:email.domain')).toStrictEqual(['bob']);
    });

    it('NOT matches users without the field, as a search index does', async () => {
      expect(await keys('NOT email:*')).toStrictEqual(['bob']);
      expect(await keys('NOT email:quote@x.com AND NOT name:*abc AND username:*ash')).toStrictEqual(['bslash']);
      expect((await keys('NOT last_login:[* TO *]')).length).toBe(1);
    });

    it('identities: the primary identity (connection, auth0, id without auth0|) or a linked one', async () => {
      const u = id.quote!;
      expect(await keys(`identities.user_id:${u.slice('auth0|'.length)}`)).toStrictEqual(['quote']);
      expect(await keys(`identities.user_id:"${u}"`)).toStrictEqual([]);
      expect(await keys(`identities.connection:"${DB}" AND identities.provider:auth0`)).toHaveLength(PEOPLE.length);
      expect(await keys('identities.provider:google-oauth2')).toStrictEqual([]);
      await storage.users.update(a.id, id.bob!, { linkedIdentities: [{ connection: 'google-oauth2', provider: 'google-oauth2', user_id: '10987', isSocial: true }] });
      expect(await keys('identities.provider:google-oauth2')).toStrictEqual(['bob']);
      expect(await keys('identities.connection:goo*')).toStrictEqual(['bob']);
      expect(await keys('identities.user_id:*987')).toStrictEqual(['bob']);
      expect(await keys('identities.user_id:10987')).toStrictEqual(['bob']);
      expect(await keys('identities.connection:Google-oauth2')).toStrictEqual([]);
      await storage.users.update(a.id, id.bob!, { linkedIdentities: [] });
    });

    it('metadata: exact values, numbers and booleans, array elements, nested paths, _exists_', async () => {
      await storage.users.update(a.id, id.axb!, { userMetadata: { plan: 'gold', size: 13, on: true, tags: ['a', 'b', 7], prefs: { tier: 'x', none: null, list: [] }, blank: {} } });
      await storage.users.update(a.id, id.a_b!, { userMetadata: { plan: 'Gold', size: '13', tags: 'a' } });
      expect(await keys('user_metadata.plan:gold')).toStrictEqual(['axb']);
      expect(await keys('user_metadata.size:13')).toStrictEqual(['a_b', 'axb']);
      expect(await keys('user_metadata.size:13.0')).toStrictEqual(['axb']);
      expect(await keys('user_metadata.on:true')).toStrictEqual(['axb']);
      expect(await keys('user_metadata.tags:a')).toStrictEqual(['a_b', 'axb']);
      expect(await keys('user_metadata.tags:7')).toStrictEqual(['axb']);
      expect(await keys('user_metadata.prefs.tier:x')).toStrictEqual(['axb']);
      expect(await keys('user_metadata.prefs:x')).toStrictEqual([]);
      expect(await keys('_exists_:user_metadata.prefs.tier')).toStrictEqual(['axb']);
      expect(await keys('_exists_:user_metadata.prefs.none OR _exists_:user_metadata.prefs.list OR _exists_:user_metadata.blank')).toStrictEqual([]);
      expect(await keys('_exists_:user_metadata.prefs AND _exists_:user_metadata.tags')).toStrictEqual(['axb']);
      expect(await keys('user_metadata.theme:dark')).toHaveLength(PEOPLE.length - 2);
    });

    it('booleans, logins_count and date ranges (a date alone is the whole UTC day)', async () => {
      expect(await keys('blocked:true')).toHaveLength(PEOPLE.length);
      expect(await keys('email_verified:false')).toStrictEqual([]);
      expect(await keys('logins_count:3')).toStrictEqual(['pct']);
      expect(await keys('logins_count:[2 TO 4}')).toStrictEqual(['axb', 'pct']);
      expect(await keys('logins_count:{6 TO *]')).toStrictEqual(['bob', 'dollar']);
      expect(await keys('created_at:{2026-01-01T01:00:00Z TO 2026-01-01T03:00:00.000Z]')).toStrictEqual(['axb', 'pct']);
      expect(await keys('created_at:2026-01-01')).toHaveLength(PEOPLE.length);
      expect(await keys('created_at:{* TO 2026-01-01}')).toStrictEqual([]);
      expect(await keys('created_at:"2026-01-01T05:00:00.000Z"')).toStrictEqual(['bslash']);
    });

    it('sort with a condition: descending by name, missing values last, every page consistent', async () => {
      expect(await keys('blocked:true', 'name:-1')).toStrictEqual(['quote', 'dollar', 'bob', 'axb', 'a_b', 'bslash', 'alice', 'pct2', 'pct']);
      const where = parseUserQuery('NOT name:bob');
      const pages = [];
      for (let offset = 0; offset < 8; offset += 3) {
        const { items, total } = await storage.users.list(a.id, where, parseUserSort('username:1'), { offset, limit: 3, withTotal: true });
        expect(total).toBe(8);
        pages.push(...items.map((u) => u.username));
      }
      expect(pages).toStrictEqual(['Pct', 'a_b', 'alice', 'axb', 'bslash', 'dollar', 'pct2', 'quote']);
    });
  });
});
