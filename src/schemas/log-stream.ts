// Log streams (issue 13): Auth0's `http` stream ("Custom Webhook"), its sink, category filters
// and PII settings, as the Management API v2 and node-auth0's LogStream* types describe them.
import { Type, type Static } from 'typebox';

/** Auth0's category group names (node-auth0 LogStreamFilterGroupNameEnum; docs "Log Stream Filters"). */
export const LOG_STREAM_CATEGORIES = [
  'auth.ancillary.fail',
  'auth.ancillary.success',
  'auth.login.fail',
  'auth.login.notification',
  'auth.login.success',
  'auth.logout.fail',
  'auth.logout.success',
  'auth.signup.fail',
  'auth.signup.success',
  'auth.silent_auth.fail',
  'auth.silent_auth.success',
  'auth.token_exchange.fail',
  'auth.token_exchange.success',
  'management.fail',
  'management.success',
  'scim.event',
  'system.notification',
  'user.fail',
  'user.notification',
  'user.success',
  'actions',
  'other',
] as const;
export type LogStreamCategory = (typeof LOG_STREAM_CATEGORIES)[number];

export const LogStreamStatus = Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('suspended')], {
  description: 'active: delivering; paused: stopped by a user; suspended: stopped after failing without a break (see docs/log-streams.md).',
});
export type LogStreamStatus = Static<typeof LogStreamStatus>;

export const LogStreamFilter = Type.Object(
  {
    type: Type.Literal('category'),
    name: Type.Enum(LOG_STREAM_CATEGORIES),
  },
  { additionalProperties: false },
);

/** RFC 9110 §5.5 field values as the HTTP client sends them: tab, visible ASCII, space, obs-text. */
const HEADER_VALUE = '^[\\t\\x20-\\x7e\\x80-\\xff]*$';

const CustomHeader = Type.Object(
  {
    header: Type.String({ minLength: 1, maxLength: 256, pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", description: 'An HTTP header name.' }),
    value: Type.String({ maxLength: 4096, pattern: HEADER_VALUE }),
  },
  { additionalProperties: false },
);

const sinkFields = {
  httpEndpoint: Type.String({ minLength: 1, maxLength: 2048, description: 'The URL the events are POSTed to (http or https).' }),
  httpContentType: Type.Optional(Type.String({ maxLength: 256, pattern: HEADER_VALUE, description: 'Content-Type of the requests (default application/json).' })),
  httpContentFormat: Type.Optional(
    Type.Union([Type.Literal('JSONARRAY'), Type.Literal('JSONLINES'), Type.Literal('JSONOBJECT')], {
      description: 'JSONARRAY: one array per request; JSONLINES: one event per line; JSONOBJECT: one event per request. Default JSONLINES.',
    }),
  ),
  httpAuthorization: Type.Optional(Type.String({ maxLength: 4096, pattern: HEADER_VALUE, description: 'Sent as the Authorization header; stored sealed.' })),
  httpCustomHeaders: Type.Optional(Type.Array(CustomHeader, { maxItems: 20, description: 'Extra headers on every request; stored sealed.' })),
};

export const LogStreamHttpSink = Type.Object(sinkFields, { additionalProperties: false, $id: 'LogStreamHttpSink' });
export type LogStreamHttpSink = Static<typeof LogStreamHttpSink>;

/** A PATCH's sink: every field optional; what it names replaces what the stream had. */
export const LogStreamHttpSinkPatch = Type.Object({ ...sinkFields, httpEndpoint: Type.Optional(sinkFields.httpEndpoint) }, { additionalProperties: false });

/** The PII kinds a stream can mask (Auth0 "Filtering and PII obfuscation"). */
export const PII_FIELDS = ['first_name', 'last_name', 'username', 'email', 'phone', 'address'] as const;

export const LogStreamPiiConfig = Type.Object(
  {
    log_fields: Type.Array(Type.Enum(PII_FIELDS), { maxItems: PII_FIELDS.length }),
    method: Type.Optional(Type.Union([Type.Literal('mask'), Type.Literal('hash')])),
    algorithm: Type.Optional(Type.Literal('xxhash')),
  },
  { additionalProperties: false },
);
export type LogStreamPiiConfig = Static<typeof LogStreamPiiConfig>;

const common = {
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Default: "Custom Webhook".' })),
  isPriority: Type.Optional(Type.Boolean({ description: 'Stored and returned; Scopeward delivers every stream alike.' })),
  filters: Type.Optional(Type.Array(LogStreamFilter, { maxItems: LOG_STREAM_CATEGORIES.length, description: 'Only events of these categories are delivered; none or empty: every event.' })),
  pii_config: Type.Optional(LogStreamPiiConfig),
};

export const LogStreamCreate = Type.Object(
  {
    ...common,
    type: Type.Literal('http'),
    sink: LogStreamHttpSink,
    startFrom: Type.Optional(Type.String({ maxLength: 64, description: 'ISO 8601 date-time. Deliver the events logged since this time (within log retention) before the new ones.' })),
  },
  { additionalProperties: false, $id: 'LogStreamCreate' },
);
export type LogStreamCreate = Static<typeof LogStreamCreate>;

export const LogStreamUpdate = Type.Object(
  {
    ...common,
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('paused')], { description: 'paused stops delivery; active resumes it (also after a suspension). suspended is set by Scopeward only.' })),
    sink: Type.Optional(LogStreamHttpSinkPatch),
  },
  { additionalProperties: false, $id: 'LogStreamUpdate' },
);
export type LogStreamUpdate = Static<typeof LogStreamUpdate>;

export const LogStream = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    type: Type.Literal('http'),
    status: LogStreamStatus,
    sink: LogStreamHttpSink,
    filters: Type.Optional(Type.Array(LogStreamFilter)),
    isPriority: Type.Optional(Type.Boolean()),
    pii_config: Type.Optional(LogStreamPiiConfig),
  },
  { $id: 'LogStream' },
);
