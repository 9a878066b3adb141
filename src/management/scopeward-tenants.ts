// GET /api/v2/scopeward/tenants (Scopeward extension, issue #5): the tenants this server answers,
// for the dashboard's tenant switcher. Each tenant has its own dashboard at its own domain (a
// token is valid for one tenant only), so the switcher links there.
import { Type } from 'typebox';
import { issuerFor } from '../domain/tenant.ts';
import { EXTENSION_TAG } from './openapi.ts';
import { route } from './route.ts';

const TenantEntry = Type.Object({
  name: Type.String(),
  domain: Type.String(),
  friendly_name: Type.String(),
  dashboard_url: Type.String(),
  current: Type.Boolean({ description: 'The tenant this call was made to.' }),
});

const list = route({
  method: 'GET',
  url: '/scopeward/tenants',
  summary: 'List the tenants this server answers (Scopeward extension)',
  tag: EXTENSION_TAG,
  scopes: ['read:tenant_settings'],
  schema: { response: { 200: Type.Array(TenantEntry) } },
  async handler(ctx) {
    const body = ctx.deps.registry.tenants().map((t) => ({
      name: t.name,
      domain: t.domain,
      friendly_name: typeof t.settings.friendly_name === 'string' ? t.settings.friendly_name : t.name,
      dashboard_url: `${issuerFor(t.domain)}dashboard/`,
      current: t.id === ctx.tenant.id,
    }));
    return { status: 200, body };
  },
});

export const scopewardTenantRoutes = [list];
