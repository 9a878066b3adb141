// Composition root: config -> storage -> keys/cache/clock -> createApp(deps) -> listen. Also the
// process lifecycle: one-time preparation, optional cluster workers, graceful shutdown.
import cluster from 'node:cluster';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { clusterBus, localBus, postgresBus, relayClusterChanges, type ChangeBus } from './cache/bus.ts';
import { checkCanary, loadMasterKey } from './config/master-key.ts';
import { DomainChangeRefused } from './config/domain-refusal.ts';
import { isAddressInUse, PortInUse } from './config/port-in-use.ts';
import type { Config } from './config/schema.ts';
import { createEnvelope, type Envelope } from './crypto/envelope.ts';
import { systemClock, type Clock } from './domain/clock.ts';
import { createApp, type App } from './http/app.ts';
import { createLogger } from './http/logger.ts';
import { clusterScrape, shareWithPrimary } from './observability/cluster.ts';
import { listenForScrapes, type MetricsListener, type Scrape } from './observability/listener.ts';
import { NO_METRICS, type Metrics } from './observability/metrics.ts';
import { createPrometheusMetrics } from './observability/prometheus.ts';
import { ensureLocalCa, fileHttps, localCaHttps } from './http/tls.ts';
import { DefaultTenantElsewhere, ensureDefaultTenant } from './provisioning/default-tenant.ts';
import { ensureTenantSystemRecords } from './provisioning/system-records.ts';
import { createRuntime } from './runtime.ts';
import { createStorage } from './storage/kysely/index.ts';
import { unhandledRejectionGuard } from './storage/lost-database.ts';
import type { Storage } from './storage/ports.ts';

export interface RunningServer {
  app: App;
  /** The base URL it listens on (https://localhost:8443). */
  url: string;
  port: number;
  caCertPath: string | undefined;
  /** The /metrics listener's port, when --metrics-port is set and this process serves it. */
  metricsPort: number | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
}

/**
 * One-time work that must not race between workers: data directory, master key (made on first
 * run), migrations, the key canary, the default tenant and the local CA files.
 */
export async function prepare(config: Config, logger: Logger, clock: Clock = systemClock): Promise<{ caCertPath: string | undefined; caReplaced?: string; firstRun?: boolean }> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const master = loadMasterKey(config);
  if (master.created) logger.warn({ file: master.origin }, 'created a new master key file (development default); back it up: without it no secret can be read');
  const envelope = createEnvelope(master.key);
  const storage = await createStorage(config.databaseUrl);
  let tenantDomains: string[];
  let firstRun: boolean;
  try {
    await checkCanary(storage.meta, envelope);
    await defaultTenantOn(config, storage, envelope, clock, logger);
    await ensureTenantSystemRecords(storage, envelope, clock);
    const tenants = await storage.tenants.list();
    tenantDomains = tenants.map((t) => t.domain);
    // No dashboard administrator yet: the banner says to run `scopeward init` (issue 14).
    const defaultTenant = tenants.find((t) => t.isDefault);
    firstRun = defaultTenant !== undefined && (await storage.tenantAdmins.list(defaultTenant.id)).length === 0;
  } finally {
    await storage.close();
  }
  if (config.http || config.tlsCert) return { caCertPath: undefined, firstRun };
  // A CA made now may sign for the tenant domains that exist now (S13).
  const ca = await ensureLocalCa(config.dataDir, new Date(clock.now()), { hosts: [config.domain, ...tenantDomains], warn: (message) => logger.warn(message) });
  return { caCertPath: ca.caCertPath, firstRun, ...(ca.replaced !== undefined && { caReplaced: ca.replaced }) };
}

/** The default tenant on the configured domain; moved only with --change-domain (R4). */
async function defaultTenantOn(config: Config, storage: Storage, envelope: Envelope, clock: Clock, logger: Logger): Promise<void> {
  const before = (await storage.tenants.list()).find((t) => t.isDefault)?.domain;
  try {
    await ensureDefaultTenant(storage, envelope, clock, config.domain, config.changeDomain ? 'move' : 'refuse');
  } catch (error) {
    throw error instanceof DefaultTenantElsewhere ? new DomainChangeRefused(error.stored, error.wanted) : error;
  }
  if (before !== undefined && before !== config.domain) logger.warn({ from: before, to: config.domain }, 'moved the default tenant to another domain (--change-domain)');
}

