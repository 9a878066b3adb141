// T-OPS-02 (R2) at the channel itself: the LISTEN connection of postgresBus comes back after every
// outage however long, says so through status() (what /readyz and a metrics endpoint read) and
// its callbacks, tells subscribers that changes may have been missed (once per outage, only when
// the database answers again), and delivers notifications again. A private cluster (the shared
// PostgreSQL is never stopped); the end-to-end version with two server processes is
// pg-outage.test.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBus, type ChangeBus, type ChangeEvent } from '../../src/cache/bus.ts';
import { startPgCluster, type PgCluster } from '../helpers/pg-cluster.ts';

let pgc: PgCluster;
beforeAll(async () => {
  pgc = await startPgCluster();
}, 60_000);
afterAll(() => pgc?.destroy());

async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await sleep(20);
  }
}

describe('T-OPS-02: the notification channel reconnects after any outage', () => {
  it('status goes listening → reconnecting → listening on each outage; missed-changes listeners run once each time; events flow again', async () => {
    const log: string[] = [];
    const errors: Error[] = [];
    const make = (name: string): Promise<ChangeBus> =>
      postgresBus(pgc.url, {
        onError: (e) => errors.push(e),
        onLost: () => log.push(`${name} lost`),
        onRestored: () => log.push(`${name} restored`),
      });
    const a = await make('a');
    const b = await make('b');
    const heard: ChangeEvent[] = [];
    let missed = 0;
    b.subscribe((e) => heard.push(e));
    b.onMissed(() => {
      missed++;
      // Only once the database answers: the channel is listening again when this runs.
      expect(b.status().state).toBe('listening');
    });
    try {
      expect(b.status()).toMatchObject({ state: 'listening', losses: 0 });
      for (const [round, downMs] of [[1, 300], [2, 2500]] as const) {
        await pgc.stop('fast');
        await eventually(() => b.status().state === 'reconnecting');
        const lostAt = b.status().since;
        await sleep(downMs);
        expect(b.status()).toMatchObject({ state: 'reconnecting', losses: round });
        expect(missed).toBe(round - 1);
        await pgc.start();
        const back = Date.now();
        await eventually(() => b.status().state === 'listening' && a.status().state === 'listening');
        // Reconnection attempts are at most 500 ms apart: back well within R2's 2 s.
        expect(Date.now() - back).toBeLessThanOrEqual(2000);
        expect(b.status().since).toBeGreaterThan(lostAt);
        expect(missed).toBe(round);
        const event: ChangeEvent = { tenantId: `t${round}`, kind: 'grants', ids: { grants: [{ clientId: 'c', audience: 'https://api/' }] } };
        a.publish(event);
        await eventually(() => heard.some((e) => e.tenantId === event.tenantId), 1000);
        expect(heard.at(-1)).toEqual(event);
      }
      expect(log.filter((l) => l.startsWith('b'))).toEqual(['b lost', 'b restored', 'b lost', 'b restored']);
      expect(errors).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);

  it('an oversized event is sent without its ids (the whole kind), never dropped by NOTIFY’s 8000-byte limit', async () => {
    const a = await postgresBus(pgc.url, { onError: (e) => expect.fail(e.message) });
    const b = await postgresBus(pgc.url, { onError: (e) => expect.fail(e.message) });
    const heard: ChangeEvent[] = [];
    b.subscribe((e) => heard.push(e));
    try {
      const clients = Array.from({ length: 60 }, (_, i) => `client-${i}-${'x'.repeat(200)}`);
      a.publish({ tenantId: 'big', kind: 'clients', ids: { clients } });
      await eventually(() => heard.length > 0, 2000);
      expect(heard).toEqual([{ tenantId: 'big', kind: 'clients' }]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
