// One tenant's applications in list order (created_at, client_id), as keys only: what
// GET /api/v2/clients needs to turn page/per_page into a keyset position, to apply its filters
// and to count include_totals, without keeping any application in memory (issue 13, decision
// 0011). The page's rows are then read by keyset from the database.
import type { ClientFilter, ClientListKey, Storage } from '../storage/ports.ts';
import { OrderedIndex, pagePlan, type OrderKey, type PagePlan } from './ordered-index.ts';

export interface ClientKey extends OrderKey {
  appType: string | null;
  isGlobal: boolean;
  isFirstParty: boolean;
  /** When the previous secret stops being accepted (ms), 0 when there is none. */
  graceEndsAt: number;
}

const toKey = (k: ClientListKey): ClientKey => ({
  id: k.clientId,
  createdAt: k.createdAt,
  appType: k.appType,
  isGlobal: k.isGlobal,
  isFirstParty: k.isFirstParty,
  graceEndsAt: k.previousSecretExpiresAt ? Date.parse(k.previousSecretExpiresAt) : 0,
});

/** The storage filter, over keys (the same columns the query filters on). */
function keyMatches(filter: ClientFilter): ((k: ClientKey) => boolean) | undefined {
  if (filter.isGlobal === undefined && filter.isFirstParty === undefined && filter.appTypes === undefined) return undefined;
  const types = filter.appTypes && new Set(filter.appTypes);
  return (k) =>
    (filter.isGlobal === undefined || k.isGlobal === filter.isGlobal) &&
    (filter.isFirstParty === undefined || k.isFirstParty === filter.isFirstParty) &&
    (types === undefined || (k.appType !== null && types.has(k.appType)));
}

export class ClientOrder {
  readonly #index: OrderedIndex<ClientKey>;
  #graceEndsAt = 0;

  constructor(storage: Storage, tenantId: string, onError?: (error: unknown) => void) {
    this.#index = new OrderedIndex<ClientKey>(
      {
        all: async () => (await storage.clients.listKeys(tenantId)).map(toKey),
        some: async (ids) => (await storage.clients.listKeys(tenantId, ids)).map(toKey),
        version: () => storage.clients.listVersion(tenantId),
      },
      {
        ...(onError && { onError }),
        derive: (keys) => {
          let latest = 0;
          for (const k of keys) if (k.graceEndsAt > latest) latest = k.graceEndsAt;
          this.#graceEndsAt = latest;
        },
      },
    );
  }

  /** The page `offset`..`offset + limit` of the applications `filter` keeps, as a keyset plan. */
  async page(filter: ClientFilter, offset: number, limit: number): Promise<PagePlan> {
    return pagePlan(await this.#index.keys(), keyMatches(filter), offset, limit);
  }

  /** Whether an old secret is still accepted somewhere at `now` (list answers change when it ends). */
  async graceRunning(now: number): Promise<boolean> {
    await this.#index.keys();
    return this.#graceEndsAt > now;
  }

  changed(clientIds: readonly string[]): void {
    this.#index.changed(clientIds);
  }

  clear(): void {
    this.#index.clear();
  }

  markStale(): void {
    this.#index.markStale();
  }

  get size(): number {
    return this.#index.size;
  }
}
