// The dashboard's pure logic (dashboard/src/lib): the Logs filter compiled to the Lucene subset the
// server parses, the live tail's merge, metadata editing under root-level merge, the tenant
// settings form, and the token debugger's reasoning. Where the server has the same rule, the
// test runs the server's code on the dashboard's output, so the two cannot drift apart.
import { describe, expect, it } from 'vitest';
import { buildLogQuery, describeLogType, EMPTY_FILTER, localDayBound, newestLogId, prependNewEvents, type LogEvent } from '../../dashboard/src/lib/log-filter.ts';
import { applyMetadataPatch, metadataPatch, parseJsonObject } from '../../dashboard/src/lib/json-edit.ts';
import { settingsPatch, toForm } from '../../dashboard/src/lib/settings-form.ts';
import { audiences, isDenylisted, LEGACY_SWITCH_WARNING, LEGACY_TOKEN_WARNING, relativeTime, secretKey, timeClaims, tokenClientId } from '../../dashboard/src/lib/token-inspect.ts';
import { parseLogQuery } from '../../src/management/log-query.ts';
import { mergeMetadata } from '../../src/management/users-rules.ts';
import { LEGACY_WARNING } from '../../src/management/tenant-settings.ts';
import { LEGACY_TOKEN_WARNING as SERVER_LEGACY_TOKEN_WARNING } from '../../src/tokens/legacy.ts';
import { denylistMatch } from '../../src/tokens/revocation.ts';

describe('log filter → q', () => {
  it('no filter is no q', () => {
    expect(buildLogQuery(EMPTY_FILTER)).toEqual({ ok: true, q: undefined });
  });

  it('joins type, client, user and a local-day range with AND, in the syntax the server parses', () => {
    const result = buildLogQuery({ type: 'seccft', clientId: 'abcDEF123', userId: 'auth0|u1', from: '2026-01-01', to: '2026-01-02' });
    expect(result.ok).toBe(true);
    const q = result.ok ? result.q! : '';
    expect(q).toBe(`type:seccft AND client_id:abcDEF123 AND user_id:auth0|u1 AND date:[${localDayBound('2026-01-01', false)} TO ${localDayBound('2026-01-02', true)}]`);
    // The server's parser accepts it and compiles the range to the two local-day instants.
    const parsed = parseLogQuery(q);
    expect(JSON.stringify(parsed)).toContain(new Date(2026, 0, 1).toISOString());
    expect(JSON.stringify(parsed)).toContain(new Date(2026, 0, 2, 23, 59, 59, 999).toISOString());
  });

  it('an open-ended range uses *', () => {
    const result = buildLogQuery({ ...EMPTY_FILTER, to: '2026-03-01' });
    expect(result).toEqual({ ok: true, q: `date:[* TO ${localDayBound('2026-03-01', true)}]` });
    expect(() => parseLogQuery(result.ok ? result.q! : '')).not.toThrow();
  });

  it('quotes a value with spaces or brackets, so it stays one term', () => {
    const result = buildLogQuery({ ...EMPTY_FILTER, userId: 'odd [id] x' });
    expect(result).toEqual({ ok: true, q: 'user_id:"odd [id] x"' });
    expect(parseLogQuery(result.ok ? result.q! : '')).toEqual({ field: 'user_id', op: 'eq', value: 'odd [id] x' });
  });

  it.each([
    [{ ...EMPTY_FILTER, clientId: 'a"b' }, /quotes/],
    [{ ...EMPTY_FILTER, type: 'seccft OR type:f' }, /log type/],
    [{ ...EMPTY_FILTER, from: '2026-02-31' }, /first day/],
    [{ ...EMPTY_FILTER, to: 'yesterday' }, /last day/],
    [{ ...EMPTY_FILTER, from: '2026-02-02', to: '2026-02-01' }, /after the last/],
  ])('refuses what it cannot express: %j', (filter, message) => {
    const result = buildLogQuery(filter);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toMatch(message);
  });

  it('describes the usual types in words, unknown ones as their code', () => {
    expect(describeLogType('seccft')).toMatch(/^Success Exchange/);
    expect(describeLogType('feccft')).toMatch(/^Failed Exchange/);
    expect(describeLogType('sapi')).toBe('Success API Operation');
    expect(describeLogType('s')).toBe('Success Login');
    expect(describeLogType('f')).toBe('Failed Login');
    expect(describeLogType('something_new')).toBe('something_new');
  });
});

