// D5 (a change on one instance reaches every other within 1 s), timed where it happens: when the
// change notification reaches the other instance's bus. Timing the probes that read its caches
// instead counted their own work (a reload from the database, a key import: slow on a loaded
// machine) as propagation; the probes now only show that the instance acted on the change.
import { performance } from 'node:perf_hooks';
import type { ChangeBus, ChangeEvent } from '../../src/cache/bus.ts';

export interface Arrivals {
  /** A point before a write: only notifications that arrive after it count. */
  mark(): number;
  /**
   * Milliseconds from `acked` (performance.now() when the write returned) until the first matching
   * notification after `mark` reached the bus; 0 when it came before the write returned. Rejects
   * when none comes within `ms`.
   */
  after(mark: number, acked: number, match: (event: ChangeEvent) => boolean, ms?: number): Promise<number>;
}

/** Records when each notification reaches `bus` (subscribe it after the registry). */
export function recordArrivals(bus: ChangeBus): Arrivals {
  const seen: { event: ChangeEvent; at: number }[] = [];
  bus.subscribe((event) => seen.push({ event, at: performance.now() }));
  return {
    mark: () => seen.length,
    async after(mark, acked, match, ms = 10_000) {
      const deadline = performance.now() + ms;
      for (;;) {
        const hit = seen.slice(mark).find((s) => match(s.event));
        if (hit) return Math.max(0, hit.at - acked);
        if (performance.now() > deadline) throw new Error(`no matching change notification within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

/** Polls until `probe` holds (every 20 ms, up to `ms`): that an instance acted on a change, not how fast. */
export async function eventually(probe: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
