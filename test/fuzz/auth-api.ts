// Authentication API and page requests (not in the OpenAPI document): /oauth/token with each
// grant, /oauth/revoke, /authorize, /userinfo, /v2/logout, the login and sign-up pages, discovery
// and JWKS, CORS preflights, the dashboard and explorer, health, and paths that name nothing.
// Each field is mostly a value that gets the request far (a live client, code, refresh token,
// login transaction: placeholders of target.ts) and sometimes a hostile one.
import fc from 'fast-check';
import { encodeBody, type Encoding, queryString, type Spec } from './spec.ts';
import { encodeText, hostileJson, hostileString, hostileUrlText, Obj, pool, toJson, type J } from './values.ts';

type Field = [string, fc.Arbitrary<J>];

/** A live value (the same index for values that belong together, e.g. a client id and its secret) or a hostile one. */
const live = (name: string) => (index: number): fc.Arbitrary<J> => fc.oneof({ weight: 6, arbitrary: fc.constant(pool(name, index, 'j')) }, { weight: 1, arbitrary: hostileJson });
const text = (...choices: string[]): fc.Arbitrary<J> => fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...choices) }, { weight: 1, arbitrary: hostileJson });

/** Some of the fields (the first ones kept more often), maybe an extra one or a repeated one, in any order. */
function fields(list: Field[]): fc.Arbitrary<[string, J][]> {
  const chosen = list.map(([name, value], i) => fc.oneof({ weight: i < 3 ? 12 : 4, arbitrary: value.map((v): [string, J] => [name, v]) }, { weight: 1, arbitrary: fc.constant(undefined) }));
  const extra = fc.oneof({ weight: 6, arbitrary: fc.constant<[string, J][]>([]) }, { weight: 1, arbitrary: fc.array(fc.tuple(fc.constantFrom(...list.map(([n]) => n), 'foo', '__proto__', 'client_id[]'), hostileJson), { maxLength: 2 }) });
  return fc.tuple(fc.tuple(...chosen), extra).map(([c, e]) => [...c.filter((m): m is [string, J] => m !== undefined), ...e]);
}

const formish: fc.Arbitrary<Encoding> = fc.oneof({ weight: 8, arbitrary: fc.constant<Encoding>('form') }, { weight: 4, arbitrary: fc.constant<Encoding>('json') }, { weight: 1, arbitrary: fc.constantFrom<Encoding>('text/plain', 'none-type', 'charset', 'garbage', 'empty', 'null') });

function post(op: string, url: string, list: (index: number) => Field[], extraHeaders: (index: number) => fc.Arbitrary<Record<string, string>> = () => fc.constant({})): fc.Arbitrary<Spec> {
  return fc.nat(5).chain((index) =>
    fc.record({ members: fields(list(index)), encoding: formish, pick: fc.nat(10), headers: extraHeaders(index), method: fc.oneof({ weight: 15, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'HEAD') }) }).map(
      (r): Spec => ({ op, method: r.method, url, headers: r.headers, ...(r.method !== 'GET' && r.method !== 'HEAD' && { body: encodeBody(new Obj(r.members), r.encoding, r.pick) }) }),
    ),
  );
}

function get(op: string, path: string, list: (index: number) => Field[], extraHeaders: (index: number) => fc.Arbitrary<Record<string, string>> = () => fc.constant({})): fc.Arbitrary<Spec> {
  return fc.nat(5).chain((index) =>
    fc.record({ members: fields(list(index)), headers: extraHeaders(index), raw: fc.nat(9), method: fc.oneof({ weight: 15, arbitrary: fc.constant('GET') }, { weight: 1, arbitrary: fc.constantFrom('HEAD', 'POST', 'DELETE') }) }).map(
      (r): Spec => ({
        op,
        method: r.method,
        url: `${path}${queryString(r.members.map(([k, v]) => [encodeText(k), encodeText(typeof v === 'string' ? v : toJson(v))]))}`,
        headers: r.headers,
        ...(r.raw === 0 && { rawBytes: true }),
      }),
    ),
  );
}

const basicOrNot = (index: number) => fc.oneof({ weight: 5, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.constant({ authorization: `@@t:basic=${index}@@` }) }, { weight: 1, arbitrary: hostileString.map((h) => ({ authorization: `Basic ${Buffer.from(h).toString('base64')}` })) });
const SCOPES = ['openid profile email offline_access', 'read:clients', 'openid', 'read:victim write:victim', ''];
const URLS = ['https://app.example.com/cb', 'https://app.example.com/cb?x=1', 'https://evil.example/cb', 'javascript:alert(1)', 'https://app.example.com/bye'];

export const tokenRequests: fc.Arbitrary<Spec>[] = [
  post('POST /oauth/token client_credentials', '/oauth/token', (i) => [['grant_type', text('client_credentials')], ['client_id', live('m2m')(i)], ['client_secret', live('m2mSecret')(i)], ['audience', live('apiIdentifier')(i)], ['scope', text(...SCOPES)]], basicOrNot),
  post('POST /oauth/token authorization_code', '/oauth/token', (i) => [['grant_type', text('authorization_code')], ['client_id', live('codeClient')(i)], ['code', live('code')(i)], ['code_verifier', live('codeVerifier')(i)], ['redirect_uri', text(...URLS)], ['client_secret', live('m2mSecret')(i)]]),
  post('POST /oauth/token refresh_token', '/oauth/token', (i) => [['grant_type', text('refresh_token')], ['refresh_token', live('refreshToken')(i)], ['client_id', live('codeClient')(i)], ['scope', text(...SCOPES)]]),
  post('POST /oauth/token other grants', '/oauth/token', (i) => [['grant_type', text('password', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'http://auth0.com/oauth/grant-type/password-realm', 'implicit', 'client_credentials ')], ['client_id', live('m2m')(i)], ['username', live('email')(i)], ['password', live('password')(i)], ['client_assertion_type', text('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')], ['client_assertion', text('a.b.c')]]),
  post('POST /oauth/revoke', '/oauth/revoke', (i) => [['token', live('refreshToken')(i)], ['client_id', live('codeClient')(i)], ['token_type_hint', text('refresh_token', 'access_token')], ['client_secret', live('m2mSecret')(i)]], basicOrNot),
  post('POST /userinfo', '/userinfo', (i) => [['access_token', live('userToken')(i)]]),
];

