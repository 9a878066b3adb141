// Connections (GET /api/v2/connections): where users are stored. Only database connections
// (strategy `auth0`) exist here; every tenant has `Username-Password-Authentication`.
import { Type } from 'typebox';
import { FieldsQuery, PageQuery } from './common.ts';

export const ConnectionListQuery = Type.Object({
  ...PageQuery,
  ...FieldsQuery,
  strategy: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 20, description: 'Only connections of these strategies (repeat the parameter).' })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Only the connection with this name.' })),
});

export const Connection = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    strategy: Type.String(),
    options: Type.Optional(Type.Object({}, { additionalProperties: true })),
    enabled_clients: Type.Optional(Type.Array(Type.String())),
    realms: Type.Optional(Type.Array(Type.String())),
    is_domain_connection: Type.Optional(Type.Boolean()),
    display_name: Type.Optional(Type.String()),
  },
  { $id: 'Connection', additionalProperties: true },
);
