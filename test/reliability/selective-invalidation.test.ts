// T-OPS-03 (R3), in process, entry by entry: a change drops only the cache entries it names (and
// the derived lists that contain them), so while the database is down everything else is still
// answered from memory, and what a change named fails closed (StorageUnavailable → 503, never an
// answer from an entry known to be outdated). Also: the periodic resync takes nothing away during
// an outage; a reconnection after missed notifications drops everything; events from older
// instances (no ids) and malformed ids drop the whole kind. The same rules under two real server
// processes and a real PostgreSQL outage: pg-outage.test.ts.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localBus } from '../../src/cache/bus.ts';
import { parseEvent, mergeEvents, MAX_IDS } from '../../src/cache/change-event.ts';
import { notifyingStorage } from '../../src/cache/notifying-storage.ts';
import { Registry } from '../../src/cache/registry.ts';
import { createEnvelope } from '../../src/crypto/envelope.ts';
import { sealClientSecret } from '../../src/domain/secret-locations.ts';
import { createTenant } from '../../src/provisioning/create-tenant.ts';
import { StorageUnavailable } from '../../src/storage/errors.ts';
import { createStorage } from '../../src/storage/kysely/index.ts';
import type { Storage, TenantRecord } from '../../src/storage/ports.ts';
import { frozenClock } from '../helpers/clock.ts';
import { switchableStorage, type SwitchableStorage } from '../helpers/outage.ts';
import { apiRecord, clientRecord, grantRecord } from '../storage/records.ts';

const envelope = createEnvelope(randomBytes(32));
const API = 'https://api.example/';
const OTHER = 'https://other.example/';

describe('T-OPS-03: a change invalidates only what it touches; the rest is served from memory while the database is down', () => {
  let raw: Storage;
  let db: SwitchableStorage;
  let storage: Storage;
  let registry: Registry;
  let bus: ReturnType<typeof localBus>;
  let tenant: TenantRecord;
  let x: string;
  let y: string;
  let apiId: string;
  const errors: unknown[] = [];

  const client = async (tenantId: string): Promise<string> => {
    const c = clientRecord(tenantId);
    await raw.clients.create({ ...c, ...sealClientSecret(envelope, tenantId, c.clientId, randomBytes(32).toString('base64url')) });
    return c.clientId;
  };
  /** Everything the token endpoint reads for (client, audience) is answered, and is that client's. */
  const served = async (clientId: string, audience = API): Promise<void> => {
    const [c, g, a] = await Promise.all([registry.client(tenant.id, clientId), registry.grant(tenant.id, clientId, audience), registry.api(tenant.id, audience)]);
    expect(c?.clientId).toBe(clientId);
    expect(g?.clientId).toBe(clientId);
    expect(a?.identifier).toBe(audience);
  };
  const refused = (p: Promise<unknown>) => expect(p).rejects.toBeInstanceOf(StorageUnavailable);

  beforeEach(async () => {
    raw = await createStorage('sqlite::memory:');
    db = switchableStorage(raw);
    bus = localBus();
    storage = notifyingStorage(db.storage, (e) => bus.publish(e));
    registry = new Registry({ storage, envelope, onError: (e) => errors.push(e) });
    bus.subscribe((e) => registry.apply(e));
    tenant = await createTenant(raw, envelope, frozenClock(), { name: 'reliability', domain: 'reliability.example' });
    await registry.start();
    x = await client(tenant.id);
    y = await client(tenant.id);
    const api = apiRecord(tenant.id, { identifier: API });
    apiId = api.id;
    await raw.resourceServers.create(api);
    await raw.resourceServers.create(apiRecord(tenant.id, { identifier: OTHER }));
    for (const [c, aud] of [[x, API], [y, API], [x, OTHER], [y, OTHER]] as const) await raw.grants.create(grantRecord(tenant.id, c, { audience: aud }));
    // Warm every entry the tests read.
    for (const c of [x, y]) for (const aud of [API, OTHER]) await served(c, aud);
    await registry.denylist(tenant.id);
    await registry.keys(tenant.id);
  });
  afterEach(async () => {
    await raw.close();
    expect(errors).toEqual([]);
  });

  it('control: with nothing changed, every warm entry is answered while the database is down', async () => {
    db.down();
    db.calls.length = 0;
    for (const c of [x, y]) for (const aud of [API, OTHER]) await served(c, aud);
    expect(db.calls).toEqual([]);
  });

  it('a client write (secret rotation) drops that client only: the others are served, it fails closed', async () => {
    await storage.clients.update(tenant.id, x, sealClientSecret(envelope, tenant.id, x, 'rotated'));
    db.down();
    await served(y);
    await served(y, OTHER);
    await refused(registry.client(tenant.id, x));
    // Its grants were not touched by a client update: still answered.
    expect((await registry.grant(tenant.id, x, API))?.clientId).toBe(x);
  });

  it('a grant deletion drops that (client, audience) only', async () => {
    const grant = await raw.grants.find(tenant.id, x, API, 'client');
    await storage.grants.remove(tenant.id, grant!.id);
    db.down();
    await served(y);
    await served(x, OTHER);
    await refused(registry.grant(tenant.id, x, API));
  });

  it('a client deletion drops the client and every grant of it, nothing of the other clients', async () => {
    await storage.transaction(async (tx) => {
      await tx.grants.removeForClient(tenant.id, x);
      await tx.clients.remove(tenant.id, x);
    });
    db.down();
    await served(y);
    await served(y, OTHER);
    await refused(registry.client(tenant.id, x));
    await refused(registry.grant(tenant.id, x, API));
    await refused(registry.grant(tenant.id, x, OTHER));
  });

  it('an API update drops that API only (old and new identifier); a new client drops no existing one', async () => {
    await storage.resourceServers.update(tenant.id, apiId, { data: { ...apiRecord(tenant.id, { identifier: API }).data, name: 'renamed' } });
    await storage.clients.create(clientRecord(tenant.id));
    db.down();
    await served(y, OTHER);
    await served(x, OTHER);
    await refused(registry.api(tenant.id, API));
  });

  it('a denylisted jti is added to the cached list: checked from memory while down, old entries kept', async () => {
    await raw.denylist.add({ tenantId: tenant.id, jti: 'old', aud: undefined, createdAt: new Date().toISOString(), expiresAt: null });
    await registry.resync(); // the old entry is now known (reloaded below, while the database answers)
    expect([...(await registry.denylist(tenant.id)).keys()]).toEqual(['old']);
    await storage.denylist.add({ tenantId: tenant.id, jti: 'new', aud: API, createdAt: new Date().toISOString(), expiresAt: null });
    db.down();
    const list = await registry.denylist(tenant.id);
    expect(Object.fromEntries([...list].map(([jti, auds]) => [jti, [...auds]]))).toEqual({ old: [''], new: [API] });
  });

  it('an event without ids (an older instance) drops the whole kind', async () => {
    bus.deliver({ tenantId: tenant.id, kind: 'clients' });
    db.down();
    await refused(registry.client(tenant.id, y));
    expect((await registry.grant(tenant.id, y, API))?.clientId).toBe(y);
  });

  it('the periodic resync during an outage takes nothing away; once the database answers it reloads', async () => {
    db.down();
    await expect(registry.resync()).rejects.toBeInstanceOf(StorageUnavailable);
    db.calls.length = 0;
    for (const c of [x, y]) await served(c);
    expect(registry.tenantById(tenant.id)?.id).toBe(tenant.id);
    // Every read tried the database first (stale), then fell back to the cached copy.
    expect(db.calls).toContain('clients.get');
    // A write made behind the bus (another instance whose notification was lost) shows after it.
    db.up();
    const grant = await raw.grants.find(tenant.id, y, API, 'client');
    await raw.grants.remove(tenant.id, grant!.id);
    expect(await registry.grant(tenant.id, y, API)).toBeNull();
    // Reloaded entries are fresh again: one read each, then none.
    await served(x);
    db.calls.length = 0;
    await served(x);
    expect(db.calls).toEqual([]);
  });

  it('a stale entry whose row is gone is forgotten, not kept as a fallback for a later outage', async () => {
    await registry.resync();
    await raw.clients.remove(tenant.id, x);
    expect(await registry.client(tenant.id, x)).toBeNull();
    db.down();
    // Known to be missing (401 at the token endpoint), never the stale copy.
    expect(await registry.client(tenant.id, x)).toBeNull();
  });

  it('after missed notifications (reconnection) every entry is dropped: fail closed', async () => {
    await registry.dropAll();
    db.down();
    await refused(registry.client(tenant.id, y));
    await refused(registry.grant(tenant.id, y, API));
    await refused(registry.keys(tenant.id));
  });
});

