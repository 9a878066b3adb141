// Plain sentences for why the Management API refused a call (401/403; the 400 for a token that is
// not a JWT too), from the server's error body (spec §3.1, texts in src/management/errors.ts) and
// the claim it names in REJECTION_HEADER, the token as decoded in the browser, the clock, and the
// operation's scopes. Also what a token says about itself before it is used. Free of DOM and React,
// so that it can be unit-tested.
import type { DecodedJwt, JsonObject } from './jwt.ts';
import { formatDate } from './format.ts';

export interface ExplainInput {
  status: number;
  /** The server's error body ({statusCode, error, message, errorCode?}), as parsed JSON. */
  body: unknown;
  /** The token the call carried, decoded; undefined when it carried none (or not a JWT). */
  token: DecodedJwt | undefined;
  /** Milliseconds since the epoch. */
  now: number;
  /** The Management API audience of the domain called: `https://DOMAIN/api/v2/`. */
  audience: string;
  /** The operation's `x-scopes`. */
  scopes?: readonly string[];
  scopeMode?: 'any' | 'all';
  /** For tests; the browser's own time zone otherwise. */
  timeZone?: string;
  /** What the server said of a refused token beside its message (its REJECTION_HEADER). */
  rejection?: TokenRejection | undefined;
}

/** The header in which the Management API names a refused token's rule, claim and kind (src/management/auth.ts). */
export const REJECTION_HEADER = 'scopeward-token-rejected';

/** reason: the server's rule; claim: the header parameter or claim; kind: missing, invalid or check_failed. */
export interface TokenRejection {
  reason: string;
  claim: string | undefined;
  kind: string;
}

/** `reason=revoked; claim=jti; kind=check_failed` as a TokenRejection; undefined when absent or unreadable. */
export function parseRejection(value: unknown): TokenRejection | undefined {
  if (typeof value !== 'string') return undefined;
  const fields = new Map(value.split(';').map((part) => part.trim().split('=', 2) as [string, string | undefined]));
  const reason = fields.get('reason');
  const kind = fields.get('kind');
  return reason && kind ? { reason, claim: fields.get('claim') || undefined, kind } : undefined;
}

/** The Management API's messages this module recognises (src/management/errors.ts TEXT). */
const MESSAGE = {
  missing: 'Missing authentication',
  badHeader: 'Bad HTTP authentication header format',
  invalid: 'Invalid token',
  signature: 'Invalid signature received for JSON Web Token validation',
  expired: 'Expired token received for JSON Web Token validation',
  audience: 'Bad audience: ',
  notGlobal: 'Client is not global.',
  scopeAny: 'Insufficient scope, expected any of: ',
  scopeAll: 'Insufficient scope; expected ',
  mismatch: 'User to be acted on does not match subject in bearer token.',
  fields: 'Some fields cannot be updated with the permissions granted by the bearer token scopes: ',
} as const;

const ACCEPTED_ALGS = new Set(['RS256', 'HS256']);

export const grantedScopes = (payload: JsonObject): string[] => (typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : []);

export function audiencesOf(payload: JsonObject): string[] {
  const aud = payload.aud;
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
}

/** `https://DOMAIN/api/v2/` → `https://DOMAIN/` (spec conventions). */
export const issuerOf = (audience: string): string => audience.replace(/api\/v2\/$/, '');

/** An instant in the dashboard's one date format, zone named (lib/format.ts). */
export function formatInstant(epochSeconds: number, _now: number, timeZone?: string): string {
  return formatDate(epochSeconds, timeZone);
}

/** "3 minutes ago", "in 2 hours", "just now". */
export function relative(epochSeconds: number, now: number): string {
  const delta = Math.round(epochSeconds - now / 1000);
  const size = Math.abs(delta);
  if (size < 1) return 'just now';
  const [n, unit] = size < 60 ? [size, 'second'] : size < 3600 ? [Math.floor(size / 60), 'minute'] : size < 86_400 ? [Math.floor(size / 3600), 'hour'] : [Math.floor(size / 86_400), 'day'];
  const amount = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return delta < 0 ? `${amount} ago` : `in ${amount}`;
}

const list = (items: readonly string[]): string => items.join(', ');
const messageOf = (body: unknown): string => (body !== null && typeof body === 'object' && typeof (body as JsonObject).message === 'string' ? ((body as JsonObject).message as string) : '');

