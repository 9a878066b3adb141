// Auth0's token quotas (issue 15): a client's `token_quota` and the tenant's `default_token_quota`,
// with Auth0's field names and bounds (Management API: TokenQuota, TokenQuotaClientCredentials,
// DefaultTokenQuota; per_hour and per_day 1..2147483647, at least one member).
import { Type, type Static } from 'typebox';

const Count = (description: string) => Type.Integer({ minimum: 1, maximum: 2147483647, description });

export const TokenQuotaClientCredentials = Type.Object(
  {
    enforce: Type.Optional(
      Type.Boolean({
        description: 'If enabled (the default), requests in excess of the quota fail with 429; if disabled, they succeed and each is logged (api_limit_warning).',
      }),
    ),
    per_day: Type.Optional(Count('Maximum number of issued tokens per day (resets at 00:00 UTC).')),
    per_hour: Type.Optional(Count('Maximum number of issued tokens per hour (resets at the start of each UTC hour).')),
  },
  { additionalProperties: false, minProperties: 1, description: 'The token quota configuration' },
);
export type TokenQuotaClientCredentials = Static<typeof TokenQuotaClientCredentials>;

export const TokenQuota = Type.Object({ client_credentials: TokenQuotaClientCredentials }, { additionalProperties: false, description: 'Quota on client-credentials tokens.' });
export type TokenQuota = Static<typeof TokenQuota>;

export const DefaultTokenQuota = Type.Object(
  {
    clients: Type.Optional(TokenQuota),
    organizations: Type.Optional(Type.Object({ client_credentials: TokenQuotaClientCredentials }, { additionalProperties: true, description: 'Stored; no effect in Scopeward (it has no organizations).' })),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Token quotas applied to every client (and organization) that sets none of its own. null removes them.',
  },
);
export type DefaultTokenQuota = Static<typeof DefaultTokenQuota>;
