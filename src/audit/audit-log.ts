// The tenant audit log (spec §3.5.9): token exchanges, Management API writes, rate-limit hits.
// Recording is a push onto an in-memory queue; a timer writes the queue in batches, so no request
// waits on the database for its log line. Shutdown flushes what is left. If the database is down
// the batch is kept and retried; past a bound the oldest events are dropped, and that is logged.
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import { scrub } from './scrub.ts';
import type { LogRecord, Storage } from '../storage/ports.ts';
import { newLogId } from './log-id.ts';
import { OutageWarning } from './outage-warning.ts';

/** An Auth0 log event as recorded (spec §3.5.9; LOGS schema field names). */
export interface LogEvent {
  type: string;
  description?: string;
  client_id?: string;
  client_name?: string;
  ip?: string;
  user_agent?: string;
  hostname?: string;
  user_id?: string;
  user_name?: string;
  audience?: string;
  scope?: string;
  connection?: string;
  connection_id?: string;
  details?: Record<string, unknown>;
}

/** The request an event comes from: the address it came from and the user agent it named. */
export interface RequestOrigin {
  ip: string;
  userAgent: string | undefined;
}

/** The tenant an event belongs to: its id keys the log, its domain is the event's `hostname`. */
export interface EventTenant {
  id: string;
  domain: string;
}

/**
 * What a caller says about an event: everything but where it came from, which `record` fills in
 * from the tenant and the request origin, the same way for every event. `client` names the
 * application involved (`client_id` and `client_name`).
 */
export type EventFields = Omit<LogEvent, 'ip' | 'user_agent' | 'hostname' | 'client_id' | 'client_name'> & {
  client?: { clientId: string; name?: string | undefined } | undefined;
};

/** The one builder of a recorded event from its tenant, its origin and what a caller says of it. */
export function buildEvent(tenant: EventTenant, origin: RequestOrigin | undefined, fields: EventFields): LogEvent {
  const { client, ...rest } = fields;
  return {
    ...rest,
    ...(client && { client_id: client.clientId, ...(client.name !== undefined && { client_name: client.name }) }),
    ...(origin && { ip: origin.ip, user_agent: origin.userAgent }),
    hostname: tenant.domain,
  };
}

/** `value` with JWT- and PEM-shaped text masked in every string it holds. */
function scrubbed(value: unknown): unknown {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map(scrubbed);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubbed(v)]));
}

export interface AuditLogOptions {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  flushIntervalMs?: number;
  maxBatch?: number;
  maxQueue?: number;
}

export class AuditLog {
  readonly #storage: Storage;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #interval: number;
  readonly #maxBatch: number;
  readonly #maxQueue: number;
  #queue: LogRecord[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #dropped = 0;
  /** How many events at the front of the queue the current write is carrying. */
  #inFlight = 0;
  /** One warning when writes start failing, then one every 30 s, and a line when they work again. */
  readonly #outage: OutageWarning;

  constructor(options: AuditLogOptions) {
    this.#storage = options.storage;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#interval = options.flushIntervalMs ?? 250;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxQueue = options.maxQueue ?? 50_000;
    this.#outage = new OutageWarning(this.#logger, this.#clock, {
      failed: 'audit log write failed; keeping the events and retrying',
      stillFailing: 'audit log writes still failing; keeping the events and retrying',
      restored: 'audit log writes restored; the kept events are written',
    });
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.flush(), this.#interval);
    this.#timer.unref();
  }

  /**
   * Queues an event of `tenant` caused by a request from `origin` (none for the server's own
   * work); returns its log_id. Never throws, never waits.
   */
  record(tenant: EventTenant, origin: RequestOrigin | undefined, fields: EventFields): string {
    return this.#enqueue(tenant.id, buildEvent(tenant, origin, fields));
  }

  #enqueue(tenantId: string, input: LogEvent): string {
    // Text a caller controls (user agent, audience, query) may hold a pasted token (T-LOG-01).
    const event = scrubbed(input) as LogEvent;
    const now = new Date(this.#clock.now());
    const logId = newLogId(now);
    const full: Record<string, unknown> = {
      date: now.toISOString(),
      type: event.type,
      description: event.description ?? '',
      connection: event.connection ?? null,
      connection_id: event.connection_id ?? '',
      client_id: event.client_id ?? '',
      client_name: event.client_name ?? '',
      ip: event.ip ?? '',
      user_agent: event.user_agent ?? '',
      hostname: event.hostname ?? '',
      user_id: event.user_id ?? '',
      user_name: event.user_name ?? '',
      ...(event.audience !== undefined && { audience: event.audience }),
      ...(event.scope !== undefined && { scope: event.scope }),
      details: event.details ?? null,
      log_id: logId,
      _id: logId,
      isMobile: false,
    };
    // The bound counts events waiting to be written; those in flight (at the front) are never
    // dropped, or the write that is carrying them would later remove the wrong ones.
    while (this.#queue.length - this.#inFlight >= this.#maxQueue) {
      this.#queue.splice(this.#inFlight, 1);
      if (this.#dropped++ === 0) this.#logger.error({ maxQueue: this.#maxQueue }, 'audit log queue is full while the database is unavailable; dropping the oldest events');
    }
    this.#queue.push({
      tenantId,
      logId,
      date: full.date as string,
      type: event.type,
      clientId: event.client_id ?? null,
      userId: event.user_id ?? null,
      ip: event.ip ?? null,
      event: full,
    });
    return logId;
  }

  /** Writes everything queued so far (one batch at a time). */
  flush(): Promise<void> {
    // Cleared in a later microtask, never inside #drain: a drain with nothing to write finishes
    // synchronously, and clearing there would leave a settled promise behind for good.
    this.#flushing ??= this.#drain().finally(() => (this.#flushing = undefined));
    return this.#flushing;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, this.#maxBatch);
      this.#inFlight = batch.length;
      try {
        await this.#storage.logs.insertMany(batch);
      } catch (err) {
        this.#outage.failed({ err, queued: this.#queue.length });
        return;
      } finally {
        this.#inFlight = 0;
      }
      this.#queue.splice(0, batch.length);
      this.#outage.succeeded();
    }
    if (this.#dropped > 0) {
      this.#logger.error({ dropped: this.#dropped }, 'audit log queue overflowed while the database was unavailable; oldest events were dropped');
      this.#dropped = 0;
    }
  }

  get pending(): number {
    return this.#queue.length;
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#flushing;
    await this.flush();
  }
}
