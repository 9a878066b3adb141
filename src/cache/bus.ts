// Change notifications. Every write that a cache depends on publishes a ChangeEvent; every
// instance (this process, cluster workers, other processes on the same PostgreSQL) drops what the
// event names. D5: propagation within one second through LISTEN/NOTIFY, with a periodic resync
// (cacheResyncSeconds) as the backstop. The LISTEN connection is re-established for as long as it
// takes after any outage (R2); when it is back, subscribers hear that changes may have been
// missed, and drop what they hold.
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { parseEvent, type ChangeEvent } from './change-event.ts';

export type { ChangeEvent, ChangeIds, ChangeKind } from './change-event.ts';

export type ChangeListener = (event: ChangeEvent) => void;

/**
 * How this process hears other instances' changes: `local` (one process, or cluster workers
 * relayed by the primary: nothing to lose), `listening` (the LISTEN connection is up) or
 * `reconnecting` (lost; changes elsewhere are not heard until it is back).
 */
export type NotificationState = 'local' | 'listening' | 'reconnecting';

export interface NotificationStatus {
  state: NotificationState;
  /** When the state last changed (ms since the epoch). */
  since: number;
  /** How often the channel was lost since start. */
  losses: number;
}

export interface ChangeBus {
  publish(event: ChangeEvent): void;
  subscribe(listener: ChangeListener): void;
  /** `listener` runs when changes may have been missed: the channel was lost and is back. */
  onMissed(listener: () => void): void;
  status(): NotificationStatus;
  close(): Promise<void>;
}

const CHANNEL = 'scopeward_changes';

/** In-process only: what a single process (or a test) needs. */
export function localBus(): ChangeBus & { deliver(event: ChangeEvent): void } {
  const listeners: ChangeListener[] = [];
  const since = Date.now();
  const deliver = (event: ChangeEvent): void => {
    for (const l of listeners) l(event);
  };
  return {
    deliver,
    publish: deliver,
    subscribe: (l) => void listeners.push(l),
    onMissed: () => undefined,
    status: () => ({ state: 'local', since, losses: 0 }),
    close: async () => undefined,
  };
}

/** Cluster workers: deliver locally, then relay through the primary to the other workers. */
export function clusterBus(): ChangeBus {
  const local = localBus();
  const onMessage = (message: unknown): void => {
    const m = message as { type?: string; event?: unknown } | null;
    const event = m?.type === CHANNEL ? parseEvent(m.event) : undefined;
    if (event) local.deliver(event);
  };
  process.on('message', onMessage);
  return {
    publish(event) {
      local.deliver(event);
      process.send?.({ type: CHANNEL, event });
    },
    subscribe: (listener) => local.subscribe(listener),
    onMissed: () => undefined,
    status: () => local.status(),
    close: async () => void process.off('message', onMessage),
  };
}

/** Called in the cluster primary: forwards each worker's change to every other worker. */
export function relayClusterChanges(): void {
  cluster.on('message', (from, message: unknown) => {
    const m = message as { type?: string } | null;
    if (m?.type !== CHANNEL) return;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker && worker !== from && worker.isConnected()) worker.send(message as Record<string, unknown>);
    }
  });
}

export interface PostgresBusOptions {
  /** Tests isolate their channel by schema. */
  schema?: string;
  /** A notification could not be sent (the change still reaches others through their resync). */
  onError: (error: Error) => void;
  /** The LISTEN connection was lost; reconnection starts at once. */
  onLost?: (error: Error) => void;
  /** The LISTEN connection is back after `downMs`; onMissed listeners run next. */
  onRestored?: (downMs: number) => void;
  /** Another instance's change arrived `lagMs` after it was sent (by the two instances' clocks). */
  onDelivered?: (lagMs: number) => void;
}

/**
 * Retry delays after a lost LISTEN connection: quick at first, then every half second for as long
 * as it takes, so notifications are back well within R2's 2 s of the database's return (an attempt
 * against a database that is down is one refused TCP connection).
 */
export const RECONNECT_DELAYS_MS = [50, 100, 200, 400, 500] as const;

/** NOTIFY payloads hold at most 8000 bytes; past this an event goes without ids (the whole kind). */
const MAX_PAYLOAD = 7000;

/** PostgreSQL LISTEN/NOTIFY: every instance on the same database hears every change. */
export async function postgresBus(url: string, options: PostgresBusOptions): Promise<ChangeBus> {
  const { default: pg } = await import('pg');
  const local = localBus();
  const origin = randomUUID();
  const channel = options.schema ? `${CHANNEL}_${options.schema}` : CHANNEL;
  const missed: (() => void)[] = [];
  let status: NotificationStatus = { state: 'listening', since: Date.now(), losses: 0 };
  let closed = false;
  let listener: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const pool = new pg.Pool({ connectionString: url, max: 2, keepAlive: true });
  // Losing an idle sending connection is harmless (the next publish opens one); a checked-out
  // client has no listener of pg-pool's (see storage/kysely/dialect.ts). A failed send is reported.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));

  const connect = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: url, keepAlive: true, connectionTimeoutMillis: 5000 });
    client.on('notification', (msg) => {
      try {
        const parsed = JSON.parse(msg.payload ?? '') as { origin?: string; event?: unknown; at?: unknown };
        const event = parseEvent(parsed.event);
        if (event && parsed.origin !== origin) {
          local.deliver(event);
          if (typeof parsed.at === 'number') options.onDelivered?.(Math.max(0, Date.now() - parsed.at));
        }
      } catch {
        // Not ours; ignore.
      }
    });
    // 'error' can come twice for one death (the server's FATAL message, then the closed socket).
    client.on('error', (error) => lost(client, error));
    client.on('end', () => lost(client, new Error('notification connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (closed) {
      await client.end().catch(() => undefined);
      return;
    }
    listener = client;
  };

  const lost = (client: pg.Client, error: Error): void => {
    if (client !== listener || closed) return;
    listener = undefined;
    void client.end().catch(() => undefined);
    status = { state: 'reconnecting', since: Date.now(), losses: status.losses + 1 };
    options.onLost?.(error);
    reconnect(0);
  };

  const reconnect = (attempt: number): void => {
    const delay = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)]!;
    retry = setTimeout(() => {
      connect().then(
        () => {
          if (closed) return;
          const downMs = Date.now() - status.since;
          status = { state: 'listening', since: Date.now(), losses: status.losses };
          options.onRestored?.(downMs);
          for (const m of missed) m();
        },
        () => {
          if (!closed) reconnect(attempt + 1);
        },
      );
    }, delay);
    retry.unref();
  };

  await connect();

  return {
    publish(event) {
      local.deliver(event);
      // `at` lets the receivers measure the channel's lag (the metrics' change_notification_lag).
      const at = Date.now();
      let payload = JSON.stringify({ origin, event, at });
      if (Buffer.byteLength(payload) > MAX_PAYLOAD) payload = JSON.stringify({ origin, event: { tenantId: event.tenantId, kind: event.kind }, at });
      pool.query('select pg_notify($1, $2)', [channel, payload]).catch(options.onError);
    },
    subscribe: (l) => local.subscribe(l),
    onMissed: (l) => void missed.push(l),
    status: () => ({ ...status }),
    async close() {
      closed = true;
      clearTimeout(retry);
      await listener?.end().catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}
