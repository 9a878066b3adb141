// Which secret a client last authenticated with, and when (shown on the client, so an operator can
// see when the old secret stops being used during a rotation grace period). Noted in memory on the
// request path; written every few seconds, at most one write per client per interval.
import type { SecretUse, Storage } from '../../storage/ports.ts';

export class SecretUsage {
  readonly #storage: Storage;
  readonly #onError: (error: unknown) => void;
  #pending = new Map<string, { tenantId: string; clientId: string; use: SecretUse }>();
  #timer: NodeJS.Timeout | undefined;

  constructor(storage: Storage, onError: (error: unknown) => void) {
    this.#storage = storage;
    this.#onError = onError;
  }

  note(tenantId: string, clientId: string, secret: SecretUse['secret'], at: Date): void {
    this.#pending.set(`${tenantId}\n${clientId}`, { tenantId, clientId, use: { secret, at: at.toISOString() } });
  }

  start(intervalMs = 5000): void {
    this.#timer ??= setInterval(() => void this.flush(), intervalMs);
    this.#timer.unref();
  }

  async flush(): Promise<void> {
    const batch = [...this.#pending.values()];
    this.#pending.clear();
    for (const { tenantId, clientId, use } of batch) {
      await this.#storage.clients.recordSecretUse(tenantId, clientId, use).catch(this.#onError);
    }
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
