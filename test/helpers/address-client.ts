// A browser-like HTTPS client of the real server (test/helpers/real-server.ts) that connects from a
// chosen loopback address (127.0.0.0/8 is all loopback on Linux), so that one test can be several
// clients as the server sees them: a cookie jar, form posts, and the time each answer took.
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** From sending the request to the end of the answer. */
  ms: number;
}

export class AddressClient {
  readonly cookies = new Map<string, string>();
  readonly #agent: https.Agent;
  readonly #port: number;
  readonly #host: string;

  /**
   * `domain` is the server's `localhost:PORT`; `from` the local address to connect from. Without
   * `keepAlive`, each request has a connection of its own (no race with the server closing an
   * idle one).
   */
  constructor(domain: string, from: string, options: { maxSockets?: number; keepAlive?: boolean } = {}) {
    const [host = 'localhost', port = '443'] = domain.split(':');
    this.#host = domain;
    this.#port = Number(port);
    this.#agent = new https.Agent({ keepAlive: options.keepAlive ?? true, maxSockets: options.maxSockets ?? 8, localAddress: from, servername: host });
  }

  request(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<Answer> {
    const body = form === undefined ? undefined : new URLSearchParams(form).toString();
    const headers: Record<string, string> = { host: this.#host };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) });
    const started = performance.now();
    return new Promise<Answer>((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: this.#port, method, path, headers, agent: this.#agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          for (const line of res.headers['set-cookie'] ?? []) {
            const [pair = ''] = line.split(';');
            const eq = pair.indexOf('=');
            if (/max-age=0(;|$)/i.test(line)) this.cookies.delete(pair.slice(0, eq));
            else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  get(path: string): Promise<Answer> {
    return this.request('GET', path);
  }

  post(path: string, form: Record<string, string>): Promise<Answer> {
    return this.request('POST', path, form);
  }

  close(): void {
    this.#agent.destroy();
  }
}
