// The long-lived services around the HTTP app, built the same way by the server (main.ts), the
// in-process test server and nothing else: the notifying storage and the registry fed by change
// events, the rate limiter (in memory, or Redis with in-memory fallback), the batched tenant log,
// secret-usage bookkeeping, log stream delivery, and the background pruning of expired log and denylist entries
// (hourly) and of expired login transactions (every minute: anyone can start one, T-OUT-08).
import type { Logger } from 'pino';
import { AuditLog } from './audit/audit-log.ts';
import { LogStreamDelivery, type LogStreamDeliveryOptions } from './audit/log-stream-delivery.ts';
import type { ChangeBus, NotificationStatus } from './cache/bus.ts';
import { notifyingStorage } from './cache/notifying-storage.ts';
import { Registry } from './cache/registry.ts';
import type { Envelope } from './crypto/envelope.ts';
import type { Clock } from './domain/clock.ts';
import { NO_METRICS, type Metrics } from './observability/metrics.ts';
import { SecretUsage } from './oauth/token/secret-usage.ts';
import { RateLimiter, type RateLimitSettings } from './ratelimit/limiter.ts';
import { FallbackCounterStore, MemoryCounterStore, RedisCounterStore, type CounterStore, type RedisLike } from './ratelimit/store.ts';
import { TokenQuotaCounter } from './ratelimit/token-quota-counter.ts';
import type { Storage } from './storage/ports.ts';

export interface RuntimeOptions {
  /** The storage without change notification (this wraps it). */
  raw: Storage;
  bus: ChangeBus;
  envelope: Envelope;
  clock: Clock;
  logger: Logger;
  /** Cache hits and misses, rate-limit hits (default: off). */
  metrics?: Metrics;
  /** Shared rate-limit counters; in memory when absent. */
  redisUrl?: string | undefined;
  /** Tenant log entries older than this are pruned (default 30). */
  logRetentionDays?: number;
  /** Limits for tenants whose settings name none (tests relax them). */
  defaultRateLimits?: RateLimitSettings;
  /** How often expired login transactions are deleted (default every minute). */
  transactionSweepMs?: number;
  /** Log stream delivery settings (timeouts, backoff, suspension); defaults in audit/log-stream-delivery.ts. */
  logStreams?: Omit<LogStreamDeliveryOptions, 'storage' | 'envelope' | 'logger'>;
}

export interface Runtime {
  storage: Storage;
  registry: Registry;
  limiter: RateLimiter;
  /** Token quotas (issue 15): Redis when configured, else the database; never this process alone. */
  quotas: TokenQuotaCounter;
  audit: AuditLog;
  secretUsage: SecretUsage;
  /** Delivers the tenant log to its log streams (started by start()). */
  logStreams: LogStreamDelivery;
  /** How this process hears other instances' changes (readiness; a metrics endpoint can read it). */
  notifications(): NotificationStatus;
  /** Deletes expired login transactions now (the minute timer's work); how many. */
  sweepTransactions(): Promise<number>;
  /** Starts the timers (log flushing, usage flushing, pruning). */
  start(): void;
  /** Stops the timers and writes what is queued; leaves the storage open. */
  close(): Promise<void>;
}

async function connectRedis(redisUrl: string | undefined, logger: Logger): Promise<RedisLike | undefined> {
  if (!redisUrl) return undefined;
  const { Redis } = await import('ioredis');
  // Commands fail fast while Redis is unreachable (no offline queue), so the fallback answers.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: (n) => Math.min(n * 250, 5000) });
  let reported = false;
  redis.on('error', (err: Error) => {
    if (!reported) logger.warn({ err }, 'Redis connection error; rate limits fall back to this process');
    reported = true;
  });
  redis.on('ready', () => (reported = false));
  return redis;
}

function counterStore(redis: RedisLike | undefined, logger: Logger): CounterStore {
  const memory = new MemoryCounterStore();
  if (!redis) return memory;
  return new FallbackCounterStore(new RedisCounterStore(redis), memory, {
    onFallback: (err) => logger.warn({ err }, 'Redis unavailable: rate limits are counted in this process until it returns'),
    onRecover: () => logger.info('Redis is back: rate limits are shared again'),
  });
}

