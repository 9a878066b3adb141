// The log stream rules that need no server (issue 13): Auth0's category of each event type
// Scopeward writes (docs "Log Stream Filters"), and pii_config masking.
import { describe, expect, it } from 'vitest';
import { MASK, maskPii } from '../../src/audit/pii-mask.ts';
import { categoryOf, streamAccepts } from '../../src/domain/log-categories.ts';

describe('categoryOf: every type Scopeward writes (wire-contract §3.5.9) has its Auth0 category', () => {
  it.each([
    ['seccft', 'auth.token_exchange.success'],
    ['feccft', 'auth.token_exchange.fail'],
    ['seacft', 'auth.token_exchange.success'],
    ['feacft', 'auth.token_exchange.fail'],
    ['sertft', 'auth.token_exchange.success'],
    ['fertft', 'auth.token_exchange.fail'],
    ['s', 'auth.login.success'],
    ['f', 'auth.login.fail'],
    ['fp', 'auth.login.fail'],
    ['fu', 'auth.login.fail'],
    ['ssa', 'auth.silent_auth.success'],
    ['fsa', 'auth.silent_auth.fail'],
    ['ss', 'auth.signup.success'],
    ['fs', 'auth.signup.fail'],
    ['slo', 'auth.logout.success'],
    ['sapi', 'management.success'],
    ['mgmt_api_read', 'management.success'],
    ['fapi', 'management.fail'],
    ['api_limit', 'system.notification'],
    ['limit_wc', 'system.notification'],
    ['limit_mu', 'system.notification'],
    ['depnote', 'system.notification'],
    ['something_new', 'other'],
  ])('%s → %s', (type, category) => {
    expect(categoryOf(type)).toBe(category);
  });

  it('no filters or an empty list accept everything; otherwise only the listed categories', () => {
    expect(streamAccepts(undefined, 'sapi')).toBe(true);
    expect(streamAccepts([], 'sapi')).toBe(true);
    expect(streamAccepts([{ name: 'auth.login.fail' }], 'fp')).toBe(true);
    expect(streamAccepts([{ name: 'auth.login.fail' }], 's')).toBe(false);
    expect(streamAccepts([{ name: 'other' }], 'something_new')).toBe(true);
  });
});

describe('maskPii', () => {
  const event = { user_name: 'a@example.com', details: { name: 'Ann Example', email: 'a@example.com', list: [{ phone_number: '+1555' }] }, description: 'kept' };

  it('masks the fields each kind names, deep; leaves the rest and the input unchanged', () => {
    const masked = maskPii(event, { log_fields: ['email', 'username', 'phone', 'first_name'], method: 'mask' });
    expect(masked).toStrictEqual({ user_name: MASK, details: { name: MASK, email: MASK, list: [{ phone_number: MASK }] }, description: 'kept' });
    expect(event.user_name).toBe('a@example.com');
  });

  it('no config, no fields: the event as it is', () => {
    expect(maskPii(event, undefined)).toBe(event);
    expect(maskPii(event, { log_fields: [] })).toBe(event);
  });
});
