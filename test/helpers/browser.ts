// A browser for in-process tests of the browser flows: a cookie jar over inject() (cookies set
// with Max-Age=0 are dropped, __Host- rules are trusted to the server under test), plus seeding of
// SPA / web applications and database users, and PKCE values.
import { createHash, randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { PasswordHasher } from '../../src/domain/passwords.ts';
import type { UserRecord } from '../../src/storage/ports.ts';
import type { TestServer } from './test-server.ts';
import { seedUser as storeUser } from './user-token.ts';

export class TestBrowser {
  readonly cookies = new Map<string, string>();
  readonly #server: TestServer;
  readonly #ip: string;
  constructor(server: TestServer, ip = '203.0.113.7') {
    this.#server = server;
    this.#ip = ip;
  }

  #remember(res: LightMyRequestResponse): LightMyRequestResponse {
    const raw = res.headers['set-cookie'];
    for (const line of raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      if (/max-age=0(;|$)/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair!.slice(eq + 1));
    }
    return res;
  }

  #cookieHeader(): Record<string, string> {
    return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.#remember(await this.#server.inject({ method: 'GET', url, remoteAddress: this.#ip, headers: { ...this.#cookieHeader(), ...headers } }));
  }

  async post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.#remember(
      await this.#server.inject({
        method: 'POST',
        url,
        remoteAddress: this.#ip,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...this.#cookieHeader(), ...headers },
        payload: new URLSearchParams(form).toString(),
      }),
    );
  }
}

export interface AppOptions {
  name?: string;
  appType?: 'spa' | 'regular_web' | 'native';
  callbacks?: string[];
  webOrigins?: string[];
  logoutUrls?: string[];
  grantTypes?: string[];
  refreshToken?: Record<string, unknown>;
}

export interface SeededApp {
  clientId: string;
  /** Only for confidential (regular_web) applications. */
  clientSecret?: string;
}

/** An interactive application stored directly (as POST /api/v2/clients would make it). */
export async function seedApp(server: TestServer, options: AppOptions = {}): Promise<SeededApp> {
  const { newClientData } = await import('../../src/management/client-view.ts');
  const { newClientId, newClientSecret } = await import('../../src/domain/ids.ts');
  const { sealClientSecret } = await import('../../src/domain/secret-locations.ts');
  const appType = options.appType ?? 'spa';
  const clientId = newClientId();
  const clientSecret = appType === 'regular_web' ? newClientSecret() : undefined;
  const now = new Date(server.clock.now()).toISOString();
  const data = newClientData(
    {
      name: options.name ?? 'My SPA',
      app_type: appType,
      callbacks: options.callbacks ?? ['https://app.example.com/cb'],
      web_origins: options.webOrigins ?? ['https://app.example.com'],
      allowed_logout_urls: options.logoutUrls ?? ['https://app.example.com/bye'],
      ...(options.grantTypes && { grant_types: options.grantTypes as never }),
      ...(options.refreshToken && { refresh_token: options.refreshToken }),
    },
    { clientId, tenantName: server.tenant.name },
  );
  await server.storage.clients.create({
    tenantId: server.tenant.id,
    clientId,
    data,
    ...(clientSecret ? sealClientSecret(server.envelope, server.tenant.id, clientId, clientSecret) : { secretSealed: null, secretMac: null }),
    createdAt: now,
    updatedAt: now,
  });
  await server.registry.settled();
  return { clientId, ...(clientSecret && { clientSecret }) };
}

export interface SeededUser {
  userId: string;
  email: string;
  password: string;
}

let hasher: PasswordHasher | undefined;

/** A database user stored directly, with an argon2id hash of `password`. */
export async function seedUser(server: TestServer, email: string, password = 'Correct-Horse-7', extra: Partial<UserRecord> = {}): Promise<SeededUser> {
  hasher ??= new PasswordHasher();
  const record = await storeUser(server, {
    email: email.toLowerCase(),
    name: email,
    nickname: email.split('@')[0]!,
    picture: 'https://s.gravatar.com/avatar/x?s=480',
    passwordHash: await hasher.hash(password),
    ...extra,
  });
  return { userId: record.userId, email: record.email!, password };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The query (or fragment) fields of a redirect's Location. */
export function locationFields(res: LightMyRequestResponse): { base: string; fields: Record<string, string>; part: 'query' | 'fragment' } {
  const location = String(res.headers.location);
  const hash = location.indexOf('#');
  if (hash >= 0) return { base: location.slice(0, hash), fields: Object.fromEntries(new URLSearchParams(location.slice(hash + 1))), part: 'fragment' };
  const url = new URL(location);
  const fields = Object.fromEntries(url.searchParams);
  url.search = '';
  return { base: url.toString(), fields, part: 'query' };
}

/** The transaction id of a redirect to our login page. */
export function loginState(res: LightMyRequestResponse): string {
  const location = String(res.headers.location);
  const match = /^\/u\/(?:login|signup)\?state=([^&]+)$/.exec(location);
  if (!match) throw new Error(`not a redirect to the login page: ${res.statusCode} ${location} ${res.body.slice(0, 300)}`);
  return decodeURIComponent(match[1]!);
}

export function authorizeUrl(params: Record<string, string>): string {
  return `/authorize?${new URLSearchParams(params).toString()}`;
}
