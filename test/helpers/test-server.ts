// The in-process test server (docs/style.md §8): in-memory SQLite (or DATABASE_URL's PostgreSQL when a
// test asks for it), migrations run, a seeded default tenant, a frozen clock, logs captured.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { localBus } from '../../src/cache/bus.ts';
import type { Registry } from '../../src/cache/registry.ts';
import type { AuditLog } from '../../src/audit/audit-log.ts';
import type { LogStreamDelivery } from '../../src/audit/log-stream-delivery.ts';
import type { RuntimeOptions } from '../../src/runtime.ts';
import type { SecretUsage } from '../../src/oauth/token/secret-usage.ts';
import type { RateLimiter, RateLimitSettings } from '../../src/ratelimit/limiter.ts';
import { createRuntime } from '../../src/runtime.ts';
import { createEnvelope, type Envelope } from '../../src/crypto/envelope.ts';
import { createApp, type App } from '../../src/http/app.ts';
import { createLogger } from '../../src/http/logger.ts';
import { createTenant } from '../../src/provisioning/create-tenant.ts';
import { ensureDefaultTenant } from '../../src/provisioning/default-tenant.ts';
import { ensureTenantSystemRecords } from '../../src/provisioning/system-records.ts';
import { tenantFrom, type Tenant } from '../../src/domain/tenant.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { Storage } from '../../src/storage/ports.ts';
import type { Metrics } from '../../src/observability/metrics.ts';
import { frozenClock, type FrozenClock } from './clock.ts';
import type { Dialect } from './dialects.ts';
import { createPgSchema } from './pg.ts';

export const DOMAIN = 'tenant-a.test';

export interface TestServer {
  app: App;
  fastify: FastifyInstance;
  storage: Storage;
  registry: Registry;
  audit: AuditLog;
  /** Which secret each client last authenticated with; `flush()` writes it now instead of on the timer. */
  secretUsage: SecretUsage;
  /** The log stream worker (not started: call start(), or tick() for one round). */
  logStreams: LogStreamDelivery;
  limiter: RateLimiter;
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
  /** 'postgres': a fresh schema in DATABASE_URL's PostgreSQL that close() drops; in-memory SQLite by default. */
  dialect?: Dialect;
  databaseUrl?: string;
  pgSchema?: string;
  masterKey?: Buffer;
  clock?: FrozenClock;
  storage?: Storage;
  /** Limits for tenants that set none: generous by default, so only rate-limit tests meet them. */
  rateLimits?: RateLimitSettings;
  redisUrl?: string;
  /** Peers whose X-Forwarded-For is believed (addresses or CIDRs); none by default. */
  trustProxy?: string[];
  /** The built dashboard to serve (default: the real dashboard/dist). */
  dashboardDir?: string;
  /** As `scopeward serve` passes it when its certificate is signed by the local CA. */
  localCaCertPath?: string;
  /** Log stream delivery settings (small backoff and timeouts in tests). */
  logStreams?: RuntimeOptions['logStreams'];
  /** Metrics to count into (default: off). */
  metrics?: Metrics;
}

/** Limits no ordinary test reaches (the frozen clock never ends a window). */
export const UNLIMITED: RateLimitSettings = {
  token_endpoint: { limit: 1_000_000_000, window_seconds: 1 },
  token_endpoint_per_ip: { limit: 1_000_000_000, window_seconds: 1 },
  management_api: { limit: 1_000_000_000, window_seconds: 1 },
  management_api_unauthenticated_per_ip: { limit: 1_000_000_000, window_seconds: 1 },
  signing_key_rotations: { limit: 1_000_000_000, window_seconds: 86_400 },
  failed_client_authentication: { slow_after: 1000, block_after: 1000, window_seconds: 900 },
  login_per_ip: { max_attempts: 1_000_000_000, rate: 1 },
  signup_per_ip: { max_attempts: 1_000_000_000, rate: 1 },
  authorize_per_ip: { limit: 1_000_000_000, window_seconds: 1 },
  ip_allowlist: [],
};

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
  const pg = options.dialect === 'postgres' ? await createPgSchema() : undefined;
  const databaseUrl = pg?.url ?? options.databaseUrl ?? 'sqlite::memory:';
  const pgSchema = pg?.schema ?? options.pgSchema;
  const raw = options.storage ?? (await createStorage(databaseUrl, { ...(pgSchema && { pgSchema }), ...(options.metrics && { metrics: options.metrics }) }));
  const runtime = await createRuntime({ raw, bus, envelope, clock, logger, ...(options.metrics && { metrics: options.metrics }), defaultRateLimits: options.rateLimits ?? UNLIMITED, ...(options.redisUrl && { redisUrl: options.redisUrl }), ...(options.logStreams && { logStreams: options.logStreams }) });
  const { storage, registry } = runtime;
  const record = await ensureDefaultTenant(storage, envelope, clock, DOMAIN);
  await ensureTenantSystemRecords(storage, envelope, clock);
  await registry.start();
  const app = await createApp({ ...runtime, envelope, clock, logger, trustProxy: options.trustProxy ?? [], accessLog: true, ...(options.dashboardDir && { dashboardDir: options.dashboardDir }), ...(options.localCaCertPath && { localCaCertPath: options.localCaCertPath }), ...(options.metrics && { metrics: options.metrics }) });
  const server: TestServer = {
    app,
    fastify: app.fastify,
    storage,
    registry,
    audit: runtime.audit,
    secretUsage: runtime.secretUsage,
    logStreams: runtime.logStreams,
    limiter: runtime.limiter,
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
      await runtime.close();
      await storage.close();
      await pg?.drop();
    },
  };
  return server;
}
