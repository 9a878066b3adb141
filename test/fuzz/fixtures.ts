// The live objects fuzzed requests aim at, so that inputs reach the handlers' real work: victim
// applications (with their secrets), an API, grants, users with passwords, a device key, login
// transactions, authorization codes and refresh tokens, and whatever keys, logs and connections
// exist. The fuzzer may delete, rotate or change any of them; refresh() makes a fresh set and
// lists the rest again. Applications the harness authenticates with are never offered.
import { randomBytes } from 'node:crypto';
import { PasswordHasher } from '../../src/domain/passwords.ts';
import { authorizeUrl, locationFields, loginState, pkcePair, TestBrowser } from '../helpers/browser.ts';
import { seedApp, seedM2M, seedUser } from '../helpers/fixtures.ts';
import { userToken } from '../helpers/user-token.ts';
import type { TestServer } from '../helpers/test-server.ts';

export type Pools = Record<string, string[]>;

/** `{a: {a: … 1}}`, `levels` deep, built without recursion. */
function nest(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { a: 1 };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

const PASSWORD = 'Correct-Horse-7';
const CB = 'https://app.example.com/cb';
const DEVICE_KEY = { device_name: 'fuzz phone', type: 'public_key', value: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA' };

type Call = (method: string, url: string, payload?: unknown) => Promise<{ status: number; json: () => unknown }>;

export class Fixtures {
  readonly #s: TestServer;
  /** Client ids the harness signs in with: never offered to the fuzzer. */
  readonly owned: Set<string>;
  #generation = 0;
  /** One argon2id hash of PASSWORD for every victim user (hashing is the slow part of a refresh). */
  #hash: Promise<string> | undefined;

  constructor(server: TestServer, owned: Set<string>) {
    this.#s = server;
    this.owned = owned;
  }

  /** A fresh set of victims and the server's current objects, as pools of values. */
  async refresh(admin: Call): Promise<Pools> {
    const s = this.#s;
    const n = ++this.#generation;
    // A row written before today's limits existed (S2): metadata nested 1,500 deep, which every
    // search over user_metadata meets. Stored once, straight into the database.
    if (n === 1) await seedUser(s, { email: 'stored-before-limits@example.com', userMetadata: nest(1500) });
    const tag = `${n}-${randomBytes(3).toString('hex')}`;
    const api = await admin('POST', '/resource-servers', { identifier: `https://victim-${tag}.example/`, name: `victim ${tag}`, scopes: [{ value: 'read:victim' }, { value: 'write:victim' }], allow_offline_access: true });
    const { id: apiId, identifier } = api.json() as { id: string; identifier: string };
    const m2m = [await seedM2M(s, ['read:clients', 'read:users'], { name: `victim m2m ${tag}` }), await seedM2M(s, ['read:logs'], { name: `victim m2m 2 ${tag}` })];
    const grants: string[] = [];
    for (const c of m2m) {
      const grant = await admin('POST', '/client-grants', { client_id: c.clientId, audience: identifier, scope: ['read:victim'] });
      if (grant.status === 201) grants.push((grant.json() as { id: string }).id);
    }
    const spa = await seedApp(s, { name: `victim spa ${tag}` });
    const web = await seedApp(s, { name: `victim web ${tag}`, type: 'regular_web' });
    this.#hash ??= new PasswordHasher().hash(PASSWORD);
    const passwordHash = await this.#hash;
    const users = await Promise.all(['victim', 'victim-b'].map((name) => seedUser(s, { email: `${name}-${tag}@example.com`, name, passwordHash })));
    await admin('POST', '/device-credentials', { ...DEVICE_KEY, device_id: randomBytes(8).toString('hex'), client_id: spa.clientId, user_id: users[0]!.userId });
    await s.registry.settled();

    // Login transactions (with their browser cookie), codes and a refresh token, through the real pages.
    const flows = [await this.#login(spa.clientId, users[0]!.email!), await this.#login(spa.clientId, users[0]!.email!)] as const;
    const exchanged = await s.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'authorization_code', client_id: spa.clientId, code: flows[1].code, code_verifier: flows[1].verifier, redirect_uri: CB }).toString(),
    });
    const refresh = exchanged.json<{ refresh_token?: string }>().refresh_token;
    if (refresh === undefined) throw new Error(`the harness's code exchange failed: ${exchanged.statusCode} ${exchanged.body}`);

    /** `key` of every listed item, but never of the harness's own applications or their grants. */
    const list = async (url: string, key: string): Promise<string[]> => {
      const res = await admin('GET', url);
      const body = res.json() as Record<string, unknown>[] | Record<string, Record<string, unknown>[]>;
      const items = res.status !== 200 ? [] : Array.isArray(body) ? body : (Object.values(body).find(Array.isArray) ?? []);
      return items.filter((item) => !this.owned.has(String(item.client_id))).map((item) => String(item[key]));
    };
    const clients = await list('/clients?fields=client_id&per_page=100', 'client_id');
    const userIds = users.map((u) => u.userId);
    const connections = await list('/connections', 'id');
    return {
      client: [m2m[0]!.clientId, spa.clientId, web.clientId, ...clients.slice(-5), 'nonexistent-client'],
      m2m: m2m.map((c) => c.clientId),
      m2mSecret: m2m.map((c) => c.clientSecret),
      codeClient: [spa.clientId, web.clientId],
      api: [apiId, ...(await list('/resource-servers', 'id')).slice(0, 2), encodeURIComponent(identifier)],
      apiIdentifier: [identifier, s.tenant.managementAudience, 'https://nonexistent.example/'],
      grant: [...grants, ...(await list('/client-grants?per_page=20', 'id')).slice(0, 5)],
      user: [...userIds, 'auth0|000000000000000000000000'],
      self: [userIds[1]!],
      identityUser: userIds.map((id) => id.replace(/^auth0\|/, '')),
      userOrEmail: [...userIds, ...users.map((u) => u.email!)],
      email: users.map((u) => u.email!),
      password: [PASSWORD, 'wrong-Password-1'],
      provider: ['auth0', 'google-oauth2', 'duo', 'google-authenticator'],
      kid: await list('/keys/signing', 'kid'),
      log: await list('/logs?per_page=5', 'log_id'),
      connection: connections,
      connectionName: await list('/connections', 'name'),
      deviceCredential: await list(`/device-credentials?type=public_key&user_id=${encodeURIComponent(userIds[0]!)}`, 'id'),
      testToken: await list('/scopeward/test-tokens', 'id'),
      scope: ['read:clients', 'read:victim', 'openid', 'create:users'],
      jti: ['fuzz-jti'],
      loginState: flows.map((f) => f.state),
      loginCookie: flows.map((f) => f.cookie),
      code: [flows[0].code],
      codeVerifier: [flows[0].verifier],
      refreshToken: [refresh],
      userToken: [await userToken(s, userIds[1]!, ['openid', 'profile', 'email'], { clientId: spa.clientId })],
    };
  }

  /** /authorize with PKCE, then the login form: a live transaction (state and cookie) and a code. */
  async #login(clientId: string, email: string): Promise<{ state: string; cookie: string; code: string; verifier: string }> {
    const { verifier, challenge } = pkcePair();
    const params = { response_type: 'code', client_id: clientId, redirect_uri: CB, scope: 'openid profile email offline_access', state: 'st', nonce: 'nn', code_challenge: challenge, code_challenge_method: 'S256' };
    const browser = new TestBrowser(this.#s, '198.51.100.9');
    const state = loginState(await browser.get(authorizeUrl(params)));
    const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const spare = loginState(await browser.get(authorizeUrl(params)));
    const done = await browser.post('/u/login', { state, username: email, password: PASSWORD });
    const code = locationFields(done).fields.code ?? '';
    return { state: spare, cookie, code, verifier };
  }
}
