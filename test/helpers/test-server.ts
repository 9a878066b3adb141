// The in-process test server (STYLE §8): in-memory SQLite (or DATABASE_URL's PostgreSQL when a
// test asks for it), migrations run, a seeded default tenant, a frozen clock, logs captured.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { localBus } from '../../src/cache/bus.ts';
import { notifyingStorage } from '../../src/cache/notifying-storage.ts';
import { Registry } from '../../src/cache/registry.ts';
import { createEnvelope, type Envelope } from '../../src/crypto/envelope.ts';
import { createApp, type App } from '../../src/http/app.ts';
import { createLogger } from '../../src/http/logger.ts';
import { createTenant, ensureDefaultTenant } from '../../src/domain/tenants.ts';
import { tenantFrom, type Tenant } from '../../src/domain/tenant.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { Storage } from '../../src/storage/ports.ts';
import { frozenClock, type FrozenClock } from './clock.ts';

export const DOMAIN = 'tenant-a.test';

export interface TestServer {
  app: App;
  fastify: FastifyInstance;
  storage: Storage;
  registry: Registry;
  envelope: Envelope;
  clock: FrozenClock;
  tenant: Tenant;
  masterKey: Buffer;
  /** Every log line written so far. */
  logs: string[];
  inject(options: InjectOptions & { host?: string }): Promise<LightMyRequestResponse>;
  addTenant(name: string, domain: string): Promise<Tenant>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  databaseUrl?: string;
  pgSchema?: string;
  masterKey?: Buffer;
  clock?: FrozenClock;
  storage?: Storage;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger('debug', sink);
  const clock = options.clock ?? frozenClock();
  const masterKey = options.masterKey ?? randomBytes(32);
  const envelope = createEnvelope(masterKey);
  const bus = localBus();
  const raw =
    options.storage ?? (await createStorage(options.databaseUrl ?? 'sqlite::memory:', options.pgSchema ? { pgSchema: options.pgSchema } : {}));
  const storage = notifyingStorage(raw, (e) => bus.publish(e));
  const registry = new Registry({ storage, envelope, onError: (e) => logger.error({ err: e }, 'registry') });
  bus.subscribe((e) => registry.apply(e));
  const record = await ensureDefaultTenant(storage, envelope, clock, DOMAIN);
  await registry.start();
  const app = await createApp({ storage, registry, envelope, clock, logger, trustProxy: [], accessLog: true });
  const server: TestServer = {
    app,
    fastify: app.fastify,
    storage,
    registry,
    envelope,
    clock,
    tenant: tenantFrom(record),
    masterKey,
    logs,
    inject: ({ host, ...rest }) => app.fastify.inject({ ...rest, headers: { host: host ?? DOMAIN, ...(rest.headers ?? {}) } }),
    async addTenant(name, domain) {
      const t = await createTenant(storage, envelope, clock, { name, domain });
      await registry.settled();
      await registry.reloadTenants();
      return tenantFrom(t);
    },
    async close() {
      await app.fastify.close();
      await storage.close();
    },
  };
  return server;
}
