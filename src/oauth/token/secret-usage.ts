// When each of a client's secrets last authenticated (shown on the client, so an operator can see
// when the old secret stops being used during a rotation grace period). Noted in memory on the
// request path, by the secret's MAC (so a rotation in between cannot credit the use to the new
// secret); written every few seconds, at most one write per client and secret per interval.
import type { CachedClient } from '../../cache/registry.ts';
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

  note(tenantId: string, client: Pick<CachedClient, 'clientId' | 'secretMac' | 'previousSecretMac'>, secret: 'current' | 'previous', at: Date): void {
    const mac = secret === 'current' ? client.secretMac : client.previousSecretMac;
    if (!mac) return;
    const use = { mac: mac.toString('base64'), at: at.toISOString() };
    this.#pending.set(`${tenantId}\n${client.clientId}\n${use.mac}`, { tenantId, clientId: client.clientId, use });
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
