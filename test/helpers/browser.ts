// A browser for in-process tests of the browser flows: a cookie jar over inject() (cookies set
// with Max-Age=0 are dropped, __Host- rules are trusted to the server under test), PKCE values and
// the fields of redirects. Applications and users to log in with come from fixtures.ts.
import { createHash, randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { TestServer } from './test-server.ts';

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