async function changeBus(config: Config, logger: Logger, metrics: Metrics): Promise<ChangeBus> {
  if (config.databaseUrl.startsWith('postgres')) {
    return postgresBus(config.databaseUrl, {
      ...(metrics.enabled && { onDelivered: (lagMs: number) => metrics.notificationDelivered(lagMs / 1000) }),
      onError: (err) => logger.warn({ err }, 'a change notification could not be sent; other instances see the change at their next resync'),
      onLost: (err) => logger.warn({ err }, 'change notifications lost (database unreachable?); reconnecting. Cached entries keep serving meanwhile'),
      onRestored: (downMs) => logger.info({ downMs }, 'change notifications restored; every cache is dropped, since changes made meanwhile were not heard'),
    });
  }
  return cluster.isWorker ? clusterBus() : localBus();
}

/** Starts one serving process (after prepare). */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const envelope = createEnvelope(loadMasterKey(config).key);
  // Off (NO_METRICS) unless --metrics-port is set: nothing is counted, no listener opens.
  const prometheus = config.metricsPort !== undefined ? createPrometheusMetrics({ clientLabels: config.metricsClientLabels }) : undefined;
  const metrics = prometheus ?? NO_METRICS;
  const raw = await createStorage(config.databaseUrl, { migrate: false, metrics });
  const bus = await changeBus(config, logger, metrics);
  metrics.watchNotifications(() => bus.status());
  const runtime = await createRuntime({
    raw,
    bus,
    envelope,
    clock,
    logger,
    metrics,
    redisUrl: config.redisUrl,
    logRetentionDays: config.logRetentionDays,
    logStreams: { timeoutMs: config.logStreamTimeoutSeconds * 1000, retryMaxMs: config.logStreamRetryMaxSeconds * 1000, suspendAfterMs: config.logStreamSuspendAfterSeconds * 1000 },
  });
  const { storage, registry } = runtime;
  await registry.start();

  let https;
  let caCertPath: string | undefined;
  if (config.tlsCert && config.tlsKey) {
    https = fileHttps(config.tlsCert, config.tlsKey);
  } else if (!config.http) {
    const local = await localCaHttps(
      config.dataDir,
      config.domain,
      (host) => registry.tenants().some((t) => t.domain.replace(/:\d+$/, '') === host),
      () => new Date(clock.now()),
      (message) => logger.warn(message),
    );
    https = local.https;
    caCertPath = local.caCertPath;
  }

  const timeouts = { handshakeSeconds: config.handshakeTimeoutSeconds, headersSeconds: config.headersTimeoutSeconds, requestSeconds: config.requestTimeoutSeconds, keepAliveSeconds: config.keepAliveTimeoutSeconds };
  const app = await createApp({
    ...runtime,
    metrics,
    envelope,
    clock,
    logger,
    trustProxy: config.trustProxy,
    accessLog: config.accessLog,
    timeouts,
    ...(https ? { https } : {}),
    ...(caCertPath !== undefined && { localCaCertPath: caCertPath }),
  });
  runtime.start();
  // A resync during an outage keeps what is cached (Registry.resync); its failure is only logged.
  const resync = setInterval(() => void registry.resync().catch((err: unknown) => logger.warn({ err }, 'cache resync could not reload tenants; cached entries keep serving')), config.cacheResyncSeconds * 1000);
  resync.unref();

  let metricsListener: MetricsListener | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(resync);
      // Stop accepting, let in-flight requests finish; cut whatever is still open at the deadline.
      const deadline = setTimeout(() => app.fastify.server.closeAllConnections(), config.shutdownTimeoutSeconds * 1000);
      deadline.unref();
      await app.fastify.close();
      clearTimeout(deadline);
      await metricsListener?.close();
      // Queued tenant-log events and secret-use notes are written before the database closes.
      await runtime.close();
      await bus.close();
      await storage.close();
    })();
    return closing;
  };
  try {
    await app.fastify.listen({ port: config.port, host: config.host });
    // With --workers the primary answers scrapes for every worker (cluster.ts).
    if (prometheus && cluster.isWorker) shareWithPrimary(prometheus);
    else if (prometheus) metricsListener = await openMetrics(config, () => prometheus.scrape(), logger);
  } catch (error) {
    await close();
    throw isAddressInUse(error) ? new PortInUse(config.port, config.host) : error;
  }
  const port = (app.fastify.server.address() as AddressInfo).port;
  const url = `${https ? 'https' : 'http'}://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
  return { app, url, port, caCertPath, metricsPort: metricsListener?.port, close };
}

async function openMetrics(config: Config, scrape: Scrape, logger: Logger): Promise<MetricsListener> {
  const listener = await listenForScrapes(scrape, config.metricsPort!, config.metricsHost, (err) => logger.error({ err }, 'metrics could not be collected'));
  logger.info({ host: config.metricsHost, port: listener.port }, 'metrics at /metrics');
  return listener;
}

/** The `init` command for this server's database: the options that point it there (issue 14). */
function initCommandFor(config: Config): string {
  const args = ['npx scopeward init'];
  if (path.resolve('data') !== config.dataDir) args.push(`--data-dir ${config.dataDir}`);
  return args.join(' ');
}

function banner(config: Config, url: string, ca: { caCertPath: string | undefined; caReplaced?: string; firstRun?: boolean }, logger: Logger): void {
  const { caCertPath } = ca;
  const lines = [
    `Scopeward is listening on ${url}`,
    `  dashboard: https://${config.domain}/dashboard/${config.http ? ' (through your TLS proxy)' : ''}`,
    `  issuer (default tenant): https://${config.domain}/`,
    `  Management API audience: https://${config.domain}/api/v2/`,
    `  database: ${config.databaseUrl.startsWith('sqlite') ? config.databaseUrl : 'PostgreSQL'}`,
  ];
  if (caCertPath) {
    lines.push(
      `  local CA: ${caCertPath}`,
      `  trust it in Node.js with: export NODE_EXTRA_CA_CERTS=${caCertPath}`,
      '  (or add it to your system or browser trust store; it can sign only for localhost, *.localhost, loopback addresses and the tenant domains it was made for)',
    );
    if (ca.caReplaced) lines.push(`  NOTE: ${ca.caReplaced}`);
  }
  if (config.http) lines.push('  serving plain HTTP: put a TLS-terminating proxy in front (issuers stay https://)');
  if (ca.firstRun) {
    lines.push(
      '  first run: no dashboard administrator yet. In another terminal, in this directory, run',
      `    ${initCommandFor(config)}`,
      '  to make an application with every Management API scope and the first administrator.',
    );
  }
  logger.info({ url, issuer: `https://${config.domain}/` }, 'scopeward ready');
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** `scopeward serve`: prepare once, then serve in this process or in N cluster workers. */
export async function serve(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  process.on('unhandledRejection', unhandledRejectionGuard((err) => logger.error({ err }, 'a lost database connection was not handled where it happened; the process keeps running (a bug: please report it)')));
  let prepared: Awaited<ReturnType<typeof prepare>> | undefined;
  if (cluster.isPrimary) {
    const ready = await prepare(config, logger);
    prepared = ready;
    if (config.workers > 1) {
      relayClusterChanges();
      // The primary answers scrapes for every worker; it closes first on shutdown, since a
      // scraper's kept-alive connection would otherwise keep the primary from exiting.
      const metrics = config.metricsPort !== undefined ? await openMetrics(config, clusterScrape(), logger) : undefined;
      for (let i = 0; i < config.workers; i++) cluster.fork();
      let announced = false;
      cluster.on('message', (_worker, message: { type?: string; url?: string; message?: string }) => {
        // A port in use fails every worker alike: say so once and stop, rather than fork forever.
        if (message?.type === 'scopeward_port_in_use' && !stopping) {
          stopping = true;
          process.stderr.write(`scopeward: ${message.message}\n`);
          process.exitCode = 1;
          for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
          return;
        }
        if (message?.type === 'scopeward_listening' && !announced && message.url) {
          announced = true;
          banner(config, message.url, ready, logger);
        }
      });
      cluster.on('exit', (worker, code, signal) => {
        if (!stopping) {
          logger.error({ pid: worker.process.pid, code, signal }, 'worker exited; starting a new one');
          cluster.fork();
        }
      });
      let stopping = false;
      const stop = (signal: NodeJS.Signals): void => {
        // Once is enough: npm forwards a signal that a terminal also delivers to the whole group.
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down: stopping the workers');
        void metrics?.close();
        const workers = Object.values(cluster.workers ?? {});
        for (const w of workers) w?.process.kill('SIGTERM');
        // A worker still running after its own shutdown deadline is stuck; the primary exits
        // once every worker has.
        setTimeout(() => workers.forEach((w) => w?.process.kill('SIGKILL')), (config.shutdownTimeoutSeconds + 5) * 1000).unref();
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
      return;
    }
  }
  const server = await startServer(config, { logger }).catch((error: unknown) => {
    if (cluster.isWorker && error instanceof PortInUse) process.send?.({ type: 'scopeward_port_in_use', message: error.message });
    throw error;
  });
  if (cluster.isWorker) process.send?.({ type: 'scopeward_listening', url: server.url });
  else banner(config, server.url, { ...prepared, caCertPath: server.caCertPath }, logger);
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    // A repeated signal (npm forwarding what the terminal also sent) must not cut the shutdown short.
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
