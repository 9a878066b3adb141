// The /authorize request as the checks build it (spec §2.5), and how it is read off the query:
// every parameter at most once, strings only, no NUL (T-AZ-01). Stored as JSON in a login
// transaction while the user logs in, so it holds only plain values.
import { AUTHORIZE_TEXT, AuthorizePageError } from '../errors.ts';

export type ResponseMode = 'query' | 'fragment' | 'form_post' | 'web_message';
export type ResponsePart = 'code' | 'token' | 'id_token';

export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  /** The request named redirect_uri (RFC 6749 §4.1.3: the code exchange must then repeat it). */
  redirectUriGiven: boolean;
  /** Sorted parts of response_type. */
  responseType: ResponsePart[];
  responseMode: ResponseMode;
  state: string | undefined;
  nonce: string | undefined;
  scope: string[];
  /** The API the access token is for; undefined: /userinfo only. */
  audience: string | undefined;
  prompt: string[];
  maxAge: number | undefined;
  codeChallenge: string | undefined;
  loginHint: string | undefined;
  screenHint: string | undefined;
}

export type RawParams = ReadonlyMap<string, string>;

/** Reads the query strictly; a repeated or non-string parameter is refused on our own page. */
export function readAuthorizeParams(query: Record<string, unknown>): RawParams {
  const params = new Map<string, string>();
  for (const [name, value] of Object.entries(query)) {
    if (Array.isArray(value)) throw new AuthorizePageError(AUTHORIZE_TEXT.badRequest, AUTHORIZE_TEXT.duplicateParameter(name));
    if (typeof value !== 'string' || value.includes('\u0000') || name.includes('\u0000')) {
      throw new AuthorizePageError(AUTHORIZE_TEXT.badRequest, `Parameter ${name.replace(/[^\x20-\x7e]/g, '?').slice(0, 100)} is not valid`);
    }
    if (value !== '') params.set(name, value);
  }
  return params;
}

export function includes(request: Pick<AuthorizeRequest, 'responseType'>, part: ResponsePart): boolean {
  return request.responseType.includes(part);
}

/** Implicit: tokens come straight from /authorize (response_type token and/or id_token, no code). */
export function isImplicit(request: Pick<AuthorizeRequest, 'responseType'>): boolean {
  return !request.responseType.includes('code');
}
