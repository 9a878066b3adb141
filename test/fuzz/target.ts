// The server under fuzz: an in-process Scopeward (SQLite in memory, or a PostgreSQL schema) reached
// through Fastify's inject or a real socket on 127.0.0.1, the tokens fuzzed requests carry (minted
// on demand for any scope set), the fixtures they aim at, and the checks between batches: health,
// a normal token request, nothing logged at error level, no unhandled rejection.
import { Buffer } from 'node:buffer';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MANAGEMENT_SCOPES } from '../../src/domain/scopes.ts';
import { tokenFor } from '../helpers/mgmt.ts';
import { seedM2M, type M2M } from '../helpers/fixtures.ts';
import { DOMAIN, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { userToken } from '../helpers/user-token.ts';
import { Fixtures, type Pools } from './fixtures.ts';
import type { Answer } from './oracle.ts';
import type { Spec } from './spec.ts';
import { PLACEHOLDER } from './values.ts';

export interface Wire {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  rawBytes: boolean;
}

/** Whether HTTP itself refuses the request (before any route): raw bytes in the request line, or a head over 16 KiB. */
export function unparseable(wire: Wire): boolean {
  const head = wire.url.length + Object.entries(wire.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  return (wire.rawBytes && /%[89A-Fa-f]/.test(wire.url)) || head > 16 * 1024 - 256;
}

export interface TargetOptions {
  transport: 'inject' | 'http';
  databaseUrl?: string;
  pgSchema?: string;
}

const TOKEN = /@@t:([^@]+)@@/g;

export class FuzzTarget {
  readonly server: TestServer;
  readonly openapi: Record<string, unknown>;
  readonly #fixtures: Fixtures;
  readonly #clients = new Map<string, M2M>();
  readonly #tokens = new Map<string, string>();
  readonly #send: (wire: Wire) => Promise<Answer>;
  readonly #close: () => Promise<void>;
  #pools: Pools = {};
  #settings: Record<string, unknown> | undefined;

  private constructor(server: TestServer, openapi: Record<string, unknown>, send: (wire: Wire) => Promise<Answer>, close: () => Promise<void>) {
    this.server = server;
    this.openapi = openapi;
    this.#send = send;
    this.#close = close;
    this.#fixtures = new Fixtures(server, new Set());
  }

  static async start(options: TargetOptions): Promise<FuzzTarget> {
    const dashboardDir = dashboardBuild();
    const server = await startTestServer({ dashboardDir, ...(options.databaseUrl && { databaseUrl: options.databaseUrl, ...(options.pgSchema && { pgSchema: options.pgSchema }) }) });
    let send = injectSender(server);
    let stop = async () => {};
    if (options.transport === 'http') {
      await server.fastify.listen({ host: '127.0.0.1', port: 0 });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
      send = httpSender((server.fastify.server.address() as AddressInfo).port, agent);
      stop = async () => agent.destroy();
    }
    const openapi = (await server.inject({ method: 'GET', url: '/api/v2/openapi.json' })).json<Record<string, unknown>>();
    const target = new FuzzTarget(server, openapi, send, async () => {
      await stop();
      await server.close();
      rmSync(dashboardDir, { recursive: true, force: true });
    });
    await target.repair();
    return target;
  }

  /** The token a placeholder asks for: `admin`, `scopes=a b`, `user=a b`, `basic=i`. */
  async #token(kind: string): Promise<string> {
    const cached = this.#tokens.get(kind);
    if (cached !== undefined) return cached;
    const [what, arg = ''] = kind.split('=', 2) as [string, string?];
    let token: string;
    if (what === 'user') {
      token = await userToken(this.server, this.#pools.self![0]!, arg.split(' '), { clientId: this.#pools.codeClient![0]! });
    } else if (what === 'basic') {
      const i = Number(arg) % this.#pools.m2m!.length;
      return `Basic ${Buffer.from(`${encodeURIComponent(this.#pools.m2m![i]!)}:${encodeURIComponent(this.#pools.m2mSecret![i]!)}`).toString('base64')}`;
    } else {
      const scopes = what === 'admin' ? [...MANAGEMENT_SCOPES] : arg.split(' ');
      const key = scopes.join(' ');
      const client = this.#clients.get(key);
      // A fuzzed request may still have reached one of ours (a grant deleted through a list): then a new one.
      const minted = client && (await tokenFor(this.server, client).catch(() => undefined));
      if (minted) {
        token = minted;
      } else {
        const fresh = await seedM2M(this.server, scopes, { name: `fuzz harness ${this.#clients.size}` });
        this.#fixtures.owned.add(fresh.clientId);
        this.#clients.set(key, fresh);
        token = await tokenFor(this.server, fresh);
      }
    }
    this.#tokens.set(kind, token);
    return token;
  }

  /** A spec with the server's values filled in. */
  async wire(spec: Spec): Promise<Wire> {
    const value = (name: string, index: string): string => {
      const values = this.#pools[name] ?? [];
      return values.length === 0 ? `no-${name}` : values[Number(index) % values.length]!;
    };
    const fill = (text: string): string =>
      text.replace(PLACEHOLDER, (_m, context: string, name: string, index: string) => {
        const v = value(name, index);
        return context === 'u' ? encodeURIComponent(v) : context === 'j' ? JSON.stringify(v).slice(1, -1) : v;
      });
    const headers: Record<string, string> = {};
    for (const [name, raw] of Object.entries(spec.headers)) {
      let filled = fill(raw);
      for (const m of [...filled.matchAll(TOKEN)]) filled = filled.replace(m[0], await this.#token(m[1]!));
      headers[name] = filled;
    }
    const body = spec.body && ('bytes' in spec.body ? Buffer.from(spec.body.bytes) : Buffer.from(fill(spec.body.text), 'utf8'));
    if (spec.body?.contentType) headers['content-type'] = spec.body.contentType;
    return { method: spec.method, url: fill(spec.url), headers, body, rawBytes: spec.rawBytes === true };
  }

  send(wire: Wire): Promise<Answer> {
    return this.#send(wire);
  }

  /**
   * Between batches: a day passes (every rate-limit window ends), the tenant's settings return to
   * what they were, tokens are renewed, and a fresh set of fixtures is made.
   */
  async repair(): Promise<void> {
    this.server.clock.advance(86_400 + 60);
    this.#tokens.clear();
    const admin = await this.#token('admin');
    const call = async (method: string, url: string, payload?: unknown) => {
      const res = await this.server.inject({ method: method, url: `/api/v2${url}`, headers: { authorization: `Bearer ${admin}` }, ...(payload !== undefined && { payload: payload as object }) });
      return { status: res.statusCode, json: () => res.json<unknown>() };
    };
    // Fuzzed PATCH /tenants/settings may have set anything (a default audience, tiny rate limits): back to the start.
    const tenant = this.server.tenant.id;
    this.#settings ??= (await this.server.storage.tenants.get(tenant))!.settings;
    await this.server.storage.tenants.update(tenant, { settings: this.#settings });
    await this.server.registry.reloadTenants();
    this.#pools = await this.#fixtures.refresh(call);
  }

  /** Problems with the server's health now: /healthz, /readyz, a normal token request, an admin read. */
  async health(): Promise<string[]> {
    const out: string[] = [];
    const healthz = await this.send({ method: 'GET', url: '/healthz', headers: {}, body: undefined, rawBytes: false });
    if (healthz.status !== 200 || healthz.body !== '{"status":"ok"}') out.push(`/healthz answered ${healthz.status} ${healthz.body.slice(0, 100)}`);
    const readyz = await this.send({ method: 'GET', url: '/readyz', headers: {}, body: undefined, rawBytes: false });
    if (readyz.status !== 200) out.push(`/readyz answered ${readyz.status} ${readyz.body.slice(0, 100)}`);
    const client = [...this.#clients.values()][0]!;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, audience: this.server.tenant.managementAudience });
    const token = await this.send({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form.toString()), rawBytes: false });
    // A fuzzed PATCH /tenants/settings may have lowered the limits: a 429 then is the server keeping them.
    const limited = token.status === 429 && (await this.server.storage.tenants.get(this.server.tenant.id))?.settings.rate_limits !== undefined;
    if (token.status !== 200 && !limited) out.push(`a normal token request answered ${token.status} ${token.body.slice(0, 100)}`);
    return out;
  }

  /** Lines logged at error level or above since the last call (pino: level 50 error, 60 fatal). */
  errorLogs(): string[] {
    // Read lines are dropped: a long run would otherwise keep every access-log line in memory.
    return this.server.logs.splice(0).filter((line) => /"level":(5|6)\d/.test(line));
  }

  close(): Promise<void> {
    return this.#close();
  }
}

/**
 * A small dashboard build, so the dashboard's routes serve pages and assets whether or not
 * `npm run build` has run (without one they answer a deliberate 503 saying so).
 */
function dashboardBuild(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'scopeward-fuzz-dashboard-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><html><head><script type="module" src="/dashboard/assets/index-f0220.js"></script></head><body></body></html>');
  writeFileSync(path.join(dir, 'assets', 'index-f0220.js'), 'console.log("dashboard");\n');
  return dir;
}

function injectSender(server: TestServer): (wire: Wire) => Promise<Answer> {
  return async (wire) => {
    const res = await server.inject({ method: wire.method, url: wire.url, headers: wire.headers, ...(wire.body !== undefined && { payload: wire.body }) });
    return { status: res.statusCode, headers: res.headers, body: res.body };
  };
}

/** A real request over loopback; with rawBytes, %80-%FF escapes in the URL go out as raw bytes. */
function httpSender(port: number, agent: http.Agent): (wire: Wire) => Promise<Answer> {
  return (wire) =>
    new Promise<Answer>((resolve, reject) => {
      const path = wire.rawBytes ? wire.url.replace(/%([89A-Fa-f][0-9A-Fa-f])/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))) : wire.url;
      // Node sends a DELETE's (or GET's) body without Content-Length unless told: the server would read it as the next request.
      const length = wire.body === undefined ? {} : { 'content-length': String(wire.body.length) };
      const request = http.request({ host: '127.0.0.1', port, method: wire.method, path, agent, setHost: false, headers: { host: DOMAIN, ...wire.headers, ...length }, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error('no answer within 30 s')));
      request.on('error', reject);
      request.end(wire.body);
    });
}
