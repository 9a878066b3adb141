// Log streams (issue 13): the streams' settings for the Management API, and what the delivery
// worker (audit/log-stream-delivery.ts) needs: active streams, a lease so that one instance at a
// time delivers a stream, its backlog in log_id order, and the outcome of each attempt.
import type { LogStreamHttpSink, LogStreamPiiConfig, LogStreamStatus } from '../../schemas/log-stream.ts';

/** A stream's settings as stored: everything but the sink's secrets. */
export interface LogStreamData {
  type: 'http';
  sink: Omit<LogStreamHttpSink, 'httpAuthorization' | 'httpCustomHeaders'>;
  filters?: { type: 'category'; name: string }[];
  isPriority?: boolean;
  pii_config?: LogStreamPiiConfig;
}

/** The sink's secrets, sealed together as one JSON document. */
export type LogStreamSecrets = Pick<LogStreamHttpSink, 'httpAuthorization' | 'httpCustomHeaders'>;

export interface LogStreamDelivery {
  /** Failed attempts since the last success. */
  failures: number;
  failingSince: string | null;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastDeliveredLogId: string | null;
}

export interface LogStreamRecord {
  tenantId: string;
  id: string;
  name: string;
  status: LogStreamStatus;
  data: LogStreamData;
  /** JSON of LogStreamSecrets, sealed; null when the sink has none. */
  sinkSecretsSealed: string | null;
  createdAt: string;
  updatedAt: string;
  delivery: LogStreamDelivery;
}

/** One event waiting in a stream's backlog. */
export interface PendingEvent {
  logId: string;
  type: string;
  event: Record<string, unknown>;
}

export interface LogStreamStore {
  list(tenantId: string): Promise<LogStreamRecord[]>;
  get(tenantId: string, id: string): Promise<LogStreamRecord | undefined>;
  /** Creates a stream; with `startFrom`, the events logged since then go into its backlog first. */
  create(record: LogStreamRecord, startFrom?: string): Promise<void>;
  /**
   * Changes settings; `resume` clears the failure state (a stream set back to active starts
   * delivering at once). false when there is no such stream.
   */
  update(tenantId: string, id: string, patch: Partial<Pick<LogStreamRecord, 'name' | 'status' | 'data' | 'sinkSecretsSealed' | 'updatedAt'>>, resume?: boolean): Promise<boolean>;
  /** Deletes the stream and its backlog; false when there was none. */
  remove(tenantId: string, id: string): Promise<boolean>;

  /** Every active stream of every tenant whose next attempt is due at `now` and whose lease is free. */
  listDue(now: string): Promise<LogStreamRecord[]>;
  /**
   * Takes (or renews) the stream's lease for `owner` until `until`, only while the stream is active
   * and no other owner holds an unexpired lease. Returns the stream as it now is, or undefined.
   */
  acquire(tenantId: string, id: string, owner: string, now: string, until: string): Promise<LogStreamRecord | undefined>;
  /** Gives the lease up (only `owner`'s). */
  release(tenantId: string, id: string, owner: string): Promise<void>;
  /** The oldest `limit` events of the stream's backlog, in log_id order. */
  pending(tenantId: string, id: string, limit: number): Promise<PendingEvent[]>;
  /** How many events wait in the stream's backlog. */
  backlog(tenantId: string, id: string): Promise<number>;
  /** Takes events out of the backlog (delivered, or filtered out); `delivered` also records a success. */
  acknowledge(tenantId: string, id: string, logIds: readonly string[], delivered: string | undefined): Promise<void>;
  /** Records a failed attempt; `suspend` sets the stream to suspended (only from active). */
  recordFailure(tenantId: string, id: string, state: Omit<LogStreamDelivery, 'lastDeliveredLogId'>, suspend: boolean): Promise<void>;
}
