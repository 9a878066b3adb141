// What a tenant is to the rest of the system: its issuer and Management API audience are derived
// from its domain (spec conventions: ISSUER = https://DOMAIN/, MGMT_AUD = https://DOMAIN/api/v2/).
import type { TenantRecord } from '../storage/ports.ts';

export interface Tenant {
  id: string;
  name: string;
  domain: string;
  isDefault: boolean;
  issuer: string;
  managementAudience: string;
  settings: Record<string, unknown>;
}

/** The longest token_lifetime an API may have (spec §9: 2,592,000 s), so no token of ours outlives it. */
export const MAX_TOKEN_LIFETIME_SECONDS = 2_592_000;
/** A test token minted from the dashboard may live longer (Auth0's API Explorer tab allows a year). */
export const MAX_TEST_TOKEN_LIFETIME_SECONDS = 31_536_000;
/** How long any expiring token of ours can live: a denylist entry must last at least that long. */
export const LONGEST_TOKEN_SECONDS = Math.max(MAX_TOKEN_LIFETIME_SECONDS, MAX_TEST_TOKEN_LIFETIME_SECONDS);

export const issuerFor = (domain: string): string => `https://${domain}/`;
export const managementAudienceFor = (domain: string): string => `https://${domain}/api/v2/`;

export function tenantFrom(record: TenantRecord): Tenant {
  return {
    id: record.id,
    name: record.name,
    domain: record.domain,
    isDefault: record.isDefault,
    issuer: issuerFor(record.domain),
    managementAudience: managementAudienceFor(record.domain),
    settings: record.settings,
  };
}

/** The tenant setting used when /oauth/token gets no audience (spec §3.5.7). */
/** Whether tenant settings accept legacy HS256 Management API tokens (`flags.enable_legacy_management_tokens`, D8). */
export function legacyTokensOn(settings: Record<string, unknown> | undefined): boolean {
  return (settings?.flags as Record<string, unknown> | undefined)?.enable_legacy_management_tokens === true;
}

export function defaultAudience(tenant: Tenant): string | undefined {
  const value = tenant.settings.default_audience;
  return typeof value === 'string' && value !== '' ? value : undefined;
}
