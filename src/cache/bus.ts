// Change notifications. Every write that a cache depends on publishes a ChangeEvent; every
// instance (this process, cluster workers, other processes on the same PostgreSQL) drops what the
// event names. D5: propagation within one second through LISTEN/NOTIFY, with a periodic resync
// (cacheResyncSeconds) as the backstop.
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';

/** `client_usage`: which secret a client last used (bookkeeping: drops list views only). */
export type ChangeKind = 'tenants' | 'clients' | 'client_usage' | 'grants' | 'resource_servers' | 'keys' | 'denylist';

export interface ChangeEvent {
  tenantId: string;
  kind: ChangeKind;
}

export type ChangeListener = (event: ChangeEvent) => void;

export interface ChangeBus {
  publish(event: ChangeEvent): void;
  subscribe(listener: ChangeListener): void;
  close(): Promise<void>;
}

const CHANNEL = 'scopeward_changes';
const KINDS = new Set<ChangeKind>(['tenants', 'clients', 'client_usage', 'grants', 'resource_servers', 'keys', 'denylist']);

function parseEvent(value: unknown): ChangeEvent | undefined {
  const e = value as Partial<ChangeEvent> | null;
  return e && typeof e.tenantId === 'string' && typeof e.kind === 'string' && KINDS.has(e.kind) ? { tenantId: e.tenantId, kind: e.kind } : undefined;
}

/** In-process only: what a single process (or a test) needs. */
export function localBus(): ChangeBus & { deliver(event: ChangeEvent): void } {
  const listeners: ChangeListener[] = [];
  const deliver = (event: ChangeEvent): void => {
    for (const l of listeners) l(event);
  };
  return {
    deliver,
    publish: deliver,
    subscribe: (l) => void listeners.push(l),
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

/** PostgreSQL LISTEN/NOTIFY: every instance on the same database hears every change. */
export async function postgresBus(url: string, options: { schema?: string; onError: (error: Error) => void }): Promise<ChangeBus> {
  const { default: pg } = await import('pg');
  const local = localBus();
  const origin = randomUUID();
  const channel = options.schema ? `${CHANNEL}_${options.schema}` : CHANNEL;
  let closed = false;
  let listener: pg.Client | undefined;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', options.onError);

  const connect = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: url });
    client.on('notification', (msg) => {
      try {
        const parsed = JSON.parse(msg.payload ?? '') as { origin?: string; event?: unknown };
        const event = parseEvent(parsed.event);
        if (event && parsed.origin !== origin) local.deliver(event);
      } catch {
        // Not ours; ignore.
      }
    });
    client.on('error', (error) => {
      options.onError(error);
      listener = undefined;
      void client.end().catch(() => undefined);
      if (!closed) setTimeout(() => void connect().catch(options.onError), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${channel}`);
    listener = client;
  };
  await connect();

  return {
    publish(event) {
      local.deliver(event);
      pool.query('select pg_notify($1, $2)', [channel, JSON.stringify({ origin, event })]).catch(options.onError);
    },
    subscribe: (listener) => local.subscribe(listener),
    async close() {
      closed = true;
      await listener?.end().catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}
