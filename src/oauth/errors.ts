// Authentication API errors (spec §2.1–2.2, D1): Auth0's bodies and statuses, plus the headers the
// RFCs require. Protocol code throws OAuthError; http/errors.ts renders it.

export class OAuthError extends Error {
  override name = 'OAuthError';
  readonly status: number;
  readonly error: string;
  readonly description: string;
  readonly errorUri: string | undefined;
  readonly headers: Record<string, string>;
  constructor(status: number, error: string, description: string, options: { errorUri?: string; headers?: Record<string, string> } = {}) {
    super(description);
    this.status = status;
    this.error = error;
    this.description = description;
    this.errorUri = options.errorUri;
    this.headers = options.headers ?? {};
  }
}

/** Headers every token-endpoint response carries, success or error (RFC 6749 §5.1). */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

export const invalidRequest = (description: string): OAuthError => new OAuthError(400, 'invalid_request', description);

/** Unknown client and wrong secret answer alike (D1, T-CA-05): no client enumeration. */
export const unauthorizedClient = (basicRealm?: string): OAuthError =>
  new OAuthError(401, 'access_denied', 'Unauthorized', basicRealm ? { headers: { 'www-authenticate': `Basic realm="${basicRealm}"` } } : {});

/**
 * A client-supplied value quoted in an error_description: RFC 6749 §5.2 allows only
 * %x20-21 / %x23-5B / %x5D-7E there, so anything else becomes '?', and it is capped in length.
 */
export function echo(value: string): string {
  const safe = value.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '?');
  // ASCII '...': a typographic ellipsis would itself fall outside the allowed set.
  return safe.length > 200 ? `${safe.slice(0, 200)}...` : safe;
}

export const TOKEN_TEXT = {
  missingParameter: (name: string) => `Missing required parameter: ${echo(name)}`,
  duplicateParameter: (name: string) => `Parameter ${echo(name)} must not be sent more than once`,
  notAString: (name: string) => `Parameter ${echo(name)} must be a string`,
  controlCharacter: (name: string) => `Parameter ${echo(name)} contains a NUL character`,
  unsupportedGrantType: (value: string) => `Unsupported grant type: ${echo(value)}`,
  grantTypeNotAllowed: (grant: string) => `Grant type '${grant}' not allowed for the client.`,
  grantTypeUri: 'https://auth0.com/docs/clients/client-grant-types',
  noAudience: 'No audience parameter was provided, and no default audience has been configured',
  serviceNotEnabled: (audience: string) => `Service not enabled within domain: ${echo(audience)}`,
  noClientGrant: (audience: string) =>
    `Client is not authorized to access "${echo(audience)}". You need to create a "client-grant" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants`,
  scopesNotGranted: (scopes: readonly string[]) => `Client has not been granted scopes: ${scopes.join(', ')}`,
  invalidScope: 'The scope parameter is not a space-delimited list of scope tokens',
  twoAuthMethods: 'Client authentication must use only one method (HTTP Basic or the request body)',
  basicMismatch: 'client_id in the body does not match HTTP Basic credentials',
  contentType: 'Content-Type must be application/x-www-form-urlencoded or application/json',
  malformedBody: 'The request body could not be parsed',
  bodyTooLarge: 'The request body is too large',
  methodNotAllowed: 'The token endpoint accepts only POST',
  rateLimited: 'Rate limit exceeded. Please retry after some time.',
  // Issue 15: Auth0 documents the 429 and its headers but not this text (docs/introspection-and-quotas.md).
  quotaExceeded: 'Token quota exceeded for this client. Check the Auth0-Client-Quota-Limit header for when it resets.',
  quotaExceededNotEnforced: 'Token quota exceeded for this client (not enforced: the token was issued)',
  tooManyFailures: (seconds: number) => `Too many failed authentication attempts for this client from your address; retry in ${seconds} seconds`,
  unavailable: 'The service is temporarily unavailable. Please retry.',
  internal: 'Internal error',
} as const;

/**
 * An /authorize failure before the client and its redirect URI are trusted (RFC 6749 §4.1.2.1):
 * shown on our own HTML error page, never redirected.
 */
export class AuthorizePageError extends Error {
  override name = 'AuthorizePageError';
  readonly status: number;
  readonly title: string;
  /** Extra response headers (Retry-After on a 429). */
  readonly headers: Record<string, string>;
  constructor(title: string, description: string, status = 400, headers: Record<string, string> = {}) {
    super(description);
    this.title = title;
    this.status = status;
    this.headers = headers;
  }
}

/** An /authorize failure once the redirect URI is trusted: sent back through the response mode. */
export class AuthorizeRedirectError extends Error {
  override name = 'AuthorizeRedirectError';
  readonly error: string;
  readonly description: string;
  constructor(error: string, description: string) {
    super(description);
    this.error = error;
    this.description = description;
  }
}

export const AUTHORIZE_TEXT = {
  badRequest: 'Invalid request',
  missingParameter: (name: string) => `Missing required parameter: ${echo(name)}`,
  duplicateParameter: (name: string) => `Parameter ${echo(name)} must not be sent more than once`,
  unknownClient: (clientId: string) => `Unknown client: ${echo(clientId)}`,
  callbackMismatch: 'Callback URL mismatch. The provided redirect_uri is not in the list of allowed callback URLs.',
  callbackMismatchTitle: 'Callback URL mismatch',
  webOriginMismatch: 'The origin of redirect_uri is not in the list of Allowed Web Origins of the application (needed for response_mode=web_message).',
  unsupportedResponseType: (value: string) => `Unsupported response_type: ${echo(value)}`,
  unsupportedResponseMode: (value: string) => `Unsupported response_mode: ${echo(value)}`,
  queryWithTokens: 'response_mode=query cannot carry tokens; use fragment, form_post or web_message',
  responseTypeNotAllowed: (type: string) => `Unauthorized response_type: ${echo(type)} is not allowed for the client`,
  nonceRequired: 'Missing required parameter: nonce (required whenever an id_token is returned)',
  pkceMethod: 'code_challenge_method must be S256',
  pkceChallengeRequired: 'code_challenge is required: public clients must use PKCE (S256)',
  pkceChallengeFormat: 'code_challenge must be the 43-character base64url SHA-256 of the code_verifier',
  pkceMethodWithoutChallenge: 'code_challenge_method was sent without code_challenge',
  serviceNotFound: (audience: string) => `Service not found: ${echo(audience)}`,
  invalidScope: 'The scope parameter is not a space-delimited list of scope tokens',
  invalidPrompt: (value: string) => `Unsupported prompt value: ${echo(value)}`,
  promptNoneWithOthers: 'prompt=none cannot be combined with other prompt values',
  invalidMaxAge: 'max_age must be a non-negative integer',
  tooLong: (name: string, max: number) => `${name} must not be longer than ${max} characters`,
  tooManyTransactions: 'Too many requests',
  busyTitle: 'Please try again',
  loginRequired: 'Login required',
  userBlocked: 'user is blocked',
  accessDenied: 'The user denied access',
  transactionExpired: 'Your login attempt expired or was started in another browser. Go back to the application and try again.',
  transactionTitle: 'Login session expired',
  forbiddenOrigin: 'This form was submitted from another site; go back to the application and try again.',
  invalidReturnTo: (value: string) => `The "returnTo" querystring parameter "${echo(value)}" is not defined as a valid URL in "Allowed Logout URLs".`,
} as const;
