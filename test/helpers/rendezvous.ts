// Forcing a race (security catalogue §4.14 T-MI-07): storage wrappers that hold an operation right
// after it has read, until every party has read the same state (or 5 s pass). The storage itself
// is real; only the timing is arranged, so the conditional writes under test decide the outcome.
import type { Storage } from '../../src/storage/ports.ts';

export interface Gate {
  /** Only an armed gate holds anyone. */
  armed: boolean;
  arrivals(): number;
  arrive(): Promise<void>;
  /** Closes the gate again for a new race. */
  reset(): void;
}

export function gateFor(parties: number, timeoutMs = 5000): Gate {
  let arrived = 0;
  let open!: () => void;
  let opened!: Promise<void>;
  const gate: Gate = {
    armed: false,
    arrivals: () => arrived,
    async arrive() {
      if (!gate.armed) return;
      if (++arrived >= parties) open();
      await Promise.race([opened, new Promise((r) => setTimeout(r, timeoutMs))]);
    },
    reset() {
      arrived = 0;
      opened = new Promise<void>((r) => (open = r));
    },
  };
  gate.reset();
  return gate;
}

/** Transactions pause right after reading a tenant's signing keys (what a rotation reads first). */
export function pauseAfterKeyRead(raw: Storage, gate: Gate): Storage {
  const inTx = (tx: Storage): Storage => ({
    ...tx,
    signingKeys: {
      list: async (tenantId) => {
        const rows = await tx.signingKeys.list(tenantId);
        await gate.arrive();
        return rows;
      },
      create: (r) => tx.signingKeys.create(r),
      update: (t, k, p) => tx.signingKeys.update(t, k, p),
      updateIfState: (t, k, f, p) => tx.signingKeys.updateIfState(t, k, f, p),
    },
    transaction: (work) => tx.transaction((inner) => work(inTx(inner))),
  });
  return { ...raw, transaction: (work) => raw.transaction((tx) => work(inTx(tx))) };
}

/** Reads of one client pause after they return (what a secret rotation reads first). */
export function pauseAfterClientRead(raw: Storage, gate: Gate): Storage {
  const clients = raw.clients;
  return {
    ...raw,
    clients: new Proxy(clients, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (prop !== 'get' || typeof value !== 'function') return value;
        return async (...args: Parameters<Storage['clients']['get']>) => {
          const record = await clients.get(...args);
          await gate.arrive();
          return record;
        };
      },
    }),
  };
}