function expiredSentence(payload: JsonObject | undefined, now: number, timeZone?: string): string {
  const exp = payload?.exp;
  if (typeof exp !== 'number') return 'The token has expired.';
  return `The token expired at ${formatInstant(exp, now, timeZone)} (${relative(exp, now)}).`;
}

function audienceSentence(token: string[], expected: string): string {
  return `The token is for ${token.length ? token.join(' and ') : 'no audience'}, not ${expected}.`;
}

/** What is visibly wrong with a token for this audience, before it is sent: sentences, or none. */
export function tokenProblems(token: DecodedJwt, now: number, audience: string, timeZone?: string): string[] {
  const { header, payload } = token;
  const problems: string[] = [];
  const issuer = issuerOf(audience);
  if (typeof header.alg === 'string' && !ACCEPTED_ALGS.has(header.alg)) problems.push(`The token is signed with ${header.alg}; the Management API accepts RS256 (and HS256 legacy tokens).`);
  if ('nonce' in payload) problems.push('This is an ID token; the Management API takes access tokens.');
  if (typeof payload.iss === 'string' && payload.iss !== issuer) problems.push(`The token was issued by ${payload.iss}, not by this tenant (${issuer}).`);
  // HS256 legacy tokens carry the Global Client Id as their audience (spec §2.3).
  const audiences = audiencesOf(payload);
  if (header.alg !== 'HS256' && !audiences.includes(audience)) problems.push(audienceSentence(audiences, audience));
  if (typeof payload.exp === 'number' && payload.exp * 1000 <= now) problems.push(expiredSentence(payload, now, timeZone));
  const notBefore = typeof payload.nbf === 'number' ? payload.nbf : typeof payload.iat === 'number' ? payload.iat : undefined;
  // D3: 30 s of leeway, as the server allows.
  if (notBefore !== undefined && notBefore * 1000 > now + 30_000) problems.push(`The token is not valid until ${formatInstant(notBefore, now, timeZone)} (${relative(notBefore, now)}).`);
  return problems;
}

function scopeSentence(needed: readonly string[], mode: 'any' | 'all', granted: readonly string[]): string {
  const need = needed.length === 1 ? needed[0]! : mode === 'all' ? `all of ${list(needed)}` : `one of ${list(needed)}`;
  return `This endpoint needs ${need}; the token has ${granted.length ? list(granted) : 'no scopes'}.`;
}

const HEADER_PARAMETERS = new Set(['crit', 'b64', 'typ', 'alg', 'kid']);
const EXPECTED_TYPE: Record<string, string> = {
  exp: 'a NumericDate (seconds since 1970)',
  nbf: 'a NumericDate (seconds since 1970)',
  iat: 'a NumericDate (seconds since 1970)',
  aud: 'a string or an array of strings',
  typ: 'a string',
  kid: 'a string',
  alg: 'a string',
  scope: 'a string',
  sub: 'a string',
};

/** The sentence for the claim the server named: what about it failed, with its value from the decoded token. */
function rejectionSentence({ reason, claim, kind }: TokenRejection, input: ExplainInput): string | undefined {
  if (claim === undefined) return reason === 'malformed' ? 'The token is not a well-formed JWT.' : undefined;
  const header = HEADER_PARAMETERS.has(claim);
  const value = input.token ? (header ? input.token.header : input.token.payload)[claim] : undefined;
  const shown = value === undefined ? '' : ` (${typeof value === 'string' ? value : JSON.stringify(value)})`;
  if (kind === 'missing') return `The token has no ${claim}${header ? ' in its header' : ' claim'}, and the server requires one.`;
  if (kind === 'invalid') return `The token's ${claim}${shown} is not ${EXPECTED_TYPE[claim] ?? 'of the type it must have'}.`;
  switch (claim) {
    case 'kid':
      return `The key that signed the token${typeof value === 'string' ? ` (kid ${value})` : ''} is not published by this tenant: it was revoked, or the token comes from elsewhere.`;
    case 'alg':
      return `The token's alg${shown} is not accepted; the Management API accepts RS256 (and HS256 legacy tokens when the tenant allows them).`;
    case 'typ':
      return `The token's typ${shown} is not an access token's (JWT or at+jwt).`;
    case 'crit':
    case 'b64':
      return `The token's header has ${claim}, which the server does not support.`;
    case 'iss':
      return `The token's iss${shown} does not match this tenant's issuer (${issuerOf(input.audience)}).`;
    case 'aud':
      return `The token's aud${shown} does not match ${input.audience}.`;
    case 'nbf':
    case 'iat':
      return typeof value === 'number' ? `The token's ${claim} is in the future: it is not valid until ${formatInstant(value, input.now, input.timeZone)} (${relative(value, input.now)}).` : `The token's ${claim} is in the future.`;
    case 'nonce':
      return 'The token has a nonce: it is an ID token, and the Management API takes access tokens.';
    case 'jti':
      return `The token was revoked: its jti${shown} is on this tenant's denylist.`;
    case 'azp':
    case 'client_id':
      return `The application the token was issued to${typeof value === 'string' ? ` (${claim} ${value})` : ''} no longer exists.`;
    default:
      return `The server refused the token's ${claim}.`;
  }
}

