// The tenant audit log (spec §3.5.9): token exchanges, Management API writes, rate-limit hits.
// Recording is a push onto an in-memory queue; a timer writes the queue in batches, so no request
// waits on the database for its log line. Shutdown flushes what is left. If the database is down
// the batch is kept and retried; past a bound the oldest events are dropped, and that is logged.
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import type { LogRecord, Storage } from '../storage/ports.ts';
import { newLogId } from './log-id.ts';

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

  constructor(options: AuditLogOptions) {
    this.#storage = options.storage;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#interval = options.flushIntervalMs ?? 250;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxQueue = options.maxQueue ?? 50_000;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.flush(), this.#interval);
    this.#timer.unref();
  }

  /** Queues an event; returns its log_id. Never throws, never waits. */
  record(tenantId: string, event: LogEvent): string {
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
    if (this.#queue.length >= this.#maxQueue) {
      this.#queue.shift();
      this.#dropped++;
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
    this.#flushing ??= (async () => {
      try {
        while (this.#queue.length > 0) {
          const batch = this.#queue.slice(0, this.#maxBatch);
          try {
            await this.#storage.logs.insertMany(batch);
          } catch (err) {
            this.#logger.warn({ err, queued: this.#queue.length }, 'audit log write failed; keeping the events and retrying');
            return;
          }
          this.#queue.splice(0, batch.length);
        }
        if (this.#dropped > 0) {
          this.#logger.error({ dropped: this.#dropped }, 'audit log queue overflowed while the database was unavailable; oldest events were dropped');
          this.#dropped = 0;
        }
      } finally {
        this.#flushing = undefined;
      }
    })();
    return this.#flushing;
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
