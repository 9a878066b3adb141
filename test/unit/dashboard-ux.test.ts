// Issue 14's dashboard logic that needs no browser: the one date format, the rotation sentences,
// the API addresses (the Management API at /apis/management, Auth0's tab names) and the log's
// own-sign-in filter. The browser side is test/e2e/dashboard-ux-browser.test.ts.
import { describe, expect, it } from 'vitest';
import { formatDate } from '../../dashboard/src/lib/format.ts';
import { rotationFacts } from '../../dashboard/src/lib/rotation-facts.ts';
import { apiPath, apiTabOf } from '../../dashboard/src/lib/api-paths.ts';
import { describeLogType, isDashboardSignIn } from '../../dashboard/src/lib/log-filter.ts';

const NOW = Date.parse('2026-12-08T16:00:00Z');

describe('formatDate', () => {
  it('one format with the zone, from ISO text or JWT seconds', () => {
    expect(formatDate('2026-12-08T16:19:28.000Z', 'UTC')).toBe('2026-12-08 16:19:28 UTC');
    expect(formatDate(Date.parse('2026-12-08T16:19:28Z') / 1000, 'Europe/Paris')).toBe('2026-12-08 17:19:28 CET');
    expect(formatDate('2026-07-01T00:00:00Z', 'America/New_York')).toBe('2026-06-30 20:00:00 GMT-4');
    expect([formatDate(undefined), formatDate(''), formatDate('not a date')]).toStrictEqual(['—', '—', 'not a date']);
  });
});

describe('rotation facts', () => {
  it('the current secret: which and when', () => {
    expect(rotationFacts({ last_used_secret: 'current', last_used_at: '2026-12-08T15:00:00Z' }, NOW, 'UTC')).toStrictEqual(['Last authenticated with the current secret on 2026-12-08 15:00:00 UTC.']);
  });

  it('the previous secret during the grace period: still accepted, until when', () => {
    expect(rotationFacts({ last_used_secret: 'previous', last_used_at: '2026-12-08T15:30:00Z', previous_secret_expires_at: '2026-12-08T17:00:00Z' }, NOW, 'UTC')).toStrictEqual([
      'Last authenticated with the previous secret (the one replaced by the last rotation) on 2026-12-08 15:30:00 UTC: a service still uses it; update it before the old secret stops working.',
      'The previous secret is still accepted until 2026-12-08 17:00:00 UTC.',
    ]);
  });

  it('the previous secret after the grace period (or with none): no longer accepted', () => {
    expect(rotationFacts({ last_used_secret: 'previous', last_used_at: '2026-12-08T14:00:00Z' }, NOW, 'UTC')).toStrictEqual([
      'Last authenticated with the previous secret (the one replaced by the last rotation) on 2026-12-08 14:00:00 UTC: it is no longer accepted.',
    ]);
    expect(rotationFacts(undefined, NOW)).toStrictEqual([]);
  });

  it('when the previous secret authenticated last but the current one was used too, says when the current one was', () => {
    const rotation = { last_used_secret: 'previous' as const, last_used_at: '2026-12-08T15:30:00Z', current_secret_last_used_at: '2026-12-08T15:10:00Z', previous_secret_last_used_at: '2026-12-08T15:30:00Z', previous_secret_expires_at: '2026-12-08T17:00:00Z' };
    expect(rotationFacts(rotation, NOW, 'UTC')).toStrictEqual([
      'Last authenticated with the previous secret (the one replaced by the last rotation) on 2026-12-08 15:30:00 UTC: a service still uses it; update it before the old secret stops working.',
      'The current secret last authenticated on 2026-12-08 15:10:00 UTC.',
      'The previous secret is still accepted until 2026-12-08 17:00:00 UTC.',
    ]);
  });
});

describe('API addresses', () => {
  const mgmt = { id: 'rs_1', identifier: 'https://t.example/api/v2/' };
  it('the Management API is /apis/management, its tabs path segments; other APIs by id', () => {
    expect(apiPath(mgmt, mgmt.identifier)).toBe('/apis/management');
    expect(apiPath(mgmt, mgmt.identifier, 'explorer')).toBe('/apis/management/explorer');
    expect(apiPath(mgmt, mgmt.identifier, 'authorized-applications')).toBe('/apis/management/authorized-applications');
    expect(apiPath({ id: 'a/b', identifier: 'https://orders/' }, mgmt.identifier, 'permissions')).toBe('/apis/a%2Fb/permissions');
  });
  it("Auth0's and the older tab names open the same tabs; unknown ones open Settings", () => {
    expect(['m2m', 'scopes', 'test', 'explorer', 'nope', undefined].map(apiTabOf)).toStrictEqual(['authorized-applications', 'permissions', 'explorer', 'explorer', 'settings', 'settings']);
  });
});

describe('logs', () => {
  it('mgmt_api_read reads as words; the dashboard’s own silent auth and code exchange are recognised, nothing else', () => {
    expect(describeLogType('mgmt_api_read')).toBe('Management API Read Operation');
    const dash = 'dash123';
    expect(['ssa', 'fsa', 'seacft', 's', 'seccft', 'sapi'].map((type) => isDashboardSignIn({ type, client_id: dash }, dash))).toStrictEqual([true, true, true, false, false, false]);
    expect(isDashboardSignIn({ type: 'ssa', client_id: 'other' }, dash)).toBe(false);
  });
});
