// Client grants, spec §3.5.2: (client, audience, scopes). No grant, no client-credentials token.
import { Type, type Static } from 'typebox';
import { Nullable } from './common.ts';

const Scope = Type.Array(Type.String({ minLength: 1, maxLength: 280 }), { maxItems: 500, description: 'Scopes the client may request; the ceiling for its tokens.' });
const SubjectType = Type.Union([Type.Literal('client'), Type.Literal('user')], { description: 'client: machine-to-machine access.' });
const OrganizationUsage = Type.Union([Type.Literal('deny'), Type.Literal('allow'), Type.Literal('require')]);

export const ClientGrantCreate = Type.Object(
  {
    client_id: Type.String({ minLength: 1, maxLength: 255 }),
    audience: Type.String({ minLength: 1, maxLength: 600 }),
    scope: Type.Optional(Scope),
    subject_type: Type.Optional(SubjectType),
    organization_usage: Type.Optional(OrganizationUsage),
    allow_any_organization: Type.Optional(Type.Boolean()),
    allow_all_scopes: Type.Optional(Type.Boolean()),
    authorization_details_types: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 50 })),
  },
  { additionalProperties: false, $id: 'ClientGrantCreate' },
);
export type ClientGrantCreate = Static<typeof ClientGrantCreate>;

export const ClientGrantUpdate = Type.Object(
  {
    scope: Nullable(Scope),
    organization_usage: Nullable(OrganizationUsage),
    allow_any_organization: Nullable(Type.Boolean()),
    allow_all_scopes: Nullable(Type.Boolean()),
    authorization_details_types: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 50 })),
  },
  { additionalProperties: false, $id: 'ClientGrantUpdate' },
);
export type ClientGrantUpdate = Static<typeof ClientGrantUpdate>;

export const ClientGrant = Type.Object(
  {
    id: Type.String(),
    client_id: Type.String(),
    audience: Type.String(),
    scope: Type.Array(Type.String()),
    subject_type: SubjectType,
    organization_usage: Type.Optional(OrganizationUsage),
    allow_any_organization: Type.Optional(Type.Boolean()),
    allow_all_scopes: Type.Optional(Type.Boolean()),
    authorization_details_types: Type.Optional(Type.Array(Type.String())),
    is_system: Type.Optional(Type.Boolean()),
  },
  { $id: 'ClientGrant' },
);
export type ClientGrant = Static<typeof ClientGrant>;

export const ClientGrantListQuery = Type.Object({
  audience: Type.Optional(Type.String({ maxLength: 600 })),
  client_id: Type.Optional(Type.String({ maxLength: 255 })),
  allow_any_organization: Type.Optional(Type.Boolean()),
  subject_type: Type.Optional(SubjectType),
});
