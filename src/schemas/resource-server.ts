// Resource servers (APIs), spec §3.5.3, including the system Management API.
import { Type, type Static } from 'typebox';
import { Nullable } from './common.ts';

/** Scope values follow RFC 6749 §3.3 scope-token (NQCHAR, no spaces). */
export const ResourceServerScope = Type.Object(
  {
    value: Type.String({ minLength: 1, maxLength: 280, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const SIGNING_ALGS = ['RS256', 'HS256'] as const;
const SigningAlg = Type.Enum(SIGNING_ALGS, { description: 'RS256 (tenant keys, published in the JWKS) or HS256 (signing_secret).' });
const TokenDialect = Type.Enum(['access_token', 'access_token_authz', 'rfc9068_profile', 'rfc9068_profile_authz'], { description: 'access_token: Auth0 profile (typ JWT, gty, azp); rfc9068_profile: typ at+jwt with client_id.',
});
const Lifetime = Type.Integer({ minimum: 1, maximum: 2592000, description: 'Seconds; at most 30 days.' });
const SigningSecret = Type.String({ minLength: 16, maxLength: 1024, description: 'HS256 key, at least 16 characters.' });
const Policy = Type.Object({}, { additionalProperties: true });

const settings = {
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[^<>]+$' })),
  scopes: Type.Optional(Type.Array(ResourceServerScope, { maxItems: 1000 })),
  signing_alg: Type.Optional(SigningAlg),
  signing_secret: Type.Optional(SigningSecret),
  allow_offline_access: Type.Optional(Type.Boolean()),
  token_lifetime: Type.Optional(Lifetime),
  token_lifetime_for_web: Type.Optional(Lifetime),
  skip_consent_for_verifiable_first_party_clients: Type.Optional(Type.Boolean()),
  enforce_policies: Type.Optional(Type.Boolean()),
  token_dialect: Type.Optional(TokenDialect),
  subject_type_authorization: Type.Optional(Policy),
  consent_policy: Nullable(Type.String({ maxLength: 100 })),
};

export const ResourceServerCreate = Type.Object(
  { identifier: Type.String({ minLength: 1, maxLength: 600 }), ...settings },
  { additionalProperties: false, $id: 'ResourceServerCreate' },
);
export type ResourceServerCreate = Static<typeof ResourceServerCreate>;

export const ResourceServerUpdate = Type.Object(settings, { additionalProperties: false, $id: 'ResourceServerUpdate' });
export type ResourceServerUpdate = Static<typeof ResourceServerUpdate>;

/** Stored shape (the signing secret is sealed beside it, never in here). */
export const ResourceServerData = Type.Object({
  id: Type.String(),
  identifier: Type.String(),
  name: Type.String(),
  scopes: Type.Array(ResourceServerScope),
  signing_alg: SigningAlg,
  allow_offline_access: Type.Boolean(),
  token_lifetime: Type.Integer(),
  token_lifetime_for_web: Type.Integer(),
  skip_consent_for_verifiable_first_party_clients: Type.Boolean(),
  enforce_policies: Type.Optional(Type.Boolean()),
  token_dialect: Type.Optional(TokenDialect),
  subject_type_authorization: Type.Optional(Policy),
  consent_policy: Nullable(Type.String()),
  is_system: Type.Optional(Type.Boolean()),
});
export type ResourceServerData = Static<typeof ResourceServerData>;

export const ResourceServer = Type.Object(
  { ...ResourceServerData.properties, signing_secret: Type.Optional(Type.String()) },
  { $id: 'ResourceServer' },
);
export type ResourceServer = Static<typeof ResourceServer>;

export const ResourceServerListQuery = Type.Object({
  identifiers: Type.Optional(Type.Union([Type.String({ maxLength: 600 }), Type.Array(Type.String({ maxLength: 600 }), { maxItems: 10 })])),
});
