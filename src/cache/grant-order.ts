// One tenant's client grants in list order (created_at, id), as keys only: GET
// /api/v2/client-grants turns page/per_page into a keyset position and counts include_totals from
// it, so a page deep in 100,000 grants costs what the first one does (issue 13, decision 0011).
// Grant changes name applications, audiences or (application, audience) pairs, never grant ids:
// those are what a change settles.
import type { ChangeIds } from './change-event.ts';
import type { GrantFilter, GrantListKey, Storage } from '../storage/ports.ts';
import { OrderedIndex, pagePlan, type PagePlan } from './ordered-index.ts';

const CLIENT = 'c\n';
const AUDIENCE = 'a\n';
const PAIR = 'p\n';

/** The change names a grant of the application, a grant for the audience, or that pair. */
const pairName = (clientId: string, audience: string): string => `${PAIR}${clientId}\n${audience}`;

function keyMatches(f: GrantFilter): ((k: GrantListKey) => boolean) | undefined {
  if (f.clientId === undefined && f.audience === undefined && f.subjectType === undefined && f.allowAnyOrganization === undefined) return undefined;
  return (k) =>
    (f.clientId === undefined || k.clientId === f.clientId) &&
    (f.audience === undefined || k.audience === f.audience) &&
    (f.subjectType === undefined || k.subjectType === f.subjectType) &&
    (f.allowAnyOrganization === undefined || k.allowAnyOrganization === f.allowAnyOrganization);
}

export class GrantOrder {
  readonly #index: OrderedIndex<GrantListKey>;

  constructor(storage: Storage, tenantId: string, onError?: (error: unknown) => void) {
    this.#index = new OrderedIndex<GrantListKey>(
      {
        all: () => storage.grants.listKeys(tenantId),
        some: (changes) => {
          const selection = { clientIds: [] as string[], audiences: [] as string[], pairs: [] as { clientId: string; audience: string }[] };
          for (const c of changes) {
            if (c.startsWith(CLIENT)) selection.clientIds.push(c.slice(CLIENT.length));
            else if (c.startsWith(AUDIENCE)) selection.audiences.push(c.slice(AUDIENCE.length));
            else {
              const [clientId = '', audience = ''] = c.slice(PAIR.length).split('\n');
              selection.pairs.push({ clientId, audience });
            }
          }
          return storage.grants.listKeys(tenantId, selection);
        },
        version: () => storage.grants.listVersion(tenantId),
        named: (k, changes) => changes.has(CLIENT + k.clientId) || changes.has(AUDIENCE + k.audience) || changes.has(pairName(k.clientId, k.audience)),
      },
      onError ? { onError } : {},
    );
  }

  async page(filter: GrantFilter, offset: number, limit: number): Promise<PagePlan> {
    return pagePlan(await this.#index.keys(), keyMatches(filter), offset, limit);
  }

  /** A `grants` change: the grants it names are settled by the next read; without ids, everything goes. */
  changed(ids: ChangeIds | undefined): void {
    if (!ids) return this.#index.clear();
    this.#index.changed([
      ...(ids.clients ?? []).map((id) => CLIENT + id),
      ...(ids.audiences ?? []).map((a) => AUDIENCE + a),
      ...(ids.grants ?? []).map((g) => pairName(g.clientId, g.audience)),
    ]);
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