export async function createRuntime(o: RuntimeOptions): Promise<Runtime> {
  const storage = notifyingStorage(o.raw, (event) => o.bus.publish(event));
  const registry = new Registry({
    storage,
    envelope: o.envelope,
    onError: (err) => o.logger.error({ err }, 'cache reload failed'),
    metrics: o.metrics ?? NO_METRICS,
    ...(o.defaultRateLimits && { defaultRateLimits: o.defaultRateLimits }),
  });
  o.bus.subscribe((event) => registry.apply(event));
  // R2: changes made elsewhere while the channel was down were never heard; nothing cached is
  // trusted any more. This runs once the channel is back, so the database answers the reloads.
  o.bus.onMissed(() => void registry.dropAll().catch((err: unknown) => o.logger.warn({ err }, 'tenant reload after reconnection failed; the periodic resync retries')));
  const redis = await connectRedis(o.redisUrl, o.logger);
  const limiter = new RateLimiter(counterStore(redis, o.logger), o.clock, o.metrics ?? NO_METRICS);
  // Quotas share the connection but not the fallback: without Redis they count in the database.
  const quotas = new TokenQuotaCounter(storage.tokenQuotaCounters, redis && new RedisCounterStore(redis, 'scopeward:quota:'), {
    onFallback: (err) => o.logger.warn({ err }, 'Redis unavailable: token quotas are counted in the database until it returns'),
    onRecover: () => o.logger.info('Redis is back: token quotas are counted there again'),
  });
  const audit = new AuditLog({ storage, clock: o.clock, logger: o.logger });
  const logStreams = new LogStreamDelivery({ ...o.logStreams, storage, envelope: o.envelope, logger: o.logger });
  const secretUsage = new SecretUsage(storage, (err) => o.logger.warn({ err }, 'could not record secret use'));
  const retentionMs = (o.logRetentionDays ?? 30) * 86_400_000;
  let pruner: NodeJS.Timeout | undefined;
  let sweeper: NodeJS.Timeout | undefined;

  const prune = async (): Promise<void> => {
    const now = o.clock.now();
    try {
      const logs = await storage.logs.prune(new Date(now - retentionMs).toISOString());
      // In-memory copies of pruned entries go with the next resync; they name expired tokens anyway.
      const denied = await storage.denylist.prune(new Date(now).toISOString());
      // Ids of expired client assertions: an expired assertion is refused for its exp anyway.
      const jtis = await storage.assertionJtis.prune(new Date(now).toISOString());
      const quotaWindows = await storage.tokenQuotaCounters.prune(new Date(now).toISOString());
      if (logs + denied + jtis + quotaWindows > 0) o.logger.info({ logs, denylist: denied, assertionJtis: jtis, quotaWindows }, 'pruned expired entries');
    } catch (err) {
      o.logger.warn({ err }, 'pruning failed; will retry');
    }
  };

  const sweepTransactions = (): Promise<number> => storage.loginTransactions.prune(new Date(o.clock.now()).toISOString());
  const sweep = async (): Promise<void> => {
    try {
      const swept = await sweepTransactions();
      if (swept > 0) o.logger.debug({ loginTransactions: swept }, 'pruned expired login transactions');
    } catch (err) {
      o.logger.warn({ err }, 'pruning login transactions failed; will retry');
    }
  };

  return {
    storage,
    registry,
    limiter,
    quotas,
    audit,
    secretUsage,
    logStreams,
    notifications: () => o.bus.status(),
    sweepTransactions,
    start() {
      audit.start();
      secretUsage.start();
      logStreams.start();
      pruner ??= setInterval(() => void prune(), 3_600_000);
      pruner.unref();
      sweeper ??= setInterval(() => void sweep(), o.transactionSweepMs ?? 60_000);
      sweeper.unref();
      void prune();
    },
    async close() {
      if (pruner) clearInterval(pruner);
      if (sweeper) clearInterval(sweeper);
      // Deliveries in flight are cut short (their events stay queued for the next start), then
      // the queued tenant-log events are written, each into the backlog of every stream.
      await logStreams.close();
      await audit.close();
      await secretUsage.close();
      await limiter.close();
    },
  };
}