describe('live tail', () => {
  const ev = (log_id: string): LogEvent => ({ log_id, date: '', type: 's' });

  it('finds the newest id numerically', () => {
    expect(newestLogId([ev('90020'), ev('90031'), ev('90029')])).toBe('90031');
    expect(newestLogId([ev('999'), ev('1000')])).toBe('1000');
    expect(newestLogId([])).toBeUndefined();
  });

  it('puts new events on top, newest first, without repeating and within the cap', () => {
    const shown = [ev('905'), ev('904')];
    const merged = prependNewEvents(shown, [ev('904'), ev('906'), ev('907')]);
    expect(merged.map((e) => e.log_id)).toEqual(['907', '906', '905', '904']);
    expect(prependNewEvents(shown, [ev('906'), ev('907')], 3).map((e) => e.log_id)).toEqual(['907', '906', '905']);
  });
});

describe('metadata editing', () => {
  it('parses objects only, with a sentence for everything else', () => {
    expect(parseJsonObject('{"plan":"pro"}')).toEqual({ ok: true, value: { plan: 'pro' } });
    expect(parseJsonObject('   ')).toEqual({ ok: true, value: {} });
    for (const [text, message] of [
      ['{plan: pro}', /Not valid JSON/],
      ['[1,2]', /not an array/],
      ['null', /not null/],
      ['"x"', /not a string/],
      ['42', /not a number/],
    ] as const) {
      const result = parseJsonObject(text);
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.error).toMatch(message);
    }
  });

  it('sends only the difference; the server turns it into exactly the edited object', () => {
    const before = { plan: 'free', prefs: { theme: 'dark', lang: 'en' }, gone: 1, same: [1, 2] };
    const after = { plan: 'pro', prefs: { lang: 'en' }, same: [1, 2], added: { a: 1 } };
    const patch = metadataPatch(before, after);
    expect(patch).toEqual({ plan: 'pro', prefs: { lang: 'en' }, gone: null, added: { a: 1 } });
    expect(mergeMetadata(before, patch)).toEqual(after);
    expect(applyMetadataPatch(before, patch)).toEqual(after);
  });

  it('emptying the editor removes every key (one null each, never the {} that would also clear it)', () => {
    const patch = metadataPatch({ a: 1, b: 2 }, {});
    expect(patch).toEqual({ a: null, b: null });
    expect(mergeMetadata({ a: 1, b: 2 }, patch)).toEqual({});
  });

  it('nothing changed (key order aside) is an empty patch, which the page does not send', () => {
    expect(metadataPatch({ a: { x: 1, y: 2 }, b: 1 }, { b: 1, a: { y: 2, x: 1 } })).toEqual({});
  });

  it('a key the editor sets to null is removed; null for a key that never existed is nothing', () => {
    expect(metadataPatch({ a: 1 }, { a: null, z: null })).toEqual({ a: null });
  });
});

describe('tenant settings form', () => {
  const before = { friendly_name: 'Acme', allowed_logout_urls: ['https://a.example/'], session_lifetime: 168, enabled_locales: ['en'] };

  it('round-trips without changes to an empty patch', () => {
    expect(settingsPatch(before, toForm(before))).toEqual({ ok: true, patch: {} });
  });

  it('sends only changed fields: lines → URLs, words → locales, hours → numbers', () => {
    const form = { ...toForm(before), support_url: 'https://help.example/', allowed_logout_urls: 'https://a.example/\n\n  https://b.example/ \n', enabled_locales: 'en, fr pt-BR', idle_session_lifetime: '12' };
    expect(settingsPatch(before, form)).toEqual({
      ok: true,
      patch: { support_url: 'https://help.example/', allowed_logout_urls: ['https://a.example/', 'https://b.example/'], enabled_locales: ['en', 'fr', 'pt-BR'], idle_session_lifetime: 12 },
    });
  });

  it("shows Auth0's session lifetimes (168 h, 72 h) when the tenant never set them, and sends them only when changed", () => {
    const unset = { friendly_name: 'Acme' };
    expect([toForm(unset).session_lifetime, toForm(unset).idle_session_lifetime]).toStrictEqual(['168', '72']);
    expect(settingsPatch(unset, toForm(unset))).toEqual({ ok: true, patch: {} });
    expect(settingsPatch(unset, { ...toForm(unset), idle_session_lifetime: '24' })).toEqual({ ok: true, patch: { idle_session_lifetime: 24 } });
  });

  it('names each bad field', () => {
    const form = { ...toForm(before), friendly_name: '<b>', support_email: 'nope', session_lifetime: '0', enabled_locales: 'en, not a locale!' };
    const result = settingsPatch(before, form);
    expect(result.ok).toBe(false);
    expect(result.ok ? {} : Object.keys(result.errors).sort()).toEqual(['enabled_locales', 'friendly_name', 'session_lifetime', 'support_email']);
  });
});

