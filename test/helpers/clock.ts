import type { Clock } from '../../src/domain/clock.ts';

/** A clock that moves only when told to. */
export interface FrozenClock extends Clock {
  set(ms: number): void;
  advance(seconds: number): void;
}

export function frozenClock(start = Date.UTC(2026, 10, 1, 12, 0, 0)): FrozenClock {
  let t = start;
  return {
    now: () => t,
    set: (ms) => void (t = ms),
    advance: (seconds) => void (t += seconds * 1000),
  };
}
