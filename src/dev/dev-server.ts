// `scopeward dev`: a throwaway tenant for local development and CI, the job Auth0 mocks do today,
// but the real server. Everything lives in memory (SQLite :memory:, a random master key) except
// the local CA, which goes to a new temporary directory so that NODE_EXTRA_CA_CERTS can name it;
// that directory is removed when the server stops. An application with fixed credentials holds
// every Management API scope, and a seed file (the Deploy CLI's tenant.yaml) is applied through
// the Management API before the first request is served. Start-up is kept short: the tenant's
// signing keys and the TLS keys are made at the same time, and the seed goes through inject()
// rather than a TLS round trip.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { localBus } from '../cache/bus.ts';
import { managementApi } from '../config-as-code/api.ts';
import { importYaml, type ImportResult } from '../config-as-code/import.ts';
import { injectSend, type Injectable } from './inject.ts';
import type { KeywordMappings } from '../config-as-code/keywords.ts';
import { createEnvelope } from '../crypto/envelope.ts';
import { systemClock } from '../domain/clock.ts';
import { issuerFor } from '../domain/tenant.ts';
import { ensureDefaultTenant } from '../provisioning/default-tenant.ts';
import type { Registry } from '../cache/registry.ts';
import { createLogger } from '../http/logger.ts';
import { localCaHttps } from '../http/tls.ts';
import { createManagementClient } from './management-client.ts';
import { createStorage } from '../storage/kysely/index.ts';

export interface DevOptions {
  /** 0: any free port. */
  port: number;
  host: string;
  http: boolean;
  clientId: string;
  clientSecret: string;
  seed?: { text: string; origin: string; mappings: KeywordMappings };
  logLevel: string;
}

export interface DevServer {
  url: string;
  domain: string;
  issuer: string;
  audience: string;
  clientId: string;
  clientSecret: string;
  /** The temporary directory (removed by close()). */
  tempDir: string;
  /** The CA to trust (NODE_EXTRA_CA_CERTS); undefined with --http. */
  caCertPath: string | undefined;
  seeded: ImportResult | undefined;
  close(): Promise<void>;
}

/** A port free on `host` now (the tenant's domain names its port, so it must be known before listening). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export async function startDev(o: DevOptions): Promise<DevServer> {
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'scopeward-dev-'));
  const removeTemp = () => rmSync(tempDir, { recursive: true, force: true });
  try {
    return await start(o, tempDir, removeTemp);
  } catch (error) {
    removeTemp();
    throw error;
  }
}

async function start(o: DevOptions, tempDir: string, removeTemp: () => void): Promise<DevServer> {
  const port = o.port === 0 ? await freePort(o.host) : o.port;
  const domain = `localhost:${port}`;
  const logger = createLogger(o.logLevel);
  const clock = systemClock;
  const envelope = createEnvelope(randomBytes(32));
  const raw = await createStorage('sqlite::memory:');
  // Set once the runtime exists; until then no other host is a tenant.
  let registry: Registry | undefined = undefined;
  const known = (host: string) => registry?.tenants().some((t) => t.domain.replace(/:\d+$/, '') === host) ?? false;
  // Key generation is most of the start-up (the tenant's two signing keys, the CA's and the server's
  // keys): it runs on libuv's threads while this one loads the HTTP layer, the other half.
  const keys = Promise.all([
    ensureDefaultTenant(raw, envelope, clock, domain),
    o.http ? undefined : localCaHttps(tempDir, domain, known, () => new Date(clock.now()), (m) => logger.warn(m)),
  ]);
  // Its failure is thrown where it is awaited, below; until then it must not count as unhandled.
  keys.catch(() => undefined);
  const [{ createApp }, { createRuntime }] = await Promise.all([import('../http/app.ts'), import('../runtime.ts')]);
  const [tenant, tls] = await keys;
  const runtime = await createRuntime({ raw, bus: localBus(), envelope, clock, logger });
  const { storage } = runtime;
  registry = runtime.registry;
  const client = await createManagementClient(storage, envelope, clock, tenant, { name: 'Scopeward dev', clientId: o.clientId, clientSecret: o.clientSecret });
  await registry.start();
  const app = await createApp({ ...runtime, envelope, clock, logger, trustProxy: [], ...(tls && { https: tls.https }) });
  runtime.start();

  const close = async (): Promise<void> => {
    try {
      await app.fastify.close();
      await runtime.close();
      await storage.close();
    } finally {
      removeTemp();
    }
  };

  let seeded: ImportResult | undefined;
  try {
    if (o.seed) seeded = await seed(app.fastify, domain, client, o.seed);
    await app.fastify.listen({ port, host: o.host });
  } catch (error) {
    await close();
    throw error;
  }
  return {
    url: `${o.http ? 'http' : 'https'}://${domain}`,
    domain,
    issuer: issuerFor(domain),
    audience: client.audience,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    tempDir,
    caCertPath: tls?.caCertPath,
    seeded,
    close,
  };
}

/** The seed file, applied as `scopeward import` applies one: the same Management API calls, made in process. */
async function seed(fastify: Injectable, domain: string, client: { clientId: string; clientSecret: string; audience: string }, file: NonNullable<DevOptions['seed']>): Promise<ImportResult> {
  const res = await fastify.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { host: domain, 'content-type': 'application/json' },
    payload: JSON.stringify({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, audience: client.audience }),
  });
  if (res.statusCode !== 200) throw new Error(`the dev application could not get a token to apply the seed: ${res.body}`);
  const token = (JSON.parse(res.body) as { access_token: string }).access_token;
  const api = managementApi(injectSend(fastify, domain, token), { domain, callerClientId: client.clientId });
  return importYaml(api, file.text, file.origin, { mappings: file.mappings, dryRun: false, allowDelete: false });
}
