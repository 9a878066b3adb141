// Shapes shared by every Management API resource: error bodies, list envelopes, pagination and
// field-selection query parameters (spec §3.2, §3.4). Schemas are plain JSON Schema built with
// TypeBox, so one definition gives the TS type, the runtime check and the OpenAPI entry.
import { Type, type Static, type TSchema } from 'typebox';

export const ManagementErrorBody = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String(),
    message: Type.String(),
    errorCode: Type.Optional(Type.String()),
    attributes: Type.Optional(Type.Object({ error: Type.String() })),
  },
  { $id: 'ManagementError', description: 'Auth0 (hapi/Boom) error body' },
);
export type ManagementErrorBody = Static<typeof ManagementErrorBody>;

/** Booleans arrive in query strings as "true"/"false" (spec §1.2). */
export const QueryBoolean = Type.Boolean();

/**
 * The largest page index: Auth0 documents `page >= 0` only, and its typed SDKs (auth0-java,
 * auth0.net, go-auth0) carry it as a 32-bit integer. Without a bound, `page=1e20` made an offset
 * no database takes (S9: 500 "datatype mismatch"); with it, page × per_page stays below 2^38.
 */
export const MAX_PAGE = 2_147_483_647;
/** Auth0's bound on per_page and take (spec §3.4; AE-OAS "Required range: 1 <= x <= 100"). */
export const MAX_PER_PAGE = 100;

// Every list route takes its paging parameters from here, so the bounds hold on all of them (S9).
export const PageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PAGE, description: 'Page index, 0-based.' })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PER_PAGE, description: 'Results per page (default 50, at most 100).' })),
  include_totals: Type.Optional(Type.Boolean({ description: 'true: return {start, limit, total, <entity>} instead of a bare array.' })),
};

export const CheckpointQuery = {
  from: Type.Optional(Type.String({ maxLength: 200, description: 'Checkpoint id from a previous page (`next`).' })),
  take: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PER_PAGE, description: 'Results per checkpoint page (default 50, at most 100).' })),
};

export const FieldsQuery = {
  fields: Type.Optional(Type.String({ maxLength: 2000, description: 'Comma-separated fields to include (or exclude, see include_fields).' })),
  include_fields: Type.Optional(Type.Boolean({ description: 'true (default): only `fields`; false: all but `fields`.' })),
};

/** `[T]` or `{start, limit, total, key: [T]}` (spec §3.4). */
export function ListOf<T extends TSchema>(key: string, item: T) {
  return Type.Union([
    Type.Array(item),
    Type.Object({ start: Type.Integer(), limit: Type.Integer(), total: Type.Integer(), [key]: Type.Array(item) }),
    Type.Object({ [key]: Type.Array(item), next: Type.Optional(Type.String()) }),
  ]);
}

/** An optional PATCH field that the SDKs may send as `null` to reset it. */
export function Nullable<T extends TSchema>(schema: T) {
  return Type.Optional(Type.Union([schema, Type.Null()]));
}

export const StringList = (description: string, maxItems = 100) =>
  Type.Array(Type.String({ maxLength: 1024 }), { maxItems, description });

export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 512 }) });
