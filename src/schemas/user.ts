// Users (spec §3.5.4): request and response shapes of /api/v2/users and its subresources. Field
// names are Auth0's (NA7 CreateUserRequestContent, UpdateUserRequestContent, UserResponseSchema).
import { Type, type Static } from 'typebox';
import { FieldsQuery, Nullable, PageQuery } from './common.ts';

const ProfileName = (description: string) => Type.String({ minLength: 1, maxLength: 150, description });
const Metadata = (description: string) => Type.Record(Type.String(), Type.Unknown(), { maxProperties: 200, description });
/** E.164 (spec: NA7 `phone_number`). */
const PhoneNumber = Type.String({ pattern: '^\\+[1-9][0-9]{1,14}$', description: 'Phone number in E.164 form.' });
/** What follows `auth0|` in a caller-chosen user id: no separators, no spaces, nothing to decode. */
const UserIdSuffix = Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9._@+=-]+$', description: 'The id after "auth0|" (default: 24 random hex digits).' });

export const UserCreate = Type.Object(
  {
    connection: Type.String({ minLength: 1, maxLength: 128, description: 'Name of the database connection.' }),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'Never returned and never logged.' })),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Only for connections with requires_username.' })),
    phone_number: Type.Optional(PhoneNumber),
    email_verified: Type.Optional(Type.Boolean()),
    verify_email: Type.Optional(Type.Boolean()),
    phone_verified: Type.Optional(Type.Boolean()),
    blocked: Type.Optional(Type.Boolean()),
    given_name: Type.Optional(ProfileName('Given name.')),
    family_name: Type.Optional(ProfileName('Family name.')),
    name: Type.Optional(ProfileName('Name (default: the email).')),
    nickname: Type.Optional(ProfileName('Nickname (default: the part of the email before @).')),
    picture: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'Picture URL (default: Gravatar).' })),
    user_id: Type.Optional(UserIdSuffix),
    user_metadata: Type.Optional(Metadata('Data the user may read and change.')),
    app_metadata: Type.Optional(Metadata('Data only the application may change.')),
  },
  { additionalProperties: false, $id: 'UserCreate' },
);
export type UserCreate = Static<typeof UserCreate>;

export const UserUpdate = Type.Object(
  {
    connection: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    email_verified: Type.Optional(Type.Boolean()),
    verify_email: Type.Optional(Type.Boolean()),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    phone_number: Nullable(PhoneNumber),
    phone_verified: Type.Optional(Type.Boolean()),
    blocked: Type.Optional(Type.Boolean()),
    given_name: Nullable(ProfileName('Given name.')),
    family_name: Nullable(ProfileName('Family name.')),
    name: Nullable(ProfileName('Name.')),
    nickname: Nullable(ProfileName('Nickname.')),
    picture: Nullable(Type.String({ minLength: 1, maxLength: 2048 })),
    user_metadata: Nullable(Metadata('Merged at the root: a key set to null is removed; {} removes them all.')),
    app_metadata: Nullable(Metadata('Merged at the root: a key set to null is removed; {} removes them all.')),
  },
  { additionalProperties: false, $id: 'UserUpdate' },
);
export type UserUpdate = Static<typeof UserUpdate>;

export const UserListQuery = Type.Object({
  ...PageQuery,
  ...FieldsQuery,
  q: Type.Optional(Type.String({ maxLength: 8192, description: 'Lucene query (search engine v3 syntax).' })),
  search_engine: Type.Optional(Type.Union([Type.Literal('v1'), Type.Literal('v2'), Type.Literal('v3')], { description: 'Accepted for compatibility; every version searches like v3.' })),
  sort: Type.Optional(Type.String({ maxLength: 200, description: 'field:1 (ascending) or field:-1 (descending).' })),
  connection: Type.Optional(Type.String({ maxLength: 128, description: 'With search_engine=v1 only: users of this connection.' })),
  primary_order: Type.Optional(Type.Boolean()),
});

export const UserFieldsQuery = Type.Object({ ...FieldsQuery });

export const UserIdentityParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 512 }),
  provider: Type.String({ minLength: 1, maxLength: 128 }),
  user_id: Type.String({ minLength: 1, maxLength: 512 }),
});

export const MultifactorParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 512 }),
  provider: Type.Union([Type.Literal('duo'), Type.Literal('google-authenticator')]),
});

export const LinkIdentity = Type.Object(
  {
    provider: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    connection_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    link_with: Type.Optional(Type.String({ minLength: 1, maxLength: 16384, description: 'An ID token of the account to link.' })),
  },
  { additionalProperties: false, $id: 'LinkIdentity' },
);
export type LinkIdentity = Static<typeof LinkIdentity>;

export const Identity = Type.Object(
  {
    connection: Type.String(),
    user_id: Type.String(),
    provider: Type.String(),
    isSocial: Type.Boolean(),
    profileData: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { $id: 'UserIdentity' },
);

export const User = Type.Object(
  {
    user_id: Type.String(),
    email: Type.Optional(Type.String()),
    email_verified: Type.Optional(Type.Boolean()),
    username: Type.Optional(Type.String()),
    phone_number: Type.Optional(Type.String()),
    phone_verified: Type.Optional(Type.Boolean()),
    created_at: Type.String(),
    updated_at: Type.String(),
    identities: Type.Array(Identity),
    app_metadata: Type.Optional(Type.Object({}, { additionalProperties: true })),
    user_metadata: Type.Optional(Type.Object({}, { additionalProperties: true })),
    picture: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    nickname: Type.Optional(Type.String()),
    given_name: Type.Optional(Type.String()),
    family_name: Type.Optional(Type.String()),
    last_ip: Type.Optional(Type.String()),
    last_login: Type.Optional(Type.String()),
    last_password_reset: Type.Optional(Type.String()),
    logins_count: Type.Optional(Type.Integer()),
    blocked: Type.Optional(Type.Boolean()),
  },
  { $id: 'User', additionalProperties: true },
);

/** `[User]` or `{start, limit, length, total, users}` (spec §3.4: users carry `length`). */
export const UserList = Type.Union([
  Type.Array(User),
  Type.Object({ start: Type.Integer(), limit: Type.Integer(), length: Type.Integer(), total: Type.Integer(), users: Type.Array(User) }),
]);

export const UserBlocks = Type.Object({
  blocked_for: Type.Array(Type.Object({ identifier: Type.String(), ip: Type.Optional(Type.String()) })),
});
