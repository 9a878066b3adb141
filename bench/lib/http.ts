// One HTTP(S) request to a server on 127.0.0.1 that is addressed as `localhost:PORT` (the Host
// header picks the tenant; SNI picks the certificate). Over HTTPS the certificate is checked
// against the local CA, so the bench proves the chain a real client would see is valid.
import http from 'node:http';
import https from 'node:https';

export interface Endpoint {
  scheme: 'http' | 'https';
  port: number;
  /** PEM of the CA that signed the server certificate (HTTPS only). */
  ca?: string;
  /** The port in the tenant's domain, when the server listens on another one (default: port). */
  hostPort?: number;
}

export interface Reply {
  status: number;
  body: string;
}

export const hostHeader = (e: Endpoint): string => `localhost:${e.hostPort ?? e.port}`;
export const loopbackUrl = (e: Endpoint, path: string): string => `${e.scheme}://127.0.0.1:${e.port}${path}`;

export function request(e: Endpoint, method: string, path: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = { host: hostHeader(e), ...options.headers };
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  const base = { host: '127.0.0.1', port: e.port, method, path, headers, agent: false as const, timeout: 10_000 };
  return new Promise((resolve, reject) => {
    const req =
      e.scheme === 'https'
        ? https.request({ ...base, servername: 'localhost', ...(e.ca ? { ca: e.ca } : {}), rejectUnauthorized: true })
        : http.request(base);
    req.once('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.once('error', reject);
    req.once('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.once('error', reject);
    });
    req.end(options.body);
  });
}

export async function requestJson<T>(e: Endpoint, method: string, path: string, options: { headers?: Record<string, string>; json?: unknown; form?: Record<string, string> } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const reply = await request(e, method, path, { headers, ...(body !== undefined ? { body } : {}) });
  if (reply.status < 200 || reply.status > 299) throw new Error(`${method} ${path} answered ${reply.status}: ${reply.body.slice(0, 500)}`);
  return JSON.parse(reply.body) as T;
}

/** The decoded header and payload of a compact JWS (no verification: only to check its shape). */
export function peekJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  const decode = (s: string | undefined): Record<string, unknown> => JSON.parse(Buffer.from(s ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(h), payload: decode(p) };
}
