// The two servers under test, started as pinned child processes, and the one-time data they need:
// a Scopeward data directory (init, local CA, a handful of seeded applications, the bench's own
// M2M application with a read:clients grant) and a certificate from the same CA for oidc-provider.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { importRsaKey, issueServerCert } from '../../src/crypto/certs.ts';
import { ensureLocalCa } from '../../src/http/tls.ts';
import type { OidcProviderSpec } from '../oidc-provider-server.ts';
import { requestJson, type Endpoint } from './http.ts';
import { NODE, startNode, waitForOutput, type Child } from './proc.ts';

const BENCH = path.resolve(import.meta.dirname, '..');
const BIN = path.join(BENCH, '..', 'bin', 'scopeward.js');

export type Transport = 'http' | 'https';

export interface InitResult {
  client_id: string;
  client_secret: string;
  audience: string;
}

/** What the load needs: an application allowed read:clients and a token carrying that scope. */
export interface Seeded {
  clientId: string;
  clientSecret: string;
  audience: string;
  scope: string;
  seededClients: number;
}

/** Scopeward runs on its development defaults (local CA, master key file), which production mode refuses. */
function devEnv(): NodeJS.ProcessEnv {
  const { NODE_ENV: _ignored, ...env } = process.env;
  return env;
}

/** `scopeward init --json` in a fresh data directory for the tenant `localhost:PORT`. */
export function initScopeward(dataDir: string, port: number): InitResult {
  const r = spawnSync(NODE, [BIN, 'init', '--json', '--data-dir', dataDir, '--domain', `localhost:${port}`, '--port', String(port), '--log-level', 'warn'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: devEnv(),
  });
  if (r.status !== 0) throw new Error(`scopeward init failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as InitResult;
}

/**
 * The local CA Scopeward makes on first HTTPS start, made now so oidc-provider can get a
 * certificate from the same CA, for the same names, on the same 2048-bit server key.
 */
export async function prepareTls(dataDir: string): Promise<{ caPem: string; oidcCertFile: string; keyFile: string }> {
  const { caCertPath } = await ensureLocalCa(dataDir, new Date());
  const keyFile = path.join(dataDir, 'server.key');
  const keyPem = readFileSync(keyFile, 'utf8');
  const ca = { certPem: readFileSync(caCertPath, 'utf8'), keyPem: readFileSync(path.join(dataDir, 'ca.key'), 'utf8') };
  const leaf = await issueServerCert(ca, await importRsaKey(keyPem), ['localhost', '127.0.0.1'], new Date());
  const oidcCertFile = path.join(dataDir, 'oidc-provider.crt');
  writeFileSync(oidcCertFile, `${leaf.trim()}\n${ca.certPem.trim()}\n`);
  return { caPem: ca.certPem, oidcCertFile, keyFile };
}

export async function startScopeward(o: { dataDir: string; port: number; transport: Transport; workers: number; cpus?: string; domainPort?: number }): Promise<Child> {
  // The V8 flag is the one `npm start` and bin/scopeward.js's shebang pass: measure what users run.
  const args = ['--max-semi-space-size=4', BIN, 'serve', '--host', '127.0.0.1', '--port', String(o.port), '--domain', `localhost:${o.domainPort ?? o.port}`, '--data-dir', o.dataDir, '--log-level', 'warn'];
  if (o.transport === 'http') args.push('--http');
  if (o.workers > 1) args.push('--workers', String(o.workers));
  const child = startNode(`scopeward (${o.transport}, workers=${o.workers})`, args, { env: devEnv(), ...(o.cpus ? { cpus: o.cpus } : {}) });
  await waitForOutput(child, /Scopeward is listening on/);
  return child;
}

export async function startOidcProvider(spec: OidcProviderSpec, cpus?: string): Promise<Child> {
  const env = { ...process.env, NODE_ENV: 'production', BENCH_SPEC: JSON.stringify(spec) };
  const child = startNode('oidc-provider', [path.join(BENCH, 'oidc-provider-server.ts')], { env, ...(cpus ? { cpus } : {}) });
  await waitForOutput(child, /^listening$/m);
  return child;
}

/** The ceiling probe (bench/ceiling-server.ts): node:http + signing only. */
export async function startCeiling(spec: { port: number; certFile?: string; keyFile?: string }, cpus?: string): Promise<Child> {
  const env = { ...process.env, BENCH_SPEC: JSON.stringify(spec) };
  const child = startNode('ceiling probe', [path.join(BENCH, 'ceiling-server.ts')], { env, ...(cpus ? { cpus } : {}) });
  await waitForOutput(child, /^listening$/m);
  return child;
}

const APP_TYPES = ['non_interactive', 'regular_web', 'spa', 'native'] as const;

/** Creates `count` applications through the Management API, then the bench's M2M application. */
export async function seed(e: Endpoint, init: InitResult, count: number): Promise<Seeded> {
  const admin = await requestJson<{ access_token: string }>(e, 'POST', '/oauth/token', {
    form: { grant_type: 'client_credentials', client_id: init.client_id, client_secret: init.client_secret, audience: init.audience },
  });
  const auth = { authorization: `Bearer ${admin.access_token}` };
  // The default limits (50 token requests a second per client, 100 Management API calls a second
  // per tenant) would cap the load; the bench raises them, so the limiter still runs on every request.
  const unlimited = { limit: 1_000_000_000, window_seconds: 1 };
  await requestJson(e, 'PATCH', '/api/v2/tenants/settings', { headers: auth, json: { rate_limits: { token_endpoint: unlimited, token_endpoint_per_ip: unlimited, management_api: unlimited } } });
  for (let i = 1; i <= count; i++) {
    const app_type = APP_TYPES[i % APP_TYPES.length]!;
    const web = app_type === 'regular_web' || app_type === 'spa';
    await requestJson(e, 'POST', '/api/v2/clients', {
      headers: auth,
      json: {
        name: `Bench application ${i}`,
        description: `Seeded by bench/run.ts (${app_type})`,
        app_type,
        ...(web ? { callbacks: [`https://app${i}.example.com/callback`], allowed_logout_urls: [`https://app${i}.example.com/`], web_origins: [`https://app${i}.example.com`] } : {}),
        client_metadata: { team: `team-${i % 3}`, tier: i % 2 ? 'gold' : 'silver' },
      },
    });
  }
  const scope = 'read:clients';
  const m2m = await requestJson<{ client_id: string; client_secret: string }>(e, 'POST', '/api/v2/clients', {
    headers: auth,
    json: { name: 'Bench M2M', app_type: 'non_interactive', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post' },
  });
  await requestJson(e, 'POST', '/api/v2/client-grants', { headers: auth, json: { client_id: m2m.client_id, audience: init.audience, scope: [scope] } });
  return { clientId: m2m.client_id, clientSecret: m2m.client_secret, audience: init.audience, scope, seededClients: count };
}
