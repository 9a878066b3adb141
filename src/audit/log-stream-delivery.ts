// Delivers each tenant's log events to its log streams (issue 13; docs/log-streams.md). The
// backlog is the outbox written with the events (storage/kysely/logs.ts), so delivery survives
// restarts and receiver outages: at least once, in log_id order per stream. Each stream is
// delivered by one instance at a time (a lease in its row). A failed request is retried after an
// exponential backoff with jitter; a stream that fails without a break for `suspendAfterMs`
// (Auth0: 7 days) is suspended. Paused and suspended streams keep their backlog; set back to
// active, they resume where they stopped.
import { randomBytes, randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import type { Envelope } from '../crypto/envelope.ts';
import { systemClock, type Clock } from '../domain/clock.ts';
import { streamAccepts } from '../domain/log-categories.ts';
import { openStreamSecrets } from '../domain/log-stream-secrets.ts';
import type { LogStreamRecord, PendingEvent, Storage } from '../storage/ports.ts';
import { OutageWarning } from './outage-warning.ts';
import { maskPii } from './pii-mask.ts';

export interface LogStreamDeliveryOptions {
  storage: Storage;
  envelope: Envelope;
  logger: Logger;
  /** Real time: leases and backoff are compared with it and waited for with timers (default: the system clock). */
  clock?: Clock;
  /** How often due streams are looked for (default 1000 ms). */
  pollMs?: number;
  /** Events per request (default 100). */
  batchSize?: number;
  /** A receiver that has not answered within this is a failure (default 10 s). */
  timeoutMs?: number;
  /** Backoff after the first failure, doubled after each further one (default 1 s)... */
  retryBaseMs?: number;
  /** ...up to this (default 5 minutes). */
  retryMaxMs?: number;
  /** Failing without a success for this long suspends the stream (default 7 days, Auth0's rule). */
  suspendAfterMs?: number;
}

/** What one request did. */
type Outcome = { ok: true } | { ok: false; error: string };

/** The item Auth0's http streams send for each event: `{log_id, data}`. */
const itemOf = (e: PendingEvent, stream: LogStreamRecord) => ({ log_id: e.logId, data: maskPii(e.event, stream.data.pii_config) });

export class LogStreamDelivery {
  readonly #o: Required<Omit<LogStreamDeliveryOptions, 'storage' | 'envelope' | 'logger' | 'clock'>>;
  readonly #storage: Storage;
  readonly #envelope: Envelope;
  readonly #logger: Logger;
  readonly #clock: Clock;
  /** The streams due cannot be read (the database is down): said once, then every 30 s. */
  readonly #outage: OutageWarning;
  /** Delivery rounds that fail outside the receiver (the database again): likewise. */
  readonly #roundFailed: OutageWarning;
  /** This instance's name in lease rows. */
  readonly owner = `${process.pid}-${randomBytes(6).toString('hex')}`;
  readonly #running = new Map<string, Promise<void>>();
  readonly #closing = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;

  constructor(options: LogStreamDeliveryOptions) {
    this.#storage = options.storage;
    this.#envelope = options.envelope;
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemClock;
    this.#outage = new OutageWarning(this.#logger, this.#clock, {
      failed: 'log streams: could not read the streams due; will retry',
      stillFailing: 'log streams: still cannot read the streams due; will retry',
      restored: 'log streams: the streams due can be read again',
    });
    this.#roundFailed = new OutageWarning(this.#logger, this.#clock, {
      failed: 'log streams: delivery round failed; will retry',
      stillFailing: 'log streams: delivery rounds still failing; will retry',
      restored: 'log streams: delivery rounds work again',
    });
    this.#o = {
      pollMs: options.pollMs ?? 1000,
      batchSize: options.batchSize ?? 100,
      timeoutMs: options.timeoutMs ?? 10_000,
      retryBaseMs: options.retryBaseMs ?? 1000,
      retryMaxMs: options.retryMaxMs ?? 300_000,
      suspendAfterMs: options.suspendAfterMs ?? 7 * 86_400_000,
    };
  }

  /** Long enough for a whole request and its bookkeeping; renewed before every request. */
  get #leaseMs(): number {
    return Math.max(60_000, this.#o.timeoutMs * 4);
  }

  #iso(offsetMs = 0): string {
    return new Date(this.#clock.now() + offsetMs).toISOString();
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.tick(), this.#o.pollMs);
    this.#timer.unref();
  }

  /** Looks for due streams once and starts delivering each that is not already being delivered here. */
  tick(): Promise<void> {
    this.#ticking ??= this.#findDue().finally(() => (this.#ticking = undefined));
    return this.#ticking;
  }

  async #findDue(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    let due: LogStreamRecord[];
    try {
      due = await this.#storage.logStreams.listDue(this.#iso());
    } catch (err) {
      this.#outage.failed({ err });
      return;
    }
    this.#outage.succeeded();
    for (const stream of due) {
      const key = `${stream.tenantId}/${stream.id}`;
      if (this.#running.has(key)) continue;
      const run = this.#deliver(stream.tenantId, stream.id)
        .then(() => this.#roundFailed.succeeded())
        .catch((err: unknown) => this.#roundFailed.failed({ err, stream: stream.id }))
        .finally(() => this.#running.delete(key));
      this.#running.set(key, run);
    }
  }

  /** Delivers one stream's backlog, batch after batch, while it holds the lease and the receiver takes them. */
  async #deliver(tenantId: string, id: string): Promise<void> {
    const streams = this.#storage.logStreams;
    let stream = await streams.acquire(tenantId, id, this.owner, this.#iso(), this.#iso(this.#leaseMs));
    if (!stream) return;
    try {
      while (stream && !this.#closing.signal.aborted) {
        const batch = await streams.pending(tenantId, id, this.#o.batchSize);
        if (batch.length === 0) return;
        const filters = stream.data.filters;
        let wanted = batch.filter((e) => streamAccepts(filters, e.type));
        // JSONOBJECT sends one event per request: take the first, and what the filter skips before it.
        if (stream.data.sink.httpContentFormat === 'JSONOBJECT') wanted = wanted.slice(0, 1);
        const last = wanted.at(-1)?.logId;
        const skipped = batch.filter((e) => !streamAccepts(filters, e.type) && (last === undefined || e.logId < last)).map((e) => e.logId);
        if (wanted.length === 0) {
          // Nothing this stream wants: acknowledged as skipped, and the lease still renewed below.
          await streams.acknowledge(tenantId, id, skipped, undefined);
        } else {
          const outcome = await this.#send(stream, wanted);
          if (this.#closing.signal.aborted) return; // cut short by shutdown: the events stay queued
          if (!outcome.ok) {
            await this.#failed(stream, outcome.error);
            return;
          }
          await streams.acknowledge(tenantId, id, [...skipped, ...wanted.map((e) => e.logId)], last);
        }
        // Renews the lease and rereads the stream: a pause, a new sink or a deletion takes effect here.
        stream = await streams.acquire(tenantId, id, this.owner, this.#iso(), this.#iso(this.#leaseMs));
      }
    } finally {
      await streams.release(tenantId, id, this.owner).catch(() => undefined);
    }
  }

  async #failed(stream: LogStreamRecord, error: string): Promise<void> {
    const failures = stream.delivery.failures + 1;
    const failingSince = stream.delivery.failingSince ?? this.#iso();
    const suspend = this.#clock.now() - Date.parse(failingSince) >= this.#o.suspendAfterMs;
    // Exponential backoff with jitter (half to all of the step), so that instances and streams
    // failing together do not retry in step.
    const step = Math.min(this.#o.retryMaxMs, this.#o.retryBaseMs * 2 ** Math.min(failures - 1, 30));
    const wait = Math.round(step / 2 + (step / 2) * (randomInt(0, 1001) / 1000));
    await this.#storage.logStreams.recordFailure(stream.tenantId, stream.id, { failures, failingSince, nextAttemptAt: this.#iso(wait), lastError: error }, suspend);
    const log = { tenant: stream.tenantId, stream: stream.id, failures, error };
    if (suspend) this.#logger.warn({ ...log, failingSince }, 'log stream suspended: its receiver has failed without a break; set its status to active to resume');
    else this.#logger.warn({ ...log, retryInMs: wait }, 'log stream delivery failed; will retry');
  }

  async #send(stream: LogStreamRecord, events: PendingEvent[]): Promise<Outcome> {
    const sink = stream.data.sink;
    let secrets;
    try {
      secrets = openStreamSecrets(this.#envelope, stream.tenantId, stream.id, stream.sinkSecretsSealed);
    } catch {
      return { ok: false, error: 'the sink secrets cannot be decrypted with this master key' };
    }
    const headers: Record<string, string> = { 'content-type': sink.httpContentType ?? 'application/json', 'user-agent': 'Scopeward-LogStreams' };
    for (const h of secrets.httpCustomHeaders ?? []) headers[h.header.toLowerCase()] = h.value;
    if (secrets.httpAuthorization !== undefined) headers.authorization = secrets.httpAuthorization;
    const items = events.map((e) => itemOf(e, stream));
    const format = sink.httpContentFormat ?? 'JSONLINES';
    const body = format === 'JSONARRAY' ? JSON.stringify(items) : format === 'JSONOBJECT' ? JSON.stringify(items[0]) : items.map((i) => JSON.stringify(i)).join('\n');
    try {
      const response = await fetch(sink.httpEndpoint, {
        method: 'POST',
        headers,
        body,
        // A redirect is a failure, never followed: the operator set this URL, not the receiver.
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.#o.timeoutMs), this.#closing.signal]),
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return { ok: true };
      return { ok: false, error: `HTTP ${response.status}${response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : ''}` };
    } catch (err) {
      const name = err instanceof Error ? err.name : '';
      if (name === 'TimeoutError') return { ok: false, error: `no answer within ${this.#o.timeoutMs} ms` };
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      return { ok: false, error: `${err instanceof Error ? err.message : String(err)}${cause}`.slice(0, 500) };
    }
  }

  /** Stops looking for work, cuts in-flight requests short and gives the leases up (the events stay queued). */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#closing.abort();
    await this.#ticking;
    await Promise.all(this.#running.values());
  }
}
