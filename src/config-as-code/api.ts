// The Management API as configuration as code sees it: a caller of /api/v2 with a bearer token,
// nothing more (like the dashboard and like `a0deploy`). Every read and write of `scopeward export`
// and `scopeward import` goes through it, so each change meets the route's scope guard, schema
// validation, handler rules and tenant-log event exactly as any other Management API call does.

/** One HTTP exchange with the Management API; `path` starts with /api/v2. */
export type Send = (request: { method: string; path: string; body?: unknown }) => Promise<{ status: number; body: unknown }>;

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface ManagementApi {
  /** The tenant's domain (host[:port]), as the token's issuer names it. */
  readonly domain: string;
  /** The application the token was issued to (never changed by an import, as a0deploy does). */
  readonly callerClientId: string | undefined;
  get(path: string): Promise<unknown>;
  post(path: string, body: unknown): Promise<unknown>;
  patch(path: string, body: unknown): Promise<unknown>;
  delete(path: string): Promise<void>;
  /** Every item of a paged list (`page`/`per_page` with totals). */
  list(path: string, key: string): Promise<Record<string, unknown>[]>;
}

const PER_PAGE = 100;
/** A 429 is retried this many times, waiting a little longer each time. */
const RETRIES = 5;

function describe(status: number, body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const text = typeof b.message === 'string' ? b.message : typeof b.error_description === 'string' ? b.error_description : undefined;
    const code = typeof b.errorCode === 'string' ? ` [${b.errorCode}]` : typeof b.error === 'string' && text !== b.error ? ` [${b.error}]` : '';
    if (text) return `${status} ${text}${code}`;
  }
  return `HTTP ${status}`;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function managementApi(send: Send, info: { domain: string; callerClientId: string | undefined }): ManagementApi {
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    for (let attempt = 0; ; attempt++) {
      const res = await send({ method, path, ...(body !== undefined && { body }) });
      if (res.status === 429 && attempt < RETRIES) {
        await pause(500 * 2 ** attempt);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return res.body;
      throw new ApiError(res.status, `${method} ${path}: ${describe(res.status, res.body)}`);
    }
  };
  return {
    ...info,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    patch: (path, body) => call('PATCH', path, body),
    async delete(path) {
      await call('DELETE', path);
    },
    async list(path, key) {
      const items: Record<string, unknown>[] = [];
      const joiner = path.includes('?') ? '&' : '?';
      for (let page = 0; ; page++) {
        const body = (await call('GET', `${path}${joiner}page=${page}&per_page=${PER_PAGE}&include_totals=true`)) as Record<string, unknown>;
        const batch = Array.isArray(body) ? body : body[key];
        if (!Array.isArray(batch)) throw new ApiError(0, `GET ${path}: the answer has no "${key}" list`);
        items.push(...(batch as Record<string, unknown>[]));
        const total = Array.isArray(body) ? undefined : body.total;
        if (batch.length < PER_PAGE || (typeof total === 'number' && items.length >= total)) return items;
      }
    },
  };
}

/** The claims of a JWT, read without verification (only to learn which application it names). */
function unverifiedClaims(token: string): Record<string, unknown> {
  try {
    const payload = token.split('.')[1] ?? '';
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The application a Management API token was issued to: `azp`, else `client_id`, else `sub` minus `@clients`. */
export function clientOfToken(token: string): string | undefined {
  const c = unverifiedClaims(token);
  if (typeof c.azp === 'string') return c.azp;
  if (typeof c.client_id === 'string') return c.client_id;
  return typeof c.sub === 'string' && c.sub.endsWith('@clients') ? c.sub.slice(0, -'@clients'.length) : undefined;
}
