// Management API errors (spec §3.2): handlers throw these; http/errors.ts renders them as
// {statusCode, error, message, errorCode?, attributes?}. Every fixed wire text lives here.

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
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
  dashboardMissing: 'This tenant has no dashboard application yet; restart the server (or run any scopeward command) to create it.', // Scopeward
  notAdmin: 'The user of this dashboard token is not an administrator of this tenant (any more).', // Scopeward
  adminReadOnly: 'This user is a Scopeward administrator: the Management API can read it but not change it (end its administration with `scopeward admins remove` first).', // Scopeward
  testTokenNotFound: 'The test token does not exist.', // Scopeward
  testTokenNoGrant: (clientId: string, audience: string) =>
    `The application ${clientId} has no client grant for ${audience}: authorize it for this API first (Machine to Machine Applications tab, or POST /api/v2/client-grants).`, // Scopeward
  testTokenGrantType: (clientId: string) => `The application ${clientId} cannot use the client credentials grant: add client_credentials to its grant_types first.`, // Scopeward
  testTokenNeverExpires: 'Only a legacy token can be minted without an expiry (expires_in null).', // Scopeward
  testTokenScope: 'scope is only for legacy tokens: a test token carries the scopes of its client grant.', // Scopeward
  legacyOff: "Legacy tokens are off for this tenant: turn on flags.enable_legacy_management_tokens in the tenant's Advanced settings first.", // Scopeward
  legacyTarget: 'A legacy token is issued to the Global Client: leave out client_id and audience.', // Scopeward
  legacyScope: (scope: string) => `Not a Management API scope: ${scope.slice(0, 100)}`, // Scopeward
  systemClient: 'The Scopeward Dashboard application is a system application: it cannot be changed, rotated or deleted.', // Scopeward
  systemClientGrant: 'The Scopeward Dashboard application is a system application: it signs administrators in and is never given client grants.', // Scopeward
  rateLimited: 'Global limit has been reached',
  keyNotFound: 'Signing key not found.',
  keyNotRevocable: 'Only a previous signing key can be revoked; rotate first to make the current key previous.',
  rotationConflict: 'Another signing key rotation changed the keys first; retry.',
  rotationLimited: (limit: number, seconds: number) => `Signing keys can be rotated at most ${limit} times per ${seconds} seconds.`,
  logNotFound: 'Log not found.',
  secretChanged: "The client's secret was changed by another request first; read the client and retry.",
  globalSecretNotSettable: 'The Global Client Secret cannot be set; rotate it instead.',
  unavailable: 'The service is temporarily unavailable. Please retry.',
  // Users, connections, device credentials (spec §3.5.4, §3.5.5; AE-OAS descriptions; [U] marked).
  userMismatch: 'User to be acted on does not match subject in bearer token.',
  userNotFound: 'The user does not exist.',
  userExists: 'The user already exists.',
  usernameExists: 'The username provided is in use already.', // [U]
  emailTaken: 'The specified new email already exists', // [U]
  connectionMissing: 'Connection does not exist.',
  connectionNotFound: 'The connection does not exist',
  connectionUnchangeable: 'Scopeward does not change connections: only an update that changes nothing is accepted.', // Scopeward
  connectionNotDatabase: 'Connection does not support user creation through the API. It must either be a database or passwordless connection.',
  usernameNotAllowed: 'Cannot set username for connection without requires_username.',
  missingProperty: (name: string) => `Payload validation error: 'Missing required property: ${name}'.`,
  invalidEmail: (email: string) => `Payload validation error: 'Object didn't pass validation for format email: ${email.slice(0, 100)}' on property email (The user's email).`,
  invalidUsername: (problem: string) => `Payload validation error: '${problem}' on property username (The user's username).`,
  invalidMetadata: (problem: string, field: string) => `Payload validation error: '${problem}' on property ${field}.`,
  passwordStrength: (problem: string) => `PasswordStrengthError: ${problem}`,
  simultaneous: (a: string, b: string) => `Cannot update ${a} and ${b} simultaneously.`,
  searchWindow: 'You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation.',
  // [U] Auth0 documents the limit for log searches ("you may paginate only through 1,000 search results"), not its text.
  logSearchWindow: 'You can only page through the first 1000 records. Use from and take (search from a checkpoint) to read further. See https://auth0.com/docs/deploy-monitor/logs/retrieve-log-events-using-mgmt-api.',
  sameIdentity: 'Main identity and the new one are the same.',
  identityExists: 'Specified identity already exists.',
  mainIdentity: 'Main identity cannot be removed.',
  providerNotConfigured: 'The provider/connection is not configured.',
  secondaryNotFound: 'Provided secondary account not found.',
  secondaryIsPrimary: 'Unable to link with the secondary account.',
  linkWithInvalid: 'Invalid token (link_with).',
  linkWithAlg: 'JWT (link_with) must have an alg of RS256.',
  linkWithIssuer: 'JWT (link_with) must have the same issuer as the calling user.',
  linkWithAudience: "JWT (link_with) must have an aud claim that matches that of the calling token's azp.",
  linkWithSub: 'JWT (link_with) must contains sub claim.',
  linkWithBadSub: 'JWT (link_with) contains an invalid sub claim.',
  confinedLink: 'A token acting for the current user can link an account only with link_with (an ID token of that account).', // [U]
  linkTarget: 'Send either link_with, or provider and user_id.', // [U]
  deviceListUser: 'Cannot retrieve device credentials for that user.',
  deviceListClient: 'Cannot retrieve device credentials for that client.',
  deviceCreateUser: 'Cannot create device credentials for that user.',
  deviceCreateClient: 'Cannot create device credentials for that client.',
  publicKeyExists: 'A public key already exists for the device.',
  // Log streams (issue 13). [U]: Auth0's texts for these are not published; chosen here.
  logStreamNotFound: 'The log stream does not exist.', // [U]
  logStreamEndpoint: "Payload validation error: 'httpEndpoint must be an absolute http or https URL' on property sink.httpEndpoint.", // [U]
  logStreamEndpointCredentials: "Payload validation error: 'httpEndpoint must not carry credentials: put them in httpAuthorization' on property sink.httpEndpoint.", // Scopeward
  logStreamStartFrom: "Payload validation error: 'startFrom must be an ISO 8601 date-time' on property startFrom.", // [U]
  logStreamPiiHash: "Payload validation error: 'pii_config.method hash (xxhash) is not supported by Scopeward; use mask' on property pii_config.method.", // Scopeward
  logStreamHeader: (name: string) => `Payload validation error: 'the HTTP client sets ${name.slice(0, 64)} itself' on property sink.httpCustomHeaders.`, // Scopeward
  logStreamLimit: (max: number) => `A tenant can have at most ${max} log streams.`, // Scopeward
  internal: 'Internal error',
  // Scopeward: every JSON body, on every endpoint (S10, docs/operations.md "Input limits").
  bodyTooDeep: (limit: number) => `The request body nests objects and arrays deeper than ${limit} levels`,
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
  inexistentLogStream: 'inexistent_log_stream',
  inexistentTestToken: 'inexistent_test_token',
  inexistentUser: 'inexistent_user',
  inexistentConnection: 'inexistent_connection',
  idpError: 'auth0_idp_error',
  invalidPassword: 'invalid_password',
  tooManyRequests: 'too_many_requests',
} as const;
