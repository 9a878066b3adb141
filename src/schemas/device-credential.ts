// Device credentials (spec §3.5.5): public keys a user's device registers, and the user's refresh
// tokens, which Auth0 lists beside them (types refresh_token and rotating_refresh_token).
import { Type } from 'typebox';
import { FieldsQuery, PageQuery } from './common.ts';

export const DeviceCredentialCreate = Type.Object(
  {
    device_name: Type.String({ minLength: 1, maxLength: 256, description: 'A name the device owner recognizes.' }),
    type: Type.Literal('public_key'),
    value: Type.String({ minLength: 1, maxLength: 8192, description: 'The public key, base64.' }),
    device_id: Type.String({ minLength: 1, maxLength: 36, pattern: '^[-A-Fa-f0-9]+$', description: 'Unique device identifier.' }),
    client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "Default: the calling token's application." })),
    user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'Required with create:device_credentials; a current-user token creates for its own user.' })),
  },
  { additionalProperties: false, $id: 'DeviceCredentialCreate' },
);

export const DeviceCredentialListQuery = Type.Object({
  ...PageQuery,
  ...FieldsQuery,
  user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  type: Type.Optional(
    Type.Union([Type.Literal('public_key'), Type.Literal('refresh_token'), Type.Literal('rotating_refresh_token')], { description: 'Default refresh_token when paging is requested.' }),
  ),
});

export const DeviceCredential = Type.Object(
  {
    id: Type.String(),
    device_name: Type.Optional(Type.String()),
    device_id: Type.Optional(Type.String()),
    type: Type.String(),
    user_id: Type.String(),
    client_id: Type.String(),
  },
  { $id: 'DeviceCredential' },
);
