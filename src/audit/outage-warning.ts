// One warning when something that retries on a timer starts failing (a database outage seen by the
// tenant log writer or the log stream worker), then at most one per interval while it goes on, and
// an info line with the outage's length when it works again: a retry every few hundred ms must not
// bury the server's log in identical lines.
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';

/** How often a warning repeats while the failure goes on. */
export const FAILING_WARN_MS = 30_000;

export interface OutageMessages {
  /** The first failure. */
  failed: string;
  /** While it goes on (with `failures` and `downMs`). */
  stillFailing: string;
  /** Working again (with `failures` and `downMs`). */
  restored: string;
}

export class OutageWarning {
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #messages: OutageMessages;
  #failing: { since: number; warnedAt: number; failures: number } | undefined;

  constructor(logger: Logger, clock: Clock, messages: OutageMessages) {
    this.#logger = logger;
    this.#clock = clock;
    this.#messages = messages;
  }

  /** A failed attempt; `fields` (err, counts) go on the lines that are written. */
  failed(fields: Record<string, unknown>): void {
    const now = this.#clock.now();
    if (this.#failing === undefined) {
      this.#failing = { since: now, warnedAt: now, failures: 1 };
      this.#logger.warn(fields, this.#messages.failed);
      return;
    }
    this.#failing.failures++;
    if (now - this.#failing.warnedAt < FAILING_WARN_MS) return;
    this.#failing.warnedAt = now;
    this.#logger.warn({ ...fields, failures: this.#failing.failures, downMs: now - this.#failing.since }, this.#messages.stillFailing);
  }

  /** A successful attempt: ends the outage, if there was one. */
  succeeded(): void {
    if (this.#failing === undefined) return;
    const { since, failures } = this.#failing;
    this.#failing = undefined;
    this.#logger.info({ failures, downMs: this.#clock.now() - since }, this.#messages.restored);
  }
}
