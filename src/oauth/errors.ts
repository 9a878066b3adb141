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
  tooManyFailures: (seconds: number) => `Too many failed authentication attempts for this client from your address; retry in ${seconds} seconds`,
  unavailable: 'The service is temporarily unavailable. Please retry.',
  internal: 'Internal error',
} as const;
