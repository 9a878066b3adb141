// /api/v2/tenants/settings (spec §3.5.7). Both answer Auth0's whole object over its defaults, and
// PATCH merges at the root (tenant-settings-shape.ts). Turning legacy tokens on is recorded as a
// deprecation notice in the tenant log and logged as a warning: such tokens are long-lived and
// signed with a shared secret (seed: "Long-lived tokens compromise your security").
import { Type } from 'typebox';
import { FieldsQuery } from '../schemas/common.ts';
import { TenantSettings, TenantSettingsUpdate } from '../schemas/tenant-settings.ts';
import { redirectUrlProblem } from '../domain/urls.ts';
import { badRequest } from './errors.ts';
import { projection } from './fields.ts';
import { callerOf, route } from './route.ts';
import { legacyTokensOn } from '../domain/tenant.ts';
import { allowlistEntryProblem } from '../ratelimit/limiter.ts';
import { mergeSettings, settingsView } from './tenant-settings-shape.ts';

const TAG = 'Tenants';

export const LEGACY_WARNING =
  'Legacy HS256 Management API tokens are now accepted for this tenant. They are signed with the Global Client Secret, can be minted with any scope and any lifetime by whoever holds it, and long-lived tokens compromise your security. Prefer the client credentials grant.';

/**
 * URLs the tenant stores are held to the rules of an application's (T-RU-20/30): /v2/logout
 * redirects to them. Allow-list entries must be addresses or CIDR ranges. Also run by `scopeward import`.
 */
export function checkSettings(patch: Record<string, unknown>): void {
  const logout = patch.allowed_logout_urls;
  if (Array.isArray(logout)) {
    logout.forEach((value: string, i) => {
      const problem = redirectUrlProblem(value);
      if (problem) throw badRequest(`Payload validation error: 'Invalid URL: ${value.slice(0, 100)} ${problem}' on property allowed_logout_urls[${i}].`);
    });
  }
  for (const field of ['default_redirection_uri', 'picture_url', 'support_url'] as const) {
    const value = patch[field];
    if (typeof value !== 'string' || value === '') continue;
    const problem = redirectUrlProblem(value);
    if (problem) throw badRequest(`Payload validation error: 'Invalid URL: ${value.slice(0, 100)} ${problem}' on property ${field}.`);
  }
  const allowlist = (patch.rate_limits as { ip_allowlist?: string[] } | undefined)?.ip_allowlist ?? [];
  allowlist.forEach((entry, i) => {
    const problem = allowlistEntryProblem(entry);
    if (problem) throw badRequest(`Payload validation error: '${entry.slice(0, 64)} ${problem}' on property rate_limits.ip_allowlist[${i}].`);
  });
}

const get = route({
  method: 'GET',
  url: '/tenants/settings',
  summary: 'Get tenant settings',
  tag: TAG,
  scopes: ['read:tenant_settings'],
  schema: { querystring: Type.Object(FieldsQuery), response: { 200: TenantSettings } },
  async handler(ctx) {
    const record = await ctx.deps.storage.tenants.get(ctx.tenant.id);
    return { status: 200, body: projection(ctx.query.fields, ctx.query.include_fields)(settingsView(record?.settings ?? {})) };
  },
});

const update = route({
  method: 'PATCH',
  url: '/tenants/settings',
  summary: 'Update tenant settings',
  tag: TAG,
  scopes: ['update:tenant_settings'],
  schema: { body: TenantSettingsUpdate, response: { 200: TenantSettings } },
  async handler(ctx) {
    const record = await ctx.deps.storage.tenants.get(ctx.tenant.id);
    const before = (record?.settings ?? {});
    const patch = ctx.body as Record<string, unknown>;
    checkSettings(patch);
    const merged = mergeSettings(before, patch);
    await ctx.deps.storage.tenants.update(ctx.tenant.id, { settings: merged });
    await ctx.deps.registry.reloadTenants();

    const wasLegacy = legacyTokensOn(before);
    const isLegacy = legacyTokensOn(merged);
    if (isLegacy && !wasLegacy) {
      ctx.deps.audit.record(ctx.tenant, ctx.origin, { type: 'depnote', description: LEGACY_WARNING, client: callerOf(ctx.auth), details: { flag: 'enable_legacy_management_tokens' } });
    }
    return { status: 200, body: settingsView(merged), ...(isLegacy && !wasLegacy && { warning: LEGACY_WARNING }) };
  },
});

export const tenantSettingsRoutes = [get, update];
