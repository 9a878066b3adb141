// Management API errors (spec §3.2): handlers throw these; http/errors.ts renders them as
// {statusCode, error, message, errorCode?, attributes?}. Every fixed wire text lives here.

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const reasonPhrase = (status: number): string => REASONS[status] ?? 'Error';

export class ManagementError extends Error {
  override name = 'ManagementError';
  readonly statusCode: number;
  readonly errorCode: string | undefined;
  readonly attributes: { error: string } | undefined;
  /** Extra response headers (WWW-Authenticate). */
  readonly headers: Record<string, string>;
  constructor(statusCode: number, message: string, options: { errorCode?: string; attributes?: { error: string }; headers?: Record<string, string> } = {}) {
    super(message);
    this.statusCode = statusCode;
    this.errorCode = options.errorCode;
    this.attributes = options.attributes;
    this.headers = options.headers ?? {};
  }
}

export const badRequest = (message: string, errorCode = 'invalid_body'): ManagementError => new ManagementError(400, message, { errorCode });
export const notFound = (message: string, errorCode: string): ManagementError => new ManagementError(404, message, { errorCode });
export const conflict = (message: string, errorCode: string): ManagementError => new ManagementError(409, message, { errorCode });
export const forbidden = (message: string, errorCode = 'insufficient_scope'): ManagementError => new ManagementError(403, message, { errorCode });

/** Fixed texts (spec §3.1, §3.2, §3.5; [U] items chosen per spec §7 and kept here). */
export const TEXT = {
  missingAuthentication: 'Missing authentication',
  badHeaderFormat: 'Bad HTTP authentication header format',
  tokenTwice: 'The access token must be sent in the Authorization header only, not also in the query string',
  invalidToken: 'Invalid token',
  invalidSignature: 'Invalid signature received for JSON Web Token validation',
  expiredToken: 'Expired token received for JSON Web Token validation',
  badAudience: (aud: string) => `Bad audience: ${aud}`,
  notGlobal: 'Client is not global.',
  insufficientScope: (scopes: readonly string[]) => `Insufficient scope, expected any of: ${scopes.join(',')}`,
  insufficientScopeAll: (scopes: readonly string[]) => `Insufficient scope; expected ${scopes.join(' and ')}.`,
  fieldsForbidden: (details: string) => `Some fields cannot be updated with the permissions granted by the bearer token scopes: ${details}.`,
  notFoundRoute: 'Not Found',
  clientNotFound: 'The client does not exist',
  grantNotFound: 'The grant does not exist.',
  grantUpdateNotFound: 'The client grant does not exist.',
  resourceServerNotFound: 'The resource server does not exist',
  grantClientNotFound: 'Client not found',
  grantApiNotFound: 'Resource server not found',
  grantConflict: (clientId: string, audience: string) => `A client grant already exists between ${clientId} and ${audience}`,
  apiConflict: 'A resource server with the same identifier already exists.',
  apiReserved: 'The selected identifier is reserved.',
  systemApiPatch: 'System resource servers cannot be patched.',
  systemApiDelete: 'System resource servers cannot be deleted.',
  globalClientDelete: 'Global client cannot be deleted.',
  rateLimited: 'Global limit has been reached',
  keyNotFound: 'Signing key not found.',
  keyNotRevocable: 'Only a previous signing key can be revoked; rotate first to make the current key previous.',
  rotationConflict: 'Another signing key rotation changed the keys first; retry.',
  rotationLimited: (limit: number, seconds: number) => `Signing keys can be rotated at most ${limit} times per ${seconds} seconds.`,
  logNotFound: 'Log not found.',
  secretChanged: "The client's secret was changed by another request first; read the client and retry.",
  globalSecretNotSettable: 'The Global Client Secret cannot be set; rotate it instead.',
  unavailable: 'The service is temporarily unavailable. Please retry.',
  internal: 'Internal error',
} as const;

export const ERROR_CODE = {
  insufficientScope: 'insufficient_scope',
  invalidBody: 'invalid_body',
  invalidQuery: 'invalid_query_string',
  invalidUri: 'invalid_uri',
  inexistentClient: 'inexistent_client',
  inexistentGrant: 'inexistent_client_grant',
  inexistentApi: 'inexistent_resource_server',
  conflict: 'conflict',
  operationNotSupported: 'operation_not_supported',
  inexistentKey: 'inexistent_signing_key',
  inexistentLog: 'inexistent_log',
  tooManyRequests: 'too_many_requests',
} as const;
