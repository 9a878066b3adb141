// The token endpoint contract (RFC 6749 §5.1/§5.2, spec §2.1, security catalogue §4 preamble),
// asserted on every /oauth/token response the token tests see: JSON, no-store, an allowed status,
// an OAuth error body with RFC characters, no secret echoed, never a refresh token.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { expect } from 'vitest';
import type { TestServer } from './test-server.ts';

/** T-TOK-16: the only statuses /oauth/token may answer. */
export const TOKEN_STATUSES: ReadonlySet<number> = new Set([200, 400, 401, 403, 405, 413, 415, 429]);

/** RFC 6749 §5.2: `error` is 1*( %x20-21 / %x23-5B / %x5D-7E ). */
const ERROR_CODE_CHARS = /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/;
/** Auth0's descriptions quote audiences with `"` (spec §2.2), so only printable ASCII is asserted. */
const DESCRIPTION_CHARS = /^[\x20-\x7E]+$/;
/** RFC 6749 §5.2: `error_uri` is 1*( %x21 / %x23-5B / %x5D-7E ). */
const URI_CHARS = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const SUCCESS_KEYS = new Set(['access_token', 'scope', 'expires_in', 'token_type']);

export interface TokenSuccessBody {
  access_token: string;
  scope?: string;
  expires_in: number;
  token_type: 'Bearer';
}

export interface TokenErrorBody {
  error: string;
  error_description: string;
  error_uri?: string;
}

/** Secrets shorter than this cannot be told apart from ordinary text, so they are not searched for. */
const MIN_SECRET_LENGTH = 8;

export function assertTokenContract(res: LightMyRequestResponse, secrets: readonly string[] = []): void {
  expect(TOKEN_STATUSES.has(res.statusCode), `status ${res.statusCode} not allowed: ${res.body.slice(0, 200)}`).toBe(true);
  expect(res.headers['content-type']).toMatch(/^application\/json(;|$)/);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers.pragma).toBe('no-cache');

  const everything = `${JSON.stringify(res.headers)}\n${res.body}`;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH) expect(everything.includes(secret), 'a client secret was echoed').toBe(false);
  }

  const body = JSON.parse(res.body) as Record<string, unknown>;
  if (res.statusCode === 200) {
    expect(Object.keys(body).filter((k) => !SUCCESS_KEYS.has(k))).toEqual([]);
    expect(body).not.toHaveProperty('refresh_token'); // RFC 6749 §4.4.3
    expect(typeof body.access_token).toBe('string');
    expect(body.token_type).toBe('Bearer');
    expect(Number.isInteger(body.expires_in) && (body.expires_in as number) > 0).toBe(true);
    if ('scope' in body) expect(body.scope).toMatch(/^\S+( \S+)*$/);
    return;
  }
  const keys = Object.keys(body).sort();
  expect(keys.filter((k) => k !== 'error_uri')).toEqual(['error', 'error_description']);
  expect(body.error).toMatch(ERROR_CODE_CHARS);
  expect(body.error_description).toMatch(DESCRIPTION_CHARS);
  if ('error_uri' in body) expect(body.error_uri).toMatch(URI_CHARS);
}

export interface TokenCall {
  method?: InjectOptions['method'];
  /** A form body: an object (arrays repeat the field) or a ready-encoded string. */
  form?: Record<string, string | readonly string[]> | string;
  /** A JSON body: any value, or a ready-serialized string. */
  json?: unknown;
  /** Raw body sent with whatever `headers` say. */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  host?: string;
  query?: string;
  basic?: { id: string; secret: string; encode?: boolean };
}

/** RFC 6749 Appendix B: form-urlencode id and secret, then base64 `id:secret`. */
export function basicHeader(id: string, secret: string, encode = true): string {
  const enc = (v: string): string => (encode ? new URLSearchParams({ v }).toString().slice(2) : v);
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`, 'utf8').toString('base64')}`;
}

function encodeForm(form: Record<string, string | readonly string[]>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) {
    for (const v of typeof value === 'string' ? [value] : value) params.append(name, v);
  }
  return params.toString();
}

function secretsIn(call: TokenCall): string[] {
  const found: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'string') found.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
  };
  if (call.form !== undefined && typeof call.form !== 'string') collect(call.form.client_secret);
  if (typeof call.form === 'string') collect(new URLSearchParams(call.form).getAll('client_secret'));
  if (call.json !== null && typeof call.json === 'object') collect((call.json as Record<string, unknown>).client_secret);
  if (call.basic) found.push(call.basic.secret);
  return found;
}

/** Sends one request to /oauth/token and checks the contract before returning the response. */
export async function callToken(s: TestServer, call: TokenCall, extraSecrets: readonly string[] = []): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {};
  let payload: string | Buffer | undefined;
  if (call.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = typeof call.form === 'string' ? call.form : encodeForm(call.form);
  } else if (call.json !== undefined) {
    headers['content-type'] = 'application/json';
    payload = typeof call.json === 'string' ? call.json : JSON.stringify(call.json);
  } else if (call.raw !== undefined) {
    payload = call.raw;
  }
  if (call.basic) headers.authorization = basicHeader(call.basic.id, call.basic.secret, call.basic.encode ?? true);
  Object.assign(headers, call.headers);
  const res = await s.inject({
    method: call.method ?? 'POST',
    url: `/oauth/token${call.query ? `?${call.query}` : ''}`,
    headers,
    ...(payload !== undefined ? { payload } : {}),
    ...(call.host ? { host: call.host } : {}),
  });
  assertTokenContract(res, [...secretsIn(call), ...extraSecrets]);
  return res;
}

/** Asserts an exact OAuth error answer. */
export function expectTokenError(res: LightMyRequestResponse, status: number, error: string, description: string, errorUri?: string): void {
  expect({ status: res.statusCode, body: res.json() }).toEqual({
    status,
    body: { error, error_description: description, ...(errorUri ? { error_uri: errorUri } : {}) },
  });
}

/** The one answer for every client-authentication failure (D1, T-CA-05). */
export function expectUnauthorized(res: LightMyRequestResponse, basicRealm?: string): void {
  expectTokenError(res, 401, 'access_denied', 'Unauthorized');
  expect(res.headers['www-authenticate']).toBe(basicRealm === undefined ? undefined : `Basic realm="${basicRealm}"`);
}

export interface Issued {
  body: TokenSuccessBody;
  header: ProtectedHeaderParameters;
  claims: JWTPayload & { scope?: string; gty?: string; azp?: string };
}

/** A 200 answer, its body and the (unverified) token it carries. */
export function issued(res: LightMyRequestResponse): Issued {
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json<TokenSuccessBody>();
  return { body, header: decodeProtectedHeader(body.access_token), claims: decodeJwt(body.access_token) };
}