describe('T-OPS-03: the change event format stays tolerant across versions', () => {
  it('an event without ids, or with unknown fields, is read as "the whole kind"', () => {
    expect(parseEvent({ tenantId: 't', kind: 'grants' })).toEqual({ tenantId: 't', kind: 'grants' });
    expect(parseEvent({ tenantId: 't', kind: 'grants', extra: 1, ids: { grants: [{ clientId: 'c', audience: 'a', more: 1 }] } })).toEqual({
      tenantId: 't',
      kind: 'grants',
      ids: { grants: [{ clientId: 'c', audience: 'a' }] },
    });
  });

  it('malformed ids are dropped (whole kind), never half-read', () => {
    expect(parseEvent({ tenantId: 't', kind: 'clients', ids: { clients: ['a', 3] } })).toEqual({ tenantId: 't', kind: 'clients' });
    expect(parseEvent({ tenantId: 't', kind: 'grants', ids: { grants: [{ clientId: 'c' }] } })).toEqual({ tenantId: 't', kind: 'grants' });
    expect(parseEvent({ tenantId: 't', kind: 'denylist', ids: 'x' })).toEqual({ tenantId: 't', kind: 'denylist' });
    expect(parseEvent({ tenantId: 't', kind: 'nope' })).toBeUndefined();
  });

  it('merging: ids are united per (tenant, kind); one event without ids, or too many ids, names the whole kind', () => {
    expect(
      mergeEvents([
        { tenantId: 't', kind: 'clients', ids: { clients: ['a'] } },
        { tenantId: 't', kind: 'clients', ids: { clients: ['b', 'a'] } },
        { tenantId: 't', kind: 'keys' },
        { tenantId: 't', kind: 'grants', ids: { clients: ['a'] } },
        { tenantId: 't', kind: 'grants' },
      ]),
    ).toEqual([
      { tenantId: 't', kind: 'clients', ids: { clients: ['a', 'b'] } },
      { tenantId: 't', kind: 'keys' },
      { tenantId: 't', kind: 'grants' },
    ]);
    const many = Array.from({ length: MAX_IDS + 1 }, (_, i) => ({ tenantId: 't', kind: 'clients' as const, ids: { clients: [`c${i}`] } }));
    expect(mergeEvents(many)).toEqual([{ tenantId: 't', kind: 'clients' }]);
  });
});