/** Why an "Invalid token" answer: the claim the server named, else what the decoded token shows, else the causes it cannot show. */
function invalidTokenSentence(input: ExplainInput): string {
  const named = input.rejection && rejectionSentence(input.rejection, input);
  if (named) return named;
  if (!input.token) return 'The token is not a well-formed JWT.';
  const visible = tokenProblems(input.token, input.now, input.audience, input.timeZone);
  if (visible.length) return visible.join(' ');
  const kid = typeof input.token.header.kid === 'string' ? ` (kid ${input.token.header.kid})` : '';
  return `The token looks right but the server does not accept it: it was revoked, its application was deleted, or the key that signed it${kid} is no longer published by this tenant.`;
}

/** A sentence saying why the call was refused, or undefined when the answer is not a refusal this module knows. */
export function explain(input: ExplainInput): string | undefined {
  const message = messageOf(input.body);
  const payload = input.token?.payload;
  if (input.status === 400 && message === MESSAGE.badHeader) return 'The Authorization header must be "Bearer" followed by a JWT; this token is not a JWT.';
  if (input.status === 401) {
    if (message === MESSAGE.missing) return 'No token was sent: paste one under Set API Token.';
    if (message === MESSAGE.expired) return expiredSentence(payload, input.now, input.timeZone);
    if (message.startsWith(MESSAGE.audience)) {
      const fromToken = payload ? audiencesOf(payload) : [];
      return audienceSentence(fromToken.length ? fromToken : message.slice(MESSAGE.audience.length).split(' ').filter(Boolean), input.audience);
    }
    if (message === MESSAGE.signature) {
      const hs = input.token?.header.alg === 'HS256' ? ' An HS256 token must be signed with the base64-decoded Global Client Secret.' : '';
      return `The token's signature does not match this tenant's keys.${hs}`;
    }
    if (message === MESSAGE.notGlobal) return `This HS256 (legacy) token's audience${payload ? ` (${audiencesOf(payload).join(', ')})` : ''} is not the tenant's Global Client Id.`;
    if (message === MESSAGE.invalid) return invalidTokenSentence(input);
    return message ? `The server refused the token: ${message}` : undefined;
  }
  if (input.status === 403) {
    const granted = payload ? grantedScopes(payload) : [];
    if (message.startsWith(MESSAGE.scopeAny)) return scopeSentence(message.slice(MESSAGE.scopeAny.length).split(','), 'any', granted);
    if (message.startsWith(MESSAGE.scopeAll)) return scopeSentence(message.slice(MESSAGE.scopeAll.length).replace(/\.$/, '').split(' and '), 'all', granted);
    if (message === MESSAGE.mismatch) {
      const sub = typeof payload?.sub === 'string' ? ` (${payload.sub})` : '';
      return `This call may only act on the token's own user${sub}; the request names another user.`;
    }
    if (message.startsWith(MESSAGE.fields)) return `The token's scopes do not allow changing some of these fields: ${message.slice(MESSAGE.fields.length).replace(/\.$/, '')}.`;
    if (!message && input.scopes?.length) return scopeSentence(input.scopes, input.scopeMode ?? 'any', granted);
  }
  return undefined;
}