describe('token debugger', () => {
  it('says how far a time is, in the largest whole unit', () => {
    expect(relativeTime(0)).toBe('just now');
    expect(relativeTime(59)).toBe('in 59 seconds');
    expect(relativeTime(-3600)).toBe('1 hour ago');
    expect(relativeTime(2 * 86_400 + 5)).toBe('in 2 days');
    expect(relativeTime(-400 * 86_400)).toBe('1 year ago');
  });

  it('reads exp, iat and nbf against now', () => {
    const now = 1_800_000_000;
    expect(timeClaims({ exp: now - 1, iat: now - 100, nbf: now + 10 }, now).map((c) => [c.claim, c.status, c.ok])).toEqual([
      ['exp', 'expired', false],
      ['iat', 'issued', true],
      ['nbf', 'not yet valid', false],
    ]);
    expect(timeClaims({ exp: now + 60 }, now)[0]).toMatchObject({ status: 'valid', ok: true, relative: 'in 1 minute' });
    expect(timeClaims({ exp: '123' }, now)).toEqual([]);
  });

  it('finds the client: azp, client_id, sub@clients, then a legacy token aud', () => {
    expect(tokenClientId({ alg: 'RS256' }, { azp: 'A', client_id: 'B', sub: 'C@clients' })).toBe('A');
    expect(tokenClientId({ alg: 'RS256' }, { client_id: 'B', sub: 'C@clients' })).toBe('B');
    expect(tokenClientId({ alg: 'RS256' }, { sub: 'C@clients' })).toBe('C');
    expect(tokenClientId({ alg: 'RS256' }, { sub: 'auth0|u', aud: 'x' })).toBeUndefined();
    expect(tokenClientId({ alg: 'HS256' }, { aud: 'GLOBAL' })).toBe('GLOBAL');
  });

  it('matches the denylist as the server does', () => {
    const payload = { jti: 'j1', aud: ['https://api/', 'https://other/'], azp: 'client1' };
    const cases: [{ jti: string; aud?: string }[], boolean][] = [
      [[{ jti: 'j1' }], true],
      [[{ jti: 'j1', aud: 'https://other/' }], true],
      [[{ jti: 'j1', aud: 'client1' }], true],
      [[{ jti: 'j1', aud: 'someone-else' }], false],
      [[{ jti: 'j2' }], false],
    ];
    for (const [entries, listed] of cases) {
      expect(isDenylisted(entries, payload, 'client1')).toBe(listed);
      const server = new Map<string, Set<string>>();
      for (const e of entries) server.set(e.jti, new Set([...(server.get(e.jti) ?? []), e.aud ?? '']));
      expect(denylistMatch(server.get('j1'), payload, 'client1') !== undefined).toBe(listed);
    }
    expect(isDenylisted([{ jti: 'j1' }], { aud: 'x' }, undefined)).toBe(false);
    expect(audiences({ aud: 'one' })).toEqual(['one']);
  });

  it('decodes a base64 or base64url secret as the server does, or refuses it', () => {
    const raw = Buffer.from([0xfb, 0xff, 0x00, 0x10, 0x7e, 0x3f, 0xbe]);
    for (const text of [raw.toString('base64'), raw.toString('base64url')]) {
      expect(Buffer.from(secretKey(text, true)!)).toEqual(Buffer.from(text, 'base64'));
    }
    expect(secretKey('not base64!', true)).toBeUndefined();
    expect(new TextDecoder().decode(secretKey('plain secret', false))).toBe('plain secret');
  });

  it("shows the server's own warnings, word for word", () => {
    expect(LEGACY_TOKEN_WARNING).toBe(SERVER_LEGACY_TOKEN_WARNING);
    expect(LEGACY_SWITCH_WARNING).toBe(LEGACY_WARNING);
  });
});
