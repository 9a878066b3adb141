// The dashboard's only way to the server: the Management API with the signed-in admin's token.
// Errors keep Auth0's body ({statusCode, error, message, errorCode}) so pages can show it as is.

export interface ApiErrorBody {
  statusCode?: number;
  error?: string;
  message?: string;
  errorCode?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly body: ApiErrorBody | undefined;
  constructor(status: number, body: ApiErrorBody | undefined) {
    super(body?.message ?? `The server answered ${status}.`);
    this.status = status;
    this.body = body;
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
}

export type TokenSource = () => Promise<string>;

export class ApiClient {
  /** `base` is the tenant's origin, e.g. `https://localhost:8443`. */
  constructor(
    private readonly base: string,
    private readonly token: TokenSource,
  ) {}

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(`/api/v2${path}`, this.base);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { authorization: `Bearer ${await this.token()}` };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'omit',
    });
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : safeJson(text);
    if (!response.ok) throw new ApiError(response.status, parsed as ApiErrorBody | undefined);
    return parsed as T;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query });
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, { body: body ?? {} });
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body });
  }
  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body });
  }
  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

/** Path segment, encoded (ids such as `auth0|abc` carry characters that must be escaped). */
export const seg = (id: string): string => encodeURIComponent(id);
