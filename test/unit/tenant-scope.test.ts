// The tenant scope's contract (issue 11 item 4, http/tenant-scope.ts): inside it request.tenant is
// the tenant the Host names; a Host that names none is refused before any route runs; reading
// request.tenant where no tenant was resolved fails loudly (a 500), never yields undefined.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Registry } from '../../src/cache/registry.ts';
import type { Tenant } from '../../src/domain/tenant.ts';
import { jsonErrors } from '../../src/http/errors.ts';
import { decorateTenant, useTenantScope } from '../../src/http/tenant-scope.ts';

const tenant: Tenant = { id: 't1', name: 'alpha', domain: 'alpha.test', isDefault: true, issuer: 'https://alpha.test/', managementAudience: 'https://alpha.test/api/v2/', settings: {} };
const registry = { tenantByHost: (host: string) => (host === 'alpha.test' ? tenant : undefined) } as unknown as Registry;

async function scopedApp() {
  const app = Fastify();
  app.setErrorHandler(jsonErrors);
  decorateTenant(app);
  app.get('/outside', async (request) => ({ name: request.tenant.name }));
  await app.register(async (scope) => {
    useTenantScope(scope, registry);
    scope.get('/inside', async (request) => ({ name: request.tenant.name }));
  });
  await app.ready();
  return app;
}

describe('tenant scope', () => {
  it('a route inside reads the tenant its Host names', async () => {
    const app = await scopedApp();
    const res = await app.inject({ method: 'GET', url: '/inside', headers: { host: 'alpha.test' } });
    expect([res.statusCode, res.json()]).toStrictEqual([200, { name: 'alpha' }]);
    await app.close();
  });

  it('a Host that names no tenant is answered 404 before the route runs; an unknown path inside is a JSON 404', async () => {
    const app = await scopedApp();
    const unknownHost = await app.inject({ method: 'GET', url: '/inside', headers: { host: 'nobody.test' } });
    expect([unknownHost.statusCode, unknownHost.json()]).toStrictEqual([404, { statusCode: 404, error: 'Not Found', message: 'No tenant answers the host this request was sent to' }]);
    const unknownPath = await app.inject({ method: 'GET', url: '/nothing', headers: { host: 'alpha.test' } });
    expect([unknownPath.statusCode, unknownPath.json()]).toStrictEqual([404, { statusCode: 404, error: 'Not Found', message: 'Not Found' }]);
    await app.close();
  });

  it('reading request.tenant outside the scope is a generic 500, never undefined', async () => {
    const app = await scopedApp();
    const res = await app.inject({ method: 'GET', url: '/outside', headers: { host: 'alpha.test' } });
    expect([res.statusCode, res.json()]).toStrictEqual([500, { statusCode: 500, error: 'Internal Server Error', message: 'Internal error' }]);
    await app.close();
  });
});
