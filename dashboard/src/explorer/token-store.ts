// The explorer's token and domain: kept in memory and in this tab's sessionStorage only (gone when
// the tab closes), and read by both the React page and the Swagger UI plugin, which has its own
// React; so it is a tiny external store (subscribe/get) rather than React state.
import { decodeJwt, type DecodedJwt } from '../lib/jwt.ts';
import { grantedScopes } from '../lib/explain.ts';

export interface ExplorerToken {
  /** host[:port] of the tenant; calls go to https://DOMAIN/api/v2. */
  domain: string;
  /** The raw token ('' when none). */
  token: string;
  decoded: DecodedJwt | undefined;
  granted: ReadonlySet<string>;
}

const KEYS = { domain: 'scopeward.explorer.domain', token: 'scopeward.explorer.token' } as const;

/** What people paste as a domain (`https://host:port/api/v2/`) → `host:port`; undefined when it is not a host. */
export function normalizeDomain(input: string): string | undefined {
  const text = input.trim();
  if (text === '') return undefined;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
    return url.username === '' && url.password === '' ? url.host : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the token's exp has passed (`now` in milliseconds); a token without exp never expires. */
export function isExpired(state: ExplorerToken, now: number): boolean {
  const exp = state.decoded?.payload.exp;
  return typeof exp === 'number' && exp * 1000 <= now;
}

export const normalizeToken = (input: string): string => input.trim().replace(/^Bearer\s+/i, '');

function snapshot(domain: string, token: string): ExplorerToken {
  const decoded = token ? decodeJwt(token) : undefined;
  return { domain, token, decoded, granted: new Set(decoded ? grantedScopes(decoded.payload) : []) };
}

export class ExplorerStore {
  #state: ExplorerToken;
  readonly #listeners = new Set<() => void>();
  readonly #storage: Storage | undefined;

  constructor(defaultDomain: string, storage: Storage | undefined) {
    this.#storage = storage;
    this.#state = snapshot(normalizeDomain(storage?.getItem(KEYS.domain) ?? '') ?? defaultDomain, storage?.getItem(KEYS.token) ?? '');
  }

  readonly get = (): ExplorerToken => this.#state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  };

  /** The Management API audience of the domain set: `https://DOMAIN/api/v2/`. */
  audience(): string {
    return `https://${this.#state.domain}/api/v2/`;
  }

  set(domain: string, token: string): void {
    this.#state = snapshot(domain, normalizeToken(token));
    this.#storage?.setItem(KEYS.domain, domain);
    if (this.#state.token) this.#storage?.setItem(KEYS.token, this.#state.token);
    else this.#storage?.removeItem(KEYS.token);
    for (const listener of this.#listeners) listener();
  }
}