const cookies = (index: number): fc.Arbitrary<Record<string, string>> => fc.oneof({ weight: 3, arbitrary: fc.constant<Record<string, string>>({}) }, { weight: 3, arbitrary: fc.constant({ cookie: pool('loginCookie', index, 'r') }) }, { weight: 1, arbitrary: hostileString.map((h) => ({ cookie: `__Host-scopeward_session=${encodeText(h)}; __Host-scopeward_browser=${encodeText(h)}` })) });
const ORIGINS: Record<string, string>[] = [{ 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example' }, {}];
const sameOrigin = (index: number): fc.Arbitrary<Record<string, string>> => fc.tuple(cookies(index), fc.constantFrom(...ORIGINS)).map(([a, b]) => ({ ...a, ...b }));
const challenge = fc.constantFrom('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'short', '');

export const pageRequests: fc.Arbitrary<Spec>[] = [
  get('GET /authorize', '/authorize', (i) => [
    ['response_type', text('code', 'token', 'id_token', 'token id_token', 'none', 'code id_token')],
    ['client_id', live('codeClient')(i)],
    ['redirect_uri', text(...URLS)],
    ['scope', text(...SCOPES)],
    ['state', fc.oneof(fc.string({ maxLength: 20 }), hostileJson)],
    ['nonce', fc.oneof(fc.string({ maxLength: 20 }), hostileJson)],
    ['code_challenge', fc.oneof(challenge, hostileJson)],
    ['code_challenge_method', text('S256', 'plain')],
    ['response_mode', text('query', 'fragment', 'form_post', 'web_message')],
    ['prompt', text('none', 'login', 'consent')],
    ['audience', live('apiIdentifier')(i)],
    ['screen_hint', text('signup', 'login')],
    ['max_age', text('0', '-1', '1e20')],
    ['junk', fc.constant('x'.repeat(1024))],
  ], cookies),
  post('POST /authorize', '/authorize', () => [['client_id', text('x')]]),
  get('GET /u/login', '/u/login', (i) => [['state', live('loginState')(i)]], cookies),
  get('GET /u/signup', '/u/signup', (i) => [['state', live('loginState')(i)]], cookies),
  post('POST /u/login', '/u/login', (i) => [['state', live('loginState')(i)], ['username', live('email')(i)], ['password', live('password')(i)]], sameOrigin),
  post('POST /u/signup', '/u/signup', (i) => [['state', live('loginState')(i)], ['username', text('new-user@example.com', 'not-an-email')], ['password', text('Correct-Horse-7', 'short')]], sameOrigin),
  get('GET /v2/logout', '/v2/logout', (i) => [['client_id', live('codeClient')(i)], ['returnTo', text(...URLS)], ['federated', text('', 'true')]], cookies),
  get('GET /userinfo', '/userinfo', (i) => [['access_token', live('userToken')(i)]], (i) => fc.constantFrom<Record<string, string>>({}, { authorization: `Bearer ${pool('userToken', i, 'r')}` }, { authorization: 'Bearer a.b.c' })),
];

const anyPath = (prefix: string) => hostileUrlText.map((t) => `${prefix}${t}`);
const publicGet = (op: string, paths: fc.Arbitrary<string>) =>
  fc.record({ path: paths, query: fc.array(fc.tuple(hostileUrlText, hostileUrlText), { maxLength: 2 }), method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE'), origin: fc.constantFrom(undefined, 'https://app.example.com', 'null') }).map(
    (r): Spec => ({ op, method: r.method, url: `${r.path}${queryString(r.query)}`, headers: { ...(r.origin && { origin: r.origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' }) } }),
  );

export const publicRequests: fc.Arbitrary<Spec>[] = [
  publicGet('GET /.well-known/*', fc.constantFrom('/.well-known/openid-configuration', '/.well-known/jwks.json')),
  publicGet('OPTIONS (CORS preflight)', fc.constantFrom('/oauth/token', '/oauth/revoke', '/userinfo', '/api/v2/clients', '/api/v2/users/x')),
  publicGet('GET /dashboard, /explorer', fc.oneof(fc.constantFrom('/dashboard', '/dashboard/', '/dashboard/config.json', '/explorer', '/dashboard/applications'), anyPath('/dashboard/'), anyPath('/dashboard/assets/'), anyPath('/explorer/'))),
  publicGet('GET /healthz, /readyz, /api/v2/openapi.json', fc.constantFrom('/healthz', '/readyz', '/api/v2/openapi.json')),
  publicGet('ANY (no such route)', fc.oneof(anyPath('/'), anyPath('/api/v2/'), anyPath('/oauth/'), anyPath('/u/'), fc.constantFrom('/api/v2', '/api/v2/', '/authorize/', '/oauth/token/'))),
];
