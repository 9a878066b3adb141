// scope-plan.ts: which route an endpoint string names, and the smallest scope set admitting a list
// of endpoints (`scopeward scopes-for`, the explorer).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scopesAllow } from '../../src/management/register.ts';
import { route, type ManagementRoute } from '../../src/management/route.ts';
import { MANAGEMENT_ROUTES } from '../../src/management/routes.ts';
import { endpointScopes, findRoute, minimalScopes, type EndpointScopes } from '../../src/management/scope-plan.ts';

const named = (r: ManagementRoute | undefined) => r && `${r.method} ${r.url}`;

describe('findRoute', () => {
  it.each([
    ['GET /api/v2/clients', 'GET /clients'],
    ['GET /api/v2/clients?page=0&per_page=50', 'GET /clients'],
    ['get /clients', 'GET /clients'],
    ['  POST   /api/v2/clients  ', 'POST /clients'],
    ['GET /api/v2/clients/abc123', 'GET /clients/:id'],
    ['PATCH /api/v2/clients/{id}', 'PATCH /clients/:id'],
    ['PATCH /api/v2/clients/:id', 'PATCH /clients/:id'],
    ['POST /api/v2/clients/{client_id}/rotate-secret', 'POST /clients/:id/rotate-secret'],
    ['POST /api/v2/clients/auth0%7Cabc/rotate-secret', 'POST /clients/:id/rotate-secret'],
    ['DELETE /api/v2/client-grants/cgr_1234567890abcdef', 'DELETE /client-grants/:id'],
    ['GET /api/v2/resource-servers/{id}', 'GET /resource-servers/:id'],
  ])('%s → %s', (endpoint, expected) => {
    expect(named(findRoute(MANAGEMENT_ROUTES, endpoint))).toBe(expected);
  });

  it.each([
    'GET /api/v2/clients/', // an empty id is not an id
    'GET /api/v2/clients/a/b',
    'PUT /api/v2/clients',
    'GET /api/v2x/clients',
    'GET /api/v2',
    'GET',
    '/api/v2/clients',
    'GET /api/v2/clients extra',
    'FETCH /api/v2/clients',
  ])('%j names no route', (endpoint) => {
    expect(findRoute(MANAGEMENT_ROUTES, endpoint)).toBeUndefined();
  });

  it('endpointScopes reports the route scopes and mode', () => {
    expect(endpointScopes(MANAGEMENT_ROUTES, 'POST /api/v2/clients/x/rotate-secret')).toMatchObject({ scopes: ['update:client_keys'], mode: 'any' });
    expect(endpointScopes(MANAGEMENT_ROUTES, 'GET /api/v2/nothing')).toBeUndefined();
  });
});

const req = (scopes: string[], mode: 'any' | 'all' = 'any'): EndpointScopes => {
  const r = route({ method: 'GET', url: '/x', summary: 'x', tag: 'x', scopes, scopeMode: mode, schema: {}, handler: async () => ({ status: 204 }) });
  return { endpoint: 'GET /x', route: r, scopes, mode };
};
const plan = (...endpoints: string[]) => minimalScopes(endpoints.map((e) => endpointScopes(MANAGEMENT_ROUTES, e)!));
const admits = (set: string[], rs: EndpointScopes[]) => rs.every((r) => scopesAllow({ scopes: r.scopes, scopeMode: r.mode }, new Set(set)));

describe('minimalScopes', () => {
  it('one any-of endpoint → its first-listed scope', () => {
    expect(plan('GET /api/v2/clients')).toStrictEqual(['read:clients']);
  });

  it('a scope shared by several endpoints wins over one per endpoint', () => {
    // rotate-secret needs update:client_keys, which PATCH also accepts.
    expect(plan('PATCH /api/v2/clients/{id}', 'POST /api/v2/clients/{id}/rotate-secret')).toStrictEqual(['update:client_keys']);
    expect(plan('GET /api/v2/clients', 'GET /api/v2/clients/{id}')).toStrictEqual(['read:clients']);
  });

  it('disjoint endpoints need one scope each', () => {
    expect(plan('GET /api/v2/clients', 'POST /api/v2/client-grants', 'DELETE /api/v2/resource-servers/{id}').sort()).toStrictEqual(
      ['create:client_grants', 'delete:resource_servers', 'read:clients'].sort(),
    );
  });

  it('all-of routes contribute every scope, and those already cover any-of routes', () => {
    const rotate = req(['create:signing_keys', 'update:signing_keys'], 'all');
    const revoke = req(['update:signing_keys']);
    expect(minimalScopes([rotate, revoke])).toStrictEqual(['create:signing_keys', 'update:signing_keys']);
    expect(minimalScopes([rotate, req(['read:clients', 'read:client_keys'])])).toStrictEqual(['create:signing_keys', 'update:signing_keys', 'read:clients']);
  });

  it('twelve endpoints with disjoint pairs of scopes → the first of each pair (exact, not exhaustive enumeration)', () => {
    const pairs = Array.from({ length: 12 }, (_, i) => req([`s${2 * i}`, `s${2 * i + 1}`]));
    expect(minimalScopes(pairs)).toStrictEqual(pairs.map((r) => r.scopes[0]));
  });

  it('no endpoints → no scopes', () => {
    expect(minimalScopes([])).toStrictEqual([]);
  });

  it('property: the result admits every endpoint and no smaller set does (exhaustive check)', () => {
    const universe = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const requirement = fc.record({ scopes: fc.subarray(universe, { minLength: 1, maxLength: 4 }), all: fc.boolean() });
    fc.assert(
      fc.property(fc.array(requirement, { minLength: 1, maxLength: 6 }), (specs) => {
        const rs = specs.map((x) => req(x.scopes, x.all ? 'all' : 'any'));
        const result = minimalScopes(rs);
        expect(admits(result, rs)).toBe(true);
        expect(new Set(result).size).toBe(result.length);
        let best = universe.length;
        for (let mask = 0; mask < 1 << universe.length; mask++) {
          const set = universe.filter((_, i) => mask & (1 << i));
          if (set.length < best && admits(set, rs)) best = set.length;
        }
        expect(result.length).toBe(best);
      }),
      { numRuns: 300 },
    );
  });

  it('property: with many candidate scopes it stays fast and still admits every endpoint', () => {
    const universe = Array.from({ length: 40 }, (_, i) => `s${i}`);
    fc.assert(
      fc.property(fc.array(fc.subarray(universe, { minLength: 1, maxLength: 3 }), { minLength: 10, maxLength: 30 }), (lists) => {
        const rs = lists.map((l) => req(l));
        const result = minimalScopes(rs);
        expect(admits(result, rs)).toBe(true);
        expect(result.length).toBeLessThanOrEqual(rs.length);
      }),
      { numRuns: 100 },
    );
  });
});
