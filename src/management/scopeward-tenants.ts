// GET /api/v2/scopeward/tenants (Scopeward extension, issue #5): the tenants the caller may
// administer, for the dashboard's tenant switcher. Each tenant has its own dashboard at its own
// domain (a token is valid for one tenant only), so the switcher links there. A tenant's token
// learns of no other tenant (issue 9, S12): the list is the token's own tenant, and, for a
// dashboard administrator, the tenants where the same person is an administrator too (by name).
import { Type } from 'typebox';
import { alsoAdministers } from '../domain/admins.ts';
import { isDashboardClient } from '../domain/dashboard-client.ts';
import { issuerFor, type Tenant } from '../domain/tenant.ts';
import { EXTENSION_TAG } from './openapi.ts';
import { route, type HandlerContext, type RouteSchemas } from './route.ts';

const TenantEntry = Type.Object({
  name: Type.String(),
  domain: Type.String(),
  friendly_name: Type.String(),
  dashboard_url: Type.String(),
  current: Type.Boolean({ description: 'The tenant this call was made to.' }),
});

/** The other tenants this call's caller administers: only a dashboard token's user has any. */
async function administeredElsewhere<S extends RouteSchemas>(ctx: HandlerContext<S>, all: readonly Tenant[]): Promise<Set<string>> {
  const { clientId, subject } = ctx.auth;
  if (clientId === undefined || subject === undefined || ctx.auth.token.alg !== 'RS256') return new Set();
  const client = await ctx.deps.registry.client(ctx.tenant.id, clientId);
  if (!client || !isDashboardClient(client.record.data)) return new Set();
  return alsoAdministers(ctx.deps.storage, ctx.tenant.id, subject, all.map((t) => t.id));
}

const list = route({
  method: 'GET',
  url: '/scopeward/tenants',
  summary: 'List the tenants the caller administers (Scopeward extension)',
  tag: EXTENSION_TAG,
  scopes: ['read:tenant_settings'],
  schema: { response: { 200: Type.Array(TenantEntry) } },
  async handler(ctx) {
    const all = ctx.deps.registry.tenants();
    const others = await administeredElsewhere(ctx, all);
    const body = all
      .filter((t) => t.id === ctx.tenant.id || others.has(t.id))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((t) => ({
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
